# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon faults table, through python-amazon-sp-api against the SP-API + LWA emulator.

Each row injects a fault into a real order sync (see connector_base/tests/fault_matrix.py
for the outcomes). Amazon specifics: a 429 carries ``x-amzn-RateLimit-Limit`` (the rate
the operation's usage plan allows), not Retry-After, and is waited out for one token at
that rate; an expired access token is a 403 Unauthorized, renewed once through LWA; the
billing addresses come from a report whose failure never stops the orders.
"""

import inspect
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo.addons.connector_base.tests.fault_matrix import (
    Fault,
    FaultMatrixMixin,
    capture_logs,
    recorded_waits,
    secret_sinks,
)
from odoo.addons.marketplace_amazon import client as amazon_client
from odoo.tests import tagged
from tests.emulators.amazon import LWA_CLIENT_SECRET, REFRESH_TOKEN
from tests.emulators.amazon import _now as emulator_now

from .common import ACME_BILLING, ACME_SHIPPING, ERIKA_BILLING, ERIKA_BUYER, ERIKA_SHIPPING, AmazonCommon

SEARCH = r"/orders/2026-01-01/orders$"
LWA = r"/auth/o2/token$"
CREATE_REPORT = r"/reports/2021-06-30/reports$"
DENIED = "Amazon denied access while reading orders (403"
LOG_NAMES = ("odoo.addons", "sp_api", "httpx", "httpcore")

# Clean sync: 1 token request, 1 searchOrders, then the invoicing report.
FAULTS = [
    # Amazon's 429: no Retry-After, x-amzn-RateLimit-Limit 0.0056 (searchOrders usage plan):
    # one token at that rate is 1 / 0.0056 s away
    Fault("429-no-retry-after", SEARCH, "retried", requests=2, waits=(1 / 0.0056,)),
    Fault("429-no-retry-after", CREATE_REPORT, "retried", waits=(1 / 0.0167,)),
    Fault("500", SEARCH, "retried", requests=2, waits=(2.0,)),
    Fault("503", SEARCH, "retried", count=2, requests=3, waits=(2.0, 4.0)),
    # the same fault on every try: the sync stops with the reason, nothing half-stored
    Fault("503", SEARCH, "failed", count=5, requests=5, text="Amazon failed (503) while reading orders"),
    Fault("500", LWA, "retried"),
    Fault("reset", SEARCH, "retried", requests=2),
    # a 200 whose body is not JSON: asked again
    Fault("malformed", SEARCH, "retried", requests=2),
    # an expired access token: renewed through LWA once, no retry needed
    Fault("expired-token", SEARCH, "complete", requests=2),
    # 403 Unauthorized again with a new token: the app lost its authorization or role
    Fault("expired-token", SEARCH, "failed", count=2, requests=2, text=DENIED, state="error"),
    # the invoicing report cannot be requested: the orders come without billing address
    Fault("500", CREATE_REPORT, "complete", count=5),
]


@contextmanager
def amazon_timeout(seconds):
    """Amazon clients built meanwhile give up after ``seconds`` (httpx: Odoo's tests leave it)."""
    init = amazon_client.AmazonClient.__init__
    names = list(inspect.signature(init).parameters)
    defaults = list(init.__defaults__)
    defaults[names.index("timeout") - (len(names) - len(defaults))] = seconds
    with patch.object(init, "__defaults__", tuple(defaults)):
        yield


@tagged("post_install", "-at_install")
class TestAmazonFaults(FaultMatrixMixin, AmazonCommon):
    def new_channel(self):
        amazon_client.clear_token_cache()
        amazon_client._shared_limiters.clear()
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator
        self.emulator.public_url = self.server.url
        now = emulator_now()
        self.erika = self.emulator.add_order(
            [{"sku": "SHIRT-1", "qty": 2, "price": "19.99"}],
            created=now - timedelta(hours=5),
            buyer=ERIKA_BUYER,
            address=ERIKA_SHIPPING,
            billing=ERIKA_BILLING,
        )
        self.acme = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 3, "price": "9.50"}],
            created=now - timedelta(hours=4),
            buyer={"name": "Max Muster", "email": "m4x8acme@marketplace.amazon.de"},
            address=ACME_SHIPPING,
            billing=ACME_BILLING,
        )
        return self.emulator

    def expected_orders(self, emulator):
        return {
            order_id: emulator.orders[order_id]["updated"].replace(microsecond=0)
            for order_id in (self.erika, self.acme)
        }

    def test_fault_table(self):
        self.run_table(FAULTS)

    def test_timeout_is_retried(self):
        """A real timeout (1 s, the emulator answers after 3 s), then the retry succeeds."""
        emulator = self.new_channel()
        emulator.timeout_seconds = 3
        emulator.inject("timeout", path=f"^{SEARCH}")
        # real sleeps here: the emulator's handler sleeps through time.sleep too
        with capture_logs(*LOG_NAMES) as logs, amazon_timeout(1):
            action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertFalse(emulator.faults)
        self.assertIn(
            "no answer within the timeout (ReadTimeout) while reading orders, retry 1/4 in 2 s", logs.text
        )
        self.assertEqual(len(emulator.requests_to("GET", SEARCH)), 2)
        self.assert_all_once(self.expected_orders(emulator), "timeout")

    # --- LWA refusals ------------------------------------------------------------------

    def assert_refused(self, field, wrong, code, hint):
        emulator = self.new_channel()
        right = self.account.sudo()[field]
        self.account.sudo()[field] = wrong
        with capture_logs(*LOG_NAMES) as logs, recorded_waits():
            action = self.account.action_sync_orders()
        message = action["params"]["message"]
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(code, message)
        self.assertIn(hint, message)
        self.assertEqual(self.account.state, "error")
        self.assertIn(hint, self.account.last_error)
        self.assertFalse(self.account.order_watermark)
        self.assertFalse(self.stored_ids(), "nothing stored")
        self.assertFalse(emulator.requests_to("GET", SEARCH), "no API call without a token")
        # the right credentials again: every order once
        self.account.sudo()[field] = right
        self.account._sync_orders()
        self.assertEqual(self.account.state, "connected")
        self.assert_all_once(self.expected_orders(emulator), code)
        sinks = [("logs", logs.text), *secret_sinks(self.env, self.account)]
        for secret in (wrong, LWA_CLIENT_SECRET, REFRESH_TOKEN):
            for where, text in sinks:
                self.assertNotIn(secret, text, f"{code}: secret in {where}")

    def test_invalid_client_says_check_the_client_id_and_secret(self):
        self.assert_refused(
            "amazon_lwa_client_secret",
            "amzn1.oa2-cs.v1.wrong-secret-5c1d",
            "invalid_client",
            "Copy both again from the app's LWA credentials in Seller Central",
        )

    def test_invalid_grant_says_authorize_again(self):
        self.assert_refused(
            "amazon_refresh_token",
            "Atzr|IwEBI-revoked-token-9f2e",
            "invalid_grant",
            "Authorize the app again in Seller Central and paste the new refresh token",
        )

    # --- the invoicing report ---------------------------------------------------------------

    def assert_report_fault_loses_nothing(self, text):
        """The orders are imported at once; the warning says why the billing address is missing;
        the next sync's report brings it as invoice address."""
        emulator = self.emulator
        expected = self.expected_orders(emulator)
        with capture_logs(*LOG_NAMES), recorded_waits():
            action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assert_all_once(expected, text)
        (warning,) = self.logs(flow="order", state="warning")
        self.assertIn(text, warning.message)
        self.assertIn("the next synchronization asks Amazon's invoicing report again", warning.message)
        erika = self.sale_of(self.erika)
        self.assertEqual(erika.partner_invoice_id.street, "Packstation 105")
        emulator.report_polls, emulator.report_outcome = 1, "DONE"
        with recorded_waits():
            self.account._sync_orders()
        self.assert_all_once(expected, text)
        self.assertEqual(erika.partner_invoice_id.street, "Heidestraße 17")
        self.assertEqual(self.sale_of(self.acme).partner_invoice_id.street, "Industriestraße 5")

    def test_report_that_never_finishes(self):
        self.new_channel().report_polls = 10**6
        self.assert_report_fault_loses_nothing("was not ready after 12 checks")
        self.assertEqual(len(self.emulator.requests_to("GET", r"/reports/2021-06-30/reports/\d+$")), 12 + 1)

    def test_fatal_report(self):
        self.new_channel().report_outcome = "FATAL"
        self.assert_report_fault_loses_nothing("Amazon could not build report")

    # --- the merchant's language ------------------------------------------------------------

    def test_german_and_dutch_users_read_the_refusal_in_their_language(self):
        """The client's messages are translated where the engine reads them: a German user's
        sync shows the hint in German, with Amazon's own code and text untranslated; the
        phrase saying what was running ("beim Abrufen der Bestellungen") too."""
        self.assertTrue(self.env["res.lang"]._lang_get("de_DE"), "German is active in the test database")
        self.new_channel()
        right = self.account.sudo().amazon_lwa_client_secret
        self.account.sudo().amazon_lwa_client_secret = "amzn1.oa2-cs.v1.wrong-secret-5c1d"
        with capture_logs(*LOG_NAMES), recorded_waits():
            action = self.account.with_context(lang="de_DE").action_sync_orders()
        message = action["params"]["message"]
        self.assertIn("Kopieren Sie beide erneut aus den LWA-Zugangsdaten der App in Seller Central", message)
        self.assertIn("(invalid_client", message)
        self.assertNotIn("Copy both again", message)

        self.account.sudo().amazon_lwa_client_secret = right
        emulator = self.new_channel()
        emulator.inject("503", count=5, path=SEARCH)
        with capture_logs(*LOG_NAMES), recorded_waits():
            action = self.account.with_context(lang="nl_NL").action_sync_orders()
        self.assertIn(
            "Fout bij Amazon (503) bij het ophalen van de bestellingen", action["params"]["message"]
        )
        # the log and the English test language are unchanged
        emulator.inject("503", count=5, path=SEARCH)
        with capture_logs(*LOG_NAMES), recorded_waits():
            action = self.account.action_sync_orders()
        self.assertIn("Amazon failed (503) while reading orders", action["params"]["message"])
