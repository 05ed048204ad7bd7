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
///
/// `batch_workers` runs the HTTP workers as `SCHED_BATCH` ([`batch_this_thread`]).
pub fn bind(
    state: web::Data<AppState>,
    addr: &str,
    workers: Option<usize>,
    batch_workers: bool,
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
            // Each worker makes its services on its own thread, before serving.
            if batch_workers {
                batch_this_thread();
            }
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

/// Makes the calling thread `SCHED_BATCH` (Linux; elsewhere nothing). An HTTP worker
/// sleeps between requests, so the scheduler lets it preempt whatever runs when it
/// wakes; with every core busy with searches, each finished search woke a worker that
/// preempted the other search thread mid-query: two context switches and a cold
/// cache per request. A batch thread waits for the running one's slice instead.
/// Measured on the whole roadmap.sh on 2 cores, 32 connections: uncached search
/// 5,371–5,553 → 6,355–6,887 req/s, `/healthz` p99 while search saturates unchanged
/// (3.7–4.6 against 4.0 ms), `/healthz` alone 4–8 % slower (the worker no longer
/// preempts the load generator on the same cores). Failure (a policy the system
/// refuses) leaves the thread as it was.
pub fn batch_this_thread() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `param` is a valid `sched_param` for the duration of the call, and
        // pid 0 names the calling thread only.
        let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
        if rc != 0 {
            tracing::debug!(
                error = %io::Error::last_os_error(),
                "HTTP worker stays at the normal scheduling policy"
            );
        }
    }
}
