//! Hot reload: file-system events (notify, debounced) coalesced into one rebuild, the
//! rebuilt catalog and searcher published together as one snapshot, and every
//! publication announced on the change feed.
//!
//! Whatever changed, the loader reads the whole folder again (a few milliseconds
//! even for the 2025 sample) and the [`Indexer`] re-indexes only the documents whose
//! content changed: reading is cheap, indexing and committing are not. A resource
//! whose file fails to parse keeps its last good version (from the snapshot being
//! replaced) and is reported; a folder that cannot be read at all keeps the whole
//! last snapshot.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use serde::Serialize;

use crate::content::{self, Catalog, Diagnostic, LoadError, Severity};
use crate::search::{Changes, IndexLocation, Indexer, SearchError, SearchIndex};
use crate::snapshot::{Snapshot, Store};

/// Why a reload published nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Search(#[from] SearchError),
    /// More changes arrived while loading; nothing was published.
    #[error("more changes arrived during the reload")]
    Interrupted,
}

/// One publication, as the change feed tells it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEvent {
    /// Sequence number; the SSE event id, for `Last-Event-ID` resumption.
    pub id: u64,
    /// Content version now served.
    pub version: String,
    pub previous_version: String,
    /// Milliseconds since the Unix epoch.
    pub published_at: u64,
    #[serde(flatten)]
    pub changes: Changes,
}

/// Recent publications and a channel to follow new ones.
pub struct ChangeFeed {
    sender: tokio::sync::broadcast::Sender<Arc<ChangeEvent>>,
    recent: Mutex<VecDeque<Arc<ChangeEvent>>>,
    next_id: AtomicU64,
}

/// How many past events a reconnecting client can resume from.
const FEED_HISTORY: usize = 256;

impl Default for ChangeFeed {
    fn default() -> Self {
        ChangeFeed {
            sender: tokio::sync::broadcast::channel(FEED_HISTORY).0,
            recent: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(1),
        }
    }
}

impl ChangeFeed {
    fn publish(&self, version: &str, previous: &str, changes: Changes) -> Arc<ChangeEvent> {
        let event = Arc::new(ChangeEvent {
            id: self.next_id.fetch_add(1, Ordering::SeqCst),
            version: version.to_string(),
            previous_version: previous.to_string(),
            published_at: now_ms(),
            changes,
        });
        if let Ok(mut recent) = self.recent.lock() {
            recent.push_back(Arc::clone(&event));
            while recent.len() > FEED_HISTORY {
                recent.pop_front();
            }
        }
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.sender.send(Arc::clone(&event));
        event
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<ChangeEvent>> {
        self.sender.subscribe()
    }

    /// Events after `last_id`; `None` when `last_id` is older than the history kept
    /// (the client must refetch what it mirrors).
    pub fn since(&self, last_id: u64) -> Option<Vec<Arc<ChangeEvent>>> {
        let recent = self.recent.lock().ok()?;
        let oldest = recent
            .front()
            .map(|e| e.id)
            .unwrap_or(self.next_id.load(Ordering::SeqCst));
        if last_id + 1 < oldest {
            return None;
        }
        Some(recent.iter().filter(|e| e.id > last_id).cloned().collect())
    }

    /// Id of the last event published (0 before any).
    pub fn last_id(&self) -> u64 {
        self.next_id.load(Ordering::SeqCst).saturating_sub(1)
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What the last reload did, for `/v1/status`.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReloadStatus {
    /// Reloads that published a snapshot (the start-up load included).
    pub reloads: u64,
    /// Reloads that failed and kept the previous snapshot.
    pub failures: u64,
    /// Milliseconds since the Unix epoch of the last reload attempt.
    pub last_reload_at: Option<u64>,
    /// Time the last reload took (load, index, publish), in milliseconds.
    pub last_reload_ms: Option<f64>,
    /// What the last published reload changed.
    pub last_changes: Changes,
    /// Why the last reload failed, when it did.
    pub last_error: Option<String>,
    /// Resources served from their last good version because their file is broken.
    pub kept: Vec<String>,
    /// Whether file-system events or polling drive reloads.
    pub mode: String,
}

/// Shared between the reload thread and the HTTP layer.
#[derive(Default)]
pub struct ReloadState {
    pub status: ArcSwap<ReloadStatus>,
    pub feed: ChangeFeed,
}

/// Owns the index writer and turns a content folder into published snapshots.
pub struct Reloader {
    content: PathBuf,
    indexer: Indexer,
    store: Arc<Store>,
    state: Arc<ReloadState>,
}

/// The resource a content file belongs to, as `(collection, id)`: what is carried
/// over from the last good snapshot when the file breaks.
fn owner(file: &Path) -> Option<(String, String)> {
    let parts: Vec<String> = file
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [dir, id, ..]
            if dir == "roadmaps" || dir == "best-practices" || dir == "question-groups" =>
        {
            Some((dir.clone(), id.clone()))
        }
        [dir, name] if dir == "guides" || dir == "videos" => Some((
            dir.clone(),
            name.strip_suffix(".md").unwrap_or(name).to_string(),
        )),
        [name] if name == "synonyms.yaml" => Some(("synonyms".into(), String::new())),
        _ => None,
    }
}

/// Replaces, in `new`, every resource whose file failed to load with its version in
/// `old` (when there is one). Returns what was kept.
fn keep_last_good(new: &mut Catalog, old: &Catalog, previously_kept: &[String]) -> Vec<String> {
    // A resource was good in `old` unless its file had an error there; one carried
    // over by the previous reload is still its last good version.
    let bad_before: Vec<String> = old
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| owner(&d.file))
        .map(|(c, id)| format!("{c}/{id}"))
        .filter(|label| !previously_kept.contains(label))
        .collect();
    let broken: Vec<(String, String)> = new
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| owner(&d.file))
        .collect();
    let mut kept = Vec::new();
    // Hashes of the resources carried over, which name them in the version.
    let mut carried: Vec<[u8; 32]> = Vec::new();
    for (collection, id) in broken {
        let label = format!("{collection}/{id}");
        if kept.contains(&label) || bad_before.contains(&label) {
            continue;
        }
        let done = match collection.as_str() {
            "roadmaps" => carry(&mut new.roadmaps, &old.roadmaps, &id, |r| &r.id),
            "best-practices" => carry(&mut new.best_practices, &old.best_practices, &id, |r| &r.id),
            "question-groups" => carry(&mut new.question_groups, &old.question_groups, &id, |g| {
                &g.id
            }),
            "guides" => carry(&mut new.guides, &old.guides, &id, |g| &g.slug),
            "videos" => carry(&mut new.videos, &old.videos, &id, |v| &v.slug),
            "synonyms" => {
                new.synonyms = old.synonyms.clone();
                Some(hash_json(&new.synonyms))
            }
            _ => None,
        };
        if let Some(hash) = done {
            carried.push(hash);
            new.diagnostics.push(Diagnostic {
                file: PathBuf::from(&label),
                line: None,
                severity: Severity::Warning,
                message: "serving the last good version until the broken file is fixed".into(),
            });
            kept.push(label);
        }
    }
    if !kept.is_empty() {
        // The version names what is served, which now mixes in old resources: hash
        // those resources themselves, so the same content gives the same version.
        let mut h = blake3::Hasher::new();
        h.update(new.version.as_bytes());
        for (k, hash) in kept.iter().zip(&carried) {
            h.update(k.as_bytes());
            h.update(hash);
        }
        new.version = h.finalize().to_hex()[..16].to_string();
    }
    kept
}

fn hash_json<T: Serialize + ?Sized>(value: &T) -> [u8; 32] {
    *blake3::hash(&serde_json::to_vec(value).unwrap_or_default()).as_bytes()
}

/// Puts `old`'s item with `id` in place of (or beside) `new`'s and returns its hash;
/// `None` when `old` has none (a file that never loaded stays out).
fn carry<T: Clone + Serialize>(
    new: &mut Vec<T>,
    old: &[T],
    id: &str,
    key: impl Fn(&T) -> &String,
) -> Option<[u8; 32]> {
    let good = old.iter().find(|x| key(x) == id)?;
    match new.iter().position(|x| key(x) == id) {
        Some(i) => new[i] = good.clone(),
        None => new.push(good.clone()),
    }
    Some(hash_json(good))
}

impl Reloader {
    /// Loads `content`, opens (or reuses) the index at `location`, and publishes the
    /// first snapshot.
    pub fn start(
        content: &Path,
        location: &IndexLocation,
    ) -> Result<(Reloader, Arc<Store>, Arc<ReloadState>), ReloadError> {
        let started = Instant::now();
        let catalog = content::load(content)?;
        // An index folder that cannot be used (read-only, locked by another process
        // sharing the volume) must not keep the content from being served.
        let (indexer, search) = Indexer::open_or_memory(location, &catalog)?;
        let build_ms = started.elapsed().as_millis() as u64;
        let store = Arc::new(Store::new(Snapshot::new(catalog, search, build_ms)));
        let state = Arc::new(ReloadState::default());
        state.status.store(Arc::new(ReloadStatus {
            reloads: 1,
            last_reload_at: Some(now_ms()),
            last_reload_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
            mode: "none".into(),
            ..ReloadStatus::default()
        }));
        let reloader = Reloader {
            content: content.to_path_buf(),
            indexer,
            store: Arc::clone(&store),
            state: Arc::clone(&state),
        };
        Ok((reloader, store, state))
    }

    /// Reads the folder again and publishes what changed. Returns the event
    /// published, or `None` when nothing changed.
    pub fn reload(&mut self) -> Result<Option<Arc<ChangeEvent>>, ReloadError> {
        self.reload_unless(|| false)
    }

    /// [`Reloader::reload`], abandoned without publishing when `interrupted` says more
    /// changes arrived while the folder was being read (a half-done `rm -r`, a
    /// checkout in progress): the next reload will see the folder settled.
    pub fn reload_unless(
        &mut self,
        interrupted: impl FnMut() -> bool,
    ) -> Result<Option<Arc<ChangeEvent>>, ReloadError> {
        let started = Instant::now();
        let previous = self.store.current();
        let result = self.rebuild(&previous, interrupted);
        if let Err(ReloadError::Interrupted) = result {
            return Ok(None);
        }
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let mut status = (*self.state.status.load_full()).clone();
        status.last_reload_at = Some(now_ms());
        status.last_reload_ms = Some(elapsed);
        match result {
            Ok((snapshot, kept)) => {
                let changes = snapshot.search.changes_since(&previous.search);
                status.reloads += 1;
                status.last_error = None;
                status.kept = kept;
                let unchanged = changes.is_empty() && snapshot.version == previous.version;
                if unchanged {
                    // Nothing new: keep reporting the last reload that changed something.
                    self.state.status.store(Arc::new(status));
                    return Ok(None);
                }
                status.last_changes = changes.clone();
                let version = snapshot.version.clone();
                // Status first: whoever sees the new version also sees its reload.
                self.state.status.store(Arc::new(status));
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
                status.failures += 1;
                status.last_error = Some(e.to_string());
                self.state.status.store(Arc::new(status));
                Err(e)
            }
        }
    }

    fn rebuild(
        &mut self,
        previous: &Snapshot,
        mut interrupted: impl FnMut() -> bool,
    ) -> Result<(Snapshot, Vec<String>), ReloadError> {
        let started = Instant::now();
        let mut catalog = content::load(&self.content)?;
        if interrupted() {
            return Err(ReloadError::Interrupted);
        }
        let previously_kept = self.state.status.load().kept.clone();
        let kept = keep_last_good(&mut catalog, &previous.catalog, &previously_kept);
        for d in &catalog.diagnostics {
            if d.severity == Severity::Error {
                tracing::warn!(file = %d.file.display(), "{}", d.message);
            }
        }
        // A folder removed while it was being read (or swapped away) gives a partial
        // catalog: publish nothing, the event of its return triggers the next reload.
        if !self.content.is_dir() {
            return Err(ReloadError::Load(LoadError::NotADirectory(
                self.content.clone(),
            )));
        }
        let loaded = started.elapsed();
        let search: SearchIndex = self.indexer.update(&catalog)?;
        let build_ms = started.elapsed().as_millis() as u64;
        tracing::debug!(
            load_ms = loaded.as_secs_f64() * 1000.0,
            index_ms = (started.elapsed() - loaded).as_secs_f64() * 1000.0,
            "rebuilt"
        );
        Ok((Snapshot::new(catalog, search, build_ms), kept))
    }
}

/// How the folder is followed.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time that ends a burst of events (a `git checkout`) before one rebuild.
    pub debounce: Duration,
    /// Poll the folder at this interval instead of waiting for events (network and
    /// container file systems where events never arrive).
    pub poll: Option<Duration>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(50),
            poll: None,
        }
    }
}

/// Keeps the watcher thread alive; dropping it stops nothing (the thread lives as
/// long as the process), but holds the handle for symmetry with tests.
pub struct WatchHandle {
    pub thread: std::thread::JoinHandle<()>,
}

/// Whether an event on `path` can change the content: editor swap and backup files
/// and hidden folders (`.git`) below the content root cannot. Only the part below
/// the root is checked, since the root itself may sit in a hidden folder (a temp
/// dir, a ConfigMap's `..data`).
fn is_relevant(roots: &[PathBuf], path: &Path) -> bool {
    // Events from the parent's watch matter only for the folder itself (removed,
    // re-created, a link swapped), not for its siblings, such as an index folder
    // next to it that every reload writes to.
    if roots.iter().any(|r| r.starts_with(path)) {
        return true;
    }
    match roots.iter().find_map(|r| path.strip_prefix(r).ok()) {
        Some(below) => !below
            .components()
            .any(|c| content::paths::is_junk(&c.as_os_str().to_string_lossy())),
        None => false,
    }
}

/// Whether an event kind can change what a file holds. Opening and reading files
/// (the loader itself does, for every file at every reload) must not count: it would
/// make each reload trigger the next.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{MetadataKind, ModifyKind};
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// A cheap fingerprint of a folder: every file's path, size and modification time.
fn fingerprint(root: &Path) -> u64 {
    let mut h = blake3::Hasher::new();
    if let Ok(canonical) = std::fs::canonicalize(root) {
        h.update(canonical.to_string_lossy().as_bytes());
    }
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let Ok(meta) = entry.metadata() else { continue };
        h.update(entry.path().to_string_lossy().as_bytes());
        h.update(&meta.len().to_le_bytes());
        if let Ok(m) = meta.modified()
            && let Ok(d) = m.duration_since(UNIX_EPOCH)
        {
            h.update(&d.as_nanos().to_le_bytes());
        }
    }
    let bytes = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Starts following `reloader`'s folder: events (or polling) signal a channel, a
/// thread waits for a quiet moment and reloads once per burst.
pub fn spawn(mut reloader: Reloader, options: WatchOptions) -> WatchHandle {
    let (tx, rx) = mpsc::channel::<()>();
    let root = reloader.content.clone();
    let mode = if options.poll.is_some() {
        "poll"
    } else {
        "events"
    };
    let mut status = (*reloader.state.status.load_full()).clone();
    status.mode = mode.into();
    reloader.state.status.store(Arc::new(status));
    let thread = std::thread::Builder::new()
        .name("reload".into())
        .spawn(move || {
            let _sources = start_sources(&root, &options, tx);
            reload_loop(&mut reloader, &rx, &options);
        })
        .unwrap_or_else(|e| {
            // Without a thread there is no hot reload; the service still serves.
            tracing::error!("could not start the reload thread: {e}");
            std::thread::spawn(|| {})
        });
    WatchHandle { thread }
}

fn reload_loop(reloader: &mut Reloader, rx: &Receiver<()>, options: &WatchOptions) {
    let mut pending = false;
    loop {
        if !pending && rx.recv().is_err() {
            return;
        }
        pending = false;
        // Coalesce: wait until the events stop for a moment (bounded, so a folder
        // that never stops changing still gets reloaded).
        let burst = Instant::now();
        loop {
            match rx.recv_timeout(options.debounce) {
                Ok(()) if burst.elapsed() < Duration::from_secs(2) => continue,
                Ok(()) | Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let _ = reloader.reload_unless(|| {
            if rx.try_recv().is_ok() {
                pending = true;
            }
            pending
        });
    }
}

/// The event sources: a notify debouncer on the folder and on its parent (which
/// sees the folder itself removed, re-created or, as a symbolic link, swapped), and
/// a supervisor that re-arms the watch when the folder's target changes. With
/// `poll`, a fingerprint of the tree is compared at that interval instead.
fn start_sources(
    root: &Path,
    options: &WatchOptions,
    tx: Sender<()>,
) -> Vec<Box<dyn std::any::Any>> {
    let mut keep: Vec<Box<dyn std::any::Any>> = Vec::new();
    if let Some(interval) = options.poll {
        let root = root.to_path_buf();
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut last = fingerprint(&root);
            loop {
                std::thread::sleep(interval);
                let now = fingerprint(&root);
                if now != last {
                    last = now;
                    if tx.send(()).is_err() {
                        return;
                    }
                }
            }
        });
        return keep;
    }
    let event_tx = tx.clone();
    let mut roots = vec![root.to_path_buf()];
    if let Ok(canonical) = std::fs::canonicalize(root) {
        roots.push(canonical);
    }
    let handler = move |result: DebounceEventResult| {
        if let Err(errors) = &result {
            for e in errors {
                tracing::warn!(error = %e, "file watching error");
            }
        }
        if let Ok(events) = result
            && events.iter().any(|e| {
                changes_content(&e.event.kind)
                    && e.event.paths.iter().any(|p| is_relevant(&roots, p))
            })
        {
            let _ = event_tx.send(());
        }
    };
    match new_debouncer(options.debounce / 2, None, handler) {
        Ok(mut debouncer) => {
            if let Err(e) = debouncer.watch(root, RecursiveMode::Recursive) {
                tracing::warn!(error = %e, "cannot watch the content folder; use --poll");
            }
            if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
                let _ = debouncer.watch(parent, RecursiveMode::NonRecursive);
            }
            let debouncer = Arc::new(Mutex::new(debouncer));
            keep.push(Box::new(Arc::clone(&debouncer)));
            // Supervisor: a swapped symbolic link or a re-created folder is a new
            // directory that the recursive watch does not cover.
            let root = root.to_path_buf();
            std::thread::spawn(move || {
                let mut target = std::fs::canonicalize(&root).ok();
                loop {
                    std::thread::sleep(Duration::from_millis(250));
                    let now = std::fs::canonicalize(&root).ok();
                    if now != target {
                        if let Ok(mut d) = debouncer.lock() {
                            if let Some(old) = &target {
                                let _ = d.unwatch(old);
                            }
                            let _ = d.unwatch(&root);
                            if now.is_some()
                                && let Err(e) = d.watch(&root, RecursiveMode::Recursive)
                            {
                                tracing::warn!(error = %e, "cannot watch the content folder");
                            }
                        }
                        target = now;
                        if tx.send(()).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        Err(e) => {
            tracing::error!("file watching is unavailable ({e}); use --poll");
        }
    }
    keep
}
