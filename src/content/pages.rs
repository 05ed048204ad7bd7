//! Standalone pages: guides (`guides/<slug>.md`) and videos (`videos/<slug>.md`).
//!
//! Both are a frontmatter block and a markdown body, and both are listed newest
//! first, so they share the folder walk, the date handling and the sort.

use std::cmp::Ordering;
use std::path::Path;

use serde_json::Value;

use super::frontmatter::{self, Fields};
use super::model::{Guide, Video};
use super::paths::{file_name, humanize, is_junk, strip_md};
use super::source::{Ctx, SourceFile};

/// The `.md` files directly in `dir`, sorted by name; other files are reported.
fn page_files(ctx: &mut Ctx, dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let Ok(read) = std::fs::read_dir(dir) else {
        let rel = ctx.rel(dir);
        ctx.error(&rel, None, "folder could not be read");
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in read.flatten() {
        let path = entry.path();
        let Some(name) = file_name(&path) else {
            continue;
        };
        if is_junk(name) || path.is_dir() {
            continue;
        }
        let (stem, is_md) = strip_md(name);
        if !is_md {
            let rel = ctx.rel(&path);
            ctx.warn(&rel, None, "not a markdown file; ignored");
            continue;
        }
        out.push((stem.to_string(), path.clone()));
    }
    out.sort();
    out
}

/// Reads one page: frontmatter problems become diagnostics, and a page whose
/// frontmatter is broken is still served under a title made from its slug.
fn read_page<'s>(ctx: &mut Ctx, source: &'s SourceFile, slug: &str) -> (Fields, &'s str, String) {
    let doc = frontmatter::parse_document(&source.text);
    if let Some(e) = &doc.error {
        ctx.error(&source.rel, e.line, e.message.clone());
    }
    let mut fields = doc.fields;
    let title = match fields.string("title") {
        Some(t) if !t.trim().is_empty() => t,
        _ => {
            if doc.error.is_none() {
                ctx.warn(&source.rel, Some(1), "no `title`; using the file name");
            }
            humanize(slug)
        }
    };
    (fields, doc.body, title)
}

/// A date field: YAML may give `2024-02-27` as a string or (in YAML 1.1 readers)
/// a timestamp; either is normalized to `YYYY-MM-DD`. An unparsable date is kept
/// as written and reported, since dropping it would reorder the list silently.
fn date(ctx: &mut Ctx, fields: &mut Fields, source: &SourceFile) -> Option<String> {
    let line = fields.line_of("date");
    let raw = fields.string("date")?;
    match frontmatter::normalize_date(&raw) {
        Some(d) => Some(d),
        None => {
            ctx.warn(
                &source.rel,
                line,
                format!("`date` {raw:?} is not a YYYY-MM-DD date; kept as written"),
            );
            Some(raw)
        }
    }
}

/// `author` as a name (string, or the `name` of a mapping), else `authorId`. The map
/// is kept in `extra` too, so its url and image are not lost.
fn author(fields: &mut Fields) -> Option<String> {
    let name = match fields.take("author") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(map)) => {
            let name = map.get("name").and_then(Value::as_str).map(str::to_string);
            fields.put("author", Value::Object(map));
            name
        }
        Some(other) => {
            fields.put("author", other);
            None
        }
        None => None,
    };
    let id = fields.string("authorId");
    name.or(id).filter(|s| !s.trim().is_empty())
}

fn newest_first(a: (&Option<String>, &str), b: (&Option<String>, &str)) -> Ordering {
    let key = |d: &Option<String>| d.as_deref().and_then(frontmatter::normalize_date);
    match (key(a.0), key(b.0)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.1.cmp(b.1))
}

pub(crate) fn load_guides(ctx: &mut Ctx, dir: &Path) -> Vec<Guide> {
    let mut guides = Vec::new();
    for (slug, path) in page_files(ctx, dir) {
        let Some(source) = ctx.read(&path) else {
            continue;
        };
        let (mut fields, body, title) = read_page(ctx, &source, &slug);
        let description = fields.string("description").unwrap_or_default();
        let author = author(&mut fields);
        let date = date(ctx, &mut fields, &source);
        let tags = fields.strings("tags");
        let seo = fields.seo();
        let (extra, problems) = fields.finish();
        for (m, l) in problems {
            ctx.warn(&source.rel, l, m);
        }
        let markdown = body.trim().to_string();
        guides.push(Guide {
            slug,
            title,
            description,
            author,
            date,
            tags,
            seo,
            html: super::markdown::to_html(&markdown),
            plain: super::markdown::plain_text(&markdown),
            markdown,
            extra,
            file: source.rel.clone(),
            modified: source.modified,
        });
    }
    guides.sort_by(|a, b| newest_first((&a.date, &a.slug), (&b.date, &b.slug)));
    guides
}

pub(crate) fn load_videos(ctx: &mut Ctx, dir: &Path) -> Vec<Video> {
    let mut videos = Vec::new();
    for (slug, path) in page_files(ctx, dir) {
        let Some(source) = ctx.read(&path) else {
            continue;
        };
        let (mut fields, body, title) = read_page(ctx, &source, &slug);
        let description = fields.string("description").unwrap_or_default();
        let duration = fields.string("duration");
        let date = date(ctx, &mut fields, &source);
        let tags = fields.strings("tags");
        let (extra, problems) = fields.finish();
        for (m, l) in problems {
            ctx.warn(&source.rel, l, m);
        }
        let markdown = body.trim().to_string();
        videos.push(Video {
            slug,
            title,
            description,
            duration,
            date,
            tags,
            html: super::markdown::to_html(&markdown),
            plain: super::markdown::plain_text(&markdown),
            markdown,
            extra,
            file: source.rel.clone(),
            modified: source.modified,
        });
    }
    videos.sort_by(|a, b| newest_first((&a.date, &a.slug), (&b.date, &b.slug)));
    videos
}
