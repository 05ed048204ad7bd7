//! The loader's shared state: reading files exactly once, inside the content folder
//! and within size limits, hashing what was read into the content version, and
//! collecting diagnostics with root-relative paths.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::model::{Diagnostic, Severity};
use super::paths::to_slash;

/// How large a content file may be before it is skipped unread. The content comes
/// from strangers' pull requests: without a bound, one huge file costs every reload
/// seconds and gigabytes. The defaults are far above anything roadmap.sh has (its
/// largest markdown file is 65 KB, its largest roadmap JSON 300 KB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Markdown, YAML, Astro and any other text file, in bytes.
    pub max_markdown_bytes: u64,
    /// Roadmap and FAQ JSON files, in bytes.
    pub max_json_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_markdown_bytes: 1024 * 1024,
            max_json_bytes: 8 * 1024 * 1024,
        }
    }
}

/// A file as read from disk: text normalized to `\n` line ends, without a BOM.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Relative to the catalog root.
    pub rel: PathBuf,
    pub text: String,
    pub modified: Option<u64>,
}

/// Where the content folder really is, so that links can be checked against it.
/// Computed once per load: a root that is itself a link (a git-sync worktree, a
/// ConfigMap's `..data`) is fine; what matters is where the files inside resolve.
#[derive(Debug, Clone)]
pub(crate) struct Confinement {
    canonical_root: Option<PathBuf>,
}

impl Confinement {
    pub fn new(root: &Path) -> Confinement {
        Confinement {
            canonical_root: std::fs::canonicalize(root).ok(),
        }
    }

    /// Whether `link` (a symbolic link) resolves to somewhere inside the root.
    fn inside(&self, link: &Path) -> bool {
        match (&self.canonical_root, std::fs::canonicalize(link)) {
            (Some(root), Ok(target)) => target.starts_with(root),
            _ => false,
        }
    }
}

pub(crate) struct Ctx<'r> {
    pub root: &'r Path,
    pub diagnostics: Vec<Diagnostic>,
    limits: Limits,
    confinement: &'r Confinement,
    /// Folders below the root already checked for links leaving it.
    folders: HashMap<PathBuf, bool>,
    /// Root-relative path and hash of every file read; hashed again, sorted, into
    /// the digest so that it does not depend on read order.
    hashes: Vec<(String, blake3::Hash)>,
}

impl<'r> Ctx<'r> {
    pub fn new(root: &'r Path, limits: Limits, confinement: &'r Confinement) -> Self {
        Ctx {
            root,
            diagnostics: Vec::new(),
            limits,
            confinement,
            folders: HashMap::new(),
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

    /// Whether a folder below the root (and every folder between them) stays inside
    /// the root: each is either a plain folder or a link resolving inside.
    fn folder_inside(&mut self, dir: &Path) -> bool {
        if dir == self.root || !dir.starts_with(self.root) {
            return dir == self.root;
        }
        if let Some(&known) = self.folders.get(dir) {
            return known;
        }
        let parent_ok = dir.parent().is_some_and(|p| self.folder_inside(p));
        let ok = parent_ok
            && match std::fs::symlink_metadata(dir) {
                Ok(m) if m.file_type().is_symlink() => self.confinement.inside(dir),
                Ok(_) => true,
                // Absent: nothing will be read from it anyway.
                Err(_) => true,
            };
        self.folders.insert(dir.to_path_buf(), ok);
        ok
    }

    /// Whether `abs` may be read or listed: below the root, through no link that
    /// leaves it. A link that leaves is reported once per load of its resource.
    pub fn inside(&mut self, abs: &Path) -> bool {
        let parent_ok = abs.parent().is_some_and(|p| self.folder_inside(p));
        let ok = parent_ok
            && match std::fs::symlink_metadata(abs) {
                Ok(m) if m.file_type().is_symlink() => self.confinement.inside(abs),
                _ => true,
            };
        if !ok {
            let rel = self.rel(abs);
            self.error(
                &rel,
                None,
                "symbolic link leads outside the content folder; skipped",
            );
        }
        ok
    }

    /// Whether `abs` is a folder that may be listed (inside the root; a link that
    /// leaves it is reported and treated as absent).
    pub fn is_dir(&mut self, abs: &Path) -> bool {
        abs.is_dir() && self.inside(abs)
    }

    fn limit_for(&self, abs: &Path) -> (u64, &'static str) {
        let json = abs
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json {
            (self.limits.max_json_bytes, "--max-json-bytes")
        } else {
            (self.limits.max_markdown_bytes, "--max-markdown-bytes")
        }
    }

    /// Reads a file once: text, mtime and hash in one open. A file that cannot be
    /// read, leads outside the content folder or is over its size limit becomes an
    /// error diagnostic and `None`; invalid UTF-8 is decoded lossily with a warning,
    /// since a stray byte should not cost a whole topic.
    pub fn read(&mut self, abs: &Path) -> Option<SourceFile> {
        let rel = self.rel(abs);
        if !self.inside(abs) {
            return None;
        }
        let (limit, flag) = self.limit_for(abs);
        let mut bytes = Vec::new();
        let opened = File::open(abs).and_then(|f| {
            let meta = f.metadata()?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs());
            Ok((f, meta.len(), modified))
        });
        let (file, len, modified) = match opened {
            Ok(o) => o,
            Err(e) => {
                self.error(&rel, None, format!("could not read file: {e}"));
                return None;
            }
        };
        if len > limit {
            self.error(
                &rel,
                None,
                format!("file is {len} bytes, over the limit of {limit} bytes ({flag}); skipped"),
            );
            return None;
        }
        // The file may grow between the size check and the read: read one byte past
        // the limit at most.
        if let Err(e) = file.take(limit + 1).read_to_end(&mut bytes) {
            self.error(&rel, None, format!("could not read file: {e}"));
            return None;
        }
        if bytes.len() as u64 > limit {
            self.error(
                &rel,
                None,
                format!("file is over the limit of {limit} bytes ({flag}); skipped"),
            );
            return None;
        }
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

    /// Digest of what this context read: blake3 over the sorted (path, file hash)
    /// pairs, so that it does not depend on read order.
    pub fn digest(&mut self) -> [u8; 32] {
        self.hashes.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hasher = blake3::Hasher::new();
        for (path, hash) in &self.hashes {
            hasher.update(path.as_bytes());
            hasher.update(&[0]);
            hasher.update(hash.as_bytes());
        }
        *hasher.finalize().as_bytes()
    }
}

/// The first 16 hex digits of a hash: a content version short enough for ETags and
/// logs, long enough never to collide across one deployment's history.
pub(crate) fn short_hex(hash: &[u8; 32]) -> String {
    let mut hex = blake3::Hash::from(*hash).to_hex().to_string();
    hex.truncate(16);
    hex
}
