//! `faqs.astro` (a TypeScript array literal between `---` fences), and the YAML and
//! JSON FAQ files: parsed or refused with a line, never a panic. The first byte picks
//! the format so that one corpus reaches all three.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roadmap_api::content::faqs;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let result = match which % 8 {
        0 => faqs::parse_yaml(&text),
        1 => faqs::parse_json(&text),
        _ => faqs::parse_astro(&text),
    };
    if let Ok(entries) = result {
        for f in entries {
            let html = f.html.to_ascii_lowercase();
            assert!(!html.contains("<script"), "{html}");
        }
    }
});
