//! From what a person types to a [`Plan`]: a plain value listing, for every
//! meaningful part of the query (a *unit*), each indexed word or phrase that counts
//! as a match and how (exact, derived, prefix, with how many typos). The engine
//! executes a plan; planning itself only asks a [`Lexicon`] which words exist, so it
//! is tested without an index.
//!
//! A unit's matches:
//! - the word as typed (exact) and its English stem (derived);
//! - its synonyms (exact: declared equivalents), multi-word ones as phrases; two
//!   words that a synonym term writes as one (`node js`, `nodejs`) are that term;
//! - the word being typed (the last, not followed by a space): its completions
//!   (prefix) and, from 5 letters, completions with a typo (prefix-typo);
//! - typo corrections, one typo from 5 letters, two from 9, each with its own count
//!   (a typo on the first letter counts as two: [`typos`]);
//! - split: a word that is two indexed words written together (`frontend` → the
//!   phrase `front end`), counted as one typo, as Meilisearch does;
//! - joined: two query words that are one indexed word written apart (`dev ops` →
//!   `devops`) make one unit matching the joined word, the phrase, or both words.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashSet;

use super::analyzer::{is_stopword, query_words, stem};
use super::ranking::Exactness;
use super::synonyms::Synonyms;

/// Longest query accepted, in characters; longer input is cut, never rejected.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most words considered: a pasted paragraph is not a search.
const MAX_UNITS: usize = 12;
/// Most indexed words a prefix or a typo expands to, per source (titles, body).
pub const MAX_EXPANSIONS: usize = 40;
/// Shortest prefix whose body completions are used; shorter ones complete title
/// words, and match them in titles only ([`Term::titles_only`]).
const MIN_BODY_PREFIX: usize = 3;
/// Shortest half of a split word.
const MIN_SPLIT_PART: usize = 2;

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

/// Indexed words close to a typed word, with their distance to it.
pub type Corrections = Vec<(String, u8)>;

/// Which indexed words exist: what planning needs of an index.
pub trait Lexicon {
    /// Whether `word` is an indexed word of any field.
    fn contains(&self, word: &str) -> bool;
    /// How many documents hold `word` (0 when none): picks the likeliest split.
    fn doc_freq(&self, word: &str) -> u64;
    /// Indexed words beginning with `prefix` (itself excluded), the most frequent
    /// first; `titles_only` for prefixes too short to complete body words usefully.
    fn completions(&self, prefix: &str, titles_only: bool, max: usize) -> Vec<String>;
    /// Indexed words within `max_typos` [`typos`] of `word` (or of a prefix of them,
    /// when `prefix`), itself excluded, with their typos. Title words are tried
    /// first; body words only when no title word is close.
    fn corrections(&self, word: &str, max_typos: u8, prefix: bool) -> Vec<(String, u8)>;
    /// Both `corrections(word, max_typos, false)` and `corrections(word, max_typos,
    /// true)`: the word being typed needs both, and an index can find them in one
    /// pass over its dictionaries.
    fn corrections_and_completions(&self, word: &str, max_typos: u8) -> (Corrections, Corrections) {
        (
            self.corrections(word, max_typos, false),
            self.corrections(word, max_typos, true),
        )
    }
}

/// One indexed word a unit matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub word: String,
    pub typos: u8,
    pub exactness: Exactness,
    /// Matched in titles only: a completion of a query of one word of one or two
    /// letters. Which body word such a prefix stands for says too little to count
    /// (a search box shows titles at that point), and reading forty of the most
    /// common words in every body made those keystrokes the costliest of a query
    /// typed out. After other words (`message b`) the completions are read
    /// everywhere: the words before carry the query, and the best answer's title
    /// need not hold one of the forty.
    pub titles_only: bool,
}

/// Several indexed words a unit matches together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub words: Vec<String>,
    /// Whether the words must be adjacent and in order; otherwise anywhere in one
    /// field.
    pub adjacent: bool,
    pub typos: u8,
    pub exactness: Exactness,
}

/// One meaningful part of a query and everything it may match.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// The words as typed (normalized).
    pub words: Vec<String>,
    /// Single indexed words (raw, as the raw fields hold them).
    pub terms: Vec<Term>,
    /// Stems matched in the stemmed fields, with how.
    pub stems: Vec<Term>,
    pub phrases: Vec<Phrase>,
    /// Whether it is the word being typed (matched by prefix).
    pub prefix: bool,
    /// Every raw word of `terms` and `phrases`, for snippets and titles. Looked up
    /// for every word of every title and snippet ranked: a fast hash, not SipHash
    /// (query words are no attacker's lever on a set this small and short-lived).
    pub raw: FxHashSet<String>,
    /// Every stem of `stems` and `phrases`.
    pub stem_set: FxHashSet<String>,
}

impl Unit {
    /// How the unit matches this raw word, if it does (the best way).
    pub fn term(&self, word: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.word == word)
    }

    fn add_term(&mut self, word: String, typos: u8, exactness: Exactness) {
        self.add_term_in(word, typos, exactness, false);
    }

    fn add_term_in(&mut self, word: String, typos: u8, exactness: Exactness, titles_only: bool) {
        if let Some(t) = self.terms.iter_mut().find(|t| t.word == word) {
            if (typos, exactness) < (t.typos, t.exactness) {
                t.typos = typos;
                t.exactness = exactness;
            }
            t.titles_only &= titles_only;
            return;
        }
        self.raw.insert(word.clone());
        self.terms.push(Term {
            word,
            typos,
            exactness,
            titles_only,
        });
    }

    fn add_stem(&mut self, word: &str, typos: u8, exactness: Exactness) {
        let s = stem(word);
        if let Some(t) = self.stems.iter_mut().find(|t| t.word == s) {
            if (typos, exactness) < (t.typos, t.exactness) {
                t.typos = typos;
                t.exactness = exactness;
            }
            return;
        }
        self.stem_set.insert(s.clone());
        self.stems.push(Term {
            word: s,
            typos,
            exactness,
            titles_only: false,
        });
    }

    fn add_phrase(&mut self, words: Vec<String>, adjacent: bool, typos: u8, exactness: Exactness) {
        if words.len() == 1 {
            let w = words.into_iter().next().unwrap_or_default();
            self.add_stem(&w, typos, Exactness::Derived.max(exactness));
            self.add_term(w, typos, exactness);
            return;
        }
        for w in &words {
            self.raw.insert(w.clone());
            self.stem_set.insert(stem(w));
        }
        self.phrases.push(Phrase {
            words,
            adjacent,
            typos,
            exactness,
        });
    }

    /// Stems whose positions stand for this unit's occurrences (proximity): its own,
    /// those of its expansions, and the first (or, with `last`, the last) word of
    /// each phrase; the first `limit` of them, without repeats. In that order (the
    /// word as typed first, then expansions the most frequent first), and stemmed
    /// only as far as needed: a unit can have dozens of expansions, and stemming
    /// them all to keep a few was a twentieth of a two-word query at three times
    /// roadmap.sh's size.
    pub fn position_stems(&self, last: bool, limit: usize) -> Vec<String> {
        let own = self.stems.iter().map(|t| t.word.clone());
        let phrases = self.phrases.iter().filter_map(|p| {
            let w = if last {
                p.words.last()
            } else {
                p.words.first()
            };
            w.map(|w| stem(w))
        });
        let terms = self.terms.iter().map(|t| stem(&t.word));
        let mut out: Vec<String> = Vec::new();
        for s in own.chain(phrases).chain(terms) {
            if out.len() >= limit {
                break;
            }
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub units: Vec<Unit>,
    /// All query words normalized and joined.
    pub normalized: String,
    /// Match every unit in titles only: the query holds nothing but stop words
    /// (`what is`, `how does the i`), as a search box sends it on the way to a
    /// question. Such words stand in every body; matched there they say nothing about
    /// a document and made these keystrokes the costliest of a question typed out
    /// (every document a candidate, the positions of each read for proximity), while a
    /// title holding them is likely the question being typed. When no title (of the
    /// kinds and roadmaps asked for) holds them, the search turns this off and matches
    /// them everywhere after all.
    pub titles_only: bool,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// First letters of every stem: a word can only stem to one of them if it starts
    /// with the same letters (English stemming cuts suffixes), so words that do not
    /// are never stemmed. Stemming every word of every hit was the largest cost of a
    /// search.
    pub fn stem_heads(&self) -> Vec<String> {
        let mut heads: Vec<String> = self
            .units
            .iter()
            .flat_map(|u| u.stem_set.iter())
            .map(|s| s.chars().take(3).collect())
            .collect();
        heads.sort();
        heads.dedup();
        heads
    }
}

/// The query's words cut into units: synonym terms (longest first), joined pairs,
/// single words; stop words dropped when something else is left.
fn segment(words: &[String], synonyms: &Synonyms, lexicon: &dyn Lexicon) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut i = 0;
    while i < words.len() && units.len() < MAX_UNITS {
        let mut unit = Unit::default();
        // Two words that a synonym term writes as one (`node js` for `nodejs`, `vue
        // js`) are that term, unless a longer term starts here: without this, `node`
        // and `js` would each expand on their own and name nothing together.
        let synonym = synonyms.match_at(words, i);
        if synonym.as_ref().is_none_or(|(len, _)| *len < 2)
            && let Some(next) = words.get(i + 1)
            && let Some((1, group)) = synonyms.match_at(&[format!("{}{next}", words[i])], 0)
        {
            unit.words = vec![words[i].clone(), next.clone()];
            unit.add_phrase(unit.words.clone(), true, 0, Exactness::Exact);
            for term in group {
                unit.add_phrase(term, true, 0, Exactness::Exact);
            }
            units.push(unit);
            i += 2;
            continue;
        }
        if let Some((len, group)) = synonym {
            let span = words[i..i + len].to_vec();
            unit.words = span.clone();
            unit.add_phrase(span.clone(), true, 0, Exactness::Exact);
            // A group's terms are declared equivalents ("vuejs" is "vue"): each is as
            // exact as the word typed, or a roadmap named by a nickname would lose to
            // a topic holding the nickname itself.
            for term in group.into_iter().filter(|t| *t != span) {
                unit.add_phrase(term, true, 0, Exactness::Exact);
            }
            units.push(unit);
            i += len;
            continue;
        }
        let word = &words[i];
        if let Some(next) = words.get(i + 1) {
            let joined = format!("{word}{next}");
            if !is_stopword(word)
                && !is_stopword(next)
                && synonyms.match_at(words, i + 1).is_none()
                && lexicon.contains(&joined)
            {
                unit.words = vec![word.clone(), next.clone()];
                unit.add_phrase(unit.words.clone(), true, 0, Exactness::Exact);
                unit.add_phrase(vec![joined], true, 0, Exactness::Derived);
                unit.add_phrase(unit.words.clone(), false, 0, Exactness::Derived);
                units.push(unit);
                i += 2;
                continue;
            }
        }
        unit.words = vec![word.clone()];
        unit.add_phrase(vec![word.clone()], true, 0, Exactness::Exact);
        units.push(unit);
        i += 1;
    }
    let content: Vec<Unit> = units
        .iter()
        .filter(|u| !(u.words.len() == 1 && is_stopword(&u.words[0])))
        .cloned()
        .collect();
    if content.is_empty() { units } else { content }
}

/// The most likely way to read `word` as two indexed words written together.
fn split(word: &str, lexicon: &dyn Lexicon) -> Option<(String, String)> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 * MIN_SPLIT_PART || !chars.iter().all(|c| c.is_alphanumeric()) {
        return None;
    }
    let mut best: Option<(u64, String, String)> = None;
    for at in MIN_SPLIT_PART..=chars.len() - MIN_SPLIT_PART {
        let a: String = chars[..at].iter().collect();
        let b: String = chars[at..].iter().collect();
        if is_stopword(&a) || is_stopword(&b) {
            continue;
        }
        // The pair's frequency is the smaller of two: when the first half alone
        // cannot beat the best pair so far, the second is not looked up (each is a
        // dictionary look-up in two fields, for every cut of every word typed).
        let beaten = best.as_ref().map_or(0, |x| x.0);
        let fa = lexicon.doc_freq(&a);
        if fa <= beaten {
            continue;
        }
        let freq = fa.min(lexicon.doc_freq(&b));
        if freq > beaten {
            best = Some((freq, a, b));
        }
    }
    best.map(|(_, a, b)| (a, b))
}

/// Plans a query: units, and for each what it matches in `lexicon`.
pub fn plan(q: &str, synonyms: &Synonyms, lexicon: &dyn Lexicon) -> Plan {
    let q: String = q.chars().take(MAX_QUERY_CHARS).collect();
    let words = query_words(&q);
    let typing = !q.ends_with(char::is_whitespace);
    let mut units = segment(&words, synonyms, lexicon);
    let count = units.len();
    for (n, unit) in units.iter_mut().enumerate() {
        // Only the very last word of the text can be unfinished.
        unit.prefix =
            typing && n + 1 == count && unit.words.len() == 1 && words.last() == unit.words.last();
        if unit.words.len() != 1 {
            continue;
        }
        let word = unit.words[0].clone();
        let budget = typo_budget(&word);
        if unit.prefix {
            let titles_only = word.chars().count() < MIN_BODY_PREFIX;
            for w in lexicon.completions(&word, titles_only, MAX_EXPANSIONS) {
                unit.add_term_in(w, 0, Exactness::Prefix, titles_only && count == 1);
            }
        }
        if budget > 0 {
            let (whole, completed) = if unit.prefix {
                lexicon.corrections_and_completions(&word, budget)
            } else {
                (lexicon.corrections(&word, budget, false), Vec::new())
            };
            for (w, typos) in whole {
                unit.add_term(w, typos, Exactness::Derived);
            }
            for (w, typos) in completed {
                unit.add_term(w, typos, Exactness::PrefixTypo);
            }
        }
        // The word being typed may be complete already: split it too.
        if let Some((a, b)) = split(&word, lexicon) {
            unit.add_phrase(vec![a, b], true, 1, Exactness::Derived);
        }
    }
    let normalized = units
        .iter()
        .map(|u| u.words.join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    // Stop words are left only when nothing else is ([`segment`]).
    let titles_only = units
        .iter()
        .all(|u| u.words.len() == 1 && is_stopword(&u.words[0]));
    Plan {
        units,
        normalized,
        titles_only,
    }
}

/// The typos of `typed` standing for the indexed `word`, if at most `max`: their
/// [`distance`], where a typo on the first letter counts as two, as Meilisearch
/// counts it. People rarely mistype a word's first letter, and a first letter that
/// must match lets a correction look at one branch of a dictionary instead of all
/// of it (planning's largest cost: [`Lexicon::corrections`]).
pub fn typos(typed: &str, word: &str, max: u8, prefix: bool) -> Option<u8> {
    let d = distance(typed, word, max, prefix)?;
    let d = if typed.chars().next() == word.chars().next() {
        d
    } else {
        d.saturating_add(1)
    };
    (d <= max).then_some(d)
}

/// Levenshtein distance with transpositions (optimal string alignment) if at most
/// `max`; with `prefix`, the distance of `typed` to the closest prefix of `word`.
pub fn distance(typed: &str, word: &str, max: u8, prefix: bool) -> Option<u8> {
    // Words this short (all but freak ones) are compared in buffers on the stack: a
    // typo walk's few hundred candidates a query cost five allocations each.
    const SHORT: usize = 32;
    let (n, m) = (typed.chars().count(), word.chars().count());
    if !prefix && n.abs_diff(m) > usize::from(max) {
        return None;
    }
    if n <= SHORT && m <= SHORT {
        let (mut a, mut b) = (['\0'; SHORT], ['\0'; SHORT]);
        for (x, c) in a.iter_mut().zip(typed.chars()) {
            *x = c;
        }
        for (x, c) in b.iter_mut().zip(word.chars()) {
            *x = c;
        }
        let mut rows = [0usize; 3 * (SHORT + 1)];
        osa(&a[..n], &b[..m], max, prefix, &mut rows)
    } else {
        let a: Vec<char> = typed.chars().collect();
        let b: Vec<char> = word.chars().collect();
        osa(&a, &b, max, prefix, &mut vec![0; 3 * (m + 1)])
    }
}

/// [`distance`] of `a` and `b`, with `rows` (at least three times `b`'s length
/// plus one) to work in.
fn osa(a: &[char], b: &[char], max: u8, prefix: bool, rows: &mut [usize]) -> Option<u8> {
    let max = max as usize;
    let (n, m) = (a.len(), b.len());
    let (prev2, rest) = rows.split_at_mut(m + 1);
    let (prev, rest) = rest.split_at_mut(m + 1);
    let (mut prev2, mut prev, mut cur) = (prev2, prev, &mut rest[..m + 1]);
    prev2.fill(0);
    for (j, x) in prev.iter_mut().enumerate() {
        *x = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = if prefix {
        prev.iter().copied().min().unwrap_or(usize::MAX)
    } else {
        prev[m]
    };
    (d <= max).then_some(d as u8)
}

/// A [`Lexicon`] over a word list, for tests and small tools.
#[derive(Debug, Default, Clone)]
pub struct WordList {
    /// Word → document frequency; `titles` holds the title words.
    pub words: HashMap<String, u64>,
    pub titles: HashSet<String>,
}

impl WordList {
    pub fn new(titles: &[&str], body: &[&str]) -> WordList {
        let mut out = WordList::default();
        for w in titles.iter().chain(body) {
            *out.words.entry(w.to_string()).or_default() += 1;
        }
        out.titles = titles.iter().map(|w| w.to_string()).collect();
        out
    }
}

impl Lexicon for WordList {
    fn contains(&self, word: &str) -> bool {
        self.words.contains_key(word)
    }

    fn doc_freq(&self, word: &str) -> u64 {
        self.words.get(word).copied().unwrap_or(0)
    }

    fn completions(&self, prefix: &str, titles_only: bool, max: usize) -> Vec<String> {
        let mut out: Vec<(&String, u64)> = self
            .words
            .iter()
            .filter(|(w, _)| w.starts_with(prefix) && w.as_str() != prefix)
            .filter(|(w, _)| !titles_only || self.titles.contains(*w))
            .map(|(w, f)| (w, *f))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out.into_iter().take(max).map(|(w, _)| w.clone()).collect()
    }

    fn corrections(&self, word: &str, max_typos: u8, prefix: bool) -> Vec<(String, u8)> {
        let find = |titles: bool| {
            let mut out: Vec<(String, u8)> = self
                .words
                .keys()
                .filter(|w| w.as_str() != word && self.titles.contains(*w) == titles)
                .filter_map(|w| typos(word, w, max_typos, prefix).map(|d| (w.clone(), d)))
                .filter(|(_, d)| *d > 0)
                .collect();
            out.sort();
            out
        };
        let titles = find(true);
        if titles.is_empty() {
            find(false)
        } else {
            titles
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> WordList {
        WordList::new(
            &[
                "kubernetes",
                "kuberenetes",
                "react",
                "reactor",
                "devops",
                "front",
            ],
            &[
                "end", "frontend", "dev", "ops", "node", "js", "nodejs", "data", "base",
            ],
        )
    }

    fn plan_of(q: &str) -> Plan {
        plan(
            q,
            &Synonyms::new(&[vec!["k8s".into(), "kubernetes".into()]]),
            &lex(),
        )
    }

    #[test]
    fn a_one_or_two_letter_query_completes_in_titles_only() {
        let titles_only = |q: &str, w: &str| {
            let p = plan_of(q);
            p.units
                .last()
                .and_then(|u| u.term(w))
                .map(|t| t.titles_only)
        };
        assert_eq!(titles_only("r", "react"), Some(true));
        assert_eq!(titles_only("re", "reactor"), Some(true));
        // From three letters, and after another word, everywhere.
        assert_eq!(titles_only("rea", "react"), Some(false));
        assert_eq!(titles_only("front r", "react"), Some(false));
        // The word as typed is matched everywhere.
        assert_eq!(titles_only("js", "js"), Some(false));
    }

    #[test]
    fn typos_are_counted_per_correction() {
        let p = plan_of("kuberntes ");
        let u = &p.units[0];
        assert_eq!(u.term("kubernetes").map(|t| t.typos), Some(1));
        assert_eq!(u.term("kuberenetes").map(|t| t.typos), Some(2));
        assert!(!u.prefix);
    }

    #[test]
    fn the_last_word_is_a_prefix_unless_followed_by_a_space() {
        let p = plan_of("reac");
        let u = &p.units[0];
        assert!(u.prefix);
        assert_eq!(
            u.term("react").map(|t| t.exactness),
            Some(Exactness::Prefix)
        );
        let p = plan_of("reac ");
        assert!(p.units[0].term("react").is_none());
        // A correction that is also a completion is a prefix-typo, worse than both.
        let p = plan_of("reactt");
        let u = &p.units[0];
        assert_eq!(
            u.term("react").map(|t| (t.typos, t.exactness)),
            Some((1, Exactness::Derived))
        );
        assert_eq!(
            u.term("reactor").map(|t| (t.typos, t.exactness)),
            Some((1, Exactness::PrefixTypo))
        );
    }

    #[test]
    fn synonyms_are_as_exact_as_the_word_typed() {
        let p = plan_of("k8s ");
        let u = &p.units[0];
        assert_eq!(u.term("k8s").map(|t| t.exactness), Some(Exactness::Exact));
        assert_eq!(
            u.term("kubernetes").map(|t| t.exactness),
            Some(Exactness::Exact)
        );
    }

    #[test]
    fn two_words_a_synonym_writes_as_one_are_that_synonym() {
        let synonyms = Synonyms::new(&[
            vec!["node.js".into(), "nodejs".into(), "node".into()],
            vec!["js".into(), "javascript".into()],
            vec!["c sharp".into(), "c#".into()],
        ]);
        // `node` and `js` each have synonyms of their own, but together they are
        // `nodejs`: one unit with the whole group.
        let p = plan("node js ", &synonyms, &lex());
        assert_eq!(p.units.len(), 1, "{:?}", p.units);
        let u = &p.units[0];
        assert_eq!(u.words, ["node", "js"]);
        assert!(u.term("nodejs").is_some());
        assert!(u.raw.contains("node.js"));
        assert!(u.term("javascript").is_none());
        // Apart, or followed by another word, each keeps its own.
        let p = plan("js node ", &synonyms, &lex());
        assert_eq!(p.units.len(), 2);
        assert!(p.units[0].term("javascript").is_some());
        // A longer term starting at the first word wins over joining.
        let p = plan("c sharp ", &synonyms, &lex());
        assert_eq!(p.units.len(), 1);
        assert!(p.units[0].raw.contains("c#"));
    }

    #[test]
    fn joined_and_split_words() {
        // Two words written apart match the joined word, the phrase, or both words.
        let p = plan_of("dev ops ");
        assert_eq!(p.units.len(), 1);
        let u = &p.units[0];
        assert_eq!(u.words, ["dev", "ops"]);
        assert!(u.term("devops").is_some());
        assert!(
            u.phrases
                .iter()
                .any(|ph| ph.adjacent && ph.words == ["dev", "ops"])
        );
        assert!(u.phrases.iter().any(|ph| !ph.adjacent));
        // One word written together matches the two words as a phrase, as a typo.
        let p = plan_of("frontend ");
        let u = &p.units[0];
        let split = u
            .phrases
            .iter()
            .find(|ph| ph.words == ["front", "end"])
            .expect("split");
        assert!(split.adjacent);
        assert_eq!(split.typos, 1);
        // `node js` is joined to `nodejs`.
        assert_eq!(plan_of("node js ").units.len(), 1);
    }

    #[test]
    fn stop_words_go_unless_nothing_else_is_left() {
        let p = plan_of("what is react ");
        assert_eq!(p.normalized, "react");
        let p = plan_of("what is ");
        assert_eq!(p.units.len(), 2);
    }

    #[test]
    fn stop_words_alone_are_matched_in_titles_only() {
        assert!(plan_of("what is ").titles_only);
        assert!(plan_of("what is a").titles_only);
        assert!(plan_of("how does the i").titles_only);
        // Any other word carries the query, the stop words go.
        assert!(!plan_of("what is a r").titles_only);
        assert!(!plan_of("what is react").titles_only);
        assert!(!plan_of("kubernetes").titles_only);
    }

    #[test]
    fn distance_with_transpositions_and_prefixes() {
        assert_eq!(distance("javascirpt", "javascript", 1, false), Some(1));
        assert_eq!(distance("kuberntes", "kubernetes", 2, false), Some(1));
        assert_eq!(distance("kuberntes", "kuberenetes", 2, false), Some(2));
        assert_eq!(distance("react", "redux", 1, false), None);
        assert_eq!(distance("kubern", "kubernetes", 1, true), Some(0));
        assert_eq!(distance("kubren", "kubernetes", 1, true), Some(1));
        // Words longer than the stack buffers, and one on each side of them.
        let long = "pneumonoultramicroscopicsilicovolcanoconiosis";
        let swapped = "pneumonoultramicroscopicsilicovolcanoconoisis";
        assert_eq!(distance(swapped, long, 2, false), Some(1));
        assert_eq!(distance(&long[..20], long, 1, true), Some(0));
        assert_eq!(distance(&long[..33], &long[..32], 1, false), Some(1));
        assert_eq!(distance(&long[..31], &long[..32], 1, false), Some(1));
        assert_eq!(distance(&long[..30], &long[..33], 2, false), None);
    }

    #[test]
    fn a_typo_on_the_first_letter_counts_as_two() {
        assert_eq!(typos("kuberntes", "kubernetes", 1, false), Some(1));
        // A first letter replaced, left out or added.
        assert_eq!(typos("cubernetes", "kubernetes", 1, false), None);
        assert_eq!(typos("cubernetes", "kubernetes", 2, false), Some(2));
        assert_eq!(typos("ubernetes", "kubernetes", 2, false), Some(2));
        assert_eq!(typos("xkubernetes", "kubernetes", 2, false), Some(2));
        assert_eq!(typos("cuberntes", "kubernetes", 2, false), None);
        assert_eq!(typos("cachi", "machine", 1, true), None);
        assert_eq!(typos("cachi", "caching", 1, true), Some(0));
        // The same rule in planning: `rdbms` does not stand for `dbms`.
        let lex = WordList::new(&["dbms", "rdbms"], &[]);
        assert_eq!(
            lex.corrections("rdbmss", 1, false),
            vec![("rdbms".into(), 1)]
        );
        assert!(lex.corrections("xdbms", 1, false).is_empty());
    }
}
