//! The README is true on the first try (issue 11 item 9): every `curl` it shows answers
//! 200 from a real server on the bundled `content/`, with the headers it shows, and the
//! endpoint table has no paragraph cutting it in two.

mod common;

use std::path::Path;

use common::TestServer;

const README_BASE: &str = "http://127.0.0.1:8080";

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// A `curl` line of the README.
struct Curl {
    method: String,
    headers: Vec<(String, String)>,
    /// Path and query.
    path: String,
}

/// The token the README's admin example reads from the environment.
const TOKEN_VARIABLE: &str = "$ROADMAP_API_ADMIN_TOKEN";

/// The `curl` lines of the README's shell blocks.
fn curl_requests(readme: &str) -> Vec<Curl> {
    let mut out = Vec::new();
    let mut in_shell = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_shell = !in_shell && (trimmed == "```sh" || trimmed == "```bash");
            continue;
        }
        if !in_shell || !trimmed.starts_with("curl ") {
            continue;
        }
        // Arguments: quoted with '...' or "..." or bare words.
        let mut args = Vec::new();
        let mut rest = trimmed["curl ".len()..].trim();
        while !rest.is_empty() {
            let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"');
            if let Some(quote) = quote {
                let quoted = &rest[1..];
                let end = quoted.find(quote).expect("closing quote");
                args.push(quoted[..end].to_string());
                rest = quoted[end + 1..].trim_start();
            } else {
                let end = rest.find(' ').unwrap_or(rest.len());
                args.push(rest[..end].to_string());
                rest = rest[end..].trim_start();
            }
        }
        let mut headers = Vec::new();
        let mut url = None;
        let mut method = String::from("GET");
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-H" => {
                    let (name, value) = args[i + 1].split_once(':').expect("header");
                    headers.push((name.trim().to_string(), value.trim().to_string()));
                    i += 2;
                }
                "-X" => {
                    method = args[i + 1].clone();
                    i += 2;
                }
                arg if arg.starts_with(README_BASE) => {
                    url = Some(arg[README_BASE.len()..].to_string());
                    i += 1;
                }
                other => panic!("README curl with an argument this test does not know: {other}"),
            }
        }
        out.push(Curl {
            method,
            headers,
            path: url.expect("a URL on 127.0.0.1:8080"),
        });
    }
    out
}

#[test]
fn every_request_the_readme_shows_answers_200_on_the_bundled_content() {
    let readme = readme();
    let requests = curl_requests(&readme);
    assert!(
        requests.len() >= 8,
        "only {} curl lines found",
        requests.len()
    );
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let server = TestServer::start(&content);
    // The admin example needs a server with a token and a reload thread, as `serve
    // --admin-token` runs.
    let token = "readme-example-token-0123456789";
    let (admin, running) = TestServer::reloading(&content, Some(token));
    for Curl {
        method,
        headers,
        path,
    } in &requests
    {
        let (server, expected) = match method.as_str() {
            "GET" => (&server, 200),
            "POST" => (&admin, 202),
            other => panic!("README curl with method {other}"),
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = server.client().request(method, server.url(path));
        for (name, value) in headers {
            request = request.header(name, value.replace(TOKEN_VARIABLE, token));
        }
        let response = request.send().expect("request");
        let status = response.status().as_u16();
        let body = response.text().unwrap_or_default();
        assert_eq!(
            status, expected,
            "README shows `{path}` {headers:?}: {body}"
        );
        assert!(!body.is_empty(), "{path}: empty body");
    }
    drop(running);
}

#[test]
fn tables_are_not_cut_by_paragraphs() {
    // A table row right after a paragraph line renders as text, not as a row.
    let readme = readme();
    let lines: Vec<&str> = readme.lines().collect();
    for pair in lines.windows(2) {
        let (before, row) = (pair[0].trim(), pair[1].trim());
        if row.starts_with('|') {
            assert!(
                before.is_empty() || before.starts_with('|'),
                "a table row follows a paragraph line:\n{before}\n{row}"
            );
        }
    }
}
