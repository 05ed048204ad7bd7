#!/usr/bin/env bash
# Load test on loopback, on the whole roadmap.sh content: requests per second and p50/p99
# latency of one release server (in-memory index, no watcher), with wrk.
#
#   healthz      /healthz alone (the reference the search figures are a share of)
#   search       the 50 queries of bench/queries.txt (every category), default result cache
#   search-nc    the same mix with `--search-cache 0`: every request runs the whole query
#   keystroke    every prefix of those queries as a search box sends them, one per
#                keystroke, uncached
#   suggest      the prefixes (up to 8 characters) on /v1/suggest, uncached
#   healthz-busy /healthz (4 connections) while search-nc saturates the server with the
#                full connection count: the pool keeps the HTTP workers free
# then the server's resident memory and its load+index time.
#
#   bench/load.sh [duration, default 10s] [connections, default 32] [scale, default 1]
#
# ROUNDS=n (n > 1) adds n rounds of /healthz, uncached search and keystrokes one after
# another on the uncached server, each mix's share taken against the /healthz run just
# before it, and prints the median shares: the machine's drift over a minute moved a
# single run's share by as much as 15 %.
#
# The content is ../shared/corpus/roadmapsh-2025.tar.gz extracted once under
# target/bench-corpus/ (BENCH_CONTENT names another folder); scale N > 1 runs on
# scripts/synth_corpus.py's copy N times its size, to show how cost grows.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
SCALE=${3:-1}
THREADS=2

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian)" >&2
  (apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null 2>&1) || {
    echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
fi

ARCHIVE=${ROADMAPSH_CORPUS:-../shared/corpus/roadmapsh-2025.tar.gz}
CACHE=target/bench-corpus
if [ -n "${BENCH_CONTENT:-}" ]; then
  CONTENT=$BENCH_CONTENT
elif [ -f "$ARCHIVE" ]; then
  CONTENT=$CACHE/roadmapsh-2025/src/data
  if [ ! -d "$CONTENT" ]; then
    mkdir -p "$CACHE/roadmapsh-2025"
    tar xzf "$ARCHIVE" -C "$CACHE/roadmapsh-2025"
  fi
else
  echo "no $ARCHIVE: running on content/ (figures are not the whole roadmap.sh)" >&2
  CONTENT=content
fi
if [ "$SCALE" != 1 ]; then
  SYNTH=$CACHE/synth-${SCALE}x
  [ -d "$SYNTH" ] || python3 scripts/synth_corpus.py "$CONTENT" "$SYNTH" "$SCALE" >&2
  CONTENT=$SYNTH
fi

# BENCH_BIN: a binary already built (skips the release build; figures need release).
BIN=${BENCH_BIN:-target/release/roadmap-api}
[ -n "${BENCH_BIN:-}" ] || cargo build --release --quiet
WORK=$(mktemp -d)
PID=
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_server() { # extra serve arguments
  [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=info "$BIN" serve --content "$CONTENT" --bind "127.0.0.1:$PORT" --index memory --no-watch "$@" >"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "server did not become ready; its log:" >&2; cat "$WORK/server.log" >&2; exit 1
}

# One lua script per mix: each request takes the next line of a list.
python3 bench/mixes.py "$WORK"

# wrk's figures as "rps p50 p99 errors"; latencies in ms.
measure() { # connections, path, [script]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t$THREADS -c"$1" -d"$DURATION" --latency -s "$3" "http://127.0.0.1:$PORT$2")
  else
    out=$(wrk -t$THREADS -c"$1" -d"$DURATION" --latency "http://127.0.0.1:$PORT$2")
  fi
  echo "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = " ".join(l.strip() for l in text.splitlines() if "Non-2xx" in l or "Socket errors" in l)
print(f"{rps} {p50:.2f} {p99:.2f} {errors}")'
}
report() { # name, "rps p50 p99 errors"
  local rps p50 p99 errors
  read -r rps p50 p99 errors <<<"$2"
  printf "%-13s %10s %9s %9s  %s\n" "$1" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" >"$WORK/$1.rps"
}

echo "corpus: $CONTENT (scale $SCALE), $CONNECTIONS connections, $DURATION per run, wrk -t$THREADS"
start_server
echo "index: $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/server.log" | grep -Eo 'build_ms=[0-9]+|documents=[0-9]+' | head -2 | tr '\n' ' ' || true)"
printf "%-13s %10s %9s %9s\n" run "req/s" "p50 ms" "p99 ms"
report healthz "$(measure "$CONNECTIONS" /healthz)"
report search "$(measure "$CONNECTIONS" /v1/search "$WORK/search.lua")"
echo "server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status), peak $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status)"
# The result cache off: every request runs the whole query.
start_server --search-cache 0
report search-nc "$(measure "$CONNECTIONS" /v1/search "$WORK/search.lua")"
report keystroke "$(measure "$CONNECTIONS" /v1/search "$WORK/keystroke.lua")"
report suggest "$(measure "$CONNECTIONS" /v1/suggest "$WORK/suggest.lua")"
# /healthz while uncached search saturates the server.
measure "$CONNECTIONS" /v1/search "$WORK/search.lua" >"$WORK/background.txt" &
BG=$!
sleep 1
report healthz-busy "$(measure 4 /healthz)"
wait "$BG"
report search-bg "$(cat "$WORK/background.txt")"
if [ "${ROUNDS:-1}" -gt 1 ]; then
  start_server --search-cache 0
  for round in $(seq "$ROUNDS"); do
    read -r h _ <<<"$(measure "$CONNECTIONS" /healthz)"
    read -r s _ _ <<<"$(measure "$CONNECTIONS" /v1/search "$WORK/search.lua")"
    read -r k _ _ <<<"$(measure "$CONNECTIONS" /v1/search "$WORK/keystroke.lua")"
    echo "$h $s $k" >>"$WORK/rounds"
    awk -v r="$round" '{printf "round %s: healthz %.0f, search-nc %.0f (%.1f%%), keystroke %.0f (%.1f%%)\n", r, $1, $2, 100*$2/$1, $3, 100*$3/$1}' <<<"$h $s $k"
  done
  python3 - "$WORK/rounds" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
s = statistics.median(100 * r[1] / r[0] for r in rows)
k = statistics.median(100 * r[2] / r[0] for r in rows)
print(f"median share of /healthz over {len(rows)} rounds: search-nc {s:.1f}%, keystroke {k:.1f}%")
PY
fi
python3 - "$WORK" <<'PY'
import sys, pathlib
w = pathlib.Path(sys.argv[1])
h = float((w / "healthz.rps").read_text())
print("share of /healthz req/s:", ", ".join(
    f"{n} {100 * float((w / f'{n}.rps').read_text()) / h:.1f}%"
    for n in ("search", "search-nc", "keystroke", "suggest")))
PY
