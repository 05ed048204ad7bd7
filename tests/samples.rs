//! Checks against the real roadmap.sh samples in `../shared/samples` (a slice of the
//! upstream repository, not shipped with the project). Each test skips with a note
//! when the samples are not there, so the suite still passes on a bare checkout.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use roadmap_api::content::{self, Catalog, Layout, Roadmap, Severity};
use serde_json::Value;

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no samples at {}", dir.display());
        None
    }
}

fn data(generation: &str) -> Option<PathBuf> {
    let dir = samples()?.join(generation).join("src/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no {}", dir.display());
        None
    }
}

fn roadmap<'c>(c: &'c Catalog, id: &str) -> &'c Roadmap {
    c.roadmaps
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no roadmap {id}"))
}

fn report(name: &str, c: &Catalog) {
    eprintln!(
        "{name}: {} roadmaps, {} best practices, {} guides, {} videos, {} question groups, {} diagnostics ({} errors), version {}",
        c.roadmaps.len(),
        c.best_practices.len(),
        c.guides.len(),
        c.videos.len(),
        c.question_groups.len(),
        c.diagnostics.len(),
        c.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        c.version
    );
    for r in c.roadmaps.iter().chain(&c.best_practices) {
        let prefix = r.file.parent().unwrap_or(Path::new(""));
        let diags = c
            .diagnostics
            .iter()
            .filter(|d| d.file.starts_with(prefix))
            .count();
        eprintln!(
            "  {:<20} {:?} {:?}: {} topics, {} FAQs, {} related, {} diagnostics",
            r.id,
            r.kind,
            r.layout,
            r.topics.len(),
            r.faqs.len(),
            r.related.len(),
            diags
        );
    }
}

#[test]
fn backend_2023_counts_faqs_and_related() {
    let Some(root) = data("roadmapsh-2023") else {
        return;
    };
    let c = content::load(&root).expect("2023 sample loads");
    report("2023", &c);
    let r = roadmap(&c, "backend");
    assert_eq!(r.layout, Layout::Mockup2023);
    assert_eq!(r.topics.len(), 141);

    // The page's FAQ: the intro question first, then the four of faqs.astro.
    let mut faq: Vec<&str> = Vec::new();
    faq.extend(r.question.as_ref().map(|q| q.title.as_str()));
    faq.extend(r.faqs.iter().map(|f| f.question.as_str()));
    assert_eq!(faq.len(), 5);
    assert_eq!(faq[0], "What is Backend Development?");
    assert_eq!(faq[1], "How to become a Backend Developer?");
    assert!(
        r.faqs[3].answer[1].contains("don't feel overwhelmed"),
        "escaped quote kept: {:?}",
        r.faqs[3].answer
    );

    let related: Vec<&str> = r.related.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        related,
        [
            "docker",
            "full-stack",
            "system-design",
            "python",
            "java",
            "golang",
            "devops",
            "javascript",
            "nodejs",
            "postgresql-dba"
        ]
    );
    let go = &r.related[5];
    assert_eq!(go.brief_title, "Go");
    assert_eq!(
        go.brief_description,
        "Step by step guide to becoming a Go developer in 2023"
    );
    assert!(r.related.iter().all(|x| !x.brief_title.is_empty()));
    assert!(r.related.iter().all(|x| !x.brief_description.is_empty()));
}

#[test]
fn backend_2023_tree_and_ids() {
    let Some(root) = data("roadmapsh-2023") else {
        return;
    };
    let c = content::load(&root).expect("2023 sample loads");
    let r = roadmap(&c, "backend");
    // Control names: 145, of which 4 are `ext_link:`.
    let with_source = r.topics.iter().filter(|t| t.source_id.is_some()).count();
    assert_eq!(with_source, 141);
    assert_eq!(r.topics[0].id, "internet");
    assert_eq!(r.topics[1].id, "internet/how-does-the-internet-work");
    let jwt = r.topic_index["apis/authentication/jwt"];
    assert_eq!(r.topic_index["104-apis:authentication:jwt"], jwt);
    let jwt = &r.topics[jwt];
    assert_eq!(jwt.title, "JWT");
    assert_eq!(jwt.depth, 2);
    let parent = jwt.parent.map(|p| r.topics[p].id.as_str());
    assert_eq!(parent, Some("apis/authentication"));
    assert!(!jwt.resources.is_empty());
    assert!(jwt.resources.iter().all(|x| x.kind == "link"));
    // The JSON numbers `git` 100 while its file is `101-git.md`: matched by slug.
    let git = &r.topics[r.topic_index["version-control-systems/git"]];
    assert!(git.file.as_ref().is_some_and(|f| f.ends_with("101-git.md")));
    // Every topic has its file in this sample.
    assert!(r.topics.iter().all(|t| t.file.is_some()));
    // Groups come before their children, depth-first.
    for (i, t) in r.topics.iter().enumerate() {
        if let Some(p) = t.parent {
            assert!(p < i);
        }
    }
}

#[test]
fn backend_2025_one_topic_per_node() {
    let Some(root) = data("roadmapsh-2025") else {
        return;
    };
    let c = content::load(&root).expect("2025 sample loads");
    report("2025", &c);
    let r = roadmap(&c, "backend");
    assert_eq!(r.layout, Layout::Graph2025);

    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("roadmaps/backend/backend.json")).expect("json"),
    )
    .expect("valid json");
    let node_ids: HashSet<&str> = json["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| matches!(n["type"].as_str(), Some("topic" | "subtopic")))
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert_eq!(node_ids.len(), 137);
    assert_eq!(r.topics.len(), 137);
    let topic_sources: HashSet<&str> = r
        .topics
        .iter()
        .filter_map(|t| t.source_id.as_deref())
        .collect();
    assert_eq!(topic_sources, node_ids);
    assert_eq!(r.roots.len(), 21);
    assert!(r.topics.iter().all(|t| t.depth <= 1));

    // Every content file is matched to a node.
    let files = std::fs::read_dir(root.join("roadmaps/backend/content"))
        .expect("content")
        .count();
    assert_eq!(files, 137);
    assert!(r.topics.iter().all(|t| t.file.is_some()));
    let unmatched = c
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("not referenced"))
        .count();
    assert_eq!(unmatched, 0);

    // Two files are called `redis@...`: the second one gets a suffix.
    assert!(r.topic_index.contains_key("redis"));
    assert!(r.topic_index.contains_key("redis-2"));
    let ids: HashSet<&str> = r.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), 137);

    let internet = &r.topics[r.topic_index["internet"]];
    assert_eq!(internet.parent, None);
    assert_eq!(internet.children.len(), 6);
    let acid = &r.topics[r.topic_index["acid"]];
    assert_eq!(acid.title, "ACID");
    assert!(acid.resources.iter().any(|x| x.kind == "video"));
    assert!(r.question.is_some());
    assert_eq!(r.faqs.len(), 6);
}

#[test]
fn every_sample_roadmap_loads() {
    let Some(root) = samples() else {
        return;
    };
    for generation in ["roadmapsh-2023", "roadmapsh-2025"] {
        let data = root.join(generation).join("src/data");
        if !data.is_dir() {
            eprintln!("skipped: no {}", data.display());
            continue;
        }
        let c = content::load(&data).expect("sample loads");
        let dirs = std::fs::read_dir(data.join("roadmaps"))
            .expect("roadmaps")
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .count();
        assert_eq!(c.roadmaps.len(), dirs, "{generation}");
        let bp_dir = data.join("best-practices");
        if bp_dir.is_dir() {
            let bp = std::fs::read_dir(bp_dir)
                .expect("best-practices")
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .count();
            assert_eq!(c.best_practices.len(), bp, "{generation}");
        }
        for r in c.roadmaps.iter().chain(&c.best_practices) {
            assert!(!r.title.is_empty(), "{}", r.id);
            assert!(r.topic_index.len() >= r.topics.len());
        }
        let errors: Vec<_> = c
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{generation}: {errors:#?}");
        eprintln!(
            "{generation}: {} diagnostics, {} guides, {} videos, {} question groups",
            c.diagnostics.len(),
            c.guides.len(),
            c.videos.len(),
            c.question_groups.len()
        );
        for d in &c.diagnostics {
            eprintln!(
                "  {:?} {}:{} {}",
                d.severity,
                d.file.display(),
                d.line.map_or(String::from("-"), |l| l.to_string()),
                d.message
            );
        }
    }
}
