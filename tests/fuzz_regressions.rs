//! Every input the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found failing, kept in
//! `tests/fuzz/<target>-<what>` and checked here with the same assertions as the
//! target, so that a fixed crash stays fixed without nightly or cargo-fuzz.

use std::path::Path;

use roadmap_api::content::{faqs, frontmatter, markdown};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("tests/fuzz")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{target}-")))
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
        .collect();
    out.sort();
    out
}

/// A YAML error's line is a line of the file as `lines()` counts them (the parser
/// counted each lone `\r` as one more line).
#[test]
fn frontmatter_inputs() {
    let found = inputs("frontmatter");
    assert!(!found.is_empty());
    for (name, data) in found {
        let text = String::from_utf8_lossy(&data);
        let doc = frontmatter::parse_document(&text);
        if let Some(e) = &doc.error
            && let Some(line) = e.line
        {
            assert!(
                line >= 1 && line <= text.lines().count() + 2,
                "{name}: {e:?} in {} lines",
                text.lines().count()
            );
        }
    }
}

#[test]
fn topic_markdown_inputs() {
    for (name, data) in inputs("topic_markdown") {
        let text = String::from_utf8_lossy(&data);
        let parsed = markdown::parse_topic(&text);
        for r in &parsed.resources {
            assert!(markdown::is_safe_url(&r.url), "{name}: {:?}", r.url);
        }
        let html = markdown::to_html(&parsed.markdown).to_ascii_lowercase();
        assert!(!html.contains("<script"), "{name}");
    }
}

#[test]
fn faqs_inputs() {
    for (name, data) in inputs("faqs_astro") {
        let Some((&which, rest)) = data.split_first() else {
            continue;
        };
        let text = String::from_utf8_lossy(rest);
        let _ = match which % 8 {
            0 => faqs::parse_yaml(&text),
            1 => faqs::parse_json(&text),
            _ => faqs::parse_astro(&text),
        }
        .map_err(|e| format!("{name}: {e:?}"));
    }
}
