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

/// Every file of `dir`, relative.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Property: any folder loads without panicking. Real fixture folders of both layouts
/// are damaged the way a bad commit or a fuzzer would (files truncated, bytes flipped,
/// fragments of other formats and deep nesting spliced in, files emptied), 40 rounds
/// each, and every one must load (or be refused with an error) and index.
#[test]
fn damaged_folders_load_without_panicking() {
    let fragments: [&str; 12] = [
        "---\ntitle: [unclosed\n",
        "{\"nodes\": [{\"id\": 1, \"data\": {\"label\": null}}",
        "\u{0}\u{1}\u{ffff}",
        "<script>alert(1)</script>",
        "- [@article@x](javascript:alert(1))\n",
        "]]]]]]{{{{{{",
        "---\n---\n---\n",
        "\"questions\": [",
        "<FAQ client:load question=\"q\" answer={`",
        "# \n\n#\n",
        "\u{feff}\r\n\r\n",
        "👩‍💻 ünïcödé",
    ];
    let mut rng = Lcg(7);
    for layout in ["layout-2023", "layout-2025", "edge-2025"] {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(layout);
        for round in 0..40 {
            let dir = tempfile::tempdir().expect("tempdir");
            copy(&source, dir.path());
            let all = files(dir.path());
            for _ in 0..1 + rng.next() % 6 {
                let file = &all[(rng.next() % all.len() as u64) as usize];
                let mut bytes = std::fs::read(file).expect("read");
                match rng.next() % 6 {
                    0 => bytes.truncate((rng.next() as usize) % (bytes.len() + 1)),
                    1 => {
                        for _ in 0..8 {
                            if !bytes.is_empty() {
                                let i = (rng.next() as usize) % bytes.len();
                                bytes[i] = rng.next() as u8;
                            }
                        }
                    }
                    2 => {
                        let at = (rng.next() as usize) % (bytes.len() + 1);
                        let fragment = fragments[(rng.next() % fragments.len() as u64) as usize];
                        bytes.splice(at..at, fragment.bytes());
                    }
                    3 => bytes.clear(),
                    4 => {
                        let deep = match rng.next() % 3 {
                            0 => "[".repeat(5_000),
                            1 => "> ".repeat(5_000),
                            _ => "a:\n".to_string() + &"  - ".repeat(2_000),
                        };
                        bytes.extend(deep.bytes());
                    }
                    _ => bytes.extend_from_slice(&bytes.clone()),
                }
                std::fs::write(file, bytes).expect("write");
            }
            if let Ok(catalog) = content::load(dir.path()) {
                SearchIndex::build(&catalog)
                    .unwrap_or_else(|e| panic!("{layout} round {round}: {e}"));
            }
        }
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
