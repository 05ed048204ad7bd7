//! HTTP done right, on the real server: HEAD, OPTIONS and 405 with `Allow`, one ETag per
//! representation with `Vary`, 406, and a problem document for every error whoever
//! answers it (request limits, CORS, the docs service, the framework).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

use common::TestServer;
use reqwest::Method;
use reqwest::blocking::Response;
use serde_json::Value;

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::fixture("layout-2023"))
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Asserts a problem document with `status` and returns it.
fn problem(response: Response, status: u16, what: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "{what}");
    assert_eq!(
        common::content_type(&response),
        "application/problem+json",
        "{what}"
    );
    let body: Value = response
        .json()
        .unwrap_or_else(|e| panic!("{what}: problem is not JSON: {e}"));
    assert_eq!(body["status"], status, "{what}: {body}");
    for member in ["type", "title", "detail"] {
        assert!(body[member].is_string(), "{what}: no {member} in {body}");
    }
    body
}

#[test]
fn head_carries_the_headers_and_length_of_get() {
    let server = server();
    for path in [
        "/v1/roadmaps",
        "/v1/roadmaps/web-basics",
        "/v1/roadmaps/web-basics/topics",
        "/openapi.json",
        "/healthz",
    ] {
        let get = server.get(path);
        assert_eq!(get.status().as_u16(), 200, "GET {path}");
        let get_length = header(&get, "content-length");
        let get_etag = header(&get, "etag");
        let get_type = header(&get, "content-type");
        let body = get.bytes().expect("GET body");
        let head = server.client().head(server.url(path)).send().expect("HEAD");
        assert_eq!(head.status().as_u16(), 200, "HEAD {path}");
        assert_eq!(header(&head, "content-length"), get_length, "HEAD {path}");
        assert_eq!(
            get_length.as_deref(),
            Some(body.len().to_string().as_str()),
            "GET {path}: Content-Length is the body's"
        );
        assert_eq!(header(&head, "etag"), get_etag, "HEAD {path}");
        assert_eq!(header(&head, "content-type"), get_type, "HEAD {path}");
        assert!(head.bytes().expect("HEAD body").is_empty(), "HEAD {path}");
    }
}

#[test]
fn options_answers_with_the_allowed_methods() {
    let server = server();
    for path in ["/v1/roadmaps", "/v1/search", "/healthz"] {
        let response = server
            .client()
            .request(Method::OPTIONS, server.url(path))
            .send()
            .expect("OPTIONS");
        assert_eq!(response.status().as_u16(), 204, "OPTIONS {path}");
        let allow = header(&response, "allow").unwrap_or_default();
        for method in ["GET", "HEAD", "OPTIONS"] {
            assert!(allow.contains(method), "OPTIONS {path}: Allow {allow}");
        }
    }
}

#[test]
fn other_methods_are_405_problems_listing_get_and_head() {
    let server = server();
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let response = server
            .client()
            .request(method.clone(), server.url("/v1/roadmaps"))
            .send()
            .expect("request");
        let allow = header(&response, "allow").unwrap_or_default();
        assert!(
            allow.contains("GET") && allow.contains("HEAD"),
            "{method}: {allow}"
        );
        problem(response, 405, &format!("{method} /v1/roadmaps"));
    }
}

/// Search and suggest answers differ in the time they took, so their tag is weak and
/// stands for the content version and the request: the same request validates with a
/// 304 (no search run), another query, representation or encoding does not.
#[test]
fn search_and_suggest_carry_weak_tags_of_the_request() {
    let server = server();
    let client = server.client();
    for path in ["/v1/search?q=http", "/v1/suggest?q=htt"] {
        let url = server.url(path);
        let first = client.get(&url).send().expect("GET");
        let tag = header(&first, "etag").expect("ETag");
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        let vary = header(&first, "vary").unwrap_or_default().to_lowercase();
        assert!(vary.contains("accept-encoding"), "{path}: Vary: {vary}");
        let second = client.get(&url).send().expect("GET");
        assert_eq!(
            header(&second, "etag").as_deref(),
            Some(tag.as_str()),
            "{path}"
        );
        let same = client
            .get(&url)
            .header("If-None-Match", &tag)
            .send()
            .expect("GET");
        assert_eq!(same.status().as_u16(), 304, "{path}");
        assert_eq!(
            header(&same, "etag").as_deref(),
            Some(tag.as_str()),
            "{path}"
        );
        assert!(same.bytes().expect("body").is_empty(), "{path}");
        let gzip = client
            .get(&url)
            .header("Accept-Encoding", "gzip")
            .header("If-None-Match", &tag)
            .send()
            .expect("GET gzip");
        assert_eq!(gzip.status().as_u16(), 200, "{path}");
        assert_ne!(
            header(&gzip, "etag").as_deref(),
            Some(tag.as_str()),
            "{path}"
        );
        let other = client
            .get(server.url(&format!("{path}p")))
            .header("If-None-Match", &tag)
            .send()
            .expect("GET");
        assert_eq!(other.status().as_u16(), 200, "{path}");
    }
}

#[test]
fn each_representation_has_its_own_etag_and_responses_vary() {
    let server = server();
    let client = server.client();
    let url = server.url("/v1/roadmaps");
    let identity = client.get(&url).send().expect("GET");
    let gzip = client
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .send()
        .expect("GET gzip");
    assert_eq!(header(&gzip, "content-encoding").as_deref(), Some("gzip"));
    let identity_tag = header(&identity, "etag").expect("ETag");
    let gzip_tag = header(&gzip, "etag").expect("ETag of gzip");
    assert_ne!(identity_tag, gzip_tag);
    for response in [&identity, &gzip] {
        let vary = header(response, "vary").unwrap_or_default().to_lowercase();
        assert!(
            vary.contains("accept-encoding") && vary.split(',').any(|v| v.trim() == "accept"),
            "Vary: {vary}"
        );
    }
    // The gzip tag does not validate the identity representation, its own tag does.
    let other = client
        .get(&url)
        .header("If-None-Match", &gzip_tag)
        .send()
        .expect("GET");
    assert_eq!(other.status().as_u16(), 200);
    let same = client
        .get(&url)
        .header("If-None-Match", &identity_tag)
        .send()
        .expect("GET");
    assert_eq!(same.status().as_u16(), 304);
    assert_eq!(
        header(&same, "etag").as_deref(),
        Some(identity_tag.as_str())
    );
    // Markdown and JSON of one topic are two representations.
    let topics = server.ok("/v1/roadmaps/web-basics/topics?flat=true&limit=1");
    let topic = topics["items"][0]["path"].as_str().expect("a topic path");
    let json = server.get(topic);
    let markdown = client
        .get(server.url(topic))
        .header("Accept", "text/markdown")
        .send()
        .expect("GET markdown");
    assert_eq!(common::content_type(&markdown), "text/markdown");
    assert_ne!(header(&json, "etag"), header(&markdown, "etag"));
}

#[test]
fn unacceptable_media_types_are_406_problems() {
    let server = server();
    let client = server.client();
    let response = client
        .get(server.url("/v1/roadmaps"))
        .header("Accept", "application/xml")
        .send()
        .expect("GET");
    let body = problem(response, 406, "Accept: application/xml");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("application/json"))
    );
    // A topic lists its three representations.
    let topics = server.ok("/v1/roadmaps/web-basics/topics?flat=true&limit=1");
    let topic = topics["items"][0]["path"].as_str().expect("a topic path");
    let response = client
        .get(server.url(topic))
        .header("Accept", "image/png")
        .send()
        .expect("GET");
    let body = problem(response, 406, "Accept: image/png");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("text/markdown") && detail.contains("text/plain"));
    // Wildcards, lists and quality values are honoured.
    for accept in ["*/*", "application/*", "text/html, application/json;q=0.1"] {
        let response = client
            .get(server.url("/v1/roadmaps"))
            .header("Accept", accept)
            .send()
            .expect("GET");
        assert_eq!(response.status().as_u16(), 200, "Accept: {accept}");
    }
}

#[test]
fn oversized_requests_are_problems_with_their_status() {
    let server = server();
    let client = server.client();
    // Over our 32 KiB limit and under the `http` crate's 64 KiB.
    let mut request = b"GET /v1/search?q=".to_vec();
    request.extend(std::iter::repeat_n(b'a', 40_000));
    request.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = raw(server, &request);
    assert!(
        answer.starts_with("HTTP/1.1 414"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    assert!(answer.to_lowercase().contains("application/problem+json"));
    assert!(
        !answer.contains("aaaaaaaaaa"),
        "a 414 does not echo the URI"
    );

    let mut request = client.get(server.url("/v1/roadmaps"));
    for i in 0..80 {
        request = request.header(format!("x-filler-{i}"), "x");
    }
    problem(request.send().expect("GET"), 431, "80 headers");
    let response = client
        .get(server.url("/v1/roadmaps"))
        .header("x-big", "b".repeat(40_000))
        .send()
        .expect("GET");
    problem(response, 431, "a 40 kB header");

    let response = client
        .post(server.url("/v1/roadmaps"))
        .body(vec![b'x'; 200_000])
        .send()
        .expect("POST");
    problem(response, 413, "a 200 kB body");
}

#[test]
fn framework_errors_are_problems() {
    let server = server();
    let client = server.client();
    // A preflight for a method the API does not allow: the CORS layer denies it.
    let response = client
        .request(Method::OPTIONS, server.url("/v1/roadmaps"))
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "DELETE")
        .send()
        .expect("OPTIONS");
    assert!(response.status().is_client_error());
    let status = response.status().as_u16();
    problem(response, status, "denied preflight");
    // The docs service's own 404s.
    for path in ["/docs/nope.js", "/docs/../../etc/passwd", "/docs/%2e%2e/x"] {
        let response = server.get(path);
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        problem(response, status, path);
    }
    // Unknown paths.
    let body = problem(server.get("/nope"), 404, "/nope");
    assert_eq!(body["instance"], "/nope");
}

/// Sends raw bytes and returns the raw answer (the connection is closed by the server
/// or after the timeout).
fn raw(server: &TestServer, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    // The server may answer and close before the whole request is written.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn malformed_requests_get_a_problem() {
    let server = server();
    let answer = raw(
        server,
        b"GET /v1/roadmaps HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.to_lowercase().contains("application/problem+json"),
        "{answer}"
    );
}

#[test]
fn heads_larger_than_the_parser_takes_get_a_problem() {
    let server = server();
    // Past the parser's buffer, and between our limit and the URI type's 64 KiB (which
    // the parser rejects as invalid HTTP once the line is whole): both are a 414.
    for length in [200_000, 70_000] {
        let mut request = b"GET /v1/search?q=".to_vec();
        request.extend(std::iter::repeat_n(b'a', length));
        request.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
        let answer = raw(server, &request);
        assert!(answer.starts_with("HTTP/1.1 414"), "{length}: {answer}");
        assert!(
            answer.to_lowercase().contains("application/problem+json"),
            "{answer}"
        );
    }
    let mut request = b"GET /v1/roadmaps HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..120 {
        request.extend_from_slice(format!("x-filler-{i}: x\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let answer = raw(server, &request);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(
        answer.to_lowercase().contains("application/problem+json"),
        "{answer}"
    );
}

/// The values of the `Kind` enum, as the OpenAPI document declares them.
fn kinds() -> Vec<String> {
    let doc = serde_json::to_value(roadmap_api::api::openapi::openapi()).expect("document");
    doc["components"]["schemas"]["Kind"]["enum"]
        .as_array()
        .expect("Kind is an enum")
        .iter()
        .map(|v| v.as_str().expect("a name").to_owned())
        .collect()
}

fn assert_resource(value: &Value, kind: &str, what: &str) {
    assert!(
        value["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{what}: no id in {value}"
    );
    assert_eq!(value["kind"], kind, "{what}: {value}");
}

/// `2025-07-01T10:00:00.123Z`: RFC 3339 in UTC.
fn assert_rfc3339(value: &Value, what: &str) {
    let text = value.as_str().unwrap_or_else(|| panic!("{what}: {value}"));
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    assert!(
        text.len() >= 20
            && digits(0..4)
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes[10] == b'T'
            && bytes[13] == b':'
            && text.ends_with('Z'),
        "{what}: `{text}` is not RFC 3339"
    );
}

fn assert_three_decimals(value: &Value, what: &str) {
    let text = value.to_string();
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    assert!(
        value.is_number() && decimals <= 3,
        "{what}: {text} has {decimals} decimals"
    );
}

#[test]
fn one_shape_per_concept() {
    let kinds = kinds();
    for kind in [
        "roadmap",
        "bestPractice",
        "topic",
        "faq",
        "guide",
        "video",
        "question",
        "questionGroup",
    ] {
        assert!(
            kinds.contains(&kind.to_owned()),
            "Kind lacks {kind}: {kinds:?}"
        );
    }
    for layout in ["layout-2023", "layout-2025"] {
        let server = TestServer::fixture(layout);
        let roadmaps = server.ok("/v1/roadmaps");
        for roadmap in roadmaps["items"].as_array().expect("items") {
            assert_resource(roadmap, "roadmap", "roadmap summary");
            let path = roadmap["path"].as_str().expect("path");
            assert_resource(&server.ok(path), "roadmap", "roadmap");
            let topics = server.ok(&format!("{path}/topics?flat=true&limit=100"));
            for topic in topics["items"].as_array().expect("items") {
                assert_resource(topic, "topic", "topic list item");
            }
            if let Some(first) = topics["items"][0]["path"].as_str() {
                let topic = server.ok(first);
                assert_resource(&topic, "topic", "topic");
                for other in topic["alsoIn"].as_array().expect("alsoIn") {
                    assert!(
                        kinds.contains(&other["roadmapKind"].as_str().unwrap_or("").to_owned())
                    );
                }
            }
            let faqs = server.ok(&format!("{path}/faqs?limit=100"));
            for faq in faqs["items"].as_array().expect("items") {
                assert_resource(faq, "faq", "FAQ entry");
                assert!(
                    faq["html"].as_str().is_some_and(|h| h.starts_with('<')),
                    "{faq}"
                );
            }
            for related in server.ok(&format!("{path}/related"))["items"]
                .as_array()
                .expect("items")
            {
                assert_resource(related, "roadmap", "related roadmap");
            }
        }
        for practice in server.ok("/v1/best-practices")["items"]
            .as_array()
            .expect("items")
        {
            assert_resource(practice, "bestPractice", "best practice");
        }
        for (list, kind) in [
            ("/v1/guides", "guide"),
            ("/v1/videos", "video"),
            ("/v1/question-groups", "questionGroup"),
        ] {
            for item in server.ok(list)["items"].as_array().expect("items") {
                assert_resource(item, kind, list);
                let detail = server.ok(item["path"].as_str().expect("path"));
                assert_resource(&detail, kind, list);
                for question in detail["questions"].as_array().into_iter().flatten() {
                    assert_resource(question, "question", "question");
                }
            }
        }
        assert_rfc3339(&server.ok("/readyz")["publishedAt"], "/readyz publishedAt");
        let status = server.ok("/v1/status");
        assert_rfc3339(&status["publishedAt"], "/v1/status publishedAt");
        for diagnostic in status["diagnostics"].as_array().expect("diagnostics") {
            assert!(
                ["error", "warning", "info"]
                    .contains(&diagnostic["severity"].as_str().unwrap_or(""))
            );
        }
    }

    let content =
        TestServer::start(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    let search = content.ok("/v1/search?q=kubernetes");
    assert_three_decimals(&search["tookMs"], "search tookMs");
    for facet in search["facets"]["kind"].as_array().expect("kind facet") {
        // Words people read: capitalised, no camelCase (`Best practice`, `FAQ`).
        let label = facet["label"].as_str().expect("label");
        assert!(label.starts_with(|c: char| c.is_uppercase()), "{facet}");
        let camel = label
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
        assert!(!camel, "{facet}");
    }
    for facet in search["facets"]["roadmap"]
        .as_array()
        .expect("roadmap facet")
    {
        let id = facet["value"].as_str().expect("value");
        let title = content
            .ok(&format!("/v1/roadmaps/{id}"))
            .get("title")
            .cloned()
            .or_else(|| Some(content.ok(&format!("/v1/best-practices/{id}"))["title"].clone()));
        assert_eq!(Some(facet["label"].clone()), title, "{facet}");
    }
    let suggest = content.ok("/v1/suggest?q=kube");
    assert_three_decimals(&suggest["tookMs"], "suggest tookMs");
    let from_suggest = &suggest["items"][0]["alsoIn"][0];
    let topic = content.ok(suggest["items"][0]["path"].as_str().expect("path"));
    let from_topic = &topic["alsoIn"][0];
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert!(
        keys(from_topic).is_some(),
        "the topic has other roadmaps: {topic}"
    );
    assert_eq!(keys(from_suggest), keys(from_topic), "one alsoIn shape");
    assert_eq!(suggest["items"][0]["alsoIn"], topic["alsoIn"]);
    let lookup = content.ok("/v1/lookup?term=kubernetes");
    assert_eq!(keys(&lookup["alsoIn"][0]), keys(from_topic));
}

/// The bounds the OpenAPI document declares are the ones enforced: a value just past
/// one is a 400 naming the parameter, the bound itself is accepted.
#[test]
fn declared_bounds_are_enforced_bounds() {
    let server = server();
    let cases = [
        ("/v1/roadmaps?offset=1000001", "offset"),
        ("/v1/search?q=x&offset=1000001", "offset"),
        ("/v1/search?q=x&limit=101", "limit"),
        ("/v1/suggest?q=x&limit=0", "limit"),
        ("/v1/lookup?term=%20", "term"),
        ("/v1/lookup?term=", "term"),
        ("/v1/search?q=x&type=nope", "type"),
        // Only the enum's own spelling, and no empty item.
        ("/v1/search?q=x&type=", "type"),
        ("/v1/search?q=x&type=topic,", "type"),
        ("/v1/search?q=x&type=Topic", "type"),
        ("/v1/search?q=x&highlight=a%20b", "highlight"),
    ];
    for (path, parameter) in cases {
        let body = problem(server.get(path), 400, path);
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }
    let long = "x".repeat(101);
    for name in ["highlightPre", "highlightPost"] {
        let path = format!("/v1/search?q=x&{name}={long}");
        let body = problem(server.get(&path), 400, &path);
        assert_eq!(body["parameter"], name, "{body}");
    }
    let hundred = "x".repeat(100);
    for path in [
        String::from("/v1/roadmaps?offset=1000000"),
        String::from("/v1/search?q=x&offset=1000000&limit=100"),
        format!("/v1/search?q=x&highlightPre={hundred}&highlightPost={hundred}"),
        String::from("/v1/search?q=x&type=topic&type=bestPractice,guide"),
    ] {
        assert_eq!(server.get(&path).status().as_u16(), 200, "{path}");
    }
}
