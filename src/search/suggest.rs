//! Completions for a search box: titles that the typed words begin, typo-tolerant,
//! one entry per distinct title.
//!
//! Titles are few (one per document) and short, so an in-memory scan of their
//! normalized words answers a keystroke in microseconds without touching the index.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::analyzer::{query_words, raw_tokens};
use super::documents::{DocMeta, Kind, RoadmapRef};
use super::query::typo_budget;
use super::synonyms::Synonyms;

/// One completion.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    #[schema(example = "Kubernetes")]
    pub title: String,
    pub kind: Kind,
    /// Roadmap › group › title of the first document with this title.
    #[schema(example = json!(["DevOps Engineer", "Containers", "Kubernetes"]))]
    pub breadcrumbs: Vec<String>,
    #[schema(example = "/v1/roadmaps/devops/topics/kubernetes")]
    pub path: String,
    pub roadmap: Option<RoadmapRef>,
    /// Other roadmaps where a document has the same title.
    pub also_in: Vec<RoadmapRef>,
}

/// A title as completions see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuggestWords {
    /// The title's words normalized and joined: titles with the same key are one
    /// completion.
    pub key: String,
    /// Normalized words of the title, parts of compounds included.
    pub words: Vec<String>,
}

impl SuggestWords {
    pub fn of(title: &str) -> SuggestWords {
        SuggestWords {
            key: query_words(title).join(" "),
            words: title_words(title),
        }
    }
}

struct Entry {
    meta: Arc<DocMeta>,
    also_in: Vec<RoadmapRef>,
    /// The title's words, as numbers in [`SuggestIndex::words`].
    words: Vec<u32>,
}

/// Titles ready for prefix matching.
/// Each distinct word of the titles is compared with a typed word once per
/// request, not once per title it appears in (typo distances are the cost).
#[derive(Default)]
pub struct SuggestIndex {
    entries: Vec<Entry>,
    words: Vec<Word>,
}

fn title_words(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw_tokens(title, true) {
        for w in query_words(&t.text) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// Levenshtein distance with transpositions (optimal string alignment), giving up
/// above `max`.
fn distance_within(a: &[char], b: &[char], max: u8, prefix: bool) -> bool {
    let max = max as usize;
    if !prefix && a.len().abs_diff(b.len()) > max {
        return false;
    }
    // A prefix of `b` within `max` edits of `a` is at most `max` longer than `a`.
    let b = if prefix && b.len() > a.len() + max {
        &b[..a.len() + max]
    } else {
        b
    };
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
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
            return false;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    if prefix {
        // `a` typed so far may be a prefix of `b`: the best cell of the last row.
        prev.iter().any(|&d| d <= max)
    } else {
        prev[m] <= max
    }
}

/// A typed word, ready to be compared with every word of the titles.
struct Typed<'a> {
    text: &'a str,
    chars: Vec<char>,
    budget: u8,
}

impl<'a> Typed<'a> {
    fn new(text: &'a str) -> Typed<'a> {
        Typed {
            text,
            chars: text.chars().collect(),
            budget: typo_budget(text),
        }
    }

    /// How well it matches one title word: 3 exact, 2 prefix, 1 typo.
    fn score(&self, word: &Word, last: bool) -> u8 {
        if self.text == word.text {
            return 3;
        }
        if last && word.text.starts_with(self.text) {
            return 2;
        }
        // A typo on the first letter counts as two, as in search
        // ([`super::query::typos`]).
        let budget = if self.chars.first() == word.chars.first() {
            self.budget
        } else {
            self.budget.saturating_sub(1)
        };
        if budget > 0 && distance_within(&self.chars, &word.chars, budget, last) {
            return 1;
        }
        0
    }
}

/// One distinct word of the titles.
struct Word {
    text: String,
    chars: Vec<char>,
}

impl SuggestIndex {
    pub fn build<'m>(metas: impl Iterator<Item = &'m Arc<DocMeta>>) -> SuggestIndex {
        // Deterministic: by kind (roadmaps first), then roadmap and path. The keys are
        // gathered first: a publication sorts 7,600 of them, and reaching into every
        // document at each comparison costs more than the comparisons.
        let mut metas: Vec<(Kind, &str, &Arc<DocMeta>)> = metas
            .filter(|m| !matches!(m.kind, Kind::Faq | Kind::Question))
            .filter(|m| !m.suggest.key.is_empty())
            .map(|m| (m.kind, &*m.path, m))
            .collect();
        metas.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let mut by_title: HashMap<&str, usize, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(metas.len(), Default::default());
        let mut entries: Vec<Entry> = Vec::with_capacity(metas.len());
        for (_, _, meta) in metas {
            match by_title.entry(meta.suggest.key.as_str()) {
                std::collections::hash_map::Entry::Occupied(i) => {
                    if let Some(r) = &meta.roadmap {
                        let e = &mut entries[*i.get()];
                        if e.meta.roadmap.as_ref() != Some(r) && !e.also_in.contains(r) {
                            e.also_in.push(RoadmapRef::clone(r));
                        }
                    }
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(entries.len());
                    entries.push(Entry {
                        meta: Arc::clone(meta),
                        also_in: Vec::new(),
                        words: Vec::new(),
                    });
                }
            }
        }
        let mut ids: HashMap<&str, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut words: Vec<Word> = Vec::new();
        for e in &mut entries {
            for w in &e.meta.suggest.words {
                let id = *ids.entry(w.as_str()).or_insert_with(|| {
                    words.push(Word {
                        text: w.clone(),
                        chars: w.chars().collect(),
                    });
                    (words.len() - 1) as u32
                });
                e.words.push(id);
            }
        }
        drop(ids);
        SuggestIndex { entries, words }
    }

    /// Up to `limit` completions of `q`, best first.
    pub fn suggest(&self, q: &str, synonyms: &Synonyms, limit: usize) -> Vec<Suggestion> {
        let typed: Vec<String> = query_words(q).into_iter().take(8).collect();
        if typed.is_empty() {
            return Vec::new();
        }
        let typing = !q.ends_with(char::is_whitespace);
        // Each typed word may also stand for its synonyms (`k8s` -> `kubernetes`).
        let alternatives: Vec<Vec<String>> = typed
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut alts = vec![w.clone()];
                if let Some((1, group)) = synonyms.match_at(&typed, i) {
                    for t in group {
                        if t.len() == 1 && !alts.contains(&t[0]) {
                            alts.push(t[0].clone());
                        }
                    }
                }
                alts
            })
            .collect();
        // Per typed word, the score of every distinct title word (0: no match).
        let scores: Vec<Vec<u8>> = alternatives
            .iter()
            .enumerate()
            .map(|(i, alts)| {
                let last = typing && i + 1 == alternatives.len();
                let typed: Vec<Typed> = alts.iter().map(|a| Typed::new(a)).collect();
                self.words
                    .iter()
                    .map(|w| typed.iter().map(|t| t.score(w, last)).max().unwrap_or(0))
                    .collect()
            })
            .collect();
        let mut scored: Vec<(u32, usize)> = Vec::new();
        'entries: for (ei, e) in self.entries.iter().enumerate() {
            let mut total: u32 = 0;
            for word_scores in &scores {
                let best = e
                    .words
                    .iter()
                    .map(|&w| word_scores[w as usize])
                    .max()
                    .unwrap_or(0);
                if best == 0 {
                    continue 'entries;
                }
                total += u32::from(best) * 10;
            }
            // Titles that start with what was typed, then shorter titles, then kind.
            if e.words.first().is_some_and(|&w| {
                alternatives[0]
                    .iter()
                    .any(|a| self.words[w as usize].text.starts_with(a.as_str()))
            }) {
                total += 15;
            }
            total += 10u32.saturating_sub(e.words.len() as u32);
            total += match e.meta.kind {
                Kind::Roadmap | Kind::BestPractice => 6,
                Kind::Topic => 4,
                Kind::Guide => 2,
                _ => 0,
            };
            scored.push((total, ei));
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, i)| {
                let e = &self.entries[i];
                Suggestion {
                    title: e.meta.title.to_string(),
                    kind: e.meta.kind,
                    breadcrumbs: e.meta.breadcrumbs.to_vec(),
                    path: e.meta.path.to_string(),
                    roadmap: e.meta.roadmap.as_deref().cloned(),
                    also_in: e.also_in.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_with_transpositions_and_prefixes() {
        let d = |a: &str, b: &str, max, prefix| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            distance_within(&a, &b, max, prefix)
        };
        assert!(d("javascirpt", "javascript", 1, false));
        assert!(d("kuberntes", "kubernetes", 1, false));
        assert!(!d("react", "redux", 1, false));
        assert!(d("kubern", "kubernetes", 1, true));
        assert!(d("kubren", "kubernetes", 1, true));
        assert!(!d("kbxrn", "kubernetes", 1, true));
    }

    #[test]
    fn a_typo_on_the_first_letter_counts_as_two() {
        let word = |t: &str| Word {
            text: t.to_string(),
            chars: t.chars().collect(),
        };
        assert_eq!(Typed::new("terrafrom").score(&word("terraform"), false), 1);
        assert_eq!(Typed::new("cerraform").score(&word("terraform"), false), 1);
        assert_eq!(Typed::new("docekr").score(&word("docker"), false), 1);
        assert_eq!(Typed::new("locker").score(&word("docker"), false), 0);
        assert_eq!(Typed::new("locke").score(&word("docker"), true), 0);
    }
}
