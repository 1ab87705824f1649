#!/usr/bin/env bash
# Builds the npm package's contents here: the engine as WebAssembly (wasm/, its own
# lock file), the bundled examples and the licences. `npm pack` then packs this directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(
  cd "$root/wasm"
  cargo build --release --locked --target wasm32-unknown-unknown
)
cp "$root/wasm/target/wasm32-unknown-unknown/release/sblint_wasm.wasm" "$here/sblint.wasm"
rm -rf "$here/examples"
mkdir -p "$here/examples"
cp "$root/examples/untrusted-python.sb" "$root/examples/untrusted-python.sbtest.toml" \
  "$root/examples/pitfalls.sb" "$here/examples/"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$here/"
echo "packaging/npm: sblint.wasm $(wc -c <"$here/sblint.wasm") bytes, $(gzip -9c "$here/sblint.wasm" | wc -c) gzipped"
