//! The OpenAPI document: every path and schema of the API, generated from the handler
//! annotations so that it cannot describe an endpoint that does not exist.

use utoipa::OpenApi;

use super::dto;
use super::error::{BadRequest, NotFound, Problem, Unavailable};
use super::pagination::Page;
use super::roadmaps::{best_practice_endpoints, roadmap_endpoints};
use super::{guides, health, question_groups, search, status, videos};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "roadmap-api",
        description = "A headless content API with full-text search for roadmap.sh-style learning content: roadmaps, their topics and FAQs, best practices, guides, videos and question groups.\n\nEvery list is paginated with `limit` (0 to 100, default 20) and `offset` and answers `{items, total, limit, offset}`. Errors are `application/problem+json` (RFC 9457); a bad parameter is named in `parameter`.",
    ),
    paths(
        roadmap_endpoints::list,
        roadmap_endpoints::get,
        roadmap_endpoints::topics,
        roadmap_endpoints::topic,
        roadmap_endpoints::faqs,
        roadmap_endpoints::related,
        best_practice_endpoints::list,
        best_practice_endpoints::get,
        best_practice_endpoints::topics,
        best_practice_endpoints::topic,
        best_practice_endpoints::faqs,
        best_practice_endpoints::related,
        guides::list,
        guides::get,
        videos::list,
        videos::get,
        question_groups::list,
        question_groups::get,
        health::healthz,
        health::readyz,
    ),
    components(
        schemas(
            Problem,
            Page<dto::RoadmapSummary>,
            Page<dto::Faq>,
            Page<dto::RelatedRoadmap>,
            Page<dto::TopicListItem>,
            Page<dto::GuideSummary>,
            Page<dto::VideoSummary>,
            Page<dto::QuestionGroupSummary>,
        ),
        responses(BadRequest, NotFound, Unavailable),
    ),
    tags(
        (name = "roadmaps", description = "Roadmaps: pages, topic trees, topics, FAQs and related roadmaps."),
        (name = "best-practices", description = "Best practices: the same shape and endpoints as roadmaps."),
        (name = "guides", description = "Articles."),
        (name = "videos", description = "Video pages."),
        (name = "question-groups", description = "Interview-style questions with answers."),
        (name = "health", description = "Liveness and readiness probes."),
    )
)]
struct ApiDoc;

/// The complete document (search endpoints included), as served at `/openapi.json` and
/// checked in at `openapi/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.merge(search::SearchApi::openapi());
    doc.merge(status::StatusApi::openapi());
    doc
}
