"""The module's own behaviour: failures come back with witnesses, errors raise."""

import os
import subprocess
import sys
import sysconfig

import pytest
import sblint

OPEN = "(version 1)\n(allow default)\n"


def test_a_broken_promise_fails_with_a_witness(tmp_path):
    promises = tmp_path / "never-ssh.sbtest.toml"
    promises.write_text('[[never]]\noperation = "file-read*"\nwithin = ["/Users/me/.ssh/**"]\n')
    report = sblint.test(promises, profile=OPEN)
    assert report["failed"] == 1
    assert report["results"][0]["witness"].startswith("/Users/me/.ssh")


def test_findings_are_results_not_errors():
    findings = sblint.check("(allow default)\n", filename="generated.sb")
    assert "SB002" in {f["code"] for f in findings}
    assert all(f["path"] == "generated.sb" for f in findings)
    quiet = sblint.check("(version 1)\n(deny default)\n")
    assert [f["code"] for f in quiet if f["severity"] != "info"] == []


def test_exit_2_raises_with_sblints_message(tmp_path):
    with pytest.raises(sblint.SblintError) as raised:
        sblint.decide("(version 1)\n(allow default", "file-read-data", "/etc/passwd")
    assert raised.value.returncode == 2
    assert "unclosed" in raised.value.message
    # The kind comes from the JSON error object sblint prints with --format json.
    assert raised.value.kind == "sblint::syntax"
    # A test file that names no profile, and no --profile: an error, not zero results.
    bare = tmp_path / "bare.sbtest.toml"
    bare.write_text('[[deny]]\noperation = "network-outbound"\nargument = "1.2.3.4:443"\n')
    with pytest.raises(sblint.SblintError, match="names no `profile`"):
        sblint.test(bare)


def test_python_dash_m_runs_the_binary():
    done = subprocess.run(
        [sys.executable, "-m", "sblint", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sblint ")


@pytest.mark.skipif("SBLINT_BIN" in os.environ, reason="SBLINT_BIN names another binary")
def test_the_binary_is_the_one_the_wheel_installed_beside_this_python():
    assert sblint.find_sblint_bin().startswith(sysconfig.get_path("scripts"))
