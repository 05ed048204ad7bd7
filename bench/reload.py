#!/usr/bin/env python3
"""Hot-reload benchmark against a release server on loopback, on the whole roadmap.sh
content (`../shared/corpus/roadmapsh-2025.tar.gz`, or $ROADMAPSH_CORPUS) and, with
SCALE=3, on a synthetic corpus three times its size (scripts/synth_corpus.py).

Phases (each figure is printed with its phase name):
1. start-up: time to a 200 from /readyz with a fresh index, then again after a restart
   that reuses the persisted index.
2. single edits: EDITS (default 30) edits, each of another topic file spread over the
   roadmaps; for each, the time from the write until /v1/search finds the new word
   (debounce included), and the server's own `lastReloadMs` (the reload work).
3. steady change: 5 edits per second for STEADY_S seconds (default 60), to the files phase 2
   saw served: how long until
   every edit is searchable (p50, p99, max) and how many reloads published.
4. checkout: 500 topic files rewritten at once: publications and time until the last
   edited word is searchable.
5. memory: RSS after start-up and after MEMORY_RELOADS (default 500) more reloads.
6. restart: ten edits right after a restart, while the restored content is checked.

Phases 2-5 begin once the restarted server's start-up work is done (no CPU used for
half a second).

    cargo build --release && python3 bench/reload.py
    SCALE=3 python3 bench/reload.py
    INDEX=memory python3 bench/reload.py     # index in RAM instead of on disk
"""
import json
import os
import pathlib
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/roadmap-api"
CORPUS = pathlib.Path(os.environ.get(
    "ROADMAPSH_CORPUS", ROOT.parent / "shared/corpus/roadmapsh-2025.tar.gz"))


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(port, path, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return json.loads(r.read())


def ready(port) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
        return True
    except Exception:
        return False


def rss_mb(pid) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values, p):
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def word(n: int, tag: str) -> str:
    """A word no content has: letters only, so that no analyzer splits it, and ten
    random ones, so that no two words are within the search's typo tolerance of each
    other (`qxseazv` would find `qxsebzv` and the edit would look searchable at once)."""
    rng = random.Random(f"{tag}-{n}")
    return "qx" + tag + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))


def with_word(text: str, w: str) -> str:
    head, _, rest = text.partition("\n")
    return f"{head}\n\n{w} appears here.\n{rest}"


def topics(folder: pathlib.Path):
    return sorted(p for p in folder.glob("roadmaps/*/content/**/*.md") if p.is_file())


def spread(files, n):
    step = max(1, len(files) // n)
    return files[::step][:n]


def searchable(port, w) -> bool:
    return get(port, f"/v1/search?q={w}")["total"] > 0


class Server:
    def __init__(self, folder, index):
        self.port = free_port()
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--content", str(folder), "--bind", f"127.0.0.1:{self.port}",
             "--index", index],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": "warn"})
        while not ready(self.port):
            if self.proc.poll() is not None:
                raise SystemExit("server exited")
            time.sleep(0.005)
        self.startup_ms = (time.perf_counter() - started) * 1000

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def cpu_ticks(pid) -> int:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_idle(pid, limit_s=15.0):
    """Until the server's start-up work is done (after a restart from the saved state,
    the check of the restored content against its files runs in the background): no
    CPU time used for half a second. Returns the seconds waited."""
    t0 = time.perf_counter()
    last, quiet = cpu_ticks(pid), 0
    while quiet < 5 and time.perf_counter() - t0 < limit_s:
        time.sleep(0.1)
        now = cpu_ticks(pid)
        quiet = quiet + 1 if now - last <= 1 else 0
        last = now
    return time.perf_counter() - t0


def reloads(port) -> int:
    return get(port, "/v1/status")["reload"]["reloads"]


def single_edits(port, files, n, tag="se"):
    """Edits of `n` topic files spread over the roadmaps. A file no roadmap's chart
    names serves nothing, so its edit publishes nothing: it is restored, counted
    apart and replaced by the next file. Returns the files whose edits were served."""
    latencies, work, served, unserved = [], [], [], 0
    candidates = spread(files, n * 2)
    for i, f in enumerate(candidates):
        if len(served) == n:
            break
        original = f.read_text(errors="replace")
        w = word(i, tag)
        before = reloads(port)
        t0 = time.perf_counter()
        f.write_text(with_word(original, w))
        while not searchable(port, w):
            waited = time.perf_counter() - t0
            if waited > 3 and reloads(port) == before:
                break
            if waited > 10:
                raise SystemExit(f"edit {i} not searchable after 10 s")
            time.sleep(0.001)
        else:
            latencies.append((time.perf_counter() - t0) * 1000)
            served.append(f)
            time.sleep(0.05)
            work.append(get(port, "/v1/status")["reload"]["lastReloadMs"])
            continue
        f.write_text(original)
        unserved += 1
    return latencies, work, served, unserved


def steady(port, files, seconds, rate=5):
    """Edits at `rate` per second from one thread; another polls each pending word
    until it is searchable."""
    rng = random.Random(7)
    pending = {}
    seen = []
    lock = threading.Lock()
    done = threading.Event()

    def watcher():
        while not done.is_set() or pending:
            with lock:
                items = list(pending.items())
            for w, t0 in items:
                if searchable(port, w):
                    with lock:
                        pending.pop(w, None)
                    seen.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.005)
            if done.is_set() and time.perf_counter() - done_at[0] > 10:
                break

    done_at = [0.0]
    before = reloads(port)
    t = threading.Thread(target=watcher)
    t.start()
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        f = rng.choice(files)
        w = word(n, "st")
        text = f.read_text(errors="replace")
        f.write_text(with_word(text, w))
        with lock:
            pending[w] = time.perf_counter()
        n += 1
        time.sleep(max(0.0, start + n / rate - time.perf_counter()))
    done_at[0] = time.perf_counter()
    done.set()
    t.join()
    return n, seen, len(pending), reloads(port) - before


def checkout(port, files, served_file, count=500):
    # The last file written is one whose edit is known to be served: its word
    # being searchable means the whole checkout is.
    chosen = [f for f in spread(files, count) if f != served_file][: count - 1] + [served_file]
    before = reloads(port)
    last = word(len(chosen) - 1, "co")
    t0 = time.perf_counter()
    for i, f in enumerate(chosen):
        f.write_text(with_word(f.read_text(errors="replace"), word(i, "co")))
    while not searchable(port, last):
        if time.perf_counter() - t0 > 30:
            raise SystemExit("checkout not searchable after 30 s")
        time.sleep(0.002)
    took = (time.perf_counter() - t0) * 1000
    time.sleep(1.5)
    return len(chosen), took, reloads(port) - before


def memory(port, pid, files, count):
    before = rss_mb(pid)
    f = files[0]
    original = f.read_text(errors="replace")
    for i in range(count):
        start = reloads(port)
        f.write_text(with_word(original, word(i, "me")))
        t0 = time.perf_counter()
        while reloads(port) == start and time.perf_counter() - t0 < 5:
            time.sleep(0.002)
    time.sleep(1.0)
    return before, rss_mb(pid)


def main():
    if not BIN.exists():
        raise SystemExit("build first: cargo build --release")
    scale = int(os.environ.get("SCALE", "1"))
    edits = int(os.environ.get("EDITS", "30"))
    steady_s = float(os.environ.get("STEADY_S", "60"))
    memory_reloads = int(os.environ.get("MEMORY_RELOADS", "500"))
    tmp = pathlib.Path(tempfile.mkdtemp())
    try:
        with tarfile.open(CORPUS) as tar:
            tar.extractall(tmp / "corpus")
        data = tmp / "corpus/src/data"
        if scale > 1:
            folder = tmp / f"synthetic-{scale}x"
            subprocess.run([sys.executable, str(ROOT / "scripts/synth_corpus.py"), str(data),
                            str(folder), str(scale)], check=True, stdout=subprocess.DEVNULL)
        else:
            folder = data
        index = os.environ.get("INDEX", str(tmp / "index"))
        label = f"roadmap.sh 2025 x{scale}" if scale > 1 else "roadmap.sh 2025"
        files = topics(folder)

        written = time.time()
        server = Server(folder, index)
        fresh_ms = server.startup_ms
        # The saved content never takes files younger than two seconds (a checkout
        # still being written); a real restart comes long after the files were
        # written, so the first run lives past that before it stops.
        time.sleep(max(0.0, written + 2.5 - time.time()))
        server.stop()
        server = Server(folder, index)
        status = get(server.port, "/v1/status")
        print(f"{label}: {status['counts']['topics']} topics, {status['index']['documents']} documents, "
              f"index {'in RAM' if index == 'memory' else 'on disk'}")
        print(f"  start-up to /readyz: fresh index {fresh_ms:.0f} ms, persisted index "
              f"{server.startup_ms:.0f} ms (reused: {status['index']['reused']})")
        print(f"  RSS after start-up: {rss_mb(server.proc.pid):.0f} MB")
        # Edits that arrive while the restored content is checked are measured in the
        # last phase; the phases below measure a server that has settled.
        wait_idle(server.proc.pid)
        try:
            lat, work, served, unserved = single_edits(server.port, files, edits)
            print(f"  one topic saved -> searchable ({len(lat)} edits, {unserved} more of files "
                  f"no chart names): p50 {statistics.median(lat):.0f} ms, "
                  f"p99 {percentile(lat, 99):.0f} ms, max {max(lat):.0f} ms")
            print(f"  reload work (lastReloadMs): p50 {statistics.median(work):.1f} ms, "
                  f"p99 {percentile(work, 99):.1f} ms")
            if steady_s > 0:
                n, seen, missing, published = steady(server.port, served, steady_s)
                print(f"  steady 5 edits/s for {steady_s:.0f} s ({n} edits, {published} publications): "
                      f"searchable p50 {statistics.median(seen):.0f} ms, p99 {percentile(seen, 99):.0f} ms, "
                      f"max {max(seen):.0f} ms; never seen: {missing}")
            count, took, published = checkout(server.port, files, served[-1])
            print(f"  checkout of {count} files: searchable after {took:.0f} ms, {published} publications")
            if memory_reloads:
                before, after = memory(server.port, server.proc.pid, served, memory_reloads)
                print(f"  RSS over {memory_reloads} more reloads: {before:.0f} MB -> {after:.0f} MB")
            # A restart, and edits at once: the first ones arrive while the restored
            # content is checked against its files, and their topics' roadmaps have no
            # memo yet (every file of the roadmap is read and parsed).
            server.stop()
            server = Server(folder, index)
            lat, work, _, _ = single_edits(server.port, files[len(files) // 3:], 10, "rs")
            print(f"  right after a restart ({len(lat)} edits): searchable p50 "
                  f"{statistics.median(lat):.0f} ms, max {max(lat):.0f} ms; reload work p50 "
                  f"{statistics.median(work):.1f} ms, max {max(work):.1f} ms")
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
