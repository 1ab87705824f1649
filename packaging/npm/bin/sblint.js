#!/usr/bin/env node
// `npx sblint check FILE...` with the WebAssembly engine: the native binary's findings
// (`--format json` prints its JSON), without a native binary. Exit codes as sblint's:
// 0 clean, 1 findings, 2 usage or I/O error. For everything else, install the binary.
import { readFileSync } from "node:fs";
import { check, explain, format, SblintError } from "../index.js";

const usage = `usage: sblint check [--format concise|json] FILE...
       sblint explain FILE OPERATION [ARGUMENT]
       sblint format FILE
(the WebAssembly engine; the native binary has every command: cargo install sblint)`;

function main(argv) {
  const [command, ...rest] = argv;
  const read = (file) => readFileSync(file, "utf8");
  if (command === "check") {
    let json = false;
    const files = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === "--format") json = rest[++i] === "json";
      else if (rest[i].startsWith("--format=")) json = rest[i].slice(9) === "json";
      else files.push(rest[i]);
    }
    if (files.length === 0) throw new Usage("no files given");
    const all = files.flatMap((file) => check(read(file), { path: file }));
    if (json) process.stdout.write(JSON.stringify(all, null, 2) + "\n");
    else
      for (const d of all)
        process.stdout.write(`${d.path}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}\n`);
    return all.some((d) => d.severity !== "info") ? 1 : 0;
  }
  if (command === "explain" && rest.length >= 2) {
    const e = explain(read(rest[0]), rest[1], rest[2] ?? null, { path: rest[0] });
    const by = e.line === null ? "no rule (libsandbox's default)" : `${e.file}:${e.line}:${e.column}: ${e.rule}`;
    process.stdout.write(`${e.decision}: ${e.operation}${e.argument ? " " + e.argument : ""}\n  decided by ${by}\n`);
    return 0;
  }
  if (command === "format" && rest.length === 1) {
    process.stdout.write(format(read(rest[0])));
    return 0;
  }
  throw new Usage(command ? `unknown command or arguments: ${argv.join(" ")}` : "no command");
}

class Usage extends Error {}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof Usage) process.stderr.write(`error: ${err.message}\n${usage}\n`);
  else if (err instanceof SblintError)
    process.stderr.write(`error[${err.kind}]${err.line ? ` at ${err.line}:${err.column}` : ""}: ${err.message}\n`);
  else process.stderr.write(`error: ${err.message}\n`);
  process.exitCode = 2;
}
