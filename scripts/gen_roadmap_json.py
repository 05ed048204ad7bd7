#!/usr/bin/env python3
"""Generate the 2025-style `<id>.json` files (nodes/edges) for the sample content.

The roadmaps in `content/roadmaps/` and the best practices in
`content/best-practices/` use the layout of roadmap.sh's own `src/data` folder
(2025 generation): a React Flow document with `title`, `topic`, `subtopic`,
`paragraph` and `button` nodes, and edges between them. This script keeps the
structure of each roadmap in one readable table (below) and derives the JSON
from it, so that adding a topic is a one-line change.

Node ids are 21-character, nanoid-like strings derived from a hash of
`<roadmap id>/<topic slug>`, so they are stable across runs: the content file of
a topic is `content/<slug>@<nodeId>.md` and never needs renaming.

Usage:
    python3 scripts/gen_roadmap_json.py            # write the JSON files
    python3 scripts/gen_roadmap_json.py --attach   # also rename content/<slug>.md
                                                   # drafts to <slug>@<nodeId>.md
    python3 scripts/gen_roadmap_json.py --check    # only verify files <-> nodes

Layout rules the loader relies on:
  * `topic` nodes are the groups, ordered by y then x;
  * a `subtopic` belongs to the topic it shares an edge with, or else to the
    nearest topic by centre distance. Entries marked with `~` below have no
    edge and are attached by position only.
"""

import base64
import hashlib
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "content")

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def node_id(scope: str, key: str) -> str:
    """A stable 21-char id in the nanoid alphabet."""
    digest = hashlib.sha256(f"{scope}/{key}".encode()).digest()
    return "".join(ALPHABET[b & 63] for b in digest[:21])


def slugify(label: str) -> str:
    """github-slugger, as roadmap.sh uses it: 'CI / CD' -> 'ci--cd', 'C#' -> 'c'."""
    s = label.strip().lower()
    s = re.sub(r"[^a-z0-9 _-]", "", s)
    return s.replace(" ", "-")


# ---------------------------------------------------------------------------
# Structure. Each group: (topic label, [subtopic labels]). A subtopic label
# starting with '~' has no edge to its topic (attached by position only); one
# starting with '=' gets a solid edge instead of a dashed one.
# ---------------------------------------------------------------------------

ROADMAPS = {
    "backend-engineering": {
        "title": "Backend Engineering",
        "intro": "Find the detailed guides and videos for these topics in the guides section",
        "groups": [
            ("Internet", ["How does the internet work?", "What is HTTP?", "HTTP/2", "DNS"]),
            ("Pick a Language", ["Node.js", "Go", "Python", "Java", "C# / .NET", "Rust"]),
            ("Git", []),
            ("Relational Databases", ["=PostgreSQL", "MySQL", "ORMs", "ACID", "Transactions", "N+1 Problem"]),
            ("NoSQL Databases", []),
            ("Scaling Databases", ["Database Indexes", "Database Sharding", "Database Replication", "CAP Theorem"]),
            ("Learn about APIs", ["=REST", "GraphQL", "gRPC", "WebSockets", "Server-Sent Events"]),
            ("Authentication", ["JWT", "OAuth 2.0", "Cookie Based Auth"]),
            ("Caching", ["Redis", "CDN"]),
            ("Web Security", ["HTTPS", "CORS", "OWASP Risks", "Password Hashing (bcrypt)", "Rate Limiting"]),
            ("Testing", ["Unit Testing", "Integration Testing"]),
            ("CI/CD", []),
            ("Docker", ["Kubernetes"]),
            ("Architectural Patterns", ["Monolithic Apps", "Microservices", "Serverless", "Twelve-Factor Apps"]),
            ("Message Brokers", ["Kafka", "RabbitMQ"]),
            ("Web Servers", []),
            ("Search Engines", []),
            ("Observability", []),
        ],
        "buttons": [
            ("Frontend Engineering", "https://roadmap.sh/frontend-engineering"),
            ("DevOps Engineering", "https://roadmap.sh/devops-engineering"),
        ],
    },
    "frontend-engineering": {
        "title": "Frontend Engineering",
        "intro": "Start with the fundamentals of the web platform before picking a framework",
        "groups": [
            ("HTML", ["=Semantic HTML"]),
            ("CSS", ["Flexbox", "CSS Grid", "Responsive Design"]),
            ("JavaScript", ["DOM Manipulation", "Fetch API", "ES Modules", "~Event Loop"]),
            ("Browser Rendering", ["Critical Rendering Path"]),
            ("Git", []),
            ("Package Managers", ["npm", "pnpm"]),
            ("Accessibility", ["~ARIA"]),
            ("TypeScript", []),
            ("Pick a Framework", ["React", "Vue.js", "Angular"]),
            ("Build Tools", ["Webpack", "~Vite"]),
            ("Testing", ["Jest", "Playwright"]),
            ("Web Performance", ["Core Web Vitals", "Lazy Loading"]),
            ("Progressive Web Apps", ["Service Workers"]),
        ],
        "buttons": [
            ("Backend Engineering", "https://roadmap.sh/backend-engineering"),
            ("DevOps Engineering", "https://roadmap.sh/devops-engineering"),
        ],
    },
    "devops-engineering": {
        "title": "DevOps Engineering",
        "intro": "Automate everything you do more than twice, and measure everything you ship",
        "groups": [
            ("Linux", ["Bash", "SSH"]),
            ("Networking", ["OSI Model", "DNS", "Load Balancing"]),
            ("Git", []),
            ("Web Servers", ["=Nginx"]),
            ("Cloud Providers", ["AWS", "Azure", "Google Cloud"]),
            ("Docker", []),
            ("Kubernetes", ["Helm", "Service Mesh"]),
            ("Infrastructure as Code", ["Terraform", "Ansible"]),
            ("CI/CD", ["GitHub Actions", "GitLab CI", "Jenkins"]),
            ("GitOps", []),
            ("Secrets Management", ["HashiCorp Vault"]),
            ("Monitoring", ["Prometheus", "Grafana"]),
            ("Logging", []),
        ],
        "buttons": [
            ("Backend Engineering", "https://roadmap.sh/backend-engineering"),
            ("Frontend Engineering", "https://roadmap.sh/frontend-engineering"),
        ],
    },
}

BEST_PRACTICES = {
    "api-design": {
        "title": "API Design Best Practices",
        "intro": "Tick off each practice as you apply it to your API",
        "groups": [
            ("Resource Modelling", ["Use Nouns for Resources", "Use HTTP Methods Correctly", "Return Meaningful Status Codes"]),
            ("Evolving Your API", ["Version Your API", "Paginate Large Collections", "Document with OpenAPI"]),
            ("Reliability", ["Make Writes Idempotent", "Use a Consistent Error Format", "Support Conditional Requests"]),
        ],
        "buttons": [
            ("Backend Engineering", "https://roadmap.sh/backend-engineering"),
        ],
    },
}

# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------

TOPIC_X = -160.0
TOPIC_W = 240
NODE_H = 49
ROW = 53  # vertical pitch of stacked subtopics
GAP = 90  # horizontal gap between a topic and its subtopics
TOPIC_STYLE = {"fontSize": 17, "justifyContent": "flex-start", "textAlign": "center"}


def text_width(label: str) -> int:
    return int(min(300, max(110, 9.5 * len(label) + 40)))


def base_node(nid, ntype, x, y, w, h, data, z=999):
    return {
        "width": w,
        "height": h,
        "id": nid,
        "type": ntype,
        "position": {"x": round(x, 3), "y": round(y, 3)},
        "selected": False,
        "data": data,
        "zIndex": z,
        "style": {"width": w, "height": h},
        "focusable": True,
        "positionAbsolute": {"x": round(x, 3), "y": round(y, 3)},
        "dragging": False,
        "resizing": False,
        "measured": {"width": w, "height": h},
    }


def edge(scope, source, s_handle, target, t_handle, style):
    dashed = style == "dashed"
    return {
        "style": {
            "strokeDasharray": "0.8 8" if dashed else "0",
            "strokeLinecap": "round",
            "strokeWidth": 3.5,
            "stroke": "#2b78e4",
        },
        "source": source,
        "sourceHandle": s_handle,
        "target": target,
        "targetHandle": t_handle,
        "data": {"edgeStyle": style},
        "id": node_id(scope + "#edge", f"{source}{s_handle}-{target}{t_handle}"),
        "selected": False,
        "type": "smoothstep" if not dashed else None,
        "focusable": True,
    }


def build(scope: str, spec: dict):
    nodes, edges, topics = [], [], []
    title_id = node_id(scope, "__title")
    nodes.append(
        base_node(title_id, "title", TOPIC_X + 20, -150, 200, 68,
                  {"label": spec["title"], "style": {"fontSize": 28, "justifyContent": "flex-start", "textAlign": "center"}})
    )
    nodes.append(
        base_node(node_id(scope, "__intro"), "paragraph", TOPIC_X + 360, -260, 300, 110,
                  {"label": spec["intro"], "style": {"fontSize": 17, "justifyContent": "flex-start", "textAlign": "left",
                                                      "borderColor": "#000000", "backgroundColor": "#ffffff"}})
    )
    y = 40.0
    prev = title_id
    for gi, (label, subs) in enumerate(spec["groups"]):
        slug = slugify(label)
        tid = node_id(scope, slug)
        n = len(subs)
        # Alternate sides; big groups are split over both sides.
        if n > 4:
            left, right = subs[: (n + 1) // 2], subs[(n + 1) // 2:]
        elif gi % 2 == 0:
            left, right = subs, []
        else:
            left, right = [], subs
        block = max(NODE_H, max(len(left), len(right)) * ROW)
        ty = y + block / 2 - NODE_H / 2
        nodes.append(base_node(tid, "topic", TOPIC_X, ty, TOPIC_W, NODE_H,
                               {"label": label, "style": dict(TOPIC_STYLE)}))
        topics.append(slug)
        edges.append(edge(scope, prev, "x2", tid, "w1", "solid"))
        prev = tid
        for side, items in (("left", left), ("right", right)):
            top = ty + NODE_H / 2 - len(items) * ROW / 2
            for k, raw in enumerate(items):
                mode = "dashed"
                if raw[0] in "~=":
                    mode = {"~": None, "=": "solid"}[raw[0]]
                    raw = raw[1:]
                sslug = slugify(raw)
                sid = node_id(scope, sslug)
                w = text_width(raw)
                sx = TOPIC_X - GAP - w if side == "left" else TOPIC_X + TOPIC_W + GAP
                sy = top + k * ROW + 2
                nodes.append(base_node(sid, "subtopic", sx, sy, w, NODE_H,
                                       {"label": raw, "style": dict(TOPIC_STYLE)}))
                if mode:
                    if side == "left":
                        edges.append(edge(scope, tid, "y2", sid, "z1", mode))
                    else:
                        edges.append(edge(scope, tid, "z2", sid, "y1", mode))
        y += block + 80
    # Closing paragraph and the related-roadmap buttons.
    pid = node_id(scope, "__outro")
    nodes.append(base_node(pid, "paragraph", TOPIC_X - 80, y + 20, 400, 90,
                           {"label": "Keep learning: have a look at the related roadmaps",
                            "style": {"fontSize": 17, "justifyContent": "flex-start", "textAlign": "center",
                                      "borderColor": "#000000", "backgroundColor": "#ffffff"}}))
    edges.append(edge(scope, prev, "x2", pid, "w1", "solid"))
    by = y + 60
    for label, href in spec["buttons"]:
        nodes.append(base_node(node_id(scope, "__button/" + label), "button", TOPIC_X - 60, by, 360, NODE_H,
                               {"label": label, "href": href, "color": "#ffffff", "backgroundColor": "#4136d4",
                                "style": {"fontSize": 17}}))
        by += 60
    for e in edges:
        if e["type"] is None:
            del e["type"]
    return {"nodes": nodes, "edges": edges}, by + 80


def content_ids(doc):
    return {n["id"]: n["data"]["label"] for n in doc["nodes"] if n["type"] in ("topic", "subtopic")}


def process(kind: str, scope: str, spec: dict, mode: str) -> int:
    folder = os.path.join(ROOT, kind, scope)
    cdir = os.path.join(folder, "content")
    doc, height = build(scope, spec)
    problems = 0
    if mode != "check":
        os.makedirs(cdir, exist_ok=True)
        with open(os.path.join(folder, f"{scope}.json"), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    ids = content_ids(doc)
    files = os.listdir(cdir) if os.path.isdir(cdir) else []
    for nid, label in ids.items():
        slug = slugify(label)
        want = f"{slug}@{nid}.md"
        if mode == "attach" and want not in files and f"{slug}.md" in files:
            os.rename(os.path.join(cdir, f"{slug}.md"), os.path.join(cdir, want))
            files.append(want)
            files.remove(f"{slug}.md")
        matches = [f for f in files if f.endswith(f"@{nid}.md")]
        if matches != [want]:
            print(f"{kind}/{scope}: node {nid} ({label!r}) expects {want}, found {matches}")
            problems += 1
    for f in files:
        if "@" not in f or f.rsplit("@", 1)[1][:-3] not in ids:
            print(f"{kind}/{scope}: file {f} has no node")
            problems += 1
    print(f"{kind}/{scope}: {len(ids)} topics, height {height:.0f}")
    return problems


def main():
    mode = "write"
    if "--check" in sys.argv:
        mode = "check"
    elif "--attach" in sys.argv:
        mode = "attach"
    problems = 0
    for rid, spec in ROADMAPS.items():
        problems += process("roadmaps", rid, spec, mode)
    for bid, spec in BEST_PRACTICES.items():
        problems += process("best-practices", bid, spec, mode)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
