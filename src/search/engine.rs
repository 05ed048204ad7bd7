//! Executes a [`Plan`] over one published index and ranks the result with the rules
//! of [`ranking`](super::ranking).
//!
//! Tantivy gives the term dictionaries and posting lists; everything else is done
//! here on dense document numbers (one per document of the searcher's segments):
//! - each unit of the plan reads the postings of its words, stems and phrases and
//!   keeps, per document, its best [`Match`] (typos, field, exactness): no scoring of
//!   whole queries, no collector over every match;
//! - facet counts come from the matched documents without any scoring;
//! - the costly parts of ranking (positions for proximity, whole titles) are only
//!   computed for the buckets that overlap the requested page ([`ranking::page`]).

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::{Field as TantivyField, IndexRecordOption};
use tantivy::{DocSet, InvertedIndexReader, Searcher, TERMINATED, Term};
use tantivy_fst::Automaton;

use super::documents::{
    DocMeta, Kind, PackedTitle, PackedTitles, PackedWord, WordBits, WordFilter, WordSig,
};
use super::index::Fields;
use super::query::{Corrections, Lexicon, MAX_EXPANSIONS, Plan, Unit, typos};
use super::ranking::{self, Exactness, Field, Match, RankKey};
use super::raw_dict::RawDict;
use super::typo_automaton::TypoAutomaton;

/// Most dictionary entries looked at per expansion and segment.
const MAX_SCANNED: usize = 1_000;
/// Most stems per unit whose positions stand for the unit in the proximity rule.
const MAX_POSITION_STEMS: usize = 16;
/// Below this many documents with every query word, documents with some of them
/// follow (ranked after them by the words rule).
pub const RELAX_BELOW: usize = 5;
/// Buckets smaller than this have every document's proximity read at once
/// ([`Engine::proximities`]).
const PRUNE_PROXIMITY_FROM: usize = 256;

/// Whether [`Engine::proximities`] may leave documents unread (on unless a test turns
/// it off to compare pages with every document read).
static PRUNE_PROXIMITY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns the proximity rule's pruning ([`Engine::proximities`]) on or off, for every
/// index: for tests and benchmarks that compare its pages with reading every
/// document's positions. Pages are the same either way.
pub fn set_proximity_pruning(on: bool) {
    PRUNE_PROXIMITY.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// BM25's constants, as Tantivy's own scorer has them.
const BM25_K1: f32 = 1.2;
const BM25_B: f32 = 0.75;

/// What BM25 needs of one field that does not depend on the term: computed once per
/// published index instead of once per term read (Tantivy's `Bm25Weight::for_terms`
/// sums the field's token count over every segment and builds this table each time).
struct FieldStats {
    field: TantivyField,
    /// BM25's length normalisation for each field-norm id.
    norms: [f32; 256],
}

/// What the query path precomputes once per published index.
pub struct Engine {
    /// The tables of each segment's documents, by segment ordinal ([`Part`]).
    parts: Vec<Arc<Part>>,
    /// Each dense document's roadmap as an index into `roadmaps` ([`NO_ROADMAP`] for
    /// none): facets count thousands of candidates per keystroke, and comparing
    /// roadmap ids as strings in a map was an eighth of a query's time.
    roadmap_of: Vec<u32>,
    /// Distinct roadmaps (id, title) of the documents, in order of first sight;
    /// shared, since every query's facets list them.
    roadmaps: Vec<(Arc<str>, Arc<str>)>,
    /// Each dense document's kind (`None` for deleted ones). Execution and facets ask
    /// it of every candidate: reading it through the document cost a cache miss per
    /// candidate (the metadata lies all over the heap), a tenth of a query with
    /// thousands of candidates.
    kinds: Vec<Option<Kind>>,
    /// The dense numbers of the roadmaps and best practices: the documents whose
    /// names a query's first or last words may be ([`Crumb`]).
    heads: Vec<u32>,
    /// Dense number of each segment's first document, by segment ordinal.
    bases: Vec<u32>,
    /// Each segment's inverted index of each field, by field id: Tantivy's
    /// `SegmentReader::inverted_index` takes a lock and hashes the field at every
    /// call, and a query makes a few hundred (one per term, field and segment).
    inverted: Vec<Vec<Option<Arc<InvertedIndexReader>>>>,
    /// Each segment's field lengths of each field, by field id, for BM25: Tantivy's
    /// `SegmentReader::get_fieldnorms_reader` hashes the field and clones an `Arc`
    /// at every call, once per term and segment read.
    norms: Vec<Vec<Option<tantivy::fieldnorm::FieldNormReader>>>,
    /// Each segment's dictionaries of the raw title and body, as FSTs for the typo
    /// walks ([`RawDict`]), by segment ordinal: `[title, body]`.
    raw: Vec<[Option<RawDict>; 2]>,
    /// Documents of every segment, deleted ones included (BM25's N, as Tantivy counts).
    total_docs: u64,
    bm25: Vec<FieldStats>,
}

/// The tables of one segment's documents, built when the segment is first published
/// and kept for as long as it is searched. A segment's documents never change, only
/// which of them are deleted, and the engine reads deletions from the segment at
/// each publication: after a one-file edit every part but the new segment's is the
/// last engine's. Built for every segment at every publication, these tables were
/// half of a reload's work at three times roadmap.sh's size (a hash look-up, a
/// pointer chase and a copy of titles for each of 23,000 documents).
pub struct Part {
    segment: tantivy::index::SegmentId,
    /// Each document's key ([`DocMeta::key`]; [`NO_KEY`] where the segment has none),
    /// so that a later update can tell which documents it replaced.
    keys: Box<[u64]>,
    /// The document behind each key when the part was built; `None` for documents
    /// deleted then, or unknown.
    docs: Box<[Option<Arc<DocMeta>>]>,
    /// Each document's kind (`None` where `docs` is).
    kinds: Box<[Option<Kind>]>,
    /// Each document's roadmap as an index into `roadmaps` ([`NO_ROADMAP`] for none).
    roadmap_of: Box<[u32]>,
    /// The distinct (id, title) pairs of the documents' roadmaps.
    roadmaps: Box<[(Arc<str>, Arc<str>)]>,
    /// The title words of every document, for [`Engine::names_whole`].
    titles: TitleColumns,
    /// How many documents hold each word of the raw title's and body's dictionaries,
    /// by ordinal (`[title, body]`), read on the first query that wants them:
    /// completions and typo walks rank the words they find by it, and Tantivy gives
    /// it by the word (a dictionary look-up each) or with each word of a stream (a
    /// term entry decoded for each of up to a thousand words a keystroke).
    doc_freqs: [std::sync::OnceLock<Option<Box<[u32]>>>; 2],
}

/// `open` of each searched field of each segment, by segment ordinal and field id.
fn by_field<T: Clone>(
    searcher: &Searcher,
    fields: Fields,
    open: impl Fn(&tantivy::SegmentReader, TantivyField) -> Option<T>,
) -> Vec<Vec<Option<T>>> {
    searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let fields = fields.searched();
            let size = fields.iter().map(|f| f.field_id() as usize + 1).max();
            let mut by_id = vec![None; size.unwrap_or(0)];
            for f in fields {
                if let Some(slot) = by_id.get_mut(f.field_id() as usize) {
                    *slot = open(segment, f);
                }
            }
            by_id
        })
        .collect()
}

/// [`Part::keys`] of a document without one: keys are 63-bit ([`DocMeta::key_for`]).
const NO_KEY: u64 = u64::MAX;

impl Part {
    /// The tables of `segment`'s documents, each looked up in `metas` by its key.
    fn build(
        segment: &tantivy::SegmentReader,
        metas: &super::documents::KeyMap<Arc<DocMeta>>,
    ) -> Part {
        let max = segment.max_doc() as usize;
        let fast = segment.fast_fields().u64("key").ok();
        let mut keys = Vec::with_capacity(max);
        let mut docs = Vec::with_capacity(max);
        for doc in 0..segment.max_doc() {
            let key = fast.as_ref().and_then(|k| k.first(doc)).unwrap_or(NO_KEY);
            keys.push(key);
            docs.push(if segment.is_deleted(doc) {
                None
            } else {
                metas.get(&key).cloned()
            });
        }
        let mut roadmap_of = Vec::with_capacity(max);
        let mut roadmaps: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        // A roadmap's documents sit together: the previous document's roadmap
        // answers most look-ups without hashing; a fast hash for the others, still
        // seeded per process since the ids come from the content.
        let mut ordinals: std::collections::HashMap<
            (&str, &str),
            u32,
            foldhash::fast::RandomState,
        > = std::collections::HashMap::default();
        let mut last: Option<(&super::documents::RoadmapRef, u32)> = None;
        for meta in &docs {
            let ordinal = match (meta.as_ref().and_then(|m| m.roadmap.as_ref()), last) {
                (Some(r), Some((l, o))) if l.id == r.id && l.title == r.title => o,
                (Some(r), _) => {
                    let ordinal = *ordinals
                        .entry((r.id.as_str(), r.title.as_str()))
                        .or_insert_with(|| {
                            roadmaps.push((r.id.as_str().into(), r.title.as_str().into()));
                            (roadmaps.len() - 1) as u32
                        });
                    last = Some((r, ordinal));
                    ordinal
                }
                (None, _) => NO_ROADMAP,
            };
            roadmap_of.push(ordinal);
        }
        let kinds = docs.iter().map(|m| m.as_ref().map(|m| m.kind)).collect();
        let titles = TitleColumns::of(
            docs.iter()
                .map(|m| m.as_ref().map(|m| (m.title_bits, m.titles.clone()))),
        );
        Part {
            segment: segment.segment_id(),
            keys: keys.into(),
            docs: docs.into(),
            kinds,
            roadmap_of: roadmap_of.into(),
            roadmaps: roadmaps.into(),
            titles,
            doc_freqs: Default::default(),
        }
    }

    /// Whether a document of `segment` not deleted there has one of `replaced` keys
    /// (sorted): then the part holds an older version of its metadata.
    fn holds_any(&self, segment: &tantivy::SegmentReader, replaced: &[u64]) -> bool {
        !replaced.is_empty()
            && self.keys.iter().enumerate().any(|(doc, key)| {
                replaced.binary_search(key).is_ok() && !segment.is_deleted(doc as u32)
            })
    }
}

/// The parts of the last published engine, and the keys whose documents changed
/// since (sorted): [`Engine::new`] keeps each part whose segment is still searched
/// and holds none of them.
pub struct Reuse<'a> {
    pub parts: &'a [Arc<Part>],
    pub replaced: &'a [u64],
}

impl Engine {
    /// The engine of `searcher`'s segments, whose documents are `metas`; the parts
    /// of `reuse` that still hold, instead of building them again.
    pub fn new(
        searcher: &Searcher,
        fields: Fields,
        metas: &super::documents::KeyMap<Arc<DocMeta>>,
        reuse: Option<Reuse>,
    ) -> Engine {
        let readers = searcher.segment_readers();
        let mut built = 0;
        let parts: Vec<Arc<Part>> = readers
            .iter()
            .map(|segment| {
                let kept = reuse.as_ref().and_then(|r| {
                    r.parts.iter().find(|p| {
                        p.segment == segment.segment_id()
                            && p.keys.len() == segment.max_doc() as usize
                            && !p.holds_any(segment, r.replaced)
                    })
                });
                match kept {
                    Some(part) => Arc::clone(part),
                    None => {
                        built += 1;
                        Arc::new(Part::build(segment, metas))
                    }
                }
            })
            .collect();
        tracing::debug!(built, kept = parts.len() - built, "engine parts");
        let mut bases = Vec::with_capacity(parts.len());
        let mut kinds = Vec::new();
        let mut roadmap_of = Vec::new();
        let mut roadmaps: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        // Roadmaps are numbered in order of first sight among the documents not
        // deleted, by id: a roadmap and a best practice may share an id (`aws`),
        // and the facet label is the smaller title, whatever the segment order.
        let mut by_id: std::collections::HashMap<&str, u32, foldhash::fast::RandomState> =
            std::collections::HashMap::default();
        for (segment, part) in readers.iter().zip(&parts) {
            bases.push(kinds.len() as u32);
            let mut global = vec![NO_ROADMAP; part.roadmaps.len()];
            for (doc, (&kind, &local)) in part.kinds.iter().zip(part.roadmap_of.iter()).enumerate()
            {
                if kind.is_none() || segment.is_deleted(doc as u32) {
                    kinds.push(None);
                    roadmap_of.push(NO_ROADMAP);
                    continue;
                }
                kinds.push(kind);
                let local = local as usize;
                let ordinal = match (global.get_mut(local), part.roadmaps.get(local)) {
                    (Some(&mut g), _) if g != NO_ROADMAP => g,
                    (Some(g), Some((id, title))) => {
                        let ordinal = *by_id.entry(id).or_insert_with(|| {
                            roadmaps.push((Arc::clone(id), Arc::clone(title)));
                            (roadmaps.len() - 1) as u32
                        });
                        if let Some(entry) = roadmaps.get_mut(ordinal as usize)
                            && **title < *entry.1
                        {
                            entry.1 = Arc::clone(title);
                        }
                        *g = ordinal;
                        ordinal
                    }
                    _ => NO_ROADMAP,
                };
                roadmap_of.push(ordinal);
            }
        }
        let total_docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let inverted = by_field(searcher, fields, |segment, f| {
            segment.inverted_index(f).ok()
        });
        let norms = by_field(searcher, fields, |segment, f| {
            segment.get_fieldnorms_reader(f).ok()
        });
        let raw = (0..searcher.segment_readers().len())
            .map(|ord| [fields.title_raw, fields.body_raw].map(|f| RawDict::open(searcher, ord, f)))
            .collect();
        let bm25 = fields
            .searched()
            .into_iter()
            .map(|field| {
                let tokens: u64 = inverted
                    .iter()
                    .filter_map(|by_id| by_id.get(field.field_id() as usize)?.as_ref())
                    .map(|i| i.total_num_tokens())
                    .sum();
                // The same arithmetic as Tantivy's scorer, so that scores are identical.
                let average = tokens as f32 / total_docs as f32;
                let mut norms = [0f32; 256];
                for (id, n) in norms.iter_mut().enumerate() {
                    let fieldnorm = tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id as u8);
                    *n = BM25_K1 * (1.0 - BM25_B + BM25_B * fieldnorm as f32 / average);
                }
                FieldStats { field, norms }
            })
            .collect();
        let heads = (0..kinds.len() as u32)
            .filter(|&d| kinds[d as usize].is_some_and(Kind::is_head))
            .collect();
        Engine {
            parts,
            roadmap_of,
            roadmaps,
            kinds,
            heads,
            inverted,
            norms,
            raw,
            bases,
            total_docs,
            bm25,
        }
    }

    /// The parts of this engine, for the next one to reuse ([`Reuse`]).
    pub fn parts(&self) -> &[Arc<Part>] {
        &self.parts
    }

    /// Where this engine's tables differ from `other`'s (tests: an engine that kept
    /// parts against one built from scratch): documents by identity, kinds,
    /// roadmaps, heads and titles.
    #[cfg(test)]
    pub fn differences(&self, other: &Engine) -> Vec<String> {
        let mut out = Vec::new();
        if self.kinds != other.kinds {
            out.push("kinds".to_string());
        }
        if self.roadmap_of != other.roadmap_of || self.roadmaps != other.roadmaps {
            out.push("roadmaps".to_string());
        }
        if self.heads != other.heads || self.bases != other.bases {
            out.push("heads or bases".to_string());
        }
        for dense in 0..self.len().max(other.len()) as u32 {
            let (a, b) = (self.doc(dense), other.doc(dense));
            if a.is_some() != b.is_some() || a.zip(b).is_some_and(|(a, b)| !Arc::ptr_eq(a, b)) {
                out.push(format!("document {dense}"));
            }
            let titles = |e: &Engine| {
                e.locate(dense).map(|(part, local)| {
                    let t = &part.titles;
                    (t.bits.get(local).copied(), t.titles.get(local).cloned())
                })
            };
            if titles(self) != titles(other) {
                out.push(format!("titles of {dense}"));
            }
        }
        out
    }

    /// The part holding a dense document (not deleted), and its number there.
    fn locate(&self, dense: u32) -> Option<(&Part, usize)> {
        self.kinds.get(dense as usize)?.as_ref()?;
        // The segment holding `dense`: the last whose first document is not after it.
        let ord = self.bases.partition_point(|&b| b <= dense).checked_sub(1)?;
        let part = self.parts.get(ord)?;
        let local = (dense - self.bases.get(ord)?) as usize;
        (local < part.keys.len()).then_some((&**part, local))
    }

    /// BM25's weight of a term held by `doc_freq` documents, and the field's length
    /// normalisation (`None` for a field without statistics).
    fn bm25_of(&self, field: TantivyField, doc_freq: u64) -> Option<(f32, &[f32; 256])> {
        let stats = self.bm25.iter().find(|s| s.field == field)?;
        if doc_freq == 0 || doc_freq > self.total_docs {
            return None;
        }
        let x = ((self.total_docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
        let idf = (1.0 + x).ln();
        Some((idf * (1.0 + BM25_K1), &stats.norms))
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    pub fn doc(&self, dense: u32) -> Option<&Arc<DocMeta>> {
        let (part, local) = self.locate(dense)?;
        part.docs.get(local)?.as_ref()
    }

    /// The inverted index of `field` in segment `ord`.
    pub fn inverted(&self, ord: usize, field: TantivyField) -> Option<&Arc<InvertedIndexReader>> {
        self.inverted
            .get(ord)?
            .get(field.field_id() as usize)?
            .as_ref()
    }

    /// The field lengths of `field` in segment `ord`.
    fn norms(
        &self,
        ord: usize,
        field: TantivyField,
    ) -> Option<&tantivy::fieldnorm::FieldNormReader> {
        self.norms
            .get(ord)?
            .get(field.field_id() as usize)?
            .as_ref()
    }

    /// The raw title's or body's dictionary of segment `ord` as an FST, if `field` is
    /// one of them and it could be opened.
    fn raw_dict(&self, ord: usize, field: TantivyField, fields: Fields) -> Option<&RawDict> {
        self.raw.get(ord)?[raw_slot(field, fields)?].as_ref()
    }

    /// [`Part::doc_freqs`] of the raw title's or body's dictionary of segment `ord`, if
    /// `field` is one of them and its dictionary could be read whole.
    fn doc_freqs(&self, ord: usize, field: TantivyField, fields: Fields) -> Option<&[u32]> {
        let slot = raw_slot(field, fields)?;
        let inverted = self.inverted(ord, field)?;
        self.parts.get(ord)?.doc_freqs[slot]
            .get_or_init(|| {
                let terms = inverted.terms();
                let mut out = Vec::with_capacity(terms.num_terms());
                let mut stream = terms.stream().ok()?;
                while stream.advance() {
                    out.push(stream.value().doc_freq);
                }
                (out.len() == terms.num_terms()).then(|| out.into())
            })
            .as_deref()
    }

    /// Reads every segment's [`Part::doc_freqs`] not read yet. Called on the reload
    /// thread right after a publication, so that no query waits for them (about
    /// 15 ms for the largest segment at three times roadmap.sh's size); kept parts
    /// have theirs already, so after an edit only the new segment's are read.
    pub fn read_doc_freqs(&self, fields: Fields) {
        for ord in 0..self.parts.len() {
            for field in [fields.title_raw, fields.body_raw] {
                self.doc_freqs(ord, field, fields);
            }
        }
    }

    /// How many columns of document counts have been read, of the parts' raw
    /// dictionaries (tests).
    #[cfg(test)]
    pub fn doc_freqs_read(&self) -> usize {
        self.parts
            .iter()
            .flat_map(|p| p.doc_freqs.iter())
            .filter(|c| c.get().is_some())
            .count()
    }

    /// How many of the segments' raw title and body dictionaries have a column of
    /// document counts ([`Part::doc_freqs`]) that gives each word's count as
    /// Tantivy does (tests).
    #[cfg(test)]
    pub fn doc_freqs_agreeing(&self, fields: Fields) -> usize {
        let mut agreeing = 0;
        for ord in 0..self.parts.len() {
            for field in [fields.title_raw, fields.body_raw] {
                let (Some(freqs), Some(inverted)) = (
                    self.doc_freqs(ord, field, fields),
                    self.inverted(ord, field),
                ) else {
                    continue;
                };
                let terms = inverted.terms();
                let mut word = Vec::new();
                let agrees = freqs.len() == terms.num_terms()
                    && freqs.iter().enumerate().all(|(o, &docs)| {
                        word.clear();
                        matches!(terms.ord_to_term(o as u64, &mut word), Ok(true))
                            && terms.get(&word).ok().flatten().map(|i| i.doc_freq) == Some(docs)
                    });
                agreeing += usize::from(agrees && !freqs.is_empty());
            }
        }
        agreeing
    }

    /// How many of the raw dictionaries opened as FSTs, of how many (tests).
    #[cfg(test)]
    pub fn raw_dicts(&self) -> (usize, usize) {
        let opened = self.raw.iter().flatten().filter(|d| d.is_some()).count();
        (opened, 2 * self.raw.len())
    }

    /// Drops the raw dictionaries, so that the typo walks take Tantivy's stream
    /// (tests: both ways find the same words).
    #[cfg(test)]
    pub fn without_raw_dicts(&mut self) {
        for r in &mut self.raw {
            *r = [None, None];
        }
    }

    /// The kind of a dense document (`None` for a deleted one).
    pub fn kind(&self, dense: u32) -> Option<Kind> {
        self.kinds.get(dense as usize).copied().flatten()
    }

    /// The best way the query (a plan's units, or some of them) names one of the
    /// document's titles, if it does. `units` is [`unit_words`] of `plan_units`. Reads
    /// the engine's title columns only ([`TitleColumns`]), never the document.
    pub fn names_whole(&self, dense: u32, plan_units: &[Unit], units: &[UnitWords]) -> Option<u8> {
        let (part, local) = self.locate(dense)?;
        part.titles.names(local, plan_units, units)
    }

    /// Whether one unit may match a word of a dense document's titles
    /// ([`TitleColumns::meets`]).
    fn titles_meet(&self, dense: u32, unit: &UnitWords) -> bool {
        self.locate(dense)
            .is_some_and(|(part, local)| part.titles.meets(local, unit))
    }

    /// The roadmap ordinal of a dense document ([`NO_ROADMAP`] for none).
    pub fn roadmap_of(&self, dense: u32) -> u32 {
        self.roadmap_of
            .get(dense as usize)
            .copied()
            .unwrap_or(NO_ROADMAP)
    }

    /// The distinct roadmaps (id, title) that [`Self::roadmap_of`] indexes.
    pub fn roadmaps(&self) -> &[(Arc<str>, Arc<str>)] {
        &self.roadmaps
    }
}

/// Where the raw title's (0) and body's (1) tables are kept, side by side
/// ([`Engine::raw_dict`], [`Part::doc_freqs`]); `None` for another field.
fn raw_slot(field: TantivyField, fields: Fields) -> Option<usize> {
    if field == fields.title_raw {
        Some(0)
    } else if field == fields.body_raw {
        Some(1)
    } else {
        None
    }
}

/// [`Engine::roadmap_of`] a document outside any roadmap.
pub const NO_ROADMAP: u32 = u32::MAX;

/// The signatures of every document's title words ([`WordSig`]) and of its titles
/// as a whole ([`DocMeta::title_bits`]), and its packed titles ([`DocMeta::titles`],
/// shared with the document), laid out by dense document number. The whole-title
/// rule tests every document of the bucket holding the page, which at three times
/// roadmap.sh's size is hundreds of documents per keystroke: most are told apart by
/// the signatures alone, which lie together here, and the words of the others are
/// read from their packed titles, not through the document.
struct TitleColumns {
    /// Each document's [`DocMeta::title_bits`].
    bits: Vec<WordBits>,
    /// The signatures of all title words, title after title, document after document.
    sigs: Vec<WordSig>,
    /// Where each title's words end in `sigs`, title after title.
    title_ends: Vec<u32>,
    /// Where each document's titles end in `title_ends` (a document's start is the
    /// previous one's end).
    doc_ends: Vec<u32>,
    /// Each document's [`DocMeta::titles`].
    titles: Vec<PackedTitles>,
}

/// One document's [`DocMeta::title_bits`] and [`DocMeta::titles`].
type DocTitles = (WordBits, PackedTitles);

impl TitleColumns {
    /// From each document's title signature and packed titles, in dense order
    /// (`None` for a deleted document).
    fn of(docs: impl ExactSizeIterator<Item = Option<DocTitles>>) -> TitleColumns {
        let mut columns = TitleColumns {
            bits: Vec::with_capacity(docs.len()),
            sigs: Vec::new(),
            title_ends: Vec::new(),
            doc_ends: Vec::with_capacity(docs.len()),
            titles: Vec::with_capacity(docs.len()),
        };
        for doc in docs {
            let (bits, titles) = doc.unwrap_or_default();
            columns.bits.push(bits);
            for title in titles.titles() {
                columns.sigs.extend(title.sigs());
                columns.title_ends.push(columns.sigs.len() as u32);
            }
            columns.doc_ends.push(columns.title_ends.len() as u32);
            columns.titles.push(titles);
        }
        columns
    }

    /// Whether one unit may match a word of the document's titles (the first of
    /// [`Self::names`]' tests, for one unit).
    fn meets(&self, doc: usize, unit: &UnitWords) -> bool {
        self.bits.get(doc).is_some_and(|bits| unit.bits.meets(bits))
    }

    /// [`Self::names`]' first test: every unit meets the titles' words (a unit that
    /// meets none cannot match one).
    fn all_meet(&self, doc: usize, units: &[UnitWords]) -> bool {
        self.bits
            .get(doc)
            .is_some_and(|bits| units.iter().all(|u| u.bits.meets(bits)))
    }

    /// [`Self::names`]' second test: in some non-empty title, every word may meet
    /// some unit.
    fn some_title_may_meet(&self, doc: usize, units: &[UnitWords]) -> bool {
        self.doc_titles(doc).any(|t| {
            self.sigs.get(self.title_words(t)).is_some_and(|words| {
                !words.is_empty() && words_may_meet(words.iter().copied(), units)
            })
        })
    }

    /// The document's titles, as indexes of `title_ends`.
    fn doc_titles(&self, doc: usize) -> std::ops::Range<usize> {
        nth_range(&self.doc_ends, doc)
    }

    /// A title's words, as indexes of `sigs`.
    fn title_words(&self, title: usize) -> std::ops::Range<usize> {
        nth_range(&self.title_ends, title)
    }

    /// The best way the query names one of the document's titles, by their words
    /// (the last of [`Self::names`]' tests).
    fn words_name(&self, doc: usize, plan_units: &[Unit], units: &[UnitWords]) -> Option<u8> {
        self.titles
            .get(doc)?
            .titles()
            .filter_map(|t| title_named(t, plan_units, units))
            .min()
    }

    /// [`Engine::names_whole`]: the signature tests, then the words of the titles.
    fn names(&self, doc: usize, plan_units: &[Unit], units: &[UnitWords]) -> Option<u8> {
        if !(self.all_meet(doc, units) && self.some_title_may_meet(doc, units)) {
            return None;
        }
        self.words_name(doc, plan_units, units)
    }
}

/// [`TitleColumns::names`] of each of `docs` (a part's columns and the document's
/// number there; `None` for none), level by level. Each document's columns lie
/// elsewhere in memory, and each test reads through two or three of them, one load
/// waiting on another: document after document, the misses came one after another
/// (a tenth of a keystroke's time at three times roadmap.sh). Here each level is read
/// for every document before the next level is, and loads that do not wait on each
/// other overlap.
fn names_of(
    docs: &[Option<(&TitleColumns, usize)>],
    plan_units: &[Unit],
    units: &[UnitWords],
) -> Vec<Option<u8>> {
    let mut out = vec![None; docs.len()];
    let left: Vec<(usize, &TitleColumns, usize)> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.map(|(c, doc)| (i, c, doc)))
        .filter(|&(_, c, doc)| c.all_meet(doc, units))
        .collect();
    // Where each document's titles are, then where their words are, then the
    // words' signatures and the packed titles, each only read.
    let mut read = 0usize;
    for &(_, c, doc) in &left {
        read ^= c.doc_titles(doc).start;
    }
    for &(_, c, doc) in &left {
        read ^= c.title_words(c.doc_titles(doc).start).start;
    }
    for &(_, c, doc) in &left {
        let start = c.title_words(c.doc_titles(doc).start).start;
        read ^= c.sigs.get(start).map_or(0, |s| s.to_nums()[0] as usize);
        read ^= c.titles.get(doc).map_or(0, PackedTitles::len);
    }
    for &(_, c, doc) in &left {
        read ^= c.titles.get(doc).map_or(0, PackedTitles::read) as usize;
    }
    std::hint::black_box(read);
    for (i, c, doc) in left {
        if c.some_title_may_meet(doc, units) {
            out[i] = c.words_name(doc, plan_units, units);
        }
    }
    out
}

/// The [`Lexicon`] of a searcher: its term dictionaries of raw title and body words.
pub struct IndexLexicon<'a> {
    pub searcher: &'a Searcher,
    pub fields: Fields,
    /// The engine of the same searcher: its inverted indexes.
    pub engine: &'a Engine,
}

/// Matches the words that start with a prefix.
struct Prefix<'a>(&'a [u8]);

impl Automaton for Prefix<'_> {
    /// How many bytes of the prefix matched so far, or `None` once it failed.
    type State = Option<usize>;

    fn start(&self) -> Option<usize> {
        Some(0)
    }

    fn is_match(&self, state: &Option<usize>) -> bool {
        *state == Some(self.0.len())
    }

    fn can_match(&self, state: &Option<usize>) -> bool {
        state.is_some()
    }

    fn accept(&self, state: &Option<usize>, byte: u8) -> Option<usize> {
        let n = (*state)?;
        if n == self.0.len() {
            Some(n)
        } else if self.0.get(n) == Some(&byte) {
            Some(n + 1)
        } else {
            None
        }
    }
}

impl IndexLexicon<'_> {
    /// Indexed words of `field` accepted by `automaton` with their document counts.
    fn scan<A: Automaton>(&self, field: TantivyField, automaton: &A) -> Vec<(String, u64)>
    where
        A::State: Clone,
    {
        self.scan_all(field, automaton).0
    }

    /// [`Self::scan`], and whether every accepted word was seen (no segment's
    /// dictionary had more than [`MAX_SCANNED`] of them).
    fn scan_all<A: Automaton>(
        &self,
        field: TantivyField,
        automaton: &A,
    ) -> (Vec<(String, u64)>, bool)
    where
        A::State: Clone,
    {
        let mut complete = true;
        // Words of every segment, merged below: no map per call (a one-letter prefix
        // streams a thousand words, each hashed and inserted was a tenth of its plan).
        let mut found: Vec<(String, u64)> = Vec::new();
        let mut segments_with_words = 0;
        for ord in 0..self.searcher.segment_readers().len() {
            let Some(inverted) = self.engine.inverted(ord, field) else {
                continue;
            };
            let before = found.len();
            let mut scanned = 0;
            // One accepted word, with how to read its document count; `false` once
            // more than [`MAX_SCANNED`] were. A one-letter prefix can match thousands
            // of words; the first ones in lexical order are as good as any for a word
            // still being typed.
            let mut take = |key: &[u8], docs: &dyn Fn() -> Option<u32>| {
                scanned += 1;
                if scanned > MAX_SCANNED {
                    complete = false;
                    return false;
                }
                if let (Ok(word), Some(docs)) = (std::str::from_utf8(key), docs()) {
                    found.push((word.to_string(), u64::from(docs)));
                }
                true
            };
            if let Some(raw) = self.engine.raw_dict(ord, field, self.fields) {
                // The walk has each word's ordinal; without the segment's column of
                // document counts, Tantivy gives a count by the word (a look-up).
                let terms = inverted.terms();
                let freqs = self.engine.doc_freqs(ord, field, self.fields);
                raw.walk(automaton, |key, word| {
                    take(key, &|| match freqs {
                        Some(f) => f.get(word as usize).copied(),
                        None => terms.get(key).ok().flatten().map(|i| i.doc_freq),
                    })
                });
            } else if let Ok(mut stream) = inverted.terms().search(automaton).into_stream() {
                while stream.advance() {
                    let docs = stream.value().doc_freq;
                    if !take(stream.key(), &|| Some(docs)) {
                        break;
                    }
                }
            }
            segments_with_words += usize::from(found.len() > before);
        }
        if segments_with_words > 1 {
            // The same word in several segments: one entry, document counts summed.
            found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            found.dedup_by(|next, kept| {
                if next.0 == kept.0 {
                    kept.1 += next.1;
                    true
                } else {
                    false
                }
            });
        }
        (found, complete)
    }

    /// The `k` words of `field` accepted by `automaton` that most documents hold (ties
    /// in word order), the most frequent first, among the first [`MAX_SCANNED`]. A
    /// prefix of one letter streams a thousand title words: each is kept as bytes
    /// in one buffer, the `k` are selected rather than all sorted, and only they
    /// become strings.
    fn most_frequent<A: Automaton>(
        &self,
        field: TantivyField,
        automaton: &A,
        k: usize,
    ) -> Vec<(String, u64)>
    where
        A::State: Clone,
    {
        if k == 0 {
            return Vec::new();
        }
        let by_freq = |a: &(u64, &[u8]), b: &(u64, &[u8])| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1));
        let segments: Vec<(usize, &Arc<InvertedIndexReader>)> =
            (0..self.searcher.segment_readers().len())
                .filter_map(|ord| Some((ord, self.engine.inverted(ord, field)?)))
                .collect();
        let [(ord, inverted)] = segments[..] else {
            // Several segments (after edits): a word's documents are summed over them.
            let mut words = self.scan(field, automaton);
            words.sort_by(|a, b| by_freq(&(a.1, a.0.as_bytes()), &(b.1, b.0.as_bytes())));
            words.truncate(k);
            return words;
        };
        let mut bytes: Vec<u8> = Vec::new();
        // (documents, start in `bytes`, end)
        let mut found: Vec<(u64, usize, usize)> = Vec::new();
        // Keeps a word (if it is text) and tells whether to go on.
        let mut keep = |key: &[u8], docs: u32| {
            if std::str::from_utf8(key).is_ok() {
                found.push((u64::from(docs), bytes.len(), bytes.len() + key.len()));
                bytes.extend_from_slice(key);
            }
            found.len() < MAX_SCANNED
        };
        let raw = self.engine.raw_dict(ord, field, self.fields);
        let freqs = self.engine.doc_freqs(ord, field, self.fields);
        if let (Some(raw), Some(freqs)) = (raw, freqs) {
            // The same words in the same order as Tantivy's stream, each count read
            // from the segment's column by the ordinal the walk has.
            raw.walk(automaton, |key, word| {
                freqs.get(word as usize).is_none_or(|&docs| keep(key, docs))
            });
        } else if let Ok(mut stream) = inverted.terms().search(automaton).into_stream() {
            while stream.advance() && keep(stream.key(), stream.value().doc_freq) {}
        }
        let word = |f: &(u64, usize, usize)| (f.0, bytes.get(f.1..f.2).unwrap_or_default());
        let order = |a: &(u64, usize, usize), b: &(u64, usize, usize)| by_freq(&word(a), &word(b));
        if found.len() > k {
            found.select_nth_unstable_by(k - 1, order);
            found.truncate(k);
        }
        found.sort_unstable_by(order);
        found
            .iter()
            .map(|f| {
                let (freq, w) = word(f);
                (String::from_utf8_lossy(w).into_owned(), freq)
            })
            .collect()
    }

    /// `corrections(word, max_typos, prefix)` over `fields` in order: the words of the
    /// first field that has any.
    fn corrections_in(
        &self,
        word: &str,
        max_typos: u8,
        prefix: bool,
        fields: &[TantivyField],
    ) -> Vec<(String, u8)> {
        let Some(automaton) = TypoAutomaton::new(word, max_typos, prefix) else {
            return Vec::new();
        };
        for &field in fields {
            let found = close_words(&self.scan(field, &automaton), word, max_typos, prefix);
            // A word close to a title word almost surely meant it; only when no title
            // word is close are the (many more) body words tried.
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn raw_fields(&self) -> [TantivyField; 2] {
        [self.fields.title_raw, self.fields.body_raw]
    }
}

impl Lexicon for IndexLexicon<'_> {
    fn contains(&self, word: &str) -> bool {
        self.doc_freq(word) > 0
    }

    fn doc_freq(&self, word: &str) -> u64 {
        let segments = self.searcher.segment_readers().len();
        self.raw_fields()
            .iter()
            .map(|&f| {
                let term = Term::from_field_text(f, word);
                (0..segments)
                    .filter_map(|ord| self.engine.inverted(ord, f))
                    .map(|i| u64::from(i.doc_freq(&term).unwrap_or(0)))
                    .sum::<u64>()
            })
            .max()
            .unwrap_or(0)
    }

    fn completions(&self, prefix: &str, titles_only: bool, max: usize) -> Vec<String> {
        let automaton = Prefix(prefix.as_bytes());
        let mut out: Vec<String> = Vec::new();
        let fields: &[TantivyField] = if titles_only {
            &[self.fields.title_raw]
        } else {
            &[self.fields.title_raw, self.fields.body_raw]
        };
        // Title words first (a title completes what people look for), then the
        // body's, each the most frequent first.
        for &field in fields {
            // Enough for the words still wanted once the prefix itself and the title
            // words already taken are left out: (max - taken) + 1 + taken.
            for (w, _) in self.most_frequent(field, &automaton, max + 1) {
                if out.len() >= max {
                    return out;
                }
                if w != prefix && !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        out
    }

    fn corrections(&self, word: &str, max_typos: u8, prefix: bool) -> Vec<(String, u8)> {
        self.corrections_in(word, max_typos, prefix, &self.raw_fields())
    }

    /// One pass with the prefix automaton answers both: every word within the typos
    /// of `word` is also within them of one of its own prefixes, so the words the
    /// whole-word automaton accepts are among those the prefix automaton does, and
    /// [`typos`] tells them apart. Only when a dictionary holds more accepted
    /// words than are scanned could the two differ: then each is looked up alone.
    fn corrections_and_completions(&self, word: &str, max_typos: u8) -> (Corrections, Corrections) {
        let Some(automaton) = TypoAutomaton::new(word, max_typos, true) else {
            return (Vec::new(), Vec::new());
        };
        let fields = self.raw_fields();
        let mut whole: Option<Vec<(String, u8)>> = None;
        let mut completed: Option<Vec<(String, u8)>> = None;
        for (i, &field) in fields.iter().enumerate() {
            if whole.is_some() && completed.is_some() {
                break;
            }
            let (found, complete) = self.scan_all(field, &automaton);
            if !complete {
                let rest = &fields[i..];
                let whole =
                    whole.unwrap_or_else(|| self.corrections_in(word, max_typos, false, rest));
                let completed =
                    completed.unwrap_or_else(|| self.corrections_in(word, max_typos, true, rest));
                return (whole, completed);
            }
            if whole.is_none() {
                let w = close_words(&found, word, max_typos, false);
                whole = (!w.is_empty()).then_some(w);
            }
            if completed.is_none() {
                let c = close_words(&found, word, max_typos, true);
                completed = (!c.is_empty()).then_some(c);
            }
        }
        (whole.unwrap_or_default(), completed.unwrap_or_default())
    }
}

/// The words of `found` within `max_typos` of `word` (of a prefix of them, with
/// `prefix`) but not equal to it, the closest first, at most [`MAX_EXPANSIONS`].
fn close_words(
    found: &[(String, u64)],
    word: &str,
    max_typos: u8,
    prefix: bool,
) -> Vec<(String, u8)> {
    // Borrowed until the few kept are known: a walk finds up to a thousand words.
    let mut out: Vec<(&str, u8)> = found
        .iter()
        .filter(|(w, _)| w != word)
        .filter_map(|(w, _)| typos(word, w, max_typos, prefix).map(|d| (w.as_str(), d)))
        .filter(|(_, d)| *d > 0)
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    out.truncate(MAX_EXPANSIONS);
    out.into_iter().map(|(w, d)| (w.to_string(), d)).collect()
}

/// Per-document state of one query.
///
/// Its arrays span every document of the index (23,000 at three times roadmap.sh's
/// size), and zeroing fresh ones for each query (about 160 KB for two words) was a
/// fiftieth of a query's time: they come from the thread's [`Scratch`] and go back
/// to it, cleaned, when the query is done.
pub struct Matched {
    /// `best[u][doc]`: the best match of unit `u` in each dense document.
    best: Vec<Vec<Match>>,
    /// Tie-breaking BM25, summed over the words read, per dense document.
    bm25: Vec<f32>,
    /// Whether each dense document is in `marked`.
    seen: Vec<bool>,
    /// Dense numbers of the documents matching at least one unit, deleted ones
    /// included: every entry of the arrays above that is not at its start value.
    marked: Vec<u32>,
}

/// The arrays of the last [`Matched`] a thread dropped, back at their start values
/// (`marked` empty, with its capacity).
#[derive(Default)]
struct Scratch {
    best: Vec<Vec<Match>>,
    bm25: Vec<f32>,
    seen: Vec<bool>,
    marked: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Units' arrays a thread keeps at most (a query has a handful of units).
const SCRATCH_UNITS: usize = 16;

/// How many documents the thread's scratch arrays span, and whether they are all at
/// their start values.
#[cfg(test)]
pub(crate) fn scratch_state() -> (usize, bool) {
    SCRATCH.with(|c| {
        let c = c.borrow();
        let clean = c.bm25.iter().all(|&x| x == 0.0)
            && c.seen.iter().all(|&x| !x)
            && c.marked.is_empty()
            && c.best
                .iter()
                .all(|b| b.len() == c.bm25.len() && b.iter().all(|&m| m == Match::NONE));
        (c.bm25.len(), clean)
    })
}

impl Matched {
    /// Arrays for `units` units over `n` documents, at their start values: the
    /// thread's scratch when it has them at that size, else new ones.
    fn start(units: usize, n: usize) -> Matched {
        let mut s = SCRATCH
            .try_with(|c| c.try_borrow_mut().map(|mut c| std::mem::take(&mut *c)))
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        fn fit<T: Copy>(v: &mut Vec<T>, n: usize, start: T) {
            if v.len() != n {
                v.clear();
                v.resize(n, start);
            }
        }
        fit(&mut s.bm25, n, 0.0);
        fit(&mut s.seen, n, false);
        s.best.truncate(units);
        s.best.resize_with(units, Vec::new);
        for b in &mut s.best {
            fit(b, n, Match::NONE);
        }
        Matched {
            best: s.best,
            bm25: s.bm25,
            seen: s.seen,
            marked: s.marked,
        }
    }
}

impl Drop for Matched {
    /// Puts the arrays back at their start values (entry by entry when few were
    /// marked, whole otherwise) and gives them to the thread's scratch.
    fn drop(&mut self) {
        if self.marked.len() < self.bm25.len() / 16 {
            for &d in &self.marked {
                let d = d as usize;
                for b in &mut self.best {
                    if let Some(m) = b.get_mut(d) {
                        *m = Match::NONE;
                    }
                }
                if let Some(x) = self.bm25.get_mut(d) {
                    *x = 0.0;
                }
                if let Some(x) = self.seen.get_mut(d) {
                    *x = false;
                }
            }
        } else {
            for b in &mut self.best {
                b.fill(Match::NONE);
            }
            self.bm25.fill(0.0);
            self.seen.fill(false);
        }
        self.best.truncate(SCRATCH_UNITS);
        self.marked.clear();
        let s = Scratch {
            best: std::mem::take(&mut self.best),
            bm25: std::mem::take(&mut self.bm25),
            seen: std::mem::take(&mut self.seen),
            marked: std::mem::take(&mut self.marked),
        };
        let _ = SCRATCH.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = s;
            }
        });
    }
}

impl Matched {
    pub fn matches(&self, doc: u32) -> impl Iterator<Item = Match> + '_ {
        self.best.iter().map(move |b| b[doc as usize])
    }

    /// Whether every unit matched the title (or an alternative title).
    pub fn title_match(&self, doc: u32) -> bool {
        self.matches(doc)
            .all(|m| m.is_some() && m.field() == Field::Title as u8)
    }
}

/// The `n`th of the ranges that `ends` closes one after another from 0 (empty past
/// the end).
fn nth_range(ends: &[u32], n: usize) -> std::ops::Range<usize> {
    let start = n
        .checked_sub(1)
        .and_then(|p| ends.get(p))
        .map_or(0, |&e| e as usize);
    start..ends.get(n).map_or(start, |&e| e as usize)
}

/// Weight of a field in the tie-breaking BM25.
fn bm25_weight(field: Field) -> f32 {
    match field {
        Field::Title => 3.0,
        Field::Context | Field::Keywords => 1.0,
        Field::Body => 1.0,
    }
}

struct Reader<'a> {
    engine: &'a Engine,
    searcher: &'a Searcher,
    fields: Fields,
}

/// One unit's matches and the arrays all units share, as [`Reader::unit`] fills them.
struct Marks<'a> {
    best: &'a mut [Match],
    bm25: &'a mut [f32],
    seen: &'a mut [bool],
    marked: &'a mut Vec<u32>,
}

impl Marks<'_> {
    /// Records that the unit matched document `dense` by `m`.
    fn mark(&mut self, dense: usize, m: Match) {
        if m < self.best[dense] {
            self.best[dense] = m;
        }
        if !self.seen[dense] {
            self.seen[dense] = true;
            self.marked.push(dense as u32);
        }
    }
}

impl Reader<'_> {
    /// Applies `m` to every document holding `word` in `field`.
    fn term(&self, marks: &mut Marks, field: (TantivyField, Field), word: &str, m: Match) {
        let term = Term::from_field_text(field.0, word);
        // One dictionary look-up per segment gives both the postings and the document
        // frequency BM25 needs.
        let mut found = Vec::new();
        let mut doc_freq = 0u64;
        for ord in 0..self.searcher.segment_readers().len() {
            let Some(inverted) = self.engine.inverted(ord, field.0) else {
                continue;
            };
            if let Ok(Some(info)) = inverted.get_term_info(&term) {
                doc_freq += u64::from(info.doc_freq);
                found.push((ord, inverted, info));
            }
        }
        let weight = self.engine.bm25_of(field.0, doc_freq);
        let field_weight = bm25_weight(field.1);
        for (ord, inverted, info) in found {
            let base = self.engine.bases[ord] as usize;
            // Block by block (128 documents, decoded at once): a posting at a time
            // through `SegmentPostings` added a call and a check per document, and
            // opening one copied its kilobyte of buffers.
            let Ok(mut block) =
                inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
            else {
                continue;
            };
            let norms = self.engine.norms(ord, field.0);
            while !block.docs().is_empty() {
                let docs = block.docs();
                if let (Some((w, table)), Some(norms)) = (&weight, norms) {
                    let freqs = block.freqs();
                    for (i, &doc) in docs.iter().enumerate() {
                        let dense = base + doc as usize;
                        marks.mark(dense, m);
                        // Tantivy's BM25: weight · tf / (tf + norm(field length)).
                        let tf = freqs.get(i).map_or(1.0, |&f| f as f32);
                        let score = w * (tf / (tf + table[norms.fieldnorm_id(doc) as usize]));
                        marks.bm25[dense] += score * field_weight;
                    }
                } else {
                    for &doc in docs {
                        marks.mark(base + doc as usize, m);
                    }
                }
                block.advance();
            }
        }
    }

    /// Applies `m` to every document holding the stems `words` in `field`: adjacent
    /// and in order, or anywhere in the field.
    fn phrase(
        &self,
        marks: &mut Marks,
        field: (TantivyField, Field),
        words: &[String],
        adjacent: bool,
        m: Match,
    ) {
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(field.0, w))
            .collect();
        for ord in 0..self.searcher.segment_readers().len() {
            let base = self.engine.bases[ord];
            let Some(inverted) = self.engine.inverted(ord, field.0) else {
                continue;
            };
            let mut lists = Vec::with_capacity(terms.len());
            for t in &terms {
                match inverted.read_postings(t, IndexRecordOption::WithFreqsAndPositions) {
                    Ok(Some(p)) => lists.push(p),
                    _ => break,
                }
            }
            if lists.len() != terms.len() || lists.is_empty() {
                continue;
            }
            let mut positions: Vec<Vec<u32>> = vec![Vec::new(); lists.len()];
            let mut target = lists[0].doc();
            'docs: while target != TERMINATED {
                // Intersect: every list on `target`, or move `target` forward.
                for l in lists.iter_mut() {
                    // `seek` only moves forward: a list already past stays there.
                    let d = if l.doc() >= target {
                        l.doc()
                    } else {
                        l.seek(target)
                    };
                    if d != target {
                        target = d;
                        continue 'docs;
                    }
                }
                // A document the unit already matched as well or better (its word as
                // typed, before a split of it) gains nothing: its positions are not
                // read. A unit's match marks the document seen, so nothing else
                // changes either.
                let dense = (base + target) as usize;
                let gains = m < marks.best[dense] && self.engine.kinds[dense].is_some();
                let ok = gains
                    && (!adjacent || {
                        for (l, p) in lists.iter_mut().zip(positions.iter_mut()) {
                            p.clear();
                            l.positions(p);
                        }
                        positions[0].iter().any(|&start| {
                            positions[1..]
                                .iter()
                                .enumerate()
                                .all(|(i, p)| p.binary_search(&(start + i as u32 + 1)).is_ok())
                        })
                    });
                if ok {
                    marks.mark(dense, m);
                }
                target = lists[0].advance();
            }
        }
    }

    /// Marks the best match of `unit` in each document; with `titles_only`, in
    /// titles alone ([`Plan::titles_only`]).
    fn unit(&self, unit: &Unit, titles_only: bool, marks: &mut Marks) {
        let f = self.fields;
        for t in &unit.terms {
            let fields = [(f.title_raw, Field::Title), (f.body_raw, Field::Body)];
            let fields = if t.titles_only || titles_only {
                &fields[..1]
            } else {
                &fields[..]
            };
            for &field in fields {
                let m = Match::new(t.typos, field.1, t.exactness);
                self.term(marks, field, &t.word, m);
            }
        }
        let stemmed = [
            (f.title, Field::Title),
            (f.context, Field::Context),
            (f.keywords, Field::Keywords),
            (f.body, Field::Body),
        ];
        let stemmed = if titles_only {
            &stemmed[..1]
        } else {
            &stemmed[..]
        };
        for s in &unit.stems {
            for &field in stemmed {
                let m = Match::new(s.typos, field.1, s.exactness);
                self.term(marks, field, &s.word, m);
            }
        }
        for p in &unit.phrases {
            let stems: Vec<String> = p.words.iter().map(|w| super::analyzer::stem(w)).collect();
            for &field in stemmed {
                let m = Match::new(p.typos, field.1, p.exactness);
                self.phrase(marks, field, &stems, p.adjacent, m);
            }
        }
    }

    /// The proximity rule's value ([`ranking::proximity`]) of each of the documents
    /// `docs` (dense, any order). Document by document: every posting list is opened
    /// once and moved forward through the documents in order, and one document's
    /// positions are dropped as soon as its proximity is known (the positions of every
    /// document of a large bucket, kept all at once, were most of the cost).
    fn proximities(&self, plan: &Plan, docs: &[u32]) -> Vec<u16> {
        let mut out = vec![0u16; docs.len()];
        self.proximities_judged(plan, docs, |i, read| {
            if let Some(p) = read {
                out[i] = p;
            }
            true
        });
        out
    }

    /// [`Self::proximities`], asking `judge(i, None)` before reading document
    /// `docs[i]` whether to read it (in document order), and telling it the value
    /// read with `judge(i, Some(value))`.
    fn proximities_judged(
        &self,
        plan: &Plan,
        docs: &[u32],
        mut judge: impl FnMut(usize, Option<u16>) -> bool,
    ) {
        let f = self.fields;
        let fields = [f.title, f.context, f.keywords, f.body];
        // Matched in titles only: the words' places elsewhere do not count either.
        let read = if plan.titles_only { 1 } else { fields.len() };
        // The words whose distances count: a unit of several words (`server side`)
        // by its first and its last word, so that the next unit's distance is
        // measured from where this one ends.
        let slots: Vec<(&Unit, bool)> = plan
            .units
            .iter()
            .flat_map(|u| {
                let mut v = vec![(u, false)];
                if u.words.len() > 1 {
                    v.push((u, true));
                }
                v
            })
            .collect();
        let segments = self.searcher.segment_readers();
        let stems: Vec<Vec<String>> = slots
            .iter()
            .map(|(unit, last)| unit.position_stems(*last, MAX_POSITION_STEMS))
            .collect();
        // Posting lists by segment: (slot, field, postings). Boxed: a list is a
        // kilobyte of buffers, and growing a vector of them inline copied them again
        // and again (a twentieth of ranking a keystroke's bucket).
        let mut lists: Vec<Vec<(usize, usize, Box<SegmentPostings>)>> =
            (0..segments.len()).map(|_| Vec::new()).collect();
        for (u, stems) in stems.iter().enumerate() {
            for (fi, &field) in fields.iter().enumerate().take(read) {
                for s in stems {
                    let term = Term::from_field_text(field, s);
                    for (ord, list) in lists.iter_mut().enumerate() {
                        let Some(inverted) = self.engine.inverted(ord, field) else {
                            continue;
                        };
                        if let Ok(Some(postings)) =
                            inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                        {
                            list.push((u, fi, Box::new(postings)));
                        }
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_unstable_by_key(|&i| docs[i]);
        let mut positions = vec![vec![Vec::new(); fields.len()]; slots.len()];
        // How many lists fed each (slot, field): one list's positions are already in
        // order, and sorting them anyway was a tenth of the rule's cost.
        let mut fed = vec![vec![0u32; fields.len()]; slots.len()];
        for &i in &order {
            if !judge(i, None) {
                continue;
            }
            let d = docs[i];
            // The segment holding `d`: the last whose first document is not after it.
            let ord = self
                .engine
                .bases
                .partition_point(|&b| b <= d)
                .saturating_sub(1);
            let (Some(base), Some(seg_lists)) = (self.engine.bases.get(ord), lists.get_mut(ord))
            else {
                continue;
            };
            let local = d - base;
            for (per_slot, counts) in positions.iter_mut().zip(fed.iter_mut()) {
                for (p, n) in per_slot.iter_mut().zip(counts.iter_mut()) {
                    p.clear();
                    *n = 0;
                }
            }
            for (slot, fi, postings) in seg_lists.iter_mut() {
                // Already past it (no occurrence there): seek only forward.
                if postings.doc() > local {
                    continue;
                }
                if postings.seek(local) == local {
                    postings.append_positions_with_offset(0, &mut positions[*slot][*fi]);
                    fed[*slot][*fi] += 1;
                }
            }
            for (per_slot, counts) in positions.iter_mut().zip(&fed) {
                for (p, &n) in per_slot.iter_mut().zip(counts) {
                    if n > 1 {
                        p.sort_unstable();
                        p.dedup();
                    }
                }
            }
            judge(i, Some(ranking::proximity(&positions)));
        }
    }
}

/// How a unit matches one title word, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Via {
    /// As typed or derived from it (stem, synonym, correction).
    Whole,
    /// Only as one word of a phrase of several (`type` of the split `type script`):
    /// counts only when the title holds as many such words as the phrase has.
    Part,
    /// Only by completing a word being typed.
    Completion,
}

/// How the unit matches a title word, if it does. Parts of a compound title word do
/// not count ([`TitleWord`]).
fn unit_matches_word(unit: &Unit, words: &UnitWords, word: &PackedWord) -> Option<Via> {
    // Most title words of a large bucket are none of the unit's: a few bit tests
    // tell, before any hashing.
    if !word.sig.may_meet(&words.filter) {
        return None;
    }
    let mut part = false;
    for s in word.stems() {
        if unit.stem_set.contains(s) {
            if !words.parts.contains(s) {
                return Some(Via::Whole);
            }
            part = true;
        }
    }
    word.forms()
        .filter_map(|f| words.forms.get(f).copied())
        .min()
        .or(part.then_some(Via::Part))
}

/// Whether the query names this whole title: every meaningful word of the title is
/// matched by a unit, and every unit matches a word of the title. `Some(0)` when
/// named with whole words in the title's order, `Some(1)` in another order
/// (`design system` for "System Design"), `Some(2)` when a word being typed had to
/// be completed. `units` is [`unit_words`] of `plan_units` (a plan's units, or some of
/// them).
fn title_named(title: PackedTitle, plan_units: &[Unit], units: &[UnitWords]) -> Option<u8> {
    if title.is_empty() || plan_units.len() > 64 || units.len() != plan_units.len() {
        return None;
    }
    // Every word's signature first: they lie together, before the words' strings,
    // and most titles of a large bucket have a word no unit can match.
    if !words_may_meet(title.sigs(), units) {
        return None;
    }
    let mut completed = false;
    let mut in_order = true;
    let mut previous = 0;
    // The units that match some word: every unit is tried on every word below, so
    // whether each matched one is known without a second pass. A unit matching
    // words only as parts of its phrases counts them.
    let mut met = 0u64;
    let mut parts = [0u8; 64];
    for w in title.words() {
        // The first unit matching this word, and how.
        let (unit, via) = plan_units
            .iter()
            .zip(units)
            .enumerate()
            .filter_map(|(i, (u, uw))| unit_matches_word(u, uw, &w).map(|c| (i, c)))
            .inspect(|&(i, via)| {
                if via == Via::Part {
                    parts[i] = parts[i].saturating_add(1);
                } else {
                    met |= 1 << i;
                }
            })
            .min_by_key(|&(i, c)| (c, i))?;
        completed |= via == Via::Completion;
        in_order &= unit >= previous;
        previous = unit;
    }
    for (i, uw) in units.iter().enumerate() {
        if parts[i] >= uw.phrase_words {
            met |= 1 << i;
        }
    }
    let all_units = met.count_ones() as usize == plan_units.len();
    all_units.then_some(if completed { 2 } else { u8::from(!in_order) })
}

/// Whether each of these title words' signatures may meet some unit's filter
/// (surely some word matches no unit when `false`).
fn words_may_meet(mut sigs: impl Iterator<Item = WordSig>, units: &[UnitWords]) -> bool {
    sigs.all(|w| units.iter().any(|u| w.may_meet(&u.filter)))
}

/// One unit's words as [`Engine::names_whole`] checks titles against them, made once
/// per query.
pub struct UnitWords {
    /// Its raw words and stems, against a document's title words as a whole.
    pub bits: WordBits,
    /// The same, against each title word's [`WordSig`](super::documents::WordSig).
    filter: WordFilter,
    /// Each raw word, and how the unit has it: whole, only by completing the word
    /// being typed (a term found by prefix), or only as a word of a phrase of
    /// several. One look-up instead of a walk of the terms.
    forms: FxHashMap<String, Via>,
    /// The stems the unit has only as words of its phrases of several words.
    parts: FxHashSet<String>,
    /// The fewest words of such a phrase: how many of a title's words must match
    /// as parts for the unit to match the title ([`u8::MAX`] without phrases).
    phrase_words: u8,
}

/// [`UnitWords`] of each unit of `plan`.
pub fn unit_words(plan: &Plan) -> Vec<UnitWords> {
    fn words(u: &Unit) -> impl Iterator<Item = &str> {
        u.raw.iter().chain(u.stem_set.iter()).map(String::as_str)
    }
    plan.units
        .iter()
        .map(|u| {
            // A raw word that is no term is a word of a phrase only.
            let mut forms: FxHashMap<String, Via> =
                u.raw.iter().map(|w| (w.clone(), Via::Part)).collect();
            for t in &u.terms {
                if let Some(via) = forms.get_mut(&t.word) {
                    *via = if t.exactness >= Exactness::Prefix {
                        Via::Completion
                    } else {
                        Via::Whole
                    };
                }
            }
            let parts = u
                .stem_set
                .iter()
                .filter(|s| !u.stems.iter().any(|t| &t.word == *s))
                .cloned()
                .collect();
            let phrase_words = u
                .phrases
                .iter()
                .map(|p| u8::try_from(p.words.len()).unwrap_or(u8::MAX))
                .min()
                .unwrap_or(u8::MAX);
            UnitWords {
                bits: WordBits::of(words(u)),
                filter: WordFilter::of(words(u)),
                forms,
                parts,
                phrase_words,
            }
        })
        .collect()
}

/// One candidate of a query.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub doc: u32,
    pub missing: u8,
    pub typos: u16,
}

/// What one query matched, before filters and pagination.
pub struct Execution {
    pub matched: Matched,
    /// Candidates: every document with every unit, or, when fewer than
    /// [`RELAX_BELOW`] have them all, every document with at least one.
    pub candidates: Vec<Candidate>,
    pub relaxed: bool,
    /// Roadmaps and best practices whose whole title or alternative title the query
    /// names, by ordinal ([`Engine::roadmap_of`]): the standing rule compares them for
    /// every document of the bucket holding the page without reading its metadata.
    pub named: Vec<u32>,
    /// [`unit_words`] of the plan.
    pub unit_words: Vec<UnitWords>,
    /// Roadmaps and best practices that the query's first or last units name, the
    /// rest of the query naming a title in them: see [`Crumb`].
    pub crumbs: Vec<Crumb>,
}

/// A roadmap or best practice whose whole name is the first or the last units of a
/// query of several: `kubernetes pods` names the roadmap Kubernetes by `kubernetes`,
/// and the topic "Pods" in it by `pods`. The query is that topic's breadcrumb, and
/// the whole-title rule counts it as naming the topic's title (in order when the
/// roadmap comes first).
#[derive(Debug, Clone)]
pub struct Crumb {
    /// The roadmap's ordinal ([`Engine::roadmap_of`]).
    pub ordinal: u32,
    /// The units that must name a title of a document in it.
    pub rest: std::ops::Range<usize>,
    /// Whether the roadmap's name comes first in the query.
    pub first: bool,
}

impl Engine {
    /// Finds the documents matching `plan` and their per-unit matches.
    pub fn execute(&self, searcher: &Searcher, fields: Fields, plan: &Plan) -> Execution {
        let reader = Reader {
            engine: self,
            searcher,
            fields,
        };
        let n = self.kinds.len();
        let mut matched = Matched::start(plan.units.len(), n);
        {
            let Matched {
                best,
                bm25,
                seen,
                marked,
            } = &mut matched;
            for (u, best) in plan.units.iter().zip(best.iter_mut()) {
                let mut marks = Marks {
                    best,
                    bm25,
                    seen,
                    marked,
                };
                reader.unit(u, plan.titles_only, &mut marks);
            }
        }
        // Deleted documents are matched too and dropped here: a check per posting
        // cost more than the postings they add.
        let mut all: Vec<Candidate> = Vec::with_capacity(matched.marked.len());
        all.extend(
            matched
                .marked
                .iter()
                .filter(|&&d| self.kinds[d as usize].is_some())
                .map(|&doc| {
                    let (missing, typos) = ranking::words_and_typos(matched.matches(doc));
                    Candidate {
                        doc,
                        missing,
                        typos,
                    }
                }),
        );
        let complete = all.iter().filter(|c| c.missing == 0).count();
        let relaxed = complete < RELAX_BELOW && complete < all.len();
        if !relaxed {
            all.retain(|c| c.missing == 0);
        }
        let unit_words = unit_words(plan);
        // The heads matching every unit (a few dozen, not every candidate); a
        // roadmap's or best practice's own ordinal is that of its id.
        let mut named: Vec<u32> = self
            .heads
            .iter()
            .copied()
            .filter(|&h| ranking::words_and_typos(matched.matches(h)).0 == 0)
            .filter(|&h| self.names_whole(h, &plan.units, &unit_words).is_some())
            .map(|h| self.roadmap_of(h))
            .filter(|&ordinal| ordinal != NO_ROADMAP)
            .collect();
        named.sort_unstable();
        named.dedup();
        let crumbs = self.crumbs(plan, &unit_words);
        Execution {
            matched,
            candidates: all,
            relaxed,
            named,
            unit_words,
            crumbs,
        }
    }

    /// The [`Crumb`]s of a query: every roadmap and best practice named by its
    /// first or last units, the others left to name a title.
    fn crumbs(&self, plan: &Plan, unit_words: &[UnitWords]) -> Vec<Crumb> {
        let n = plan.units.len();
        let mut out = Vec::new();
        if n < 2 || unit_words.len() != n {
            return out;
        }
        for &head in &self.heads {
            let ordinal = self.roadmap_of(head);
            if ordinal == NO_ROADMAP {
                continue;
            }
            // Each unit of a name must meet the head's titles' signature: the first
            // unit that does not ends the longer names too, and most heads are told
            // apart by a bit test or two (a query is checked against every head).
            let meets = |u: usize| self.titles_meet(head, &unit_words[u]);
            for k in (1..n).take_while(|&k| meets(k - 1)) {
                if self
                    .names_whole(head, &plan.units[..k], &unit_words[..k])
                    .is_some()
                {
                    out.push(Crumb {
                        ordinal,
                        rest: k..n,
                        first: true,
                    });
                }
            }
            for k in (1..n).take_while(|&k| meets(n - k)) {
                if self
                    .names_whole(head, &plan.units[n - k..], &unit_words[n - k..])
                    .is_some()
                {
                    out.push(Crumb {
                        ordinal,
                        rest: 0..n - k,
                        first: false,
                    });
                }
            }
        }
        out
    }

    /// How the query names a document as its breadcrumb ([`Crumb`]): the best way
    /// the units left after its roadmap's name name one of its titles, never in
    /// order when the roadmap's name comes last.
    fn names_by_crumb(&self, plan: &Plan, ex: &Execution, dense: u32) -> Option<u8> {
        if ex.crumbs.is_empty() {
            return None;
        }
        let ordinal = self.roadmap_of(dense);
        ex.crumbs
            .iter()
            .filter(|c| c.ordinal == ordinal)
            .filter_map(|c| {
                let units = plan.units.get(c.rest.clone())?;
                let bits = ex.unit_words.get(c.rest.clone())?;
                let named = self.names_whole(dense, units, bits)?;
                Some(if c.first { named } else { named.max(1) })
            })
            .min()
    }

    /// Sorts `items` so that `offset..offset + limit` hold the page in rank order,
    /// and returns that range.
    #[allow(clippy::too_many_arguments)]
    pub fn rank(
        &self,
        searcher: &Searcher,
        fields: Fields,
        plan: &Plan,
        ex: &Execution,
        items: &mut [Candidate],
        offset: usize,
        limit: usize,
    ) -> std::ops::Range<usize> {
        let reader = Reader {
            engine: self,
            searcher,
            fields,
        };
        ranking::page(
            items,
            offset,
            limit,
            |c| (c.missing, c.typos),
            |slice, page| {
                // The rules up to the field rule for every item; the later ones (whole
                // titles, standing) only for the finer buckets that hold the page.
                let mut keys: Vec<RankKey> =
                    slice.iter().map(|c| self.early_key(ex, c, None)).collect();
                if plan.units.len() > 1 {
                    let proximities = self.proximities(&reader, plan, slice, &keys, page.end);
                    for (key, p) in keys.iter_mut().zip(proximities) {
                        key.proximity = p;
                    }
                }
                let early: Vec<(u8, u16, u16, u16)> = keys
                    .iter()
                    .map(|k| (k.missing, k.typos, k.proximity, k.field))
                    .collect();
                let needed: Vec<usize> = ranking::overlapping(&early, page)
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, needed)| needed.then_some(i))
                    .collect();
                let docs: Vec<Option<(&TitleColumns, usize)>> = needed
                    .iter()
                    .map(|&i| {
                        self.locate(slice[i].doc)
                            .map(|(part, local)| (&part.titles, local))
                    })
                    .collect();
                let whole = names_of(&docs, &plan.units, &ex.unit_words);
                for (&i, whole) in needed.iter().zip(whole) {
                    self.late_key(plan, ex, &slice[i], whole, &mut keys[i]);
                }
                keys
            },
        )
    }

    /// The proximity rule's value of each of `items` whose value can place it among
    /// the first `need` once ranked, and `u16::MAX` (after all of them) for the
    /// others; `keys` are the items' [`Self::early_key`]s.
    ///
    /// Reading positions is most of ranking a large bucket (`data r`: four thousand
    /// documents, each in the positions of sixteen completions in four fields), and
    /// the first `need` are often found among a few of them. The items the field rule
    /// puts first are read first; then, in document order, an item is read only if,
    /// with the rule's least value (every pair of words adjacent), it would not come
    /// after the `need`-th best read so far by the rules up to the field rule. One
    /// left unread comes after at least `need` items whatever its later keys, so the
    /// page is the same as with every item read.
    fn proximities(
        &self,
        reader: &Reader,
        plan: &Plan,
        items: &[Candidate],
        keys: &[RankKey],
        need: usize,
    ) -> Vec<u16> {
        let n = items.len();
        let docs = |which: &[usize]| -> Vec<u32> { which.iter().map(|&i| items[i].doc).collect() };
        let all: Vec<usize> = (0..n).collect();
        // Small buckets, or a page reaching far into one: read them all at once (each
        // reading opens every word's posting lists).
        if need == 0
            || n < PRUNE_PROXIMITY_FROM
            || need.saturating_mul(4) > n
            || !PRUNE_PROXIMITY.load(std::sync::atomic::Ordering::Relaxed)
        {
            return reader.proximities(plan, &docs(&all));
        }
        let slots: usize = plan
            .units
            .iter()
            .map(|u| 1 + usize::from(u.words.len() > 1))
            .sum();
        let least = u16::try_from(slots.saturating_sub(1)).unwrap_or(u16::MAX);
        let before = |k: &RankKey| (k.missing, k.typos, k.field);
        let key = |i: usize, p: u16| (keys[i].missing, keys[i].typos, p, keys[i].field);
        let mut out = vec![u16::MAX; n];
        // The `need` best keys read so far; the largest of them is the threshold.
        let mut best: std::collections::BinaryHeap<(u8, u16, u16, u16)> =
            std::collections::BinaryHeap::with_capacity(need + 1);
        let mut judge = |i: usize, read: Option<u16>| match read {
            None => best.len() < need || best.peek().is_none_or(|t| key(i, least) <= *t),
            Some(p) => {
                out[i] = p;
                best.push(key(i, p));
                if best.len() > need {
                    best.pop();
                }
                true
            }
        };
        // First the items up to the `need`-th by the rules before and after proximity
        // (when few): they set a threshold most others are above.
        let mut order = all.clone();
        order.select_nth_unstable_by_key(need - 1, |&i| before(&keys[i]));
        let bound = before(&keys[order[need - 1]]);
        let first: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| before(&keys[i]) <= bound)
            .collect();
        let rest: Vec<usize> = if first.len().saturating_mul(8) <= n {
            reader.proximities_judged(plan, &docs(&first), |j, read| judge(first[j], read));
            all.iter()
                .copied()
                .filter(|&i| before(&keys[i]) > bound)
                .collect()
        } else {
            all
        };
        reader.proximities_judged(plan, &docs(&rest), |j, read| judge(rest[j], read));
        out
    }

    /// The rank keys of the first `limit` of `items`, the candidates of `ex`, in order
    /// (for judging ranking by hand: `examples/query.rs`).
    pub fn explain(
        &self,
        searcher: &Searcher,
        fields: Fields,
        plan: &Plan,
        ex: &Execution,
        mut items: Vec<Candidate>,
        limit: usize,
    ) -> Vec<(String, RankKey)> {
        let range = self.rank(searcher, fields, plan, ex, &mut items, 0, limit);
        let reader = Reader {
            engine: self,
            searcher,
            fields,
        };
        let page = &items[range];
        let docs: Vec<u32> = page.iter().map(|c| c.doc).collect();
        let proximities = reader.proximities(plan, &docs);
        page.iter()
            .zip(proximities.iter())
            .filter_map(|(c, p)| {
                let path = self.doc(c.doc)?.path.to_string();
                Some((
                    path,
                    self.key(plan, ex, c, (plan.units.len() > 1).then_some(*p)),
                ))
            })
            .collect()
    }

    fn key(&self, plan: &Plan, ex: &Execution, c: &Candidate, proximity: Option<u16>) -> RankKey {
        let mut key = self.early_key(ex, c, proximity);
        let whole = self.names_whole(c.doc, &plan.units, &ex.unit_words);
        self.late_key(plan, ex, c, whole, &mut key);
        key
    }

    /// The keys of the rules up to the field rule (and the word part of exactness):
    /// what the matches and positions already tell.
    fn early_key(&self, ex: &Execution, c: &Candidate, proximity: Option<u16>) -> RankKey {
        // The kind column, not the document: one byte per document, read for every
        // candidate of the buckets ranked.
        if self.kind(c.doc).is_none() {
            return RankKey {
                missing: u8::MAX,
                ..RankKey::default()
            };
        }
        let mut matches = [Match::NONE; 16];
        let mut field = 0;
        let mut exactness = 0;
        // Units are at most a dozen: no allocation per document.
        for chunk in ex.matched.best.chunks(matches.len()) {
            for (m, best) in matches.iter_mut().zip(chunk) {
                *m = best[c.doc as usize];
            }
            let (f, e) = ranking::field_and_exactness(&matches[..chunk.len()]);
            field += f;
            exactness += e;
        }
        RankKey {
            missing: c.missing,
            typos: c.typos,
            proximity: proximity.unwrap_or(0),
            field,
            exactness,
            whole_title: 3,
            ..RankKey::default()
        }
    }

    /// Completes `key` with the later rules: whole titles, standing, kind, BM25.
    /// Reads the document's metadata only when its title may be named: the other
    /// rules come from the engine's columns.
    /// `whole` is [`Self::names_whole`] of the document, found with the others'.
    fn late_key(
        &self,
        plan: &Plan,
        ex: &Execution,
        c: &Candidate,
        whole: Option<u8>,
        key: &mut RankKey,
    ) {
        let Some(kind) = self.kind(c.doc) else {
            return;
        };
        let whole = whole.or_else(|| {
            // A roadmap is not its own topic.
            (!kind.is_head())
                .then(|| self.names_by_crumb(plan, ex, c.doc))
                .flatten()
        });
        // Most queries name no roadmap: no look-up per candidate then.
        let in_named = || ex.named.contains(&self.roadmap_of(c.doc));
        let standing = if ex.named.is_empty() {
            2
        } else if kind.is_head() && in_named() {
            0
        } else if in_named() {
            1
        } else {
            2
        };
        key.whole_title = whole.unwrap_or(3);
        key.standing = standing;
        key.kind = ranking::kind_rank(kind);
        key.bm25 = ex.matched.bm25.get(c.doc as usize).copied().unwrap_or(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::documents::{TitleWord, title_words};
    use crate::search::query::{WordList, plan};
    use crate::search::synonyms::Synonyms;

    /// [`title_named`] with the plan's own [`unit_words`].
    fn names_whole_title(title: &[TitleWord], plan: &Plan) -> Option<u8> {
        let packed = PackedTitles::of([title]);
        let title = packed.titles().next().expect("one title");
        title_named(title, &plan.units, &unit_words(plan))
    }

    fn p(q: &str) -> Plan {
        let words = WordList::new(
            &[
                "system",
                "design",
                "node.js",
                "nodejs",
                "node",
                "js",
                "kubernetes",
                "type",
                "script",
                "generic",
                "dev",
                "ops",
            ],
            &["http"],
        );
        plan(
            q,
            &Synonyms::new(&[vec!["k8s".into(), "kubernetes".into()]]),
            &words,
        )
    }

    #[test]
    fn whole_titles_in_order_before_other_orders_before_completions() {
        let title = title_words("System Design");
        assert_eq!(names_whole_title(&title, &p("system design ")), Some(0));
        assert_eq!(names_whole_title(&title, &p("design system ")), Some(1));
        assert_eq!(names_whole_title(&title, &p("system ")), None);
        assert_eq!(
            names_whole_title(&title, &p("system design kubernetes ")),
            None
        );
        let k8s = title_words("Kubernetes");
        assert_eq!(names_whole_title(&k8s, &p("kube")), Some(2));
        assert_eq!(names_whole_title(&k8s, &p("k8s ")), Some(0));
        // Stop words do not count; a part of a compound does not name it.
        assert_eq!(
            names_whole_title(&title_words("What is HTTP?"), &p("what is http ")),
            Some(0)
        );
        assert_eq!(names_whole_title(&title_words("Node.js"), &p("js ")), None);
        assert_eq!(
            names_whole_title(&title_words("Node.js"), &p("nodejs ")),
            Some(0)
        );
    }

    #[test]
    fn the_words_of_a_split_or_joined_word_name_a_title_only_together() {
        // `typescript` is also read as `type script`: "Type Script" is named, but
        // `type` alone does not make "Generic Types" the title of `typescript generics`.
        assert_eq!(
            names_whole_title(&title_words("Type Script"), &p("typescript ")),
            Some(0)
        );
        assert_eq!(
            names_whole_title(&title_words("Generic Types"), &p("typescript generic ")),
            None
        );
        assert_eq!(
            names_whole_title(&title_words("Generic Types"), &p("generic types ")),
            Some(0)
        );
        // Two words written apart: both, not one of them.
        assert_eq!(
            names_whole_title(&title_words("Dev Ops"), &p("dev ops ")),
            Some(0)
        );
        assert_eq!(names_whole_title(&title_words("Ops"), &p("dev ops ")), None);
    }

    /// Titles and queries that name them, name them in another order, by completion,
    /// by stem, through a compound, and not at all.
    const TITLES: &[&str] = &[
        "System Design",
        "Design Systems",
        "Kubernetes",
        "Kubernetes Basics",
        "Node.js",
        "What is HTTP?",
        "HTTP",
        "Designing Node.js systems",
        "API Design",
        "APIs",
        "Data Structures and Algorithms",
        "Docker vs Kubernetes",
        "Type Script",
        "Generic Types",
        "Dev Ops",
        "Ops",
    ];
    const QUERIES: &[&str] = &[
        "system design ",
        "design system",
        "systems",
        "kube",
        "kubernetes bas",
        "k8s ",
        "node.js ",
        "nodejs",
        "js ",
        "what is http ",
        "http",
        "design",
        "a",
        "ap",
        "api design ",
        "apis ",
        "algorithms data structures",
        "docker kubernetes ",
        "typescript ",
        "typescript generic ",
        "dev ops ",
        "node systems design",
    ];

    /// The signature check before [`names_whole_title`] never hides a named title:
    /// whenever a title is named, every unit meets its words' signature; and it does
    /// turn away titles that a unit has no word of.
    #[test]
    fn the_title_signature_never_hides_a_named_title() {
        let (mut named, mut refused) = (0, 0);
        for t in TITLES {
            let words = title_words(t);
            let bits = WordBits::of_title(&words);
            for q in QUERIES {
                let plan = p(q);
                let meets = unit_words(&plan).iter().all(|u| u.bits.meets(&bits));
                refused += usize::from(!meets);
                if names_whole_title(&words, &plan).is_some() {
                    named += 1;
                    assert!(
                        meets,
                        "{q:?} names {t:?} but the signature check refused it"
                    );
                }
            }
        }
        assert!(named >= 8, "the cases name titles: {named}");
        assert!(refused >= 20, "the check turns titles away: {refused}");
        let kubernetes = WordBits::of(["kubernetes"]);
        let words = WordBits::of(["system", "design", "http", "node"]);
        assert!(kubernetes.meets(&WordBits::of(["docker", "kubernetes"])));
        assert!(!WordBits::default().meets(&words));
    }

    /// The columns name the titles a document's words name, whatever the number of
    /// titles, and nothing for a document without titles or a deleted one.
    #[test]
    fn the_title_columns_name_what_the_titles_name() {
        let titles: Vec<Vec<Vec<TitleWord>>> = (0..TITLES.len())
            .map(|i| {
                (0..=i % 3)
                    .map(|k| title_words(TITLES[(i + 5 * k) % TITLES.len()]))
                    .collect()
            })
            .chain([Vec::new()])
            .collect();
        let docs: Vec<Option<DocTitles>> = titles
            .iter()
            .map(|t| {
                Some((
                    WordBits::of_title(t.iter().flatten()),
                    PackedTitles::of(t.iter().map(Vec::as_slice)),
                ))
            })
            .chain([None])
            .collect();
        let columns = TitleColumns::of(docs.iter().cloned());
        let (mut named, mut refused) = (0, 0);
        for q in QUERIES {
            let plan = p(q);
            let units = unit_words(&plan);
            for (doc, t) in titles.iter().enumerate() {
                let plainly = t
                    .iter()
                    .filter_map(|t| names_whole_title_plainly(t, &plan))
                    .min();
                assert_eq!(
                    columns.names(doc, &plan.units, &units),
                    plainly,
                    "{q:?} {t:?}"
                );
                named += usize::from(plainly.is_some());
                refused += usize::from(!units.iter().all(|u| columns.meets(doc, u)));
            }
            assert_eq!(columns.names(titles.len(), &plan.units, &units), None);
            assert_eq!(columns.names(docs.len(), &plan.units, &units), None);
            // All at once, in another order, with a document twice and one unknown.
            let mut all: Vec<u32> = (0..=docs.len() as u32).rev().collect();
            all.push(0);
            let one_by_one: Vec<Option<u8>> = all
                .iter()
                .map(|&d| columns.names(d as usize, &plan.units, &units))
                .collect();
            let located: Vec<Option<(&TitleColumns, usize)>> =
                all.iter().map(|&d| Some((&columns, d as usize))).collect();
            assert_eq!(names_of(&located, &plan.units, &units), one_by_one);
        }
        assert!(named >= 8, "the cases name titles: {named}");
        assert!(
            refused >= 20,
            "the signatures turn documents away: {refused}"
        );
    }

    /// Packing keeps every title's words, forms, stems and signatures.
    #[test]
    fn packed_titles_read_back_as_they_were_made() {
        let titles: Vec<Vec<TitleWord>> = TITLES
            .iter()
            .map(|t| title_words(t))
            .chain([Vec::new()])
            .collect();
        let packed = PackedTitles::of(titles.iter().map(Vec::as_slice));
        type Words = Vec<Vec<(Vec<String>, Vec<String>, WordSig)>>;
        let read: Words = packed
            .titles()
            .map(|t| {
                assert_eq!(t.sigs().count(), t.words().count());
                t.words()
                    .map(|w| {
                        (
                            w.forms().map(String::from).collect(),
                            w.stems().map(String::from).collect(),
                            w.sig,
                        )
                    })
                    .collect()
            })
            .collect();
        let made: Words = titles
            .iter()
            .map(|t| {
                t.iter()
                    .map(|w| {
                        (
                            w.forms.iter().map(|f| f.to_string()).collect(),
                            w.stems.iter().map(|s| s.to_string()).collect(),
                            w.sig,
                        )
                    })
                    .collect()
            })
            .collect();
        assert_eq!(read, made);
        assert_eq!(PackedTitles::default().titles().count(), 0);
    }

    /// [`title_named`] as it reads, with no signature or filter before the
    /// look-ups and a second pass for the units: what the fast one must agree with.
    fn names_whole_title_plainly(title: &[TitleWord], plan: &Plan) -> Option<u8> {
        // A word of a phrase of several only, not a single word of the unit.
        let part_only = |unit: &Unit, stem: &str| {
            !unit.stems.iter().any(|t| t.word == stem)
                && unit.phrases.iter().any(|p| {
                    p.words.len() > 1
                        && p.words
                            .iter()
                            .any(|w| crate::search::analyzer::stem(w) == stem)
                })
        };
        let matches = |unit: &Unit, word: &TitleWord| -> Option<Via> {
            if word
                .stems
                .iter()
                .any(|s| unit.stem_set.contains(&s[..]) && !part_only(unit, s))
            {
                return Some(Via::Whole);
            }
            let by_form = word
                .forms
                .iter()
                .filter(|f| unit.raw.contains(&f[..]))
                .map(|f| match unit.term(f) {
                    Some(t) if t.exactness >= Exactness::Prefix => Via::Completion,
                    Some(_) => Via::Whole,
                    None => Via::Part,
                })
                .min();
            let by_part = word.stems.iter().any(|s| unit.stem_set.contains(&s[..]));
            by_form.or(by_part.then_some(Via::Part))
        };
        if title.is_empty() {
            return None;
        }
        let (mut completed, mut in_order, mut previous) = (false, true, 0);
        for w in title {
            let (unit, via) = plan
                .units
                .iter()
                .enumerate()
                .filter_map(|(i, u)| matches(u, w).map(|c| (i, c)))
                .min_by_key(|&(i, c)| (c, i))?;
            completed |= via == Via::Completion;
            in_order &= unit >= previous;
            previous = unit;
        }
        // Every unit matches a word, or as many words as its shortest phrase has as
        // parts of phrases.
        let all_units = plan.units.iter().all(|u| {
            let vias: Vec<Via> = title.iter().filter_map(|w| matches(u, w)).collect();
            let shortest = u
                .phrases
                .iter()
                .map(|p| p.words.len())
                .min()
                .unwrap_or(usize::MAX);
            vias.iter().any(|&v| v != Via::Part)
                || vias.iter().filter(|&&v| v == Via::Part).count() >= shortest
        });
        all_units.then_some(if completed { 2 } else { u8::from(!in_order) })
    }

    /// The word signatures, the units' filters and the one-pass unit check change
    /// no answer of [`names_whole_title`]: on titles and queries that name, name in
    /// another order, name by completion, by stem, through a compound and not at all.
    #[test]
    fn word_filters_change_no_title_named() {
        let mut named = [0usize; 3];
        for t in TITLES {
            let words = title_words(t);
            for q in QUERIES {
                let plan = p(q);
                let fast = names_whole_title(&words, &plan);
                assert_eq!(
                    fast,
                    names_whole_title_plainly(&words, &plan),
                    "{q:?} on {t:?}"
                );
                if let Some(n) = fast {
                    named[usize::from(n)] += 1;
                }
            }
        }
        assert!(
            named.iter().all(|&n| n > 0),
            "every way of naming is tried: {named:?}"
        );
    }
}
