//! Ranking as explicit rules applied in order, the way Meilisearch and Algolia sort
//! results into buckets: a rule only orders documents that every earlier rule left
//! tied, so no later rule (and least of all BM25) can undo an earlier one.
//!
//! 1. [`Rule::Words`]: documents matching every query word first; when too few do,
//!    documents matching fewer words follow, the more words the better.
//! 2. [`Rule::Typo`]: fewer typos first, counted per query word (the least a word
//!    needed in the document). Every correction of one edit weighs the same, however
//!    rare the corrected word: BM25's inverse document frequency would rank a rare
//!    misspelling in the content above the common word the person meant.
//! 3. [`Rule::Proximity`]: the query's words closer together first (the sum, over
//!    consecutive words, of their smallest distance in one field, capped; a word of
//!    the title counts as fairly near every word of its document, and a word of the
//!    roadmap's or a group's name followed by one of the title as adjacent).
//! 4. [`Rule::Field`]: where each word matched, title and alternative titles before
//!    roadmap and group names, before keywords, before body text.
//! 5. [`Rule::Exactness`]: the query naming a whole title (or alternative title) in
//!    its order, then in another order, then by completing the word being typed,
//!    before titles that merely contain it; then whole words before stems and corrections,
//!    before prefix completions, before prefix completions with a typo. A query that is
//!    a document's breadcrumb (its roadmap's whole name, the rest naming its title:
//!    `kubernetes pods`) names that title too.
//! 6. [`Rule::Standing`]: a roadmap or best practice named by the query before the
//!    documents in it, before everything else; then by kind (roadmap, best practice,
//!    topic, guide, FAQ, question, video).
//! 7. [`Rule::Bm25`]: term frequency and rarity, only to break the remaining ties.
//!
//! The bucket sort ([`page`]) computes the cheap first rules for every candidate and
//! the costly ones (proximity, exact titles) only for the buckets that overlap the
//! requested page.

use std::cmp::Ordering;

/// One ranking rule; [`RULES`] lists them in the order they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Words,
    Typo,
    Proximity,
    Field,
    Exactness,
    Standing,
    Bm25,
}

/// The rules, in order of precedence.
pub const RULES: [Rule; 7] = [
    Rule::Words,
    Rule::Typo,
    Rule::Proximity,
    Rule::Field,
    Rule::Exactness,
    Rule::Standing,
    Rule::Bm25,
];

/// Where a query word matched, best first. Alternative titles (a roadmap's brief
/// title, its id, a topic's file heading) count as title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Field {
    Title = 0,
    /// Names of the roadmap and groups a document sits in.
    Context = 1,
    /// SEO keywords, tags, resource titles.
    Keywords = 2,
    Body = 3,
}

/// How a query word matched an indexed word, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Exactness {
    /// The word as typed, or a synonym of it (a group's terms are declared
    /// equivalents).
    Exact = 0,
    /// A whole word derived from it: its stem, a typo correction, a split or joined
    /// form.
    Derived = 1,
    /// A completion of the word being typed.
    Prefix = 2,
    /// A completion of the word being typed, with a typo.
    PrefixTypo = 3,
}

/// How one query word matched one document, packed in a byte so that the best match
/// of a word in a document is simply the smallest: typos, then field, then
/// exactness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Match(pub u8);

impl Match {
    /// No match.
    pub const NONE: Match = Match(u8::MAX);

    pub fn new(typos: u8, field: Field, exactness: Exactness) -> Match {
        Match((typos.min(3) << 4) | ((field as u8) << 2) | exactness as u8)
    }

    pub fn is_some(self) -> bool {
        self != Match::NONE
    }

    pub fn typos(self) -> u8 {
        self.0 >> 4
    }

    pub fn field(self) -> u8 {
        (self.0 >> 2) & 3
    }

    pub fn exactness(self) -> u8 {
        self.0 & 3
    }
}

/// Proximity of two words in different fields, or too far apart to matter
/// (Meilisearch's cap).
pub const MAX_PROXIMITY: u16 = 8;

/// Everything the rules compare, for one document. The derived order is not used:
/// [`compare`] applies [`RULES`] explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RankKey {
    /// Query words (units) not matched.
    pub missing: u8,
    /// Sum of each matched word's fewest typos.
    pub typos: u16,
    /// Sum over consecutive words of their distance (see [`pair_proximity`]).
    pub proximity: u16,
    /// Sum of each matched word's best field ([`Field`] as a number).
    pub field: u16,
    /// 0 when the query names a whole title of the document with whole words in its
    /// order, 1 in another order, 2 only by completing the word being typed, 3 when
    /// it names no whole title.
    pub whole_title: u8,
    /// Sum of each matched word's [`Exactness`].
    pub exactness: u16,
    /// 0: a roadmap or best practice the query names; 1: a document in one; 2: other.
    pub standing: u8,
    /// Rank of the document's kind (roadmap first).
    pub kind: u8,
    pub bm25: f32,
}

impl Rule {
    /// Orders two documents by this rule alone (`Less`: `a` first).
    pub fn compare(self, a: &RankKey, b: &RankKey) -> Ordering {
        match self {
            Rule::Words => a.missing.cmp(&b.missing),
            Rule::Typo => a.typos.cmp(&b.typos),
            Rule::Proximity => a.proximity.cmp(&b.proximity),
            Rule::Field => a.field.cmp(&b.field),
            Rule::Exactness => (a.whole_title, a.exactness).cmp(&(b.whole_title, b.exactness)),
            Rule::Standing => (a.standing, a.kind).cmp(&(b.standing, b.kind)),
            Rule::Bm25 => b.bm25.total_cmp(&a.bm25),
        }
    }
}

/// Orders two documents by the rules in order: the first rule that tells them apart
/// decides.
pub fn compare(a: &RankKey, b: &RankKey) -> Ordering {
    RULES
        .iter()
        .map(|r| r.compare(a, b))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

impl RankKey {
    /// Every rule but BM25 packed into one integer whose order is the rules' order
    /// (each key in its own bits, the first rule's highest): ordering a bucket of
    /// thousands of documents compares integers instead of walking [`RULES`].
    fn packed(&self) -> u128 {
        (u128::from(self.missing) << 88)
            | (u128::from(self.typos) << 72)
            | (u128::from(self.proximity) << 56)
            | (u128::from(self.field) << 40)
            | (u128::from(self.whole_title) << 32)
            | (u128::from(self.exactness) << 16)
            | (u128::from(self.standing) << 8)
            | u128::from(self.kind)
    }
}

/// A [`RankKey`] ready to sort: [`compare`]'s order on ([`RankKey::packed`], BM25).
#[derive(Clone, Copy)]
struct Sortable {
    packed: u128,
    bm25: f32,
    index: usize,
}

impl Sortable {
    fn new(key: &RankKey, index: usize) -> Sortable {
        Sortable {
            packed: key.packed(),
            bm25: key.bm25,
            index,
        }
    }
}

impl PartialEq for Sortable {
    fn eq(&self, other: &Sortable) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Sortable {}

impl PartialOrd for Sortable {
    fn partial_cmp(&self, other: &Sortable) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sortable {
    /// [`compare`], then the original order.
    fn cmp(&self, other: &Sortable) -> Ordering {
        self.packed
            .cmp(&other.packed)
            .then_with(|| other.bm25.total_cmp(&self.bm25))
            .then(self.index.cmp(&other.index))
    }
}

/// The `k` smallest of `items`, sorted (all of them when fewer). A page is a
/// handful of items out of buckets of thousands: one comparison with the largest
/// kept rejects most items, where selecting them in place partitioned the whole
/// bucket a few times (a twentieth of a query).
fn smallest<T: Ord>(items: impl IntoIterator<Item = T>, k: usize) -> Vec<T> {
    let mut kept = std::collections::BinaryHeap::with_capacity(k + 1);
    for item in items {
        if kept.len() < k {
            kept.push(item);
        } else if let Some(mut largest) = kept.peek_mut()
            && item < *largest
        {
            *largest = item;
        }
    }
    kept.into_sorted_vec()
}

/// The words rule and the typo rule of one document from its per-word matches:
/// the first two keys, cheap enough to compute for every candidate.
pub fn words_and_typos(matches: impl IntoIterator<Item = Match>) -> (u8, u16) {
    let mut missing = 0u8;
    let mut typos = 0u16;
    for m in matches {
        if m.is_some() {
            typos += u16::from(m.typos());
        } else {
            missing = missing.saturating_add(1);
        }
    }
    (missing, typos)
}

/// The field rule and the word part of the exactness rule from per-word matches.
/// An unmatched word counts as the worst field, so that it cannot help.
pub fn field_and_exactness(matches: &[Match]) -> (u16, u16) {
    let mut field = 0u16;
    let mut exact = 0u16;
    for m in matches {
        if m.is_some() {
            field += u16::from(m.field());
            exact += u16::from(m.exactness());
        } else {
            field += Field::Body as u16 + 1;
            exact += Exactness::PrefixTypo as u16 + 1;
        }
    }
    (field, exact)
}

/// Distance between two word occurrences: how many positions the second is after
/// the first, one more when the order is reversed, capped at [`MAX_PROXIMITY`].
fn distance(first: u32, second: u32) -> u16 {
    let d = if second > first {
        second - first
    } else {
        first - second + 1
    };
    d.min(u32::from(MAX_PROXIMITY)) as u16
}

/// The smallest distance between an occurrence of one word (`a`) and of the next
/// (`b`) in one field; [`MAX_PROXIMITY`] when either is absent. Both sorted.
pub fn pair_proximity(a: &[u32], b: &[u32]) -> u16 {
    let mut best = MAX_PROXIMITY;
    let (mut i, mut j) = (0, 0);
    // Walk both lists in order: the closest pair is always between neighbours.
    while i < a.len() && j < b.len() {
        best = best.min(distance(a[i], b[j]));
        if best <= 1 {
            return best;
        }
        if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

/// How near a word of the title is to every other word of its document: a title
/// names what the whole text is about, so "Transactions" with "SQL" in its text is
/// nearer to the query `sql transactions` than a text where the two words merely
/// stand a few words apart. Worse than adjacent words, better than scattered ones.
pub const TITLE_PROXIMITY: u16 = 3;

/// The field numbers [`proximity`] reads: title, then context (the names of the
/// roadmap and groups the document sits in), in the order of [`Field`].
const TITLE: usize = Field::Title as usize;
const CONTEXT: usize = Field::Context as usize;

/// The proximity rule's value of one document: `positions[w][f]` holds the sorted
/// positions of query word `w` in field `f` (numbered as [`Field`]). Consecutive
/// words take their closest field, or [`TITLE_PROXIMITY`] when one of them is in the
/// title and the other anywhere in the document; a single word has proximity 0.
///
/// A word of the context followed by a word of the title are adjacent: the
/// breadcrumb a result shows reads "React › … › State Management", and the query
/// `react state management` names exactly that topic, while a text merely saying
/// "React state management" is about something else (one more the other way round,
/// as for reversed words in one field).
pub fn proximity(positions: &[Vec<Vec<u32>>]) -> u16 {
    let has = |w: &Vec<Vec<u32>>, f: usize| w.get(f).is_some_and(|p| !p.is_empty());
    let anywhere = |w: &Vec<Vec<u32>>| w.iter().any(|p| !p.is_empty());
    positions
        .windows(2)
        .map(|pair| {
            let (a, b) = (&pair[0], &pair[1]);
            let same_field = a
                .iter()
                .zip(b.iter())
                .map(|(a, b)| pair_proximity(a, b))
                .min()
                .unwrap_or(MAX_PROXIMITY);
            let crumbs = if has(a, CONTEXT) && has(b, TITLE) {
                1
            } else if has(a, TITLE) && has(b, CONTEXT) {
                2
            } else if (has(a, TITLE) && anywhere(b)) || (has(b, TITLE) && anywhere(a)) {
                TITLE_PROXIMITY
            } else {
                MAX_PROXIMITY
            };
            same_field.min(crumbs)
        })
        .sum()
}

/// Rank of a kind for the standing rule.
pub fn kind_rank(kind: super::Kind) -> u8 {
    use super::Kind;
    match kind {
        Kind::Roadmap => 0,
        Kind::BestPractice => 1,
        Kind::Topic => 2,
        Kind::Guide => 3,
        Kind::Faq => 4,
        Kind::Question | Kind::QuestionGroup => 5,
        Kind::Video => 6,
    }
}

/// Sorts `items` so that positions `offset..offset + limit` hold the right documents
/// in the right order, doing as little work as that needs.
///
/// `cheap` gives each item the key of the first rules (words and typos), which every
/// candidate needs; `full` gives the complete [`RankKey`]s of a slice of items (in
/// one call, so that it can read the index once for all of them), and is only given
/// the items of the buckets (equal cheap keys) that overlap the page, with where the
/// page lies in that slice once sorted: `full` may refine the same way
/// ([`overlapping`]) and leave the later keys of items outside the page's finer
/// buckets at any value. Items before the page stay unordered among themselves; the
/// returned range is where the page's items are, in order.
pub fn page<T>(
    items: &mut [T],
    offset: usize,
    limit: usize,
    cheap: impl Fn(&T) -> (u8, u16),
    full: impl FnOnce(&[T], std::ops::Range<usize>) -> Vec<RankKey>,
) -> std::ops::Range<usize> {
    let end = offset.saturating_add(limit).min(items.len());
    if offset >= end {
        return end..end;
    }
    items.sort_unstable_by_key(|t| cheap(t));
    // The buckets overlapping the page: from the start of the bucket holding the
    // page's first item to the end of the one holding its last.
    let first = cheap(&items[offset]);
    let last = cheap(&items[end - 1]);
    let lo = items[..offset].partition_point(|t| cheap(t) < first);
    let hi = end + items[end..].partition_point(|t| cheap(t) <= last);
    let slice = &mut items[lo..hi];
    let from = offset - lo;
    let to = end - lo;
    // Only the first `to` items need their exact order.
    let keyed = smallest(
        full(slice, from..to)
            .iter()
            .enumerate()
            .map(|(i, k)| Sortable::new(k, i)),
        to,
    );
    // Reorder the slice: the page's items at their places, the others after.
    let order: Vec<usize> = keyed.iter().map(|k| k.index).collect();
    let mut placed = vec![false; slice.len()];
    let mut reordered: Vec<usize> = Vec::with_capacity(slice.len());
    for &i in &order {
        placed[i] = true;
        reordered.push(i);
    }
    reordered.extend((0..slice.len()).filter(|&i| !placed[i]));
    apply_order(slice, &reordered);
    (lo + from)..(lo + to)
}

/// Which of `keys` fall in the buckets (equal keys) that hold positions
/// `page.start..page.end` once the keys are sorted: only those need the keys of the
/// later rules, since any other item is told apart from every item of the page by
/// `keys` alone. Lets costly rules be computed bucket by bucket, as in [`page`].
pub fn overlapping<K: Ord + Copy>(keys: &[K], page: std::ops::Range<usize>) -> Vec<bool> {
    let end = page.end.min(keys.len());
    if page.start >= end {
        return vec![false; keys.len()];
    }
    // The page's first and last keys in sorted order, from the `end` smallest keys
    // alone, not a sort of a bucket that can hold thousands of documents.
    let sorted = smallest(keys.iter().copied(), end);
    let (Some(&first), Some(&last)) = (sorted.get(page.start), sorted.last()) else {
        return vec![false; keys.len()];
    };
    keys.iter().map(|k| first <= *k && *k <= last).collect()
}

/// Permutes `items` so that `items[k]` becomes the old `items[order[k]]`.
fn apply_order<T>(items: &mut [T], order: &[usize]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        // Follow the cycle that starts here, swapping each item into place.
        let mut k = start;
        loop {
            done[k] = true;
            let next = order[k];
            if next == start {
                break;
            }
            items.swap(k, next);
            k = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RankKey {
        RankKey {
            whole_title: 1,
            standing: 2,
            ..RankKey::default()
        }
    }

    /// Keys with few distinct values each, so that ties reach the later rules.
    fn rank_keys() -> impl proptest::strategy::Strategy<Value = RankKey> {
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        (
            (
                select(vec![0u8, 1, 2]),
                select(vec![0u16, 1, u16::MAX]),
                select(vec![0u16, 1, 2]),
                select(vec![0u16, 2, u16::MAX]),
            ),
            (
                select(vec![0u8, 1, 2, 3]),
                select(vec![0u16, 1, 2]),
                select(vec![0u8, 1, 2]),
                select(vec![0u8, 6, u8::MAX]),
                select(vec![0.0f32, 1.5, -2.0, f32::MAX]),
            ),
        )
            .prop_map(
                |(
                    (missing, typos, proximity, field),
                    (whole_title, exactness, standing, kind, bm25),
                )| {
                    RankKey {
                        missing,
                        typos,
                        proximity,
                        field,
                        whole_title,
                        exactness,
                        standing,
                        kind,
                        bm25,
                    }
                },
            )
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(20_000))]

        #[test]
        fn the_packed_order_is_the_rules_order(a in rank_keys(), b in rank_keys()) {
            let fast = Sortable::new(&a, 0).cmp(&Sortable::new(&b, 0));
            proptest::prop_assert_eq!(fast, compare(&a, &b), "{:?} {:?}", a, b);
        }
    }

    #[test]
    fn rules_apply_in_order_and_bm25_only_breaks_ties() {
        // Every rule wins over every later one, BM25 included.
        let better_words = RankKey {
            typos: 2,
            proximity: 8,
            field: 3,
            bm25: 0.1,
            ..key()
        };
        let more_missing = RankKey {
            missing: 1,
            bm25: 100.0,
            ..key()
        };
        assert_eq!(compare(&better_words, &more_missing), Ordering::Less);
        let one_typo = RankKey {
            typos: 1,
            bm25: 50.0,
            ..key()
        };
        let two_typos = RankKey {
            typos: 2,
            bm25: 99.0,
            ..key()
        };
        // A rarer misspelling (higher BM25) never beats a closer correction.
        assert_eq!(compare(&one_typo, &two_typos), Ordering::Less);
        let near = RankKey {
            proximity: 1,
            field: 3,
            ..key()
        };
        let far = RankKey {
            proximity: 5,
            field: 0,
            ..key()
        };
        assert_eq!(compare(&near, &far), Ordering::Less);
        let title = RankKey {
            field: 0,
            exactness: 4,
            ..key()
        };
        let body = RankKey {
            field: 3,
            exactness: 0,
            ..key()
        };
        assert_eq!(compare(&title, &body), Ordering::Less);
        let whole = RankKey {
            whole_title: 0,
            standing: 2,
            ..key()
        };
        let named = RankKey {
            whole_title: 1,
            standing: 0,
            ..key()
        };
        assert_eq!(compare(&whole, &named), Ordering::Less);
        let roadmap = RankKey {
            standing: 0,
            bm25: 1.0,
            ..key()
        };
        let topic = RankKey {
            standing: 1,
            bm25: 9.0,
            ..key()
        };
        assert_eq!(compare(&roadmap, &topic), Ordering::Less);
        let high = RankKey { bm25: 3.0, ..key() };
        let low = RankKey { bm25: 2.0, ..key() };
        assert_eq!(compare(&high, &low), Ordering::Less);
        assert_eq!(compare(&high, &high), Ordering::Equal);
    }

    #[test]
    fn typos_count_per_word_and_missing_words_count_first() {
        let exact = Match::new(0, Field::Body, Exactness::Exact);
        let typo = Match::new(1, Field::Title, Exactness::Derived);
        let two = Match::new(2, Field::Title, Exactness::Derived);
        assert_eq!(words_and_typos([exact, typo]), (0, 1));
        assert_eq!(words_and_typos([two, typo]), (0, 3));
        assert_eq!(words_and_typos([Match::NONE, exact]), (1, 0));
    }

    #[test]
    fn a_word_keeps_its_best_match_typos_before_field_before_exactness() {
        let body_exact = Match::new(0, Field::Body, Exactness::Exact);
        let title_typo = Match::new(1, Field::Title, Exactness::Derived);
        let title_prefix = Match::new(0, Field::Title, Exactness::Prefix);
        assert!(body_exact < title_typo);
        assert!(title_prefix < body_exact);
        assert!(Match::new(0, Field::Title, Exactness::Exact) < title_prefix);
        assert!(title_typo < Match::NONE);
        assert_eq!(title_typo.typos(), 1);
        assert_eq!(title_typo.field(), Field::Title as u8);
        assert_eq!(title_typo.exactness(), Exactness::Derived as u8);
    }

    #[test]
    fn field_and_exactness_sum_over_words() {
        let t = Match::new(0, Field::Title, Exactness::Exact);
        let c = Match::new(0, Field::Context, Exactness::Prefix);
        assert_eq!(field_and_exactness(&[t, c]), (1, 2));
        assert_eq!(field_and_exactness(&[t]), (0, 0));
        // Prefix with a typo is the least exact.
        let pt = Match::new(1, Field::Title, Exactness::PrefixTypo);
        let d = Match::new(1, Field::Title, Exactness::Derived);
        assert!(field_and_exactness(&[d]).1 < field_and_exactness(&[pt]).1);
    }

    #[test]
    fn proximity_is_the_closest_pair_per_field_capped() {
        assert_eq!(pair_proximity(&[3], &[4]), 1);
        // Reversed order costs one more.
        assert_eq!(pair_proximity(&[4], &[3]), 2);
        assert_eq!(pair_proximity(&[1, 20], &[9, 22]), 2);
        assert_eq!(pair_proximity(&[1], &[100]), MAX_PROXIMITY);
        assert_eq!(pair_proximity(&[], &[1]), MAX_PROXIMITY);
        // Two words: title far apart, body adjacent: the body decides.
        let doc = vec![vec![vec![0], vec![10, 40]], vec![vec![6], vec![41]]];
        assert_eq!(proximity(&doc), 1);
        // Three words: the sum over consecutive pairs.
        let doc = vec![vec![vec![0]], vec![vec![1]], vec![vec![4]]];
        assert_eq!(proximity(&doc), 4);
        // A title word is near every word of the text, if less so than neighbours.
        let none = Vec::new;
        let doc = vec![
            vec![vec![0], none(), none(), none()],
            vec![none(), none(), none(), vec![50]],
        ];
        assert_eq!(proximity(&doc), TITLE_PROXIMITY);
        let doc = vec![
            vec![none(), none(), none(), vec![10]],
            vec![none(), none(), none(), vec![50]],
        ];
        assert_eq!(proximity(&doc), MAX_PROXIMITY);
        // The roadmap's or a group's name, then the title: adjacent in the
        // breadcrumb (one more the other way round).
        let doc = vec![
            vec![none(), vec![0], none(), vec![90]],
            vec![vec![0], none(), none(), vec![10]],
        ];
        assert_eq!(proximity(&doc), 1);
        let doc = vec![
            vec![vec![0], none(), none(), vec![10]],
            vec![none(), vec![0], none(), vec![90]],
        ];
        assert_eq!(proximity(&doc), 2);
        // One word: nothing to be near.
        assert_eq!(proximity(&[vec![vec![5]]]), 0);
    }

    #[test]
    fn page_orders_only_what_the_page_needs() {
        // (cheap key, full bm25): three buckets by typos.
        let mut items: Vec<(u16, f32)> = vec![
            (2, 9.0),
            (0, 1.0),
            (1, 5.0),
            (0, 3.0),
            (1, 7.0),
            (0, 2.0),
            (2, 8.0),
        ];
        let mut full_calls = 0;
        let range = page(
            &mut items,
            2,
            2,
            |t| (0, t.0),
            |slice, _| {
                full_calls += slice.len();
                slice
                    .iter()
                    .map(|t| RankKey {
                        typos: t.0,
                        bm25: t.1,
                        ..key()
                    })
                    .collect()
            },
        );
        assert_eq!(range, 2..4);
        // Bucket 0 sorted by BM25 is 3, 2, 1; then bucket 1 by BM25: 7, 5.
        assert_eq!(&items[2..4], &[(0, 1.0), (1, 7.0)]);
        // The last bucket (typos 2) never had its full key computed.
        assert_eq!(full_calls, 5);
        let mut all = items.clone();
        let r = page(
            &mut all,
            0,
            10,
            |t| (0, t.0),
            |slice, _| {
                slice
                    .iter()
                    .map(|t| RankKey {
                        typos: t.0,
                        bm25: t.1,
                        ..key()
                    })
                    .collect()
            },
        );
        assert_eq!(r, 0..7);
        assert_eq!(
            all,
            vec![
                (0, 3.0),
                (0, 2.0),
                (0, 1.0),
                (1, 7.0),
                (1, 5.0),
                (2, 9.0),
                (2, 8.0)
            ]
        );
        let mut none: Vec<(u16, f32)> = Vec::new();
        assert_eq!(
            page(&mut none, 0, 10, |t| (0, t.0), |s, _| vec![key(); s.len()]),
            0..0
        );
        let r = page(&mut all, 9, 10, |t| (0, t.0), |s, _| vec![key(); s.len()]);
        assert!(r.is_empty());
    }

    proptest::proptest! {
        /// Whatever the items and the page, the page holds what a full sort by the
        /// complete key puts there, in that order.
        #[test]
        fn the_page_is_that_of_a_full_sort(
            typos in proptest::collection::vec(0u16..4, 0..60),
            offset in 0usize..70,
            limit in 0usize..30,
        ) {
            // Distinct BM25 values: no ties, one right order.
            let items: Vec<(u16, f32)> =
                typos.iter().enumerate().map(|(i, &t)| (t, i as f32 * 0.5)).collect();
            let full = |slice: &[(u16, f32)], _: std::ops::Range<usize>| -> Vec<RankKey> {
                slice.iter().map(|t| RankKey { typos: t.0, bm25: t.1, ..key() }).collect()
            };
            let mut sorted = items.clone();
            let keys = full(&sorted, 0..0);
            let mut order: Vec<usize> = (0..sorted.len()).collect();
            order.sort_by(|&a, &b| compare(&keys[a], &keys[b]));
            sorted = order.iter().map(|&i| items[i]).collect();
            let mut paged = items.clone();
            let range = page(&mut paged, offset, limit, |t| (0, t.0), full);
            let end = offset.saturating_add(limit).min(items.len());
            proptest::prop_assert_eq!(range.len(), end.saturating_sub(offset));
            proptest::prop_assert_eq!(&paged[range], &sorted[offset.min(end)..end]);
        }
    }

    #[test]
    fn overlapping_buckets_are_those_holding_the_page() {
        // Sorted: 1 1 | 2 2 2 | 3 | 4 4; a page at sorted positions 3..6 spans the
        // buckets 2 and 3.
        let keys = [4, 2, 1, 3, 2, 4, 1, 2];
        assert_eq!(
            overlapping(&keys, 3..6),
            [false, true, false, true, true, false, false, true]
        );
        assert_eq!(
            overlapping(&keys, 0..1),
            [false, false, true, false, false, false, true, false]
        );
        assert_eq!(overlapping(&keys, 8..9), [false; 8]);
        assert!(overlapping::<u8>(&[], 0..10).is_empty());
    }
}
