//! Search never fails on odd input: random strings of letters, punctuation, accents,
//! scripts, emoji and control characters, and pathological repetitions, through
//! search, suggest and look-up.

use std::path::Path;

use roadmap_api::content;
use roadmap_api::search::{SearchIndex, SearchRequest};

/// A small deterministic generator: the test needs variety, not randomness.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn odd_queries_never_panic_and_results_are_consistent() {
    let catalog = content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("content loads");
    let index = SearchIndex::build(&catalog).expect("index");
    let alphabet: Vec<char> =
        "abcxyzKQ+#./-_@'\"<>&;:!?()[]{}*^%$ \té日本語🙂\u{301}\u{200b}\u{0}0123456789"
            .chars()
            .collect();
    let mut rng = Lcg(42);
    let mut queries: Vec<String> = (0..500)
        .map(|_| {
            let len = rng.next() % 40;
            (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect();
    queries.extend([
        "c++".repeat(80),
        ".".repeat(300),
        "k8s ".repeat(60),
        "\u{301}abc".into(),
        "a".repeat(2_000),
    ]);
    for q in &queries {
        let results = index
            .search(&SearchRequest {
                q: q.clone(),
                limit: 5,
                ..SearchRequest::default()
            })
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        assert!(results.hits.len() <= 5);
        assert!(results.total >= results.hits.len());
        let facet_sum: usize = results.facets.kind.iter().map(|f| f.count).sum();
        assert_eq!(facet_sum, results.total, "{q:?}");
        for hit in &results.hits {
            // Marks aside, snippets carry no raw markup.
            let stripped = hit.snippet.replace("<mark>", "").replace("</mark>", "");
            assert!(
                !stripped.contains('<') && !stripped.contains('>'),
                "{q:?}: {}",
                hit.snippet
            );
        }
        let _ = index.suggest(q, 8);
        let _ = index
            .lookup(q, None)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}
