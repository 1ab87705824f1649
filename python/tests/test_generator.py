"""Testing the profile your code generates, with pytest (`pip install sblint pytest`).

Copy this file into your test suite and replace `generate_profile` with your generator.
The assertions are the ones generators write by hand as string checks ("the profile
contains `(deny default)`"), answered by sblint's model of the profile instead: how it
decides an operation, and whether any argument at all breaks a promise.
"""

from pathlib import Path

import pytest
import sblint

# The repository's bundled example stands in for your generator's output.
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PARAMS = {"PROJECT": "/Users/me/project", "PYTHON_PREFIX": "/opt/py"}


def generate_profile() -> str:
    """Your generator: returns the profile text it would hand to sandbox-exec."""
    return (EXAMPLES / "untrusted-python.sb").read_text()


def test_the_profile_has_no_errors():
    findings = sblint.check(generate_profile(), params=PARAMS)
    errors = [f"{f['line']}:{f['column']} {f['code']} {f['message']}" for f in findings if f["severity"] == "error"]
    assert errors == []


@pytest.mark.parametrize(
    "operation, argument, decision",
    [
        ("file-read-data", "/Users/me/.ssh/id_rsa", "deny"),
        ("file-write-data", "/Users/me/project/build/out.txt", "allow"),
        ("network-outbound", "93.184.215.14:443", "deny"),
    ],
)
def test_the_profile_decides(operation, argument, decision):
    answer = sblint.decide(generate_profile(), operation, argument, params=PARAMS)
    assert answer["decision"] == decision, answer["rule"]
    assert not answer["conditional"], answer["conditions"]


def test_the_profile_never_lets_the_program_read_ssh(tmp_path):
    # No path under ~/.ssh, for any file-read operation: a set question, not a sample.
    promises = tmp_path / "never-ssh.sbtest.toml"
    promises.write_text(
        '[[never]]\noperation = "file-read*"\nwithin = ["/Users/me/.ssh/**", "/Users/me/.aws/**"]\n'
    )
    report = sblint.test(promises, profile=generate_profile(), params=PARAMS)
    assert report["failed"] == 0, report["results"]


def test_the_bundled_promises_hold():
    # A test file kept beside the generator; `profile=` replaces the file's own profile.
    report = sblint.test(EXAMPLES / "untrusted-python.sbtest.toml", profile=generate_profile())
    assert report["passed"] > 0 and report["failed"] == 0, report["results"]
