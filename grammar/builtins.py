#!/usr/bin/env python3
"""Builds grammar/builtins.tsv: every name libsandbox's Scheme defines before a profile runs.

    python3 grammar/builtins.py SIMBPLE APPLE [CORPUS]

SIMBPLE is a checkout of 0xbf00/simbple (its TinyScheme copy and its SBPL scripts), APPLE a
checkout of a public copy of macOS's sandbox files with the Scheme scripts at its root
(knightsc/sandbox_profiles, macOS 10.15.2: init.scm, sbpl.scm, prelude.scm, sbpl1.scm),
CORPUS the shared corpus (for the names the older table listed that profiles use). Only
names are taken from these files, each with the file it comes from; nothing else is copied.
Neither checkout is part of this repository.

kind: syntax (a special form), procedure, macro, constant or variable.
evaluation: how sblint's evaluator treats it (src/model/eval): `alias` (an operation, filter
or modifier alias of grammar/aliases.tsv, resolved by the vocabulary), `special` (a special
form of the interpreter), `static` (computed when its arguments are known), `filter` (builds a
filter or a rule), `no-op` (has no effect on the rules), `unknown` (its value cannot be
known without running libsandbox: the result is an unknown value, never a finding).
"""
import os
import re
import sys

SIMBPLE, APPLE = sys.argv[1], sys.argv[2]
CORPUS = sys.argv[3] if len(sys.argv) > 3 else None
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "builtins.tsv")

TINYSCHEME = "src/dependencies/scheme_interpreter"

# How the evaluator treats names; anything not listed evaluates to an unknown value.
SPECIAL = {
    "quote", "quasiquote", "lambda", "named-lambda", "define", "define-macro", "macro", "if",
    "begin", "set!", "let", "let*", "letrec", "letrec*", "cond", "case", "and", "or", "when",
    "unless", "with", "with-filter", "with-modifier", "import", "version", "debug", "trace",
}
STATIC = {
    "param", "getenv", "string-append", "regex-quote", "string-prefix?", "string-suffix?",
    "string=?", "string?", "not", "defined?", "list", "cons", "append", "car", "cdr", "null?",
    "apply", "map", "for-each", "+", "-", "*", "=", "<", ">", "<=", ">=", "string->number",
    "number->string", "eq?", "equal?", "eqv?", "string-length", "substring", "string-ref",
    "split-string", "length", "reverse", "list?", "pair?", "symbol?", "number?", "integer?",
    "boolean?", "procedure?", "zero?", "positive?", "negative?", "cadr", "cddr", "caddr",
    "member", "memq", "assoc", "assq", "string->symbol", "symbol->string", "_IO",
    "char->integer", "string->list", "list-ref", "last-pair", "filter", "partition",
    "quotient", "remainder", "modulo", "abs", "min", "max",
}
FILTER = {
    "allow", "deny", "require-all", "require-any", "require-not", "path-ancestors",
    "require-entitlement", "entitlement-value", "entitlement-value-regex",
    "%entitlement-load", "%entitlement-string", "%entitlement-boolean",
    "%entitlement-string-regex", "define-storage-class",
}
NO_OP = {
    "eliminate-duplicate-rules", "record", "disable-callouts", "disable-full-symbolication",
    "%notify-file-open", "%version-1", "%finalize", "display", "newline", "write",
    "write-char", "gc", "gc-verbose", "tracing",
}

# Names grammar/functions.txt listed (until 2026-12) that none of the files above define.
EARLIER = """
boolean=? call-with-values dynamic-wind else exit fold-left fold-right letrec* named-lambda
reduce string-downcase string-index string-search-forward string-suffix? string-upcase
unquote unquote-splicing values string-prefix?
""".split()

# Names libsandbox defines in C (sbpl_parser.c): Apple's own Scheme files call them, simbple
# re-implements them, or both. (name, kind, source)
NATIVE = [
    ("allow", "procedure", "libsandbox native; simbple src/sb/actions.c redirects it to sbpl-create-rule"),
    ("deny", "procedure", "libsandbox native; simbple src/sb/actions.c redirects it to sbpl-create-rule"),
    ("with", "procedure", "libsandbox native (modifiers); simbple src/sb/modifiers.c registers it"),
    ("require-all", "procedure", "libsandbox native; simbple src/sb/meta-filters/interface.c"),
    ("require-any", "procedure", "libsandbox native; simbple src/sb/meta-filters/interface.c"),
    ("require-not", "procedure", "libsandbox native; simbple src/sb/meta-filters/interface.c"),
    ("sbpl-filter?", "procedure", "libsandbox native, called by with-filter in sbpl1.scm (10.15.2); simbple src/sb/filters/interface.c"),
    ("split-string", "procedure", "libsandbox native, called by application.sb (10.15.2); simbple src/sb/evaluate.c registers it"),
    ("regex-quote", "procedure", "libsandbox native; simbple src/sb/evaluate.c registers it"),
    ("%version-1", "procedure", "libsandbox native, called by version in sbpl.scm (10.15.2); simbple src/sb/evaluate.c"),
    ("%notify-file-open", "procedure", "libsandbox native, called by sbpl1.scm (10.15.2); simbple src/sb/evaluate.c"),
    ("%entitlement-load", "procedure", "libsandbox native, called by require-entitlement in sbpl1.scm (10.15.2)"),
    ("%entitlement-string", "procedure", "libsandbox native, called by entitlement-value in sbpl1.scm (10.15.2)"),
    ("%entitlement-boolean", "procedure", "libsandbox native, called by entitlement-value in sbpl1.scm (10.15.2)"),
    ("%entitlement-string-regex", "procedure", "libsandbox native, called by entitlement-value-regex in sbpl1.scm (10.15.2)"),
    ("sbpl-operation-can-return?", "procedure", "libsandbox native, called by policy.scm (10.15.2)"),
    ("disable-callouts", "procedure", "libsandbox native, called by no-callout in sbpl1.scm (10.15.2) and at top level by com.apple.logd.sb"),
    ("disable-full-symbolication", "procedure", "libsandbox native, called by partial-symbolication in sbpl1.scm (10.15.2) and at top level by mds.sb"),
    ("*params*", "variable", "libsandbox native, read by param in prelude.scm (10.15.2); simbple src/sb/dyn_params.m"),
    ("*entitlements*", "variable", "simbple src/sb/dyn_params.m (libsandbox's entitlement table)"),
    ("*sandbox-executable-bundle*", "constant", "libsandbox native, used by executable-bundle in sbpl1.scm (10.15.2)"),
    ("*ios-sandbox-container*", "constant", "libsandbox native, used by container in sbpl1.scm (10.15.2)"),
    ("*ios-sandbox-executable*", "constant", "used by executable-bundle in simbple's sbpl_v1.scm"),
    ("*ios-sandbox-application-group*", "constant", "libsandbox native, used by application-group in sbpl1.scm (10.15.2)"),
    ("*ios-sandbox-system-container*", "constant", "libsandbox native, used by system-container in sbpl1.scm (10.15.2)"),
    ("*ios-sandbox-system-group*", "constant", "libsandbox native, used by system-group in sbpl1.scm (10.15.2)"),
]


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def top_level_names(text):
    """Names a Scheme file binds with define/macro/define-macro, at any depth of `if`/`begin`
    (simbple wraps version-specific definitions in them), with their kind."""
    out = []
    for m in re.finditer(r"\((define|macro|define-macro)\s+(\()?([^\s()]+)", text):
        form, is_proc, name = m.group(1), m.group(2), m.group(3)
        if form != "define":
            kind = "macro"
        elif is_proc:
            kind = "procedure"
        else:
            rest = text[m.end():m.end() + 80].lstrip()
            kind = "constant" if re.match(r"-?\d|'|\"", rest) else "variable"
        out.append((name, kind))
    return out


def local_definitions(text):
    """Names defined inside a procedure body (`(define (import path) (define import-dirs ...`)
    are not globals: skip the ones indented in the Apple files."""
    return {m.group(1) for m in re.finditer(r"\n[ \t]+\(define\s+\(?([^\s()]+)", text)}


def rows():
    table = {}

    def add(name, kind, source):
        if name not in table:
            table[name] = (kind, source)

    scheme_c = read(os.path.join(SIMBPLE, TINYSCHEME, "scheme.c"))
    for name in re.findall(r'assign_syntax\(sc, "([^"]+)"\)', scheme_c):
        add(name, "syntax", "TinyScheme 1.41 syntax (scheme.c assign_syntax, copy in 0xbf00/simbple)")
    opdefines = read(os.path.join(SIMBPLE, TINYSCHEME, "opdefines.h"))
    for name in re.findall(r'_OP_DEF\([^,]*,\s*"([^"]+)"', opdefines):
        add(name, "procedure", "TinyScheme 1.41 primitive (opdefines.h, copy in 0xbf00/simbple)")
    for name, kind, source in NATIVE:
        add(name, kind, source)
    apple = [
        ("sbpl.scm", "libsandbox sbpl.scm, macOS 10.15.2 (knightsc/sandbox_profiles)"),
        ("prelude.scm", "libsandbox SBPL prelude, macOS 10.15.2 (knightsc/sandbox_profiles prelude.scm)"),
        ("sbpl1.scm", "libsandbox SBPL version 1 library, macOS 10.15.2 (knightsc/sandbox_profiles sbpl1.scm)"),
        ("init.scm", "libsandbox TinyScheme init.scm, macOS 10.15.2 (knightsc/sandbox_profiles)"),
    ]
    for file, source in apple:
        text = read(os.path.join(APPLE, file))
        local = local_definitions(text)
        for name, kind in top_level_names(text):
            if name in local and file != "init.scm":
                continue
            add(name, kind, source)
    simbple = [
        ("src/scm/sbpl_prelude.scm", "simbple sbpl_prelude.scm: libsandbox's prelude up to 10.14 (signal and PRIV_ constants)"),
        ("src/scm/sbpl_v1.scm", "simbple sbpl_v1.scm: libsandbox's version 1 library, 10.12-10.15"),
        ("src/scm/apple-init.scm", "simbple apple-init.scm: libsandbox's init.scm"),
    ]
    for file, source in simbple:
        text = read(os.path.join(SIMBPLE, file))
        for name, kind in top_level_names(text):
            if name in ("import-dirs", "dform", "foo"):
                continue
            add(name, kind, source)
    for name in ("import-dirs", "dform", "foo", "form"):
        table.pop(name, None)
    # Names the table listed before it had sources (grammar/functions.txt, now removed):
    # kept, so that nothing that was accepted before is reported now; marked unverified
    # unless a shipping profile uses them.
    corpus_text = {}
    if CORPUS:
        for root, _, files in os.walk(CORPUS):
            for f in files:
                if f.endswith((".sb", ".sbpl", ".in", ".erb")):
                    p = os.path.join(root, f)
                    corpus_text[os.path.relpath(p, CORPUS)] = read(p)
    for name in EARLIER:
        if name in table:
            continue
        used = sorted(p for p, t in corpus_text.items() if re.search(r"\(" + re.escape(name) + r"[\s)]", t))
        if used:
            add(name, "procedure", "used by shipping profiles: " + ", ".join(used[:3]) + "; not in TinyScheme 1.41 or Apple's 10.15.2 Scheme files")
        else:
            add(name, "procedure", "unverified: listed before this table had sources; not in TinyScheme 1.41 or Apple's 10.15.2 Scheme files")
    for name in [n for n in table if not re.match(r"^[^,@'`]", n)]:
        del table[name]
    aliases = set()
    with open(os.path.join(os.path.dirname(OUT), "aliases.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                aliases.add(line.split("\t")[0])
    out = []
    for name in sorted(table):
        kind, source = table[name]
        if name in aliases:
            evaluation = "alias"
        elif kind == "syntax" or name in SPECIAL:
            evaluation = "special"
        elif name in FILTER:
            evaluation = "filter"
        elif name in NO_OP:
            evaluation = "no-op"
        elif name in STATIC:
            evaluation = "static"
        elif kind == "constant":
            evaluation = "static"
        else:
            evaluation = "unknown"
        out.append((name, kind, evaluation, source))
    return out


def main():
    with open(OUT, "w") as f:
        f.write("# Generated by grammar/builtins.py: every name libsandbox's Scheme defines before a profile\n"
                "# runs (TinyScheme primitives and init.scm, libsandbox's natives, sbpl.scm, the prelude\n"
                "# and the version 1 library), with the file it comes from. SB004 reports calls of\n"
                "# anything else that the profile does not define.\n"
                "# evaluation: alias | special | static | filter | no-op | unknown (see grammar/builtins.py).\n"
                "# name\tkind\tevaluation\tsource\n")
        for row in rows():
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
