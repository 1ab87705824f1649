// The TextMate grammar, run by the engine VS Code uses (vscode-textmate + vscode-oniguruma):
// - it is what grammar/ generates (no drift);
// - it tokenizes every corpus profile (../shared/corpus beside the repository) without an
//   error, and at every line end it agrees with a scanner that follows sblint's lexer about
//   whether a string, raw string or block comment is still open, and where line comments
//   start (so strings and comments never leak across lines or into code);
// - the scopes of examples/pitfalls.sb and test/scopes.sb (every scope) match
//   test/*.scopes
//   (SBLINT_UPDATE_SNAPSHOTS=1 rewrites it; review the diff).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { generate, grammarPath } from "../scripts/generate-grammar.mjs";

const require = createRequire(import.meta.url);
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const corpus = join(repo, "..", "shared", "corpus");

async function loadGrammar() {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "source.sbpl"
        ? textmate.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  return registry.loadGrammar("source.sbpl");
}

/** Every line's tokens: `{ line, tokens: [{ start, end, scopes }], open }`, where `open`
 * is the multi-line construct still open at the end of the line, or null. */
function tokenize(grammar, text) {
  let state = textmate.INITIAL;
  const out = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state, 5000);
    assert.equal(result.stoppedEarly, false, `line ${index + 1}: the tokenizer stopped early`);
    state = result.ruleStack;
    const tokens = result.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes }));
    let open = null;
    if (state.depth > 1) {
      const scopes = tokens.at(-1).scopes.join(" ");
      open = /comment\.block/.test(scopes) ? "block" : /string\.regexp/.test(scopes) ? "raw" : /string\.quoted/.test(scopes) ? "string" : "other";
    }
    out.push({ line, tokens, open });
  });
  return out;
}

const DELIMITER = /[\s()[\]";\x00-\x1f]/;
const DIRECTIVE = /^#[ \t]*(?:if|ifdef|ifndef|elif|else|endif|include|import|define|undef|pragma|error|warning|line)(?=$|[ \t\r\n(<"!])/;

/** What sblint's lexer (src/syntax/lexer.rs) says about each line: the construct open at
 * its end and the column where a line comment starts. */
function scan(text) {
  const lines = text.split(/\r?\n/).map(() => ({ open: null, comment: null }));
  let line = 0;
  let col = 0;
  let lineStart = true;
  let i = 0;
  const advance = (n, open = null) => {
    for (let k = 0; k < n; k++) {
      if (text[i] === "\n") {
        lines[line].open = open;
        line += 1;
        col = 0;
      } else if (!(text[i] === "\r" && text[i + 1] === "\n")) {
        col += 1;
      }
      i += 1;
    }
  };
  const toLineEnd = () => {
    let j = text.indexOf("\n", i);
    if (j < 0) j = text.length;
    advance(j - i);
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "\n") {
      advance(1);
      lineStart = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      advance(1);
      continue;
    }
    const atLineStart = lineStart;
    lineStart = false;
    if (c === ";" || (c === "#" && next === "!")) {
      lines[line].comment = col;
      toLineEnd();
    } else if (c === "#" && atLineStart && DIRECTIVE.test(text.slice(i, i + 40))) {
      toLineEnd();
    } else if (c === '"') {
      advance(1);
      while (i < text.length && text[i] !== '"') {
        advance(text[i] === "\\" ? Math.min(2, text.length - i) : 1, "string");
      }
      if (i >= text.length) lines[line].open = "string";
      advance(1);
    } else if (c === "#" && next === '"') {
      advance(2);
      while (i < text.length && text[i] !== '"') advance(1, "raw");
      if (i >= text.length) lines[line].open = "raw";
      advance(1);
    } else if (c === "#" && next === "|") {
      let depth = 0;
      while (i < text.length) {
        if (text[i] === "#" && text[i + 1] === "|") {
          depth += 1;
          advance(2);
        } else if (text[i] === "|" && text[i + 1] === "#") {
          depth -= 1;
          advance(2);
          if (depth === 0) break;
        } else {
          advance(1, "block");
        }
      }
      if (depth > 0) lines[line].open = "block";
    } else if (c === "#" && next === "\\") {
      advance(2);
      if (i < text.length) advance(text.codePointAt(i) > 0xffff ? 2 : 1);
      while (i < text.length && !DELIMITER.test(text[i])) advance(1);
    } else if ("()[]'`,".includes(c)) {
      advance(c === "," && next === "@" ? 2 : 1);
    } else {
      advance(1);
      while (i < text.length && !DELIMITER.test(text[i])) advance(1);
    }
  }
  return lines;
}

function profiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return profiles(path);
      return /\.sb(pl)?(\.in)?$/.test(name) ? [path] : [];
    });
}

test("the committed grammar is the one grammar/ generates", () => {
  assert.equal(readFileSync(grammarPath, "utf8"), generate(), "run `npm run generate` in editors/vscode");
});

test("every corpus profile tokenizes, and strings and comments end where sblint's lexer ends them", async (t) => {
  if (!existsSync(join(corpus, "SOURCES.tsv"))) {
    const message = `the shared corpus is missing at ${corpus}: the corpus grammar test did not run`;
    if (process.env.CI === "true") assert.fail(message);
    t.skip(message);
    return;
  }
  const grammar = await loadGrammar();
  const files = profiles(corpus);
  assert.ok(files.length >= 50, `only ${files.length} corpus profiles`);
  let lineCount = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const name = relative(corpus, file);
    const expected = scan(text);
    const got = tokenize(grammar, text);
    got.forEach(({ tokens, open }, n) => {
      lineCount += 1;
      assert.equal(open, expected[n].open, `${name}:${n + 1}: open at the line's end`);
      const comment = expected[n].comment;
      if (comment !== null) {
        const token = tokens.find((tk) => tk.start === comment);
        assert.ok(token && token.scopes.some((s) => s.startsWith("comment.line")), `${name}:${n + 1}:${comment + 1}: a line comment starts here`);
      }
      for (const tk of tokens) {
        if (tk.scopes.some((s) => s.startsWith("comment.line"))) {
          assert.ok(comment !== null && tk.start >= comment, `${name}:${n + 1}:${tk.start + 1}: not a comment`);
        }
      }
    });
  }
  t.diagnostic(`${files.length} profiles, ${lineCount} lines`);
});

test("the scanner the corpus test trusts follows sblint's lexer on tricky lines", () => {
  const lines = scan('(a "x;y" ; c\n"open\nclose" #| a #| b |# still\n|# #"re\\"\n; "q\n#\\; (b)\n#\\" c\n');
  assert.deepEqual(
    lines.map((l) => [l.open, l.comment]),
    [[null, 9], ["string", null], ["block", null], [null, null], [null, 0], [null, null], [null, null], [null, null]],
  );
});

for (const [name, path] of [
  ["pitfalls.sb", join(repo, "examples", "pitfalls.sb")],
  ["scopes.sb", join(here, "scopes.sb")],
]) {
  test(`the scopes of ${relative(repo, path)}`, async () => {
    const grammar = await loadGrammar();
    const text = readFileSync(path, "utf8");
    const rendered =
      tokenize(grammar, text)
        .flatMap(({ line, tokens }, n) =>
          tokens
            .filter((tk) => line.slice(tk.start, tk.end).trim() !== "")
            .map((tk) => `${n + 1}:${tk.start + 1} ${JSON.stringify(line.slice(tk.start, tk.end))} ${tk.scopes.slice(1).join(" ") || "-"}`),
        )
        .join("\n") + "\n";
    const snapshot = join(here, `${name}.scopes`);
    if (process.env.SBLINT_UPDATE_SNAPSHOTS === "1") writeFileSync(snapshot, rendered);
    assert.equal(rendered, readFileSync(snapshot, "utf8"), "scopes changed: SBLINT_UPDATE_SNAPSHOTS=1 npm test, then review the diff");
  });
}
