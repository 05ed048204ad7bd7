//! The search endpoints over HTTP, on the real server: `/v1/search`, `/v1/suggest`,
//! `/v1/lookup`, their parameters, errors and content negotiation.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::TestServer;
use serde_json::Value;

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start(Path::new(env!("CARGO_MANIFEST_DIR")).join("content")))
}

fn titles(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn search_returns_hits_with_breadcrumbs_paths_snippets_and_facets() {
    let s = server();
    let body = s.ok("/v1/search?q=kubernetes");
    let first = &body["hits"][0];
    assert_eq!(first["title"], "Kubernetes");
    assert_eq!(first["kind"], "topic");
    let path = first["path"].as_str().expect("path");
    assert!(path.starts_with("/v1/roadmaps/"), "{path}");
    // The hit's path is a working API path.
    let topic = s.ok(path);
    assert_eq!(topic["title"], "Kubernetes");
    let crumbs = first["breadcrumbs"].as_array().expect("breadcrumbs");
    assert!(crumbs.len() >= 2);
    assert_eq!(crumbs.last().expect("crumb"), "Kubernetes");
    assert!(first["roadmap"]["id"].is_string());
    assert!(
        first["snippet"]
            .as_str()
            .expect("snippet")
            .contains("<mark>")
    );
    assert!(first["score"].as_f64().expect("score") > 0.0);
    assert!(body["total"].as_u64().expect("total") >= 2);
    assert!(body["tookMs"].as_f64().is_some());
    let kinds = body["facets"]["kind"].as_array().expect("kind facet");
    let topic_count = kinds
        .iter()
        .find(|f| f["value"] == "topic")
        .and_then(|f| f["count"].as_u64())
        .expect("topic facet");
    let sum: u64 = kinds.iter().filter_map(|f| f["count"].as_u64()).sum();
    assert_eq!(sum, body["total"].as_u64().expect("total"));
    assert!(topic_count >= 2);
    assert!(
        !body["facets"]["roadmap"]
            .as_array()
            .expect("roadmap facet")
            .is_empty()
    );
}

#[test]
fn filters_by_type_and_roadmap_and_facets_ignore_their_own_filter() {
    let s = server();
    let all = s.ok("/v1/search?q=kubernetes&limit=100");
    let topics = s.ok("/v1/search?q=kubernetes&type=topic&limit=100");
    assert!(topics["total"].as_u64() < all["total"].as_u64());
    for h in topics["hits"].as_array().expect("hits") {
        assert_eq!(h["kind"], "topic");
    }
    // The kind facet still shows the other kinds.
    assert_eq!(topics["facets"]["kind"], all["facets"]["kind"]);
    let devops = s.ok("/v1/search?q=kubernetes&roadmap=devops-engineering");
    for h in devops["hits"].as_array().expect("hits") {
        assert_eq!(h["roadmap"]["id"], "devops-engineering");
    }
    let both = s.ok("/v1/search?q=kubernetes&type=topic,video&limit=100");
    let kinds: Vec<&str> = both["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"video") && kinds.contains(&"topic"),
        "{kinds:?}"
    );
    let repeated = s.ok("/v1/search?q=kubernetes&type=topic&type=video&limit=100");
    assert_eq!(repeated["total"], both["total"]);
}

#[test]
fn prefix_typo_stem_and_synonym_matches_are_marked() {
    let s = server();
    for (q, title) in [
        ("kube", "Kubernetes"),
        ("kuberntes", "Kubernetes"),
        ("k8s", "Kubernetes"),
        ("postgressql", "PostgreSQL"),
        // Case and accents are folded.
        ("KUB%C3%89RNETES", "Kubernetes"),
    ] {
        let body = s.ok(&format!("/v1/search?q={q}"));
        assert_eq!(titles(&body)[0], title, "q={q}");
        let snippet = body["hits"][0]["snippet"].as_str().unwrap_or_default();
        assert!(snippet.contains("<mark>"), "q={q}: {snippet}");
    }
}

#[test]
fn highlight_tags_are_configurable_and_text_is_escaped() {
    let s = server();
    let body = s.ok("/v1/search?q=kubernetes&highlight=em");
    let snippet = body["hits"][0]["snippet"].as_str().unwrap_or_default();
    assert!(
        snippet.contains("<em>") && !snippet.contains("<mark>"),
        "{snippet}"
    );
    let body = s.ok("/v1/search?q=kubernetes&highlightPre=%5B&highlightPost=%5D");
    let snippet = body["hits"][0]["snippet"].as_str().unwrap_or_default();
    assert!(snippet.contains('['), "{snippet}");
    let p = s.problem("/v1/search?q=x&highlight=%3Cscript%3E", 400);
    assert_eq!(p["parameter"], "highlight");
}

#[test]
fn developer_names_are_found_as_written() {
    let s = server();
    let body = s.ok("/v1/search?q=C%23");
    assert!(titles(&body)[0].contains("C#"), "{:?}", titles(&body));
    let body = s.ok("/v1/search?q=n%2B1");
    assert!(titles(&body)[0].contains("N+1"), "{:?}", titles(&body));
    let body = s.ok("/v1/search?q=CI%2FCD");
    assert_eq!(titles(&body)[0], "CI/CD");
}

#[test]
fn bad_and_odd_queries_never_fail_with_500() {
    let s = server();
    let empty = s.ok("/v1/search?q=");
    assert_eq!(empty["total"], 0);
    let punct = s.ok("/v1/search?q=%21%40%23%24%25%5E%26*()");
    assert_eq!(punct["total"], 0);
    let long = "a".repeat(2_001);
    let p = s.problem(&format!("/v1/search?q={long}"), 400);
    assert_eq!(p["parameter"], "q");
    let long_ok = "kubernetes ".repeat(150);
    let (status, _) = s.get_json(&format!("/v1/search?q={}", long_ok.trim()));
    assert_eq!(status, 200);
    let p = s.problem("/v1/search", 400);
    assert_eq!(p["parameter"], "q");
    for (query, param) in [
        ("q=x&limit=-1", "limit"),
        ("q=x&limit=100000", "limit"),
        ("q=x&offset=abc", "offset"),
        ("q=x&type=nonsense", "type"),
        ("q=x&facetLimit=1001", "facetLimit"),
        ("q=x&facetLimit=many", "facetLimit"),
    ] {
        let p = s.problem(&format!("/v1/search?{query}"), 400);
        assert_eq!(p["parameter"], param, "{query}");
    }
}

/// Facets list the most frequent values up to `facetLimit`, say how many there are,
/// and keep listing a value filtered on wherever its count puts it.
#[test]
fn facets_list_the_top_values_and_the_ones_filtered_on() {
    let s = server();
    let values = |body: &Value, facet: &str| -> Vec<(String, u64)> {
        body["facets"][facet]
            .as_array()
            .expect("facet")
            .iter()
            .map(|f| {
                let value = f["value"].as_str().expect("value").to_string();
                (value, f["count"].as_u64().expect("count"))
            })
            .collect()
    };
    let all = s.ok("/v1/search?q=database&facetLimit=1000");
    let roadmaps = values(&all, "roadmap");
    let kinds = values(&all, "kind");
    assert!(roadmaps.len() >= 3, "{roadmaps:?}");
    assert!(kinds.len() >= 2, "{kinds:?}");
    assert!(
        roadmaps.windows(2).all(|w| w[0].1 >= w[1].1),
        "{roadmaps:?}"
    );
    assert_eq!(all["facets"]["roadmapValues"], roadmaps.len());
    assert_eq!(all["facets"]["kindValues"], kinds.len());

    let one = s.ok("/v1/search?q=database&facetLimit=1");
    assert_eq!(values(&one, "roadmap"), roadmaps[..1]);
    assert_eq!(values(&one, "kind"), kinds[..1]);
    assert_eq!(one["facets"]["roadmapValues"], roadmaps.len());
    assert_eq!(one["facets"]["kindValues"], kinds.len());
    assert_eq!(one["total"], all["total"]);

    // The last roadmap, filtered on, is listed after the top one.
    let (last, count) = roadmaps.last().expect("a roadmap").clone();
    let chosen = s.ok(&format!(
        "/v1/search?q=database&facetLimit=1&roadmap={last}"
    ));
    assert_eq!(
        values(&chosen, "roadmap"),
        vec![roadmaps[0].clone(), (last, count)]
    );
    assert_eq!(chosen["total"], count);

    let none = s.ok("/v1/search?q=database&facetLimit=0");
    assert!(values(&none, "roadmap").is_empty());
    assert_eq!(none["facets"]["roadmapValues"], roadmaps.len());
    // The default lists 20 at most.
    let default = s.ok("/v1/search?q=database");
    assert_eq!(
        values(&default, "roadmap"),
        roadmaps[..roadmaps.len().min(20)]
    );
}

#[test]
fn pagination_windows_the_same_ranking() {
    let s = server();
    let first = s.ok("/v1/search?q=database&limit=3");
    let second = s.ok("/v1/search?q=database&limit=3&offset=3");
    let all = s.ok("/v1/search?q=database&limit=6");
    let mut combined = titles(&first);
    combined.extend(titles(&second));
    assert_eq!(combined, titles(&all));
    assert_eq!(first["total"], all["total"]);
}

#[test]
fn suggest_completes_titles_deduplicated() {
    let s = server();
    let body = s.ok("/v1/suggest?q=kube");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items[0]["title"], "Kubernetes");
    let kubernetes: Vec<&Value> = items
        .iter()
        .filter(|i| i["title"] == "Kubernetes")
        .collect();
    assert_eq!(kubernetes.len(), 1, "one entry per title");
    assert!(
        !kubernetes[0]["alsoIn"]
            .as_array()
            .expect("alsoIn")
            .is_empty()
    );
    assert!(items[0]["path"].as_str().expect("path").starts_with("/v1/"));
    assert!(items[0]["breadcrumbs"].is_array());
    let typo = s.ok("/v1/suggest?q=terrafro");
    assert_eq!(typo["items"][0]["title"], "Terraform");
    let limited = s.ok("/v1/suggest?q=d&limit=2");
    assert!(limited["items"].as_array().expect("items").len() <= 2);
    let p = s.problem("/v1/suggest?q=x&limit=0", 400);
    assert_eq!(p["parameter"], "limit");
}

#[test]
fn lookup_finds_the_topic_with_summary_resources_and_other_roadmaps() {
    let s = server();
    let body = s.ok("/v1/lookup?term=k8s");
    assert_eq!(body["title"], "Kubernetes");
    assert!(!body["summary"].as_str().expect("summary").contains('#'));
    assert!(!body["resources"].as_array().expect("resources").is_empty());
    assert!(!body["alsoIn"].as_array().expect("alsoIn").is_empty());
    let preferred = s.ok("/v1/lookup?term=kubernetes&roadmap=backend-engineering");
    assert_eq!(preferred["roadmap"]["id"], "backend-engineering");
    let preferred = s.ok("/v1/lookup?term=kubernetes&roadmap=devops-engineering");
    assert_eq!(preferred["roadmap"]["id"], "devops-engineering");
    let p = s.problem("/v1/lookup?term=zzzqqqxxx", 404);
    assert!(p["detail"].as_str().expect("detail").contains("zzzqqqxxx"));
    let p = s.problem("/v1/lookup", 400);
    assert_eq!(p["parameter"], "term");
}

#[test]
fn lookup_answers_markdown_and_plain_text_when_asked() {
    let s = server();
    let md = s
        .client()
        .get(s.url("/v1/lookup?term=jwt"))
        .header("Accept", "text/markdown")
        .send()
        .expect("request");
    assert_eq!(common::content_type(&md), "text/markdown");
    let text = md.text().expect("body");
    assert!(text.starts_with("# JWT"), "{text}");
    let plain = s
        .client()
        .get(s.url("/v1/lookup?term=jwt"))
        .header("Accept", "text/plain")
        .send()
        .expect("request");
    assert_eq!(common::content_type(&plain), "text/plain");
    let text = plain.text().expect("body");
    assert!(text.starts_with("JWT"), "{text}");
}

#[test]
fn topics_and_guides_answer_markdown_and_plain_text_with_last_modified() {
    let s = server();
    let path = "/v1/roadmaps/backend-engineering/topics/jwt";
    let json = s.get(path);
    assert_eq!(common::content_type(&json), "application/json");
    assert!(json.headers().get("last-modified").is_some());
    let md = s
        .client()
        .get(s.url(path))
        .header("Accept", "text/markdown")
        .send()
        .expect("request");
    assert_eq!(common::content_type(&md), "text/markdown");
    let text = md.text().expect("body");
    assert!(text.starts_with("# JWT\n"), "{text}");
    let plain = s
        .client()
        .get(s.url(path))
        .header("Accept", "text/plain")
        .send()
        .expect("request");
    assert_eq!(common::content_type(&plain), "text/plain");
    let text = plain.text().expect("body");
    assert!(!text.contains("**") && !text.contains("](http"), "{text}");
    let guide = s
        .client()
        .get(s.url("/v1/guides/how-https-works"))
        .header("Accept", "text/markdown, application/json;q=0.5")
        .send()
        .expect("request");
    assert_eq!(common::content_type(&guide), "text/markdown");
    assert!(guide.headers().get("last-modified").is_some());
    assert!(guide.text().expect("body").contains("## "));
}

#[test]
fn a_question_hit_points_at_the_question_s_own_url() {
    let s = server();
    let body = s.ok("/v1/search?q=restful%20api&type=question");
    let hit = &body["hits"][0];
    assert_eq!(hit["kind"], "question");
    assert_eq!(hit["title"], "What is REST and what makes an API RESTful?");
    let path = hit["path"].as_str().expect("path");
    assert_eq!(path, "/v1/question-groups/backend/questions/q-2");
    let question = s.ok(path);
    assert_eq!(question["id"], hit["id"]);
    assert_eq!(question["question"], hit["title"]);
    assert_eq!(question["path"], path);
    assert_eq!(question["group"], "backend");
    assert_eq!(question["kind"], "question");
    // The answer named a file: the file's text, rendered.
    assert!(question["html"].as_str().expect("html").contains("<p>"));

    // Every question in the group detail has a working URL that answers the same question.
    let group = s.ok("/v1/question-groups/backend");
    let questions = group["questions"].as_array().expect("questions");
    assert!(questions.len() >= 2);
    for q in questions {
        let own = s.ok(q["path"].as_str().expect("path"));
        assert_eq!(&own, q);
        // The question's full id names it too (`backend#q-1`, `#` escaped in a path).
        let id = q["id"].as_str().expect("id").replace('#', "%23");
        let by_id = s.ok(&format!("/v1/question-groups/backend/questions/{id}"));
        assert_eq!(&by_id, q);
    }

    // Ids that name no question are 404 problems, whatever their shape.
    let past_end = format!(
        "/v1/question-groups/backend/questions/q-{}",
        questions.len() + 1
    );
    for missing in [
        past_end.as_str(),
        "/v1/question-groups/backend/questions/q-0",
        "/v1/question-groups/backend/questions/q-01",
        "/v1/question-groups/backend/questions/1",
        "/v1/question-groups/backend/questions/q-18446744073709551617",
        "/v1/question-groups/no-such-group/questions/q-1",
    ] {
        let problem = s.problem(missing, 404);
        assert!(problem["detail"].is_string(), "{missing}");
    }
}

#[test]
fn words_written_together_or_apart_meet() {
    let s = server();
    // Two query words match one indexed word (concat) ...
    for (q, want) in [
        ("type%20script", "TypeScript"),
        ("postgre%20sql", "PostgreSQL"),
        ("java%20script", "JavaScript"),
    ] {
        let body = s.ok(&format!("/v1/search?q={q}"));
        assert_eq!(titles(&body).first().map(String::as_str), Some(want), "{q}");
    }
    // ... and one query word matches two adjacent indexed words (split), typed whole
    // or being typed.
    for (q, want) in [
        ("eventloop", "Event Loop"),
        ("databasesharding", "Database Sharding"),
        ("messagebrokers", "Message Brokers"),
        ("lazyloading", "Lazy Loading"),
        ("ratelimiting%20", "Rate Limiting"),
    ] {
        let body = s.ok(&format!("/v1/search?q={q}"));
        assert_eq!(titles(&body).first().map(String::as_str), Some(want), "{q}");
    }
}

/// A content folder of one roadmap, "Orchestra Operator" (brief title Orchestra), whose
/// topics are `(slug, markdown)` in order.
fn orchestra(topics: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("roadmaps/orchestra");
    std::fs::create_dir_all(root.join("content")).expect("mkdir");
    std::fs::write(
        root.join("orchestra.md"),
        "---\norder: 1\nbriefTitle: 'Orchestra'\ntitle: 'Orchestra Operator'\n\
         description: 'Run containers'\n---\n",
    )
    .expect("write");
    for (i, (slug, markdown)) in topics.iter().enumerate() {
        std::fs::write(
            root.join(format!("content/{}-{slug}.md", 100 + i)),
            markdown,
        )
        .expect("write");
    }
    tmp
}

/// A query made of a roadmap's name and a topic's title is that topic's breadcrumb:
/// `kubernetes pod` names "Pods" in the Kubernetes roadmap, before a topic of the
/// same roadmap whose title merely holds `pod` as typed.
#[test]
fn a_roadmap_name_and_a_title_name_the_topic_as_its_breadcrumb() {
    let tmp = orchestra(&[
        (
            "pod-networking",
            "# Pod Networking\n\nHow a pod reaches another pod.\n",
        ),
        (
            "pods",
            "# Pods\n\nThe smallest unit the scheduler places.\n",
        ),
    ]);
    let s = TestServer::start(tmp.path());
    for q in ["orchestra%20pod", "pod%20orchestra", "orchestra%20pods"] {
        let body = s.ok(&format!("/v1/search?q={q}&type=topic"));
        assert_eq!(
            titles(&body).first().map(String::as_str),
            Some("Pods"),
            "{q}: {:?}",
            titles(&body)
        );
    }
    // A word of the roadmap's title is not its name: the word as typed wins.
    let body = s.ok("/v1/search?q=operator%20pod&type=topic");
    assert_eq!(
        titles(&body).first().map(String::as_str),
        Some("Pod Networking")
    );
}

/// A query of stop words alone (`what is`, typed on the way to a question) matches
/// titles that hold them, not every body that does; with no such title, bodies.
#[test]
fn stop_words_alone_match_titles_before_bodies() {
    let tmp = orchestra(&[
        (
            "what-is-a-pod",
            "# What is a Pod?\n\nThe smallest unit the scheduler places.\n",
        ),
        (
            "services",
            "# Services\n\nWhat is a service? It is what a pod is reached by, and what \
             is a name for a set of pods.\n",
        ),
    ]);
    let harbor = tmp.path().join("roadmaps/harbor");
    std::fs::create_dir_all(harbor.join("content")).expect("mkdir");
    std::fs::write(
        harbor.join("harbor.md"),
        "---\norder: 2\nbriefTitle: 'Harbor'\ntitle: 'Harbor'\ndescription: 'Boats'\n---\n",
    )
    .expect("write");
    std::fs::write(
        harbor.join("content/100-ships.md"),
        "# Ships\n\nWhat is a ship? A boat that crosses the sea.\n",
    )
    .expect("write");
    let s = TestServer::start(tmp.path());
    for q in ["what%20is", "what%20is%20a", "what%20is%20a%20"] {
        let body = s.ok(&format!("/v1/search?q={q}"));
        assert_eq!(titles(&body), vec!["What is a Pod?"], "{q}");
        assert_eq!(body["total"], 1, "{q}");
    }
    // No title holds `it` or `by`: the bodies that do.
    let body = s.ok("/v1/search?q=it%20by%20");
    assert_eq!(titles(&body), vec!["Services"]);
    // Nor in the roadmap asked for: its bodies.
    let body = s.ok("/v1/search?q=what%20is&roadmap=harbor");
    assert_eq!(titles(&body), vec!["Ships"], "{body}");
    // Another word carries the query: the stop words go, bodies count again.
    let body = s.ok("/v1/search?q=what%20is%20a%20pod%20");
    assert_eq!(
        titles(&body).first().map(String::as_str),
        Some("What is a Pod?")
    );
    assert!(titles(&body).iter().any(|t| t == "Services"), "{body}");
}
