# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland faults table: each fault the emulator can inject, during a real order sync
and a real stock push (queued job, performed as the job runner does).

Order rows: outcomes of connector_base/tests/fault_matrix.py. Stock rows:

- ``retried``: the client retries within the job; the amounts arrive in the same run;
- ``complete``: a malformed body or a short page is asked once more; same run;
- ``postponed``: the job goes back to the queue (pending, ``eta`` later, the reason as
  its result); nothing is marked as sent; it succeeds when it runs again;
- ``refused``: the keys were refused: the job ends without retrying, the bindings,
  a stock log line and the account (in error) say what to check; the next push,
  once Kaufland accepts the keys, sends everything.

Kaufland documents 111 requests per second per seller and no Retry-After
(channel-apis.md 2.3): a 429 without it waits one second; one with it is honoured.
"""

import re
from contextlib import closing, nullcontext
from datetime import timedelta

from odoo import fields
from odoo.addons.connector_base.tests.fault_matrix import (
    Fault,
    FaultMatrixMixin,
    Waits,
    capture_logs,
    recorded_waits,
    secret_sinks,
    short_client_timeout,
)
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.tests import tagged
from tests.emulators.kaufland import DEMO_SECRET_KEY, now_utc

from .common import ACME_BILLING, ACME_SHIPPING, ERIKA, PETR, KauflandCommon

P = "/v2"
ORDER_UNITS = r"/order-units$"
UNITS = r"/units$"
BULK = r"/units/bulk$"
REFUSED = "Kaufland refused the credentials"
SIGNATURE = f"{REFUSED} (401: Signature is not valid). Check the Client Key and Secret Key"
CLIENT_KEY = f"{REFUSED} (401: Invalid client key). Check the Client Key and Secret Key"
INACTIVE = f"{REFUSED} (403: Access denied: the seller account is inactive). Check the Client Key"

# Clean sync: one GET /order-units per storefront (de, cz); new orders need no GET /orders.
ORDER_FAULTS = [
    Fault("429", ORDER_UNITS, "retried", requests=3, waits=(1.0,)),  # Retry-After: 1
    Fault("429-no-retry-after", ORDER_UNITS, "retried", requests=3, waits=(1,)),  # the 1 s window
    Fault("500", ORDER_UNITS, "retried", requests=3),
    Fault("502", ORDER_UNITS, "retried", count=2, requests=4),
    Fault("503", ORDER_UNITS, "retried", count=3, requests=5),
    Fault("reset", ORDER_UNITS, "retried", requests=3),
    # still failing after the client's 4 retries: a clear message and log line, nothing stored
    Fault("500", ORDER_UNITS, "failed", count=5, text="server error 500 on GET /v2/order-units", requests=5),
    Fault("502", ORDER_UNITS, "failed", count=5, text="server error 502 on GET /v2/order-units", requests=5),
    Fault(
        "503",
        ORDER_UNITS,
        "failed",
        count=5,
        text="server error 503 on GET /v2/order-units",
        requests=5,
        state="draft",  # as before the sync: the keys are fine, the account is not in error
    ),
    # not JSON, or a page shorter than its total says: asked once more
    Fault("malformed", ORDER_UNITS, "complete", requests=3),
    Fault("malformed", ORDER_UNITS, "failed", count=2, text="malformed JSON", requests=2),
    Fault("truncate", ORDER_UNITS, "complete", requests=3),
    Fault("truncate", ORDER_UNITS, "failed", count=2, text="incomplete page", requests=2),
    # refused keys: one request, no retry, the account in error with what to check
    Fault("401-signature", ORDER_UNITS, "failed", text=SIGNATURE, requests=1, state="error"),
    Fault("401-credentials", ORDER_UNITS, "failed", text=CLIENT_KEY, requests=1, state="error"),
    Fault("403-inactive", ORDER_UNITS, "failed", text=INACTIVE, requests=1, state="error"),
]

# Clean push (3 bindings without storefront, storefronts de and cz): GET /units de,
# POST /units/bulk de, GET /units cz, POST /units/bulk cz.
STOCK_FAULTS = [
    Fault("429-no-retry-after", UNITS, "retried", requests=3, waits=(1,)),
    Fault("429", BULK, "retried", requests=3, waits=(1.0,)),
    Fault("500", BULK, "retried", requests=3),
    Fault("502", UNITS, "retried", count=2, requests=4),
    Fault("503", BULK, "retried", count=3, requests=5),
    Fault("reset", BULK, "retried", requests=3),
    Fault("500", UNITS, "postponed", count=5, text="server error 500 on GET /v2/units", requests=5),
    Fault("502", BULK, "postponed", count=5, text="server error 502 on POST /v2/units/bulk", requests=5),
    Fault("503", BULK, "postponed", count=5, text="server error 503 on POST /v2/units/bulk", requests=5),
    Fault("malformed", UNITS, "complete", requests=3),
    Fault("malformed", UNITS, "postponed", count=2, text="malformed JSON", requests=2),
    # an answer to the bulk that cannot be read: sent again later (amounts are absolute)
    Fault("malformed", BULK, "postponed", text="malformed JSON", requests=1),
    Fault("truncate", UNITS, "complete", requests=3),
    Fault("truncate", UNITS, "postponed", count=2, text="incomplete page", requests=2),
    Fault("401-signature", UNITS, "refused", text=SIGNATURE, requests=1),
    Fault("401-credentials", BULK, "refused", text=CLIENT_KEY, requests=1),
    Fault("403-inactive", BULK, "refused", text=INACTIVE, requests=1),
]
# What the stock push must leave in Kaufland: on hand in Odoo, where the seller offers it.
AMOUNTS = {("SHIRT-1", "de"): 50, ("MUG-1", "de"): 20, ("BOOK-1", "de"): 5, ("SHIRT-1", "cz"): 50}


@tagged("post_install", "-at_install")
class TestKauflandFaults(FaultMatrixMixin, KauflandCommon):
    api_prefix = P

    # --- order import -------------------------------------------------------------

    def new_channel(self):
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator
        now = now_utc()
        emu = self.emulator
        self.seeded = {
            emu.add_order(
                [("SHIRT-1", 2, 1999, 19), ("BOOK-1", 1, 1200, 7)],
                ERIKA,
                "erika@example.com",
                created=now - timedelta(hours=5),
            ): now - timedelta(hours=5),
            emu.add_order(
                [("MUG-1", 3, 950, 19)],
                ACME_SHIPPING,
                "einkauf@acme.example",
                billing=ACME_BILLING,
                created=now - timedelta(hours=4),
            ): now - timedelta(hours=4),
            emu.add_order(
                [("SHIRT-1", 1, 49900, 21)],
                PETR,
                "petr.novak@example.cz",
                storefront="cz",
                created=now - timedelta(hours=3),
                shipping_rate=9900,
            ): now - timedelta(hours=3),
        }
        # already sent: not an import status, never a sale order
        emu.add_order([("BOOK-1", 1, 1200, 7)], ERIKA, "sent@example.de", status="sent")
        emu.reset_log()
        return emu

    def expected_orders(self, emulator):
        return dict(self.seeded)

    def run_fault(self, fault):
        logs = super().run_fault(fault)
        self.assert_no_secret(logs, fault)
        return logs

    def assert_no_secret(self, logs, label, secrets=(DEMO_SECRET_KEY,)):
        for secret in secrets:
            for where, text in [("logs", logs.text), *secret_sinks(self.env, self.account)]:
                self.assertNotIn(secret, text, f"{label}: secret key in {where}")

    def test_order_fault_table(self):
        self.run_table(ORDER_FAULTS)

    def test_order_timeout_is_retried(self):
        """A real timeout (10 s: the shortest Odoo's tests allow), then the retry succeeds."""
        logs = self.run_fault(Fault("timeout", ORDER_UNITS, "retried", requests=3))
        self.assertIn("Kaufland could not be reached (ReadTimeout) for GET /v2/order-units", logs.text)

    # --- stock push -------------------------------------------------------------------

    def new_stock_channel(self):
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator
        self.bindings = self.env["connector.product.binding"].create(
            [
                {
                    "account_id": self.account.id,
                    "product_id": product.id,
                    "external_sku": product.default_code,
                }
                for product in (self.product_shirt, self.product_mug, self.product_book)
            ]
        )
        return self.emulator

    def amounts(self):
        return {(sku, sf): self.emulator.offer(sku, sf)["amount"] for sku, sf in AMOUNTS}

    def push_stock(self):
        """Queue the push (as the cron does) and run its job as the job runner does:
        a RetryableJobError puts the job back in the queue for later."""
        queued = self.account.with_context(queue_job__no_delay=False)._export_stock()
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_push_stock_job"), ("state", "=", "pending")], order="id"
        )
        self.assertEqual((queued, len(jobs)), (3, 1), "one job for the 3 SKUs")
        return self.run_job(jobs)

    def run_job(self, record):
        job = Job.load(self.env, record.uuid)
        try:
            with self.env.cr.savepoint():
                job.perform()
        except RetryableJobError as exc:
            job.postpone(result=str(exc), seconds=exc.seconds)
            job.set_pending(reset_retry=False)
        else:
            job.set_done()
        job.store()
        return record

    def run_stock_fault(self, fault):
        emulator = self.new_stock_channel()
        before, state = self.amounts(), self.account.state
        path = f"^{re.escape(P)}{fault.path}"
        emulator.inject(fault.kind, count=fault.count, path=path)
        label = f"stock: {fault.kind} x{fault.count} on {fault.path}"
        if fault.kind == "timeout":
            emulator.timeout_seconds = 11
            clock, timeout = nullcontext(Waits()), short_client_timeout()
        else:
            clock, timeout = recorded_waits(), nullcontext()
        with capture_logs() as logs, clock as waits, timeout:
            job = self.push_stock()
        self.assertFalse(emulator.faults, f"{label}: the fault was not hit")
        method = "POST" if fault.path == BULK else "GET"
        if fault.requests is not None:
            self.assertEqual(len(emulator.requests_to(method, path)), fault.requests, f"{label}: requests")
        if fault.waits is not None:
            self.assertEqual(list(waits)[: len(fault.waits)], list(fault.waits), f"{label}: waits")
        pushed = self.bindings.filtered("stock_pushed")
        if fault.outcome in ("retried", "complete"):
            self.assertEqual(job.state, "done", f"{label}: {job.result}")
            self.assertEqual(self.amounts(), AMOUNTS, label)
            self.assertEqual(pushed, self.bindings, label)
            self.assertEqual(self.logs(flow="stock", state="done").message, "3 quantities sent.")
            if fault.outcome == "retried":
                self.assertTrue(re.search(r"retry 1/\d", logs.text), f"{label}: no retry was logged")
        elif fault.outcome == "postponed":
            self.assertEqual(job.state, "pending", f"{label}: back in the queue")
            self.assertEqual(job.retry, 1, label)
            self.assertIn(fault.text, job.result, label)
            self.assertGreater(job.eta, fields.Datetime.now() + timedelta(seconds=30), f"{label}: eta")
            self.assertFalse(pushed, f"{label}: nothing is marked as sent")
            self.assertEqual(self.account.state, state, f"{label}: the keys are fine")
            # the runner takes it again at its eta, Kaufland answers normally
            self.run_job(job)
            self.assertEqual(job.state, "done", f"{label}: {job.result}")
        elif fault.outcome == "refused":
            self.assertEqual(job.state, "done", f"{label}: no retry of refused keys")
            self.assertEqual(len(emulator.requests_to()), 1 if fault.path == UNITS else 2, f"{label}: calls")
            self.assertEqual(self.amounts(), before, f"{label}: nothing changed in Kaufland")
            self.assertFalse(pushed, label)
            self.assertEqual(set(self.bindings.mapped("last_error")), {job.result}, label)
            self.assertIn(fault.text, job.result, label)
            log = self.logs(flow="stock", state="error")
            self.assertEqual(log.message, f"Stock batch of 3 SKUs refused: {job.result}", label)
            self.assertEqual((self.account.state, self.account.last_error), ("error", job.result), label)
            # the next push (cron) once Kaufland accepts the keys again
            self.push_stock()
            self.assertEqual(self.account.state, "connected", label)
        # nothing lost: every amount arrived, every binding knows its unit
        self.assertEqual(self.amounts(), AMOUNTS, label)
        self.assertEqual(self.bindings.filtered("stock_pushed"), self.bindings, label)
        self.assertFalse(any(self.bindings.mapped("last_error")), label)
        self.assertEqual(
            self.bindings.mapped("external_id"),
            [str(self.emulator.offer(sku)["id_unit"]) for sku in ("SHIRT-1", "MUG-1", "BOOK-1")],
        )
        self.assert_no_secret(logs, label)
        return logs

    def test_stock_fault_table(self):
        for fault in STOCK_FAULTS:
            with self.subTest(kind=fault.kind, path=fault.path, count=fault.count):
                with closing(self.env.cr.savepoint()):
                    self.run_stock_fault(fault)

    def test_stock_timeout_is_retried(self):
        logs = self.run_stock_fault(Fault("timeout", BULK, "retried", requests=3))
        self.assertIn("Kaufland could not be reached (ReadTimeout) for POST /v2/units/bulk", logs.text)

    # --- secrets -------------------------------------------------------------------------

    def test_secret_never_reaches_logs_messages_or_jobs(self):
        """A wrong secret key through every flow, with DEBUG logs of the client, urllib3 and
        requests: neither the wrong nor the right key appears where people or operators read."""
        self.new_stock_channel()
        self.new_channel()
        wrong = "f" * 64
        self.account.sudo().kaufland_secret_key = wrong
        with capture_logs() as logs, recorded_waits():
            action = self.account.action_sync_orders()
            queued = self.account.with_context(queue_job__no_delay=False)._export_stock()
            self.run_job(self.env["queue.job"].search([("method_name", "=", "_push_stock_job")]))
            self.account.action_test_connection()
        self.assertEqual(queued, 3)
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(SIGNATURE, action["params"]["message"])
        self.assertEqual(self.account.state, "error")
        self.assertIn(SIGNATURE, self.logs(flow="stock", state="error").message)
        self.account.sudo().kaufland_secret_key = DEMO_SECRET_KEY
        with capture_logs() as more:
            self.account.with_context(queue_job__no_delay=False)._sync_orders()
        self.assertEqual(len(self.env["queue.job"].search([("method_name", "=", "_import_job")])), 3)
        logs.lines += more.lines
        self.assert_no_secret(logs, "wrong key", secrets=(wrong, DEMO_SECRET_KEY))
