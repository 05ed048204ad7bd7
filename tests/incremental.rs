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

/// A catalog as JSON values: maps compare whatever their order (a roadmap's topic
/// index is a hash map, iterated differently by each copy).
fn comparable(catalog: &Catalog) -> serde_json::Value {
    serde_json::to_value(catalog).expect("json")
}

/// Files a saved state can vouch for must be older than the file system's clock tick
/// guard (two seconds): younger ones are always read again.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(2_100));
}

fn units_of(catalog: &Catalog) -> usize {
    catalog.roadmaps.len()
        + catalog.best_practices.len()
        + catalog.guides.len()
        + catalog.videos.len()
        + catalog.question_groups.len()
        + usize::from(!catalog.synonyms.is_empty())
}

/// A restart takes every unit whose files are as they were from the saved state and
/// serves exactly what a load from the files serves; a unit whose files changed (an
/// edit that keeps size and modification time, a new file in its folder) is derived
/// again; new and removed units are seen. Both layouts.
#[test]
fn a_restart_restores_unchanged_units_from_the_saved_state_and_derives_the_rest() {
    for layout in ["layout-2025", "layout-2023"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("content");
        copy_dir(&common::fixture_path(layout), &root);
        let saved = tmp.path().join("saved.bin");
        settle();

        let mut first = Loader::new(&root, Limits::default());
        let (catalog, restored) = first.load_all_saved(&saved).expect("load");
        assert_eq!(restored, 0, "{layout}: nothing saved yet");
        let (units, bytes) = first.save(&saved).expect("save");
        assert!(
            units >= units_of(&catalog) && bytes > 0,
            "{layout}: {units} units"
        );

        let mut second = Loader::new(&root, Limits::default());
        let (again, restored) = second.load_all_saved(&saved).expect("load");
        assert_eq!(restored, units, "{layout}: every unit restored");
        assert_eq!(comparable(&again), comparable(&catalog), "{layout}");

        // Change one topic keeping its size and modification time (only the change
        // time, which no one can set back, tells), add a guide, remove a video.
        let roadmap = again
            .roadmaps
            .iter()
            .find(|r| r.topics.iter().any(|t| t.file.is_some()))
            .expect("a roadmap with topic files");
        let topic = roadmap
            .topics
            .iter()
            .find_map(|t| t.file.clone())
            .expect("file");
        let path = root.join(&topic);
        let text = std::fs::read_to_string(&path).expect("read");
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        let changed: String = text
            .chars()
            .map(|c| if c == 'e' { 'E' } else { c })
            .collect();
        assert_ne!(changed, text);
        std::fs::write(&path, &changed).expect("write");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(modified))
            .expect("set mtime");
        std::fs::create_dir_all(root.join("guides")).expect("mkdir");
        std::fs::write(
            root.join("guides/restarted.md"),
            "---\ntitle: 'Restarted'\ndescription: 'x'\n---\nBody.\n",
        )
        .expect("write");
        let video = again.videos.first().map(|v| root.join(&v.file));
        if let Some(v) = &video {
            std::fs::remove_file(v).expect("rm");
        }
        settle();

        let mut third = Loader::new(&root, Limits::default());
        let (after, restored) = third.load_all_saved(&saved).expect("load");
        let fresh = load(&root).1;
        assert_eq!(comparable(&after), comparable(&fresh), "{layout}");
        assert!(after.guides.iter().any(|g| g.title == "Restarted"));
        let changed_roadmap = after
            .roadmaps
            .iter()
            .find(|r| r.id == roadmap.id)
            .expect("roadmap");
        let served = changed_roadmap
            .topics
            .iter()
            .find(|t| t.file.as_ref() == Some(&topic))
            .expect("topic");
        assert_eq!(
            &*served.raw_markdown,
            changed.as_str(),
            "{layout}: the edit is served"
        );
        // Only the edited roadmap (and the removed video) are missing from the restore.
        assert_eq!(
            restored,
            units - 1 - usize::from(video.is_some()),
            "{layout}: restored {restored} of {units}"
        );

        // A restored loader takes edits like any other.
        std::fs::write(&path, "# Retitled\n\nAfter the restart.\n").expect("write");
        let updated = update(&mut third, std::slice::from_ref(&path));
        assert_eq!(comparable(&updated), comparable(&load(&root).1), "{layout}");

        // The check of everything against the files, a unit per core per step, serves the
        // files' content after every step and takes an edit between two steps.
        let mut steps = 0;
        loop {
            let (catalog, done) = third.verify_step(std::time::Duration::ZERO).expect("step");
            steps += 1;
            assert_eq!(
                comparable(&catalog),
                comparable(&load(&root).1),
                "{layout}: step {steps}"
            );
            if steps == 2 {
                std::fs::write(&path, "# Again\n\nBetween two steps.\n").expect("write");
                let edited = update(&mut third, std::slice::from_ref(&path));
                assert_eq!(comparable(&edited), comparable(&load(&root).1), "{layout}");
            }
            if done {
                break;
            }
        }
        let all = units_of(&updated);
        assert!(
            steps >= all / rayon::current_num_threads() && steps <= all + 2,
            "{layout}: {steps} steps for {all} units"
        );
    }
}

/// A saved state that is damaged, from another content folder, or for other limits
/// is not used: everything is read from the files, and served right.
#[test]
fn a_damaged_or_foreign_saved_state_is_not_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("content");
    copy_dir(&common::fixture_path("layout-2025"), &root);
    let other = tmp.path().join("other");
    copy_dir(&common::fixture_path("layout-2025"), &other);
    let saved = tmp.path().join("saved.bin");
    settle();
    let mut loader = Loader::new(&root, Limits::default());
    let (catalog, _) = loader.load_all_saved(&saved).expect("load");
    loader.save(&saved).expect("save");
    let expected = comparable(&catalog);

    let restore = |root: &Path, limits: Limits| {
        let mut l = Loader::new(root, limits);
        let (c, n) = l.load_all_saved(&saved).expect("load");
        (comparable(&c), n)
    };
    assert!(
        restore(&root, Limits::default()).1 > 0,
        "the saved state is used as is"
    );
    assert_eq!(
        restore(&other, Limits::default()).1,
        0,
        "another content folder"
    );
    let smaller = Limits {
        max_markdown_bytes: 4096,
        ..Limits::default()
    };
    assert_eq!(restore(&root, smaller).1, 0, "other limits");

    let bytes = std::fs::read(&saved).expect("read");
    for damage in ["flip", "truncate", "empty"] {
        let mut broken = bytes.clone();
        match damage {
            "flip" => {
                let at = broken.len() * 2 / 3;
                broken[at] ^= 0x55;
            }
            "truncate" => broken.truncate(broken.len() / 2),
            _ => broken.clear(),
        }
        std::fs::write(&saved, &broken).expect("write");
        let (served, restored) = restore(&root, Limits::default());
        assert_eq!(restored, 0, "{damage}");
        assert_eq!(served, expected, "{damage}");
    }
}

/// A unit whose folder holds a link is never saved (its target may change while the
/// folder does not); the others are.
#[cfg(unix)]
#[test]
fn a_unit_holding_a_link_is_always_read_from_its_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("content");
    copy_dir(&common::fixture_path("layout-2025"), &root);
    let target = root.join("guides/sql-vs-nosql.md");
    let topic = root.join(TOPIC);
    std::fs::remove_file(&topic).expect("rm");
    std::os::unix::fs::symlink(&target, &topic).expect("symlink");
    let saved = tmp.path().join("saved.bin");
    settle();
    let mut loader = Loader::new(&root, Limits::default());
    let (catalog, _) = loader.load_all_saved(&saved).expect("load");
    let (units, _) = loader.save(&saved).expect("save");
    assert_eq!(
        units + 1,
        units_of(&catalog),
        "all but the roadmap with the link"
    );
    let mut again = Loader::new(&root, Limits::default());
    let (restored_catalog, restored) = again.load_all_saved(&saved).expect("load");
    assert_eq!(restored, units);
    assert_eq!(comparable(&restored_catalog), comparable(&catalog));
}
