# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Catalogue import end to end: the shop's CCV products (GET /products, signed HTTP to the
emulator) are bound to Odoo's products; one unknown product is created in Odoo from its
listing; the stock push then reaches exactly the bound products."""

from odoo import Command
from odoo.tests import tagged

from .common import ERIKA, CcvCommon


@tagged("post_install", "-at_install")
class TestCcvCatalogue(CcvCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        base = {"is_storable": True, "taxes_id": [Command.set(cls.tax_19.ids)], "list_price": 30.0}
        cls.lamp = Product.create(dict(base, name="Lamp", default_code="ODOO-LAMP", barcode="4012345000017"))
        cls.dups = Product.create(
            [
                dict(base, name="Bag red", default_code="CCV-BAG"),
                dict(base, name="Bag blue", default_code="CCV-BAG"),
            ]
        )
        cls.env["stock.quant"]._update_available_quantity(cls.lamp, cls.warehouse.lot_stock_id, 4)

    def setUp(self):
        super().setUp()
        emu = self.emulator
        self.lamp_item = emu.add_product("CCV-LAMP", "Stehlampe", 39.99, ean=self.lamp.barcode, stock=2)
        self.bag_item = emu.add_product("CCV-BAG", "Tasche", 14.99, ean="4012345000024", stock=9)
        self.new_item = emu.add_product("CCV-NEW", "Kerze", 11.90, ean="4012345000031", stock=3)

    def listing(self, sku):
        return self.env["connector.listing"].search([("account_id", "=", self.account.id), ("sku", "=", sku)])

    def item(self, sku):
        return next(p for p in self.emulator.products.values() if p["productnumber"] == sku)

    def test_import_binds_products_and_stock_reaches_them(self):
        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["unmatched"], stats["conflict"]), (4, 1, 1))
        for sku, product in (
            ("SHIRT-1", self.product_shirt),
            ("MUG-1", self.product_mug),
            ("BOOK-1", self.product_book),
            ("CCV-LAMP", self.lamp),
        ):
            listing = self.listing(sku)
            self.assertEqual((listing.state, listing.product_id), ("bound", product), sku)
            self.assertEqual(listing.binding_id.external_id, str(self.item(sku)["id"]))
            self.assertEqual(listing.binding_id.external_sku, sku)
        self.assertEqual(self.listing("CCV-LAMP").match_method, "ean")
        self.assertEqual(self.lamp.default_code, "ODOO-LAMP")
        self.assertEqual(self.listing("CCV-BAG").state, "conflict")
        new = self.listing("CCV-NEW")
        self.assertEqual((new.state, new.title, new.ean), ("unmatched", "Kerze", "4012345000031"))

        # one click: the Odoo product, bound to the CCV product
        new.action_create_product()
        self.assertEqual(new.state, "bound")
        self.assertEqual((new.product_id.default_code, new.product_id.barcode), ("CCV-NEW", "4012345000031"))
        self.assertEqual(new.binding_id.external_id, str(self.new_item["id"]))

        bindings = self.env["connector.product.binding"].search([("account_id", "=", self.account.id)])
        products = self.env["product.product"].search_count([])
        self.account._import_catalogue()
        self.assertEqual(
            self.env["connector.product.binding"].search([("account_id", "=", self.account.id)]), bindings
        )
        self.assertEqual(self.env["product.product"].search_count([]), products)

        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 5)
        stock = {
            sku: self.item(sku)["stock"] for sku in ("SHIRT-1", "MUG-1", "BOOK-1", "CCV-LAMP", "CCV-NEW")
        }
        self.assertEqual(stock, {"SHIRT-1": 50, "MUG-1": 20, "BOOK-1": 5, "CCV-LAMP": 4, "CCV-NEW": 0})
        self.assertEqual(self.item("CCV-BAG")["stock"], 9)
        self.assertFalse(self.received("PATCH", rf"/products/{self.bag_item['id']}"))

    def test_unreadable_product_is_a_conflict_and_the_others_are_imported(self):
        # the shop sends one product's price as "9,95" (not a JSON number): that listing
        # cannot be read, every other one is still bound and gets its stock
        broken = self.emulator.add_product("CCV-BROKEN", "Kapotte prijs", "9,95", stock=1)
        stats = self.account._import_catalogue()

        listing = self.env["connector.listing"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(broken["id"]))]
        )
        self.assertEqual(
            (listing.state, listing.sku, listing.title), ("conflict", "CCV-BROKEN", "Kapotte prijs")
        )
        self.assertIn("9,95", listing.reason)
        self.assertEqual((stats["bound"], stats["unmatched"], stats["conflict"]), (4, 1, 2))
        self.assertEqual(self.listing("CCV-LAMP").state, "bound")

        self.emulator.reset_log()
        self.account._export_stock()
        self.assertEqual(self.item("CCV-LAMP")["stock"], 4)
        self.assertEqual(broken["stock"], 1)  # never bound: its stock is not touched

    def test_attribute_combinations_are_bound_to_variants_and_get_their_stock(self):
        # Odoo: a pullover in S, M, L ("Size"); the account maps CCV's attribute "Maat" to it
        size = self.env["product.attribute"].create(
            {"name": "Size", "value_ids": [Command.create({"name": n}) for n in ("S", "M", "L")]}
        )
        template = self.env["product.template"].create(
            {
                "name": "Pullover",
                "connector_parent_sku": "CCV-PULL",
                "is_storable": True,
                "taxes_id": [Command.set(self.tax_19.ids)],
                "attribute_line_ids": [
                    Command.create({"attribute_id": size.id, "value_ids": [Command.set(size.value_ids.ids)]})
                ],
            }
        )
        variants = {v.product_template_attribute_value_ids.name: v for v in template.product_variant_ids}
        variants["S"].default_code = "PULL-S"
        variants["L"].barcode = "4012345000109"
        self.account.attribute_mapping_ids = [
            Command.create({"kind": "attribute", "attribute_id": size.id, "channel_name": "Maat"})
        ]
        stock = self.warehouse.lot_stock_id
        for name, qty in (("S", 3), ("M", 5), ("L", 2)):
            self.env["stock.quant"]._update_available_quantity(variants[name], stock, qty)
        # CCV: the product CCV-PULL with four combinations, each with its own stock; S has
        # its product number, L its EAN, M and XL nothing but their attribute value
        emu = self.emulator
        pull = emu.add_product("CCV-PULL", "Pullover", 49.95, stock=0, stocktype="attributecombination")
        combos = {
            "S": emu.add_combination(pull["id"], "PULL-S", stock=9, values=[("Maat", "S")]),
            "M": emu.add_combination(pull["id"], "", stock=9, values=[("Maat", "M")]),
            "L": emu.add_combination(pull["id"], "", ean="4012345000109", stock=9, values=[("Maat", "L")]),
            "XL": emu.add_combination(pull["id"], "", stock=9, values=[("Maat", "XL")]),
        }

        self.account._import_catalogue()
        Listing = self.env["connector.listing"]
        for name, method in (("S", "sku"), ("M", "attributes"), ("L", "ean")):
            listing = Listing.search(
                [
                    ("account_id", "=", self.account.id),
                    ("external_id", "=", f"combination:{combos[name]['id']}"),
                ]
            )
            self.assertEqual(
                (listing.state, listing.match_method, listing.product_id),
                ("bound", method, variants[name]),
                name,
            )
            self.assertEqual((listing.parent_sku, listing.attributes), ("CCV-PULL", {"Maat": name}))
        xl = Listing.search(
            [("account_id", "=", self.account.id), ("external_id", "=", f"combination:{combos['XL']['id']}")]
        )
        self.assertEqual(xl.state, "unmatched")
        self.assertIn("Maat: XL", xl.reason)
        # the product that only groups the combinations is no listing of its own
        self.assertFalse(Listing.search([("account_id", "=", self.account.id), ("sku", "=", "CCV-PULL")]))

        self.emulator.reset_log()
        self.account._export_stock()
        self.assertEqual({name: c["stock"] for name, c in combos.items()}, {"S": 3, "M": 5, "L": 2, "XL": 9})
        patches = self.received("PATCH", r"/attributecombinations/\d+")
        self.assertEqual(sorted(r.json["stock"] for r in patches), [2, 3, 5])
        self.assertEqual(pull["stock"], 0)
        self.assertFalse(self.received("PATCH", rf"/products/{pull['id']}"))

        # an order of M (no numbers: the row names the product and the chosen "Maat: M")
        # and of L (the row carries the combination's EAN) books the two Odoo variants
        order = emu.add_order(ERIKA, [(combos["M"], 2), (combos["L"], 1)])
        self.assertEqual(
            [
                (r["product_number"], r["sub_product_number"], r["attributes"][0]["value_name"])
                for r in emu.rows[order["id"]]
            ],
            [("CCV-PULL", "", "M"), ("CCV-PULL", "", "L")],
        )
        self.account._sync_orders()
        sale = self.sale_of(order)
        self.assertEqual(
            sorted(
                (line.product_id.id, line.product_uom_qty) for line in sale.order_line if not line.is_delivery
            ),
            sorted([(variants["M"].id, 2), (variants["L"].id, 1)]),
        )
        self.assertAlmostEqual(sale.amount_total, order["total_price"], places=2)
