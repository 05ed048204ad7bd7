//! The index folder as Tantivy sees it: its own `MmapDirectory` for reading,
//! locking and deleting, but writes that are not forced to the disk.
//!
//! The index on disk is a cache of the content folder, not a record of its own: at
//! start-up it is reused only when its manifest names the content version being
//! served and every file passes Tantivy's checksums, and is rebuilt otherwise. So a
//! crash that loses writes the kernel had not flushed costs one rebuild, never a
//! wrong answer, and the `fsync`s Tantivy makes on every commit (one per new file,
//! plus the folder and `meta.json`) buy nothing: on a one-file edit they were the
//! larger part of the commit. Atomicity stays where a reader could look: `meta.json`
//! (the commit point) is still replaced by rename, so a reader sees the old or the new
//! version whole. `.managed.json`, the list of files Tantivy may delete, is rewritten
//! in place: Tantivy rewrites it once per file it creates (nine times for a one-topic
//! edit) and reads it only when the index is opened, where a torn list fails the
//! open, and the index is rebuilt. Each rename had cost a new file of its own (an
//! inode that ext4 allocates past those of recently deleted segment files: a tenth
//! of a one-topic reload). The list is written over the old one and then cut to its
//! length, not truncated first: ext4 starts writing back a file truncated to zero
//! when it is closed (its guard for rewrite-in-place), which nine times per edit
//! was a quarter of building the edit's segment.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

/// Tantivy's list of the files it manages (see the module's notes).
const MANAGED: &str = ".managed.json";

/// Ending of the temporary file an atomic write renames into place.
pub(crate) const TMP_SUFFIX: &str = ".roadmap-api-tmp";

#[derive(Debug, Clone)]
pub(crate) struct UnsyncedDirectory {
    root: PathBuf,
    inner: MmapDirectory,
}

impl UnsyncedDirectory {
    pub fn open(
        root: &Path,
    ) -> Result<UnsyncedDirectory, tantivy::directory::error::OpenDirectoryError> {
        Ok(UnsyncedDirectory {
            root: root.to_path_buf(),
            inner: MmapDirectory::open(root)?,
        })
    }
}

/// A file being written: flushed when Tantivy finishes it, not synced.
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for UnsyncedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let target = self.root.join(path);
        if path == Path::new(MANAGED) {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&target)?;
            file.write_all(data)?;
            return file.set_len(data.len() as u64);
        }
        let mut name = target.file_name().unwrap_or_default().to_os_string();
        name.push(TMP_SUFFIX);
        let tmp = target.with_file_name(name);
        std::fs::write(&tmp, data)?;
        std::fs::rename(&tmp, &target)
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_read_back_and_atomic_writes_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = UnsyncedDirectory::open(dir.path()).unwrap();
        let mut w = d.open_write(Path::new("a.idx")).unwrap();
        w.write_all(b"hello").unwrap();
        w.terminate().unwrap();
        assert_eq!(
            d.open_read(Path::new("a.idx"))
                .unwrap()
                .read_bytes()
                .unwrap()
                .as_slice(),
            b"hello"
        );
        assert!(matches!(
            d.open_write(Path::new("a.idx")),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));
        d.atomic_write(Path::new("meta.json"), b"{}").unwrap();
        d.atomic_write(Path::new("meta.json"), b"{\"v\":2}")
            .unwrap();
        assert_eq!(d.atomic_read(Path::new("meta.json")).unwrap(), b"{\"v\":2}");
        d.atomic_write(Path::new(MANAGED), b"[\"a.idx\",\"b.idx\"]")
            .unwrap();
        d.atomic_write(Path::new(MANAGED), b"[]").unwrap();
        assert_eq!(d.atomic_read(Path::new(MANAGED)).unwrap(), b"[]");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(TMP_SUFFIX)), "{names:?}");
    }
}
