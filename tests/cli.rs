//! The command line as an operator meets it: the real binary, real folders, real
//! output. `check` on a folder without content, `index` on a folder another process
//! holds, and what `serve` logs at start-up.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_roadmap-api");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run roadmap-api");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_on_a_folder_without_content_says_where_it_is_expected_and_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_str().expect("utf-8 path");
    let (ok, _, stderr) = run(&["check", dir]);
    assert!(!ok, "check on an empty folder must exit non-zero");
    assert!(stderr.contains("no content in"), "{stderr}");
    assert!(stderr.contains("roadmaps/"), "{stderr}");
    assert!(stderr.contains("src/data"), "{stderr}");
}

#[test]
fn check_on_a_checkout_root_names_its_src_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("src").join("data");
    common::copy_dir(&common::fixture_path("layout-2025"), &data);
    let root = tmp.path().to_str().expect("utf-8 path");
    let (ok, _, stderr) = run(&["check", root]);
    assert!(!ok, "check on a checkout's root must exit non-zero");
    assert!(
        stderr.contains(&format!("whose content is in {}", data.display())),
        "{stderr}"
    );
    // The folder it names is the one that works.
    let (ok, stdout, stderr) = run(&["check", data.to_str().expect("utf-8 path")]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("roadmaps             3"), "{stdout}");
}

#[test]
fn index_on_a_folder_in_use_gets_a_plain_message() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let index_arg = index.to_str().expect("utf-8 path");
    let content = common::fixture_path("layout-2025");
    let content_arg = content.to_str().expect("utf-8 path");
    let (ok, stdout, stderr) = run(&["index", "--content", content_arg, "--index", index_arg]);
    assert!(ok, "{stdout}{stderr}");
    // Hold the writer lock the way a running `serve` does.
    let held = tantivy::Index::open_in_dir(&index).expect("open index");
    let _writer: tantivy::IndexWriter = held.writer(15_000_000).expect("take the writer lock");
    let (ok, _, stderr) = run(&["index", "--content", content_arg, "--index", index_arg]);
    assert!(
        !ok,
        "index must fail while another process holds the folder"
    );
    assert!(stderr.contains("is in use by another process"), "{stderr}");
    assert!(!stderr.contains("LockBusy"), "{stderr}");
}

/// Runs `serve` on `content` and returns its log up to the line saying where it
/// listens (the process is killed then).
fn serve_log(content: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--index",
            "memory",
            "--no-watch",
        ])
        .arg("--content")
        .arg(content)
        .current_dir(tmp.path())
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let listening = line.contains("listening on http://");
            if tx.send(line).is_err() || listening {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        let listening = line.contains("listening on http://");
        lines.push(line);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines.iter().any(|l| l.contains("listening on http://")),
        "serve never said where it listens:\n{}",
        lines.join("\n")
    );
    lines
}

#[test]
fn serve_logs_a_summary_per_severity_and_only_the_first_diagnostics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    common::copy_dir(&common::fixture_path("layout-2025"), tmp.path());
    // Twelve more warnings: content files the roadmap's JSON does not reference.
    let content_dir = tmp.path().join("roadmaps/backend-lite/content");
    for n in 0..12 {
        std::fs::write(
            content_dir.join(format!("extra-{n}@extra{n:07}.md")),
            format!("# Extra {n}\n\nNot in the chart.\n"),
        )
        .expect("write");
    }
    let log = serve_log(tmp.path());
    let text = log.join("\n");
    let warnings_summary = log
        .iter()
        .filter(|l| l.contains("17 content diagnostics of severity warning"))
        .count();
    assert_eq!(warnings_summary, 1, "{text}");
    assert!(text.contains("first 5 below"), "{text}");
    assert!(
        text.contains("1 content diagnostics of severity error"),
        "{text}"
    );
    assert!(
        text.contains("1 content diagnostics of severity info"),
        "{text}"
    );
    let listed = log
        .iter()
        .filter(|l| l.contains("content file is not referenced") || l.contains(": warning: "))
        .count();
    assert_eq!(
        listed, 5,
        "only the first five warnings are listed:\n{text}"
    );
    // The info diagnostic itself stays at debug.
    assert!(!text.contains("has no `# Title` heading"), "{text}");
}

#[test]
fn serve_on_a_folder_without_content_says_where_content_is_expected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = serve_log(tmp.path()).join("\n");
    assert!(log.contains("no content in"), "{log}");
}

#[test]
fn settings_come_from_flags_then_environment_then_file_then_defaults() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("roadmap-api.toml");
    std::fs::write(
        &file,
        "bind = \"0.0.0.0:1\"\nsearch-cache = 9\npoll = 100\nindex = \"memory\"\n",
    )
    .expect("write");
    let out = Command::new(BIN)
        .args(["config", "--poll", "7", "--config"])
        .arg(&file)
        .env("ROADMAP_API_BIND", "127.0.0.1:2")
        .env("ROADMAP_API_POLL_MS", "55")
        .env_remove("ROADMAP_API_SEARCH_CACHE")
        .env_remove("ROADMAP_API_INDEX")
        .env_remove("ROADMAP_API_CONTENT")
        .env_remove("RUST_LOG")
        .output()
        .expect("run config");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for line in [
        "poll = 7  # flag",
        "bind = \"127.0.0.1:2\"  # environment",
        "search-cache = 9  # file",
        "index = \"memory\"  # file",
        "content = \"content\"  # default",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
}

#[test]
fn the_readme_lists_every_setting_with_its_environment_variable() {
    let (ok, help, stderr) = run(&["serve", "--help"]);
    assert!(ok, "{stderr}");
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `--")).collect();
    let mut settings = 0;
    for line in help.lines().map(str::trim) {
        let Some(flag) = line.strip_prefix("--") else {
            continue;
        };
        let flag = flag.split_whitespace().next().unwrap_or_default();
        let row = rows
            .iter()
            .find(|row| row.starts_with(&format!("| `--{flag}`")));
        assert!(row.is_some(), "README's configuration table lacks --{flag}");
        settings += 1;
    }
    // Each `[env: NAME=...]` of the help names a variable the table shows.
    for env in help.split("[env: ").skip(1) {
        let name = env.split(['=', ']']).next().unwrap_or_default();
        assert!(
            rows.iter().any(|row| row.contains(&format!("`{name}`"))),
            "README's configuration table lacks {name}"
        );
    }
    assert!(
        settings >= 10,
        "parsed only {settings} options from:\n{help}"
    );
}
