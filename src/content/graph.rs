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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::Value;

use super::paths::slugify;
use super::topics::dfs_order;

/// How far apart two boxes may be and still count as stacked.
const TOUCH_GAP: f64 = 12.0;

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
        const GAP: f64 = TOUCH_GAP;
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
    /// Topic and subtopic nodes past [`MAX_TOPICS`], left out.
    pub dropped_topics: usize,
}

/// The most topics one roadmap may have (both layouts). The biggest roadmap.sh
/// roadmap has about 300; 216,000 one-line nodes fit in the JSON size limit and took
/// 4 s and 420 MB to load, every reload.
pub const MAX_TOPICS: usize = 50_000;

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
    let mut topics = 0;
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
        if matches!(kind, NodeKind::Topic | NodeKind::Subtopic) {
            if topics == MAX_TOPICS {
                graph.dropped_topics += 1;
                continue;
            }
            topics += 1;
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
    /// Set when the positional rules (stacked boxes, enclosing boxes) stopped at
    /// [`MAX_BOX_PAIRS`]: the subtopics left were attached to the nearest topic.
    pub box_pairs_exhausted: bool,
}

/// How many pairs of boxes the positional rules may compare in one graph. Real
/// roadmaps compare a few per subtopic (a chart of 300 nodes: under 2,000); a graph
/// that draws thousands of subtopics on one spot would otherwise compare every pair.
pub const MAX_BOX_PAIRS: usize = 4_000_000;

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// Coordinates as the spatial indexes see them: clamped so that their squares and
/// areas stay finite. Clamping keeps order, so a box the exact test accepts is still
/// among an index's candidates; beyond the clamp positions are absurd anyway.
fn clamp(v: f64) -> f64 {
    const LIMIT: f64 = 1e150;
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-LIMIT, LIMIT)
    }
}

/// A node's box grown by `grow` on every side (a negative size counts from the
/// other edge), as an index envelope.
fn envelope(n: &Node, grow: f64) -> AABB<[f64; 2]> {
    let (x0, x1) = (n.x.min(n.x + n.width), n.x.max(n.x + n.width));
    let (y0, y1) = (n.y.min(n.y + n.height), n.y.max(n.y + n.height));
    AABB::from_corners(
        [clamp(x0 - grow), clamp(y0 - grow)],
        [clamp(x1 + grow), clamp(y1 + grow)],
    )
}

fn point((x, y): (f64, f64)) -> [f64; 2] {
    [clamp(x), clamp(y)]
}

type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;
type Placed = GeomWithData<[f64; 2], usize>;

/// Decides each subtopic's topic by the rules in the module documentation.
///
/// Every rule is an index look-up (edges by node, boxes and topic centres in
/// R-trees), so the work grows as n log n with the graph, not with its square: a
/// 10 MB roadmap of 26,000 nodes took 27 s when each rule scanned every node.
pub fn arrange(graph: &Graph) -> Arranged {
    let kind = |g: usize| graph.nodes[g].kind;
    let nodes: Vec<usize> = (0..graph.nodes.len())
        .filter(|&i| matches!(kind(i), NodeKind::Topic | NodeKind::Subtopic))
        .collect();
    let local: HashMap<usize, usize> = nodes.iter().enumerate().map(|(l, &g)| (g, l)).collect();
    // The other ends of each node's edges, in edge order (a self loop once).
    let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for &(s, t) in &graph.edges {
        adjacent[s].push(t);
        if s != t {
            adjacent[t].push(s);
        }
    }
    let linked = |g: usize, want: NodeKind| {
        adjacent[g]
            .iter()
            .copied()
            .filter(move |&o| kind(o) == want)
    };
    let mut budget = MAX_BOX_PAIRS;
    let mut exhausted = false;

    // parent_of[g] = topic node (global index) of subtopic g.
    let mut parent_of: Vec<Option<usize>> = vec![None; graph.nodes.len()];
    for &g in &nodes {
        if kind(g) == NodeKind::Subtopic {
            parent_of[g] = linked(g, NodeKind::Topic).next();
        }
    }

    // Subtopics whose boxes touch, each list in node order.
    let subtopics: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&g| kind(g) == NodeKind::Subtopic)
        .collect();
    let boxes: RTree<Boxed> = RTree::bulk_load(
        subtopics
            .iter()
            .map(|&g| GeomWithData::new(Rectangle::from_aabb(envelope(&graph.nodes[g], 0.0)), g))
            .collect(),
    );
    let mut touching: HashMap<usize, Vec<usize>> = HashMap::new();
    for &g in &subtopics {
        if exhausted {
            break;
        }
        // Twice the gap: the exact test below decides, this only must not miss.
        let around = envelope(&graph.nodes[g], 2.0 * TOUCH_GAP);
        let mut near = Vec::new();
        for b in boxes.locate_in_envelope_intersecting(&around) {
            if budget == 0 {
                exhausted = true;
                break;
            }
            budget -= 1;
            let s = b.data;
            if s != g && graph.nodes[g].touches(&graph.nodes[s]) {
                near.push(s);
            }
        }
        if !near.is_empty() {
            near.sort_unstable();
            touching.insert(g, near);
        }
    }

    // Through linked, then touching subtopics. The rule used to be applied in sweeps
    // over the nodes, repeated until nothing changed, each node taking the parent of
    // the first neighbour settled before it; a chain listed backwards took one sweep
    // per link. The same outcome comes from settling nodes in the order the sweeps
    // would (sweep, then position: a neighbour settled in sweep p at a later position
    // settles a node in sweep p, at an earlier one in sweep p + 1), as a shortest-path
    // search does.
    let mut settled: Vec<Option<(usize, usize)>> = vec![None; graph.nodes.len()];
    let mut queue: BinaryHeap<Reverse<((usize, usize), usize)>> = BinaryHeap::new();
    for &g in &subtopics {
        if parent_of[g].is_some() {
            queue.push(Reverse(((0, g), g)));
        }
    }
    let no_touch: Vec<usize> = Vec::new();
    while let Some(Reverse((time, g))) = queue.pop() {
        if settled[g].is_some() {
            continue;
        }
        settled[g] = Some(time);
        if parent_of[g].is_none() {
            let before = |s: usize| settled[s].is_some_and(|t| t < time);
            let near = touching.get(&g).unwrap_or(&no_touch);
            let from = linked(g, NodeKind::Subtopic)
                .find(|&s| before(s) && parent_of[s].is_some())
                .or_else(|| {
                    near.iter()
                        .copied()
                        .find(|&s| before(s) && parent_of[s].is_some())
                });
            parent_of[g] = from.and_then(|s| parent_of[s]);
        }
        let near = touching.get(&g).unwrap_or(&no_touch);
        for o in linked(g, NodeKind::Subtopic).chain(near.iter().copied()) {
            if settled[o].is_none() && parent_of[o].is_none() {
                let sweep = if o > time.1 {
                    time.0.max(1)
                } else {
                    time.0 + 1
                };
                queue.push(Reverse(((sweep, o), o)));
            }
        }
    }

    let containers: RTree<Boxed> = RTree::bulk_load(
        (0..graph.nodes.len())
            .filter(|&i| {
                kind(i) == NodeKind::Container
                    && graph.nodes[i].width > 0.0
                    && graph.nodes[i].height > 0.0
            })
            .map(|i| GeomWithData::new(Rectangle::from_aabb(envelope(&graph.nodes[i], 0.0)), i))
            .collect(),
    );
    let centres: RTree<Placed> = RTree::bulk_load(
        nodes
            .iter()
            .copied()
            .filter(|&g| kind(g) == NodeKind::Topic)
            .map(|g| GeomWithData::new(point(graph.nodes[g].centre()), g))
            .collect(),
    );
    // The topic whose centre is nearest, the first in node order among equals. The
    // index orders by squared distance on clamped coordinates; near ties are
    // collected and decided by the exact distance.
    let nearest_topic = |p: (f64, f64)| -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        let mut limit = None;
        for (t, d2) in centres
            .nearest_neighbor_iter_with_distance_2(&point(p))
            .take(64)
        {
            let limit = *limit.get_or_insert(d2 * (1.0 + 1e-9) + 1e-300);
            if d2 > limit {
                break;
            }
            let d = distance(graph.nodes[t.data].centre(), p);
            if best.is_none_or(|(bd, bt)| d.total_cmp(&bd).then(t.data.cmp(&bt)).is_lt()) {
                best = Some((d, t.data));
            }
        }
        best.map(|(_, t)| t)
    };
    for &g in &subtopics {
        if parent_of[g].is_some() {
            continue;
        }
        let centre = graph.nodes[g].centre();
        let mut container: Option<usize> = None;
        if !exhausted {
            for b in containers.locate_all_at_point(&point(centre)) {
                if budget == 0 {
                    exhausted = true;
                    container = None;
                    break;
                }
                budget -= 1;
                let c = b.data;
                if !graph.nodes[c].contains(centre) {
                    continue;
                }
                let area = |i: usize| graph.nodes[i].width * graph.nodes[i].height;
                if container.is_none_or(|k| area(c).total_cmp(&area(k)).then(c.cmp(&k)).is_lt()) {
                    container = Some(c);
                }
            }
        }
        parent_of[g] = match container {
            Some(c) => linked(c, NodeKind::Topic)
                .next()
                .or_else(|| nearest_topic(graph.nodes[c].centre())),
            None => nearest_topic(centre),
        };
    }
    let mut parents: Vec<Option<usize>> = nodes
        .iter()
        .map(|&g| parent_of[g].and_then(|t| local.get(&t).copied()))
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
        box_pairs_exhausted: exhausted,
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
