//! The HTTP API end to end: the real server on the two fixture layouts, every endpoint
//! called over HTTP. Expectations are derived from the API's own answers where the
//! fixtures define them (counts, order, tree shape), so a fixture can grow without
//! breaking these tests, but any inconsistency between endpoints fails.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use common::TestServer;
use serde_json::Value;

const LAYOUTS: [&str; 2] = ["layout-2023", "layout-2025"];

/// One server per fixture for the whole file: each start loads and indexes a folder.
fn server(layout: &str) -> &'static TestServer {
    static SERVERS: OnceLock<HashMap<&'static str, TestServer>> = OnceLock::new();
    let servers = SERVERS.get_or_init(|| {
        LAYOUTS
            .iter()
            .map(|&layout| (layout, TestServer::fixture(layout)))
            .collect()
    });
    &servers[layout]
}

fn each_layout(test: impl Fn(&TestServer)) {
    for layout in LAYOUTS {
        test(server(layout));
    }
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("a page has items")
}

fn str_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {value}"))
}

/// Every item of a list, following the pages.
fn all_items(server: &TestServer, path: &str) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    loop {
        let page = server.ok(&format!("{path}{separator}limit=100&offset={}", out.len()));
        let got = items(&page).clone();
        let total = page["total"].as_u64().expect("total") as usize;
        let empty = got.is_empty();
        out.extend(got);
        if out.len() >= total || empty {
            assert_eq!(out.len(), total, "{path}: pages add up to total");
            return out;
        }
    }
}

fn assert_page_shape(page: &Value, limit: u64, offset: u64) {
    assert!(page["items"].is_array(), "{page}");
    assert!(page["total"].is_u64(), "{page}");
    assert_eq!(page["limit"], limit, "{page}");
    assert_eq!(page["offset"], offset, "{page}");
}

fn collections(server: &TestServer) -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("/v1/roadmaps", all_items(server, "/v1/roadmaps")),
        (
            "/v1/best-practices",
            all_items(server, "/v1/best-practices"),
        ),
    ]
}

#[test]
fn fixtures_have_content() {
    each_layout(|server| {
        let roadmaps = server.ok("/v1/roadmaps");
        assert!(roadmaps["total"].as_u64() > Some(0), "{}", server.base);
        let with_topics = items(&roadmaps)
            .iter()
            .filter(|r| r["topicCount"].as_u64() > Some(0))
            .count();
        assert!(with_topics > 0, "some roadmap has topics");
    });
}

#[test]
fn roadmap_list_is_paginated_ordered_and_filtered() {
    each_layout(|server| {
        let first = server.ok("/v1/roadmaps");
        assert_page_shape(&first, 20, 0);
        let all = all_items(server, "/v1/roadmaps");
        let orders: Vec<f64> = all
            .iter()
            .map(|r| r["order"].as_f64().unwrap_or(f64::INFINITY))
            .collect();
        assert!(
            orders.windows(2).all(|w| w[0] <= w[1]),
            "ordered by order: {orders:?}"
        );

        let window = server.ok("/v1/roadmaps?limit=1&offset=1");
        assert_page_shape(&window, 1, 1);
        assert_eq!(window["total"], all.len());
        assert_eq!(items(&window).first(), all.get(1));

        let count_only = server.ok("/v1/roadmaps?limit=0");
        assert!(items(&count_only).is_empty());
        assert_eq!(count_only["total"], all.len());
        let past_end = server.ok(&format!("/v1/roadmaps?offset={}", all.len() + 5));
        assert!(items(&past_end).is_empty());

        for roadmap in &all {
            assert_eq!(roadmap["kind"], "roadmap");
            assert_eq!(
                roadmap["path"],
                format!("/v1/roadmaps/{}", str_of(roadmap, "id"))
            );
        }
        let tag = all
            .iter()
            .flat_map(|r| r["tags"].as_array().cloned().unwrap_or_default())
            .next();
        if let Some(tag) = tag {
            let tag = tag.as_str().expect("tags are strings");
            let expected = all
                .iter()
                .filter(|r| {
                    r["tags"]
                        .as_array()
                        .is_some_and(|t| t.iter().any(|x| x == tag))
                })
                .count();
            let tagged = server.ok(&format!(
                "/v1/roadmaps?tag={}&limit=100",
                tag.to_uppercase()
            ));
            assert_eq!(tagged["total"], expected, "case-insensitive tag filter");
        }
        let none = server.ok("/v1/roadmaps?tag=no-such-tag");
        assert_eq!(none["total"], 0);
    });
}

#[test]
fn roadmap_detail_faqs_and_related_agree() {
    each_layout(|server| {
        for (base, list) in collections(server) {
            for summary in list {
                let id = str_of(&summary, "id");
                let detail = server.ok(&format!("{base}/{id}"));
                for field in ["id", "kind", "title", "description", "topicCount", "tags"] {
                    assert_eq!(detail[field], summary[field], "{base}/{id} {field}");
                }
                for field in [
                    "briefTitle",
                    "briefDescription",
                    "seo",
                    "isNew",
                    "isUpcoming",
                    "order",
                    "extra",
                    "relatedQuestions",
                ] {
                    assert!(detail.get(field).is_some(), "{base}/{id} has {field}");
                }
                assert_eq!(detail["links"]["topics"], format!("{base}/{id}/topics"));
                assert_eq!(detail["links"]["faqs"], format!("{base}/{id}/faqs"));
                assert_eq!(detail["links"]["related"], format!("{base}/{id}/related"));

                let faqs = detail["faqs"].as_array().expect("faqs");
                if detail["question"].is_object() {
                    assert_eq!(
                        faqs.first().map(|f| &f["question"]),
                        Some(&detail["question"]["title"]),
                        "{base}/{id}: the intro question comes first"
                    );
                    assert!(str_of(&detail["question"], "html").contains('<'));
                }
                for faq in faqs {
                    assert!(faq["question"].is_string());
                    assert!(faq["answer"].as_array().is_some_and(|a| !a.is_empty()));
                }
                let faq_page = all_items(server, &format!("{base}/{id}/faqs"));
                assert_eq!(&faq_page, faqs, "{base}/{id}/faqs");

                let related = detail["related"].as_array().expect("related");
                let related_page = all_items(server, &format!("{base}/{id}/related"));
                assert_eq!(&related_page, related, "{base}/{id}/related");
                for other in related {
                    for field in ["id", "title", "briefTitle", "briefDescription", "path"] {
                        assert!(other[field].is_string(), "{other}");
                    }
                    let target = server.ok(str_of(other, "path"));
                    assert_eq!(target["id"], other["id"]);
                    // The loader falls back to the title when there is no brief title.
                    let brief = target["briefTitle"]
                        .as_str()
                        .unwrap_or(str_of(&target, "title"));
                    assert_eq!(other["briefTitle"], brief);
                }
            }
        }
    });
}

/// Pre-order walk of a topic tree: the roadmap order the flat list must have.
fn preorder(nodes: &[Value], out: &mut Vec<Value>) {
    for node in nodes {
        out.push(node.clone());
        preorder(node["children"].as_array().expect("children"), out);
    }
}

#[test]
fn topic_tree_and_flat_list_agree() {
    each_layout(|server| {
        for (base, list) in collections(server) {
            for summary in list {
                let id = str_of(&summary, "id");
                let tree = server.ok(&format!("{base}/{id}/topics"));
                assert_eq!(tree["roadmapId"], id);
                assert_eq!(tree["total"], summary["topicCount"], "{base}/{id}");
                let mut walk = Vec::new();
                preorder(items(&tree), &mut walk);
                assert_eq!(
                    Some(walk.len() as u64),
                    tree["total"].as_u64(),
                    "{base}/{id}"
                );

                let flat = all_items(server, &format!("{base}/{id}/topics?flat=true"));
                let flat_ids: Vec<&Value> = flat.iter().map(|t| &t["id"]).collect();
                let walk_ids: Vec<&Value> = walk.iter().map(|t| &t["id"]).collect();
                assert_eq!(
                    flat_ids, walk_ids,
                    "{base}/{id}: flat list is in tree order"
                );
                let first_page = server.ok(&format!("{base}/{id}/topics?flat=true&limit=5"));
                assert_page_shape(&first_page, 5, 0);

                let unique: BTreeSet<&str> = flat.iter().map(|t| str_of(t, "id")).collect();
                assert_eq!(
                    unique.len(),
                    flat.len(),
                    "{base}/{id}: topic ids are unique"
                );
                for (item, node) in flat.iter().zip(&walk) {
                    assert_eq!(item["path"], node["path"]);
                    assert_eq!(
                        item["childCount"].as_u64(),
                        node["children"].as_array().map(|c| c.len() as u64)
                    );
                    assert_eq!(
                        item["path"],
                        format!("{base}/{id}/topics/{}", str_of(item, "id"))
                    );
                }
            }
        }
    });
}

#[test]
fn topic_detail_places_the_topic_in_its_roadmap() {
    each_layout(|server| {
        let mut checked_nested = false;
        for (base, list) in collections(server) {
            for summary in list {
                let id = str_of(&summary, "id");
                let flat = all_items(server, &format!("{base}/{id}/topics?flat=true"));
                for (index, item) in flat.iter().enumerate() {
                    let topic = server.ok(str_of(item, "path"));
                    assert_eq!(topic["id"], item["id"]);
                    assert_eq!(topic["sourceId"], item["sourceId"]);
                    assert_eq!(topic["roadmapId"], id);
                    for field in ["title", "markdown", "html", "summary"] {
                        assert!(topic[field].is_string(), "{} {field}", item["path"]);
                    }
                    for resource in topic["resources"].as_array().expect("resources") {
                        for field in ["type", "title", "url"] {
                            assert!(resource[field].is_string(), "{resource}");
                        }
                    }
                    let previous = index.checked_sub(1).map(|i| &flat[i]["id"]);
                    assert_eq!(topic["previous"].get("id"), previous, "previous");
                    assert_eq!(
                        topic["next"].get("id"),
                        flat.get(index + 1).map(|n| &n["id"])
                    );

                    let crumbs = topic["breadcrumbs"].as_array().expect("breadcrumbs");
                    assert_eq!(crumbs[0]["id"], id, "the roadmap comes first");
                    assert_eq!(crumbs[0]["path"], format!("{base}/{id}"));
                    assert_eq!(crumbs.len() as u64, item["depth"].as_u64().unwrap_or(0) + 1);
                    match item["parentId"].as_str() {
                        Some(parent) => {
                            assert_eq!(topic["parent"]["id"], parent);
                            assert_eq!(
                                crumbs.last().map(|c| &c["id"]),
                                Some(&topic["parent"]["id"])
                            );
                            checked_nested = true;
                        }
                        None => assert!(topic["parent"].is_null()),
                    }
                    assert_eq!(
                        topic["children"].as_array().map(|c| c.len() as u64),
                        item["childCount"].as_u64()
                    );

                    if let Some(source_id) = item["sourceId"].as_str() {
                        let by_source = server.ok(&format!("{base}/{id}/topics/{source_id}"));
                        assert_eq!(
                            by_source["id"], item["id"],
                            "lookup by source id {source_id}"
                        );
                    }
                }
            }
        }
        assert!(checked_nested, "{}: some topic is nested", server.base);
    });
}

#[test]
fn also_in_lists_same_titles_in_other_roadmaps() {
    each_layout(|server| {
        // (collection base, roadmap id, topic id, lower-cased title) of every topic.
        let mut everything = Vec::new();
        for (base, list) in collections(server) {
            for summary in list {
                let id = str_of(&summary, "id").to_owned();
                for item in all_items(server, &format!("{base}/{id}/topics?flat=true")) {
                    let title = str_of(&item, "title").trim().to_lowercase();
                    everything.push((base, id.clone(), str_of(&item, "id").to_owned(), title));
                }
            }
        }
        for (base, roadmap, topic, title) in &everything {
            let expected: BTreeSet<(String, String)> = everything
                .iter()
                .filter(|(b, r, _, t)| t == title && (b != base || r != roadmap))
                .map(|(_, r, id, _)| (r.clone(), id.clone()))
                .collect();
            let detail = server.ok(&format!("{base}/{roadmap}/topics/{topic}"));
            let got: BTreeSet<(String, String)> = detail["alsoIn"]
                .as_array()
                .expect("alsoIn")
                .iter()
                .map(|a| {
                    assert!(a["roadmapTitle"].is_string());
                    let target = server.ok(str_of(a, "path"));
                    assert_eq!(
                        target["title"]
                            .as_str()
                            .map(|t| t.trim().to_lowercase())
                            .as_deref(),
                        Some(title.as_str())
                    );
                    (
                        str_of(a, "roadmapId").to_owned(),
                        str_of(a, "topicId").to_owned(),
                    )
                })
                .collect();
            assert_eq!(got, expected, "{base}/{roadmap}/topics/{topic}");
        }
    });
}

#[test]
fn guides_are_newest_first_and_filterable() {
    each_layout(|server| {
        let guides = all_items(server, "/v1/guides");
        let dates: Vec<&str> = guides.iter().filter_map(|g| g["date"].as_str()).collect();
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {dates:?}"
        );
        for guide in &guides {
            let detail = server.ok(str_of(guide, "path"));
            assert_eq!(detail["id"], guide["id"]);
            assert_eq!(detail["title"], guide["title"]);
            assert!(detail["markdown"].is_string() && detail["html"].is_string());
            assert!(detail.get("extra").is_some() && detail.get("seo").is_some());
        }
        if let Some(author) = guides.iter().find_map(|g| g["author"].as_str()) {
            let expected = guides.iter().filter(|g| g["author"] == author).count();
            let by_author = server.ok(&format!(
                "/v1/guides?author={}&limit=100",
                author.to_lowercase().replace(' ', "%20")
            ));
            assert_eq!(by_author["total"], expected);
        }
        if let Some(tag) = guides
            .iter()
            .find_map(|g| g["tags"].as_array().and_then(|t| t.first()).cloned())
        {
            let tag = tag.as_str().unwrap_or_default();
            let expected = guides
                .iter()
                .filter(|g| {
                    g["tags"]
                        .as_array()
                        .is_some_and(|t| t.iter().any(|x| x == tag))
                })
                .count();
            assert_eq!(
                server.ok(&format!("/v1/guides?tag={tag}&limit=100"))["total"],
                expected
            );
        }
        assert_eq!(server.ok("/v1/guides?author=Nobody%20Atall")["total"], 0);
    });
}

#[test]
fn videos_and_question_groups() {
    each_layout(|server| {
        for video in all_items(server, "/v1/videos") {
            let detail = server.ok(str_of(&video, "path"));
            assert_eq!(detail["id"], video["id"]);
            assert!(detail["markdown"].is_string() && detail["html"].is_string());
        }
        for group in all_items(server, "/v1/question-groups") {
            let detail = server.ok(str_of(&group, "path"));
            assert_eq!(detail["id"], group["id"]);
            let questions = detail["questions"].as_array().expect("questions");
            assert_eq!(
                Some(questions.len() as u64),
                group["questionCount"].as_u64()
            );
            for question in questions {
                assert!(question["question"].is_string() && question["answer"].is_string());
                assert!(question["html"].is_string() && question["topics"].is_array());
            }
        }
    });
}

#[test]
fn the_fixtures_cover_every_resource() {
    let mut seen = HashMap::new();
    for layout in LAYOUTS {
        let server = server(layout);
        for list in [
            "/v1/roadmaps",
            "/v1/best-practices",
            "/v1/guides",
            "/v1/videos",
            "/v1/question-groups",
        ] {
            *seen.entry(list).or_insert(0) += server.ok(list)["total"].as_u64().unwrap_or(0);
        }
    }
    for (list, total) in seen {
        assert!(
            total > 0,
            "no fixture has anything at {list}: that endpoint is untested"
        );
    }
}

#[test]
fn bad_parameters_are_400_problems_naming_the_parameter() {
    let server = server(LAYOUTS[0]);
    let roadmap = items(&server.ok("/v1/roadmaps"))[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cases = [
        ("/v1/roadmaps?limit=-1", "limit"),
        ("/v1/roadmaps?limit=100000", "limit"),
        ("/v1/roadmaps?limit=101", "limit"),
        ("/v1/roadmaps?limit=ten", "limit"),
        ("/v1/roadmaps?offset=abc", "offset"),
        ("/v1/roadmaps?offset=-1", "offset"),
        ("/v1/roadmaps?limit=1&limit=2", "limit"),
        ("/v1/roadmaps?limit=99999999999999999999999", "limit"),
        ("/v1/roadmaps?limit=", "limit"),
        ("/v1/roadmaps?limit=%FF", "limit"),
        ("/v1/roadmaps?offset=1e3", "offset"),
        ("/v1/best-practices?limit=-1", "limit"),
        ("/v1/guides?offset=abc", "offset"),
        ("/v1/videos?limit=100000", "limit"),
        ("/v1/question-groups?limit=-1", "limit"),
        (&format!("/v1/roadmaps/{roadmap}/topics?flat=maybe"), "flat"),
        (
            &format!("/v1/roadmaps/{roadmap}/topics?flat=true&limit=-1"),
            "limit",
        ),
        (&format!("/v1/roadmaps/{roadmap}/faqs?offset=abc"), "offset"),
        (
            &format!("/v1/roadmaps/{roadmap}/related?limit=100000"),
            "limit",
        ),
    ];
    for (path, parameter) in cases {
        let problem = server.problem(path, 400);
        assert_eq!(problem["parameter"], parameter, "{path}: {problem}");
        assert_eq!(problem["instance"], path, "{path}");
    }
}

#[test]
fn unknown_ids_are_404_problems() {
    let server = server(LAYOUTS[0]);
    let roadmap = items(&server.ok("/v1/roadmaps"))[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for path in [
        "/v1/roadmaps/no-such-roadmap".to_owned(),
        "/v1/roadmaps/no-such-roadmap/topics".to_owned(),
        "/v1/roadmaps/no-such-roadmap/faqs".to_owned(),
        "/v1/roadmaps/no-such-roadmap/related".to_owned(),
        "/v1/roadmaps/no-such-roadmap/topics/x".to_owned(),
        format!("/v1/roadmaps/{roadmap}/topics/no/such/topic"),
        format!("/v1/roadmaps/{roadmap}/topics/"),
        "/v1/best-practices/no-such-thing".to_owned(),
        "/v1/best-practices/no-such-thing/topics/x".to_owned(),
        "/v1/guides/no-such-guide".to_owned(),
        "/v1/videos/no-such-video".to_owned(),
        "/v1/question-groups/no-such-group".to_owned(),
        "/v1/roadmaps/%FF".to_owned(),
        format!("/v1/roadmaps/{roadmap}/topics/%FF%FE"),
        format!("/v1/roadmaps/{roadmap}/topics/..%2F..%2Fetc"),
        "/v2/anything".to_owned(),
        // `/` is the search page (tests/page.rs); other paths outside /v1 stay problems.
        "/nothing-here".to_owned(),
    ] {
        let problem = server.problem(&path, 404);
        assert_eq!(problem["instance"], path.as_str());
        assert!(problem.get("parameter").is_none());
    }
    // A roadmap id is not a best practice id.
    server.problem(&format!("/v1/best-practices/{roadmap}"), 404);
}

#[test]
fn head_answers_the_headers_of_get_without_a_body() {
    let server = server(LAYOUTS[0]);
    let get = server.get("/v1/roadmaps");
    let etag = get.headers().get("etag").cloned().expect("ETag on GET");
    let head = server
        .client()
        .head(server.url("/v1/roadmaps"))
        .send()
        .expect("HEAD");
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.headers().get("etag"), Some(&etag));
    assert_eq!(common::content_type(&head), "application/json");
    assert!(head.text().expect("body").is_empty());
}

#[test]
fn only_get_is_allowed() {
    let server = server(LAYOUTS[0]);
    let response = server
        .client()
        .post(server.url("/v1/roadmaps"))
        .send()
        .expect("POST");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(common::content_type(&response), "application/problem+json");
}

#[test]
fn health_and_readiness() {
    let server = server(LAYOUTS[1]);
    assert_eq!(server.ok("/healthz")["status"], "ok");
    let ready = server.ok("/readyz");
    assert_eq!(ready["status"], "ready");
    assert!(ready["version"].is_string());

    let empty = tempfile::tempdir().expect("temp dir");
    let unready = TestServer::start(empty.path());
    assert_eq!(unready.ok("/healthz")["status"], "ok");
    unready.problem("/readyz", 503);
    assert_eq!(unready.ok("/v1/roadmaps")["total"], 0);
}

#[test]
fn cross_origin_reads_are_allowed() {
    let server = server(LAYOUTS[0]);
    let response = server
        .client()
        .get(server.url("/v1/roadmaps"))
        .header("Origin", "https://example.org")
        .send()
        .expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    let allowed = response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok());
    assert!(
        matches!(allowed, Some("*") | Some("https://example.org")),
        "{allowed:?}"
    );
    let preflight = server
        .client()
        .request(reqwest::Method::OPTIONS, server.url("/v1/roadmaps"))
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .expect("OPTIONS");
    assert!(preflight.status().is_success());
}

#[test]
fn responses_are_compressed_when_asked() {
    let server = server(LAYOUTS[0]);
    let response = server
        .client()
        .get(server.url("/v1/roadmaps"))
        .header("Accept-Encoding", "gzip")
        .send()
        .expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[test]
fn docs_are_served_offline() {
    let server = server(LAYOUTS[0]);
    let page = server.get("/docs/");
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(common::content_type(&page), "text/html");
    let html = page.text().expect("docs page");
    let scripts: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(!scripts.is_empty(), "the docs page loads scripts");
    for script in scripts {
        assert!(
            !script.starts_with("http") && !script.starts_with("//"),
            "script from elsewhere: {script}"
        );
        let url = format!("/docs/{}", script.trim_start_matches("./"));
        let asset = server.get(&url);
        assert_eq!(asset.status().as_u16(), 200, "{url}");
        assert!(common::content_type(&asset).contains("javascript"), "{url}");
    }
    let redirect = server.get("/docs");
    assert_eq!(redirect.status().as_u16(), 200, "/docs redirects to /docs/");
    assert_eq!(server.ok("/openapi.json")["info"]["title"], "roadmap-api");
}

fn ids(values: &[Value]) -> Vec<&str> {
    values.iter().map(|v| str_of(v, "id")).collect()
}

/// What `tests/fixtures/README.md` says the 2023 fixture holds, as the API shows it.
#[test]
fn layout_2023_as_documented() {
    let server = server("layout-2023");
    let roadmaps = all_items(server, "/v1/roadmaps");
    assert_eq!(ids(&roadmaps), ["web-basics", "api-design", "broken-meta"]);

    let web = server.ok("/v1/roadmaps/web-basics");
    assert_eq!(web["topicCount"], 10);
    assert_eq!(web["question"]["title"], "What is the Web?");
    let faqs = web["faqs"].as_array().expect("faqs");
    assert_eq!(faqs.len(), 4, "intro question and 3 from faqs.astro");
    assert_eq!(faqs[0]["question"], "What is the Web?");
    assert_eq!(
        ids(web["related"].as_array().expect("related")),
        ["api-design", "broken-meta"]
    );
    assert_eq!(
        server.ok("/v1/roadmaps/web-basics/faqs?limit=2&offset=3")["items"][0],
        faqs[3]
    );

    let tree = server.ok("/v1/roadmaps/web-basics/topics");
    assert_eq!(ids(items(&tree)), ["internet", "html", "css"]);
    let internet = &items(&tree)[0];
    assert_eq!(
        ids(internet["children"].as_array().expect("children")),
        ["internet/http", "internet/dns", "internet/tls"]
    );
    assert_eq!(
        internet["children"][2]["children"][0]["id"],
        "internet/tls/certificates"
    );
    let flat = all_items(server, "/v1/roadmaps/web-basics/topics?flat=true");
    assert_eq!(
        ids(&flat),
        [
            "internet",
            "internet/http",
            "internet/dns",
            "internet/tls",
            "internet/tls/certificates",
            "html",
            "css",
            "css/selectors",
            "css/layout",
            "css/grid",
        ]
    );

    let cert = server.ok("/v1/roadmaps/web-basics/topics/internet/tls/certificates");
    assert_eq!(cert["sourceId"], "100-internet:tls:certificates");
    assert_eq!(cert["depth"], 2);
    assert_eq!(
        ids(cert["breadcrumbs"].as_array().expect("crumbs")),
        ["web-basics", "internet", "internet/tls"]
    );
    assert_eq!(cert["previous"]["id"], "internet/tls");
    assert_eq!(cert["next"]["id"], "html");
    let escaped = server.ok("/v1/roadmaps/web-basics/topics/internet%2Ftls%2Fcertificates");
    assert_eq!(escaped["id"], "internet/tls/certificates");
    let by_control_name = server.ok("/v1/roadmaps/web-basics/topics/100-internet:tls:certificates");
    assert_eq!(by_control_name["id"], "internet/tls/certificates");

    let http = server.ok("/v1/roadmaps/web-basics/topics/internet/http");
    assert_eq!(http["resources"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        server.ok("/v1/roadmaps/web-basics/topics/css/grid")["title"],
        "CSS Grid"
    );
    assert_eq!(
        server.ok("/v1/roadmaps/web-basics/topics/css/selectors")["title"],
        "Selectors"
    );
    let internet = server.ok("/v1/roadmaps/web-basics/topics/internet");
    assert_eq!(
        ids(internet["children"].as_array().expect("children")).len(),
        3
    );
    assert!(internet["parent"].is_null() && internet["previous"].is_null());

    let practices = all_items(server, "/v1/best-practices");
    assert_eq!(ids(&practices), ["security-checklist"]);
    assert_eq!(practices[0]["kind"], "bestPractice");
    let checklist = all_items(
        server,
        "/v1/best-practices/security-checklist/topics?flat=true",
    );
    assert_eq!(ids(&checklist), ["rotate-secrets", "use-https"]);
    let topic = server.ok("/v1/best-practices/security-checklist/topics/use-https");
    assert_eq!(
        topic["breadcrumbs"][0]["path"],
        "/v1/best-practices/security-checklist"
    );
    assert_eq!(topic["roadmapKind"], "bestPractice");

    let guides = all_items(server, "/v1/guides");
    assert_eq!(
        guides.iter().map(|g| str_of(g, "id")).collect::<Vec<_>>(),
        ["http-caching-explained", "choosing-a-database"]
    );
    let by_author = server.ok("/v1/guides?author=ada%20writer");
    assert_eq!(by_author["total"], 1);
    assert_eq!(by_author["items"][0]["id"], "http-caching-explained");
    assert_eq!(
        server.ok("/v1/guides/choosing-a-database")["date"],
        "2023-07-01"
    );

    let video = server.ok("/v1/videos/dns-in-five-minutes");
    assert_eq!(video["duration"], "5 minutes");
    let group = server.ok("/v1/question-groups/web-questions");
    assert_eq!(group["questions"].as_array().map(Vec::len), Some(3));
}

/// What `tests/fixtures/README.md` says the 2025 fixture holds, as the API shows it.
#[test]
fn layout_2025_as_documented() {
    let server = server("layout-2025");
    let roadmaps = all_items(server, "/v1/roadmaps");
    assert_eq!(
        ids(&roadmaps),
        ["backend-lite", "devops-lite", "broken-front"]
    );
    assert_eq!(roadmaps[2]["topicCount"], 0);

    let backend = server.ok("/v1/roadmaps/backend-lite");
    assert_eq!(backend["topicCount"], 9);
    assert_eq!(backend["faqs"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        ids(backend["related"].as_array().expect("related")),
        ["devops-lite"]
    );

    let tree = server.ok("/v1/roadmaps/backend-lite/topics");
    assert_eq!(ids(items(&tree)), ["internet", "databases", "caching"]);
    let flat = all_items(server, "/v1/roadmaps/backend-lite/topics?flat=true");
    assert_eq!(
        ids(&flat),
        [
            "internet",
            "http",
            "dns",
            "databases",
            "redis",
            "indexes",
            "sharding",
            "caching",
            "redis-2"
        ]
    );

    let http = server.ok("/v1/roadmaps/backend-lite/topics/http");
    assert_eq!(http["sourceId"], "sHttp000001");
    assert_eq!(http["parent"]["id"], "internet");
    let kinds: Vec<&str> = http["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| str_of(r, "type"))
        .collect();
    assert_eq!(kinds, ["official", "article", "opensource"]);
    assert_eq!(
        server.ok("/v1/roadmaps/backend-lite/topics/sHttp000001")["id"],
        "http"
    );
    let redis2 = server.ok("/v1/roadmaps/backend-lite/topics/sRedis00002");
    assert_eq!(redis2["id"], "redis-2");
    assert_eq!(redis2["parent"]["id"], "caching");
    assert!(redis2["next"].is_null());

    let devops = all_items(server, "/v1/roadmaps/devops-lite/topics?flat=true");
    assert_eq!(ids(&devops), ["linux", "containers", "containers/docker"]);
    assert_eq!(server.ok("/v1/roadmaps/devops-lite/faqs")["total"], 2);

    let practices = all_items(server, "/v1/best-practices/code-review/topics?flat=true");
    assert_eq!(ids(&practices), ["small-prs", "write-tests"]);

    let guides = all_items(server, "/v1/guides");
    assert_eq!(
        guides.iter().map(|g| str_of(g, "id")).collect::<Vec<_>>(),
        ["backend-checklist", "sql-vs-nosql"]
    );
    let by_author = server.ok("/v1/guides?author=JANE%20DOE");
    assert_eq!(by_author["items"][0]["id"], "sql-vs-nosql");
    assert_eq!(by_author["total"], 1);
    let checklist = server.ok("/v1/guides/backend-checklist");
    assert!(checklist["extra"].is_object());

    assert_eq!(server.ok("/v1/videos")["total"], 1);
    let group = server.ok("/v1/question-groups/backend-questions");
    assert_eq!(group["questions"].as_array().map(Vec::len), Some(2));
}

fn write(root: &std::path::Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The fixtures share no topic title between roadmaps, so "also in" gets its own content:
/// the same title in another roadmap and in a best practice, in other letter cases.
#[test]
fn also_in_matches_titles_across_roadmaps_and_best_practices() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for (kind, id, title) in [
        ("roadmaps", "alpha", "Caching"),
        ("roadmaps", "beta", "caching"),
        ("best-practices", "gamma", "CACHING "),
    ] {
        write(
            root,
            &format!("{kind}/{id}/{id}.md"),
            &format!("---\ntitle: '{id}'\ndescription: 'about {id}'\n---\n"),
        );
        write(
            root,
            &format!("{kind}/{id}/content/100-caching.md"),
            &format!("# {title}\n\nKeep answers close.\n"),
        );
        write(
            root,
            &format!("{kind}/{id}/content/101-other-{id}.md"),
            &format!("# Other {id}\n\nSomething else.\n"),
        );
    }
    let server = TestServer::start(root);
    let topic = server.ok("/v1/roadmaps/alpha/topics/caching");
    let also_in: BTreeSet<(String, String)> = topic["alsoIn"]
        .as_array()
        .expect("alsoIn")
        .iter()
        .map(|a| {
            (
                str_of(a, "roadmapId").to_owned(),
                str_of(a, "path").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        also_in,
        BTreeSet::from([
            (
                "beta".to_owned(),
                "/v1/roadmaps/beta/topics/caching".to_owned()
            ),
            (
                "gamma".to_owned(),
                "/v1/best-practices/gamma/topics/caching".to_owned()
            ),
        ])
    );
    let other = server.ok("/v1/roadmaps/alpha/topics/other-alpha");
    assert_eq!(other["alsoIn"], serde_json::json!([]));

    // A newly published catalog is seen at once: the lookup is rebuilt, not stale.
    write(
        root,
        "roadmaps/beta/content/102-other.md",
        "# Other alpha\n\nAgain.\n",
    );
    let snapshot = roadmap_api::api::server::load_snapshot(root).expect("reload");
    server.store.publish(snapshot);
    let other = server.ok("/v1/roadmaps/alpha/topics/other-alpha");
    assert_eq!(other["alsoIn"][0]["path"], "/v1/roadmaps/beta/topics/other");
}

#[test]
fn metrics_count_requests_by_route_and_show_what_is_served() {
    let server = server(LAYOUTS[1]);
    server.ok("/v1/roadmaps");
    server.ok("/v1/roadmaps/backend-lite");
    server.problem("/v1/roadmaps/nope", 404);
    let response = server.get("/metrics");
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().expect("body");
    assert!(text.contains("roadmap_api_http_requests_total"), "{text}");
    // Labelled by route pattern: ids do not become label values.
    assert!(text.contains("endpoint=\"/v1/roadmaps/{id}\""), "{text}");
    assert!(!text.contains("backend-lite"), "{text}");
    let documents = text
        .lines()
        .find(|l| l.starts_with("roadmap_api_search_documents "))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .expect("documents gauge");
    assert!(documents > 0);
    assert!(text.contains("roadmap_api_topics "), "{text}");
}
