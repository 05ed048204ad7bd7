//! Topic markdown: the `# Title` line, the body, and the resource list that
//! roadmap.sh puts at the end of a topic; plus rendering helpers shared with the API
//! and search (HTML, plain text, first paragraph).
//!
//! The resource list is parsed line by line rather than through a markdown parser
//! because its shape is a convention (`- [@type@title](url)`), not markdown structure:
//! a parser would hand back the `@type@` as link text and lose where the section
//! starts, which is what lets the body be served without it.

use once_cell::sync::Lazy;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::model::Resource;

/// A topic file taken apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicText {
    /// Text of the first line when it is an ATX heading (`# Title`).
    pub title: Option<String>,
    /// Level of that heading (1 for `#`), also set when its text is empty.
    pub heading_level: Option<usize>,
    /// The body without the heading line and without the resource section.
    pub markdown: String,
    /// First paragraph of `markdown`, as plain text.
    pub summary: String,
    pub resources: Vec<Resource>,
}

/// Splits a topic file into title, body and resources.
pub fn parse_topic(text: &str) -> TopicText {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0;
    while start < lines.len() && lines[start].trim().is_empty() {
        start += 1;
    }
    let mut title = None;
    let mut heading_level = None;
    if let Some(line) = lines.get(start)
        && let Some((level, text)) = atx_heading(line)
    {
        heading_level = Some(level);
        if !text.is_empty() {
            title = Some(unescape_markdown(text));
        }
        start += 1;
    }
    let body = &lines[start.min(lines.len())..];
    let (keep_end, resources) = resource_section(body);
    let markdown = trim_blank_lines(&body[..keep_end]);
    let summary = first_paragraph(&markdown);
    TopicText {
        title,
        heading_level,
        markdown,
        summary,
        resources,
    }
}

/// `(level, text)` when `line` is an ATX heading; the closing `#`s are dropped.
fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let level = trimmed.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &trimmed[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let content = rest.trim();
    // A closing `#` run counts only after a space, so `# C#` keeps its `#`.
    let without = content.trim_end_matches('#');
    let text = if without.is_empty() {
        ""
    } else if without.ends_with([' ', '\t']) {
        without.trim_end()
    } else {
        content
    };
    Some((level, text))
}

fn trim_blank_lines(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].join("\n"),
        _ => String::new(),
    }
}

/// Finds the resource list at the end of a topic: the trailing run of resource lines
/// (blank lines allowed between them) and the one-line introduction before it
/// ("Visit the following resources to learn more:"). Returns where the body ends
/// and the resources. A list followed by more prose is not a resource section,
/// except after an explicit "following resources" line.
fn resource_section(lines: &[&str]) -> (usize, Vec<Resource>) {
    let mut end = lines.len();
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 {
        let line = lines[start - 1];
        if line.trim().is_empty() || parse_resource_line(line).is_some() {
            start -= 1;
        } else {
            break;
        }
    }
    let resources: Vec<Resource> = lines[start..end]
        .iter()
        .filter_map(|l| parse_resource_line(l))
        .collect();
    if resources.is_empty() {
        // Some files carry text after the list; accept the list only when an
        // explicit introduction announces it.
        let Some(intro) = lines.iter().position(|l| is_intro(l)) else {
            return (lines.len(), Vec::new());
        };
        let mut i = intro + 1;
        let mut found = Vec::new();
        while i < lines.len()
            && (lines[i].trim().is_empty() || parse_resource_line(lines[i]).is_some())
        {
            if let Some(r) = parse_resource_line(lines[i]) {
                found.push(r);
            }
            i += 1;
        }
        if found.is_empty() {
            return (lines.len(), Vec::new());
        }
        // The body keeps what follows the list; only intro and list go.
        return (intro, found);
    }
    while start < end && lines[start].trim().is_empty() {
        start += 1;
    }
    let mut cut = start;
    let mut before = start;
    while before > 0 && lines[before - 1].trim().is_empty() {
        before -= 1;
    }
    if before > 0 && is_intro_or_heading(lines[before - 1]) {
        cut = before - 1;
    }
    (cut, resources)
}

fn is_intro(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    l.ends_with(':') && (l.contains("following resources") || l.contains("learn more"))
}

/// A short prose line ending with `:` or a heading mentioning resources/links, just
/// before the list: the section's introduction.
fn is_intro_or_heading(line: &str) -> bool {
    let t = line.trim();
    if let Some((_, text)) = atx_heading(t) {
        let l = text.to_ascii_lowercase();
        return l.contains("resource") || l.contains("link") || l.contains("learn more");
    }
    t.ends_with(':') && t.len() <= 200 && !t.starts_with(['-', '*', '+', '>', '|'])
}

/// Parses `- [title](url)` or `- [@type@title](url)`; `None` for any other line.
/// Handles nested brackets in the title, `<...>` URLs and balanced parentheses in
/// URLs (Wikipedia links), which a naive regex gets wrong.
pub fn parse_resource_line(line: &str) -> Option<Resource> {
    let t = line.trim();
    let rest = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))?
        .trim_start();
    let rest = rest.strip_prefix('[')?;
    // Link text up to the matching `]`.
    let mut depth = 1usize;
    let mut text_end = None;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    text_end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let text_end = text_end?;
    let text = &rest[..text_end];
    let after = rest[text_end + 1..].strip_prefix('(')?;
    let (url, tail) = if let Some(inner) = after.strip_prefix('<') {
        let close = inner.find('>')?;
        (inner[..close].trim(), &inner[close + 1..])
    } else {
        let mut depth = 1usize;
        let mut close = None;
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        let inside = after[..close].trim();
        // Drop an optional link title: `(url "title")`.
        let url = inside.split_whitespace().next().unwrap_or("");
        (url, &after[close..])
    };
    let tail = tail.trim_start_matches(|c: char| c != ')');
    let tail = tail.strip_prefix(')')?;
    if !tail.trim().is_empty() || url.is_empty() {
        return None;
    }
    let (kind, title) = match text.strip_prefix('@').and_then(|t| t.split_once('@')) {
        Some((kind, title)) if !kind.is_empty() && !kind.contains(char::is_whitespace) => {
            (kind.to_ascii_lowercase(), title.trim())
        }
        _ => ("link".to_string(), text.trim()),
    };
    let title = if title.is_empty() { url } else { title };
    Some(Resource {
        kind,
        title: unescape_markdown(title),
        url: url.to_string(),
    })
}

fn unescape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

/// Hosts whose embeds video pages rely on; any other iframe is removed, because the
/// markdown comes from a content folder the API does not control.
const IFRAME_HOSTS: &[&str] = &[
    "https://www.youtube.com/embed/",
    "https://www.youtube-nocookie.com/embed/",
    "https://youtube.com/embed/",
    "https://player.vimeo.com/video/",
];

static SANITIZER: Lazy<ammonia::Builder<'static>> = Lazy::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags(["iframe"]);
    b.add_tag_attributes(
        "iframe",
        [
            "src",
            "width",
            "height",
            "title",
            "allow",
            "allowfullscreen",
            "frameborder",
        ],
    );
    b.add_generic_attributes(["id"]);
    b.attribute_filter(|element, attribute, value| {
        if element == "iframe" && attribute == "src" {
            if IFRAME_HOSTS.iter().any(|h| value.starts_with(h)) {
                return Some(value.into());
            }
            return None;
        }
        Some(value.into())
    });
    b
});

/// Renders markdown to HTML that is safe to embed: scripts, event handlers and
/// foreign iframes are stripped (only well-known video embeds survive).
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, options());
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITIZER.clean(&html).to_string()
}

/// Strips markdown to plain text, one block per paragraph separated by blank lines:
/// what search indexes and snippets need, without link targets, markup or HTML.
pub fn plain_text(markdown: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                current.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => flush(&mut blocks, &mut current),
            Event::Start(Tag::Item | Tag::Paragraph | Tag::Heading { .. }) => {
                flush(&mut blocks, &mut current);
            }
            _ => {}
        }
    }
    flush(&mut blocks, &mut current);
    blocks.join("\n\n")
}

/// The first paragraph as plain text (a paragraph inside a blockquote counts); when
/// there is none, the first block of any kind, so a list-only topic still gets a
/// summary.
pub fn first_paragraph(markdown: &str) -> String {
    let mut paragraph: Option<String> = None;
    let mut other = String::new();
    let mut other_depth = 0usize;
    let mut fallback: Option<String> = None;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) => {
                let text = collapse(paragraph.as_deref().unwrap_or(""));
                if !text.is_empty() {
                    return text;
                }
                paragraph = None;
            }
            Event::Start(Tag::Heading { .. } | Tag::Item | Tag::CodeBlock(_)) => {
                if other_depth == 0 {
                    other.clear();
                }
                other_depth += 1;
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => {
                other_depth = other_depth.saturating_sub(1);
                if other_depth == 0 && fallback.is_none() {
                    let text = collapse(&other);
                    if !text.is_empty() {
                        fallback = Some(text);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => match paragraph.as_mut() {
                Some(p) => p.push_str(&t),
                None if other_depth > 0 => other.push_str(&t),
                None => {}
            },
            Event::SoftBreak | Event::HardBreak => match paragraph.as_mut() {
                Some(p) => p.push(' '),
                None => other.push(' '),
            },
            _ => {}
        }
    }
    fallback.unwrap_or_default()
}

fn flush(blocks: &mut Vec<String>, current: &mut String) {
    let text = collapse(current);
    if !text.is_empty() {
        blocks.push(text);
    }
    current.clear();
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_parts() {
        let t = parse_topic(
            "# JWT\n\nJSON Web Tokens are **signed**.\nSecond line.\n\nMore.\n\nVisit the following resources to learn more:\n\n- [@article@Intro](https://a.example/x)\n- [Plain](https://b.example/(y))\n",
        );
        assert_eq!(t.title.as_deref(), Some("JWT"));
        assert_eq!(
            t.markdown,
            "JSON Web Tokens are **signed**.\nSecond line.\n\nMore."
        );
        assert_eq!(t.summary, "JSON Web Tokens are signed. Second line.");
        assert_eq!(t.resources.len(), 2);
        assert_eq!(t.resources[0].kind, "article");
        assert_eq!(t.resources[0].title, "Intro");
        assert_eq!(t.resources[1].kind, "link");
        assert_eq!(t.resources[1].url, "https://b.example/(y)");
    }

    #[test]
    fn heading_variants() {
        assert_eq!(parse_topic("## SAML\ntext").title.as_deref(), Some("SAML"));
        assert_eq!(parse_topic("## SAML\ntext").heading_level, Some(2));
        assert_eq!(parse_topic("# C#\n").title.as_deref(), Some("C#"));
        assert_eq!(parse_topic("# C\\#\n").title.as_deref(), Some("C#"));
        assert_eq!(parse_topic("# Title #\n").title.as_deref(), Some("Title"));
        let none = parse_topic("#\n\nBody");
        assert_eq!(none.title, None);
        assert_eq!(none.markdown, "Body");
        assert_eq!(parse_topic("Just text").title, None);
        assert_eq!(parse_topic("").markdown, "");
    }

    #[test]
    fn resource_lines() {
        let r = parse_resource_line("- [What is X?](<https://e.org/a_(b)>)").expect("angle");
        assert_eq!(r.url, "https://e.org/a_(b)");
        assert!(parse_resource_line("- [x](https://e.org) and more").is_none());
        assert!(parse_resource_line("- SHA-1: text").is_none());
        let r = parse_resource_line("* [@video@A [B] C](/mongodb)").expect("nested");
        assert_eq!(
            (r.kind.as_str(), r.title.as_str(), r.url.as_str()),
            ("video", "A [B] C", "/mongodb")
        );
    }

    #[test]
    fn text_helpers() {
        let md = "# Head\n\nSome [link](http://x) and `code`.\n\n- item one\n- item two\n";
        assert_eq!(
            plain_text(md),
            "Head\n\nSome link and code.\n\nitem one\n\nitem two"
        );
        assert_eq!(first_paragraph(md), "Some link and code.");
        assert_eq!(first_paragraph("- only a list\n- b"), "only a list");
        let html =
            to_html("hi <script>alert(1)</script> <iframe src=\"https://evil.example\"></iframe>");
        assert!(!html.contains("script") && !html.contains("evil"), "{html}");
        let html = to_html("<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>");
        assert!(html.contains("youtube.com/embed/abc"), "{html}");
    }
}
