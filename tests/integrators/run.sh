#!/usr/bin/env bash
# Integrators' own tools against a real running server (issue 11 item 2), run by .ci/run:
#   1. schemathesis (PyPI), every check, bounded by --max-examples and a time limit;
#   2. a TypeScript client generated from openapi/openapi.json by openapi-typescript
#      (npm), compiled with tsc --strict, calling every read endpoint (ts/client.ts);
#   3. Swagger UI's "Try it out" on /v1/search in headless Debian Chromium, driven by
#      Playwright for Python (swagger_ui.py).
# It installs what they need (a Python venv, npm packages, Debian's chromium) and
# skips a step, saying why, only when its tool cannot be installed. Any step that
# runs and fails fails the script.
#
# Usage: tests/integrators/run.sh [path of the roadmap-api binary]
# Environment: SCHEMATHESIS_EXAMPLES (default 40), SCHEMATHESIS_SEED (default 1),
# INTEGRATORS_TOOLS (where the venv lives; default ~/.cache/roadmap-api-integrators).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BIN=${1:-target/debug/roadmap-api}
TOOLS=${INTEGRATORS_TOOLS:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/roadmap-api-integrators}
SCHEMATHESIS_VERSION=4.32.5
PLAYWRIGHT_VERSION=1.65.2
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-40}
# Operations to leave out of schemathesis (its --exclude-path options); none by default.
SCHEMATHESIS_EXCLUDE=${SCHEMATHESIS_EXCLUDE:-}
SEED=${SCHEMATHESIS_SEED:-1}
# Which steps run (comma-separated): all three by default.
STEPS=",${INTEGRATORS_STEPS:-schemathesis,typescript,swagger-ui},"
wanted() { [[ $STEPS == *",$1,"* ]]; }
failed=()
skipped=()
passed=()

step() { printf '\n== integrators: %s ==\n' "$*"; }

if [ ! -x "$BIN" ]; then
  step "building the server"
  cargo build --quiet || { echo "cannot build roadmap-api"; exit 1; }
fi

# A free loopback port, then the server on the bundled content (index in RAM).
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
LOG=$(mktemp)
# With an admin token (random, not given to the tools), so the admin operation is
# there to be checked: every request without it must be a 401.
ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
ROADMAP_API_ADMIN_TOKEN=$ADMIN_TOKEN "$BIN" serve --content content --index memory --no-watch --bind "127.0.0.1:$PORT" \
  --log warn,roadmap_api=info >"$LOG" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -f "$LOG"; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.5
done
if ! curl -fsS "$BASE/readyz" >/dev/null 2>&1; then
  echo "the server did not become ready; its log:"
  cat "$LOG"
  exit 1
fi
echo "server ready at $BASE"

# --- Python tools: one venv for schemathesis and Playwright -----------------------
step "installing schemathesis $SCHEMATHESIS_VERSION and playwright $PLAYWRIGHT_VERSION"
# CPython 3.11.7's ast.parse can fail with "AST constructor recursion depth mismatch"
# when Hypothesis describes a strategy deep inside a run (a tool error, not a finding;
# fixed in 3.12): take a newer interpreter where the machine has one (pyenv's too).
PYTHON=python3
for v in 3.12 3.13; do
  for cand in "python$v" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/$v.*/bin/python$v; do
    if [ -x "$(command -v "$cand" 2>/dev/null)" ] && "$cand" -c 'import venv' >/dev/null 2>&1; then
      PYTHON=$cand
      break 2
    fi
  done
done
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV="$TOOLS/venv-$PYVER"
python_ok=false
if [ -x "$VENV/bin/python" ] \
  && "$VENV/bin/python" -m pip show schemathesis 2>/dev/null | grep -qx "Version: $SCHEMATHESIS_VERSION" \
  && "$VENV/bin/python" -m pip show playwright 2>/dev/null | grep -qx "Version: $PLAYWRIGHT_VERSION"; then
  python_ok=true
elif mkdir -p "$TOOLS" && "$PYTHON" -m venv "$VENV" \
  && timeout 600 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "playwright==$PLAYWRIGHT_VERSION"; then
  python_ok=true
fi
$python_ok && echo "ok (Python $PYVER)" || echo "could not install the Python tools"

# --- 1. schemathesis ---------------------------------------------------------------
step "schemathesis: every check, $EXAMPLES examples per operation, seed $SEED"
if ! wanted schemathesis; then
  skipped+=("schemathesis (not in INTEGRATORS_STEPS)")
elif $python_ok; then
  if timeout 1200 "$VENV/bin/schemathesis" --config-file tests/integrators/schemathesis.toml run openapi/openapi.json --url "$BASE" \
    --checks all --max-examples "$EXAMPLES" --seed "$SEED" --workers 2 \
    --request-timeout 10 --no-color $SCHEMATHESIS_EXCLUDE; then
    passed+=(schemathesis)
  else
    failed+=(schemathesis)
  fi
else
  skipped+=("schemathesis (not installable)")
fi

# --- 2. generated TypeScript client ------------------------------------------------
step "TypeScript: openapi-typescript + openapi-fetch, tsc --strict, every read endpoint"
if ! wanted typescript; then
  skipped+=("typescript (not in INTEGRATORS_STEPS)")
elif command -v npm >/dev/null && command -v node >/dev/null; then
  (
    cd tests/integrators/ts || exit 1
    rm -rf generated dist
    timeout 600 npm ci --no-audit --no-fund --loglevel=error || exit 3
    npm run --silent generate || exit 1
    npm run --silent build || exit 1
    node dist/client.js "$BASE" "$ROOT/openapi/openapi.json"
  )
  case $? in
    0) passed+=(typescript) ;;
    3) skipped+=("typescript (npm packages not installable)") ;;
    *) failed+=(typescript) ;;
  esac
else
  skipped+=("typescript (no node/npm)")
fi

# --- 3. Swagger UI in headless Chromium --------------------------------------------
step "Swagger UI: Try it out on /v1/search in headless Chromium"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium"
  timeout 900 apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >/dev/null 2>&1
fi
if ! wanted swagger-ui; then
  skipped+=("swagger-ui (not in INTEGRATORS_STEPS)")
elif ! $python_ok; then
  skipped+=("swagger-ui (Playwright not installable)")
elif [ ! -x "$CHROMIUM" ]; then
  skipped+=("swagger-ui (chromium not installable)")
elif timeout 300 "$VENV/bin/python" tests/integrators/swagger_ui.py "$BASE" "$CHROMIUM"; then
  passed+=(swagger-ui)
else
  failed+=(swagger-ui)
fi

step "summary"
echo "passed: ${passed[*]:-none}"
[ ${#skipped[@]} -gt 0 ] && printf 'skipped: %s\n' "${skipped[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  echo "server log (tail):"
  tail -n 40 "$LOG"
  exit 1
fi
