# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland end to end: Odoo -> KauflandClient -> real HTTP -> the Seller API emulator.

Every assertion on what Kaufland received reads the emulator's own state or request log.
"""

import time
from datetime import datetime, timedelta

from odoo.addons.marketplace_kaufland import const
from odoo.tests import tagged
from odoo.tools import mute_logger
from tests.emulators.kaufland import DEMO_ACCOUNT_VALUES, DEMO_CLIENT_KEY

from .common import KauflandCommon

CLIENT_LOGGER = "odoo.addons.connector_base.http_client"


def channel_total(emulator, id_order):
    """What the buyer paid for the live units of an order, in major units, from the emulator."""
    units = [u for u in emulator.units_of_order(id_order) if u["status"] != "cancelled"]
    return sum(u["price"] + u["shipping_rate"] for u in units) / 100


@tagged("post_install", "-at_install")
class TestKauflandConnection(KauflandCommon):
    def test_connection_with_good_keys(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("Never tell me the odds", action["params"]["message"])  # the emulator's pong
        self.assertIn("Storefronts: de, cz", action["params"]["message"])
        self.assertEqual(self.account.state, "connected")
        (ping,) = self.emulator.requests_to("GET", "/status/ping")
        self.assertEqual(ping.headers["Shop-Client-Key"], DEMO_CLIENT_KEY)
        self.assertEqual(ping.headers["User-Agent"], const.USER_AGENT)
        self.assertAlmostEqual(int(ping.headers["Shop-Timestamp"]), time.time(), delta=60)

    def _assert_refused(self, *expected):
        with mute_logger(CLIENT_LOGGER):
            action = self.account.action_test_connection()
        message = action["params"]["message"]
        self.assertEqual(action["params"]["type"], "danger")
        for text in expected:
            self.assertIn(text, message)
        self.assertEqual(self.account.state, "error")
        self.assertEqual(self.account.last_error, message)
        log = self.logs(flow="connection", state="error")
        self.assertEqual(log.message, message)
        return message

    def test_wrong_secret_key_says_signature(self):
        self.account.kaufland_secret_key = "0" * 64
        self._assert_refused("401", "Signature is not valid", "Secret Key")
        # refused credentials are not retried
        self.assertEqual(len(self.emulator.requests_to("GET", "/status/ping")), 1)

    def test_unknown_client_key(self):
        self.account.kaufland_client_key = "f" * 32
        self._assert_refused("Invalid client key", "Client Key")

    def test_skewed_clock_says_clock(self):
        # Kaufland's clock is 10 minutes ahead of this server's.
        self.emulator.clock = lambda: time.time() + 600
        self._assert_refused("Shop-Timestamp is too far from the server time", "clock")

    def test_missing_keys_send_nothing(self):
        self.account.kaufland_secret_key = False
        self._assert_refused("Secret Key are missing")
        self.assertFalse(self.emulator.requests_to())

    def test_demo_account_imports_the_seeded_demo(self):
        """scripts/demo.sh: DEMO_ACCOUNT_VALUES against the seeded emulator, catalogue bound."""
        self.emulator.seed_demo()
        self.account.write(dict(DEMO_ACCOUNT_VALUES, import_since=datetime.now() - timedelta(days=60)))
        # the demo's products come from the channel's catalogue (what demo_setup.py does)
        self.account.catalogue_auto_create = True
        self.account._import_catalogue()
        self.assertEqual(self.account.action_test_connection()["params"]["type"], "success")
        stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 10)
        records = self.env["connector.order"].search([("account_id", "=", self.account.id)])
        self.assertEqual(
            sorted(records.mapped("state")), ["done"] * 9 + ["ignored"], records.mapped("message")
        )
        self.assertEqual(sorted(set(self.account_sales().mapped("currency_id.name"))), ["CZK", "EUR"])


@tagged("post_install", "-at_install")
class TestKauflandOrderImport(KauflandCommon):
    def setUp(self):
        super().setUp()
        self.ids = self.seed_orders()

    def test_sync_imports_grouped_order_units(self):
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("6 orders fetched: 6 new", action["params"]["message"])
        # one listing per configured storefront, from the account's start date; new orders
        # arrive complete, so no order is read again one by one
        listings = self.emulator.requests_to("GET", "/order-units$")
        self.assertEqual([r.query["storefront"] for r in listings], [["de"], ["cz"]])
        self.assertEqual(listings[0].query["ts_updated_from_iso"], ["2020-01-01T00:00:00Z"])
        self.assertEqual(listings[0].query["limit"], ["100"])
        self.assertFalse(self.emulator.requests_to("GET", "/orders/"))

        id_order = self.ids["erika"]
        units = self.emulator.units_of_order(id_order)
        sale = self.sale_of(id_order)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.client_order_ref, id_order)
        self.assertEqual(sale.currency_id.name, "EUR")
        self.assertEqual(sale.warehouse_id, self.warehouse)
        # partner from the buyer and the billing address
        partner = sale.partner_id
        self.assertEqual(partner.name, "Erika Mustermann")
        self.assertEqual(partner.email, "erika.mustermann@example.com")
        self.assertEqual(
            (partner.street, partner.zip, partner.city, partner.country_id.code),
            ("Heidestraße 17", "51147", "Köln", "DE"),
        )
        self.assertEqual(partner.phone, "+49 221 1234567")
        self.assertFalse(partner.is_company)
        self.assertEqual(sale.partner_invoice_id, partner)
        self.assertEqual(sale.partner_shipping_id, partner)
        # three units -> two lines: 2 shirts (one line, both unit ids) and 1 book
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        book = sale.order_line.filtered(lambda line: line.product_id == self.product_book)
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual((shirt.product_uom_qty, shirt.price_unit), (2, 19.99))
        self.assertEqual(shirt.connector_line_ref, f"{units[0]['id_order_unit']},{units[1]['id_order_unit']}")
        self.assertEqual((book.product_uom_qty, book.price_unit), (1, 12.0))
        self.assertEqual(book.connector_line_ref, str(units[2]["id_order_unit"]))
        self.assertEqual((shirt.tax_ids.amount, book.tax_ids.amount), (19, 7))
        self.assertTrue(shirt.tax_ids.price_include and book.tax_ids.price_include)
        self.assertAlmostEqual(shipping.price_total, 3.90, places=2)
        self.assertEqual(shipping.tax_ids.amount, 19)  # the highest rate of the goods
        # the buyer paid 2 x 19.99 + 12.00 + 3.90
        self.assertAlmostEqual(channel_total(self.emulator, id_order), 55.88, places=2)
        self.assertAlmostEqual(sale.amount_total, 55.88, places=2)
        # VAT: 19 % of 43.88 gross = 7.01, 7 % of 12.00 gross = 0.79
        self.assertAlmostEqual(sale.amount_tax, 7.80, places=2)
        self.assertEqual(
            self.connector_order(id_order).channel_updated_at,
            datetime.fromisoformat(units[-1]["ts_updated_iso"].replace("Z", "")),
        )

    def test_business_buyer_with_delivery_address_and_repeat_customer(self):
        self.account._sync_orders()
        acme = self.sale_of(self.ids["acme"])
        company = acme.partner_id.commercial_partner_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, "ACME Handels GmbH")
        self.assertEqual(company.street, "Industriestraße 5")
        self.assertEqual(acme.partner_id.name, "Max Muster")
        self.assertEqual(acme.partner_id.parent_id, company)
        self.assertEqual(acme.partner_id.email, "einkauf@acme.example")
        self.assertEqual(acme.partner_invoice_id, company)
        delivery = acme.partner_shipping_id
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(delivery.parent_id, company)
        self.assertEqual(
            (delivery.name, delivery.street, delivery.street2, delivery.zip, delivery.city),
            ("Lager ACME", "Hafenweg 2", "Tor 3", "20457", "Hamburg"),
        )
        mugs = acme.order_line
        self.assertEqual(len(mugs), 1, "free shipping: no shipping line")
        self.assertEqual((mugs.product_id, mugs.product_uom_qty, mugs.price_unit), (self.product_mug, 3, 9.5))
        self.assertAlmostEqual(acme.amount_total, channel_total(self.emulator, self.ids["acme"]), places=2)
        self.assertAlmostEqual(acme.amount_total, 28.50, places=2)
        # Erika ordered twice (the repeat order's e-mail in capitals): one customer, two orders
        first, second = self.sale_of(self.ids["erika"]), self.sale_of(self.ids["erika2"])
        self.assertEqual(second.partner_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=ilike", "erika.mustermann@example.com")]), 1
        )
        self.assertAlmostEqual(second.amount_total, 13.40, places=2)

    def test_second_storefront_sells_in_czk(self):
        self.account._sync_orders()
        id_order = self.ids["petr"]
        sale = self.sale_of(id_order)
        self.assertEqual(sale.currency_id.name, "CZK")
        self.assertEqual(sale.pricelist_id.currency_id.name, "CZK")
        self.assertEqual(sale.partner_id.name, "Petr Novák")
        self.assertEqual(sale.partner_id.country_id.code, "CZ")
        self.assertEqual(sale.partner_id.city, "Praha")
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        self.assertEqual((shirt.product_uom_qty, shirt.price_unit), (1, 499.0))
        self.assertAlmostEqual(sale.order_line.filtered("is_delivery").price_total, 99.0, places=2)
        self.assertAlmostEqual(sale.amount_total, 598.0, places=2)
        self.assertAlmostEqual(channel_total(self.emulator, id_order), 598.0, places=2)

    def test_cancelled_units(self):
        self.account._sync_orders()
        # one of two units cancelled before import: one shirt sold, the other in the note
        units = self.emulator.units_of_order(self.ids["partly"])
        sale = self.sale_of(self.ids["partly"])
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        self.assertEqual(shirt.product_uom_qty, 1)
        self.assertEqual(shirt.connector_line_ref, str(units[0]["id_order_unit"]))
        self.assertIn(f"{units[1]['id_order_unit']} (NoInventory)", str(sale.note))
        self.assertAlmostEqual(sale.amount_total, 23.89, places=2)
        self.assertAlmostEqual(channel_total(self.emulator, self.ids["partly"]), 23.89, places=2)
        # every unit cancelled before import: stored, not imported
        gone = self.connector_order(self.ids["gone"])
        self.assertEqual(gone.state, "ignored")
        self.assertFalse(gone.sale_order_id)
        self.assertFalse(self.env["sale.order"].search([("connector_external_id", "=", self.ids["gone"])]))

    def test_status_and_storefront_filter(self):
        stats = self.account._sync_orders()
        self.assertEqual(stats["fetched"], 6)
        # sent (already shipped), open (not released yet) and a storefront the account
        # does not sell on are not imported
        for name in ("sent", "open", "vienna"):
            self.assertFalse(self.connector_order(self.ids[name]), name)
        self.assertEqual(len(self.account_sales()), 5)
        # Kaufland releases the open order: the next sync imports it, read whole because
        # it is older than the sync window
        self.emulator.reset_log()
        for unit in self.emulator.units_of_order(self.ids["open"]):
            self.emulator.set_unit_status(unit["id_order_unit"], "need_to_be_sent")
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (1, 0))
        sale = self.sale_of(self.ids["open"])
        self.assertEqual(
            sale.order_line.filtered(lambda line: not line.is_delivery).product_id, self.product_book
        )
        self.assertAlmostEqual(sale.amount_total, 15.90, places=2)
        # books only: the shipping carries their 7 % VAT (15.90 gross -> 1.04 VAT)
        self.assertEqual(sale.order_line.filtered("is_delivery").tax_ids.amount, 7)
        self.assertAlmostEqual(sale.amount_tax, 1.04, places=2)
        self.assertEqual(len(self.emulator.requests_to("GET", f"/orders/{self.ids['open']}$")), 1)

    def test_second_sync_imports_nothing(self):
        self.account._sync_orders()
        sales = self.account_sales()
        self.assertEqual(len(sales), 5)
        newest = max(
            datetime.fromisoformat(u["ts_updated_iso"].replace("Z", ""))
            for name in ("erika", "acme", "petr", "erika2", "partly", "gone")
            for u in self.emulator.units_of_order(self.ids[name])
        )
        self.assertEqual(self.account.order_watermark, newest)
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 0))
        self.assertEqual(self.account_sales(), sales)
        # asked from the watermark minus the 15 minutes overlap
        since = (newest - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for request in self.emulator.requests_to("GET", "/order-units$"):
            self.assertEqual(request.query["ts_updated_from_iso"], [since])
        imported = self.logs(flow="order").filtered(lambda log: log.message.startswith("Imported"))
        self.assertEqual(len(imported), 5)

    def test_cancellation_after_import_cancels_the_order(self):
        self.account._sync_orders()
        sale = self.sale_of(self.ids["erika2"])
        self.assertEqual(sale.state, "sale")
        for unit in self.emulator.units_of_order(self.ids["erika2"]):
            self.emulator.set_unit_status(unit["id_order_unit"], "cancelled", "BuyerCancelled")
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 1))
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(len(self.account_sales()), 5)

    def test_offer_id_differs_from_sku_matches_by_ean(self):
        # the seller's Kaufland offer id is not the Odoo internal reference: the EAN matches
        self.emulator.add_offer("KF-MUG-RED", self.product_mug.barcode, "Mug", 950)
        id_order = self.emulator.add_order(
            [("KF-MUG-RED", 2, 950, 19)],
            {
                "first_name": "Jo",
                "last_name": "Weber",
                "street": "Marienplatz",
                "house_number": "3",
                "postcode": "80331",
                "city": "München",
                "country": "DE",
            },
            "jo@example.de",
        )
        self.account._sync_orders()
        line = self.sale_of(id_order).order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual((line.product_id, line.product_uom_qty), (self.product_mug, 2))

    def test_unreadable_unit_parks_that_order_only(self):
        unit = self.emulator.units_of_order(self.ids["acme"])[0]
        self.emulator.order_units[unit["id_order_unit"]]["price"] = "9,50"
        self.account._sync_orders()
        parked = self.connector_order(self.ids["acme"])
        self.assertEqual(parked.state, "attention")
        self.assertIn(f"Order unit {unit['id_order_unit']} price", parked.message)
        self.assertTrue(parked.activity_ids)
        self.assertFalse(parked.sale_order_id)
        self.assertEqual(len(self.account_sales()), 4)
        # Kaufland corrects it: the next sync refreshes the payload and imports it, once
        self.emulator.set_unit_status(unit["id_order_unit"], "need_to_be_sent")
        self.emulator.order_units[unit["id_order_unit"]]["price"] = 950
        stats = self.account._sync_orders()
        self.assertEqual(stats["changed"], 1)
        self.assertAlmostEqual(self.sale_of(self.ids["acme"]).amount_total, 28.50, places=2)
        self.assertEqual(len(self.account_sales()), 5)


@tagged("post_install", "-at_install")
class TestKauflandFaults(KauflandCommon):
    """Each fault: retried within the sync, or a clear log with nothing stored; never doubles."""

    def setUp(self):
        super().setUp()
        self.ids = self.seed_orders()

    def _assert_all_imported_once(self):
        self.assertEqual(len(self.account_sales()), 5)
        for name in ("erika", "acme", "petr", "erika2", "partly"):
            self.assertEqual(
                len(self.env["sale.order"].search([("connector_external_id", "=", self.ids[name])])), 1
            )
        self.assertAlmostEqual(self.sale_of(self.ids["erika"]).amount_total, 55.88, places=2)

    def _sync_with_fault(self, kind, path, count=1):
        self.emulator.inject(kind, count=count, path=path)
        with mute_logger(CLIENT_LOGGER, "odoo.addons.marketplace_kaufland.client"):
            return self.account.action_sync_orders()

    def test_server_error_is_retried(self):
        action = self._sync_with_fault("500", "/order-units$")
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        listings = self.emulator.requests_to("GET", "/order-units$")
        self.assertEqual([r.query["storefront"] for r in listings], [["de"], ["de"], ["cz"]])
        self._assert_all_imported_once()

    def test_rate_limit_is_retried_after_retry_after(self):
        start = time.monotonic()
        action = self._sync_with_fault("429", "/order-units$")
        self.assertGreaterEqual(time.monotonic() - start, 1.0, "Retry-After: 1 was honoured")
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.requests_to("GET", "/order-units$")), 3)
        self._assert_all_imported_once()

    def test_emulator_rate_limit(self):
        # one request per second: every second request of the sync meets a real 429
        self.emulator.rate_limit = (1, 1)
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self._assert_all_imported_once()

    def test_connection_reset_is_retried(self):
        action = self._sync_with_fault("reset", "/order-units$")
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self._assert_all_imported_once()

    def test_malformed_json_is_asked_again(self):
        action = self._sync_with_fault("malformed", "/order-units$")
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self._assert_all_imported_once()

    def test_truncated_page_is_asked_again(self):
        action = self._sync_with_fault("truncate", "/order-units$")
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.requests_to("GET", "/order-units$")), 3)
        self._assert_all_imported_once()

    def _assert_failed_cleanly(self, action, reason):
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(reason, action["params"]["message"])
        self.assertIn(reason, self.account.last_error)
        self.assertTrue(self.logs(flow="order", state="error").filtered(lambda log: reason in log.message))
        self.assertFalse(self.account.order_watermark, "the watermark did not move")
        self.assertFalse(self.env["connector.order"].search([("account_id", "=", self.account.id)]))
        # the next sync gets everything, once
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self._assert_all_imported_once()

    def test_persistent_malformed_json_fails_cleanly_then_recovers(self):
        action = self._sync_with_fault("malformed", "/order-units$", count=2)
        self._assert_failed_cleanly(action, "malformed JSON")

    def test_persistent_truncated_pages_fail_cleanly_then_recover(self):
        action = self._sync_with_fault("truncate", "/order-units$", count=2)
        self._assert_failed_cleanly(action, "incomplete page")

    def test_expired_credentials_fail_cleanly_then_recover(self):
        action = self._sync_with_fault("expired-token", "/order-units$")
        self.assertEqual(self.account.state, "error")
        self._assert_failed_cleanly(action, "refused the credentials")
        self.assertEqual(self.account.state, "connected")

    def test_timeout_on_order_read_is_retried(self):
        self.account._sync_orders()
        for unit in self.emulator.units_of_order(self.ids["open"]):
            self.emulator.set_unit_status(unit["id_order_unit"], "need_to_be_sent")
        self.emulator.reset_log()
        # the gateway answers 504 after 12 s (Odoo's tests allow no client timeout below 10 s)
        action = self._sync_with_fault("timeout", f"/orders/{self.ids['open']}$")
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.requests_to("GET", f"/orders/{self.ids['open']}$")), 2)
        self.assertAlmostEqual(self.sale_of(self.ids["open"]).amount_total, 15.90, places=2)
        self.assertEqual(len(self.account_sales()), 6)


@tagged("post_install", "-at_install")
class TestKauflandOutbound(KauflandCommon):
    def _bind_all(self):
        return self.env["connector.product.binding"].create(
            [
                {
                    "account_id": self.account.id,
                    "product_id": product.id,
                    "external_sku": product.default_code,
                }
                for product in (self.product_shirt, self.product_mug, self.product_book)
            ]
        )

    def test_stock_push_sends_only_changed_amounts(self):
        bindings = self._bind_all()
        self.assertEqual(self.account._export_stock(), 3)
        # on hand in Odoo: 50 shirts, 20 mugs, 5 books; on both storefronts where offered
        self.assertEqual(
            [self.emulator.offer(sku)["amount"] for sku in ("SHIRT-1", "MUG-1", "BOOK-1")], [50, 20, 5]
        )
        self.assertEqual(self.emulator.offer("SHIRT-1", "cz")["amount"], 50)
        self.assertEqual(
            bindings.mapped("external_id"),
            [str(self.emulator.offer(sku)["id_unit"]) for sku in ("SHIRT-1", "MUG-1", "BOOK-1")],
        )
        self.assertFalse(any(bindings.mapped("last_error")), bindings.mapped("last_error"))
        # nothing changed: nothing sent
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 0)
        self.assertFalse(self.emulator.requests_to())
        # 4 mugs leave the shelf: only the mug is sent
        self.env["stock.quant"]._update_available_quantity(self.product_mug, self.warehouse.lot_stock_id, -4)
        self.assertEqual(self.account._export_stock(), 1)
        bulk = self.emulator.requests_to("POST", "/units/bulk")
        self.assertEqual(
            [(r.arg("storefront"), r.json) for r in bulk],
            [("de", [{"id_unit": self.emulator.offer("MUG-1")["id_unit"], "unit_data": {"amount": 16}}])],
        )
        self.assertEqual(self.emulator.offer("MUG-1")["amount"], 16)
        self.assertEqual(self.emulator.offer("SHIRT-1")["amount"], 50)

    def test_stock_push_lists_the_offers_once_per_storefront(self):
        """Bindings without storefront: one GET /units listing per storefront (its pages),
        never a lookup per SKU; the ids bound on the first push are trusted afterwards."""
        for n in range(120):  # the seller's other offers on cz: two pages of units
            self.emulator.add_offer(f"CZ-{n:03d}", f"{8590000000000 + n}", f"Zbozi {n}", 9900, 1, "cz")
        self.emulator.reset_log()
        bindings = self._bind_all()
        self.assertFalse(any(bindings.mapped("storefront")))
        self.assertEqual(self.account._export_stock(), 3)

        def unit(sku, storefront="de"):
            return self.emulator.offer(sku, storefront)["id_unit"]

        def received():
            listings = self.emulator.requests_to("GET", "/units$")
            self.assertFalse([r for r in listings if r.arg("id_offer") or r.arg("ean")], "no per-SKU lookup")
            return (
                [(r.arg("storefront"), r.arg("offset")) for r in listings],
                [(r.arg("storefront"), r.json) for r in self.emulator.requests_to("POST", "/units/bulk")],
            )

        # de: every SKU on the first page; cz: the shirt only, read to the end for the others
        self.assertEqual(
            received(),
            (
                [("de", "0"), ("cz", "0"), ("cz", "100")],
                [
                    (
                        "de",
                        [
                            {"id_unit": unit("SHIRT-1"), "unit_data": {"amount": 50}},
                            {"id_unit": unit("MUG-1"), "unit_data": {"amount": 20}},
                            {"id_unit": unit("BOOK-1"), "unit_data": {"amount": 5}},
                        ],
                    ),
                    ("cz", [{"id_unit": unit("SHIRT-1", "cz"), "unit_data": {"amount": 50}}]),
                ],
            ),
        )
        self.assertEqual(
            bindings.mapped("external_id"), [str(unit(s)) for s in ("SHIRT-1", "MUG-1", "BOOK-1")]
        )
        self.assertFalse(any(bindings.mapped("last_error")), bindings.mapped("last_error"))
        # 4 mugs leave the shelf: de trusts the bound id (no listing), cz has no mug offer
        self.emulator.reset_log()
        self.env["stock.quant"]._update_available_quantity(self.product_mug, self.warehouse.lot_stock_id, -4)
        self.assertEqual(self.account._export_stock(), 1)
        self.assertEqual(
            received(),
            (
                [("cz", "0"), ("cz", "100")],
                [("de", [{"id_unit": unit("MUG-1"), "unit_data": {"amount": 16}}])],
            ),
        )
        self.assertEqual(self.emulator.offer("MUG-1")["amount"], 16)
        self.assertFalse(bindings.filtered("last_error"))

    def _import_with_carrier(self):
        carrier_product = self.env["product.product"].create(
            {"name": "DHL Paket", "type": "service", "taxes_id": [(6, 0, self.tax_19.ids)]}
        )
        carrier = self.env["delivery.carrier"].create(
            {"name": "DHL Paket", "product_id": carrier_product.id, "company_id": self.company.id}
        )
        self.env["connector.shipping.mapping"].create(
            {
                "account_id": self.account.id,
                "code": "standard",
                "carrier_id": carrier.id,
                "channel_carrier_code": "DHL",
            }
        )
        ids = self.seed_orders()
        self.account._sync_orders()
        sale = self.sale_of(ids["erika"])
        self.assertEqual(sale.carrier_id, carrier)
        self.assertAlmostEqual(sale.amount_total, 55.88, places=2)
        return ids, sale

    def _ship(self, picking, quantities=None, tracking="00340434161094042557"):
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        self.assertEqual(picking.state, "done")

    def test_shipping_a_picking_marks_the_units_sent(self):
        ids, sale = self._import_with_carrier()
        units = [u["id_order_unit"] for u in self.emulator.units_of_order(ids["erika"])]
        picking = sale.picking_ids
        self.assertEqual(picking.carrier_id.name, "DHL Paket")
        self._ship(picking, {self.product_shirt: 1, self.product_book: 0})
        # one shirt shipped: one of its two units is sent, with carrier and tracking
        self.assertEqual(
            self.emulator.shipments,
            [{"id_order_unit": units[0], "carrier_code": "DHL", "tracking_numbers": "00340434161094042557"}],
        )
        self.assertEqual(
            [u["status"] for u in self.emulator.units_of_order(ids["erika"])],
            ["sent", "need_to_be_sent", "need_to_be_sent"],
        )
        self.assertTrue(picking.connector_shipped_at)
        # the rest ships in a second parcel
        backorder = sale.picking_ids - picking
        self._ship(backorder, tracking="00340434161094042558")
        self.assertEqual(
            sorted((s["id_order_unit"], s["tracking_numbers"]) for s in self.emulator.shipments[1:]),
            [(units[1], "00340434161094042558"), (units[2], "00340434161094042558")],
        )
        self.assertEqual({u["status"] for u in self.emulator.units_of_order(ids["erika"])}, {"sent"})
        log = self.logs(flow="shipment", state="done")
        self.assertEqual(len(log), 2)
        # the units changed in Kaufland; the next sync imports nothing new
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 0))

    def test_shipment_send_retried_after_server_error(self):
        ids, sale = self._import_with_carrier()
        self.emulator.inject("503", path="/send$")
        with mute_logger(CLIENT_LOGGER):
            self._ship(sale.picking_ids)
        self.assertEqual(len(self.emulator.shipments), 3)
        self.assertEqual(len(self.emulator.requests_to("PATCH", "/send$")), 4)
        self.assertEqual({u["status"] for u in self.emulator.units_of_order(ids["erika"])}, {"sent"})

    def test_shipment_without_carrier_code_is_logged(self):
        ids = self.seed_orders()
        self.account._sync_orders()
        sale = self.sale_of(ids["erika"])
        self.assertFalse(sale.carrier_id)
        self._ship(sale.picking_ids)
        log = self.logs(flow="shipment", state="error")
        self.assertIn("no Kaufland carrier code", log.message)
        self.assertEqual(log.external_ref, ids["erika"])
        self.assertFalse(sale.picking_ids.connector_shipped_at)
        self.assertFalse(self.emulator.requests_to("PATCH"))
        self.assertEqual(
            {u["status"] for u in self.emulator.units_of_order(ids["erika"])}, {"need_to_be_sent"}
        )

    def test_order_cancelled_in_odoo_cancels_the_units(self):
        ids = self.seed_orders()
        self.account._sync_orders()
        sale = self.sale_of(ids["acme"])
        sale._action_cancel()
        units = self.emulator.units_of_order(ids["acme"])
        self.assertEqual(
            {(u["status"], u["cancel_reason"]) for u in units}, {("cancelled", "GeneralAdjustment")}
        )
        self.assertEqual(len(self.emulator.requests_to("PATCH", "/cancel$")), 3)
        # Kaufland now reports the order cancelled: nothing else happens in Odoo
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 1))
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(len(self.emulator.requests_to("PATCH", "/cancel$")), 3)
