# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A German merchant reads Kaufland's messages in German: the lazy texts of the adapter
and client are translated in the language of the user the sync runs as."""

import math
from unittest.mock import patch

from odoo import SUPERUSER_ID, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import KauflandCommon


@tagged("post_install", "-at_install")
class TestKauflandGerman(KauflandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.account_de = cls.account.with_context(lang="de_DE")

    def test_storefront_check_in_german(self):
        with self.assertRaisesRegex(ValidationError, "Unbekannte Kaufland-Storefront 'xx'"):
            self.account_de.kaufland_storefronts = "de,xx"

    def test_parked_order_and_order_note_in_german(self):
        ids = self.seed_orders()
        unit = self.emulator.units_of_order(ids["acme"])[0]
        self.emulator.order_units[unit["id_order_unit"]]["price"] = 9.5  # not cents
        with mute_logger("odoo.addons.marketplace_kaufland.client"):
            self.account_de._sync_orders()
        parked = self.connector_order(ids["acme"])
        self.assertEqual(parked.state, "attention")
        self.assertIn(
            f"Preis der Bestelleinheit {unit['id_order_unit']}: Betrag in Cent erwartet", parked.message
        )
        # the unit cancelled before import is named in the order's note, in German
        cancelled = self.emulator.units_of_order(ids["partly"])[1]["id_order_unit"]
        self.assertIn(
            f"Stornierte Kaufland-Bestelleinheiten: {cancelled} (NoInventory)",
            str(self.sale_of(ids["partly"]).note),
        )

    def test_refused_product_in_german(self):
        product = self.env["product.product"].create(
            {"name": "Ohne EAN", "default_code": "KL-NOEAN", "list_price": 10.0, "sale_ok": True}
        )
        self.account_de._push_products_job(product.ids)
        log = self.logs(flow="product", state="error")
        self.assertIn("KL-NOEAN: Kaufland führt Angebote über die EAN", log.message)

    def test_cron_writes_in_the_responsible_users_language(self):
        """The import cron runs as OdooBot (English): what it writes for the account, here a
        parked order's reason, is in the language of the account's responsible user."""
        merchant = self.env["res.users"].create(
            {
                "name": "Erika Händler",
                "login": "erika.haendler",
                "lang": "de_DE",
                "email": "erika@example.com",
            }
        )
        self.account.write({"responsible_user_id": merchant.id, "next_sync_at": fields.Datetime.now()})
        ids = self.seed_orders()
        unit = self.emulator.units_of_order(ids["acme"])[0]
        self.emulator.order_units[unit["id_order_unit"]]["price"] = 9.5  # not cents
        odoobot = self.env(user=SUPERUSER_ID, context=dict(self.env.context, lang="en_US"))
        with (
            # outside a running cron _commit_progress commits: not in a test transaction
            patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **kw: math.inf),
            mute_logger("odoo.addons.marketplace_kaufland.client"),
        ):
            odoobot["connector.account"]._cron_sync_orders()
        parked = self.connector_order(ids["acme"])
        self.assertEqual(parked.state, "attention")
        self.assertIn("Betrag in Cent erwartet", parked.message)
        self.assertIn("Betrag in Cent erwartet", parked.activity_ids.note)
