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

/// The `curl` lines of the README's shell blocks, as (headers, path and query).
fn curl_requests(readme: &str) -> Vec<(Vec<(String, String)>, String)> {
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
        // Arguments: quoted with '...' or bare words.
        let mut args = Vec::new();
        let mut rest = trimmed["curl ".len()..].trim();
        while !rest.is_empty() {
            if let Some(quoted) = rest.strip_prefix('\'') {
                let end = quoted.find('\'').expect("closing quote");
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
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-H" => {
                    let (name, value) = args[i + 1].split_once(':').expect("header");
                    headers.push((name.trim().to_string(), value.trim().to_string()));
                    i += 2;
                }
                arg if arg.starts_with(README_BASE) => {
                    url = Some(arg[README_BASE.len()..].to_string());
                    i += 1;
                }
                other => panic!("README curl with an argument this test does not know: {other}"),
            }
        }
        out.push((headers, url.expect("a URL on 127.0.0.1:8080")));
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
    let server = TestServer::start(Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    for (headers, path) in &requests {
        let mut request = server.client().get(server.url(path));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().expect("request");
        let status = response.status().as_u16();
        let body = response.text().unwrap_or_default();
        assert_eq!(status, 200, "README shows `{path}` {headers:?}: {body}");
        assert!(!body.is_empty(), "{path}: empty body");
    }
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
