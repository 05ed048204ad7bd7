//! The reloader: owns the [`Loader`] and the [`Indexer`], turns a batch of changed
//! paths into a new snapshot, publishes it and announces it on the change feed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::feed::{ChangeEvent, now_ms};
use super::status::{ReloadState, ReloadStatus};
use crate::content::{Catalog, Limits, LoadError, Loader, Severity};
use crate::search::{IndexLocation, Indexer, SearchError};
use crate::snapshot::{Snapshot, Store};

/// Why a reload published nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// What arrived since the last reload.
#[derive(Debug, Default)]
pub struct Batch {
    pub paths: BTreeSet<PathBuf>,
    pub rescan: bool,
}

/// Beyond this many distinct paths in one batch, reading everything is cheaper than
/// tracking them (and memory stays bounded under an event storm).
const MAX_PATHS: usize = 10_000;

impl Batch {
    pub fn add(&mut self, paths: Vec<PathBuf>) {
        if self.rescan {
            return;
        }
        self.paths.extend(paths);
        if self.paths.len() > MAX_PATHS {
            self.paths.clear();
            self.rescan = true;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }
}

/// Turns a content folder into published snapshots.
pub struct Reloader {
    content: PathBuf,
    /// `None` until the content folder exists.
    loader: Option<Loader>,
    limits: Limits,
    indexer: Indexer,
    store: Arc<Store>,
    state: Arc<ReloadState>,
}

fn log_diagnostics(catalog: &Catalog, only: Option<&[String]>) {
    for d in &catalog.diagnostics {
        if d.severity != Severity::Error {
            continue;
        }
        let file = d.file.to_string_lossy();
        if only.is_some_and(|labels| !labels.iter().any(|l| file.starts_with(l.as_str()))) {
            continue;
        }
        tracing::warn!(file = %file, line = d.line, "{}", d.message);
    }
}

impl Reloader {
    /// Loads `content`, opens (or reuses) the index at `location`, and publishes the
    /// first snapshot. A content folder that does not exist yet (a git-sync sidecar
    /// still cloning) publishes an empty snapshot and waits for it.
    pub fn start(
        content: &Path,
        location: &IndexLocation,
        limits: Limits,
    ) -> Result<(Reloader, Arc<Store>, Arc<ReloadState>), ReloadError> {
        let started = Instant::now();
        let mut loader = Loader::new(content, limits);
        let (catalog, waiting) = match loader.load_all() {
            Ok(c) => (c, false),
            Err(LoadError::NotADirectory(_)) => {
                tracing::warn!(content = %content.display(), "the content folder does not exist yet; waiting for it");
                (
                    Catalog {
                        root: content.to_path_buf(),
                        version: "0000000000000000".into(),
                        ..Catalog::default()
                    },
                    true,
                )
            }
            Err(e) => return Err(e.into()),
        };
        // An index folder that cannot be used (read-only, locked by another process
        // sharing the volume) must not keep the content from being served.
        let (indexer, search) = Indexer::open_or_memory(location, &catalog)?;
        let build_ms = started.elapsed().as_millis() as u64;
        let store = Arc::new(Store::new(Snapshot::new(catalog, search, build_ms)));
        let state = Arc::new(ReloadState::default());
        state.status.store(Arc::new(ReloadStatus {
            reloads: u64::from(!waiting),
            last_reload_at: Some(now_ms()),
            last_reload_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
            kept: store.current().catalog.kept.clone(),
            mode: "none".into(),
            waiting_for_content: waiting,
            ..ReloadStatus::default()
        }));
        let reloader = Reloader {
            content: content.to_path_buf(),
            loader: (!waiting).then_some(loader),
            limits,
            indexer,
            store: Arc::clone(&store),
            state: Arc::clone(&state),
        };
        Ok((reloader, store, state))
    }

    pub fn state(&self) -> &Arc<ReloadState> {
        &self.state
    }

    /// Reads the whole folder again and publishes what changed.
    pub fn reload(&mut self) -> Result<Option<Arc<ChangeEvent>>, ReloadError> {
        self.apply(Batch {
            rescan: true,
            ..Batch::default()
        })
    }

    /// Brings the published snapshot up to date with what `batch` names, and returns
    /// the event published (`None` when nothing changed). Never abandoned midway:
    /// what arrives meanwhile is the next batch.
    pub fn apply(&mut self, batch: Batch) -> Result<Option<Arc<ChangeEvent>>, ReloadError> {
        let started = Instant::now();
        let previous = self.store.current();
        let result = self.rebuild(&batch);
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(None) => Ok(None),
            Ok(Some(snapshot)) => {
                let changes = snapshot.search.changes_since(&previous.search);
                let kept = snapshot.catalog.kept.clone();
                if changes.is_empty() && snapshot.version == previous.version {
                    // Nothing new: keep reporting the last reload that changed something.
                    self.state.update(|s| {
                        s.last_reload_at = Some(now_ms());
                        s.last_error = None;
                        s.kept = kept;
                    });
                    return Ok(None);
                }
                let version = snapshot.version.clone();
                // Status first: whoever sees the new version also sees its reload.
                self.state.update(|s| {
                    s.reloads += 1;
                    s.last_reload_at = Some(now_ms());
                    s.last_reload_ms = Some(elapsed);
                    s.last_error = None;
                    s.kept = kept;
                    s.last_changes = changes.clone();
                    s.waiting_for_content = false;
                });
                self.store.publish(snapshot);
                tracing::info!(
                    version = %version,
                    added = changes.added.len(),
                    changed = changes.changed.len(),
                    removed = changes.removed.len(),
                    ms = format!("{elapsed:.1}"),
                    "content reloaded"
                );
                Ok(Some(self.state.feed.publish(
                    &version,
                    &previous.version,
                    changes,
                )))
            }
            Err(e) => {
                tracing::warn!(error = %e, "reload failed; still serving the last snapshot");
                self.state.update(|s| {
                    s.failures += 1;
                    s.last_reload_at = Some(now_ms());
                    s.last_reload_ms = Some(elapsed);
                    s.last_error = Some(e.to_string());
                });
                Err(e)
            }
        }
    }

    /// The next snapshot, or `None` when the batch touches no content.
    fn rebuild(&mut self, batch: &Batch) -> Result<Option<Snapshot>, ReloadError> {
        let started = Instant::now();
        let paths: Vec<PathBuf> = batch.paths.iter().cloned().collect();
        let (catalog, labels) = match &mut self.loader {
            Some(loader) if !batch.rescan => match loader.update(&paths)? {
                Some((catalog, update)) => {
                    let labels: Vec<String> = update.units.iter().map(|u| u.label()).collect();
                    (catalog, (!update.everything).then_some(labels))
                }
                None => return Ok(None),
            },
            Some(loader) => (loader.load_all()?, None),
            None => {
                // The folder appeared (or an admin asked): the first real load.
                let mut loader = Loader::new(&self.content, self.limits);
                let catalog = loader.load_all()?;
                self.loader = Some(loader);
                (catalog, None)
            }
        };
        log_diagnostics(&catalog, labels.as_deref());
        let loaded = started.elapsed();
        let search = self.indexer.update(&catalog)?;
        let build_ms = started.elapsed().as_millis() as u64;
        tracing::debug!(
            load_ms = loaded.as_secs_f64() * 1000.0,
            index_ms = (started.elapsed() - loaded).as_secs_f64() * 1000.0,
            "rebuilt"
        );
        Ok(Some(Snapshot::new(catalog, search, build_ms)))
    }
}
