//! Full-text search over a [`Catalog`](crate::content::Catalog): the Tantivy schema,
//! index building (in RAM or on disk, incrementally) and the query side (typing,
//! typos, stems, synonyms, snippets, facets, suggestions, term look-up). Knows the
//! content model, not HTTP.
//!
//! Planning (`query`) turns what is typed into units and what each matches; the
//! engine (`engine`) reads their postings; ranking (`ranking`) orders the result by
//! explicit rules in order, BM25 only breaking ties.

pub mod analyzer;
mod directory;
pub mod documents;
pub mod engine;
pub mod index;
pub mod query;
pub mod ranking;
mod raw_dict;
pub mod snippet;
pub mod suggest;
pub mod synonyms;
mod typo_automaton;

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

pub use documents::{DocMeta, Kind, RoadmapRef};
pub use engine::set_proximity_pruning;
pub use index::{IndexLocation, IndexStats, Indexer, SearchIndex, set_cache_entries};
pub use snippet::Highlight;
pub use suggest::Suggestion;

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
        id: m.id.to_string(),
        path: m.path.to_string(),
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
    /// Most values listed per facet, the most frequent first ([`DEFAULT_FACET_LIMIT`]);
    /// the values filtered on are listed beyond it.
    pub facet_limit: usize,
}

/// Facet values listed by default. The roadmap facet grows with the content (105
/// values for a query at three times roadmap.sh's size, 8 of a response's 14 KB, sent
/// on every keystroke), while a search box shows a handful; a client that lists them
/// all asks for more. Typesense and Elasticsearch list 10 by default, Meilisearch 100.
pub const DEFAULT_FACET_LIMIT: usize = 20;

impl Hit {
    /// The hit of one document.
    fn of(meta: &DocMeta, snippet: String, score: f32, title_match: bool) -> Hit {
        Hit {
            kind: meta.kind,
            id: Arc::clone(&meta.id),
            title: Arc::clone(&meta.title),
            breadcrumbs: Arc::clone(&meta.breadcrumbs),
            roadmap: meta.roadmap.clone(),
            path: Arc::clone(&meta.path),
            snippet,
            score,
            title_match,
        }
    }
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
            facet_limit: DEFAULT_FACET_LIMIT,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    pub kind: Kind,
    /// Id of the resource within its kind (topic id within its roadmap).
    #[schema(value_type = String, example = "kubernetes")]
    pub id: Arc<str>,
    #[schema(value_type = String, example = "Kubernetes")]
    pub title: Arc<str>,
    /// Roadmap › group › title.
    #[schema(value_type = Vec<String>, example = json!(["DevOps Engineer", "Containers", "Kubernetes"]))]
    pub breadcrumbs: Arc<[String]>,
    #[schema(value_type = Option<RoadmapRef>)]
    pub roadmap: Option<Arc<RoadmapRef>>,
    /// API path of the resource.
    #[schema(value_type = String, example = "/v1/roadmaps/devops/topics/kubernetes")]
    pub path: Arc<str>,
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
    // Shared strings: a query lists every roadmap it matches (hundreds at three
    // times roadmap.sh's size), and copying two strings each was a twentieth of it.
    #[schema(example = "topic", value_type = String)]
    pub value: Arc<str>,
    /// Display name (the roadmap title for a roadmap facet).
    #[schema(example = "Topic", value_type = String)]
    pub label: Arc<str>,
    pub count: usize,
}

/// Counts over the whole result set. Each dimension ignores its own filter, so a
/// search box can show the other choices (as Algolia's disjunctive facets do).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub roadmap: Vec<FacetCount>,
    /// How many kinds have results (`kind` lists `facetLimit` of them at most).
    pub kind_values: usize,
    /// How many roadmaps have results (`roadmap` lists `facetLimit` of them at most,
    /// and the ones filtered on): a search box can offer the rest.
    pub roadmap_values: usize,
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

/// Keeps the `limit` most frequent `values` (ties by value), and any of `chosen`
/// beyond them, the most frequent first: a search box shows the top ones, and keeps
/// showing the ones ticked.
fn top_values(values: &mut Vec<FacetCount>, limit: usize, chosen: &[impl AsRef<str>]) {
    // Values are distinct, so an unstable order is the order. The first `limit` are
    // selected before anything is sorted: a query over a large content lists most of
    // its hundreds of roadmaps, and sorting them all was a fiftieth of a query.
    let order = |a: &FacetCount, b: &FacetCount| b.count.cmp(&a.count).then(a.value.cmp(&b.value));
    if values.len() > limit {
        if let Some(last) = limit.checked_sub(1) {
            values.select_nth_unstable_by(last, order);
        }
        let mut kept = limit;
        for i in limit..values.len() {
            if chosen.iter().any(|c| c.as_ref() == &*values[i].value) {
                values.swap(kept, i);
                kept += 1;
            }
        }
        values.truncate(kept);
    }
    values.sort_unstable_by(order);
}

impl SearchIndex {
    /// Plans `q` against this index's words and synonyms.
    fn plan(&self, q: &str) -> Plan {
        let lexicon = engine::IndexLexicon {
            searcher: &self.searcher,
            fields: self.fields,
            engine: &self.engine,
        };
        query::plan(q, &self.synonyms, &lexicon)
    }

    /// The rank keys of the first `limit` results of `q` (for judging ranking by
    /// hand).
    pub fn explain(&self, q: &str, limit: usize) -> Vec<(String, ranking::RankKey)> {
        let mut plan = self.plan(q);
        // Matched as a search of `q` is, with the plan it ranks with.
        let (ex, items, _) = self.execute(&mut plan, &SearchRequest::default());
        self.engine
            .explain(&self.searcher, self.fields, &plan, &ex, items, limit)
    }

    /// Runs a search, or answers it from this index's cache. An empty or meaningless
    /// query gives an empty result.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let Some(cache) = &self.cache else {
            return self.search_uncached(req);
        };
        let started = Instant::now();
        let key = format!(
            "{}\u{1}{:?}\u{1}{:?}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
            req.q,
            req.kinds,
            req.roadmaps,
            req.limit,
            req.offset,
            req.highlight.pre,
            req.highlight.post,
            req.facet_limit
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
        let mut plan = self.plan(&req.q);
        let mut results = SearchResults {
            hits: Vec::new(),
            total: 0,
            limit: req.limit,
            offset: req.offset,
            facets: Facets::default(),
            took_ms: 0.0,
            relaxed: false,
            version: String::new(),
        };
        if plan.is_empty() {
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(results);
        }
        let (ex, mut filtered, facets) = self.execute(&mut plan, req);
        let range = self.engine.rank(
            &self.searcher,
            self.fields,
            &plan,
            &ex,
            &mut filtered,
            req.offset,
            req.limit,
        );
        // Snippets only for the page.
        let snippets = snippet::Snippets::new(&plan, &req.highlight);
        let first = range.start;
        results.hits = filtered[range]
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let meta = self.engine.doc(c.doc)?;
                Some(Hit::of(
                    meta,
                    snippets.snippet(&meta.text),
                    rank_score(first + i),
                    ex.matched.title_match(c.doc),
                ))
            })
            .collect();
        results.total = filtered.len();
        results.facets = facets;
        results.relaxed = ex.relaxed;
        results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(results)
    }

    /// Matches `plan` and keeps the candidates `req`'s kinds and roadmaps allow, with
    /// the facets. Stop words alone ([`Plan::titles_only`]) that no title of those
    /// kinds and roadmaps holds are matched in bodies after all, and `plan` says so.
    fn execute(
        &self,
        plan: &mut Plan,
        req: &SearchRequest,
    ) -> (engine::Execution, Vec<engine::Candidate>, Facets) {
        let ex = self.engine.execute(&self.searcher, self.fields, plan);
        let (filtered, facets) = self.filter(&ex, req);
        if !(plan.titles_only && filtered.is_empty()) {
            return (ex, filtered, facets);
        }
        plan.titles_only = false;
        let ex = self.engine.execute(&self.searcher, self.fields, plan);
        let (filtered, facets) = self.filter(&ex, req);
        (ex, filtered, facets)
    }

    /// The candidates of `ex` that `req`'s kinds and roadmaps keep, and the facets:
    /// each facet counted with the other facet's filter applied, from the matched set
    /// alone (counting needs no ranking).
    fn filter(
        &self,
        ex: &engine::Execution,
        req: &SearchRequest,
    ) -> (Vec<engine::Candidate>, Facets) {
        // Facets from the matched set alone: counting needs no ranking, and is done on
        // the engine's per-document roadmap ordinals, not on id strings.
        let roadmaps = self.engine.roadmaps();
        let wanted: Option<Vec<bool>> = (!req.roadmaps.is_empty()).then(|| {
            roadmaps
                .iter()
                .map(|(id, _)| req.roadmaps.iter().any(|x| **x == **id))
                .collect()
        });
        let mut kind_counts = [0usize; Kind::ALL.len()];
        let mut roadmap_counts = vec![0usize; roadmaps.len()];
        let mut filtered: Vec<engine::Candidate> = Vec::with_capacity(ex.candidates.len());
        for c in &ex.candidates {
            let Some(kind) = self.engine.kind(c.doc) else {
                continue;
            };
            let ordinal = self.engine.roadmap_of(c.doc);
            let k = req.kinds.is_empty() || req.kinds.contains(&kind);
            let r = match &wanted {
                None => true,
                Some(w) => w.get(ordinal as usize).copied().unwrap_or(false),
            };
            if r {
                kind_counts[kind as usize] += 1;
            }
            if k && let Some(n) = roadmap_counts.get_mut(ordinal as usize) {
                *n += 1;
            }
            if k && r {
                filtered.push(*c);
            }
        }
        let mut facets = Facets {
            kind: Kind::ALL
                .iter()
                .zip(kind_counts)
                .filter(|(_, count)| *count > 0)
                .map(|(k, count)| FacetCount {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    count,
                })
                .collect(),
            roadmap: roadmaps
                .iter()
                .zip(roadmap_counts)
                .filter(|(_, count)| *count > 0)
                .map(|((id, title), count)| FacetCount {
                    value: Arc::clone(id),
                    label: Arc::clone(title),
                    count,
                })
                .collect(),
            ..Facets::default()
        };
        facets.kind_values = facets.kind.len();
        facets.roadmap_values = facets.roadmap.len();
        let kinds: Vec<&str> = req.kinds.iter().map(|k| k.as_str()).collect();
        top_values(&mut facets.kind, req.facet_limit, &kinds);
        top_values(&mut facets.roadmap, req.facet_limit, &req.roadmaps);
        (filtered, facets)
    }

    /// The resources added, changed and removed since `old`, sorted by path.
    pub fn changes_since(&self, old: &SearchIndex) -> Changes {
        let mut c = Changes::default();
        for (key, m) in self.metas.iter() {
            match old.metas.get(key) {
                None => c.added.push(changed_resource(m)),
                // The same document, shared because its resource did not change.
                Some(o) if Arc::ptr_eq(o, m) => {}
                Some(o) if o.source != m.source || o.content != m.content => {
                    c.changed.push(changed_resource(m))
                }
                Some(_) => {}
            }
        }
        for (key, m) in old.metas.iter() {
            if !self.metas.contains_key(key) {
                c.removed.push(changed_resource(m));
            }
        }
        for list in [&mut c.added, &mut c.changed, &mut c.removed] {
            list.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        }
        c
    }

    /// The completion index of this snapshot, built on first use.
    fn suggest_index(&self) -> &suggest::SuggestIndex {
        self.suggest
            .get_or_init(|| suggest::SuggestIndex::build(self.metas.values()))
    }

    /// Completions for the search box.
    pub fn suggest(&self, q: &str, limit: usize) -> Vec<Suggestion> {
        let Some(cache) = &self.suggest_cache else {
            return self.suggest_index().suggest(q, &self.synonyms, limit);
        };
        let key = (q.to_string(), limit);
        if let Some(hit) = cache.get(&key) {
            return (*hit).clone();
        }
        let items = self.suggest_index().suggest(q, &self.synonyms, limit);
        cache.insert(key, Arc::new(items.clone()));
        items
    }

    /// The topic that best answers "what is `term`?", among the topics whose title
    /// holds every word of the term: in `prefer` (a roadmap id) when it has one; else
    /// in a roadmap the term names (by title, brief title, id or synonym); else in
    /// the roadmap most about the term (the most documents matching it); the topic
    /// whose whole title the term is before one that merely contains it, then by
    /// rank. `None` when no topic's title fits: a look-up must not guess.
    pub fn lookup(&self, term: &str, prefer: Option<&str>) -> Result<Option<Hit>, SearchError> {
        // The whole term is typed: no prefix matching, a look-up is not a keystroke.
        let plan = self.plan(&format!("{} ", term.trim()));
        if plan.is_empty() {
            return Ok(None);
        }
        let ex = self.engine.execute(&self.searcher, self.fields, &plan);
        let mut per_roadmap: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::new();
        for c in ex.candidates.iter().filter(|c| c.missing == 0) {
            if let Some(r) = self.engine.doc(c.doc).and_then(|m| m.roadmap.as_ref()) {
                *per_roadmap.entry(r.id.as_str()).or_default() += 1;
            }
        }
        let mut topics: Vec<engine::Candidate> = ex
            .candidates
            .iter()
            .filter(|c| c.missing == 0 && ex.matched.title_match(c.doc))
            .filter(|c| {
                self.engine
                    .doc(c.doc)
                    .is_some_and(|m| m.kind == Kind::Topic)
            })
            .copied()
            .collect();
        let n = topics.len();
        let range = self
            .engine
            .rank(&self.searcher, self.fields, &plan, &ex, &mut topics, 0, n);
        let best = topics[range]
            .iter()
            .enumerate()
            .filter_map(|(rank, c)| {
                let meta = self.engine.doc(c.doc)?;
                let roadmap = meta.roadmap.as_ref()?.id.as_str();
                let preferred = prefer.is_some_and(|p| p == roadmap);
                let named = ex.named.contains(&self.engine.roadmap_of(c.doc));
                let about = per_roadmap.get(roadmap).copied().unwrap_or(0);
                let whole = self
                    .engine
                    .names_whole(c.doc, &plan.units, &ex.unit_words)
                    .unwrap_or(3);
                // Lexicographic: preferred, named, whole title, most about, rank.
                let key = (!preferred, !named, whole, std::cmp::Reverse(about), rank);
                Some((key, *c, meta))
            })
            .min_by(|a, b| a.0.cmp(&b.0));
        Ok(best
            .map(|(_, c, meta)| Hit::of(meta, String::new(), 1.0, ex.matched.title_match(c.doc))))
    }
}

/// The score shown with a hit: decreasing with its rank (1 for the first). The order
/// comes from the ranking rules, which compare documents rather than score them.
fn rank_score(rank: usize) -> f32 {
    1.0 / (1.0 + rank as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facet values listed are those of sorting them all by count (ties by
    /// value) and keeping the first `limit` and every chosen one after them.
    #[test]
    fn top_values_are_those_of_sorting_everything() {
        let values: Vec<FacetCount> = (0..40u32)
            .map(|i| FacetCount {
                value: format!("v{:02}", (i * 17) % 40).into(),
                label: "".into(),
                count: ((i * 7) % 9) as usize,
            })
            .collect();
        let plain = |limit: usize, chosen: &[&str]| -> Vec<String> {
            let mut all = values.clone();
            all.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            all.iter()
                .enumerate()
                .filter(|(n, v)| *n < limit || chosen.contains(&&*v.value))
                .map(|(_, v)| v.value.to_string())
                .collect()
        };
        for limit in [0, 1, 3, 20, 39, 40, 60] {
            for chosen in [&[][..], &["v05"], &["v39", "v00", "v17", "nowhere"]] {
                let mut top = values.clone();
                top_values(&mut top, limit, chosen);
                let top: Vec<String> = top.iter().map(|v| v.value.to_string()).collect();
                assert_eq!(top, plain(limit, chosen), "{limit} {chosen:?}");
            }
        }
    }
}
