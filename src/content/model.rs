//! The typed content model: plain data produced by the loader and read by search
//! and the HTTP layer.
//!
//! Everything here is immutable once the loader hands a [`Catalog`] over, which is what
//! lets a snapshot be shared between request threads without locks. Cross references
//! (related roadmaps, topic tree, previous/next) are resolved by the loader so that
//! readers never have to chase ids across files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use super::text::Text;

/// Frontmatter fields the model does not know, kept verbatim so that nothing a
/// content author wrote is lost on the way to the API.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// How [`Extra`] is written: as itself in JSON (the API), as JSON text in binary
/// formats (the persisted catalog, see [`super::persist`]), because its values are
/// free-form and only a self-describing format can read those back.
mod extra_text {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Extra;

    pub fn serialize<S: Serializer>(extra: &Extra, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            extra.serialize(s)
        } else {
            let text = serde_json::to_string(extra).map_err(S::Error::custom)?;
            s.serialize_str(&text)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Extra, D::Error> {
        if d.is_human_readable() {
            Extra::deserialize(d)
        } else {
            let text = String::deserialize(d)?;
            serde_json::from_str(&text).map_err(D::Error::custom)
        }
    }
}

/// Whether a [`Roadmap`] is a roadmap or a best practice: both share one shape
/// (`<id>.md`, `<id>.json`, `content/`), so they share one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoadmapKind {
    Roadmap,
    BestPractice,
}

/// Which generation of the roadmap.sh layout a roadmap's topics came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Layout {
    /// `<id>.json` is a Balsamiq mockup with control names (`NNN-a:b:c`).
    Mockup2023,
    /// `<id>.json` is a nodes/edges graph, topic files are `<slug>@<nodeId>.md`.
    Graph2025,
    /// No JSON: the topics are the content files, ordered by their number prefix.
    FilesOnly,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
}

/// The "What is ...?" introduction a roadmap page shows first in its FAQ.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntroQuestion {
    pub title: String,
    /// Markdown, usually with `##` subheadings.
    pub description: String,
    /// `description` rendered and sanitized once at load, never per request.
    pub html: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Faq {
    pub question: String,
    /// Markdown paragraphs, in order.
    pub answer: Vec<String>,
    /// The paragraphs rendered and sanitized as one HTML text, once at load.
    pub html: String,
}

/// A related roadmap as the roadmap page shows it: the referenced roadmap's brief
/// title and description, resolved at load time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedRoadmap {
    pub id: String,
    pub title: String,
    pub brief_title: String,
    pub brief_description: String,
}

/// A typed link from a topic's resource list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// `article`, `video`, `official`, ... (2025 `@type@` prefix); `link` when the
    /// source gives no type (2023).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Topic {
    /// Stable readable id, unique within its roadmap: a slug path such as
    /// `apis/authentication/jwt` (2023) or a slug such as `jwt` (2025).
    pub id: String,
    /// The source's own id: the control name (2023) or the node id (2025).
    pub source_id: Option<String>,
    /// What the roadmap shows: the node's label (2025) or the control's text (2023);
    /// the file's heading only where the layout has no label (files only).
    pub title: String,
    /// The file's `# Heading` where it differs from `title` (a longer name, or a
    /// copy-paste slip in the content): kept, and searchable as another title.
    pub heading: Option<String>,
    /// The markdown body without its leading `# Title` line and without the resource
    /// list (which is in `resources`); text after the list stays.
    pub markdown: Text,
    /// `markdown` rendered and sanitized once per file change, never per request.
    pub html: Arc<str>,
    /// `markdown` as plain text (what search indexes and cuts snippets from).
    pub plain: Arc<str>,
    /// The whole file as written, for clients that render it themselves.
    pub raw_markdown: Arc<str>,
    /// First paragraph as plain text, for hovers and snippets.
    pub summary: Text,
    /// Shared with the parse of the file's text that the loader keeps for the next
    /// reload: one copy of every link, not two.
    pub resources: Arc<[Resource]>,
    /// Index into [`Roadmap::topics`] of the group this topic sits in.
    pub parent: Option<usize>,
    /// Indexes into [`Roadmap::topics`], in roadmap order.
    pub children: Vec<usize>,
    /// 0 for a top-level topic.
    pub depth: usize,
    /// Content file relative to the catalog root, when one exists.
    pub file: Option<PathBuf>,
    /// Modification time of `file` in seconds since the epoch.
    pub modified: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Roadmap {
    pub id: String,
    pub kind: RoadmapKind,
    pub layout: Layout,
    pub title: String,
    pub description: String,
    pub brief_title: Option<String>,
    pub brief_description: Option<String>,
    pub order: Option<f64>,
    pub tags: Vec<String>,
    pub seo: Option<Seo>,
    pub question: Option<IntroQuestion>,
    /// The FAQ entries from `faqs.astro` / `faqs.yaml` / `faqs.json` (the intro
    /// question is in `question`, the page shows it first).
    pub faqs: Vec<Faq>,
    /// Ids as written in `relatedRoadmaps`, in front matter order.
    pub related_ids: Vec<String>,
    /// `related_ids` that resolve to a loaded roadmap, in the same order.
    pub related: Vec<RelatedRoadmap>,
    pub related_questions: Vec<String>,
    pub is_new: bool,
    pub is_upcoming: bool,
    pub has_topics: bool,
    /// All topics, groups included, in roadmap order (depth-first over the tree).
    pub topics: Vec<Topic>,
    /// Indexes of the top-level topics, in order.
    pub roots: Vec<usize>,
    /// Topic id or source id -> index into `topics`.
    pub topic_index: HashMap<String, usize>,
    #[serde(with = "extra_text")]
    pub extra: Extra,
    /// `<id>.md` relative to the catalog root.
    pub file: PathBuf,
    pub modified: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Guide {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: Option<String>,
    /// ISO date (`YYYY-MM-DD`) when the frontmatter has one.
    pub date: Option<String>,
    pub tags: Vec<String>,
    pub seo: Option<Seo>,
    pub markdown: Text,
    /// `markdown` rendered and sanitized once per file change.
    pub html: String,
    /// `markdown` as plain text, for search.
    pub plain: String,
    #[serde(with = "extra_text")]
    pub extra: Extra,
    pub file: PathBuf,
    pub modified: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub duration: Option<String>,
    pub date: Option<String>,
    pub tags: Vec<String>,
    pub markdown: Text,
    /// `markdown` rendered and sanitized once per file change.
    pub html: String,
    /// `markdown` as plain text, for search.
    pub plain: String,
    #[serde(with = "extra_text")]
    pub extra: Extra,
    pub file: PathBuf,
    pub modified: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub question: String,
    /// Markdown; an answer that named a file under `content/` is that file's text.
    pub answer: String,
    /// `answer` rendered and sanitized once at load.
    pub html: String,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionGroup {
    pub id: String,
    pub title: String,
    pub description: String,
    pub brief_title: Option<String>,
    pub brief_description: Option<String>,
    pub order: Option<f64>,
    pub tags: Vec<String>,
    pub seo: Option<Seo>,
    pub questions: Vec<Question>,
    pub related_roadmaps: Vec<String>,
    #[serde(with = "extra_text")]
    pub extra: Extra,
    pub file: PathBuf,
    pub modified: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The file (or part of it) could not be used.
    Error,
    /// The file was used, but something in it is off (missing heading, dangling id).
    Warning,
    /// Worth knowing, nothing lost: an empty placeholder file, a heading that differs
    /// from the label the roadmap shows. Real checkouts have hundreds of these, so
    /// they must not drown the warnings.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A problem found while loading: reported by `check`, `/v1/status` and the log,
/// never fatal for the rest of the content.
///
/// Shared strings: every reload assembles the catalog's list from every resource's
/// diagnostics (about 3,000 at the size of the whole roadmap.sh, three times that at
/// three times the size), and copying each file name and message was the larger part
/// of assembling the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Relative to the catalog root.
    pub file: Arc<Path>,
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: Arc<str>,
}

/// Everything loaded from one content folder.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub root: PathBuf,
    /// Ordered by `order`, then id.
    ///
    /// Resources are shared (`Arc`) with the loader and the previous catalogs: a
    /// reload re-derives only what its changed files belong to and reuses the rest.
    pub roadmaps: Vec<Arc<Roadmap>>,
    /// Ordered by `order`, then id.
    pub best_practices: Vec<Arc<Roadmap>>,
    /// Newest first.
    pub guides: Vec<Arc<Guide>>,
    /// Newest first.
    pub videos: Vec<Arc<Video>>,
    pub question_groups: Vec<Arc<QuestionGroup>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Synonym groups from the content folder's synonyms file (each group is a set
    /// of equivalent terms, lower-cased).
    pub synonyms: Vec<Vec<String>>,
    /// Hash of every file that went into this catalog: the content version.
    pub version: String,
    /// Resources served from their last good version because a file of theirs
    /// broke (`roadmaps/<id>`, `guides/<slug>`, …).
    pub kept: Vec<String>,
}
