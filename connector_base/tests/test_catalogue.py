# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..exceptions import ChannelError
from ..schema import ChannelDataError, ChannelProduct, PushResult
from .common import ConnectorCommon

CAT_COUNT = 33
EAN_ONLY_COUNT = 5
SIMPLE_NEW = 4
HOODIE = [("S", "Rot"), ("M", "Rot"), ("S", "Blau"), ("M", "Blau")]


def ean(prefix, n):
    return f"{prefix}{n:05d}"


@tagged("post_install", "-at_install")
class TestCatalogue(ConnectorCommon):
    """A channel catalogue of 51 listings against Odoo's products.

    - 36 match by SKU (SHIRT-1, MUG-1, BOOK-1, CAT-001..033; CAT-033 has no channel id)
    - 5 only by EAN (channel SKU CH-E-00n, Odoo reference ODOO-E-00n)
    - 1 duplicate-SKU conflict (two Odoo products with internal reference DUP-1)
    - 1 listing matching two products (SKU -> SPLIT-A, EAN -> SPLIT-B)
    - 4 simple unknown listings, 4 unknown variants of parent HOODIE-P (Größe x Farbe)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        base = {"is_storable": True, "taxes_id": [Command.set(cls.tax_19.ids)], "list_price": 10.0}
        cls.cat_products = Product.create(
            [
                dict(
                    base, name=f"Catalogue item {n}", default_code=f"CAT-{n:03d}", barcode=ean("40990000", n)
                )
                for n in range(1, CAT_COUNT + 1)
            ]
        )
        cls.ean_products = Product.create(
            [
                dict(base, name=f"EAN item {n}", default_code=f"ODOO-E-{n:03d}", barcode=ean("40980000", n))
                for n in range(1, EAN_ONLY_COUNT + 1)
            ]
        )
        cls.dup_products = Product.create(
            [
                dict(base, name="Duplicate one", default_code="DUP-1"),
                dict(base, name="Duplicate two", default_code="DUP-1"),
            ]
        )
        cls.split_a = Product.create(
            dict(base, name="Split A", default_code="SPLIT-A", barcode="4097000000001")
        )
        cls.split_b = Product.create(
            dict(base, name="Split B", default_code="SPLIT-B", barcode="4097000000002")
        )
        cls.attr_size = cls.env["product.attribute"].create(
            {"name": "Size", "value_ids": [Command.create({"name": "S"}), Command.create({"name": "L"})]}
        )
        cls.account.attribute_mapping_ids = [
            Command.create({"kind": "attribute", "attribute_id": cls.attr_size.id, "channel_name": "Größe"})
        ]
        cls.catalogue = cls._catalogue()
        cls.Binding = cls.env["connector.product.binding"]
        cls.Listing = cls.env["connector.listing"]

    @classmethod
    def _catalogue(cls):
        listings = []
        for product in cls.product_shirt | cls.product_mug | cls.product_book | cls.cat_products:
            listings.append(
                ChannelProduct(
                    sku=product.default_code,
                    ean=product.barcode,
                    name=f"{product.name} (channel title)",
                    price=Decimal("11.90"),
                    quantity=Decimal(3),
                    external_id="" if product.default_code == "CAT-033" else f"L-{product.default_code}",
                )
            )
        for n in range(1, EAN_ONLY_COUNT + 1):
            listings.append(
                ChannelProduct(
                    sku=f"CH-E-{n:03d}", ean=ean("40980000", n), name=f"EAN item {n}", external_id=f"L-E{n}"
                )
            )
        listings.append(ChannelProduct(sku="DUP-1", name="Duplicate", external_id="L-DUP"))
        listings.append(
            ChannelProduct(sku="SPLIT-A", ean="4097000000002", name="Split", external_id="L-SPLIT")
        )
        for n in range(1, SIMPLE_NEW + 1):
            listings.append(
                ChannelProduct(
                    sku=f"NEW-{n}",
                    ean=ean("40960000", n),
                    name=f"New article {n}",
                    price=Decimal("23.80"),
                    price_includes_tax=True,
                    tax_rate=Decimal("19"),
                    quantity=Decimal(n),
                    external_id=f"L-NEW-{n}",
                )
            )
        for n, (size, colour) in enumerate(HOODIE, start=1):
            listings.append(
                ChannelProduct(
                    sku=f"HOODIE-{size}-{colour.upper()}",
                    ean=ean("40950000", n),
                    name="Hoodie",
                    price=Decimal("59.50"),
                    tax_rate=Decimal("19"),
                    parent_sku="HOODIE-P",
                    attributes={"Größe": size, "Farbe": colour},
                    external_id=f"L-H{n}",
                )
            )
        return listings

    # --- helpers ------------------------------------------------------------

    @contextmanager
    def channel(self, listings=None, error=None):
        """Serve ``listings`` through ``_fetch_catalogue``; record stock pushes."""
        calls = {"stock": [], "fetch": 0}
        listings = self.catalogue if listings is None else listings

        def fetch(account):
            calls["fetch"] += 1
            if error:
                raise error
            yield from listings

        def push_stock(account, items):
            calls["stock"].append(list(items))
            return PushResult()

        Account = type(self.env["connector.account"])
        with (
            patch.object(Account, "_fetch_catalogue", fetch),
            patch.object(Account, "_push_stock", push_stock),
        ):
            yield calls

    def import_catalogue(self, listings=None):
        with self.channel(listings):
            return self.account._import_catalogue()

    def listings(self, **domain):
        return self.Listing.search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def listing(self, sku):
        return self.listings(sku=sku)

    def bindings(self):
        return self.Binding.search([("account_id", "=", self.account.id)])

    def snapshot(self):
        """What a re-import must leave untouched."""
        return (
            sorted(
                (b.id, b.product_id.id, b.external_id or "", b.external_sku or "", b.storefront or "")
                for b in self.bindings()
            ),
            self.env["product.product"].with_context(active_test=False).search_count([]),
            self.env["product.template"].with_context(active_test=False).search_count([]),
            sorted((x.id, x.state, x.product_id.id, x.binding_id.id) for x in self.listings()),
        )

    # --- tests --------------------------------------------------------------

    def test_import_binds_by_sku_then_ean_and_lists_the_rest(self):
        odoo_products = (self.product_shirt | self.product_mug | self.product_book | self.cat_products).read(
            ["default_code", "barcode", "name", "write_date"]
        )
        stats = self.import_catalogue()
        self.assertEqual(
            (stats["bound"], stats["unmatched"], stats["conflict"], stats["new_bindings"]),
            (3 + CAT_COUNT + EAN_ONLY_COUNT, SIMPLE_NEW + len(HOODIE), 2, 3 + CAT_COUNT + EAN_ONLY_COUNT),
        )
        self.assertEqual(len(self.listings()), 51)
        self.assertEqual(self.account.listing_todo_count, SIMPLE_NEW + len(HOODIE) + 2)
        # by SKU: channel id, SKU, no storefront; the Odoo product is unchanged
        shirt = self.listing("SHIRT-1")
        self.assertEqual(
            (shirt.state, shirt.match_method, shirt.product_id), ("bound", "sku", self.product_shirt)
        )
        self.assertEqual(shirt.binding_id.product_id, self.product_shirt)
        self.assertEqual(shirt.binding_id.external_id, "L-SHIRT-1")
        self.assertEqual(shirt.binding_id.external_sku, "SHIRT-1")
        self.assertEqual(shirt.title, "T-Shirt (channel title)")
        self.assertEqual((shirt.price, shirt.quantity), (11.9, 3.0))
        no_id = self.listing("CAT-033")
        self.assertEqual((no_id.state, no_id.external_id), ("bound", False))
        self.assertEqual(no_id.binding_id.product_id.default_code, "CAT-033")
        self.assertEqual(
            (self.product_shirt | self.product_mug | self.product_book | self.cat_products).read(
                ["default_code", "barcode", "name", "write_date"]
            ),
            odoo_products,
        )
        # by EAN: bound with the channel's SKU, which the stock push will use
        for n, product in enumerate(self.ean_products, start=1):
            listing = self.listing(f"CH-E-{n:03d}")
            self.assertEqual(
                (listing.state, listing.match_method, listing.product_id), ("bound", "ean", product)
            )
            self.assertEqual(listing.binding_id.external_sku, f"CH-E-{n:03d}")
            self.assertEqual(product.default_code, f"ODOO-E-{n:03d}")
            self.assertIn("differs", listing.reason)
        # conflicts: reasons, no binding
        dup = self.listing("DUP-1")
        self.assertEqual(dup.state, "conflict")
        self.assertIn("DUP-1 is the internal reference of 2 products", dup.reason)
        self.assertFalse(dup.binding_id)
        split = self.listing("SPLIT-A")
        self.assertEqual(split.state, "conflict")
        self.assertIn("matches two products", split.reason)
        self.assertIn("Split A", split.reason)
        self.assertIn("Split B", split.reason)
        self.assertFalse(
            self.Binding.search([("product_id", "in", (self.split_a | self.split_b | self.dup_products).ids)])
        )
        # unmatched: what the channel knows, and why
        new = self.listing("NEW-2")
        self.assertEqual(
            (new.state, new.ean, new.price, new.quantity), ("unmatched", ean("40960000", 2), 23.8, 2.0)
        )
        self.assertIn("No Odoo product has SKU NEW-2", new.reason)
        hoodie = self.listing("HOODIE-S-ROT")
        self.assertEqual((hoodie.parent_sku, hoodie.attributes), ("HOODIE-P", {"Größe": "S", "Farbe": "Rot"}))
        self.assertEqual(hoodie.attributes_text, "Größe: S, Farbe: Rot")
        self.assertEqual(len(self.bindings()), 3 + CAT_COUNT + EAN_ONLY_COUNT)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "catalogue")], limit=1
        )
        self.assertIn("2 in conflict", log.message)

    def test_second_import_changes_nothing(self):
        self.import_catalogue()
        before = self.snapshot()
        stats = self.import_catalogue()
        self.assertEqual(stats["new_bindings"], 0)
        self.assertEqual(self.snapshot(), before)
        # the same after products were created from the unmatched listings
        self.listings(state="unmatched").action_create_product()
        before = self.snapshot()
        stats = self.import_catalogue()
        self.assertEqual((stats["new_bindings"], stats["unmatched"], stats["created"]), (0, 0, 0))
        self.assertEqual(self.snapshot(), before)

    def test_create_products_from_unmatched_listings(self):
        self.import_catalogue()
        # one click on one variant creates the whole template
        self.listing("HOODIE-M-BLAU").action_create_product()
        hoodies = self.listings(parent_sku="HOODIE-P")
        self.assertEqual(set(hoodies.mapped("state")), {"bound"})
        template = hoodies.product_id.product_tmpl_id
        self.assertEqual(len(template), 1)
        self.assertEqual(template.connector_parent_sku, "HOODIE-P")
        self.assertEqual(template.name, "Hoodie")
        self.assertEqual(template.list_price, 50.0)  # 59.50 incl. 19 %
        self.assertEqual(len(template.attribute_line_ids), 2)
        self.assertEqual(len(template.product_variant_ids), 4)
        size_line = template.attribute_line_ids.filtered(lambda line: line.attribute_id == self.attr_size)
        self.assertEqual(set(size_line.value_ids.mapped("name")), {"S", "M"})  # the mapped attribute
        colour = template.attribute_line_ids.attribute_id - self.attr_size
        self.assertEqual(colour.name, "Farbe")
        self.assertTrue(
            self.account.attribute_mapping_ids.filtered(
                lambda m: m.attribute_id == colour and m.channel_name == "Farbe"
            )
        )
        for n, (size, col) in enumerate(HOODIE, start=1):
            listing = self.listing(f"HOODIE-{size}-{col.upper()}")
            variant = listing.product_id
            self.assertEqual(variant.default_code, listing.sku)
            self.assertEqual(variant.barcode, ean("40950000", n))
            self.assertEqual(set(variant.product_template_attribute_value_ids.mapped("name")), {size, col})
            self.assertEqual(listing.binding_id.external_id, f"L-H{n}")
            self.assertEqual(listing.match_method, "created")
        # simple products: name, SKU, EAN, net price, storable, bound
        simple = self.listings(state="unmatched")
        self.assertEqual(len(simple), SIMPLE_NEW)
        simple.action_create_product()
        for n in range(1, SIMPLE_NEW + 1):
            listing = self.listing(f"NEW-{n}")
            product = listing.product_id
            self.assertEqual(listing.state, "bound")
            self.assertEqual(
                (
                    product.name,
                    product.default_code,
                    product.barcode,
                    product.list_price,
                    product.is_storable,
                ),
                (f"New article {n}", f"NEW-{n}", ean("40960000", n), 20.0, True),
            )
            self.assertEqual(product.taxes_id._filter_taxes_by_company(self.company).amount, 19)
            self.assertEqual(listing.binding_id.external_id, f"L-NEW-{n}")
        # bound listings are not turned into products again
        with self.assertRaises(UserError):
            self.listing("NEW-1").action_create_product()

    def test_created_product_gets_a_domestic_tax_never_another_countrys_oss_tax(self):
        # "OSS Tax mapping": the company then has a 21 % sale tax of Belgium, the Netherlands...
        self.company.with_company(self.company)._map_eu_taxes()
        foreign_21 = self.env["account.tax"].search(
            [*self.env["account.tax"]._check_company_domain(self.company), ("amount", "=", 21)]
        )
        self.assertTrue(foreign_21, "the OSS taxes exist")
        # a Dutch shop lists at 21 %, a rate Germany does not have; and one at the domestic 7 %
        listings = [
            ChannelProduct(
                sku="NL-21",
                name="Dutch shirt",
                price=Decimal("24.20"),
                price_includes_tax=True,
                tax_rate=Decimal("21"),
                external_id="L-NL-21",
            ),
            ChannelProduct(
                sku="BOOK-7",
                name="Book",
                price=Decimal("10.70"),
                price_includes_tax=True,
                tax_rate=Decimal("7"),
                external_id="L-BOOK-7",
            ),
        ]
        self.import_catalogue(listings)
        self.listings(state="unmatched").action_create_product()
        shirt = self.listing("NL-21").product_id
        tax = shirt.taxes_id._filter_taxes_by_company(self.company)
        self.assertEqual(tax, self.company.account_sale_tax_id, "the company's standard rate")
        self.assertNotIn(tax, foreign_21)
        self.assertEqual(shirt.list_price, 20.0, "24.20 incl. the shop's 21 %")
        book_tax = self.listing("BOOK-7").product_id.taxes_id._filter_taxes_by_company(self.company)
        self.assertEqual(book_tax.amount, 7)
        self.assertTrue(book_tax.is_domestic)

    def test_auto_create_missing_products(self):
        self.account.catalogue_auto_create = True
        stats = self.import_catalogue()
        self.assertEqual((stats["unmatched"], stats["conflict"]), (0, 2))
        self.assertEqual(stats["created"], SIMPLE_NEW + len(HOODIE))
        self.assertEqual(self.listing("NEW-1").match_method, "created")
        self.assertEqual(len(self.listings(parent_sku="HOODIE-P").product_id.product_tmpl_id), 1)
        before = self.snapshot()
        self.import_catalogue()
        self.assertEqual(self.snapshot(), before)

    def test_auto_create_skips_a_refused_product_and_creates_the_others(self):
        other_company = self.env["res.company"].create({"name": "Other GmbH"})
        self.env["product.product"].create(
            {"name": "Other's candle", "barcode": ean("40960000", 1), "company_id": other_company.id}
        )
        self.account.catalogue_auto_create = True
        stats = self.import_catalogue()
        self.assertEqual((stats["unmatched"], stats["created"]), (1, SIMPLE_NEW - 1 + len(HOODIE)))
        refused = self.listing("NEW-1")
        self.assertEqual(refused.state, "unmatched")
        self.assertIn("could not be created", refused.reason)
        self.assertEqual(self.listing("NEW-2").state, "bound")

    def test_sku_bound_to_another_product_is_a_conflict(self):
        # an earlier binding sends SKU CAT-005 for the mug
        old = self.Binding.create(
            {"account_id": self.account.id, "product_id": self.product_mug.id, "external_sku": "CAT-005"}
        )
        catalogue = [p for p in self.catalogue if p.sku != "MUG-1"]
        self.import_catalogue(catalogue)
        listing = self.listing("CAT-005")
        self.assertEqual(listing.state, "conflict")
        self.assertIn("Mug", listing.reason)
        self.assertIn("Catalogue item 5", listing.reason)
        self.assertEqual(
            (old.product_id, old.external_sku, old.external_id), (self.product_mug, "CAT-005", False)
        )
        self.assertFalse(self.Binding.search([("product_id", "=", self.cat_products[4].id)]))

    def test_product_bound_to_another_listing_is_a_conflict(self):
        twin = ChannelProduct(
            sku="CH-SHIRT", ean=self.product_shirt.barcode, name="Shirt again", external_id="L-TWIN"
        )
        self.import_catalogue([*self.catalogue, twin])
        self.assertEqual(self.listing("SHIRT-1").state, "bound")
        listing = self.listing("CH-SHIRT")
        self.assertEqual(listing.state, "conflict")
        self.assertIn("already bound to another listing", listing.reason)
        self.assertEqual(self.Binding.search_count([("product_id", "=", self.product_shirt.id)]), 1)

    def test_bind_by_hand_survives_the_next_import(self):
        self.import_catalogue()
        dup = self.listing("DUP-1")
        dup.product_id = self.dup_products[1]
        dup.action_bind()
        self.assertEqual((dup.state, dup.match_method), ("bound", "manual"))
        self.assertEqual(dup.binding_id.product_id, self.dup_products[1])
        self.assertEqual(dup.binding_id.external_id, "L-DUP")
        new = self.listing("NEW-1")
        new.product_id = self.split_b
        new.action_bind()
        before = self.snapshot()
        self.import_catalogue()
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(dup.state, "bound")
        # a product already bound to another listing is refused
        other = self.listing("NEW-2")
        other.product_id = self.product_shirt
        with self.assertRaises(UserError):
            other.action_bind()

    def test_variant_bound_by_hand_leads_to_its_siblings(self):
        """Variants without a match by SKU or EAN: the template of a variant bound by hand
        gives the others by their attribute values (Größe -> Size through the mapping)."""
        colour = self.env["product.attribute"].create(
            {"name": "Farbe", "value_ids": [Command.create({"name": n}) for n in ("Rot", "Blau")]}
        )
        template = self.env["product.template"].create(
            {
                "name": "Kapuzenpulli",
                "is_storable": True,
                "attribute_line_ids": [
                    Command.create({"attribute_id": a.id, "value_ids": [Command.set(a.value_ids.ids)]})
                    for a in (self.attr_size, colour)
                ],
            }
        )
        # the channel's hoodie has M, Odoo's S and L: only S matches
        listings = [
            ChannelProduct(
                name="Hoodie",
                parent_sku="HOODIE-P",
                attributes={"Größe": size, "Farbe": c},
                external_id=f"V-{size}{c}",
            )
            for size, c in (("S", "Rot"), ("S", "Blau"), ("M", "Rot"))
        ]
        self.import_catalogue(listings)
        self.assertEqual(set(self.listings().mapped("state")), {"unmatched"})  # no parent SKU on the template
        first = self.listings(external_id="V-SRot")
        first.product_id = template.product_variant_ids.filtered(
            lambda v: set(v.product_template_attribute_value_ids.mapped("name")) == {"S", "Rot"}
        )
        first.action_bind()
        self.import_catalogue(listings)
        blue = self.listings(external_id="V-SBlau")
        self.assertEqual((blue.state, blue.match_method), ("bound", "attributes"))
        self.assertEqual(
            set(blue.product_id.product_template_attribute_value_ids.mapped("name")), {"S", "Blau"}
        )
        self.assertEqual(blue.binding_id.external_id, "V-SBlau")
        medium = self.listings(external_id="V-MRot")
        self.assertEqual(medium.state, "unmatched")
        self.assertIn("Größe: M", medium.reason)

    def test_gone_listings_are_marked_not_deleted(self):
        self.import_catalogue()
        shirt = self.listing("SHIRT-1")
        binding = shirt.binding_id
        self.import_catalogue([p for p in self.catalogue if p.sku not in ("SHIRT-1", "NEW-1")])
        self.assertEqual(shirt.state, "gone")
        self.assertIn("Not in the channel", shirt.reason)
        self.assertEqual(self.listing("NEW-1").state, "gone")
        self.assertTrue(binding.exists())
        # back in the channel: bound again to the same binding
        self.import_catalogue()
        self.assertEqual((shirt.state, shirt.binding_id), ("bound", binding))

    def test_failed_fetch_changes_nothing(self):
        self.import_catalogue()
        before = self.snapshot()
        with self.channel(error=ChannelError("503 Service Unavailable")), self.assertRaises(ChannelError):
            self.account._import_catalogue()
        self.assertEqual(self.snapshot(), before)
        action = None
        with self.channel(error=ChannelError("503 Service Unavailable")):
            action = self.account.action_import_catalogue()
        self.assertEqual(action["params"]["type"], "danger")

    def test_stock_push_reaches_exactly_the_bound_listings(self):
        self.import_catalogue()
        self.listings(state="unmatched").action_create_product()
        bound = self.listings(state="bound")
        self.assertEqual(len(bound), 51 - 2)
        with self.channel() as calls:
            count = self.account._export_stock()
        sent = {(item.sku, item.external_id) for batch in calls["stock"] for item in batch}
        self.assertEqual(count, len(bound))
        self.assertEqual(sent, {(x.sku, x.external_id or "") for x in bound})
        self.assertNotIn("DUP-1", {sku for sku, _id in sent})
        by_sku = {item.sku: item.quantity for batch in calls["stock"] for item in batch}
        self.assertEqual((by_sku["SHIRT-1"], by_sku["CH-E-001"], by_sku["NEW-1"]), (50, 0, 0))

    def test_reader_that_raises_on_bad_data_fails_the_import_cleanly(self):
        """A provider reader that still raises ChannelDataError (instead of yielding
        schema.unreadable_listing) fails the import with a logged error and a message to
        the user, no traceback, and marks nothing gone."""
        self.import_catalogue()
        before = self.snapshot()

        def broken():
            yield from self.catalogue[:5]
            raise ChannelDataError("price: expected a number, got 'n/a'")

        with self.channel(broken()):
            action = self.account.action_import_catalogue()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("'n/a'", action["params"]["message"])
        self.assertEqual(self.snapshot(), before)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "catalogue")], order="id desc", limit=1
        )
        self.assertEqual(log.state, "error")
        self.assertIn("'n/a'", log.message)
