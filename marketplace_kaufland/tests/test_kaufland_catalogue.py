# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Catalogue import end to end: the seller's Kaufland units (GET /units, real HTTP to the
emulator) are bound to Odoo's products; the stock push then reaches exactly those units."""

from odoo import Command
from odoo.tests import tagged

from .common import KauflandCommon


@tagged("post_install", "-at_install")
class TestKauflandCatalogue(KauflandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        base = {"is_storable": True, "taxes_id": [Command.set(cls.tax_19.ids)], "list_price": 30.0}
        # same EAN, another reference than the offer id on Kaufland
        cls.lamp = Product.create(dict(base, name="Lamp", default_code="ODOO-LAMP", barcode="4012345000017"))
        cls.dups = Product.create(
            [
                dict(base, name="Bag red", default_code="KL-BAG"),
                dict(base, name="Bag blue", default_code="KL-BAG"),
            ]
        )
        cls.env["stock.quant"]._update_available_quantity(cls.lamp, cls.warehouse.lot_stock_id, 4)
        cls.account.kaufland_storefronts = "de"

    def setUp(self):
        super().setUp()
        emu = self.emulator
        emu.add_offer("KL-LAMP", self.lamp.barcode, "Stehlampe", 3999, amount=2)
        emu.add_offer("KL-BAG", "4012345000024", "Tasche", 1499, amount=9)
        emu.add_offer("KL-UNKNOWN", "4012345000031", "Unbekannt", 999, amount=1)

    def listing(self, sku):
        return self.env["connector.listing"].search([("account_id", "=", self.account.id), ("sku", "=", sku)])

    def test_import_binds_units_and_stock_reaches_them(self):
        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["unmatched"], stats["conflict"]), (4, 1, 1))
        for sku, product in (
            ("SHIRT-1", self.product_shirt),
            ("MUG-1", self.product_mug),
            ("BOOK-1", self.product_book),
            ("KL-LAMP", self.lamp),
        ):
            listing = self.listing(sku)
            unit = self.emulator.offer(sku)
            self.assertEqual((listing.state, listing.product_id), ("bound", product), sku)
            self.assertEqual(listing.binding_id.external_id, str(unit["id_unit"]))
            self.assertEqual(listing.binding_id.external_sku, sku)
        self.assertEqual(self.listing("KL-LAMP").match_method, "ean")
        self.assertEqual(self.lamp.default_code, "ODOO-LAMP")  # the Odoo product is not changed
        unknown = self.listing("KL-UNKNOWN")
        self.assertEqual((unknown.state, unknown.title, unknown.price), ("unmatched", "Unbekannt", 9.99))
        self.assertEqual(self.listing("KL-BAG").state, "conflict")
        self.assertIn("2 products", self.listing("KL-BAG").reason)

        bindings = self.env["connector.product.binding"].search([("account_id", "=", self.account.id)])
        self.account._import_catalogue()
        self.assertEqual(
            self.env["connector.product.binding"].search([("account_id", "=", self.account.id)]), bindings
        )

        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 4)
        amounts = {
            sku: self.emulator.offer(sku)["amount"] for sku in ("SHIRT-1", "MUG-1", "BOOK-1", "KL-LAMP")
        }
        self.assertEqual(amounts, {"SHIRT-1": 50, "MUG-1": 20, "BOOK-1": 5, "KL-LAMP": 4})
        self.assertEqual(self.emulator.offer("KL-UNKNOWN")["amount"], 1)
        self.assertEqual(self.emulator.offer("KL-BAG")["amount"], 9)

    def test_offers_on_two_storefronts_are_two_bindings(self):
        # the seeded shirt is offered on de and cz: one listing and one binding per storefront
        self.account.kaufland_storefronts = "de,cz"
        self.account._import_catalogue()
        shirts = self.listing("SHIRT-1")
        self.assertEqual(sorted(shirts.mapped("storefront")), ["cz", "de"])
        self.assertEqual(set(shirts.mapped("state")), {"bound"}, shirts.mapped("reason"))
        self.assertEqual(shirts.product_id, self.product_shirt)
        bindings = self.env["connector.product.binding"].search(
            [("account_id", "=", self.account.id), ("product_id", "=", self.product_shirt.id)]
        )
        self.assertEqual(sorted(bindings.mapped("storefront")), ["cz", "de"])
