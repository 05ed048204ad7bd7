//! The optional per-client rate limit over real HTTP. In a test binary of its own: the
//! limit is a process-wide setting, and the other tests run without it.

mod common;

use roadmap_api::api::ratelimit::{RateLimiter, enable};

#[test]
fn past_its_burst_a_client_gets_429_problems_with_retry_after_and_probes_still_answer() {
    assert!(enable(RateLimiter::new(1, 3)));
    let server = common::TestServer::fixture("layout-2025");
    for n in 0..3 {
        let response = server.get("/v1/roadmaps");
        assert_eq!(response.status().as_u16(), 200, "request {n}");
    }
    let response = server.get("/v1/roadmaps");
    assert_eq!(response.status().as_u16(), 429);
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert_eq!(retry_after, Some(1));
    assert_eq!(common::content_type(&response), "application/problem+json");
    let problem: serde_json::Value = response.json().expect("problem document");
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert_eq!(problem["status"], 429);
    // Probes are never limited.
    for _ in 0..5 {
        assert_eq!(server.get("/healthz").status().as_u16(), 200);
        assert_eq!(server.get("/readyz").status().as_u16(), 200);
    }
    // A second later a token is back.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(server.get("/v1/roadmaps").status().as_u16(), 200);
}
