# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Billing addresses that arrive late: the invoicing report of the first sync failed, the
order was imported with its Packstation (delivery) address as invoice address; the next
sync's report brings the billing address."""

from datetime import timedelta

from odoo.tests import tagged
from tests.emulators.amazon import _now as emulator_now

from .common import ERIKA_BILLING, ERIKA_BUYER, ERIKA_SHIPPING, AmazonCommon


@tagged("post_install", "-at_install")
class TestAmazonLateBilling(AmazonCommon):
    def setUp(self):
        super().setUp()
        self.order_id = self.emulator.add_order(
            [{"sku": "SHIRT-1", "qty": 1, "price": "19.99"}],
            created=emulator_now() - timedelta(hours=5),
            buyer=ERIKA_BUYER,
            address=ERIKA_SHIPPING,
            billing=ERIKA_BILLING,
        )
        # the report of the first sync fails: the order comes without billing address
        self.emulator.report_outcome = "FATAL"
        self.account._sync_orders()
        self.record = self.connector_order(self.order_id)
        self.sale = self.sale_of(self.order_id)
        self.emulator.report_outcome = "DONE"

    def billing_logs(self):
        return self.logs(connector_order_id=self.record.id).filtered(
            lambda line: "invoicing report" in (line.message or "")
        )

    def test_failed_report_is_told_and_packstation_is_the_invoice_address(self):
        (warning,) = self.logs(flow="order", state="warning")
        self.assertIn("Billing addresses not read this time", warning.message)
        self.assertIn("(FATAL)", warning.message)
        self.assertEqual(self.sale.partner_invoice_id.street, "Packstation 105")

    def test_late_billing_address_becomes_the_invoice_address(self):
        customer = self.sale.partner_id
        self.account._sync_orders()
        # the report reached back to the order's purchase date
        (report,) = self.emulator.requests_to("POST", "/reports/2021-06-30/reports$")[-1:]
        self.assertLessEqual(
            report.json["dataStartTime"], self.emulator.orders[self.order_id]["created"].isoformat()
        )
        invoice = self.sale.partner_invoice_id
        self.assertEqual(
            (invoice.type, invoice.parent_id, invoice.name, invoice.street, invoice.zip, invoice.city),
            ("invoice", customer, "Erika Mustermann", "Heidestraße 17", "51147", "Köln"),
        )
        # the customer's own address is not rewritten, the delivery stays the Packstation
        self.assertEqual(customer.street, "Packstation 105")
        self.assertEqual(self.sale.partner_shipping_id.street, "Packstation 105")
        (line,) = self.billing_logs()
        self.assertEqual(line.state, "done")
        self.assertIn("Heidestraße 17, 51147, Köln, DE", line.message)
        self.assertEqual(len(self.account_sales()), 1, "no second sale order")
        # a third sync: nothing waits, nothing changes
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (0, 0))
        self.assertEqual(len(self.billing_logs()), 1)
        self.assertEqual(self.sale.partner_invoice_id, invoice)

    def test_late_billing_address_after_the_invoice_is_a_warning(self):
        self.sale._create_invoices().action_post()
        posted = self.sale.invoice_ids
        self.assertEqual(posted.state, "posted")
        self.account._sync_orders()
        self.assertEqual(self.sale.partner_invoice_id.street, "Packstation 105")
        self.assertEqual(posted.partner_id.street, "Packstation 105")
        (line,) = self.billing_logs()
        self.assertEqual(line.state, "warning")
        self.assertIn("after it was invoiced", line.message)
        self.assertIn(posted.name, line.message)
        self.assertIn("issue a credit note and invoice again", line.message)
        self.assertIn("Heidestraße 17", line.message)
