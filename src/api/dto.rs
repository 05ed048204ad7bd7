//! Response bodies: the wire shapes, kept apart from the content model so that the model
//! can change (fields added for search, loader bookkeeping) without changing the API.
//!
//! Every field is camelCase; a value the content does not have is `null`, never missing,
//! so clients see one shape per type.

use std::time::SystemTime;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::content::{self, Extra, RoadmapKind};
pub use crate::search::Kind;

/// The [`Kind`] of a roadmap-shaped document: roadmaps and best practices share one
/// shape and one set of endpoints.
pub fn collection_kind(kind: RoadmapKind) -> Kind {
    match kind {
        RoadmapKind::Roadmap => Kind::Roadmap,
        RoadmapKind::BestPractice => Kind::BestPractice,
    }
}

/// The schema of `extra` (documentation only: the field is the content model's map).
/// Written by hand because the derived map schema has `additionalProperties: {}`, which
/// generators read as "no value allowed" and utoipa cannot read back.
pub struct ExtraFields;

impl utoipa::PartialSchema for ExtraFields {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Frontmatter fields this API does not model, verbatim: any JSON value by name.",
            ))
            .additional_properties(Some(
                AdditionalProperties::<utoipa::openapi::schema::Schema>::FreeForm(true),
            ))
            .examples([serde_json::json!({"renderer": "editor"})])
            .into()
    }
}

impl ToSchema for ExtraFields {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Extra")
    }
}

/// A time as RFC 3339 (`2025-07-01T10:00:00.123Z`, UTC, milliseconds): the one
/// timestamp format of the API.
pub fn rfc3339(time: SystemTime) -> String {
    let time = OffsetDateTime::from(time.max(SystemTime::UNIX_EPOCH));
    let millis = time.replace_nanosecond(time.millisecond() as u32 * 1_000_000);
    millis
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| String::from("1970-01-01T00:00:00Z"))
}

/// [`rfc3339`] of a time given as milliseconds since the Unix epoch.
pub fn rfc3339_millis(millis: u64) -> String {
    rfc3339(SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(millis))
}

/// A duration in milliseconds with at most three decimals (microseconds): finer
/// digits are noise, and fifteen of them are unreadable.
pub fn millis(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// API path of a roadmap or best practice collection.
pub fn collection_path(kind: RoadmapKind) -> &'static str {
    match kind {
        RoadmapKind::Roadmap => "/v1/roadmaps",
        RoadmapKind::BestPractice => "/v1/best-practices",
    }
}

pub fn roadmap_path(kind: RoadmapKind, id: &str) -> String {
    format!("{}/{id}", collection_path(kind))
}

pub fn topic_path(kind: RoadmapKind, roadmap_id: &str, topic_id: &str) -> String {
    format!("{}/{roadmap_id}/topics/{topic_id}", collection_path(kind))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seo {
    /// `<title>` of the page.
    #[schema(example = "Backend Developer Roadmap: What is Backend Development")]
    pub title: Option<String>,
    /// Meta description.
    #[schema(example = "Learn to become a modern backend developer.")]
    pub description: Option<String>,
    #[schema(example = json!(["backend roadmap", "backend developer roadmap"]))]
    pub keywords: Vec<String>,
}

impl From<&content::Seo> for Seo {
    fn from(seo: &content::Seo) -> Seo {
        Seo {
            title: seo.title.clone(),
            description: seo.description.clone(),
            keywords: seo.keywords.clone(),
        }
    }
}

/// Links to the parts of a roadmap that have their own endpoints.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoadmapLinks {
    #[schema(example = "/v1/roadmaps/backend-engineering/topics")]
    pub topics: String,
    #[schema(example = "/v1/roadmaps/backend-engineering/faqs")]
    pub faqs: String,
    #[schema(example = "/v1/roadmaps/backend-engineering/related")]
    pub related: String,
}

/// A roadmap or best practice as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoadmapSummary {
    /// Stable id, also the folder name in the content.
    #[schema(example = "backend-engineering")]
    pub id: String,
    #[schema(example = "roadmap")]
    pub kind: Kind,
    #[schema(example = "Backend Developer")]
    pub title: String,
    #[schema(example = "Step by step guide to becoming a modern backend developer in 2025")]
    pub description: String,
    #[schema(example = "Backend")]
    pub brief_title: Option<String>,
    #[schema(example = "Guide to becoming a backend developer")]
    pub brief_description: Option<String>,
    /// How many topics the roadmap has (the "0 of N Done" of its page), groups included.
    #[schema(example = 141)]
    pub topic_count: usize,
    #[schema(example = json!(["role-roadmap"]))]
    pub tags: Vec<String>,
    pub is_new: bool,
    pub is_upcoming: bool,
    /// Position in the list; lists are sorted by it.
    #[schema(example = 2)]
    pub order: Option<f64>,
    /// API path of this roadmap.
    #[schema(example = "/v1/roadmaps/backend-engineering")]
    pub path: String,
}

/// The "What is ...?" introduction of a roadmap page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntroQuestion {
    #[schema(example = "What is Backend Development?")]
    pub title: String,
    /// Markdown, usually with `##` subheadings.
    #[schema(example = "Backend web development is the part of web development that ...")]
    pub description: String,
    /// `description` rendered to sanitized HTML.
    #[schema(example = "<p>Backend web development is the part of web development that ...</p>")]
    pub html: String,
}

/// One question of a roadmap's FAQ.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Faq {
    /// `<roadmap id>#faq-<n>`, numbered from 1 in page order (the id of its search hits).
    #[schema(example = "backend#faq-1")]
    pub id: String,
    #[schema(example = "faq")]
    pub kind: Kind,
    #[schema(example = "What is Backend Development?")]
    pub question: String,
    /// Markdown paragraphs, in order.
    #[schema(example = json!(["Backend web development is the part of web development that deals with the server-side of a web application."]))]
    pub answer: Vec<String>,
    /// `answer` rendered to sanitized HTML.
    #[schema(
        example = "<p>Backend web development is the part of web development that deals with the server-side of a web application.</p>"
    )]
    pub html: String,
}

/// A roadmap that a roadmap page recommends next.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelatedRoadmap {
    #[schema(example = "golang")]
    pub id: String,
    #[schema(example = "roadmap")]
    pub kind: Kind,
    #[schema(example = "Go Developer")]
    pub title: String,
    #[schema(example = "Go")]
    pub brief_title: String,
    #[schema(example = "Step by step guide to becoming a Go developer in 2023")]
    pub brief_description: String,
    #[schema(example = "/v1/roadmaps/golang")]
    pub path: String,
}

/// Everything a roadmap (or best practice) page shows except its topics.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoadmapDetail {
    #[schema(example = "backend-engineering")]
    pub id: String,
    #[schema(example = "roadmap")]
    pub kind: Kind,
    #[schema(example = "Backend Developer")]
    pub title: String,
    #[schema(example = "Step by step guide to becoming a modern backend developer in 2025")]
    pub description: String,
    #[schema(example = "Backend")]
    pub brief_title: Option<String>,
    #[schema(example = "Guide to becoming a backend developer")]
    pub brief_description: Option<String>,
    /// How many topics the roadmap has (the "0 of N Done" of its page), groups included.
    #[schema(example = 141)]
    pub topic_count: usize,
    /// The introduction question; it is also the first entry of `faqs`.
    pub question: Option<IntroQuestion>,
    /// The page's FAQ: the introduction question first, then the FAQ file's entries.
    pub faqs: Vec<Faq>,
    /// Related roadmaps that exist in the content, in the order the roadmap lists them.
    pub related: Vec<RelatedRoadmap>,
    /// Ids of related question groups.
    #[schema(example = json!(["backend"]))]
    pub related_questions: Vec<String>,
    pub seo: Option<Seo>,
    #[schema(example = json!(["role-roadmap"]))]
    pub tags: Vec<String>,
    pub is_new: bool,
    pub is_upcoming: bool,
    /// Whether the roadmap has topic pages.
    pub has_topics: bool,
    #[schema(example = 2)]
    pub order: Option<f64>,
    /// Frontmatter fields this API does not model, verbatim.
    #[schema(value_type = ExtraFields)]
    pub extra: Extra,
    /// API path of this roadmap.
    #[schema(example = "/v1/roadmaps/backend-engineering")]
    pub path: String,
    pub links: RoadmapLinks,
}

/// A reference to a topic (or, as the first breadcrumb, to its roadmap).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicRef {
    #[schema(example = "authentication")]
    pub id: String,
    #[schema(example = "Authentication")]
    pub title: String,
    #[schema(example = "/v1/roadmaps/backend-engineering/topics/authentication")]
    pub path: String,
}

/// A node of a roadmap's topic tree.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicNode {
    #[schema(example = "authentication")]
    pub id: String,
    #[schema(example = "Authentication")]
    pub title: String,
    #[schema(example = "/v1/roadmaps/backend-engineering/topics/authentication")]
    pub path: String,
    /// Subtopics, in roadmap order.
    #[schema(no_recursion)]
    pub children: Vec<TopicNode>,
}

/// A roadmap's topics as a tree: top-level groups with their subtopics nested.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicTree {
    #[schema(example = "backend-engineering")]
    pub roadmap_id: String,
    /// How many topics the tree holds in all, groups included.
    #[schema(example = 141)]
    pub total: usize,
    /// Top-level topics, in roadmap order.
    pub items: Vec<TopicNode>,
}

/// A topic in the flat (`?flat=true`) list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicListItem {
    #[schema(example = "jwt")]
    pub id: String,
    #[schema(example = "topic")]
    pub kind: Kind,
    /// The source's own id: a control name (2023 layout) or a node id (2025 layout).
    #[schema(example = "104-apis:authentication:jwt")]
    pub source_id: Option<String>,
    #[schema(example = "JWT")]
    pub title: String,
    #[schema(example = "/v1/roadmaps/backend-engineering/topics/jwt")]
    pub path: String,
    /// Id of the group this topic sits in.
    #[schema(example = "authentication")]
    pub parent_id: Option<String>,
    /// 0 for a top-level topic.
    #[schema(example = 2)]
    pub depth: usize,
    #[schema(example = 0)]
    pub child_count: usize,
}

/// `GET .../topics`: the tree by default, a page of the flat list with `?flat=true`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TopicsResponse {
    Tree(TopicTree),
    Flat(super::pagination::Page<TopicListItem>),
}

/// A typed link from a topic's resource list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// `article`, `video`, `official`, `course`, ...; `link` when the source gives no type.
    #[serde(rename = "type")]
    #[schema(example = "article")]
    pub kind: String,
    #[schema(example = "What is JWT?")]
    pub title: String,
    #[schema(example = "https://www.akana.com/blog/what-is-jwt")]
    pub url: String,
}

impl From<&content::Resource> for Resource {
    fn from(resource: &content::Resource) -> Resource {
        Resource {
            kind: resource.kind.clone(),
            title: resource.title.clone(),
            url: resource.url.clone(),
        }
    }
}

/// A topic of the same title in another roadmap or best practice.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlsoIn {
    #[schema(example = "full-stack")]
    pub roadmap_id: String,
    #[schema(example = "Full Stack Developer")]
    pub roadmap_title: String,
    #[schema(example = "roadmap")]
    pub roadmap_kind: Kind,
    #[schema(example = "jwt")]
    pub topic_id: String,
    #[schema(example = "/v1/roadmaps/full-stack/topics/jwt")]
    pub path: String,
}

/// One topic with its text, links and place in the roadmap.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicDetail {
    /// Readable id, unique within the roadmap.
    #[schema(example = "jwt")]
    pub id: String,
    #[schema(example = "topic")]
    pub kind: Kind,
    /// The source's own id: a control name (2023 layout) or a node id (2025 layout).
    #[schema(example = "104-apis:authentication:jwt")]
    pub source_id: Option<String>,
    #[schema(example = "backend-engineering")]
    pub roadmap_id: String,
    #[schema(example = "roadmap")]
    pub roadmap_kind: Kind,
    #[schema(example = "JWT")]
    pub title: String,
    /// Markdown body without the title line and without the resource list.
    #[schema(example = "JWT stands for JSON Web Token is a token-based encryption open standard.")]
    pub markdown: String,
    /// `markdown` rendered to sanitized HTML.
    #[schema(
        example = "<p>JWT stands for JSON Web Token is a token-based encryption open standard.</p>"
    )]
    pub html: String,
    /// First paragraph as plain text.
    #[schema(example = "JWT stands for JSON Web Token is a token-based encryption open standard.")]
    pub summary: String,
    pub resources: Vec<Resource>,
    /// The roadmap, then each ancestor group from the top down (not the topic itself).
    pub breadcrumbs: Vec<TopicRef>,
    pub parent: Option<TopicRef>,
    /// The topic before this one in roadmap order.
    pub previous: Option<TopicRef>,
    /// The topic after this one in roadmap order.
    pub next: Option<TopicRef>,
    pub children: Vec<TopicRef>,
    /// Topics of the same title (case-insensitive) in other roadmaps and best practices.
    pub also_in: Vec<AlsoIn>,
    /// 0 for a top-level topic.
    #[schema(example = 2)]
    pub depth: usize,
    #[schema(example = "/v1/roadmaps/backend-engineering/topics/jwt")]
    pub path: String,
}

/// A guide as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GuideSummary {
    /// The guide's slug (its file name).
    #[schema(example = "how-https-works")]
    pub id: String,
    #[schema(example = "guide")]
    pub kind: Kind,
    #[schema(example = "Basics of Authentication")]
    pub title: String,
    #[schema(example = "Learn the basics of authentication and authorization.")]
    pub description: String,
    #[schema(example = "Kamran Ahmed")]
    pub author: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[schema(example = "2022-09-21")]
    pub date: Option<String>,
    #[schema(example = json!(["guide", "guide-sitemap"]))]
    pub tags: Vec<String>,
    #[schema(example = "/v1/guides/how-https-works")]
    pub path: String,
}

/// A guide with its text.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GuideDetail {
    #[serde(flatten)]
    pub summary: GuideSummary,
    pub seo: Option<Seo>,
    /// The article body as markdown.
    #[schema(example = "Our last video series was about data structures ...")]
    pub markdown: String,
    /// `markdown` rendered to sanitized HTML.
    #[schema(example = "<p>Our last video series was about data structures ...</p>")]
    pub html: String,
    /// Frontmatter fields this API does not model, verbatim.
    #[schema(value_type = ExtraFields)]
    pub extra: Extra,
}

/// A video as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoSummary {
    /// The video's slug (its file name).
    #[schema(example = "docker-explained")]
    pub id: String,
    #[schema(example = "video")]
    pub kind: Kind,
    #[schema(example = "DNS and how does it work?")]
    pub title: String,
    #[schema(example = "Learn what DNS is and how a domain name is resolved.")]
    pub description: String,
    #[schema(example = "5 minutes")]
    pub duration: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[schema(example = "2020-07-23")]
    pub date: Option<String>,
    #[schema(example = json!(["video", "video-sitemap"]))]
    pub tags: Vec<String>,
    #[schema(example = "/v1/videos/docker-explained")]
    pub path: String,
}

/// A video page with its body (usually an embedded player).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoDetail {
    #[serde(flatten)]
    pub summary: VideoSummary,
    /// The page body as markdown (often an iframe).
    #[schema(example = "<iframe src=\"https://www.youtube.com/embed/Wj0od2ag5sk\"></iframe>")]
    pub markdown: String,
    /// `markdown` rendered to sanitized HTML.
    #[schema(example = "")]
    pub html: String,
    /// Frontmatter fields this API does not model, verbatim.
    #[schema(value_type = ExtraFields)]
    pub extra: Extra,
}

/// A question group as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionGroupSummary {
    #[schema(example = "backend")]
    pub id: String,
    #[schema(example = "questionGroup")]
    pub kind: Kind,
    #[schema(example = "JavaScript Questions")]
    pub title: String,
    #[schema(example = "Test, rate and improve your JavaScript knowledge with these questions.")]
    pub description: String,
    #[schema(example = "JavaScript")]
    pub brief_title: Option<String>,
    #[schema(example = "Test, Rate and Improve your JavaScript knowledge")]
    pub brief_description: Option<String>,
    #[schema(example = 1)]
    pub order: Option<f64>,
    #[schema(example = json!(["question-group"]))]
    pub tags: Vec<String>,
    #[schema(example = 30)]
    pub question_count: usize,
    #[schema(example = "/v1/question-groups/backend")]
    pub path: String,
}

/// One question with its answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// `<group id>#q-<n>`, numbered from 1 in group order (the id of its search hits).
    #[schema(example = "javascript#q-1")]
    pub id: String,
    #[schema(example = "question")]
    pub kind: Kind,
    #[schema(example = "What is the difference between var, let and const?")]
    pub question: String,
    /// The answer as markdown.
    #[schema(example = "In JavaScript, `var` is function-scoped ...")]
    pub answer: String,
    /// `answer` rendered to sanitized HTML.
    #[schema(example = "<p>In JavaScript, <code>var</code> is function-scoped ...</p>")]
    pub html: String,
    /// Topics the question is filed under (`beginner`, `intermediate`, ...).
    #[schema(example = json!(["Core", "Beginner"]))]
    pub topics: Vec<String>,
    /// The question's own URL (where its search hits point).
    #[schema(example = "/v1/question-groups/javascript/questions/q-1")]
    pub path: String,
    /// Id of the group the question belongs to.
    #[schema(example = "javascript")]
    pub group: String,
}

/// A question group with all its questions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionGroupDetail {
    #[serde(flatten)]
    pub summary: QuestionGroupSummary,
    pub seo: Option<Seo>,
    pub questions: Vec<Question>,
    /// Ids of roadmaps this group relates to.
    #[schema(example = json!(["javascript", "nodejs"]))]
    pub related_roadmaps: Vec<String>,
    /// Frontmatter fields this API does not model, verbatim.
    #[schema(value_type = ExtraFields)]
    pub extra: Extra,
}

/// Liveness answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Readiness answer: what is being served.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    #[schema(example = "ready")]
    pub status: String,
    /// Content version (hash of the files served).
    #[schema(example = "3f9a1c0b2d4e")]
    pub version: String,
    /// When the served content was published (RFC 3339).
    #[schema(example = "2025-07-01T10:00:00.000Z", format = DateTime)]
    pub published_at: String,
}
