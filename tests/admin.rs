//! `POST /v1/admin/reload` over real HTTP, on a server that does not watch its folder
//! (the deployments the endpoint is for): off without a token, 401 with
//! `WWW-Authenticate` for a missing or wrong one, and with the right one a reload that
//! publishes what changed on disk.

mod common;

use std::time::{Duration, Instant};

use common::{TestServer, content_type, copy_dir, fixture_path};
use roadmap_api::reload::Running;
use serde_json::Value;

const TOKEN: &str = "test-admin-token-0123456789abcdef";
const PATH: &str = "/v1/admin/reload";

struct Admin {
    server: TestServer,
    dir: tempfile::TempDir,
    _running: Running,
}

/// A copy of the 2025 fixture served with reloads but no watcher, and `token` (if any).
fn admin_server(token: Option<&str>) -> Admin {
    let dir = tempfile::tempdir().expect("temporary folder");
    copy_dir(&fixture_path("layout-2025"), dir.path());
    let (server, running) = TestServer::reloading(dir.path(), token);
    Admin {
        server,
        dir,
        _running: running,
    }
}

fn post(server: &TestServer, authorization: Option<&str>) -> reqwest::blocking::Response {
    let mut request = server.client().post(server.url(PATH));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    request.send().expect("request")
}

#[test]
fn without_a_token_the_endpoint_does_not_exist() {
    let admin = admin_server(None);
    for authorization in [None, Some("Bearer anything-at-all-0123456789")] {
        let response = post(&admin.server, authorization);
        assert_eq!(response.status().as_u16(), 404);
        assert_eq!(content_type(&response), "application/problem+json");
    }
    admin.server.problem(PATH, 404);
}

#[test]
fn a_missing_or_wrong_token_is_a_401_with_www_authenticate() {
    let admin = admin_server(Some(TOKEN));
    let before = admin.server.ok("/v1/status");
    for authorization in [
        None,
        Some("Bearer wrong-token-0123456789abcdef"),
        Some("Bearer "),
        Some(&format!("Basic {TOKEN}") as &str),
        Some(&format!("Bearer {TOKEN}x") as &str),
        Some(TOKEN),
    ] {
        let response = post(&admin.server, authorization);
        assert_eq!(response.status().as_u16(), 401, "{authorization:?}");
        assert_eq!(content_type(&response), "application/problem+json");
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        let problem: Value = response.json().expect("problem");
        assert_eq!(problem["status"], 401);
        assert_eq!(problem["type"], "/problems/unauthorized");
    }
    // Nothing was reloaded.
    let after = admin.server.ok("/v1/status");
    assert_eq!(before["reload"]["reloads"], after["reload"]["reloads"]);
}

#[test]
fn other_methods_are_a_405_naming_post() {
    let admin = admin_server(Some(TOKEN));
    let response = admin
        .server
        .client()
        .get(admin.server.url(PATH))
        .send()
        .expect("request");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST, OPTIONS")
    );
    let response = admin
        .server
        .client()
        .request(reqwest::Method::OPTIONS, admin.server.url(PATH))
        .send()
        .expect("request");
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST, OPTIONS")
    );
}

#[test]
fn the_right_token_reloads_what_changed_on_disk() {
    let admin = admin_server(Some(TOKEN));
    let server = &admin.server;
    let guides = server.ok("/v1/guides");
    let first = &guides["items"][0];
    let id = first["id"].as_str().expect("a guide id").to_string();
    let file = admin.dir.path().join("guides").join(format!("{id}.md"));
    let text = std::fs::read_to_string(&file).expect("guide");
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("title:") {
                String::from("title: 'Quokkafied admin reload title'")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_ne!(edited.join("\n"), text);
    std::fs::write(&file, edited.join("\n")).expect("write");

    let version_before = server.ok("/v1/status")["version"].clone();
    let response = post(server, Some(&format!("Bearer {TOKEN}")));
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/v1/status")
    );
    let accepted: Value = response.json().expect("body");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["version"], version_before);
    let reloads = accepted["reloads"].as_u64().expect("reloads");

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = server.ok("/v1/status");
        if status["reload"]["reloads"].as_u64() > Some(reloads) {
            assert_ne!(status["version"], version_before);
            break;
        }
        assert!(Instant::now() < deadline, "no reload published: {status}");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        server.ok(&format!("/v1/guides/{id}"))["title"],
        "Quokkafied admin reload title"
    );
    let hits = server.ok("/v1/search?q=quokkafied");
    assert_eq!(hits["hits"][0]["id"], id.as_str(), "{hits}");
}
