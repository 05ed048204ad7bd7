//! The index on disk: built once, reused while the manifest (content version, schema
//! version, synonyms) matches, rebuilt when it does not; kept in RAM with `memory`.

mod common;

use std::path::Path;

use common::copy_dir;

use roadmap_api::content;
use roadmap_api::search::{IndexLocation, Indexer, SearchRequest};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layout-2025")
}

#[test]
fn an_index_on_disk_is_reused_while_its_manifest_matches_and_rebuilt_otherwise() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content_dir = tmp.path().join("content");
    copy_dir(&fixture(), &content_dir);
    let location = IndexLocation::Dir(tmp.path().join("index"));

    let catalog = content::load(&content_dir).expect("load");
    let (indexer, first) = Indexer::open(&location, &catalog).expect("build");
    assert!(!first.stats.reused);
    assert!(first.stats.added > 0);
    let docs = first.num_docs();
    drop((indexer, first));
    let manifest = tmp.path().join("index/roadmap-api-manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest written");
    assert!(text.contains(&catalog.version), "{text}");
    assert!(text.contains("schemaVersion"), "{text}");

    // Same content: reused as it is, and it answers.
    let (indexer, second) = Indexer::open(&location, &catalog).expect("reopen");
    assert!(second.stats.reused);
    assert_eq!(second.stats.added, 0);
    assert_eq!(second.num_docs(), docs);
    let found = second
        .search(&SearchRequest {
            q: "caching".into(),
            ..SearchRequest::default()
        })
        .expect("search");
    assert!(found.total > 0);
    drop((indexer, second));

    // Other content: rebuilt.
    std::fs::write(
        content_dir.join("guides/new-guide.md"),
        "---\ntitle: 'A Newer Guide'\ndate: 2025-02-02\n---\nText.\n",
    )
    .expect("write");
    let changed = content::load(&content_dir).expect("load");
    let (indexer, third) = Indexer::open(&location, &changed).expect("rebuild");
    assert!(!third.stats.reused);
    assert_eq!(third.num_docs(), docs + 1);
    drop((indexer, third));

    // Another schema version: rebuilt from scratch.
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text.replace("\"schemaVersion\": ", "\"schemaVersion\": 99"),
    )
    .expect("write");
    let (_, fourth) = Indexer::open(&location, &changed).expect("rebuild");
    assert!(!fourth.stats.reused);
    assert_eq!(fourth.num_docs(), docs + 1);
}

/// The index's writes are not synced: after a power loss the manifest may name the
/// new content while Tantivy's `meta.json` is still an older commit. The commit's
/// payload tells, and such an index is rebuilt, not served stale.
#[test]
fn a_manifest_newer_than_the_index_commit_is_not_trusted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content_dir = tmp.path().join("content");
    copy_dir(&fixture(), &content_dir);
    let index_dir = tmp.path().join("index");
    let location = IndexLocation::Dir(index_dir.clone());
    let catalog = content::load(&content_dir).expect("load");
    let (indexer, first) = Indexer::open(&location, &catalog).expect("build");
    let docs = first.num_docs();
    drop((indexer, first));
    let old_meta = std::fs::read(index_dir.join("meta.json")).expect("meta.json");

    std::fs::write(
        content_dir.join("guides/new-guide.md"),
        "---\ntitle: 'A Newer Guide'\ndate: 2025-02-02\n---\nText.\n",
    )
    .expect("write");
    let changed = content::load(&content_dir).expect("load");
    let (mut indexer, second) = Indexer::open(&location, &changed).expect("update");
    assert_eq!(second.num_docs(), docs + 1);
    indexer.update(&changed).expect("update");
    drop((indexer, second));
    // As if the kernel had flushed the manifest but not Tantivy's last commit.
    std::fs::write(index_dir.join("meta.json"), old_meta).expect("write");

    let (indexer, third) = Indexer::open(&location, &changed).expect("reopen");
    assert!(
        !third.stats.reused,
        "an index behind its manifest was reused"
    );
    assert_eq!(third.num_docs(), docs + 1);
    drop((indexer, third));
    let (indexer, fourth) = Indexer::open(&location, &changed).expect("reopen");
    assert!(fourth.stats.reused, "a consistent index is reused");
    drop((indexer, fourth));

    // A manifest whose commit is not the one in `meta.json`, files all present.
    let manifest = index_dir.join("roadmap-api-manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    assert!(text.contains(&changed.version), "{text}");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("json");
    value["commit"] = serde_json::json!("0000000000000000");
    std::fs::write(&manifest, value.to_string()).expect("write");
    let (_, fifth) = Indexer::open(&location, &changed).expect("reopen");
    assert!(
        !fifth.stats.reused,
        "a manifest naming another commit was trusted"
    );
}

#[test]
fn an_incremental_update_touches_only_what_changed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content_dir = tmp.path().join("content");
    copy_dir(&fixture(), &content_dir);
    let catalog = content::load(&content_dir).expect("load");
    let (mut indexer, first) = Indexer::open(&IndexLocation::Memory, &catalog).expect("build");
    let docs = first.num_docs();
    std::fs::write(
        content_dir.join("roadmaps/backend-lite/content/caching@tCache00001.md"),
        "# Caching\n\nIncremental wombat.\n",
    )
    .expect("write");
    let catalog = content::load(&content_dir).expect("load");
    let second = indexer.update(&catalog).expect("update");
    assert_eq!((second.stats.added, second.stats.deleted), (1, 1));
    assert_eq!(second.num_docs(), docs);
    let changes = second.changes_since(&first);
    assert_eq!(changes.changed.len(), 1, "{changes:?}");
    assert!(changes.added.is_empty() && changes.removed.is_empty());
    // The old searcher still answers from its own version.
    let old = first
        .search(&SearchRequest {
            q: "wombat ".into(),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(old.total, 0);
    let new = second
        .search(&SearchRequest {
            q: "wombat ".into(),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(&*new.hits[0].title, "Caching");
    // Nothing changed: nothing re-indexed.
    let third = indexer.update(&catalog).expect("update");
    assert_eq!((third.stats.added, third.stats.deleted), (0, 0));
}

/// How many documents `q` finds in `search`.
fn total(search: &roadmap_api::search::SearchIndex, q: &str) -> usize {
    search
        .search(&SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        })
        .expect("search")
        .total
}

/// Deletes go by the indexed version, not by the key: an edit, its undo, an edit of
/// two documents at once and a removal each leave exactly the current versions.
#[test]
fn edits_undos_and_removals_leave_exactly_the_current_versions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content_dir = tmp.path().join("content");
    copy_dir(&fixture(), &content_dir);
    let file = content_dir.join("roadmaps/backend-lite/content/caching@tCache00001.md");
    let original = std::fs::read_to_string(&file).expect("read");
    let catalog = content::load(&content_dir).expect("load");
    let (mut indexer, first) = Indexer::open(&IndexLocation::Memory, &catalog).expect("build");
    let docs = first.num_docs();
    std::fs::write(&file, "# Caching\n\nA bilby caches.\n").expect("write");
    let edited = indexer
        .update(&content::load(&content_dir).expect("load"))
        .expect("update");
    assert_eq!((edited.num_docs(), total(&edited, "bilby")), (docs, 1));
    // Back to the first version, whose id was deleted one update ago.
    std::fs::write(&file, &original).expect("write");
    let undone = indexer
        .update(&content::load(&content_dir).expect("load"))
        .expect("update");
    assert_eq!((undone.num_docs(), total(&undone, "bilby")), (docs, 0));
    assert_eq!(total(&undone, "caching"), total(&first, "caching"));
    // Two documents in one update, then one of them removed.
    let other = content_dir.join("roadmaps/backend-lite/content/databases@tDb00000001.md");
    std::fs::write(&file, "# Caching\n\nA bilby caches.\n").expect("write");
    std::fs::write(&other, "# Databases\n\nA bilby stores.\n").expect("write");
    let both = indexer
        .update(&content::load(&content_dir).expect("load"))
        .expect("update");
    assert_eq!((both.stats.added, both.stats.deleted), (2, 2));
    assert_eq!((both.num_docs(), total(&both, "bilby")), (docs, 2));
    // The file gone, the topic stays on its roadmap with its title only.
    std::fs::remove_file(&file).expect("remove");
    let removed = indexer
        .update(&content::load(&content_dir).expect("load"))
        .expect("update");
    assert_eq!((removed.num_docs(), total(&removed, "bilby")), (docs, 1));
}

#[test]
fn an_unusable_index_folder_falls_back_to_memory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A file where the index folder should be.
    let blocker = tmp.path().join("index");
    std::fs::write(&blocker, "not a folder").expect("write");
    let (_reloader, store, _state) = roadmap_api::reload::Reloader::start(
        &fixture(),
        &IndexLocation::Dir(blocker),
        content::Limits::default(),
    )
    .expect("serves anyway");
    assert!(store.current().search.num_docs() > 0);
}

#[test]
fn a_new_synonyms_file_rebuilds_the_index_and_changes_matching() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content_dir = tmp.path().join("content");
    copy_dir(&fixture(), &content_dir);
    let catalog = content::load(&content_dir).expect("load");
    let (mut indexer, first) = Indexer::open(&IndexLocation::Memory, &catalog).expect("build");
    let query = SearchRequest {
        q: "zorblax ".into(),
        ..SearchRequest::default()
    };
    assert_eq!(first.search(&query).expect("search").total, 0);
    std::fs::write(content_dir.join("synonyms.yaml"), "- [zorblax, caching]\n").expect("write");
    let catalog = content::load(&content_dir).expect("load");
    let second = indexer.update(&catalog).expect("update");
    assert_eq!(
        second.stats.added as u64,
        second.num_docs(),
        "every document re-added"
    );
    assert_eq!(
        &*second.search(&query).expect("search").hits[0].title,
        "Caching"
    );
}

/// Content of `n` guides whose texts match "quokka" alike: every hit of it ties on
/// every ranking rule, so their order is the index's document order.
fn many_guides(dir: &Path, n: usize) {
    let guides = dir.join("guides");
    std::fs::create_dir_all(&guides).expect("mkdir");
    for i in 0..n {
        std::fs::write(
            guides.join(format!("guide-{i:05}.md")),
            format!(
                "---\ntitle: 'Guide {i:05}'\ndate: 2025-01-01\n---\n\
                 The quokka lives on an island near the coast.\n"
            ),
        )
        .expect("write");
    }
}

fn quokka_order(search: &roadmap_api::search::SearchIndex) -> Vec<String> {
    let found = search
        .search(&SearchRequest {
            q: "quokka".into(),
            limit: 10_000,
            ..SearchRequest::default()
        })
        .expect("search");
    found.hits.into_iter().map(|h| h.id.to_string()).collect()
}

/// A whole build is indexed on every core into a segment per core, served at once,
/// and merged into one segment afterwards, in the content's order whichever thread
/// indexed which part.
#[test]
fn a_large_build_is_indexed_in_parts_served_at_once_and_merged_in_content_order() {
    let tmp = tempfile::tempdir().expect("tempdir");
    many_guides(tmp.path(), 2_400);
    let catalog = content::load(tmp.path()).expect("load");
    let expected: Vec<String> = catalog.guides.iter().map(|g| g.slug.clone()).collect();
    assert_eq!(expected.len(), 2_400);
    let location = IndexLocation::Dir(tmp.path().join("index"));
    let (mut indexer, parts) = Indexer::open(&location, &catalog).expect("build");
    assert_eq!(parts.num_docs(), 2_400);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores > 1 && std::env::var_os("RAYON_NUM_THREADS").is_none() {
        assert!(
            parts.segments() > 1,
            "a build from scratch on {cores} cores was indexed by one thread"
        );
        assert!(indexer.merging(), "no merge was started");
    }
    // Served from its parts, every document answers (their order among ties is the
    // parts' order, which Tantivy keeps by size: settled by the merge).
    let mut before = quokka_order(&parts);
    before.sort();
    assert_eq!(before, expected);

    let merged = indexer
        .finish_merge(&catalog, parts.stats)
        .expect("merge")
        .unwrap_or(parts);
    assert_eq!(merged.segments(), 1);
    assert!(!indexer.merging());
    assert_eq!(merged.num_docs(), 2_400);
    assert!(
        quokka_order(&merged) == expected,
        "hits tied on every rule are not in content order"
    );
    drop((indexer, merged));

    // The merged index is what the folder keeps: reused as it is on the next start.
    let (_, reopened) = Indexer::open(&location, &catalog).expect("reopen");
    assert!(reopened.stats.reused);
    assert_eq!(reopened.segments(), 1);
    assert!(quokka_order(&reopened) == expected);
}

/// A large update that replaces documents already indexed (a checkout rewriting
/// thousands of files) goes through the parallel path too: the old versions are
/// deleted, and only them.
#[test]
fn a_large_update_replaces_every_document_it_changes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    many_guides(tmp.path(), 1_500);
    let catalog = content::load(tmp.path()).expect("load");
    let (mut indexer, _) = Indexer::open(&IndexLocation::Memory, &catalog).expect("build");
    for i in 0..1_200 {
        std::fs::write(
            tmp.path().join(format!("guides/guide-{i:05}.md")),
            format!("---\ntitle: 'Guide {i:05}'\ndate: 2025-01-01\n---\nA numbat digs here.\n"),
        )
        .expect("write");
    }
    let changed = content::load(tmp.path()).expect("load");
    let updated = indexer.update(&changed).expect("update");
    assert_eq!((updated.stats.added, updated.stats.deleted), (1_200, 1_200));
    assert_eq!(updated.num_docs(), 1_500);
    assert_eq!(total(&updated, "numbat"), 1_200);
    assert_eq!(total(&updated, "quokka"), 300);
    let merged = indexer
        .finish_merge(&changed, updated.stats)
        .expect("merge")
        .unwrap_or(updated);
    assert_eq!(total(&merged, "numbat"), 1_200);
    assert_eq!(total(&merged, "quokka"), 300);
    assert_eq!(merged.num_docs(), 1_500);
}
