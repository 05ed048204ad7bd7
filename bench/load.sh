#!/usr/bin/env bash
# Load test on loopback: requests per second and p50/p99 latency of /v1/search (a mix
# of the 50 queries in bench/queries.txt, all six categories), /v1/suggest (the
# prefixes a person types on the way to them) and /healthz, on one release server
# over the roadmap.sh 2025 sample (or content/ where the sample is absent), plus the
# server's resident memory and index build time. `search` runs with the default
# per-snapshot result cache (the mix repeats, as a search box's traffic does);
# `search-nc` runs the same mix with `--search-cache 0`.
#
#   bench/load.sh [duration, default 10s] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
THREADS=2

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian)" >&2
  (apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null 2>&1) || {
    echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
fi

CONTENT=../shared/samples/roadmapsh-2025/src/data
[ -d "$CONTENT" ] || CONTENT=content
cargo build --release --quiet
WORK=$(mktemp -d)
PID=
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_server() { # extra serve arguments
  [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=info target/release/roadmap-api serve --content "$CONTENT" --bind "127.0.0.1:$PORT" --index memory --no-watch "$@" >"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
}
start_server

# One lua script per endpoint: each request takes the next line of a list.
python3 - "$WORK" <<'PY'
import sys, urllib.parse, pathlib
work = pathlib.Path(sys.argv[1])
queries = [l.strip() for l in open("bench/queries.txt") if l.strip()]
prefixes = sorted({q[:n] for q in queries for n in range(1, min(len(q), 8) + 1)})
def script(name, path, items):
    paths = ",".join('"%s%s"' % (path, urllib.parse.quote(i)) for i in items)
    (work / f"{name}.lua").write_text(
        "local paths = {%s}\nlocal i = 0\n"
        "request = function()\n  i = i %% #paths + 1\n  return wrk.format('GET', paths[i])\nend\n" % paths)
script("search", "/v1/search?q=", queries)
script("suggest", "/v1/suggest?q=", prefixes)
PY

run() { # name, path, [script]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency -s "$3" "http://127.0.0.1:$PORT$2")
  else
    out=$(wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$2")
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  printf "%-10s %12s %10s %10s  %s\n" "$1" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" >"$WORK/$1.rps"
}

echo "corpus: $CONTENT, $CONNECTIONS connections, $DURATION per endpoint, wrk -t$THREADS"
printf "%-10s %12s %10s %10s\n" endpoint "req/s" p50 p99
run healthz /healthz
run search /v1/search "$WORK/search.lua"
run suggest /v1/suggest "$WORK/suggest.lua"
echo "server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status), peak $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status)"
grep -Eo 'build_ms=[0-9]+' "$WORK/server.log" | head -1 | sed 's/^/start-up load+index: /' || true
# The same mix with the result cache off: every request runs the whole query.
start_server --search-cache 0
run search-nc /v1/search "$WORK/search.lua"
python3 - "$WORK" <<'PY'
import sys, pathlib
w = pathlib.Path(sys.argv[1])
h = float((w / "healthz.rps").read_text())
for n in ("search", "suggest", "search-nc"):
    print(f"{n}/healthz: {100 * float((w / f'{n}.rps').read_text()) / h:.0f}%")
PY
