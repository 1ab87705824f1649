#!/usr/bin/env python3
"""Builds the vocabulary tables in this folder from ../../shared/reference/.

Run from the repository root when the reference data changes:

    python3 grammar/build.py ../shared/reference ../shared/corpus

The outputs are committed; the code loads them (include_str!) and nothing else holds
vocabulary. Rows marked in grammar/additions.tsv were added by hand with the place they
were seen in a shipping profile.
"""
import os
import re
import sys

REF = sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"
CORPUS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(REF.rstrip("/")), "corpus")
OUT = os.path.dirname(os.path.abspath(__file__))

VERSIONS = [
    ("10.12", "operations-simbple-macos-sierra.txt"),
    ("10.13", "operations-simbple-macos-high_sierra.txt"),
    ("10.14", "operations-simbple-macos-mojave.txt"),
    ("10.15", "operations-simbple-macos-catalina.txt"),
    ("14.4.1", "operations-sandbox_lore-macos14.4.1.txt"),
]
STANDARD_MODIFIERS = {
    "send-signal", "report", "no-report", "deprecated", "rootless", "message",
    "user-approval", "no-approval-prompt", "authority", "telemetry",
}


def rows(name):
    with open(os.path.join(REF, name)) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            yield line.split("\t")


def names(name):
    return [r[0].strip() for r in rows(name)]


def operations():
    versions = {}
    order = []
    for version, file in VERSIONS:
        for op in names(file):
            if op not in versions:
                versions[op] = []
                order.append(op)
            versions[op].append(version)
    catalina = {r[0]: r for r in rows("operations-simbple-macos-catalina-hierarchy.tsv")}
    best = {r[0]: r for r in rows("operations-hierarchy-macos14-best-effort.tsv")}
    out = []
    for op in order:
        if op in catalina:
            r = catalina[op]
            parent, node, categories = r[2], r[1], r[4]
            modifiers = sorted(set(r[5].split(",")) - STANDARD_MODIFIERS) if len(r) > 5 else []
            source = "simbple-10.15"
        elif op in best:
            parent, node, categories, modifiers = best[op][1], "", "?", []
            source = best[op][2]
        else:
            parent, node, categories, modifiers = "default", "", "?", []
            source = "no-parent-data"
        terminal = "terminal" if node == "TERMINAL_NODE" else "-"
        out.append([op, parent, ",".join(versions[op]), categories,
                    ",".join(modifiers) or "-", terminal, source] + kept_by_hand(op))
    return out


def kept_by_hand(op):
    """The columns reviewed by hand (argument, decided-on, name-filter, argument-source),
    carried over from the committed operations.tsv: each row's were settled from a source
    (simbple's filter categories, Apple's profiles, tests/observed) or marked unverified,
    and a rebuild must not lose them. A new operation gets `none` marked unverified."""
    if not hasattr(kept_by_hand, "rows"):
        kept_by_hand.rows = {}
        path = os.path.join(OUT, "operations.tsv")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    r = line.rstrip("\n").split("\t")
                    if not line.startswith("#") and len(r) >= 11:
                        kept_by_hand.rows[r[0]] = r[7:11]
    return kept_by_hand.rows.get(op, ["none", "-", "-",
                                      "unverified: new in the reference; set by hand"])


ARG_KINDS = [
    ("literal string | (prefix", "path"),
    ("string (exact) | prefix | subpath | regex", "path"),
    ("string (exact) | NAME-prefix", "name"),
    ("network address", "network"),
    ("bitfield", "bitfield"),
    ("boolean", "boolean"),
    ("exact string only", "string"),
    ("integer or named constant", "constant"),
    ("bitmask/named constant", "constant"),
    ("integer", "constant"),
    ("string", "string"),
]


def arg_kind(text):
    for needle, kind in ARG_KINDS:
        if text.startswith(needle) or needle in text:
            return kind
    return "unknown"


def filters():
    catalina = {r[0]: r for r in rows("filters-simbple-macos-catalina.txt")}
    lore = list(rows("filters-sandbox_lore-macos14.4.1.txt"))
    out = []
    seen = set()
    for r in lore + [r for r in catalina.values()]:
        name = r[0]
        if name in seen:
            continue
        seen.add(name)
        notes = r[2] if len(r) > 2 else ""
        versions = []
        if name in catalina:
            versions.append("10.15")
        if any(x[0] == name for x in lore):
            versions.append("14.4.1")
        kind = arg_kind(r[1])
        category = (re.search(r"category=([\w-]+)", notes) or [None, "?"])[1]
        named = re.search(r"named values(?: \((\d+)\))?: ([^;]*)", notes)
        values = "-"
        if named:
            listed = named.group(2).strip()
            complete = not listed.endswith("...")
            values = ",".join(listed.replace("...", "").split()) + ("" if complete else ",...")
        out.append([name, kind, category, ",".join(versions), values])
        derived = re.search(r"derived forms: ([^;]*)", notes)
        if derived:
            for form in derived.group(1).split(","):
                form = form.strip()
                if form.endswith("-regex"):
                    dkind = "regex"
                elif form.endswith("subpath"):
                    dkind = "path-subpath"
                elif kind == "path":
                    dkind = "path-prefix"
                else:
                    dkind = "name-prefix"
                if form not in seen:
                    seen.add(form)
                    out.append([form, dkind, category, ",".join(versions), "-"])
    return out


def aliases():
    out = []
    for r in rows("aliases-simbple-sbpl_v1.txt"):
        alias, target = r[0], r[1]
        note = r[2] if len(r) > 2 else ""
        if target == "'no-op":
            kind = "no-op"
        elif "modifier" in note or target.startswith("(send-signal") or alias in ("no-callout", "partial-symbolication"):
            kind = "modifier"
        elif target.startswith("("):
            kind = "filter-function"
        else:
            kind = "name"
        out.append([alias, target, kind])
    return out


# The shipping Chromium profiles run unchanged on every macOS the browser supports: an
# operation they name outside a version or `defined?` guard is accepted on the newest
# releases. Their files in the corpus are from 2025-2026 commits, when Chromium supported
# macOS 12 and later; only 15 and 26 are claimed, the releases no complete table covers.
CHROMIUM_RELEASES = "15,26"


def sexprs(text):
    """A minimal reader: lists, symbols, strings; comments and `#"..."` skipped."""
    tokens = re.findall(r'#"[^"]*"|"(?:\\.|[^"\\])*"|;[^\n]*|#\|.*?\|#|[()]|\'|[^\s()\';"]+', text, re.S)
    stack = [[]]
    for t in tokens:
        if t.startswith(";") or t.startswith("#|"):
            continue
        if t == "(":
            stack.append([])
        elif t == ")":
            if len(stack) > 1:
                done = stack.pop()
                stack[-1].append(done)
        elif t == "'":
            continue
        else:
            stack[-1].append(t)
    return stack[0]


def mentions(x, symbol):
    return x == symbol or isinstance(x, list) and any(mentions(y, symbol) for y in x)


def guarded(form):
    """`(if|when|unless TEST ...)` whose TEST asks `defined?` or whether `os-version` is
    below a number: its names are not evidence for the newest releases."""
    if not (isinstance(form, list) and form and form[0] in ("if", "when", "unless") and len(form) > 1):
        return False
    test = form[1]
    return mentions(test, "defined?") or mentions(test, "os-version") and mentions(test, "<")


def used_names(forms, operations, filters, out, in_rule=False):
    """Operations named by `allow`/`deny` and filters called inside them (with aliases
    resolved to the filter they name), outside guards."""
    for form in forms:
        if not isinstance(form, list) or not form:
            continue
        if guarded(form):
            continue
        head = form[0]
        rule = head in ("allow", "deny")
        if rule:
            for arg in form[1:]:
                if isinstance(arg, str) and arg in operations:
                    out.add(("operation", arg))
        # `(with-filter FILTER rules...)` applies FILTER to the rules inside it.
        wrapper = head == "with-filter"
        if (in_rule or rule) and isinstance(head, str) and head in filters:
            out.add(("filter", filters[head]))
        used_names(form, operations, filters, out, in_rule or rule or wrapper)


def chromium_evidence(known, filters):
    folder = os.path.join(CORPUS, "chromium")
    found = {}
    if not os.path.isdir(folder):
        return found
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".sb"):
            continue
        with open(os.path.join(folder, name)) as f:
            forms = sexprs(f.read())
        names = set()
        used_names(forms, known, filters, names)
        for key in names:
            found.setdefault(key, []).append(name)
    return found


# Apple's own profile sources per release (shared/apple, pinned to the commits that
# apple-oss-distributions/distribution-macOS names for each release): a name Apple's profile
# uses on release N exists on N.
APPLE = os.path.join(os.path.dirname(CORPUS.rstrip("/")), "apple")


def apple_evidence(known, filters, op_aliases):
    """{(kind, name): {release: [(file, repository, commit)]}} from shared/apple/SOURCES.tsv."""
    found = {}
    sources = os.path.join(APPLE, "SOURCES.tsv")
    if not os.path.isfile(sources):
        return found
    with open(sources) as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if len(r) < 5 or r[0] == "release" or not r[1].endswith(".sb"):
                continue
            release, file, repository, commit = r[0], r[1], r[2], r[3]
            with open(os.path.join(APPLE, file)) as g:
                forms = sexprs(g.read())
            names = set()
            used_names(forms, known | set(op_aliases), filters, names)
            for kind, name in names:
                if kind == "operation":
                    name = op_aliases.get(name, name)
                found.setdefault((kind, name), {}).setdefault(release, []).append(
                    (os.path.basename(file), repository.split("/")[-1], commit[:12]))
    return found


def availability(operations_table, filters_table, aliases_table):
    rows = []
    seen = set()
    with open(os.path.join(OUT, "evidence.tsv")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            r = line.split("\t")
            rows.append(r)
            seen.add(r[0])
    known = {r[0] for r in operations_table}
    filters = {r[0]: r[0] for r in filters_table}
    for alias, target, kind in aliases_table:
        if kind == "name" and target in filters:
            filters.setdefault(alias, target)
    op_aliases = {a: t for a, t, k in aliases_table if k == "name" and t in known}
    apple = apple_evidence(known, filters, op_aliases)
    for (kind, name), files in sorted(chromium_evidence(known, filters).items()):
        if name in seen:
            # Hand-written rows come first; the scan adds its releases to them.
            for r in rows:
                if r[0] == name:
                    r[2] += "," + CHROMIUM_RELEASES
                    r[3] += "; used unguarded by Chromium's " + ", ".join(files)
            continue
        rows.append([name, kind, CHROMIUM_RELEASES,
                     "used unguarded by Chromium's shipping " + ", ".join("sandbox/policy/mac/" + f for f in files)])
        seen.add(name)
    for (kind, name), releases in sorted(apple.items()):
        order = sorted(releases, key=lambda v: [int(x) for x in v.split(".")])
        evidence = ",".join(order)
        source = "used by Apple's own profiles: " + "; ".join(
            "%s %s (apple-oss-distributions/%s@%s)%s" % (
                v, releases[v][0][0], releases[v][0][1], releases[v][0][2],
                " and %d more" % (len(releases[v]) - 1) if len(releases[v]) > 1 else "")
            for v in order)
        if name in seen:
            for r in rows:
                if r[0] == name and r[1] == kind:
                    r[2] += "," + evidence
                    r[3] += "; " + source
            continue
        seen.add(name)
        rows.append([name, kind, evidence, source])
    return rows


OPERATIONS_COLUMNS = (
    "# The last four columns are kept by hand (build.py carries them over), each row's with\n"
    "# its source in argument-source, or `unverified` where nothing settles it (then the kind\n"
    "# the operation's name gave before this column existed, kept):\n"
    "#   argument: what the operation is asked about: path, network (HOST:PORT or a unix\n"
    "#     socket's path), name (a service, sysctl, preference domain ...), none.\n"
    "#   decided-on: for network operations, the end of the connection its rules are decided\n"
    "#     on: local (the machine's own: bind, inbound) or remote (outbound); - otherwise.\n"
    "#   name-filter: the filter that names a name argument exactly (what `learn` writes), or -.\n"
    "# Sources: simbple-10.15 filter categories (shared/reference\n"
    "# operations-simbple-macos-catalina-hierarchy.tsv, extracted from libsandbox), Apple's\n"
    "# profiles (shared/apple), tests/observed/decisions.tsv.\n"
    "# name\tparent\tversions\tfilter-categories\textra-modifiers\tnode\tsource"
    "\targument\tdecided-on\tname-filter\targument-source\n"
)


def write(name, header, table):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(header)
        for row in table:
            f.write("\t".join(row) + "\n")


def main():
    ops = operations()
    filter_rows = filters()
    alias_rows = aliases()
    write("operations.tsv",
          "# Generated by grammar/build.py from shared/reference (simbple 10.12-10.15, SANDBOX_LORE 14.4.1).\n"
          + OPERATIONS_COLUMNS,
          ops)
    write("filters.tsv",
          "# Generated by grammar/build.py from shared/reference (simbple 10.15, SANDBOX_LORE 14.4.1).\n"
          "# name\targument\tcategory\tversions\tnamed-values (a trailing ... means the list is partial)\n",
          filter_rows)
    write("aliases.tsv",
          "# Generated by grammar/build.py from shared/reference/aliases-simbple-sbpl_v1.txt.\n"
          "# alias\ttarget\tkind\n",
          alias_rows)
    write("availability.tsv",
          "# Generated by grammar/build.py from grammar/evidence.tsv, the shipping Chromium profiles\n"
          "# in shared/corpus and Apple's own profiles in shared/apple (SOURCES.tsv pins each to its\n"
          "# release's commit). Evidence syntax: see grammar/evidence.tsv.\n"
          "# name\tkind\tevidence\tsource\n",
          availability(ops, filter_rows, alias_rows))


if __name__ == "__main__":
    main()
