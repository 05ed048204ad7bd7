//! Starts the real server (the same `api::server` path as `roadmap-api serve`) on a free
//! port, on a background thread with its own actix system, for integration tests.
//!
//! ```ignore
//! mod common;
//! let server = common::TestServer::fixture("layout-2023");
//! let (status, body) = server.get_json("/v1/roadmaps");
//! ```
#![allow(dead_code)] // Each test crate uses a different part of this helper.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use actix_web::dev::ServerHandle;
use actix_web::web;
use reqwest::blocking::{Client, Response};
use serde_json::Value;

use roadmap_api::api::AppState;
use roadmap_api::api::admin::AdminToken;
use roadmap_api::api::server::{bind, load_snapshot};
use roadmap_api::reload::{self, Running};
use roadmap_api::search::IndexLocation;
use roadmap_api::snapshot::Store;

/// A running server; stopped when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub base: String,
    pub addr: SocketAddr,
    /// The store the server reads: publish to it to simulate a reload.
    pub store: Arc<Store>,
    pub state: web::Data<AppState>,
    client: Client,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

/// Copies a folder tree (fixtures into a temporary folder that a test may edit).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `tests/fixtures/<name>`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

impl TestServer {
    /// Serves `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> TestServer {
        TestServer::start(fixture_path(name))
    }

    /// Loads and indexes `content` the way `serve` does, then serves it.
    pub fn start(content: impl AsRef<Path>) -> TestServer {
        let content = content.as_ref();
        let snapshot = load_snapshot(content)
            .unwrap_or_else(|e| panic!("cannot load {}: {e}", content.display()));
        let store = Arc::new(Store::new(snapshot));
        TestServer::with_state(web::Data::new(AppState::new(store).expect("app state")))
    }

    /// Serves `content` the way `serve --no-watch` does, with a reload thread (so the
    /// admin endpoint can ask for reloads) and the admin `token` if any. The returned
    /// [`Running`] must live as long as the server.
    pub fn reloading(content: &Path, token: Option<&str>) -> (TestServer, Running) {
        let running = reload::start(
            content,
            reload::Options {
                index: IndexLocation::Memory,
                watch: None,
                ..reload::Options::default()
            },
        )
        .expect("start");
        let mut state =
            AppState::with_reload(Arc::clone(&running.store), Arc::clone(&running.state))
                .expect("state");
        state.admin = token.map(AdminToken::new);
        (TestServer::with_state(web::Data::new(state)), running)
    }

    /// Serves a state built by the caller (for tests that need extra state or a store
    /// they keep publishing to).
    pub fn with_state(state: web::Data<AppState>) -> TestServer {
        let (tx, rx) = mpsc::channel();
        let server_state = state.clone();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                match bind(server_state, "127.0.0.1:0", Some(2)) {
                    Ok((server, addrs)) => {
                        let _ = tx.send(Ok((server.handle(), addrs)));
                        if let Err(error) = server.await {
                            eprintln!("test server stopped with an error: {error}");
                        }
                    }
                    Err(error) => {
                        let _ = tx.send(Err(error));
                    }
                }
            });
        });
        let (handle, addrs) = rx
            .recv()
            .expect("server thread died before binding")
            .expect("cannot bind 127.0.0.1:0");
        let addr = *addrs.first().expect("server bound no address");
        TestServer {
            base: format!("http://{addr}"),
            addr,
            store: Arc::clone(&state.store),
            state,
            client: Client::new(),
            handle,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET, asserting a JSON body (`application/json` or `application/problem+json`).
    pub fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.get(path);
        let status = response.status().as_u16();
        let content_type = content_type(&response);
        assert!(
            content_type == "application/json" || content_type == "application/problem+json",
            "GET {path}: content type {content_type:?}"
        );
        let body = response
            .json::<Value>()
            .unwrap_or_else(|e| panic!("GET {path}: body is not JSON: {e}"));
        (status, body)
    }

    /// GET that must answer 200 `application/json`; returns the body.
    pub fn ok(&self, path: &str) -> Value {
        let response = self.get(path);
        let status = response.status().as_u16();
        let content_type = content_type(&response);
        let text = response.text().unwrap_or_default();
        assert_eq!(status, 200, "GET {path}: {text}");
        assert_eq!(content_type, "application/json", "GET {path}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}"))
    }

    /// GET that must answer `status` with a problem document; returns the problem.
    pub fn problem(&self, path: &str, status: u16) -> Value {
        let response = self.get(path);
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        assert_eq!(
            content_type(&response),
            "application/problem+json",
            "GET {path}"
        );
        let problem: Value = response.json().expect("problem body is JSON");
        assert_eq!(problem["status"], status, "GET {path}: {problem}");
        for member in ["type", "title", "detail"] {
            assert!(
                problem[member].is_string(),
                "GET {path}: problem without {member}: {problem}"
            );
        }
        problem
    }
}

/// The media type of a response, without parameters.
pub fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or("").trim().to_owned())
        .unwrap_or_default()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // `stop` sends the command at once; the future only waits for completion, which
        // joining the thread does too.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The whole roadmap.sh content (`../shared/corpus/roadmapsh-2025.tar.gz`), extracted
/// once per test process into a temporary folder; its `src/data`. `None` where the
/// archive is absent: tests on the real content run only where it exists.
pub fn corpus() -> Option<&'static Path> {
    static CORPUS: std::sync::OnceLock<Option<(tempfile::TempDir, PathBuf)>> =
        std::sync::OnceLock::new();
    CORPUS
        .get_or_init(|| {
            // `ROADMAPSH_CORPUS` names the archive elsewhere (a worktree whose parent
            // folder has no `shared/`).
            let archive = std::env::var_os("ROADMAPSH_CORPUS")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../shared/corpus/roadmapsh-2025.tar.gz")
                });
            let file = std::fs::File::open(&archive).ok()?;
            let dir = tempfile::tempdir().expect("temporary folder for the corpus");
            tar::Archive::new(flate2::read::GzDecoder::new(file))
                .unpack(dir.path())
                .expect("extract the corpus");
            let data = dir.path().join("src/data");
            Some((dir, data))
        })
        .as_ref()
        .map(|(_, data)| data.as_path())
}
