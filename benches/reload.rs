//! Reload work at the size of the whole roadmap.sh: the time `Reloader::apply` takes
//! for one changed topic file (load, documents, index commit, publish), with the
//! index in RAM and on disk, plus start-up and a full rescan for comparison.
//!
//! `cargo bench --bench reload` runs on `../shared/corpus/roadmapsh-2025.tar.gz`
//! (or `ROADMAPSH_CORPUS`); `SCALE=3` runs on a synthetic corpus three times its size
//! (`scripts/synth_corpus.py`); `EDITS=n` sets the number of edits (default 60).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use roadmap_api::content::Limits;
use roadmap_api::reload::{Batch, Reloader};
use roadmap_api::search::IndexLocation;

fn corpus(tmp: &Path) -> PathBuf {
    let archive = std::env::var_os("ROADMAPSH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/roadmapsh-2025.tar.gz")
        });
    let file = std::fs::File::open(&archive)
        .unwrap_or_else(|e| panic!("{}: {e} (set ROADMAPSH_CORPUS)", archive.display()));
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(tmp.join("corpus"))
        .expect("extract the corpus");
    let data = tmp.join("corpus/src/data");
    let scale: u32 = std::env::var("SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    if scale <= 1 {
        return data;
    }
    let out = tmp.join(format!("synthetic-{scale}x"));
    let status = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/synth_corpus.py"))
        .arg(&data)
        .arg(&out)
        .arg(scale.to_string())
        .status()
        .expect("run scripts/synth_corpus.py");
    assert!(status.success(), "synth_corpus.py failed");
    out
}

/// Topic files spread over every roadmap, in a fixed order.
fn topic_files(root: &Path, n: usize) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("roadmaps"))
        .into_iter()
        .flatten()
        .filter(|e| {
            e.file_type().is_file()
                && e.path().components().any(|c| c.as_os_str() == "content")
                && e.path().extension().is_some_and(|x| x == "md")
        })
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let step = (files.len() / n).max(1);
    files.into_iter().step_by(step).take(n).collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run(root: &Path, location: IndexLocation, label: &str, edits: usize) {
    let started = Instant::now();
    let (mut reloader, store, _) =
        Reloader::start(root, &location, Limits::default()).expect("start");
    let startup = started.elapsed();
    let docs = store.current().search.stats.documents;
    let mut times = Vec::new();
    // A topic file the roadmap's chart does not name serves nothing, and its edit
    // publishes nothing: such edits are counted apart, and more files are taken.
    let mut unserved = 0;
    for (n, file) in topic_files(root, edits * 2).iter().enumerate() {
        if times.len() == edits {
            break;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
        std::fs::write(
            file,
            format!("{head}\n\nBenchword{n} appears here.\n{rest}"),
        )
        .expect("write");
        let batch = Batch {
            paths: BTreeSet::from([file.clone()]),
            ..Batch::default()
        };
        let t = Instant::now();
        let event = reloader.apply(batch).expect("reload");
        let took = ms(t.elapsed());
        match event {
            Some(_) => times.push(took),
            None => unserved += 1,
        }
    }
    let t = Instant::now();
    reloader.reload().expect("rescan");
    let rescan = t.elapsed();
    times.sort_by(f64::total_cmp);
    println!(
        "{label}: {docs} documents; start-up {:.0} ms; one topic edited ({} edits, {unserved} more of files no chart names): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; full rescan {:.0} ms",
        ms(startup),
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        times[times.len() - 1],
        ms(rescan),
    );
}

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent: nothing to measure.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // `RUST_LOG=roadmap_api=debug` shows where each reload's time goes.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let edits: usize = std::env::var("EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = corpus(tmp.path());
    run(&root, IndexLocation::Memory, "index in RAM", edits);
    let index = tmp.path().join("index");
    run(&root, IndexLocation::Dir(index), "index on disk", edits);
}
