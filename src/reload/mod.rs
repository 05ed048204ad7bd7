//! Hot reload: event sources name the files that changed, the reload thread gathers
//! them into batches and the [`Reloader`] turns each batch into one published
//! snapshot (catalog and searcher together), announced on the change feed.
//!
//! One start-up path, [`start`], is shared by `serve` and the tests: it arms every
//! watch before the first read, loads, and runs the reload thread until the returned
//! [`Running`] is stopped or dropped.

pub mod feed;
mod reloader;
pub mod sources;
pub mod status;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use feed::{ChangeEvent, ChangeFeed, Resume};
pub use reloader::{Batch, ReloadError, Reloader};
pub use sources::{Signal, WatchOptions};
pub use status::{ReloadState, ReloadStatus};

use crate::content::Limits;
use crate::search::IndexLocation;
use crate::snapshot::Store;

/// How `serve` (or a test) runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub index: IndexLocation,
    pub limits: Limits,
    /// `None`: load once, reload only when asked (`POST /v1/admin/reload`).
    pub watch: Option<WatchOptions>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            index: IndexLocation::Memory,
            limits: Limits::default(),
            watch: Some(WatchOptions::default()),
        }
    }
}

/// The longest a batch waits for its burst to end: a folder that never stops
/// changing still gets published at least this often.
const MAX_WAIT: Duration = Duration::from_millis(500);

/// How long the reload thread waits for quiet before saving what it published for
/// the next start (saving the whole content takes tens of milliseconds: not after
/// every edit of a burst).
const SAVE_AFTER: Duration = Duration::from_secs(5);

/// How long the reload thread waits for quiet before checking content restored from
/// the saved state against its files (half a second of work at full size: edits
/// that arrive first go first).
const VERIFY_AFTER: Duration = Duration::from_millis(300);

/// A running reload thread with what it publishes.
pub struct Running {
    pub store: Arc<Store>,
    pub state: Arc<ReloadState>,
    stop: Sender<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// Stops the reload thread and its sources, and waits for them.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(Signal::Stop);
        if let Ok(mut t) = self.state.trigger.lock() {
            t.take();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Arms the watches, loads `content`, publishes the first snapshot and starts the
/// reload thread.
pub fn start(content: &Path, options: Options) -> Result<Running, ReloadError> {
    let (tx, rx) = mpsc::channel::<Signal>();
    let sources = options
        .watch
        .as_ref()
        .map(|w| sources::start(content, w, tx.clone()));
    let (reloader, store, state) = Reloader::start(content, &options.index, options.limits)?;
    let mode = sources.as_ref().map_or("none", |s| s.mode);
    state.update(|s| s.mode = mode.into());
    if let Ok(mut trigger) = state.trigger.lock() {
        *trigger = Some(tx.clone());
    }
    let debounce = options
        .watch
        .as_ref()
        .map_or(Duration::ZERO, |w| w.debounce);
    let thread = std::thread::Builder::new()
        .name("reload".into())
        .spawn(move || {
            let _sources = sources;
            run(reloader, &rx, debounce);
        })
        .map_err(|e| {
            ReloadError::Load(crate::content::LoadError::Io {
                path: content.to_path_buf(),
                source: e,
            })
        })?;
    Ok(Running {
        store,
        state,
        stop: tx,
        thread: Some(thread),
    })
}

/// The reload loop: wait for a signal, gather the burst it starts (until `debounce`
/// passes quietly, or [`MAX_WAIT`]), apply it, repeat. Signals that arrive during a
/// reload wait in the channel and form the next batch.
fn run(mut reloader: Reloader, rx: &Receiver<Signal>, debounce: Duration) {
    loop {
        let mut batch = Batch::default();
        // Quiet moments publish a merged index, check restored content (step after
        // step, each after the events that arrived), return freed memory, then save
        // what was published.
        let quiet = if reloader.merging() || reloader.verifying() {
            Some(Duration::ZERO)
        } else if reloader.unverified() {
            Some(VERIFY_AFTER)
        } else if reloader.unreleased() {
            Some(crate::memory::RELEASE_AFTER)
        } else if reloader.unsaved() {
            Some(SAVE_AFTER)
        } else {
            None
        };
        let signal = match quiet {
            Some(wait) => match rx.recv_timeout(wait) {
                Ok(signal) => Ok(signal),
                Err(RecvTimeoutError::Timeout) => {
                    reloader.idle();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => Err(()),
            },
            None => rx.recv().map_err(|_| ()),
        };
        match signal {
            Ok(Signal::Stop) | Err(()) => {
                reloader.stop();
                return;
            }
            Ok(signal) => add(&mut batch, signal),
        }
        let first = Instant::now();
        loop {
            let left = MAX_WAIT.saturating_sub(first.elapsed());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(debounce.min(left)) {
                Ok(Signal::Stop) => {
                    reloader.stop();
                    return;
                }
                Ok(signal) => add(&mut batch, signal),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // Errors are logged and counted in the status by the reloader.
        let _ = reloader.apply(batch);
    }
}

fn add(batch: &mut Batch, signal: Signal) {
    match signal {
        Signal::Changed(paths) => batch.add(paths),
        Signal::Rescan => {
            batch.rescan = true;
            batch.paths.clear();
        }
        Signal::Stop => {}
    }
}
