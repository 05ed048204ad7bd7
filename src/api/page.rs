//! The search page at `/`: what a site's search box built on this API looks like, served
//! by the service itself so that `cargo run` shows it.
//!
//! The page is three static files compiled into the binary (no CDN, no build step) and
//! talks to the public `/v1` API only, as a site would. Each view has its own URL
//! (`/roadmaps/{id}`, `/roadmaps/{id}/topics/{topicId}`, ...): those paths answer the
//! same page, which reads the URL and renders the view. They answer HTML only (a
//! client that excludes `text/html` gets the usual 406), so the JSON API under `/v1`
//! keeps its paths and representations. A view of something that does not exist is
//! still the page (it explains), with status 404 so crawlers and scripts can tell.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};

use super::AppState;
use super::roadmaps;
use crate::content::{Catalog, RoadmapKind};

const INDEX_HTML: &str = include_str!("../../static/index.html");
const APP_JS: &str = include_str!("../../static/app.js");
const APP_CSS: &str = include_str!("../../static/app.css");

/// Same-origin everything, no inline script or style, no plugins, no framing: snippets
/// and topic HTML come from content files, and even if one slipped markup past the
/// escaping, it could not run script or reach another host.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'self'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/assets/app.js", web::get().to(script))
        .route("/assets/app.css", web::get().to(style))
        .route("/roadmaps/{id}", web::get().to(roadmap_view))
        .route(
            "/roadmaps/{id}/topics/{topic:.*}",
            web::get().to(topic_view),
        )
        .route("/best-practices/{id}", web::get().to(best_practice_view))
        .route(
            "/best-practices/{id}/topics/{topic:.*}",
            web::get().to(best_practice_topic_view),
        )
        .route("/guides/{id}", web::get().to(guide_view))
        .route("/videos/{id}", web::get().to(video_view))
        .route("/question-groups/{id}", web::get().to(question_group_view));
}

/// The page, with the status the view deserves.
fn page(status: StatusCode) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        // Revalidated (the ETag layer answers 304): a new binary serves a new page.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(INDEX_HTML)
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

fn found(exists: bool) -> HttpResponse {
    if exists {
        return page(StatusCode::OK);
    }
    let mut response = page(StatusCode::NOT_FOUND);
    response.extensions_mut().insert(super::http::KeepErrorBody);
    response
}

async fn home() -> HttpResponse {
    page(StatusCode::OK)
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

fn collection_has(catalog: &Catalog, kind: RoadmapKind, id: &str, topic: Option<&str>) -> bool {
    match roadmaps::find(catalog, kind, id) {
        Ok(roadmap) => topic.is_none_or(|topic| roadmap.topic_index.contains_key(topic)),
        Err(_) => false,
    }
}

async fn roadmap_view(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let snapshot = state.store.current();
    found(collection_has(
        &snapshot.catalog,
        RoadmapKind::Roadmap,
        &path,
        None,
    ))
}

async fn topic_view(state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (id, topic) = path.into_inner();
    let snapshot = state.store.current();
    found(collection_has(
        &snapshot.catalog,
        RoadmapKind::Roadmap,
        &id,
        Some(&topic),
    ))
}

async fn best_practice_view(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let snapshot = state.store.current();
    found(collection_has(
        &snapshot.catalog,
        RoadmapKind::BestPractice,
        &path,
        None,
    ))
}

async fn best_practice_topic_view(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, topic) = path.into_inner();
    let snapshot = state.store.current();
    found(collection_has(
        &snapshot.catalog,
        RoadmapKind::BestPractice,
        &id,
        Some(&topic),
    ))
}

async fn guide_view(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let snapshot = state.store.current();
    found(snapshot.catalog.guides.iter().any(|g| g.slug == *path))
}

async fn video_view(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let snapshot = state.store.current();
    found(snapshot.catalog.videos.iter().any(|v| v.slug == *path))
}

async fn question_group_view(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let snapshot = state.store.current();
    found(
        snapshot
            .catalog
            .question_groups
            .iter()
            .any(|q| q.id == *path),
    )
}
