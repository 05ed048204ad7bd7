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
        // The one operation that changes something answers 202 (the reload runs after).
        let success = if method == "post" { "202" } else { "200" };
        assert!(responses.contains_key(success), "{name}: {success}");
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

/// A validator for the schema at `pointer` in `doc`, its `$ref`s resolved in `doc`.
fn validator_at(doc: &Value, pointer: &str) -> jsonschema::Validator {
    let mut root = doc
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no schema at {pointer}"))
        .clone();
    if let Some(map) = root.as_object_mut() {
        map.insert(String::from("components"), doc["components"].clone());
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema at {pointer} does not compile: {e}"))
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every `example` / `examples` of a schema, found by walking the schema's own structure
/// (a property named `example` is not an example).
fn schema_examples(schema: &Value, pointer: &str, out: &mut Vec<(String, String, Value)>) {
    let Some(map) = schema.as_object() else {
        return;
    };
    if let Some(example) = map.get("example") {
        out.push((
            pointer.to_owned(),
            format!("{pointer}/example"),
            example.clone(),
        ));
    }
    for (i, example) in map
        .get("examples")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        out.push((
            pointer.to_owned(),
            format!("{pointer}/examples/{i}"),
            example.clone(),
        ));
    }
    if let Some(properties) = map.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            schema_examples(
                child,
                &format!("{pointer}/properties/{}", escape(name)),
                out,
            );
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get(key) {
            schema_examples(child, &format!("{pointer}/{key}"), out);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, child) in map
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            schema_examples(child, &format!("{pointer}/{key}/{i}"), out);
        }
    }
}

/// Every example of the document (schemas, parameters, response bodies) validates
/// against the schema it illustrates: Swagger UI sends parameter examples as they are,
/// and generators and readers take the others as the truth.
#[test]
fn every_example_validates_against_its_schema() {
    let doc = generated();
    let mut examples = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
        schema_examples(
            schema,
            &format!("/components/schemas/{}", escape(name)),
            &mut examples,
        );
    }
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let base = format!("/paths/{}/{method}", escape(path));
            for (i, param) in op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let schema = format!("{base}/parameters/{i}/schema");
                if let Some(example) = param.get("example") {
                    examples.push((
                        schema.clone(),
                        format!("{base}/parameters/{i}/example"),
                        example.clone(),
                    ));
                }
                schema_examples(&param["schema"], &schema, &mut examples);
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    let at = format!("{base}/responses/{status}/content/{}", escape(media));
                    if let Some(example) = content.get("example") {
                        examples.push((
                            format!("{at}/schema"),
                            format!("{at}/example"),
                            example.clone(),
                        ));
                    }
                    schema_examples(&content["schema"], &format!("{at}/schema"), &mut examples);
                }
            }
        }
    }
    assert!(
        examples.len() > 100,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for (schema, at, example) in &examples {
        let validator = validator_at(&doc, schema);
        for error in validator.iter_errors(example) {
            failures.push(format!("{at}: {error} (at {})", error.instance_path()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples do not validate:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

/// Every operation declares the answers the HTTP layer can give whatever its handler
/// does, as problem documents.
#[test]
fn every_operation_declares_every_status_it_can_answer() {
    let doc = generated();
    for (path, method, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        let success = if method == "post" { "202" } else { "200" };
        let mut expected = vec![success, "405", "406", "414", "431", "500"];
        if path != "/v1/events" && method == "get" {
            expected.push("304");
        }
        // The rate limit exempts the probes only.
        if !matches!(path.as_str(), "/healthz" | "/readyz") {
            expected.push("429");
        }
        if matches!(path.as_str(), "/v1/search" | "/v1/suggest" | "/v1/lookup") {
            expected.push("503");
        }
        for status in expected {
            assert!(
                responses.contains_key(status),
                "{method} {path} does not declare {status}"
            );
        }
    }
    for name in [
        "MethodNotAllowed",
        "NotAcceptable",
        "InternalError",
        "Busy",
        "TooManyRequests",
    ] {
        assert_eq!(
            doc["components"]["responses"][name]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "{name}"
        );
    }
    assert!(
        doc["info"].get("license").is_none(),
        "an empty license is invalid"
    );
}

/// A schema that another schema or an operation uses is referred to, never copied:
/// generators emit one model per schema.
#[test]
fn named_schemas_are_referred_to_not_copied() {
    let doc = generated();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let named: Vec<(&String, &Value)> = schemas
        .iter()
        .filter(|(_, s)| s.get("properties").is_some())
        .collect();
    fn walk(
        value: &Value,
        at: &str,
        named: &[(&String, &Value)],
        skip: &str,
        out: &mut Vec<String>,
    ) {
        if at != skip
            && let Some((name, _)) = named.iter().find(|(_, s)| *s == value)
        {
            out.push(format!("{at} copies {name}"));
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(v, &format!("{at}/{k}"), named, skip, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{at}/{i}"), named, skip, out);
                }
            }
            _ => {}
        }
    }
    let mut copies = Vec::new();
    for (name, schema) in schemas {
        let at = format!("/components/schemas/{name}");
        walk(schema, &at, &named, &at, &mut copies);
    }
    walk(&doc["paths"], "/paths", &named, "", &mut copies);
    assert!(copies.is_empty(), "{}", copies.join("\n"));
    let page = &doc["components"]["schemas"]["Page_RoadmapSummary"]["properties"]["items"]["items"];
    assert_eq!(page["$ref"], "#/components/schemas/RoadmapSummary");
}

/// On the bundled `content/`, every read operation called with its parameters' examples
/// (what Swagger UI's "Try it out" sends) answers 200 with a body its schema accepts.
#[test]
fn examples_answer_200_with_bodies_the_schema_accepts() {
    let doc = generated();
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let server = common::TestServer::start(&content);
    let mut failures = Vec::new();
    for (path, method, op) in operations(&doc) {
        if method != "get" || path == "/v1/events" {
            continue;
        }
        let mut url = path.clone();
        let mut query = Vec::new();
        for param in op["parameters"].as_array().cloned().unwrap_or_default() {
            let name = param["name"].as_str().unwrap_or_default();
            let example = &param["example"];
            let values: Vec<String> = match example {
                Value::Array(items) => items.iter().map(plain).collect(),
                other => vec![plain(other)],
            };
            if param["in"] == "path" {
                url = url.replace(&format!("{{{name}}}"), &values[0]);
            } else if param["required"] == true || name == "type" || name == "roadmap" {
                for value in values {
                    query.push(format!("{name}={}", encode(&value)));
                }
            }
        }
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        let (status, body) = server.get_json(&url);
        if status != 200 {
            failures.push(format!("GET {url}: {status} {body}"));
            continue;
        }
        let pointer = format!(
            "/paths/{}/get/responses/200/content/application~1json/schema",
            escape(&path)
        );
        if doc.pointer(&pointer).is_none() {
            continue;
        }
        let validator = validator_at(&doc, &pointer);
        for error in validator.iter_errors(&body) {
            failures.push(format!("GET {url}: {error} at {}", error.instance_path()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
