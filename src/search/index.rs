//! The Tantivy index: schema, the on-disk location and its manifest, and the
//! [`Indexer`] that owns the one writer and turns catalogs into [`SearchIndex`]es.
//!
//! A reload hands the indexer a whole new catalog; the indexer compares each
//! document's content hash with what it indexed last and deletes and adds only the
//! documents that changed, so a one-file edit costs one or two documents of work,
//! whatever the corpus size. The searcher of every commit is captured in an
//! immutable [`SearchIndex`], which the snapshot publishes together with its catalog.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::indexer::{AddOperation, SegmentWriter};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Segment, SegmentMeta, TantivyDocument,
    Term, doc,
};

use super::SearchError;
use super::analyzer::{self, analyzer};
use super::directory::{TMP_SUFFIX, UnsyncedDirectory};
use super::documents::{DocCache, DocMeta, KeyMap};
use super::engine::{Engine, Part, Reuse};
use super::suggest::SuggestIndex;
use super::synonyms::{Synonyms, fingerprint};
use crate::content::Catalog;

/// Bumped whenever the schema or the analyzers change: an index on disk built with
/// another version is rebuilt at start-up.
pub const SCHEMA_VERSION: u32 = 3;

const MANIFEST: &str = "roadmap-api-manifest.json";
/// The writer's budget (near Tantivy's minimum), and the arena of each segment a
/// large update builds on a core of its own. The writer's own indexing thread indexes
/// nothing: every update is indexed into segments built here and added to it.
const WRITER_HEAP: usize = 16 * 1024 * 1024;
/// Arena of the segment a small update (under [`PARALLEL_FROM`] documents) is indexed
/// into. The writer's own thread sizes its term table from the writer's budget (2^19
/// entries at Tantivy's 15 MB minimum), allocated, cleared and walked again for every
/// commit of a single edited topic: a fifth of a one-topic reload's work. The table
/// grows as a larger update needs.
const SMALL_HEAP: usize = 512 * 1024;
/// Documents added by one update from which they are indexed on every core, in
/// segments of their own, rather than through the writer's single thread, and
/// then merged into one.
const PARALLEL_FROM: usize = 1_000;
/// Arena size from which a segment built in parallel is cut: above what a core's
/// share of three times the roadmap.sh content takes (about 30 MB per core at 1x),
/// so that it is one segment per core, and a bound on the memory a build of any
/// content holds at once (this per core, freed when the segment is written).
const SEGMENT_CUT: usize = 128 << 20;

type ResultCache = quick_cache::sync::Cache<String, Arc<super::SearchResults>>;
type SuggestCache = quick_cache::sync::Cache<(String, usize), Arc<Vec<super::Suggestion>>>;

/// Entries of the per-snapshot result cache (0 disables it).
static CACHE_ENTRIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(2048);

/// Sets the size of the result cache of indexes published from now on (0: none).
pub fn set_cache_entries(entries: usize) {
    CACHE_ENTRIES.store(entries, std::sync::atomic::Ordering::Relaxed);
}

/// How segments are merged in the background. Tantivy's defaults put every segment
/// under 10,000 documents in one level, so with the whole corpus in one segment of
/// 7,600 documents, every eighth one-document commit merged the whole index again
/// (a third of the CPU of a stream of edits, on the two cores that also serve
/// requests). Levels from one document up keep the small segments of edits merging
/// among themselves; the large segment is rewritten only once a fifth of it is
/// deleted documents.
fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_min_layer_size(1);
    policy.set_min_num_segments(4);
    policy.set_del_docs_ratio_before_merge(0.2);
    policy
}

/// The Tantivy document of `d`.
fn document(f: Fields, d: &DocMeta) -> TantivyDocument {
    let mut document = doc!(
        f.key => d.key,
        f.version => d.version_id(),
        f.title_raw => &*d.title,
        f.title => &*d.title,
        f.body_raw => &*d.text,
        f.body => &*d.text,
        f.context => d.context.as_str(),
        f.keywords => d.keywords.as_str(),
    );
    // Alternative titles are titles to search and rank: same fields.
    for alt in &d.alt_titles {
        document.add_text(f.title_raw, alt);
        document.add_text(f.title, alt);
    }
    document
}

/// Documents by key, the first of a duplicated key winning (as in [`Indexer::update`]).
fn by_key(docs: Vec<Arc<DocMeta>>) -> KeyMap<Arc<DocMeta>> {
    let mut map = KeyMap::with_capacity_and_hasher(docs.len(), Default::default());
    for d in docs {
        map.entry(d.key).or_insert(d);
    }
    map
}

/// Where the index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexLocation {
    /// In RAM: nothing persisted (tests, `--index memory`).
    Memory,
    /// A folder holding a Tantivy index (see [`super::directory`]) and our manifest.
    Dir(PathBuf),
}

impl IndexLocation {
    /// `memory` means RAM, anything else is a folder.
    pub fn parse(s: &str) -> IndexLocation {
        if s == "memory" || s == ":memory:" {
            IndexLocation::Memory
        } else {
            IndexLocation::Dir(PathBuf::from(s))
        }
    }

    /// Where the loaded content is saved beside the index (`None` in memory).
    pub fn saved_content(&self) -> Option<PathBuf> {
        match self {
            IndexLocation::Dir(dir) => Some(dir.join(crate::content::persist::FILE_NAME)),
            IndexLocation::Memory => None,
        }
    }
}

/// What the index on disk was built from; compared at start-up to decide between
/// reuse and rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    pub content_version: String,
    pub synonyms: String,
    /// Payload of the last Tantivy commit (the content version it was made for). The
    /// index's writes are not synced (see [`super::directory`]): after a power loss
    /// this manifest may be on disk while `meta.json` is an older commit, and the
    /// payload in `meta.json` tells.
    #[serde(default)]
    pub commit: Option<String>,
}

/// The fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub key: Field,
    /// [`DocMeta::version_id`]: what deletes go by.
    pub version: Field,
    pub title_raw: Field,
    pub title: Field,
    pub body_raw: Field,
    pub body: Field,
    pub context: Field,
    pub keywords: Field,
}

impl Fields {
    /// The fields a query reads: raw and stemmed titles and bodies, context and
    /// keywords.
    pub fn searched(&self) -> [Field; 6] {
        [
            self.title_raw,
            self.title,
            self.body_raw,
            self.body,
            self.context,
            self.keywords,
        ]
    }
}

fn text(tokenizer: &str, positions: bool) -> TextOptions {
    let option = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(option),
    )
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_u64_field("key", INDEXED | FAST),
        version: b.add_u64_field("version", INDEXED),
        title_raw: b.add_text_field("title_raw", text(analyzer::RAW, false)),
        title: b.add_text_field("title", text(analyzer::STEM, true)),
        body_raw: b.add_text_field("body_raw", text(analyzer::RAW, false)),
        body: b.add_text_field("body", text(analyzer::STEM, true)),
        // Positions everywhere a phrase (a multi-word synonym, a split word) may match.
        context: b.add_text_field("context", text(analyzer::STEM, true)),
        keywords: b.add_text_field("keywords", text(analyzer::STEM, true)),
    };
    (b.build(), fields)
}

fn register(index: &Index) {
    index
        .tokenizers()
        .register(analyzer::RAW, analyzer(false, true));
    index
        .tokenizers()
        .register(analyzer::STEM, analyzer(true, true));
}

/// One published state of the index: the searcher of one commit plus what a hit
/// needs. Immutable, shared by every request of a snapshot.
pub struct SearchIndex {
    pub(crate) searcher: Searcher,
    pub(crate) fields: Fields,
    pub(crate) metas: Arc<KeyMap<Arc<DocMeta>>>,
    pub(crate) synonyms: Arc<Synonyms>,
    /// Built on the first completion asked of this index, not on the reload path: a
    /// burst of edits publishes snapshots that no one asks for completions, and a
    /// one-file edit should not sort 7,600 titles before it is searchable.
    pub(crate) suggest: std::sync::OnceLock<SuggestIndex>,
    /// What the query path precomputes per published index (dense document numbers,
    /// per-document facts for ranking and facets).
    pub(crate) engine: Engine,
    /// Answers of this index to recent requests. Search-as-you-type repeats the same
    /// prefixes across users; the cache lives and dies with its snapshot, so it can
    /// never serve an answer from another content version.
    pub(crate) cache: Option<ResultCache>,
    /// The same for completions.
    pub(crate) suggest_cache: Option<SuggestCache>,
    /// How many documents the commit behind this index added and deleted.
    pub stats: IndexStats,
}

/// What building one [`SearchIndex`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexStats {
    pub documents: usize,
    pub added: usize,
    pub deleted: usize,
    /// Whether an index on disk was reused as it was.
    pub reused: bool,
    pub build_ms: u64,
    /// The configured index folder could not be used (not ours, unwritable, locked):
    /// the index lives in memory and is rebuilt at every start.
    pub memory_fallback: bool,
}

impl SearchIndex {
    /// Builds a fresh in-memory index of `catalog`: the simple path for tests and
    /// one-off tools; the service goes through an [`Indexer`].
    pub fn build(catalog: &Catalog) -> Result<SearchIndex, SearchError> {
        let (mut indexer, index) = Indexer::open(&IndexLocation::Memory, catalog)?;
        let stats = index.stats;
        Ok(indexer.finish_merge(catalog, stats)?.unwrap_or(index))
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Segments this index is searched in: one after a build, more while a large
    /// update's parts are being merged, and a few small ones from recent edits.
    pub fn segments(&self) -> usize {
        self.searcher.segment_readers().len()
    }
}

/// Owns the index and its single writer; lives on the reload path.
pub struct Indexer {
    location: IndexLocation,
    writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
    /// The documents of the last publication (shared with its [`SearchIndex`]): what
    /// the index holds, by key.
    indexed: Arc<KeyMap<Arc<DocMeta>>>,
    synonyms_fingerprint: String,
    /// The parsed synonyms of the last publication and the fingerprint of the groups
    /// they were built from: parsing them (the shipped defaults are YAML) for every
    /// publication was a twentieth of a one-topic reload.
    synonyms: Option<(String, Arc<Synonyms>)>,
    /// Set by [`Indexer::open_or_memory`] when it had to keep the index in memory.
    memory_fallback: bool,
    /// Documents per resource, remade only for resources that changed.
    docs: DocCache,
    /// The engine parts of the last publication and the documents they were built
    /// from: the next publication keeps those its changes leave valid ([`Reuse`]).
    parts: Option<(Metas, Vec<Arc<Part>>)>,
    /// Payload of the last commit, for the manifest.
    committed: Option<String>,
    /// [`PARALLEL_FROM`] and [`SEGMENT_CUT`], smaller in tests.
    parallel_from: usize,
    segment_cut: usize,
    /// Whether `indexed` holds exactly the documents `docs` gave last, one per key:
    /// then an update reads only the documents of the resources that changed.
    incremental: bool,
    /// The merge a large update started, and when: see [`Indexer::finish_merge`].
    merging: Option<(
        tantivy::FutureResult<Option<SegmentMeta>>,
        std::time::Instant,
    )>,
}

/// The documents of a publication, by key (shared with its [`SearchIndex`]).
type Metas = Arc<KeyMap<Arc<DocMeta>>>;

/// What an update does to the index: the documents it holds afterwards by key, the
/// documents to add and the versions to delete.
struct Delta {
    seen: KeyMap<Arc<DocMeta>>,
    to_add: Vec<Arc<DocMeta>>,
    deletes: Vec<u64>,
    /// The keys whose document is not the one indexed before (added, changed, or
    /// the same indexed content in a new document), sorted: the engine parts that
    /// hold them are built again.
    replaced: Vec<u64>,
    /// No two documents shared a key.
    unique: bool,
}

impl Delta {
    /// Compares every document with what is indexed.
    fn of_all(indexed: &KeyMap<Arc<DocMeta>>, docs: Vec<Arc<DocMeta>>) -> Delta {
        let mut seen: KeyMap<Arc<DocMeta>> =
            KeyMap::with_capacity_and_hasher(docs.len(), Default::default());
        let mut to_add = Vec::new();
        let mut deletes = Vec::new();
        let mut replaced = Vec::new();
        let mut unique = true;
        for d in docs {
            // Two documents with one key (a duplicate id in the content) would make
            // deletes ambiguous; the first wins, as it does in the catalog lookups.
            let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(d.key) else {
                unique = false;
                continue;
            };
            let known = indexed.get(&d.key);
            if !known.is_some_and(|k| Arc::ptr_eq(k, &d)) {
                replaced.push(d.key);
            }
            // The same document (its resource unchanged), or the same indexed content.
            if known.is_some_and(|k| Arc::ptr_eq(k, &d) || k.content == d.content) {
                slot.insert(d);
                continue;
            }
            if let Some(k) = known {
                deletes.push(k.version_id());
            }
            to_add.push(Arc::clone(&d));
            slot.insert(d);
        }
        for (key, k) in indexed.iter() {
            if !seen.contains_key(key) {
                deletes.push(k.version_id());
            }
        }
        replaced.sort_unstable();
        Delta {
            seen,
            to_add,
            deletes,
            replaced,
            unique,
        }
    }

    /// The same as [`Delta::of_all`] from the documents of the resources made again
    /// (`made`) and their last documents (`stale`), when `indexed` holds the last
    /// documents one per key: every other document is the one indexed. A copy of
    /// the map and a look-up per changed document, instead of two look-ups for each
    /// of the 7,600 (23,000 at three times the size). `None` where a key is shared,
    /// which only the whole pass decides as the content's order does.
    fn of_changes(
        indexed: &KeyMap<Arc<DocMeta>>,
        made: &[Arc<DocMeta>],
        stale: &[Arc<DocMeta>],
    ) -> Option<Delta> {
        let mut seen = indexed.clone();
        let mut old: KeyMap<Arc<DocMeta>> = KeyMap::default();
        for s in stale {
            if !seen.get(&s.key).is_some_and(|k| Arc::ptr_eq(k, s)) {
                return None;
            }
            old.insert(s.key, seen.remove(&s.key)?);
        }
        let mut to_add = Vec::new();
        let mut deletes = Vec::new();
        let mut replaced = Vec::new();
        for d in made {
            // Held by a resource that did not change, or twice among the changed.
            if seen.contains_key(&d.key) {
                return None;
            }
            let known = old.remove(&d.key);
            if !known.as_ref().is_some_and(|k| Arc::ptr_eq(k, d)) {
                replaced.push(d.key);
            }
            match known {
                Some(k) if Arc::ptr_eq(&k, d) || k.content == d.content => {}
                Some(k) => {
                    deletes.push(k.version_id());
                    to_add.push(Arc::clone(d));
                }
                None => to_add.push(Arc::clone(d)),
            }
            seen.insert(d.key, Arc::clone(d));
        }
        deletes.extend(old.values().map(|k| k.version_id()));
        replaced.sort_unstable();
        replaced.dedup();
        Some(Delta {
            seen,
            to_add,
            deletes,
            replaced,
            unique: true,
        })
    }
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), SearchError> {
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    let bytes = serde_json::to_vec_pretty(manifest).map_err(|e| SearchError::Io(e.into()))?;
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(MANIFEST))?;
    Ok(())
}

/// Whether `name` is a file Tantivy or we write in an index folder: a segment file
/// (`<32 hex digits>.<component>`, deletes `<32 hex>.<opstamp>.del`), Tantivy's meta and
/// lock files, our manifest and the loader's saved state. Matching shapes, not just endings, so that a folder shared
/// by mistake loses nothing else (a `package.json` ends in `.json` too).
fn written_by_us(name: &str) -> bool {
    const EXACT: [&str; 4] = [
        "meta.json",
        ".managed.json",
        ".tantivy-meta.lock",
        ".tantivy-writer.lock",
    ];
    const COMPONENTS: [&str; 7] = ["idx", "term", "pos", "fast", "fieldnorm", "store", "del"];
    let saved = crate::content::persist::FILE_NAME;
    if EXACT.contains(&name)
        || name == MANIFEST
        || name == format!("{MANIFEST}.tmp")
        || name == saved
        || name == format!("{saved}.tmp")
    {
        return true;
    }
    // What an atomic write leaves when interrupted before its rename.
    if let Some(target) = name.strip_suffix(TMP_SUFFIX) {
        return written_by_us(target);
    }
    let mut parts = name.split('.');
    let segment = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let uuid = segment.len() == 32 && segment.bytes().all(|b| b.is_ascii_hexdigit());
    uuid && match rest.as_slice() {
        [component] => COMPONENTS.contains(component),
        [opstamp, "del"] => opstamp.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// Files a folder may hold besides an index without being someone else's (the
/// repository's `index/README.md`, version-control placeholders).
fn harmless(name: &str) -> bool {
    name.starts_with("README") || name == ".gitignore" || name == ".gitkeep"
}

/// Refuses a folder that holds files we did not write and no manifest of ours: it is
/// not an index folder, and rebuilding there would delete or mix with someone's files.
fn check_ours(dir: &Path, manifest: Option<&Manifest>) -> Result<(), SearchError> {
    if manifest.is_some() || dir.join(MANIFEST).exists() || !dir.exists() {
        return Ok(());
    }
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !written_by_us(&name) && !harmless(&name) {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    foreign.truncate(5);
    Err(SearchError::Open(format!(
        "{} is not an index folder of roadmap-api (no {MANIFEST}, and it holds {}): \
         refusing to write there so that nothing in it is deleted; point --index at an \
         empty or new folder, or use `memory`",
        dir.display(),
        foreign.join(", ")
    )))
}

/// Removes what Tantivy and we wrote in `dir`, and nothing else (the folder's
/// README stays).
fn clear_dir(dir: &Path) -> Result<(), SearchError> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if written_by_us(&name.to_string_lossy()) && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Files of `index` whose Tantivy checksum does not match their bytes (a disk error,
/// a partial copy, an edit): such an index can panic inside Tantivy on a search, so it
/// is rebuilt rather than reused.
fn corrupted(index: &Index) -> Result<(), SearchError> {
    // A commit that names files no longer there (its `meta.json` older than the
    // last garbage collection, after a power loss) passes the checksums of the
    // files that exist, and fails here.
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map(|_: IndexReader| ())
        .map_err(|e| SearchError::Open(format!("segments unreadable: {e}")))?;
    match index.validate_checksum() {
        Ok(bad) if bad.is_empty() => Ok(()),
        Ok(bad) => {
            let mut names: Vec<String> = bad.iter().map(|p| p.display().to_string()).collect();
            names.sort();
            Err(SearchError::Open(format!(
                "checksum mismatch in {}",
                names.join(", ")
            )))
        }
        Err(e) => Err(SearchError::Open(format!("checksums unreadable: {e}"))),
    }
}

/// `docs` cut into at most `parts` contiguous slices of about the same amount of
/// text: indexing time follows the text, and one long guide outweighs a hundred
/// topics, so equal counts left one thread working alone for half the build.
fn balanced(docs: &[Arc<DocMeta>], parts: usize) -> Vec<&[Arc<DocMeta>]> {
    let size = |d: &DocMeta| {
        d.title.len()
            + d.text.len()
            + d.context.len()
            + d.keywords.len()
            + d.alt_titles.iter().map(String::len).sum::<usize>()
            + 64
    };
    let total: usize = docs.iter().map(|d| size(d)).sum();
    let share = total.div_ceil(parts.max(1)).max(1);
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut filled) = (0, 0);
    for (i, d) in docs.iter().enumerate() {
        filled += size(d);
        if filled >= share && out.len() + 1 < parts {
            out.push(&docs[start..=i]);
            start = i + 1;
            filled = 0;
        }
    }
    if start < docs.len() {
        out.push(&docs[start..]);
    }
    out
}

/// Indexes `docs` into new segments of `writer`'s index, in their order; a segment
/// is cut when its arena reaches `cut` bytes ([`SEGMENT_CUT`]).
fn build_segments(
    writer: &IndexWriter,
    f: Fields,
    docs: &[Arc<DocMeta>],
    heap: usize,
    cut: usize,
) -> Result<Vec<SegmentMeta>, SearchError> {
    let mut metas = Vec::new();
    let mut rest = docs;
    while !rest.is_empty() {
        let segment = writer.new_segment();
        let mut sw = SegmentWriter::for_segment(heap, segment.clone())?;
        let mut taken = 0;
        for d in rest {
            sw.add_document(AddOperation {
                opstamp: taken as u64,
                document: document(f, d),
            })?;
            taken += 1;
            if sw.mem_usage() >= cut {
                break;
            }
        }
        metas.push(finish_segment(segment, sw)?);
        rest = &rest[taken..];
    }
    Ok(metas)
}

/// Writes out a segment built by [`build_segments`].
fn finish_segment(segment: Segment, writer: SegmentWriter) -> Result<SegmentMeta, SearchError> {
    let max_doc = writer.max_doc();
    writer.finalize()?;
    Ok(segment.with_max_doc(max_doc).meta().clone())
}

impl Indexer {
    /// Opens (or creates) the index at `location` and brings it up to `catalog`.
    /// An index on disk whose manifest matches the catalog's content version, the
    /// schema version and the synonyms is reused without re-indexing anything.
    pub fn open(
        location: &IndexLocation,
        catalog: &Catalog,
    ) -> Result<(Indexer, SearchIndex), SearchError> {
        let started = std::time::Instant::now();
        let (schema, fields) = schema();
        let synonyms_fingerprint = fingerprint(&catalog.synonyms);
        // The index, and the manifest found with it when the index is usable as it is.
        let (index, found) = match location {
            IndexLocation::Memory => (Index::create_in_ram(schema), None),
            IndexLocation::Dir(dir) => {
                let found = read_manifest(dir);
                check_ours(dir, found.as_ref())?;
                std::fs::create_dir_all(dir)?;
                let same_schema = found
                    .as_ref()
                    .is_some_and(|m| m.schema_version == SCHEMA_VERSION);
                if !same_schema {
                    clear_dir(dir)?;
                }
                let opened = if same_schema {
                    UnsyncedDirectory::open(dir)
                        .map_err(|e| SearchError::Open(e.to_string()))
                        .and_then(|d| Index::open_or_create(d, schema.clone()).map_err(Into::into))
                        .and_then(|index| {
                            corrupted(&index).map(|()| index).inspect_err(|e| {
                                tracing::warn!(dir = %dir.display(), error = %e, "index on disk is corrupt; rebuilding it");
                            })
                        })
                } else {
                    Err(SearchError::Open("no usable index".into()))
                };
                match opened {
                    Ok(index) => (index, found),
                    Err(_) => {
                        clear_dir(dir)?;
                        let d = UnsyncedDirectory::open(dir)
                            .map_err(|e| SearchError::Open(e.to_string()))?;
                        (Index::open_or_create(d, schema)?, None)
                    }
                }
            }
        };
        let committed = index.load_metas().ok().and_then(|m| m.payload);
        let reusable = found.is_some_and(|m| {
            m.schema_version == SCHEMA_VERSION
                && m.content_version == catalog.version
                && m.synonyms == synonyms_fingerprint
                && m.commit.is_some()
                && m.commit == committed
        });
        let mut index = index;
        // No stored fields: the document store of a segment holds empty documents,
        // and compressing them on a thread of their own spawned and joined a thread
        // for every segment, one per one-topic reload.
        index.settings_mut().docstore_compress_dedicated_thread = false;
        register(&index);
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_HEAP)?;
        writer.set_merge_policy(Box::new(merge_policy()));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut indexer = Indexer {
            location: location.clone(),
            writer,
            reader,
            fields,
            indexed: Arc::default(),
            synonyms_fingerprint,
            synonyms: None,
            memory_fallback: false,
            docs: DocCache::default(),
            parts: None,
            committed,
            parallel_from: PARALLEL_FROM,
            segment_cut: SEGMENT_CUT,
            merging: None,
            incremental: false,
        };
        let docs = indexer.docs.documents(catalog);
        if reusable {
            // The index on disk holds exactly these documents: remember their hashes
            // so that the next reload can be incremental.
            let count = docs.len();
            let metas = Arc::new(by_key(docs));
            indexer.indexed = Arc::clone(&metas);
            indexer.incremental = metas.len() == count;
            let mut stats = IndexStats {
                documents: count,
                reused: true,
                ..IndexStats::default()
            };
            stats.build_ms = started.elapsed().as_millis() as u64;
            let search = indexer.publish(catalog, metas, stats, None);
            return Ok((indexer, search));
        }
        // Unknown contents (new, or built from other files): start from empty.
        indexer.writer.delete_all_documents()?;
        let mut search = indexer.update(catalog)?;
        search.stats.build_ms = started.elapsed().as_millis() as u64;
        Ok((indexer, search))
    }

    /// Brings the index up to `catalog`, touching only documents whose content
    /// changed, commits, and returns the searcher of that commit.
    pub fn update(&mut self, catalog: &Catalog) -> Result<SearchIndex, SearchError> {
        // Synonyms apply when queries are parsed, so they need no re-indexing; a new
        // synonyms file still rebuilds everything, so that the index on disk and its
        // manifest describe one consistent state from scratch.
        if fingerprint(&catalog.synonyms) != self.synonyms_fingerprint {
            self.rebuild_all()?;
        }
        // A merge still running would hold segments this update may merge again.
        self.wait_merge();
        // Edits' segments merge among themselves (a large update switched this off
        // while its segments joined, and until its own merge ended).
        self.writer.set_merge_policy(Box::new(merge_policy()));
        let started = std::time::Instant::now();
        let before = Arc::clone(&self.indexed);
        // The cache's changes describe the index only when the last update that
        // asked for them also finished (an update that failed midway, or a forgotten
        // index, leaves `incremental` off until a full pass).
        let incremental = std::mem::take(&mut self.incremental);
        let docs = self.docs.changes(catalog);
        let f = self.fields;
        let count = docs.count;
        let partial = incremental
            .then(|| Delta::of_changes(&self.indexed, &docs.made, &docs.stale))
            .flatten();
        let whole_pass = partial.is_none();
        let delta = partial.unwrap_or_else(|| Delta::of_all(&self.indexed, self.docs.all()));
        let Delta {
            seen,
            to_add,
            deletes,
            replaced,
            unique,
        } = delta;
        for version in &deletes {
            self.writer
                .delete_term(Term::from_field_u64(f.version, *version));
        }
        let deleted = deletes.len();
        let added = to_add.len();
        let mut ours = Vec::new();
        if added >= self.parallel_from {
            // The new segments see the deletes queued above; those name old
            // versions only ([`DocMeta::version_id`]), so no commit is needed in between.
            // The merge policy would merge the new segments among themselves or with
            // others as they join, in its own order; they are merged below, in theirs.
            self.writer
                .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            ours = self.add_segments(&to_add).inspect_err(|_| {
                // What is in the index is unknown now: the next update adds everything.
                let _ = self.rebuild_all();
            })?;
        } else if !to_add.is_empty() {
            // A segment of our own with a small arena (see [`SMALL_HEAP`]); the
            // deletes above name old versions only, so it may see them.
            let added = build_segments(&self.writer, f, &to_add, SMALL_HEAP, self.segment_cut)
                .and_then(|metas| {
                    metas
                        .into_iter()
                        .try_for_each(|m| self.writer.add_segment(m).map_err(Into::into))
                });
            if let Err(e) = added {
                // What is in the index is unknown now: the next update adds everything.
                let _ = self.rebuild_all();
                return Err(e);
            }
        }
        let prepared = started.elapsed();
        let synonyms_fingerprint = fingerprint(&catalog.synonyms);
        let changed = added > 0 || deleted > 0;
        let mut to_merge = Vec::new();
        if changed || self.synonyms_fingerprint != synonyms_fingerprint {
            let mut commit = self.writer.prepare_commit()?;
            commit.set_payload(&catalog.version);
            commit.commit()?;
            self.committed = Some(catalog.version.clone());
            // A large update leaves a segment per core; every query walks each
            // segment's dictionaries (typo and prefix expansion), so one segment
            // answers faster. Small reloads leave merging to the merge policy.
            if !ours.is_empty() {
                // The segments built here last and in the order of their documents, so
                // that the merged order (ranking's last tie-break) is the catalog's
                // whatever thread built which part.
                let mut ids: Vec<_> = self
                    .writer
                    .index()
                    .searchable_segment_ids()?
                    .into_iter()
                    .filter(|id| !ours.contains(id))
                    .collect();
                ids.extend(ours.iter().copied());
                if ids.len() > 1 {
                    to_merge = ids;
                }
            }
            self.reader.reload()?;
        }
        let metas = Arc::new(seen);
        self.indexed = Arc::clone(&metas);
        self.incremental = unique;
        self.synonyms_fingerprint = synonyms_fingerprint.clone();
        if let IndexLocation::Dir(dir) = &self.location {
            write_manifest(
                dir,
                &Manifest {
                    schema_version: SCHEMA_VERSION,
                    content_version: catalog.version.clone(),
                    synonyms: synonyms_fingerprint,
                    commit: self.committed.clone(),
                },
            )?;
        }
        let committed = started.elapsed();
        let stats = IndexStats {
            documents: count,
            added,
            deleted,
            reused: false,
            build_ms: started.elapsed().as_millis() as u64,
            memory_fallback: self.memory_fallback,
        };
        let search = self.publish(catalog, metas, stats, Some((&before, &replaced)));
        if !to_merge.is_empty() {
            // Served at once from its segments; the merge runs on Tantivy's merge
            // thread and its result is published by `finish_merge` (a fifth of a fresh
            // start's indexing, off the way to `/readyz`). Started only once this
            // publication has read its segments' files (the raw dictionaries are opened
            // from the index folder by segment): a merge that ended first would have
            // deleted them, and the engine would walk Tantivy's streams instead.
            self.merging = Some((self.writer.merge(&to_merge), std::time::Instant::now()));
        }
        tracing::debug!(
            documents_ms = prepared.as_secs_f64() * 1000.0,
            commit_ms = (committed - prepared).as_secs_f64() * 1000.0,
            publish_ms = (started.elapsed() - committed).as_secs_f64() * 1000.0,
            added,
            deleted,
            whole_pass,
            "index updated"
        );
        Ok(search)
    }

    /// Indexes `docs` on every core: one contiguous slice per thread, each written
    /// straight into segments of its own, which join the writer's uncommitted
    /// segments in the order of `docs`. The writer's one indexing thread (one thread,
    /// so that a reload's documents land in one small segment) would take twice as
    /// long over a whole build. Returns the new segments, in order.
    fn add_segments(
        &mut self,
        docs: &[Arc<DocMeta>],
    ) -> Result<Vec<tantivy::index::SegmentId>, SearchError> {
        let f = self.fields;
        let threads = rayon::current_num_threads()
            .clamp(1, docs.len().div_ceil(self.parallel_from.div_ceil(2)));
        let cut = self.segment_cut;
        let writer = &self.writer;
        let built: Vec<Result<Vec<SegmentMeta>, SearchError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = balanced(docs, threads)
                .into_iter()
                .map(|chunk| {
                    scope.spawn(move || build_segments(writer, f, chunk, WRITER_HEAP, cut))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(SearchError::Open("an indexing thread panicked".into()))
                    })
                })
                .collect()
        });
        let mut ids = Vec::new();
        for metas in built {
            for meta in metas? {
                ids.push(meta.id());
                self.writer.add_segment(meta)?;
            }
        }
        Ok(ids)
    }

    /// Whether a merge started by a large update has not been published yet.
    pub fn merging(&self) -> bool {
        self.merging.is_some()
    }

    /// Waits for the merge a large update started; `true` when the index changed
    /// (a failed merge leaves the segments as they were, and searchable).
    fn wait_merge(&mut self) -> bool {
        let Some((merge, started)) = self.merging.take() else {
            return false;
        };
        match merge.wait() {
            Ok(_) => {
                tracing::debug!(ms = started.elapsed().as_millis() as u64, "segments merged");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "merging the new segments failed; serving them unmerged");
                false
            }
        }
    }

    /// Waits for the merge the last large update started and returns the same
    /// documents from the merged segment, to replace the published index silently
    /// (its `catalog` and `stats` are the published index's). `None` when there was
    /// no merge, or it failed.
    pub fn finish_merge(
        &mut self,
        catalog: &Catalog,
        stats: IndexStats,
    ) -> Result<Option<SearchIndex>, SearchError> {
        if !self.wait_merge() {
            return Ok(None);
        }
        self.reader.reload()?;
        let indexed = Arc::clone(&self.indexed);
        Ok(Some(self.publish(
            catalog,
            Arc::clone(&indexed),
            stats,
            Some((&indexed, &[])),
        )))
    }

    /// Forgets every document: the next [`Indexer::update`] adds them all again.
    pub fn rebuild_all(&mut self) -> Result<(), SearchError> {
        self.writer.delete_all_documents()?;
        self.indexed = Arc::default();
        self.incremental = false;
        Ok(())
    }

    /// [`Indexer::open`], or, when the folder of `location` cannot be used, an index in
    /// memory (logged, and flagged in its stats for `/v1/status`): an index folder must
    /// not keep the content from being served.
    pub fn open_or_memory(
        location: &IndexLocation,
        catalog: &Catalog,
    ) -> Result<(Indexer, SearchIndex), SearchError> {
        match Indexer::open(location, catalog) {
            Err(e) if *location != IndexLocation::Memory => {
                tracing::warn!(error = %e, "index folder unusable; keeping the index in memory");
                let (mut indexer, mut search) = Indexer::open(&IndexLocation::Memory, catalog)?;
                indexer.memory_fallback = true;
                search.stats.memory_fallback = true;
                Ok((indexer, search))
            }
            other => other,
        }
    }

    /// The synonyms of `catalog`, parsed again only when its groups changed.
    fn synonyms(&mut self, catalog: &Catalog) -> Arc<Synonyms> {
        let print = fingerprint(&catalog.synonyms);
        match &self.synonyms {
            Some((built_for, synonyms)) if *built_for == print => Arc::clone(synonyms),
            _ => {
                let synonyms = Arc::new(Synonyms::new(&catalog.synonyms));
                self.synonyms = Some((print, Arc::clone(&synonyms)));
                synonyms
            }
        }
    }

    /// The searcher of the last commit, with its engine, as a [`SearchIndex`] of
    /// `metas`. `since` is the documents of the last publication and the keys
    /// replaced since ([`Delta::replaced`]): the engine keeps the last one's parts
    /// that still hold (`None`: builds every part).
    fn publish(
        &mut self,
        catalog: &Catalog,
        metas: Arc<KeyMap<Arc<DocMeta>>>,
        mut stats: IndexStats,
        since: Option<(&Metas, &[u64])>,
    ) -> SearchIndex {
        stats.memory_fallback = self.memory_fallback;
        let searcher = self.reader.searcher();
        let reuse = match (&self.parts, since) {
            (Some((built_from, parts)), Some((before, replaced)))
                if Arc::ptr_eq(built_from, before) =>
            {
                Some(Reuse { parts, replaced })
            }
            _ => None,
        };
        let engine = Engine::new(&searcher, self.fields, &metas, reuse);
        engine.read_doc_freqs(self.fields);
        self.parts = Some((Arc::clone(&metas), engine.parts().to_vec()));
        let synonyms = self.synonyms(catalog);
        SearchIndex {
            engine,
            searcher,
            fields: self.fields,
            metas,
            synonyms,
            suggest: std::sync::OnceLock::new(),
            cache: match CACHE_ENTRIES.load(std::sync::atomic::Ordering::Relaxed) {
                0 => None,
                n => Some(quick_cache::sync::Cache::new(n)),
            },
            suggest_cache: match CACHE_ENTRIES.load(std::sync::atomic::Ordering::Relaxed) {
                0 => None,
                n => Some(quick_cache::sync::Cache::new(n)),
            },
            stats,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Limits, Loader};
    use crate::search::documents::tests::{copy_fixture, edit};

    fn keys(docs: &[Arc<DocMeta>]) -> Vec<u64> {
        docs.iter().map(|d| d.key).collect()
    }

    /// One edit of the fixture: its name, and the edit, which brings the loader's
    /// catalog up to date.
    type Step = (&'static str, Box<dyn Fn(&mut Loader) -> Catalog>);

    /// The fixture's topic that [`fixture_edits`] edits first ("close to" → "near").
    const FIXTURE_TOPIC: &str = "roadmaps/backend-lite/content/caching@tCache00001.md";

    /// Writes `n` guides to `root/guides`, the `i`th with the title and text
    /// `guide(i)` gives, and loads the folder.
    fn guides(root: &Path, n: usize, guide: impl Fn(usize) -> (String, String)) -> Catalog {
        let dir = root.join("guides");
        std::fs::create_dir_all(&dir).expect("mkdir");
        for i in 0..n {
            let (title, text) = guide(i);
            std::fs::write(
                dir.join(format!("g-{i:03}.md")),
                format!("---\ntitle: '{title}'\n---\n{text}\n"),
            )
            .expect("write");
        }
        crate::content::load(root).expect("load")
    }

    /// Edits of the fixture copied to `root` that change, add and remove documents
    /// and resources: a topic's text, a chart label, a guide removed, a guide added.
    fn fixture_edits(root: &Path) -> Vec<Step> {
        let topic = root.join(FIXTURE_TOPIC);
        let chart = root.join("roadmaps/backend-lite/backend-lite.json");
        let guide = root.join("guides/sql-vs-nosql.md");
        let new_guide = root.join("guides/brand-new.md");
        vec![
            (
                "text",
                Box::new(move |l| edit(l, &topic, "close to", "near")),
            ),
            (
                "chart label",
                Box::new(move |l| {
                    edit(
                        l,
                        &chart,
                        "\"label\": \"Databases\"",
                        "\"label\": \"Stores\"",
                    )
                }),
            ),
            (
                "removed",
                Box::new(move |l| {
                    std::fs::remove_file(&guide).expect("remove");
                    l.update(std::slice::from_ref(&guide))
                        .expect("update")
                        .expect("changed")
                        .0
                }),
            ),
            (
                "added",
                Box::new(move |l| {
                    std::fs::write(&new_guide, "---\ntitle: 'Brand new'\n---\nWombats dig.\n")
                        .expect("write");
                    l.update(std::slice::from_ref(&new_guide))
                        .expect("update")
                        .expect("changed")
                        .0
                }),
            ),
        ]
    }

    /// The delta read from the changed resources alone is the one the whole pass
    /// finds, over edits that change, add and remove documents and resources.
    #[test]
    fn the_delta_of_the_changes_is_the_delta_of_everything() {
        let tmp = tempfile::tempdir().expect("tempdir");
        copy_fixture(tmp.path());
        let root = tmp.path();
        let mut loader = Loader::new(root, Limits::default());
        let mut cache = DocCache::default();
        let first = cache.documents(&loader.load_all().expect("load"));
        let mut indexed = by_key(first);
        let steps = fixture_edits(root);
        for (i, (_, step)) in steps.iter().enumerate() {
            let catalog = step(&mut loader);
            let changes = cache.changes(&catalog);
            assert!(
                !changes.made.is_empty() || !changes.stale.is_empty(),
                "step {i}"
            );
            assert!(
                changes.made.len() < changes.count,
                "step {i}: only what changed"
            );
            let whole = Delta::of_all(&indexed, cache.all());
            let part =
                Delta::of_changes(&indexed, &changes.made, &changes.stale).expect("unique keys");
            assert!(
                !whole.to_add.is_empty() || !whole.deletes.is_empty(),
                "step {i}"
            );
            assert_eq!(keys(&part.to_add), keys(&whole.to_add), "step {i}");
            let (mut a, mut b) = (part.deletes.clone(), whole.deletes.clone());
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "step {i}");
            assert_eq!(part.seen.len(), whole.seen.len(), "step {i}");
            for (key, doc) in &whole.seen {
                assert!(Arc::ptr_eq(doc, &part.seen[key]), "step {i}");
            }
            indexed = whole.seen;
        }
    }

    /// A publication keeps the last engine's parts whose segments are still searched
    /// and builds the others: over edits that change, add and remove documents, and
    /// one that changes a document's metadata but not what is indexed (a link's
    /// address), its tables are those of an engine built from scratch, and every
    /// document is the one published.
    #[test]
    fn engine_parts_kept_across_edits_are_those_built_from_scratch() {
        let tmp = tempfile::tempdir().expect("tempdir");
        copy_fixture(tmp.path());
        let root = tmp.path();
        let mut loader = Loader::new(root, Limits::default());
        let catalog = loader.load_all().expect("load");
        let (mut indexer, _) = Indexer::open(&IndexLocation::Memory, &catalog).expect("build");
        let topic = root.join(FIXTURE_TOPIC);
        let linked = root.join("roadmaps/backend-lite/content/databases@tDb00000001.md");
        let mut steps = fixture_edits(root);
        let link: Step = (
            "link address",
            Box::new(move |l| edit(l, &linked, "db-course)", "db-course-2)")),
        );
        steps.insert(1, link);
        steps.insert(
            2,
            (
                "text again",
                Box::new(move |l| edit(l, &topic, "near", "next to")),
            ),
        );
        let (mut kept, mut metadata_only) = (0, false);
        for (name, step) in &steps {
            let last: Vec<Arc<Part>> = indexer
                .parts
                .as_ref()
                .map(|(_, parts)| parts.clone())
                .unwrap_or_default();
            let before = Arc::clone(&indexer.indexed);
            let catalog = step(&mut loader);
            let search = indexer.update(&catalog).expect("update");
            let fresh = Engine::new(&search.searcher, search.fields, &search.metas, None);
            assert_eq!(
                search.engine.differences(&fresh),
                Vec::<String>::new(),
                "{name}"
            );
            for dense in 0..search.engine.len() as u32 {
                if let Some(doc) = search.engine.doc(dense) {
                    assert!(Arc::ptr_eq(doc, &search.metas[&doc.key]), "{name}: {dense}");
                }
            }
            kept += search
                .engine
                .parts()
                .iter()
                .filter(|p| last.iter().any(|l| Arc::ptr_eq(p, l)))
                .count();
            if *name == "link address" {
                // The premise: a document replaced, nothing indexed again.
                let replaced = search
                    .metas
                    .values()
                    .filter(|d| !before.get(&d.key).is_some_and(|b| Arc::ptr_eq(b, d)))
                    .count();
                metadata_only = search.stats.added == 0 && replaced > 0;
            }
        }
        assert!(metadata_only, "the link's address changes metadata only");
        assert!(kept >= steps.len(), "parts were kept: {kept}");
    }

    /// `catalog` indexed in parallel slices of one document each (one segment per
    /// document, as a large update cuts them), and the same once merged.
    fn one_segment_per_document(catalog: &Catalog) -> (SearchIndex, SearchIndex) {
        let (mut indexer, _) = Indexer::open(&IndexLocation::Memory, catalog).expect("build");
        indexer.parallel_from = 10;
        indexer.segment_cut = 1;
        indexer.rebuild_all().expect("forget");
        let parts = indexer.update(catalog).expect("rebuild");
        let merged = indexer
            .finish_merge(catalog, parts.stats)
            .expect("merge")
            .expect("a merge was started");
        (parts, merged)
    }

    /// Slices cut into many segments (here one per document) join the writer in
    /// order, and their merge keeps the content's order.
    #[test]
    fn slices_cut_into_many_segments_merge_in_content_order() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let catalog = guides(tmp.path(), 40, |i| {
            (format!("G {i:03}"), "The quokka naps.".into())
        });
        let expected: Vec<String> = catalog.guides.iter().map(|g| g.slug.clone()).collect();
        let (parts, merged) = one_segment_per_document(&catalog);
        assert_eq!(parts.segments(), 40, "one segment per document");
        assert_eq!(merged.segments(), 1);
        let found = merged
            .search(&super::super::SearchRequest {
                q: "quokka".into(),
                limit: 100,
                ..super::super::SearchRequest::default()
            })
            .expect("search");
        let order: Vec<String> = found.hits.into_iter().map(|h| h.id.to_string()).collect();
        assert_eq!(order, expected);
    }

    /// A prefix completes to the same words, the most frequent first, whether the
    /// index is one segment (read through one buffer) or many (summed per word).
    #[test]
    fn completions_are_the_same_in_one_segment_or_many() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let catalog = guides(tmp.path(), 60, |i| {
            (
                format!("Wombat{} wombatz{} G{i}", i % 13, i % 4),
                format!("The wombat{} digs.", i % 50),
            )
        });
        let (parts, merged) = one_segment_per_document(&catalog);
        assert!(parts.segments() > 1);
        assert_eq!(merged.segments(), 1);
        let words = |index: &SearchIndex, q: &str| -> Vec<String> {
            index.plan(q).units[0]
                .terms
                .iter()
                .filter(|t| t.exactness == crate::search::ranking::Exactness::Prefix)
                .map(|t| t.word.clone())
                .collect()
        };
        for q in ["w", "wo", "wombat", "wombat1", "g"] {
            let many = words(&parts, q);
            assert_eq!(words(&merged, q), many, "{q}");
            assert!(!many.is_empty(), "{q}");
        }
        // Title words first, the most frequent first: wombatz0..3 are in 15 titles
        // each, wombat0..12 in 4 or 5.
        assert_eq!(
            words(&merged, "wo")[..5],
            ["wombatz0", "wombatz1", "wombatz2", "wombatz3", "wombat0"]
        );
        // Body words after the title words: wombat13 and up are in bodies only.
        let wombat = words(&merged, "wombat");
        assert!(wombat.contains(&"wombat13".to_string()), "{wombat:?}");
        assert!(
            wombat.iter().position(|w| w == "wombat13")
                > wombat.iter().position(|w| w == "wombat12")
        );
    }

    /// A search thread reuses its arrays from query to query: whatever the last
    /// query marked (many documents or few, on an index of another size), the next
    /// one finds them at their start values and answers as a fresh thread does.
    #[test]
    fn queries_on_one_thread_answer_as_on_a_fresh_one() {
        let write = |dir: &Path, n: usize| {
            guides(dir, n, |i| {
                (
                    format!("Otter{} G{i}", i % 7),
                    format!("The otter{} swims near pebble{}.", i % 3, i % 40),
                )
            })
        };
        let (big, small) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        let big = Arc::new(SearchIndex::build(&write(big.path(), 200)).expect("index"));
        let small = Arc::new(SearchIndex::build(&write(small.path(), 30)).expect("index"));
        let answer = |index: &SearchIndex, q: &str| -> Vec<(String, String)> {
            let req = crate::search::SearchRequest {
                q: q.into(),
                ..crate::search::SearchRequest::default()
            };
            let found = index.search(&req).expect("search");
            found
                .hits
                .iter()
                .map(|h| {
                    (
                        h.id.to_string(),
                        format!("{} {} {}", h.score, h.snippet, found.total),
                    )
                })
                .collect()
        };
        // Every guide ("otter": all of them marked), one ("g117": its arrays put
        // back entry by entry), a few ("pebble12"), a typo and two words, and the
        // small index in between; no query twice (the result cache would answer it).
        let steps: [(&Arc<SearchIndex>, &str); 9] = [
            (&big, "otter"),
            (&big, "g117"),
            (&big, "g118"),
            (&big, "pebble12"),
            (&big, "oter1 pebble3"),
            (&small, "otter2"),
            (&big, "pebble21"),
            (&small, "g5"),
            (&big, "otter swims"),
        ];
        for (index, q) in steps {
            let mine = answer(index, q);
            let fresh =
                std::thread::scope(|s| s.spawn(|| answer(index, q)).join().expect("thread"));
            assert_eq!(mine, fresh, "{q}");
            assert!(!mine.is_empty(), "{q}");
            let (len, clean) = crate::search::engine::scratch_state();
            assert_eq!(len, index.engine.len(), "{q}");
            assert!(clean, "{q}");
        }
    }

    /// The typo walks read each segment's raw dictionaries as FSTs (every one of
    /// them opens) and find the words Tantivy's dictionary stream finds, in one
    /// segment or many.
    #[test]
    fn typo_walks_over_the_raw_fsts_find_what_the_stream_finds() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let catalog = guides(tmp.path(), 30, |i| {
            (
                format!("Kubernetes{} postgresql G{i}", i % 7),
                format!("The elasticsearch{} replication café naïve.", i % 5),
            )
        });
        let (parts, merged) = one_segment_per_document(&catalog);
        let queries = [
            "kubernets",
            "kubrnetes3 postgrsql",
            "elasticsaerch",
            "elastcsearch2 replicaton",
            "cafe naive",
            "replcation",
            "kubernetes",
        ];
        for mut index in [parts, merged] {
            let (opened, all) = index.engine.raw_dicts();
            assert_eq!(opened, all, "every raw dictionary opens");
            assert_eq!(
                index.engine.doc_freqs_read(),
                all,
                "the publication read the columns of document counts"
            );
            assert_eq!(
                index.engine.doc_freqs_agreeing(index.fields),
                all,
                "every dictionary's document counts by ordinal are Tantivy's"
            );
            let words = |index: &SearchIndex| -> Vec<Vec<(String, u8)>> {
                queries
                    .iter()
                    .flat_map(|q| index.plan(q).units)
                    .map(|u| u.terms.iter().map(|t| (t.word.clone(), t.typos)).collect())
                    .collect()
            };
            let walked = words(&index);
            assert!(
                walked.iter().flatten().any(|(_, typos)| *typos > 0),
                "{walked:?}"
            );
            index.engine.without_raw_dicts();
            assert_eq!(index.engine.raw_dicts().0, 0);
            assert_eq!(words(&index), walked);
        }
    }
}
