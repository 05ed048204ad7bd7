//! Question groups: interview-style questions with markdown answers.

use actix_web::get;
use actix_web::web::{self, Json};

use super::dto::{Kind, Question, QuestionGroupDetail, QuestionGroupSummary};
use super::error::{ApiError, BadRequest, NotFound};
use super::pagination::{Page, PageParams};
use super::{AppState, find_by};
use crate::content::QuestionGroup;

fn summary(group: &QuestionGroup) -> QuestionGroupSummary {
    QuestionGroupSummary {
        id: group.id.clone(),
        kind: Kind::QuestionGroup,
        title: group.title.clone(),
        description: group.description.clone(),
        brief_title: group.brief_title.clone(),
        brief_description: group.brief_description.clone(),
        order: group.order,
        tags: group.tags.clone(),
        question_count: group.questions.len(),
        path: format!("/v1/question-groups/{}", group.id),
    }
}

#[utoipa::path(
    tag = "question-groups",
    operation_id = "listQuestionGroups",
    summary = "List question groups",
    description = "All question groups, in content order.",
    params(PageParams),
    responses(
        (status = 200, description = "A page of question groups.", body = Page<QuestionGroupSummary>),
        (status = 400, response = BadRequest),
    )
)]
#[get("/v1/question-groups")]
pub async fn list(
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<Json<Page<QuestionGroupSummary>>, ApiError> {
    let window = page.window()?;
    let snapshot = state.store.current();
    Ok(Json(
        window.page(&snapshot.catalog.question_groups, summary),
    ))
}

#[utoipa::path(
    tag = "question-groups",
    operation_id = "getQuestionGroup",
    summary = "Get a question group",
    description = "One question group with every question; answers as markdown and sanitized HTML.",
    params(("id" = String, Path, description = "Id of the question group.", example = "backend")),
    responses(
        (status = 200, description = "The question group.", body = QuestionGroupDetail),
        (status = 404, response = NotFound),
    )
)]
#[get("/v1/question-groups/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<Json<QuestionGroupDetail>, ApiError> {
    let snapshot = state.store.current();
    let group = find_by(
        &snapshot.catalog.question_groups,
        "question group",
        &id,
        |group| &group.id,
    )?;
    Ok(Json(QuestionGroupDetail {
        summary: summary(group),
        seo: group.seo.as_ref().map(Into::into),
        questions: group
            .questions
            .iter()
            .enumerate()
            .map(|(n, question)| Question {
                id: format!("{}#q-{}", group.id, n + 1),
                kind: Kind::Question,
                question: question.question.clone(),
                html: question.html.clone(),
                answer: question.answer.clone(),
                topics: question.topics.clone(),
            })
            .collect(),
        related_roadmaps: group.related_roadmaps.clone(),
        extra: group.extra.clone(),
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(get);
}
