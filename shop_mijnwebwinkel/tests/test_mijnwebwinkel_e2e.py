# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MijnWebwinkel end to end: the engine's flows against the emulator through real HTTP.

Orders come in through ``_sync_orders`` and the import jobs (run inline);
products, stock and shipments go out through connector_base's outbound engine
(``_export_products``, ``_export_stock``, picking validation). Assertions read
what the emulator received and holds.
"""

import base64
import copy
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MijnWebwinkelCommon, png

PAID_NUMBERS = [str(n) for n in range(1001, 1009)]  # seeded: 1009 is new, 1010 shipped, T-1 a test
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def shop_time(utc):
    """Naive UTC -> the shop's local time as the API writes it."""
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M:%S")


@tagged("post_install", "-at_install")
class TestMijnWebwinkelE2E(MijnWebwinkelCommon):
    # --- helpers ---------------------------------------------------------------------

    def record(self, number):
        return self.env["connector.order"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(number))]
        )

    def sales(self):
        return self.env["sale.order"].search([("connector_account_id", "=", self.account.id)])

    def order_total(self, number):
        return float(self.emulator.orders[str(number)]["price"]["total"])

    def line(self, sale, product):
        return sale.order_line.filtered(lambda line: line.product_id == product)

    # --- connection --------------------------------------------------------------------

    def test_connection_success_and_precise_failures(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Demo Webwinkel", action["params"]["message"])
        self.assertEqual(self.account.state, "connected")
        (request,) = self.emulator.requests_to("GET", "/v1/store")
        self.assertEqual(request.arg("partner_token"), "mww-partner-demo")
        self.assertEqual(request.arg("token"), "mww-shop-demo")

        self.account.mijnwebwinkel_shop_token = "wrong-shop-token"
        with mute_logger("odoo.addons.connector_base.http_client"):
            action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.account.state, "error")
        self.assertIn("401", self.account.last_error)
        self.assertIn("Invalid or missing token", self.account.last_error)
        self.assertIn("Instellingen > Add-ons & Modules > API", self.account.last_error)
        self.assertNotIn("wrong-shop-token", self.account.last_error)

        self.account.mijnwebwinkel_partner_token = "wrong-partner"
        with mute_logger("odoo.addons.connector_base.http_client"):
            self.account.action_test_connection()
        self.assertIn("Invalid or missing partner_token", self.account.last_error)

        calls = len(self.emulator.received)
        self.account.mijnwebwinkel_shop_token = False
        self.account.action_test_connection()
        self.assertIn("Enter the MijnWebwinkel partner token and shop token", self.account.last_error)
        self.assertEqual(len(self.emulator.received), calls, "no request without credentials")
        logs = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "connection")]
        )
        self.assertEqual(sorted(logs.mapped("state")), ["done", "error", "error", "error"])

    # --- orders ------------------------------------------------------------------------

    def test_sync_imports_paid_orders_with_partners_lines_and_exact_totals(self):
        stats = self.account._sync_orders()
        self.assertEqual((stats["fetched"], stats["new"]), (8, 8))
        # only the paid status was asked for, test orders never
        listing = self.emulator.requests_to("GET", r"/v1/orders$")
        self.assertEqual({r.arg("status_id") for r in listing}, {"3"})
        self.assertFalse([r for r in listing if r.arg("test") == "true"])
        records = self.env["connector.order"].search([("account_id", "=", self.account.id)])
        self.assertEqual(sorted(records.mapped("external_id")), PAID_NUMBERS)
        for record in records:
            self.assertEqual(record.state, "done", f"{record.external_id}: {record.message}")
            sale = record.sale_order_id
            self.assertAlmostEqual(sale.amount_total, self.order_total(record.external_id), places=2)
            self.assertEqual(sale.currency_id.name, "EUR")
            self.assertEqual(sale.state, "sale")
            self.assertEqual(sale.client_order_ref, record.external_id)
        demo = {p.default_code: p for p in self.demo_products}

        # 1001: consumer in the Netherlands, 2 x DEMO-001 and shipping, 19 % included
        record = self.record(1001)
        sale = record.sale_order_id
        jan = sale.partner_id
        self.assertEqual(
            (jan.name, jan.email, jan.street, jan.zip, jan.city, jan.country_id.code, jan.is_company),
            ("Jan Jansen", "jan@example.nl", "Dorpsstraat 1", "1234 AB", "Utrecht", "NL", False),
        )
        self.assertEqual((sale.partner_invoice_id, sale.partner_shipping_id), (jan, jan))
        line = self.line(sale, demo["DEMO-001"])
        self.assertEqual((line.product_uom_qty, line.price_unit), (2, 14.95))
        self.assertEqual(line.tax_ids.mapped("amount"), [19.0])
        self.assertTrue(line.tax_ids.price_include)
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual(shipping.price_unit, 4.95)
        self.assertAlmostEqual(sale.amount_total, 34.85, places=2)
        self.assertAlmostEqual(sale.amount_tax, 5.56, places=2)
        shop_order = self.emulator.orders["1001"]
        self.assertEqual(
            shop_time(record.channel_updated_at),
            f"{shop_order['status_changed_date']} {shop_order['status_changed_time']}",
        )

        # 1002: Belgian consumer; the T-shirt variant line carries the article's SKU
        # DEMO-010 and the chosen option M, no EAN: the article's variants give the
        # variant, the mapping Maat -> Size the Odoo variant of the template DEMO-010
        sale = self.record(1002).sale_order_id
        self.assertEqual(sale.partner_id.country_id.code, "BE")
        shirt_m = self.tshirt.product_variant_ids.filtered(lambda v: v.default_code == "TSHIRT-BIO-M")
        article = self.emulator.orders["1002"]["orderlines"][1]["articles"][0]
        self.assertEqual((article["sku"], "barcode" in article), ("DEMO-010", False))
        line = self.line(sale, shirt_m)
        self.assertEqual((line.product_uom_qty, line.price_unit), (1, 24.95))
        self.assertIn("(M)", line.name)
        goods = sale.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(goods.product_id, demo["DEMO-002"] | shirt_m)

        # 1003: German business buyer: company with the person as contact, domestic VAT
        sale = self.record(1003).sale_order_id
        company = sale.partner_id.commercial_partner_id
        self.assertEqual(
            (company.name, company.is_company, company.vat), ("De Haan GmbH", True, "DE136695976")
        )
        self.assertEqual(sale.partner_id.name, "Klaus Haan")
        self.assertEqual(sale.partner_invoice_id, company)
        self.assertEqual(sale.connector_vat_case, "domestic")
        self.assertIn("Customer reference: PO-7781", str(sale.note))
        self.assertEqual(self.line(sale, demo["DEMO-003"]).product_uom_qty, 5)

        # 1004: discount code, and payment costs on a fee line (not in the shipping)
        sale = self.record(1004).sale_order_id
        self.assertEqual(sale.order_line.filtered("is_delivery").price_unit, 4.95)
        fee = sale.order_line.filtered(lambda line: line.product_id.default_code == "CHANNEL-FEE")
        self.assertEqual((fee.name, fee.price_unit, fee.product_uom_qty), ("Transactiekosten", 0.29, 1))
        discount = sale.order_line.filtered(lambda line: line.price_unit < 0)
        self.assertEqual((discount.price_unit, discount.name), (-5.0, "Kortingscode WELKOM5"))
        self.assertAlmostEqual(sale.amount_total, 30.19, places=2)
        self.assertIn("Graag snel leveren", str(sale.note))

        # 1005: repeat customer -> the same partner as 1001
        self.assertEqual(self.record(1005).sale_order_id.partner_id, jan)

        # 1006: separate delivery address
        sale = self.record(1006).sale_order_id
        delivery = sale.partner_shipping_id
        self.assertEqual(sale.partner_id.name, "Piet de Vries")
        self.assertEqual(
            (delivery.name, delivery.street, delivery.zip, delivery.type, delivery.parent_id),
            ("Marie de Vries", "Stationsweg 7b", "3511 AA", "delivery", sale.partner_id),
        )

        # 1007: Dutch business with a VIES-valid VAT id: the shop charged 0 %, Odoo reverse charges
        sale = self.record(1007).sale_order_id
        self.assertEqual(sale.connector_vat_case, "reverse_charge")
        self.assertEqual(sale.fiscal_position_id, self.account.fp_reverse_charge_id)
        self.assertEqual(set(sale.order_line.tax_ids.mapped("amount")), {0.0})
        self.assertAlmostEqual(sale.amount_tax, 0.0, places=2)
        self.assertAlmostEqual(sale.amount_total, 130.07, places=2)
        self.assertEqual(sale.partner_id.commercial_partner_id.vat, "NL004495445B01")

        # 1008: two variant units (option S), higher shipping to Germany
        sale = self.record(1008).sale_order_id
        shirt_s = self.tshirt.product_variant_ids.filtered(lambda v: v.default_code == "TSHIRT-BIO-S")
        self.assertEqual(self.line(sale, shirt_s).product_uom_qty, 2)
        self.assertEqual(sale.order_line.filtered("is_delivery").price_unit, 6.95)
        self.assertAlmostEqual(sale.amount_total, 166.75, places=2)
        # the T-shirt article was read once for the whole sync (1002 and 1008)
        shirt = self.emulator.find_article("DEMO-010")
        self.assertEqual(len(self.emulator.requests_to("GET", rf"/v1/articles/{shirt['id']}$")), 1)

    def test_second_sync_imports_nothing_and_asks_since_watermark(self):
        self.account._sync_orders()
        watermark = self.account.order_watermark
        newest = self.emulator.orders[PAID_NUMBERS[-1]]
        self.assertEqual(
            shop_time(watermark), f"{newest['status_changed_date']} {newest['status_changed_time']}"
        )
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        # orders are 3 h apart: the 15 min overlap fetches the newest one again, unchanged
        self.assertEqual((stats["new"], stats["changed"], stats["unchanged"]), (0, 0, 1))
        self.assertEqual(len(self.sales()), 8)
        since = watermark - timedelta(minutes=self.account.watermark_overlap)
        sent = {r.arg("status_changed_start_date") for r in self.emulator.requests_to("GET", r"/v1/orders$")}
        self.assertEqual(sent, {shop_time(since)})

    def test_status_filter_and_order_paid_later(self):
        self.account._sync_orders()
        self.assertFalse(self.record(1009) | self.record(1010) | self.record("T-1"))
        # the new order is paid two days later: the status change brings it in
        self.emulator.set_order_status(1009, 3)
        stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 1)
        sale = self.record(1009).sale_order_id
        self.assertEqual(sale.partner_id.name, "Lisa Smit")
        self.assertAlmostEqual(sale.amount_total, self.order_total(1009), places=2)
        # an account that also imports "paid & collected" (6) asks for both statuses
        self.account.import_statuses = "paid, 6"
        self.emulator.reset_log()
        self.account._sync_orders()
        asked = {r.arg("status_id") for r in self.emulator.requests_to("GET", r"/v1/orders$")}
        self.assertEqual(asked, {"3", "6"})
        self.assertEqual(len(self.sales()), 9)

    def test_transient_faults_are_retried_without_loss_or_duplicates(self):
        self.emulator.inject("503", count=1, path=r"/v1/orders$")
        self.emulator.inject("truncate", count=1, path=r"/v1/orders$")
        with mute_logger("odoo.addons.connector_base.http_client"):
            stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 8)
        self.assertEqual(sorted(self.sales().mapped("client_order_ref")), PAID_NUMBERS)
        pages = self.emulator.requests_to("GET", r"/v1/orders$")
        self.assertEqual(len(pages), 3, "503 retried, then the truncated page continued at its end")
        self.assertEqual([p.arg("offset") for p in pages], ["0", "0", "4"])

    def test_refused_credentials_during_sync_keep_the_watermark(self):
        self.emulator.inject("expired-token", count=1, path=r"/v1/orders")
        with mute_logger("odoo.addons.connector_base.http_client"):
            action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("refused the credentials", action["params"]["message"])
        self.assertEqual(self.account.state, "error")
        self.assertIn("401", self.account.last_error)
        self.assertFalse(self.account.order_watermark)
        self.assertFalse(self.env["connector.order"].search([("account_id", "=", self.account.id)]))
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "order"), ("state", "=", "error")]
        )
        self.assertIn("refused the credentials", log.message)
        # the next run imports everything once
        self.assertEqual(self.account._sync_orders()["new"], 8)
        self.assertEqual(self.account.state, "connected")
        self.assertEqual(len(self.sales()), 8)

    def test_order_whose_total_differs_from_its_lines_is_parked_with_both_figures(self):
        order = self.emulator.add_order([("DEMO-001", 1)], email="eva@example.nl", name="Eva de Boer")
        booked = Decimal(order["price"]["total"])
        order["price"]["total"] = str(booked + 1)  # the shop's total: one euro more than its lines
        self.account._sync_orders()
        record = self.record(order["number"])
        self.assertEqual(record.state, "attention")
        self.assertIn(f"{booked:.2f}", record.message)
        self.assertIn(f"{booked + 1:.2f}", record.message)
        self.assertFalse(record.sale_order_id)
        self.assertEqual(len(self.sales()), 8, "the other orders are imported")

    def test_unknown_product_parks_the_order_until_it_exists(self):
        self.emulator.add_article("LAMP-1", "Tafellamp", "59.95")
        self.emulator.add_order([("LAMP-1", 1)], email="eva@example.nl", name="Eva de Boer")
        self.account._sync_orders()
        record = self.record(1011)
        self.assertEqual(record.state, "attention")
        self.assertIn("LAMP-1", record.message)
        self.assertTrue(record.activity_ids)
        self.assertEqual(len(self.sales()), 8, "the other orders are imported")
        self.env["product.product"].create(
            {"name": "Tafellamp", "default_code": "LAMP-1", "taxes_id": [Command.set(self.tax_19.ids)]}
        )
        record.action_retry()
        self.assertEqual(record.state, "done", record.message)
        self.assertAlmostEqual(record.sale_order_id.amount_total, self.order_total(1011), places=2)

    def test_variant_line_found_by_its_binding_and_a_deleted_article_parks_the_order(self):
        # the hoodie is published: each Odoo variant is bound to "<article id>:<variant id>"
        self.account._export_products()
        article = self.emulator.find_article("HOODIE")
        m_red = self.hoodie_variant("M", "Rood")
        shop = self.shop_variant(article, m_red)
        self.emulator.variant_handles["HOODIE M Rood"] = (article["id"], shop["id"])
        # the template's parent SKU no longer says HOODIE: only the binding knows the variant
        self.hoodie.connector_parent_sku = "HOODIE-2025"
        order = self.emulator.add_order([("HOODIE M Rood", 2)], email="eva@example.nl", name="Eva de Boer")
        (line,) = [ln for ln in order["orderlines"] if ln["type"] == "article"]
        self.assertEqual(line["articles"][0]["sku"], "HOODIE")
        self.account._sync_orders()
        sale = self.record(order["number"]).sale_order_id
        self.assertEqual(self.line(sale, m_red).product_uom_qty, 2)
        self.assertAlmostEqual(sale.amount_total, self.order_total(order["number"]), places=2)

        # an order of a variant whose article was deleted in the shop: parked with the reason
        second = self.emulator.add_order([("HOODIE M Rood", 1)], email="eva@example.nl", name="Eva de Boer")
        del self.emulator.articles[article["id"]]
        self.account._sync_orders()
        record = self.record(second["number"])
        self.assertEqual(record.state, "attention")
        self.assertIn(f"article {article['id']} is no longer in the shop", record.message)

    # --- products ---------------------------------------------------------------------

    def test_configurable_product_created_with_mapped_attributes_features_images(self):
        self.assertEqual(self.account._export_products(), 9)
        article = self.emulator.find_article("HOODIE")
        self.assertTrue(article, "the hoodie article was created")
        self.assertEqual(article["name"], "Hoodie")
        self.assertEqual(article["price"]["default"], "49.98")  # 42.00 + 19 %, the shop shows gross
        self.assertEqual(article["description"], "Warme hoodie van biologisch katoen.")
        self.assertEqual(article["extra"]["invisible"]["weight"], "0.8")
        # variant axes: the mapped option lists, "Groen" added to the shop's Kleur list
        self.assertEqual(
            {lst["name"]: sorted(o["name"] for o in lst["options"]) for lst in article["lists"]},
            {"Maat": ["L", "M", "S"], "Kleur": ["Blauw", "Groen", "Rood"]},
        )
        (added,) = self.emulator.requests_to("POST", "/v1/articlelistoptions/")
        self.assertEqual(added.json, [{"name": "Groen"}])
        self.assertEqual(len(article["variants"]), 9)
        for variant in self.hoodie.product_variant_ids:
            shop = self.shop_variant(article, variant)
            # an ArticleVariant, nothing more: the SKU and EAN stay on the binding
            self.assertEqual(set(shop), {"id", "options", "stock", "can_backorder"})
            self.assertEqual(shop["stock"], int(variant.qty_available))
        # features: a no-variant attribute and a product field, through the mapping
        self.assertEqual(
            article["extra"]["visible"], {"Materiaal": "Biologisch katoen", "Land van herkomst": "Portugal"}
        )
        # image: Odoo's bytes, named by their checksum
        (upload,) = self.emulator.uploads
        self.assertEqual(upload[2], 1)
        self.assertEqual(upload[3], base64.b64decode(self.hoodie.product_variant_ids[0].image_1920))
        self.assertRegex(upload[1], r"^odoo-[0-9a-f]{40}\.png$")
        # bindings with the shop's ids, so stock goes straight to the variant
        bindings = self.bindings(self.hoodie.product_variant_ids)
        self.assertEqual(len(bindings), 9)
        binding = bindings.filtered(lambda b: b.external_sku == "HOODIE-M-ROOD")
        m_red = self.shop_variant(article, self.hoodie_variant("M", "Rood"))
        self.assertEqual(binding.external_id, f"{article['id']}:{m_red['id']}")

        # pushed again unchanged: no image, feature, option or category is sent again
        self.emulator.reset_log()
        self.account._export_products()
        self.assertFalse(self.emulator.requests_to("POST", "uploadImage"))
        self.assertFalse(self.emulator.requests_to("POST", "/v1/articlefields/"))
        self.assertFalse(self.emulator.requests_to("POST", "/v1/articlelistoptions/"))
        self.assertFalse(self.emulator.requests_to("POST", "/v1/categories"))
        self.assertEqual(len(self.emulator.find_article("HOODIE")["variants"]), 9)
        # a new main image replaces the old one, nothing else
        self.hoodie.image_1920 = base64.b64encode(png("maroon"))
        self.account._export_products()
        self.assertEqual(len(self.emulator.requests_to("POST", "uploadImage")), 1)
        self.assertEqual(len(self.emulator.requests_to("DELETE", "deleteImage")), 1)
        self.assertEqual(len(self.emulator.find_article("HOODIE")["images"]), 1)

    def test_update_info_off_sends_only_price_and_stock(self):
        self.account.update_product_info = False
        shop_mug = self.emulator.find_article("DEMO-001")
        shop_mug["name"] = "Koffiemok wit (edited in the shop)"
        before_mug = {k: shop_mug[k] for k in ("name", "description", "categories", "extra", "images")}
        shop_shirt = self.emulator.find_article("DEMO-010")
        before_shirt = {k: shop_shirt[k] for k in ("name", "description", "lists", "extra", "categories")}
        mug = self.demo_products.filtered(lambda p: p.default_code == "DEMO-001")
        mug.write({"name": "Mug in Odoo", "list_price": 15.95 / 1.19})
        self.tshirt.write(
            {"list_price": 26.95 / 1.19, "connector_account_ids": [Command.link(self.account.id)]}
        )
        mug.product_tmpl_id.connector_account_ids = [Command.link(self.account.id)]
        self.hoodie.connector_account_ids = [Command.unlink(self.account.id)]

        self.assertEqual(self.account._export_products(), 4)
        shop_mug = self.emulator.find_article("DEMO-001")
        self.assertEqual(shop_mug["price"]["default"], "15.95")
        self.assertEqual(shop_mug["stock"], 10)
        self.assertEqual({k: shop_mug[k] for k in before_mug}, before_mug)
        shop_shirt = self.emulator.find_article("DEMO-010")
        self.assertEqual(shop_shirt["price"]["default"], "26.95")
        self.assertEqual({k: shop_shirt[k] for k in before_shirt}, before_shirt)
        # the variants are found by their options (Size -> Maat), only their stock changed
        self.assertEqual({v["stock"] for v in shop_shirt["variants"]}, {10})
        for request in self.patches():
            self.assertLessEqual(set(request.json), {"price", "stock", "variants"}, request.json)
            for entry in request.json.get("variants", []):
                self.assertEqual(set(entry), {"id", "stock"})
        self.assertFalse(self.emulator.requests_to("POST", "uploadImage"))
        self.assertFalse(self.emulator.requests_to("POST", "/v1/articlefields/"))
        self.assertFalse(self.emulator.requests_to("POST", "/v1/categories"))
        self.assertFalse(self.emulator.requests_to("POST", r"/v1/articles$"))
        # bound now: the stock export reaches the variants through their ids
        shirt_l = self.tshirt.product_variant_ids.filtered(lambda v: v.default_code == "TSHIRT-BIO-L")
        variant_l = self.emulator.variant("DEMO-010-L")
        self.assertEqual(self.bindings(shirt_l).external_id, f"{shop_shirt['id']}:{variant_l['id']}")

    def test_update_info_off_sends_a_new_price_of_bound_products_alone(self):
        self.assertEqual(self.account._export_products(), 9)  # the hoodie, created and bound
        self.account.update_product_info = False
        kept = ("name", "description", "categories", "extra", "lists", "images", "variants")
        before = copy.deepcopy({k: self.emulator.find_article("HOODIE")[k] for k in kept})
        self.emulator.reset_log()
        # edited in Odoo: content and price; only the price may reach the shop
        self.hoodie.write({"name": "Hoodie Deluxe", "description_sale": "Nieuw", "list_price": 46.0})
        self.assertEqual(self.account._export_products(), 9)
        (request,) = self.patches()
        self.assertEqual(request.json, {"price": {"default": "54.74"}})  # 46.00 + 19 %
        article = self.emulator.find_article("HOODIE")
        self.assertEqual(article["price"]["default"], "54.74")
        self.assertEqual({k: article[k] for k in kept}, before)
        self.assertFalse(self.emulator.requests_to("POST"))
        self.assertFalse(self.emulator.requests_to("DELETE"))
        # sent once
        self.emulator.reset_log()
        self.assertEqual(self.account._export_products(), 0)
        self.assertFalse(self.patches())

    def test_category_tree_sync(self):
        clothes = next(c for c in self.emulator.categories.values() if c["title"] == "Kleding")
        self.account._export_products()
        created = self.emulator.requests_to("POST", "/v1/categories")
        self.assertEqual(
            [r.json for r in created],
            [{"title": "Truien", "hidden": False, "parent_category_id": clothes["id"]}],
        )
        sweaters = next(c for c in self.emulator.categories.values() if c["title"] == "Truien")
        self.assertEqual(sweaters["parent_category_id"], clothes["id"])
        links = self.emulator.find_article("HOODIE")["categories"]
        self.assertEqual([(c["category_id"], c["is_main"]) for c in links], [(sweaters["id"], True)])
        # a new product under a new branch: the tree is extended, existing nodes reused
        scarves = self.env["product.category"].create(
            {"name": "Sjaals", "parent_id": self.category_sweaters.id}
        )
        self.env["product.product"].create(
            {
                "name": "Sjaal",
                "default_code": "SCARF-1",
                "barcode": "4000000009984",
                "list_price": 20.0,
                "categ_id": scarves.id,
                "taxes_id": [Command.set(self.tax_19.ids)],
                "connector_account_ids": [Command.link(self.account.id)],
            }
        )
        self.emulator.reset_log()
        self.account._export_products()
        created = self.emulator.requests_to("POST", "/v1/categories")
        self.assertEqual(
            [r.json for r in created],
            [{"title": "Sjaals", "hidden": False, "parent_category_id": sweaters["id"]}],
        )
        # and the catalogue read gives the paths back
        products = {p.sku or p.external_id: p for p in self.account._fetch_catalogue()}
        self.assertEqual(products["SCARF-1"].category_path, ["Kleding", "Truien", "Sjaals"])
        self.assertEqual(products["DEMO-001"].category_path, ["Wonen", "Keuken"])
        s_green = self.bindings(self.hoodie_variant("S", "Groen")).external_id
        self.assertEqual(products[s_green].attributes, {"Maat": "S", "Kleur": "Groen"})
        self.assertEqual(products[s_green].parent_sku, "HOODIE")

    # --- stock -----------------------------------------------------------------------

    def test_stock_per_variant_only_changed(self):
        self.account._export_products()
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 9)  # first push: every bound SKU
        (request,) = self.patches()
        self.assertEqual(set(request.json), {"variants"})
        self.assertEqual(len(request.json["variants"]), 9)
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 0, "nothing changed, nothing sent")
        self.assertFalse(self.patches())
        # two variants change in Odoo: only they are sent, by variant id
        m_red, l_blue = self.hoodie_variant("M", "Rood"), self.hoodie_variant("L", "Blauw")
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(m_red, stock, 5)
        self.env["stock.quant"]._update_available_quantity(l_blue, stock, -l_blue.qty_available)
        self.assertEqual(self.account._export_stock(), 2)
        (request,) = self.patches()
        article = self.emulator.find_article("HOODIE")
        shop_m_red, shop_l_blue = self.shop_variant(article, m_red), self.shop_variant(article, l_blue)
        self.assertEqual(
            sorted(request.json["variants"], key=lambda e: e["id"]),
            sorted(
                [
                    {"id": shop_m_red["id"], "stock": int(m_red.qty_available)},
                    {"id": shop_l_blue["id"], "stock": 0},
                ],
                key=lambda e: e["id"],
            ),
        )
        self.assertEqual(shop_m_red["stock"], int(m_red.qty_available))
        self.assertEqual(shop_l_blue["stock"], 0)
        # the shop stops tracking stock: unlimited (null) for every variant
        self.account.stock_managed_by_channel = False
        self.account._export_stock(force=True)
        self.assertEqual({v["stock"] for v in self.emulator.find_article("HOODIE")["variants"]}, {None})

    # --- shipments -------------------------------------------------------------------

    def test_shipment_confirmation_reaches_the_shop(self):
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "PostNL",
                "product_id": self.env["product.product"].create({"name": "PostNL", "type": "service"}).id,
            }
        )
        self.account.shipping_mapping_ids = [
            Command.create(
                {"code": "PostNL pakket", "carrier_id": carrier.id, "channel_carrier_code": "PostNL"}
            )
        ]
        self.account._sync_orders()
        sale = self.record(1001).sale_order_id
        self.assertEqual(sale.carrier_id, carrier)
        picking = sale.picking_ids
        picking.carrier_tracking_ref = "3SMWW0012345"
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.connector_shipped_at)
        order = self.emulator.orders["1001"]
        self.assertEqual(order["status"], 2)
        self.assertEqual(order["comments"]["internal"], "Shipped with PostNL, tracking 3SMWW0012345")
        (patch,) = self.emulator.requests_to("PATCH", "/v1/orders/1001")
        self.assertEqual(patch.json["status"], 2)
