// The playground in a real browser: Debian's chromium driven by playwright-core, the
// built dist/ served from 127.0.0.1, every other request refused (no network). Run
// `npm run build` first. The screenshots go to artifacts/ (a CI artefact).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const artifacts = join(here, "..", "artifacts");
const corpus = join(here, "..", "..", "..", "shared", "corpus");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".sb": "text/plain" };

let server;
let base;
let browser;

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "playground/dist is missing: run `npm run build` first");
  mkdirSync(artifacts, { recursive: true });
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dist, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    // A fresh user data directory: playwright makes one per launch (it refuses the flag)
    // and removes it at close.
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A page that may load only the served files; its errors fail the test. */
async function open(url = base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  await context.route("**/*", (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return { page, problems, context };
}

/** Replaces the editor's text as typing would (an input event). */
async function setProfile(page, text) {
  await page.locator("#profile").fill(text);
}

const codes = (page) => page.$$eval("#diagnostics li[data-code]", (lis) => lis.map((li) => li.dataset.code));

test("the post's /tmp/asdf profile shows SB201; explain answers deny with the deciding line; a typed fix clears it; the permalink round-trips", async () => {
  const { page, problems, context } = await open();
  // The pre-filled profile: SB201 in the list and inline.
  const sb201 = page.locator("#diagnostics li[data-code=SB201]");
  await sb201.waitFor();
  assert.match(await sb201.textContent(), /\/private\/tmp\/asdf/);
  assert.ok(await page.locator("#highlight .d-warning").count(), "SB201 is marked in the editor");
  assert.ok(await page.locator("#highlight .tok-rule").count(), "the editor is coloured by the grammar");

  // Explain (pre-filled: file-write-create /tmp/asdf/foo): deny, by `(deny file-write*)`.
  await page.locator("#explain-out .decision").waitFor();
  assert.equal(await page.locator("#explain-out .decision").textContent(), "deny");
  assert.equal(await page.locator("#explain-out .line-link").textContent(), "5");
  assert.equal(await page.locator("#explain-out .rule").textContent(), "(deny file-write*)");
  assert.equal(await page.locator("#highlight .line.deciding").getAttribute("data-line"), "5");
  await page.screenshot({ path: join(artifacts, "playground.png"), fullPage: true });

  // Typing the fix: `/private` in front of `/tmp/asdf`.
  const editor = page.locator("#profile");
  const text = await editor.inputValue();
  const at = text.indexOf('"/tmp/asdf"') + 1;
  await editor.focus();
  await page.evaluate((at) => document.getElementById("profile").setSelectionRange(at, at), at);
  await page.keyboard.type("/private");
  await page.waitForFunction(() => !document.querySelector("#diagnostics li[data-code=SB201]"));
  assert.ok((await editor.inputValue()).includes('(subpath "/private/tmp/asdf")'));
  // The same query now allows: the fixed rule decides.
  await page.waitForFunction(() => document.querySelector("#explain-out .decision")?.textContent === "allow");
  assert.equal(await page.locator("#explain-out .line-link").textContent(), "6");

  // The test and diff panes.
  await page.click("[role=tab][data-pane=test]");
  await page.click("#run-test");
  await page.locator("#test-out .summary").waitFor();
  assert.equal(await page.locator("#test-out .summary").textContent(), "2 passed, 0 failed");
  await page.click("[role=tab][data-pane=diff]");
  await page.locator("#other").fill("(version 1)\n(allow default)\n");
  await page.click("#run-diff");
  await page.locator("#diff-out h3").first().waitFor();
  assert.ok((await page.locator("#diff-out").textContent()).includes("now allowed"));

  // The permalink: a fresh page from the address shows the same state.
  await page.waitForFunction(() => location.hash.length > 10 && decodeURIComponent(location.hash).length > 0);
  await page.waitForTimeout(400);
  const link = page.url();
  const fresh = await open(link);
  assert.equal(await fresh.page.locator("#profile").inputValue(), await editor.inputValue());
  assert.equal(await fresh.page.locator("#other").inputValue(), "(version 1)\n(allow default)\n");
  assert.equal(await fresh.page.locator("#operation").inputValue(), "file-write-create");
  assert.equal(await fresh.page.locator("#pane-diff").isVisible(), true);
  assert.deepEqual(await codes(fresh.page), await codes(page));
  await fresh.page.screenshot({ path: join(artifacts, "playground-permalink.png"), fullPage: true });
  await fresh.context.close();

  assert.deepEqual(problems, []);
  await context.close();
});

test("bad input never breaks the page: a 1 MB profile, binary garbage, an unclosed string, a bad permalink", async () => {
  const { page, problems, context } = await open();
  await page.locator("#diagnostics li[data-code=SB201]").waitFor();

  // Garbage: control characters, NULs, lone surrogates' replacement, brackets.
  let garbage = "";
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    garbage += String.fromCharCode(seed % 0x3000);
  }
  await setProfile(page, garbage);
  await page.waitForFunction(() => document.querySelector("#diagnostics li[data-code=SB001]"), null, { timeout: 30_000 });

  // An unclosed string: SB001 where it starts, and explain says the profile does not parse.
  await setProfile(page, '(version 1)\n(deny default)\n(allow file-read* (literal "/usr/lib)\n');
  await page.waitForFunction(() => {
    const li = document.querySelector("#diagnostics li[data-code=SB001]");
    return li && li.dataset.line === "3";
  });
  await page.locator("#explain-form button").click();
  await page.waitForFunction(() => document.querySelector("#explain-out .error")?.dataset.kind === "syntax");

  // 1 MB: the page stays responsive while the worker checks, and the findings arrive.
  const rule = '(allow file-read* (subpath "/tmp/x") (regex #"^/Users/[^/]+/\\.cache/"))\n';
  const big = "(version 1)\n(deny default)\n" + rule.repeat(Math.ceil(1_000_000 / rule.length));
  assert.ok(big.length >= 1_000_000);
  await page.evaluate((t) => {
    const el = document.getElementById("profile");
    el.value = t;
    el.dispatchEvent(new Event("input"));
  }, big);
  assert.equal(await page.evaluate(() => 1 + 1), 2, "the page answers while the engine works");
  // Either the findings arrive or the page says the check was stopped (past 20 s).
  await page.waitForFunction(() => /checked in|took longer/.test(document.getElementById("status").textContent), null, { timeout: 90_000 });
  const status = await page.locator("#status").textContent();
  console.log(`1 MB profile: ${status}`);
  if (status.includes("checked in")) await page.locator("#diagnostics li").first().waitFor();

  // Back to a small profile: everything still works.
  await setProfile(page, '(version 1)\n(allow default)\n(deny file-write* (subpath "/tmp/y"))\n');
  await page.waitForFunction(() => {
    const li = document.querySelector("#diagnostics li[data-code=SB201]");
    return li && li.dataset.line === "3";
  });

  // A permalink that is not one: the example is shown, with a message.
  const broken = await open(`${base}#s=%%%not-base64`);
  assert.match(await broken.page.locator("#status").textContent(), /checked in|could not be read/);
  assert.ok((await broken.page.locator("#profile").inputValue()).includes("/tmp/asdf"));
  assert.deepEqual(broken.problems, []);
  await broken.context.close();

  assert.deepEqual(problems, []);
  await context.close();
});

test("the largest corpus profile: checked in the browser, time reported", { skip: !existsSync(join(corpus, "SOURCES.tsv")) && "no ../shared/corpus" }, async () => {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(sb|sb\.in|sbpl)$/.test(e.name)) files.push([statSync(p).size, p]);
    }
  };
  walk(corpus);
  files.sort((a, b) => b[0] - a[0]);
  const [size, largest] = files[0];
  const { page, problems, context } = await open();
  const text = readFileSync(largest, "utf8");
  const times = [];
  for (let i = 0; i < 3; i++) {
    await page.evaluate(({ t, i }) => {
      const el = document.getElementById("profile");
      el.value = t + " ".repeat(i);
      el.dispatchEvent(new Event("input"));
      document.getElementById("status").textContent = "";
    }, { t: text, i });
    await page.waitForFunction(() => /checked in/.test(document.getElementById("status").textContent), null, { timeout: 60_000 });
    times.push(Number(await page.locator("#status").getAttribute("data-ms")));
  }
  console.log(`browser check of ${largest.slice(corpus.length + 1)} (${size} bytes): ${times.map((t) => `${t} ms`).join(", ")}`);
  assert.deepEqual(problems, []);
  await context.close();
});
