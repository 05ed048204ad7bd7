//! Question groups: interview-style questions with markdown answers.

use actix_web::get;
use actix_web::web::{self, Json};

use super::dto::{Kind, Question, QuestionGroupDetail, QuestionGroupSummary};
use super::error::{ApiError, BadRequest, NotFound};
use super::pagination::{Page, PageParams};
use super::{AppState, find_by};
use crate::content::QuestionGroup;
use crate::search::documents::{question_id, question_path};

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
        window.page(&snapshot.catalog.question_groups, |g| summary(g)),
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
            .map(|(n, question)| question_dto(group, n, question))
            .collect(),
        related_roadmaps: group.related_roadmaps.clone(),
        extra: group.extra.clone(),
    }))
}

/// The number (from 0) a `questionId` names, if it has the `q-<n>` shape with `n >= 1`;
/// anything else (leading zeros, signs, overflow) names no question.
fn question_index(question_id: &str) -> Option<usize> {
    let digits = question_id.strip_prefix("q-")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<usize>().ok()?.checked_sub(1)
}

fn question_dto(group: &QuestionGroup, n: usize, question: &crate::content::Question) -> Question {
    let question_id = question_id(n);
    Question {
        id: format!("{}#{question_id}", group.id),
        kind: Kind::Question,
        question: question.question.clone(),
        html: question.html.clone(),
        answer: question.answer.clone(),
        topics: question.topics.clone(),
        path: question_path(&group.id, n),
        group: group.id.clone(),
    }
}

#[utoipa::path(
    tag = "question-groups",
    operation_id = "getQuestion",
    summary = "Get one question",
    description = "One question of a group with its answer as markdown and sanitized HTML: the page a question search hit points at. Question ids are `q-<n>`, numbered from 1 in group order; the question's full id (`<group>#q-<n>`) is accepted too.",
    params(
        ("id" = String, Path, description = "Id of the question group.", example = "backend"),
        ("questionId" = String, Path, description = "Id of the question within its group: `q-<n>`, numbered from 1, or its full id `<group>#q-<n>`.", example = "q-1"),
    ),
    responses(
        (status = 200, description = "The question.", body = Question),
        (status = 404, response = NotFound),
    )
)]
#[get("/v1/question-groups/{id}/questions/{questionId}")]
pub async fn get_question(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<Json<Question>, ApiError> {
    let (id, question_id) = path.into_inner();
    let snapshot = state.store.current();
    let group = find_by(
        &snapshot.catalog.question_groups,
        "question group",
        &id,
        |group| &group.id,
    )?;
    // The question's own `id` (`<group>#q-<n>`, as the group and search hits give it)
    // names it too, so an id read from one answer works in the next request.
    let local = question_id
        .strip_prefix(id.as_str())
        .and_then(|rest| rest.strip_prefix('#'))
        .unwrap_or(&question_id);
    let n = question_index(local)
        .filter(|&n| n < group.questions.len())
        .ok_or_else(|| {
            ApiError::not_found_in("question", question_id, format!("question group `{id}`"))
        })?;
    Ok(Json(question_dto(group, n, &group.questions[n])))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(get).service(get_question);
}

#[cfg(test)]
mod tests {
    use super::{question_id, question_index};

    #[test]
    fn question_ids_round_trip_and_reject_other_shapes() {
        for n in [0, 1, 41] {
            assert_eq!(question_index(&question_id(n)), Some(n));
        }
        for bad in [
            "q-0",
            "q-01",
            "q-",
            "q--1",
            "q-+1",
            "1",
            "Q-1",
            "q-1x",
            "q-99999999999999999999999",
        ] {
            assert_eq!(question_index(bad), None, "{bad}");
        }
    }
}
