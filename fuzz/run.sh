#!/usr/bin/env bash
# Runs one libFuzzer target on stable Rust, seeded from the shared corpus and the test
# fixtures. Crashes land in fuzz/artifacts/TARGET/; copy each to tests/fuzz/TARGET/ so
# `cargo test --test fuzz` replays it forever. Fork mode with -ignore_crashes keeps going
# after a crash, so one long run finds more than one.
#
#   fuzz/run.sh TARGET [SECONDS] [JOBS]
#   TARGET: parse check fmt explain compile regex sbtest learn diff lsp
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). RUSTC_BOOTSTRAP lets stable rustc take
# the coverage flags cargo-fuzz passes; no sanitizer is needed (sblint has no unsafe code),
# and debug assertions (-a) catch overflow.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [JOBS]}
seconds=${2:-600}
jobs=${3:-1}
seeds=fuzz/corpus/$target
mkdir -p "$seeds"
for dir in ../shared/corpus tests; do
  [ -d "$dir" ] || continue
  find "$dir" -type f \( -name '*.sb' -o -name '*.sb.in' -o -name '*.scm' -o -name '*.log' \
    -o -name '*.sbtest.toml' \) \
    -size -64k -print0 |
    while IFS= read -r -d '' f; do cp -n "$f" "$seeds/$(echo "$f" | tr '/' '_')"; done
done
# The regex target also starts from the regex fixtures, one regex a file.
if [ "$target" = regex ]; then
  n=0
  for f in tests/regex/*.txt; do
    while IFS= read -r line; do
      n=$((n + 1)); printf '%s' "$line" > "$seeds/fixture_$n"
    done < "$f"
  done
fi
[ -d "tests/fuzz/$target" ] && cp -n "tests/fuzz/$target"/* "$seeds/" 2>/dev/null || true
export RUSTC_BOOTSTRAP=1
exec cargo fuzz run -O -a --sanitizer none "$target" "$seeds" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
  -fork="$jobs" -ignore_crashes=1 -print_final_stats=1
