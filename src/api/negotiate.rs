//! Content negotiation for documents (topics, guides, look-ups): JSON by default,
//! the markdown itself for `Accept: text/markdown` (editor hovers, static-site
//! builds) and plain text for `Accept: text/plain` (terminals, language-model tools),
//! with `Last-Modified` from the source file's time.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::content::markdown::plain_text;

/// Whether the `Accept` header lists `mime` (ignoring parameters and q-values: a
/// client that names a text type wants it).
pub fn wants(req: &HttpRequest, mime: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| part.trim().split(';').next().unwrap_or("").trim() == mime)
}

/// What a document can be answered as.
pub const DOCUMENT_TYPES: &[&str] = &["application/json", "text/markdown", "text/plain"];

/// A document as JSON, markdown or plain text, as the request asks.
pub fn document<T: Serialize>(
    req: &HttpRequest,
    json: &T,
    title: &str,
    markdown: &str,
    modified: Option<u64>,
) -> HttpResponse {
    let mut response = if wants(req, "text/markdown") {
        let mut r = HttpResponse::Ok();
        r.content_type("text/markdown; charset=utf-8");
        r.body(format!("# {title}\n\n{}\n", markdown.trim()))
    } else if wants(req, "text/plain") {
        let mut r = HttpResponse::Ok();
        r.content_type("text/plain; charset=utf-8");
        r.body(format!("{title}\n\n{}\n", plain_text(markdown).trim()))
    } else {
        HttpResponse::Ok().json(json)
    };
    if let Some(secs) = modified {
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        if let Ok(value) = header::HeaderValue::from_str(&httpdate::fmt_http_date(time)) {
            response.headers_mut().insert(header::LAST_MODIFIED, value);
        }
    }
    response
        .extensions_mut()
        .insert(super::http::Representations(DOCUMENT_TYPES));
    response
}
