// For every profile of ../shared/corpus, the WebAssembly engine's `check` equals the
// native binary's `sblint check --format json` (same name, same prelude): one engine, two
// builds. SBLINT_BIN names the native binary (.ci/run: the release build it shares).
// Without the corpus the test says so, and fails under CI=true.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { check } from "../index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..");
const corpus = resolve(root, "..", "shared", "corpus");
const bin = resolve(process.env.SBLINT_BIN ?? join(root, "target", "release", "sblint"));
// The roles tests/corpus.rs checks: what sblint reads as SBPL.
const READABLE = ["profile", "fragment", "prelude", "scheme"];

function entries() {
  const [header, ...rows] = readFileSync(join(corpus, "SOURCES.tsv"), "utf8").split("\n").filter(Boolean);
  const cols = header.split("\t");
  return rows.map((r) => Object.fromEntries(r.split("\t").map((v, i) => [cols[i], v])));
}

const present = existsSync(join(corpus, "SOURCES.tsv"));
if (!present && process.env.CI === "true") throw new Error(`the shared corpus is missing at ${corpus}`);

test("the WebAssembly check equals the native binary's on every corpus profile", { skip: !present && `SKIPPED: no corpus at ${corpus}` }, () => {
  assert.ok(existsSync(bin), `no native binary at ${bin}: cargo build --release (or set SBLINT_BIN)`);
  let compared = 0;
  let wasmMs = 0;
  for (const entry of entries().filter((e) => READABLE.includes(e.role))) {
    const args = ["check", "--format", "json", "--exit-zero"];
    const preludes = [];
    if (entry.prelude) {
      args.push("--prelude", entry.prelude);
      preludes.push({ name: entry.prelude, text: readFileSync(join(corpus, entry.prelude), "utf8") });
    }
    args.push(entry.file);
    const native = JSON.parse(execFileSync(bin, args, { cwd: corpus, encoding: "utf8", maxBuffer: 64 << 20 }));
    const started = performance.now();
    const wasm = check(readFileSync(join(corpus, entry.file), "utf8"), { path: entry.file, preludes });
    wasmMs += performance.now() - started;
    assert.deepEqual(wasm, native, `${entry.file}: the WebAssembly engine and the native binary differ`);
    compared++;
  }
  assert.ok(compared > 80, `only ${compared} corpus files compared`);
  console.log(`${compared} corpus files: equal; WebAssembly check total ${wasmMs.toFixed(0)} ms`);
});
