//! Full-text search over a [`Catalog`](crate::content::Catalog): the Tantivy schema,
//! index building (in RAM or on disk, incrementally) and the query side (typing,
//! typos, stems, synonyms, snippets, facets, suggestions, term look-up). Knows the
//! content model, not HTTP.
//!
//! Ranking, in order of precedence:
//! 1. every query word (or a synonym, stem, prefix completion or typo correction of
//!    it) must match; only when no document has them all do documents matching some
//!    of them count;
//! 2. BM25 over the fields, weighted title (exact > stem > prefix > typo) above
//!    context (roadmap, groups) above body;
//! 3. a bonus for titles covering every query word, a larger one for a title equal
//!    to the query;
//! 4. a small prior by kind (roadmap > best practice > topic > guide, FAQ > video).

pub mod analyzer;
pub mod documents;
pub mod index;
pub mod query;
pub mod snippet;
pub mod suggest;
pub mod synonyms;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

pub use documents::{DocMeta, Kind, RoadmapRef};
pub use index::{IndexLocation, IndexStats, Indexer, SearchIndex, set_cache_entries};
pub use snippet::Highlight;
pub use suggest::Suggestion;

use analyzer::{raw_tokens, stem};
use query::Plan;

/// Why an index could not be built, opened or queried.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("index could not be opened: {0}")]
    Open(String),
}

/// One resource in the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedResource {
    pub kind: Kind,
    #[schema(example = "kubernetes")]
    pub id: String,
    #[schema(example = "/v1/roadmaps/devops/topics/kubernetes")]
    pub path: String,
}

/// What differs between two published indexes, resource by resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub added: Vec<ChangedResource>,
    pub changed: Vec<ChangedResource>,
    pub removed: Vec<ChangedResource>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

fn changed_resource(m: &DocMeta) -> ChangedResource {
    ChangedResource {
        kind: m.kind,
        id: m.id.clone(),
        path: m.path.clone(),
    }
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub q: String,
    /// Only these kinds (all when empty).
    pub kinds: Vec<Kind>,
    /// Only these roadmaps or best practices (all when empty).
    pub roadmaps: Vec<String>,
    pub limit: usize,
    pub offset: usize,
    pub highlight: Highlight,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            kinds: Vec::new(),
            roadmaps: Vec::new(),
            limit: 10,
            offset: 0,
            highlight: Highlight::default(),
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    pub kind: Kind,
    /// Id of the resource within its kind (topic id within its roadmap).
    #[schema(example = "kubernetes")]
    pub id: String,
    #[schema(example = "Kubernetes")]
    pub title: String,
    /// Roadmap › group › title.
    #[schema(example = json!(["DevOps Engineer", "Containers", "Kubernetes"]))]
    pub breadcrumbs: Vec<String>,
    pub roadmap: Option<RoadmapRef>,
    /// API path of the resource.
    #[schema(example = "/v1/roadmaps/devops/topics/kubernetes")]
    pub path: String,
    /// Passage of the text with the matched words marked; HTML-escaped elsewhere.
    #[schema(
        example = "<mark>Kubernetes</mark> is an open-source container orchestration system…"
    )]
    pub snippet: String,
    pub score: f32,
    /// Whether the title contains every query word (or a synonym, stem, prefix
    /// completion or correction of it).
    pub title_match: bool,
}

/// A facet value and how many results have it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FacetCount {
    #[schema(example = "topic")]
    pub value: String,
    /// Display name (the roadmap title for a roadmap facet).
    #[schema(example = "Topic")]
    pub label: String,
    pub count: usize,
}

/// Counts over the whole result set. Each dimension ignores its own filter, so a
/// search box can show the other choices (as Algolia's disjunctive facets do).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub roadmap: Vec<FacetCount>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Results in all, after the filters.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub facets: Facets,
    /// Server-side time, in milliseconds.
    pub took_ms: f64,
    /// Whether too few documents matched every word, and documents matching some of
    /// them follow.
    pub relaxed: bool,
    /// Content version of the snapshot that answered: hits and version always come
    /// from one snapshot.
    #[schema(example = "3f9a1c0d2b7e4a61")]
    pub version: String,
}

/// Collects the key and score of every matching document: the corpus is small
/// enough that filters, facets and re-ranking are cheaper in Rust than as extra
/// Tantivy passes.
struct AllKeys;

struct AllKeysSegment {
    keys: Column<u64>,
    out: Vec<(u64, Score)>,
}

impl Collector for AllKeys {
    type Fruit = Vec<(u64, Score)>;
    type Child = AllKeysSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<AllKeysSegment> {
        Ok(AllKeysSegment {
            keys: segment.fast_fields().u64("key")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for AllKeysSegment {
    type Fruit = Vec<(u64, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(key) = self.keys.first(doc) {
            self.out.push((key, score));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.out
    }
}

/// A scored match before filtering and pagination.
struct Scored<'a> {
    meta: &'a DocMeta,
    score: f32,
    title_match: bool,
}

/// Below this many documents with every query word, documents with some of them are
/// added after them.
const RELAX_BELOW: usize = 5;

/// The words of a title that carry meaning, normalized: compared with the query's
/// to recognise a title typed in full ("What is HTTP?" for "what is http").
pub(crate) fn content_words(title: &str) -> String {
    let words = analyzer::query_words(title);
    let content: Vec<&String> = words.iter().filter(|w| !analyzer::is_stopword(w)).collect();
    if content.is_empty() {
        words.join(" ")
    } else {
        content
            .into_iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A title's words, compound parts included, each with its stem.
pub(crate) fn title_terms(title: &str) -> Vec<(String, String)> {
    raw_tokens(title, true)
        .into_iter()
        .flat_map(|t| analyzer::query_words(&t.text))
        .map(|w| {
            let s = stem(&w);
            (w, s)
        })
        .collect()
}

/// Whether every unit of the plan matches a word of the title.
fn title_covers(words: &[(String, String)], plan: &Plan) -> bool {
    plan.units.iter().all(|u| {
        words
            .iter()
            .any(|(w, s)| u.raw.contains(w) || u.stems.contains(s))
    })
}

impl SearchIndex {
    fn matches(&self, plan: &mut Plan) -> Result<(Vec<Scored<'_>>, bool), SearchError> {
        let units = query::unit_queries(&self.searcher, &self.fields, plan);
        let strict = self
            .searcher
            .search(query::combine(&units, true).as_ref(), &AllKeys)?;
        let mut out = self.rank(strict, plan, 1.0);
        // Too few documents have every word: add those with some of them, ranked
        // below every document that has them all.
        let mut relaxed = false;
        if out.len() < RELAX_BELOW && units.len() > 1 {
            let loose = self
                .searcher
                .search(query::combine(&units, false).as_ref(), &AllKeys)?;
            let floor = out.iter().map(|s| s.score).fold(f32::INFINITY, f32::min);
            let have: HashSet<u64> = out.iter().map(|s| s.meta.key).collect();
            let mut extra = self.rank(loose, plan, 1.0);
            extra.retain(|s| !have.contains(&s.meta.key));
            if !extra.is_empty() {
                relaxed = true;
                let top = extra.iter().map(|s| s.score).fold(0.0f32, f32::max);
                let scale = if floor.is_finite() && top > 0.0 {
                    (floor * 0.9 / top).min(1.0)
                } else {
                    1.0
                };
                for s in &mut extra {
                    s.score *= scale;
                }
                out.extend(extra);
            }
        }
        Ok((out, relaxed))
    }

    fn rank(&self, found: Vec<(u64, Score)>, plan: &Plan, factor: f32) -> Vec<Scored<'_>> {
        let mut seen = HashSet::with_capacity(found.len());
        let mut out = Vec::with_capacity(found.len());
        for (key, score) in found {
            if !seen.insert(key) {
                continue;
            }
            let Some(meta) = self.metas.get(&key) else {
                continue;
            };
            let title_match = title_covers(&meta.title_terms, plan);
            let mut score = score * meta.kind.weight() * factor;
            if title_match {
                score *= 1.5;
                if meta.title_content == plan.normalized {
                    score *= 1.5;
                }
            }
            out.push(Scored {
                meta,
                score,
                title_match,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.meta.path.cmp(&b.meta.path))
                .then_with(|| a.meta.id.cmp(&b.meta.id))
        });
        out
    }

    /// Runs a search, or answers it from this index's cache. An empty or meaningless
    /// query gives an empty result.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let Some(cache) = &self.cache else {
            return self.search_uncached(req);
        };
        let started = Instant::now();
        let key = format!(
            "{}\u{1}{:?}\u{1}{:?}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
            req.q,
            req.kinds,
            req.roadmaps,
            req.limit,
            req.offset,
            req.highlight.pre,
            req.highlight.post
        );
        if let Some(hit) = cache.get(&key) {
            let mut results = (*hit).clone();
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(results);
        }
        let results = self.search_uncached(req)?;
        cache.insert(key, Arc::new(results.clone()));
        Ok(results)
    }

    fn search_uncached(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let mut plan = query::plan(&req.q, &self.synonyms);
        let (all, relaxed) = if plan.is_empty() {
            (Vec::new(), false)
        } else {
            self.matches(&mut plan)?
        };
        let kind_ok = |m: &DocMeta| req.kinds.is_empty() || req.kinds.contains(&m.kind);
        let roadmap_ok = |m: &DocMeta| {
            req.roadmaps.is_empty()
                || m.roadmap
                    .as_ref()
                    .is_some_and(|r| req.roadmaps.iter().any(|x| x == &r.id))
        };
        let mut kind_counts: BTreeMap<Kind, usize> = BTreeMap::new();
        let mut roadmap_counts: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
        let mut filtered: Vec<&Scored> = Vec::new();
        for s in &all {
            let k = kind_ok(s.meta);
            let r = roadmap_ok(s.meta);
            if r {
                *kind_counts.entry(s.meta.kind).or_default() += 1;
            }
            if k && let Some(rm) = &s.meta.roadmap {
                roadmap_counts
                    .entry(rm.id.as_str())
                    .or_insert((0, rm.title.as_str()))
                    .0 += 1;
            }
            if k && r {
                filtered.push(s);
            }
        }
        let mut facets = Facets {
            kind: kind_counts
                .into_iter()
                .map(|(k, count)| FacetCount {
                    value: k.as_str().to_string(),
                    label: k.label().to_string(),
                    count,
                })
                .collect(),
            roadmap: roadmap_counts
                .into_iter()
                .map(|(id, (count, title))| FacetCount {
                    value: id.to_string(),
                    label: title.to_string(),
                    count,
                })
                .collect(),
        };
        facets
            .kind
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        facets
            .roadmap
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        let snippets = snippet::Snippets::new(&plan, &req.highlight);
        let hits = filtered
            .iter()
            .skip(req.offset)
            .take(req.limit)
            .map(|s| Hit {
                kind: s.meta.kind,
                id: s.meta.id.clone(),
                title: s.meta.title.clone(),
                breadcrumbs: s.meta.breadcrumbs.clone(),
                roadmap: s.meta.roadmap.clone(),
                path: s.meta.path.clone(),
                snippet: snippets.snippet(&s.meta.text),
                score: s.score,
                title_match: s.title_match,
            })
            .collect();
        Ok(SearchResults {
            hits,
            total: filtered.len(),
            limit: req.limit,
            offset: req.offset,
            facets,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            relaxed,
            version: String::new(),
        })
    }

    /// The resources added, changed and removed since `old`, sorted by path.
    pub fn changes_since(&self, old: &SearchIndex) -> Changes {
        let mut c = Changes::default();
        for (key, m) in &self.metas {
            match old.metas.get(key) {
                None => c.added.push(changed_resource(m)),
                Some(o) if o.source != m.source || o.content != m.content => {
                    c.changed.push(changed_resource(m))
                }
                Some(_) => {}
            }
        }
        for (key, m) in &old.metas {
            if !self.metas.contains_key(key) {
                c.removed.push(changed_resource(m));
            }
        }
        for list in [&mut c.added, &mut c.changed, &mut c.removed] {
            list.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        }
        c
    }

    /// Completions for the search box.
    pub fn suggest(&self, q: &str, limit: usize) -> Vec<Suggestion> {
        let Some(cache) = &self.suggest_cache else {
            return self.suggest.suggest(q, &self.synonyms, limit);
        };
        let key = (q.to_string(), limit);
        if let Some(hit) = cache.get(&key) {
            return (*hit).clone();
        }
        let items = self.suggest.suggest(q, &self.synonyms, limit);
        cache.insert(key, Arc::new(items.clone()));
        items
    }

    /// The topic that best answers "what is `term`?": the best-scored topic whose
    /// title covers the term, preferring `prefer` (a roadmap id) when it has one.
    /// `None` when no topic's title fits: a look-up must not guess.
    pub fn lookup(&self, term: &str, prefer: Option<&str>) -> Result<Option<Hit>, SearchError> {
        // The whole term is typed: no prefix matching, a look-up is not a keystroke.
        let term = format!("{} ", term.trim());
        let req = SearchRequest {
            q: term,
            kinds: vec![Kind::Topic],
            limit: 50,
            ..SearchRequest::default()
        };
        let results = self.search(&req)?;
        let candidates: Vec<&Hit> = results.hits.iter().filter(|h| h.title_match).collect();
        let preferred = prefer.and_then(|p| {
            candidates
                .iter()
                .find(|h| h.roadmap.as_ref().is_some_and(|r| r.id == p))
        });
        Ok(preferred.or(candidates.first()).map(|h| (*h).clone()))
    }
}
