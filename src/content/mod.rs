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
pub mod persist;
pub mod text;

mod loader;
mod pages;
mod questions;
mod roadmap;
mod source;
mod topics;

pub use loader::{Affects, Loader, Unit, Update};
pub use model::*;
pub use persist::PersistError;
pub use source::Limits;

use std::path::Path;

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

/// Loads a content folder (a roadmap.sh `src/data`, either generation, or our own
/// `content/`) with the default limits. `serve` keeps a [`Loader`] instead, so that a
/// reload re-derives only what changed.
pub fn load(root: &Path) -> Result<Catalog, LoadError> {
    load_with(root, Limits::default())
}

/// [`load`] with other file size limits.
pub fn load_with(root: &Path, limits: Limits) -> Result<Catalog, LoadError> {
    let catalog = Loader::new(root, limits).load_all()?;
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

/// `synonyms.yaml` (or `.yml`) at the root: a list of groups of equivalent terms.
/// Absent means "use the search module's defaults": `None`. A file that does not
/// parse gives an empty list and an error.
fn load_synonyms(ctx: &mut Ctx, root: &Path) -> Option<Vec<Vec<String>>> {
    let abs = ["synonyms.yaml", "synonyms.yml"]
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file())?;
    let source = ctx.read(&abs)?;
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
            return Some(Vec::new());
        }
    };
    let serde_json::Value::Array(groups) = frontmatter::yaml_to_json(value) else {
        ctx.error(
            &source.rel,
            None,
            "synonyms must be a list of lists of terms; no synonyms loaded",
        );
        return Some(Vec::new());
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
    Some(out)
}
