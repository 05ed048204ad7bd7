//! A topic file: title, body, resources, and the HTML, plain text and summary made
//! from it. Resource URLs are http(s) or site paths only; the HTML carries no
//! script or style element.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roadmap_api::content::markdown;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = markdown::parse_topic(&text);
    for r in &parsed.resources {
        assert!(
            markdown::is_safe_url(&r.url),
            "unsafe URL kept: {:?}",
            r.url
        );
    }
    for line in text.lines() {
        if let Some(r) = markdown::parse_resource_line(line) {
            let _ = markdown::is_safe_url(&r.url);
        }
    }
    let html = markdown::to_html(&parsed.markdown).to_ascii_lowercase();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<style"), "{html}");
    let plain = markdown::plain_text(&parsed.markdown);
    let _ = markdown::first_paragraph(&plain);
});
