//! Where reloads come from: file-system events (notify) on the content folder and on
//! its parent, a supervisor that follows a root swapped or re-created, or polling
//! for file systems without events. Each sends [`Signal`]s naming the paths that
//! changed, so that the loader re-derives only what they belong to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, UNIX_EPOCH};

use notify::{Config, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// A message to the reload thread.
#[derive(Debug, Clone)]
pub enum Signal {
    /// These paths changed.
    Changed(Vec<PathBuf>),
    /// Something changed that events cannot name (a queue overflow, a swapped root,
    /// an admin request): read everything again.
    Rescan,
    /// End the reload thread.
    Stop,
}

/// How the folder is followed.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time that ends a burst of events (a `git checkout`) before a reload.
    pub debounce: Duration,
    /// Poll the folder at this interval instead of waiting for events (network and
    /// container file systems where events never arrive).
    pub poll: Option<Duration>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(20),
            poll: None,
        }
    }
}

/// How often the supervisor checks where the root resolves.
const SUPERVISE: Duration = Duration::from_millis(250);

/// The running sources; dropping them stops and joins their threads.
pub struct Sources {
    stop: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
    _watcher: Option<Arc<Mutex<RecommendedWatcher>>>,
    pub mode: &'static str,
}

impl Drop for Sources {
    fn drop(&mut self) {
        // Closing the channel wakes every thread waiting on it.
        self.stop.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Whether an event kind can change what a file holds. Opening and reading files
/// (the loader itself does) must not count: each reload would trigger the next.
fn changes_content(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, MetadataKind, ModifyKind};
    match kind {
        // Closing a file written to ends a save.
        EventKind::Access(AccessKind::Close(notify::event::AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// Starts following `root`; every watch is armed before this returns, so a change
/// made after it (even one made before the first load finishes) is seen.
pub fn start(root: &Path, options: &WatchOptions, tx: Sender<Signal>) -> Sources {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let stop_rx = Arc::new(Mutex::new(stop_rx));
    let mut sources = Sources {
        stop: Some(stop_tx),
        threads: Vec::new(),
        _watcher: None,
        mode: "events",
    };
    if let Some(interval) = options.poll {
        sources.mode = "poll";
        let root = root.to_path_buf();
        let mut last = listing(&root);
        let stop = Arc::clone(&stop_rx);
        let spawned = std::thread::Builder::new()
            .name("reload-poll".into())
            .spawn(move || {
                while !stopped(&stop, interval) {
                    let now = listing(&root);
                    let changed = diff(&last, &now);
                    last = now;
                    if !changed.is_empty() && tx.send(Signal::Changed(changed)).is_err() {
                        return;
                    }
                }
            });
        match spawned {
            Ok(t) => sources.threads.push(t),
            Err(e) => tracing::error!("cannot start polling ({e}); reloads stop"),
        }
        return sources;
    }

    let event_tx = tx.clone();
    let handler = move |result: notify::Result<notify::Event>| match result {
        Ok(event) => {
            if event.need_rescan() {
                let _ = event_tx.send(Signal::Rescan);
            } else if changes_content(&event.kind) && !event.paths.is_empty() {
                let _ = event_tx.send(Signal::Changed(event.paths));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "file watching error; reading the folder again");
            let _ = event_tx.send(Signal::Rescan);
        }
    };
    // Links inside the folder are not followed: one pointing at `/usr` would watch
    // (and reload for) a whole other tree. The loader reads only what stays inside.
    let config = Config::default().with_follow_symlinks(false);
    let watcher = match RecommendedWatcher::new(handler, config) {
        Ok(w) => Arc::new(Mutex::new(w)),
        Err(e) => {
            tracing::error!("file watching is unavailable ({e}); use --poll");
            sources.mode = "none";
            return sources;
        }
    };
    if let Ok(mut w) = watcher.lock() {
        if root.is_dir()
            && let Err(e) = w.watch(root, RecursiveMode::Recursive)
        {
            tracing::warn!(error = %e, "cannot watch the content folder; use --poll");
        }
        // The parent sees the folder itself removed, re-created or, as a link,
        // swapped.
        if let Some(parent) = root.parent().filter(|p| p.is_dir()) {
            let _ = w.watch(parent, RecursiveMode::NonRecursive);
        }
    }
    // Supervisor: a swapped link or a re-created folder is a new directory that the
    // recursive watch does not cover. Its first reading happens here, before the
    // first load, so that no swap can fall between the two.
    let root = root.to_path_buf();
    let supervised = Arc::clone(&watcher);
    let mut target = std::fs::canonicalize(&root).ok();
    let stop = Arc::clone(&stop_rx);
    let spawned = std::thread::Builder::new()
        .name("reload-supervisor".into())
        .spawn(move || {
            while !stopped(&stop, SUPERVISE) {
                let now = std::fs::canonicalize(&root).ok();
                if now == target {
                    continue;
                }
                if let Ok(mut w) = supervised.lock() {
                    let _ = w.unwatch(&root);
                    if now.is_some()
                        && let Err(e) = w.watch(&root, RecursiveMode::Recursive)
                    {
                        tracing::warn!(error = %e, "cannot watch the content folder");
                    }
                    if let Some(parent) = root.parent().filter(|p| p.is_dir()) {
                        let _ = w.watch(parent, RecursiveMode::NonRecursive);
                    }
                }
                target = now;
                if tx.send(Signal::Rescan).is_err() {
                    return;
                }
            }
        });
    match spawned {
        Ok(t) => sources.threads.push(t),
        Err(e) => tracing::error!("cannot start the folder supervisor ({e})"),
    }
    sources._watcher = Some(watcher);
    sources
}

/// Waits `interval`; `true` once the sources are dropped.
fn stopped(stop: &Mutex<Receiver<()>>, interval: Duration) -> bool {
    match stop.lock() {
        Ok(rx) => !matches!(rx.recv_timeout(interval), Err(RecvTimeoutError::Timeout)),
        Err(_) => true,
    }
}

type Listing = HashMap<PathBuf, (u64, u128)>;

/// Every file's size and modification time, without following links.
fn listing(root: &Path) -> Listing {
    let mut out = HashMap::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .flatten()
    {
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        out.insert(entry.path().to_path_buf(), (meta.len(), modified));
    }
    out
}

/// Paths added, removed or changed between two listings.
fn diff(old: &Listing, new: &Listing) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = new
        .iter()
        .filter(|(p, v)| old.get(*p) != Some(v))
        .map(|(p, _)| p.clone())
        .chain(old.keys().filter(|p| !new.contains_key(*p)).cloned())
        .collect();
    out.sort();
    out
}
