//! The proximity rule reads only the documents that can reach the page
//! (`Engine::proximities`): its pages must be those of reading every document, on
//! buckets large enough to be pruned.

use std::path::Path;

use roadmap_api::content;
use roadmap_api::search::{SearchIndex, SearchRequest, set_proximity_pruning};

const VOCABULARY: [&str; 12] = [
    "data",
    "design",
    "database",
    "replication",
    "retention",
    "server",
    "security",
    "service",
    "scaling",
    "cache",
    "queue",
    "index",
];

/// A small deterministic generator (no dependency, the same folder every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| VOCABULARY[self.next(VOCABULARY.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One roadmap of `topics` topics whose titles and bodies mix a dozen words, so that
/// two-word queries match buckets of hundreds of documents.
fn write_content(root: &Path, topics: usize) {
    let dir = root.join("roadmaps/mixture");
    std::fs::create_dir_all(dir.join("content")).expect("mkdir");
    std::fs::write(
        dir.join("mixture.md"),
        "---\norder: 1\nbriefTitle: 'Mixture'\ntitle: 'Mixture'\ndescription: 'Words'\n---\n",
    )
    .expect("write");
    let mut rng = Lcg(7);
    for i in 0..topics {
        let title_words = 1 + rng.next(3);
        let title = rng.words(title_words);
        let body_words = 10 + rng.next(40);
        let body = rng.words(body_words);
        std::fs::write(
            dir.join(format!("content/{:03}-topic-{i}.md", 100 + i)),
            format!("# {title}\n\n{body}.\n"),
        )
        .expect("write");
    }
}

fn page(index: &SearchIndex, q: &str, offset: usize) -> (Vec<String>, usize) {
    let req = SearchRequest {
        q: q.to_string(),
        offset,
        ..SearchRequest::default()
    };
    let results = index.search(&req).expect("search");
    (
        results.hits.iter().map(|h| h.id.to_string()).collect(),
        results.total,
    )
}

#[test]
fn pruned_proximity_gives_the_pages_of_reading_every_document() {
    roadmap_api::search::set_cache_entries(0);
    let tmp = tempfile::tempdir().expect("tempdir");
    write_content(tmp.path(), 800);
    let catalog = content::load(tmp.path()).expect("load");
    let index = SearchIndex::build(&catalog).expect("index");
    let mut queries = Vec::new();
    for a in VOCABULARY {
        for b in VOCABULARY {
            queries.push(format!("{a} {b} "));
            queries.push(format!("{a} {}", &b[..2]));
        }
    }
    queries.push("data design server".into());
    queries.push("security service sc".into());
    let mut large = 0;
    for q in &queries {
        for offset in [0, 7, 30] {
            set_proximity_pruning(true);
            let pruned = page(&index, q, offset);
            set_proximity_pruning(false);
            let all = page(&index, q, offset);
            set_proximity_pruning(true);
            assert_eq!(pruned, all, "{q:?} from {offset}");
            large += usize::from(all.1 >= 256);
        }
    }
    // The buckets were large enough to be pruned.
    assert!(large > 100, "{large} large result sets");
}
