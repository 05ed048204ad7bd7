//! Topics of a roadmap or best practice: the tree, the flat list and one topic with its
//! neighbourhood (breadcrumbs, previous/next, children, same topic elsewhere).

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::dto::{
    self, AlsoIn, Kind, TopicDetail, TopicListItem, TopicNode, TopicRef, TopicTree, TopicsResponse,
};
use super::error::ApiError;
use super::pagination::{Window, parse_bool};
use super::roadmaps;
use crate::content::{Catalog, Roadmap, RoadmapKind, Topic};

/// A topic tree deeper than this is malformed content; cutting it keeps a request from
/// recursing without bound.
const MAX_DEPTH: usize = 64;

/// `?flat=` of the topics endpoint.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicsParams {
    /// `true` for a paginated flat list in roadmap order instead of the tree.
    #[param(value_type = Option<bool>, default = false, example = true)]
    pub flat: Option<String>,
}

impl TopicsParams {
    pub fn flat(&self) -> Result<bool, ApiError> {
        parse_bool("flat", self.flat.as_deref())
    }
}

fn topic_ref(roadmap: &Roadmap, index: usize) -> Option<TopicRef> {
    roadmap.topics.get(index).map(|topic| TopicRef {
        id: topic.id.clone(),
        title: topic.title.clone(),
        path: dto::topic_path(roadmap.kind, &roadmap.id, &topic.id),
    })
}

fn node(roadmap: &Roadmap, index: usize, depth: usize) -> Option<TopicNode> {
    let topic = roadmap.topics.get(index)?;
    let children = if depth < MAX_DEPTH {
        topic
            .children
            .iter()
            .filter_map(|&child| node(roadmap, child, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    Some(TopicNode {
        id: topic.id.clone(),
        title: topic.title.clone(),
        path: dto::topic_path(roadmap.kind, &roadmap.id, &topic.id),
        children,
    })
}

fn list_item(roadmap: &Roadmap, topic: &Topic) -> TopicListItem {
    TopicListItem {
        id: topic.id.clone(),
        kind: Kind::Topic,
        source_id: topic.source_id.clone(),
        title: topic.title.clone(),
        path: dto::topic_path(roadmap.kind, &roadmap.id, &topic.id),
        parent_id: topic
            .parent
            .and_then(|parent| roadmap.topics.get(parent))
            .map(|parent| parent.id.clone()),
        depth: topic.depth,
        child_count: topic.children.len(),
    }
}

pub fn list(
    catalog: &Catalog,
    kind: RoadmapKind,
    id: &str,
    flat: bool,
    window: Window,
) -> Result<TopicsResponse, ApiError> {
    let roadmap = roadmaps::find(catalog, kind, id)?;
    if flat {
        return Ok(TopicsResponse::Flat(
            window.page(&roadmap.topics, |topic| list_item(roadmap, topic)),
        ));
    }
    Ok(TopicsResponse::Tree(TopicTree {
        roadmap_id: roadmap.id.clone(),
        total: roadmap.topics.len(),
        items: roadmap
            .roots
            .iter()
            .filter_map(|&root| node(roadmap, root, 0))
            .collect(),
    }))
}

/// Ancestors of a topic from the top down, not including the topic. Bounded by the
/// number of topics so that a parent cycle in bad content cannot loop.
fn ancestors(roadmap: &Roadmap, topic: &Topic) -> Vec<TopicRef> {
    let mut chain = Vec::new();
    let mut parent = topic.parent;
    while let Some(index) = parent {
        if chain.len() > roadmap.topics.len() {
            break;
        }
        let Some(reference) = topic_ref(roadmap, index) else {
            break;
        };
        chain.push(reference);
        parent = roadmap.topics.get(index).and_then(|topic| topic.parent);
    }
    chain.reverse();
    chain
}

pub fn detail(
    state: &AppState,
    catalog: &Arc<Catalog>,
    kind: RoadmapKind,
    id: &str,
    topic_id: &str,
) -> Result<TopicDetail, ApiError> {
    let roadmap = roadmaps::find(catalog, kind, id)?;
    let missing = || {
        ApiError::not_found_in(
            "topic",
            topic_id,
            format!("{} `{id}`", roadmaps::noun(kind)),
        )
    };
    let index = *roadmap.topic_index.get(topic_id).ok_or_else(missing)?;
    let topic = roadmap.topics.get(index).ok_or_else(missing)?;

    let mut breadcrumbs = vec![TopicRef {
        id: roadmap.id.clone(),
        title: roadmap.title.clone(),
        path: dto::roadmap_path(kind, &roadmap.id),
    }];
    breadcrumbs.extend(ancestors(roadmap, topic));

    let also_in = state.titles.for_catalog(catalog).elsewhere(roadmap, topic);

    Ok(TopicDetail {
        id: topic.id.clone(),
        kind: Kind::Topic,
        source_id: topic.source_id.clone(),
        roadmap_id: roadmap.id.clone(),
        roadmap_kind: dto::collection_kind(kind),
        title: topic.title.clone(),
        html: topic.html.to_string(),
        markdown: topic.markdown.to_string(),
        summary: topic.summary.to_string(),
        resources: topic.resources.iter().map(Into::into).collect(),
        breadcrumbs,
        parent: topic.parent.and_then(|parent| topic_ref(roadmap, parent)),
        previous: index
            .checked_sub(1)
            .and_then(|previous| topic_ref(roadmap, previous)),
        next: topic_ref(roadmap, index + 1),
        children: topic
            .children
            .iter()
            .filter_map(|&child| topic_ref(roadmap, child))
            .collect(),
        also_in,
        depth: topic.depth,
        path: dto::topic_path(kind, &roadmap.id, &topic.id),
    })
}

/// Where a topic sits in a catalog.
#[derive(Debug, Clone, Copy)]
struct Location {
    kind: RoadmapKind,
    roadmap: usize,
    topic: usize,
}

/// Topics by lower-cased title across all roadmaps and best practices, so that "also
/// in" is a map lookup instead of a scan of every topic on every request.
pub struct TitleIndex {
    catalog: Arc<Catalog>,
    by_title: HashMap<String, Vec<Location>>,
}

fn title_key(title: &str) -> String {
    title.trim().to_lowercase()
}

impl TitleIndex {
    fn build(catalog: Arc<Catalog>) -> TitleIndex {
        let mut by_title: HashMap<String, Vec<Location>> = HashMap::new();
        for kind in [RoadmapKind::Roadmap, RoadmapKind::BestPractice] {
            for (roadmap_index, roadmap) in roadmaps::collection(&catalog, kind).iter().enumerate()
            {
                for (topic_index, topic) in roadmap.topics.iter().enumerate() {
                    by_title
                        .entry(title_key(&topic.title))
                        .or_default()
                        .push(Location {
                            kind,
                            roadmap: roadmap_index,
                            topic: topic_index,
                        });
                }
            }
        }
        TitleIndex { catalog, by_title }
    }

    /// Topics titled like `topic` in other roadmaps (the topic's own roadmap excluded).
    pub fn elsewhere(&self, roadmap: &Roadmap, topic: &Topic) -> Vec<AlsoIn> {
        self.titled(&topic.title, Some((roadmap.kind, &roadmap.id)))
    }

    /// Topics titled `title` (case-insensitive), except in the roadmap `except`.
    pub fn titled(&self, title: &str, except: Option<(RoadmapKind, &str)>) -> Vec<AlsoIn> {
        let Some(locations) = self.by_title.get(&title_key(title)) else {
            return Vec::new();
        };
        locations
            .iter()
            .filter_map(|location| {
                let other =
                    roadmaps::collection(&self.catalog, location.kind).get(location.roadmap)?;
                if except.is_some_and(|(kind, id)| other.kind == kind && other.id == id) {
                    return None;
                }
                let other_topic = other.topics.get(location.topic)?;
                Some(AlsoIn {
                    roadmap_id: other.id.clone(),
                    roadmap_title: other.title.clone(),
                    roadmap_kind: dto::collection_kind(other.kind),
                    topic_id: other_topic.id.clone(),
                    path: dto::topic_path(other.kind, &other.id, &other_topic.id),
                })
            })
            .collect()
    }
}

/// The [`TitleIndex`] of the catalog currently served, built on first use after each
/// publication. Keyed by the catalog's `Arc` identity, so a reload is noticed without any
/// call from the reload path; the index holds that `Arc`, so the identity cannot be reused
/// by a later catalog while the index exists.
#[derive(Default)]
pub struct TitleIndexCache {
    current: ArcSwapOption<TitleIndex>,
}

impl TitleIndexCache {
    pub fn for_catalog(&self, catalog: &Arc<Catalog>) -> Arc<TitleIndex> {
        if let Some(index) = self.current.load_full()
            && Arc::ptr_eq(&index.catalog, catalog)
        {
            return index;
        }
        let index = Arc::new(TitleIndex::build(Arc::clone(catalog)));
        self.current.store(Some(Arc::clone(&index)));
        index
    }
}
