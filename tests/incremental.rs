//! The incremental loader on real files: a change re-derives only the resource its
//! files belong to, links never lead outside the content folder, oversized files
//! are skipped and named, and a resource whose files break keeps its last good
//! version everywhere (its ids, title and the related lists of other roadmaps).

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::copy_dir;
use roadmap_api::content::{Catalog, Limits, Loader, Severity, Unit};

struct Folder {
    _tmp: tempfile::TempDir,
    /// The content root.
    root: PathBuf,
    /// A folder beside the root (outside it).
    outside: PathBuf,
}

fn folder() -> Folder {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("content");
    copy_dir(&common::fixture_path("layout-2025"), &root);
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("roadmap/content")).expect("mkdir");
    std::fs::write(
        outside.join("secret.md"),
        "---\ntitle: 'Secret'\n---\nTopsecretzebra passwords.\n",
    )
    .expect("write");
    std::fs::write(
        outside.join("roadmap/roadmap.md"),
        "---\ntitle: 'Outside roadmap'\n---\n",
    )
    .expect("write");
    Folder {
        _tmp: tmp,
        root,
        outside,
    }
}

fn load(root: &Path) -> (Loader, Catalog) {
    let mut loader = Loader::new(root, Limits::default());
    let catalog = loader.load_all().expect("load");
    (loader, catalog)
}

fn update(loader: &mut Loader, paths: &[PathBuf]) -> Catalog {
    loader
        .update(paths)
        .expect("update")
        .expect("content changed")
        .0
}

fn serialized(catalog: &Catalog) -> String {
    serde_json::to_string(catalog).expect("json")
}

fn errors_about(catalog: &Catalog, needle: &str) -> Vec<String> {
    catalog
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.file.display(), d.message))
        .filter(|s| s.contains(needle))
        .collect()
}

const TOPIC: &str = "roadmaps/backend-lite/content/caching@tCache00001.md";

#[test]
fn links_leaving_the_root_are_skipped_and_reported() {
    let f = folder();
    // A guide, a topic file and a whole roadmap that are links to outside.
    std::os::unix::fs::symlink(f.outside.join("secret.md"), f.root.join("guides/leak.md"))
        .expect("symlink");
    let topic = f.root.join(TOPIC);
    std::fs::remove_file(&topic).expect("rm");
    std::os::unix::fs::symlink(f.outside.join("secret.md"), &topic).expect("symlink");
    std::os::unix::fs::symlink(f.outside.join("roadmap"), f.root.join("roadmaps/roadmap"))
        .expect("symlink");

    let (_, catalog) = load(&f.root);
    let text = serialized(&catalog);
    assert!(!text.contains("Topsecretzebra"), "outside text was read");
    assert!(
        !text.contains("Outside roadmap"),
        "outside roadmap was served"
    );
    assert!(catalog.guides.iter().all(|g| g.slug != "leak"));
    assert!(catalog.roadmaps.iter().all(|r| r.id != "roadmap"));
    let reported = errors_about(&catalog, "outside the content folder");
    for name in [
        "guides/leak.md",
        "caching@tCache00001.md",
        "roadmaps/roadmap",
    ] {
        assert!(
            reported.iter().any(|r| r.contains(name)),
            "{name} not reported: {reported:?}"
        );
    }
    // The rest of the roadmap is served.
    let backend = catalog
        .roadmaps
        .iter()
        .find(|r| r.id == "backend-lite")
        .expect("backend-lite");
    assert!(backend.topics.iter().any(|t| t.id == "databases"));
}

#[test]
fn links_inside_the_root_and_a_linked_root_still_work() {
    let f = folder();
    std::os::unix::fs::symlink(
        f.root.join("guides/sql-vs-nosql.md"),
        f.root.join("guides/sql-alias.md"),
    )
    .expect("symlink");
    let link = f.root.parent().expect("parent").join("current");
    std::os::unix::fs::symlink(&f.root, &link).expect("symlink");
    let (_, catalog) = load(&link);
    assert!(catalog.guides.iter().any(|g| g.slug == "sql-alias"));
    assert!(catalog.roadmaps.iter().any(|r| r.id == "backend-lite"));
    assert!(errors_about(&catalog, "outside").is_empty());
}

#[test]
fn a_file_over_its_size_limit_is_skipped_with_the_limit_named() {
    let f = folder();
    std::fs::write(
        f.root.join(TOPIC),
        format!("# Caching\n\n{}\n", "word ".repeat(4000)),
    )
    .expect("write");
    let mut loader = Loader::new(
        &f.root,
        Limits {
            max_markdown_bytes: 10_000,
            ..Limits::default()
        },
    );
    let catalog = loader.load_all().expect("load");
    let reported = errors_about(&catalog, "over the limit of 10000 bytes");
    assert!(
        reported
            .iter()
            .any(|r| r.contains("caching@tCache00001.md")),
        "{reported:?}"
    );
    let backend = catalog
        .roadmaps
        .iter()
        .find(|r| r.id == "backend-lite")
        .expect("backend-lite");
    // The topic stays in the tree (from the roadmap JSON), without the text.
    let caching = backend
        .topics
        .iter()
        .find(|t| t.id == "caching")
        .expect("caching");
    assert!(!caching.markdown.contains("word word"));
    assert!(backend.topics.iter().any(|t| t.id == "databases"));
}

#[test]
fn an_edit_re_derives_only_the_resource_it_belongs_to() {
    let f = folder();
    let (mut loader, before) = load(&f.root);
    std::fs::write(f.root.join(TOPIC), "# Caching\n\nFresh text.\n").expect("write");
    let (after, update) = loader
        .update(&[f.root.join(TOPIC)])
        .expect("update")
        .expect("changed");
    assert_eq!(update.units, vec![Unit::Roadmap("backend-lite".into())]);
    assert_ne!(after.version, before.version);
    for (old, new) in before.roadmaps.iter().zip(&after.roadmaps) {
        assert_eq!(old.id, new.id);
        assert_eq!(
            Arc::ptr_eq(old, new),
            old.id != "backend-lite",
            "{} reused wrongly",
            old.id
        );
    }
    for (old, new) in before.guides.iter().zip(&after.guides) {
        assert!(Arc::ptr_eq(old, new));
    }
    // Paths that hold no content change nothing.
    for path in [
        f.root.join(".git/index"),
        f.root.join("authors/jane.md"),
        f.root.parent().expect("parent").join("sibling.txt"),
    ] {
        assert!(loader.update(&[path]).expect("update").is_none());
    }
    // The same files give the same version as a fresh load.
    assert_eq!(load(&f.root).1.version, after.version);
}

#[test]
fn roadmaps_and_guides_appear_and_disappear_by_their_paths() {
    let f = folder();
    let (mut loader, _) = load(&f.root);
    let new_dir = f.root.join("roadmaps/newcomer");
    std::fs::create_dir_all(&new_dir).expect("mkdir");
    std::fs::write(new_dir.join("newcomer.md"), "---\ntitle: 'Newcomer'\n---\n").expect("write");
    let catalog = update(&mut loader, &[new_dir.join("newcomer.md")]);
    assert!(catalog.roadmaps.iter().any(|r| r.title == "Newcomer"));
    std::fs::remove_dir_all(&new_dir).expect("rm");
    std::fs::remove_file(f.root.join("guides/sql-vs-nosql.md")).expect("rm");
    let catalog = update(
        &mut loader,
        &[new_dir.clone(), f.root.join("guides/sql-vs-nosql.md")],
    );
    assert!(catalog.roadmaps.iter().all(|r| r.id != "newcomer"));
    assert!(catalog.guides.iter().all(|g| g.slug != "sql-vs-nosql"));
    assert_eq!(load(&f.root).1.version, catalog.version);
}

#[test]
fn a_broken_roadmap_keeps_its_last_good_tree_title_and_related_entries() {
    let f = folder();
    let (mut loader, good) = load(&f.root);
    let find = |c: &Catalog, id: &str| {
        c.roadmaps
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .expect("roadmap")
    };
    let good_backend = find(&good, "backend-lite");
    let good_ids: Vec<String> = good_backend.topics.iter().map(|t| t.id.clone()).collect();

    // A truncated JSON: without last-good, topics would come from file names.
    let json = f.root.join("roadmaps/backend-lite/backend-lite.json");
    let text = std::fs::read_to_string(&json).expect("read");
    std::fs::write(&json, &text[..text.len() / 2]).expect("write");
    let broken = update(&mut loader, std::slice::from_ref(&json));
    let served = find(&broken, "backend-lite");
    let ids: Vec<String> = served.topics.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids, good_ids);
    assert_eq!(broken.kept, vec!["roadmaps/backend-lite".to_string()]);
    assert!(!errors_about(&broken, "invalid JSON").is_empty());

    // Broken front matter too: the title stays, and so does what other roadmaps
    // show for it.
    let md = f.root.join("roadmaps/backend-lite/backend-lite.md");
    std::fs::write(&md, "---\ntitle: [unclosed\n  : : bad\n---\n").expect("write");
    let broken = update(&mut loader, std::slice::from_ref(&md));
    assert_eq!(find(&broken, "backend-lite").title, good_backend.title);
    let devops = find(&broken, "devops-lite");
    let related = devops
        .related
        .iter()
        .find(|r| r.id == "backend-lite")
        .expect("related entry");
    assert_eq!(related.title, good_backend.title);

    // An unrelated edit of the same roadmap while it is broken keeps it kept; the
    // fix brings the new version.
    std::fs::write(&json, &text).expect("write");
    std::fs::write(
        &md,
        std::fs::read_to_string(
            common::fixture_path("layout-2025").join("roadmaps/backend-lite/backend-lite.md"),
        )
        .expect("read")
        .replace("title: 'Backend Lite'", "title: 'Backend Fixed'"),
    )
    .expect("write");
    let fixed = update(&mut loader, &[json, md]);
    assert!(fixed.kept.is_empty(), "{:?}", fixed.kept);
    assert_eq!(find(&fixed, "backend-lite").title, "Backend Fixed");
    assert_eq!(
        find(&fixed, "devops-lite")
            .related
            .iter()
            .find(|r| r.id == "backend-lite")
            .map(|r| r.title.clone()),
        Some("Backend Fixed".to_string())
    );
}

#[test]
fn a_roadmap_with_an_unrelated_error_still_takes_good_edits() {
    let f = folder();
    // An error that has nothing to do with the edit below (an unparsable FAQ file).
    std::fs::write(
        f.root.join("roadmaps/backend-lite/faqs.astro"),
        "---\nconst faqs = [ { question: 'unclosed\n---\n",
    )
    .expect("write");
    let (mut loader, first) = load(&f.root);
    assert!(!errors_about(&first, "faqs.astro").is_empty());
    std::fs::write(f.root.join(TOPIC), "# Caching\n\nEdited despite the FAQ.\n").expect("write");
    let catalog = update(&mut loader, &[f.root.join(TOPIC)]);
    assert!(catalog.kept.is_empty());
    let backend = catalog
        .roadmaps
        .iter()
        .find(|r| r.id == "backend-lite")
        .expect("roadmap");
    let caching = backend
        .topics
        .iter()
        .find(|t| t.id == "caching")
        .expect("topic");
    assert!(caching.markdown.contains("Edited despite the FAQ"));
}
