// sblint for node: the engine compiled once from the packaged sblint.wasm.
import { readFileSync } from "node:fs";
import { createEngine, SblintError } from "./engine.js";

const module = new WebAssembly.Module(readFileSync(new URL("./sblint.wasm", import.meta.url)));
const engine = createEngine(module);

export { SblintError };
export const { version, check, explain, test, diff, format } = engine;
