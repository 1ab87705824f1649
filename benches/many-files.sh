#!/usr/bin/env bash
# `sblint check DIR` on trees of N small profiles (a third with a finding each): seconds
# and peak memory, to show that memory stays flat as the number of files grows.
#
#   benches/many-files.sh [N...]      (default: 500 5000 20000)
#
# Needs GNU time (`/usr/bin/time`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin sblint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(500 5000 20000)
printf '%-8s %-8s %10s %12s\n' files format seconds peak_MiB
for n in "${counts[@]}"; do
  dir="$work/tree-$n"
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do
    sub="$dir/team$((i % 20))"
    mkdir -p "$sub"
    if ((i % 3 == 0)); then path="/tmp/p$i"; else path="/usr/share/p$i"; fi
    printf '(version 1)\n(deny default)\n(allow file-read* (literal "/") (subpath "%s"))\n(allow mach-lookup (global-name "com.example.p%d"))\n' "$path" "$i" > "$sub/p$i.sb"
  done
  for format in concise human; do
    /usr/bin/time -f '%e %M' -o "$work/time" ./target/release/sblint check --format "$format" "$dir" > /dev/null 2>&1 || true
    read -r secs kib < <(tail -n 1 "$work/time")
    printf '%-8s %-8s %10s %12.1f\n' "$n" "$format" "$secs" "$(echo "$kib / 1024" | bc -l)"
  done
done
