//! Ranking on the whole roadmap.sh content (`../shared/corpus`, 2025 layout): runs
//! only where the corpus exists (`common::corpus()`).
//!
//! - Every roadmap and best practice is the first hit for its name: its title, its
//!   brief title, its id read as words, and each synonym of its brief title, typed
//!   with or without a trailing space; its own documents come next.
//! - Judged queries (`tests/relevance/corpus.txt`, our own judgments) meet per-category
//!   floors of MRR@10 and nDCG@10 (both) and the overall targets.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use roadmap_api::content::{self, Catalog};
use roadmap_api::search::analyzer::query_words;
use roadmap_api::search::synonyms;
use roadmap_api::search::{Kind, SearchIndex, SearchRequest};

fn corpus() -> Option<&'static (Catalog, SearchIndex)> {
    static INDEX: OnceLock<Option<(Catalog, SearchIndex)>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = common::corpus()?;
            let catalog = content::load(dir).expect("corpus loads");
            let index = SearchIndex::build(&catalog).expect("index builds");
            Some((catalog, index))
        })
        .as_ref()
}

fn paths(index: &SearchIndex, q: &str, limit: usize) -> Vec<String> {
    let req = SearchRequest {
        q: q.to_string(),
        limit,
        ..SearchRequest::default()
    };
    index
        .search(&req)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| judged_path(&h.path))
        .collect()
}

/// Questions are judged by group (any question of the judged group answers the query):
/// a question hit's own URL counts as its group's, and a group's questions count once.
fn judged_path(path: &str) -> String {
    match path.split_once("/questions/") {
        Some((group, _)) if path.starts_with("/v1/question-groups/") => group.to_string(),
        _ => path.to_string(),
    }
}

/// The names of each roadmap and best practice: title, brief title, id as words, the
/// synonyms of the brief title.
fn names(catalog: &Catalog) -> Vec<(String, Vec<String>)> {
    let all = catalog.roadmaps.iter().map(|r| (r, "/v1/roadmaps")).chain(
        catalog
            .best_practices
            .iter()
            .map(|r| (r, "/v1/best-practices")),
    );
    let mut out = Vec::new();
    for (r, base) in all {
        let mut names = vec![r.title.clone(), r.id.replace('-', " ")];
        if let Some(b) = &r.brief_title {
            names.push(b.clone());
            let words = query_words(b).join(" ");
            for group in synonyms::effective(&catalog.synonyms).iter() {
                if group.iter().any(|t| query_words(t).join(" ") == words) {
                    names.extend(group.iter().cloned());
                }
            }
        }
        names.sort();
        names.dedup();
        out.push((format!("{base}/{}", r.id), names));
    }
    out
}

#[test]
fn every_roadmap_is_first_for_its_name() {
    let Some((catalog, index)) = corpus() else {
        eprintln!("no corpus: skipped");
        return;
    };
    let all = names(catalog);
    // A name two resources share (`aws`: a roadmap and a best practice) may put
    // either first.
    let owners = |name: &str| -> Vec<&String> {
        let n = query_words(name).join(" ");
        all.iter()
            .filter(|(_, names)| names.iter().any(|x| query_words(x).join(" ") == n))
            .map(|(p, _)| p)
            .collect()
    };
    let mut failures = Vec::new();
    let (mut checked, mut roadmaps_ok, mut own_next, mut queries_ok) = (0, 0, 0, 0);
    for (path, names) in &all {
        let mut ok = true;
        for name in names {
            for q in [name.clone(), format!("{name} ")] {
                checked += 1;
                let got = paths(index, &q, 2);
                let first_ok = got.first().is_some_and(|p| owners(name).contains(&p));
                if first_ok {
                    queries_ok += 1;
                } else {
                    ok = false;
                    failures.push(format!("{q:?} → {got:?} (want {path} first)"));
                }
                // Reported, not required: the second hit is one of its documents.
                if first_ok
                    && got
                        .get(1)
                        .is_some_and(|p| p.starts_with(&format!("{}/", got[0])))
                {
                    own_next += 1;
                }
            }
        }
        if ok {
            roadmaps_ok += 1;
        }
    }
    eprintln!(
        "roadmap by name: {roadmaps_ok} of {} roadmaps and best practices first for every \
         name; {queries_ok} of {checked} queries; its own document second in {own_next}",
        all.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} failed",
        failures.len()
    );
    assert!(all.len() >= 59 + 5);
}

#[test]
fn look_up_returns_the_canonical_topic() {
    let Some((_, index)) = corpus() else {
        eprintln!("no corpus: skipped");
        return;
    };
    // `k8s` names the Kubernetes roadmap: its topic, not another roadmap's.
    let hit = index.lookup("k8s", None).expect("lookup").expect("a topic");
    assert_eq!(hit.kind, Kind::Topic);
    assert_eq!(
        hit.roadmap.as_ref().map(|r| r.id.as_str()),
        Some("kubernetes")
    );
    // A preferred roadmap wins when it has a topic for the term.
    let hit = index
        .lookup("docker", Some("devops"))
        .expect("lookup")
        .expect("a topic");
    assert_eq!(hit.roadmap.as_ref().map(|r| r.id.as_str()), Some("devops"));
    assert_eq!(&*hit.title, "Docker");
}

/// Reciprocal rank of the first relevant result and nDCG (graded: the first judged
/// path 2, the others 1), both at 10.
fn score(paths: &[String], relevant: &[String]) -> (f64, f64) {
    let mut seen: Vec<&String> = Vec::new();
    let mut rr = 0.0;
    let mut dcg = 0.0;
    for (rank, path) in paths.iter().take(10).enumerate() {
        if relevant.contains(path) && !seen.contains(&path) {
            seen.push(path);
            if rr == 0.0 {
                rr = 1.0 / (rank as f64 + 1.0);
            }
            let gain = if relevant[0] == *path { 2.0 } else { 1.0 };
            dcg += gain / ((rank as f64 + 2.0).log2());
        }
    }
    let ideal: f64 = relevant
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, _)| (if i == 0 { 2.0 } else { 1.0 }) / ((i as f64 + 2.0).log2()))
        .sum();
    (rr, if ideal > 0.0 { dcg / ideal } else { 0.0 })
}

/// Short forms of the judged paths: `rm:kubernetes`, `rm:devops/kubernetes` (a topic),
/// `bp:aws`, `bp:aws/topic`, `guide:slug`, `video:slug`, `qg:group`, `faq:roadmap`;
/// anything else is a path.
fn expand(short: &str) -> String {
    let (kind, rest) = short.split_once(':').unwrap_or(("", short));
    let (id, topic) = rest.split_once('/').unwrap_or((rest, ""));
    let topic_path = |base: &str| {
        if topic.is_empty() {
            format!("{base}/{id}")
        } else {
            format!("{base}/{id}/topics/{topic}")
        }
    };
    match kind {
        "rm" => topic_path("/v1/roadmaps"),
        "bp" => topic_path("/v1/best-practices"),
        "guide" => format!("/v1/guides/{rest}"),
        "video" => format!("/v1/videos/{rest}"),
        "qg" => format!("/v1/question-groups/{rest}"),
        "faq" => format!("/v1/roadmaps/{rest}/faqs"),
        _ => short.to_string(),
    }
}

/// Whether a judged path names a resource of the catalog (a judgment with a typo in
/// its path would silently count as a miss).
fn exists(catalog: &Catalog, path: &str) -> bool {
    // Topic ids may hold `/` (`running-containers/docker-compose`): four parts at most.
    let parts: Vec<&str> = path.trim_start_matches("/v1/").splitn(4, '/').collect();
    let find = |list: &[std::sync::Arc<content::Roadmap>], id: &str, topic: Option<&str>| {
        list.iter()
            .find(|r| r.id == id)
            .is_some_and(|r| topic.is_none_or(|t| r.topic_index.contains_key(t)))
    };
    match parts.as_slice() {
        ["roadmaps", id] => find(&catalog.roadmaps, id, None),
        ["roadmaps", id, "topics", topic] => find(&catalog.roadmaps, id, Some(topic)),
        ["best-practices", id] => find(&catalog.best_practices, id, None),
        ["best-practices", id, "topics", topic] => find(&catalog.best_practices, id, Some(topic)),
        ["roadmaps", id, "faqs"] => find(&catalog.roadmaps, id, None),
        ["guides", slug] => catalog.guides.iter().any(|g| g.slug == *slug),
        ["videos", slug] => catalog.videos.iter().any(|v| v.slug == *slug),
        ["question-groups", id] => catalog.question_groups.iter().any(|g| g.id == *id),
        _ => false,
    }
}

#[test]
fn judged_queries_meet_the_targets() {
    let Some((catalog, index)) = corpus() else {
        eprintln!("no corpus: skipped");
        return;
    };
    let file = include_str!("relevance/corpus.txt");
    let mut per: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut all = Vec::new();
    for line in file.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(parts.len(), 3, "bad line: {line}");
        let relevant: Vec<String> = parts[2].split_whitespace().map(expand).collect();
        for r in &relevant {
            assert!(
                exists(catalog, r),
                "judged path {r} does not exist ({line})"
            );
        }
        // `~` at the end: typed whole, followed by a space.
        let q = match parts[1].strip_suffix('~') {
            Some(whole) => format!("{whole} "),
            None => parts[1].to_string(),
        };
        let got = paths(index, &q, 10);
        let s = score(&got, &relevant);
        if s.0 < 1.0 {
            misses.push(format!(
                "[{}] {:?}: rr {:.2}, got {:?}",
                parts[0],
                parts[1],
                s.0,
                &got[..got.len().min(3)]
            ));
        }
        per.entry(parts[0]).or_default().push(s);
        all.push(s);
    }
    let mean = |v: &[(f64, f64)]| {
        let n = v.len().max(1) as f64;
        (
            v.iter().map(|x| x.0).sum::<f64>() / n,
            v.iter().map(|x| x.1).sum::<f64>() / n,
        )
    };
    eprintln!("category       n    MRR@10  nDCG@10");
    let mut below = Vec::new();
    for (cat, v) in &per {
        let (mrr, ndcg) = mean(v);
        eprintln!("{cat:<12} {:>3}    {mrr:.3}    {ndcg:.3}", v.len());
        if mrr < CATEGORY_FLOOR || ndcg < CATEGORY_FLOOR {
            below.push(format!("{cat}: MRR {mrr:.3}, nDCG {ndcg:.3}"));
        }
    }
    let (mrr, ndcg) = mean(&all);
    eprintln!("all          {:>3}    {mrr:.3}    {ndcg:.3}", all.len());
    for m in &misses {
        eprintln!("  {m}");
    }
    assert!(all.len() >= 200, "at least 200 judged queries");
    assert!(per.len() >= 7, "seven categories");
    assert!(below.is_empty(), "below the category floor: {below:?}");
    assert!(mrr >= MRR_TARGET, "MRR@10 {mrr:.3} < {MRR_TARGET}");
    assert!(ndcg >= NDCG_TARGET, "nDCG@10 {ndcg:.3} < {NDCG_TARGET}");
}

/// Issue 10's targets.
const MRR_TARGET: f64 = 0.92;
const NDCG_TARGET: f64 = 0.85;
const CATEGORY_FLOOR: f64 = 0.85;
