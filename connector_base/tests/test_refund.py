# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The refund engine on canonical refund payloads (the channels' own tests go over HTTP)."""

from contextlib import contextmanager
from unittest.mock import patch

import psycopg2

from odoo.addons.connector_base.schema import RawRefund
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ConnectorCommon, TestProviderMixin, canonical_order
from .test_vat import VALID_FR_VAT, VatCommon, b2b_net_order, order_to


def canonical_refund(external_id="R1", order="1001", **overrides):
    refund = {
        "external_id": external_id,
        "order_external_id": order,
        "reference": f"REF-{external_id}",
        "date": "2026-11-25T09:00:00Z",
        "updated_at": "2026-11-25T09:00:00Z",
        "currency": "EUR",
        "lines": [],
        "shipping_incl": "0",
        "total_incl": "0",
        "reason": "wrong_size",
    }
    refund.update(overrides)
    return refund


@tagged("post_install", "-at_install")
class TestRefundEngine(TestProviderMixin, ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.write({"order_type": "invoice", "refund_auto_post": True})

    @contextmanager
    def refunds(self, *payloads):
        raws = [
            RawRefund(p["external_id"], None, p, p.get("reference", ""), p.get("order_external_id", ""))
            for p in payloads
        ]

        def fetch(account, since):
            return iter(raws)

        with patch.object(type(self.env["connector.account"]), "_fetch_refunds", fetch):
            yield

    def sync_refunds(self, *payloads):
        with self.refunds(*payloads):
            return self.account._sync_refunds()

    def refund_record(self, external_id):
        return self.env["connector.refund"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", external_id)]
        )

    def import_order(self, **overrides):
        self.sync(canonical_order(**overrides))
        record = self.connector_order(overrides.get("external_id", "1001"))
        self.assertEqual(record.state, "done", record.message)
        return record.sale_order_id

    def booked(self, external_id):
        record = self.refund_record(external_id)
        self.assertEqual(record.state, "done", record.message)
        return record

    def assert_credit_note(self, record, sale, expected_total, lines):
        """``lines``: [(product, quantity, gross subtotal, tax names)] of the credit note."""
        invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        note = record.credit_note_id
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.reversed_entry_id, invoice)
        self.assertEqual(note.fiscal_position_id, invoice.fiscal_position_id)
        self.assertEqual(note.partner_id, invoice.partner_id)
        self.assertAlmostEqual(note.amount_total, expected_total, places=2)
        self.assertEqual(
            sorted(
                (
                    line.product_id.default_code,
                    line.quantity,
                    round(line.price_total, 2),
                    tuple(line.tax_ids.mapped("name")),
                )
                for line in note.invoice_line_ids
            ),
            sorted((p.default_code, q, t, tuple(taxes)) for p, q, t, taxes in lines),
        )
        return note

    def test_full_refund_of_an_invoiced_order(self):
        sale = self.import_order()
        invoice = sale.invoice_ids
        self.assertEqual(invoice.amount_total, 54.47)
        taxes = {line.product_id: line.tax_ids.mapped("name") for line in invoice.invoice_line_ids}
        self.sync_refunds(
            canonical_refund(
                lines=[
                    {"external_id": "L1", "quantity": "2", "amount_incl": "39.98"},
                    {"external_id": "L2", "quantity": "1", "amount_incl": "9.50"},
                ],
                shipping_incl="4.99",
                total_incl="54.47",
            )
        )
        record = self.booked("R1")
        shipping_product = sale.order_line.filtered("is_delivery").product_id
        note = self.assert_credit_note(
            record,
            sale,
            54.47,
            [
                (self.product_shirt, 2, 39.98, taxes[self.product_shirt]),
                (self.product_mug, 1, 9.50, taxes[self.product_mug]),
                (shipping_product, 1, 4.99, taxes[shipping_product]),
            ],
        )
        self.assertAlmostEqual(note.amount_tax, invoice.amount_tax, places=2)
        self.assertEqual(note.line_ids.sale_line_ids.order_id, sale)
        self.assertTrue(note.ref.endswith("refund REF-R1: wrong_size"), note.ref)  # no mapping: the code
        self.assertEqual(record.sale_order_id, sale)
        self.assertEqual(
            sale.order_line.filtered(lambda ln: not ln.is_delivery).mapped("qty_invoiced"), [0.0, 0.0]
        )

    def test_partial_refund_of_one_line(self):
        sale = self.import_order()
        self.sync_refunds(
            canonical_refund(
                lines=[{"external_id": "L1", "quantity": "1", "amount_incl": "19.99"}], total_incl="19.99"
            )
        )
        record = self.booked("R1")
        line_taxes = sale.invoice_ids.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_shirt
        ).tax_ids
        self.assert_credit_note(
            record, sale, 19.99, [(self.product_shirt, 1, 19.99, line_taxes.mapped("name"))]
        )
        shirt_line = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual(shirt_line.qty_invoiced, 1)
        self.assertEqual(sale.invoice_status, "invoiced")  # nothing left to invoice again

    def test_shipping_only_refund(self):
        sale = self.import_order()
        self.sync_refunds(canonical_refund(shipping_incl="4.99", total_incl="4.99"))
        record = self.booked("R1")
        shipping = sale.order_line.filtered("is_delivery")
        taxes = sale.invoice_ids.invoice_line_ids.filtered(
            lambda ln: ln.product_id == shipping.product_id
        ).tax_ids
        self.assert_credit_note(record, sale, 4.99, [(shipping.product_id, 1, 4.99, taxes.mapped("name"))])

    def test_same_refund_fetched_twice_books_one_credit_note(self):
        sale = self.import_order()
        payload = canonical_refund(shipping_incl="4.99", total_incl="4.99")
        self.sync_refunds(payload)
        stats = self.sync_refunds(dict(payload))
        self.assertEqual(stats["unchanged"], 1)
        record = self.booked("R1")
        record._book_job()  # a job run again does nothing
        notes = self.env["account.move"].search([("reversed_entry_id", "in", sale.invoice_ids.ids)])
        self.assertEqual(len(notes), 1)

    def test_database_refuses_a_second_credit_note_or_record_for_the_same_refund(self):
        self.import_order()
        self.sync_refunds(canonical_refund(shipping_incl="4.99", total_incl="4.99"))
        record = self.booked("R1")
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                record.credit_note_id.copy(
                    {"connector_account_id": self.account.id, "connector_refund_external_id": "R1"}
                )
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env["connector.refund"].create({"account_id": self.account.id, "external_id": "R1"})

    def test_total_mismatch_parks_with_both_figures(self):
        self.import_order()
        self.sync_refunds(
            canonical_refund(
                lines=[{"external_id": "L1", "quantity": "1", "amount_incl": "19.99"}], total_incl="25.00"
            )
        )
        record = self.refund_record("R1")
        self.assertEqual(record.state, "attention")
        self.assertIn("19.99", record.message)
        self.assertIn("25.00", record.message)
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))
        record.action_ignore()
        self.assertEqual(record.state, "ignored")

    def test_unknown_order_is_parked_then_booked_on_retry(self):
        payload = canonical_refund(shipping_incl="4.99", total_incl="4.99")
        self.sync_refunds(payload)
        record = self.refund_record("R1")
        self.assertEqual(record.state, "attention")
        self.assertIn("Order 1001 is unknown in Odoo", record.message)
        self.assertEqual(self.account.refund_attention_count, 1)
        sale = self.import_order()
        record.action_retry()
        self.assertEqual(record.state, "done", record.message)
        self.assertEqual(record.credit_note_id.reversed_entry_id, sale.invoice_ids)

    def test_refund_of_an_order_not_invoiced_corrects_the_order(self):
        self.account.order_type = "order"
        sale = self.import_order()
        self.assertFalse(sale.invoice_ids)
        self.sync_refunds(
            canonical_refund(
                lines=[{"external_id": "L1", "quantity": "1", "amount_incl": "19.99"}],
                shipping_incl="4.99",
                total_incl="24.98",
            )
        )
        record = self.booked("R1")
        self.assertFalse(record.credit_note_id)
        self.assertAlmostEqual(sale.amount_total, 54.47 - 24.98, places=2)
        shirt_line = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual(shirt_line.product_uom_qty, 1)
        invoice = sale._create_invoices()
        self.assertAlmostEqual(invoice.amount_total, 29.49, places=2)

    def test_amount_not_a_multiple_of_the_pieces_is_exact_to_the_cent(self):
        sale = self.import_order()
        self.sync_refunds(
            canonical_refund(
                lines=[{"external_id": "L1", "quantity": "2", "amount_incl": "39.97"}], total_incl="39.97"
            )
        )
        note = self.booked("R1").credit_note_id
        self.assertAlmostEqual(note.amount_total, 39.97, places=2)
        self.assertEqual(
            sorted((ln.quantity, round(ln.price_total, 2)) for ln in note.invoice_line_ids),
            [(1, 19.98), (1, 19.99)],
        )
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual(note.invoice_line_ids.sale_line_ids, shirt)
        self.assertEqual(shirt.qty_invoiced, 0)

    def test_price_reduction_without_return(self):
        sale = self.import_order()
        self.sync_refunds(
            canonical_refund(
                lines=[{"external_id": "L2", "quantity": "0", "amount_incl": "2.50"}], total_incl="2.50"
            )
        )
        note = self.booked("R1").credit_note_id
        (line,) = note.invoice_line_ids
        self.assertEqual(
            (line.product_id, line.quantity, round(line.price_total, 2)), (self.product_mug, 1, 2.50)
        )
        self.assertFalse(line.sale_line_ids)  # the mug stays sold and invoiced once
        mug = sale.order_line.filtered(lambda ln: ln.product_id == self.product_mug)
        self.assertEqual((mug.product_uom_qty, mug.qty_invoiced), (1, 1))
        original = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(
            line.tax_ids,
            original.invoice_line_ids.filtered(lambda ln: ln.product_id == self.product_mug).tax_ids,
        )

    def test_price_reduction_of_an_order_not_invoiced(self):
        self.account.order_type = "order"
        sale = self.import_order()
        self.sync_refunds(
            canonical_refund(
                lines=[{"external_id": "L2", "quantity": "0", "amount_incl": "2.50"}], total_incl="2.50"
            )
        )
        self.booked("R1")
        self.assertAlmostEqual(sale.amount_total, 51.97, places=2)
        adjustment = sale.order_line.filtered(lambda ln: ln.price_unit < 0)
        mug = sale.order_line.filtered(lambda ln: ln.product_id == self.product_mug)
        self.assertEqual(adjustment.tax_ids, mug.tax_ids)
        self.assertAlmostEqual(sale._create_invoices().amount_total, 51.97, places=2)

    def test_goodwill_and_restocking_fee(self):
        sale = self.import_order()
        self.sync_refunds(
            canonical_refund(
                other_amounts=[
                    {"kind": "goodwill", "title": "Sorry for the delay", "amount_incl": "5.00"},
                    {"kind": "restocking_fee", "title": "Restocking fee", "amount_incl": "-1.00"},
                ],
                total_incl="4.00",
            )
        )
        record = self.booked("R1")
        self.assertAlmostEqual(record.credit_note_id.amount_total, 4.00, places=2)
        goods_taxes = sale.invoice_ids.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_shirt
        ).tax_ids
        self.assertEqual(record.credit_note_id.invoice_line_ids.tax_ids, goods_taxes)

    def test_erasure_and_retention_clear_refund_payloads(self):
        # a refund's payload can name the buyer (a MijnWebwinkel credit order carries the
        # debtor): erasure and the retention purge clear it as they clear orders'
        sale = self.import_order()
        email = sale.partner_id.email
        full = canonical_refund(
            lines=[{"external_id": "L2", "quantity": "1", "amount_incl": "9.50"}],
            total_incl="9.50",
            note=f"Credit for {email}",
        )
        parked = canonical_refund("R2", order="UNKNOWN", note=f"debtor {email.upper()}", total_incl="1.00")
        self.sync_refunds(full, parked)
        self.assertEqual(self.booked("R1").payload["note"], f"Credit for {email}")
        self.assertEqual(self.refund_record("R2").state, "attention")
        sale.partner_id.action_connector_forget()
        self.assertFalse(self.refund_record("R1").payload)
        self.assertFalse(self.refund_record("R2").payload)
        self.assertEqual(self.refund_record("R2").state, "ignored")
        self.assertFalse(
            self.env["connector.sync.log"].search(
                [("connector_refund_id", "in", self.refund_record("R2").ids)]
            )
        )
        # retention: a booked refund's payload goes when the logs' retention has passed
        other = self.import_order(external_id="1002", buyer_email="kai@example.com")
        self.sync_refunds(
            canonical_refund(
                "R3",
                order="1002",
                lines=[{"external_id": "L2", "quantity": "1", "amount_incl": "9.50"}],
                total_incl="9.50",
            )
        )
        record = self.booked("R3")
        self.assertEqual(record.sale_order_id, other)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE connector_refund SET write_date = now() - interval '400 days' WHERE id = %s", [record.id]
        )
        self.env["connector.sync.log"]._cron_purge()
        record.invalidate_recordset()
        self.assertFalse(record.payload)
        self.assertTrue(record.payload_hash, "a refetch is still recognised")


@tagged("post_install", "-at_install")
class TestRefundVat(VatCommon):
    """The credit note keeps the VAT of the original sale, even when the buyer's data changed."""

    def refund(self, payload):
        raw = RawRefund(payload["external_id"], None, payload, "", payload["order_external_id"])
        with patch.object(
            type(self.env["connector.account"]), "_fetch_refunds", lambda account, since: iter([raw])
        ):
            self.account._sync_refunds()
        record = self.env["connector.refund"].search([("external_id", "=", payload["external_id"])])
        self.assertEqual(record.state, "done", record.message)
        return record.credit_note_id

    def test_oss_refund_keeps_the_original_fiscal_position_and_taxes(self):
        _record, sale = self.imported(order_to("AT", "V2"))
        invoice = sale.invoice_ids
        self.assertEqual(invoice.fiscal_position_id.name, "OSS B2C Austria")
        # the buyer moved to Germany since: evaluated today, the sale would be German VAT
        sale.partner_id.country_id = self.env.ref("base.de")
        sale.partner_shipping_id.country_id = self.env.ref("base.de")
        note = self.refund(
            canonical_refund(
                "R-AT",
                order="V2",
                lines=[{"external_id": "L1", "quantity": "1", "amount_incl": "19.99"}],
                total_incl="19.99",
            )
        )
        self.assertEqual(note.fiscal_position_id, invoice.fiscal_position_id)
        self.assertEqual(note.reversed_entry_id, invoice)
        shirt_taxes = invoice.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_shirt
        ).tax_ids
        self.assertEqual(note.invoice_line_ids.tax_ids, shirt_taxes)
        self.assertEqual(shirt_taxes.mapped("amount"), [20.0])
        # 19.99 gross at 20 %: 16.66 net, 3.33 VAT
        self.assertAlmostEqual(note.amount_untaxed, 16.66, places=2)
        self.assertAlmostEqual(note.amount_tax, 3.33, places=2)

    def test_reverse_charge_refund_of_a_net_order(self):
        _record, sale = self.imported(b2b_net_order("FR", "V3", VALID_FR_VAT))
        invoice = sale.invoice_ids
        self.assertEqual(invoice.fiscal_position_id, self.account.fp_reverse_charge_id)
        note = self.refund(
            canonical_refund(
                "R-FR",
                order="V3",
                lines=[{"external_id": "L1", "quantity": "2", "amount_incl": "33.60"}],
                shipping_incl="4.19",
                total_incl="37.79",
            )
        )
        self.assertEqual(note.fiscal_position_id, invoice.fiscal_position_id)
        self.assertAlmostEqual(note.amount_total, 37.79, places=2)
        self.assertAlmostEqual(note.amount_tax, 0.0, places=2)
        for line in note.invoice_line_ids:
            original = invoice.invoice_line_ids.filtered(lambda ln, p=line.product_id: ln.product_id == p)
            self.assertEqual(line.tax_ids, original.tax_ids)
