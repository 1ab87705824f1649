// Writes LICENSE for the .vsix from the repository's two licence files (the extension is,
// like sblint, MIT OR Apache-2.0). The file is generated, not committed.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const text = [
  "sblint for VS Code is licensed under either of the two licences below, at your option.",
  "",
  readFileSync(join(root, "LICENSE-MIT"), "utf8"),
  readFileSync(join(root, "LICENSE-APACHE"), "utf8"),
].join("\n");
writeFileSync(join(here, "..", "LICENSE"), text);
