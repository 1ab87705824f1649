// The TypeScript types as a generator's test uses them: `npm run check` (tsc --noEmit,
// strict) fails if the declarations and this use part ways.
import { check, explain, test, diff, format, version, SblintError } from "sblint";
import type { Diagnostic, Explanation, TestReport, DiffReport, Options, SblintErrorKind } from "sblint";

const options: Options = { path: "p.sb", macos: "14.4", params: { HOME: "/Users/me" }, imports: { "base.sb": "(version 1)" }, select: ["SB2"] };
const findings: Diagnostic[] = check("(version 1)", options);
const worst: "error" | "warning" | "info" | undefined = findings[0]?.severity;
const e: Explanation = explain("(version 1)", "file-read-data", "/x", options);
const line: number | null = e.line;
const decision: "allow" | "deny" = e.decision;
const r: TestReport = test("(version 1)", { deny: [{ operation: "file-read-data", argument: "/x" }] });
const failed: number = r.failed;
const d: DiffReport = diff("(version 1)", "(version 1)");
const family: string | undefined = d.changes[0]?.family;
const text: string = format("(version 1)");
const v: string = version();
try {
  check("(version 1)");
} catch (err) {
  if (err instanceof SblintError) {
    const kind: SblintErrorKind = err.kind;
    const at: number | undefined = err.line;
    void [kind, at];
  }
}
void [worst, line, decision, failed, family, text, v];
