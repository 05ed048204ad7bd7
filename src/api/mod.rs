//! The HTTP layer: actix-web handlers over the published [`Snapshot`](crate::snapshot::Snapshot).
//!
//! Each request calls [`Store::current`] once and answers from that snapshot only, so a
//! reload in the middle of a request cannot mix two content versions. One file per
//! resource; [`app`] assembles them with the middleware, and is what both `serve` and
//! the integration tests run.

pub mod admin;
pub mod conn;
pub mod dto;
pub mod error;
pub mod etag;
pub mod guides;
pub mod health;
pub mod http;
pub mod metrics;
pub mod negotiate;
pub mod openapi;
pub mod page;
pub mod pagination;
pub mod panics;
pub mod pool;
pub mod question_groups;
pub mod ratelimit;
pub mod roadmaps;
pub mod search;
pub mod server;
pub mod status;
pub mod topics;
pub mod videos;

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, Logger, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, web};
use utoipa_swagger_ui::SwaggerUi;

use crate::reload::ReloadState;
use crate::snapshot::Store;
use error::ApiError;

/// What every handler can reach. New shared state (reload status, event channels) goes
/// here as new fields.
pub struct AppState {
    pub store: Arc<Store>,
    /// "Also in" lookups for the catalog being served, rebuilt after a reload.
    pub titles: topics::TitleIndexCache,
    /// Reload status and change feed; a server without a watcher has an idle one.
    pub reload: Arc<ReloadState>,
    /// Request metrics and `/metrics`; shared by every worker's app.
    pub metrics: metrics::Metrics,
    /// Where search, suggest and look-up run: off the HTTP workers, bounded.
    pub pool: Arc<pool::WorkPool>,
    /// The admin endpoint's token; `None` turns the endpoint off.
    pub admin: Option<admin::AdminToken>,
}

impl AppState {
    pub fn new(store: Arc<Store>) -> Result<AppState, metrics::MetricsError> {
        AppState::with_reload(store, Arc::new(ReloadState::default()))
    }

    /// The state of a server whose content is followed by a [`crate::watch`] reloader.
    pub fn with_reload(
        store: Arc<Store>,
        reload: Arc<ReloadState>,
    ) -> Result<AppState, metrics::MetricsError> {
        let metrics = metrics::Metrics::new(Arc::clone(&store), Arc::clone(&reload))?;
        Ok(AppState {
            metrics,
            store,
            titles: topics::TitleIndexCache::default(),
            reload,
            pool: pool::WorkPool::from_env(),
            admin: None,
        })
    }
}

/// The item whose `key` is `id`, or the 404 naming what was looked for. Lists are small
/// (tens to hundreds of items), so a scan is cheaper than keeping maps per snapshot.
pub fn find_by<'a, T>(
    items: &'a [T],
    kind: &'static str,
    id: &str,
    key: impl Fn(&T) -> &str,
) -> Result<&'a T, ApiError> {
    items
        .iter()
        .find(|item| key(item) == id)
        .ok_or_else(|| ApiError::not_found(kind, id))
}

/// Routes, shared data and extractor settings of the API, without middleware: usable with
/// `App::configure` wherever an app is assembled.
pub fn app_config(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(state)
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            // Search first: a search box sends a request per keystroke, and the router
            // tries routes in order (each of the thirty routes with a parameter before
            // it was a regex match per request). The paths are disjoint, so the order
            // changes no answer.
            .configure(search::configure)
            .configure(roadmaps::roadmap_endpoints::configure)
            .configure(roadmaps::best_practice_endpoints::configure)
            .configure(guides::configure)
            .configure(videos::configure)
            .configure(question_groups::configure)
            .configure(health::configure)
            .configure(status::configure)
            .configure(admin::configure)
            .route("/metrics", web::get().to(metrics::scrape))
            .configure(page::configure)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi::openapi()))
            .route("/docs", web::get().to(docs_redirect))
            .default_service(web::to(no_route));
    }
}

/// The whole application: [`app_config`] behind CORS, compression, request logging and
/// the problem `instance` filler.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .configure(app_config(state))
        .wrap(from_fn(panics::catch))
        .wrap_fn(|req, srv| {
            let call = srv.call(req);
            async move { call.await.map(problem_instance) }
        })
        .wrap(from_fn(http::acceptable))
        .wrap(Compress::default())
        // Outside compression: each encoding of a response is its own representation,
        // with its own tag.
        .wrap(from_fn(etag::etag))
        .wrap(from_fn(ratelimit::limit))
        .wrap(from_fn(metrics::record))
        .wrap(cors())
        .wrap(from_fn(http::conform))
        .wrap(Logger::new(r#"%{r}a "%r" %s %b %Dms"#))
}

/// Reads are public: any origin may call the API from a browser (a site's search box).
fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .allowed_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_any_header()
        .expose_any_header()
        .max_age(3600)
}

/// Fills the problem's `instance` with the request target. `ResponseError` renders
/// without the request, so this is the one place that sees both.
fn problem_instance<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> ServiceResponse<actix_web::body::BoxBody> {
    let problem = res
        .response()
        .error()
        .and_then(|error| error.as_error::<ApiError>())
        .map(|error| {
            let target = res
                .request()
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned());
            error.render(target)
        });
    match problem {
        Some(response) => res.into_response(response),
        None => res.map_into_boxed_body(),
    }
}

/// Best guess at the parameter an extractor error is about: serde names it in backticks
/// (``duplicate field `limit` ``).
fn named_parameter(message: &str, fallback: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|name| !name.is_empty())
        .unwrap_or(fallback)
        .to_owned()
}

fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    ApiError::invalid(named_parameter(&message, "query"), message).into()
}

fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    ApiError::invalid(named_parameter(&message, "path"), message).into()
}

/// Anything no route took. Every resource is read-only, so for any path: `OPTIONS`
/// lists the methods (a CORS preflight never gets here, the CORS layer answers it),
/// other methods than GET (HEAD arrives here as GET) are a 405, and a GET is a 404.
async fn no_route(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if req.method() == Method::OPTIONS {
        return Ok(HttpResponse::NoContent()
            .insert_header((header::ALLOW, error::ALLOW))
            .finish());
    }
    if req.method() != Method::GET {
        return Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow: error::ALLOW,
        });
    }
    Err(ApiError::NoRoute)
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}
