//! Turning a content folder into a running server: shared by the `serve` command and the
//! integration tests, so the tests exercise the same start-up path as production.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use std::net::ToSocketAddrs;

use actix_http::HttpService;
use actix_http::error::DispatchError;
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::{AppConfig, Server};
use actix_web::rt::net::TcpStream;
use actix_web::web;

use super::conn::ProblemIo;
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
///
/// Built from actix-server and actix-http directly rather than `HttpServer`, so that each
/// connection goes through [`ProblemIo`]: the parser's own error answers become problem
/// documents too. HTTP/1 only, as `HttpServer::bind` serves.
pub fn bind(
    state: web::Data<AppState>,
    addr: &str,
    workers: Option<usize>,
) -> io::Result<(Server, Vec<SocketAddr>)> {
    let mut builder = Server::build();
    if let Some(workers) = workers {
        builder = builder.workers(workers);
    }
    let mut addrs = Vec::new();
    for socket_addr in addr.to_socket_addrs()? {
        let listener = std::net::TcpListener::bind(socket_addr)?;
        let local = listener.local_addr()?;
        addrs.push(local);
        let state = state.clone();
        builder = builder.listen(format!("roadmap-api-{local}"), listener, move || {
            let app = app(state.clone()).into_factory();
            let http = HttpService::build()
                .local_addr(local)
                .h1(map_config(app, |_| AppConfig::default()));
            fn_service(|stream: TcpStream| {
                let peer = stream.peer_addr().ok();
                // As actix-web does: small answers go out at once.
                let _ = stream.set_nodelay(true);
                std::future::ready(Ok::<_, DispatchError>((ProblemIo::new(stream), peer)))
            })
            .and_then(http)
        })?;
    }
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{addr}` resolves to no address"),
        ));
    }
    Ok((builder.run(), addrs))
}
