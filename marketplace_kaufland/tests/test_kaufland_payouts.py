# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland payouts: the bookings export (Kaufland's API has none) imported through the
wizard becomes one balanced journal entry."""

import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ERIKA, KauflandCommon


@tagged("post_install", "-at_install")
class TestKauflandPayouts(KauflandCommon):
    def setUp(self):
        super().setUp()
        self.account.order_type = "invoice"
        self.shirts = self.emulator.add_order([("SHIRT-1", 4, 1999, 19)], ERIKA, "erika@example.de")
        self.mug = self.emulator.add_order([("MUG-1", 1, 950, 19)], ERIKA, "erika@example.de")
        self.account._sync_orders()
        self.invoice_shirts = self.sale_of(self.shirts).invoice_ids
        self.invoice_mug = self.sale_of(self.mug).invoice_ids
        self.assertEqual((self.invoice_shirts.amount_total, self.invoice_mug.amount_total), (83.86, 13.40))
        self.skr03 = self.env["account.chart.template"].with_company(self.company)

    def csv(self):
        return (
            "Datum;Bestellnummer;Buchungstyp;Beschreibung;Betrag;Währung\n"
            f"2026-11-20;{self.shirts};Verkauf;Bestellung {self.shirts};83,86;EUR\n"
            f"2026-11-20;{self.shirts};Verkaufsprovision;Provision {self.shirts};-12,58;EUR\n"
            f"2026-11-21;{self.mug};Verkauf;Bestellung {self.mug};13,40;EUR\n"
            f"2026-11-22;{self.mug};Erstattung;Teilerstattung {self.mug};-5,00;EUR\n"
            "2026-11-30;;Grundgebühr;Monatliche Grundgebühr;-39,95;EUR\n"
            "2026-11-30;;Rückbehalt;Sicherheitsrückbehalt;-10,00;EUR\n"
        ).encode()

    def import_payout(self, reference="KL-2026-11-30", amount=29.73, content=None):
        wizard = self.env["kaufland.payout.import"].create(
            {
                "account_id": self.account.id,
                "data_file": base64.b64encode(content or self.csv()),
                "filename": "buchungen.csv",
                "reference": reference,
                "payout_amount": amount,
            }
        )
        action = wizard.action_import()
        return self.env["connector.settlement"].browse(action["res_id"])

    def test_payout_file_books_one_balanced_entry_that_pays_the_invoices(self):
        settlement = self.import_payout()
        self.assertEqual(settlement.state, "posted", settlement.message)
        self.assertEqual(len(settlement.line_ids), 6)
        lines = settlement.move_id.line_ids
        (payout,) = lines.filtered(lambda x: x.account_id == self.account.settlement_clearing_account_id)
        self.assertAlmostEqual(payout.debit, 29.73, places=2)
        for invoice in (self.invoice_shirts, self.invoice_mug):
            self.assertEqual(invoice.payment_state, "paid", invoice.name)
        # Kaufland's commission and monthly fee, billed from Germany: 19 % Vorsteuer
        fee_account = self.skr03.ref("account_4760")
        (fees,) = lines.filtered(lambda x: x.account_id == fee_account)
        self.assertAlmostEqual(fees.debit, 44.14, places=2)
        self.assertEqual(fees.tax_ids, self.skr03.ref("tax_vst_19_skr03"))
        (tax,) = lines.filtered("tax_line_id")
        self.assertAlmostEqual(tax.debit, 8.39, places=2)
        self.assertEqual(tax.tax_line_id, self.skr03.ref("tax_vst_19_skr03"))
        # the refund without a credit note, and the reserve
        (refund,) = lines.filtered(lambda x: x.account_id == self.skr03.ref("account_8700"))
        self.assertAlmostEqual(refund.debit, 5.00, places=2)
        (reserve,) = lines.filtered(lambda x: x.account_id == self.skr03.ref("account_1500"))
        self.assertAlmostEqual(reserve.debit, 10.00, places=2)
        # the same payout imported again: shown, not booked again
        again = self.import_payout()
        self.assertEqual(again, settlement)
        self.assertEqual(
            self.env["connector.settlement"].search_count([("account_id", "=", self.account.id)]), 1
        )
        self.assertEqual(self.env["account.move"].search_count([("ref", "like", "KL-2026-11-30")]), 1)

    def test_payout_that_does_not_match_the_bank_is_parked(self):
        settlement = self.import_payout(amount=29.74)
        self.assertEqual(settlement.state, "parked")
        self.assertAlmostEqual(settlement.difference, 0.01, places=2)
        self.assertFalse(settlement.move_id)
        self.assertEqual(self.invoice_shirts.payment_state, "not_paid")

    def test_unreadable_file_is_refused_and_logged(self):
        content = self.csv().replace(b"-12,58", b"zwoelf")
        with self.assertRaisesRegex(UserError, "line 3: amount"):
            self.import_payout(content=content)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "settlement")]
        )
        self.assertEqual(log.state, "error")
        self.assertFalse(self.env["connector.settlement"].search([("account_id", "=", self.account.id)]))
