//! Property tests (proptest) of the invariants of issue 9 item 9, over the real
//! loader, a real Tantivy index and the real HTTP server on loopback:
//!
//! - any folder loads without panicking (and what loads, indexes);
//! - paging never repeats or skips a hit: pages of any size, joined, are the one big
//!   page, for any query and filter;
//! - every hit is reachable: the path of each hit answers 200.
//!
//! Case counts are modest so that `cargo test` stays quick; a failing case is shrunk
//! and printed by proptest.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use roadmap_api::content;
use roadmap_api::search::SearchIndex;
use serde_json::Value;

use common::TestServer;

/// One server over the 2025 fixture for every case (started once, on 127.0.0.1:0).
fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::fixture("layout-2025"))
}

/// Words of the fixture (titles, text) and odd input, one to three of them.
fn query() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        4 => prop::sample::select(vec![
            "api", "rest", "http", "docker", "kubernetes", "git", "database", "sql",
            "cache", "security", "test", "devops", "backend", "linux", "cloud", "what",
            "is", "how", "the", "auth", "jwt", "ci", "node", "go", "web", "a", "e",
        ])
        .prop_map(str::to_string),
        1 => "[a-z]{1,6}",
        1 => "[a-z+#.*\"'-]{1,4}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ];
    (prop::collection::vec(word, 1..4), any::<bool>())
        .prop_map(|(words, space)| words.join(" ") + if space { " " } else { "" })
}

/// The hits of one search request over HTTP, each as `kind id path`, and the total.
fn hits(q: &str, kind: Option<&str>, limit: usize, offset: usize) -> (Vec<String>, u64) {
    let mut params = vec![
        ("q", q.to_string()),
        ("limit", limit.to_string()),
        ("offset", offset.to_string()),
    ];
    if let Some(kind) = kind {
        params.push(("type", kind.to_string()));
    }
    let query = serde_urlencoded::to_string(&params).expect("encodes");
    let response = server().get(&format!("/v1/search?{query}"));
    assert_eq!(response.status().as_u16(), 200, "{q:?}");
    let body: Value = response.json().expect("json");
    let total = body["total"].as_u64().expect("total");
    let paths = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            // The FAQ entries of a roadmap share one path; the id tells them apart.
            format!(
                "{} {} {}",
                h["kind"],
                h["id"],
                h["path"].as_str().expect("path")
            )
        })
        .collect();
    (paths, total)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Pages of `size` from offset 0 up to the end of the big page, joined, are the
    /// big page: nothing repeated, nothing skipped, the same order, the same total.
    #[test]
    fn paging_never_repeats_or_skips_a_hit(
        q in query(),
        size in 1usize..8,
        kind in prop::option::of(prop::sample::select(vec!["topic", "roadmap", "guide", "question"])),
    ) {
        let (all, total) = hits(&q, kind, 100, 0);
        prop_assert!(all.len() as u64 <= total);
        let mut joined = Vec::new();
        let mut offset = 0;
        while offset < all.len() {
            let (page, page_total) = hits(&q, kind, size, offset);
            prop_assert_eq!(page_total, total, "total moves between pages of {:?}", q);
            prop_assert!(!page.is_empty(), "empty page at {} of {}", offset, all.len());
            joined.extend(page);
            offset += size;
        }
        joined.truncate(all.len());
        prop_assert_eq!(&joined, &all, "pages of {} differ from one page for {:?}", size, q);
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), all.len(), "a hit repeats for {:?}: {:?}", q, all);
    }

    /// Every hit's path is a resource the API serves.
    #[test]
    fn every_hit_is_reachable_at_its_path(q in query()) {
        let (hits, _) = hits(&q, None, 20, 0);
        for hit in hits {
            let path = hit.rsplit(' ').next().unwrap_or_default();
            let status = server().get(path).status().as_u16();
            prop_assert_eq!(status, 200, "{} (hit of {:?})", path, q);
        }
    }
}

/// A file of a content folder: where it sits and what it holds.
fn file() -> impl Strategy<Value = (String, String)> {
    let place = prop::sample::select(vec![
        "roadmaps/r/r.md",
        "roadmaps/r/r.json",
        "roadmaps/r/faqs.astro",
        "roadmaps/r/faqs.yaml",
        "roadmaps/r/content/a@n1.md",
        "roadmaps/r/content/100-a/index.md",
        "roadmaps/r/content/100-a/101-b.md",
        "roadmaps/s/s.json",
        "roadmaps/s/content/x",
        "best-practices/b/b.md",
        "best-practices/b/b.json",
        "question-groups/q/q.md",
        "guides/g.md",
        "videos/v.md",
        "synonyms.yaml",
    ]);
    let text = prop_oneof![
        // Shapes of the real formats, with holes and odd values.
        Just("---\ntitle: 'T'\nrelatedRoadmaps:\n  - r\n  - nope\n---\nbody".to_string()),
        Just("---\ntitle: [unclosed\n---\n".to_string()),
        Just("---\nquestions:\n  - question: Q?\n    answer: a.md\n    topics: [x]\n---\n".to_string()),
        Just(r#"{"nodes":[{"id":"n1","type":"topic","position":{"x":0,"y":0},"data":{"label":"A"}},{"id":"n2","type":"subtopic","position":{"x":"1e308","y":-1e308},"width":-5,"data":{}}],"edges":[{"source":"n2","target":"n2"},{"source":"n1"}]}"#.to_string()),
        Just(r#"{"mockup":{"controls":{"control":[{"properties":{"controlName":"100-a"}},{"properties":{"controlName":"101-a:b"}},{"properties":{"controlName":"::"}}]}}}"#.to_string()),
        Just("---\nexport const faqs = [{question: 'q', answer: [`a ${x}`]},];\n---\n".to_string()),
        Just("# Title\n\nText.\n\n- [@article@x](javascript:alert(1))\n- [@video@y](https://e.com)\n".to_string()),
        Just("- [k8s, kubernetes]\n- 42\n".to_string()),
        "[\\[\\]{}:,\"'a-z0-9 \n@#>-]{0,200}",
        any::<String>().prop_map(|s| s.chars().take(300).collect()),
    ];
    (place.prop_map(str::to_string), text)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 40,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Property: any folder loads without panicking, and what loads indexes.
    #[test]
    fn any_folder_loads_without_panicking(files in prop::collection::vec(file(), 0..12)) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (rel, text) in &files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        }
        if let Ok(catalog) = content::load(dir.path()) {
            for r in catalog.roadmaps.iter().chain(&catalog.best_practices) {
                for (i, t) in r.topics.iter().enumerate() {
                    prop_assert_eq!(r.topic_index.get(&t.id), Some(&i));
                    prop_assert!(t.parent.is_none_or(|p| p < i), "a parent comes first");
                }
            }
            SearchIndex::build(&catalog).expect("what loads, indexes");
        }
    }
}
