//! What all three topic layouts share: a listing of a roadmap's `content/` folder,
//! the draft topics each layout produces, and the step that turns drafts into the
//! final topic tree (reading files, titles, unique ids, indexes).
//!
//! Layouts differ only in how they find topics, their files and their nesting;
//! reading and validating the markdown is the same for all, so it lives here once.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use super::markdown;
use super::model::{Resource, Severity, Text, Topic};
use super::paths::{file_name, humanize, is_junk, split_number_prefix, strip_md};
use super::source::Ctx;

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub is_dir: bool,
}

/// One listing of `content/`, taken once per load so that layouts can look files up
/// by name without touching the disk again.
#[derive(Debug, Default)]
pub(crate) struct ContentDir {
    /// Absolute path of the `content/` folder.
    pub base: PathBuf,
    /// Directory (relative to `base`, `""` for the top) -> entries sorted by name.
    entries: HashMap<PathBuf, Vec<Entry>>,
    /// Every file, for look-ups by path in constant time (a folder of 26,000 files
    /// made each look-up a scan).
    file_set: HashSet<PathBuf>,
    used: HashSet<PathBuf>,
}

impl ContentDir {
    /// Lists `base` recursively; `None` when there is no such folder. Unreadable
    /// entries are reported and skipped.
    pub fn scan(ctx: &mut Ctx, base: &Path) -> Option<ContentDir> {
        if !ctx.is_dir(base) {
            return None;
        }
        let mut dir = ContentDir {
            base: base.to_path_buf(),
            ..ContentDir::default()
        };
        dir.entries.insert(PathBuf::new(), Vec::new());
        // Links are followed only where they stay inside the content folder; the
        // walker itself reports loops.
        let mut walker = WalkDir::new(base)
            .min_depth(1)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map_or_else(|| ctx.rel(base), |p| ctx.rel(p));
                    ctx.warn(&path, None, format!("could not list: {e}"));
                    continue;
                }
            };
            let is_dir = entry.file_type().is_dir();
            let skip = entry.file_name().to_str().is_none_or(is_junk)
                || (entry.path_is_symlink() && !ctx.inside(entry.path()));
            if skip {
                if is_dir {
                    walker.skip_current_dir();
                }
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(base) else {
                continue;
            };
            let Some(name) = file_name(rel) else {
                let rel = ctx.rel(entry.path());
                ctx.warn(&rel, None, "file name is not valid UTF-8; ignored");
                continue;
            };
            let parent = rel.parent().map(Path::to_path_buf).unwrap_or_default();
            dir.entries.entry(parent).or_default().push(Entry {
                name: name.to_string(),
                is_dir,
            });
            if is_dir {
                dir.entries.entry(rel.to_path_buf()).or_default();
            } else {
                dir.file_set.insert(rel.to_path_buf());
            }
        }
        Some(dir)
    }

    pub fn entries(&self, dir: &Path) -> &[Entry] {
        self.entries.get(dir).map_or(&[], Vec::as_slice)
    }

    pub fn has_file(&self, rel: &Path) -> bool {
        self.file_set.contains(rel)
    }

    /// Every file, relative to `base`, in path order.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .entries
            .iter()
            .flat_map(|(dir, entries)| {
                entries
                    .iter()
                    .filter(|e| !e.is_dir)
                    .map(move |e| dir.join(&e.name))
            })
            .collect();
        out.sort();
        out
    }

    pub fn mark_used(&mut self, rel: &Path) {
        self.used.insert(rel.to_path_buf());
    }

    /// Files no topic claimed; `content/index.md` is exempt because roadmap.sh keeps
    /// an empty placeholder there.
    pub fn unused_files(&self) -> Vec<PathBuf> {
        self.files()
            .into_iter()
            .filter(|f| !self.used.contains(f) && f != Path::new("index.md"))
            .collect()
    }
}

/// A topic as a layout found it, before its file is read.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// Readable id before de-duplication.
    pub id: String,
    pub source_id: Option<String>,
    /// What the roadmap shows for the topic (node label, control text): its title.
    pub label: Option<String>,
    /// Title when there is neither a label nor a file heading: the id humanized.
    pub fallback_title: String,
    /// Content file relative to the `content/` folder.
    pub file: Option<PathBuf>,
    /// What the layout expected when no file was found, for the diagnostic.
    pub expected: Option<String>,
}

/// Depth-first order over a forest given by `parents`, siblings sorted by `cmp`.
/// Parents that are out of range, self references or cycles are cut (the node
/// becomes a root), so a malformed source cannot hang or crash the loader.
pub(crate) fn dfs_order(
    parents: &mut [Option<usize>],
    cmp: impl Fn(usize, usize) -> Ordering,
) -> Vec<usize> {
    let n = parents.len();
    for (i, parent) in parents.iter_mut().enumerate() {
        if parent.is_some_and(|p| p >= n || p == i) {
            *parent = None;
        }
    }
    // Cut cycles: walk up from each node; meeting a node of the current walk again
    // means it is on a cycle, and cutting its parent breaks that cycle.
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; n];
    let mut path = Vec::new();
    for start in 0..n {
        let mut cur = start;
        loop {
            match state[cur] {
                DONE => break,
                ON_PATH => {
                    parents[cur] = None;
                    break;
                }
                _ => {}
            }
            state[cur] = ON_PATH;
            path.push(cur);
            match parents[cur] {
                Some(p) => cur = p,
                None => break,
            }
        }
        for v in path.drain(..) {
            state[v] = DONE;
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, parent) in parents.iter().enumerate() {
        match parent {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    roots.sort_by(|a, b| cmp(*a, *b));
    for c in &mut children {
        c.sort_by(|a, b| cmp(*a, *b));
    }
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    order
}

/// Where a roadmap's diagnostics point and what it is called in messages.
pub(crate) struct Origin<'a> {
    /// The JSON that lists the topics (root-relative), if any.
    pub json: Option<&'a Path>,
    /// The roadmap's `<id>.md` (root-relative).
    pub md: &'a Path,
}

/// The finished topic list of one roadmap.
#[derive(Debug, Default)]
pub(crate) struct TopicTree {
    pub topics: Vec<Topic>,
    pub roots: Vec<usize>,
    pub index: HashMap<String, usize>,
}

/// Reads every draft's file and assembles the tree in `order` (a depth-first order
/// from [`dfs_order`]). Readable ids are made unique in that order, so the first
/// topic on the page keeps the plain slug.
pub(crate) fn finish(
    ctx: &mut Ctx,
    content: Option<&mut ContentDir>,
    origin: &Origin,
    drafts: Vec<Draft>,
    parents: &[Option<usize>],
    order: &[usize],
) -> TopicTree {
    let mut new_index = vec![usize::MAX; drafts.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut content = content;
    let mut drafts: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let mut tree = TopicTree::default();
    let mut used_ids = UniqueIds::default();
    for &old in order {
        let Some(draft) = drafts.get_mut(old).and_then(Option::take) else {
            continue;
        };
        let parent = parents
            .get(old)
            .copied()
            .flatten()
            .map(|p| new_index[p])
            .filter(|p| *p != usize::MAX);
        let depth = parent.map_or(0, |p| tree.topics[p].depth + 1);
        let id = used_ids.claim(&draft.id);
        let topic = read_topic(
            ctx,
            content.as_deref_mut(),
            origin,
            draft,
            id,
            parent,
            depth,
        );
        let idx = tree.topics.len();
        match parent {
            Some(p) => tree.topics[p].children.push(idx),
            None => tree.roots.push(idx),
        }
        tree.topics.push(topic);
    }
    // Readable ids first, so a source id can never shadow one.
    for (i, t) in tree.topics.iter().enumerate() {
        tree.index.insert(t.id.clone(), i);
    }
    for (i, t) in tree.topics.iter().enumerate() {
        if let Some(s) = &t.source_id {
            tree.index.entry(s.clone()).or_insert(i);
        }
    }
    tree
}

/// Readable ids handed out so far, and for each base the next number suffix to
/// try, so that thousands of topics with one slug cost one look-up each rather
/// than one per topic before them.
#[derive(Default)]
struct UniqueIds {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl UniqueIds {
    /// `base`, or `base-2`, `base-3`, ... whichever is free first. A suffix once
    /// taken stays taken, so counting on from the last one found gives the same ids
    /// as trying from 2 each time.
    fn claim(&mut self, base: &str) -> String {
        let base = if base.trim().is_empty() {
            "topic"
        } else {
            base
        };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next.entry(base.to_string()).or_insert(2);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

fn read_topic(
    ctx: &mut Ctx,
    content: Option<&mut ContentDir>,
    origin: &Origin,
    draft: Draft,
    id: String,
    parent: Option<usize>,
    depth: usize,
) -> Topic {
    let has_label = draft.label.is_some();
    let mut topic = Topic {
        id,
        source_id: draft.source_id,
        title: draft.label.unwrap_or(draft.fallback_title),
        heading: None,
        markdown: Text::default(),
        html: Arc::from(""),
        plain: Arc::from(""),
        raw_markdown: Arc::from(""),
        summary: Text::default(),
        resources: Arc::from([]),
        parent,
        children: Vec::new(),
        depth,
        file: None,
        modified: None,
    };
    let label = topic.source_id.as_deref().unwrap_or(&topic.id).to_string();
    let (Some(rel), Some(content)) = (draft.file, content) else {
        let expected = draft
            .expected
            .map(|e| format!(" (expected {e})"))
            .unwrap_or_default();
        let file = origin.json.unwrap_or(origin.md);
        ctx.warn(
            file,
            None,
            format!("topic `{label}` has no content file{expected}; served with its title only"),
        );
        return topic;
    };
    content.mark_used(&rel);
    let abs = content.base.join(&rel);
    let Some(source) = ctx.read(&abs) else {
        return topic;
    };
    let name = file_name(&rel).unwrap_or_default();
    if !strip_md(name).1 {
        ctx.warn(
            &source.rel,
            None,
            format!("topic file of `{label}` lacks the `.md` ending; loaded anyway"),
        );
    }
    topic.file = Some(source.rel.clone());
    topic.modified = source.modified;
    if source.text.trim().is_empty() {
        ctx.warn(
            &source.rel,
            None,
            "topic file is empty; served with its title only",
        );
        topic.raw_markdown = source.text;
        return topic;
    }
    let parsed = ctx.parsed("topic", &source, |_| Parsed::of(&source.text));
    // Where the roadmap shows a label, that is the title people know the topic by;
    // the file's heading only names it where no label exists.
    let severity = if has_label {
        Severity::Info
    } else {
        Severity::Warning
    };
    match (&parsed.text.title, parsed.text.heading_level) {
        (Some(heading), level) => {
            if level != Some(1) {
                ctx.report(
                    &source.rel,
                    Some(1),
                    severity,
                    format!(
                        "topic heading is level {}, expected `# Title`",
                        level.unwrap_or(0)
                    ),
                );
            }
            if !has_label {
                topic.title = heading.clone();
            } else if same_title(heading, &topic.title) {
                // Same words: nothing to keep.
            } else {
                ctx.info(
                    &source.rel,
                    Some(1),
                    format!(
                        "heading \"{heading}\" differs from the roadmap's label \"{}\"; the label is the title, the heading is kept as `heading`",
                        topic.title
                    ),
                );
                topic.heading = Some(heading.clone());
            }
        }
        _ => ctx.report(
            &source.rel,
            Some(1),
            severity,
            format!(
                "topic file has no `# Title` heading; using \"{}\"",
                topic.title
            ),
        ),
    }
    for (line, url) in &parsed.text.dropped {
        ctx.warn(
            &source.rel,
            Some(*line),
            format!("resource URL `{url}` is neither http(s) nor a site path; left out"),
        );
    }
    topic.html = Arc::clone(&parsed.html);
    topic.plain = Arc::clone(&parsed.plain);
    topic.markdown = parsed.markdown.clone();
    topic.summary = parsed.summary.clone();
    topic.resources = Arc::clone(&parsed.resources);
    topic.raw_markdown = source.text;
    topic
}

/// What a topic file's text gives, whatever the topic it belongs to: parsed and
/// rendered once per distinct text, shared by every derivation that meets it again
/// (see [`Ctx::parsed`]).
struct Parsed {
    text: markdown::TopicText,
    /// Mostly a stretch of the file's text, and then shares it.
    markdown: Text,
    html: Arc<str>,
    plain: Arc<str>,
    /// Mostly the start of `plain`, and then shares it.
    summary: Text,
    resources: Arc<[Resource]>,
}

impl Parsed {
    fn of(source: &Arc<str>) -> Parsed {
        let mut text = markdown::parse_topic(source);
        let md = std::mem::take(&mut text.markdown);
        let plain: Arc<str> = Arc::from(markdown::plain_text(&md));
        Parsed {
            html: Arc::from(markdown::to_html(&md)),
            summary: Text::within(&plain, &std::mem::take(&mut text.summary)),
            plain,
            markdown: Text::within(source, &md),
            resources: Arc::from(std::mem::take(&mut text.resources)),
            text,
        }
    }
}

/// Whether a heading and a label name the topic alike: the same words, whatever
/// the case, spacing and punctuation.
fn same_title(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    words(a) == words(b)
}

/// Order key of a file name: number prefix (unnumbered last), then slug, then the
/// full name so that the order is total.
fn name_key(name: &str) -> (u32, String, String) {
    let (stem, _) = strip_md(name);
    let (n, slug) = split_number_prefix(stem);
    (n.unwrap_or(u32::MAX), slug.to_string(), name.to_string())
}

/// Files-only layout: every markdown file under `content/` is a topic, folders nest
/// (a folder's text is its `index.md` or a sibling `NNN-name.md`), ordered by number
/// prefix. A folder without text adds no topic; its files hang from the nearest
/// folder that has one. Files with no extension are accepted with a warning (the
/// `.md` was probably forgotten); other extensions are not markdown and are skipped.
pub(crate) fn files_only(ctx: &mut Ctx, content: &mut ContentDir, origin: &Origin) -> TopicTree {
    let mut acc = Acc::default();
    collect_dir(ctx, content, Path::new(""), None, "", &mut acc);
    let Acc {
        drafts,
        mut parents,
        keys,
    } = acc;
    let order = dfs_order(&mut parents, |a, b| keys[a].cmp(&keys[b]));
    finish(ctx, Some(content), origin, drafts, &parents, &order)
}

#[derive(Default)]
struct Acc {
    drafts: Vec<Draft>,
    parents: Vec<Option<usize>>,
    keys: Vec<(u32, String, String)>,
}

impl Acc {
    fn push(&mut self, draft: Draft, parent: Option<usize>, key: (u32, String, String)) -> usize {
        self.drafts.push(draft);
        self.parents.push(parent);
        self.keys.push(key);
        self.drafts.len() - 1
    }
}

fn collect_dir(
    ctx: &mut Ctx,
    content: &ContentDir,
    dir: &Path,
    parent: Option<usize>,
    id_prefix: &str,
    acc: &mut Acc,
) {
    let mut entries = content.entries(dir).to_vec();
    entries.sort_by_key(|e| name_key(&e.name));
    let dir_names: HashSet<&str> = entries
        .iter()
        .filter(|e| e.is_dir)
        .map(|e| e.name.as_str())
        .collect();
    for entry in &entries {
        let rel = dir.join(&entry.name);
        if entry.is_dir {
            let (_, slug) = split_number_prefix(&entry.name);
            let id = join_id(id_prefix, slug);
            let sibling = dir.join(format!("{}.md", entry.name));
            let text = if content.has_file(&rel.join("index.md")) {
                Some(rel.join("index.md"))
            } else if content.has_file(&sibling) {
                Some(sibling)
            } else {
                None
            };
            let group = text.map(|file| {
                acc.push(
                    Draft {
                        id: id.clone(),
                        source_id: None,
                        label: None,
                        fallback_title: humanize(slug),
                        file: Some(file),
                        expected: None,
                    },
                    parent,
                    name_key(&entry.name),
                )
            });
            collect_dir(ctx, content, &rel, group.or(parent), &id, acc);
            continue;
        }
        if entry.name == "index.md" {
            continue; // a folder's own text, handled with the folder
        }
        let (stem, is_md) = strip_md(&entry.name);
        if is_md && dir_names.contains(stem) {
            continue; // sibling text of a folder, handled with the folder
        }
        if !is_md && entry.name.contains('.') {
            let rel_root = ctx.rel(&content.base.join(&rel));
            ctx.warn(&rel_root, None, "not a markdown file; ignored");
            continue;
        }
        let (_, slug) = split_number_prefix(stem);
        acc.push(
            Draft {
                id: join_id(id_prefix, slug),
                source_id: None,
                label: None,
                fallback_title: humanize(slug),
                file: Some(rel.clone()),
                expected: None,
            },
            parent,
            name_key(&entry.name),
        );
    }
}

pub(crate) fn join_id(prefix: &str, slug: &str) -> String {
    if prefix.is_empty() {
        slug.to_string()
    } else {
        format!("{prefix}/{slug}")
    }
}

#[cfg(test)]
mod tests {
    use super::dfs_order;

    #[test]
    fn dfs_cuts_bad_parents_and_cycles() {
        // 0 <- 1 <- 2, 3 -> 4 -> 3 (cycle), 5 points out of range, 6 at itself.
        let mut parents = vec![None, Some(0), Some(1), Some(4), Some(3), Some(99), Some(6)];
        let order = dfs_order(&mut parents, |a, b| a.cmp(&b));
        assert_eq!(order.len(), 7);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(&order[..3], [0, 1, 2]);
        assert_eq!(parents[5], None);
        assert_eq!(parents[6], None);
        assert!(parents[3].is_none() || parents[4].is_none());
    }
}
