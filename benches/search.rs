//! In-process search latency per query category and index build time, on the whole
//! roadmap.sh 2025 content when `../shared/corpus` exists (`BENCH_SCALE=3` adds the
//! synthetic copy three times its size, to show how cost grows), and on our `content/`.
//!
//! `cargo bench --bench search` (`BENCH_SCALE=3 cargo bench --bench search`)

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use roadmap_api::content;
use roadmap_api::search::{SearchIndex, SearchRequest};

const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "exact",
        &[
            "Kubernetes",
            "PostgreSQL",
            "Redis",
            "GraphQL",
            "JWT",
            "Docker",
        ],
    ),
    (
        "multi",
        &[
            "message broker kafka",
            "database indexes",
            "password hashing",
            "horizontal scaling",
            "unit testing",
            "server security",
        ],
    ),
    (
        "typo",
        &[
            "kuberntes",
            "postgressql",
            "javascirpt",
            "authentcation",
            "microservises",
            "elasticsaerch",
        ],
    ),
    (
        "prefix",
        &["kube", "authen", "postg", "micros", "cach", "d"],
    ),
    ("abbrev", &["k8s", "js", "db", "ci/cd", "n+1", "rdbms"]),
    (
        "question",
        &[
            "how does the internet work",
            "what is a rest api",
            "what is http",
            "how does dns work",
            "what is caching",
            "what is the cap theorem",
        ],
    ),
];

/// The whole roadmap.sh content from `../shared/corpus` (or `ROADMAPSH_CORPUS`),
/// extracted into a temporary folder, and with `BENCH_SCALE=N` also
/// `scripts/synth_corpus.py`'s copy N times its size; our `content/` always.
fn corpus_dirs(tmp: &Path) -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = Vec::new();
    let archive = std::env::var_os("ROADMAPSH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus/roadmapsh-2025.tar.gz"));
    if let Ok(file) = std::fs::File::open(&archive) {
        let out = tmp.join("roadmapsh-2025");
        if tar::Archive::new(flate2::read::GzDecoder::new(file))
            .unpack(&out)
            .is_ok()
        {
            let data = out.join("src/data");
            let scale = std::env::var("BENCH_SCALE")
                .ok()
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|&n| n > 1);
            if let Some(n) = scale {
                let synth = tmp.join(format!("synth-{n}x"));
                let made = std::process::Command::new("python3")
                    .arg(root.join("scripts/synth_corpus.py"))
                    .arg(&data)
                    .arg(&synth)
                    .arg(n.to_string())
                    .status()
                    .is_ok_and(|s| s.success());
                if made {
                    dirs.push((format!("roadmapsh-2025-x{n}"), synth));
                }
            }
            dirs.insert(0, ("roadmapsh-2025".into(), data));
        }
    } else {
        eprintln!("no {}: benchmarking content/ only", archive.display());
    }
    dirs.push(("content".into(), root.join("content")));
    dirs
}

fn corpora(tmp: &Path) -> Vec<(String, content::Catalog, SearchIndex)> {
    // Time the query path itself: the per-snapshot result cache would answer every
    // iteration after the first.
    roadmap_api::search::set_cache_entries(0);
    corpus_dirs(tmp)
        .into_iter()
        .filter_map(|(name, dir)| {
            let catalog = content::load(&dir).ok()?;
            let index = SearchIndex::build(&catalog).ok()?;
            Some((name, catalog, index))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let Ok(tmp) = tempfile::tempdir() else {
        eprintln!("no temporary folder for the corpus");
        return;
    };
    for (name, catalog, index) in corpora(tmp.path()) {
        let mut group = c.benchmark_group(format!("search/{name}"));
        for (category, queries) in CATEGORIES {
            group.bench_function(*category, |b| {
                b.iter(|| {
                    for q in *queries {
                        let req = SearchRequest {
                            q: (*q).to_string(),
                            ..SearchRequest::default()
                        };
                        let _ = std::hint::black_box(index.search(&req));
                    }
                })
            });
        }
        group.bench_function("suggest (6 keystrokes)", |b| {
            b.iter(|| {
                for q in ["k", "ku", "kub", "kube", "postg", "authen"] {
                    std::hint::black_box(index.suggest(q, 8));
                }
            })
        });
        group.bench_function("index/build", |b| {
            b.iter(|| std::hint::black_box(SearchIndex::build(&catalog).is_ok()))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
