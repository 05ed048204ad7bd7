//! The one error type of the HTTP layer, rendered as RFC 9457 `application/problem+json`.
//!
//! Every failure a client can cause (unknown id, bad parameter, unknown route, malformed
//! query) goes through [`ApiError`], so clients parse one shape and the OpenAPI document
//! describes one schema. The `instance` member is filled in by [`super::problem_instance`]
//! from the request, because `ResponseError::error_response` does not see the request.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The methods every path but the admin endpoint answers: the API is read-only.
pub const ALLOW: &str = "GET, HEAD, OPTIONS";

/// The problem `type` and `title` of a status, for errors that carry nothing more
/// specific. Clients switch on `type`, so each status the API answers has its own.
pub fn kind_and_title(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("/problems/bad-request", "Bad request"),
        401 => ("/problems/unauthorized", "Unauthorized"),
        403 => ("/problems/forbidden", "Forbidden"),
        404 => ("/problems/not-found", "Not found"),
        405 => ("/problems/method-not-allowed", "Method not allowed"),
        406 => ("/problems/not-acceptable", "Not acceptable"),
        408 => ("/problems/request-timeout", "Request timeout"),
        413 => ("/problems/payload-too-large", "Payload too large"),
        414 => ("/problems/uri-too-long", "URI too long"),
        429 => ("/problems/too-many-requests", "Too many requests"),
        431 => (
            "/problems/headers-too-large",
            "Request header fields too large",
        ),
        503 => ("/problems/unavailable", "Service unavailable"),
        500..=599 => ("/problems/internal", "Internal error"),
        _ => ("about:blank", "Error"),
    }
}

/// A problem detail (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "limit must be an integer from 0 to 100, got `100000`",
    "parameter": "limit",
    "instance": "/v1/roadmaps?limit=100000"
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem; stable, safe to switch on.
    #[serde(rename = "type")]
    #[schema(example = "/problems/not-found")]
    pub kind: String,
    /// Short human-readable summary of the kind of problem.
    #[schema(example = "Not found")]
    pub title: String,
    /// The HTTP status code, repeated for clients that only keep the body.
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong with this request, for people.
    #[schema(example = "no roadmap with id `nope`")]
    pub detail: String,
    /// The query or path parameter at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "limit")]
    pub parameter: Option<String>,
    /// The request target (path and query) this problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/v1/roadmaps/nope")]
    pub instance: Option<String>,
}

/// Everything a handler can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A resource named in the path does not exist in the current snapshot. `within`
    /// names the containing resource (`roadmap `backend``) for nested lookups.
    #[error("no {kind} with id `{id}`{}", within.as_ref().map(|w| format!(" in {w}")).unwrap_or_default())]
    NotFound {
        kind: &'static str,
        id: String,
        within: Option<String>,
    },
    /// No route matches the request path.
    #[error("no resource at this path")]
    NoRoute,
    /// The path does not answer this method; `allow` lists those it does (GET, HEAD
    /// and OPTIONS everywhere but the admin endpoint).
    #[error("method {method} is not allowed here; this path answers {allow}")]
    MethodNotAllowed { method: String, allow: &'static str },
    /// The admin endpoint's bearer token is missing or wrong.
    #[error(
        "this endpoint needs `Authorization: Bearer <admin token>`; the token is missing or wrong"
    )]
    Unauthorized,
    /// A query or path parameter could not be parsed or is out of range.
    #[error("{detail}")]
    InvalidParameter { parameter: String, detail: String },
    /// No content has been published yet.
    #[error("{0}")]
    NotReady(String),
    /// The `Accept` header excludes every representation the resource has.
    #[error(
        "this resource is available as {available}; the Accept header `{accept}` allows none of them"
    )]
    NotAcceptable { accept: String, available: String },
    /// An answer of the HTTP layer itself (framework, middleware, request limits), turned
    /// into a problem document by [`super::http`]: the status decides `type` and `title`.
    #[error("{detail}")]
    Http { status: StatusCode, detail: String },
    /// A fault of ours (an index read failed); the detail is logged, not hidden.
    #[error("internal error: {0}")]
    Internal(String),
    /// The search pool's queue is full, or the request waited too long for it
    /// ([`super::pool`]): try again after `retry_after` seconds.
    #[error("too many searches are running; retry after {retry_after} s")]
    Busy { retry_after: u64 },
    /// This client went past the per-client rate limit ([`super::ratelimit`]).
    #[error("too many requests from this client; retry after {retry_after} s")]
    RateLimited { retry_after: u64 },
}

impl ApiError {
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> ApiError {
        ApiError::NotFound {
            kind,
            id: id.into(),
            within: None,
        }
    }

    /// A 404 for something looked up inside another resource (a topic in a roadmap).
    pub fn not_found_in(
        kind: &'static str,
        id: impl Into<String>,
        within: impl Into<String>,
    ) -> ApiError {
        ApiError::NotFound {
            kind,
            id: id.into(),
            within: Some(within.into()),
        }
    }

    pub fn invalid(parameter: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::InvalidParameter {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::InvalidParameter { .. } => {
                ("/problems/invalid-parameter", "Invalid parameter")
            }
            ApiError::NotReady(_) => ("/problems/not-ready", "Not ready"),
            ApiError::Busy { .. } => ("/problems/busy", "Busy"),
            _ => kind_and_title(self.status_code()),
        }
    }

    /// The problem document for this error; `instance` is the request target when known.
    pub fn problem(&self, instance: Option<String>) -> Problem {
        let (kind, title) = self.kind_and_title();
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            parameter: match self {
                ApiError::InvalidParameter { parameter, .. } => Some(parameter.clone()),
                _ => None,
            },
            instance,
        }
    }

    /// Renders the problem document; shared by `error_response` and the middleware that
    /// adds `instance`.
    pub fn render(&self, instance: Option<String>) -> HttpResponse {
        let body = serde_json::to_string(&self.problem(instance)).unwrap_or_else(|_| {
            // Serializing a struct of strings cannot fail; keep a valid body regardless.
            String::from(r#"{"type":"about:blank","title":"Error"}"#)
        });
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
            }
            ApiError::Http { status, .. } if *status == StatusCode::METHOD_NOT_ALLOWED => {
                response.insert_header((header::ALLOW, HeaderValue::from_static(ALLOW)));
            }
            ApiError::Unauthorized => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"roadmap-api\""),
                ));
            }
            _ => {}
        }
        if let ApiError::Busy { retry_after } | ApiError::RateLimited { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        response.body(body)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotReady(_) | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Http { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None)
    }
}

/// Documents the 400 response of endpoints with parameters.
#[derive(utoipa::ToResponse)]
#[response(
    description = "A parameter is malformed or out of range; `parameter` names it.",
    content_type = "application/problem+json"
)]
pub struct BadRequest(#[allow(dead_code)] Problem);

/// Documents the 404 response of endpoints that look up an id.
#[derive(utoipa::ToResponse)]
#[response(
    description = "Nothing with this id exists in the published content.",
    content_type = "application/problem+json"
)]
pub struct NotFound(#[allow(dead_code)] Problem);

/// Documents the 503 response of the readiness probe.
#[derive(utoipa::ToResponse)]
#[response(
    description = "No content has been published yet.",
    content_type = "application/problem+json"
)]
pub struct Unavailable(#[allow(dead_code)] Problem);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameter_names_the_parameter() {
        let problem = ApiError::invalid("limit", "bad").problem(Some("/v1/x".into()));
        assert_eq!(problem.status, 400);
        assert_eq!(problem.parameter.as_deref(), Some("limit"));
        assert_eq!(problem.instance.as_deref(), Some("/v1/x"));
    }

    #[test]
    fn not_found_says_what_was_missing() {
        let problem = ApiError::not_found("roadmap", "nope").problem(None);
        assert_eq!(problem.status, 404);
        assert_eq!(problem.detail, "no roadmap with id `nope`");
        assert!(problem.parameter.is_none());
        let nested = ApiError::not_found_in("topic", "x/y", "roadmap `backend`").problem(None);
        assert_eq!(nested.detail, "no topic with id `x/y` in roadmap `backend`");
    }
}
