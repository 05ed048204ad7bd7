//! Synonyms and abbreviations (`k8s` = `kubernetes`): groups of equivalent terms,
//! each term possibly several words, from the content folder's `synonyms.yaml` or,
//! when the folder has none (a roadmap.sh checkout), the set shipped in `content/`.

use std::collections::HashMap;

use super::analyzer::query_words;

/// The default groups, the same file the project ships in `content/synonyms.yaml`.
const DEFAULT_SYNONYMS: &str = include_str!("../../content/synonyms.yaml");

/// Equivalence groups, tokenized the way queries are.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group: its terms, each term as query words.
    groups: Vec<Vec<Vec<String>>>,
    /// First word of a term -> (group, term) pairs, longest terms first.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

impl Synonyms {
    /// Builds the map from raw groups; falls back to the shipped defaults when
    /// `groups` is empty.
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let mut out = Synonyms::default();
        for group in effective(groups).iter() {
            let terms: Vec<Vec<String>> = group
                .iter()
                .map(|t| query_words(t))
                .filter(|w| !w.is_empty())
                .collect();
            if terms.len() < 2 {
                continue;
            }
            let gi = out.groups.len();
            for (ti, term) in terms.iter().enumerate() {
                out.by_first
                    .entry(term[0].clone())
                    .or_default()
                    .push((gi, ti));
            }
            out.groups.push(terms);
        }
        for list in out.by_first.values_mut() {
            let groups = &out.groups;
            list.sort_by_key(|&(g, t)| std::cmp::Reverse(groups[g][t].len()));
        }
        out
    }

    /// The longest synonym term starting at `words[at]`: its length in words and all
    /// the terms of its group (the matched one included).
    pub fn match_at(&self, words: &[String], at: usize) -> Option<(usize, Vec<Vec<String>>)> {
        let first = words.get(at)?;
        let candidates = self.by_first.get(first)?;
        for &(g, t) in candidates {
            let term = &self.groups[g][t];
            if words.len() >= at + term.len() && words[at..at + term.len()] == term[..] {
                return Some((term.len(), self.groups[g].clone()));
            }
        }
        None
    }
}

/// The groups a search applies: the content folder's, or the shipped defaults when
/// it has none. Public so that checks of what a synonym finds (the relevance tests)
/// read the same groups the index uses, not the catalog's often empty list.
pub fn effective(groups: &[Vec<String>]) -> std::borrow::Cow<'_, [Vec<String>]> {
    if groups.is_empty() {
        std::borrow::Cow::Owned(parse_default())
    } else {
        std::borrow::Cow::Borrowed(groups)
    }
}

fn parse_default() -> Vec<Vec<String>> {
    serde_yaml_ng::from_str::<Vec<Vec<String>>>(DEFAULT_SYNONYMS).unwrap_or_default()
}

/// Hash of the synonym groups in effect: part of the index manifest, because a
/// changed synonyms file changes what a query matches.
pub fn fingerprint(groups: &[Vec<String>]) -> String {
    let mut h = blake3::Hasher::new();
    if groups.is_empty() {
        h.update(DEFAULT_SYNONYMS.as_bytes());
    }
    for g in groups {
        for t in g {
            h.update(t.as_bytes());
            h.update(&[0]);
        }
        h.update(&[1]);
    }
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_longest_term_and_returns_group() {
        let s = Synonyms::new(&[
            vec!["k8s".into(), "kubernetes".into()],
            vec!["ci/cd".into(), "continuous integration".into()],
        ]);
        let words = query_words("continuous integration k8s");
        let (len, group) = s.match_at(&words, 0).expect("match");
        assert_eq!(len, 2);
        assert!(group.contains(&vec!["ci/cd".to_string()]));
        let (len, group) = s.match_at(&words, 2).expect("match");
        assert_eq!(len, 1);
        assert!(group.contains(&vec!["kubernetes".to_string()]));
    }
}
