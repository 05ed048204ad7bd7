//! Standalone pages: guides (`guides/<slug>.md`) and videos (`videos/<slug>.md`).
//!
//! Both are a frontmatter block and a markdown body, and both are listed newest
//! first, so they share the folder walk, the date handling and the sort.

use std::cmp::Reverse;
use std::path::Path;

use serde_json::Value;

use super::frontmatter::{self, Fields};
use super::model::{Guide, Text, Video};
use super::paths::{file_name, humanize, is_junk, strip_md};
use super::source::{Ctx, SourceFile};

/// The slug of a page file named `name`, or `None` (with a diagnostic for anything
/// but editor junk and folders) when it is not a page.
pub(crate) fn page_slug(ctx: &mut Ctx, path: &Path) -> Option<String> {
    let name = file_name(path)?;
    if is_junk(name) || path.is_dir() {
        return None;
    }
    let (stem, is_md) = strip_md(name);
    if !is_md {
        let rel = ctx.rel(path);
        ctx.warn(&rel, None, "not a markdown file; ignored");
        return None;
    }
    Some(stem.to_string())
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

/// Newest first, then by slug: the order of the site's guide and video lists. Each
/// date is normalized once (a reload sorts every guide and video again, and a
/// comparison that normalized both dates was a few per cent of a one-topic reload).
pub(crate) fn sort_newest_first<T>(items: &mut [T], key: impl Fn(&T) -> (&Option<String>, &str)) {
    items.sort_by_cached_key(|item| {
        let (date, slug) = key(item);
        let date = date.as_deref().and_then(frontmatter::normalize_date);
        // Dated pages first, the newest first; undated ones after them.
        (date.is_none(), Reverse(date), slug.to_owned())
    });
}

pub(crate) fn load_guide(ctx: &mut Ctx, path: &Path) -> Option<Guide> {
    let slug = page_slug(ctx, path)?;
    let source = ctx.read(path)?;
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
    // The body is a stretch of the file, which the loader keeps for the next reload.
    let markdown = Text::within(&source.text, body.trim());
    Some(Guide {
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
    })
}

pub(crate) fn load_video(ctx: &mut Ctx, path: &Path) -> Option<Video> {
    let slug = page_slug(ctx, path)?;
    let source = ctx.read(path)?;
    let (mut fields, body, title) = read_page(ctx, &source, &slug);
    let description = fields.string("description").unwrap_or_default();
    let duration = fields.string("duration");
    let date = date(ctx, &mut fields, &source);
    let tags = fields.strings("tags");
    let (extra, problems) = fields.finish();
    for (m, l) in problems {
        ctx.warn(&source.rel, l, m);
    }
    // The body is a stretch of the file, which the loader keeps for the next reload.
    let markdown = Text::within(&source.text, body.trim());
    Some(Video {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates compare as dates whatever their spelling; undated pages come last; equal
    /// dates and undated pages go by slug.
    #[test]
    fn newest_first_then_by_slug_with_undated_pages_last() {
        let date = |d: &str| Some(d.to_string());
        let mut items = vec![
            (None, "b-undated"),
            (date("2023-01-05"), "c"),
            (date("2024/2/1"), "old-spelling"),
            (None, "a-undated"),
            (date("2023-01-05T10:00:00Z"), "a"),
            (date("not a date"), "z-bad-date"),
            (date("2024-03-01"), "newest"),
        ];
        sort_newest_first(&mut items, |(d, s)| (d, s));
        let order: Vec<&str> = items.iter().map(|(_, s)| *s).collect();
        assert_eq!(
            order,
            [
                "newest",
                "old-spelling",
                "a",
                "c",
                "a-undated",
                "b-undated",
                "z-bad-date"
            ]
        );
    }
}
