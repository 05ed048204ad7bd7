//! Content loading: reads a roadmap.sh-style content folder into a [`Catalog`].
//!
//! Nothing here knows about HTTP or Tantivy, so the loader is testable on its own and
//! shared by `serve`, `check` and `index`.
//!
//! The loader is built for content it does not control (any fork or translation of
//! roadmap.sh, mid-edit files during hot reload), so it never stops at a bad file:
//! every problem becomes a [`Diagnostic`] and the rest loads. Only a content folder
//! that cannot be read at all is an error. Each source format has its own module so
//! that its quirks stay next to its parser.

pub mod faqs;
pub mod frontmatter;
pub mod graph;
pub mod markdown;
pub mod mockup;
pub mod model;
pub mod paths;

mod pages;
mod questions;
mod roadmap;
mod source;
mod topics;

pub use model::*;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

use paths::{file_name, is_junk};
use roadmap::LoadedRoadmap;
use source::Ctx;

/// Why a folder could not be loaded at all. Problems with single files are not
/// errors: they become [`Diagnostic`]s and the rest still loads.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("content folder {0} does not exist or is not a directory")]
    NotADirectory(std::path::PathBuf),
    #[error("content folder {path} could not be read: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Sub-folders of a content folder, in name order, without editor junk.
fn subdirs(ctx: &mut Ctx, dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            let rel = ctx.rel(dir);
            ctx.error(&rel, None, format!("folder could not be read: {e}"));
            return Vec::new();
        }
    };
    let mut out: Vec<(String, std::path::PathBuf)> = read
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let name = file_name(&path)?.to_string();
            (!is_junk(&name) && path.is_dir()).then_some((name, path))
        })
        .collect();
    out.sort();
    out
}

/// Loads a content folder (a roadmap.sh `src/data`, either generation, or our own
/// `content/`).
pub fn load(root: &Path) -> Result<Catalog, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    std::fs::read_dir(root).map_err(|source| LoadError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut ctx = Ctx::new(root);
    let mut catalog = Catalog {
        root: root.to_path_buf(),
        ..Catalog::default()
    };

    let mut loaded: Vec<LoadedRoadmap> = Vec::new();
    for (folder, kind) in [
        ("roadmaps", RoadmapKind::Roadmap),
        ("best-practices", RoadmapKind::BestPractice),
    ] {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for (id, path) in subdirs(&mut ctx, &dir) {
            if let Some(r) = roadmap::load(&mut ctx, &path, &id, kind) {
                loaded.push(r);
            }
        }
    }

    let qdir = root.join("question-groups");
    if qdir.is_dir() {
        for (id, path) in subdirs(&mut ctx, &qdir) {
            if let Some(g) = questions::load(&mut ctx, &path, &id) {
                catalog.question_groups.push(g);
            }
        }
    }
    let guides = root.join("guides");
    if guides.is_dir() {
        catalog.guides = pages::load_guides(&mut ctx, &guides);
    }
    let videos = root.join("videos");
    if videos.is_dir() {
        catalog.videos = pages::load_videos(&mut ctx, &videos);
    }
    catalog.synonyms = load_synonyms(&mut ctx, root);

    resolve_related(&mut ctx, &mut loaded, &catalog.question_groups);
    for r in loaded {
        match r.roadmap.kind {
            RoadmapKind::Roadmap => catalog.roadmaps.push(r.roadmap),
            RoadmapKind::BestPractice => catalog.best_practices.push(r.roadmap),
        }
    }
    let by_order = |a: &Option<f64>, a_id: &str, b: &Option<f64>, b_id: &str| {
        match (a, b) {
            (Some(x), Some(y)) => x.total_cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(|| a_id.cmp(b_id))
    };
    catalog
        .roadmaps
        .sort_by(|a, b| by_order(&a.order, &a.id, &b.order, &b.id));
    catalog
        .best_practices
        .sort_by(|a, b| by_order(&a.order, &a.id, &b.order, &b.id));
    catalog
        .question_groups
        .sort_by(|a, b| by_order(&a.order, &a.id, &b.order, &b.id));

    catalog.version = ctx.version();
    catalog.diagnostics = ctx.diagnostics;
    tracing::debug!(
        root = %root.display(),
        roadmaps = catalog.roadmaps.len(),
        best_practices = catalog.best_practices.len(),
        guides = catalog.guides.len(),
        videos = catalog.videos.len(),
        question_groups = catalog.question_groups.len(),
        diagnostics = catalog.diagnostics.len(),
        version = %catalog.version,
        "content loaded"
    );
    Ok(catalog)
}

/// Expands `relatedRoadmaps` once everything is loaded (a roadmap may name one that
/// sorts after it), and reports ids that name nothing. Best practices can be named
/// too; roadmaps win when an id exists in both.
fn resolve_related(ctx: &mut Ctx, loaded: &mut [LoadedRoadmap], groups: &[QuestionGroup]) {
    let mut targets: HashMap<String, RelatedRoadmap> = HashMap::new();
    for kind in [RoadmapKind::BestPractice, RoadmapKind::Roadmap] {
        for r in loaded.iter().map(|l| &l.roadmap).filter(|r| r.kind == kind) {
            targets.insert(
                r.id.clone(),
                RelatedRoadmap {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    brief_title: r
                        .brief_title
                        .clone()
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| r.title.clone()),
                    brief_description: r
                        .brief_description
                        .clone()
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| r.description.clone()),
                },
            );
        }
    }
    for l in loaded.iter_mut() {
        let r = &mut l.roadmap;
        for (i, id) in r.related_ids.iter().enumerate() {
            match targets.get(id) {
                Some(t) => r.related.push(t.clone()),
                None => ctx.warn(
                    &r.file,
                    l.related_lines.get(i).copied().flatten(),
                    format!("related roadmap `{id}` does not exist; left out"),
                ),
            }
        }
        for (i, id) in r.related_questions.iter().enumerate() {
            if !groups.iter().any(|g| &g.id == id) {
                ctx.warn(
                    &r.file,
                    l.question_lines.get(i).copied().flatten(),
                    format!("related question group `{id}` does not exist"),
                );
            }
        }
    }
}

/// `synonyms.yaml` (or `.yml`) at the root: a list of groups of equivalent terms.
/// Absent means "use the search module's defaults", so an empty list is returned.
fn load_synonyms(ctx: &mut Ctx, root: &Path) -> Vec<Vec<String>> {
    let Some(abs) = ["synonyms.yaml", "synonyms.yml"]
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file())
    else {
        return Vec::new();
    };
    let Some(source) = ctx.read(&abs) else {
        return Vec::new();
    };
    let value: serde_yaml_ng::Value = match serde_yaml_ng::from_str(&source.text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map(|l| l.line());
            let mut m = e.to_string();
            if let Some(i) = m.find(" at line ") {
                m.truncate(i);
            }
            ctx.error(
                &source.rel,
                line,
                format!("invalid YAML: {m}; no synonyms loaded"),
            );
            return Vec::new();
        }
    };
    let serde_json::Value::Array(groups) = frontmatter::yaml_to_json(value) else {
        ctx.error(
            &source.rel,
            None,
            "synonyms must be a list of lists of terms; no synonyms loaded",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (n, group) in groups.into_iter().enumerate() {
        let serde_json::Value::Array(terms) = group else {
            ctx.warn(
                &source.rel,
                None,
                format!("synonym group #{} is not a list; skipped", n + 1),
            );
            continue;
        };
        let mut set: Vec<String> = Vec::new();
        for t in terms {
            let term = match t {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let term = term.trim().to_lowercase();
            if !term.is_empty() && !set.contains(&term) {
                set.push(term);
            }
        }
        if set.len() < 2 {
            ctx.warn(
                &source.rel,
                None,
                format!("synonym group #{} has fewer than two terms; skipped", n + 1),
            );
            continue;
        }
        out.push(set);
    }
    out
}
