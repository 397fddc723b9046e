# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MijnWebwinkel faults table, and the tokens kept out of every log and message.

MijnWebwinkel authenticates with two tokens in the query string of every request:
the place a secret leaks most easily (request logs of urllib3 and of the client,
error messages that quote the URL). Each row's outcome: see
connector_base/tests/fault_matrix.py.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo import Command
from odoo.addons.connector_base.tests.fault_matrix import (
    Fault,
    FaultMatrixMixin,
    capture_logs,
    recorded_waits,
    secret_sinks,
)
from odoo.tests import tagged
from tests.emulators.mijnwebwinkel import PARTNER_TOKEN, SHOP_TOKEN

from .common import SEEDED_NAMES, MijnWebwinkelCommon, ean13, new_emulator

ORDERS = r"/orders$"
COUNT = r"/orders/count$"
REFUSED = "MijnWebwinkel refused the credentials (401"

# Of the seeded paid orders, three are kept (fewer sale orders to build per row): a
# Dutch consumer, a German business buyer (VIES), and one with a discount and payment costs.
KEEP = ("1001", "1003", "1004")
# Clean sync: 1 count request, 1 listing request (3 paid orders, pages of 100).
FAULTS = [
    Fault("429", ORDERS, "retried", requests=2, waits=(1.0,)),  # Retry-After: 1
    Fault("429-no-retry-after", ORDERS, "retried", requests=2),  # own backoff
    Fault("500", COUNT, "retried", requests=2),
    Fault("502", ORDERS, "retried", count=2, requests=3),
    Fault("503", ORDERS, "retried", requests=2),
    Fault("reset", ORDERS, "retried", requests=2),
    Fault("reset", COUNT, "retried", count=2, requests=3),
    # not JSON: the sync stops with a message, the job queue's next run reads it again
    Fault("malformed", ORDERS, "failed", text="MijnWebwinkel answered with malformed JSON"),
    # a page that ends early: the count says more are due, the next page starts after it
    Fault("truncate", ORDERS, "complete", requests=2),
    Fault("expired-token", COUNT, "failed", text=REFUSED),
    # expired in the middle of the run (after the count): nothing half-stored
    Fault("expired-token", ORDERS, "failed", text=REFUSED, requests=1),
]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def channel_time(order):
    """The order's status change (shop time) as naive UTC: what drives the watermark."""
    local = datetime.fromisoformat(f"{order['status_changed_date']} {order['status_changed_time']}")
    return local.replace(tzinfo=AMSTERDAM).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestMijnWebwinkelFaults(FaultMatrixMixin, MijnWebwinkelCommon):
    api_prefix = "/v1"

    @classmethod
    def _create_catalogue(cls):
        """Only the simple articles the kept orders sell (the e2e class builds the rest)."""
        for i, name in enumerate(SEEDED_NAMES, start=1):
            cls.env["product.product"].create(
                {
                    "name": name,
                    "default_code": f"DEMO-{i:03d}",
                    "barcode": ean13(f"40000000000{i}"[-12:].rjust(12, "0")),
                    "list_price": float((Decimal("9.95") + 5 * i) / Decimal("1.19")),
                    "taxes_id": [Command.set(cls.tax_19.ids)],
                }
            )

    def new_channel(self):
        self.emulator = new_emulator()
        for number in [n for n, order in self.emulator.orders.items() if n not in KEEP]:
            del self.emulator.orders[number]
        self.server.httpd.app = self.emulator
        return self.emulator

    def expected_orders(self, emulator):
        return {number: channel_time(emulator.orders[number]) for number in KEEP}

    def test_fault_table(self):
        self.run_table(FAULTS)

    def assert_no_token(self, logs, tokens, label):
        sinks = [("logs", logs.text), *secret_sinks(self.env, self.account)]
        for token in tokens:
            for where, text in sinks:
                self.assertNotIn(token, text, f"{label}: token in {where}")

    def test_tokens_never_reach_logs_messages_or_jobs(self):
        """Failing runs with DEBUG logging of the client, urllib3 and requests: the tokens
        appear nowhere a person or an operator reads (the request lines are redacted)."""
        self.new_channel()
        wrong = "wrong-shop-token-1f3a9c"
        self.account.sudo().mijnwebwinkel_shop_token = wrong
        with capture_logs() as logs, recorded_waits():
            action = self.account.action_sync_orders()
            self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(REFUSED, action["params"]["message"])
        self.assertIn("token=[REDACTED]", logs.text, "the request lines are logged, redacted")
        self.assert_no_token(logs, [wrong, PARTNER_TOKEN], "wrong token")
        self.assertNotIn(wrong, action["params"]["message"])

        # right tokens, but the shop drops every connection: retries, then a failure
        self.account.sudo().mijnwebwinkel_shop_token = SHOP_TOKEN
        self.emulator.inject("reset", count=5, path=r"^/v1/orders")
        with capture_logs() as logs, recorded_waits():
            action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("could not be reached", action["params"]["message"])
        self.assert_no_token(logs, [SHOP_TOKEN, PARTNER_TOKEN], "connection resets")

        # a successful run queues one job per order: its arguments carry no token
        with capture_logs() as logs:
            self.account.with_context(queue_job__no_delay=False)._sync_orders()
        jobs = self.env["queue.job"].search([("method_name", "=", "_import_job")])
        self.assertEqual(len(jobs), len(KEEP))
        self.assert_no_token(logs, [SHOP_TOKEN, PARTNER_TOKEN], "queued jobs")
