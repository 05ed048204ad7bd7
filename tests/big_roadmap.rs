//! A pathological roadmap costs its own load only, and that load grows about linearly
//! with its size (issue 9 item 2). Generated roadmaps of 26,000 topics in both layouts,
//! a subtopic chain listed backwards, thousands of subtopics drawn on one spot, and
//! thousands of topics with one name all load, with every topic served and attached
//! where the layout rules put it. No timing is asserted here: the figures are in the
//! README (`scripts/big_roadmap.py`); a superlinear regression shows as a test that
//! takes minutes instead of seconds.

use std::path::Path;

use roadmap_api::content::{self, Roadmap};
use serde_json::{Value, json};

/// Groups of one topic and five subtopics, like `scripts/big_roadmap.py`.
const GROUPS: usize = 4_334;

fn node(id: &str, kind: &str, label: &str, x: f64, y: f64) -> Value {
    json!({"id": id, "type": kind, "position": {"x": x, "y": y},
           "width": 260, "height": 49, "data": {"label": label}})
}

fn write_roadmap(root: &Path, json: &Value) -> std::path::PathBuf {
    let dir = root.join("roadmaps/big");
    std::fs::create_dir_all(dir.join("content")).expect("mkdir");
    std::fs::write(dir.join("big.md"), "---\ntitle: 'Big'\norder: 1\n---\n").expect("md");
    std::fs::write(dir.join("big.json"), json.to_string()).expect("json");
    dir.join("content")
}

fn the_roadmap(root: &Path) -> (content::Catalog, std::sync::Arc<Roadmap>) {
    let catalog = content::load(root).expect("loads");
    let roadmap = catalog
        .roadmaps
        .iter()
        .find(|r| r.id == "big")
        .cloned()
        .expect("the big roadmap is served");
    (catalog, roadmap)
}

fn topic<'r>(roadmap: &'r Roadmap, id: &str) -> &'r content::Topic {
    let i = *roadmap
        .topic_index
        .get(id)
        .unwrap_or_else(|| panic!("topic {id} is served"));
    &roadmap.topics[i]
}

/// Every way the 2025 layout attaches a subtopic: an edge to its topic, an edge to a
/// subtopic that has one, stacked under an attached subtopic, inside a box linked to
/// the topic, and nearest to the topic.
#[test]
fn a_2025_roadmap_of_26000_topics_loads_with_every_subtopic_in_place() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut files = Vec::new();
    for g in 0..GROUPS {
        let (gx, gy) = ((g % 8) as f64 * 1400.0, (g / 8) as f64 * 600.0);
        let t = format!("t{g}");
        nodes.push(node(&t, "topic", &format!("Topic {g}"), gx, gy));
        files.push((format!("topic-{g}"), t.clone()));
        let s = |k: usize| format!("s{g}-{k}");
        nodes.push(node(
            &s(0),
            "subtopic",
            &format!("Sub {g} a"),
            gx + 400.0,
            gy,
        ));
        nodes.push(node(
            &s(1),
            "subtopic",
            &format!("Sub {g} b"),
            gx + 400.0,
            gy + 55.0,
        ));
        nodes.push(node(
            &s(2),
            "subtopic",
            &format!("Sub {g} c"),
            gx + 400.0,
            gy + 110.0,
        ));
        nodes.push(json!({"id": format!("box{g}"), "type": "section",
            "position": {"x": gx - 350.0, "y": gy + 200.0}, "width": 300, "height": 200}));
        nodes.push(node(
            &s(3),
            "subtopic",
            &format!("Sub {g} d"),
            gx - 330.0,
            gy + 220.0,
        ));
        nodes.push(node(
            &s(4),
            "subtopic",
            &format!("Sub {g} e"),
            gx,
            gy + 100.0,
        ));
        edges.push(json!({"source": t, "target": s(0)}));
        edges.push(json!({"source": s(0), "target": s(1)}));
        edges.push(json!({"source": t, "target": format!("box{g}")}));
        for k in 0..5 {
            files.push((format!("sub-{g}-{k}"), s(k)));
        }
    }
    let content = write_roadmap(root.path(), &json!({"nodes": nodes, "edges": edges}));
    for (slug, id) in &files {
        std::fs::write(
            content.join(format!("{slug}@{id}.md")),
            format!("# {slug}\n\nText of {slug}.\n"),
        )
        .expect("topic file");
    }

    let (_, roadmap) = the_roadmap(root.path());
    assert_eq!(roadmap.topics.len(), GROUPS * 6);
    assert_eq!(roadmap.roots.len(), GROUPS);
    for g in 0..GROUPS {
        let t = topic(&roadmap, &format!("t{g}"));
        assert_eq!(t.id, format!("topic-{g}"));
        assert!(t.markdown.contains(&format!("Text of topic-{g}")));
        let children: Vec<&str> = t
            .children
            .iter()
            .map(|&c| roadmap.topics[c].id.as_str())
            .collect();
        let mut want: Vec<String> = (0..5).map(|k| format!("sub-{g}-{k}")).collect();
        let mut got: Vec<String> = children.iter().map(|s| s.to_string()).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "group {g}");
        for k in 0..5 {
            let s = topic(&roadmap, &format!("s{g}-{k}"));
            assert!(s.markdown.contains(&format!("Text of sub-{g}-{k}")));
        }
    }
}

/// The 2023 layout: 26,000 named controls, their files in one folder per group.
#[test]
fn a_2023_roadmap_of_26000_controls_loads_with_every_file_found() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut controls = Vec::new();
    let mut files = Vec::new();
    for g in 0..GROUPS {
        let num = 100 + g;
        let group = format!("group-{g}");
        controls.push(json!({"properties": {"controlName": format!("{num}-{group}")}}));
        files.push(format!("{num}-{group}/index.md"));
        for k in 0..5 {
            let name = format!("{}-{group}:sub-{g}-{k}", 100 + k);
            controls.push(json!({"properties": {"controlName": name},
                "children": {"controls": {"control": [
                    {"properties": {"text": format!("Sub {g} {k}")}}]}}}));
            files.push(format!("{num}-{group}/{}-sub-{g}-{k}.md", 100 + k));
        }
    }
    let content = write_roadmap(
        root.path(),
        &json!({"mockup": {"controls": {"control": controls}}}),
    );
    for rel in &files {
        let path = content.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, format!("# {rel}\n\nText of {rel}.\n")).expect("file");
    }

    let (catalog, roadmap) = the_roadmap(root.path());
    assert_eq!(roadmap.topics.len(), GROUPS * 6);
    assert!(
        !catalog
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no content file")),
        "every control finds its file"
    );
    for g in 0..GROUPS {
        let t = topic(&roadmap, &format!("group-{g}"));
        assert_eq!(t.children.len(), 5, "group {g}");
        for k in 0..5 {
            let s = topic(&roadmap, &format!("group-{g}/sub-{g}-{k}"));
            assert_eq!(s.title, format!("Sub {g} {k}"));
            assert!(s.markdown.contains("Text of"));
            assert_eq!(
                s.parent.map(|p| roadmap.topics[p].id.as_str()),
                Some(t.id.as_str())
            );
        }
    }
}

/// Subtopics chained to their topic only through each other, listed from the far end:
/// the attachment rule used to sweep the list once per link (20,000 sweeps of 20,000
/// nodes).
#[test]
fn a_chain_listed_backwards_attaches_every_link() {
    const N: usize = 20_000;
    let root = tempfile::tempdir().expect("tempdir");
    let mut nodes = vec![node("t0", "topic", "Topic", 0.0, 0.0)];
    let mut edges = Vec::new();
    for k in (0..N).rev() {
        // Far apart, so that only the edges can attach them.
        nodes.push(node(
            &format!("s{k}"),
            "subtopic",
            &format!("Sub {k}"),
            1e4 + 1e3 * k as f64,
            1e5,
        ));
        let to = if k == 0 {
            "t0".to_string()
        } else {
            format!("s{}", k - 1)
        };
        edges.push(json!({"source": format!("s{k}"), "target": to}));
    }
    // A second topic nearer to every subtopic than t0: position alone would pick it.
    nodes.push(node("t1", "topic", "Other", 1e4, 1e5 + 100.0));
    write_roadmap(root.path(), &json!({"nodes": nodes, "edges": edges}));
    let (_, roadmap) = the_roadmap(root.path());
    assert_eq!(roadmap.topics.len(), N + 2);
    let t0 = topic(&roadmap, "t0");
    assert_eq!(t0.children.len(), N);
    assert!(topic(&roadmap, "t1").children.is_empty());
}

/// Thousands of subtopics drawn on one spot all touch each other: comparing every
/// pair is cut at the limit, with a diagnostic, and every subtopic still gets a topic.
#[test]
fn subtopics_piled_on_one_spot_stop_at_the_limit_with_a_diagnostic() {
    const N: usize = 5_000;
    let root = tempfile::tempdir().expect("tempdir");
    let mut nodes = vec![node("t0", "topic", "Topic", 0.0, 0.0)];
    for k in 0..N {
        nodes.push(node(
            &format!("s{k}"),
            "subtopic",
            "Same",
            400.0 + (k % 7) as f64,
            10.0,
        ));
    }
    write_roadmap(root.path(), &json!({"nodes": nodes, "edges": []}));
    let (catalog, roadmap) = the_roadmap(root.path());
    assert_eq!(roadmap.topics.len(), N + 1);
    assert_eq!(topic(&roadmap, "t0").children.len(), N);
    // One label for all: readable ids `same`, `same-2`, ... each once.
    let mut ids: Vec<&str> = roadmap.topics.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), N + 1);
    assert!(topic(&roadmap, "same-5000").source_id.is_some());
    let limit = catalog
        .diagnostics
        .iter()
        .find(|d| d.message.contains("pairs of overlapping boxes"))
        .expect("the limit is reported");
    assert!(limit.file.ends_with("big.json"), "{limit:?}");
}

/// A control name of a million parts is refused like a name with an empty part; its
/// neighbours load.
#[test]
fn a_control_name_of_a_million_parts_is_ignored() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut long = String::from("100-a");
    for _ in 0..1_000_000 {
        long.push_str(":a");
    }
    write_roadmap(
        root.path(),
        &json!({"mockup": {"controls": {"control": [
            {"properties": {"controlName": long}},
            {"properties": {"controlName": "101-fine"}}
        ]}}}),
    );
    let (catalog, roadmap) = the_roadmap(root.path());
    assert_eq!(roadmap.topics.len(), 1);
    assert_eq!(roadmap.topics[0].id, "fine");
    assert!(
        catalog
            .diagnostics
            .iter()
            .any(|d| d.message.contains("more than 32 parts")),
        "the long name is reported"
    );
}

/// Past 50,000 topics a roadmap's JSON is cut, with a warning (both layouts): the
/// JSON size limit alone let 216,000 one-line nodes through, 420 MB to load.
#[test]
fn topics_past_the_limit_are_left_out_with_a_diagnostic() {
    const N: usize = 50_010;
    for layout in ["2025", "2023"] {
        let root = tempfile::tempdir().expect("tempdir");
        let json = if layout == "2025" {
            let nodes: Vec<Value> = (0..N)
                .map(|i| json!({"id": format!("n{i}"), "type": if i == 0 { "topic" } else { "subtopic" }}))
                .collect();
            json!({"nodes": nodes})
        } else {
            let controls: Vec<Value> = (0..N)
                .map(|i| json!({"properties": {"controlName": format!("{}-c{i}", 100 + i)}}))
                .collect();
            json!({"mockup": {"controls": {"control": controls}}})
        };
        write_roadmap(root.path(), &json);
        let (catalog, roadmap) = the_roadmap(root.path());
        assert_eq!(roadmap.topics.len(), 50_000, "{layout}");
        assert!(
            catalog
                .diagnostics
                .iter()
                .any(|d| &*d.message == "more than 50000 topics; the 10 after them are left out"),
            "{layout}: the cut is reported"
        );
    }
}
