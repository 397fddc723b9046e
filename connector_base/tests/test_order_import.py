# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..exceptions import ChannelRetryableError
from .common import ConnectorCommon, TestProviderMixin, canonical_order


@tagged("post_install", "-at_install")
class TestOrderImport(TestProviderMixin, ConnectorCommon):
    def test_import_creates_confirmed_order_with_exact_amounts(self):
        stats = self.sync(canonical_order("1001"))
        self.assertEqual(stats["new"], 1)
        record = self.connector_order("1001")
        self.assertEqual(record.state, "done", record.message)
        sale = record.sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.date_order, datetime(2026, 11, 20, 10, 0))  # the channel's, not "now"
        self.assertEqual(sale.client_order_ref, "ORD-1001")
        self.assertEqual(sale.connector_account_id, self.account)
        self.assertEqual(sale.connector_external_id, "1001")
        self.assertAlmostEqual(sale.amount_total, 54.47, places=2)
        # gross 54.47 at 19 %: net 45.77 and VAT 8.70
        self.assertAlmostEqual(sale.amount_untaxed, 45.77, places=2)
        self.assertAlmostEqual(sale.amount_tax, 8.70, places=2)
        partner = sale.partner_id
        self.assertEqual(partner.name, "Erika Mustermann")
        self.assertEqual(partner.email, "erika.mustermann@example.com")
        self.assertEqual(partner.street, "Heidestraße 17")
        self.assertEqual(partner.zip, "51147")
        self.assertEqual(partner.country_id.code, "DE")
        self.assertEqual(sale.partner_shipping_id, partner)
        self.assertEqual(sale.partner_invoice_id, partner)
        goods = sale.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(goods.mapped("product_id"), self.product_shirt | self.product_mug)
        shirt = goods.filtered(lambda line: line.product_id == self.product_shirt)
        self.assertEqual(shirt.product_uom_qty, 2)
        self.assertEqual(shirt.price_unit, 19.99)
        self.assertAlmostEqual(shirt.price_total, 39.98, places=2)
        self.assertTrue(shirt.tax_ids.price_include)
        self.assertEqual(shirt.tax_ids.amount, 19)
        self.assertEqual(shirt.connector_line_ref, "L1")
        shipping = sale.order_line.filtered("is_delivery")
        self.assertAlmostEqual(shipping.price_total, 4.99, places=2)
        log = self.env["connector.sync.log"].search([("connector_order_id", "=", record.id)])
        self.assertEqual(log.mapped("state"), ["done"])

    def test_tax_included_twin_is_made_once_and_remade_when_archived(self):
        self.sync(canonical_order("1011"), canonical_order("1012"))
        lines = (self.connector_order("1011") | self.connector_order("1012")).sale_order_id.order_line
        twin = lines.filtered(lambda line: line.product_id == self.product_shirt).tax_ids
        self.assertEqual(len(twin), 1, "both orders use the same tax-included 19 %")
        self.assertEqual(twin.connector_source_tax_id, self.tax_19)
        self.assertEqual(self.tax_19.connector_included_twin_id, twin)
        self.assertEqual(
            self.env["account.tax"].search_count([("connector_source_tax_id", "=", self.tax_19.id)]), 1
        )
        # an accountant archives the twin: the next order gets a new, active one
        twin.active = False
        self.sync(canonical_order("1013"))
        sale = self.connector_order("1013").sale_order_id
        new_twin = sale.order_line.filtered(lambda line: line.product_id == self.product_shirt).tax_ids
        self.assertNotEqual(new_twin, twin)
        self.assertTrue(new_twin.active and new_twin.price_include)
        self.assertEqual(self.tax_19.connector_included_twin_id, new_twin)
        self.assertAlmostEqual(sale.amount_total, 54.47, places=2)

    def test_second_sync_imports_nothing_and_watermark_moves(self):
        self.sync(canonical_order("1001"))
        self.assertEqual(self.account.order_watermark, datetime(2026, 11, 20, 10, 5))
        with self.channel(canonical_order("1001")) as calls:
            stats = self.account._sync_orders()
        self.assertEqual(calls, [datetime(2026, 11, 20, 10, 5) - timedelta(minutes=15)])
        self.assertEqual((stats["new"], stats["unchanged"]), (0, 1))
        self.assertEqual(
            self.env["sale.order"].search_count([("connector_account_id", "=", self.account.id)]), 1
        )

    def test_job_run_twice_is_skipped(self):
        self.sync(canonical_order("1001"))
        record = self.connector_order("1001")
        record._import_job()
        self.assertEqual(
            self.env["sale.order"].search_count([("connector_account_id", "=", self.account.id)]), 1
        )
        self.assertIn("skipped", record.log_ids.mapped("state"))

    def test_database_refuses_a_second_order_for_the_same_channel_order(self):
        self.sync(canonical_order("1001"))
        sale = self.connector_order("1001").sale_order_id
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            sale.copy({"connector_account_id": self.account.id, "connector_external_id": "1001"})

    def test_company_buyer_with_other_delivery_address_and_repeat_customer(self):
        first = canonical_order(
            "2001",
            buyer_is_business=True,
            billing={
                "company": "ACME GmbH",
                "name": "Max Muster",
                "street": "Industriestr. 5",
                "zip": "10115",
                "city": "Berlin",
                "country_code": "DE",
            },
            shipping={
                "company": "ACME GmbH",
                "name": "Lager ACME",
                "street": "Hafenweg 2",
                "zip": "20457",
                "city": "Hamburg",
                "country_code": "DE",
            },
            buyer_email="max@acme.example",
        )
        second = dict(first, external_id="2002", reference="ORD-2002", updated_at="2026-11-21T09:00:00Z")
        self.sync(first, second)
        sale1 = self.connector_order("2001").sale_order_id
        sale2 = self.connector_order("2002").sale_order_id
        self.assertTrue(sale1 and sale2)
        company = sale1.partner_id.commercial_partner_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, "ACME GmbH")
        self.assertEqual(sale1.partner_id.name, "Max Muster")
        self.assertEqual(sale1.partner_id.parent_id, company)
        self.assertEqual(sale1.partner_invoice_id, company)
        delivery = sale1.partner_shipping_id
        self.assertEqual(
            (delivery.type, delivery.street, delivery.city), ("delivery", "Hafenweg 2", "Hamburg")
        )
        self.assertEqual(delivery.parent_id, company)
        # the repeat customer gets no new partner, and the same delivery address
        self.assertEqual(sale2.partner_id, sale1.partner_id)
        self.assertEqual(sale2.partner_shipping_id, delivery)

    def test_repeat_customer_found_whatever_the_case_and_spaces_of_the_email(self):
        first = canonical_order("2101", buyer_email="jonas.weber@example.com")
        # the same buyer, as another channel form or a phone order would type it
        second = canonical_order(
            "2102",
            reference="ORD-2102",
            updated_at="2026-11-21T09:00:00Z",
            buyer_email="  Jonas.WEBER@Example.COM ",
        )
        self.sync(first, second)
        sale1 = self.connector_order("2101").sale_order_id
        sale2 = self.connector_order("2102").sale_order_id
        self.assertTrue(sale1 and sale2)
        self.assertEqual(sale2.partner_id, sale1.partner_id, "one customer for both orders")
        self.assertEqual(sale1.partner_id.email, "jonas.weber@example.com")
        self.assertEqual(
            self.env["res.partner"].search_count([("email_normalized", "=", "jonas.weber@example.com")]), 1
        )

    def test_one_bad_order_does_not_block_the_others(self):
        bad = canonical_order("3001")
        bad["lines"][0]["sku"] = "UNKNOWN-SKU"
        self.sync(bad, canonical_order("3002"))
        parked = self.connector_order("3001")
        self.assertEqual(parked.state, "attention")
        self.assertIn("UNKNOWN-SKU", parked.message)
        self.assertFalse(parked.sale_order_id)
        self.assertTrue(parked.activity_ids, "the responsible user gets a to-do")
        self.assertEqual(self.connector_order("3002").state, "done")
        # a person creates the product and retries: imported, to-do done
        self.env["product.product"].create(
            {"name": "New shirt", "default_code": "UNKNOWN-SKU", "taxes_id": [(6, 0, self.tax_19.ids)]}
        )
        parked.action_retry()
        self.assertEqual(parked.state, "done", parked.message)
        self.assertFalse(parked.activity_ids)

    def test_missing_product_uses_fallback_when_configured(self):
        self.account.write({"missing_product_policy": "fallback", "fallback_product_id": self.product_mug.id})
        order = canonical_order("3101")
        order["lines"][0]["sku"] = "NOPE"
        self.sync(order)
        record = self.connector_order("3101")
        self.assertEqual(record.state, "done")
        self.assertIn("fallback", record.message)
        self.assertAlmostEqual(record.sale_order_id.amount_total, 54.47, places=2)

    def test_product_matched_by_ean_when_sku_unknown(self):
        order = canonical_order("3201")
        order["lines"][1].update(sku="CHANNEL-MUG", ean="4012345678901")
        self.sync(order)
        sale = self.connector_order("3201").sale_order_id
        self.assertIn(self.product_mug, sale.order_line.product_id)

    def test_discount_lines_keep_the_channel_total(self):
        order = canonical_order("4001", total_incl="49.47")
        order["discounts"] = [{"code": "WELCOME5", "title": "Voucher WELCOME5", "amount_incl": "5.00"}]
        self.sync(order)
        record = self.connector_order("4001")
        self.assertEqual(record.state, "done", record.message)
        sale = record.sale_order_id
        self.assertAlmostEqual(sale.amount_total, 49.47, places=2)
        discount = sale.order_line.filtered(lambda line: line.price_unit < 0)
        self.assertAlmostEqual(sum(discount.mapped("price_total")), -5.0, places=2)

    def test_amount_mismatch_parks_with_both_figures(self):
        self.sync(canonical_order("5001", total_incl="60.00"))
        record = self.connector_order("5001")
        self.assertEqual(record.state, "attention")
        self.assertIn("54.47", record.message)
        self.assertIn("60.00", record.message)
        self.assertFalse(self.env["sale.order"].search([("connector_external_id", "=", "5001")]))

    def test_order_type_invoice_posts_the_invoice(self):
        self.account.order_type = "invoice"
        term = self.env.ref("account.account_payment_term_30days")
        self.account.payment_mapping_ids = [(0, 0, {"code": "paypal", "payment_term_id": term.id})]
        self.sync(canonical_order("6001"))
        sale = self.connector_order("6001").sale_order_id
        self.assertEqual(sale.payment_term_id, term)
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(invoice.amount_total, 54.47, places=2)

    def test_quotation_type_leaves_a_quotation(self):
        self.account.order_type = "quotation"
        self.sync(canonical_order("6101"))
        self.assertEqual(self.connector_order("6101").sale_order_id.state, "draft")

    def test_cancellation_after_import_cancels_undelivered_order(self):
        self.sync(canonical_order("7001"))
        sale = self.connector_order("7001").sale_order_id
        self.sync(
            canonical_order("7001", status="cancelled", cancelled=True, updated_at="2026-11-22T08:00:00Z")
        )
        self.assertEqual(sale.state, "cancel")

    def test_cancellation_after_delivery_is_flagged(self):
        self.sync(canonical_order("7101"))
        record = self.connector_order("7101")
        picking = record.sale_order_id.picking_ids
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.sync(canonical_order("7101", cancelled=True, updated_at="2026-11-22T08:00:00Z"))
        self.assertEqual(record.state, "attention")
        self.assertIn("return or credit note", record.message)
        self.assertEqual(record.sale_order_id.state, "sale")

    def test_sync_failure_is_logged_and_watermark_kept(self):
        def failing(account, since):
            raise ChannelRetryableError("Channel: server error 503 on GET /orders.")

        with patch.object(type(self.env["connector.account"]), "_fetch_orders", failing):
            action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertFalse(self.account.order_watermark)
        self.assertIn("503", self.account.last_error)
        self.assertTrue(
            self.env["connector.sync.log"].search(
                [("account_id", "=", self.account.id), ("state", "=", "error"), ("message", "ilike", "503")]
            )
        )

    def test_log_retention_purges_old_logs_and_payloads(self):
        self.sync(canonical_order("8001"))
        record = self.connector_order("8001")
        logs = self.env["connector.sync.log"].search([("account_id", "=", self.account.id)])
        old = datetime.now() - timedelta(days=40)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE connector_sync_log SET create_date = %s WHERE id IN %s", [old, tuple(logs.ids)]
        )
        self.env.cr.execute("UPDATE connector_order SET write_date = %s WHERE id = %s", [old, record.id])
        self.env.invalidate_all()
        self.env["connector.sync.log"]._cron_purge()
        self.assertFalse(logs.exists())
        self.assertFalse(record.payload)
        self.assertTrue(record.sale_order_id, "the order itself stays")


@tagged("post_install", "-at_install")
class TestBadInput(TestProviderMixin, ConnectorCommon):
    """Each bad payload: a clear reason, nothing lost, no partial sale order."""

    def _parked(self, payload, expected):
        self.sync(payload)
        record = self.connector_order(payload["external_id"])
        self.assertTrue(record, "the payload is stored")
        self.assertEqual(record.state, "attention")
        self.assertIn(expected, record.message)
        self.assertFalse(
            self.env["sale.order"].search([("connector_external_id", "=", payload["external_id"])])
        )
        return record

    def test_empty_line_list(self):
        self._parked(canonical_order("B1", lines=[]), "no lines")

    def test_zero_and_negative_quantity(self):
        order = canonical_order("B2")
        order["lines"][0]["quantity"] = "0"
        self._parked(order, "quantity 0")
        order = canonical_order("B3")
        order["lines"][0]["quantity"] = "-1"
        self._parked(order, "quantity -1")

    def test_unknown_country(self):
        order = canonical_order("B4")
        order["shipping"]["country_code"] = "XX"
        self._parked(order, "Unknown country code 'XX'")

    def test_inactive_currency(self):
        self._parked(canonical_order("B5", currency="CZK"), "CZK, which is not active")

    def test_wrong_type_amount(self):
        self._parked(canonical_order("B6", total_incl="twelve"), "expected a number")

    def test_malformed_email_imports_with_warning(self):
        self.sync(canonical_order("B7", buyer_email="not-an-email"))
        record = self.connector_order("B7")
        self.assertEqual(record.state, "done")
        self.assertIn("e-mail", record.message)
        self.assertFalse(record.sale_order_id.partner_id.email)

    def test_html_long_and_non_latin_text(self):
        order = canonical_order("B8", buyer_email="kim@example.kr")
        order["billing"].update(first_name="<script>alert(1)</script>Jürgen", last_name="Ødegård 김민준")
        order["shipping"] = dict(order["billing"])
        order["lines"][0]["title"] = "T" * 3000
        self.sync(order)
        record = self.connector_order("B8")
        self.assertEqual(record.state, "done", record.message)
        partner = record.sale_order_id.partner_id
        self.assertNotIn("<script>", partner.name)
        self.assertIn("Ødegård 김민준", partner.name)
        self.assertIn("cut", record.message)
