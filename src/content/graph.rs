//! The 2025 layout: a React Flow graph (`{"nodes": [...], "edges": [...]}`) whose
//! `topic` and `subtopic` nodes are the topics, with text in
//! `content/<slug>@<nodeId>.md`.
//!
//! The graph has no explicit tree: nesting is drawn, not declared. Many subtopics
//! (61 of 116 in the backend roadmap) have no edge at all and are only placed next
//! to their topic, often inside a section or paragraph box. The parent of a
//! subtopic is therefore decided by, in turn: an edge to a topic; an edge to a
//! subtopic that has a parent (its parent is shared); the box it sits in (the topic
//! linked to that box, else the topic nearest to the box); the nearest topic.
//! Boxes come before plain distance because a list of subtopics in a box is often
//! nearer to some unrelated topic than to its own.

use std::collections::HashMap;

use serde_json::Value;

use super::paths::slugify;
use super::topics::dfs_order;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Topic,
    Subtopic,
    /// `section` and `paragraph` nodes: boxes that visually group subtopics.
    Container,
    Other,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Node {
    fn centre(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Whether two boxes touch: side by side or stacked with at most a small gap and
    /// overlapping along the other axis. Roadmap charts stack the subtopics of one
    /// topic this way, often with an edge to only one of them.
    fn touches(&self, other: &Node) -> bool {
        const GAP: f64 = 12.0;
        let overlap_x = self.x < other.x + other.width && other.x < self.x + self.width;
        let overlap_y = self.y < other.y + other.height && other.y < self.y + self.height;
        let gap_x = (other.x - (self.x + self.width)).max(self.x - (other.x + other.width));
        let gap_y = (other.y - (self.y + self.height)).max(self.y - (other.y + other.height));
        (overlap_x && gap_y <= GAP) || (overlap_y && gap_x <= GAP)
    }

    fn contains(&self, (x, y): (f64, f64)) -> bool {
        self.width > 0.0
            && self.height > 0.0
            && x >= self.x
            && x <= self.x + self.width
            && y >= self.y
            && y <= self.y + self.height
    }
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// Edges with both ends present, as node indexes.
    pub edges: Vec<(usize, usize)>,
    /// Edges that lack a source or target, or point at unknown nodes.
    pub skipped_edges: usize,
}

/// Why a graph JSON could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GraphError(pub String);

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(|v| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
    .filter(|f| f.is_finite())
}

fn size(node: &Value, key: &str) -> f64 {
    num(node.get(key))
        .or_else(|| num(node.get("measured").and_then(|m| m.get(key))))
        .or_else(|| num(node.get("style").and_then(|m| m.get(key))))
        .or_else(|| {
            num(node
                .get("data")
                .and_then(|d| d.get("style"))
                .and_then(|m| m.get(key)))
        })
        .unwrap_or(0.0)
}

pub fn parse(json: &Value) -> Result<Graph, GraphError> {
    let nodes = json
        .get("nodes")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError("no `nodes` list".to_string()))?;
    let mut graph = Graph::default();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for node in nodes {
        let Some(id) = node.get("id").and_then(Value::as_str) else {
            continue;
        };
        let kind = match node.get("type").and_then(Value::as_str) {
            Some("topic") => NodeKind::Topic,
            Some("subtopic") => NodeKind::Subtopic,
            Some("section" | "paragraph") => NodeKind::Container,
            _ => NodeKind::Other,
        };
        // Absolute position when the node is nested in a parent node.
        let pos = node
            .get("positionAbsolute")
            .filter(|p| p.is_object())
            .or_else(|| node.get("position"));
        let label = node
            .get("data")
            .and_then(|d| d.get("label"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if by_id.contains_key(id) {
            continue;
        }
        by_id.insert(id, graph.nodes.len());
        graph.nodes.push(Node {
            id: id.to_string(),
            kind,
            label,
            x: num(pos.and_then(|p| p.get("x"))).unwrap_or(0.0),
            y: num(pos.and_then(|p| p.get("y"))).unwrap_or(0.0),
            width: size(node, "width"),
            height: size(node, "height"),
        });
    }
    for edge in json
        .get("edges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let end = |key| {
            edge.get(key)
                .and_then(Value::as_str)
                .and_then(|id| by_id.get(id).copied())
        };
        match (end("source"), end("target")) {
            (Some(s), Some(t)) => graph.edges.push((s, t)),
            _ => graph.skipped_edges += 1,
        }
    }
    Ok(graph)
}

/// Topic nodes in the order the tree will use, with parents (indexes into the
/// returned list) and the depth-first order.
#[derive(Debug, Clone)]
pub struct Arranged {
    /// Indexes into `graph.nodes` of the topic and subtopic nodes.
    pub nodes: Vec<usize>,
    pub parents: Vec<Option<usize>>,
    pub order: Vec<usize>,
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

pub fn arrange(graph: &Graph) -> Arranged {
    let nodes: Vec<usize> = (0..graph.nodes.len())
        .filter(|&i| matches!(graph.nodes[i].kind, NodeKind::Topic | NodeKind::Subtopic))
        .collect();
    let local: HashMap<usize, usize> = nodes.iter().enumerate().map(|(l, &g)| (g, l)).collect();
    let topics: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&g| graph.nodes[g].kind == NodeKind::Topic)
        .collect();
    let kind = |g: usize| graph.nodes[g].kind;
    let linked = |g: usize, want: NodeKind| -> Vec<usize> {
        graph
            .edges
            .iter()
            .filter_map(|&(s, t)| {
                if s == g && kind(t) == want {
                    Some(t)
                } else if t == g && kind(s) == want {
                    Some(s)
                } else {
                    None
                }
            })
            .collect()
    };
    let nearest_topic = |p: (f64, f64)| -> Option<usize> {
        topics.iter().copied().min_by(|&a, &b| {
            distance(graph.nodes[a].centre(), p).total_cmp(&distance(graph.nodes[b].centre(), p))
        })
    };

    // parent_of[g] = topic node (global index) of subtopic g.
    let mut parent_of: HashMap<usize, usize> = HashMap::new();
    for &g in &nodes {
        if kind(g) == NodeKind::Subtopic
            && let Some(&t) = linked(g, NodeKind::Topic).first()
        {
            parent_of.insert(g, t);
        }
    }
    // Through linked subtopics, repeated so that chains resolve.
    loop {
        let mut changed = false;
        for &g in &nodes {
            if kind(g) != NodeKind::Subtopic || parent_of.contains_key(&g) {
                continue;
            }
            let stacked = || {
                nodes.iter().copied().find_map(|s| {
                    (s != g
                        && kind(s) == NodeKind::Subtopic
                        && graph.nodes[g].touches(&graph.nodes[s]))
                    .then(|| parent_of.get(&s).copied())
                    .flatten()
                })
            };
            if let Some(t) = linked(g, NodeKind::Subtopic)
                .into_iter()
                .find_map(|s| parent_of.get(&s).copied())
                .or_else(stacked)
            {
                parent_of.insert(g, t);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for &g in &nodes {
        if kind(g) != NodeKind::Subtopic || parent_of.contains_key(&g) {
            continue;
        }
        let centre = graph.nodes[g].centre();
        let container = graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NodeKind::Container && n.contains(centre))
            .min_by(|(_, a), (_, b)| (a.width * a.height).total_cmp(&(b.width * b.height)))
            .map(|(i, _)| i);
        let topic = match container {
            Some(c) => linked(c, NodeKind::Topic)
                .first()
                .copied()
                .or_else(|| nearest_topic(graph.nodes[c].centre())),
            None => nearest_topic(centre),
        };
        if let Some(t) = topic {
            parent_of.insert(g, t);
        }
    }
    let mut parents: Vec<Option<usize>> = nodes
        .iter()
        .map(|g| parent_of.get(g).and_then(|t| local.get(t).copied()))
        .collect();
    let order = dfs_order(&mut parents, |a, b| {
        let (na, nb) = (&graph.nodes[nodes[a]], &graph.nodes[nodes[b]]);
        na.y.total_cmp(&nb.y)
            .then(na.x.total_cmp(&nb.x))
            .then(na.id.cmp(&nb.id))
    });
    Arranged {
        nodes,
        parents,
        order,
    }
}

/// The readable id for a node without a file: its label as a slug, else its id.
pub fn fallback_slug(node: &Node) -> String {
    let s = slugify(&node.label);
    if s.is_empty() { node.id.clone() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(id: &str, kind: &str, x: f64, y: f64) -> Value {
        json!({"id": id, "type": kind, "position": {"x": x, "y": y},
               "width": 100, "height": 40, "data": {"label": id.to_uppercase()}})
    }

    #[test]
    fn nesting_rules() {
        let j = json!({
            "nodes": [
                node("t1", "topic", 0.0, 0.0),
                node("t2", "topic", 0.0, 500.0),
                node("s1", "subtopic", 300.0, 10.0),   // edge to t2 despite being near t1
                node("s2", "subtopic", 300.0, 60.0),   // edge to s1 only
                node("s3", "subtopic", -300.0, 20.0),  // nearest: t1
                {"id": "box", "type": "section", "position": {"x": 500.0, "y": 0.0},
                 "width": 200, "height": 200, "data": {}},
                node("s4", "subtopic", 550.0, 50.0),   // in box linked to t2
                node("p", "paragraph", 0.0, 0.0),
            ],
            "edges": [
                {"source": "s1", "target": "t2"},
                {"source": "s2", "target": "s1"},
                {"source": "t2", "target": "box"},
                {"target": "t1"},
                {"source": "t1", "target": "nope"}
            ]
        });
        let g = parse(&j).expect("graph");
        assert_eq!(g.skipped_edges, 2);
        let a = arrange(&g);
        let label = |l: usize| g.nodes[a.nodes[l]].id.as_str();
        let ordered: Vec<&str> = a.order.iter().map(|&l| label(l)).collect();
        assert_eq!(ordered, ["t1", "s3", "t2", "s1", "s4", "s2"]);
        let parent = |id: &str| {
            let l = (0..a.nodes.len()).find(|&l| label(l) == id).expect("node");
            a.parents[l].map(label)
        };
        assert_eq!(parent("s1"), Some("t2"));
        assert_eq!(parent("s2"), Some("t2"));
        assert_eq!(parent("s3"), Some("t1"));
        assert_eq!(parent("s4"), Some("t2"));
        assert_eq!(parent("t1"), None);
    }

    #[test]
    fn a_stack_of_subtopics_follows_the_one_with_an_edge() {
        // Three subtopics stacked under t1 (40 high, 5 apart); only the top one has an
        // edge. The bottom one is nearer to t2 but belongs to the stack.
        let j = json!({
            "nodes": [
                node("t1", "topic", 0.0, 0.0),
                node("t2", "topic", 0.0, 200.0),
                node("a", "subtopic", 0.0, 60.0),
                node("b", "subtopic", 0.0, 105.0),
                node("c", "subtopic", 0.0, 150.0),
            ],
            "edges": [{"source": "t1", "target": "a"}]
        });
        let g = parse(&j).expect("graph");
        let a = arrange(&g);
        let label = |l: usize| g.nodes[a.nodes[l]].id.as_str();
        let parent = |id: &str| {
            let l = (0..a.nodes.len()).find(|&l| label(l) == id).expect("node");
            a.parents[l].map(label)
        };
        assert_eq!(parent("b"), Some("t1"));
        assert_eq!(parent("c"), Some("t1"));
    }
}
