//! From what a person types to a Tantivy query.
//!
//! Every query word becomes a *unit*: the word itself, its synonyms, its English
//! stem, and, looked up in the term dictionaries, the indexed words it could be a
//! prefix of (the word being typed) or a typo of. Because the expansions are found
//! here rather than inside Tantivy's fuzzy query, we know which indexed words
//! matched, which is what the snippet marks and what the title-coverage ranking
//! uses.

use std::collections::HashSet;

use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery,
    Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

use super::analyzer::{is_stopword, query_words, stem};
use super::index::Fields;
use super::synonyms::Synonyms;

/// Longest query accepted, in characters; longer input is cut, never rejected.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most words considered: a pasted paragraph is not a search.
const MAX_UNITS: usize = 12;
/// Most dictionary entries looked at per expansion and segment.
const MAX_SCANNED: usize = 1_000;
/// Most indexed words a prefix or a typo expands to, per field.
const MAX_EXPANSIONS: usize = 40;

/// Weights of where a word matched. Title above body, exact above stem above prefix
/// above typo.
mod boost {
    pub const TITLE_EXACT: f32 = 6.0;
    pub const TITLE_STEM: f32 = 4.0;
    pub const TITLE_PREFIX: f32 = 3.0;
    pub const TITLE_FUZZY: f32 = 2.0;
    pub const TITLE_PHRASE: f32 = 6.0;
    pub const BODY_STEM: f32 = 1.0;
    pub const BODY_PHRASE: f32 = 1.5;
    pub const BODY_PREFIX: f32 = 0.4;
    pub const BODY_FUZZY: f32 = 0.3;
    pub const CONTEXT: f32 = 0.8;
    pub const KEYWORDS: f32 = 0.6;
    pub const SYNONYM: f32 = 0.9;
}

/// The typo budget by word length: none under 5 letters, one from 5, two from 9.
pub fn typo_budget(word: &str) -> u8 {
    let n = word.chars().count();
    if n >= 9 {
        2
    } else if n >= 5 {
        1
    } else {
        0
    }
}

/// One meaningful part of a query and everything it may match.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// The words as typed (normalized).
    pub words: Vec<String>,
    /// Itself and its synonyms, each as words.
    pub alternatives: Vec<Vec<String>>,
    /// Indexed (raw) words that count as a match: the word, single-word synonyms,
    /// prefix completions and typo corrections.
    pub raw: HashSet<String>,
    /// Stems that count as a match.
    pub stems: HashSet<String>,
    /// Whether matching by prefix only: the word at the end, still being typed.
    pub prefix: bool,
}

/// A parsed query.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub units: Vec<Unit>,
    /// All query words normalized and joined, to recognise an exact title.
    pub normalized: String,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Whether a normalized token (raw form and its stem) matches any unit.
    pub fn matches_raw(&self, raw: &str) -> bool {
        self.units.iter().any(|u| u.raw.contains(raw))
    }

    pub fn matches_stem(&self, stemmed: &str) -> bool {
        self.units.iter().any(|u| u.stems.contains(stemmed))
    }

    /// First letters of every stem: a word can only stem to one of them if it starts
    /// with the same letters (English stemming cuts suffixes), so words that do not
    /// are never stemmed. Stemming every word of every hit was the largest cost of a
    /// search.
    pub fn stem_heads(&self) -> Vec<String> {
        let mut heads: Vec<String> = self
            .units
            .iter()
            .flat_map(|u| u.stems.iter())
            .map(|s| s.chars().take(3).collect())
            .collect();
        heads.sort();
        heads.dedup();
        heads
    }
}

/// Splits the query into units: synonyms (longest first), stop words dropped when
/// something else is left, the last word a prefix unless followed by a space.
pub fn plan(q: &str, synonyms: &Synonyms) -> Plan {
    let q: String = q.chars().take(MAX_QUERY_CHARS).collect();
    let words = query_words(&q);
    let typing = !q.ends_with(char::is_whitespace);
    let mut units = Vec::new();
    let mut i = 0;
    while i < words.len() && units.len() < MAX_UNITS {
        let last = i + 1 == words.len();
        if let Some((len, group)) = synonyms.match_at(&words, i) {
            let span = words[i..i + len].to_vec();
            let mut alternatives = vec![span.clone()];
            alternatives.extend(group.into_iter().filter(|t| *t != span));
            units.push(Unit {
                words: span,
                alternatives,
                prefix: last && len == 1 && typing,
                ..Unit::default()
            });
            i += len;
            continue;
        }
        units.push(Unit {
            words: vec![words[i].clone()],
            alternatives: vec![vec![words[i].clone()]],
            prefix: last && typing,
            ..Unit::default()
        });
        i += 1;
    }
    let content: Vec<Unit> = units
        .iter()
        .filter(|u| !(u.words.len() == 1 && is_stopword(&u.words[0])))
        .cloned()
        .collect();
    let units = if content.is_empty() { units } else { content };
    let normalized = units
        .iter()
        .map(|u| u.words.join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    Plan { units, normalized }
}

fn term_query(field: Field, text: &str, weight: f32) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(q), weight))
}

/// Indexed words of `field` accepted by `automaton`, the most frequent first.
fn expand<A: Automaton>(
    searcher: &Searcher,
    field: Field,
    automaton: impl Fn() -> Option<A>,
    exclude: &str,
) -> Vec<String>
where
    A::State: Clone,
{
    let mut found: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for reader in searcher.segment_readers() {
        let Ok(inverted) = reader.inverted_index(field) else {
            continue;
        };
        let Some(automaton) = automaton() else {
            return Vec::new();
        };
        let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
            continue;
        };
        let mut scanned = 0;
        while stream.advance() {
            scanned += 1;
            // A one-letter prefix can match thousands of words; the first ones in
            // lexical order are as good as any for a word still being typed.
            if scanned > MAX_SCANNED {
                break;
            }
            if let Ok(word) = std::str::from_utf8(stream.key())
                && word != exclude
            {
                *found.entry(word.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut words: Vec<(String, u64)> = found.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(MAX_EXPANSIONS);
    words.into_iter().map(|(w, _)| w).collect()
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

/// The typo automaton of a word, built once per query word: building a Levenshtein
/// DFA costs far more than running it over a term dictionary.
fn fuzzy_automaton(word: &str, prefix: bool, field: Field) -> Option<tantivy::query::DfaWrapper> {
    let distance = typo_budget(word);
    if distance == 0 {
        return None;
    }
    let term = Term::from_field_text(field, word);
    let q = if prefix {
        FuzzyTermQuery::new_prefix(term, distance, true)
    } else {
        FuzzyTermQuery::new(term, distance, true)
    };
    q.automaton().ok()
}

/// Fills a unit's expansions and returns its query.
fn unit_query(searcher: &Searcher, f: &Fields, unit: &mut Unit) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let alternatives = unit.alternatives.clone();
    for (n, alt) in alternatives.iter().enumerate() {
        let w = if n == 0 { 1.0 } else { boost::SYNONYM };
        if alt.len() == 1 {
            let word = &alt[0];
            let stemmed = stem(word);
            unit.raw.insert(word.clone());
            unit.stems.insert(stemmed.clone());
            for (field, text, weight) in [
                (f.title_raw, word.as_str(), boost::TITLE_EXACT),
                (f.title, &stemmed, boost::TITLE_STEM),
                (f.body, &stemmed, boost::BODY_STEM),
                (f.context, &stemmed, boost::CONTEXT),
                (f.keywords, &stemmed, boost::KEYWORDS),
            ] {
                clauses.push((Occur::Should, term_query(field, text, weight * w)));
            }
        } else {
            let stems: Vec<String> = alt.iter().map(|x| stem(x)).collect();
            for s in &stems {
                unit.stems.insert(s.clone());
            }
            for field_boost in [
                (f.title, boost::TITLE_PHRASE * w),
                (f.body, boost::BODY_PHRASE * w),
            ] {
                let terms: Vec<Term> = stems
                    .iter()
                    .map(|s| Term::from_field_text(field_boost.0, s))
                    .collect();
                let phrase = PhraseQuery::new(terms);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(phrase), field_boost.1)),
                ));
            }
        }
    }
    // Prefix and typo expansions apply to the word as typed, not to its synonyms.
    // Per field only the best expansion counts (a disjunction max), so that a word
    // with many completions does not outscore one that matches exactly.
    if unit.words.len() == 1 {
        let word = unit.words[0].clone();
        let dfa = fuzzy_automaton(&word, unit.prefix, f.title_raw);
        let mut typo_found = false;
        for (field, prefix_boost, fuzzy_boost) in [
            (f.title_raw, boost::TITLE_PREFIX, boost::TITLE_FUZZY),
            (f.body_raw, boost::BODY_PREFIX, boost::BODY_FUZZY),
        ] {
            let mut expansions: Vec<Box<dyn Query>> = Vec::new();
            // One or two letters begin too many body words to be worth it; titles
            // still complete them.
            if unit.prefix && (field == f.title_raw || word.chars().count() >= 3) {
                for w in expand(searcher, field, || Some(Prefix(word.as_bytes())), &word) {
                    expansions.push(term_query(field, &w, prefix_boost));
                    unit.raw.insert(w);
                }
            }
            // A word one typo away from a title word almost surely meant it; only
            // when no title word is close are the (many more) body words searched.
            let title_corrected = field == f.body_raw && typo_found;
            let typos = match &dfa {
                Some(dfa) if !title_corrected => expand(searcher, field, || Some(dfa), &word),
                _ => Vec::new(),
            };
            if field == f.title_raw {
                typo_found = !typos.is_empty();
            }
            for w in typos {
                if unit.raw.contains(&w) {
                    continue;
                }
                expansions.push(term_query(field, &w, fuzzy_boost));
                unit.raw.insert(w);
            }
            if !expansions.is_empty() {
                clauses.push((
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::new(expansions)),
                ));
            }
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The query of each unit of a plan, expansions looked up once.
pub fn unit_queries(searcher: &Searcher, fields: &Fields, plan: &mut Plan) -> Vec<Box<dyn Query>> {
    plan.units
        .iter_mut()
        .map(|u| unit_query(searcher, fields, u))
        .collect()
}

/// Every unit required (`all`), or any (the fallback when requiring all finds
/// nothing: a question with words no document has still finds its topic).
pub fn combine(units: &[Box<dyn Query>], all: bool) -> Box<dyn Query> {
    if units.is_empty() {
        return Box::new(EmptyQuery);
    }
    let occur = if all { Occur::Must } else { Occur::Should };
    Box::new(BooleanQuery::new(
        units.iter().map(|q| (occur, q.box_clone())).collect(),
    ))
}
