//! The loader's state on disk (`roadmap-api-catalog.bin`, kept in the index folder),
//! so that a restart serves what it served before without reading and parsing every
//! file again: at full size (6,747 topic files) parsing is most of start-up.
//!
//! Trust works as for the index and for the memo: a unit is restored only when
//! every entry under its folder has the stamp it had *before* the unit was derived
//! (size, modification and change times, inode; settled for two seconds, so a write
//! in the same tick of the file system's clock is not missed), the same program
//! wrote the file (a rebuilt binary may derive differently), the content root
//! resolves to the same place, and the file's checksum holds. Everything else is
//! derived from the files, unit by unit. A unit whose folder holds a symbolic link is
//! never restored: its target could change while the folder does not. After a
//! restore the reloader derives everything once more in the background, which fills
//! the memo the next reload relies on and publishes whatever it finds different.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::loader::Unit;
use super::source::Limits;

/// The file's name in the index folder.
pub const FILE_NAME: &str = "roadmap-api-catalog.bin";

const MAGIC: &[u8; 8] = b"rmapcat1";

/// A larger file is not ours (the whole content at 3x saves about 100 MB).
const MAX_BYTES: u64 = 4 << 30;

/// A unit folder with more entries is derived, not stamped (a stranger's folder of a
/// million files must not make every reload walk it twice).
const MAX_ENTRIES: usize = 200_000;

/// A stamp taken within this long of an entry's last change may miss a write that
/// lands in the same tick of the file system's clock: such a unit is not saved.
const RACY: Duration = Duration::from_secs(2);

/// Why a saved state was not used (logged; the content is then read from its files).
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a saved catalog of this build: {0}")]
    Foreign(&'static str),
    #[error("unreadable: {0}")]
    Format(String),
}

/// One file or folder under a unit, as `stat` saw it (without following links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Root-relative path.
    rel: String,
    dir: bool,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: (u64, u64),
}

/// What the state was saved for: restoring it anywhere else would serve the wrong
/// content.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    build: String,
    root: PathBuf,
    limits: (u64, u64),
}

fn header(root: &Path, limits: Limits) -> Header {
    Header {
        build: build_identity(),
        root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        limits: (limits.max_markdown_bytes, limits.max_json_bytes),
    }
}

/// The running program: its version and its executable's stamp, so that a rebuilt
/// binary (whose loader may derive differently) never reads an older one's state.
fn build_identity() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .and_then(|m| entry_of(String::new(), &m));
        match exe {
            Some(e) => format!(
                "{} {} {}.{} {}",
                env!("CARGO_PKG_VERSION"),
                e.len,
                e.modified.0,
                e.modified.1,
                e.inode.1
            ),
            // Without a stamp of the program, nothing saved can be trusted.
            None => format!(
                "{} unknown {:?}",
                env!("CARGO_PKG_VERSION"),
                SystemTime::now()
            ),
        }
    })
    .clone()
}

#[cfg(unix)]
fn entry_of(rel: String, meta: &std::fs::Metadata) -> Option<Entry> {
    use std::os::unix::fs::MetadataExt;
    Some(Entry {
        rel,
        dir: meta.is_dir(),
        len: meta.len(),
        modified: (meta.mtime(), meta.mtime_nsec()),
        changed: (meta.ctime(), meta.ctime_nsec()),
        inode: (meta.dev(), meta.ino()),
    })
}

/// Without inodes and change times a stamp is not trustworthy: nothing is saved.
#[cfg(not(unix))]
fn entry_of(_rel: String, _meta: &std::fs::Metadata) -> Option<Entry> {
    None
}

impl Entry {
    fn settled(&self, now: i64) -> bool {
        let racy = RACY.as_secs() as i64;
        self.modified.0.saturating_add(racy) <= now && self.changed.0.saturating_add(racy) <= now
    }
}

/// The stamps of everything `unit` is derived from, or `None` when they cannot vouch
/// for it (a link, an entry changed within [`RACY`], an unreadable folder, too many
/// entries). Taken before a derivation and compared at the next start.
pub(crate) fn tree(root: &Path, unit: &Unit) -> Option<Vec<Entry>> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())?;
    let mut out = Vec::new();
    match unit {
        Unit::Roadmap(id) => walk(root, &Path::new("roadmaps").join(id), &mut out)?,
        Unit::BestPractice(id) => walk(root, &Path::new("best-practices").join(id), &mut out)?,
        Unit::QuestionGroup(id) => walk(root, &Path::new("question-groups").join(id), &mut out)?,
        Unit::Guide(name) => one(root, &Path::new("guides").join(name), &mut out)?,
        Unit::Video(name) => one(root, &Path::new("videos").join(name), &mut out)?,
        Unit::Synonyms => {
            for name in ["synonyms.yaml", "synonyms.yml"] {
                match std::fs::symlink_metadata(root.join(name)) {
                    Ok(_) => one(root, Path::new(name), &mut out)?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(_) => return None,
                }
            }
        }
    }
    out.iter().all(|e| e.settled(now)).then_some(out)
}

/// No link on the way from the root to `rel` (its parent folders).
fn plain_parents(root: &Path, rel: &Path) -> Option<()> {
    let mut at = root.to_path_buf();
    let parents: Vec<_> = rel.parent()?.components().collect();
    for part in parents {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).ok()?;
        if !meta.is_dir() {
            return None;
        }
    }
    Some(())
}

fn one(root: &Path, rel: &Path, out: &mut Vec<Entry>) -> Option<()> {
    plain_parents(root, rel)?;
    let meta = std::fs::symlink_metadata(root.join(rel)).ok()?;
    if meta.file_type().is_symlink() {
        return None;
    }
    out.push(entry_of(rel.to_str()?.to_owned(), &meta)?);
    Some(())
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<Entry>) -> Option<()> {
    plain_parents(root, rel)?;
    let base = root.join(rel);
    for item in walkdir::WalkDir::new(&base)
        .follow_links(false)
        .sort_by_file_name()
    {
        let item = item.ok()?;
        if item.file_type().is_symlink() || out.len() >= MAX_ENTRIES {
            return None;
        }
        let meta = item.metadata().ok()?;
        let rel = item.path().strip_prefix(root).ok()?.to_str()?.to_owned();
        out.push(entry_of(rel, &meta)?);
    }
    Some(())
}

/// A frame's checksum and bytes, the checksum not yet checked.
type Frame<'a> = (&'a [u8], &'a [u8]);

/// The next frame of `bytes` and what follows it.
fn next_frame(bytes: &[u8]) -> Result<(Frame<'_>, &[u8]), PersistError> {
    let truncated = PersistError::Foreign("truncated");
    let (len, rest) = bytes.split_at_checked(8).ok_or(truncated)?;
    let len = usize::try_from(u64::from_le_bytes(len.try_into().unwrap_or_default()))
        .map_err(|_| PersistError::Foreign("truncated"))?;
    let (sum, rest) = rest
        .split_at_checked(32)
        .ok_or(PersistError::Foreign("truncated"))?;
    let (body, rest) = rest
        .split_at_checked(len)
        .ok_or(PersistError::Foreign("truncated"))?;
    Ok(((sum, body), rest))
}

fn checked<'a>((sum, body): Frame<'a>) -> Result<&'a [u8], PersistError> {
    if blake3::hash(body).as_bytes().as_slice() == sum {
        Ok(body)
    } else {
        Err(PersistError::Foreign("checksum mismatch"))
    }
}

/// Writes `items` for [`read`], each in a frame of its own (decoded at the next
/// start on every core), to a temporary file renamed over the old one so that a
/// reader never sees half a file. Encoded one at a time into one buffer: saving the
/// whole content must not hold it twice more in memory. Not synced: a file lost in a
/// crash only costs the next start its head start. Returns the bytes written.
pub(crate) fn write<T: Serialize>(
    path: &Path,
    root: &Path,
    limits: Limits,
    items: &[T],
) -> Result<usize, PersistError> {
    let tmp = path.with_extension("bin.tmp");
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    let mut buffer = postcard::to_stdvec(&header(root, limits))
        .map_err(|e| PersistError::Format(e.to_string()))?;
    file.write_all(MAGIC)?;
    let mut written = MAGIC.len() + put_frame(&mut file, &buffer)?;
    file.write_all(&(items.len() as u64).to_le_bytes())?;
    written += 8;
    for item in items {
        buffer.clear();
        buffer =
            postcard::to_extend(item, buffer).map_err(|e| PersistError::Format(e.to_string()))?;
        written += put_frame(&mut file, &buffer)?;
    }
    file.flush()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    Ok(written)
}

/// Writes one frame: its length, its checksum, its bytes. Returns the bytes written.
fn put_frame(out: &mut impl Write, body: &[u8]) -> std::io::Result<usize> {
    out.write_all(&(body.len() as u64).to_le_bytes())?;
    out.write_all(blake3::hash(body).as_bytes())?;
    out.write_all(body)?;
    Ok(8 + 32 + body.len())
}

/// What [`write`] saved at `path` for this build, this content root and these limits.
pub(crate) fn read<T: DeserializeOwned + Send>(
    path: &Path,
    root: &Path,
    limits: Limits,
) -> Result<Vec<T>, PersistError> {
    use rayon::prelude::*;
    let len = std::fs::metadata(path)?.len();
    if len > MAX_BYTES {
        return Err(PersistError::Foreign("too large"));
    }
    let bytes = std::fs::read(path)?;
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or(PersistError::Foreign("no magic number"))?;
    let (head, rest) = next_frame(rest)?;
    let found: Header =
        postcard::from_bytes(checked(head)?).map_err(|e| PersistError::Format(e.to_string()))?;
    let expected = header(root, limits);
    if found.build != expected.build {
        return Err(PersistError::Foreign("written by another build"));
    }
    if found.root != expected.root {
        return Err(PersistError::Foreign("written for another content folder"));
    }
    if found.limits != expected.limits {
        return Err(PersistError::Foreign("written with other size limits"));
    }
    let (count, mut rest) = rest
        .split_at_checked(8)
        .ok_or(PersistError::Foreign("truncated"))?;
    let count = u64::from_le_bytes(count.try_into().unwrap_or_default());
    let mut frames = Vec::new();
    for _ in 0..count {
        let (f, after) = next_frame(rest)?;
        frames.push(f);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(PersistError::Foreign("trailing bytes"));
    }
    frames
        .into_par_iter()
        .map(|f| postcard::from_bytes(checked(f)?).map_err(|e| PersistError::Format(e.to_string())))
        .collect()
}
