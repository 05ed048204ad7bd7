#!/usr/bin/env python3
"""Writes a content folder holding one very big roadmap, to measure how loading scales
with a roadmap's size (README, Figures: robustness).

    scripts/big_roadmap.py <out dir> <topic nodes> [--layout 2025|2023] [--shape S] [--no-files]

2025 layout (`big.json` with nodes and edges): groups of one `topic` and five
`subtopic` nodes laid out as roadmap.sh draws them, in every way the loader has to
attach a subtopic to its topic: an edge to the topic, an edge to another subtopic
(a chain), stacked under an attached subtopic without an edge, inside a `section`
box linked to the topic, and placed only near the topic. Shapes:

  * `realistic` (default): the groups above, side by side in rows;
  * `chain`: one topic and every subtopic chained by edges listed from the far end,
    nodes listed far end first (the order the loader's attachment rules find worst);
  * `dense`: every subtopic drawn at one spot, all touching each other, none with an
    edge.

2023 layout (`big.json` with `mockup.controls.control`): controls named
`NNN-group:sub`, a group control and five subtopic controls per group, the text in
`content/NNN-group/NNN-sub.md` (or, with `--shape flat`, every control at the top and
every file in `content/`).

With `--no-files` no topic file is written (each topic is reported as missing its
file and served from the JSON alone). The output is deterministic.
"""

import argparse
import json
import pathlib
import shutil

GROUP = 6  # one topic and five subtopics


def node(nid, kind, label, x, y, w=260, h=49):
    return {
        "id": nid,
        "type": kind,
        "position": {"x": x, "y": y},
        "width": w,
        "height": h,
        "data": {"label": label},
    }


def edge(i, source, target):
    return {
        "id": f"e{i}",
        "source": source,
        "target": target,
    }


def graph_realistic(n):
    nodes, edges, files = [], [], []
    groups = max(1, n // GROUP)
    per_row = 8
    for g in range(groups):
        gx, gy = (g % per_row) * 1400.0, (g // per_row) * 600.0
        t = f"t{g}"
        nodes.append(node(t, "topic", f"Topic {g}", gx, gy))
        files.append((f"topic-{g}", t))
        subs = [f"s{g}-{k}" for k in range(5)]
        # a: edge to the topic; b: edge to a; c: stacked under b, no edge;
        # d: in a section box linked to the topic; e: near the topic only.
        nodes.append(node(subs[0], "subtopic", f"Sub {g} a", gx + 400, gy))
        nodes.append(node(subs[1], "subtopic", f"Sub {g} b", gx + 400, gy + 55))
        nodes.append(node(subs[2], "subtopic", f"Sub {g} c", gx + 400, gy + 110))
        box = f"box{g}"
        nodes.append(
            {
                "id": box,
                "type": "section",
                "position": {"x": gx - 350, "y": gy + 200},
                "width": 300,
                "height": 200,
                "data": {"label": ""},
            }
        )
        nodes.append(node(subs[3], "subtopic", f"Sub {g} d", gx - 330, gy + 220))
        nodes.append(node(subs[4], "subtopic", f"Sub {g} e", gx, gy + 100))
        nodes.append(
            {
                "id": f"p{g}",
                "type": "paragraph",
                "position": {"x": gx, "y": gy + 450},
                "width": 200,
                "height": 60,
                "data": {"label": f"Paragraph {g}"},
            }
        )
        edges.append(edge(len(edges), t, subs[0]))
        edges.append(edge(len(edges), subs[0], subs[1]))
        edges.append(edge(len(edges), t, box))
        if g:
            edges.append(edge(len(edges), f"t{g - 1}", t))
        for k, s in enumerate(subs):
            files.append((f"sub-{g}-{'abcde'[k]}", s))
    return nodes, edges, files


def graph_chain(n):
    nodes, edges, files = [], [], []
    nodes.append(node("t0", "topic", "Topic", 0, 0))
    files.append(("topic", "t0"))
    subs = [f"s{k}" for k in range(max(0, n - 1))]
    # Listed far end first: each subtopic can take its topic only from the one
    # listed after it.
    for k in reversed(range(len(subs))):
        nodes.append(node(subs[k], "subtopic", f"Sub {k}", 400 + 300 * (k % 50), 60 * (k // 50)))
        files.append((f"sub-{k}", subs[k]))
    for k in reversed(range(len(subs))):
        edges.append(edge(len(edges), subs[k], subs[k - 1] if k else "t0"))
    return nodes, edges, files


def graph_dense(n):
    nodes, files = [], []
    nodes.append(node("t0", "topic", "Topic", 0, 0))
    files.append(("topic", "t0"))
    for k in range(max(0, n - 1)):
        nodes.append(node(f"s{k}", "subtopic", f"Sub {k}", 400 + (k % 7), 10 + (k % 5)))
        files.append((f"sub-{k}", f"s{k}"))
    return nodes, [], files


def control(name, text, x, y):
    return {
        "ID": name,
        "typeID": "__group__",
        "x": str(x),
        "y": str(y),
        "properties": {"controlName": name},
        "children": {
            "controls": {
                "control": [
                    {"ID": "0", "typeID": "TextArea", "properties": {}},
                    {"ID": "1", "typeID": "Label", "properties": {"text": text}},
                ]
            }
        },
    }


def mockup(n, flat):
    controls, files = [], []
    groups = max(1, n // GROUP)
    for g in range(groups):
        num = 100 + g
        group = f"group-{g}"
        controls.append(control(f"{num}-{group}", f"Group {g}", g * 10, 0))
        if flat:
            files.append(f"{num}-{group}.md")
        else:
            files.append(f"{num}-{group}/index.md")
        for k in range(GROUP - 1):
            sub = f"sub-{g}-{k}"
            if flat:
                controls.append(control(f"{200 + k}-{sub}", f"Sub {g} {k}", g * 10, 60 * k))
                files.append(f"{200 + k}-{sub}.md")
            else:
                controls.append(control(f"{100 + k}-{group}:{sub}", f"Sub {g} {k}", g * 10, 60 * k))
                files.append(f"{num}-{group}/{100 + k}-{sub}.md")
    return {"mockup": {"controls": {"control": controls}, "measuredW": "2000", "measuredH": "9000"}}, files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("nodes", type=int)
    ap.add_argument("--layout", choices=["2025", "2023"], default="2025")
    ap.add_argument("--shape", choices=["realistic", "chain", "dense", "flat"], default="realistic")
    ap.add_argument("--no-files", action="store_true")
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    folder = out / "roadmaps" / "big"
    content = folder / "content"
    content.mkdir(parents=True)
    (folder / "big.md").write_text(
        "---\ntitle: 'Big'\ndescription: 'A generated roadmap'\norder: 1\n---\n"
    )
    if a.layout == "2025":
        shape = {"realistic": graph_realistic, "chain": graph_chain, "dense": graph_dense}
        if a.shape not in shape:
            ap.error(f"--shape {a.shape} is for --layout 2023")
        nodes, edges, files = shape[a.shape](a.nodes)
        doc = {"nodes": nodes, "edges": edges}
        if not a.no_files:
            for slug, nid in files:
                (content / f"{slug}@{nid}.md").write_text(
                    f"# {slug}\n\nText of {slug}.\n\n"
                    "Visit the following resources to learn more:\n\n"
                    f"- [@article@About {slug}](https://example.com/{slug})\n"
                )
    else:
        if a.shape not in ("realistic", "flat"):
            ap.error(f"--shape {a.shape} is for --layout 2025")
        doc, files = mockup(a.nodes, a.shape == "flat")
        if not a.no_files:
            for rel in files:
                p = content / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(f"# {p.stem}\n\nText of {p.stem}.\n")
    # Compact, so that 26,000 topics stay under the default 8 MiB JSON limit.
    text = json.dumps(doc, separators=(",", ":"))
    (folder / "big.json").write_text(text)
    topics = sum(1 for n in doc.get("nodes", []) if n["type"] in ("topic", "subtopic")) or len(
        doc.get("mockup", {}).get("controls", {}).get("control", [])
    )
    print(f"{out}: {topics} topics, big.json {len(text) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
