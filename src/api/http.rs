//! HTTP conformance around the handlers: request limits, `406 Not Acceptable`, and a
//! problem document for every error, whoever produced it.
//!
//! Handlers fail with [`ApiError`], which renders a problem document itself. Other
//! layers answer errors of their own: the CORS middleware (a denied preflight), the
//! Swagger UI service (`/docs/..`), extractors, the framework. [`conform`] wraps them
//! all and turns any error response that is not yet `application/problem+json` into
//! one with the same status and headers, so clients parse one shape for every error.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use super::error::{ALLOW, ApiError, PROBLEM_JSON};

/// Longest request target (path and query) answered; longer ones get a 414. The longest
/// query the parameters allow (2,000 characters of `q`, percent-encoded UTF-8, and the
/// highlight texts, about 27 KiB) stays under it, and so does the `http` crate's own
/// limit on a URI (64 KiB less two bytes), past which the parser could only say 400.
pub const MAX_URI_BYTES: usize = 32 * 1024;
/// Most header bytes (names, values and separators) answered; more get a 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Most header fields answered; more get a 431.
pub const MAX_HEADER_COUNT: usize = 64;
/// Largest request body announced; larger ones get a 413. The API reads no bodies.
pub const MAX_BODY_BYTES: u64 = 64 * 1024;
/// Longest `instance` echoed in a problem: a 414's target is not sent back whole.
const MAX_INSTANCE_BYTES: usize = 1024;

/// The representations a handler can produce for a resource, when there are several
/// (JSON, markdown, plain text). Put in the response's extensions so that a 406 can
/// list them.
#[derive(Debug, Clone, Copy)]
pub struct Representations(pub &'static [&'static str]);

/// Marks an error response whose body is meant to be kept as it is: the search page's
/// view of something that does not exist is a 404 that is still the page (it explains
/// and lets the reader search), not a problem document.
#[derive(Debug, Clone, Copy)]
pub struct KeepErrorBody;

/// The request target as a problem's `instance`, unless it is too long to echo.
fn instance(req: &ServiceRequest) -> Option<String> {
    req.uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .filter(|target| target.len() <= MAX_INSTANCE_BYTES)
        .map(str::to_owned)
}

/// The limit a request exceeds, as the error to answer, before any routing.
fn over_limit(req: &ServiceRequest) -> Option<ApiError> {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return Some(ApiError::Http {
            status: StatusCode::URI_TOO_LONG,
            detail: format!(
                "the request target is {target} bytes long; at most {MAX_URI_BYTES} are accepted"
            ),
        });
    }
    let headers = req.headers();
    let count = headers.len();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if count > MAX_HEADER_COUNT || bytes > MAX_HEADER_BYTES {
        return Some(ApiError::Http {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            detail: format!(
                "the request has {count} header fields, {bytes} bytes; at most {MAX_HEADER_COUNT} fields and {MAX_HEADER_BYTES} bytes are accepted"
            ),
        });
    }
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(length) = length.filter(|&length| length > MAX_BODY_BYTES) {
        return Some(ApiError::Http {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: format!(
                "the request body is {length} bytes; at most {MAX_BODY_BYTES} are accepted (this API reads no bodies)"
            ),
        });
    }
    None
}

/// Headers of an error response that still apply to its problem document (the body's
/// own headers do not).
fn kept(name: &HeaderName) -> bool {
    *name != header::CONTENT_TYPE
        && *name != header::CONTENT_LENGTH
        && *name != header::CONTENT_ENCODING
        && *name != header::TRANSFER_ENCODING
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// The problem document standing in for an error response of another layer.
fn problem_for(
    status: StatusCode,
    detail: Option<String>,
    headers: &HeaderMap,
    instance: Option<String>,
) -> HttpResponse {
    let detail = detail
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| match status {
            StatusCode::NOT_FOUND => String::from("no resource at this path"),
            _ => status
                .canonical_reason()
                .unwrap_or("the request failed")
                .to_owned(),
        });
    let error = if status == StatusCode::NOT_FOUND {
        ApiError::NoRoute
    } else {
        ApiError::Http { status, detail }
    };
    let mut response = error.render(instance);
    for (name, value) in headers.iter().filter(|(name, _)| kept(name)) {
        if !response.headers().contains_key(name) {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    }
    response
}

/// The outermost layer: request limits first, then every error answered below it
/// becomes a problem document.
pub async fn conform(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let instance = instance(&req);
    if let Some(error) = over_limit(&req) {
        tracing::debug!(%error, "request over a limit");
        return Ok(req.into_response(error.render(instance)));
    }
    // An `Err` from a layer below (none of ours returns one; handler errors arrive as
    // responses) goes on to the framework, which renders it with its own
    // `error_response`: a problem for an `ApiError`.
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || is_problem(res.headers())
        || res.response().extensions().contains::<KeepErrorBody>()
    {
        return Ok(res.map_into_boxed_body());
    }
    let detail = res.response().error().map(ToString::to_string);
    let response = problem_for(status, detail, res.headers(), instance);
    let (request, _) = res.into_parts();
    Ok(ServiceResponse::new(request, response))
}

/// One media range of an `Accept` header: `type/subtype` (either may be `*`) and its
/// quality.
fn media_ranges(accept: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    accept.split(',').filter_map(|part| {
        let mut pieces = part.split(';');
        let range = pieces.next()?.trim().to_ascii_lowercase();
        if range.is_empty() {
            return None;
        }
        let q = pieces
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, v)| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        Some((range, q))
    })
}

/// Whether an `Accept` header value allows `media_type` (`type/subtype`, no parameters).
pub fn accepts(accept: &str, media_type: &str) -> bool {
    let media_type = media_type.to_ascii_lowercase();
    let (kind, _) = media_type.split_once('/').unwrap_or((&media_type, ""));
    let mut any_range = false;
    let mut best: Option<(u8, f32)> = None;
    for (range, q) in media_ranges(accept) {
        any_range = true;
        let specificity = if range == media_type {
            3
        } else if range.strip_suffix("/*") == Some(kind) {
            2
        } else if range == "*/*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    // An empty header names nothing; read it as no preference.
    !any_range || best.is_some_and(|(_, q)| q > 0.0)
}

/// A successful response whose media type the `Accept` header excludes becomes a 406
/// naming what is available. Inside the compression and ETag layers, so that the 406 is
/// what they see.
pub async fn acceptable(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let accept = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let instance = instance(&req);
    let res = next.call(req).await?;
    if accept.trim().is_empty() || !res.status().is_success() {
        return Ok(res.map_into_boxed_body());
    }
    let Some(media_type) = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
    else {
        return Ok(res.map_into_boxed_body());
    };
    if accepts(&accept, &media_type) {
        return Ok(res.map_into_boxed_body());
    }
    let available = res
        .response()
        .extensions()
        .get::<Representations>()
        .map(|r| r.0.join(", "))
        .unwrap_or(media_type);
    let error = ApiError::NotAcceptable {
        accept: accept.chars().take(200).collect(),
        available,
    };
    let (request, _) = res.into_parts();
    Ok(ServiceResponse::new(request, error.render(instance)))
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_ranges_and_quality() {
        assert!(accepts("application/json", "application/json"));
        assert!(accepts("*/*", "text/markdown"));
        assert!(accepts("text/*", "text/plain"));
        assert!(accepts("", "application/json"));
        assert!(accepts(
            "text/html, application/json;q=0.5",
            "application/json"
        ));
        assert!(!accepts("text/html", "application/json"));
        assert!(!accepts("application/json;q=0", "application/json"));
        // The most specific range decides: JSON excluded even though */* is allowed.
        assert!(!accepts("*/*, application/json;q=0", "application/json"));
        assert!(accepts("APPLICATION/JSON", "application/json"));
    }
}
