"""``scripts/_bootstrap.sh``'s ``apt_get`` (what ``./scripts/run``, ``./scripts/test`` and so
``.ci/run`` install Debian packages with): while another apt-get holds the package database's
lock it waits with a clear message and tries again, instead of failing at once; any other
failure still fails at once, with apt-get's own message."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKED = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\n"
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another "
    "process using it?"
)


@pytest.fixture
def fake_apt(tmp_path):
    """An ``apt-get`` on the PATH that answers "locked" for its first N calls (N in the file
    ``locked``), then ``then`` (``ok`` or ``broken``); each call is logged to ``calls``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "apt-get"
    script.write_text(
        f"""#!/usr/bin/env bash
echo "$*" >> {tmp_path}/calls
n=$(cat {tmp_path}/locked)
if [ "$n" -gt 0 ]; then
    echo $((n - 1)) > {tmp_path}/locked
    printf '%s\\n' "{LOCKED}" >&2
    exit 100
fi
if [ "$(cat {tmp_path}/then)" = broken ]; then
    echo "E: Unable to locate package no-such-package" >&2
    exit 100
fi
echo "Setting up chromium ..."
"""
    )
    script.chmod(0o755)

    def run(locked: int, then: str = "ok", **env) -> subprocess.CompletedProcess:
        (tmp_path / "locked").write_text(str(locked))
        (tmp_path / "then").write_text(then)
        return subprocess.run(
            [
                "bash",
                "-c",
                'set -euo pipefail; source scripts/_bootstrap.sh; apt_get install -y -qq "$@"',
                "apt_get",
                "chromium",
            ],
            cwd=ROOT,
            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    run.calls = lambda: (tmp_path / "calls").read_text().splitlines()
    return run


def test_a_locked_package_database_is_waited_for(fake_apt):
    result = fake_apt(locked=2, APT_LOCK_POLL="0")
    assert result.returncode == 0, result.stderr
    assert fake_apt.calls() == ["install -y -qq chromium"] * 3
    assert (
        "waiting for another apt-get to finish… (the package database is locked, held by "
        "process 4242 (apt-get); up to 600s)"
    ) in result.stderr
    assert result.stderr.count("waiting for another apt-get") == 1  # said once, not per try
    assert "Setting up" not in result.stdout + result.stderr  # quiet when it works


def test_another_failure_fails_at_once_with_apt_gets_message(fake_apt):
    result = fake_apt(locked=0, then="broken", APT_LOCK_POLL="0")
    assert result.returncode == 100
    assert fake_apt.calls() == ["install -y -qq chromium"]
    assert "Unable to locate package no-such-package" in result.stderr
    assert "waiting" not in result.stderr


def test_the_wait_has_a_limit(fake_apt):
    result = fake_apt(locked=1000, APT_LOCK_POLL="1", APT_LOCK_WAIT="2")
    assert result.returncode == 100
    assert len(fake_apt.calls()) == 3  # at 0, 1 and 2 seconds
    assert "Could not get lock /var/lib/dpkg/lock-frontend" in result.stderr
    assert "another apt-get still holds the package database after 2s: giving up" in (result.stderr)
