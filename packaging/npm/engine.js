// The engine's calls over a compiled WebAssembly module, for node and for browsers (a
// worker). The module speaks JSON through a C ABI (wasm/src/abi.rs): one request in,
// one response out. Nothing here knows a rule; every answer is the Rust engine's.

/** An error from the engine: `kind` says which (see index.d.ts). */
export class SblintError extends Error {
  constructor(kind, message, line, column) {
    super(message);
    this.name = "SblintError";
    this.kind = kind;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Calls over `module` (a `WebAssembly.Module`), instantiated synchronously. */
export function createEngine(module) {
  let instance = null;
  const exports = () => {
    if (instance === null) instance = new WebAssembly.Instance(module, {});
    return instance.exports;
  };
  const read = (e, ptr, len) => decoder.decode(new Uint8Array(e.memory.buffer, ptr, len));

  function call(request) {
    const e = exports();
    const bytes = encoder.encode(JSON.stringify(request));
    const ptr = e.sblint_alloc(bytes.length);
    new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
    let response;
    try {
      e.sblint_call(ptr, bytes.length);
      response = read(e, e.sblint_response_ptr(), e.sblint_response_len());
    } catch (err) {
      // A trap (a panic, or the stack or memory running out) leaves the instance unusable:
      // the next call gets a fresh one.
      let message = String(err && err.message ? err.message : err);
      try {
        const panic = read(e, e.sblint_panic_ptr(), e.sblint_panic_len());
        if (panic) message = `${panic} (${message})`;
      } catch {}
      instance = null;
      throw new SblintError("internal", `the engine stopped: ${message}`);
    }
    const answer = JSON.parse(response);
    if (answer.error) {
      const { kind, message, line, column } = answer.error;
      throw new SblintError(kind, message, line, column);
    }
    return answer.ok;
  }

  return {
    version: () => call({ op: "version" }),
    check: (text, options) => call({ op: "check", text: str(text, "text"), options }),
    explain: (text, operation, argument, options) =>
      call({
        op: "explain",
        text: str(text, "text"),
        operation: str(operation, "operation"),
        argument: argument ?? null,
        options,
      }),
    test: (text, assertions, options) => call({ op: "test", text: str(text, "text"), assertions, options }),
    diff: (oldText, newText, options) =>
      call({ op: "diff", old: str(oldText, "old"), new: str(newText, "new"), options }),
    format: (text) => call({ op: "format", text: str(text, "text") }),
  };
}

function str(value, name) {
  if (typeof value !== "string") throw new SblintError("request", `\`${name}\` must be a string`);
  return value;
}
