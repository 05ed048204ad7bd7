#!/usr/bin/env bash
# Two builds side by side: both release servers run at once on the same content
# (in-memory index, no watcher, result cache off), each loaded by its own wrk (one
# thread, 16 connections) at the same time, with `perf stat -e task-clock` on each.
# Prints each one's req/s and CPU milliseconds per request and their ratio, per round.
#
#   bench/ab.sh [search|keystroke] [rounds, default 3] OLD_BIN NEW_BIN
#
# Why: on a shared 2-core machine the CPU per request of one build drifts by ±10 %
# from minute to minute (bench/cpu.sh alternates builds, and still cannot tell a 5 %
# change); run at the same moment, both builds see the same machine, and the ratio
# of the same build against itself stays within 1 %. SCALE=3 runs on the synthetic
# 3x copy that bench/load.sh makes (run that first). Needs wrk and perf.
set -euo pipefail
cd "$(dirname "$0")/.."
MIX=${1:-search}
ROUNDS=${2:-3}
shift 2 || true
[ $# -eq 2 ] || { echo "usage: bench/ab.sh [search|keystroke] [rounds] OLD_BIN NEW_BIN" >&2; exit 2; }
for tool in wrk perf; do
  command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
CONTENT=target/bench-corpus/roadmapsh-2025/src/data
[ "${SCALE:-1}" != 1 ] && CONTENT=target/bench-corpus/synth-${SCALE}x
[ -d "$CONTENT" ] || { echo "no $CONTENT: run bench/load.sh first" >&2; exit 1; }
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 bench/mixes.py "$WORK"
PORTS=()
for BIN in "$@"; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" serve --content "$CONTENT" --bind "127.0.0.1:$PORT" --index memory --no-watch \
    --search-cache 0 >/dev/null 2>&1 &
  PIDS+=($!)
  PORTS+=("$PORT")
done
for PORT in "${PORTS[@]}"; do
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
done
load() { # seconds, output prefix
  local waits=()
  for i in 0 1; do
    wrk -t1 -c16 -d"$1"s -s "$WORK/$MIX.lua" "http://127.0.0.1:${PORTS[$i]}/" >"$WORK/$2$i" &
    waits+=($!)
  done
  wait "${waits[@]}"
}
for _ in $(seq "$ROUNDS"); do
  load 2 warm
  STATS=()
  for i in 0 1; do
    perf stat -x, -e task-clock -p "${PIDS[$i]}" -o "$WORK/stat$i" -- sleep 7 &
    STATS+=($!)
  done
  load 8 run
  wait "${STATS[@]}"
  python3 - "$WORK" <<'PY'
import sys, pathlib
work = pathlib.Path(sys.argv[1])
out = []
for i in (0, 1):
    rps = next(float(l.split()[1]) for l in (work / f"run{i}").read_text().splitlines() if "Requests/sec" in l)
    ms = next(float(l.split(",")[0]) for l in (work / f"stat{i}").read_text().splitlines() if "task-clock" in l)
    out.append((rps, ms / 7 / rps))
(ra, a), (rb, b) = out
print(f"old {ra:6.0f} req/s {a:.4f} ms/req   new {rb:6.0f} req/s {b:.4f} ms/req   new/old {b / a:.3f}")
PY
done
