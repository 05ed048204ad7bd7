//! Hot reload with real files and real file-system events: every way content changes
//! reaches the API and search, a broken edit keeps the last good version, the change
//! feed announces each publication, and concurrent readers never see two versions
//! mixed.
//!
//! Each test copies a fixture into a temporary folder, serves it with a watcher, edits
//! files and polls the API until it shows the change (generous timeouts: these tests
//! check correctness, not speed; the speed lives in `bench/reload.sh`).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use common::{TestServer, copy_dir};
use serde_json::Value;

use roadmap_api::api::AppState;
use roadmap_api::reload::{self, Running, WatchOptions};
use roadmap_api::search::IndexLocation;

const TIMEOUT: Duration = Duration::from_secs(20);

struct Live {
    server: TestServer,
    dir: PathBuf,
    _running: Running,
    _tmp: tempfile::TempDir,
}

/// Serves a copy of a fixture under `<tmp>/<name>` with a watcher on it.
fn live_with(poll: Option<Duration>, link: bool) -> Live {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = tmp.path().join("v1");
    copy_dir(&common::fixture_path("layout-2025"), &real);
    let dir = if link {
        let link_path = tmp.path().join("current");
        std::os::unix::fs::symlink(&real, &link_path).expect("symlink");
        link_path
    } else {
        real
    };
    let running = watching(&dir, poll);
    // Every watch is armed when `start` returns: no pause is needed before editing.
    Live {
        server: serving(&running),
        dir,
        _running: running,
        _tmp: tmp,
    }
}

/// The reload thread on `dir`, the index in memory, watched with a 50 ms debounce.
fn watching(dir: &Path, poll: Option<Duration>) -> Running {
    reload::start(
        dir,
        reload::Options {
            index: IndexLocation::Memory,
            watch: Some(WatchOptions {
                debounce: Duration::from_millis(50),
                poll,
            }),
            ..reload::Options::default()
        },
    )
    .expect("start")
}

/// A server answering from what `running` publishes.
fn serving(running: &Running) -> TestServer {
    TestServer::with_state(web::Data::new(
        AppState::with_reload(Arc::clone(&running.store), Arc::clone(&running.state))
            .expect("app state"),
    ))
}

fn live() -> Live {
    live_with(None, false)
}

/// Polls `path` until `check` accepts the JSON body (status, body).
fn eventually(server: &TestServer, path: &str, check: impl Fn(u16, &Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let response = server.get(path);
        let status = response.status().as_u16();
        let body: Value = response.json().unwrap_or(Value::Null);
        if check(status, &body) {
            return body;
        }
        assert!(
            started.elapsed() < TIMEOUT,
            "GET {path}: condition not met in {TIMEOUT:?}; last {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn topic_file(dir: &Path) -> PathBuf {
    dir.join("roadmaps/backend-lite/content/caching@tCache00001.md")
}

const TOPIC: &str = "/v1/roadmaps/backend-lite/topics/caching";

#[test]
fn an_edit_in_place_reaches_the_api_and_search() {
    let l = live();
    std::fs::write(
        topic_file(&l.dir),
        "# Caching\n\nZanzibarquux keeps hot data close to the reader.\n",
    )
    .expect("write");
    eventually(&l.server, TOPIC, |s, b| {
        s == 200
            && b["markdown"]
                .as_str()
                .unwrap_or("")
                .contains("Zanzibarquux")
    });
    eventually(&l.server, "/v1/search?q=zanzibarquux", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
}

#[test]
fn an_editor_save_by_rename_is_seen_and_swap_files_are_ignored() {
    let l = live();
    let target = topic_file(&l.dir);
    let tmp = target.with_file_name(".caching.md.swp");
    std::fs::write(&tmp, "# Caching\n\nQuokkaflux by rename.\n").expect("write");
    std::fs::write(target.with_file_name("4913"), "").expect("write");
    std::fs::write(target.with_file_name("caching.md~"), "# Backup\n").expect("write");
    std::fs::rename(&tmp, &target).expect("rename");
    eventually(&l.server, "/v1/search?q=quokkaflux", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
    // Editor junk never becomes content.
    let status = l.server.ok("/v1/status");
    let text = status.to_string();
    assert!(
        !text.contains("4913") && !text.contains("caching.md~"),
        "{text}"
    );
}

#[test]
fn delete_rename_new_and_removed_roadmap_folders() {
    let l = live();
    let content = l.dir.join("roadmaps/backend-lite/content");
    // Rename a topic file's slug: the old id goes, the new one comes.
    std::fs::rename(
        content.join("indexes@sIndex00001.md"),
        content.join("db-indexes@sIndex00001.md"),
    )
    .expect("rename");
    eventually(
        &l.server,
        "/v1/roadmaps/backend-lite/topics/db-indexes",
        |s, _| s == 200,
    );
    // Delete a roadmap folder.
    std::fs::remove_dir_all(l.dir.join("roadmaps/devops-lite")).expect("rm");
    eventually(&l.server, "/v1/roadmaps/devops-lite", |s, _| s == 404);
    // A new roadmap folder.
    let new = l.dir.join("roadmaps/fresh-map");
    std::fs::create_dir_all(new.join("content")).expect("mkdir");
    std::fs::write(
        new.join("fresh-map.md"),
        "---\ntitle: 'Fresh Map'\ndescription: 'Brand new'\norder: 9\n---\n",
    )
    .expect("write");
    std::fs::write(
        new.join("content/xylophonic-topic.md"),
        "# Xylophonic Topic\n\nAbout xylophones.\n",
    )
    .expect("write");
    eventually(&l.server, "/v1/roadmaps/fresh-map", |s, b| {
        s == 200 && b["title"] == "Fresh Map"
    });
    eventually(&l.server, "/v1/search?q=xylophonic", |_, b| {
        b["hits"][0]["title"] == "Xylophonic Topic"
    });
    // Delete a guide file.
    std::fs::remove_file(l.dir.join("guides/sql-vs-nosql.md")).expect("rm");
    eventually(&l.server, "/v1/guides/sql-vs-nosql", |s, _| s == 404);
}

#[test]
fn a_broken_edit_keeps_the_last_good_version_and_is_reported() {
    let l = live();
    let before = l.server.ok("/v1/roadmaps/backend-lite");
    let md = l.dir.join("roadmaps/backend-lite/backend-lite.md");
    std::fs::write(&md, "---\ntitle: [unclosed\n  : : bad yaml\n---\n").expect("write");
    let status = eventually(&l.server, "/v1/status", |_, b| {
        b.to_string().contains("backend-lite.md")
    });
    assert!(status["diagnostics"].is_array(), "{status}");
    let after = l.server.ok("/v1/roadmaps/backend-lite");
    assert_eq!(after["title"], before["title"]);
    // The rest of the reload goes ahead: an edit elsewhere still lands.
    std::fs::write(
        l.dir.join("guides/sql-vs-nosql.md"),
        "---\ntitle: 'SQL vs NoSQL revised'\ndate: 2024-11-02\n---\nBody.\n",
    )
    .expect("write");
    eventually(&l.server, "/v1/guides/sql-vs-nosql", |_, b| {
        b["title"] == "SQL vs NoSQL revised"
    });
    assert_eq!(
        l.server.ok("/v1/roadmaps/backend-lite")["title"],
        before["title"]
    );
}

#[test]
fn the_synonyms_file_changes_what_search_matches() {
    let l = live();
    std::fs::write(l.dir.join("synonyms.yaml"), "- [quux, caching]\n").expect("write");
    eventually(&l.server, "/v1/search?q=quux%20", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
}

#[test]
fn a_symlinked_folder_swapped_atomically_is_followed() {
    let l = live_with(None, true);
    let parent = l.dir.parent().expect("parent").to_path_buf();
    let v2 = parent.join("v2");
    copy_dir(&parent.join("v1"), &v2);
    std::fs::write(
        v2.join("roadmaps/backend-lite/content/caching@tCache00001.md"),
        "# Caching\n\nSwappedvortex content.\n",
    )
    .expect("write");
    // The ConfigMap way: a new link, renamed over the old one.
    let tmp_link = parent.join("current.tmp");
    std::os::unix::fs::symlink(&v2, &tmp_link).expect("symlink");
    std::fs::rename(&tmp_link, &l.dir).expect("swap");
    eventually(&l.server, "/v1/search?q=swappedvortex", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
}

#[test]
fn the_folder_removed_and_created_again_is_followed() {
    let l = live();
    let backup = l.dir.with_file_name("backup");
    copy_dir(&l.dir, &backup);
    std::fs::remove_dir_all(&l.dir).expect("rm");
    // While it is gone, the last snapshot stays served.
    std::thread::sleep(Duration::from_millis(500));
    l.server.ok("/v1/roadmaps/backend-lite");
    std::fs::write(
        backup.join("roadmaps/backend-lite/content/caching@tCache00001.md"),
        "# Caching\n\nPhoenixfeather returns.\n",
    )
    .expect("write");
    std::fs::rename(&backup, &l.dir).expect("restore");
    eventually(&l.server, "/v1/search?q=phoenixfeather", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
}

#[test]
fn polling_mode_sees_changes_without_events() {
    let l = live_with(Some(Duration::from_millis(200)), false);
    std::fs::write(topic_file(&l.dir), "# Caching\n\nPolledpelican text.\n").expect("write");
    eventually(&l.server, "/v1/search?q=polledpelican", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
    assert_eq!(l.server.ok("/v1/status")["reload"]["mode"], "poll");
}

#[test]
fn status_reports_version_reload_and_changes() {
    let l = live();
    let before = l.server.ok("/v1/status");
    std::fs::write(topic_file(&l.dir), "# Caching\n\nStatus edit.\n").expect("write");
    let after = eventually(&l.server, "/v1/status", |_, b| {
        b["version"] != before["version"]
    });
    assert!(
        after["reload"]["lastReloadMs"].as_f64().is_some(),
        "{after}"
    );
    let changed = after["reload"]["lastChanges"]["changed"].to_string();
    assert!(changed.contains("caching"), "{after}");
    assert!(after["counts"].is_object(), "{after}");
}

#[test]
fn the_event_stream_announces_an_edit() {
    let l = live();
    let mut stream = std::net::TcpStream::connect(l.server.addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    write!(
        stream,
        "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("request");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    // Headers.
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        if line.to_ascii_lowercase().starts_with("content-type") {
            assert!(line.contains("text/event-stream"), "{line}");
        }
        if line == "\r\n" {
            break;
        }
    }
    std::fs::write(topic_file(&l.dir), "# Caching\n\nStreamed edit.\n").expect("write");
    let started = Instant::now();
    let mut saw_id = false;
    loop {
        line.clear();
        reader.read_line(&mut line).expect("event line");
        if line.starts_with("id:") {
            saw_id = true;
        }
        if line.starts_with("data:") && line.contains("/topics/caching") {
            assert!(saw_id, "events carry an id");
            break;
        }
        assert!(started.elapsed() < TIMEOUT, "no event for the edit");
    }
}

#[test]
fn etags_give_304_and_change_only_with_the_resource() {
    let l = live();
    let first = l.server.get(TOPIC);
    let etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string();
    let again = l
        .server
        .client()
        .get(l.server.url(TOPIC))
        .header("If-None-Match", &etag)
        .send()
        .expect("request");
    assert_eq!(again.status().as_u16(), 304);
    let other = "/v1/roadmaps/backend-lite/topics/redis";
    let other_etag = l.server.get(other).headers().get("etag").cloned();
    // A search's weak tag stands for the content version: it validates until a reload.
    let search = "/v1/search?q=caching";
    let search_etag = l.server.get(search).headers().get("etag").cloned();
    assert!(search_etag.is_some());
    std::fs::write(topic_file(&l.dir), "# Caching\n\nNew text for the etag.\n").expect("write");
    eventually(&l.server, TOPIC, |_, b| {
        b["markdown"].as_str().unwrap_or("").contains("etag")
    });
    let changed = l.server.get(TOPIC);
    assert_ne!(
        changed.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    assert_eq!(
        l.server.get(other).headers().get("etag").cloned(),
        other_etag
    );
    assert_ne!(
        l.server.get(search).headers().get("etag").cloned(),
        search_etag
    );
}

#[test]
fn fifty_reloads_under_concurrent_reads_never_fail_or_mix_versions() {
    let l = live();
    let server = Arc::new(l.server);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let server = Arc::clone(&server);
        let stop = Arc::clone(&stop);
        readers.push(std::thread::spawn(move || {
            // Each search response carries the version of the snapshot that answered
            // and a hit whose text carries the edit's marker: one version, one marker.
            let mut seen: std::collections::HashMap<String, String> = Default::default();
            let mut checked = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let response = server.get("/v1/search?q=generation&type=topic");
                assert_eq!(response.status().as_u16(), 200);
                let body: Value = response.json().expect("json");
                let version = body["version"].as_str().unwrap_or("").to_string();
                let snippet = body["hits"][0]["snippet"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                let marker = snippet
                    .split_whitespace()
                    .find(|w| {
                        w.starts_with('g')
                            && w[1..].chars().all(|c| c.is_ascii_digit())
                            && w.len() > 1
                    })
                    .unwrap_or("none")
                    .to_string();
                if let Some(previous) = seen.insert(version.clone(), marker.clone()) {
                    assert_eq!(previous, marker, "version {version} served two texts");
                }
                checked += 1;
            }
            checked
        }));
    }
    for n in 0..50 {
        std::fs::write(
            topic_file(&l.dir),
            format!("# Caching\n\nGeneration g{n} marker.\n"),
        )
        .expect("write");
        eventually(&server, TOPIC, |_, b| {
            b["markdown"]
                .as_str()
                .unwrap_or("")
                .contains(&format!("g{n} "))
        });
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.join().expect("reader") > 0);
    }
    let body = server.ok("/v1/search?q=generation");
    assert!(
        body["hits"][0]["snippet"]
            .as_str()
            .unwrap_or("")
            .contains("g49")
    );
}

#[test]
fn a_burst_of_many_file_changes_is_one_rebuild() {
    let l = live();
    let before = l.server.ok("/v1/status")["reload"]["reloads"]
        .as_u64()
        .expect("reloads");
    // A `git checkout` touching 500 files.
    let content = l.dir.join("roadmaps/devops-lite/content");
    for n in 0..500 {
        std::fs::write(
            content.join(format!("{n:03}-burst-{n}.md")),
            format!("# Burst {n}\n\nBurstword{n} text.\n"),
        )
        .expect("write");
    }
    eventually(&l.server, "/v1/search?q=burstword499%20", |_, b| {
        b["total"].as_u64().unwrap_or(0) > 0
    });
    std::thread::sleep(Duration::from_millis(500));
    let after = l.server.ok("/v1/status")["reload"]["reloads"]
        .as_u64()
        .expect("reloads");
    assert!(
        after - before <= 2,
        "500 writes gave {} rebuilds",
        after - before
    );
    assert!(l.server.ok("/v1/roadmaps/devops-lite")["topicCount"].as_u64() >= Some(500));
}

/// Reads SSE frames from a raw connection until one whose `data` (or event name)
/// contains `needle`; returns the ids seen.
fn read_events(stream: std::net::TcpStream, needle: &str) -> Vec<String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut ids = Vec::new();
    let started = Instant::now();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(id) = line.strip_prefix("id:") {
            ids.push(id.trim().to_string());
        }
        if (line.starts_with("data:") || line.starts_with("event:")) && line.contains(needle) {
            break;
        }
        assert!(started.elapsed() < TIMEOUT, "no event with {needle}");
    }
    ids
}

fn resume(l: &Live, last_event_id: &str) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(l.server.addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    write!(
        stream,
        "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: {last_event_id}\r\n\r\n"
    )
    .expect("request");
    stream
}

#[test]
fn last_event_id_replays_the_events_missed() {
    let l = live();
    let mut versions = Vec::new();
    // Three edits while no client listens.
    for n in 0..3 {
        std::fs::write(
            topic_file(&l.dir),
            format!("# Caching\n\nMissed{n} edit.\n"),
        )
        .expect("write");
        eventually(&l.server, TOPIC, |_, b| {
            b["markdown"]
                .as_str()
                .unwrap_or("")
                .contains(&format!("Missed{n}"))
        });
        versions.push(
            l.server.ok("/v1/status")["version"]
                .as_str()
                .expect("version")
                .to_string(),
        );
    }
    // Resume after the first edit: the two later ones come back at once, with the
    // versions they published as ids.
    let ids = read_events(resume(&l, &versions[0]), &versions[2]);
    assert_eq!(ids, versions[1..].to_vec());
}

#[test]
fn an_unknown_last_event_id_gets_reset_and_the_current_one_nothing() {
    let l = live();
    let current = l.server.ok("/v1/status")["version"]
        .as_str()
        .expect("version")
        .to_string();
    // The reset names the version served now as its id (where to resume after
    // refetching) and says why in its data.
    let ids = read_events(resume(&l, "not-a-version-here"), "unknown-version");
    assert_eq!(ids, vec![current.clone()]);
    // Up to date (the id another replica or an earlier process gave for this same
    // content): no reset, and the next change arrives normally.
    let stream = resume(&l, &current);
    std::fs::write(topic_file(&l.dir), "# Caching\n\nUptodate edit.\n").expect("write");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let started = Instant::now();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap_or(0) > 0, "stream ended");
        assert!(
            !line.starts_with("event: reset"),
            "reset for an up-to-date client"
        );
        if line.starts_with("data:") && line.contains("caching") {
            break;
        }
        assert!(started.elapsed() < TIMEOUT, "no change event");
    }
}

#[test]
fn reading_the_folder_does_not_trigger_further_reloads() {
    let l = live();
    std::fs::write(topic_file(&l.dir), "# Caching\n\nSettledsloth text.\n").expect("write");
    eventually(&l.server, "/v1/search?q=settledsloth%20", |_, b| {
        b["total"].as_u64().unwrap_or(0) > 0
    });
    std::thread::sleep(Duration::from_millis(700));
    let reloads = |s: &TestServer| s.ok("/v1/status")["reload"]["reloads"].as_u64();
    let settled = reloads(&l.server);
    std::thread::sleep(Duration::from_millis(1500));
    // Each reload reads every file; were reads counted as changes, this would climb.
    assert_eq!(reloads(&l.server), settled);
}

/// A restart on the index folder of an earlier run serves the folder as it is now:
/// what was saved for the unchanged content, and edits made while the service was
/// stopped (a topic rewritten, a guide added), in the API and in search.
#[test]
fn a_restart_serves_what_changed_while_stopped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("content");
    copy_dir(&common::fixture_path("layout-2025"), &dir);
    let index = tmp.path().join("index");
    // Files younger than two seconds are never taken from a saved state.
    std::thread::sleep(Duration::from_millis(2_100));
    let options = || reload::Options {
        index: IndexLocation::Dir(index.clone()),
        watch: None,
        ..reload::Options::default()
    };
    let first = reload::start(&dir, options()).expect("start");
    let before = first.store.current().catalog.roadmaps.len();
    first.stop();
    assert!(
        index
            .join(roadmap_api::content::persist::FILE_NAME)
            .is_file(),
        "the loaded content is saved for the next start"
    );

    std::fs::write(
        topic_file(&dir),
        "# Caching\n\nQuokkaflux keeps hot data close to the reader.\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("guides/while-stopped.md"),
        "---\ntitle: 'Written While Stopped'\ndescription: 'x'\n---\nBody.\n",
    )
    .expect("write");
    let second = reload::start(&dir, options()).expect("start");
    let server = serving(&second);
    let topic = server.ok(TOPIC);
    assert!(
        topic["markdown"]
            .as_str()
            .unwrap_or("")
            .contains("Quokkaflux")
    );
    let found = server.ok("/v1/search?q=quokkaflux");
    assert_eq!(found["hits"][0]["title"], "Caching");
    let guide = server.ok("/v1/guides/while-stopped");
    assert_eq!(guide["title"], "Written While Stopped");
    assert_eq!(second.store.current().catalog.roadmaps.len(), before);
    let other = server.ok("/v1/roadmaps/devops-lite/topics/linux");
    assert_eq!(other["title"], "Linux");
}

/// A start that indexes thousands of documents is served from the parts its threads
/// built, and the merged index replaces them without a new version or a reload
/// counted: same answers, one segment, and edits reach it as before.
#[test]
fn a_large_start_is_merged_silently_and_keeps_reloading() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("content");
    copy_dir(&common::fixture_path("layout-2025"), &dir);
    for i in 0..2_400 {
        std::fs::write(
            dir.join(format!("guides/bulk-{i:05}.md")),
            format!("---\ntitle: 'Bulk {i:05}'\n---\nA wallaby crossed the road number {i}.\n"),
        )
        .expect("write");
    }
    let running = watching(&dir, None);
    let server = serving(&running);
    let first = server.ok("/v1/status");
    // Totals, facets and a hit that ties with no other.
    let answer = || {
        let all = server.ok("/v1/search?q=wallaby&limit=1");
        let one = server.ok("/v1/search?q=bulk+01234+wallaby&limit=1");
        (
            all["total"].clone(),
            all["facets"].clone(),
            one["hits"][0]["id"].clone(),
        )
    };
    let found = answer();
    assert_eq!(found.0, 2_400);
    assert_eq!(found.2, "bulk-01234");
    let merged = eventually(&server, "/v1/status", |_, b| b["index"]["segments"] == 1);
    assert_eq!(merged["version"], first["version"]);
    assert_eq!(merged["reload"]["reloads"], first["reload"]["reloads"]);
    assert_eq!(merged["index"]["documents"], first["index"]["documents"]);
    assert_eq!(answer(), found);

    std::fs::write(
        topic_file(&dir),
        "# Caching\n\nNumbatquux keeps hot data close to the reader.\n",
    )
    .expect("write");
    eventually(&server, "/v1/search?q=numbatquux", |_, b| {
        b["hits"][0]["title"] == "Caching"
    });
}
