#!/usr/bin/env bash
# The server's CPU per request, binaries alternated: steadier than req/s on a shared
# machine, and what tells two builds apart. For each round and each binary: a release
# server on the whole roadmap.sh content (in-memory index, no watcher, result cache
# off), 2 s of warm-up, then 6 s of wrk with `perf stat -e task-clock` on the server
# for 5 of them; prints req/s, p99 and the server's CPU milliseconds per request.
#
#   bench/cpu.sh [search|keystroke] [rounds, default 2] BIN...
#
# e.g. `bench/cpu.sh search 2 /tmp/old/roadmap-api target/release/roadmap-api`.
# Needs wrk and perf (Debian: wrk, linux-perf). SCALE=3 runs on the synthetic 3x copy
# that bench/load.sh makes (run that first).
set -euo pipefail
cd "$(dirname "$0")/.."
MIX=${1:-search}
ROUNDS=${2:-2}
shift 2 || true
[ $# -gt 0 ] || { echo "usage: bench/cpu.sh [search|keystroke] [rounds] BIN..." >&2; exit 2; }
for tool in wrk perf; do
  command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
CONTENT=target/bench-corpus/roadmapsh-2025/src/data
[ "${SCALE:-1}" != 1 ] && CONTENT=target/bench-corpus/synth-${SCALE}x
[ -d "$CONTENT" ] || { echo "no $CONTENT: run bench/load.sh first" >&2; exit 1; }
WORK=$(mktemp -d)
PID=
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 bench/mixes.py "$WORK"
for _ in $(seq "$ROUNDS"); do
  for BIN in "$@"; do
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" serve --content "$CONTENT" --bind "127.0.0.1:$PORT" --index memory --no-watch \
      --search-cache 0 >/dev/null 2>&1 &
    PID=$!
    for _ in $(seq 1 600); do
      curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
      sleep 0.1
    done
    wrk -t2 -c32 -d2s -s "$WORK/$MIX.lua" "http://127.0.0.1:$PORT/" >/dev/null
    perf stat -x, -e task-clock -p "$PID" -o "$WORK/stat" -- sleep 5 &
    STAT=$!
    OUT=$(wrk -t2 -c32 -d6s --latency -s "$WORK/$MIX.lua" "http://127.0.0.1:$PORT/")
    wait "$STAT"
    RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
    P99=$(echo "$OUT" | awk '$1=="99%" {print $2}')
    MS=$(grep task-clock "$WORK/stat" | cut -d, -f1)
    python3 -c "import sys; b, r, p, ms = sys.argv[1:]; print(f'{b:40s} {float(r):8.0f} req/s  p99 {p:>8s}  {float(ms) / 5 / float(r):.3f} ms CPU per request')" \
      "$BIN" "$RPS" "$P99" "$MS"
    kill "$PID"; wait "$PID" 2>/dev/null || true
    PID=
  done
done
