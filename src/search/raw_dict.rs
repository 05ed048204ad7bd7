//! A segment's term dictionary of one field read as the FST it is, for the typo
//! walks: a walk here decodes a node only when the automaton can still match below
//! it.
//!
//! Tantivy's dictionary stream decodes the node behind every transition it tries
//! and only then asks the automaton whether the walk may go on: a typo walk tries
//! eight hundred transitions per typed word, most of them into letters no typo
//! allows, and that stream was the largest single cost of a search (a tenth of
//! its CPU at three times roadmap.sh). The dictionary's FST is opened over the same
//! bytes Tantivy reads (no copy); the layout of its file is Tantivy's (0.27) and is
//! checked when opened: the FST must hold as many words as Tantivy's own dictionary
//! and map a word to the same ordinal, else the stream is used.

use tantivy::Searcher;
use tantivy::directory::{CompositeFile, OwnedBytes};
use tantivy::index::SegmentComponent;
use tantivy::schema::Field;
use tantivy::termdict::TermDictionary;
use tantivy_fst::Automaton;
use tantivy_fst::raw::{Fst, Node, Output};

/// The last four bytes of a term dictionary's file when it is an FST.
const FST_DICTIONARY: [u8; 4] = 1u32.to_le_bytes();

/// One segment's dictionary of one field.
pub struct RawDict {
    fst: Fst<OwnedBytes>,
}

impl RawDict {
    /// The dictionary of `field` in segment `ord` of `searcher`, `None` if its file
    /// does not read as expected (the caller falls back on Tantivy's stream).
    pub fn open(searcher: &Searcher, ord: usize, field: Field) -> Option<RawDict> {
        let reader = searcher.segment_readers().get(ord)?;
        let index = searcher.index();
        let meta = index.new_segment_meta(reader.segment_id(), reader.max_doc());
        let file = index
            .segment(meta)
            .open_read(SegmentComponent::Terms)
            .ok()?;
        let slice = CompositeFile::open(&file).ok()?.open_read(field)?;
        // Tantivy's term dictionary: the FST, the term infos, the term infos' length
        // (u64) and a format version (u32), then the dictionary's type (u32, 1 for
        // an FST), little-endian.
        let (slice, kind) = slice.split_from_end(4);
        if kind.read_bytes().ok()?.as_slice() != FST_DICTIONARY {
            return None;
        }
        let (main, footer) = slice.split_from_end(12);
        let footer = footer.read_bytes().ok()?;
        let length: [u8; 8] = footer.as_slice().get(..8)?.try_into().ok()?;
        let infos = usize::try_from(u64::from_le_bytes(length)).ok()?;
        if infos as u64 > main.num_bytes().get_bytes() {
            return None;
        }
        let (fst, _) = main.split_from_end(infos);
        let dict = RawDict {
            fst: Fst::new(fst.read_bytes().ok()?).ok()?,
        };
        let terms = reader.inverted_index(field).ok()?;
        dict.agrees_with(terms.terms()).then_some(dict)
    }

    /// Whether this FST is the dictionary Tantivy reads: as many words, and its
    /// first, middle and last words at the same ordinals.
    fn agrees_with(&self, terms: &TermDictionary) -> bool {
        if self.fst.len() != terms.num_terms() {
            return false;
        }
        let n = self.fst.len() as u64;
        [0, n / 2, n.saturating_sub(1)]
            .into_iter()
            .filter(|&ord| ord < n)
            .all(|ord| {
                let mut word = Vec::new();
                matches!(terms.ord_to_term(ord, &mut word), Ok(true))
                    && self.fst.get(&word).map(Output::value) == Some(ord)
            })
    }

    /// Calls `found(word, ordinal)` for every word `automaton` accepts, in order,
    /// until it returns `false`.
    pub fn walk<A: Automaton>(&self, automaton: &A, found: impl FnMut(&[u8], u64) -> bool) {
        walk(&self.fst, automaton, found);
    }
}

/// A node being walked: the next of its transitions to try, the automaton's state
/// and the output on reaching it.
struct Frame<'f, S> {
    node: Node<'f>,
    next: usize,
    state: S,
    out: Output,
}

/// [`RawDict::walk`] over any FST. Depth first with a stack of its own (a word can
/// be thousands of bytes long), each transition's target decoded only when the
/// automaton's state after it can still match.
pub fn walk<D, A>(fst: &Fst<D>, automaton: &A, mut found: impl FnMut(&[u8], u64) -> bool)
where
    D: std::ops::Deref<Target = [u8]>,
    A: Automaton,
{
    let start = automaton.start();
    if !automaton.can_match(&start) {
        return;
    }
    let mut word: Vec<u8> = Vec::new();
    let mut stack = vec![Frame {
        node: fst.root(),
        next: 0,
        state: start,
        out: Output::zero(),
    }];
    while let Some(top) = stack.last_mut() {
        if top.next >= top.node.len() {
            stack.pop();
            word.pop();
            continue;
        }
        let t = top.node.transition(top.next);
        top.next += 1;
        let state = automaton.accept(&top.state, t.inp);
        if !automaton.can_match(&state) {
            continue;
        }
        let out = top.out.cat(t.out);
        let node = fst.node(t.addr);
        word.push(t.inp);
        if node.is_final()
            && automaton.is_match(&state)
            && !found(&word, out.cat(node.final_output()).value())
        {
            return;
        }
        stack.push(Frame {
            node,
            next: 0,
            state,
            out,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::typo_automaton::TypoAutomaton;
    use tantivy_fst::{IntoStreamer, Streamer};

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(1_000))]
        /// The walk finds what Tantivy's stream finds, in the same order, with the
        /// same values, and stops when told to.
        #[test]
        fn the_walk_finds_what_the_stream_finds(
            word in "[abé]{1,6}",
            dictionary in proptest::collection::btree_set("[abcé]{1,8}", 1..120),
            max_typos in 0u8..=2,
            prefix: bool,
            stop in 1usize..10,
        ) {
            let map = tantivy_fst::Map::from_iter(
                dictionary.iter().enumerate().map(|(i, w)| (w.as_str(), i as u64 * 7)),
            ).unwrap();
            let automaton = TypoAutomaton::new(&word, max_typos, prefix).unwrap();
            let mut stream = map.search(&automaton).into_stream();
            let mut expected = Vec::new();
            while let Some((w, v)) = stream.next() {
                expected.push((w.to_vec(), v));
            }
            let mut walked = Vec::new();
            walk(map.as_fst(), &automaton, |w, v| {
                walked.push((w.to_vec(), v));
                true
            });
            proptest::prop_assert_eq!(&walked, &expected);
            let mut first = Vec::new();
            walk(map.as_fst(), &automaton, |w, _| {
                first.push(w.to_vec());
                first.len() < stop
            });
            proptest::prop_assert_eq!(first.len(), expected.len().min(stop));
        }
    }
}
