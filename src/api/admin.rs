//! `POST /v1/admin/reload`: a deployment that runs `--no-watch` (content synced by a job,
//! a network file system without events) tells the server when to read the folder again,
//! typically from the webhook of its content repository.
//!
//! The endpoint exists only when an admin token is configured: without one it is a 404
//! like any unknown path, so a server that never set a token offers nothing to guess at.
//! A wrong or missing token is a 401 with `WWW-Authenticate`, logged with the client's
//! address. The token is kept as a BLAKE3 hash, whose comparison takes constant time, so
//! the time of a refusal says nothing about how much of a guess was right.

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::AppState;
use super::error::{ApiError, Problem};

/// The path of the endpoint; the only one of the API that is not read-only.
pub const PATH: &str = "/v1/admin/reload";

/// Methods the admin path answers.
pub const ALLOW: &str = "POST, OPTIONS";

/// A configured admin token, as its hash: the token itself is not kept in memory longer
/// than parsing takes, and never printed.
#[derive(Clone)]
pub struct AdminToken(blake3::Hash);

impl AdminToken {
    pub fn new(secret: &str) -> AdminToken {
        AdminToken(blake3::hash(secret.as_bytes()))
    }

    /// Constant-time: `blake3::Hash`'s equality does not stop at the first difference.
    fn accepts(&self, presented: &str) -> bool {
        self.0 == blake3::hash(presented.as_bytes())
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<hidden>)")
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::post().to(reload))
            .default_service(web::to(other_method)),
    );
}

#[derive(OpenApi)]
#[openapi(paths(reload), components(schemas(ReloadAccepted)))]
pub struct AdminApi;

/// The answer to an accepted reload request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReloadAccepted {
    /// Always `accepted`: the reload runs after the answer.
    #[schema(example = "accepted")]
    pub status: String,
    /// The content version served when the request arrived. The reload has happened
    /// when `/v1/status` shows another `reload.reloads` count than `reloads` here (the
    /// version changes only if the content did).
    #[schema(example = "9f2c41d07a3b6e15")]
    pub version: String,
    /// Reloads published so far (the start-up load included).
    #[schema(example = 1)]
    pub reloads: u64,
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is
/// case-insensitive, RFC 9110 section 11.1).
fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[utoipa::path(
    post,
    path = "/v1/admin/reload",
    tag = "admin",
    operation_id = "adminReload",
    summary = "Reload the content now",
    description = "Asks the server to read the whole content folder again and publish what changed (for deployments that run `--no-watch` and reload from a webhook). Answers at once; follow `/v1/status` or `/v1/events` for the result. Exists only when the server has an admin token (`--admin-token`): otherwise a 404. Needs `Authorization: Bearer <token>`.",
    security(("adminToken" = [])),
    responses(
        (status = 202, description = "The reload is requested; it runs after this answer.", body = ReloadAccepted,
            headers(("Location" = String, description = "`/v1/status`, where the reload's outcome shows."))),
        (status = 401, description = "The bearer token is missing or wrong (the attempt is logged).", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"roadmap-api\"`"))),
        (status = 404, description = "No admin token is configured: the endpoint does not exist.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Nothing reloads this server's content.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reload(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = &state.admin else {
        return Err(ApiError::NoRoute);
    };
    let presented = bearer(&req);
    if !presented.is_some_and(|p| token.accepts(p)) {
        tracing::warn!(
            client = %req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default(),
            token_presented = presented.is_some(),
            "admin reload refused: missing or wrong bearer token"
        );
        return Err(ApiError::Unauthorized);
    }
    let reloads = state.reload.status.load().reloads;
    if !state.reload.request_reload() {
        return Err(ApiError::NotReady(String::from(
            "nothing reloads this server's content (it serves a fixed snapshot)",
        )));
    }
    let version = state.store.current().version.clone();
    tracing::info!(
        client = %req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default(),
        "admin reload requested"
    );
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, "/v1/status"))
        .json(ReloadAccepted {
            status: String::from("accepted"),
            version,
            reloads,
        }))
}

/// Any other method on the admin path: a 404 while the endpoint is off, else `OPTIONS`
/// lists the methods and the rest are a 405 naming them.
async fn other_method(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if state.admin.is_none() {
        return Err(ApiError::NoRoute);
    }
    if req.method() == Method::OPTIONS {
        return Ok(HttpResponse::NoContent()
            .insert_header((header::ALLOW, ALLOW))
            .finish());
    }
    Err(ApiError::MethodNotAllowed {
        method: req.method().to_string(),
        allow: ALLOW,
    })
}
