//! The loader's shared state: reading files exactly once, inside the content folder
//! and within size limits, hashing what was read into the content version, and
//! collecting diagnostics with root-relative paths.

use std::any::Any;
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    /// Shared with the memo and with what is served from it (a topic's raw markdown).
    pub text: Arc<str>,
    pub modified: Option<u64>,
    /// Hash of the bytes on disk: the key of what is parsed from them.
    pub hash: blake3::Hash,
}

/// What identifies one version of a file without reading it, as git's index does:
/// any write changes the size, the modification time or the change time (which no
/// one can set), and a replaced file has another inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    changed: (i64, i64),
    inode: (u64, u64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            ((meta.ctime(), meta.ctime_nsec()), (meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let (changed, inode) = ((0, 0), (0, 0));
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            inode,
        }
    }

    /// A stamp taken within this long of the file's last change may not see a write
    /// that lands in the same tick of the file system's clock (a few milliseconds on
    /// ext4): such a file is read again next time, whatever its stamp.
    const RACY: Duration = Duration::from_secs(2);

    fn settled(&self, now: SystemTime) -> bool {
        self.modified
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= Stamp::RACY)
            && u64::try_from(self.changed.0).is_ok_and(|c| {
                now.duration_since(UNIX_EPOCH)
                    .is_ok_and(|n| n.as_secs() >= c.saturating_add(Stamp::RACY.as_secs()))
            })
    }
}

/// A file as last read.
#[derive(Debug, Clone)]
struct Remembered {
    /// `None` when the file was changing as it was read: read it again.
    stamp: Option<Stamp>,
    /// `None` for a file read only to be parsed ([`Ctx::read_parsed`]): its parse
    /// is kept, and the text would only double what memory the memo costs.
    text: Option<Arc<str>>,
    hash: blake3::Hash,
    modified: Option<u64>,
    lossy: bool,
}

/// What one derivation of a resource read and parsed, handed to the next derivation
/// of the same resource: files whose stamp is unchanged are not read again, and text
/// already parsed (a topic's markdown, a roadmap's chart) is not parsed again. Keyed
/// by the content's hash, so a stale entry can never be served for new text; only
/// what the last derivation used is kept, so it never outgrows the content.
#[derive(Default)]
pub(crate) struct Memo {
    files: HashMap<PathBuf, Remembered>,
    parsed: HashMap<(&'static str, [u8; 32]), Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("files", &self.files.len())
            .field("parsed", &self.parsed.len())
            .finish()
    }
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
    /// What the previous derivation of this resource read and parsed.
    previous: Memo,
    /// What this one read and parsed (the next one's `previous`).
    current: Memo,
    now: SystemTime,
    #[cfg(test)]
    reused: usize,
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
            previous: Memo::default(),
            current: Memo::default(),
            now: SystemTime::now(),
            #[cfg(test)]
            reused: 0,
        }
    }

    /// A context that reuses what `previous` read and parsed where the files are
    /// unchanged.
    pub fn with_memo(
        root: &'r Path,
        limits: Limits,
        confinement: &'r Confinement,
        previous: Memo,
    ) -> Self {
        Ctx {
            previous,
            ..Ctx::new(root, limits, confinement)
        }
    }

    /// How many files this context took from the memo instead of reading them.
    #[cfg(test)]
    fn reused(&self) -> usize {
        self.reused
    }

    /// What this context read and parsed, for the next derivation of its resource.
    pub fn take_memo(&mut self) -> Memo {
        std::mem::take(&mut self.current)
    }

    /// `make(text)` for the file `source`, or what it gave for the same bytes before.
    /// `purpose` tells apart different parses of one file.
    pub fn parsed<T: Send + Sync + 'static>(
        &mut self,
        purpose: &'static str,
        source: &SourceFile,
        make: impl FnOnce(&str) -> T,
    ) -> Arc<T> {
        let key = (purpose, *source.hash.as_bytes());
        let value = match self
            .current
            .parsed
            .get(&key)
            .or_else(|| self.previous.parsed.get(&key))
            .and_then(|v| Arc::clone(v).downcast::<T>().ok())
        {
            Some(v) => v,
            None => Arc::new(make(&source.text)),
        };
        self.current
            .parsed
            .insert(key, Arc::clone(&value) as Arc<dyn Any + Send + Sync>);
        value
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
            file: file.into(),
            line,
            severity,
            message: message.into().into(),
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
        if !self.inside(abs) {
            return None;
        }
        if let Some(known) = self.unchanged(abs)
            && let Some(text) = known.text.clone()
        {
            let (hash, modified) = (known.hash, known.modified);
            let rel = self.reuse(abs, known);
            return Some(SourceFile {
                rel,
                text,
                modified,
                hash,
            });
        }
        self.read_fresh(abs)
    }

    /// The previous derivation's record of `abs`, when the file still has the stamp
    /// it had then (one `stat`, no read).
    fn unchanged(&self, abs: &Path) -> Option<Remembered> {
        let known = self.previous.files.get(abs)?;
        let stamp = Stamp::of(&std::fs::metadata(abs).ok()?);
        (known.stamp == Some(stamp) && stamp.len <= self.limit_for(abs).0).then(|| known.clone())
    }

    /// Records a file taken from the memo; its root-relative path.
    fn reuse(&mut self, abs: &Path, known: Remembered) -> PathBuf {
        #[cfg(test)]
        {
            self.reused += 1;
        }
        let rel = self.rel(abs);
        self.remember(abs, rel.clone(), known);
        rel
    }

    /// Reads `abs` from disk (already checked to be inside the root).
    fn read_fresh(&mut self, abs: &Path) -> Option<SourceFile> {
        let rel = self.rel(abs);
        let (limit, flag) = self.limit_for(abs);
        let mut bytes = Vec::new();
        let opened = File::open(abs).and_then(|f| {
            let meta = f.metadata()?;
            Ok((f, Stamp::of(&meta)))
        });
        let (file, stamp) = match opened {
            Ok(o) => o,
            Err(e) => {
                self.error(&rel, None, format!("could not read file: {e}"));
                return None;
            }
        };
        let len = stamp.len;
        let modified = stamp
            .modified
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
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
        let hash = blake3::hash(&bytes);
        let (mut text, lossy) = match String::from_utf8(bytes) {
            Ok(t) => (t, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        if text.contains('\r') {
            text = text.replace("\r\n", "\n").replace('\r', "\n");
        }
        // Trusted next time only if the file had settled before it was read (a write
        // during the read changes its change time, so the stamp of the open is safe).
        let stamp = stamp.settled(self.now).then_some(stamp);
        // The same bytes as last time (a file touched, or read again while its stamp
        // was not to be trusted): keep the text already held, which what was parsed
        // from it (a topic's body) shares, rather than holding a second copy.
        let text: Arc<str> = match self.previous.files.get(abs) {
            Some(Remembered {
                hash: h,
                text: Some(held),
                ..
            }) if *h == hash => Arc::clone(held),
            _ => Arc::from(text),
        };
        let source = SourceFile {
            rel: rel.clone(),
            text: Arc::clone(&text),
            modified,
            hash,
        };
        let known = Remembered {
            stamp,
            text: Some(text),
            hash,
            modified,
            lossy,
        };
        self.remember(abs, rel, known);
        Some(source)
    }

    /// What `make` gives for the file at `abs`, for a file read only to be parsed (a
    /// roadmap's chart, the larger part of the content's bytes): unchanged, it is
    /// neither read nor parsed again, and the memo keeps its parse, not its text.
    pub fn read_parsed<T: Send + Sync + 'static>(
        &mut self,
        abs: &Path,
        purpose: &'static str,
        make: impl FnOnce(&str) -> T,
    ) -> Option<Arc<T>> {
        if !self.inside(abs) {
            return None;
        }
        if let Some(known) = self.unchanged(abs) {
            let key = (purpose, *known.hash.as_bytes());
            let value = self
                .previous
                .parsed
                .get(&key)
                .and_then(|v| Arc::clone(v).downcast::<T>().ok());
            if let Some(value) = value {
                self.reuse(abs, known);
                self.current
                    .parsed
                    .insert(key, Arc::clone(&value) as Arc<dyn Any + Send + Sync>);
                return Some(value);
            }
        }
        let source = self.read_fresh(abs)?;
        let value = self.parsed(purpose, &source, make);
        if let Some(known) = self.current.files.get_mut(abs) {
            known.text = None;
        }
        Some(value)
    }

    /// Records a file read (or known unchanged) in the digest and the memo.
    fn remember(&mut self, abs: &Path, rel: PathBuf, known: Remembered) {
        self.hashes.push((to_slash(&rel), known.hash));
        if known.lossy {
            self.warn(
                &rel,
                None,
                "file is not valid UTF-8; invalid bytes were replaced",
            );
        }
        self.current.files.insert(abs.to_path_buf(), known);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A file read once and unchanged since is taken from the memo; any later write
    /// is seen, even one that keeps its size and its modification time (the change
    /// time, which no one can set back, tells).
    #[test]
    fn memo_reuses_settled_files_and_sees_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let file = root.join("a.md");
        std::fs::write(&file, "# One\n").unwrap();
        // Older than the racy window: a stamp taken now is trusted next time.
        std::thread::sleep(Stamp::RACY + Duration::from_millis(100));
        let confinement = Confinement::new(root);
        let limits = Limits::default();

        let mut first = Ctx::new(root, limits, &confinement);
        assert_eq!(&*first.read(&file).unwrap().text, "# One\n");
        let memo = first.take_memo();

        let mut second = Ctx::with_memo(root, limits, &confinement, memo);
        assert_eq!(&*second.read(&file).unwrap().text, "# One\n");
        assert_eq!(second.reused(), 1, "an unchanged file is not read again");
        let memo = second.take_memo();

        // Same size, modification time set back to what it was.
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, "# Two\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let mut third = Ctx::with_memo(root, limits, &confinement, memo);
        assert_eq!(&*third.read(&file).unwrap().text, "# Two\n");
        assert_eq!(third.reused(), 0);
    }

    /// A file changed just before it was read may change again within the same tick
    /// of the file system's clock: it is read again next time, whatever its stamp.
    #[test]
    fn memo_does_not_trust_a_file_changed_just_now() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let file = root.join("a.md");
        std::fs::write(&file, "# One\n").unwrap();
        let confinement = Confinement::new(root);
        let limits = Limits::default();
        let mut first = Ctx::new(root, limits, &confinement);
        let once = first.read(&file).unwrap();
        let memo = first.take_memo();
        let mut second = Ctx::with_memo(root, limits, &confinement, memo);
        let again = second.read(&file).unwrap();
        assert_eq!(second.reused(), 0);
        // Read again, the same bytes: the text already held is kept, not copied.
        assert!(Arc::ptr_eq(&once.text, &again.text));
        let memo = second.take_memo();
        std::fs::write(&file, "# Two\n").unwrap();
        let mut third = Ctx::with_memo(root, limits, &confinement, memo);
        let changed = third.read(&file).unwrap();
        assert_eq!(&*changed.text, "# Two\n");
        assert!(!Arc::ptr_eq(&once.text, &changed.text));
    }

    /// A file read only to be parsed keeps its parse, not its text, and, unchanged,
    /// is neither read nor parsed again.
    #[test]
    fn read_parsed_keeps_the_parse_not_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let file = root.join("chart.json");
        std::fs::write(&file, "{\"nodes\": []}").unwrap();
        std::thread::sleep(Stamp::RACY + Duration::from_millis(100));
        let confinement = Confinement::new(root);
        let limits = Limits::default();
        let calls = std::cell::Cell::new(0);
        let parse = |t: &str| {
            calls.set(calls.get() + 1);
            t.len()
        };
        let mut first = Ctx::new(root, limits, &confinement);
        let a = first.read_parsed(&file, "len", parse).unwrap();
        let digest = first.digest();
        let memo = first.take_memo();
        assert!(memo.files[&file].text.is_none());
        let mut second = Ctx::with_memo(root, limits, &confinement, memo);
        let b = second.read_parsed(&file, "len", parse).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!((calls.get(), second.reused()), (1, 1));
        assert_eq!(
            second.digest(),
            digest,
            "an unread file still counts in the digest"
        );
        // `read` of the same file needs its text: read again.
        let memo = second.take_memo();
        let mut third = Ctx::with_memo(root, limits, &confinement, memo);
        assert_eq!(&*third.read(&file).unwrap().text, "{\"nodes\": []}");
        assert_eq!(third.reused(), 0);
    }

    /// What is parsed from a text is shared by every derivation that meets the same
    /// bytes, and made again for other bytes.
    #[test]
    fn parsed_values_follow_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (a, b) = (root.join("a.md"), root.join("b.md"));
        std::fs::write(&a, "same").unwrap();
        std::fs::write(&b, "same").unwrap();
        let confinement = Confinement::new(root);
        let mut ctx = Ctx::new(root, Limits::default(), &confinement);
        let calls = std::cell::Cell::new(0);
        let parse = |t: &str| {
            calls.set(calls.get() + 1);
            t.len()
        };
        let sa = ctx.read(&a).unwrap();
        let first = ctx.parsed("len", &sa, parse);
        let sb = ctx.read(&b).unwrap();
        let again = ctx.parsed("len", &sb, parse);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(calls.get(), 1);
        let memo = ctx.take_memo();

        std::fs::write(&a, "other text").unwrap();
        let mut next = Ctx::with_memo(root, Limits::default(), &confinement, memo);
        let sa = next.read(&a).unwrap();
        assert_eq!(*next.parsed("len", &sa, parse), "other text".len());
        let sb = next.read(&b).unwrap();
        assert!(Arc::ptr_eq(&next.parsed("len", &sb, parse), &first));
        assert_eq!(calls.get(), 2);
    }
}
