# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop connector end to end: Odoo <-> the CCV REST API emulator over real, signed HTTP.

Every assertion on the shop side reads what the emulator received or now holds.
"""

import base64
from datetime import timedelta
from io import BytesIO

from PIL import Image

from odoo import Command
from odoo.tests import tagged
from tests.emulators.ccv import DEMO_ACCOUNT_VALUES, ean13, parse_when

from .common import HANS, CcvCommon, P


def png():
    """A small real PNG (Odoo validates and may re-encode images)."""
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


def created_at(order):
    """The CCV order's create_date as naive UTC (Odoo's watermark)."""
    return parse_when(order["create_date"]).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestCcvConnection(CcvCommon):
    def test_connection_success_records_the_webshop(self):
        result = self.account.action_test_connection()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertEqual(result["params"]["message"], "Connected to CCV Shop webshop Demo webshop (id 1).")
        self.assertEqual(self.account.state, "connected")
        self.assertEqual(self.account.ccv_webshop_id, "1")
        [request] = self.received("GET", "/webshops")
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.assertEqual(headers["x-public"], "demo-public")
        self.assertEqual(len(headers["x-hash"]), 128)  # hex HMAC-SHA512

    def test_connection_failures_say_what_to_fix(self):
        cases = [
            (
                {"ccv_secret_key": "not-the-secret"},
                ["CCV Shop refused the credentials (401: Invalid hash.)", "API public key and secret"],
            ),
            ({"ccv_public_key": "someone-else"}, ["(401: Unknown public key.)"]),
            ({"ccv_secret_key": False}, ["The CCV Shop API public key and secret are missing"]),
            ({"api_base_url": False, "ccv_shop_domain": False}, ["Set the shop domain"]),
        ]
        for vals, expected in cases:
            with self.subTest(vals=vals):
                self.account.sudo().write({**DEMO_ACCOUNT_VALUES, "api_base_url": self.server.url, **vals})
                result = self.account.action_test_connection()
                self.assertEqual(result["params"]["type"], "danger")
                self.assertEqual(self.account.state, "error")
                for text in expected:
                    self.assertIn(text, self.account.last_error)
                self.assertNotIn("not-the-secret", self.account.last_error)
                self.assertIn(
                    self.account.last_error, self.logs(flow="connection", state="error").mapped("message")
                )
        # the right keys again: connected
        self.account.sudo().write({**DEMO_ACCOUNT_VALUES, "api_base_url": self.server.url})
        self.account.action_test_connection()
        self.assertEqual(self.account.state, "connected")


@tagged("post_install", "-at_install")
class TestCcvOrderImport(CcvCommon):
    def test_sync_imports_paid_orders_of_the_chosen_statuses(self):
        orders = self.seed_orders()
        result = self.account.action_sync_orders()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        wanted = ("erika", "acme", "erika2")
        self.assertEqual(
            sorted(self.account_sales().mapped("client_order_ref")),
            sorted(orders[name]["ordernumber_full"] for name in wanted),
        )
        for name in ("unpaid", "sent", "cancelled", "abandoned"):
            self.assertFalse(self.connector_order(orders[name]), name)
        # CCV was asked for paid orders since import_since (2020-01-01) minus the 14 days
        # look-back, and for the rows of the importable orders only
        [listing] = self.received("GET", "/orders")
        self.assertEqual(listing.query["is_paid"], ["true"])
        self.assertEqual(listing.query["min_create_date"], ["2019-12-18"])
        self.assertEqual(
            {r.path for r in self.received("GET", r"/orders/\d+/orderrows")},
            {f"{P}/orders/{orders[name]['id']}/orderrows" for name in wanted},
        )
        self.assertEqual(self.account.order_watermark, created_at(orders["erika2"]))

        # --- a consumer, prices incl. VAT, 19 % and 7 %, shipping --------------------------
        erika = orders["erika"]
        sale = self.sale_of(erika)
        self.assertFalse(self.connector_order(erika).message)  # no warning: rates and net match
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.currency_id.name, "EUR")
        self.assertEqual(sale.client_order_ref, erika["ordernumber_full"])
        self.assertEqual(erika["total_price"], 56.93)  # 2 x 19.99 + 12.00 + 4.95
        self.assertAlmostEqual(sale.amount_total, 56.93, places=2)
        self.assertAlmostEqual(sale.amount_tax, erika["total_tax"], places=2)
        self.assertAlmostEqual(sale.amount_tax, 7.96, places=2)
        partner = sale.partner_id
        self.assertEqual(
            (partner.name, partner.email, partner.is_company, partner.parent_id.id),
            ("Erika Mustermann", "erika.mustermann@example.com", False, False),
        )
        self.assertEqual(
            (partner.street, partner.zip, partner.city, partner.country_id.code),
            ("Heidestraße 17a", "51147", "Köln", "DE"),
        )
        self.assertEqual(sale.partner_invoice_id, partner)
        self.assertEqual(sale.partner_shipping_id, partner)
        rows = {str(r["id"]): r for r in self.emulator.rows[erika["id"]]}
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        book = sale.order_line.filtered(lambda line: line.product_id == self.product_book)
        self.assertEqual((shirt.product_uom_qty, shirt.price_unit), (2, 19.99))
        self.assertEqual((shirt.tax_ids.amount, shirt.tax_ids.price_include), (19, True))
        self.assertEqual(rows[shirt.connector_line_ref]["product_number"], "SHIRT-1")
        self.assertEqual((book.product_uom_qty, book.price_unit, book.tax_ids.amount), (1, 12.0, 7))
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual(shipping.product_id, self.shipping_product)
        self.assertEqual((shipping.price_total, shipping.tax_ids.amount), (4.95, 19))
        self.assertEqual(shipping.name, "DHL Paket")
        self.assertEqual(sale.carrier_id, self.carrier)

        # --- a company buyer, prices excl. VAT, other delivery address, payment costs -----
        acme = orders["acme"]
        sale = self.sale_of(acme)
        self.assertEqual(acme["total_price"], 34.63)  # (3 x 7.98 + 4.16 + 1.00) x 1.19
        self.assertAlmostEqual(sale.amount_total, 34.63, places=2)
        self.assertAlmostEqual(sale.amount_untaxed, 29.10, places=2)
        company = sale.partner_id.commercial_partner_id
        self.assertEqual(
            (company.is_company, company.name, company.vat), (True, "ACME Handels GmbH", "DE811907980")
        )
        self.assertEqual((sale.partner_id.name, sale.partner_id.parent_id), ("Max Muster", company))
        self.assertEqual(sale.partner_id.email, "einkauf@acme.example")
        self.assertEqual(sale.partner_invoice_id, company)
        self.assertEqual((company.street, company.city), ("Industriestraße 5", "Berlin"))
        delivery = sale.partner_shipping_id
        self.assertEqual(
            (delivery.type, delivery.name, delivery.street, delivery.zip, delivery.city, delivery.parent_id),
            ("delivery", "Lager ACME", "Hafenweg 2", "20457", "Hamburg", company),
        )
        mug = sale.order_line.filtered(lambda line: line.product_id == self.product_mug)
        self.assertEqual((mug.product_uom_qty, mug.price_unit), (3, 7.98))
        self.assertEqual(mug.tax_ids, self.tax_19)  # net prices: the tax itself, not its incl. twin
        self.assertEqual(sale.order_line.filtered("is_delivery").price_unit, 4.16)
        fee = sale.order_line.filtered(lambda line: line.product_id == self.fee_product)
        self.assertEqual(
            (fee.name, fee.price_unit, fee.tax_ids), ("Payment costs Overboeking", 1.0, self.tax_19)
        )

        # --- the repeat customer: row discount and a coupon over two VAT rates ------------
        erika2 = orders["erika2"]
        sale = self.sale_of(erika2)
        self.assertEqual(sale.partner_id, partner)
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=ilike", "erika.mustermann@example.com")]), 1
        )
        self.assertEqual(erika2["total_price"], 29.94)  # 19.99 - 2.00 + 12.00 + 4.95 - 5.00
        self.assertAlmostEqual(sale.amount_total, 29.94, places=2)
        # Odoo rounds VAT per rate (3.18 + 0.65), the shop over the whole order (3.84): the
        # gross total is the shop's to the cent, the cent of net difference is shown, not hidden
        self.assertEqual(erika2["total_tax"], 3.84)
        self.assertAlmostEqual(sale.amount_tax, 3.83, places=2)
        self.assertEqual(
            self.connector_order(erika2).message,
            "Net total in Odoo 26.11 differs from the channel's 26.10 (the gross total matches).",
        )
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        self.assertEqual(shirt.price_unit, 19.99)
        self.assertAlmostEqual(shirt.price_total, 17.99, places=2)
        discounts = sale.order_line.filtered(
            lambda line: line.product_id == self.env.ref("connector_base.product_channel_discount")
        ).sorted("price_total")
        self.assertEqual(discounts.mapped("name"), ["Discount WELCOME5"] * 2)
        # 5.00 split over the goods: 17.99 at 19 % and 12.00 at 7 %
        self.assertEqual(
            [(line.price_total, line.tax_ids.amount) for line in discounts], [(-3.0, 19), (-2.0, 7)]
        )

    def test_unpaid_order_waits_for_its_payment_and_a_second_sync_imports_nothing(self):
        orders = self.seed_orders()
        self.account._sync_orders()
        self.assertEqual(len(self.account_sales()), 3)
        self.assertFalse(self.connector_order(orders["unpaid"]))

        # nothing new in the shop: nothing imported, no order twice
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        self.assertEqual(stats, {"fetched": 0, "new": 0, "changed": 0, "unchanged": 0})
        self.assertEqual(len(self.account_sales()), 3)
        # the order inside the 15 minutes overlap is listed unchanged: its rows are not read again
        self.assertFalse(self.received("GET", r"/orders/\d+/orderrows"))

        # the buyer pays: CCV changes no date, the 14 days look-back finds the older order
        self.emulator.set_paid(orders["unpaid"]["id"])
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (1, 0))
        [listing] = self.received("GET", "/orders")
        since = created_at(orders["erika2"]) - timedelta(minutes=15, days=14)
        self.assertEqual(listing.query["min_create_date"], [since.strftime("%Y-%m-%d")])
        sale = self.sale_of(orders["unpaid"])
        self.assertEqual(sale.partner_id.name, "Hans Huber")
        self.assertAlmostEqual(sale.amount_total, 14.45, places=2)  # 9.50 + 4.95
        self.assertEqual(len(self.account_sales()), 4)
        self.assertEqual(self.account.order_watermark, created_at(orders["erika2"]))

        stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 0)
        self.assertEqual(len(self.account_sales()), 4)

    def test_order_with_unknown_product_waits_and_is_imported_after_the_fix(self):
        ean = ean13("400000000777")
        self.emulator.add_product("CAP-1", "Basecap", 14.99, ean=ean, stock=3)
        order = self.emulator.add_order(HANS, [("CAP-1", 1), ("MUG-1", 1)])
        other = self.emulator.add_order(HANS, [("MUG-1", 2)])
        self.account._sync_orders()
        record = self.connector_order(order)
        self.assertEqual(record.state, "attention")
        self.assertIn("No product with SKU 'CAP-1' or EAN '%s' in Odoo" % ean, record.message)
        self.assertFalse(record.sale_order_id)
        self.assertEqual(record.activity_ids.user_id, self.account.responsible_user_id)
        self.assertIn(record.message, self.logs(flow="order", state="error").mapped("message"))
        self.sale_of(other)  # one bad order does not block the others
        # CCV rows of simple products carry no EAN: the connector read it from the product
        cap_id = self.emulator.product_by_sku("CAP-1")["id"]
        self.assertEqual(len(self.received("GET", rf"/products/{cap_id}")), 1)

        # the product exists in Odoo under another reference but with the EAN: retry matches it
        cap = self.env["product.product"].create(
            {
                "name": "Basecap",
                "default_code": "CAP-ODOO",
                "barcode": ean,
                "is_storable": True,
                "taxes_id": [Command.set(self.tax_19.ids)],
            }
        )
        record.action_retry()
        self.assertEqual(record.state, "done", record.message)
        sale = record.sale_order_id
        self.assertIn(cap, sale.order_line.product_id)
        self.assertAlmostEqual(sale.amount_total, order["total_price"], places=2)
        self.assertAlmostEqual(sale.amount_total, 29.44, places=2)  # 14.99 + 9.50 + 4.95
        self.assertEqual(self.account._sync_orders()["new"], 0)
        self.assertEqual(len(self.account_sales()), 2)

    def test_order_whose_total_differs_from_its_rows_is_parked_with_both_figures(self):
        wrong = self.emulator.add_order(HANS, [("SHIRT-1", 1), ("MUG-1", 1)])
        right = self.emulator.add_order(HANS, [("MUG-1", 1)])
        booked = wrong["total_price"]
        wrong["total_price"] = round(booked + 1.0, 2)  # the shop's total: one euro more than its rows
        self.account._sync_orders()
        record = self.connector_order(wrong)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"{booked:.2f}", record.message)
        self.assertIn(f"{wrong['total_price']:.2f}", record.message)
        self.assertFalse(record.sale_order_id)
        self.assertEqual(len(self.account_sales()), 1, "the other order is imported")
        self.assertAlmostEqual(self.sale_of(right).amount_total, right["total_price"], places=2)

    def test_order_whose_rows_came_cut_short_is_imported_whole_on_retry(self):
        order = self.emulator.add_order(HANS, [("SHIRT-1", 2), ("MUG-1", 1), ("BOOK-1", 1)])
        # the shop answers the rows cut short (no "next" link: nothing to notice in the listing)
        self.emulator.inject("truncate", count=1, path=rf"/orders/{order['id']}/orderrows$")
        self.account._sync_orders()
        record = self.connector_order(order)
        self.assertEqual(record.state, "attention")
        self.assertIn("differs from the channel's total", record.message)
        self.assertEqual(len(record.payload["orderrows"]), 1)
        # the shop now answers whole: Retry reads the order again before importing it
        self.emulator.reset_log()
        record.action_retry()
        self.assertEqual(len(self.received("GET", rf"/orders/{order['id']}")), 1)
        self.assertEqual(len(self.received("GET", rf"/orders/{order['id']}/orderrows")), 1)
        sale = self.sale_of(order)
        lines = sale.order_line.filtered(lambda line: line.product_id.default_code != "CCV-SHIPPING")
        self.assertEqual(
            sorted((line.product_id.default_code, line.product_uom_qty) for line in lines),
            [("BOOK-1", 1), ("MUG-1", 1), ("SHIRT-1", 2)],
        )
        self.assertAlmostEqual(sale.amount_total, order["total_price"], places=2)
        self.assertAlmostEqual(sale.amount_total, 66.43, places=2)  # 2 x 19.99 + 9.50 + 12.00 + 4.95
        self.assertEqual(len(record.payload["orderrows"]), 3)
        self.assertIn(
            "Re-fetched from the channel: the order changed there since it was stored.",
            self.logs(flow="order", connector_order_id=record.id).mapped("message"),
        )
        self.assertEqual(len(self.account_sales()), 1)

    def test_retry_uses_the_stored_order_when_the_shop_cannot_be_reached(self):
        order = self.emulator.add_order(HANS, [("SHIRT-1", 1), ("MUG-1", 1)])
        self.emulator.inject("truncate", count=1, path=rf"/orders/{order['id']}/orderrows$")
        self.account._sync_orders()
        record = self.connector_order(order)
        self.assertEqual(record.state, "attention")
        stored = record.payload_hash
        self.emulator.inject("expired-token", count=1, path=rf"/orders/{order['id']}$")
        record.action_retry()
        # the stored copy is still the short one: parked again, nothing lost
        self.assertEqual(record.state, "attention")
        self.assertEqual(record.payload_hash, stored)
        self.assertIn("differs from the channel's total", record.message)
        [warning] = self.logs(flow="order", state="warning", connector_order_id=record.id)
        self.assertIn("Could not re-fetch the order from the channel", warning.message)
        self.assertIn("the stored copy is used", warning.message)
        # the shop is back: the next Retry imports it whole
        record.action_retry()
        self.assertAlmostEqual(self.sale_of(order).amount_total, order["total_price"], places=2)

    def test_server_errors_and_rate_limit_are_retried_without_doubles(self):
        orders = self.seed_orders()
        self.emulator.inject("503", count=1, path=r"/orders$")
        self.emulator.inject("429-no-retry-after", count=1, path=r"/orderrows$")
        with self.no_waiting() as waits:
            stats = self.account._sync_orders()
        self.assertEqual((stats["fetched"], stats["new"]), (3, 3))
        self.assertEqual(len(self.received("GET", "/orders")), 2)
        # 503: backoff of 1 s (+ jitter); 429 without Retry-After: CCV's 10 s
        self.assertEqual(len(waits), 2)
        self.assertTrue(1 <= waits[0] < 2, waits)
        self.assertEqual(waits[1], 10)
        for name in ("erika", "acme", "erika2"):
            self.sale_of(orders[name])
        self.assertEqual(len(self.account_sales()), 3)

    def test_a_failing_shop_keeps_the_watermark_and_the_next_sync_imports_all_once(self):
        orders = self.seed_orders()
        self.emulator.inject("500", count=5, path=r"/orderrows$")
        with self.no_waiting() as waits:
            result = self.account.action_sync_orders()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("CCV Shop: server error 500 on GET", result["params"]["message"])
        self.assertEqual(len(waits), 4)  # the client's retries, then the sync gives up
        self.assertFalse(self.account.order_watermark)
        self.assertIn("server error 500", self.account.last_error)
        self.assertIn(self.account.last_error, self.logs(flow="order", state="error").mapped("message"))
        self.assertFalse(self.env["connector.order"].search([("account_id", "=", self.account.id)]))
        # the shop answers again: every order once
        stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 3)
        self.assertEqual(
            sorted(self.account_sales().mapped("connector_external_id")),
            sorted(str(orders[name]["id"]) for name in ("erika", "acme", "erika2")),
        )
        self.assertEqual(self.account.order_watermark, created_at(orders["erika2"]))


@tagged("post_install", "-at_install")
class TestCcvOutbound(CcvCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        clothes = Category.create({"name": "Kleidung"})
        cls.category = Category.create({"name": "Shirts", "parent_id": clothes.id})
        cls.product_cap = cls.env["product.product"].create(
            {
                "name": "Basecap",
                "default_code": "CAP-1",
                "barcode": ean13("400000000777"),
                "list_price": 12.6,  # 14.99 incl. 19 %
                "is_storable": True,
                "taxes_id": [Command.set(cls.tax_19.ids)],
                "categ_id": cls.category.id,
                "description_sale": "Kappe aus Baumwolle\nEine Größe",
                "image_1920": png(),
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.product_cap, cls.warehouse.lot_stock_id, 4)
        cls.product_shirt.categ_id = cls.category
        products = cls.product_cap | cls.product_shirt | cls.product_book | cls.product_mug
        products.product_tmpl_id.write({"connector_account_ids": [Command.link(cls.account.id)]})
        # the account's product filter leaves the mug out
        cls.account.product_domain = "[('sale_ok', '=', True), ('default_code', '!=', 'MUG-1')]"

    def test_product_export_creates_then_updates_only_with_the_checkbox(self):
        emu = self.emulator
        shop_shirt = dict(emu.product_by_sku("SHIRT-1"))
        self.account.update_product_info = False
        self.assertEqual(self.account._export_products(), 3)  # cap, shirt, book; not the mug

        # the new product: created with everything CCV needs
        [post] = self.received("POST", "/products")
        self.assertEqual(post.json["productnumber"], "CAP-1")
        cap = emu.product_by_sku("CAP-1")
        self.assertEqual(
            (cap["name"], cap["eannumber"], cap["price"], cap["taxtariff"], cap["vatrate"]),
            ("Basecap", ean13("400000000777"), 14.99, "normal", 19),
        )
        self.assertEqual((cap["package_id"], cap["stock"], cap["stockenabled"]), (1, 4, True))
        self.assertEqual(cap["description"], "Kappe aus Baumwolle\nEine Größe")
        self.assertEqual(cap["shortdescription"], "Kappe aus Baumwolle")
        [photo] = emu.photos[cap["id"]]
        self.assertEqual((photo["file_type"], photo["is_mainphoto"]), ("png", True))
        self.assertTrue(cap["productmainphoto"])
        # categories: "Kleidung" existed in the shop, "Shirts" is created below it
        categories = {c["name"]: c for c in emu.categories.values()}
        self.assertEqual(sorted(categories), ["Kleidung", "Shirts"])
        self.assertEqual(categories["Shirts"]["_parent"], categories["Kleidung"]["id"])
        linked = {(link["product_id"], link["category_id"]) for link in emu.links.values()}
        shirts = categories["Shirts"]["id"]
        self.assertEqual(linked, {(cap["id"], shirts)})
        # the shop's own products were bound, never overwritten nor moved (checkbox off)
        self.assertFalse(self.received("PATCH", r"/products/\d+"))
        self.assertEqual(emu.product_by_sku("SHIRT-1")["name"], shop_shirt["name"])
        self.assertEqual(emu.product_by_sku("SHIRT-1")["price"], 19.99)
        bindings = self.account.binding_ids
        self.assertEqual(
            {b.product_id.default_code: b.external_id for b in bindings},
            {
                "CAP-1": str(cap["id"]),
                "SHIRT-1": str(shop_shirt["id"]),
                "BOOK-1": str(emu.product_by_sku("BOOK-1")["id"]),
            },
        )

        # edited in Odoo, checkbox still off: nothing descriptive is sent again
        self.product_cap.write({"name": "Basecap Navy", "description_sale": "Navy"})
        emu.reset_log()
        self.assertEqual(self.account._export_products(), 0)
        self.assertFalse(emu.requests_to(path=rf"^{P}/"))
        # ... but a new price is: the price alone, to the bound product
        self.product_cap.list_price = 16.8
        self.assertEqual(self.account._export_products(), 1)
        [patch] = emu.requests_to(path=rf"^{P}/")
        self.assertEqual((patch.method, patch.path), ("PATCH", f"{P}/products/{cap['id']}"))
        self.assertEqual(patch.json, {"price": 19.99})  # 16.80 + 19 %
        self.assertEqual((cap["name"], cap["price"]), ("Basecap", 19.99))
        self.assertEqual(cap["description"], "Kappe aus Baumwolle\nEine Größe")
        self.assertEqual(len(emu.photos[cap["id"]]), 1)
        # sent once: the next export has nothing to send
        emu.reset_log()
        self.assertEqual(self.account._export_products(), 0)
        self.assertFalse(emu.requests_to(path=rf"^{P}/"))
        # a price change through the account's pricelist, in a shop priced without VAT
        self.account.write(
            {
                "ccv_prices_include_tax": False,
                "pricelist_id": self.env["product.pricelist"]
                .create(
                    {
                        "name": "CCV",
                        "currency_id": self.env.ref("base.EUR").id,
                        "company_id": self.company.id,
                        "item_ids": [
                            Command.create(
                                {
                                    "applied_on": "0_product_variant",
                                    "product_id": self.product_book.id,
                                    "compute_price": "fixed",
                                    "fixed_price": 10.0,
                                }
                            )
                        ],
                    }
                )
                .id,
            }
        )
        book = emu.product_by_sku("BOOK-1")
        self.assertEqual(self.account._export_products(), 1)
        [patch] = emu.requests_to(path=rf"^{P}/")
        self.assertEqual((patch.path, patch.json), (f"{P}/products/{book['id']}", {"price": 10.0}))
        self.account.write({"ccv_prices_include_tax": True, "pricelist_id": False})

        # checkbox on: the shop gets the new name and price, and nothing twice
        self.account.update_product_info = True
        self.assertEqual(self.account._export_products(), 3)
        [patch] = self.received("PATCH", rf"/products/{cap['id']}")
        self.assertEqual((patch.json["name"], patch.json["price"]), ("Basecap Navy", 19.99))
        self.assertEqual((cap["name"], cap["price"]), ("Basecap Navy", 19.99))
        self.assertEqual(emu.product_by_sku("SHIRT-1")["price"], 23.79)  # 19.99 net + 19 %
        self.assertEqual(emu.product_by_sku("BOOK-1")["taxtariff"], "low a")
        self.assertFalse(self.received("POST", "/products"))
        self.assertFalse(self.received("POST", "/categories"))
        # the shop's shirt joins the existing category once; the cap is already in it
        [link] = self.received("POST", "/producttocategories")
        self.assertEqual(link.json, {"product_id": shop_shirt["id"], "category_id": shirts})
        self.assertFalse(self.received("POST", r"/products/\d+/productphotos"))
        self.assertEqual(len(emu.photos[cap["id"]]), 1)

    def test_stock_push_sends_only_changed_quantities(self):
        emu = self.emulator
        self.account._export_products()
        emu.reset_log()
        self.assertEqual(self.account._export_stock(), 3)
        sent = {r.path: r.json for r in self.received("PATCH", r"/products/\d+")}
        ids = {sku: emu.product_by_sku(sku)["id"] for sku in ("CAP-1", "SHIRT-1", "BOOK-1")}
        self.assertEqual(
            sent,
            {
                f"{P}/products/{ids['CAP-1']}": {"stock": 4, "stockenabled": True},
                f"{P}/products/{ids['SHIRT-1']}": {"stock": 50, "stockenabled": True},
                f"{P}/products/{ids['BOOK-1']}": {"stock": 5, "stockenabled": True},
            },
        )
        self.assertEqual(emu.product_by_sku("MUG-1")["stock"], 7)  # not published: untouched

        # nothing changed: nothing sent
        emu.reset_log()
        self.assertEqual(self.account._export_stock(), 0)
        self.assertFalse(self.received("PATCH", r"/products/\d+"))

        # an Odoo sale reserves 3 shirts: on hand minus reserved goes to the shop, alone
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Laden"}).id,
                "company_id": self.company.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": self.product_shirt.id, "product_uom_qty": 3})],
            }
        )
        sale.action_confirm()
        self.assertEqual(self.account._export_stock(), 1)
        [request] = self.received("PATCH", r"/products/\d+")
        self.assertEqual(
            (request.path, request.json),
            (f"{P}/products/{ids['SHIRT-1']}", {"stock": 47, "stockenabled": True}),
        )
        self.assertEqual(emu.product_by_sku("SHIRT-1")["stock"], 47)

        # the account says Odoo, not CCV, keeps the stock: CCV's stock tracking is switched off
        self.account.stock_managed_by_channel = False
        emu.reset_log()
        self.assertEqual(self.account._export_stock(force=True), 3)
        self.assertEqual({r.json["stockenabled"] for r in self.received("PATCH", r"/products/\d+")}, {False})

    def test_done_delivery_marks_the_order_sent_with_carrier_and_tracking(self):
        orders = self.seed_orders()
        self.account._sync_orders()
        erika = orders["erika"]
        sale = self.sale_of(erika)
        picking = sale.picking_ids
        self.assertEqual(picking.carrier_id, self.carrier)
        picking.carrier_tracking_ref = "JJD0099887766"
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        [request] = self.received("PATCH", rf"/orders/{erika['id']}")
        self.assertEqual(
            request.json,
            {
                "status": 5,
                "mail": True,
                "track_and_trace_code": "JJD0099887766",
                "track_and_trace_carrier": "DHL",
            },
        )
        shop_order = self.emulator.orders[erika["id"]]
        self.assertEqual(
            (shop_order["status"], shop_order["track_and_trace_code"], shop_order["track_and_trace_carrier"]),
            (5, "JJD0099887766", "DHL"),
        )
        self.assertTrue(picking.connector_shipped_at)
        self.assertIn(
            "DHL JJD0099887766", " ".join(self.logs(flow="shipment", state="done").mapped("message"))
        )
        # the other imported orders were not touched, and the sent order is not imported again
        self.assertFalse(self.received("PATCH", rf"/orders/{orders['acme']['id']}"))
        self.assertEqual(self.account._sync_orders()["new"], 0)
        self.assertEqual(len(self.account_sales()), 3)
