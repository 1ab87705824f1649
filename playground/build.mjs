// `npm run build`: the playground as static files in dist/, ready for any static host
// (GitHub Pages): the page, the engine (packaging/npm/build.sh builds sblint.wasm), its
// loader, and the VS Code extension's grammar for the colours.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const dist = join(here, "dist");
const npm = join(root, "packaging", "npm");

if (process.env.SBLINT_WASM_BUILT !== "1") execFileSync(join(npm, "build.sh"), { stdio: "inherit" });
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
cpSync(join(here, "src"), dist, { recursive: true });
cpSync(join(npm, "engine.js"), join(dist, "engine.js"));
cpSync(join(npm, "sblint.wasm"), join(dist, "sblint.wasm"));
cpSync(join(root, "editors", "vscode", "syntaxes", "sbpl.tmLanguage.json"), join(dist, "grammar.json"));
console.log(`playground/dist: built (sblint.wasm ${statSync(join(dist, "sblint.wasm")).size} bytes)`);
