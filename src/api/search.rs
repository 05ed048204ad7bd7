//! Search endpoints: `/v1/search` (the search box), `/v1/suggest` (completions per
//! keystroke) and `/v1/lookup` (an IDE plugin's "what is this term?").
//!
//! Parameters are read from the raw query string rather than through serde, because
//! `type` and `roadmap` repeat (`?type=topic&type=guide`), which `serde_urlencoded`
//! cannot put in a `Vec`, and because a bad value must be a 400 naming the parameter.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::dto;
use super::error::{ApiError, BadRequest, NotFound};
use super::etag::RequestTag;
use super::{AppState, negotiate};
use crate::content::RoadmapKind;
use crate::search::{
    FacetCount, Facets, Highlight, Hit, Kind, RoadmapRef, SearchRequest, SearchResults,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/search", web::get().to(search))
        .route("/v1/suggest", web::get().to(suggest))
        .route("/v1/lookup", web::get().to(lookup));
}

/// OpenAPI paths and schemas of the search endpoints, merged into the main document by
/// [`super::openapi::openapi`].
#[derive(OpenApi)]
#[openapi(
    paths(search, suggest, lookup),
    components(schemas(
        SearchResults,
        Hit,
        Facets,
        FacetCount,
        Kind,
        RoadmapRef,
        Suggestions,
        Suggestion,
        Lookup
    ))
)]
pub struct SearchApi;

const MAX_SEARCH_LIMIT: usize = 100;
const DEFAULT_SEARCH_LIMIT: usize = 10;
const MAX_FACET_LIMIT: usize = 1000;
const MAX_SUGGEST_LIMIT: usize = 20;
const DEFAULT_SUGGEST_LIMIT: usize = 8;
/// Longest `q` accepted; a search box never sends more, a runaway client gets a 400.
const MAX_Q_CHARS: usize = 2_000;
/// Longest `highlightPre` / `highlightPost`.
const MAX_HIGHLIGHT_CHARS: usize = 100;

/// Query parameters of `/v1/search` (documentation; parsed by hand, see module docs).
/// The bounds declared here are the ones the parser enforces.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
#[allow(dead_code)]
struct SearchParams {
    /// What the person typed. The last word is matched as a prefix unless followed by
    /// a space; typos are tolerated (one from 5 letters, two from 9; a typo on the
    /// first letter counts as two); synonyms and abbreviations from the content's
    /// `synonyms.yaml` apply. Empty: no results.
    #[param(max_length = 2000, example = "kubernetes")]
    q: String,
    /// Only these kinds; repeat the parameter (`type=topic&type=guide`) or separate
    /// values by commas.
    #[param(style = Form, explode, example = json!(["topic"]))]
    r#type: Option<Vec<Kind>>,
    /// Only these roadmaps or best practices (ids); repeat the parameter or separate
    /// values by commas.
    #[param(style = Form, explode, example = json!(["backend-engineering"]))]
    roadmap: Option<Vec<String>>,
    /// Hits to return, 0 to 100 (default 10).
    #[param(minimum = 0, maximum = 100, default = 10, example = 10)]
    limit: Option<u32>,
    /// Hits to skip, up to 1,000,000.
    #[param(minimum = 0, maximum = 1_000_000, default = 0, example = 0)]
    offset: Option<u32>,
    /// HTML element that marks matched words in snippets (default `mark`); `none` for
    /// no marks. Only phrasing elements without behaviour of their own are accepted.
    #[param(
        pattern = r"^(mark|em|strong|b|i|u|s|span|code|ins|del|small|sub|sup|q|cite|dfn|abbr|kbd|samp|var|none|false)$",
        default = "mark",
        example = "mark"
    )]
    highlight: Option<String>,
    /// Put before each matched word instead of `highlight`'s tag: the opening tag of
    /// an element `highlight` accepts (`<em>`; its closing tag then follows the word
    /// whatever `highlightPost` is), or text without `< > & " ' \``.
    #[param(
        max_length = 100,
        pattern = r#"^(<(mark|em|strong|b|i|u|s|span|code|ins|del|small|sub|sup|q|cite|dfn|abbr|kbd|samp|var)>|[^<>&"'`]*)$"#,
        example = "<em>"
    )]
    highlight_pre: Option<String>,
    /// Put after each matched word: the closing tag of an element `highlight` accepts
    /// (`</em>`; its opening tag then precedes the word, inside `highlightPre`'s element
    /// if that names another), or text without `< > & " ' \``, placed after any
    /// closing tag.
    #[param(
        max_length = 100,
        pattern = r#"^(</(mark|em|strong|b|i|u|s|span|code|ins|del|small|sub|sup|q|cite|dfn|abbr|kbd|samp|var)>|[^<>&"'`]*)$"#,
        example = "</em>"
    )]
    highlight_post: Option<String>,
    /// Most values listed per facet, the most frequent first, 0 to 1000 (default 20);
    /// the values filtered on are listed too. `facets.roadmapValues` and
    /// `facets.kindValues` say how many have results.
    #[param(minimum = 0, maximum = 1000, default = 20, example = 20)]
    facet_limit: Option<u32>,
}

/// Query parameters of `/v1/suggest`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SuggestParams {
    /// What has been typed so far.
    #[param(max_length = 2000, example = "kube")]
    q: String,
    /// Completions to return, 1 to 20 (default 8).
    #[param(minimum = 1, maximum = 20, default = 8, example = 8)]
    limit: Option<u32>,
}

/// Query parameters of `/v1/lookup`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct LookupParams {
    /// The term to explain: at least one character that is not white space.
    #[param(min_length = 1, max_length = 2000, pattern = r"\S", example = "JWT")]
    term: String,
    /// Prefer this roadmap's topic when several roadmaps cover the term.
    #[param(example = "backend-engineering")]
    roadmap: Option<String>,
}

/// Completions for a search box.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
    /// Server-side time, in milliseconds (three decimals at most).
    #[schema(example = 0.042)]
    pub took_ms: f64,
}

/// One completion: a distinct title, where it stands first, and the same title in other
/// roadmaps.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    #[schema(example = "Kubernetes")]
    pub title: String,
    #[schema(example = "topic")]
    pub kind: Kind,
    /// Roadmap › group › title of the first document with this title.
    #[schema(example = json!(["DevOps Engineer", "Containers", "Kubernetes"]))]
    pub breadcrumbs: Vec<String>,
    #[schema(example = "/v1/roadmaps/devops/topics/kubernetes")]
    pub path: String,
    pub roadmap: Option<RoadmapRef>,
    /// Topics of the same title in other roadmaps and best practices.
    pub also_in: Vec<dto::AlsoIn>,
}

/// The roadmap-shaped collection an API path is in.
fn collection_of(path: &str) -> Option<RoadmapKind> {
    [RoadmapKind::Roadmap, RoadmapKind::BestPractice]
        .into_iter()
        .find(|&kind| path.starts_with(&format!("{}/", dto::collection_path(kind))))
}

/// The best topic for a term.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lookup {
    #[schema(example = "jwt")]
    pub term: String,
    #[schema(example = "jwt")]
    pub topic_id: String,
    #[schema(example = "JWT")]
    pub title: String,
    pub roadmap: RoadmapRef,
    #[schema(example = "/v1/roadmaps/backend-engineering/topics/jwt")]
    pub path: String,
    /// First paragraph, plain text (no markdown).
    #[schema(
        example = "JSON Web Token is an open standard for securely transmitting information between parties as a JSON object."
    )]
    pub summary: String,
    /// The topic's first resources.
    pub resources: Vec<dto::Resource>,
    /// The same topic in other roadmaps.
    pub also_in: Vec<dto::AlsoIn>,
}

/// All values of a query parameter, repeated or comma-separated.
fn values(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .map_err(|e| ApiError::invalid("query", format!("the query string is malformed: {e}")))
}

fn number(
    pairs: &[(String, String)],
    name: &str,
    min: usize,
    max: usize,
    default: usize,
) -> Result<usize, ApiError> {
    match single(pairs, name) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(ApiError::invalid(
                name,
                format!("{name} must be an integer from {min} to {max}, got `{raw}`"),
            )),
        },
    }
}

fn text_param<'a>(
    pairs: &'a [(String, String)],
    name: &str,
    required: bool,
) -> Result<Option<&'a str>, ApiError> {
    match single(pairs, name) {
        None if required => Err(ApiError::invalid(name, format!("{name} is required"))),
        None => Ok(None),
        Some(v) if v.chars().count() > MAX_Q_CHARS => Err(ApiError::invalid(
            name,
            format!("{name} must be at most {MAX_Q_CHARS} characters"),
        )),
        Some(v) => Ok(Some(v)),
    }
}

/// Elements that may mark matched words: phrasing elements with no behaviour of their
/// own. Anything else (`script`, `style`, `img`, `a`, `iframe`, a custom element a page
/// may have given behaviour) would let a crafted link run code in the page that shows
/// the snippet.
const HIGHLIGHT_ELEMENTS: [&str; 21] = [
    "mark", "em", "strong", "b", "i", "u", "s", "span", "code", "ins", "del", "small", "sub",
    "sup", "q", "cite", "dfn", "abbr", "kbd", "samp", "var",
];

/// What a `highlightPre` / `highlightPost` value is: a tag of an allowed element, or
/// inert text (no character that HTML gives a meaning to).
enum Marker<'a> {
    Element(&'a str),
    Text(&'a str),
}

fn marker<'a>(name: &str, value: &'a str, closing: bool) -> Result<Marker<'a>, ApiError> {
    if value.chars().count() > MAX_HIGHLIGHT_CHARS {
        return Err(ApiError::invalid(
            name,
            format!("{name} must be at most {MAX_HIGHLIGHT_CHARS} characters"),
        ));
    }
    let open = if closing { "</" } else { "<" };
    if let Some(element) = value
        .strip_prefix(open)
        .and_then(|rest| rest.strip_suffix('>'))
        .filter(|element| HIGHLIGHT_ELEMENTS.contains(element))
    {
        return Ok(Marker::Element(element));
    }
    if value.contains(['<', '>', '&', '"', '\'', '`']) {
        let tag = if closing { "</em>" } else { "<em>" };
        return Err(ApiError::invalid(
            name,
            format!(
                "{name} must be a tag such as `{tag}` of one of {}, or text without < > & \" ' `; got `{value}`",
                HIGHLIGHT_ELEMENTS.join(", ")
            ),
        ));
    }
    Ok(Marker::Text(value))
}

/// `highlight` names an element from [`HIGHLIGHT_ELEMENTS`]; `highlightPre` and
/// `highlightPost` are such an element's tag or inert text. Every element named is
/// both opened and closed around the word, so no combination of valid parameters is
/// refused (a client cannot know a cross-parameter rule from the document) and none
/// puts unbalanced or other markup into a snippet.
fn highlight(pairs: &[(String, String)]) -> Result<Highlight, ApiError> {
    let hl = match single(pairs, "highlight") {
        None => Highlight::default(),
        Some("none") | Some("false") => Highlight {
            pre: String::new(),
            post: String::new(),
        },
        Some(tag) if HIGHLIGHT_ELEMENTS.contains(&tag) => Highlight {
            pre: format!("<{tag}>"),
            post: format!("</{tag}>"),
        },
        Some(other) => {
            return Err(ApiError::invalid(
                "highlight",
                format!(
                    "highlight must be one of {} or `none`; got `{other}`",
                    HIGHLIGHT_ELEMENTS.join(", ")
                ),
            ));
        }
    };
    let pre = single(pairs, "highlightPre")
        .map(|v| marker("highlightPre", v, false))
        .transpose()?;
    let post = single(pairs, "highlightPost")
        .map(|v| marker("highlightPost", v, true))
        .transpose()?;
    if pre.is_none() && post.is_none() {
        return Ok(hl);
    }
    // Elements named by either marker wrap the word (the one from highlightPre
    // outside), text markers go outside them: every combination is balanced markup.
    let mut elements: Vec<&str> = Vec::new();
    let (mut before, mut after) = (String::new(), String::new());
    for marker in [&pre, &post].into_iter().flatten() {
        match marker {
            Marker::Element(e) if !elements.contains(e) => elements.push(e),
            Marker::Element(_) => {}
            Marker::Text(_) => {}
        }
    }
    if let Some(Marker::Text(t)) = &pre {
        before.push_str(t);
    }
    for e in &elements {
        before.push_str(&format!("<{e}>"));
    }
    for e in elements.iter().rev() {
        after.push_str(&format!("</{e}>"));
    }
    if let Some(Marker::Text(t)) = &post {
        after.push_str(t);
    }
    Ok(Highlight {
        pre: before,
        post: after,
    })
}

fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest, ApiError> {
    let q = text_param(pairs, "q", true)?
        .unwrap_or_default()
        .to_string();
    // Exactly the `Kind` enum of the document, an empty item included: a value the
    // document rejects must not be silently taken as something else (or as no filter).
    let mut kinds = Vec::new();
    for v in pairs
        .iter()
        .filter(|(k, _)| k == "type")
        .flat_map(|(_, v)| v.split(','))
    {
        match Kind::ALL.into_iter().find(|k| k.as_str() == v) {
            Some(k) => kinds.push(k),
            None => {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                return Err(ApiError::invalid(
                    "type",
                    format!("type must be one of {}; got `{v}`", names.join(", ")),
                ));
            }
        }
    }
    Ok(SearchRequest {
        q,
        kinds,
        roadmaps: values(pairs, "roadmap"),
        limit: number(pairs, "limit", 0, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT)?,
        offset: number(pairs, "offset", 0, 1_000_000, 0)?,
        highlight: highlight(pairs)?,
        facet_limit: number(
            pairs,
            "facetLimit",
            0,
            MAX_FACET_LIMIT,
            crate::search::DEFAULT_FACET_LIMIT,
        )?,
    })
}

/// Full-text search over everything served.
///
/// Hits carry a snippet with the matched words marked (also when they matched by
/// prefix, typo, stem or synonym), breadcrumbs, the roadmap and the API path; facets
/// count the results by kind and by roadmap (each ignoring its own filter).
#[utoipa::path(
    get,
    path = "/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Hits, facets and total", body = SearchResults),
        (status = 400, response = BadRequest),
    )
)]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = pairs(&req)?;
    let request = search_request(&pairs)?;
    let snapshot = state.store.current();
    let tag = RequestTag::new(&req, &snapshot.version);
    if let Some(not_modified) = tag.not_modified(&req) {
        return Ok(not_modified);
    }
    // The JSON is written on the search thread too: a page of hits with snippets and
    // every facet is a few kilobytes, and its serialization was a sixth of the
    // request's time on the HTTP worker. The buffer starts at the size of a typical
    // page, so that it is not regrown and copied a handful of times.
    let body = state
        .pool
        .run(move || -> Result<Vec<u8>, ApiError> {
            let mut results = snapshot
                .search
                .search(&request)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            results.version = snapshot.version.clone();
            results.took_ms = dto::millis(results.took_ms);
            let mut body = Vec::with_capacity(RESULTS_BUFFER);
            serde_json::to_writer(&mut body, &results)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(body)
        })
        .await??;
    let mut response = HttpResponse::Ok()
        .insert_header(actix_web::http::header::ContentType::json())
        .body(body);
    tag.set(&mut response);
    Ok(response)
}

/// Initial size of a search response's buffer: a page of ten hits with snippets and
/// facets on roadmap.sh is 4 to 12 KB.
const RESULTS_BUFFER: usize = 16 * 1024;

/// Completions for a search box: titles that what was typed begins (typo-tolerant),
/// one per distinct title, with where else the same title stands.
#[utoipa::path(
    get,
    path = "/v1/suggest",
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Completions, best first", body = Suggestions),
        (status = 400, response = BadRequest),
    )
)]
pub async fn suggest(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let started = std::time::Instant::now();
    let pairs = pairs(&req)?;
    let q = text_param(&pairs, "q", true)?.unwrap_or_default();
    let limit = number(&pairs, "limit", 1, MAX_SUGGEST_LIMIT, DEFAULT_SUGGEST_LIMIT)?;
    let snapshot = state.store.current();
    let tag = RequestTag::new(&req, &snapshot.version);
    if let Some(not_modified) = tag.not_modified(&req) {
        return Ok(not_modified);
    }
    let titles = state.titles.for_catalog(&snapshot.catalog);
    let work = Arc::clone(&snapshot);
    let typed = q.to_string();
    let items = state
        .pool
        .run(move || work.search.suggest(&typed, limit))
        .await?
        .into_iter()
        .map(|s| {
            let except = s
                .roadmap
                .as_ref()
                .and_then(|r| collection_of(&s.path).map(|kind| (kind, r.id.as_str())));
            Suggestion {
                also_in: titles.titled(&s.title, except),
                title: s.title,
                kind: s.kind,
                breadcrumbs: s.breadcrumbs,
                path: s.path,
                roadmap: s.roadmap,
            }
        })
        .collect();
    let mut response = HttpResponse::Ok().json(Suggestions {
        items,
        took_ms: dto::millis(started.elapsed().as_secs_f64() * 1000.0),
    });
    tag.set(&mut response);
    Ok(response)
}

/// The topic that explains a term, across all roadmaps: its title, a plain-text
/// summary, its first resources and the other roadmaps covering it. Answers
/// `text/markdown` or `text/plain` when the `Accept` header asks for them (editor
/// hovers, language-model tools).
#[utoipa::path(
    get,
    path = "/v1/lookup",
    tag = "search",
    params(LookupParams),
    responses(
        (status = 200, description = "The best topic for the term", content(
            (Lookup = "application/json"),
            (String = "text/markdown"),
            (String = "text/plain"),
        )),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    )
)]
pub async fn lookup(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = pairs(&req)?;
    let term = text_param(&pairs, "term", true)?.unwrap_or_default().trim();
    if term.is_empty() {
        return Err(ApiError::invalid("term", "term must not be empty"));
    }
    let prefer = single(&pairs, "roadmap");
    let snapshot = state.store.current();
    let work = Arc::clone(&snapshot);
    let (typed, preferred) = (term.to_string(), prefer.map(str::to_string));
    let hit = state
        .pool
        .run(move || work.search.lookup(&typed, preferred.as_deref()))
        .await?
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| ApiError::not_found("topic for term", term))?;
    let catalog = &snapshot.catalog;
    let roadmap = hit
        .roadmap
        .as_ref()
        .and_then(|r| {
            catalog
                .roadmaps
                .iter()
                .chain(catalog.best_practices.iter())
                .find(|x| x.id == r.id && hit.path.starts_with(dto::collection_path(x.kind)))
        })
        .ok_or_else(|| ApiError::not_found("topic for term", term))?;
    let topic = roadmap
        .topic_index
        .get(&*hit.id)
        .and_then(|&i| roadmap.topics.get(i))
        .ok_or_else(|| ApiError::not_found("topic for term", term))?;
    let titles = state.titles.for_catalog(catalog);
    let lookup = Lookup {
        term: term.to_string(),
        topic_id: topic.id.clone(),
        title: topic.title.clone(),
        roadmap: RoadmapRef {
            id: roadmap.id.clone(),
            title: roadmap.title.clone(),
        },
        path: dto::topic_path(roadmap.kind, &roadmap.id, &topic.id),
        summary: topic.summary.to_string(),
        resources: topic.resources.iter().take(5).map(Into::into).collect(),
        also_in: titles.elsewhere(roadmap, topic),
    };
    let mut response = respond(&req, &lookup);
    response
        .extensions_mut()
        .insert(super::http::Representations(negotiate::DOCUMENT_TYPES));
    Ok(response)
}

/// Renders the look-up as the `Accept` header asks: markdown or plain text for
/// editors and language-model tools, JSON otherwise.
fn respond(req: &HttpRequest, l: &Lookup) -> HttpResponse {
    if negotiate::wants(req, "text/markdown") {
        let mut out = format!("# {}\n\n{}\n", l.title, l.summary);
        if !l.resources.is_empty() {
            out.push('\n');
            for r in &l.resources {
                out.push_str(&format!("- [{}]({})\n", r.title, r.url));
            }
        }
        out.push_str(&format!("\n_{} › {}_\n", l.roadmap.title, l.title));
        return HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(out);
    }
    if negotiate::wants(req, "text/plain") {
        let mut out = format!("{}\n\n{}\n", l.title, l.summary);
        for r in &l.resources {
            out.push_str(&format!("\n{}: {}", r.title, r.url));
        }
        out.push('\n');
        return HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(out);
    }
    HttpResponse::Ok().json(l)
}
