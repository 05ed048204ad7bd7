//! Prometheus metrics at `/metrics`: per-endpoint request counts and latency
//! histograms (actix-web-prom, labelled by route pattern so ids do not explode the
//! label space), and gauges of what is served, read from the current snapshot at
//! scrape time so they can never disagree with `/v1/status`.

use std::sync::Arc;

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntGauge, Opts};

use crate::snapshot::Store;
use crate::watch::ReloadState;

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

/// The metrics middleware (which also answers `/metrics`), with the content gauges
/// registered.
pub fn middleware(
    store: Arc<Store>,
    reload: Arc<ReloadState>,
) -> Result<PrometheusMetrics, MetricsError> {
    let metrics = PrometheusMetricsBuilder::new("roadmap_api")
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNKNOWN")
        .build()
        .map_err(|e| MetricsError(e.to_string()))?;
    let collector = ContentCollector::new(store, reload)
        .ok_or_else(|| MetricsError("invalid content gauge".into()))?;
    metrics
        .registry
        .register(Box::new(collector))
        .map_err(|e| MetricsError(e.to_string()))?;
    Ok(metrics)
}
