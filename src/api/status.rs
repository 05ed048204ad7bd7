//! `/v1/status` (what is served and how the last reload went) and `/v1/events` (the
//! change feed as Server-Sent Events).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::{OpenApi, ToSchema};

use super::AppState;
use crate::content::Diagnostic;
use crate::search::IndexStats;
use crate::watch::{ChangeEvent, ReloadStatus};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/status", web::get().to(status))
        .route("/v1/events", web::get().to(events));
}

#[derive(OpenApi)]
#[openapi(
    paths(status, events),
    components(schemas(Status, Counts, ReloadStatus, ChangeEvent))
)]
pub struct StatusApi;

/// How much of each kind is served.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub roadmaps: usize,
    pub topics: usize,
    pub best_practices: usize,
    pub guides: usize,
    pub videos: usize,
    pub question_groups: usize,
    pub faqs: usize,
    pub search_documents: usize,
}

/// What is served and how it got there.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Content version: a hash of the files behind the published snapshot.
    #[schema(example = "3f9a1c0d2b7e4a61")]
    pub version: String,
    /// Milliseconds since the Unix epoch when this snapshot was published.
    pub published_at: u64,
    /// Time it took to build this snapshot, in milliseconds.
    pub build_ms: u64,
    pub counts: Counts,
    /// Problems in the content files, with file and reason.
    #[schema(value_type = Vec<Object>)]
    pub diagnostics: Vec<Diagnostic>,
    pub reload: ReloadStatus,
    #[schema(value_type = Object)]
    pub index: IndexStats,
}

/// Content version, last reload (time, duration, what changed), counts per kind and
/// the current diagnostics.
#[utoipa::path(
    get,
    path = "/v1/status",
    tag = "status",
    responses((status = 200, description = "What is served", body = Status))
)]
pub async fn status(state: web::Data<AppState>) -> HttpResponse {
    let snapshot = state.store.current();
    let c = &snapshot.catalog;
    let maps = || c.roadmaps.iter().chain(c.best_practices.iter());
    let counts = Counts {
        roadmaps: c.roadmaps.len(),
        topics: maps().map(|r| r.topics.len()).sum(),
        best_practices: c.best_practices.len(),
        guides: c.guides.len(),
        videos: c.videos.len(),
        question_groups: c.question_groups.len(),
        faqs: maps()
            .map(|r| r.faqs.len() + usize::from(r.question.is_some()))
            .sum(),
        search_documents: snapshot.search.stats.documents,
    };
    HttpResponse::Ok().json(Status {
        version: snapshot.version.clone(),
        published_at: snapshot
            .published_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
        build_ms: snapshot.build_ms,
        counts,
        diagnostics: c.diagnostics.clone(),
        reload: (*state.reload.status.load_full()).clone(),
        index: snapshot.search.stats,
    })
}

const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn frame(event: &ChangeEvent) -> Bytes {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    Bytes::from(format!("id: {}\nevent: change\ndata: {data}\n\n", event.id))
}

/// The change feed: one `change` event per published snapshot, with the new
/// version and the resources added, changed and removed (kind, id, path).
///
/// Server-Sent Events (`text/event-stream`). Each event has an `id`; a client that
/// reconnects with `Last-Event-ID` first receives the events it missed (the last
/// 256 are kept), or a `reset` event when it missed more, meaning "refetch what you
/// mirror". A `: keep-alive` comment is sent every 15 seconds.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "status",
    params(("Last-Event-ID" = Option<u64>, Header, description = "Id of the last event received; missed events are replayed", example = 41)),
    responses((status = 200, description = "An endless `text/event-stream`; each `data` is a ChangeEvent", content_type = "text/event-stream", body = ChangeEvent))
)]
pub async fn events(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let feed_state = Arc::clone(&state.reload);
    let receiver = feed_state.feed.subscribe();
    let mut pending: VecDeque<Bytes> = VecDeque::new();
    pending.push_back(Bytes::from(format!(
        "retry: 1000\n: connected, version {}\n\n",
        state.store.current().version
    )));
    let last_id = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(last) = last_id {
        match feed_state.feed.since(last) {
            Some(missed) => pending.extend(missed.iter().map(|e| frame(e))),
            None => pending.push_back(Bytes::from_static(b"event: reset\ndata: {}\n\n")),
        }
    }
    let ticker = tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    let stream = futures_util::stream::unfold(
        (pending, receiver, ticker),
        |(mut pending, mut receiver, mut ticker)| async move {
            if let Some(bytes) = pending.pop_front() {
                return Some((
                    Ok::<Bytes, actix_web::Error>(bytes),
                    (pending, receiver, ticker),
                ));
            }
            let bytes = tokio::select! {
                event = receiver.recv() => match event {
                    Ok(event) => frame(&event),
                    Err(RecvError::Lagged(_)) => Bytes::from_static(b"event: reset\ndata: {}\n\n"),
                    Err(RecvError::Closed) => return None,
                },
                _ = ticker.tick() => Bytes::from_static(b": keep-alive\n\n"),
            };
            Some((Ok(bytes), (pending, receiver, ticker)))
        },
    );
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream)
}
