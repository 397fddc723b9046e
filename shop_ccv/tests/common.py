# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop end-to-end test base: the REST API emulator in a thread, real signed HTTP.

The HTTP server is started once per class; every test plugs a fresh emulator
application into it (the shop's catalogue of the test products), so emulator state
never leaks from one test to the next while Odoo rolls the database back.

The test company is German (SKR03, 19 % / 7 %; ``l10n_nl`` is not installed in the
test database), so the emulated shop uses German tax tariffs: normal 19 %, low 7 %.
"""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.addons.connector_base import http_client
from odoo.addons.connector_base.tests.common import ConnectorCommon
from tests.emulators.base import EmulatorServer
from tests.emulators.ccv import DEMO_ACCOUNT_VALUES, GERMAN_TAX_TARIFFS, CcvEmulator, address, customer

P = "/api/rest/v1"


ERIKA = customer(
    "Erika.Mustermann@Example.com",
    address("Erika", "Mustermann", "Heidestraße", 17, "51147", "Köln", suffix="a"),
)
ACME = customer(
    "einkauf@acme.example",
    address("Max", "Muster", "Industriestraße", 5, "10115", "Berlin", company="ACME Handels GmbH"),
    delivery=address("Lager", "ACME", "Hafenweg", 2, "20457", "Hamburg", company="ACME Handels GmbH"),
    vat="DE811907980",
)
HANS = customer("hans@example.de", address("Hans", "Huber", "Marienplatz", 1, "80331", "München"))


class Waits(list):
    """Stands in for ``time.sleep`` of the HTTP clients: records the waits, does not wait."""

    def __call__(self, seconds):
        self.append(seconds)


class CcvCommon(ConnectorCommon):
    """ConnectorCommon with a CCV Shop account against the emulator."""

    provider = "ccv"

    @classmethod
    def setUpClass(cls):
        cls.server = EmulatorServer(CcvEmulator(tax_tariffs=GERMAN_TAX_TARIFFS)).start()
        cls.addClassCleanup(cls.server.stop)
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.shipping_product = Product.create(
            {
                "name": "Versandkosten",
                "type": "service",
                "default_code": "CCV-SHIPPING",
                "sale_ok": False,
                "taxes_id": [Command.set(cls.tax_19.ids)],
            }
        )
        cls.fee_product = Product.create(
            {
                "name": "Zahlungsgebühren",
                "type": "service",
                "default_code": "CCV-FEE",
                "sale_ok": False,
                "taxes_id": [Command.set(cls.tax_19.ids)],
            }
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "DHL Paket",
                "product_id": cls.shipping_product.id,
                "delivery_type": "fixed",
                "company_id": cls.company.id,
            }
        )
        cls.account.write(
            {
                "shipping_product_id": cls.shipping_product.id,
                "fee_product_id": cls.fee_product.id,
                # CCV's deliver_method "shipping" is sent with DHL in Odoo, reported back as "DHL"
                "shipping_mapping_ids": [
                    Command.create(
                        {"code": "shipping", "carrier_id": cls.carrier.id, "channel_carrier_code": "DHL"}
                    )
                ],
            }
        )

    @classmethod
    def _account_vals(cls):
        return {**DEMO_ACCOUNT_VALUES, "name": "CCV Test", "api_base_url": cls.server.url}

    def setUp(self):
        super().setUp()
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator

    def _new_emulator(self, **kwargs):
        """A fresh shop selling the test products (same SKUs and EANs as in Odoo)."""
        emulator = CcvEmulator(tax_tariffs=GERMAN_TAX_TARIFFS, **kwargs)
        emulator.add_category("Kleidung")
        for product, price, tariff in (
            (self.product_shirt, 19.99, "normal"),
            (self.product_mug, 9.5, "normal"),
            (self.product_book, 12.0, "low a"),
        ):
            emulator.add_product(
                product.default_code, product.name, price, ean=product.barcode, stock=7, taxtariff=tariff
            )
        return emulator

    # --- orders in the emulator ----------------------------------------------------

    def seed_orders(self):
        """The standard order set; returns ``{name: CCV order}``.

        - ``erika``: consumer, 2 shirts (19 %) + 1 book (7 %), 4.95 shipping, prices incl. VAT
        - ``acme``: company buyer with a VAT id and another delivery address, prices excl.
          VAT, 3 mugs, 1.19 payment costs, status 2 (In process)
        - ``erika2``: the repeat customer (e-mail in other case), a row discount of 2.00 on
          the shirt and a 5.00 coupon over both rates
        - ``unpaid``: waits for payment (status 4, not paid), created before the others
        - ``sent``: paid but already sent (status 5), ``cancelled``: status 8
        - ``abandoned``: a checkout that was never completed
        """
        emu = self.emulator
        now = datetime.now(UTC).replace(microsecond=0)
        orders = {
            "unpaid": emu.add_order(
                HANS, [("MUG-1", 1)], paid=False, status=4, created=now - timedelta(hours=5)
            ),
            "sent": emu.add_order(HANS, [("BOOK-1", 1)], status=5, created=now - timedelta(hours=4)),
            "cancelled": emu.add_order(HANS, [("BOOK-1", 2)], status=8, created=now - timedelta(hours=4)),
            "abandoned": emu.add_order(
                HANS, [("SHIRT-1", 1)], completed=False, created=now - timedelta(hours=4)
            ),
            "erika": emu.add_order(ERIKA, [("SHIRT-1", 2), ("BOOK-1", 1)], created=now - timedelta(hours=3)),
            "acme": emu.add_order(
                ACME,
                [("MUG-1", 3)],
                incl=False,
                status=2,
                paymethod="banktransfer",
                paymethod_costs=1.19,
                created=now - timedelta(hours=2),
            ),
            "erika2": emu.add_order(
                ERIKA,
                [("SHIRT-1", 1, 19.99, 2.0), ("BOOK-1", 1)],
                coupon={"code": "WELCOME5", "amount": 5.0},
                created=now - timedelta(hours=1),
            ),
        }
        emu.reset_log()
        return orders

    # --- helpers -----------------------------------------------------------------------

    @contextmanager
    def no_waiting(self):
        """Record the clients' backoff waits instead of sleeping (the clock, not the client,
        is replaced: every request still goes through real HTTP to the emulator)."""
        waits = Waits()
        with patch.object(http_client.time, "sleep", waits):
            yield waits

    def connector_order(self, order):
        return self.env["connector.order"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(order["id"]))]
        )

    def sale_of(self, order):
        record = self.connector_order(order)
        self.assertEqual(record.state, "done", record.message)
        return record.sale_order_id

    def account_sales(self):
        return self.env["sale.order"].search([("connector_account_id", "=", self.account.id)])

    def logs(self, **domain):
        return self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def received(self, method, path):
        """Requests the emulator received (``path`` is a regex after /api/rest/v1)."""
        return self.emulator.requests_to(method, f"^{P}{path}$")
