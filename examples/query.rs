//! Runs search queries against a content folder and prints the hits: for judging
//! ranking by hand (`cargo run --example query -- <dir> "query" ["query" ...]`;
//! `EXPLAIN=1` also prints the values of the ranking rules).

use std::path::Path;
use std::time::Instant;

use roadmap_api::content;
use roadmap_api::search::{SearchIndex, SearchRequest};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, queries)) = args.split_first() else {
        eprintln!("usage: query <content dir> <query>...");
        std::process::exit(2);
    };
    // Judge and time the query path itself, not the result cache.
    roadmap_api::search::set_cache_entries(0);
    let started = Instant::now();
    let catalog = match content::load(Path::new(dir)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let loaded = started.elapsed();
    let index = match SearchIndex::build(&catalog) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "loaded in {loaded:?}, indexed {} docs in {:?}",
        index.num_docs(),
        started.elapsed() - loaded
    );
    for q in queries {
        let req = SearchRequest {
            q: q.clone(),
            limit: 5,
            ..SearchRequest::default()
        };
        match index.search(&req) {
            Ok(r) => {
                println!(
                    "\n== {q:?}: {} hits in {:.2} ms{}",
                    r.total,
                    r.took_ms,
                    if r.relaxed { " (relaxed)" } else { "" }
                );
                for h in r.hits {
                    println!(
                        "  {:7.2} {:?} {} [{}]\n          {}",
                        h.score,
                        h.kind,
                        h.title,
                        h.breadcrumbs.join(" › "),
                        h.snippet.chars().take(140).collect::<String>()
                    );
                }
            }
            Err(e) => println!("{q}: error {e}"),
        }
        // EXPLAIN=1: the ranking rules' values of the first hits.
        if std::env::var_os("EXPLAIN").is_some() {
            for (path, key) in index.explain(
                q,
                std::env::var("EXPLAIN_N")
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(5),
            ) {
                println!("  {path}\n          {key:?}");
            }
        }
        println!(
            "  suggest: {:?}",
            index
                .suggest(q, 5)
                .iter()
                .map(|s| s.title.clone())
                .collect::<Vec<_>>()
        );
    }
}
