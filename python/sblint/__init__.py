"""sblint from Python: the answers of the ``sblint`` binary this package carries, as JSON.

Each function runs the binary once and returns what it printed with ``--format json``,
parsed. Profiles are passed as text (piped to the binary on stdin), so a generator tests
the string it produced without writing it anywhere::

    import sblint

    text = my_generator.profile(project="/Users/me/project")
    assert not [f for f in sblint.check(text) if f["severity"] == "error"]
    assert sblint.decide(text, "file-read-data", "/Users/me/.ssh/id_rsa")["decision"] == "deny"
    report = sblint.test("tests/never-ssh.sbtest.toml", profile=text)
    assert report["failed"] == 0, report

Findings (``check``) and failed assertions (``test``) are results, not errors: sblint
exits 1 for them and the functions return normally. When sblint exits 2 (bad arguments, a
profile it cannot load, a test file it rejects) they raise :class:`SblintError` with its
message, never a result that could read as a pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

__all__ = ["SblintError", "check", "decide", "find_sblint_bin", "run", "test"]

PathLike = Union[str, "os.PathLike[str]"]


class SblintError(Exception):
    """sblint exited 2: a usage or input error. ``message`` is what it said, ``kind`` the
    error's kind (``sblint::syntax`` …) when it printed a JSON error object."""

    def __init__(
        self,
        message: str,
        *,
        command: Sequence[str],
        returncode: int,
        stderr: str,
        kind: Optional[str] = None,
    ):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.command = list(command)
        self.returncode = returncode
        self.stderr = stderr


def find_sblint_bin() -> str:
    """The path of the ``sblint`` binary: ``$SBLINT_BIN`` if set, else the one this
    package installed beside the interpreter's scripts, else the first on ``PATH``."""
    explicit = os.environ.get("SBLINT_BIN")
    if explicit:
        return explicit
    exe = "sblint" + (sysconfig.get_config_var("EXE") or "")
    candidates = [sysconfig.get_path("scripts")]
    # A `pip install --user` puts scripts under the user scheme.
    user_scheme = {"nt": "nt_user", "posix": "posix_user"}.get(os.name)
    if user_scheme and user_scheme in sysconfig.get_scheme_names():
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    for directory in candidates:
        if directory:
            path = os.path.join(directory, exe)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    found = shutil.which("sblint")
    if found:
        return found
    raise FileNotFoundError(
        "the sblint binary is not installed beside this Python (looked in "
        + ", ".join(d for d in candidates if d)
        + " and PATH); reinstall the `sblint` package or set SBLINT_BIN"
    )


def _error(stdout: str, stderr: str) -> "tuple[str, Optional[str]]":
    """sblint's own words for an exit 2, and the error's kind: the JSON error object it
    prints with ``--format json`` (``{"error": kind, "message": …, "errors": [...]}``),
    else its stderr."""
    try:
        value = json.loads(stdout)
    except ValueError:
        value = None
    if isinstance(value, dict) and "error" in value:
        entries = value.get("errors") or [value]
        lines = []
        for entry in entries:
            line = str(entry.get("message") or entry.get("error"))
            if entry.get("help"):
                line += f" (help: {entry['help']})"
            lines.append(line)
        return "\n".join(lines), str(value["error"])
    text = stderr.strip()
    return text or "sblint exited 2 without a message", None


def run(args: Sequence[str], *, stdin: Optional[str] = None, cwd: Optional[PathLike] = None) -> Any:
    """Runs ``sblint ARGS`` (which should include ``--format json``) and returns its parsed
    stdout. Exit 0 and 1 are answers; exit 2 raises :class:`SblintError`."""
    command = [find_sblint_bin(), *args]
    done = subprocess.run(
        command,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if done.returncode not in (0, 1):
        message, kind = _error(done.stdout, done.stderr)
        raise SblintError(
            message,
            command=command,
            returncode=done.returncode,
            stderr=done.stderr,
            kind=kind,
        )
    try:
        return json.loads(done.stdout)
    except ValueError as e:
        raise SblintError(
            f"sblint printed no JSON ({e}): {done.stdout[:200]!r}",
            command=command,
            returncode=done.returncode,
            stderr=done.stderr,
        ) from None


def _model_args(
    params: Optional[Mapping[str, str]],
    preludes: Iterable[PathLike],
    import_paths: Iterable[PathLike],
    macos: Optional[str],
) -> list:
    args: list = []
    for name, value in (params or {}).items():
        args += ["--param", f"{name}={value}"]
    for prelude in preludes:
        args += ["--prelude", os.fspath(prelude)]
    for directory in import_paths:
        args += ["--import-path", os.fspath(directory)]
    if macos is not None:
        args += ["--macos", str(macos)]
    return args


def check(
    text: str,
    *,
    filename: Optional[str] = None,
    params: Optional[Mapping[str, str]] = None,
    preludes: Iterable[PathLike] = (),
    import_paths: Iterable[PathLike] = (),
    macos: Optional[str] = None,
    select: Optional[Sequence[str]] = None,
    ignore: Optional[Sequence[str]] = None,
    config: Optional[PathLike] = None,
) -> list:
    """The findings of ``sblint check`` on the profile ``text``: a list of dicts with
    ``code``, ``name``, ``severity`` (``error``, ``warning``, ``info``), ``message``,
    ``line``, ``column``, ``end_line``, ``end_column`` and ``fix``. Empty when clean.
    ``filename`` names the text in the findings and finds its ``sblint.toml``."""
    args = ["check", "--format", "json"]
    if filename is not None:
        args += ["--stdin-filename", filename]
    args += _model_args(params, preludes, import_paths, macos)
    if select:
        args += ["--select", ",".join(select)]
    if ignore:
        args += ["--ignore", ",".join(ignore)]
    if config is not None:
        args += ["--config", os.fspath(config)]
    return run([*args, "-"], stdin=text)


def decide(
    text: str,
    operation: str,
    argument: Optional[str] = None,
    *,
    params: Optional[Mapping[str, str]] = None,
    preludes: Iterable[PathLike] = (),
    import_paths: Iterable[PathLike] = (),
    macos: Optional[str] = None,
) -> dict:
    """How the profile ``text`` decides ``operation`` on ``argument`` (a path,
    ``HOST:PORT`` or a name), as ``sblint explain --format json``: ``decision``
    (``allow``/``deny``), the deciding ``rule`` and its ``line``, ``conditional`` and
    ``conditions``, ``default`` (no rule matched), ``overridden`` rules."""
    args = ["explain", "--format", "json", *_model_args(params, preludes, import_paths, macos), "-", operation]
    if argument is not None:
        args.append(argument)
    return run(args, stdin=text)


def test(
    path: PathLike,
    profile: Optional[str] = None,
    *,
    params: Optional[Mapping[str, str]] = None,
    macos: Optional[str] = None,
) -> dict:
    """Runs the policy test file (``*.sbtest.toml``) or the test files under a directory,
    as ``sblint test --format json``: ``{"passed": n, "failed": n, "results": [...]}``,
    each failed result with its ``witness``. With ``profile`` (the profile's text) that
    profile is tested instead of the file's own ``profile`` (``--profile -``), so the test
    file may name none. The file's ``params`` and ``macos`` win over these."""
    args = ["test", "--format", "json"]
    for name, value in (params or {}).items():
        args += ["--param", f"{name}={value}"]
    if macos is not None:
        args += ["--macos", str(macos)]
    if profile is not None:
        args += ["--profile", "-"]
    return run([*args, os.fspath(path)], stdin=profile)


# pytest collects functions named `test*` from modules that import them by name; this one
# is not a test.
test.__test__ = False  # type: ignore[attr-defined]


def _main() -> int:
    """``python -m sblint``: the binary, with this process's arguments and exit code."""
    binary = find_sblint_bin()
    if sys.platform == "win32":
        return subprocess.call([binary, *sys.argv[1:]])
    os.execv(binary, [binary, *sys.argv[1:]])
    return 0  # unreachable: execv replaces the process
