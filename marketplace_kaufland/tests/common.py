# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland end-to-end test base: the Seller API emulator in a thread, real HTTP.

The HTTP server is started once per class; every test gets a fresh emulator
application (offers of the test products) plugged into it, so emulator state never
leaks from one test to the next while the database is rolled back by Odoo.
"""

from datetime import timedelta

from odoo.addons.connector_base.tests.common import ConnectorCommon
from tests.emulators.base import EmulatorServer
from tests.emulators.kaufland import DEMO_ACCOUNT_VALUES, KauflandEmulator, now_utc

ERIKA = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "street": "Heidestraße",
    "house_number": "17",
    "postcode": "51147",
    "city": "Köln",
    "country": "DE",
    "phone": "+49 221 1234567",
}
ACME_BILLING = {
    "first_name": "Max",
    "last_name": "Muster",
    "company_name": "ACME Handels GmbH",
    "street": "Industriestraße",
    "house_number": "5",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
}
ACME_SHIPPING = {
    "first_name": "Lager",
    "last_name": "ACME",
    "company_name": "ACME Handels GmbH",
    "street": "Hafenweg",
    "house_number": "2",
    "postcode": "20457",
    "city": "Hamburg",
    "country": "DE",
    "additional_field": "Tor 3",
}
PETR = {
    "first_name": "Petr",
    "last_name": "Novák",
    "street": "Václavské náměstí",
    "house_number": "1",
    "postcode": "11000",
    "city": "Praha",
    "country": "CZ",
}
LENA = {
    "first_name": "Lena",
    "last_name": "Gruber",
    "street": "Mariahilfer Straße",
    "house_number": "45",
    "postcode": "1060",
    "city": "Wien",
    "country": "AT",
}


class KauflandCommon(ConnectorCommon):
    """ConnectorCommon with a Kaufland account (storefronts de and cz) against the emulator."""

    provider = "kaufland"

    @classmethod
    def setUpClass(cls):
        cls.server = EmulatorServer(KauflandEmulator()).start()
        cls.addClassCleanup(cls.server.stop)
        super().setUpClass()
        # cz sells in CZK: the German test company must know that currency.
        cls.env.ref("base.CZK").active = True

    @classmethod
    def _account_vals(cls):
        return {
            **DEMO_ACCOUNT_VALUES,
            "name": "Kaufland Test",
            "api_base_url": f"{cls.server.url}/v2",
            "kaufland_storefronts": "de,cz",
        }

    def setUp(self):
        super().setUp()
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator

    def _new_emulator(self, **kwargs):
        """A fresh emulator with the seller's offers of the test products (SKU = offer id)."""
        emulator = KauflandEmulator(**kwargs)
        for product, price in (
            (self.product_shirt, 1999),
            (self.product_mug, 950),
            (self.product_book, 1200),
        ):
            emulator.add_offer(product.default_code, product.barcode, product.name, price, amount=7)
        emulator.add_offer(
            self.product_shirt.default_code, self.product_shirt.barcode, "T-Shirt", 49900, 3, "cz"
        )
        return emulator

    # --- orders in the emulator ----------------------------------------------------

    def seed_orders(self):
        """The standard order set; returns ``{name: id_order}``.

        - ``erika``: de consumer, 2 shirts + 1 book (19 % and 7 %), 3.90 shipping
        - ``acme``: de business buyer (company name), other delivery address, 3 mugs
        - ``petr``: cz consumer in CZK, 1 shirt, 99 CZK shipping
        - ``erika2``: the repeat customer, 1 mug
        - ``partly``: 2 shirts, one unit cancelled (NoInventory)
        - ``gone``: every unit cancelled before import
        - ``sent``: already sent (not an import status)
        - ``open``: not yet released (``open``)
        - ``vienna``: on storefront at, which the account does not sell on
        """
        emu = self.emulator
        now = now_utc()
        ids = {
            "erika": emu.add_order(
                [("SHIRT-1", 2, 1999, 19), ("BOOK-1", 1, 1200, 7)],
                ERIKA,
                "erika.mustermann@example.com",
                created=now - timedelta(hours=5),
            ),
            "acme": emu.add_order(
                [("MUG-1", 3, 950, 19)],
                ACME_SHIPPING,
                "einkauf@acme.example",
                billing=ACME_BILLING,
                created=now - timedelta(hours=4),
                shipping_rate=0,
            ),
            "petr": emu.add_order(
                [("SHIRT-1", 1, 49900, 21)],
                PETR,
                "petr.novak@example.cz",
                storefront="cz",
                created=now - timedelta(hours=3),
                shipping_rate=9900,
            ),
            "erika2": emu.add_order(
                [("MUG-1", 1, 950, 19)],
                ERIKA,
                "Erika.Mustermann@Example.COM",  # the repeat order types it otherwise
                created=now - timedelta(hours=2),
            ),
            "partly": emu.add_order(
                [("SHIRT-1", 2, 1999, 19)],
                LENA | {"country": "DE", "postcode": "80331", "city": "München"},
                "lena.gruber@example.de",
                created=now - timedelta(hours=2),
            ),
            "gone": emu.add_order(
                [("MUG-1", 1, 950, 19)], ERIKA, "eva@example.de", created=now - timedelta(hours=2)
            ),
            "sent": emu.add_order(
                [("BOOK-1", 1, 1200, 7)],
                ERIKA,
                "sent@example.de",
                created=now - timedelta(hours=6),
                status="sent",
            ),
            "open": emu.add_order(
                [("BOOK-1", 1, 1200, 7)],
                ERIKA,
                "open@example.de",
                created=now - timedelta(hours=6),
                status="open",
            ),
            "vienna": emu.add_order(
                [("SHIRT-1", 1, 1999, 20)], LENA, "lena@example.at", storefront="at", created=now
            ),
        }
        partly_units = emu.units_of_order(ids["partly"])
        emu.set_unit_status(partly_units[1]["id_order_unit"], "cancelled", "NoInventory")
        emu.set_unit_status(
            emu.units_of_order(ids["gone"])[0]["id_order_unit"], "cancelled", "BuyerCancelled"
        )
        emu.reset_log()
        return ids

    # --- helpers -----------------------------------------------------------------------

    def connector_order(self, external_id):
        return self.env["connector.order"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", external_id)]
        )

    def sale_of(self, external_id):
        record = self.connector_order(external_id)
        self.assertEqual(record.state, "done", record.message)
        return record.sale_order_id

    def account_sales(self):
        return self.env["sale.order"].search([("connector_account_id", "=", self.account.id)])

    def logs(self, **domain):
        return self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()]
        )
