"""scripts/test-all (what `make test` and CI run) fails whenever a pytest run does not pass,
including when it collected no test at all (pytest's exit code 5)."""

import glob
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.no_app,
    pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin") and os.environ.get("CI") != "true",
                       reason="PostgreSQL is not installed: scripts/test-all skips its second run"),
]


def run_suite(tmp_path, sqlite_exit: int, postgres_exit: int):
    """Runs scripts/test-all with a stand-in pytest that exits with the given codes, in turn."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    fake = venv / "bin" / "pytest"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$DATABASE_URL" >> {calls}\n'
        f'n=$(wc -l < {calls})\n'
        f'[ "$n" = 1 ] && exit {sqlite_exit}\n'
        f"exit {postgres_exit}\n")
    fake.chmod(0o755)
    env = {**os.environ, "VENV": str(venv)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([str(ROOT / "scripts" / "test-all")], env=env, capture_output=True, text=True,
                            timeout=300)
    return result, calls.read_text().splitlines()


def test_both_runs_passing_pass(tmp_path):
    result, calls = run_suite(tmp_path, 0, 0)
    assert result.returncode == 0, result.stderr
    assert calls[0] == "" and calls[1].startswith("postgresql"), calls  # SQLite, then PostgreSQL


@pytest.mark.parametrize(("sqlite_exit", "postgres_exit", "said"), [
    (0, 5, "FAILED (PostgreSQL): pytest collected no test (exit 5)"),
    (1, 0, "FAILED (SQLite): pytest exited with 1"),
])
def test_a_run_that_fails_or_checks_nothing_fails_the_suite(tmp_path, sqlite_exit, postgres_exit, said):
    result, calls = run_suite(tmp_path, sqlite_exit, postgres_exit)
    assert result.returncode == 1
    assert said in result.stderr
    assert len(calls) == 2  # the other run still ran
