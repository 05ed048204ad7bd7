//! Times the uncached query path in process, query by query, on a content folder:
//! for profiling (`perf record`, `valgrind --tool=callgrind`) and for finding the
//! slow queries of a mix.
//!
//! `cargo run --release --example search_time -- <content dir> [rounds, default 20]`
//! runs bench/queries.txt (`KEYSTROKES=1`: every prefix of each query, as a search
//! box sends them; `SUGGEST=1`: those prefixes on suggest; `QUERIES=<file>`: the
//! queries of another file, to profile a few; `NO_PRUNE=1`: proximity read for every
//! document of a bucket) and prints each query's mean time, the slowest first, and
//! the total.

use std::path::Path;
use std::time::{Duration, Instant};

use roadmap_api::content;
use roadmap_api::search::{SearchIndex, SearchRequest};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: search_time <content dir> [rounds]");
        std::process::exit(2);
    };
    let rounds: u32 = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(20);
    roadmap_api::search::set_cache_entries(0);
    // NO_PRUNE=1 reads every document's positions for proximity (same pages).
    roadmap_api::search::set_proximity_pruning(std::env::var_os("NO_PRUNE").is_none());
    let catalog = content::load(Path::new(dir)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let index = SearchIndex::build(&catalog).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // QUERIES names another file of queries, one per line (to profile a few).
    let file =
        std::env::var_os("QUERIES").map_or_else(|| root.join("bench/queries.txt"), Into::into);
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let keystrokes = std::env::var_os("KEYSTROKES").is_some();
    let suggest = std::env::var_os("SUGGEST").is_some();
    let mix: Vec<String> = if keystrokes || suggest {
        queries
            .iter()
            .flat_map(|q| {
                let chars: Vec<char> = q.chars().collect();
                let max = if suggest {
                    chars.len().min(8)
                } else {
                    chars.len()
                };
                (1..=max)
                    .map(|n| chars[..n].iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        queries
    };
    let mut times = vec![Duration::ZERO; mix.len()];
    // Queries allocate as the server's search threads do (`src/memory.rs`): with
    // glibc's malloc here, its heap consolidation after loading took a share of the
    // query path that the server never sees, and moved with unrelated changes.
    roadmap_api::memory::use_mimalloc_here();
    let started = Instant::now();
    for _ in 0..rounds {
        for (i, q) in mix.iter().enumerate() {
            let t = Instant::now();
            if suggest {
                std::hint::black_box(index.suggest(q, 8));
            } else {
                let req = SearchRequest {
                    q: q.clone(),
                    ..SearchRequest::default()
                };
                let _ = std::hint::black_box(index.search(&req));
            }
            times[i] += t.elapsed();
        }
    }
    let total = started.elapsed();
    let mut order: Vec<usize> = (0..mix.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(times[i]));
    let top = std::env::var("TOP")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(25);
    for &i in order.iter().take(top) {
        println!(
            "{:9.3} ms  {:?}",
            times[i].as_secs_f64() * 1e3 / f64::from(rounds),
            mix[i]
        );
    }
    println!(
        "{} documents, {} queries x {rounds}: mean {:.3} ms per query",
        index.num_docs(),
        mix.len(),
        total.as_secs_f64() * 1e3 / f64::from(rounds) / mix.len() as f64
    );
}
