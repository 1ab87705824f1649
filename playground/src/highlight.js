// Syntax highlighting from editors/vscode/syntaxes/sbpl.tmLanguage.json, the grammar the
// VS Code extension uses (generated from grammar/*.tsv): a small TextMate interpreter
// (match, begin/end with nesting, captures, include), line by line with the open
// begin/end rules carried over, as TextMate does.

/** A compiled grammar: `tokenize(text)` → one array of `[start, end, scope]` per line. */
export function compileGrammar(grammar) {
  const compiled = new Map();
  const rule = (raw) => {
    if (compiled.has(raw)) return compiled.get(raw);
    const r = { name: raw.name, captures: raw.captures };
    compiled.set(raw, r);
    if (raw.match) r.match = new RegExp(raw.match, "g");
    if (raw.begin) {
      r.begin = new RegExp(raw.begin, "g");
      r.end = new RegExp(raw.end, "g");
      r.beginCaptures = raw.beginCaptures || raw.captures;
      r.endCaptures = raw.endCaptures || raw.captures;
      r.raw = raw.patterns || [];
    }
    return r;
  };
  // Includes are resolved lazily: a block comment includes itself.
  const flatten = (patterns) => {
    const out = [];
    for (const p of patterns) {
      const target = p.include ? grammar.repository[p.include.slice(1)] : p;
      if (!target) continue;
      if (!target.match && !target.begin) out.push(...flatten(target.patterns || []));
      else out.push(rule(target));
    }
    return out;
  };
  const inner = (r) => (r.inner ??= flatten(r.raw));
  const top = flatten(grammar.patterns);

  // The earliest match among `rules` at or after `pos` (ties: the first rule).
  const earliest = (rules, line, pos) => {
    let best = null;
    for (const r of rules) {
      const re = r.match || r.begin;
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && (best === null || m.index < best.m.index)) best = { r, m };
      if (best && best.m.index === pos) break;
    }
    return best;
  };

  const capture = (tokens, m, captures, fallback) => {
    const start = m.index;
    const end = start + m[0].length;
    if (fallback) tokens.push([start, end, fallback]);
    if (!captures) return;
    for (const [i, c] of Object.entries(captures)) {
      const text = m[Number(i)];
      if (text === undefined || !c.name) continue;
      // The group's offset: the first place the text occurs in the match (enough for
      // this grammar, whose groups are `(` and a name).
      const at = Number(i) === 0 ? 0 : m[0].indexOf(text);
      if (at >= 0) tokens.push([start + at, start + at + text.length, c.name]);
    }
  };

  function tokenizeLine(line, stack) {
    const tokens = [];
    let pos = 0;
    while (pos <= line.length) {
      const open = stack[stack.length - 1];
      const rules = open ? inner(open.rule) : top;
      let endMatch = null;
      if (open) {
        open.rule.end.lastIndex = pos;
        endMatch = open.rule.end.exec(line);
      }
      const found = earliest(rules, line, pos);
      if (endMatch && (!found || endMatch.index <= found.m.index)) {
        const end = endMatch.index + endMatch[0].length;
        if (open.rule.name) tokens.push([open.start, end, open.rule.name]);
        capture(tokens, endMatch, open.rule.endCaptures);
        stack.pop();
        if (end === pos && endMatch[0].length === 0) break;
        pos = end;
        continue;
      }
      if (!found) break;
      const { r, m } = found;
      if (r.match) {
        capture(tokens, m, r.captures, r.name);
        pos = m.index + Math.max(m[0].length, 1);
      } else {
        capture(tokens, m, r.beginCaptures);
        stack.push({ rule: r, start: m.index });
        pos = m.index + Math.max(m[0].length, 1);
      }
    }
    // Rules still open run to the end of the line (and go on on the next one).
    for (const open of stack) if (open.rule.name) tokens.push([open.start, line.length, open.rule.name]);
    for (const open of stack) open.start = 0;
    return tokens;
  }

  return {
    tokenize(text) {
      const stack = [];
      return text.split("\n").map((line) => tokenizeLine(line, stack));
    },
  };
}

/** The CSS class for a scope: its first parts, as themes read them. */
export function scopeClass(scope) {
  const parts = scope.split(".");
  if (parts[0] === "comment") return "tok-comment";
  if (parts[0] === "string") return parts[1] === "regexp" ? "tok-regex" : "tok-string";
  if (parts[0] === "constant") return parts[1] === "numeric" ? "tok-number" : "tok-constant";
  if (parts[0] === "keyword") return parts[2] === "rule" ? "tok-rule" : "tok-keyword";
  if (parts[0] === "support") {
    if (parts[1] === "type") return "tok-operation";
    if (parts[2] === "filter") return "tok-filter";
    if (parts[1] === "constant") return "tok-modifier";
    return "tok-function";
  }
  if (parts[0] === "meta") return "tok-meta";
  return "tok-punct";
}
