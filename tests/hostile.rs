//! Hostile input against the real binary (`roadmap-api serve` as a child process on a
//! free loopback port, real files): each case asserts the clear answer or diagnostic,
//! and that the rest of the content stays served.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use reqwest::Method;
use reqwest::blocking::Client;

/// `roadmap-api` running as its own process, so that its memory can be measured and a
/// crash is a dead process, not a failed thread. Killed when dropped.
struct Served {
    child: Child,
    base: String,
    client: Client,
    /// Everything the process logged, in order, as it arrives.
    log: Mutex<mpsc::Receiver<String>>,
    /// What it logged before it listened.
    startup: Vec<String>,
}

impl Served {
    /// Serves `content` with `args` added to `serve --bind 127.0.0.1:0 --no-watch`.
    fn start(content: &Path, args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roadmap-api"))
            .arg("serve")
            .arg("--content")
            .arg(content)
            .args(["--bind", "127.0.0.1:0", "--no-watch", "--workers", "2"])
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start roadmap-api");
        let (tx, log) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let mut seen = Vec::new();
        let base = loop {
            match log.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    if let Some(at) = line.find("listening on http://") {
                        let rest = &line[at + "listening on ".len()..];
                        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                        break rest[..end].to_owned();
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("server never listened; it logged:\n{}", seen.join("\n"));
                }
            }
        };
        Served {
            child,
            base,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            log: Mutex::new(log),
            startup: seen,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn text(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        (status, response.text().unwrap_or_default())
    }

    /// Resident memory of the server process, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status of the server");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmRSS")
    }

    /// Log lines from the start and those received since the last call.
    fn logged(&self) -> Vec<String> {
        let mut lines = self.startup.clone();
        lines.extend(
            self.log
                .lock()
                .map(|log| log.try_iter().collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        lines
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small deterministic generator: the tests need variety, not randomness.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn word(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'A' + (self.next() % 26) as u8))
            .collect()
    }
}

/// Request series in the `/metrics` text.
fn request_series(metrics: &str) -> Vec<&str> {
    metrics
        .lines()
        .filter(|l| l.starts_with("roadmap_api_http_requests_total{"))
        .collect()
}

/// Sends `n` requests, each with a made-up method and a made-up path, from 4 threads.
fn flood(served: &Served, n: usize, seed: u64) {
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            scope.spawn(move || {
                let mut rng = Lcg(seed * 31 + t);
                for i in 0..n / 4 {
                    let method = rng.word(12);
                    let path = match i % 3 {
                        0 => format!("/{}", rng.word(16).to_lowercase()),
                        1 => format!("/v1/roadmaps/{}", rng.word(10).to_lowercase()),
                        _ => format!("/v1/{}/{}", rng.word(6), rng.word(6)),
                    };
                    let method = Method::from_bytes(method.as_bytes()).expect("token");
                    let response = served
                        .client
                        .request(method, served.url(&path))
                        .send()
                        .unwrap_or_else(|e| panic!("{path}: {e}"));
                    assert!(response.status().is_client_error(), "{path}");
                }
            });
        }
    });
}

#[test]
fn metric_labels_are_a_fixed_set_whatever_methods_and_paths_arrive() {
    let served = Served::start(&common::fixture_path("layout-2023"), &["--index", "memory"]);
    // Every kind of label value once: known routes, unknown paths, unknown methods.
    let (status, _) = served.text("/v1/roadmaps");
    assert_eq!(status, 200);
    served.text("/v1/roadmaps/nope");
    flood(&served, 400, 1);
    // A scrape is counted once answered: the first one appears in the second.
    served.text("/metrics");
    let (status, before) = served.text("/metrics");
    assert_eq!(status, 200);
    let series_before = request_series(&before).len();
    let rss_before = served.rss_kib();

    flood(&served, 20_000, 2);

    let (_, after) = served.text("/metrics");
    let series = request_series(&after);
    assert_eq!(series.len(), series_before, "{}", series.join("\n"));
    assert!(series.len() < 40, "{}", series.join("\n"));
    assert!(
        after.contains(r#"method="other""#) && after.contains(r#"endpoint="other""#),
        "{after}"
    );
    assert!(after.contains(r#"status="4xx""#), "{after}");
    // No made-up name became a label value: every method label is a standard one.
    for line in &series {
        let method = line
            .split("method=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        assert!(
            [
                "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"
            ]
            .contains(&method),
            "{line}"
        );
    }
    // Before the fix, 20,000 such requests grew the process by about 34 MB.
    let grown = served.rss_kib().saturating_sub(rss_before);
    assert!(grown < 12 * 1024, "RSS grew by {grown} KiB");
    assert!(after.len() < 64 * 1024, "/metrics is {} bytes", after.len());
    // The server still answers normally.
    assert_eq!(served.text("/v1/roadmaps").0, 200);
}

/// Writes `text` to `root/relative`, creating folders.
fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

impl Served {
    fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, text) = self.text(path);
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {text}"));
        (status, value)
    }

    /// A 400 problem naming `parameter`.
    fn rejects(&self, path: &str, parameter: &str) {
        let (status, body) = self.json(path);
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }
}

const INJECTION_TOPIC: &str = "# Injection\n\nVisible zebrafinch prose.\n\n\
<script>\nvar quokkasecret = 1;\n</script>\n\n\
More <style>.wombatstyle{color:red}</style> text with \
<script>alert('numbatinline')</script> zebrafinch.\n\n\
<STYLE type=\"text/css\">\n.potoroostyle {}\n</STYLE>\n\n\
- [@article@Scripted](javascript:alert(1))\n\
- [@article@Data](data:text/html,<b>hi</b>)\n\
- [@article@Good](https://example.com/zebrafinch)\n";

#[test]
fn script_style_and_link_schemes_never_reach_output_and_highlights_inject_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_dir(&common::fixture_path("layout-2023"), dir.path());
    write(
        dir.path(),
        "roadmaps/api-design/content/102-injection.md",
        INJECTION_TOPIC,
    );
    let served = Served::start(dir.path(), &["--index", "memory"]);

    let (status, found) = served.json("/v1/search?q=zebrafinch");
    assert_eq!(status, 200, "{found}");
    let path = found["hits"][0]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no hit: {found}"))
        .to_owned();
    // Code is not prose: not searchable, not in summaries or snippets.
    for word in [
        "quokkasecret",
        "wombatstyle",
        "numbatinline",
        "potoroostyle",
    ] {
        let (status, body) = served.json(&format!("/v1/search?q={word}"));
        assert_eq!(status, 200);
        assert_eq!(body["total"], 0, "{word}: {body}");
        let (status, _) = served.text(&format!("/v1/lookup?term={word}"));
        assert_eq!(status, 404, "{word}");
    }
    let (status, topic) = served.json(&path);
    assert_eq!(status, 200, "{topic}");
    for field in ["summary", "html"] {
        let text = topic[field].as_str().unwrap_or_default();
        for word in ["quokkasecret", "numbatinline", "<script", "<style"] {
            assert!(!text.contains(word), "{field}: {text}");
        }
    }
    // Only http(s) resources, in JSON, look-up and its markdown answer.
    let resources = topic["resources"].to_string();
    assert!(
        resources.contains("https://example.com/zebrafinch"),
        "{resources}"
    );
    assert!(
        !resources.contains("javascript:") && !resources.contains("data:"),
        "{resources}"
    );
    let (status, lookup) = served.json("/v1/lookup?term=injection");
    assert_eq!(status, 200, "{lookup}");
    let lookup = lookup.to_string();
    assert!(
        !lookup.contains("javascript:") && !lookup.contains("data:"),
        "{lookup}"
    );
    let markdown = served
        .client
        .get(served.url("/v1/lookup?term=injection"))
        .header("accept", "text/markdown")
        .send()
        .and_then(|r| r.text())
        .expect("markdown look-up");
    assert!(
        !markdown.contains("javascript:") && !markdown.contains("data:text"),
        "{markdown}"
    );
    // The dropped links are reported.
    let (_, status_doc) = served.json("/v1/status");
    let diagnostics = status_doc.to_string();
    assert!(diagnostics.contains("javascript:alert(1)"), "{diagnostics}");

    // Highlight parameters: allowed element names and their own tags, or inert text.
    for (query, parameter) in [
        ("highlight=script", "highlight"),
        ("highlight=img", "highlight"),
        ("highlight=my-element", "highlight"),
        (
            "highlightPre=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
            "highlightPre",
        ),
        ("highlightPre=%3Cscript%3E", "highlightPre"),
        ("highlightPre=%3Cem%20onclick%3Dx%3E", "highlightPre"),
        ("highlightPre=%22%20onmouseover%3D", "highlightPre"),
        ("highlightPost=%3C%2Fscript%3E", "highlightPost"),
        ("highlightPost=%3Cem%3E", "highlightPost"),
        ("highlightPost=%26lt%3B", "highlightPost"),
    ] {
        served.rejects(&format!("/v1/search?q=zebrafinch&{query}"), parameter);
    }
    for (query, pre, post) in [
        ("highlight=em", "<em>", "</em>"),
        ("highlight=strong", "<strong>", "</strong>"),
        ("highlightPre=%3Ckbd%3E", "<kbd>", "</kbd>"),
        ("highlightPost=%3C%2Fb%3E", "<b>", "</b>"),
        (
            "highlightPre=%3Cq%3E&highlightPost=%3C%2Fq%3E",
            "<q>",
            "</q>",
        ),
        ("highlightPre=%5B%5B&highlightPost=%5D%5D", "[[", "]]"),
        ("highlightPre=%C2%BB", "»", ""),
        // Each valid on its own, so valid together (the document cannot state a rule
        // between parameters): every element named is opened and closed, text outside.
        (
            "highlightPre=%3Cem%3E&highlightPost=%3C%2Fstrong%3E",
            "<em><strong>",
            "</strong></em>",
        ),
        ("highlightPre=%3Cem%3E&highlightPost=%5D", "<em>", "</em>]"),
        (
            "highlightPre=%5B&highlightPost=%3C%2Fem%3E",
            "[<em>",
            "</em>",
        ),
    ] {
        let path = format!("/v1/search?q=zebrafinch&{query}");
        let (status, body) = served.json(&path);
        assert_eq!(status, 200, "{path}: {body}");
        let snippet = body["hits"][0]["snippet"].as_str().unwrap_or_default();
        let marked = format!("{pre}zebrafinch{post}");
        assert!(
            snippet.to_lowercase().contains(&marked),
            "{path}: {snippet}"
        );
        let bare = snippet.replace(pre, "").replace(post, "");
        assert!(
            !bare.contains('<') && !bare.contains('>'),
            "{path}: {snippet}"
        );
    }
    // The rest of the content is served as before.
    assert_eq!(served.text("/v1/roadmaps/web-basics").0, 200);
}

/// `roadmap-api index --content <fixture> --index <dir>`: exit status and what it said.
fn index_command(content: &Path, dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_roadmap-api"))
        .arg("index")
        .arg("--content")
        .arg(content)
        .arg("--index")
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run roadmap-api index");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn an_index_folder_that_is_not_ours_is_refused_and_nothing_in_it_deleted() {
    let content = common::fixture_path("layout-2023");
    let dir = tempfile::tempdir().expect("tempdir");
    let theirs = [
        ("package.json", "{\"name\": \"mine\"}"),
        ("settings.json", "{}"),
        ("yarn.lock", "x"),
        ("draft.tmp", "x"),
        ("notes.idx", "x"),
        ("meta.json.bak", "x"),
    ];
    for (name, text) in theirs {
        write(dir.path(), name, text);
    }
    let (ok, said) = index_command(&content, dir.path());
    assert!(!ok, "{said}");
    assert!(said.contains("not an index folder"), "{said}");
    assert!(said.contains("package.json"), "{said}");
    // Serving there falls back to memory and still answers; nothing was touched.
    {
        let served = Served::start(&content, &["--index", &dir.path().to_string_lossy()]);
        let (status, body) = served.json("/v1/search?q=http");
        assert_eq!(status, 200);
        assert!(body["total"].as_u64().unwrap_or(0) > 0, "{body}");
        let (_, status) = served.json("/v1/status");
        assert_eq!(status["index"]["memoryFallback"], true, "{status}");
        let log = served.logged().join("\n");
        assert!(log.contains("not an index folder"), "{log}");
    }
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected: Vec<String> = theirs.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(left, expected);
    for (name, text) in theirs {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).expect("still there"),
            text
        );
    }

    // An empty folder, or one with only a README, is fine; and an index folder of ours
    // with someone's file added keeps that file across a rebuild.
    let fresh = tempfile::tempdir().expect("tempdir");
    write(fresh.path(), "README.md", "index lives here\n");
    let (ok, said) = index_command(&content, fresh.path());
    assert!(ok, "{said}");
    write(fresh.path(), "package.json", "{}");
    std::fs::write(
        fresh.path().join("roadmap-api-manifest.json"),
        "{\"schemaVersion\": 0}",
    )
    .expect("old manifest");
    let (ok, said) = index_command(&content, fresh.path());
    assert!(ok, "{said}");
    assert!(fresh.path().join("package.json").exists());
    assert!(fresh.path().join("README.md").exists());
}

/// Overwrites bytes in the middle of the largest segment file of `dir` (named
/// `<32 hex digits>.<component>`) with the same number of other bytes (the size stays,
/// so only a checksum can tell).
fn corrupt_largest_segment_file(dir: &Path) -> String {
    let segment = |p: &Path| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let (path, len) = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| segment(p))
        .map(|p| {
            let len = std::fs::metadata(&p).expect("metadata").len();
            (p, len)
        })
        .max_by_key(|(_, len)| *len)
        .expect("a segment file");
    let mut bytes = std::fs::read(&path).expect("read");
    let start = (len / 3) as usize;
    for b in &mut bytes[start..start + 64.min(len as usize / 3)] {
        *b = !*b;
    }
    std::fs::write(&path, bytes).expect("write");
    path.display().to_string()
}

#[test]
fn a_corrupted_index_is_detected_and_rebuilt_not_reused() {
    let content = common::fixture_path("layout-2023");
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, said) = index_command(&content, dir.path());
    assert!(ok, "{said}");
    let (ok, said) = index_command(&content, dir.path());
    assert!(ok && said.contains("reused"), "{said}");
    let file = corrupt_largest_segment_file(dir.path());

    let served = Served::start(&content, &["--index", &dir.path().to_string_lossy()]);
    let (_, status) = served.json("/v1/status");
    assert_eq!(status["index"]["reused"], false, "{file}: {status}");
    assert_eq!(status["index"]["memoryFallback"], false, "{status}");
    for q in ["http", "dns", "rest", "versioning", "certificates"] {
        let (code, body) = served.json(&format!("/v1/search?q={q}"));
        assert_eq!(code, 200, "{q}: {body}");
        assert!(body["total"].as_u64().unwrap_or(0) > 0, "{q}: {body}");
    }
    let log = served.logged().join("\n");
    assert!(log.contains("index on disk is corrupt"), "{log}");
    drop(served);
    // What was rebuilt verifies and is reused from then on.
    let (ok, said) = index_command(&content, dir.path());
    assert!(ok && said.contains("reused"), "{said}");
}

/// `.managed.json` is rewritten in place (not by rename): one cut short by a crash
/// fails the index's open, and the index is rebuilt, never served half-known.
#[test]
fn a_torn_list_of_managed_files_rebuilds_the_index() {
    let content = common::fixture_path("layout-2025");
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, said) = index_command(&content, dir.path());
    assert!(ok, "{said}");
    let managed = dir.path().join(".managed.json");
    let list = std::fs::read(&managed).expect("a list of managed files");
    std::fs::write(&managed, &list[..list.len() / 2]).expect("tear it");

    let served = Served::start(&content, &["--index", &dir.path().to_string_lossy()]);
    let (_, status) = served.json("/v1/status");
    assert_eq!(status["index"]["reused"], false, "{status}");
    assert_eq!(status["index"]["memoryFallback"], false, "{status}");
    let (code, body) = served.json("/v1/search?q=http");
    assert_eq!(code, 200, "{body}");
    assert!(body["total"].as_u64().unwrap_or(0) > 0, "{body}");
    drop(served);
    let (ok, said) = index_command(&content, dir.path());
    assert!(ok && said.contains("reused"), "{said}");
}
