//! What the reload thread tells the HTTP layer: the status of reloads, the change
//! feed, and a way to ask for a reload.

use std::sync::Mutex;
use std::sync::mpsc::Sender;

use arc_swap::ArcSwap;
use serde::Serialize;

use super::feed::ChangeFeed;
use super::sources::Signal;
use crate::search::Changes;

/// What the last reload did, for `/v1/status`.
#[derive(Debug, Clone, Default, Serialize)]
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
    /// The content folder does not exist (yet): nothing is served until it appears.
    pub waiting_for_content: bool,
}

/// Shared between the reload thread and the HTTP layer.
#[derive(Default)]
pub struct ReloadState {
    pub status: ArcSwap<ReloadStatus>,
    pub feed: ChangeFeed,
    /// Where to ask for a reload; `None` when nothing reloads (`--no-watch` before
    /// start, tests serving a fixed snapshot).
    pub(crate) trigger: Mutex<Option<Sender<Signal>>>,
}

impl ReloadState {
    /// Asks the reload thread to read the whole folder again (a webhook after a
    /// deployment's sync, when nothing watches the folder). `false` when no reload
    /// thread runs.
    pub fn request_reload(&self) -> bool {
        let Ok(trigger) = self.trigger.lock() else {
            return false;
        };
        trigger
            .as_ref()
            .is_some_and(|tx| tx.send(Signal::Rescan).is_ok())
    }

    pub(crate) fn update(&self, change: impl FnOnce(&mut ReloadStatus)) {
        let mut status = (*self.status.load_full()).clone();
        change(&mut status);
        self.status.store(std::sync::Arc::new(status));
    }
}
