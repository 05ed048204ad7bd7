//! Prometheus metrics at `/metrics`: per-endpoint request counts and latency
//! histograms, and gauges of what is served, read from the current snapshot at scrape
//! time so they can never disagree with `/v1/status`.
//!
//! Every label value comes from a fixed set, so no request can create new series: the
//! method is one of the standard ones or `other` (a client may send any token as a
//! method, and each new label value is a new series kept for the life of the process),
//! the endpoint is a route pattern or `other` (ids and unmatched paths never become
//! label values), and the status is its class (`2xx` … `5xx`).

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use super::AppState;
use crate::reload::ReloadState;
use crate::snapshot::Store;

/// Snapshot and reload figures as gauges.
struct ContentCollector {
    store: Arc<Store>,
    reload: Arc<ReloadState>,
    documents: IntGauge,
    topics: IntGauge,
    diagnostics: IntGauge,
    reloads: IntGauge,
    failures: IntGauge,
    reload_ms: IntGauge,
    published: IntGauge,
}

fn gauge(name: &str, help: &str) -> Option<IntGauge> {
    IntGauge::with_opts(Opts::new(name, help).namespace("roadmap_api")).ok()
}

impl ContentCollector {
    fn new(store: Arc<Store>, reload: Arc<ReloadState>) -> Option<ContentCollector> {
        Some(ContentCollector {
            store,
            reload,
            documents: gauge(
                "search_documents",
                "Documents in the published search index",
            )?,
            topics: gauge("topics", "Topics served (roadmaps and best practices)")?,
            diagnostics: gauge("diagnostics", "Problems found in the content files")?,
            reloads: gauge("reloads_total", "Reloads that published a snapshot")?,
            failures: gauge(
                "reload_failures_total",
                "Reloads that kept the previous snapshot",
            )?,
            reload_ms: gauge("last_reload_milliseconds", "Duration of the last reload")?,
            published: gauge(
                "published_timestamp_seconds",
                "When the served snapshot was published",
            )?,
        })
    }

    fn gauges(&self) -> [&IntGauge; 7] {
        [
            &self.documents,
            &self.topics,
            &self.diagnostics,
            &self.reloads,
            &self.failures,
            &self.reload_ms,
            &self.published,
        ]
    }
}

impl Collector for ContentCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.gauges().into_iter().flat_map(|g| g.desc()).collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let snapshot = self.store.current();
        let catalog = &snapshot.catalog;
        let status = self.reload.status.load();
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.documents.set(as_i64(snapshot.search.stats.documents));
        self.topics.set(as_i64(
            catalog
                .roadmaps
                .iter()
                .chain(&catalog.best_practices)
                .map(|r| r.topics.len())
                .sum(),
        ));
        self.diagnostics.set(as_i64(catalog.diagnostics.len()));
        self.reloads
            .set(i64::try_from(status.reloads).unwrap_or(i64::MAX));
        self.failures
            .set(i64::try_from(status.failures).unwrap_or(i64::MAX));
        self.reload_ms
            .set(status.last_reload_ms.unwrap_or(0.0).round() as i64);
        self.published.set(
            snapshot
                .published_at
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        );
        self.gauges()
            .into_iter()
            .flat_map(|g| g.collect())
            .collect()
    }
}

/// Why the metrics could not be set up: the Prometheus registry rejected a metric
/// definition (they are fixed in code, so this is a programming error).
#[derive(Debug, thiserror::Error)]
#[error("metrics could not be set up: {0}")]
pub struct MetricsError(String);

/// Request counters and the registry `/metrics` renders; cheap to clone (shared by
/// every worker).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
}

const LABELS: [&str; 3] = ["endpoint", "method", "status"];

impl Metrics {
    /// Registers the request metrics and the content gauges.
    pub fn new(store: Arc<Store>, reload: Arc<ReloadState>) -> Result<Metrics, MetricsError> {
        let error = |e: prometheus::Error| MetricsError(e.to_string());
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered").namespace("roadmap_api"),
            &LABELS,
        )
        .map_err(error)?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_requests_duration_seconds",
                "Time to produce the response head",
            )
            .namespace("roadmap_api"),
            &LABELS,
        )
        .map_err(error)?;
        registry
            .register(Box::new(requests.clone()))
            .map_err(error)?;
        registry
            .register(Box::new(duration.clone()))
            .map_err(error)?;
        let collector = ContentCollector::new(store, reload)
            .ok_or_else(|| MetricsError("invalid content gauge".into()))?;
        registry.register(Box::new(collector)).map_err(error)?;
        Ok(Metrics {
            registry,
            requests,
            duration,
        })
    }

    fn observe(&self, endpoint: &str, method: &Method, status: StatusCode, started: Instant) {
        let labels = [endpoint, method_label(method), status_label(status)];
        self.requests.with_label_values(&labels).inc();
        self.duration
            .with_label_values(&labels)
            .observe(started.elapsed().as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Result<String, MetricsError> {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|e| MetricsError(e.to_string()))?;
        String::from_utf8(out).map_err(|e| MetricsError(e.to_string()))
    }
}

/// A standard method names itself; any other token is `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

fn status_label(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Counts and times every request that reaches the application. The endpoint is the
/// route pattern the router matched (known only once the request went through it);
/// anything the default service answered is `other`.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let method = req.method().clone();
    let started = Instant::now();
    let result = next.call(req).await;
    if let Some(metrics) = metrics {
        match &result {
            Ok(res) => {
                let endpoint = res.request().match_pattern();
                let endpoint = endpoint.as_deref().unwrap_or("other");
                metrics.observe(endpoint, &method, res.status(), started);
            }
            Err(error) => {
                let status = error.as_response_error().status_code();
                metrics.observe("other", &method, status, started);
            }
        }
    }
    result
}

/// `GET /metrics`.
pub async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    match state.metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(error) => {
            tracing::error!(%error, "rendering /metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}
