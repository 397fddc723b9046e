"""Many job workers, one truth: runs tests/reliability/run_parallel_test.py (its own
database, an Odoo server with 4 worker processes and the queue_job runner, a CCV
emulator): concurrent catalogue imports and a burst of repeating buyers create every
product, customer, company, address and tax-included twin once.

Skipped only where there is no PostgreSQL server or no Odoo to run.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.harness import odoo_source, postgres_available

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability", "run_parallel_test.py")


def test_parallel_workers_create_every_record_once():
    if not odoo_source():
        pytest.skip("no Odoo 19.0 importable from this Python: the parallel test needs odoo-bin")
    if not postgres_available():
        pytest.skip("no PostgreSQL server reachable: the parallel test needs a database that commits")
    result = subprocess.run(
        [sys.executable, SCRIPT],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
    assert result.returncode == 0, f"{summary.get('error')}\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert summary["result"] == "passed"
    assert summary["orders"] > 40
