#!/usr/bin/env bash
# Side by side: stock TinyScheme evaluating a generated profile with stub definitions,
# and `sblint check` (every rule) on the same file. Prints seconds and peak memory.
#
#   benches/tinyscheme/run.sh [SIZE_BYTES...]     (default: 1 MiB and 10 MiB)
#
# Needs Debian's `tinyscheme` package, GNU time (`/usr/bin/time`) and bc.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v tinyscheme >/dev/null || { echo "tinyscheme is not installed (apt-get install tinyscheme)" >&2; exit 2; }
cargo build --release --quiet --bin sblint --example generate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1048576 10485760)
printf '%-10s %-22s %10s %12s\n' size tool seconds peak_MiB
for size in "${sizes[@]}"; do
  profile="$work/profile-$size.sb"
  ./target/release/examples/generate "$size" > "$profile"
  # Best of three runs; GNU time puts "Command exited with non-zero status" first when
  # sblint reports findings, so only its last line is read.
  measure() {
    local label=$1; shift
    local best=""
    for _ in 1 2 3; do
      /usr/bin/time -f '%e %M' -o "$work/time" "$@" > /dev/null 2>&1 < /dev/null || true
      local line
      line=$(tail -n 1 "$work/time")
      if [ -z "$best" ] || [ "$(echo "${line%% *} < ${best%% *}" | bc -l)" = 1 ]; then best=$line; fi
    done
    local secs=${best%% *} kib=${best##* }
    printf '%-10s %-22s %10s %12.1f\n' "$size" "$label" "$secs" "$(echo "$kib / 1024" | bc -l)"
  }
  measure tinyscheme tinyscheme benches/tinyscheme/stubs.scm "$profile"
  measure "sblint check" ./target/release/sblint check --format concise "$profile"
done
