#!/usr/bin/env python3
"""Builds a synthetic content folder N times the size of a roadmap.sh `src/data`: every
roadmap, best practice, guide and video copied N times under new ids, with a word of
each copy's number in its text so the copies are not identical documents.

    scripts/synth_corpus.py <src/data> <out dir> [N, default 10]
"""
import pathlib
import shutil
import sys


def main() -> None:
    src = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for kind in ("roadmaps", "best-practices", "question-groups"):
        for folder in sorted((src / kind).glob("*")) if (src / kind).is_dir() else []:
            for i in range(1, n + 1):
                new_id = f"{folder.name}-copy{i}"
                target = out / kind / new_id
                shutil.copytree(folder, target)
                for f in target.glob(f"{folder.name}.*"):
                    f.rename(target / f"{new_id}{f.suffix}")
                for md in target.rglob("*.md"):
                    text = md.read_text(errors="replace")
                    md.write_text(text + f"\n\nCopy number copy{i}.\n")
    for kind in ("guides", "videos"):
        for f in sorted((src / kind).glob("*.md")) if (src / kind).is_dir() else []:
            for i in range(1, n + 1):
                target = out / kind / f"{f.stem}-copy{i}.md"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f.read_text(errors="replace") + f"\n\nCopy copy{i}.\n")
    print(f"wrote {sum(1 for _ in out.rglob('*') if _.is_file())} files to {out}")


if __name__ == "__main__":
    main()
