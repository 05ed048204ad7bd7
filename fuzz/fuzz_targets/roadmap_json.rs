//! A roadmap's `<id>.json` in both layouts: the 2025 React Flow graph (nodes, edges,
//! positions: parents and order decided from geometry) and the 2023 Balsamiq mockup
//! (named controls). The arranged tree is a forest over the topic nodes and its
//! order lists each of them once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roadmap_api::content::{graph, mockup};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(g) = graph::parse(&json) {
        let a = graph::arrange(&g);
        let n = a.nodes.len();
        assert_eq!(a.parents.len(), n);
        assert!(a.parents.iter().flatten().all(|&p| p < n));
        let mut seen = vec![false; n];
        for &i in &a.order {
            assert!(!seen[i], "listed twice");
            seen[i] = true;
        }
        assert!(seen.iter().all(|&s| s), "order misses a node");
        // A child comes after its parent.
        let mut at = vec![0; n];
        for (pos, &i) in a.order.iter().enumerate() {
            at[i] = pos;
        }
        for (i, p) in a.parents.iter().enumerate() {
            if let Some(p) = p {
                assert!(at[*p] < at[i]);
            }
        }
        for &i in &a.nodes {
            let _ = graph::fallback_slug(&g.nodes[i]);
        }
    }
    if let Ok(controls) = mockup::controls(&json) {
        for c in &controls {
            if let Some(name) = mockup::parse_name(&c.name) {
                assert!(!name.parts.is_empty());
                assert!(name.parts.len() <= mockup::MAX_NAME_PARTS);
            }
        }
    }
});
