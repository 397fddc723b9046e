# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Catalogue import end to end: the shop's articles and variations (real HTTP to the
emulator) are bound to Odoo's products by SKU, then EAN; a variant (no SKU or EAN of its
own in MijnWebwinkel) by its article's SKU and its options, through the attribute
mapping; an unknown article with variations (Maat x Kleur) becomes one Odoo template
through the attribute mapping; the stock push then reaches exactly the bound articles and
variants (``PATCH /articles/{id}`` with ``variants: [{id, stock}]``)."""

from odoo import Command
from odoo.tests import tagged
from tests.emulators.mijnwebwinkel import ean13

from .common import MijnWebwinkelCommon

SCARF = [("S", "Rood"), ("M", "Rood"), ("S", "Blauw"), ("M", "Blauw")]


@tagged("post_install", "-at_install")
class TestMijnWebwinkelCatalogue(MijnWebwinkelCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        base = {"is_storable": True, "taxes_id": [Command.set(cls.tax_19.ids)], "list_price": 5.0}
        cls.dups = cls.env["product.product"].create(
            [
                dict(base, name="Dubbel A", default_code="DEMO-DUP"),
                dict(base, name="Dubbel B", default_code="DEMO-DUP"),
            ]
        )

    def setUp(self):
        super().setUp()
        emu = self.emulator
        lists = {lst["name"]: lst for lst in emu.lists.values()}
        emu.add_article(
            "SJAAL",
            "Sjaal wol",
            "29.95",
            lists=[lists["Maat"], lists["Kleur"]],
            variants=[
                (f"SJAAL-{size}-{colour.upper()}", {"Maat": size, "Kleur": colour}, n)
                for n, (size, colour) in enumerate(SCARF, start=1)
            ],
        )
        emu.add_article("DEMO-DUP", "Dubbel", "4.95", stock=3, ean=ean13("400000003999"))

    def listings(self, **domain):
        return self.env["connector.listing"].search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def test_import_binds_creates_variants_and_stock_reaches_them(self):
        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["unmatched"], stats["conflict"]), (12, 4, 1))
        for product in self.demo_products:
            listing = self.listings(sku=product.default_code)
            self.assertEqual(
                (listing.state, listing.match_method, listing.product_id), ("bound", "sku", product)
            )
            article = self.emulator.find_article(product.default_code)
            self.assertEqual(listing.binding_id.external_id, str(article["id"]))
        shirt = self.emulator.find_article("DEMO-010")
        for size in ("S", "M", "L"):
            # the shop's variant: only its id and options; Maat -> Size gives the Odoo variant
            shop = self.emulator.variant(f"DEMO-010-{size}")
            variant = self.tshirt.product_variant_ids.filtered(
                lambda v, s=size: v.default_code == f"TSHIRT-BIO-{s}"
            )
            listing = self.listings(external_id=f"{shirt['id']}:{shop['id']}")
            self.assertEqual(
                (listing.state, listing.match_method, listing.product_id), ("bound", "attributes", variant)
            )
            self.assertEqual((listing.parent_sku, listing.attributes), ("DEMO-010", {"Maat": size}))
            self.assertEqual(listing.binding_id.external_id, f"{shirt['id']}:{shop['id']}")
            self.assertEqual(variant.default_code, f"TSHIRT-BIO-{size}")  # unchanged
        self.assertIn("2 products", self.listings(sku="DEMO-DUP").reason)
        scarves = self.listings(parent_sku="SJAAL")
        self.assertEqual(set(scarves.mapped("state")), {"unmatched"})
        self.assertEqual(scarves[0].attributes.keys(), {"Maat", "Kleur"})

        # one click: one template, variants through the mapping (Maat -> Size, Kleur -> Colour)
        scarves[0].action_create_product()
        self.assertEqual(set(scarves.mapped("state")), {"bound"})
        template = scarves.product_id.product_tmpl_id
        self.assertEqual(len(template), 1)
        self.assertEqual(template.name, "Sjaal wol")
        self.assertEqual(template.attribute_line_ids.attribute_id, self.attr_size | self.attr_colour)
        self.assertEqual(len(template.product_variant_ids), 4)
        article = self.emulator.find_article("SJAAL")
        for variant in article["variants"]:
            listing = self.listings(external_id=f"{article['id']}:{variant['id']}")
            values = listing.product_id.product_template_attribute_value_ids.mapped("name")
            self.assertEqual(set(values), {o["name"] for o in variant["options"]})
            self.assertEqual(listing.binding_id.product_id, listing.product_id)

        bindings = self.env["connector.product.binding"].search([("account_id", "=", self.account.id)])
        products = self.env["product.product"].search_count([])
        stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["unmatched"], stats["new_bindings"]), (16, 0, 0))
        self.assertEqual(
            self.env["connector.product.binding"].search([("account_id", "=", self.account.id)]), bindings
        )
        self.assertEqual(self.env["product.product"].search_count([]), products)

        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 16)
        self.assertEqual(self.emulator.find_article("DEMO-001")["stock"], 10)
        # the T-shirt's variants had 5, 8 and 0 in the shop: now Odoo's 10 each, by variant id
        self.assertEqual([self.emulator.variant(f"DEMO-010-{s}")["stock"] for s in "SML"], [10, 10, 10])
        (patch,) = self.emulator.requests_to("PATCH", rf"/v1/articles/{shirt['id']}$")
        self.assertEqual(
            sorted(patch.json["variants"], key=lambda e: e["id"]),
            sorted(({"id": v["id"], "stock": 10} for v in shirt["variants"]), key=lambda e: e["id"]),
        )
        self.assertEqual({v["stock"] for v in self.emulator.find_article("SJAAL")["variants"]}, {0})
        self.assertEqual(self.emulator.find_article("DEMO-DUP")["stock"], 3)
