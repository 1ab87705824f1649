/** What went wrong, as the engine says it. */
export type SblintErrorKind =
  /** The call itself is malformed (a text that is not a string, an unknown request). */
  | "request"
  /** The profile does not parse (explain, test, diff, format; `check` reports SB001 instead). */
  | "syntax"
  /** An `(import …)` is not among `options.imports` (WebAssembly reads no files). */
  | "import"
  /** An unknown operation, a bad argument, an unknown option or macOS version, a bad rule selector. */
  | "usage"
  /** The assertions (a `*.sbtest.toml`'s text or object) are invalid. */
  | "assertions"
  /** The engine stopped (a bug: please report it); the next call starts a fresh instance. */
  | "internal";

/** Every failure is thrown as this, never returned as an empty result. */
export class SblintError extends Error {
  name: "SblintError";
  kind: SblintErrorKind;
  /** Where, when the error has a place (1-based; in the profile, or in the assertions' TOML). */
  line?: number;
  column?: number;
}

/** What `sblint.toml` and the command line's flags give natively. */
export interface Options {
  /** The name the profile is reported under (`path` of each diagnostic); default `profile.sb`. */
  path?: string;
  /** The macOS the profile is for, as `"14"`, `"14.4"`, `"15.1"`; default: every known version. */
  macos?: string;
  /** Values for `(param "NAME")`. */
  params?: Record<string, string>;
  /** Profiles evaluated before this one (as `--prelude`), as texts. */
  preludes?: { name: string; text: string }[];
  /** The texts of the files `(import "NAME")` names, by name (WebAssembly reads no files). */
  imports?: Record<string, string>;
  /** Rule codes, prefixes or names to run (as `--select`), e.g. `["SB2", "unresolved-path"]`. */
  select?: string[];
  /** Rule codes, prefixes or names not to run (as `--ignore`). */
  ignore?: string[];
}

/** A text edit of a fix (1-based lines and columns, end exclusive). */
export interface Edit {
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  content: string;
}

/** One finding: the fields of `sblint check --format json`. */
export interface Diagnostic {
  path: string;
  code: string;
  name: string;
  severity: "error" | "warning" | "info";
  message: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  fix: { message: string; applicability: "safe" | "unsafe"; edits: Edit[] } | null;
}

export type Decision = "allow" | "deny";

/** A rule's place. */
export interface RulePlace {
  line: number;
  column: number;
  file: string;
  action: Decision;
}

export interface Condition {
  /** What it depends on: `param`, `entitlement`, `extension`, `regex`, `branch`, ... */
  filter: string;
  line: number;
}

/** Why `sandbox-exec` would refuse the profile. */
export interface LoadError {
  line: number;
  column: number;
  code: string;
  message: string;
}

/** The answer of `sblint explain --format json`. */
export interface Explanation {
  /** False when `sandbox-exec` would refuse the profile (see `errors`). */
  loads: boolean;
  errors: LoadError[];
  decision: Decision;
  operation: string;
  argument: string | null;
  /** The argument as the kernel checks it (`/tmp/x` → `/private/tmp/x`). */
  resolved: string | null;
  /** The deciding rule's place and text; null when no rule matches (libsandbox allows). */
  line: number | null;
  column: number | null;
  file: string | null;
  rule: string | null;
  /** The `default` rule decided. */
  default: boolean;
  overridden: RulePlace[];
  unverified: RulePlace[];
  /** Rules that could decide otherwise at run time. */
  alternatives: (RulePlace & { could_be: Decision })[];
  traversal: { link: string; operation: string; decision: Decision; line: number | null } | null;
  conditional: boolean;
  conditions: Condition[];
  /** The deciding rule when libsandbox adds it by itself (`grammar/implicit.tsv`). */
  implicit: { id: string; rule: string; verified: boolean; source: string } | null;
  /** Facts the deciding rule rests on that recordings on real Macs disagree on. */
  disputes: { id: string; question: string; one: string; other: string }[];
  /** Imports that could not be read, whose rules could change the decision. */
  unread_imports: { import: string; line: number }[];
}

/** One assertion's result (`sblint test --format json`). */
export interface TestResult {
  /** The line of the assertion's table in the TOML. */
  assertion_line: number;
  kind: "allow" | "deny" | "never" | "always";
  operation: string;
  passed: boolean;
  argument?: string | null;
  within?: string[] | null;
  except?: string[];
  /** When it failed: the argument that breaks it, and how the profile decides that. */
  witness?: string | null;
  witness_operation?: string;
  decision?: Decision | null;
  line?: number | null;
  conditional?: boolean;
  conditions?: Condition[];
  /** The analysis stopped at its budget: neither proved nor refuted. */
  too_complex?: boolean;
  note?: string;
}

export interface TestReport {
  passed: number;
  failed: number;
  loads: boolean;
  errors: LoadError[];
  results: TestResult[];
}

/** Assertions as a `*.sbtest.toml` has them (its `profile` key is not needed). */
export interface Assertions {
  params?: Record<string, string>;
  macos?: string;
  allow?: { operation: string; argument?: string }[];
  deny?: { operation: string; argument?: string }[];
  never?: { operation: string; within?: string[]; except?: string[] }[];
  always?: { operation: string; within: string[] }[];
}

export interface Change {
  operation: string;
  /** The topmost wildcard above the operation (`file*`, `network*`, ...), for grouping. */
  family: string;
  change: "allowed" | "denied";
  conditional: boolean;
  old: { decision: string; line: number | null };
  new: { decision: string; line: number | null };
  witness?: string;
}

/** The answer of `sblint diff --format json`. */
export interface DiffReport {
  equivalent: boolean;
  changes: Change[];
  /** Operations the analysis could not decide within its budget. */
  too_complex?: string[];
}

export interface Engine {
  /** The engine's version. */
  version(): string;
  /** Lints a profile: the findings `sblint check --format json` prints. */
  check(text: string, options?: Options): Diagnostic[];
  /** Which rule decides `operation` on `argument`, as `sblint explain`. */
  explain(text: string, operation: string, argument?: string | null, options?: Options): Explanation;
  /** Runs assertions against the profile, as `sblint test`. */
  test(text: string, assertions: string | Assertions, options?: Options): TestReport;
  /** Which decisions change from `oldText` to `newText`, as `sblint diff`. */
  diff(oldText: string, newText: string, options?: Options): DiffReport;
  /** Formats a profile, as `sblint format`; throws `syntax` when it does not parse. */
  format(text: string): string;
}

/** The calls over a compiled `sblint.wasm` (in a browser: from a worker). */
export function createEngine(module: WebAssembly.Module): Engine;
