//! Turns a [`Catalog`] into search documents: what is indexed per kind, and the
//! metadata a hit needs (kept in memory, so a hit costs no doc-store read).

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use serde::Serialize;

use super::suggest::SuggestWords;
use crate::content::markdown;
use crate::content::{Catalog, Guide, QuestionGroup, Roadmap, RoadmapKind, Topic, Video};

/// What a resource (and so a search hit) is: the one kind enum of the API.
/// Question groups are resources but not search documents (their questions are), so a
/// `questionGroup` filter matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    Roadmap,
    Topic,
    Faq,
    Guide,
    Video,
    BestPractice,
    Question,
    QuestionGroup,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Roadmap,
        Kind::Topic,
        Kind::Faq,
        Kind::Guide,
        Kind::Video,
        Kind::BestPractice,
        Kind::Question,
        Kind::QuestionGroup,
    ];

    /// A roadmap or best practice: what a query names by its title, and what other
    /// documents stand in (the standing rule, breadcrumbs).
    pub fn is_head(self) -> bool {
        matches!(self, Kind::Roadmap | Kind::BestPractice)
    }

    /// What people read for this kind (facet labels).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Roadmap => "Roadmap",
            Kind::Topic => "Topic",
            Kind::Faq => "FAQ",
            Kind::Guide => "Guide",
            Kind::Video => "Video",
            Kind::BestPractice => "Best practice",
            Kind::Question => "Question",
            Kind::QuestionGroup => "Question group",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Roadmap => "roadmap",
            Kind::Topic => "topic",
            Kind::Faq => "faq",
            Kind::Guide => "guide",
            Kind::Video => "video",
            Kind::BestPractice => "bestPractice",
            Kind::Question => "question",
            Kind::QuestionGroup => "questionGroup",
        }
    }

    /// Accepts the wire name and the kebab-case spelling of URLs (`best-practice`).
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        Kind::ALL.into_iter().find(|k| {
            k.as_str().to_ascii_lowercase() == s
                || format!("{}s", k.as_str().to_ascii_lowercase()) == s
        })
    }

    /// A small prior: with equal text scores, a whole roadmap is a better answer than
    /// a FAQ entry that mentions it, and a topic than a video.
    pub fn weight(self) -> f32 {
        match self {
            Kind::Roadmap => 1.2,
            Kind::BestPractice => 1.1,
            Kind::Topic => 1.0,
            Kind::Guide | Kind::Faq => 0.9,
            Kind::Question | Kind::QuestionGroup => 0.85,
            Kind::Video => 0.8,
        }
    }
}

/// The roadmap (or best practice) a hit belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoadmapRef {
    #[schema(example = "backend")]
    pub id: String,
    #[schema(example = "Backend Developer")]
    pub title: String,
}

/// Everything about one indexed document that a hit, a suggestion or a snippet needs.
#[derive(Debug, Clone, PartialEq)]
pub struct DocMeta {
    pub key: u64,
    pub kind: Kind,
    // Shared with every hit of the document: a page of hits cloned these strings
    // (eight allocations a hit) for a fortieth of a query's time.
    pub id: Arc<str>,
    pub title: Arc<str>,
    /// Titles from the roadmap down to the document itself.
    pub breadcrumbs: Arc<[String]>,
    pub roadmap: Option<Arc<RoadmapRef>>,
    /// API path of the resource.
    pub path: Arc<str>,
    /// Plain text the snippet is cut from.
    pub text: Arc<str>,
    /// Roadmap and group titles: indexed with a low weight.
    pub context: String,
    /// SEO keywords and tags: indexed with a low weight.
    pub keywords: String,
    /// Hash of the source object the document was made from (the whole topic, guide,
    /// ...): changes exactly when what the API returns for it changes, so it drives
    /// the change feed and the resource's `ETag`.
    pub source: [u8; 32],
    /// Other names the document goes by, indexed and ranked as titles: a roadmap's
    /// brief title and id, a topic's file heading where it differs from its label.
    pub alt_titles: Vec<String>,
    /// The meaningful words of the title and of each alternative title: computed once
    /// here, read by the ranking of every query that matches the document.
    pub titles: PackedTitles,
    /// Every form and stem of [`Self::titles`]' words, as a signature: a query can
    /// name a title only if each of its units meets it (see [`WordBits`]).
    pub title_bits: WordBits,
    /// What completions match the title by, computed once when the document is made,
    /// so that publishing an index after a one-file edit does not tokenize all 7,600
    /// titles again.
    pub suggest: SuggestWords,
    /// [`DocMeta::content_hash`], computed once when the document is made: every
    /// reload compares it for every document.
    pub content: [u8; 32],
}

/// A hash as an indexed u64: its first eight bytes, kept clear of `u64::MAX`, which
/// Tantivy treats specially in some fast-field columns.
fn index_u64(hash: &blake3::Hash) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first) >> 1
}

impl DocMeta {
    /// Identity of a document across rebuilds: an update finds the version of a
    /// document it replaces by this key.
    pub fn key_for(kind: Kind, scope: &str, id: &str) -> u64 {
        let mut h = blake3::Hasher::new();
        h.update(kind.as_str().as_bytes());
        h.update(&[0]);
        h.update(scope.as_bytes());
        h.update(&[0]);
        h.update(id.as_bytes());
        index_u64(&h.finalize())
    }

    /// The id of this indexed version of the document: its key and the hash of what
    /// is indexed. Deletes go by it, not by the key, because a segment added to the
    /// index writer sees the deletes queued before it (`IndexWriter::add_segment`):
    /// deleting the old version of an edited document by key would delete the new
    /// one too.
    pub fn version_id(&self) -> u64 {
        let mut h = blake3::Hasher::new();
        h.update(&self.key.to_le_bytes());
        h.update(&self.content);
        index_u64(&h.finalize())
    }

    /// Hash of everything indexed, so a reload re-indexes only documents that changed.
    fn content_hash(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        for part in std::iter::once(self.kind.as_str())
            .chain(self.alt_titles.iter().map(String::as_str))
            .chain([
                &*self.title,
                &self.text,
                &self.context,
                &self.keywords,
                &self.path,
            ])
        {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        *h.finalize().as_bytes()
    }
}

fn plain_text(md: &str) -> String {
    markdown::plain_text(md)
}

/// Hash of a value's serialized form, streamed into the hasher (a compact binary
/// encoding, not JSON: no escaping, no buffer the size of a topic).
fn hash_of<T: Serialize + ?Sized>(value: &T) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    // Writing to a hasher cannot fail; an encoding error leaves a partial hash, as
    // stable as the value.
    let _ = postcard::to_io(value, &mut hasher);
    *hasher.finalize().as_bytes()
}

fn roadmap_kind(r: &Roadmap) -> Kind {
    match r.kind {
        RoadmapKind::Roadmap => Kind::Roadmap,
        RoadmapKind::BestPractice => Kind::BestPractice,
    }
}

fn roadmap_base(r: &Roadmap) -> &'static str {
    match r.kind {
        RoadmapKind::Roadmap => "/v1/roadmaps",
        RoadmapKind::BestPractice => "/v1/best-practices",
    }
}

/// A roadmap's documents. `previous` is the last version of the same roadmap and its
/// documents: a topic whose document would come out the same (the topic, its
/// neighbours and its place under the same parents unchanged) keeps it, so an edit of
/// one topic serializes, hashes and tokenizes one document, not the roadmap's 150.
fn roadmap_docs(r: &Roadmap, previous: Option<&Previous>, out: &mut Vec<Made>) {
    let base = roadmap_base(r);
    let rref = Arc::new(RoadmapRef {
        id: r.id.clone(),
        title: r.title.clone(),
    });
    let kind = roadmap_kind(r);
    let mut text = vec![r.description.clone()];
    if let Some(b) = &r.brief_description {
        text.push(b.clone());
    }
    if let Some(q) = &r.question {
        text.push(plain_text(&q.description));
    }
    let mut keywords: Vec<String> = r.tags.clone();
    if let Some(seo) = &r.seo {
        keywords.extend(seo.keywords.iter().cloned());
        if let Some(d) = &seo.description {
            keywords.push(d.clone());
        }
    }
    let page = (
        (
            &r.title,
            &r.description,
            &r.brief_title,
            &r.brief_description,
        ),
        (&r.order, &r.tags, &r.seo, &r.question, &r.faqs),
        (&r.related, &r.related_questions, &r.extra, r.topics.len()),
        (r.is_new, r.is_upcoming, r.has_topics),
    );
    out.push(Made::New(DocMeta {
        alt_titles: roadmap_alt_titles(r),
        content: [0; 32],
        suggest: SuggestWords::default(),
        titles: PackedTitles::default(),
        title_bits: WordBits::default(),
        source: hash_of(&page),
        key: DocMeta::key_for(kind, "", &r.id),
        kind,
        id: r.id.as_str().into(),
        title: r.title.as_str().into(),
        breadcrumbs: Arc::new([r.title.clone()]),
        roadmap: Some(Arc::clone(&rref)),
        path: format!("{base}/{}", r.id).into(),
        text: text.join("\n\n").into(),
        context: String::new(),
        keywords: keywords.join("\n"),
    }));

    for topic in &r.topics {
        let mut chain = Vec::new();
        let mut cur = topic.parent;
        while let Some(p) = cur {
            // Guard against a malformed tree: a cycle would loop forever.
            if chain.len() > r.topics.len() {
                break;
            }
            match r.topics.get(p) {
                Some(t) => {
                    chain.push(t.title.clone());
                    cur = t.parent;
                }
                None => break,
            }
        }
        chain.reverse();
        let mut breadcrumbs = vec![r.title.clone()];
        breadcrumbs.extend(chain.iter().cloned());
        breadcrumbs.push(topic.title.clone());
        let mut context = vec![r.title.clone()];
        if let Some(b) = &r.brief_title {
            context.push(b.clone());
        }
        context.extend(chain);
        let context = context.join("\n");
        let key = DocMeta::key_for(Kind::Topic, &r.id, &topic.id);
        let path = format!("{base}/{}/topics/{}", r.id, topic.id);
        if let Some(kept) = previous
            .and_then(|p| p.topic_doc(r, topic, key, &path))
            .filter(|d| {
                *d.breadcrumbs == *breadcrumbs
                    && d.context == context
                    && d.roadmap.as_ref() == Some(&rref)
            })
        {
            out.push(Made::Kept(kept));
            continue;
        }
        let resources: Vec<&str> = topic.resources.iter().map(|x| x.title.as_str()).collect();
        out.push(Made::New(DocMeta {
            // The file's own heading, where it differs from the label people see.
            alt_titles: topic.heading.iter().cloned().collect(),
            content: [0; 32],
            suggest: SuggestWords::default(),
            titles: PackedTitles::default(),
            title_bits: WordBits::default(),
            // Place in the tree (parent, previous/next) is part of what the API shows.
            source: hash_of(&(topic, topic_neighbours(r, topic))),
            key,
            kind: Kind::Topic,
            id: topic.id.as_str().into(),
            title: topic.title.as_str().into(),
            breadcrumbs: breadcrumbs.into(),
            roadmap: Some(Arc::clone(&rref)),
            path: path.into(),
            text: Arc::clone(&topic.plain),
            context,
            keywords: resources.join("\n"),
        }));
    }

    let mut faqs: Vec<(String, String)> = Vec::new();
    if let Some(q) = &r.question {
        faqs.push((q.title.clone(), plain_text(&q.description)));
    }
    for f in &r.faqs {
        let answer: Vec<String> = f.answer.iter().map(|a| plain_text(a)).collect();
        faqs.push((f.question.clone(), answer.join("\n\n")));
    }
    for (n, (question, answer)) in faqs.into_iter().enumerate() {
        let id = format!("{}#faq-{}", r.id, n + 1);
        out.push(Made::New(DocMeta {
            alt_titles: Vec::new(),
            content: [0; 32],
            suggest: SuggestWords::default(),
            titles: PackedTitles::default(),
            title_bits: WordBits::default(),
            source: hash_of(&(&question, &answer)),
            key: DocMeta::key_for(Kind::Faq, &r.id, &id),
            kind: Kind::Faq,
            id: id.into(),
            breadcrumbs: Arc::new([r.title.clone(), question.clone()]),
            title: question.into(),
            roadmap: Some(Arc::clone(&rref)),
            path: format!("{base}/{}/faqs", r.id).into(),
            text: answer.into(),
            context: r.title.clone(),
            keywords: String::new(),
        }));
    }
}

/// A document made now, or kept from the resource's last version. Held only while a
/// resource's documents are made: not boxed, which would cost an allocation per
/// document made.
#[allow(clippy::large_enum_variant)]
enum Made {
    New(DocMeta),
    Kept(Arc<DocMeta>),
}

/// The last version of a roadmap whose resource changed, and its documents.
struct Previous {
    roadmap: Arc<Roadmap>,
    docs: Arc<[Arc<DocMeta>]>,
}

impl Previous {
    /// The last document of `topic` when everything it was made from but its
    /// parents' titles is unchanged (the caller compares what those give).
    fn topic_doc(&self, r: &Roadmap, topic: &Topic, key: u64, path: &str) -> Option<Arc<DocMeta>> {
        let old = &self.roadmap;
        let at = *old.topic_index.get(&topic.id)?;
        let old_topic = old.topics.get(at)?;
        // The roadmap's own document comes first, then one per topic in order.
        let doc = self.docs.get(at + 1)?;
        // The text is the new topic's own (the loader's memo shares it between
        // derivations of an unchanged file): a document of restored content, checked
        // against its files after a start, would otherwise keep the restored copy
        // alive beside the one the catalog serves, every topic's text twice. (A topic
        // without text gets a new empty one each time: nothing to hold twice.)
        let same_text =
            Arc::ptr_eq(&doc.text, &topic.plain) || (doc.text.is_empty() && topic.plain.is_empty());
        (same_text
            && doc.key == key
            && *doc.path == *path
            && old_topic == topic
            && topic_neighbours(old, old_topic) == topic_neighbours(r, topic))
        .then(|| Arc::clone(doc))
    }
}

/// A roadmap's other names: its brief title (`Kubernetes` for "Kubernetes Roadmap")
/// and its id read as words (`cpp`, `git github`), where they differ from the title.
fn roadmap_alt_titles(r: &Roadmap) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let id_words = r.id.replace(['-', '_'], " ");
    for name in r.brief_title.iter().chain(std::iter::once(&id_words)) {
        let norm = super::analyzer::query_words(name).join(" ");
        let known = std::iter::once(&r.title)
            .chain(out.iter())
            .any(|t| super::analyzer::query_words(t).join(" ") == norm);
        if !norm.is_empty() && !known {
            out.push(name.clone());
        }
    }
    out
}

/// One meaningful word of a title: the forms the index holds for the whole word
/// (as written, and joined: `node.js`, `nodejs`) with their stems. The parts of a
/// compound (`node`, `js`) are left out: a part alone does not name the word (`js`
/// is not the whole title "Node.js"). Made when a document is made, and kept packed
/// ([`PackedTitles`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleWord {
    pub forms: Box<[Box<str>]>,
    pub stems: Box<[Box<str>]>,
    /// The [`WordFilter`] bits of the forms and stems.
    pub sig: WordSig,
}

impl TitleWord {
    pub fn new(forms: Box<[Box<str>]>, stems: Box<[Box<str>]>) -> TitleWord {
        let sig = WordSig::of(forms.iter().chain(stems.iter()).map(|s| &s[..]));
        TitleWord { forms, stems, sig }
    }
}

/// A document's titles' [`TitleWord`]s packed into two shared buffers: numbers and
/// text. Ranking reads the titles of hundreds of documents per query, each a
/// different document; as vectors of words of boxed strings every title was a chain
/// of a dozen dependent cache misses (the largest cost that grew with the corpus),
/// packed it is two loads side by side, and the engine's column holds the buffers
/// so that the document itself is not read either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedTitles {
    /// Title after title: its word count and the count of numbers its words take,
    /// each word's signature ([`WordSig::to_nums`]), then each word's form count,
    /// stem count and the start and end in `text` of each form, then of each stem.
    nums: Arc<[u32]>,
    text: Arc<str>,
}

impl Default for PackedTitles {
    fn default() -> Self {
        PackedTitles {
            nums: Arc::from(Vec::new()),
            text: Arc::from(""),
        }
    }
}

impl PackedTitles {
    /// Packs the words of each title, in order (a title without words stays one).
    pub fn of<'a>(titles: impl IntoIterator<Item = &'a [TitleWord]>) -> PackedTitles {
        let mut nums: Vec<u32> = Vec::new();
        let mut text = String::new();
        // Offsets are u32: a title beyond 4 GiB cannot be (content files are capped).
        let put = |text: &mut String, nums: &mut Vec<u32>, s: &str| {
            nums.push(text.len() as u32);
            text.push_str(s);
            nums.push(text.len() as u32);
        };
        for title in titles {
            nums.push(title.len() as u32);
            let size_at = nums.len();
            nums.push(0);
            for w in title {
                nums.extend(w.sig.to_nums());
            }
            let words_at = nums.len();
            for w in title {
                nums.push(w.forms.len() as u32);
                nums.push(w.stems.len() as u32);
                for f in w.forms.iter().chain(w.stems.iter()) {
                    put(&mut text, &mut nums, f);
                }
            }
            nums[size_at] = (nums.len() - words_at) as u32;
        }
        PackedTitles {
            nums: nums.into(),
            text: text.into(),
        }
    }

    /// How many numbers the titles take (not reading them).
    pub fn len(&self) -> usize {
        self.nums.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nums.is_empty()
    }

    /// The first number and the first byte of text: what reading the titles
    /// reads first, read ahead of them.
    pub fn read(&self) -> u32 {
        self.nums.first().copied().unwrap_or(0)
            ^ u32::from(self.text.as_bytes().first().copied().unwrap_or(0))
    }

    pub fn titles(&self) -> impl Iterator<Item = PackedTitle<'_>> {
        let (nums, text) = (&self.nums[..], &self.text[..]);
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let words = *nums.get(at)? as usize;
            let size = *nums.get(at + 1)? as usize;
            let sigs_at = at + 2;
            let words_at = sigs_at.checked_add(words.checked_mul(2)?)?;
            let end = words_at.checked_add(size)?;
            let title = PackedTitle {
                sigs: nums.get(sigs_at..words_at)?,
                words: nums.get(words_at..end)?,
                text,
            };
            at = end;
            Some(title)
        })
    }
}

/// One title of [`PackedTitles`].
#[derive(Clone, Copy)]
pub struct PackedTitle<'a> {
    sigs: &'a [u32],
    words: &'a [u32],
    text: &'a str,
}

impl<'a> PackedTitle<'a> {
    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// Each word's signature, without reading the words.
    pub fn sigs(&self) -> impl Iterator<Item = WordSig> + 'a {
        self.sigs
            .chunks_exact(2)
            .map(|n| WordSig::from_nums([n[0], n[1]]))
    }

    pub fn words(&self) -> impl Iterator<Item = PackedWord<'a>> + 'a {
        let (words, text) = (self.words, self.text);
        let mut sigs = self.sigs();
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let sig = sigs.next()?;
            let forms = *words.get(at)? as usize;
            let stems = *words.get(at + 1)? as usize;
            let forms_at = at + 2;
            let stems_at = forms_at + 2 * forms;
            let end = stems_at + 2 * stems;
            let word = PackedWord {
                sig,
                forms: words.get(forms_at..stems_at)?,
                stems: words.get(stems_at..end)?,
                text,
            };
            at = end;
            Some(word)
        })
    }
}

/// One word of a [`PackedTitle`]: a [`TitleWord`] read in place.
pub struct PackedWord<'a> {
    pub sig: WordSig,
    forms: &'a [u32],
    stems: &'a [u32],
    text: &'a str,
}

impl<'a> PackedWord<'a> {
    fn strs(text: &'a str, ranges: &'a [u32]) -> impl Iterator<Item = &'a str> + 'a {
        ranges
            .chunks_exact(2)
            .filter_map(move |r| text.get(r[0] as usize..r[1] as usize))
    }

    pub fn forms(&self) -> impl Iterator<Item = &'a str> + 'a {
        PackedWord::strs(self.text, self.forms)
    }

    pub fn stems(&self) -> impl Iterator<Item = &'a str> + 'a {
        PackedWord::strs(self.text, self.stems)
    }
}

/// Which bits of a [`WordFilter`] one title word's forms and stems set, kept with the
/// word: a word none of whose bits a unit's filter has cannot be matched by that
/// unit, which a few bit tests tell. Ranking a large bucket (a one-letter prefix at
/// three times roadmap.sh's size names thousands of titles) otherwise hashed every
/// word of every title against every unit. Seven bytes: there are tens of thousands
/// of title words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordSig {
    bits: [u16; WordSig::MAX],
    /// How many of `bits` hold; [`WordSig::UNKNOWN`] for a word of more distinct
    /// bits than fit, which then always may meet.
    len: u8,
}

impl WordSig {
    const MAX: usize = 3;
    const UNKNOWN: u8 = u8::MAX;

    fn of<'a>(words: impl Iterator<Item = &'a str>) -> WordSig {
        let mut sig = WordSig {
            bits: [0; WordSig::MAX],
            len: 0,
        };
        for w in words {
            let bit = WordFilter::bit(w);
            if sig.bits[..usize::from(sig.len)].contains(&bit) {
                continue;
            }
            if usize::from(sig.len) == WordSig::MAX {
                sig.len = WordSig::UNKNOWN;
                break;
            }
            sig.bits[usize::from(sig.len)] = bit;
            sig.len += 1;
        }
        sig
    }

    /// The signature as two numbers, for [`PackedTitles`].
    pub fn to_nums(self) -> [u32; 2] {
        [
            u32::from(self.bits[0]) | u32::from(self.bits[1]) << 16,
            u32::from(self.bits[2]) | u32::from(self.len) << 16,
        ]
    }

    fn from_nums(n: [u32; 2]) -> WordSig {
        WordSig {
            bits: [n[0] as u16, (n[0] >> 16) as u16, n[1] as u16],
            len: (n[1] >> 16) as u8,
        }
    }

    /// Whether `filter` may hold one of the word's forms or stems (surely not when
    /// `false`).
    pub fn may_meet(&self, filter: &WordFilter) -> bool {
        if self.len == WordSig::UNKNOWN {
            return true;
        }
        self.bits[..usize::from(self.len)]
            .iter()
            .any(|&b| filter.has(b))
    }
}

/// A set of words as [`WordFilter::BITS`] bits, one per word chosen by its hash: the
/// words of one query unit, which every title word's [`WordSig`] is tested against.
/// Large enough that a unit of a hundred words (a short prefix's completions) lets
/// through about one unrelated word in a hundred; 2 KiB per unit, per query.
pub struct WordFilter(Box<[u64]>);

impl WordFilter {
    const LOG2_BITS: u32 = 14;
    const BITS: usize = 1 << WordFilter::LOG2_BITS;

    pub fn of<'a>(words: impl IntoIterator<Item = &'a str>) -> WordFilter {
        let mut bits = vec![0u64; WordFilter::BITS / 64].into_boxed_slice();
        for w in words {
            let bit = usize::from(WordFilter::bit(w));
            bits[bit / 64] |= 1 << (bit % 64);
        }
        WordFilter(bits)
    }

    /// The bit a word sets.
    fn bit(word: &str) -> u16 {
        // The hash's top bits: FxHash mixes its high bits best.
        (rustc_hash::FxBuildHasher.hash_one(word) >> (64 - WordFilter::LOG2_BITS)) as u16
    }

    fn has(&self, bit: u16) -> bool {
        let bit = usize::from(bit);
        self.0
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }
}

/// A set of words as 256 bits, each word setting one chosen by its hash: two sets
/// that share a word share that bit. Ranking asks, for every candidate of a large
/// bucket, whether the query names one of its titles (each title word against each
/// unit's words and stems, a hash look-up each); a unit whose signature does not
/// meet the title words' cannot match any of them, which one AND per unit tells.
/// A shared bit proves nothing: the full check follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordBits([u64; 4]);

impl WordBits {
    pub fn of<'a>(words: impl IntoIterator<Item = &'a str>) -> WordBits {
        let mut bits = WordBits::default();
        for w in words {
            // The hash's top byte: FxHash mixes its high bits best.
            let bit = (rustc_hash::FxBuildHasher.hash_one(w) >> 56) as usize;
            bits.0[bit / 64] |= 1 << (bit % 64);
        }
        bits
    }

    /// The forms and stems of title words.
    pub fn of_title<'a>(words: impl IntoIterator<Item = &'a TitleWord>) -> WordBits {
        WordBits::of(
            words
                .into_iter()
                .flat_map(|w| w.forms.iter().chain(w.stems.iter()))
                .map(|s| &s[..]),
        )
    }

    /// Whether the two sets may share a word (they surely do not when `false`).
    pub fn meets(&self, other: &WordBits) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

/// A title word being collected.
#[derive(Default)]
struct Collecting {
    stop: bool,
    forms: Vec<String>,
    stems: Vec<String>,
}

/// The meaningful words of a title (stop words dropped unless the title has nothing
/// else), each with its forms.
pub fn title_words(title: &str) -> Vec<TitleWord> {
    let mut words: Vec<Collecting> = Vec::new();
    let mut last_position = usize::MAX;
    let mut whole_span = (0, 0);
    for token in super::analyzer::raw_tokens(title, true) {
        let forms = super::analyzer::query_words(&token.text);
        if token.position != last_position {
            last_position = token.position;
            whole_span = (token.offset_from, token.offset_to);
            words.push(Collecting {
                stop: forms.len() == 1 && super::analyzer::is_stopword(&forms[0]),
                ..Collecting::default()
            });
        }
        // Tokens spanning the whole compound are its forms; narrower ones its parts.
        if (token.offset_from, token.offset_to) != whole_span {
            continue;
        }
        if let Some(w) = words.last_mut() {
            for f in forms {
                let s = super::analyzer::stem(&f);
                if !w.stems.contains(&s) {
                    w.stems.push(s);
                }
                if !w.forms.contains(&f) {
                    w.forms.push(f);
                }
            }
        }
    }
    words.retain(|w| !w.forms.is_empty());
    let only_stop_words = words.iter().all(|w| w.stop);
    let boxed = |v: Vec<String>| v.into_iter().map(String::into_boxed_str).collect();
    words
        .into_iter()
        .filter(|w| only_stop_words || !w.stop)
        .map(|w| TitleWord::new(boxed(w.forms), boxed(w.stems)))
        .collect()
}

/// Ids of a topic's parent and flat-order neighbours.
fn topic_neighbours<'a>(r: &'a Roadmap, topic: &crate::content::Topic) -> [Option<&'a str>; 3] {
    let at = r.topic_index.get(&topic.id).copied();
    let id = |i: Option<usize>| i.and_then(|i| r.topics.get(i)).map(|t| t.id.as_str());
    [
        id(topic.parent),
        id(at.and_then(|i| i.checked_sub(1))),
        id(at.map(|i| i + 1)),
    ]
}

/// Makes a resource's documents complete: title words and content hash, computed
/// once per document when it is made, not per reload or per query. A document made
/// again equal to its last version (`last`, by key) is that version: a roadmap's own document and
/// its FAQs are made again at every edit of one of its topics, and a new copy of an
/// unchanged document would count as replaced, so the search engine would rebuild
/// the tables of the segment holding it (the largest, after a start). The copy's
/// text must not be shared either (a topic's is the catalog's): keeping the last
/// version's would hold that text twice.
fn finish(docs: Vec<Made>, last: &KeyMap<Arc<DocMeta>>) -> Arc<[Arc<DocMeta>]> {
    docs.into_iter()
        .map(|d| match d {
            Made::New(mut d) => {
                let titles: Vec<Vec<TitleWord>> = std::iter::once(&*d.title)
                    .chain(d.alt_titles.iter().map(String::as_str))
                    .map(title_words)
                    .collect();
                d.title_bits = WordBits::of_title(titles.iter().flatten());
                d.titles = PackedTitles::of(titles.iter().map(Vec::as_slice));
                d.content = d.content_hash();
                d.suggest = SuggestWords::of(&d.title);
                match last.get(&d.key) {
                    Some(old)
                        if (Arc::ptr_eq(&old.text, &d.text) || Arc::strong_count(&d.text) == 1)
                            && **old == d =>
                    {
                        Arc::clone(old)
                    }
                    _ => Arc::new(d),
                }
            }
            Made::Kept(d) => d,
        })
        .collect()
}

/// Maps keyed by document key. The keys are blake3-derived, but content authors choose
/// the ids behind them, so the hasher stays seeded; foldhash rather than SipHash
/// because a publication walks 7,600 keys several times.
pub type KeyMap<V> = HashMap<u64, V, foldhash::fast::RandomState>;

/// A resource's cache entry: the resource held, and its documents.
type Entry = (Held, Arc<[Arc<DocMeta>]>);

/// A resource whose documents are cached; holding it keeps its address (the cache
/// key) from being reused while the entry lives.
#[derive(Debug)]
enum Held {
    Roadmap(Arc<Roadmap>),
    Guide(Arc<Guide>),
    Video(Arc<Video>),
    Group(Arc<QuestionGroup>),
}

/// How a catalog's search documents differ from the last call's.
pub struct Documents {
    /// How many documents the catalog has.
    pub count: usize,
    /// The documents of the resources made again (changed or new), in catalog order;
    /// some may be the same as before (a roadmap's unchanged topics).
    pub made: Vec<Arc<DocMeta>>,
    /// The last documents of the resources made again or gone.
    pub stale: Vec<Arc<DocMeta>>,
}

/// The search documents of each resource, kept while the resource is unchanged.
///
/// The loader shares unchanged resources between catalogs (the same `Arc`), so the
/// resource's address tells whether its documents must be made again: a reload
/// makes documents only for the resources its changed files belong to, instead of
/// serializing, hashing and tokenizing all 7,600 of them.
#[derive(Debug, Default)]
pub struct DocCache {
    entries: HashMap<usize, Entry>,
    /// The keys of `entries` in catalog order, for [`DocCache::all`].
    order: Vec<usize>,
}

impl DocCache {
    /// All search documents of a catalog, in a deterministic order. Documents of
    /// resources not seen before are made on every core (all of them at start-up).
    pub fn documents(&mut self, catalog: &Catalog) -> Vec<Arc<DocMeta>> {
        self.changes(catalog);
        self.all()
    }

    /// The documents of the last catalog given, in its order.
    pub fn all(&self) -> Vec<Arc<DocMeta>> {
        self.order
            .iter()
            .filter_map(|key| self.entries.get(key))
            .flat_map(|(_, docs)| docs.iter().cloned())
            .collect()
    }

    /// Brings the cache up to `catalog` and returns the documents of the resources
    /// made again and the last documents of those and of the resources gone since the
    /// last call; the whole list ([`DocCache::all`]) only where it is needed: a
    /// one-topic reload reads the changes alone, and listing the 23,000 documents of
    /// three times the roadmap.sh content (a reference count each) was wasted there.
    pub fn changes(&mut self, catalog: &Catalog) -> Documents {
        use rayon::prelude::*;
        let mut held: Vec<Held> = Vec::new();
        for r in catalog.roadmaps.iter().chain(catalog.best_practices.iter()) {
            held.push(Held::Roadmap(Arc::clone(r)));
        }
        held.extend(catalog.guides.iter().map(|g| Held::Guide(Arc::clone(g))));
        held.extend(catalog.videos.iter().map(|v| Held::Video(Arc::clone(v))));
        held.extend(
            catalog
                .question_groups
                .iter()
                .map(|g| Held::Group(Arc::clone(g))),
        );
        let known: Vec<Option<Arc<[Arc<DocMeta>]>>> = held
            .iter()
            .map(|h| self.entries.remove(&h.key()).map(|(_, docs)| docs))
            .collect();
        // What is left are the resources that changed or went; a changed roadmap's
        // last version is found by its own document's key (its kind and id).
        let stale: Vec<Arc<DocMeta>> = self
            .entries
            .values()
            .flat_map(|(_, docs)| docs.iter().cloned())
            .collect();
        let last: KeyMap<Arc<DocMeta>> = stale.iter().map(|d| (d.key, Arc::clone(d))).collect();
        let previous: HashMap<u64, Previous> = std::mem::take(&mut self.entries)
            .into_values()
            .filter_map(|(h, docs)| match h {
                Held::Roadmap(roadmap) => Some((docs.first()?.key, Previous { roadmap, docs })),
                _ => None,
            })
            .collect();
        let made: Vec<(bool, Arc<[Arc<DocMeta>]>)> = held
            .par_iter()
            .zip(known.into_par_iter())
            .map(|(h, docs)| match docs {
                Some(docs) => (false, docs),
                None => (true, finish(h.make(&previous), &last)),
            })
            .collect();
        let count = made.iter().map(|(_, d)| d.len()).sum();
        let mut new = Vec::new();
        let mut next: HashMap<usize, Entry> = HashMap::with_capacity(held.len());
        self.order.clear();
        for (h, (remade, docs)) in held.into_iter().zip(made) {
            if remade {
                new.extend(docs.iter().cloned());
            }
            self.order.push(h.key());
            next.insert(h.key(), (h, docs));
        }
        self.entries = next;
        Documents {
            count,
            made: new,
            stale,
        }
    }
}

impl Held {
    /// The cache key: the resource's address, which `Held` keeps from being reused.
    fn key(&self) -> usize {
        match self {
            Held::Roadmap(r) => Arc::as_ptr(r) as usize,
            Held::Guide(g) => Arc::as_ptr(g) as usize,
            Held::Video(v) => Arc::as_ptr(v) as usize,
            Held::Group(g) => Arc::as_ptr(g) as usize,
        }
    }

    fn make(&self, previous: &HashMap<u64, Previous>) -> Vec<Made> {
        match self {
            Held::Roadmap(r) => {
                let mut v = Vec::new();
                let key = DocMeta::key_for(roadmap_kind(r), "", &r.id);
                roadmap_docs(r, previous.get(&key), &mut v);
                v
            }
            Held::Guide(g) => vec![Made::New(guide_doc(g))],
            Held::Video(v) => vec![Made::New(video_doc(v))],
            Held::Group(g) => question_docs(g).into_iter().map(Made::New).collect(),
        }
    }
}

/// All search documents of a catalog, in a deterministic order (no reuse).
pub fn documents(catalog: &Catalog) -> Vec<Arc<DocMeta>> {
    DocCache::default().documents(catalog)
}

fn guide_doc(g: &Guide) -> DocMeta {
    let mut keywords = g.tags.clone();
    if let Some(a) = &g.author {
        keywords.push(a.clone());
    }
    DocMeta {
        alt_titles: Vec::new(),
        content: [0; 32],
        suggest: SuggestWords::default(),
        titles: PackedTitles::default(),
        title_bits: WordBits::default(),
        source: hash_of(g),
        key: DocMeta::key_for(Kind::Guide, "", &g.slug),
        kind: Kind::Guide,
        id: g.slug.as_str().into(),
        title: g.title.as_str().into(),
        breadcrumbs: Arc::new(["Guides".to_string(), g.title.clone()]),
        roadmap: None,
        path: format!("/v1/guides/{}", g.slug).into(),
        text: format!("{}\n\n{}", g.description, g.plain).into(),
        context: String::new(),
        keywords: keywords.join("\n"),
    }
}

fn video_doc(v: &Video) -> DocMeta {
    DocMeta {
        alt_titles: Vec::new(),
        content: [0; 32],
        suggest: SuggestWords::default(),
        titles: PackedTitles::default(),
        title_bits: WordBits::default(),
        source: hash_of(v),
        key: DocMeta::key_for(Kind::Video, "", &v.slug),
        kind: Kind::Video,
        id: v.slug.as_str().into(),
        title: v.title.as_str().into(),
        breadcrumbs: Arc::new(["Videos".to_string(), v.title.clone()]),
        roadmap: None,
        path: format!("/v1/videos/{}", v.slug).into(),
        text: format!("{}\n\n{}", v.description, v.plain).into(),
        context: String::new(),
        keywords: v.tags.join("\n"),
    }
}

fn question_docs(g: &QuestionGroup) -> Vec<DocMeta> {
    let mut out = Vec::new();
    for (n, q) in g.questions.iter().enumerate() {
        let id = format!("{}#{}", g.id, question_id(n));
        out.push(DocMeta {
            alt_titles: Vec::new(),
            content: [0; 32],
            suggest: SuggestWords::default(),
            titles: PackedTitles::default(),
            title_bits: WordBits::default(),
            source: hash_of(&(q, &g.title, &g.description)),
            key: DocMeta::key_for(Kind::Question, &g.id, &id),
            kind: Kind::Question,
            id: id.into(),
            title: q.question.as_str().into(),
            breadcrumbs: Arc::new([g.title.clone(), q.question.clone()]),
            roadmap: None,
            path: question_path(&g.id, n).into(),
            text: plain_text(&q.answer).into(),
            context: g.title.clone(),
            keywords: q.topics.join("\n"),
        });
    }
    out
}

/// The `questionId` of the `n`th question (from 0): `q-<n + 1>`, the part after `#` in
/// the question's `id`, so a search hit's id and its URL name the same question.
pub fn question_id(n: usize) -> String {
    format!("q-{}", n + 1)
}

/// The URL of the `n`th question (from 0) of group `group_id`; search hits point here.
pub fn question_path(group_id: &str, n: usize) -> String {
    format!(
        "/v1/question-groups/{group_id}/questions/{}",
        question_id(n)
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::content::{Limits, Loader};
    use std::path::Path;

    /// Copies the 2025-layout fixture to `to`.
    pub(crate) fn copy_fixture(to: &Path) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layout-2025");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// Replaces `from` by `to` in the file at `path` and brings the catalog up to date.
    pub(crate) fn edit(loader: &mut Loader, path: &Path, from: &str, to: &str) -> Catalog {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{from:?} in {}", path.display());
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
        loader.update(&[path.to_path_buf()]).unwrap().unwrap().0
    }

    fn topic_docs<'a>(docs: &'a [Arc<DocMeta>], roadmap: &str) -> Vec<&'a Arc<DocMeta>> {
        docs.iter()
            .filter(|d| d.kind == Kind::Topic)
            .filter(|d| d.roadmap.as_ref().is_some_and(|r| r.id == roadmap))
            .collect()
    }

    /// After edits, the cache's documents are those made from scratch, and a roadmap's
    /// unchanged topics keep their documents: an edited body remakes its topic's
    /// alone, a renamed parent the documents of its children too (their breadcrumbs).
    #[test]
    fn a_changed_roadmap_keeps_only_the_documents_that_come_out_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        copy_fixture(tmp.path());
        let mut loader = Loader::new(tmp.path(), Limits::default());
        let mut cache = DocCache::default();
        let catalog = loader.load_all().unwrap();
        let mut before = cache.documents(&catalog);
        assert_eq!(before, documents(&catalog));
        let dir = tmp.path().join("roadmaps/backend-lite");
        let edits = [
            (
                dir.join("content/caching@tCache00001.md"),
                "close to",
                "near",
            ),
            (
                dir.join("backend-lite.json"),
                "\"label\": \"Databases\"",
                "\"label\": \"Data stores\"",
            ),
        ];
        let mut remade = Vec::new();
        for (path, from, to) in &edits {
            let catalog = edit(&mut loader, path, from, to);
            let after = cache.documents(&catalog);
            assert_eq!(
                after,
                documents(&catalog),
                "cached documents are made afresh"
            );
            let (old, new) = (
                topic_docs(&before, "backend-lite"),
                topic_docs(&after, "backend-lite"),
            );
            assert_eq!(old.len(), new.len());
            let made: Vec<String> = new
                .iter()
                .zip(&old)
                .filter(|(n, o)| !Arc::ptr_eq(n, o))
                .map(|(n, _)| n.title.to_string())
                .collect();
            remade.push(made);
            before = after;
        }
        assert_eq!(remade[0], ["Caching"]);
        // The same files loaded anew (as after a start from saved content): the
        // documents must hold the new catalog's texts, not the old ones beside them.
        let catalog = Loader::new(tmp.path(), Limits::default())
            .load_all()
            .unwrap();
        let after = cache.documents(&catalog);
        assert_eq!(after, documents(&catalog));
        let roadmap = catalog
            .roadmaps
            .iter()
            .find(|r| r.id == "backend-lite")
            .unwrap();
        for topic in roadmap.topics.iter().filter(|t| !t.plain.is_empty()) {
            let doc = after
                .iter()
                .find(|d| d.key == DocMeta::key_for(Kind::Topic, &roadmap.id, &topic.id))
                .unwrap();
            assert!(Arc::ptr_eq(&doc.text, &topic.plain), "{}", topic.id);
        }
        let renamed = &remade[1];
        let has = |t: &str| renamed.iter().any(|r| r == t);
        assert!(has("Data stores") && has("Indexes"), "{renamed:?}");
        assert!(!has("Internet") && !has("Caching"), "{renamed:?}");
    }
}
