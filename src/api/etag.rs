//! `ETag` / `If-None-Match` for every successful GET, and HEAD.
//!
//! The tag is a hash of the response body as sent (after compression), so each
//! representation (JSON, markdown, each content encoding) has its own strong tag, and it
//! is derived from exactly what the response returns: a topic's tag changes when that topic (or its place in the tree,
//! or its "also in" list) changes and at no other reload. Responses are small JSON
//! documents, so buffering them to hash costs little; the event stream and the docs
//! assets are passed through untouched.
//!
//! Search and suggest answers carry the server time they took, so no two bodies are
//! alike and a hash of the body never validated anything. They are a function of the
//! content version and the request, so their handlers tag them weakly with a hash of
//! those ([`RequestTag`]) and answer a matching `If-None-Match` with 304 before
//! searching; the middleware leaves a tag already set alone.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

/// A weak tag of a response determined by the content version and the request (its
/// path, query and the headers that choose its representation) and this build.
pub struct RequestTag {
    /// The quoted opaque tag, as [`matches`] compares it.
    opaque: String,
}

impl RequestTag {
    pub fn new(req: &actix_web::HttpRequest, version: &str) -> RequestTag {
        let mut hasher = blake3::Hasher::new();
        let value_of = |name| {
            req.headers()
                .get(name)
                .map_or(&b""[..], HeaderValue::as_bytes)
        };
        for part in [
            env!("CARGO_PKG_VERSION").as_bytes(),
            version.as_bytes(),
            req.path().as_bytes(),
            req.query_string().as_bytes(),
            value_of(header::ACCEPT),
            value_of(header::ACCEPT_ENCODING),
        ] {
            // Length-prefixed: no two different lists of parts hash alike.
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        RequestTag {
            opaque: format!("\"{}\"", &hasher.finalize().to_hex()[..24]),
        }
    }

    fn value(&self) -> HeaderValue {
        HeaderValue::from_str(&format!("W/{}", self.opaque))
            .unwrap_or(HeaderValue::from_static("W/\"0\""))
    }

    /// A 304 when the request's `If-None-Match` names this tag.
    pub fn not_modified(&self, req: &actix_web::HttpRequest) -> Option<HttpResponse> {
        let if_none_match = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
        if !matches(if_none_match, &self.opaque) {
            return None;
        }
        let mut response = HttpResponse::NotModified()
            .insert_header((header::ETAG, self.value()))
            .finish();
        vary(response.headers_mut());
        Some(response)
    }

    /// Sets the tag on a response.
    pub fn set(&self, response: &mut HttpResponse) {
        response.headers_mut().insert(header::ETAG, self.value());
    }
}

fn matches(if_none_match: &str, tag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == tag)
}

pub async fn etag(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // HEAD is GET without the body: caches and link checkers use it to read validators
    // (`ETag`, `Last-Modified`) and the length cheaply. The handlers answer it as a GET;
    // the HTTP/1 encoder knows the request was a HEAD, keeps the GET's `Content-Length`
    // and sends no body.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    etag_get(req, next).await
}

/// Adds `Accept` and `Accept-Encoding` to `Vary`, keeping what other layers put there
/// (`Origin` from CORS): responses differ by both request headers.
fn vary(headers: &mut header::HeaderMap) {
    let mut names: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    for wanted in ["Accept", "Accept-Encoding"] {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(wanted)) {
            names.push(wanted.to_owned());
        }
    }
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::VARY, value);
    }
}

async fn etag_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let cacheable = req.method() == Method::GET
        && !req.path().starts_with("/docs")
        && req.path() != "/v1/events";
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut res = next.call(req).await?;
    if !cacheable || res.status() != StatusCode::OK {
        return Ok(res.map_into_boxed_body());
    }
    // Tagged by its handler ([`RequestTag`]).
    if res.headers().contains_key(header::ETAG) {
        vary(res.headers_mut());
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = {
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body();
        let mut builder = HttpResponse::build(status);
        for (name, value) in headers.iter() {
            builder.append_header((name.clone(), value.clone()));
        }
        (builder, body)
    };
    let bytes = match actix_web::body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Ok(ServiceResponse::new(
                req,
                HttpResponse::InternalServerError().finish(),
            ));
        }
    };
    let tag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..24]);
    let tag_value = HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"0\""));
    if if_none_match.is_some_and(|v| matches(&v, &tag)) {
        let mut not_modified = HttpResponse::NotModified();
        not_modified.insert_header((header::ETAG, tag_value));
        let mut response = not_modified.finish();
        vary(response.headers_mut());
        return Ok(ServiceResponse::new(req, response));
    }
    head.insert_header((header::ETAG, tag_value));
    let mut response = head.body(bytes);
    vary(response.headers_mut());
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(matches("\"a\", \"b\"", "\"b\""));
        assert!(matches("W/\"b\"", "\"b\""));
        assert!(matches("*", "\"b\""));
        assert!(!matches("\"a\"", "\"b\""));
    }
}
