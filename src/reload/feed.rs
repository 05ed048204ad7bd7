//! The change feed: every publication as an event, recent ones kept for clients that
//! reconnect.
//!
//! An event's id is the content version it published. Versions are hashes of the
//! content, so two replicas serving the same files, or one process before and after
//! a restart, name the same state with the same id: a client resumes with
//! `Last-Event-ID` on any of them, and gets `reset` only when its state cannot be
//! reached from the history kept.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::search::Changes;

/// One publication, as the change feed tells it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEvent {
    /// The SSE event id: the content version now served.
    pub id: String,
    /// Content version now served.
    pub version: String,
    pub previous_version: String,
    /// Milliseconds since the Unix epoch.
    pub published_at: u64,
    #[serde(flatten)]
    pub changes: Changes,
}

/// What a reconnecting client gets.
#[derive(Debug)]
pub enum Resume {
    /// The events it missed (none when it is up to date).
    Replay(Vec<Arc<ChangeEvent>>),
    /// Its state is unknown here: refetch what it mirrors.
    Reset,
}

/// Recent publications and a channel to follow new ones.
pub struct ChangeFeed {
    sender: tokio::sync::broadcast::Sender<Arc<ChangeEvent>>,
    recent: Mutex<VecDeque<Arc<ChangeEvent>>>,
}

/// How many past events a reconnecting client can resume from.
const FEED_HISTORY: usize = 256;

impl Default for ChangeFeed {
    fn default() -> Self {
        ChangeFeed {
            sender: tokio::sync::broadcast::channel(FEED_HISTORY).0,
            recent: Mutex::new(VecDeque::new()),
        }
    }
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl ChangeFeed {
    pub(crate) fn publish(
        &self,
        version: &str,
        previous: &str,
        changes: Changes,
    ) -> Arc<ChangeEvent> {
        let event = Arc::new(ChangeEvent {
            id: version.to_string(),
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

    /// What a client whose last event was `last` (a content version) missed, given
    /// that `current` is served now.
    pub fn since(&self, last: &str, current: &str) -> Resume {
        if last == current {
            return Resume::Replay(Vec::new());
        }
        let Ok(recent) = self.recent.lock() else {
            return Resume::Reset;
        };
        // The newest publication of that version: a version can come back (an edit
        // undone), and only what followed its last appearance is missed.
        if let Some(at) = recent.iter().rposition(|e| e.version == last) {
            return Resume::Replay(recent.iter().skip(at + 1).cloned().collect());
        }
        // A version this process never published but that an event started from
        // (the state before the first reload here, known to another replica).
        if let Some(at) = recent.iter().position(|e| e.previous_version == last) {
            return Resume::Replay(recent.iter().skip(at).cloned().collect());
        }
        Resume::Reset
    }

    /// The last event published, if any.
    pub fn last(&self) -> Option<Arc<ChangeEvent>> {
        self.recent.lock().ok()?.back().cloned()
    }
}
