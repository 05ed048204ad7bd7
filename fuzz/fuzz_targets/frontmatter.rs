//! Front matter (YAML between `---` fences) of any file: split, parse, and every
//! typed getter the loader uses. Never panics; an error names a line inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roadmap_api::content::frontmatter;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = frontmatter::parse_document(&text);
    if let Some(e) = &doc.error
        && let Some(line) = e.line
    {
        assert!(line >= 1 && line <= text.lines().count() + 2, "{e:?}");
    }
    assert!(doc.body.len() <= text.len());
    let mut fields = doc.fields;
    let _ = fields.line_of("title");
    let _ = fields.string("title");
    let _ = fields.string("description");
    let _ = fields.strings("relatedRoadmaps");
    let _ = fields.strings("tags");
    let _ = fields.number("order");
    let _ = fields.bool("isNew");
    let _ = fields.seo();
    let _ = fields.take("question");
    let _ = fields.finish();
    let _ = frontmatter::normalize_date(&text);
});
