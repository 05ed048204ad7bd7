//! `deploy/kubernetes.yaml` holds what an operator needs (issue 11 item 8): the first
//! clone before the server starts and a sidecar after, a startup probe, pinned images,
//! resource requests on every container, a HorizontalPodAutoscaler for the Deployment,
//! and only settings the binary knows. No cluster here: the manifest is read as data.

use std::path::Path;
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

fn manifests() -> Vec<Value> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes.yaml"),
    )
    .expect("deploy/kubernetes.yaml");
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| {
            let value = serde_yaml_ng::Value::deserialize(doc).expect("valid YAML");
            serde_json::to_value(value).expect("YAML as JSON")
        })
        .collect()
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

fn containers(pod: &Value, field: &str) -> Vec<Value> {
    pod[field].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_deployment_is_operable() {
    let docs = manifests();
    let deployments = of_kind(&docs, "Deployment");
    assert_eq!(deployments.len(), 1);
    let pod = &deployments[0]["spec"]["template"]["spec"];
    let init = containers(pod, "initContainers");
    let main = containers(pod, "containers");

    // Every image pinned to a version, every container with requests.
    for c in init.iter().chain(&main) {
        let image = c["image"].as_str().unwrap_or_default();
        let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
        assert!(
            !tag.is_empty() && tag != "latest" && !tag.contains('/'),
            "{} uses an unpinned image `{image}`",
            c["name"]
        );
        assert_eq!(c["imagePullPolicy"], "IfNotPresent", "{}", c["name"]);
        let requests = &c["resources"]["requests"];
        assert!(
            requests["cpu"].is_string() && requests["memory"].is_string(),
            "{} has no resource requests",
            c["name"]
        );
    }

    // git-sync: a one-time init container, then a sidecar.
    let is_git_sync = |c: &&Value| c["image"].as_str().is_some_and(|i| i.contains("git-sync"));
    let one_time = |c: &Value| {
        c["args"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "--one-time"))
    };
    assert!(init.iter().filter(is_git_sync).any(one_time));
    assert!(main.iter().filter(is_git_sync).any(|c| !one_time(c)));

    // The server: startup, readiness and liveness probes on the endpoints that exist.
    let api = main
        .iter()
        .find(|c| c["name"] == "roadmap-api")
        .expect("roadmap-api container");
    assert_eq!(api["startupProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(api["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(api["livenessProbe"]["httpGet"]["path"], "/healthz");

    // Only environment variables the binary reads.
    let help = Command::new(env!("CARGO_BIN_EXE_roadmap-api"))
        .args(["serve", "--help"])
        .output()
        .expect("serve --help");
    let help = String::from_utf8_lossy(&help.stdout);
    for var in api["env"].as_array().into_iter().flatten() {
        let name = var["name"].as_str().unwrap_or_default();
        assert!(
            help.contains(&format!("[env: {name}")),
            "the manifest sets {name}, which serve does not read"
        );
    }
}

#[test]
fn an_autoscaler_scales_the_deployment() {
    let docs = manifests();
    let hpas = of_kind(&docs, "HorizontalPodAutoscaler");
    assert_eq!(hpas.len(), 1);
    let spec = &hpas[0]["spec"];
    assert_eq!(spec["scaleTargetRef"]["kind"], "Deployment");
    assert_eq!(spec["scaleTargetRef"]["name"], "roadmap-api");
    let min = spec["minReplicas"].as_u64().unwrap_or(0);
    let max = spec["maxReplicas"].as_u64().unwrap_or(0);
    assert!(min >= 2 && max > min, "min {min}, max {max}");
}
