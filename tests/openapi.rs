//! The OpenAPI document: the checked-in copy is current, the served copy is the same,
//! and every documented operation is routed and fully described.

mod common;

use std::path::Path;

use serde_json::Value;

use roadmap_api::api::openapi::openapi;

const HINT: &str = "openapi/openapi.json is out of date; regenerate it with\n\n    cargo run -- openapi > openapi/openapi.json\n";

fn generated() -> Value {
    serde_json::to_value(openapi()).expect("the document serializes")
}

fn checked_in() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}\n{HINT}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{HINT}", path.display()))
}

#[test]
fn checked_in_document_is_current() {
    if generated() != checked_in() {
        panic!("{HINT}");
    }
}

#[test]
fn served_document_is_the_checked_in_one() {
    let empty = tempfile::tempdir().expect("temp dir");
    let server = common::TestServer::start(empty.path());
    let served = server.ok("/openapi.json");
    if served != checked_in() {
        panic!("the served /openapi.json differs from the checked-in file.\n{HINT}");
    }
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            out.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    out
}

#[test]
fn every_operation_is_described() {
    let doc = generated();
    assert!(doc["info"]["description"].is_string());
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let ops = operations(&doc);
    assert!(ops.len() >= 20, "{} operations", ops.len());
    for (path, method, op) in ops {
        let name = format!("{method} {path}");
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}: tag"
        );
        assert!(op["summary"].is_string(), "{name}: summary");
        assert!(op["operationId"].is_string(), "{name}: operationId");
        let responses = op["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{name}: 200");
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        for param in &params {
            let pname = format!("{name} parameter {}", param["name"]);
            assert!(param["description"].is_string(), "{pname}: description");
            assert!(
                param.get("example").is_some() || param["schema"].get("example").is_some(),
                "{pname}: example"
            );
        }
        if params.iter().any(|p| p["in"] == "query") {
            assert!(responses.contains_key("400"), "{name}: 400");
        }
        if params.iter().any(|p| p["in"] == "path") {
            assert!(responses.contains_key("404"), "{name}: 404");
        }
    }
}

/// Each documented path, with its parameters filled from their examples, reaches a
/// handler: a 404 from a handler names what is missing, a 404 for a path with no route
/// says "no resource at this path".
#[test]
fn every_documented_path_is_routed() {
    let doc = generated();
    let empty = tempfile::tempdir().expect("temp dir");
    let server = common::TestServer::start(empty.path());
    for (path, method, op) in operations(&doc) {
        if method != "get" {
            continue;
        }
        let mut url = path.clone();
        for param in op["parameters"].as_array().cloned().unwrap_or_default() {
            if param["in"] == "path" {
                let example = param["example"].as_str().unwrap_or("x");
                url = url.replace(
                    &format!("{{{}}}", param["name"].as_str().unwrap_or("")),
                    example,
                );
            }
        }
        if url == "/v1/events" {
            // An endless stream: routed when it answers 200 with the SSE type.
            let response = server.get(&url);
            assert_eq!(response.status().as_u16(), 200);
            assert_eq!(common::content_type(&response), "text/event-stream");
            continue;
        }
        let (status, body) = server.get_json(&url);
        assert!(
            status != 404 || body["detail"] != "no resource at this path",
            "GET {url} (documented as {path}) is not routed"
        );
    }
}
