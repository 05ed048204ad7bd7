#!/usr/bin/env python3
"""Hot-reload benchmark against a release server on loopback.

1. save-to-searchable: 50 edits of one topic file (each adds a new word); for each, the
   time from the write until /v1/search finds the word (debounce included): p50, p99.
2. reload work: the server's own `lastReloadMs` for those single-file edits, per corpus
   (content/, the 2025 sample, and a synthetic corpus ten times the sample's size from
   scripts/synth_corpus.py), plus the full load+index time at start-up.
3. memory: resident memory before and after 200 reloads.

    cargo build --release && bench/reload.py      # index on disk, as `serve` defaults to
    INDEX=memory bench/reload.py                   # index in RAM
"""
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/roadmap-api"
SAMPLE = ROOT.parent / "shared/samples/roadmapsh-2025/src/data"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.loads(r.read())


def rss_kb(pid) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return 0


def pick_topic(folder: pathlib.Path) -> pathlib.Path:
    files = sorted(folder.glob("roadmaps/*/content/**/*.md"))
    return files[len(files) // 2]


def with_word(text: str, word: str) -> str:
    """The topic with a new sentence after its heading (text after the resource list
    is not part of the topic's body)."""
    head, _, rest = text.partition("\n")
    return f"{head}\n\n{word} appears here.\n{rest}"


def percentile(values, p):
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def run(name, source, edits=50, reloads_for_memory=0):
    tmp = pathlib.Path(tempfile.mkdtemp())
    folder = tmp / "content"
    shutil.copytree(source, folder)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--content", str(folder), "--bind", f"127.0.0.1:{port}",
         "--index", os.environ.get("INDEX", str(tmp / "index"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    try:
        for _ in range(200):
            try:
                get(port, "/readyz")
                break
            except Exception:
                time.sleep(0.05)
        start = get(port, "/v1/status")
        topic = pick_topic(folder)
        original = topic.read_text(errors="replace")
        latencies, work = [], []
        time.sleep(0.5)
        for i in range(edits):
            word = f"zq{i}x{int(time.time() * 1000) % 100000}marker"
            t0 = time.perf_counter()
            topic.write_text(with_word(original, word))
            while True:
                hits = get(port, f"/v1/search?q={word}%20")["total"]
                if hits:
                    break
                if time.perf_counter() - t0 > 10:
                    raise SystemExit(f"{name}: edit {i} not searchable after 10 s")
                time.sleep(0.002)
            latencies.append((time.perf_counter() - t0) * 1000)
            work.append(get(port, "/v1/status")["reload"]["lastReloadMs"])
            time.sleep(0.1)
        print(f"{name}: {start['counts']['topics']} topics, {start['index']['documents']} documents, "
              f"start-up load+index {start['buildMs']} ms")
        print(f"  save-to-searchable over {edits} edits: p50 {statistics.median(latencies):.0f} ms, "
              f"p99 {percentile(latencies, 99):.0f} ms, max {max(latencies):.0f} ms")
        print(f"  reload work per single-file edit: p50 {statistics.median(work):.1f} ms, "
              f"p99 {percentile(work, 99):.1f} ms")
        if reloads_for_memory:
            before = rss_kb(server.pid)
            for i in range(reloads_for_memory):
                topic.write_text(with_word(original, f"mem{i}"))
                time.sleep(0.12)
            time.sleep(1.0)
            after = rss_kb(server.pid)
            status = get(port, "/v1/status")
            print(f"  memory over {reloads_for_memory} more reloads ({status['reload']['reloads']} in all): "
                  f"RSS {before} kB -> {after} kB")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not BIN.exists():
        raise SystemExit("build first: cargo build --release")
    run("content/", ROOT / "content")
    if SAMPLE.is_dir():
        run("2025 sample", SAMPLE, reloads_for_memory=200)
        synth = pathlib.Path(tempfile.mkdtemp()) / "synth"
        subprocess.run([sys.executable, str(ROOT / "scripts/synth_corpus.py"), str(SAMPLE), str(synth), "10"],
                       check=True, stdout=subprocess.DEVNULL)
        run("synthetic 10x sample", synth, edits=20)
        shutil.rmtree(synth.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
