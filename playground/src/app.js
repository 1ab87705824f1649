// The playground: an editor over sblint's WebAssembly engine (in a worker), its findings
// inline and listed, and the explain, test and diff panes. The whole state lives in the
// address (`#s=`), so a link reproduces what you see.
import { compileGrammar, scopeClass } from "./highlight.js";

const $ = (id) => document.getElementById(id);
const els = {
  profile: $("profile"), highlight: $("highlight"), gutter: $("gutter"), diagnostics: $("diagnostics"),
  count: $("count"), status: $("status"), macos: $("macos"), params: $("params"),
  operation: $("operation"), argument: $("argument"), explainOut: $("explain-out"),
  assertions: $("assertions"), testOut: $("test-out"), other: $("other"), diffOut: $("diff-out"),
};

/** Past this many characters the editor is not coloured (the findings still are listed). */
const HIGHLIGHT_LIMIT = 200_000;
/** A call that takes longer ends the worker; the page says so and starts a new one. */
const CALL_TIMEOUT_MS = 20_000;

const DEFAULT_ASSERTIONS = `# What the profile promises (the format of a *.sbtest.toml; \`profile\` is the editor).
# Writes under /tmp/asdf are meant to be allowed:
[[allow]]
operation = "file-write-create"
argument = "/tmp/asdf/foo"

# and nothing else may be written:
[[never]]
operation = "file-write*"
except = ["/private/tmp/asdf/**"]
`;

// ---------------------------------------------------------------- the engine (a worker)

let worker = null;
let nextId = 1;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => {
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    clearTimeout(call.timer);
    if (data.error) call.reject(Object.assign(new Error(data.error.message), data.error, { ms: data.ms }));
    else call.resolve({ result: data.result, ms: data.ms });
  };
  worker.onerror = (event) => {
    event.preventDefault();
    restartWorker(`the engine failed: ${event.message || "unknown error"}`);
  };
}

function restartWorker(message) {
  worker.terminate();
  for (const call of pending.values()) {
    clearTimeout(call.timer);
    call.reject(Object.assign(new Error(message), { kind: "internal" }));
  }
  pending.clear();
  startWorker();
}

function engine(op, ...args) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(
      () => restartWorker(`${op} took longer than ${CALL_TIMEOUT_MS / 1000} s and was stopped`),
      CALL_TIMEOUT_MS,
    );
    pending.set(id, { resolve, reject, timer });
    worker.postMessage({ id, op, args });
  });
}

// ---------------------------------------------------------------- state and permalink

function options() {
  const params = {};
  for (const line of els.params.value.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) params[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  const macos = els.macos.value.trim();
  return { path: "profile.sb", params, ...(macos ? { macos } : {}) };
}

function state() {
  return {
    p: els.profile.value, m: els.macos.value, a: els.params.value, o: els.operation.value,
    g: els.argument.value, t: els.assertions.value, d: els.other.value, tab: currentTab,
  };
}

function encode(s) {
  const bytes = new TextEncoder().encode(JSON.stringify(s));
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decode(text) {
  const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}

function permalink() {
  return `${location.origin}${location.pathname}#s=${encode(state())}`;
}

let saveTimer = 0;
function saveSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    // A profile too large for an address is not put in one.
    if (els.profile.value.length + els.other.value.length < 100_000) history.replaceState(null, "", permalink());
  }, 200);
}

// ---------------------------------------------------------------- the editor

let grammar = null;
let findings = [];
let decidingLine = null;

const escape = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);

/** A column counted in code points (as sblint counts) → an index in the JS string. */
function unitIndex(line, col) {
  if (!/[\uD800-\uDFFF]/.test(line)) return col - 1;
  let units = 0;
  let points = 1;
  for (const ch of line) {
    if (points >= col) break;
    units += ch.length;
    points++;
  }
  return units;
}

function render() {
  const text = els.profile.value;
  const lines = text.split("\n");
  const severityOf = (d) => d.severity;
  const marks = lines.map(() => []);
  for (const d of findings) {
    for (let l = d.line; l <= Math.min(d.end_line, lines.length); l++) {
      const line = lines[l - 1] ?? "";
      let start = l === d.line ? unitIndex(line, d.column) : 0;
      let end = l === d.end_line ? unitIndex(line, d.end_column) : line.length;
      if (end <= start) end = Math.min(start + 1, Math.max(line.length, start + 1));
      marks[l - 1].push([start, end, severityOf(d)]);
    }
  }
  const coloured = text.length <= HIGHLIGHT_LIMIT && grammar;
  const tokens = coloured ? grammar.tokenize(text) : lines.map(() => []);
  let html = "";
  let gutter = "";
  lines.forEach((line, i) => {
    const n = i + 1;
    const cls = new Array(line.length + 1).fill("");
    const sev = new Array(line.length + 1).fill("");
    for (const [s, e, scope] of [...tokens[i]].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))) {
      const c = scopeClass(scope);
      for (let k = s; k < e; k++) cls[k] = c;
    }
    for (const [s, e, severity] of marks[i]) for (let k = s; k < e; k++) if (sev[k] !== "error") sev[k] = severity;
    let out = "";
    let k = 0;
    const padded = line.length < cls.length ? line + " " : line;
    while (k < line.length || (k === line.length && sev[k])) {
      let j = k + 1;
      while (j < line.length && cls[j] === cls[k] && sev[j] === sev[k]) j++;
      const classes = [cls[k], sev[k] ? `d-${sev[k]}` : ""].filter(Boolean).join(" ");
      const piece = escape(padded.slice(k, j));
      out += classes ? `<span class="${classes}">${piece}</span>` : piece;
      k = j;
    }
    const lineSev = marks[i].some((m) => m[2] === "error") ? "error" : marks[i].some((m) => m[2] === "warning") ? "warning" : marks[i].length ? "info" : "";
    const deciding = n === decidingLine ? " deciding" : "";
    html += `<span class="line${deciding}" data-line="${n}">${out}\n</span>`;
    gutter += `<span class="${lineSev ? `g-${lineSev}` : ""}${deciding}">${n}</span>\n`;
  });
  els.highlight.innerHTML = html;
  els.gutter.innerHTML = gutter;
  syncScroll();
}

function syncScroll() {
  els.highlight.scrollTop = els.profile.scrollTop;
  els.highlight.scrollLeft = els.profile.scrollLeft;
  els.gutter.scrollTop = els.profile.scrollTop;
}

function goTo(line, column) {
  const lines = els.profile.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += unitIndex(lines[line - 1] ?? "", column);
  els.profile.focus();
  els.profile.setSelectionRange(offset, offset);
}

function applyFix(d) {
  const lines = els.profile.value.split("\n");
  const offset = (line, col) => {
    let o = 0;
    for (let i = 0; i < line - 1; i++) o += lines[i].length + 1;
    return o + unitIndex(lines[line - 1] ?? "", col);
  };
  let text = els.profile.value;
  const edits = d.fix.edits
    .map((e) => ({ start: offset(e.line, e.column), end: offset(e.end_line, e.end_column), content: e.content }))
    .sort((a, b) => b.start - a.start);
  for (const e of edits) text = text.slice(0, e.start) + e.content + text.slice(e.end);
  els.profile.value = text;
  changed();
}

// ---------------------------------------------------------------- check

let checkVersion = 0;
let checkStarted = null;

async function check() {
  const version = ++checkVersion;
  const text = els.profile.value;
  // A check of an older text still running (a large profile) is abandoned, not waited for.
  if (checkStarted !== null && performance.now() - checkStarted > 300) restartWorker("superseded by a newer text");
  checkStarted = performance.now();
  status("checking…");
  try {
    const { result, ms } = await engine("check", text, options());
    checkStarted = null;
    if (version !== checkVersion) return;
    findings = result;
    status(`checked in ${ms.toFixed(0)} ms${text.length > HIGHLIGHT_LIMIT ? " · too large to colour" : ""}`, ms);
  } catch (err) {
    if (version !== checkVersion) return;
    checkStarted = null;
    findings = [];
    status(`${err.kind === "usage" ? "" : `${err.kind}: `}${err.message}`, null, true);
  }
  renderFindings();
  render();
}

function status(text, ms, error = false) {
  els.status.textContent = text;
  els.status.classList.toggle("error", error);
  if (ms !== null && ms !== undefined) els.status.dataset.ms = ms.toFixed(1);
}

function renderFindings() {
  els.diagnostics.replaceChildren();
  const order = { error: 0, warning: 1, info: 2 };
  const shown = [...findings].sort((a, b) => a.line - b.line || a.column - b.column || order[a.severity] - order[b.severity]);
  const LIST_LIMIT = 500;
  for (const d of shown.slice(0, LIST_LIMIT)) {
    const li = document.createElement("li");
    li.className = `sev-${d.severity}`;
    li.dataset.code = d.code;
    li.dataset.line = d.line;
    li.innerHTML = `<span class="where">${d.line}:${d.column}</span> <span class="code">${d.code}</span> <span class="msg"></span> <span class="name"></span>`;
    li.querySelector(".msg").textContent = d.message;
    li.querySelector(".name").textContent = `(${d.name})`;
    li.addEventListener("click", () => goTo(d.line, d.column));
    if (d.fix) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "fix";
      b.textContent = d.fix.applicability === "safe" ? `Fix: ${d.fix.message}` : `Unsafe fix: ${d.fix.message}`;
      b.addEventListener("click", (event) => {
        event.stopPropagation();
        applyFix(d);
      });
      li.append(b);
    }
    els.diagnostics.append(li);
  }
  if (shown.length > LIST_LIMIT) {
    const li = document.createElement("li");
    li.textContent = `… and ${shown.length - LIST_LIMIT} more`;
    els.diagnostics.append(li);
  }
  const n = (s) => findings.filter((d) => d.severity === s).length;
  els.count.textContent = findings.length ? `${n("error")} errors, ${n("warning")} warnings, ${n("info")} notes` : "none";
}

// ---------------------------------------------------------------- explain, test, diff

function failure(out, err) {
  out.replaceChildren();
  const p = document.createElement("p");
  p.className = "error";
  p.dataset.kind = err.kind ?? "internal";
  p.textContent = `${err.kind ?? "error"}${err.line ? ` at ${err.line}:${err.column}` : ""}: ${err.message}`;
  out.append(p);
}

async function explain() {
  const out = els.explainOut;
  const operation = els.operation.value.trim();
  if (!operation) return;
  try {
    const { result: e } = await engine("explain", els.profile.value, operation, els.argument.value.trim() || null, options());
    decidingLine = e.file === "profile.sb" ? e.line : null;
    out.replaceChildren();
    const head = document.createElement("p");
    head.innerHTML = `<span class="decision ${e.decision}"></span> <code class="what"></code>`;
    head.querySelector(".decision").textContent = e.decision;
    head.querySelector(".what").textContent = `${e.operation}${e.argument ? ` ${e.argument}` : ""}${e.resolved && e.resolved !== e.argument ? `  (the kernel checks ${e.resolved})` : ""}`;
    out.append(head);
    const by = document.createElement("p");
    by.className = "deciding";
    if (e.line === null) by.textContent = "No rule matches and the profile has no default rule: libsandbox allows.";
    else {
      by.innerHTML = `Decided by line <a href="#" class="line-link"></a>${e.default ? " (the default rule: no rule naming the operation matches)" : ""}: <code class="rule"></code>`;
      by.querySelector(".line-link").textContent = `${e.file === "profile.sb" ? "" : `${e.file}:`}${e.line}`;
      by.querySelector(".line-link").addEventListener("click", (ev) => {
        ev.preventDefault();
        if (e.file === "profile.sb") goTo(e.line, e.column);
      });
      by.querySelector(".rule").textContent = e.rule;
    }
    out.append(by);
    const notes = [];
    if (!e.loads) notes.push(`sandbox-exec refuses this profile: ${e.errors.map((x) => `${x.line}:${x.column} ${x.code} ${x.message}`).join("; ")}`);
    if (e.traversal && e.traversal.decision === "deny") notes.push(`Resolving ${e.traversal.link} needs file-read-metadata on it, which line ${e.traversal.line} denies.`);
    for (const o of e.overridden) notes.push(`Line ${o.line} (${o.action}) matches too, but is overridden.`);
    for (const a of e.alternatives) notes.push(`Could be ${a.could_be} at run time: line ${a.line} depends on a value only known then.`);
    if (e.conditions.length) notes.push(`Conditions: ${e.conditions.map((c) => `${c.filter} (line ${c.line})`).join(", ")}.`);
    for (const u of e.unverified) notes.push(`Unverified: which of this and line ${u.line} wins on a Mac is not recorded.`);
    for (const text of notes) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = text;
      out.append(p);
    }
  } catch (err) {
    decidingLine = null;
    failure(out, err);
  }
  render();
}

async function runTest() {
  const out = els.testOut;
  try {
    const { result: r } = await engine("test", els.profile.value, els.assertions.value, options());
    out.replaceChildren();
    const head = document.createElement("p");
    head.className = r.failed ? "summary failed" : "summary passed";
    head.textContent = `${r.passed} passed, ${r.failed} failed${r.loads ? "" : " · sandbox-exec refuses this profile"}`;
    out.append(head);
    const ul = document.createElement("ul");
    for (const t of r.results) {
      const li = document.createElement("li");
      li.className = t.passed ? "pass" : "fail";
      const target = t.argument ?? (t.within ? `within ${t.within.join(", ")}` : "") + (t.except?.length ? ` except ${t.except.join(", ")}` : "");
      let text = `${t.passed ? "✓" : "✗"} [[${t.kind}]] ${t.operation} ${target}  (line ${t.assertion_line})`;
      if (!t.passed) {
        if (t.too_complex) text += ` — too complex to decide within the analysis budget`;
        else text += ` — ${t.witness_operation}${t.witness ? ` ${t.witness}` : ""} is ${t.decision ?? "undecided"}${t.line ? ` by line ${t.line}` : ""}`;
        if (t.note) text += ` (${t.note})`;
      }
      li.textContent = text;
      ul.append(li);
    }
    out.append(ul);
  } catch (err) {
    failure(out, err);
  }
}

async function runDiff() {
  const out = els.diffOut;
  try {
    const { result: d } = await engine("diff", els.profile.value, els.other.value, options());
    out.replaceChildren();
    const head = document.createElement("p");
    head.className = "summary";
    head.textContent = d.equivalent ? "The two profiles decide every operation alike." : `${d.changes.length} operations decide differently (editor → this one):`;
    out.append(head);
    const groups = new Map();
    for (const c of d.changes) groups.set(c.family, [...(groups.get(c.family) ?? []), c]);
    for (const [family, changes] of groups) {
      const h = document.createElement("h3");
      h.textContent = family;
      out.append(h);
      const ul = document.createElement("ul");
      for (const c of changes) {
        const li = document.createElement("li");
        li.className = c.change;
        li.textContent = `${c.change === "allowed" ? "+ now allowed" : "− now denied"}: ${c.operation}${c.witness ? ` ${c.witness}` : ""} (line ${c.old.line ?? "–"} → line ${c.new.line ?? "–"})${c.conditional ? ", depending on run-time values" : ""}`;
        ul.append(li);
      }
      out.append(ul);
    }
    if (d.too_complex) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = `Too complex to compare within the analysis budget: ${d.too_complex.join(", ")}.`;
      out.append(p);
    }
  } catch (err) {
    failure(out, err);
  }
}

// ---------------------------------------------------------------- wiring

let currentTab = "explain";
function showTab(name) {
  currentTab = ["explain", "test", "diff"].includes(name) ? name : "explain";
  for (const b of document.querySelectorAll("[role=tab]")) b.setAttribute("aria-selected", String(b.dataset.pane === currentTab));
  for (const p of document.querySelectorAll(".pane")) p.hidden = p.id !== `pane-${currentTab}`;
}

let checkTimer = 0;
function changed() {
  decidingLine = null;
  render();
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => {
    check();
    if (els.operation.value.trim()) explain();
  }, 150);
  saveSoon();
}

async function main() {
  startWorker();
  const [grammarJson, seed] = await Promise.all([
    fetch("grammar.json").then((r) => r.json()),
    fetch("seed.sb").then((r) => r.text()),
  ]);
  grammar = compileGrammar(grammarJson);
  let s = null;
  if (location.hash.startsWith("#s=")) {
    try {
      s = decode(location.hash.slice(3));
    } catch {
      status("the link's state could not be read: the example is shown instead", null, true);
    }
  }
  s ??= {
    p: seed, m: "", a: "", o: "file-write-create", g: "/tmp/asdf/foo", t: DEFAULT_ASSERTIONS,
    d: seed.replace('(subpath "/tmp/asdf")', '(subpath "/private/tmp/asdf")'), tab: "explain",
  };
  const str = (v) => (typeof v === "string" ? v : "");
  els.profile.value = str(s.p);
  els.macos.value = str(s.m);
  els.params.value = str(s.a);
  els.operation.value = str(s.o);
  els.argument.value = str(s.g);
  els.assertions.value = str(s.t);
  els.other.value = str(s.d);
  showTab(s.tab);

  els.profile.addEventListener("input", changed);
  els.profile.addEventListener("scroll", syncScroll);
  for (const el of [els.macos, els.params]) el.addEventListener("input", changed);
  for (const el of [els.operation, els.argument, els.assertions, els.other]) el.addEventListener("input", saveSoon);
  $("explain-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    explain();
  });
  $("run-test").addEventListener("click", runTest);
  $("run-diff").addEventListener("click", runDiff);
  for (const b of document.querySelectorAll("[role=tab]"))
    b.addEventListener("click", () => {
      showTab(b.dataset.pane);
      saveSoon();
    });
  $("format").addEventListener("click", async () => {
    try {
      const { result } = await engine("format", els.profile.value);
      els.profile.value = result;
      changed();
    } catch (err) {
      status(`cannot format: ${err.message}${err.line ? ` (line ${err.line})` : ""}`, null, true);
    }
  });
  $("permalink").addEventListener("click", async () => {
    history.replaceState(null, "", permalink());
    try {
      await navigator.clipboard.writeText(location.href);
      status("permalink copied");
    } catch {
      status("the address bar holds the permalink");
    }
  });
  engine("version").then(({ result }) => ($("version").textContent = result), () => {});
  render();
  await check();
  if (els.operation.value.trim()) await explain();
  document.body.dataset.ready = "true";
}

main().catch((err) => status(`the playground did not start: ${err.message}`, null, true));
