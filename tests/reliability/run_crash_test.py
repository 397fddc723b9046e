"""No order lost, none doubled: real process kills and concurrent syncs.

    /opt/odoo-19.0/venv/bin/python tests/reliability/run_crash_test.py [--orders 200] [--keep]

Against a CCV Shop emulator (in this process, real signed HTTP) and a database of
its own (copied from scripts/lib.sh's template, dropped at the end):

1. kill -9 the sync process (the cron's work) in the middle of fetching: nothing
   stored, the watermark unchanged (payloads and watermark share one transaction);
2. sync for real: every order stored once, one import job each;
3. the Odoo server (HTTP + queue_job runner = the job worker) imports them; kill -9
   it when about a third of the sale orders exist; restart it, sync again: every
   channel order exists exactly once as a sale order, no job failed;
4. new orders, and two sync processes of the same account started at the same
   moment: each order stored and queued once, imported once; afterwards no lock
   is held and no transaction left open in the database.

Exit code 0 when every check holds; the last line is a JSON summary.
"""

import argparse
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from tests.reliability.harness import (  # noqa: E402
    CATALOGUE,
    CheckFailed,
    OdooInstance,
    Scenario,
    Shop,
    check,
    log,
    task_result,
    wait_until,
)


def counts(odoo, account_id):
    rows = odoo.sql(
        """SELECT connector_external_id, count(*) FROM sale_order
            WHERE connector_account_id = %s GROUP BY 1""",
        [account_id],
    )
    return dict(rows)


def import_jobs(odoo):
    return dict(
        odoo.sql("SELECT state, count(*) FROM queue_job WHERE method_name = '_import_job' GROUP BY state")
    )


def parked(odoo, account_id):
    rows = odoo.sql(
        """SELECT external_id, message FROM connector_order
            WHERE account_id = %s AND state = 'attention' LIMIT 3""",
        [account_id],
    )
    if rows:
        raise CheckFailed(f"orders were parked instead of imported: {rows}")


def wait_all_imported(odoo, account_id, expected, timeout):
    def done():
        parked(odoo, account_id)
        jobs = import_jobs(odoo)
        busy = sum(
            n for state, n in jobs.items() if state in ("pending", "enqueued", "started", "wait_dependencies")
        )
        return not busy and len(counts(odoo, account_id)) >= len(expected)

    wait_until(done, timeout, what=f"{len(expected)} orders imported")


def assert_exactly_once(odoo, account_id, expected, label):
    found = counts(odoo, account_id)
    doubled = {k: n for k, n in found.items() if n > 1}
    missing = set(expected) - set(found)
    check(not doubled, f"{label}: no channel order has two sale orders (doubled: {doubled})")
    check(not missing, f"{label}: every one of the {len(expected)} channel orders is a sale order")
    stored = odoo.sql(
        """SELECT external_id, count(*), min(state) FROM connector_order
            WHERE account_id = %s GROUP BY 1""",
        [account_id],
    )
    check(all(n == 1 for _e, n, _s in stored), f"{label}: each channel order stored once")
    states = {state for _e, _n, state in stored}
    check(states == {"done"}, f"{label}: every stored order is imported (states {states})")
    failed = import_jobs(odoo).get("failed", 0)
    check(not failed, f"{label}: no import job failed")


def kill_sync_while_fetching(odoo, shop, account_id):
    """Step 1: SIGKILL the sync in the middle of reading the shop."""
    shop.app.reset_log()
    process = odoo.task("sync", account_id=account_id)
    wait_until(
        lambda: len(shop.app.requests_to("GET", r"/orderrows$")) >= 40 or process.poll() is not None,
        120,
        0.05,
        "the sync reads order rows",
    )
    check(process.poll() is None, "the sync was still fetching when killed")
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored = odoo.scalar("SELECT count(*) FROM connector_order WHERE account_id = %s", [account_id])
    watermark = odoo.scalar("SELECT order_watermark FROM connector_account WHERE id = %s", [account_id])
    check(stored == 0 and watermark is None, "killed sync: nothing stored, watermark unchanged")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args(argv)
    started = time.monotonic()
    odoo = OdooInstance(f"cnb_crash_{os.getpid()}", channels="root:2")
    shop = Shop()
    summary = {"orders": args.orders}
    with Scenario(summary, odoo, shop, args.keep) as run:
        log(f"database {odoo.db}: installing shop_ccv")
        odoo.create("shop_ccv")
        log(f"installed ({time.monotonic() - started:.0f} s)")
        account_id = odoo.run_task("setup", url=shop.url, catalogue=CATALOGUE)["account_id"]
        shop.add_orders(args.orders)
        expected = shop.order_ids()
        log(f"{len(expected)} orders in the shop ({time.monotonic() - started:.0f} s)")

        kill_sync_while_fetching(odoo, shop, account_id)

        result = odoo.run_task("sync", account_id=account_id)
        check(result["stats"]["new"] == args.orders, f"sync stored all {args.orders} orders")
        jobs = import_jobs(odoo)
        check(sum(jobs.values()) == args.orders, f"one import job per order ({jobs})")

        log("starting the Odoo server (job worker)")
        odoo.start_server()
        third = args.orders // 3
        wait_until(
            lambda: parked(odoo, account_id) or len(counts(odoo, account_id)) >= third,
            120,
            0.1,
            f"{third} sale orders",
        )
        odoo.stop_server(signal.SIGKILL)
        at_kill = len(counts(odoo, account_id))
        jobs = import_jobs(odoo)
        summary["killed_at"] = at_kill
        summary["jobs_at_kill"] = jobs
        log(f"server killed with {at_kill} sale orders; jobs {jobs}")
        check(at_kill < args.orders, "the server was killed in the middle of the import")
        # the jobs the dead server was running are requeued once they are 10 s old: a
        # restart that soon finds them at once (sooner, the runner's next look is a minute away)
        time.sleep(10)

        odoo.start_server()
        result = odoo.run_task("sync", account_id=account_id)
        check(result["stats"]["new"] == 0, "the sync after the restart stores no order again")
        wait_all_imported(odoo, account_id, expected, 150)
        assert_exactly_once(odoo, account_id, expected, "after the kill")

        # --- two syncs of the same account at the same time -------------------------
        shop.add_orders(60)
        expected = shop.order_ids()
        start_at = time.time() + 6  # both processes are up by then
        first = odoo.task("sync", account_id=account_id, start_at=start_at)
        second = odoo.task("sync", account_id=account_id, start_at=start_at)
        results = [task_result(p, *p.communicate(timeout=120), "sync") for p in (first, second)]
        summary["concurrent_syncs"] = results
        log(f"concurrent syncs: {json.dumps(results)}")
        overlap = min(r.get("ended", r["started"]) for r in results) - max(r["started"] for r in results)
        check(overlap > -0.5, "the two syncs ran at the same time")
        check(
            sum(r.get("stats", {}).get("new", 0) for r in results) == 60,
            "the 60 new orders were stored by the two syncs together, each once",
        )
        check(
            odoo.scalar("SELECT count(*) FROM queue_job WHERE method_name = '_import_job'")
            == args.orders + 60,
            "one import job per order, none twice",
        )
        wait_all_imported(odoo, account_id, expected, 120)
        assert_exactly_once(odoo, account_id, expected, "after two concurrent syncs")
        odoo.stop_server(signal.SIGTERM)
        locks = odoo.sql(
            """SELECT l.locktype, l.mode, a.state FROM pg_locks l
                 JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE a.datname = %s AND l.pid <> pg_backend_pid()""",
            [odoo.db],
        )
        check(not locks, f"no lock left in the database ({locks})")
        idle = odoo.scalar(
            """SELECT count(*) FROM pg_stat_activity
                WHERE datname = %s AND state LIKE 'idle in transaction%%'""",
            [odoo.db],
        )
        check(not idle, "no transaction left open")
        errors = [line for line in odoo.server_errors() if "queue_job" not in line or "dead" not in line]
        summary["server_errors"] = len(errors)
    return run.exit_code


if __name__ == "__main__":
    sys.exit(main())
