# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon settlement reports (getReports + the report document, real HTTP to the emulator
through python-amazon-sp-api) become one balanced journal entry per settlement."""

from datetime import datetime, timedelta

from odoo.tests import tagged
from tests.emulators.amazon import DEMO_ACCOUNT_VALUES

from .common import ERIKA_BILLING, ERIKA_BUYER, ERIKA_SHIPPING, AmazonCommon


@tagged("post_install", "-at_install")
class TestAmazonSettlements(AmazonCommon):
    def setUp(self):
        super().setUp()
        self.account.write({"order_type": "invoice", "import_settlements": True})
        people = {"buyer": ERIKA_BUYER, "address": ERIKA_SHIPPING, "billing": ERIKA_BILLING}
        self.mugs = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 3, "price": "9.50", "shipping": "3.90"}], **people
        )
        self.shirt = self.emulator.add_order([{"sku": "SHIRT-1", "qty": 1, "price": "19.99"}], **people)
        self.account._sync_orders()
        self.invoice_mugs = self.sale_of(self.mugs).invoice_ids
        self.invoice_shirt = self.sale_of(self.shirt).invoice_ids
        self.assertEqual((self.invoice_mugs.amount_total, self.invoice_shirt.amount_total), (32.40, 19.99))
        self.skr03 = self.env["account.chart.template"].with_company(self.company)

    def publish(self, **kwargs):
        rows = self.emulator.settlement_rows(
            [self.mugs, self.shirt], refunds={self.shirt: "19.99"}, reserve="5.00", subscription="9.99"
        )
        return self.emulator.publish_settlement(rows, **kwargs)

    def test_settlement_books_one_balanced_entry_that_pays_the_invoices(self):
        # the shirt came back: the accountant made its credit note (Odoo reconciles it with the
        # open invoice), Amazon refunded the buyer
        credit = self.invoice_shirt._reverse_moves()
        credit.action_post()
        settlement_id = self.publish()
        (settlement,) = self.account._sync_settlements()
        self.assertEqual((settlement.external_id, settlement.state), (settlement_id, "posted"))
        # 32.40 + 19.99 - 4.86 - 3.00 (commissions) - 19.99 + 3.00 - 0.60 (refund and its fee)
        # - 9.99 (subscription) - 5.00 (reserve)
        self.assertAlmostEqual(settlement.total, 11.95, places=2)
        move = settlement.move_id
        self.assertEqual(move.state, "posted")
        lines = move.line_ids
        clearing = self.account.settlement_clearing_account_id
        self.assertTrue(clearing.reconcile)
        self.assertEqual(clearing.code, "1361")
        (payout,) = lines.filtered(lambda x: x.account_id == clearing)
        self.assertAlmostEqual(payout.debit, 11.95, places=2)
        self.assertAlmostEqual(sum(lines.mapped("debit")), sum(lines.mapped("credit")), places=2)
        # the orders' invoices and the credit note are paid through the payout
        for document in (self.invoice_mugs, self.invoice_shirt, credit):
            self.assertEqual(document.amount_residual, 0.0, document.name)
        self.assertEqual(self.invoice_mugs.payment_state, "paid")
        receivable = lines.filtered(lambda x: x.account_id.account_type == "asset_receivable")
        self.assertEqual(sorted(receivable.mapped("balance")), [-32.40, -19.99, 19.99])
        self.assertTrue(all(receivable.mapped("reconciled")))
        self.assertFalse(settlement.message, "every order has its invoice")
        self.assertEqual(receivable.partner_id, self.invoice_mugs.commercial_partner_id)
        # fees: Verkaufsprovisionen with reverse charge (Amazon bills from Luxembourg)
        fee_account = self.skr03.ref("account_4760")
        reverse_charge = self.skr03.ref("tax_eu_19_purchase_goods_skr03")
        (fees,) = lines.filtered(lambda x: x.account_id == fee_account)
        self.assertAlmostEqual(fees.debit, 15.45, places=2)
        self.assertEqual(fees.tax_ids, reverse_charge)
        taxes = lines.filtered("tax_line_id")
        self.assertEqual(len(taxes), 2, "19 % input tax and 19 % tax due")
        self.assertAlmostEqual(sum(taxes.mapped("balance")), 0.0, places=2)
        self.assertAlmostEqual(max(taxes.mapped("balance")), 2.94, places=2)
        # the reserve Amazon holds back
        (reserve,) = lines.filtered(lambda x: x.account_id == self.skr03.ref("account_1500"))
        self.assertAlmostEqual(reserve.debit, 5.00, places=2)
        self.assertEqual(len(lines), 8, "payout, 2 orders, 1 refund, fees + 2 tax lines, reserve")
        # fetched again: read again, booked once
        downloads = len(self.emulator.requests_to("GET", "/report-documents/"))
        self.assertFalse(self.account._sync_settlements())
        self.assertEqual(
            self.env["connector.settlement"].search_count([("account_id", "=", self.account.id)]), 1
        )
        self.assertEqual(len(self.emulator.requests_to("GET", "/report-documents/")), downloads + 1)
        self.assertEqual(len(self.env["account.move"].search([("ref", "like", settlement.external_id)])), 1)
        # the report list was asked for settlement reports only, without a restricted token
        (listing, _again) = self.emulator.requests_to("GET", r"/reports/2021-06-30/reports$")
        self.assertEqual(listing.arg("reportTypes"), "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2")
        # no restricted data token for them (the one token is the order import's billing report)
        self.assertEqual(len(self.emulator.requests_to("POST", "/tokens/")), 1)

    def test_refund_without_credit_note_goes_to_sales_allowances(self):
        self.publish()
        (settlement,) = self.account._sync_settlements()
        lines = settlement.move_id.line_ids
        (allowance,) = lines.filtered(lambda x: x.account_id == self.skr03.ref("account_8700"))
        self.assertAlmostEqual(allowance.debit, 19.99, places=2)
        self.assertEqual(self.invoice_shirt.payment_state, "paid")

    def test_mapping_books_a_fee_type_on_its_own_account(self):
        bank_fees = self.skr03.ref("account_4970")
        self.env["connector.fee.mapping"].create(
            {
                "account_id": self.account.id,
                "kind": "fee",
                "fee_type": "Subscription Fee",
                "ledger_account_id": bank_fees.id,
            }
        )
        self.publish()
        (settlement,) = self.account._sync_settlements()
        (subscription,) = settlement.move_id.line_ids.filtered(lambda x: x.account_id == bank_fees)
        self.assertAlmostEqual(subscription.debit, 9.99, places=2)
        self.assertFalse(subscription.tax_ids)

    def test_settlement_that_does_not_add_up_is_parked(self):
        settlement_id = self.publish(total_delta="0.01")
        (settlement,) = self.account._sync_settlements()
        self.assertEqual((settlement.external_id, settlement.state), (settlement_id, "parked"))
        self.assertAlmostEqual(settlement.difference, 0.01, places=2)
        self.assertFalse(settlement.move_id)
        self.assertEqual(self.invoice_mugs.payment_state, "not_paid")
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "settlement")]
        )
        self.assertEqual(log.state, "warning")
        self.assertIn("0.01", log.message)
        # fetched again: still one, still parked
        self.assertFalse(self.account._sync_settlements())

    def test_demo_settlement_pays_the_demo_invoices(self):
        """scripts/demo.sh: the emulator settles the seeded orders; their invoices are paid."""
        self.emulator.orders.clear()
        self.emulator.seed_demo()
        self.account.write(dict(DEMO_ACCOUNT_VALUES, import_since=datetime.now() - timedelta(days=60)))
        self.account.write({"order_type": "invoice", "catalogue_auto_create": True})
        self.account._import_catalogue()
        self.set_facilitator_position()
        self.account.order_watermark = False  # the setUp's sync is newer than the seeded orders
        self.account._sync_orders()
        demo_sales = self.account_sales().filtered(lambda s: s.connector_external_id in self.emulator.orders)
        invoices = demo_sales.invoice_ids
        self.assertEqual(len(invoices), 9)
        self.assertTrue(self.emulator.publish_demo_settlement())
        self.assertIsNone(self.emulator.publish_demo_settlement(), "every order is settled")
        (settlement,) = self.account._sync_settlements()
        self.assertEqual(settlement.state, "posted")
        # the seeded order that was already shipped is not imported: its payment waits on the
        # suspense account, named on the payout
        unmatched = set(self.emulator.orders) - set(demo_sales.mapped("connector_external_id"))
        self.assertEqual(len(unmatched), 1)
        self.assertIn(unmatched.pop(), settlement.message)
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
