//! Guides (articles): newest first, filterable by tag and author.

use actix_web::get;
use actix_web::web::{self, Json};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{GuideDetail, GuideSummary, Kind};
use super::error::{ApiError, BadRequest, NotFound};
use super::pagination::{Page, PageParams};
use super::{AppState, find_by};
use crate::content::Guide;

/// `?tag=&author=` of the guide list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuideFilter {
    /// Only guides carrying this tag (case-insensitive).
    #[param(example = "guide")]
    pub tag: Option<String>,
    /// Only guides by this author (case-insensitive, whole name).
    #[param(example = "Kamran Ahmed")]
    pub author: Option<String>,
}

impl GuideFilter {
    fn matches(&self, guide: &Guide) -> bool {
        let tag_ok = self.tag.as_ref().is_none_or(|wanted| {
            guide
                .tags
                .iter()
                .any(|tag| tag.eq_ignore_ascii_case(wanted))
        });
        let author_ok = self.author.as_ref().is_none_or(|wanted| {
            guide
                .author
                .as_ref()
                .is_some_and(|author| author.trim().eq_ignore_ascii_case(wanted.trim()))
        });
        tag_ok && author_ok
    }
}

fn summary(guide: &Guide) -> GuideSummary {
    GuideSummary {
        id: guide.slug.clone(),
        kind: Kind::Guide,
        title: guide.title.clone(),
        description: guide.description.clone(),
        author: guide.author.clone(),
        date: guide.date.clone(),
        tags: guide.tags.clone(),
        path: format!("/v1/guides/{}", guide.slug),
    }
}

#[utoipa::path(
    tag = "guides",
    operation_id = "listGuides",
    summary = "List guides",
    description = "All guides, newest first, optionally filtered by tag and author.",
    params(GuideFilter, PageParams),
    responses(
        (status = 200, description = "A page of guides.", body = Page<GuideSummary>),
        (status = 400, response = BadRequest),
    )
)]
#[get("/v1/guides")]
pub async fn list(
    state: web::Data<AppState>,
    filter: web::Query<GuideFilter>,
    page: web::Query<PageParams>,
) -> Result<Json<Page<GuideSummary>>, ApiError> {
    let window = page.window()?;
    let snapshot = state.store.current();
    let guides = snapshot.catalog.guides.iter().filter(|g| filter.matches(g));
    Ok(Json(window.page(guides, |g| summary(g))))
}

#[utoipa::path(
    tag = "guides",
    operation_id = "getGuide",
    summary = "Get a guide",
    description = "One guide with its body as markdown and as sanitized HTML.",
    params(("id" = String, Path, description = "Id of the guide: its slug (file name).", example = "how-https-works")),
    responses(
        (status = 200, description = "The guide. `Accept: text/markdown` gives its markdown, `Accept: text/plain` its plain text; `Last-Modified` is its file's time.", content(
            (GuideDetail = "application/json"),
            (String = "text/markdown"),
            (String = "text/plain"),
        )),
        (status = 404, response = NotFound),
    )
)]
#[get("/v1/guides/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    req: actix_web::HttpRequest,
) -> Result<actix_web::HttpResponse, ApiError> {
    let snapshot = state.store.current();
    let guide = find_by(&snapshot.catalog.guides, "guide", &slug, |guide| {
        &guide.slug
    })?;
    let detail = GuideDetail {
        summary: summary(guide),
        seo: guide.seo.as_ref().map(Into::into),
        html: guide.html.clone(),
        markdown: guide.markdown.to_string(),
        extra: guide.extra.clone(),
    };
    Ok(super::negotiate::document(
        &req,
        &detail,
        &guide.title,
        &guide.markdown,
        guide.modified,
    ))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(get);
}
