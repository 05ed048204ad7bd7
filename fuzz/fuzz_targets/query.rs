//! The query path from a raw string to results: a real Tantivy index in memory over
//! the 2025 fixture, built once; the input is the query (`q`) of a search, a
//! suggestion and a look-up. The first two bytes set offset and limit.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use roadmap_api::content;
use roadmap_api::search::{SearchIndex, SearchRequest};

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        roadmap_api::search::set_cache_entries(0);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/layout-2025");
        let catalog = content::load(&dir).expect("fixture loads");
        SearchIndex::build(&catalog).expect("index builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let (offset, limit, q) = match data {
        [o, l, rest @ ..] => (usize::from(*o % 16), usize::from(*l % 21), rest),
        _ => (0, 10, data),
    };
    let q = String::from_utf8_lossy(q).into_owned();
    let index = index();
    let req = SearchRequest {
        q: q.clone(),
        limit,
        offset,
        ..SearchRequest::default()
    };
    let results = index.search(&req).expect("search answers");
    assert!(results.hits.len() <= limit);
    assert!(results.total >= results.hits.len());
    for hit in &results.hits {
        let stripped = hit.snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !stripped.contains('<') && !stripped.contains('>'),
            "{}",
            hit.snippet
        );
        assert!(hit.path.starts_with("/v1/"), "{}", hit.path);
    }
    let suggestions = index.suggest(&q, 8);
    assert!(suggestions.len() <= 8);
    let _ = index.lookup(&q, None).expect("lookup answers");
});
