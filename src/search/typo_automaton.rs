//! The automaton that walks a term dictionary for the words a typed word may stand
//! for: the words [`typos`](super::query::typos) allows, and no others.
//!
//! Tantivy's Levenshtein automata are complete DFAs: each build fills a 256-wide
//! transition row for every state of the word's automaton, about 290 k instructions
//! per word, and a search built two per word (the full budget for words with the
//! typed first letter, one typo less for the others): 7 % of a search's
//! instructions, more than the walks they drive. This one makes its states as the
//! walk reaches them and keeps each transition it computed, so a walk costs what it
//! visits; the first-letter rule is part of its state, so one automaton (one
//! transition per byte) serves both budgets.
//!
//! A state is the column of the edit-distance table (optimal string alignment: a
//! swap of two neighbours is one typo) between the typed word and the word read so
//! far, each cell capped at the budget + 1, with what a swap would cost at the next
//! letter, the smallest distance seen at the typed word's end (prefix walks accept a
//! word once some prefix of it is close), and whether the first letter matched.
//! Bytes are read in classes (each byte of the typed word its own, every other byte
//! by its UTF-8 role), so a row holds a dozen entries, not 256, and letters of
//! several bytes are read through intermediate states.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use tantivy_fst::Automaton;

/// A transition not computed yet.
const UNKNOWN: u32 = u32::MAX;
/// The state no word leads out of to a match.
const DEAD: u32 = 0;

/// Classes of the bytes that are not in the typed word, by their UTF-8 role.
const OTHER_ASCII: u8 = 0;
const OTHER_LEAD2: u8 = 1;
const OTHER_LEAD3: u8 = 2;
const OTHER_LEAD4: u8 = 3;
const OTHER_CONTINUATION: u8 = 4;
/// The first class of the typed word's own bytes.
const OWN: u8 = 5;

/// The class of a byte by its UTF-8 role alone.
fn role(b: u8) -> u8 {
    match b {
        0x80..=0xbf => OTHER_CONTINUATION,
        0xc0..=0xdf => OTHER_LEAD2,
        0xe0..=0xef => OTHER_LEAD3,
        0xf0..=0xf7 => OTHER_LEAD4,
        // ASCII, and the bytes never in UTF-8, each read as a letter.
        _ => OTHER_ASCII,
    }
}

/// Whether the first letter was read, and whether it was the typed one.
const FIRST_UNREAD: u8 = 0;
const FIRST_SAME: u8 = 1;
const FIRST_OTHER: u8 = 2;

/// First byte of a partial letter's encoding (a column's is its `first`).
const PARTIAL: u8 = 0xff;

/// Accepts the words within `max_typos` [`typos`](super::query::typos) of a typed
/// word (a first-letter typo counts as two), or, with `prefix`, the words one of
/// whose prefixes is.
pub struct TypoAutomaton {
    /// The typed word's letters.
    word: Vec<char>,
    /// Each distinct letter of the word, and where it stands in it (`m` flags).
    places: Vec<(char, Box<[bool]>)>,
    /// `m` flags, none set: where a letter not in the word stands.
    nowhere: Box<[bool]>,
    max_typos: u8,
    prefix: bool,
    /// Each byte's class.
    class: [u8; 256],
    /// The byte of each of the typed word's own classes (`class - OWN`).
    own_bytes: Vec<u8>,
    /// Classes per state: the stride of the transition table.
    classes: usize,
    states: RefCell<States>,
}

/// The states made so far, their transitions (`UNKNOWN` until computed) and
/// whether each matches and can still lead to a match.
///
/// A state is known by its encoding, which is also its key in `ids`: a column is
/// `[first, best_end, cells (m + 1), swaps (m + 1)]` (cells: the distance of each
/// prefix of the typed word to the word read so far; swaps: what a cell becomes
/// through a swap if the next letter is `word[i - 2]`; best_end: the smallest
/// distance of the whole typed word to a prefix read, for prefix walks), and a
/// letter of several bytes partly read is `[PARTIAL, column's id (4 bytes, LE),
/// bytes left, classes read]`. The dead state's is empty.
struct States {
    /// Each state's encoding, shared with `ids` (one allocation per state: a walk
    /// makes a few dozen states per query word).
    data: Vec<Rc<[u8]>>,
    table: Vec<u32>,
    matches: Vec<bool>,
    live: Vec<bool>,
    ids: FxHashMap<Rc<[u8]>, u32>,
    /// The encoding being made, kept to spare an allocation per transition.
    scratch: Vec<u8>,
}

impl TypoAutomaton {
    /// `None` for an empty word.
    pub fn new(word: &str, max_typos: u8, prefix: bool) -> Option<TypoAutomaton> {
        let letters: Vec<char> = word.chars().collect();
        if letters.is_empty() {
            return None;
        }
        let mut class = [0u8; 256];
        for (b, c) in (0..=u8::MAX).zip(class.iter_mut()) {
            *c = role(b);
        }
        let mut own_bytes: Vec<u8> = Vec::new();
        for &b in word.as_bytes() {
            if !own_bytes.contains(&b) {
                // UTF-8 uses 243 byte values at most: with the five classes of the
                // others, a class always fits in a byte.
                class[usize::from(b)] = OWN.checked_add(u8::try_from(own_bytes.len()).ok()?)?;
                own_bytes.push(b);
            }
        }
        let classes = usize::from(OWN) + own_bytes.len();
        let cap = max_typos.saturating_add(1);
        let m = letters.len();
        let mut start = vec![FIRST_UNREAD, cap];
        start.extend((0..=m).map(|i| i.min(usize::from(cap)) as u8));
        start.extend(std::iter::repeat_n(cap, m + 1));
        let mut places: Vec<(char, Box<[bool]>)> = Vec::new();
        for &l in &letters {
            if !places.iter().any(|(c, _)| *c == l) {
                places.push((l, letters.iter().map(|&c| c == l).collect()));
            }
        }
        let automaton = TypoAutomaton {
            places,
            nowhere: vec![false; m].into(),
            word: letters,
            max_typos,
            prefix,
            class,
            own_bytes,
            classes,
            states: RefCell::new(States {
                data: vec![Rc::from([])],
                table: vec![DEAD; classes],
                matches: vec![false],
                live: vec![false],
                ids: FxHashMap::default(),
                scratch: Vec::new(),
            }),
        };
        automaton.add(&mut automaton.states.borrow_mut(), &start);
        Some(automaton)
    }

    /// The id of the state encoded `key`, made if new (state 1 is the start).
    fn add(&self, states: &mut States, key: &[u8]) -> u32 {
        if let Some(&id) = states.ids.get(key) {
            return id;
        }
        let (matches, live) = if key.first() == Some(&PARTIAL) {
            (false, true)
        } else {
            self.judge(key)
        };
        if !live {
            return DEAD;
        }
        let id = states.data.len() as u32;
        let key: Rc<[u8]> = key.into();
        states.data.push(Rc::clone(&key));
        states
            .table
            .extend(std::iter::repeat_n(UNKNOWN, self.classes));
        states.matches.push(matches);
        states.live.push(live);
        states.ids.insert(key, id);
        id
    }

    /// The typo budget of words with this first letter (a first-letter typo counts
    /// as two), `None` when nothing is left.
    fn budget(&self, first: u8) -> Option<u8> {
        if first == FIRST_OTHER {
            self.max_typos.checked_sub(1)
        } else {
            Some(self.max_typos)
        }
    }

    /// Whether a column matches, and whether some word read further could.
    fn judge(&self, column: &[u8]) -> (bool, bool) {
        let m = self.word.len();
        let (first, best_end) = (column[0], column[1]);
        let cells = &column[2..m + 3];
        if first == FIRST_UNREAD {
            return (false, true);
        }
        let Some(budget) = self.budget(first) else {
            return (false, false);
        };
        let matches = if self.prefix {
            best_end <= budget
        } else {
            cells[m] <= budget
        };
        // A word read further is at least as far from the typed word as the closest
        // of its prefixes: nothing matches once every cell is over the budget.
        let closest = cells.iter().copied().min().unwrap_or(u8::MAX);
        (matches, matches || closest <= budget)
    }

    /// Writes to `out` the column after `column` reads `letter` (`None`: a letter
    /// not in the typed word).
    fn step(&self, column: &[u8], letter: Option<char>, out: &mut Vec<u8>) {
        let m = self.word.len();
        // Where the letter stands in the typed word.
        let eq: &[bool] = letter
            .and_then(|l| self.places.iter().find(|(c, _)| *c == l))
            .map_or(&self.nowhere, |(_, at)| at);
        let cells = &column[2..m + 3];
        let swaps = &column[m + 3..];
        let first = match column[0] {
            FIRST_UNREAD if eq[0] => FIRST_SAME,
            FIRST_UNREAD => FIRST_OTHER,
            known => known,
        };
        let cap = self.budget(first).map_or(0, |b| b.saturating_add(1));
        out.clear();
        out.resize(2 * m + 4, cap);
        out[0] = first;
        let (new_cells, new_swaps) = out[2..].split_at_mut(m + 1);
        let mut left = cells[0].saturating_add(1).min(cap);
        new_cells[0] = left;
        for i in 1..=m {
            let substitute = cells[i - 1].saturating_add(u8::from(!eq[i - 1]));
            let mut v = cells[i]
                .saturating_add(1)
                .min(left.saturating_add(1))
                .min(substitute);
            if i >= 2 && eq[i - 2] {
                v = v.min(swaps[i]);
            }
            left = v.min(cap);
            new_cells[i] = left;
        }
        for i in 2..=m {
            if eq[i - 1] {
                new_swaps[i] = cells[i - 2].saturating_add(1).min(cap);
            }
        }
        out[1] = if self.prefix {
            column[1].min(left).min(cap)
        } else {
            cap
        };
    }

    /// The letter the bytes of `classes` spell, if it is one of the typed word's.
    fn letter_of(&self, classes: &[u8]) -> Option<char> {
        let mut bytes = [0u8; 4];
        for (b, &c) in bytes.iter_mut().zip(classes) {
            *b = *self.own_bytes.get(usize::from(c.checked_sub(OWN)?))?;
        }
        let letter = std::str::from_utf8(bytes.get(..classes.len())?)
            .ok()?
            .chars()
            .next()?;
        self.word.contains(&letter).then_some(letter)
    }

    /// How many continuation bytes follow a byte of class `class` (`None`: it is one).
    fn follows(&self, class: u8) -> Option<u8> {
        let role = match class.checked_sub(OWN) {
            Some(own) => role(*self.own_bytes.get(usize::from(own))?),
            None => class,
        };
        match role {
            OTHER_LEAD2 => Some(1),
            OTHER_LEAD3 => Some(2),
            OTHER_LEAD4 => Some(3),
            OTHER_CONTINUATION => None,
            _ => Some(0),
        }
    }

    /// The transition from `state` on a byte of class `class`.
    fn transition(&self, states: &mut States, state: u32, class: u8) -> u32 {
        let follows = self.follows(class);
        let mut key = std::mem::take(&mut states.scratch);
        key.clear();
        let data = &states.data[state as usize];
        let made = match data.first() {
            None => false,
            Some(&PARTIAL) => {
                let from = u32::from_le_bytes([data[1], data[2], data[3], data[4]]);
                let left = data[5];
                if follows.is_some() {
                    false
                } else if left > 1 {
                    key.extend_from_slice(&data[..5]);
                    key.push(left - 1);
                    key.extend_from_slice(&data[6..]);
                    key.push(class);
                    true
                } else {
                    let mut read = [0u8; 4];
                    let n = data.len() - 6;
                    read[..n].copy_from_slice(&data[6..]);
                    read[n] = class;
                    let letter = self.letter_of(&read[..=n]);
                    self.step(&states.data[from as usize], letter, &mut key);
                    true
                }
            }
            Some(_) => match follows {
                None => false,
                Some(0) => {
                    self.step(data, self.letter_of(&[class]), &mut key);
                    true
                }
                Some(left) => {
                    key.push(PARTIAL);
                    key.extend_from_slice(&state.to_le_bytes());
                    key.push(left);
                    key.push(class);
                    true
                }
            },
        };
        let next = if made { self.add(states, &key) } else { DEAD };
        states.scratch = key;
        next
    }
}

impl Automaton for TypoAutomaton {
    type State = u32;

    fn start(&self) -> u32 {
        1
    }

    fn is_match(&self, state: &u32) -> bool {
        self.states.borrow().matches[*state as usize]
    }

    fn can_match(&self, state: &u32) -> bool {
        self.states.borrow().live[*state as usize]
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        let class = self.class[usize::from(byte)];
        let at = *state as usize * self.classes + usize::from(class);
        let mut states = self.states.borrow_mut();
        let known = states.table[at];
        if known != UNKNOWN {
            return known;
        }
        let next = self.transition(&mut states, *state, class);
        states.table[at] = next;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::typos;
    use tantivy_fst::{IntoStreamer, Streamer};

    fn walk(word: &str, max_typos: u8, prefix: bool, dictionary: &[&str]) -> Vec<String> {
        let automaton = TypoAutomaton::new(word, max_typos, prefix).unwrap();
        let mut sorted = dictionary.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let map = tantivy_fst::Map::from_iter(sorted.iter().map(|w| (*w, 0))).unwrap();
        let mut stream = map.search(&automaton).into_stream();
        let mut found = Vec::new();
        while let Some((w, _)) = stream.next() {
            found.push(String::from_utf8(w.to_vec()).unwrap());
        }
        found
    }

    #[test]
    fn finds_typos_swaps_and_prefixes_and_counts_a_first_letter_typo_as_two() {
        let dictionary = [
            "java",
            "javascript",
            "javascripts",
            "kavascript",
            "typescript",
        ];
        let found = walk("javascirpt", 2, false, &dictionary);
        assert!(found.contains(&"javascript".to_string()), "{found:?}");
        // A typo on the first letter and a swap: three typos.
        assert!(!found.contains(&"kavascript".to_string()), "{found:?}");
        assert!(!found.contains(&"java".to_string()), "{found:?}");
        let found = walk("javscr", 1, true, &dictionary);
        assert_eq!(found, ["javascript", "javascripts"]);
        assert!(TypoAutomaton::new("", 1, true).is_none());
        // A word of every byte value UTF-8 uses (ASCII, every lead byte, every
        // continuation byte) still has a class per byte.
        let every: String = (0u32..0x80)
            .chain(0x80..0xc0)
            .chain((0xc2u32..=0xdf).map(|lead| (lead - 0xc0) << 6))
            .chain((0xe0u32..=0xef).map(|lead| ((lead - 0xe0) << 12).max(0x800)))
            .chain((0xf0u32..=0xf4).map(|lead| ((lead - 0xf0) << 18).max(0x10000)))
            .filter_map(char::from_u32)
            .collect();
        let distinct: std::collections::BTreeSet<u8> = every.bytes().collect();
        assert_eq!(distinct.len(), 243);
        assert!(TypoAutomaton::new(&every, 2, false).is_some());
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(3_000))]
        /// The walk finds exactly the words of a dictionary that [`typos`] allows:
        /// words of a few letters, two of them several bytes long, so that typos,
        /// swaps, first-letter typos and letters read in several bytes are frequent.
        #[test]
        fn the_walk_finds_exactly_what_typos_allows(
            word in "[abé€]{1,8}",
            dictionary in proptest::collection::btree_set("[abcé€ü]{1,9}", 1..80),
            max_typos in 0u8..=2,
            prefix: bool,
        ) {
            let words: Vec<&str> = dictionary.iter().map(String::as_str).collect();
            let found = walk(&word, max_typos, prefix, &words);
            let expected: Vec<String> = dictionary
                .iter()
                .filter(|w| typos(&word, w, max_typos, prefix).is_some())
                .cloned()
                .collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
