//! Content loading: reads a roadmap.sh-style content folder into a [`Catalog`].
//!
//! Nothing here knows about HTTP or Tantivy, so the loader is testable on its own and
//! shared by `serve`, `check` and `index`.

pub mod model;

pub use model::*;

use std::path::Path;

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
/// `content/`).
pub fn load(root: &Path) -> Result<Catalog, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    Ok(Catalog {
        root: root.to_path_buf(),
        ..Catalog::default()
    })
}
