// The engine in a worker: the page never waits on it, and a call that runs away is ended
// by terminating the worker (app.js starts a new one).
import { createEngine, SblintError } from "./engine.js";

const ready = WebAssembly.compileStreaming(fetch(new URL("./sblint.wasm", import.meta.url))).then(createEngine);

self.onmessage = async ({ data: { id, op, args } }) => {
  let engine;
  try {
    engine = await ready;
  } catch (err) {
    self.postMessage({ id, error: { kind: "internal", message: `the engine did not load: ${err.message}` } });
    return;
  }
  const started = performance.now();
  try {
    const result = engine[op](...args);
    self.postMessage({ id, result, ms: performance.now() - started });
  } catch (err) {
    const e = err instanceof SblintError ? err : { kind: "internal", message: String(err?.message ?? err) };
    self.postMessage({ id, error: { kind: e.kind, message: e.message, line: e.line, column: e.column }, ms: performance.now() - started });
  }
};
