#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time (FUZZ_SECONDS each,
# default 60) and prints executions and crashes per target.
#
#   scripts/fuzz.sh                 # all targets, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh query roadmap_json
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each
# target starts from the project's own files of its kind (fixtures and content/)
# as seeds; corpora stay in fuzz/corpus/<target>, crashes in fuzz/artifacts/<target>.
# A crash found becomes a regression test in tests/ (see tests/fuzz_regressions.rs).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(frontmatter topic_markdown faqs_astro roadmap_json query)
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz or the nightly toolchain is missing: rustup toolchain install nightly && cargo install cargo-fuzz" >&2
  exit 2
fi

seed() {
  local target=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir")" ] && return
  case $target in
    frontmatter) find content tests/fixtures -name '*.md' -size -64k ;;
    topic_markdown) find content tests/fixtures -path '*/content/*' -name '*.md' -size -64k ;;
    faqs_astro) find content tests/fixtures -name 'faqs.*' ;;
    roadmap_json) find content tests/fixtures -path '*/roadmaps/*' -name '*.json' -size -512k ;;
    query) printf '%s\n' 'jwt' 'how does https work' 'kuberntes' 'c++' 'node.js' \
        '"rest api"' 'a*' 'what is a closure' > /tmp/fuzz-query-seeds.txt
      local i=0
      while IFS= read -r q; do printf '\000\012%s' "$q" > "$dir/seed$i"; i=$((i + 1)); done \
        < /tmp/fuzz-query-seeds.txt
      return ;;
  esac | while IFS= read -r f; do
    # faqs_astro reads its first byte as the format (0 YAML, 1 JSON, else astro).
    if [ "$target" = faqs_astro ]; then
      case $f in
        *.yaml|*.yml) { printf '\000'; cat "$f"; } ;;
        *.json) { printf '\001'; cat "$f"; } ;;
        *) { printf '\002'; cat "$f"; } ;;
      esac > "$dir/$(echo "$f" | tr / _)"
    else
      cp "$f" "$dir/$(echo "$f" | tr / _)"
    fi
  done
}

status=0
summary=()
for t in "${TARGETS[@]}"; do
  seed "$t"
  log=$(mktemp)
  # -timeout: an input taking over 10 s is reported as a crash (a hang is a bug
  # here: every parser is bounded). The sanitizer is off: the code is safe Rust,
  # and without it the targets run several times faster.
  cargo +nightly fuzz run --sanitizer none "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(ls "fuzz/artifacts/$t" 2>/dev/null | grep -c -E '^(crash|timeout|oom|leak)-' || true)
  summary+=("$t: ${execs:-?} executions, exit $rc, ${crashes} crash files in fuzz/artifacts/$t")
  if [ $rc -ne 0 ]; then
    status=1
    tail -40 "$log"
  fi
  rm -f "$log"
done
printf '%s\n' "${summary[@]}"
exit $status
