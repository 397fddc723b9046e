"""No order lost, none doubled, with real process kills: runs
tests/reliability/run_crash_test.py (its own database, Odoo server and emulator).

Skipped only where there is no PostgreSQL server or no Odoo to run.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.harness import odoo_source, postgres_available

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability", "run_crash_test.py")


def test_kill_restart_and_concurrent_syncs_lose_and_double_nothing():
    if not odoo_source():
        pytest.skip("no Odoo 19.0 importable from this Python: the crash test needs odoo-bin")
    if not postgres_available():
        pytest.skip("no PostgreSQL server reachable: the crash test needs a database that commits")
    result = subprocess.run(
        [sys.executable, SCRIPT, "--orders", os.environ.get("CRASH_TEST_ORDERS", "200")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
    assert result.returncode == 0, f"{summary.get('error')}\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert summary["result"] == "passed"
    assert 0 < summary["killed_at"] < summary["orders"]
