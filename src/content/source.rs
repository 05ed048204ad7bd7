//! The loader's shared state: reading files exactly once, hashing what was read into
//! the content version, and collecting diagnostics with root-relative paths.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::model::{Diagnostic, Severity};
use super::paths::to_slash;

/// A file as read from disk: text normalized to `\n` line ends, without a BOM.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Relative to the catalog root.
    pub rel: PathBuf,
    pub text: String,
    pub modified: Option<u64>,
}

pub(crate) struct Ctx<'r> {
    pub root: &'r Path,
    pub diagnostics: Vec<Diagnostic>,
    /// Root-relative path and hash of every file read; hashed again, sorted, into
    /// the version so that the version does not depend on read order.
    hashes: Vec<(String, blake3::Hash)>,
}

impl<'r> Ctx<'r> {
    pub fn new(root: &'r Path) -> Self {
        Ctx {
            root,
            diagnostics: Vec::new(),
            hashes: Vec::new(),
        }
    }

    /// `abs` relative to the root (unchanged if it is not under it).
    pub fn rel(&self, abs: &Path) -> PathBuf {
        abs.strip_prefix(self.root).unwrap_or(abs).to_path_buf()
    }

    pub fn report(
        &mut self,
        file: &Path,
        line: Option<usize>,
        severity: Severity,
        message: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            file: file.to_path_buf(),
            line,
            severity,
            message: message.into(),
        });
    }

    pub fn warn(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.report(file, line, Severity::Warning, message);
    }

    pub fn info(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.report(file, line, Severity::Info, message);
    }

    pub fn error(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.report(file, line, Severity::Error, message);
    }

    /// Reads a file once: text, mtime and hash in one open. A file that cannot be
    /// read becomes an error diagnostic and `None`; invalid UTF-8 is decoded lossily
    /// with a warning, since a stray byte should not cost a whole topic.
    pub fn read(&mut self, abs: &Path) -> Option<SourceFile> {
        let rel = self.rel(abs);
        let mut bytes = Vec::new();
        let modified = match File::open(abs).and_then(|mut f| {
            let modified = f
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs());
            f.read_to_end(&mut bytes).map(|_| modified)
        }) {
            Ok(m) => m,
            Err(e) => {
                self.error(&rel, None, format!("could not read file: {e}"));
                return None;
            }
        };
        self.hashes.push((to_slash(&rel), blake3::hash(&bytes)));
        let mut text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.warn(
                    &rel,
                    None,
                    "file is not valid UTF-8; invalid bytes were replaced",
                );
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        if text.contains('\r') {
            text = text.replace("\r\n", "\n").replace('\r', "\n");
        }
        Some(SourceFile {
            rel,
            text,
            modified,
        })
    }

    /// Content version: blake3 over the sorted (path, file hash) pairs.
    pub fn version(&mut self) -> String {
        self.hashes.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hasher = blake3::Hasher::new();
        for (path, hash) in &self.hashes {
            hasher.update(path.as_bytes());
            hasher.update(&[0]);
            hasher.update(hash.as_bytes());
        }
        let mut hex = hasher.finalize().to_hex().to_string();
        hex.truncate(16);
        hex
    }
}
