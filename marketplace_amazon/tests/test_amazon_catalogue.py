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
