//! `/v1/status` (what is served and how the last reload went) and `/v1/events` (the
//! change feed as Server-Sent Events).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::{OpenApi, ToSchema};

use super::{AppState, dto};
use crate::content;
use crate::reload as watch;
use crate::search::{ChangedResource, Changes, SearchIndex};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/status", web::get().to(status))
        .route("/v1/events", web::get().to(events));
}

#[derive(OpenApi)]
#[openapi(
    paths(status, events),
    components(schemas(
        Status,
        Counts,
        Diagnostic,
        Severity,
        ReloadStatus,
        IndexStatus,
        ChangeEvent,
        ResetEvent,
        Changes,
        ChangedResource
    ))
)]
pub struct StatusApi;

/// How much of each kind is served.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    #[schema(example = 59)]
    pub roadmaps: usize,
    #[schema(example = 6747)]
    pub topics: usize,
    #[schema(example = 8)]
    pub best_practices: usize,
    #[schema(example = 120)]
    pub guides: usize,
    #[schema(example = 40)]
    pub videos: usize,
    #[schema(example = 12)]
    pub question_groups: usize,
    /// FAQ entries, the introduction questions included.
    #[schema(example = 450)]
    pub faqs: usize,
    #[schema(example = 7600)]
    pub search_documents: usize,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The file (or part of it) could not be used.
    Error,
    /// The file was used, but something in it is off.
    Warning,
    /// Worth knowing, nothing to fix (an empty optional file).
    Info,
}

impl From<content::Severity> for Severity {
    fn from(severity: content::Severity) -> Severity {
        match severity {
            content::Severity::Error => Severity::Error,
            content::Severity::Warning => Severity::Warning,
            content::Severity::Info => Severity::Info,
        }
    }
}

/// A problem found in a content file.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// The file, relative to the content folder.
    #[schema(example = "roadmaps/backend/content/100-internet/101-dns.md")]
    pub file: String,
    /// 1-based line, when the problem has one.
    #[schema(example = 3)]
    pub line: Option<usize>,
    pub severity: Severity,
    #[schema(example = "the file has no `# title` heading; the file name is used")]
    pub message: String,
}

impl From<&content::Diagnostic> for Diagnostic {
    fn from(diagnostic: &content::Diagnostic) -> Diagnostic {
        Diagnostic {
            file: diagnostic.file.to_string_lossy().into_owned(),
            line: diagnostic.line,
            severity: diagnostic.severity.into(),
            message: diagnostic.message.to_string(),
        }
    }
}

/// How reloads went.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReloadStatus {
    /// Reloads that published a snapshot (the start-up load included).
    #[schema(example = 3)]
    pub reloads: u64,
    /// Reloads that failed and kept the previous snapshot.
    #[schema(example = 0)]
    pub failures: u64,
    /// When the last reload was attempted (RFC 3339).
    #[schema(example = "2025-07-01T10:00:00.000Z", format = DateTime)]
    pub last_reload_at: Option<String>,
    /// How long the last reload took (load, index, publish), in milliseconds.
    #[schema(example = 31.25)]
    pub last_reload_ms: Option<f64>,
    /// What the last published reload changed.
    pub last_changes: Changes,
    /// Why the last reload failed, when it did.
    #[schema(example = json!(null))]
    pub last_error: Option<String>,
    /// Resources served from their last good version because their file is broken.
    #[schema(example = json!(["roadmaps/backend"]))]
    pub kept: Vec<String>,
    /// What drives reloads: file-system events, polling, or nothing.
    #[schema(example = "events")]
    pub mode: String,
    /// The content folder does not exist yet; nothing is served until it appears.
    #[schema(example = false)]
    pub waiting_for_content: bool,
}

impl From<&watch::ReloadStatus> for ReloadStatus {
    fn from(status: &watch::ReloadStatus) -> ReloadStatus {
        ReloadStatus {
            reloads: status.reloads,
            failures: status.failures,
            last_reload_at: status.last_reload_at.map(dto::rfc3339_millis),
            last_reload_ms: status.last_reload_ms.map(dto::millis),
            last_changes: status.last_changes.clone(),
            last_error: status.last_error.clone(),
            kept: status.kept.clone(),
            mode: status.mode.clone(),
            waiting_for_content: status.waiting_for_content,
        }
    }
}

/// The search index behind the published snapshot.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexStatus {
    /// Documents in the index.
    #[schema(example = 7600)]
    pub documents: usize,
    /// Documents added by the last update.
    #[schema(example = 1)]
    pub added: usize,
    /// Documents deleted by the last update.
    #[schema(example = 1)]
    pub deleted: usize,
    /// Whether an index on disk was reused as it was.
    pub reused: bool,
    /// How long building or updating it took, in milliseconds.
    #[schema(example = 1500)]
    pub build_ms: u64,
    /// The configured index folder could not be used (the log says why: not an index
    /// folder of ours, unwritable, locked); the index is kept in memory.
    pub memory_fallback: bool,
    /// Segments the index is searched in: one after a build; a large update is
    /// served from its parts while they merge (a second or so), and edits add small
    /// ones that merge among themselves.
    #[schema(example = 1)]
    pub segments: usize,
}

impl IndexStatus {
    fn of(search: &SearchIndex) -> IndexStatus {
        let stats = search.stats;
        IndexStatus {
            segments: search.segments(),
            documents: stats.documents,
            added: stats.added,
            deleted: stats.deleted,
            reused: stats.reused,
            build_ms: stats.build_ms,
            memory_fallback: stats.memory_fallback,
        }
    }
}

/// What is served and how it got there.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Content version: a hash of the files behind the published snapshot.
    #[schema(example = "3f9a1c0d2b7e4a61")]
    pub version: String,
    /// When this snapshot was published (RFC 3339).
    #[schema(example = "2025-07-01T10:00:00.000Z", format = DateTime)]
    pub published_at: String,
    /// Time it took to build this snapshot, in milliseconds.
    #[schema(example = 1500)]
    pub build_ms: u64,
    pub counts: Counts,
    /// Problems in the content files, with file and reason.
    pub diagnostics: Vec<Diagnostic>,
    pub reload: ReloadStatus,
    pub index: IndexStatus,
}

/// One publication, as the change feed tells it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEvent {
    /// The SSE event id, for `Last-Event-ID` resumption: the content version this
    /// event published, the same on every replica serving the same content and across
    /// restarts.
    #[schema(example = "3f9a1c0d2b7e4a61")]
    pub id: String,
    /// Content version now served.
    #[schema(example = "3f9a1c0d2b7e4a61")]
    pub version: String,
    #[schema(example = "0b7e4a613f9a1c0d")]
    pub previous_version: String,
    /// When the version was published (RFC 3339).
    #[schema(example = "2025-07-01T10:00:00.000Z", format = DateTime)]
    pub published_at: String,
    #[serde(flatten)]
    pub changes: Changes,
}

impl From<&watch::ChangeEvent> for ChangeEvent {
    fn from(event: &watch::ChangeEvent) -> ChangeEvent {
        ChangeEvent {
            id: event.id.clone(),
            version: event.version.clone(),
            previous_version: event.previous_version.clone(),
            published_at: dto::rfc3339_millis(event.published_at),
            changes: event.changes.clone(),
        }
    }
}

/// The feed cannot tell a client what it missed: refetch what you mirror. Sent with
/// the version served now as its id, which the client resumes from afterwards.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetEvent {
    /// Content version now served (also the event's id).
    #[schema(example = "3f9a1c0d2b7e4a61")]
    pub version: String,
    /// Why: `unknown-version` (the `Last-Event-ID` is not among this replica's last
    /// 256 versions) or `lagged` (the client fell more than 256 events behind).
    #[schema(example = "unknown-version")]
    pub reason: String,
}

fn reset_frame(version: &str, reason: &str) -> Bytes {
    let data = serde_json::to_string(&ResetEvent {
        version: version.to_owned(),
        reason: reason.to_owned(),
    })
    .unwrap_or_else(|_| String::from("{}"));
    Bytes::from(format!("event: reset\nid: {version}\ndata: {data}\n\n"))
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
        published_at: dto::rfc3339(snapshot.published_at),
        build_ms: snapshot.build_ms,
        counts,
        diagnostics: c.diagnostics.iter().map(Into::into).collect(),
        reload: state.reload.status.load_full().as_ref().into(),
        index: IndexStatus::of(&snapshot.search),
    })
}

const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn frame(event: &watch::ChangeEvent) -> Bytes {
    let data = serde_json::to_string(&ChangeEvent::from(event)).unwrap_or_else(|_| "{}".into());
    Bytes::from(format!("id: {}\nevent: change\ndata: {data}\n\n", event.id))
}

/// The change feed: one `change` event per published snapshot, with the new
/// version and the resources added, changed and removed (kind, id, path).
///
/// Server-Sent Events (`text/event-stream`). Each event's `id` is the content version
/// it published, so it means the same on every replica serving the same content and
/// after a restart. A client that reconnects with `Last-Event-ID` first receives the
/// events it missed (the last 256 are kept; nothing when it is up to date), or a
/// `reset` event when its version is unknown here, meaning "refetch what you
/// mirror". A `: keep-alive` comment is sent every 15 seconds.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "status",
    params(("Last-Event-ID" = Option<String>, Header, description = "Id (content version) of the last event received; missed events are replayed", example = "0b7e4a613f9a1c0d")),
    responses((status = 200, description = "An endless `text/event-stream`; each `data` is a ChangeEvent (event `change`) or a ResetEvent (event `reset`)", content_type = "text/event-stream", body = ChangeEvent))
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
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if let Some(last) = last_id {
        let current = state.store.current().version.clone();
        match feed_state.feed.since(last, &current) {
            watch::Resume::Replay(missed) => pending.extend(missed.iter().map(|e| frame(e))),
            watch::Resume::Reset => pending.push_back(reset_frame(&current, "unknown-version")),
        }
    }
    let ticker = tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    let store = Arc::clone(&state.store);
    let stream = futures_util::stream::unfold(
        (pending, receiver, ticker, store),
        |(mut pending, mut receiver, mut ticker, store)| async move {
            if let Some(bytes) = pending.pop_front() {
                return Some((
                    Ok::<Bytes, actix_web::Error>(bytes),
                    (pending, receiver, ticker, store),
                ));
            }
            let bytes = tokio::select! {
                event = receiver.recv() => match event {
                    Ok(event) => frame(&event),
                    Err(RecvError::Lagged(_)) => reset_frame(&store.current().version, "lagged"),
                    Err(RecvError::Closed) => return None,
                },
                _ = ticker.tick() => Bytes::from_static(b": keep-alive\n\n"),
            };
            Some((Ok(bytes), (pending, receiver, ticker, store)))
        },
    );
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream)
}
