"""Soak: a steady stream of channel orders through the whole pipeline for minutes.

    /opt/odoo-19.0/venv/bin/python bench/soak.py            (10 minutes, 60 orders/min)
    SOAK_MINUTES=2 SOAK_RATE=120 /opt/odoo-19.0/venv/bin/python bench/soak.py
    SOAK_MODE=cron   ... (the import cron on the accounts' default interval, no notifications)
    SOAK_MODE=notify ... (CCV webhooks registered; the cron as the safety net)

A CCV Shop emulator (this process, real signed HTTP) receives SOAK_RATE new paid
orders per minute. What fetches them (SOAK_MODE): ``sync-loop`` (default) a sync process
running the account's order sync every SOAK_SYNC_INTERVAL seconds (a fast cron set by
hand); ``cron`` Odoo's import cron (every minute) on the account's default polling
interval; ``notify`` the same cron plus the shop's webhooks, delivered to the server's
callback URL, each enqueuing one sync job. An Odoo server with the queue_job runner
and 2 job channels (``root:2``) imports them. Its own database (copied from
scripts/lib.sh's template), dropped at the end. Prints, per minute and in total:
orders imported per minute, latency from the order's creation in the channel to
its sale order (p50/p95), failures (parked orders, failed jobs, failed syncs),
duplicates (must be 0), the shop API calls per imported order, and the resident memory
of the server process.
"""

import json
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.reliability.harness import CATALOGUE, OdooInstance, Shop, log, task_result

MINUTES = float(os.environ.get("SOAK_MINUTES", "10"))
RATE = float(os.environ.get("SOAK_RATE", "60"))  # orders per minute
SYNC_INTERVAL = float(os.environ.get("SOAK_SYNC_INTERVAL", "10"))
MODE = os.environ.get("SOAK_MODE", "sync-loop")  # sync-loop | cron | notify
DRAIN = 90  # seconds allowed after the stream stops for the last orders to be imported


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def stream(shop, created, stop):
    """One order every 60/RATE seconds; remember when each was created."""
    period = 60.0 / RATE
    next_at = time.time()
    while not stop.is_set():
        [order] = shop.add_orders(1, created=datetime.now(UTC))
        created[str(order["id"])] = time.time()
        next_at += period
        stop.wait(max(0.0, next_at - time.time()))


def imported(odoo, account_id):
    """{channel order id: sale order creation (epoch)} and duplicates."""
    rows = odoo.sql(
        """SELECT connector_external_id, count(*), min(create_date) FROM sale_order
            WHERE connector_account_id = %s GROUP BY 1""",
        [account_id],
    )
    done = {eid: created.replace(tzinfo=UTC).timestamp() for eid, _n, created in rows}
    duplicates = sum(n - 1 for _eid, n, _c in rows if n > 1)
    return done, duplicates


def main():
    if MODE not in ("sync-loop", "cron", "notify"):
        raise SystemExit(f"SOAK_MODE must be sync-loop, cron or notify, not {MODE!r}")
    odoo = OdooInstance(
        f"cnb_soak_{os.getpid()}", channels="root:2", cron_threads=0 if MODE == "sync-loop" else 1
    )
    shop = Shop(seed=7)
    shop.app.deliver = "thread"  # webhooks (notify mode) arrive in the background, as from the real shop
    stop = threading.Event()
    created = {}
    samples = []
    try:
        how = f"sync every {SYNC_INTERVAL:g} s" if MODE == "sync-loop" else f"mode {MODE}"
        log(f"soak: {MINUTES:g} min, {RATE:g} orders/min, {how}, 2 job channels")
        odoo.create("shop_ccv")
        account_id = odoo.run_task("setup", url=shop.url, catalogue=CATALOGUE)["account_id"]
        if MODE == "notify":
            registered = odoo.run_task(
                "notifications", account_id=account_id, base_url=f"http://127.0.0.1:{odoo.port}"
            )
            log(f"webhooks: {registered['message']}")
        server = psutil.Process(odoo.start_server().pid)
        time.sleep(8)  # the job runner starts 5 s after the server
        shop.app.reset_log()  # count the API calls of the soak only
        start = time.time()
        until = start + MINUTES * 60
        syncer = None
        if MODE == "sync-loop":
            syncer = odoo.task(
                "sync_loop", account_id=account_id, interval=SYNC_INTERVAL, until=until + DRAIN / 2
            )
        producer = threading.Thread(target=stream, args=(shop, created, stop), daemon=True)
        producer.start()
        print(f"{'minute':>6} {'created':>8} {'imported':>9} {'orders/min':>10} {'rss MB':>8}", flush=True)
        last = 0
        minute = 0
        while time.time() < until:
            time.sleep(min(60, until - time.time()))
            minute += 1
            done, _dups = imported(odoo, account_id)
            rss = server.memory_info().rss / 2**20
            samples.append(rss)
            print(
                f"{minute:>6} {len(created):>8} {len(done):>9} {len(done) - last:>10} {rss:>8.0f}", flush=True
            )
            last = len(done)
        stop.set()
        producer.join()
        deadline = time.time() + DRAIN
        while time.time() < deadline and len(imported(odoo, account_id)[0]) < len(created):
            time.sleep(2)
        if syncer:
            sync_result = task_result(syncer, *syncer.communicate(timeout=DRAIN + 60), "sync_loop")
        else:
            sync_result = {
                "runs": odoo.scalar(
                    "SELECT count(*) FROM connector_sync_log WHERE account_id = %s AND flow = 'order'"
                    " AND message LIKE '%%orders fetched since%%'",
                    [account_id],
                ),
                "failures": odoo.scalar(
                    "SELECT count(*) FROM connector_sync_log WHERE account_id = %s AND flow = 'order'"
                    " AND state = 'error'",
                    [account_id],
                ),
            }
        api_calls = len([r for r in shop.app.requests_to() if "/webhooks" not in r.path])
        done, duplicates = imported(odoo, account_id)
        latencies = [done[eid] - created[eid] for eid in created if eid in done]
        parked = odoo.scalar(
            "SELECT count(*) FROM connector_order WHERE account_id = %s AND state = 'attention'", [account_id]
        )
        failed_jobs = odoo.scalar("SELECT count(*) FROM queue_job WHERE state = 'failed'")
        final_rss = server.memory_info().rss / 2**20
        figures = {
            "mode": MODE,
            "minutes": MINUTES,
            "rate_per_min": RATE,
            "orders_created": len(created),
            "orders_imported": len(done),
            "missing": len(set(created) - set(done)),
            "orders_per_min": round(len(done) / MINUTES, 1),
            "latency_p50_s": round(percentile(latencies, 50), 1),
            "latency_p95_s": round(percentile(latencies, 95), 1),
            "latency_max_s": round(max(latencies), 1) if latencies else None,
            "failures": {
                "parked": parked,
                "failed_jobs": failed_jobs,
                "failed_syncs": sync_result["failures"],
            },
            "sync_runs": sync_result["runs"],
            "api_calls": api_calls,
            "api_calls_per_order": round(api_calls / len(done), 2) if done else None,
            "webhook_deliveries": len(getattr(shop.app, "deliveries", [])),
            "duplicates": duplicates,
            "server_rss_mb": {
                "first_minute": round(samples[0]) if samples else None,
                "last_minute": round(samples[-1]) if samples else None,
                "after_drain": round(final_rss),
                "growth_per_min_after_first": round((samples[-1] - samples[0]) / max(1, len(samples) - 1), 1)
                if samples
                else None,
                "median": round(statistics.median(samples)) if samples else None,
            },
            "server_errors": len(odoo.server_errors()),
        }
        print(json.dumps(figures, indent=2), flush=True)
        for line in odoo.server_errors()[:5]:
            log(f"server error: {line.strip()[:400]}")
        return 0 if not duplicates and not figures["missing"] else 1
    finally:
        stop.set()
        shop.stop()
        odoo.drop()


if __name__ == "__main__":
    sys.exit(main())
