# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop faults table: each fault the emulator can inject, during a real sync.

Outcomes (see connector_base/tests/fault_matrix.py): ``retried`` (the same sync
succeeds), ``failed`` (clear message and log line, watermark and store untouched),
``parked`` (the affected order waits for a person with the reason), ``partial`` (the
sync stored less; the watermark stays behind what it missed). After each row the
shop answers normally again and the next sync leaves every order exactly once.
"""

from odoo.addons.connector_base.tests.fault_matrix import (
    Fault,
    FaultMatrixMixin,
    capture_logs,
    recorded_waits,
    secret_sinks,
)
from odoo.tests import tagged
from tests.emulators.ccv import DEMO_ACCOUNT_VALUES

from .common import CcvCommon, P
from .test_ccv_e2e import created_at

IMPORTABLE = ("erika", "acme", "erika2")  # of CcvCommon.seed_orders()
ORDERS = r"/orders$"
ROWS = r"/orders/\d+/orderrows$"

# Clean sync: 1 listing request, 3 row requests (one per importable order).
FAULTS = [
    Fault("429", ORDERS, "retried", requests=2, waits=(1.0,)),  # Retry-After: 1
    Fault("429-no-retry-after", ROWS, "retried", requests=4, waits=(10,)),  # CCV's 10 s
    Fault("500", ORDERS, "retried", requests=2),
    Fault("502", ROWS, "retried", count=2, requests=5),
    Fault("503", ORDERS, "retried", count=3, requests=4),
    Fault("reset", ORDERS, "retried", requests=2),
    # an answer that is not JSON carries no valid x-hash: discarded and asked again
    Fault("malformed", ORDERS, "retried", requests=2),
    Fault("malformed", ROWS, "retried", requests=4),
    # a listing cut short without a "next" link cannot be noticed: the orders it
    # lost are not stored, and the watermark stays behind them
    Fault("truncate", ORDERS, "partial", requests=1),
    # rows cut short: the amounts no longer add up, the order waits for a person.
    # (The next sync does not fetch a stored order's rows again: the order stays
    # parked; see the report of issue 12.)
    Fault("truncate", ROWS, "parked", text="differs from the channel's total", requests=3),
    Fault("expired-token", ORDERS, "failed", text="CCV Shop refused the credentials (401"),
    # expired in the middle of the run, after the listing: nothing half-stored
    Fault("expired-token", ROWS, "failed", text="CCV Shop refused the credentials (401", requests=1),
]


@tagged("post_install", "-at_install")
class TestCcvFaults(FaultMatrixMixin, CcvCommon):
    api_prefix = P

    def new_channel(self):
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator
        self.seeded = self.seed_orders()
        return self.emulator

    def expected_orders(self, emulator):
        return {str(self.seeded[name]["id"]): created_at(self.seeded[name]) for name in IMPORTABLE}

    def test_fault_table(self):
        self.run_table(FAULTS)

    def test_timeout_is_retried(self):
        """A real timeout (10 s: the shortest Odoo's tests allow), then the retry succeeds."""
        logs = self.run_fault(Fault("timeout", ORDERS, "retried", requests=2))
        self.assertIn("could not be reached (ReadTimeout)", logs.text)

    def test_secret_never_reaches_logs_messages_or_jobs(self):
        """A sync with a wrong secret, DEBUG logs of the client, urllib3 and requests: neither
        the wrong nor the right secret appears anywhere a person or an operator reads."""
        self.new_channel()
        wrong = "wrong-secret-77d0e1"
        self.account.sudo().ccv_secret_key = wrong
        with capture_logs() as logs, recorded_waits():
            action = self.account.action_sync_orders()
            self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Invalid hash", action["params"]["message"])
        self.account.sudo().ccv_secret_key = DEMO_ACCOUNT_VALUES["ccv_secret_key"]
        with capture_logs() as more:
            self.account.with_context(queue_job__no_delay=False)._sync_orders()
        self.assertEqual(len(self.env["queue.job"].search([("method_name", "=", "_import_job")])), 3)
        sinks = [("logs", logs.text + more.text), *secret_sinks(self.env, self.account)]
        for secret in (wrong, DEMO_ACCOUNT_VALUES["ccv_secret_key"]):
            for where, text in sinks:
                self.assertNotIn(secret, text, f"secret in {where}")
