# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Catalogue import end to end: the seller's Amazon listings (searchListingsItems over real
HTTP to the SP-API emulator) are bound to Odoo's products; the stock push then reaches
exactly the bound listings."""

from odoo import Command
from odoo.addons.connector_base.tests.common import ConnectorCommon
from odoo.addons.marketplace_amazon.client import clear_token_cache
from odoo.tests import tagged
from tests.emulators.amazon import (
    DE,
    LWA_CLIENT_ID,
    LWA_CLIENT_SECRET,
    REFRESH_TOKEN,
    SELLER_ID,
    AmazonEmulator,
)
from tests.emulators.base import EmulatorServer


@tagged("post_install", "-at_install")
class TestAmazonCatalogue(ConnectorCommon):
    provider = "amazon"

    @classmethod
    def setUpClass(cls):
        cls.emulator = AmazonEmulator(rate_limits=False)
        cls.server = EmulatorServer(cls.emulator).start()
        cls.addClassCleanup(cls.server.stop)
        cls.emulator.url = cls.server.url
        clear_token_cache()
        cls.addClassCleanup(clear_token_cache)
        super().setUpClass()
        base = {"is_storable": True, "taxes_id": [Command.set(cls.tax_19.ids)], "list_price": 30.0}
        Product = cls.env["product.product"]
        cls.lamp = Product.create(dict(base, name="Lamp", default_code="ODOO-LAMP", barcode="4012345000017"))
        cls.env["stock.quant"]._update_available_quantity(cls.lamp, cls.warehouse.lot_stock_id, 4)
        emu = cls.emulator
        for n, product in enumerate((cls.product_shirt, cls.product_mug, cls.product_book), start=1):
            emu.add_listing(
                product.default_code,
                f"B0CAT0000{n}",
                "19.99",
                quantity=7,
                title=product.name,
                ean=product.barcode,
            )
        # add_listing(ean=) only fills the catalogue item: the listing's own attributes carry it
        emu.add_listing(
            "AMZ-LAMP",
            "B0CAT00010",
            "39.99",
            quantity=2,
            title="Stehlampe",
            ean=cls.lamp.barcode,
            attributes={
                "externally_assigned_product_identifier": [{"type": "ean", "value": cls.lamp.barcode}]
            },
        )
        emu.add_listing(
            "AMZ-UNKNOWN", "B0CAT00011", "9.99", quantity=1, title="Unbekannt", ean="4012345000031"
        )

    @classmethod
    def _account_vals(cls):
        return {
            "name": "Amazon Test",
            "api_base_url": cls.server.url,
            "amazon_lwa_client_id": LWA_CLIENT_ID,
            "amazon_lwa_client_secret": LWA_CLIENT_SECRET,
            "amazon_refresh_token": REFRESH_TOKEN,
            "amazon_seller_id": SELLER_ID,
            "amazon_marketplace_ids": DE,
        }

    def listing(self, sku):
        return self.env["connector.listing"].search([("account_id", "=", self.account.id), ("sku", "=", sku)])

    def test_import_binds_listings_and_stock_reaches_them(self):
        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["unmatched"], stats["conflict"]), (4, 1, 0))
        for sku, product, asin in (
            ("SHIRT-1", self.product_shirt, "B0CAT00001"),
            ("MUG-1", self.product_mug, "B0CAT00002"),
            ("BOOK-1", self.product_book, "B0CAT00003"),
            ("AMZ-LAMP", self.lamp, "B0CAT00010"),
        ):
            listing = self.listing(sku)
            self.assertEqual((listing.state, listing.product_id), ("bound", product), sku)
            self.assertEqual((listing.binding_id.external_id, listing.binding_id.external_sku), (asin, sku))
        self.assertEqual(self.listing("AMZ-LAMP").match_method, "ean")
        self.assertEqual(self.listing("AMZ-UNKNOWN").state, "unmatched")

        bindings = self.env["connector.product.binding"].search([("account_id", "=", self.account.id)])
        self.account._import_catalogue()
        self.assertEqual(
            self.env["connector.product.binding"].search([("account_id", "=", self.account.id)]), bindings
        )

        self.assertEqual(self.account._export_stock(), 4)
        quantities = {sku: self.emulator.listings[sku]["quantity"] for sku in self.emulator.listings}
        self.assertEqual(
            quantities, {"SHIRT-1": 50, "MUG-1": 20, "BOOK-1": 5, "AMZ-LAMP": 4, "AMZ-UNKNOWN": 1}
        )

    def test_two_skus_on_one_asin_are_two_listings(self):
        """Listings are keyed by seller SKU: a new and a used offer of one ASIN are two
        listings, each bound to its product; a listing stored by ASIN is re-keyed, not doubled."""
        base = {"is_storable": True, "taxes_id": [Command.set(self.tax_19.ids)], "list_price": 30.0}
        Product = self.env["product.product"]
        new = Product.create(dict(base, name="Kettle", default_code="KETTLE-NEW"))
        used = Product.create(dict(base, name="Kettle (used)", default_code="KETTLE-USED"))
        for sku, price in (("KETTLE-NEW", "39.90"), ("KETTLE-USED", "24.90")):
            self.emulator.add_listing(sku, "B0KETTLE99", price, quantity=1, title="Wasserkocher")
            self.addCleanup(self.emulator.listings.pop, sku)
        # what an upgraded database holds: the used SKU's listing stored by its ASIN, bound by hand
        legacy_binding = self.env["connector.product.binding"].create(
            {
                "account_id": self.account.id,
                "product_id": used.id,
                "external_id": "B0KETTLE99",
                "external_sku": "KETTLE-USED",
            }
        )
        legacy = self.env["connector.listing"].create(
            {
                "account_id": self.account.id,
                "external_id": "B0KETTLE99",
                "sku": "KETTLE-USED",
                "state": "bound",
                "match_method": "manual",
                "product_id": used.id,
                "binding_id": legacy_binding.id,
            }
        )

        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["conflict"], stats["gone"]), (6, 0, 0))
        listings = self.env["connector.listing"].search(
            [("account_id", "=", self.account.id), ("amazon_asin", "=", "B0KETTLE99")]
        )
        self.assertEqual(
            sorted((x.sku, x.external_id, x.state, x.product_id.id) for x in listings),
            [("KETTLE-NEW", False, "bound", new.id), ("KETTLE-USED", False, "bound", used.id)],
        )
        self.assertIn(legacy, listings, "the stored listing is kept under its SKU")
        self.assertEqual(legacy.match_method, "manual", "a person's binding stays")
        self.assertEqual(
            sorted((b.external_sku, b.external_id, b.product_id.id) for b in listings.binding_id),
            [("KETTLE-NEW", "B0KETTLE99", new.id), ("KETTLE-USED", "B0KETTLE99", used.id)],
        )
        self.assertFalse(self.env["connector.sync.log"].search([("message", "ilike", "same listing id")]))
        # both SKUs get their own stock
        self.env["stock.quant"]._update_available_quantity(new, self.warehouse.lot_stock_id, 3)
        self.env["stock.quant"]._update_available_quantity(used, self.warehouse.lot_stock_id, 1)
        self.account._export_stock()
        self.assertEqual(
            (
                self.emulator.listings["KETTLE-NEW"]["quantity"],
                self.emulator.listings["KETTLE-USED"]["quantity"],
            ),
            (3, 1),
        )

    def test_product_bound_to_another_sku_is_a_conflict(self):
        """A second SKU of the same ASIN that matches the already bound product by EAN does not
        take its binding over: it waits in conflict with the reason."""
        for sku in ("AMZ-LAMP-B",):
            self.emulator.add_listing(
                sku,
                "B0CAT00010",
                "35.00",
                quantity=1,
                title="Stehlampe B-Ware",
                attributes={
                    "externally_assigned_product_identifier": [{"type": "ean", "value": self.lamp.barcode}]
                },
            )
            self.addCleanup(self.emulator.listings.pop, sku)
        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["conflict"]), (4, 1))
        lamp, second = self.listing("AMZ-LAMP"), self.listing("AMZ-LAMP-B")
        self.assertEqual((lamp.state, lamp.binding_id.external_sku), ("bound", "AMZ-LAMP"))
        self.assertEqual(second.state, "conflict")
        self.assertIn("already bound to the Amazon listing with SKU AMZ-LAMP", second.reason)
        bindings = self.env["connector.product.binding"].search(
            [("account_id", "=", self.account.id), ("product_id", "=", self.lamp.id)]
        )
        self.assertEqual(bindings.mapped("external_sku"), ["AMZ-LAMP"])
