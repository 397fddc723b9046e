# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon end to end: Odoo -> AmazonClient -> python-amazon-sp-api (httpx) -> real HTTP ->
the SP-API + LWA emulator.

Every assertion on what Amazon received reads the emulator's own state or request log.
"""

import time
from datetime import datetime, timedelta

from odoo.addons.marketplace_amazon import const
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from tests.emulators.amazon import (
    DE,
    DEMO_ACCOUNT_VALUES,
    LWA_CLIENT_ID,
    NL,
    REFRESH_TOKEN,
    SELLER_ID,
    ean13,
)
from tests.emulators.amazon import _now as emulator_now
from tests.emulators.base import RateLimiter as EmulatorBucket

from .common import ACME_VAT, AmazonCommon

CLIENT_LOGGER = "odoo.addons.marketplace_amazon.client"
SEARCH_ORDERS = "/orders/2026-01-01/orders$"
IMPORTED = ("erika", "acme", "sanne", "erika2", "facilitator")


@tagged("post_install", "-at_install")
class TestAmazonAccount(AmazonCommon):
    """Login, stock and offers (no orders seeded)."""

    def _assert_refused(self, *expected):
        with mute_logger(CLIENT_LOGGER):
            action = self.account.action_test_connection()
        message = action["params"]["message"]
        self.assertEqual(action["params"]["type"], "danger")
        for text in expected:
            self.assertIn(text, message)
        self.assertEqual(self.account.state, "error")
        self.assertEqual(self.account.last_error, message)
        self.assertEqual(self.logs(flow="connection", state="error").message, message)
        return message

    def test_login_succeeds(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(action["params"]["message"], "Connected to Emulator Store on Amazon.de, Amazon.nl.")
        self.assertEqual(self.account.state, "connected")
        # LWA: refresh token grant with the app's credentials, as a form
        (token,) = self.emulator.requests_to("POST", "/auth/o2/token")
        self.assertTrue(token.headers["content-type"].startswith("application/x-www-form-urlencoded"))
        form = token.body.decode()
        self.assertIn("grant_type=refresh_token", form)
        self.assertIn(f"client_id={LWA_CLIENT_ID}", form)
        # then one cheap SP-API call with the access token LWA issued
        (call,) = self.emulator.requests_to("GET", "/sellers/v1/marketplaceParticipations")
        self.assertIn(call.headers["x-amz-access-token"], self.emulator.access_tokens)

    def test_bad_refresh_token_says_authorize_again(self):
        self.account.amazon_refresh_token = "Atzr|IwEBIrevoked-or-cut-off"
        message = self._assert_refused("invalid_grant", "Authorize the app again in Seller Central")
        self.assertNotIn("Atzr|", message)
        # refused credentials are not retried, and no SP-API call is made without a token
        self.assertEqual(len(self.emulator.requests_to("POST", "/auth/o2/token")), 1)
        self.assertFalse(self.emulator.requests_to("GET", "/sellers/"))

    def test_bad_client_secret_says_invalid_client(self):
        self.account.amazon_lwa_client_secret = "amzn1.oa2-cs.v1.wrong"
        self._assert_refused("invalid_client", "LWA client id or secret")

    def test_wrong_region(self):
        # The EU marketplaces cannot be saved with the North America region...
        with self.assertRaisesRegex(ValidationError, "belongs to the EU region"):
            self.account.amazon_region = "na"
        # ...and a North America account of a seller who sells in Europe only is told so.
        self.account.write({"amazon_region": "na", "amazon_marketplace_ids": "ATVPDKIKX0DER"})
        message = self._assert_refused(
            "does not sell on marketplace ATVPDKIKX0DER at this Amazon region (na)",
            "It sells on: Amazon.com.be, Amazon.de, Amazon.fr, Amazon.nl",
            "Check the account's region",
        )
        self.assertTrue(message)

    def test_missing_credentials_send_nothing(self):
        self.account.amazon_refresh_token = False
        self._assert_refused("Amazon credentials missing: refresh token")
        self.assertFalse(self.emulator.requests_to())

    def test_demo_account_imports_the_seeded_demo(self):
        """scripts/demo.sh: DEMO_ACCOUNT_VALUES against the seeded emulator, catalogue created."""
        self.emulator.seed_demo()
        self.account.write(dict(DEMO_ACCOUNT_VALUES, import_since=datetime.now() - timedelta(days=60)))
        # the demo's products come from the channel's catalogue (what demo_setup.py does)
        self.account.catalogue_auto_create = True
        self.account._import_catalogue()
        self.assertEqual(self.account.action_test_connection()["params"]["type"], "success")
        self.set_facilitator_position()
        stats = self.account._sync_orders()
        # 10 seeded orders: 8 merchant orders to ship, 1 FBA order, 1 already shipped (skipped)
        self.assertEqual(stats["new"], 9)
        records = self.env["connector.order"].search([("account_id", "=", self.account.id)])
        self.assertEqual(records.mapped("state"), ["done"] * 9, records.mapped("message"))
        sales = self.account_sales()
        self.assertEqual(
            sorted(set(sales.mapped("connector_storefront"))),
            sorted([DE, "A13V1IB3VIYZZH", NL, "AMEN7PMS3EDWL"]),
        )

    def test_stock_push_sends_only_changed_quantities(self):
        self.bind_all()
        self.assertEqual(self.account._export_stock(), 3)
        # on hand in Odoo: 50 shirts, 20 mugs, 5 books
        self.assertEqual(
            {sku: self.emulator.listings[sku]["quantity"] for sku in ("SHIRT-1", "MUG-1", "BOOK-1")},
            {"SHIRT-1": 50, "MUG-1": 20, "BOOK-1": 5},
        )
        patches = self.emulator.requests_to("PATCH", "/listings/2021-08-01/items/")
        self.assertEqual(
            sorted(r.path for r in patches),
            sorted(f"/listings/2021-08-01/items/{SELLER_ID}/{sku}" for sku in ("SHIRT-1", "MUG-1", "BOOK-1")),
        )
        self.assertEqual(patches[0].arg("marketplaceIds"), f"{DE},{NL}")
        # nothing changed: nothing sent
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 0)
        self.assertFalse(self.emulator.requests_to())
        # the imported Amazon orders reserve shirts, mugs and a book, 4 mugs leave the shelf:
        # those 3 SKUs are sent again
        ids = self.seed_orders()
        self.account._sync_orders()
        self.assertEqual(self.sale_of(ids["erika"]).picking_ids.state, "assigned")
        self.env["stock.quant"]._update_available_quantity(self.product_mug, self.warehouse.lot_stock_id, -4)
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 3)
        bodies = {r.path.rsplit("/", 1)[1]: r.json for r in self.emulator.requests_to("PATCH", "/listings/")}
        # shirts: 50 - 2 (Erika) - 1 (Sanne); mugs: 20 - 4 - 3 (ACME) - 1 (Erika) ; books: 5 - 1
        self.assertEqual(
            {sku: body["patches"][0]["value"][0]["quantity"] for sku, body in bodies.items()},
            {"SHIRT-1": 47, "MUG-1": 12, "BOOK-1": 4},
        )
        self.assertEqual(
            bodies["MUG-1"]["patches"],
            [
                {
                    "op": "merge",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
                }
            ],
        )
        self.assertEqual(self.emulator.listings["MUG-1"]["quantity"], 12)

    def test_stock_of_a_sku_without_listing_is_logged(self):
        lamp = self.env["product.product"].create(
            {"name": "Desk lamp", "default_code": "LAMP-1", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(lamp, self.warehouse.lot_stock_id, 3)
        binding = self.Binding.create({"account_id": self.account.id, "product_id": lamp.id})
        self.account._export_stock()
        self.assertIn("no Amazon listing yet", binding.last_error)
        self.assertIn("LAMP-1", self.logs(flow="stock", state="error").message)
        self.assertFalse(binding.stock_pushed)

    def test_product_export_creates_an_offer_on_the_catalogue_item(self):
        kettle = self.env["product.product"].create(
            {
                "name": "Water kettle",
                "default_code": "KETTLE-1",
                "barcode": ean13("400000000055"),
                "list_price": 33.53,
                "is_storable": True,
                "taxes_id": self.tax_19.ids,
            }
        )
        self.env["stock.quant"]._update_available_quantity(kettle, self.warehouse.lot_stock_id, 4)
        kettle.product_tmpl_id.connector_account_ids = self.account
        self.assertEqual(self.account._export_products(), 1)
        (put,) = self.emulator.requests_to("PUT", "/listings/2021-08-01/items/")
        self.assertEqual(put.path, f"/listings/2021-08-01/items/{SELLER_ID}/KETTLE-1")
        self.assertEqual(put.json["requirements"], "LISTING_OFFER_ONLY")
        attributes = put.json["attributes"]
        self.assertEqual(
            attributes["externally_assigned_product_identifier"],
            [{"type": "ean", "value": ean13("400000000055"), "marketplace_id": DE}],
        )
        # 33.53 + 19 % VAT = 39.90 on both marketplaces, 4 in stock
        self.assertEqual(
            [
                (o["marketplace_id"], o["our_price"][0]["schedule"][0]["value_with_tax"])
                for o in attributes["purchasable_offer"]
            ],
            [(DE, 39.9), (NL, 39.9)],
        )
        listing = self.emulator.listings["KETTLE-1"]
        self.assertEqual((listing["asin"], listing["quantity"]), ("B0KETTLE01", 4))
        binding = self.Binding.search([("account_id", "=", self.account.id), ("product_id", "=", kettle.id)])
        self.assertEqual(binding.external_id, "B0KETTLE01")
        # update product info off: a bound product is never sent again
        self.emulator.reset_log()
        self.assertEqual(self.account._export_products(), 0)
        self.assertFalse(self.emulator.requests_to())


@tagged("post_install", "-at_install")
class TestAmazonOrders(AmazonCommon):
    """The standard order set in the emulator (see AmazonCommon.seed_orders)."""

    def setUp(self):
        super().setUp()
        self.ids = self.seed_orders()
        self.facilitator_position = self.set_facilitator_position()

    def test_sync_imports_orders_of_two_marketplaces(self):
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("5 orders fetched: 5 new", action["params"]["message"])
        # one searchOrders call with items for both marketplaces: no per-order calls, no RDT
        (search,) = self.emulator.requests_to("GET", SEARCH_ORDERS)
        self.assertEqual(search.arg("marketplaceIds"), f"{DE},{NL}")
        self.assertEqual(search.arg("fulfillmentStatuses"), "PARTIALLY_SHIPPED,UNSHIPPED")
        self.assertEqual(search.arg("fulfilledBy"), "MERCHANT")
        self.assertEqual(search.arg("lastUpdatedAfter"), "2020-01-01T00:00:00Z")
        self.assertEqual(set(search.arg("includedData").split(",")), set(const.ORDERS_2026_INCLUDED_DATA))
        self.assertFalse(self.emulator.requests_to("GET", "/orders/2026-01-01/orders/"))
        self.assertFalse(self.emulator.requests_to(path="/orders/v0/"))
        # billing addresses: the invoicing TXT report, created, polled and downloaded with an RDT
        (report,) = self.emulator.requests_to("POST", "/reports/2021-06-30/reports")
        self.assertEqual(report.json["reportType"], "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING")
        self.assertEqual(report.json["marketplaceIds"], [DE, NL])
        (rdt,) = self.emulator.requests_to("POST", "/tokens/2021-03-01/restrictedDataToken")
        self.assertRegex(rdt.json["restrictedResources"][0]["path"], r"^/reports/2021-06-30/documents/")
        self.assertEqual(len(self.emulator.requests_to("GET", "/report-documents/")), 1)

        order_id = self.ids["erika"]
        sale = self.sale_of(order_id)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.client_order_ref, order_id)
        self.assertEqual(sale.connector_storefront, DE)
        self.assertEqual(sale.currency_id.name, "EUR")
        self.assertEqual(sale.warehouse_id, self.warehouse)
        # customer and invoice address from the report's bill-* columns, delivery to the Packstation
        partner = sale.partner_id
        self.assertEqual(partner.name, "Erika Mustermann")
        self.assertEqual(partner.email, "q7k2m9x4erika@marketplace.amazon.de")
        self.assertEqual(
            (partner.street, partner.zip, partner.city, partner.country_id.code),
            ("Heidestraße 17", "51147", "Köln", "DE"),
        )
        self.assertEqual(sale.partner_invoice_id, partner)
        delivery = sale.partner_shipping_id
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(delivery.parent_id, partner)
        self.assertEqual(
            (delivery.street, delivery.street2, delivery.zip, delivery.city),
            ("Packstation 105", "Postnummer 12345678", "51147", "Köln"),
        )
        # lines: 2 shirts with the 2.00 promotion, 1 book at 7 %, shipping at the shirts' 19 %
        items = {line["sku"]: line for line in self.emulator.orders[order_id]["lines"]}
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        book = sale.order_line.filtered(lambda line: line.product_id == self.product_book)
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual((shirt.product_uom_qty, shirt.price_unit), (2, 19.99))
        self.assertAlmostEqual(shirt.price_total, 37.98, places=2)
        self.assertEqual(shirt.connector_line_ref, items["SHIRT-1"]["id"])
        self.assertEqual((book.product_uom_qty, book.price_unit), (1, 12.0))
        self.assertEqual(book.connector_line_ref, items["BOOK-1"]["id"])
        self.assertEqual((shirt.tax_ids.amount, book.tax_ids.amount), (19, 7))
        self.assertTrue(shirt.tax_ids.price_include and book.tax_ids.price_include)
        self.assertAlmostEqual(shipping.price_total, 3.90, places=2)
        self.assertEqual(shipping.tax_ids.amount, 19)
        self.assertEqual(len(sale.order_line), 3)
        # the buyer paid 39.98 - 2.00 + 3.90 + 12.00, to the cent in Odoo
        self.assertAlmostEqual(self.channel_total(order_id), 53.88, places=2)
        self.assertAlmostEqual(sale.amount_total, 53.88, places=2)
        # Amazon rounds the VAT per item (6.06 + 0.62 + 0.79 = 7.47); Odoo (SKR03: rounded
        # globally) per rate: 19 % of 41.88 gross = 6.69, 7 % of 12.00 = 0.79. The gross total
        # matches, the cent of VAT is shown on the import
        self.assertAlmostEqual(sale.amount_tax, 7.48, places=2)
        self.assertIn(
            "Net total in Odoo 46.40 differs from the channel's 46.41", self.connector_order(order_id).message
        )
        self.assertFalse(sale.fiscal_position_id)
        self.assertEqual(sale.connector_vat_case, "domestic")
        self.assertEqual(
            self.connector_order(order_id).channel_updated_at,
            self.emulator.orders[order_id]["updated"].replace(microsecond=0),
        )

    def test_second_marketplace_nl_consumer_pays_dutch_vat(self):
        self.account._sync_orders()
        order_id = self.ids["sanne"]
        sale = self.sale_of(order_id)
        self.assertEqual(sale.connector_storefront, NL)
        self.assertEqual(sale.currency_id.name, "EUR")
        self.assertEqual(sale.partner_id.name, "Sanne de Vries")
        self.assertEqual(
            (sale.partner_id.street, sale.partner_id.zip, sale.partner_id.country_id.code),
            ("Keizersgracht 100", "1015 CW", "NL"),
        )
        # no separate billing address in the report: the delivery address is the customer's
        self.assertEqual(sale.partner_shipping_id, sale.partner_id)
        self.assertEqual(sale.partner_invoice_id, sale.partner_id)
        # OSS: the Dutch consumer pays 21 % NL VAT
        self.assertEqual(sale.connector_vat_case, "oss")
        self.assertEqual(sale.fiscal_position_id.country_id.code, "NL")
        shirt = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt)
        self.assertEqual((shirt.product_uom_qty, shirt.price_unit), (1, 21.99))
        self.assertEqual(shirt.tax_ids.amount, 21)
        # shipping 4.90 and the shipping promotion -4.90 as its own discount line
        shipping = sale.order_line.filtered("is_delivery")
        self.assertAlmostEqual(shipping.price_total, 4.90, places=2)
        discount = sale.order_line - shirt - shipping
        self.assertEqual(discount.product_id, self.env.ref("connector_base.product_channel_discount"))
        self.assertAlmostEqual(discount.price_total, -4.90, places=2)
        self.assertEqual(discount.tax_ids.amount, 21)
        self.assertAlmostEqual(self.channel_total(order_id), 21.99, places=2)
        self.assertAlmostEqual(sale.amount_total, 21.99, places=2)
        self.assertAlmostEqual(sale.amount_tax, 3.82, places=2)  # 21.99 * 21 / 121

    def test_business_buyer_and_repeat_customer(self):
        self.account._sync_orders()
        acme = self.sale_of(self.ids["acme"])
        company = acme.partner_id.commercial_partner_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, "ACME Handels GmbH")
        self.assertEqual(company.vat, ACME_VAT)
        self.assertEqual(
            (company.street, company.zip, company.city), ("Industriestraße 5", "10115", "Berlin")
        )
        self.assertEqual(acme.partner_invoice_id, company)
        delivery = acme.partner_shipping_id
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(delivery.parent_id, company)
        self.assertEqual(
            (delivery.name, delivery.street, delivery.street2, delivery.zip, delivery.city),
            ("Lager ACME", "Hafenweg 2", "Tor 3", "20457", "Hamburg"),
        )
        self.assertIn("Purchase order: PO-4711", str(acme.note))
        mugs = acme.order_line
        self.assertEqual(len(mugs), 1, "free shipping: no shipping line")
        self.assertEqual((mugs.product_id, mugs.product_uom_qty, mugs.price_unit), (self.product_mug, 3, 9.5))
        self.assertAlmostEqual(acme.amount_total, self.channel_total(self.ids["acme"]), places=2)
        self.assertAlmostEqual(acme.amount_total, 28.50, places=2)
        # a German business buyer of a German seller: domestic VAT
        self.assertEqual(acme.connector_vat_case, "domestic")
        self.assertAlmostEqual(acme.amount_tax, 4.55, places=2)
        # Erika ordered twice: one customer with one delivery address, two orders
        first, second = self.sale_of(self.ids["erika"]), self.sale_of(self.ids["erika2"])
        self.assertEqual(second.partner_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("email", "=", "q7k2m9x4erika@marketplace.amazon.de"), ("type", "=", "contact")]
            ),
            1,
        )
        self.assertAlmostEqual(second.amount_total, 9.50, places=2)

    def test_marketplace_facilitator_books_the_channel_position(self):
        self.account._sync_orders()
        sale = self.sale_of(self.ids["facilitator"])
        self.assertEqual(sale.connector_vat_case, "channel")
        self.assertEqual(sale.fiscal_position_id, self.facilitator_position)
        self.assertEqual(sale.order_line.tax_ids.amount, 0)
        self.assertAlmostEqual(sale.amount_total, 9.50, places=2)
        self.assertAlmostEqual(sale.amount_tax, 0.0, places=2)
        self.assertIn("Amazon collects and remits the VAT", str(sale.note))
        # without that position the order waits for a person, with the reason
        self.account.fp_channel_vat_id = False
        order_id = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 1, "price": "9.50"}],
            buyer={"name": "Oliver Brown", "email": "k4l8oliver@marketplace.amazon.de"},
            address=self.emulator.orders[self.ids["facilitator"]]["address"],
            facilitator=True,
        )
        self.account._sync_orders()
        parked = self.connector_order(order_id)
        self.assertEqual(parked.state, "attention")
        self.assertIn("fiscal position for channel-collected VAT", parked.message)

    def test_status_and_marketplace_filter(self):
        stats = self.account._sync_orders()
        self.assertEqual(stats["fetched"], 5)
        # shipped, pending, FBA (setting off) and a marketplace the account does not sell on
        for name in ("shipped", "pending", "fba", "belgium"):
            self.assertFalse(self.connector_order(self.ids[name]), name)
        self.assertEqual(len(self.account_sales()), 5)
        # Amazon authorizes the pending payment: the next sync imports it
        self.emulator.touch(self.ids["pending"], status="UNSHIPPED")
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (1, 0))
        sale = self.sale_of(self.ids["pending"])
        self.assertEqual(
            sale.order_line.filtered(lambda line: not line.is_delivery).product_id, self.product_book
        )
        self.assertAlmostEqual(sale.amount_total, 12.0, places=2)
        self.assertAlmostEqual(sale.amount_tax, 0.79, places=2)

    def test_second_sync_imports_nothing(self):
        self.account._sync_orders()
        sales = self.account_sales()
        self.assertEqual(len(sales), 5)
        newest = max(self.emulator.orders[self.ids[name]]["updated"] for name in IMPORTED).replace(
            microsecond=0
        )
        self.assertEqual(self.account.order_watermark, newest)
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        # the 15 minutes overlap brings back the two newest orders, unchanged
        self.assertEqual(stats, {"fetched": 2, "new": 0, "changed": 0, "unchanged": 2})
        self.assertEqual(self.account_sales(), sales)
        # asked from the watermark minus the 15 minutes overlap
        (search,) = self.emulator.requests_to("GET", SEARCH_ORDERS)
        since = (newest - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(search.arg("lastUpdatedAfter"), since)
        imported = self.logs(flow="order").filtered(lambda log: log.message.startswith("Imported"))
        self.assertEqual(len(imported), 5)

    def test_unknown_sku_parks_that_order_only(self):
        order_id = self.emulator.add_order(
            [{"sku": "LAMP-1", "qty": 1, "price": "35.00", "title": "Desk lamp"}],
            buyer={"name": "Jo Weber", "email": "jo@marketplace.amazon.de"},
            address={
                "name": "Jo Weber",
                "addressLine1": "Marienplatz 3",
                "postalCode": "80331",
                "city": "München",
                "countryCode": "DE",
            },
        )
        self.account._sync_orders()
        parked = self.connector_order(order_id)
        self.assertEqual(parked.state, "attention")
        self.assertIn("No product with SKU 'LAMP-1'", parked.message)
        self.assertTrue(parked.activity_ids)
        self.assertEqual(len(self.account_sales()), 5)
        # the product is created; a retry reads the order again (getOrder) and imports it, once
        lamp = self.env["product.product"].create(
            {"name": "Desk lamp", "default_code": "LAMP-1", "is_storable": True, "taxes_id": self.tax_19.ids}
        )
        self.emulator.reset_log()
        parked.action_retry()
        self.assertEqual(len(self.emulator.requests_to("GET", rf"/orders/2026-01-01/orders/{order_id}$")), 1)
        self.assertFalse(self.emulator.requests_to("GET", r"/orders/2026-01-01/orders$"), "no new sync")
        sale = self.sale_of(order_id)
        self.assertEqual(sale.order_line.product_id, lamp)
        self.assertAlmostEqual(sale.amount_total, 35.0, places=2)

    # --- faults: waited out or retried within the sync, or a clear log with nothing stored;
    # never an order twice

    def _assert_all_imported_once(self):
        self.assertEqual(len(self.account_sales()), 5)
        for name in IMPORTED:
            self.assertEqual(
                len(self.env["sale.order"].search([("connector_external_id", "=", self.ids[name])])), 1
            )
        self.assertAlmostEqual(self.sale_of(self.ids["erika"]).amount_total, 53.88, places=2)

    def test_order_whose_total_differs_from_its_items_is_parked_with_both_figures(self):
        order_id = self.ids["erika"]
        booked = self.channel_total(order_id)
        # Amazon's grand total says one euro more than its items add up to
        self.emulator.touch(order_id, total_delta="1.00")
        self.account.action_sync_orders()
        record = self.connector_order(order_id)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"{booked:.2f}", record.message)
        self.assertIn(f"{booked + 1:.2f}", record.message)
        self.assertFalse(record.sale_order_id)
        others = [oid for key, oid in self.ids.items() if key != "erika"]
        self.assertTrue(all(self.connector_order(oid).state == "done" for oid in others[:1]))

    def _sync(self):
        with mute_logger(CLIENT_LOGGER):
            return self.account.action_sync_orders()

    def test_throttling_is_waited_out(self):
        # Amazon's searchOrders bucket of this seller is empty (another app of the seller used
        # it up) and refills at one request per 2 s.
        self.emulator.set_rate_limit("searchOrders", 0.5, 1)
        self.emulator.limiters["searchOrders"] = bucket = EmulatorBucket(0.5, 1)
        bucket.tokens = 0.0
        start = time.monotonic()
        action = self._sync()
        elapsed = time.monotonic() - start
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        # the call met a 429 with x-amzn-RateLimit-Limit: 0.5, waited 2 s and passed
        self.assertEqual(len(self.emulator.requests_to("GET", SEARCH_ORDERS)), 2)
        self.assertGreaterEqual(elapsed, 2.0)
        self.assertLess(elapsed, 30)
        self.assertEqual(self.account.state, "connected")
        self.assertFalse(self.logs(flow="order", state="error"))
        self._assert_all_imported_once()
        self.assertEqual(self.sale_of(self.ids["erika"]).partner_id.street, "Heidestraße 17")

    def test_injected_429_with_retry_after_is_waited_out(self):
        self.emulator.inject("429", path=SEARCH_ORDERS)
        action = self._sync()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.requests_to("GET", SEARCH_ORDERS)), 2)
        self._assert_all_imported_once()

    def test_server_error_and_connection_reset_are_retried(self):
        self.emulator.inject("503", path=SEARCH_ORDERS)
        self.emulator.inject("reset", path="/report-documents/")
        action = self._sync()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.requests_to("GET", SEARCH_ORDERS)), 2)
        self.assertEqual(len(self.emulator.requests_to("GET", "/report-documents/")), 2)
        self._assert_all_imported_once()
        # the billing address still came from the report
        self.assertEqual(self.sale_of(self.ids["erika"]).partner_id.street, "Heidestraße 17")

    def test_expired_access_token_is_renewed(self):
        self.account.action_test_connection()
        self.emulator.expire_tokens()
        action = self._sync()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.requests_to("POST", "/auth/o2/token")), 2)
        self._assert_all_imported_once()

    def test_billing_report_failure_does_not_block_orders(self):
        # the report cannot be requested (throttled beyond the retries): orders come without
        # a billing address rather than not at all
        self.emulator.inject("429", count=5, path="/reports/2021-06-30/reports$")
        with mute_logger(CLIENT_LOGGER):
            action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self._assert_all_imported_once()
        partner = self.sale_of(self.ids["erika"]).partner_id
        self.assertEqual((partner.street, partner.street2), ("Packstation 105", "Postnummer 12345678"))

    def test_revoked_authorization_fails_cleanly_then_recovers(self):
        self.emulator.refresh_tokens.clear()  # the seller removed the app's authorization
        action = self._sync()
        message = action["params"]["message"]
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("invalid_grant", message)
        self.assertEqual(self.account.state, "error")
        self.assertIn("invalid_grant", self.account.last_error)
        self.assertTrue(
            self.logs(flow="order", state="error").filtered(lambda log: "invalid_grant" in log.message)
        )
        self.assertFalse(self.account.order_watermark, "the watermark did not move")
        self.assertFalse(self.env["connector.order"].search([("account_id", "=", self.account.id)]))
        # authorized again: the next sync imports everything, once
        self.emulator.authorize(REFRESH_TOKEN)
        action = self._sync()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(self.account.state, "connected")
        self._assert_all_imported_once()

    # --- exactly as the references say (issue 19)

    def test_cp1252_report_keeps_the_order_api_names(self):
        """The seller's invoicing report comes in Cp1252, which has no Turkish ı: Amazon
        writes "Murat Y?lmaz" there. The customer keeps the Orders API's name; the report
        gives the billing address only."""
        self.emulator.report_charset = "Cp1252"
        order_id = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 1, "price": "9.50"}],
            created=emulator_now() - timedelta(minutes=200),
            buyer={"name": "Murat Yılmaz", "email": "t5r8murat@marketplace.amazon.de"},
            address={
                "name": "Murat Yılmaz",
                "addressLine1": "Packstation 112",
                "addressLine2": "Postnummer 87654321",
                "postalCode": "10623",
                "city": "Berlin",
                "countryCode": "DE",
            },
            billing={
                "name": "Murat Yılmaz",
                "addressLine1": "Kantstraße 7",
                "postalCode": "10623",
                "city": "Berlin",
                "countryCode": "DE",
            },
        )
        self.account._sync_orders()
        # what Amazon's report held: the name with "?", the rest readable in Cp1252
        billing_row = self.connector_order(order_id).payload["billing"]
        self.assertEqual(billing_row["buyer-name"], "Murat Y?lmaz")
        sale = self.sale_of(order_id)
        customer = sale.partner_id
        self.assertEqual(customer.name, "Murat Yılmaz")
        self.assertEqual((customer.street, customer.zip, customer.city), ("Kantstraße 7", "10623", "Berlin"))
        self.assertEqual(sale.partner_invoice_id, customer)
        delivery = sale.partner_shipping_id
        self.assertEqual((delivery.name, delivery.street), ("Murat Yılmaz", "Packstation 112"))
        self.assertFalse(self.env["res.partner"].search_count([("name", "like", "Y?lmaz")]))
        # the other orders of the same report are read in Cp1252 too
        self.assertEqual(self.sale_of(self.ids["erika"]).partner_id.street, "Heidestraße 17")

    def test_short_page_with_a_next_token_is_read_once(self):
        """Amazon may end a page before maxResultsPerPage and still give a next token."""
        self.emulator.page_order_cap = 2
        stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 5)
        searches = self.emulator.requests_to("GET", SEARCH_ORDERS)
        # 2 + 2 + 1 orders: three pages, each asked once
        self.assertEqual(len(searches), 3)
        tokens = [search.arg("paginationToken") for search in searches]
        self.assertIsNone(tokens[0])
        self.assertEqual(len(set(tokens[1:])), 2)
        self._assert_all_imported_once()

    def test_v0_server_error_on_get_orders_is_retried(self):
        """A 5xx on getOrders (v0, with its Restricted Data Token) is retried as a 5xx,
        not turned into "Amazon denied access"."""
        self.account.amazon_orders_api = const.ORDERS_API_V0
        self.emulator.inject("503", path=r"^/orders/v0/orders$")
        action = self._sync()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(self.account.state, "connected")
        self.assertFalse(self.logs(state="error"))
        self.assertEqual(len(self.emulator.requests_to("GET", r"^/orders/v0/orders$")), 2)
        # each try asked its own RDT with the seller's access token, not with the last RDT
        rdts = self.emulator.requests_to("POST", "/tokens/2021-03-01/restrictedDataToken")
        self.assertTrue(rdts)
        for request in rdts:
            self.assertIn(request.headers["x-amz-access-token"], self.emulator.access_tokens)
        self._assert_all_imported_once()
        erika = self.sale_of(self.ids["erika"]).partner_id
        self.assertEqual((erika.name, erika.street), ("Erika Mustermann", "Heidestraße 17"))

    def test_resync_keeps_the_billing_address_from_the_report(self):
        self.account._sync_orders()
        erika = self.connector_order(self.ids["erika"])
        billing_row = erika.payload["billing"]
        self.assertEqual(billing_row["bill-address-1"], "Heidestraße 17")
        # the overlap brings back the two newest orders; this sync's report no longer has
        # them (it covers orders that became payable since the watermark): not a change
        stats = self.account._sync_orders()
        self.assertEqual(stats, {"fetched": 2, "new": 0, "changed": 0, "unchanged": 2})
        self.assertTrue(self.connector_order(self.ids["erika2"]).payload["billing"])
        # Amazon changes Erika's order, purchased 5 hours ago, before this sync's report window
        self.emulator.touch(self.ids["erika"])
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 1))
        (report,) = self.emulator.requests_to("POST", "/reports/2021-06-30/reports$")
        self.assertGreater(
            report.json["dataStartTime"], self.emulator.orders[self.ids["erika"]]["created"].isoformat()
        )
        self.assertEqual(erika.payload["billing"], billing_row)
        self.assertFalse(self.account._amazon_orders_waiting_for_billing())
        sale = self.sale_of(self.ids["erika"])
        self.assertEqual(sale.partner_invoice_id.street, "Heidestraße 17")
        self.assertEqual(sale.partner_shipping_id.street, "Packstation 105")
        # the overlap brings it back once more, unchanged at Amazon: unchanged here too
        stats = self.account._sync_orders()
        self.assertEqual((stats["fetched"], stats["changed"]), (1, 0))
        self.assertEqual(erika.payload["billing"], billing_row)

    def test_v0_unchanged_orders_are_not_read_again(self):
        """v0 needs getOrderItems per order (0.5/s): not for the orders the overlap brings back
        unchanged."""
        self.account.amazon_orders_api = const.ORDERS_API_V0
        self.account._sync_orders()
        self.assertEqual(len(self.emulator.requests_to("GET", "/orderItems$")), 5)
        self._assert_all_imported_once()
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        self.assertEqual(stats, {"fetched": 2, "new": 0, "changed": 0, "unchanged": 2})
        self.assertEqual(len(self.emulator.requests_to("GET", r"^/orders/v0/orders$")), 1)
        self.assertFalse(self.emulator.requests_to("GET", "/orderItems$"))
        # an order Amazon changed is read with its items
        self.emulator.touch(self.ids["acme"], status="PARTIALLY_SHIPPED")
        self.emulator.reset_log()
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 1))
        self.assertEqual(
            [request.path for request in self.emulator.requests_to("GET", "/orderItems$")],
            [f"/orders/v0/orders/{self.ids['acme']}/orderItems"],
        )
        self.assertEqual(len(self.account_sales()), 5)

    # --- FBA

    def _books(self):
        quants = self.env["stock.quant"].search(
            [("product_id", "=", self.product_book.id), ("location_id", "=", self.warehouse.lot_stock_id.id)]
        )
        return sum(quants.mapped("quantity")), sum(quants.mapped("reserved_quantity"))

    def test_fba_orders_are_not_imported_when_off(self):
        self.account._sync_orders()
        (search,) = self.emulator.requests_to("GET", SEARCH_ORDERS)
        self.assertEqual(search.arg("fulfilledBy"), "MERCHANT")
        self.assertFalse(self.connector_order(self.ids["fba"]))

    def test_fba_order_is_delivered_from_amazon_stock(self):
        fba_location = self.env["stock.location"].create(
            {
                "name": "Amazon FBA",
                "usage": "internal",
                "company_id": self.company.id,
            }
        )
        self.account.write({"amazon_import_fba": True, "channel_stock_location_id": fba_location.id})
        stats = self.account._sync_orders()
        # one search for both: FBA orders also when Amazon already shipped them, merchant
        # orders only in the import statuses
        (search,) = self.emulator.requests_to("GET", SEARCH_ORDERS)
        self.assertEqual(search.arg("fulfilledBy"), "MERCHANT,AMAZON")
        self.assertEqual(search.arg("fulfillmentStatuses"), "PARTIALLY_SHIPPED,SHIPPED,UNSHIPPED")
        self.assertEqual(stats["new"], 6)
        self.assertFalse(self.connector_order(self.ids["shipped"]))
        sale = self.sale_of(self.ids["fba"])
        self.assertEqual(sale.state, "sale")
        self.assertAlmostEqual(sale.amount_total, 24.0, places=2)
        self.assertEqual(sale.partner_shipping_id.city, "Hamburg")
        # already delivered, from Amazon's stock: the warehouse's 5 books are neither
        # reserved nor moved, and Amazon gets no shipment confirmation
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.location_id, fba_location)
        self.assertEqual(picking.move_ids.location_id, fba_location)
        self.assertEqual(sale.order_line.filtered(lambda line: not line.is_delivery).qty_delivered, 2)
        self.assertFalse(self.emulator.requests_to("POST", "shipmentConfirmation"))
        self.assertFalse(self.logs(flow="shipment"))
        # 5 books on hand; 1 reserved, by Erika's merchant order only
        self.assertEqual(self._books(), (5, 1))
        self.assertEqual(fba_location.quant_ids.mapped("quantity"), [-2])
        erika = self.sale_of(self.ids["erika"])
        self.assertEqual(erika.picking_ids.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(erika.picking_ids.state, "assigned")

    def test_fba_without_location_is_delivered_from_vendors(self):
        self.account.amazon_import_fba = True
        self.account._sync_orders()
        picking = self.sale_of(self.ids["fba"]).picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.location_id, self.env.ref("stock.stock_location_suppliers"))
        self.assertEqual(self._books(), (5, 1))

    # --- shipments

    def _import_with_carrier(self):
        self.map_dhl_shipping()
        self.account._sync_orders()
        return self.ids

    def _ship(self, picking, quantities=None, tracking="00340434161094042557"):
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        self.assertEqual(picking.state, "done")

    def test_shipment_confirmation_reaches_amazon(self):
        ids = self._import_with_carrier()
        order_id = ids["erika"]
        sale = self.sale_of(order_id)
        self.assertEqual(sale.carrier_id.name, "DHL Paket")
        self.assertAlmostEqual(sale.amount_total, 53.88, places=2)
        items = {line["sku"]: line["id"] for line in self.emulator.orders[order_id]["lines"]}
        picking = sale.picking_ids
        self._ship(picking, {self.product_shirt: 1, self.product_book: 0})
        # one shirt shipped: confirmed with carrier, tracking and the order item id
        ((shipped_id, body),) = self.emulator.shipments
        self.assertEqual(shipped_id, order_id)
        self.assertEqual(body["marketplaceId"], DE)
        package = body["packageDetail"]
        self.assertEqual(package["carrierCode"], "DHL")
        self.assertEqual(package["carrierName"], "DHL Paket")
        self.assertEqual(package["trackingNumber"], "00340434161094042557")
        self.assertEqual(package["orderItems"], [{"orderItemId": items["SHIRT-1"], "quantity": 1}])
        self.assertEqual(package["shipDate"], picking.date_done.replace(microsecond=0).isoformat() + "Z")
        self.assertEqual(self.emulator.orders[order_id]["status"], "PARTIALLY_SHIPPED")
        self.assertTrue(picking.connector_shipped_at)
        # the rest ships in a second parcel
        backorder = sale.picking_ids - picking
        self._ship(backorder, tracking="00340434161094042558")
        self.assertEqual(len(self.emulator.shipments), 2)
        package = self.emulator.shipments[1][1]["packageDetail"]
        self.assertEqual(package["trackingNumber"], "00340434161094042558")
        self.assertEqual(
            sorted((i["orderItemId"], i["quantity"]) for i in package["orderItems"]),
            sorted([(items["SHIRT-1"], 1), (items["BOOK-1"], 1)]),
        )
        self.assertEqual(self.emulator.orders[order_id]["status"], "SHIPPED")
        self.assertEqual(len(self.logs(flow="shipment", state="done")), 2)
        # the order's marketplace came with the order: no extra read of the order
        self.assertFalse(self.emulator.requests_to("GET", "/orders/2026-01-01/orders/"))
        self.assertFalse(self.emulator.requests_to("GET", "/orders/v0/orders/"))
        # shipped in Amazon now: the next sync imports nothing new
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 0))

    def test_shipment_of_the_nl_order_names_its_marketplace(self):
        ids = self._import_with_carrier()
        sale = self.sale_of(ids["sanne"])
        self.assertEqual(sale.connector_storefront, NL)
        self._ship(sale.picking_ids, tracking="3SABCD1234567")
        ((shipped_id, body),) = self.emulator.shipments
        self.assertEqual((shipped_id, body["marketplaceId"]), (ids["sanne"], NL))
        self.assertEqual(body["packageDetail"]["trackingNumber"], "3SABCD1234567")
        self.assertEqual(self.emulator.orders[ids["sanne"]]["status"], "SHIPPED")

    def test_shipment_retried_after_server_error_and_refusal_logged(self):
        ids = self._import_with_carrier()
        self.emulator.inject("500", path="shipmentConfirmation")
        with mute_logger(CLIENT_LOGGER):
            self._ship(self.sale_of(ids["erika2"]).picking_ids)
        self.assertEqual(len(self.emulator.requests_to("POST", "shipmentConfirmation")), 2)
        self.assertEqual(len(self.emulator.shipments), 1)
        self.assertEqual(self.emulator.orders[ids["erika2"]]["status"], "SHIPPED")
        # Amazon refuses a confirmation (the buyer cancelled meanwhile): logged, not marked sent
        self.emulator.touch(ids["acme"], status="CANCELLED")
        picking = self.sale_of(ids["acme"]).picking_ids
        self._ship(picking)
        log = self.logs(flow="shipment", state="error")
        self.assertIn("cannot be shipped", log.message)
        self.assertEqual(log.external_ref, ids["acme"])
        self.assertFalse(picking.connector_shipped_at)
        self.assertEqual(len(self.emulator.shipments), 1)
