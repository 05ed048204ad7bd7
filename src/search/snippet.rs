//! Snippets: the passage of a document that best shows why it matched, with the
//! matched words marked and everything else HTML-escaped.
//!
//! Tantivy's snippet generator marks only the query's own terms, so a match by
//! prefix, typo, synonym or stem would come back unmarked. Here a word is marked when
//! its normalized form is one of the words the query expanded to, or its stem is one
//! of the query's stems.

use std::cell::RefCell;

use rustc_hash::{FxHashMap, FxHashSet};

use super::analyzer::{for_each_word, stem};
use super::query::Plan;

/// How the matched words are wrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub pre: String,
    pub post: String,
}

impl Default for Highlight {
    fn default() -> Self {
        Highlight {
            pre: "<mark>".into(),
            post: "</mark>".into(),
        }
    }
}

/// Target length of a snippet, in characters.
const SNIPPET_CHARS: usize = 200;
/// How far into a text a matched word is looked for (a fast multi-pattern scan); a
/// word found only further on gives the start of the text as snippet.
const SCAN_BYTES: usize = 1 << 20;
/// How much of a text is tokenized when the fast scan found nothing (a match only
/// accent folding or stemming explains).
const TOKENIZE_BYTES: usize = 16 << 10;

/// Appends `s` HTML-escaped: the runs between special characters are copied whole
/// (a character at a time was a tenth of a snippet's cost).
fn escape(s: &str, out: &mut String) {
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // ASCII bytes are character boundaries.
        out.push_str(&s[run..i]);
        out.push_str(entity);
        run = i + 1;
    }
    out.push_str(&s[run..]);
}

/// What a word of a hit's text is compared with: every unit's words and stems in
/// one set each, and the stems' first letters (a word whose beginning is none of
/// them cannot stem to a query stem, and is not stemmed). One hash per word instead
/// of one per unit: this check runs for every word of every snippet's window.
struct Words<'a> {
    raw: FxHashSet<&'a str>,
    stems: FxHashSet<&'a str>,
    heads: Vec<String>,
    /// Whether a word that begins with a stem's first letters stems to a query
    /// stem, for the words already stemmed: the hits of one query share most of
    /// their words (the query's own, in every hit), and stemming each again was a
    /// tenth of a snippet's cost. One query's snippets only, so bounded by the words
    /// of its page's texts.
    stemmed: RefCell<FxHashMap<Box<str>, bool>>,
}

impl<'a> Words<'a> {
    fn new(plan: &'a Plan) -> Words<'a> {
        Words {
            raw: plan
                .units
                .iter()
                .flat_map(|u| u.raw.iter().map(String::as_str))
                .collect(),
            stems: plan
                .units
                .iter()
                .flat_map(|u| u.stem_set.iter().map(String::as_str))
                .collect(),
            heads: plan.stem_heads(),
            stemmed: RefCell::default(),
        }
    }

    fn matches(&self, word: &str) -> bool {
        if self.raw.contains(word) {
            return true;
        }
        if !self.heads.iter().any(|h| word.starts_with(h.as_str())) {
            return false;
        }
        if let Some(&known) = self.stemmed.borrow().get(word) {
            return known;
        }
        let matched = self.stems.contains(stem(word).as_str());
        self.stemmed.borrow_mut().insert(word.into(), matched);
        matched
    }

    /// Appends the byte ranges of `text` that match the plan, shifted by `offset`,
    /// in order and non-overlapping (with what `out` already holds, which ends
    /// before `text` starts).
    fn ranges_into(&self, text: &str, offset: usize, out: &mut Vec<(usize, usize)>) {
        for_each_word(text, |from, to, word| {
            if self.matches(word) {
                let (from, to) = (from + offset, to + offset);
                match out.last_mut() {
                    // A compound and its parts share offsets: merge overlaps.
                    Some(last) if from < last.1 => last.1 = last.1.max(to),
                    _ => out.push((from, to)),
                }
            }
        });
    }

    /// Byte ranges of `text` that match the plan, in order, non-overlapping.
    fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.ranges_into(text, 0, &mut out);
        out
    }
}

impl Words<'_> {
    /// [`Self::ranges`] of an ASCII `text`, tokenizing only the whitespace-separated
    /// chunks where `finder` (the query's words and stems' first letters) matches:
    /// tokenizing every word of each hit's window was most of a snippet's cost, and
    /// a window holds a few matched words among a hundred. The same ranges: a word
    /// the plan matches is, lowercased, one of its words or begins with a stem's
    /// first letters, so a needle match starts at it or covers its start, and needles
    /// hold no whitespace, so that match lies in the word's chunk; the tokenizer
    /// never joins across whitespace, so a chunk reads as it does in its text.
    /// (Not for other text: accent folding matches words no needle spells.)
    fn ranges_at_needles(&self, finder: &Finder, text: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut from = 0;
        while let Some((m_start, m_end)) = finder.find_from(text, from) {
            let start = text[..m_start]
                .rfind(|c: char| c.is_ascii_whitespace())
                .map_or(0, |i| i + 1);
            let end = text[m_end..]
                .find(|c: char| c.is_ascii_whitespace())
                .map_or(text.len(), |i| m_end + i);
            self.ranges_into(&text[start..end], start, &mut out);
            // The rest of this chunk is read: the next match is looked for after it.
            from = end;
        }
        out
    }
}

/// A case-insensitive (ASCII) search for the needles of a query: its words and its
/// stems' first letters. Aho-Corasick's automaton took longer to build for a
/// query's dozen short needles (about 17 µs, a tenth of a whole query) than its
/// searches saved, since each query searches a few short texts; here the needles
/// are grouped by first byte, and a text is read byte by byte with one table
/// look-up each, comparing needles only where one may start.
struct Finder {
    /// The needles, ASCII-lowercased, sorted by first byte.
    needles: Vec<Box<[u8]>>,
    /// `needles[starts[b]..starts[b + 1]]` begin with byte `b` (lowercased).
    starts: Box<[u32; 257]>,
    /// The bytes a needle may start with, in either case, when there are at most
    /// three (a query of one word, or of words with one initial): the text is then
    /// searched for them with `memchr`, many bytes a step, instead of byte by byte
    /// (the first match lies a few hundred bytes into a hit's text on average).
    firsts: Option<Vec<u8>>,
    /// Whether a needle starts with each byte, in either case (else): one look-up
    /// per byte of text.
    starts_any: Box<[bool; 256]>,
}

impl Finder {
    /// `None` without needles.
    fn new(needles: &[&str]) -> Option<Finder> {
        let mut lowered: Vec<Box<[u8]>> = needles
            .iter()
            .filter(|n| !n.is_empty())
            .map(|n| n.to_ascii_lowercase().into_bytes().into_boxed_slice())
            .collect();
        if lowered.is_empty() {
            return None;
        }
        lowered.sort_unstable_by_key(|n| n[0]);
        let mut starts = Box::new([0u32; 257]);
        for n in &lowered {
            starts[usize::from(n[0]) + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let mut firsts: Vec<u8> = lowered
            .iter()
            .flat_map(|n| [n[0], n[0].to_ascii_uppercase()])
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        let mut starts_any = Box::new([false; 256]);
        for &b in &firsts {
            starts_any[usize::from(b)] = true;
        }
        Some(Finder {
            needles: lowered,
            starts,
            firsts: (firsts.len() <= 3).then_some(firsts),
            starts_any,
        })
    }

    /// The needle starting at byte `i` of `bytes`, if any.
    fn needle_at(&self, bytes: &[u8], i: usize) -> Option<usize> {
        let first = usize::from(bytes[i].to_ascii_lowercase());
        let (lo, hi) = (self.starts[first] as usize, self.starts[first + 1] as usize);
        let rest = &bytes[i..];
        self.needles[lo..hi]
            .iter()
            .find(|n| rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n))
            .map(|n| n.len())
    }

    /// The leftmost needle match starting at or after byte `from` (a character
    /// boundary) of `text`, as a byte range.
    fn find_from(&self, text: &str, from: usize) -> Option<(usize, usize)> {
        let bytes = text.as_bytes();
        let tail = bytes.get(from..)?;
        let at = |i: usize| self.needle_at(bytes, i).map(|len| (i, i + len));
        match self.firsts.as_deref() {
            Some(&[a]) => memchr::memchr_iter(a, tail).find_map(|i| at(from + i)),
            Some(&[a, b]) => memchr::memchr2_iter(a, b, tail).find_map(|i| at(from + i)),
            Some(&[a, b, c]) => memchr::memchr3_iter(a, b, c, tail).find_map(|i| at(from + i)),
            _ => (from..bytes.len())
                .filter(|&i| self.starts_any[usize::from(bytes[i])])
                .find_map(at),
        }
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Snippets of the hits of one query: what can be prepared once per query (the
/// stems' first letters, a case-insensitive multi-word finder) is.
pub struct Snippets<'a> {
    hl: &'a Highlight,
    words: Words<'a>,
    finder: Option<Finder>,
}

impl<'a> Snippets<'a> {
    pub fn new(plan: &'a Plan, hl: &'a Highlight) -> Snippets<'a> {
        let words = Words::new(plan);
        let mut needles: Vec<&str> = words
            .raw
            .iter()
            .copied()
            .chain(words.heads.iter().map(String::as_str))
            .filter(|n| !n.is_empty())
            .collect();
        needles.sort_unstable();
        needles.dedup();
        // Only where the first match starts counts: a needle that begins with another
        // needle matches nowhere that one does not match first (`d` before `docker`),
        // so it only costs building time. Sorted, such a needle follows its prefix
        // or another needle beginning with that prefix.
        let mut kept: Vec<&str> = Vec::with_capacity(needles.len());
        for n in needles {
            let lower = n.to_ascii_lowercase();
            let dominated = kept
                .iter()
                .rev()
                .take_while(|k| lower.as_bytes().first() == k.as_bytes().first())
                .any(|k| lower.starts_with(&k.to_ascii_lowercase()));
            if !dominated {
                kept.push(n);
            }
        }
        let finder = Finder::new(&kept);
        Snippets { hl, words, finder }
    }

    /// The best passage of `text`: the window of about [`SNIPPET_CHARS`] holding the
    /// most distinct matched words; the start of the text when nothing in it matched
    /// (a match on the title alone).
    pub fn snippet(&self, text: &str) -> String {
        let hl = self.hl;
        let text = text.trim();
        if text.is_empty() {
            return String::new();
        }
        // Tokenizing a whole guide for every hit was most of a query's time: find
        // the first place a matched word can start with a case-insensitive
        // multi-pattern search and tokenize only around it (the whole text when
        // nothing is found that way, e.g. a match only accent folding explains).
        // Both scans are bounded: a huge topic (tens of MB) matched by its title
        // would otherwise be read whole for every search that shows it.
        let first = self
            .finder
            .as_ref()
            .and_then(|f| f.find_from(&text[..floor_char(text, SCAN_BYTES)], 0))
            .map(|(start, _)| start);
        let (from, to) = match first {
            // The passage starts at most 40 characters before its first match.
            Some(p) => (
                floor_char(text, p.saturating_sub(60)),
                floor_char(text, p + 2 * SNIPPET_CHARS),
            ),
            None => (0, floor_char(text, TOKENIZE_BYTES)),
        };
        let window = &text[from..to];
        let local = match &self.finder {
            // Where the finder found a needle, only the words around its matches.
            Some(finder) if first.is_some() && window.is_ascii() => {
                self.words.ranges_at_needles(finder, window)
            }
            // Nowhere: no word of an ASCII window matches, for the reason
            // `ranges_at_needles` gives (a hit matched by its title alone, whose
            // whole text was tokenized for nothing).
            Some(_) if first.is_none() && window.is_ascii() => Vec::new(),
            _ => self.words.ranges(window),
        };
        let mut ranges = local;
        for r in &mut ranges {
            *r = (r.0 + from, r.1 + from);
        }
        let mut best = (0usize, 0usize); // (start byte, matches)
        // The matched words lower-cased, one after another in one string.
        let mut lowered = String::new();
        let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for r in &ranges {
            let start = lowered.len();
            let word = &text[r.0..r.1];
            if word.is_ascii() {
                lowered.push_str(word);
                lowered[start..].make_ascii_lowercase();
            } else {
                lowered.extend(word.chars().flat_map(char::to_lowercase));
            }
            bounds.push((start, lowered.len()));
        }
        let mut distinct: Vec<&str> = Vec::new();
        for (i, r) in ranges.iter().enumerate() {
            let window_end = r.0 + SNIPPET_CHARS;
            distinct.clear();
            for (r2, &(a, b)) in ranges[i..].iter().zip(&bounds[i..]) {
                if r2.1 > window_end {
                    break;
                }
                let w = &lowered[a..b];
                if !distinct.contains(&w) {
                    distinct.push(w);
                }
            }
            if distinct.len() > best.1 {
                best = (r.0, distinct.len());
            }
        }
        // Start a little before the first match, at a word boundary.
        let mut start = if best.1 == 0 {
            0
        } else {
            floor_char(text, best.0.saturating_sub(40))
        };
        if start > 0
            && let Some(space) = text[start..best.0].find(char::is_whitespace)
        {
            start += space + 1;
        }
        let mut end = floor_char(text, start + SNIPPET_CHARS);
        if end < text.len()
            && let Some(space) = text[start..end].rfind(char::is_whitespace)
            && start + space > best.0
        {
            end = start + space;
        }
        let mut out = String::with_capacity(end - start + 64);
        if start > 0 {
            out.push('…');
        }
        let mut pos = start;
        for &(a, b) in &ranges {
            if a < start || b > end {
                continue;
            }
            escape(&text[pos..a], &mut out);
            out.push_str(&hl.pre);
            escape(&text[a..b], &mut out);
            out.push_str(&hl.post);
            pos = b;
        }
        escape(&text[pos..end], &mut out);
        if end < text.len() {
            out.push('…');
        }
        out.replace('\n', " ")
    }
}

/// The best passage of `text` for `plan`, marked with `hl` (one-off; a query's hits
/// share a [`Snippets`]).
pub fn snippet(text: &str, plan: &Plan, hl: &Highlight) -> String {
    Snippets::new(plan, hl).snippet(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::Unit;

    fn plan_of(words: &[&str]) -> Plan {
        let mut p = Plan::default();
        for w in words {
            let mut u = Unit::default();
            u.raw.insert(w.to_string());
            u.stem_set.insert(crate::search::analyzer::stem(w));
            p.units.push(u);
        }
        p
    }

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let s = snippet(
            "Use <b>Kubernetes</b> & friends",
            &plan_of(&["kubernetes"]),
            &Highlight::default(),
        );
        assert_eq!(
            s,
            "Use &lt;b&gt;<mark>Kubernetes</mark>&lt;/b&gt; &amp; friends"
        );
    }

    #[test]
    fn marks_stemmed_forms() {
        let s = snippet(
            "Caching saves time",
            &plan_of(&["cache"]),
            &Highlight::default(),
        );
        assert!(s.contains("<mark>Caching</mark>"), "{s}");
    }

    #[test]
    fn marks_stemmed_forms_of_short_stems_and_words_of_any_unit() {
        let plan = plan_of(&["go", "api"]);
        let s = snippet("Going to APIs, ago", &plan, &Highlight::default());
        assert_eq!(s, "<mark>Going</mark> to <mark>APIs</mark>, ago");
    }

    proptest::proptest! {
        /// Copying runs whole escapes as a character at a time did.
        #[test]
        fn escapes_as_character_by_character(text in "[a<>&\"'é\n ]{0,40}") {
            let mut expected = String::new();
            for c in text.chars() {
                match c {
                    '<' => expected.push_str("&lt;"),
                    '>' => expected.push_str("&gt;"),
                    '&' => expected.push_str("&amp;"),
                    '"' => expected.push_str("&quot;"),
                    '\'' => expected.push_str("&#39;"),
                    c => expected.push(c),
                }
            }
            let mut out = String::new();
            escape(&text, &mut out);
            proptest::prop_assert_eq!(out, expected);
        }

        /// Tokenizing only the chunks where the finder matches finds the ranges that
        /// tokenizing the whole text does: ASCII text of words, compounds, suffixes,
        /// dotted words and punctuation in any case, and plans of words, stems and
        /// compounds from the same pieces.
        #[test]
        fn reading_around_the_finder_s_matches_finds_every_range(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Node.js", "node", "js", "C++", "c", "CI/CD", "ci", ".NET", "net",
                    "Going", "go", "goes", "APIs", "api", "real-time", "time", "n+1",
                    "docker", "Dockerfile", "don't", "a", "an", "and", "x_y",
                ]),
                0..30,
            ),
            separators in proptest::collection::vec(
                proptest::sample::select(vec![" ", "  ", ", ", ". ", "\n", " (", ") ", "-", ".", "/"]),
                30,
            ),
            query in proptest::collection::vec(
                proptest::sample::select(vec![
                    "node.js", "node", "js", "c++", "ci/cd", "net", ".net", "go", "api",
                    "time", "real-time", "docker", "n+1", "a", "don't", "x",
                ]),
                1..4,
            ),
        ) {
            let text: String = pieces
                .iter()
                .zip(&separators)
                .flat_map(|(p, s)| [*p, *s])
                .collect();
            let plan = plan_of(&query);
            let hl = Highlight::default();
            let snippets = Snippets::new(&plan, &hl);
            if let Some(finder) = &snippets.finder {
                proptest::prop_assert_eq!(
                    snippets.words.ranges_at_needles(finder, &text),
                    snippets.words.ranges(&text)
                );
            }
        }
    }

    proptest::proptest! {
        /// The finder's match is the leftmost place where a needle starts, in any
        /// ASCII case, as comparing every needle at every position finds it.
        #[test]
        fn the_finder_finds_the_leftmost_needle_in_any_case(
            text in "[abcAB é.-]{0,40}",
            needles in proptest::collection::vec("[abcAé.-]{1,3}", 1..5),
            from in 0usize..40,
        ) {
            let refs: Vec<&str> = needles.iter().map(String::as_str).collect();
            let finder = Finder::new(&refs);
            proptest::prop_assert!(finder.is_some());
            let from = (0..=from.min(text.len()))
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let expected = (from..text.len()).find(|&i| {
                let rest = &text.as_bytes()[i..];
                refs.iter()
                    .any(|n| rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n.as_bytes()))
            });
            let found = finder.and_then(|f| f.find_from(&text, from));
            proptest::prop_assert_eq!(found.map(|(start, _)| start), expected);
            if let Some((start, end)) = found {
                let matched = &text.as_bytes()[start..end];
                proptest::prop_assert!(refs.iter().any(|n| matched.eq_ignore_ascii_case(n.as_bytes())));
            }
        }
    }

    #[test]
    fn a_text_none_of_whose_words_match_starts_its_snippet_unmarked() {
        let plan = plan_of(&["kubernetes"]);
        let hl = Highlight::default();
        // Matched by its title alone: the start of the text, escaped, unmarked.
        let s = snippet("Pods & <services>\nrun here", &plan, &hl);
        assert_eq!(s, "Pods &amp; &lt;services&gt; run here");
        // A word no needle spells, found by folding its accents: still marked.
        let s = snippet("Un café noir", &plan_of(&["cafe"]), &hl);
        assert_eq!(s, "Un <mark>café</mark> noir");
    }

    #[test]
    fn a_word_stemmed_once_answers_the_same_again() {
        let plan = plan_of(&["cache"]);
        let words = Words::new(&plan);
        for _ in 0..2 {
            assert!(words.matches("caching"));
            assert!(words.matches("cached"));
            assert!(!words.matches("cachet"));
            assert!(!words.matches("cat"));
        }
        let s = Snippets::new(&plan, &Highlight::default())
            .snippet("Caching is caching; cachet is not.");
        assert_eq!(
            s,
            "<mark>Caching</mark> is <mark>caching</mark>; cachet is not."
        );
    }

    #[test]
    fn a_huge_text_is_read_only_up_to_the_bounds() {
        let filler = "lorem ipsum dolor sit amet ".repeat(1_000_000);
        let plan = plan_of(&["kubernetes"]);
        // Far beyond the bounds: the start of the text, unmarked.
        let s = snippet(&format!("{filler}kubernetes"), &plan, &Highlight::default());
        assert!(s.starts_with("lorem") && !s.contains("<mark>"), "{s}");
        // Within them: found and marked.
        let s = snippet(
            &format!("intro kubernetes {filler}"),
            &plan,
            &Highlight::default(),
        );
        assert!(s.contains("<mark>kubernetes</mark>"), "{s}");
    }
}
