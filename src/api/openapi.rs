//! The OpenAPI document: every path and schema of the API, generated from the handler
//! annotations so that it cannot describe an endpoint that does not exist.
//!
//! Two things are added after generation, where the annotations cannot say them once:
//! the answers every operation can give whatever its handler does (304, 405, 406, 414,
//! 431 and 500 from the HTTP layer; 429 from the optional rate limit; 503 from the search
//! pool), and `$ref`s in place of
//! copies of named schemas that utoipa inlines (a generic `Page<T>` inlines `T`), so
//! that generators emit one model per schema.

use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::dto;
use super::error::{BadRequest, NotFound, Problem, Unavailable};
use super::pagination::Page;
use super::roadmaps::{best_practice_endpoints, roadmap_endpoints};
use super::{admin, guides, health, question_groups, search, status, videos};

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
        question_groups::get_question,
        health::healthz,
        health::readyz,
    ),
    components(
        schemas(
            Problem,
            dto::ExtraFields,
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
        (name = "admin", description = "Operations for the deployment, behind a bearer token; absent (404) when the server has none."),
    )
)]
struct ApiDoc;

/// The complete document (search endpoints included), as served at `/openapi.json` and
/// checked in at `openapi/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    // utoipa copies the crate's license, which the crate does not declare: an empty
    // `license.name` is invalid, no license object is not.
    doc.info.license = None;
    doc.merge(search::SearchApi::openapi());
    doc.merge(status::StatusApi::openapi());
    doc.merge(admin::AdminApi::openapi());
    if let Some(components) = doc.components.as_mut() {
        components.add_security_scheme(
            "adminToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The admin token the server was started with (`--admin-token`).",
                    ))
                    .build(),
            ),
        );
    }
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    add_common_responses(&mut value);
    describe_event_stream(&mut value);
    share_named_schemas(&mut value);
    serde_json::from_value(value).unwrap_or(doc)
}

/// Responses any operation can answer, by status: (component name, description).
const COMMON: [(&str, &str, &str); 6] = [
    (
        "304",
        "NotModified",
        "The representation has not changed: the request's `If-None-Match` names its `ETag`.",
    ),
    (
        "405",
        "MethodNotAllowed",
        "The path does not answer this method (every path but the admin endpoint is read-only: GET, HEAD, OPTIONS); `Allow` lists the methods it answers.",
    ),
    (
        "406",
        "NotAcceptable",
        "The `Accept` header allows none of the media types the resource is available as.",
    ),
    (
        "414",
        "UriTooLong",
        "The request target is longer than 32 KiB.",
    ),
    (
        "431",
        "HeadersTooLarge",
        "The request's header fields are too many or too large.",
    ),
    (
        "500",
        "InternalError",
        "A fault of the server; it is logged.",
    ),
];

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {
            "application/problem+json": {
                "schema": { "$ref": "#/components/schemas/Problem" }
            }
        }
    })
}

fn response_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// Declares on every operation the answers the HTTP layer gives whatever the handler
/// does, and 503 on the search operations (their pool is bounded and answers 503 with
/// `Retry-After` when full).
fn add_common_responses(doc: &mut Value) {
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        for (status, name, description) in COMMON {
            let response = if status == "304" {
                json!({
                    "description": description,
                    "headers": { "ETag": { "description": "The representation's tag.", "schema": { "type": "string" } } }
                })
            } else {
                problem_response(description)
            };
            responses.insert(name.to_owned(), response);
        }
        responses.insert(
            String::from("TooManyRequests"),
            problem_response(
                "This client went past the server's per-client rate limit (when one is set); retry after the seconds in `Retry-After`.",
            ),
        );
        responses.insert(
            String::from("Busy"),
            problem_response(
                "Too many searches are running; retry after the seconds in `Retry-After`.",
            ),
        );
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (status, name, _) in COMMON {
                // An endless event stream has no ETag to revalidate.
                if status == "304" && (path == "/v1/events" || method != "get") {
                    continue;
                }
                responses
                    .entry(status)
                    .or_insert_with(|| response_ref(name));
            }
            // Probes are exempt from the rate limit (api/ratelimit.rs).
            if !matches!(path.as_str(), "/healthz" | "/readyz") {
                responses
                    .entry("429")
                    .or_insert_with(|| response_ref("TooManyRequests"));
            }
            if matches!(path.as_str(), "/v1/search" | "/v1/suggest" | "/v1/lookup") {
                responses
                    .entry("503")
                    .or_insert_with(|| response_ref("Busy"));
            }
        }
    }
}

/// The change feed's schema describes one event, as OpenAPI 3.2's `itemSchema` for
/// `text/event-stream` does and tools read `schema` there (schemathesis checks every
/// event against it): the SSE fields, `event` naming which of the two kinds it is and
/// `data` the JSON of a [`super::status::ChangeEvent`] or [`super::status::ResetEvent`].
fn describe_event_stream(doc: &mut Value) {
    let frame = |event: &str, data: &str, what: &str| {
        json!({
            "type": "object",
            "description": what,
            "required": ["event", "id", "data"],
            "properties": {
                "event": { "type": "string", "const": event },
                "id": { "type": "string", "description": "The content version served after this event; send it back as `Last-Event-ID`." },
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": { "$ref": format!("#/components/schemas/{data}") }
                },
                "retry": { "type": "integer", "minimum": 0 }
            }
        })
    };
    let feed = json!({
        "description": "One event of the change feed (`text/event-stream`), as its fields.",
        "oneOf": [
            frame("change", "ChangeEvent", "A version was published."),
            frame("reset", "ResetEvent", "The missed events cannot be told: refetch what you mirror."),
        ]
    });
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert(String::from("FeedEvent"), feed);
    }
    if let Some(media) =
        doc.pointer_mut("/paths/~1v1~1events/get/responses/200/content/text~1event-stream")
    {
        media["schema"] = json!({ "$ref": "#/components/schemas/FeedEvent" });
    }
}

/// Replaces every inline copy of a named schema with a `$ref` to it.
fn share_named_schemas(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    // Objects only: an inline `{"type": "string"}` is not a copy of anything.
    let named: Vec<(String, Value)> = schemas
        .into_iter()
        .filter(|(_, schema)| schema.get("properties").is_some() || schema.get("enum").is_some())
        .collect();
    if let Some(components) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (_, schema) in components.iter_mut() {
            // The definition itself stays; its parts may be copies of others.
            if let Some(children) = schema.as_object_mut() {
                for child in children.values_mut() {
                    replace_copies(child, &named);
                }
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        replace_copies(paths, &named);
    }
}

fn replace_copies(value: &mut Value, named: &[(String, Value)]) {
    if let Some((name, _)) = named.iter().find(|(_, schema)| schema == value) {
        *value = json!({ "$ref": format!("#/components/schemas/{name}") });
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| replace_copies(v, named)),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_copies(v, named)),
        _ => {}
    }
}
