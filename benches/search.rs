//! In-process search latency per query category, on the roadmap.sh 2025 sample when
//! `../shared/samples` exists, and on our `content/`.
//!
//! `cargo bench --bench search`

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

fn corpora() -> Vec<(String, SearchIndex)> {
    // Time the query path itself: the per-snapshot result cache would answer every
    // iteration after the first.
    roadmap_api::search::set_cache_entries(0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<(String, PathBuf)> = vec![("content".into(), root.join("content"))];
    let sample = root.join("../shared/samples/roadmapsh-2025/src/data");
    if sample.is_dir() {
        dirs.insert(0, ("sample-2025".into(), sample));
    }
    dirs.into_iter()
        .filter_map(|(name, dir)| {
            let catalog = content::load(&dir).ok()?;
            let index = SearchIndex::build(&catalog).ok()?;
            Some((name, index))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for (name, index) in corpora() {
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
        group.finish();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = root.join("../shared/samples/roadmapsh-2025/src/data");
    let dir = if sample.is_dir() {
        sample
    } else {
        root.join("content")
    };
    if let Ok(catalog) = content::load(&dir) {
        c.bench_function("index/build", |b| {
            b.iter(|| std::hint::black_box(SearchIndex::build(&catalog).is_ok()))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
