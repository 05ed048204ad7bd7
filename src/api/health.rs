//! Probes for orchestrators: liveness (the process answers) and readiness (content is
//! published and worth routing traffic to).

use actix_web::get;
use actix_web::web::{self, Json};

use super::AppState;
use super::dto::{self, Health, Ready};
use super::error::{ApiError, Unavailable};
use crate::content::Catalog;

#[utoipa::path(
    tag = "health",
    operation_id = "healthz",
    summary = "Liveness",
    description = "200 as long as the process answers requests.",
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

fn has_content(catalog: &Catalog) -> bool {
    !(catalog.roadmaps.is_empty()
        && catalog.best_practices.is_empty()
        && catalog.guides.is_empty()
        && catalog.videos.is_empty()
        && catalog.question_groups.is_empty())
}

#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    summary = "Readiness",
    description = "200 once a snapshot with content is published; 503 while the served content is empty.",
    responses(
        (status = 200, description = "Content is being served.", body = Ready),
        (status = 503, response = Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<Json<Ready>, ApiError> {
    let snapshot = state.store.current();
    if state.reload.status.load().waiting_for_content {
        return Err(ApiError::NotReady(format!(
            "waiting for content: the folder {} does not exist yet",
            snapshot.catalog.root.display()
        )));
    }
    if !has_content(&snapshot.catalog) {
        return Err(ApiError::NotReady(format!(
            "no content published yet (content version `{}` is empty)",
            snapshot.version
        )));
    }
    Ok(Json(Ready {
        status: "ready".to_owned(),
        version: snapshot.version.clone(),
        published_at: dto::rfc3339(snapshot.published_at),
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}
