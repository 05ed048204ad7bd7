//! The reloader: owns the [`Loader`] and the [`Indexer`], turns a batch of changed
//! paths into a new snapshot, publishes it and announces it on the change feed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// The next step of the check of restored content ([`Loader::verify_step`]).
    pub verify: bool,
}

/// Time spent deriving units per step of the check of restored content: with the
/// publication that follows, about the longest an edit waits for the check.
const VERIFY_STEP: Duration = Duration::from_millis(20);

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
    /// Where the loader's state is saved for the next start (in the index folder);
    /// `None` with the index in memory.
    saved: Option<PathBuf>,
    /// Published something the saved state does not have.
    unsaved: bool,
    /// Started from the saved state: derive everything once in the background, in
    /// steps of [`VERIFY_STEP`]; when the check began.
    verify: bool,
    verifying: Option<Instant>,
    /// Freed memory the allocator may still hold: returned in the next quiet moment.
    unreleased: bool,
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
        let saved = location.saved_content();
        let (catalog, restored, waiting) = match loader.load_first(saved.as_deref()) {
            Ok((c, restored)) => (c, restored, false),
            Err(LoadError::NotADirectory(_)) => {
                tracing::warn!(content = %content.display(), "the content folder does not exist yet; waiting for it");
                (
                    Catalog {
                        root: content.to_path_buf(),
                        version: "0000000000000000".into(),
                        ..Catalog::default()
                    },
                    None,
                    true,
                )
            }
            Err(e) => return Err(e.into()),
        };
        // An index folder that cannot be used (read-only, locked by another process
        // sharing the volume) must not keep the content from being served.
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        let (indexer, search) = Indexer::open_or_memory(location, &catalog)?;
        let build_ms = started.elapsed().as_millis() as u64;
        tracing::info!(
            load_ms = format!("{load_ms:.0}"),
            index_ms = format!("{:.0}", started.elapsed().as_secs_f64() * 1000.0 - load_ms),
            restored_units = restored.unwrap_or(0),
            "content loaded and indexed"
        );
        let saved = saved.filter(|_| !search.stats.memory_fallback);
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
        let loader_units = loader.unit_count();
        let reloader = Reloader {
            content: content.to_path_buf(),
            loader: (!waiting).then_some(loader),
            limits,
            indexer,
            store: Arc::clone(&store),
            state: Arc::clone(&state),
            // Whatever was derived rather than restored is worth saving.
            unsaved: restored.is_some_and(|n| n < loader_units),
            verify: restored.is_some_and(|n| n > 0),
            verifying: None,
            unreleased: false,
            saved,
        };
        Ok((reloader, store, state))
    }

    pub fn state(&self) -> &Arc<ReloadState> {
        &self.state
    }

    /// Whether the content was restored from the saved state and not yet derived
    /// from its files.
    pub fn unverified(&self) -> bool {
        self.verify
    }

    /// Whether that check has begun (its next step is due at once).
    pub fn verifying(&self) -> bool {
        self.verify && self.verifying.is_some()
    }

    /// Work for a quiet moment of the reload thread: after a start from the saved
    /// state, derive everything once (which fills the memo later reloads rely on, and
    /// publishes whatever the saved state got wrong); otherwise return the memory
    /// publications freed, or save what was published since the last save. Edits
    /// that arrive first are applied first: a restored unit's first edit re-reads
    /// that unit's files, nothing more.
    pub fn idle(&mut self) {
        if self.indexer.merging() {
            self.publish_merged();
            return;
        }
        if self.verify {
            let started = *self.verifying.get_or_insert_with(Instant::now);
            let step = Batch {
                verify: true,
                ..Batch::default()
            };
            // Each step publishes silently what it derived (sharing its text with the
            // memo); the version changes only where the saved state was wrong.
            let result = self.apply_to(step, true);
            if self.verify && result.is_ok() {
                return;
            }
            self.verify = false;
            self.verifying = None;
            tracing::info!(
                ms = format!("{:.0}", started.elapsed().as_secs_f64() * 1000.0),
                failed = result.is_err(),
                "checked the restored content against its files"
            );
            self.unreleased = false;
            crate::memory::release_free_memory();
            return;
        }
        if std::mem::take(&mut self.unreleased) {
            crate::memory::release_free_memory();
            return;
        }
        self.save();
    }

    /// Whether memory freed by a publication (or a save) waits to be returned to the
    /// system: the reload thread's next quiet moment does it.
    pub fn unreleased(&self) -> bool {
        self.unreleased
    }

    /// Whether a large update's segments are being merged: the reload thread's
    /// first quiet moment publishes the merged index.
    pub fn merging(&self) -> bool {
        self.indexer.merging()
    }

    /// Replaces the served index, silently, by the same documents from the merged
    /// segment (same catalog, same version: nothing changed for a client).
    fn publish_merged(&mut self) {
        let current = self.store.current();
        match self
            .indexer
            .finish_merge(&current.catalog, current.search.stats)
        {
            Ok(Some(search)) => {
                self.store.publish(Snapshot {
                    version: current.version.clone(),
                    catalog: Arc::clone(&current.catalog),
                    search: Arc::new(search),
                    published_at: current.published_at,
                    build_ms: current.build_ms,
                });
                drop(current);
                crate::memory::release_free_memory();
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the merged index could not be opened; serving its segments")
            }
        }
    }

    /// Whether something was published that the saved state lacks.
    pub fn unsaved(&self) -> bool {
        self.unsaved && self.saved.is_some()
    }

    /// Work before the thread ends: the index folder is left merged (a start stopped
    /// within a second would otherwise leave the parts of its build, and the next
    /// start, reusing them, would search two segments until some large update), and
    /// the loaded content saved.
    pub fn stop(&mut self) {
        if self.indexer.merging() {
            self.publish_merged();
        }
        self.save();
    }

    /// Saves the loader's state for the next start when something was published
    /// since the last save. Failures are logged: they only cost the next start time.
    pub fn save(&mut self) {
        let (Some(file), Some(loader)) = (&self.saved, &mut self.loader) else {
            return;
        };
        if !self.unsaved {
            return;
        }
        let started = Instant::now();
        match loader.save(file) {
            Ok((units, bytes)) => tracing::debug!(
                file = %file.display(),
                units,
                bytes,
                ms = format!("{:.0}", started.elapsed().as_secs_f64() * 1000.0),
                "saved the loaded content for the next start"
            ),
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "could not save the loaded content")
            }
        }
        self.unsaved = false;
        // The serialized content was as large as the saved file.
        self.unreleased = true;
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
        self.apply_to(batch, false)
    }

    /// [`Reloader::apply`]; with `replace`, a snapshot with nothing new still
    /// replaces the served one, silently (no event, no reload counted): after a
    /// check of restored content, so that what is served shares its text with the
    /// loader's memo instead of being held twice.
    fn apply_to(
        &mut self,
        batch: Batch,
        replace: bool,
    ) -> Result<Option<Arc<ChangeEvent>>, ReloadError> {
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
                    if replace {
                        self.store.publish(snapshot);
                    }
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
                self.unsaved = true;
                // The previous snapshot's resources are free now (once its last
                // request ends); they go back to the system in a quiet moment, not
                // here: a trim costs 2-12 ms, and the pages it returns were the next
                // reload's page faults (an eighth of a one-topic reload's work).
                self.unreleased = true;
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
            Some(loader) if batch.verify => {
                let (catalog, done) = loader.verify_step(VERIFY_STEP)?;
                self.verify = !done;
                (catalog, None)
            }
            Some(loader) if !batch.rescan => match loader.update(&paths)? {
                Some((catalog, update)) => {
                    let labels: Vec<String> = update.units.iter().map(|u| u.label()).collect();
                    (catalog, (!update.everything).then_some(labels))
                }
                None => return Ok(None),
            },
            Some(loader) => {
                // Everything is derived from its files: a check under way is done.
                self.verify = false;
                (loader.load_all()?, None)
            }
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
