//! Turning a content folder into a running server: shared by the `serve` command and the
//! integration tests, so the tests exercise the same start-up path as production.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};

use super::{AppState, app};
use crate::content::{self, LoadError};
use crate::search::{SearchError, SearchIndex};
use crate::snapshot::Snapshot;

/// Why a snapshot could not be built from a content folder.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("search index could not be built: {0}")]
    Search(#[from] SearchError),
}

/// Loads `content` and indexes it: the snapshot a server starts with.
pub fn load_snapshot(content: &Path) -> Result<Snapshot, StartError> {
    let started = Instant::now();
    let catalog = content::load(content)?;
    let search = SearchIndex::build(&catalog)?;
    let build_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(Snapshot::new(catalog, search, build_ms))
}

/// Binds the HTTP server (not yet running: await or spawn the returned [`Server`]) and
/// returns the addresses it listens on, which tells a caller that bound port 0 which port
/// it got. `workers: None` uses one worker per core.
pub fn bind(
    state: web::Data<AppState>,
    addr: &str,
    workers: Option<usize>,
) -> io::Result<(Server, Vec<SocketAddr>)> {
    let mut server = HttpServer::new(move || app(state.clone()));
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    let server = server.bind(addr)?;
    let addrs = server.addrs();
    Ok((server.run(), addrs))
}
