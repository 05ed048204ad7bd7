//! Video pages: newest first.

use actix_web::get;
use actix_web::web::{self, Json};

use super::dto::{Kind, VideoDetail, VideoSummary};
use super::error::{ApiError, BadRequest, NotFound};
use super::pagination::{Page, PageParams};
use super::{AppState, find_by};
use crate::content::Video;

fn summary(video: &Video) -> VideoSummary {
    VideoSummary {
        id: video.slug.clone(),
        kind: Kind::Video,
        title: video.title.clone(),
        description: video.description.clone(),
        duration: video.duration.clone(),
        date: video.date.clone(),
        tags: video.tags.clone(),
        path: format!("/v1/videos/{}", video.slug),
    }
}

#[utoipa::path(
    tag = "videos",
    operation_id = "listVideos",
    summary = "List videos",
    description = "All video pages, newest first.",
    params(PageParams),
    responses(
        (status = 200, description = "A page of videos.", body = Page<VideoSummary>),
        (status = 400, response = BadRequest),
    )
)]
#[get("/v1/videos")]
pub async fn list(
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<Json<Page<VideoSummary>>, ApiError> {
    let window = page.window()?;
    let snapshot = state.store.current();
    Ok(Json(window.page(&snapshot.catalog.videos, |v| summary(v))))
}

#[utoipa::path(
    tag = "videos",
    operation_id = "getVideo",
    summary = "Get a video",
    description = "One video page with its body (usually an embedded player) as markdown and sanitized HTML.",
    params(("id" = String, Path, description = "Id of the video: its slug (file name).", example = "docker-explained")),
    responses(
        (status = 200, description = "The video.", body = VideoDetail),
        (status = 404, response = NotFound),
    )
)]
#[get("/v1/videos/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<Json<VideoDetail>, ApiError> {
    let snapshot = state.store.current();
    let video = find_by(&snapshot.catalog.videos, "video", &slug, |video| {
        &video.slug
    })?;
    Ok(Json(VideoDetail {
        summary: summary(video),
        html: video.html.clone(),
        markdown: video.markdown.to_string(),
        extra: video.extra.clone(),
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(get);
}
