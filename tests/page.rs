//! The search page at `/` and its views, over a real server on the `layout-2023` fixture.
//! What the page does in a browser is checked by `tests/e2e/page.py` (run by `.ci/run`);
//! these tests pin down what the server promises it: the page and its assets, the view
//! URLs (404 for what does not exist), content negotiation that leaves `/v1` alone, and
//! a page that names no other host and calls only the public API.

mod common;

use std::sync::OnceLock;

use common::{TestServer, content_type};
use reqwest::header;

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::fixture("layout-2023"))
}

fn html(path: &str, status: u16) -> String {
    let response = server()
        .client()
        .get(server().url(path))
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .expect("GET");
    assert_eq!(response.status().as_u16(), status, "GET {path}");
    assert_eq!(content_type(&response), "text/html", "GET {path}");
    let csp = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(directive), "GET {path}: CSP {csp:?}");
    }
    response.text().expect("body")
}

#[test]
fn the_page_is_served_at_the_root_with_its_assets() {
    let page = html("/", 200);
    assert!(page.contains(r#"<script src="/assets/app.js""#), "{page}");
    assert!(page.contains(r#"href="/assets/app.css""#), "{page}");
    assert!(page.contains(r#"role="combobox""#), "{page}");
    for (path, mime) in [
        ("/assets/app.js", "text/javascript"),
        ("/assets/app.css", "text/css"),
    ] {
        let response = server().get(path);
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        assert_eq!(content_type(&response), mime, "GET {path}");
        assert!(response.text().expect("body").len() > 1000, "GET {path}");
    }
}

#[test]
fn every_view_has_its_own_url_answered_with_the_page() {
    let page = html("/", 200);
    for path in [
        "/?q=http",
        "/roadmaps/web-basics",
        "/roadmaps/web-basics/",
        "/roadmaps/web-basics/topics/internet",
        "/roadmaps/web-basics/topics/internet/tls/certificates",
        "/best-practices/security-checklist",
        "/best-practices/security-checklist/topics/use-https",
        "/guides/http-caching-explained",
        "/videos/dns-in-five-minutes",
        "/question-groups/web-questions",
    ] {
        let path = path.trim_end_matches('/');
        assert_eq!(html(path, 200), page, "GET {path}");
    }
}

#[test]
fn views_of_what_does_not_exist_are_404_pages() {
    let page = html("/", 200);
    for path in [
        "/roadmaps/no-such-roadmap",
        "/roadmaps/web-basics/topics/no-such-topic",
        "/roadmaps/security-checklist",
        "/best-practices/web-basics",
        "/best-practices/security-checklist/topics/internet",
        "/guides/nope",
        "/videos/nope",
        "/question-groups/nope",
        "/roadmaps/..%2F..%2Fetc/topics/passwd",
    ] {
        assert_eq!(html(path, 404), page, "GET {path}");
    }
}

#[test]
fn the_json_api_is_untouched_and_json_clients_get_406_from_the_page() {
    let roadmap = server().ok("/v1/roadmaps/web-basics");
    assert_eq!(roadmap["id"], "web-basics");
    for path in ["/", "/roadmaps/web-basics"] {
        let response = server()
            .client()
            .get(server().url(path))
            .header(header::ACCEPT, "application/json")
            .send()
            .expect("GET");
        assert_eq!(response.status().as_u16(), 406, "GET {path}");
        assert_eq!(content_type(&response), "application/problem+json");
    }
    // Unknown paths outside the views stay JSON problems.
    server().problem("/roadmaps", 404);
    server().problem("/assets/other.js", 404);
}

#[test]
fn the_page_names_no_other_host() {
    for path in ["/", "/assets/app.js", "/assets/app.css"] {
        let body = server().get(path).text().expect("body");
        assert!(
            !body.contains("://"),
            "{path} refers to another host (the page must work offline, from this server only)"
        );
        assert!(!body.contains("@import"), "{path} imports a stylesheet");
    }
}

/// The page is an example of the public API: every `/v1` path it calls is one the
/// OpenAPI document publishes.
#[test]
fn the_page_calls_only_published_api_paths() {
    let script = server().get("/assets/app.js").text().expect("script");
    let openapi = server().ok("/openapi.json");
    let published: Vec<&String> = openapi["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    let mut called = 0;
    for (start, _) in script.match_indices("/v1/") {
        let rest = &script[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '-'))
            .unwrap_or(rest.len());
        let prefix = rest[..end].trim_end_matches('/');
        if prefix == "/v1" {
            continue;
        }
        called += 1;
        assert!(
            published.iter().any(|path| path.starts_with(prefix)),
            "app.js calls {prefix}, which the OpenAPI document does not publish"
        );
    }
    assert!(called >= 4, "found only {called} API calls in app.js");
    // The content version on first paint comes from the readiness probe.
    assert!(
        published.iter().any(|p| p.as_str() == "/readyz"),
        "/readyz is not published"
    );
}
