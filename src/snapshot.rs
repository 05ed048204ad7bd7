//! The published state: one immutable [`Snapshot`] of catalog and search index,
//! swapped whole, so that a request sees one consistent version from start to end.

use std::sync::Arc;
use std::time::SystemTime;

use arc_swap::ArcSwap;

use crate::content::Catalog;
use crate::search::SearchIndex;

/// Catalog and searcher built from the same files. Never mutated after publication.
pub struct Snapshot {
    /// Content version (hash of the files served).
    pub version: String,
    pub catalog: Arc<Catalog>,
    pub search: Arc<SearchIndex>,
    /// When this snapshot was published.
    pub published_at: SystemTime,
    /// How long loading and indexing took, in milliseconds.
    pub build_ms: u64,
}

impl Snapshot {
    pub fn new(catalog: Catalog, search: SearchIndex, build_ms: u64) -> Snapshot {
        Snapshot {
            version: catalog.version.clone(),
            catalog: Arc::new(catalog),
            search: Arc::new(search),
            published_at: SystemTime::now(),
            build_ms,
        }
    }
}

/// Holds the current snapshot. Readers call [`Store::current`] once per request;
/// the reload path calls [`Store::publish`].
pub struct Store {
    current: ArcSwap<Snapshot>,
}

impl Store {
    pub fn new(snapshot: Snapshot) -> Store {
        Store {
            current: ArcSwap::from_pointee(snapshot),
        }
    }

    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    pub fn publish(&self, snapshot: Snapshot) {
        self.current.store(Arc::new(snapshot));
    }
}
