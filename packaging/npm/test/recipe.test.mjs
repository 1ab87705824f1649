// The recipe a TypeScript or JavaScript generator copies: test the profile your code
// generates with sblint's engine, in-process, from `npm install sblint`. `.ci/run` runs
// this file with `node --test` in an empty project where the packed tarball is installed,
// on the examples the package carries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as sblint from "sblint";

const example = (name) => readFileSync(fileURLToPath(import.meta.resolve(`sblint/examples/${name}`)), "utf8");
const profile = example("untrusted-python.sb");
const params = { PROJECT: "/Users/me/project", PYTHON_PREFIX: "/opt/py" };

test("the generated profile loads: no errors", () => {
  const findings = sblint.check(profile, { path: "untrusted-python.sb", params });
  const serious = findings.filter((d) => d.severity === "error");
  assert.deepEqual(serious, [], serious.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join("\n"));
});

test("it never lets the program read ~/.ssh, and the deciding rule is the default deny", () => {
  const e = sblint.explain(profile, "file-read-data", "/Users/me/.ssh/id_ed25519", { params });
  assert.equal(e.decision, "deny");
  assert.equal(e.rule, "(deny default)");
  assert.equal(e.loads, true);
});

test("its policy tests pass: the example's sbtest.toml, and assertions as an object", () => {
  const fromToml = sblint.test(profile, example("untrusted-python.sbtest.toml"));
  assert.equal(fromToml.failed, 0, JSON.stringify(fromToml.results.filter((r) => !r.passed)));
  assert.ok(fromToml.passed >= 5);
  const fromObject = sblint.test(profile, {
    params,
    never: [{ operation: "network-outbound", except: ["localhost:3141"] }],
    deny: [{ operation: "file-write-data", argument: "/Users/me/.ssh/authorized_keys" }],
  });
  assert.deepEqual([fromObject.passed, fromObject.failed], [2, 0]);
});

test("a failing assertion names a witness and the rule that decides it", () => {
  const r = sblint.test(profile, { params, never: [{ operation: "file-write*", except: ["/Users/me/project/**"] }] });
  assert.equal(r.failed, 1);
  const [failure] = r.results;
  assert.equal(failure.passed, false);
  assert.match(failure.witness, /^\/private\/tmp/);
  assert.equal(failure.decision, "allow");
  assert.equal(typeof failure.line, "number");
});

test("a change that opens the network shows up in diff, with a witness", () => {
  const widened = profile + "\n(allow network-outbound)\n";
  const d = sblint.diff(profile, widened, { params });
  assert.equal(d.equivalent, false);
  const opened = d.changes.filter((c) => c.change === "allowed");
  assert.ok(opened.some((c) => c.family === "network*" && c.witness), JSON.stringify(d.changes));
});

test("the pitfalls example gets its SB201 on the /tmp rule", () => {
  const findings = sblint.check(example("pitfalls.sb"), { path: "pitfalls.sb" });
  const sb201 = findings.find((d) => d.code === "SB201");
  assert.ok(sb201, JSON.stringify(findings.map((d) => d.code)));
  assert.equal(sb201.line, 5);
  assert.equal(sb201.fix.edits[0].content, '"/private/tmp/build"');
});

test("imports and preludes come in as texts", () => {
  const base = '(version 1)\n(deny default)\n(define (project p) (subpath p))\n';
  const main = '(import "base.sb")\n(allow file-read* (project "/Users/me/project"))\n';
  const e = sblint.explain(main, "file-read-data", "/Users/me/project/a.py", { imports: { "base.sb": base } });
  assert.equal(e.decision, "allow");
  assert.equal(e.line, 2);
  assert.throws(() => sblint.explain(main, "file-read-data", "/x"), { kind: "import" });
  const withPrelude = sblint.check(main.replace('(import "base.sb")\n', ""), { preludes: [{ name: "base.sb", text: base }] });
  assert.deepEqual(withPrelude.filter((d) => d.severity === "error"), []);
});

test("format is idempotent on the example", () => {
  const once = sblint.format(profile);
  assert.equal(sblint.format(once), once);
});

test("errors are thrown, typed, never returned as an empty answer", () => {
  assert.throws(() => sblint.explain(profile, "file-raed-data", "/x"), (e) => {
    assert.ok(e instanceof sblint.SblintError);
    assert.equal(e.kind, "usage");
    assert.match(e.message, /file-read-data/);
    return true;
  });
  assert.throws(() => sblint.explain('(version 1)\n(allow file-read* (literal "/x', "file-read-data", "/x"), (e) => {
    assert.equal(e.kind, "syntax");
    assert.equal(e.line, 2);
    return true;
  });
  assert.throws(() => sblint.test(profile, "[[deny]]\noperation = 3\n"), { name: "SblintError", kind: "assertions" });
  assert.throws(() => sblint.check(profile, { macos: "9" }), { kind: "usage" });
  assert.throws(() => sblint.check(42), { kind: "request" });
});
