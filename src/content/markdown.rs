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
    /// The body without the heading line and without the resource list (its
    /// introduction line included); text after the list stays.
    pub markdown: String,
    /// First paragraph of `markdown`, as plain text.
    pub summary: String,
    pub resources: Vec<Resource>,
    /// Resource lines whose URL is neither http(s) nor a site path (`javascript:`,
    /// `data:`, a typo such as `hhttps://`): left out, with their 1-based line in the
    /// text given to [`parse_topic`], for a diagnostic.
    pub dropped: Vec<(usize, String)>,
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
    let start = start.min(lines.len());
    let body = &lines[start..];
    let mut resources = Vec::new();
    let mut dropped = Vec::new();
    let markdown = match resource_section(body) {
        Some(section) => {
            for (i, resource) in section.resources {
                if is_safe_url(&resource.url) {
                    resources.push(resource);
                } else {
                    dropped.push((start + i + 1, resource.url));
                }
            }
            let before = trim_blank_lines(&body[..section.cut]);
            let after = trim_blank_lines(&body[section.end..]);
            match (before.is_empty(), after.is_empty()) {
                (_, true) => before,
                (true, false) => after,
                (false, false) => format!("{before}\n\n{after}"),
            }
        }
        None => trim_blank_lines(body),
    };
    let summary = first_paragraph(&markdown);
    TopicText {
        title,
        heading_level,
        markdown,
        summary,
        resources,
        dropped,
    }
}

/// Whether a resource URL may be served as a link: absolute `http`/`https`, or a path
/// on the site itself (`/guides/x`, which roadmap.sh content uses for its own pages).
/// Anything else (`javascript:`, `data:`, `file:`, a scheme typo) would be a script
/// injection or a broken link in every client that renders it.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let absolute = ["http://", "https://"]
        .iter()
        .any(|scheme| lower.len() > scheme.len() && lower.starts_with(scheme));
    let site_path = url.starts_with('/') && !url.starts_with("//") && !url.contains('\\');
    absolute || site_path
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

/// Where a topic's resource list lies in its body lines.
struct ResourceSection {
    /// First line that is not body: the list's introduction when it has one
    /// ("Visit the following resources to learn more:"), else the list itself.
    cut: usize,
    /// Line after the list: what follows is body again.
    end: usize,
    /// Each resource with its line index in the body.
    resources: Vec<(usize, Resource)>,
}

/// Finds the resource list of a topic: the trailing run of resource lines (blank
/// lines allowed between them) and the one-line introduction before it, or, when
/// text follows the list, a list announced by an explicit introduction line. A list
/// followed by prose without such an introduction is part of the body.
fn resource_section(lines: &[&str]) -> Option<ResourceSection> {
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
    let resources: Vec<(usize, Resource)> = (start..end)
        .filter_map(|i| parse_resource_line(lines[i]).map(|r| (i, r)))
        .collect();
    if resources.is_empty() {
        // Text after the list: accept the list only when an explicit introduction
        // announces it, and keep what follows it as body.
        let intro = lines.iter().position(|l| is_intro(l))?;
        let mut i = intro + 1;
        let mut found = Vec::new();
        let mut last = intro;
        while i < lines.len()
            && (lines[i].trim().is_empty() || parse_resource_line(lines[i]).is_some())
        {
            if let Some(r) = parse_resource_line(lines[i]) {
                found.push((i, r));
                last = i;
            }
            i += 1;
        }
        if found.is_empty() {
            return None;
        }
        return Some(ResourceSection {
            cut: intro,
            end: last + 1,
            resources: found,
        });
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
    Some(ResourceSection {
        cut,
        end,
        resources,
    })
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

/// Deepest nesting of elements kept in rendered HTML. The HTML tree builder behind the
/// sanitizer checks the stack of open elements for many tags, so a file of 20,000
/// nested `>` or `<div>` cost seconds (quadratic); no real text nests deeper than a
/// few levels.
pub const MAX_NESTING: usize = 64;

/// Markdown events with nesting beyond [`MAX_NESTING`] taken out: markdown containers
/// deeper than that lose their tags (their text stays), and a raw HTML chunk that
/// would open elements deeper than that is dropped whole.
fn bounded<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut depth = 0usize;
    let mut html_depth = 0usize;
    events.filter(move |event| match event {
        Event::Start(_) => {
            depth += 1;
            depth <= MAX_NESTING
        }
        Event::End(_) => {
            depth = depth.saturating_sub(1);
            depth < MAX_NESTING
        }
        Event::Html(html) | Event::InlineHtml(html) => {
            let (peak, end) = html_nesting(html, html_depth);
            if peak > MAX_NESTING {
                return false;
            }
            html_depth = end;
            true
        }
        _ => true,
    })
}

/// Elements that never have content, so an opening tag does not nest.
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Deepest and final element nesting after the tags of `html`, starting at `depth`:
/// a light scan (opening and closing tag names only), linear in the chunk.
fn html_nesting(html: &str, mut depth: usize) -> (usize, usize) {
    let mut peak = depth;
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(i) = html[at..].find('<') {
        let start = at + i + 1;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = if closing { start + 1 } else { start };
        let name_end = html[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .map_or(html.len(), |n| name_start + n);
        let name = &html[name_start..name_end];
        let tag_end = html[name_end..]
            .find('>')
            .map_or(html.len(), |n| name_end + n);
        at = name_end.max(start);
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID_ELEMENTS.contains(&name.to_ascii_lowercase().as_str())
            && !html[name_end..tag_end].ends_with('/')
        {
            depth += 1;
            peak = peak.max(depth);
        }
    }
    (peak, depth)
}

/// Renders markdown to HTML that is safe to embed: scripts, event handlers and
/// foreign iframes are stripped (only well-known video embeds survive).
pub fn to_html(markdown: &str) -> String {
    let parser = bounded(Parser::new_ext(markdown, options()));
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITIZER.clean(&html).to_string()
}

/// Strips markdown to plain text, one block per paragraph separated by blank lines:
/// what search indexes and snippets need, without link targets, markup or HTML.
/// Text inside `<script>` and `<style>` elements is code, not prose: it never
/// reaches summaries, snippets or the index.
pub fn plain_text(markdown: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut hidden = HiddenHtml::default();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => hidden.see(&h),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t)
                if !hidden.active() =>
            {
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

/// Tracks whether raw HTML has opened a `<script>` or `<style>` element whose text
/// must stay out of plain text. Markdown hands inline HTML over tag by tag, with
/// the element's text as ordinary text events in between.
#[derive(Default)]
struct HiddenHtml {
    /// The element being skipped (`script` or `style`), until its closing tag.
    inside: Option<&'static str>,
}

impl HiddenHtml {
    fn see(&mut self, html: &str) {
        let lower = html.to_ascii_lowercase();
        // An HTML block may open and close several elements: follow them in order.
        let mut at = 0;
        loop {
            match self.inside {
                Some(name) => match find_tag(&lower[at..], &format!("</{name}")) {
                    Some(end) => {
                        self.inside = None;
                        at += end;
                    }
                    None => return,
                },
                None => {
                    let next = ["script", "style"]
                        .into_iter()
                        .filter_map(|name| {
                            find_tag(&lower[at..], &format!("<{name}")).map(|end| (end, name))
                        })
                        .min();
                    match next {
                        Some((end, name)) => {
                            self.inside = Some(name);
                            at += end;
                        }
                        None => return,
                    }
                }
            }
        }
    }

    fn active(&self) -> bool {
        self.inside.is_some()
    }
}

/// End offset of the first `open` (such as `<script`) in `html` that is a whole tag
/// name: followed by `>`, `/`, whitespace or the end (so `<scripts>` is not one).
fn find_tag(html: &str, open: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = html[from..].find(open) {
        let end = from + i + open.len();
        match html[end..].chars().next() {
            None | Some('>' | '/') => return Some(end),
            Some(c) if c.is_whitespace() => return Some(end),
            _ => from = end,
        }
    }
    None
}

/// The first paragraph as plain text (a paragraph inside a blockquote counts); when
/// there is none, the first block of any kind, so a list-only topic still gets a
/// summary.
pub fn first_paragraph(markdown: &str) -> String {
    let mut paragraph: Option<String> = None;
    let mut other = String::new();
    let mut other_depth = 0usize;
    let mut fallback: Option<String> = None;
    let mut hidden = HiddenHtml::default();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => hidden.see(&h),
            Event::Text(_) | Event::Code(_) if hidden.active() => {}
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

    #[test]
    fn safe_urls() {
        for ok in ["https://a.example/x", "HTTP://A.EXAMPLE", "/guides/x"] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "hhttps://docs.rs",
            "iamtk.co/x",
            "//evil.example/x",
            "https://",
            "file:///etc/passwd",
            "https://a.example/\u{0}x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn text_after_an_announced_list_is_body() {
        let t = parse_topic(
            "# T\n\nBefore.\n\nVisit the following resources to learn more:\n\n- [@article@A](https://a.example)\n\nAfter the list.\n",
        );
        assert_eq!(t.markdown, "Before.\n\nAfter the list.");
        assert_eq!(t.resources.len(), 1);
        let t = parse_topic("# T\n\n- [@article@Bad](javascript:x)\n");
        assert!(t.resources.is_empty());
        assert_eq!(t.dropped, [(3, "javascript:x".to_string())]);
    }

    #[test]
    fn hidden_html_text() {
        let md = "A <script>x()</script>b <STYLE>c</STYLE> d <scripts>e</scripts>.\n\n<script>\nf()\n</script>\n\nG.";
        assert_eq!(plain_text(md), "A b d e.\n\nG.");
        assert_eq!(
            first_paragraph("<style>p{}</style>\n\nReal text."),
            "Real text."
        );
    }

    #[test]
    fn nesting_beyond_the_limit_is_cut() {
        let deep_quotes = format!("{} x\n", ">".repeat(50_000));
        let html = to_html(&deep_quotes);
        assert!(html.contains('x'), "{html}");
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        let deep_divs = format!("{} x\n\nafter\n", "<div>".repeat(50_000));
        let html = to_html(&deep_divs);
        assert!(html.contains("after") && !html.contains("<div>"), "{html}");
        // Shallow HTML is untouched.
        let html = to_html("<div><p>a<br>b</p><img src=\"https://x.example/i.png\"/></div>\n");
        assert!(html.contains("<div>") && html.contains("<br>"), "{html}");
        assert_eq!(
            html_nesting("<div><br><img/><p></p></div><span>", 0),
            (2, 1)
        );
    }
}
