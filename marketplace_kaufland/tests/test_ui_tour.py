# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser test: an administrator connects a Kaufland shop in Odoo's web client.

The tour (static/tests/tours/kaufland_account_tour.js) creates the account against
the Kaufland emulator, tests the connection, synchronizes, opens the dashboard and
the order that needs attention, creates the missing product and retries the order.
"""

import os
import sys
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

# The suite's emulators live in the repository's top-level tests/ package.
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

from tests.emulators.base import EmulatorServer  # noqa: E402
from tests.emulators.kaufland import KauflandEmulator, ean13, now_utc  # noqa: E402

BUYER = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "street": "Heidestraße",
    "house_number": "17",
    "postcode": "51147",
    "city": "Köln",
    "country": "DE",
}


@tagged("post_install", "-at_install")
class TestKauflandUiTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = KauflandEmulator()
        cls.server = EmulatorServer(cls.emulator).start()
        cls.addClassCleanup(cls.server.stop)
        # A German company with its chart of accounts, the administrator working in it.
        company = cls.env["res.company"].create(
            {"name": "Tour Handel GmbH", "country_id": cls.env.ref("base.de").id, "vat": "DE123456788"}
        )
        cls.env["account.chart.template"].try_loading("de_skr03", company=company, install_demo=False)
        admin = cls.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        cls.company = company
        cls.mug = cls.env["product.product"].create(
            {"name": "Mug", "default_code": "MUG-1", "barcode": ean13("400000000301"), "list_price": 9.5}
        )
        # The shop's catalogue: the mug is known in Odoo, the lamp is not.
        cls.emulator.add_offer("MUG-1", cls.mug.barcode, "Mug", 950)
        cls.emulator.add_offer("LAMP-1", ean13("400000000302"), "Desk lamp", 2490)
        created = now_utc() - timedelta(hours=1)
        cls.known = cls.emulator.add_order(
            [("MUG-1", 2, 950, 19)], BUYER, "erika@example.com", created=created
        )
        cls.unknown = cls.emulator.add_order(
            [("LAMP-1", 1, 2490, 19)], BUYER, "erika@example.com", created=created
        )

    def _run_tour(self, tour):
        """Run the tour as the administrator; return the account it created."""
        # Jobs run at once in the browser's requests: no job runner in tests.
        with (
            patch.dict(os.environ, {"QUEUE_JOB__NO_DELAY": "1"}),
            mute_logger("odoo.addons.queue_job.utils"),
        ):
            self.start_tour(
                "/odoo",
                tour,
                login="admin",
                cookies={"kaufland_tour_emulator_port": str(self.server.httpd.server_address[1])},
                timeout=180,
            )
        return self.env["connector.account"].search([("name", "=", "Tour Kaufland")])

    def test_admin_connects_kaufland_and_fixes_a_parked_order(self):
        account = self._run_tour("marketplace_kaufland_account_tour")
        self.assertEqual(account.provider, "kaufland")
        self.assertEqual(account.state, "connected")
        orders = self.env["connector.order"].search([("account_id", "=", account.id)])
        self.assertEqual(sorted(orders.mapped("external_id")), sorted([str(self.known), str(self.unknown)]))
        self.assertEqual(set(orders.mapped("state")), {"done"})
        lamp_sale = orders.filtered(lambda o: o.external_id == str(self.unknown)).sale_order_id
        self.assertEqual(lamp_sale.order_line.product_id.mapped("default_code")[:1], ["LAMP-1"])
        self.assertEqual(lamp_sale.connector_account_id, account)

    def test_german_admin_sets_up_kaufland(self):
        """The same set-up by an administrator who works in German: the tour finds
        the German menu, notifications, status and dashboard texts."""
        self.env.ref("base.user_admin").lang = "de_DE"
        account = self._run_tour("marketplace_kaufland_account_tour_de")
        self.assertEqual(account.state, "connected")
        self.assertEqual(len(self.env["connector.order"].search([("account_id", "=", account.id)])), 2)
        # What the job wrote for the German administrator is German too.
        parked = self.env["connector.order"].search(
            [("account_id", "=", account.id), ("state", "=", "attention")]
        )
        self.assertIn("LAMP-1", parked.message)
        self.assertNotIn("No product", parked.message)
