//! One roadmap or best-practice folder: `<id>.md`, the optional `<id>.json` that
//! decides the topic layout, `content/`, and the FAQ files.
//!
//! Every step degrades instead of failing: broken frontmatter leaves the id as the
//! title, a broken JSON falls back to listing the content files, a broken FAQ file
//! leaves the FAQ empty. Each of these is a diagnostic, and the roadmap is served.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::faqs;
use super::frontmatter::{self, Fields};
use super::graph;
use super::mockup;
use super::model::{IntroQuestion, Layout, Roadmap, RoadmapKind};
use super::paths::{file_name, split_number_prefix, strip_md};
use super::source::Ctx;
use super::topics::{self, ContentDir, Draft, Origin, TopicTree};

/// A loaded roadmap plus what the catalog pass needs to report dangling related
/// ids at the right line.
pub(crate) struct LoadedRoadmap {
    pub roadmap: Roadmap,
    /// File line of each entry of `related_ids`, where it could be found.
    pub related_lines: Vec<Option<usize>>,
    /// File line of each entry of `related_questions`.
    pub question_lines: Vec<Option<usize>>,
}

pub(crate) fn load(
    ctx: &mut Ctx,
    dir: &Path,
    id: &str,
    kind: RoadmapKind,
) -> Option<LoadedRoadmap> {
    let md_abs = dir.join(format!("{id}.md"));
    let json_abs = dir.join(format!("{id}.json"));
    let content_abs = dir.join("content");
    let md_rel = ctx.rel(&md_abs);

    let source = if md_abs.is_file() {
        ctx.read(&md_abs)
    } else {
        None
    };
    if source.is_none() && !md_abs.is_file() {
        if !json_abs.is_file() && !content_abs.is_dir() {
            let rel = ctx.rel(dir);
            ctx.warn(
                &rel,
                None,
                format!("folder has no `{id}.md`, `{id}.json` or `content/`; skipped"),
            );
            return None;
        }
        ctx.warn(
            &md_rel,
            None,
            format!("`{id}.md` is missing; loaded with `{id}` as the title"),
        );
    }

    let text = source.as_ref().map_or("", |s| &*s.text);
    let doc = frontmatter::parse_document(text);
    if let Some(e) = &doc.error {
        let message = if doc.fields.has("title") {
            e.message.clone()
        } else {
            format!("{}; loaded with `{id}` as the title", e.message)
        };
        ctx.error(&md_rel, e.line, message);
    } else if source.is_some() && !doc.has_frontmatter {
        ctx.warn(
            &md_rel,
            Some(1),
            "no frontmatter; loaded with the id as the title",
        );
    }
    let mut fields = doc.fields;
    let title = fields.string("title");
    if title.is_none() && doc.error.is_none() && doc.has_frontmatter {
        ctx.warn(&md_rel, Some(1), format!("no `title`; using `{id}`"));
    }
    let related_line = fields.line_of("relatedRoadmaps");
    let questions_line = fields.line_of("relatedQuestions");
    let description = fields.string("description").unwrap_or_default();
    let brief_title = fields.string("briefTitle");
    let brief_description = fields.string("briefDescription");
    let order = fields.number("order");
    let related_ids = fields.strings("relatedRoadmaps");
    let related_questions = fields.strings("relatedQuestions");
    let tags = fields.strings("tags");
    let seo = fields.seo();
    let is_new = fields.bool("isNew").unwrap_or(false);
    let is_upcoming = fields.bool("isUpcoming").unwrap_or(false);
    let has_topics = fields.bool("hasTopics");
    let question = intro_question(&mut fields);
    let (extra, problems) = fields.finish();
    for (message, line) in problems {
        ctx.warn(&md_rel, line, message);
    }
    let related_lines = list_lines(text, related_line, &related_ids);
    let question_lines = list_lines(text, questions_line, &related_questions);

    let mut content = ContentDir::scan(ctx, &content_abs);
    let (layout, tree) = load_topics(ctx, &json_abs, &md_rel, content.as_mut());
    if let Some(content) = &content
        && layout != Layout::FilesOnly
    {
        let json_name = format!("{id}.json");
        for f in content.unused_files() {
            let rel = ctx.rel(&content.base.join(&f));
            ctx.warn(
                &rel,
                None,
                format!("content file is not referenced by `{json_name}`; not served"),
            );
        }
    }

    let faqs = load_faqs(ctx, dir);
    let roadmap = Roadmap {
        id: id.to_string(),
        kind,
        layout,
        title: title.unwrap_or_else(|| id.to_string()),
        description,
        brief_title,
        brief_description,
        order,
        tags,
        seo,
        question,
        faqs,
        related_ids,
        related: Vec::new(),
        related_questions,
        is_new,
        is_upcoming,
        has_topics: has_topics.unwrap_or(!tree.topics.is_empty()),
        topics: tree.topics,
        roots: tree.roots,
        topic_index: tree.index,
        extra,
        file: md_rel,
        modified: source.and_then(|s| s.modified),
    };
    Some(LoadedRoadmap {
        roadmap,
        related_lines,
        question_lines,
    })
}

fn intro_question(fields: &mut Fields) -> Option<IntroQuestion> {
    let value = fields.take("question")?;
    let line = fields.line_of("question");
    match value {
        Value::Object(map) => {
            let mut q = Fields::from_map(map);
            let title = q.string("title");
            let description = q.string("description").unwrap_or_default();
            match title {
                Some(title) if !title.trim().is_empty() => Some(IntroQuestion {
                    title: title.trim().to_string(),
                    html: super::markdown::to_html(&description),
                    description,
                }),
                _ => {
                    fields
                        .problems
                        .push(("`question` has no `title`; ignored".to_string(), line));
                    None
                }
            }
        }
        Value::Null => None,
        _ => {
            fields.problems.push((
                "`question` should be a mapping with `title` and `description`".to_string(),
                line,
            ));
            None
        }
    }
}

/// Finds the line of each list item after `key_line` (block or inline list), for
/// diagnostics about individual ids.
fn list_lines(text: &str, key_line: Option<usize>, ids: &[String]) -> Vec<Option<usize>> {
    let Some(key_line) = key_line else {
        return vec![None; ids.len()];
    };
    let lines: Vec<&str> = text.lines().collect();
    ids.iter()
        .map(|id| {
            let key = lines.get(key_line.saturating_sub(1))?;
            if key.contains(id.as_str()) {
                return Some(key_line);
            }
            for (i, line) in lines.iter().enumerate().skip(key_line) {
                let t = line.trim();
                if !t.starts_with('-') {
                    if t.is_empty() || line.starts_with([' ', '\t']) {
                        continue;
                    }
                    break;
                }
                let item = t.trim_start_matches('-').trim().trim_matches(['\'', '"']);
                if item == id {
                    return Some(i + 1);
                }
            }
            None
        })
        .collect()
}

fn load_topics(
    ctx: &mut Ctx,
    json_abs: &Path,
    md_rel: &Path,
    content: Option<&mut ContentDir>,
) -> (Layout, TopicTree) {
    let json_rel = ctx.rel(json_abs);
    let chart = if json_abs.is_file() {
        ctx.read_parsed(json_abs, "chart", Chart::of)
    } else {
        None
    };
    let files_only = |ctx: &mut Ctx, content: Option<&mut ContentDir>| {
        let origin = Origin {
            json: None,
            md: md_rel,
        };
        let tree = match content {
            Some(c) => topics::files_only(ctx, c, &origin),
            None => TopicTree::default(),
        };
        (Layout::FilesOnly, tree)
    };
    let Some(chart) = chart else {
        return files_only(ctx, content);
    };
    let origin = Origin {
        json: Some(&json_rel),
        md: md_rel,
    };
    match &*chart {
        Chart::Invalid { line, message } => {
            ctx.error(
                &json_rel,
                Some(*line),
                format!("invalid JSON: {message}; topics taken from the content files instead"),
            );
            files_only(ctx, content)
        }
        Chart::Mockup(Ok(controls)) => {
            let mut controls = controls.clone();
            if controls.len() > graph::MAX_TOPICS {
                ctx.warn(
                    &json_rel,
                    None,
                    format!(
                        "more than {} topics; the {} after them are left out",
                        graph::MAX_TOPICS,
                        controls.len() - graph::MAX_TOPICS
                    ),
                );
                controls.truncate(graph::MAX_TOPICS);
            }
            let built = mockup::build(&controls, content.as_deref());
            for name in &built.bad_names {
                // A name can be megabytes long; the diagnostic shows its start.
                let shown: String = name.chars().take(80).collect();
                let cut = if shown.len() < name.len() { "…" } else { "" };
                ctx.warn(
                    &json_rel,
                    None,
                    format!(
                        "control name `{shown}{cut}` has an empty part or more than {} parts; ignored",
                        mockup::MAX_NAME_PARTS
                    ),
                );
            }
            let tree = topics::finish(
                ctx,
                content,
                &origin,
                built.drafts,
                &built.parents,
                &built.order,
            );
            (Layout::Mockup2023, tree)
        }
        Chart::Graph(Ok((g, arranged))) => {
            let tree = graph_topics(ctx, g, arranged, content, &origin);
            (Layout::Graph2025, tree)
        }
        Chart::Mockup(Err(e)) | Chart::Graph(Err(e)) => {
            ctx.error(
                &json_rel,
                None,
                format!("{e}; topics taken from the content files instead"),
            );
            files_only(ctx, content)
        }
        Chart::Neither => {
            ctx.error(
                &json_rel,
                None,
                "neither a 2023 mockup (`mockup`) nor a 2025 graph (`nodes`); topics taken from the content files instead",
            );
            files_only(ctx, content)
        }
    }
}

/// What a roadmap's JSON gives on its own, before the content folder is consulted:
/// parsed and laid out once per distinct text (laying out a large chart is the
/// costliest step of loading a roadmap), shared by the derivations that meet the
/// same text again (see [`Ctx::parsed`]).
enum Chart {
    Invalid { line: usize, message: String },
    Mockup(Result<Vec<mockup::Control>, String>),
    Graph(Result<(graph::Graph, graph::Arranged), String>),
    Neither,
}

impl Chart {
    fn of(text: &str) -> Chart {
        let json = match serde_json::from_str::<Value>(text) {
            Ok(v) => v,
            Err(e) => {
                return Chart::Invalid {
                    line: e.line(),
                    message: e.to_string(),
                };
            }
        };
        if json.get("mockup").is_some() {
            return Chart::Mockup(mockup::controls(&json).map_err(|e| e.to_string()));
        }
        if json.get("nodes").is_some() {
            return Chart::Graph(
                graph::parse(&json)
                    .map(|g| {
                        let arranged = graph::arrange(&g);
                        (g, arranged)
                    })
                    .map_err(|e| e.to_string()),
            );
        }
        Chart::Neither
    }
}

fn graph_topics(
    ctx: &mut Ctx,
    g: &graph::Graph,
    arranged: &graph::Arranged,
    content: Option<&mut ContentDir>,
    origin: &Origin,
) -> TopicTree {
    if g.dropped_topics > 0
        && let Some(json) = origin.json
    {
        ctx.warn(
            json,
            None,
            format!(
                "more than {} topics; the {} after them are left out",
                graph::MAX_TOPICS,
                g.dropped_topics
            ),
        );
    }
    if arranged.box_pairs_exhausted
        && let Some(json) = origin.json
    {
        ctx.warn(
            json,
            None,
            format!(
                "more than {} pairs of overlapping boxes; the subtopics left were attached to the nearest topic",
                graph::MAX_BOX_PAIRS
            ),
        );
    }
    // nodeId -> file, from `<slug>@<nodeId>.md` anywhere under content/.
    let mut by_node: std::collections::HashMap<String, PathBuf> = Default::default();
    if let Some(content) = content.as_deref() {
        for f in content.files() {
            let Some(name) = file_name(&f) else { continue };
            let (stem, _) = strip_md(name);
            if let Some((_, node_id)) = stem.rsplit_once('@') {
                by_node.entry(node_id.to_string()).or_insert(f.clone());
            }
        }
    }
    let drafts: Vec<Draft> = arranged
        .nodes
        .iter()
        .map(|&gi| {
            let node = &g.nodes[gi];
            let file = by_node.get(&node.id).cloned();
            let id = file
                .as_deref()
                .and_then(file_name)
                .map(|n| {
                    let stem = strip_md(n).0;
                    let slug = stem.rsplit_once('@').map_or(stem, |(s, _)| s);
                    split_number_prefix(slug).1.to_string()
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| graph::fallback_slug(node));
            Draft {
                id,
                source_id: Some(node.id.clone()),
                label: (!node.label.is_empty()).then(|| node.label.clone()),
                fallback_title: node.id.clone(),
                file,
                expected: Some(format!("content/<slug>@{}.md", node.id)),
            }
        })
        .collect();
    topics::finish(
        ctx,
        content,
        origin,
        drafts,
        &arranged.parents,
        &arranged.order,
    )
}

/// `faqs.astro`, then `faqs.yaml`/`faqs.yml`, then `faqs.json`; entries of all
/// present files are kept, in that order.
fn load_faqs(ctx: &mut Ctx, dir: &Path) -> Vec<super::model::Faq> {
    let mut out = Vec::new();
    type Parse = fn(&str) -> Result<Vec<super::model::Faq>, faqs::FaqError>;
    let sources: [(&str, Parse); 4] = [
        ("faqs.astro", faqs::parse_astro),
        ("faqs.yaml", faqs::parse_yaml),
        ("faqs.yml", faqs::parse_yaml),
        ("faqs.json", faqs::parse_json),
    ];
    for (name, parse) in sources {
        let abs = dir.join(name);
        if !abs.is_file() {
            continue;
        }
        let Some(source) = ctx.read(&abs) else {
            continue;
        };
        if source
            .text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim() == "---")
        {
            // roadmap.sh keeps empty placeholders (sometimes only the `---` fences
            // of an Astro component) for roadmaps without a FAQ.
            ctx.info(&source.rel, None, "FAQ file is empty; no FAQ entries");
            continue;
        }
        match parse(&source.text) {
            Ok(faqs) => out.extend(faqs),
            Err(e) => ctx.error(
                &source.rel,
                e.line,
                format!("FAQs not loaded: {}", e.message),
            ),
        }
    }
    out
}
