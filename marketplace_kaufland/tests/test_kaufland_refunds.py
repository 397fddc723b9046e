# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland after the sale, end to end over real HTTP to the Seller API emulator:
returns and return units become credit notes and return pickings; a credit note
posted in Odoo becomes PATCH /order-units/{id}/refund."""

from datetime import timedelta

from odoo import Command
from odoo.addons.connector_base.tests.refund_common import CreditNoteAssertions
from odoo.tests import tagged
from odoo.tools import mute_logger
from tests.emulators.kaufland import now_utc

from .common import ERIKA, KauflandCommon


@tagged("post_install", "-at_install")
class TestKauflandRefunds(CreditNoteAssertions, KauflandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.return_location = cls.env["stock.location"].create(
            {
                "name": "Returns",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.account.write(
            {
                "order_type": "invoice",
                "confirm_shipments": False,  # deliveries are validated without carrier mapping
                "refund_location_id": cls.return_location.id,
                "refund_auto_post": True,
            }
        )

    # --- helpers -------------------------------------------------------------------------

    def import_order(self, items, shipping_rate=390):
        """An order in the emulator, imported (and invoiced, per the account) in Odoo."""
        id_order = self.emulator.add_order(
            items,
            ERIKA,
            "erika@example.com",
            created=now_utc() - timedelta(hours=3),
            shipping_rate=shipping_rate,
        )
        self.account._sync_orders()
        return id_order, self.sale_of(id_order)

    def units(self, id_order, sku=None):
        return [
            u["id_order_unit"]
            for u in self.emulator.units_of_order(id_order)
            if not sku or u["id_offer"] == sku
        ]

    def refund_record(self, id_return):
        return self.env["connector.refund"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(id_return))]
        )

    def booked(self, id_return):
        record = self.refund_record(id_return)
        self.assertEqual(record.state, "done", record.message)
        return record

    def assert_credit_note(self, record, sale, total, lines):
        """The credit note reverses the original invoice with its taxes and fiscal position.

        ``lines``: [(product, quantity, gross amount)]; each line's taxes and account must be
        those of the same product's line on the original invoice.
        """
        note, _invoice = self.assert_reverses_invoice(record, sale, total, lines)
        self.assertEqual(note.currency_id, sale.currency_id)
        self.assertIn(
            sale, note.line_ids.sale_line_ids.order_id | note.invoice_line_ids.sale_line_ids.order_id
        )
        return note

    # --- channel -> Odoo -------------------------------------------------------------------

    def test_full_refund_of_an_invoiced_order_with_goods_back(self):
        self.account.refund_reason_mapping = "dislike: Not liked\nwrong_size: Wrong size"
        id_order, sale = self.import_order([("SHIRT-1", 2, 1999, 19)])
        self.assertEqual(sale.invoice_ids.amount_total, 43.88)
        self.deliver(sale)
        id_return = self.emulator.add_return(self.units(id_order), reason="wrong_size")
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        stats = self.account._sync_refunds()
        self.assertEqual(stats["new"], 1)
        record = self.booked(id_return)
        shipping = sale.order_line.filtered("is_delivery")
        self.assert_credit_note(
            record, sale, 43.88, [(self.product_shirt, 2, 39.98), (shipping.product_id, 1, 3.90)]
        )
        self.assertAlmostEqual(record.credit_note_id.amount_tax, sale.invoice_ids[0].amount_tax, places=2)
        self.assertEqual(record.amount_total, 43.88)
        self.assertIn(f"Return {id_return}: Wrong size", record.credit_note_id.ref)
        # the goods are back in the return location; the order has nothing left to invoice
        (picking,) = record.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.location_dest_id, self.return_location)
        self.assertEqual(picking.move_ids.quantity, 2)
        self.assertEqual(picking.move_ids.move_line_ids.location_dest_id, self.return_location)
        self.assertEqual(self.product_shirt.with_context(location=self.return_location.id).qty_available, 2)
        self.assertEqual(
            sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt).qty_delivered, 0
        )
        self.assertEqual(sale.invoice_status, "invoiced")
        # what was asked: the returns listing and the return with its units
        self.assertTrue(self.emulator.requests_to("GET", "/returns$"))
        (detail,) = self.emulator.requests_to("GET", f"/returns/{id_return}")
        self.assertEqual(detail.query["embedded"], ["return_units"])
        log = self.logs(flow="refund", state="done").filtered(lambda ln: ln.connector_refund_id == record)
        self.assertIn(record.credit_note_id.name, log.message)

    def test_partial_refund_of_one_line(self):
        id_order, sale = self.import_order([("SHIRT-1", 2, 1999, 19), ("BOOK-1", 1, 1200, 7)])
        self.deliver(sale)
        id_return = self.emulator.add_return(self.units(id_order, "SHIRT-1")[:1], reason="dislike")
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        self.account._sync_refunds()
        record = self.booked(id_return)
        # one shirt, no shipping: the book stays with the buyer
        note = self.assert_credit_note(record, sale, 19.99, [(self.product_shirt, 1, 19.99)])
        self.assertEqual(note.invoice_line_ids.tax_ids.mapped("amount"), [19.0])
        self.assertAlmostEqual(note.amount_untaxed, 16.80, places=2)
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual((shirt.qty_invoiced, shirt.qty_delivered, shirt.product_uom_qty), (1, 1, 1))

    def test_goods_not_arrived_yet_leave_the_return_ready(self):
        id_order, sale = self.import_order([("MUG-1", 1, 950, 19)])
        self.deliver(sale)
        # the seller accepted the return while the parcel is still on its way
        id_return = self.emulator.add_return(self.units(id_order), status="package_sent")
        self.emulator.set_return(id_return, unit_status="return_accepted")
        self.account._sync_refunds()
        record = self.booked(id_return)
        self.assertEqual(round(record.credit_note_id.amount_total, 2), 13.40)
        self.assertEqual(record.picking_ids.state, "assigned")
        self.assertEqual(record.picking_ids.location_dest_id, self.return_location)

    def test_return_stock_is_pushed_to_kaufland(self):
        id_order, sale = self.import_order([("MUG-1", 2, 950, 19)])
        self.deliver(sale)
        self.env["connector.product.binding"].create(
            {
                "account_id": self.account.id,
                "product_id": self.product_mug.id,
                "external_sku": "MUG-1",
                "external_id": str(self.emulator.offer("MUG-1")["id_unit"]),
            }
        )
        # back into the sellable stock: no separate return location
        self.account.refund_location_id = False
        self.account._export_stock()
        self.assertEqual(self.emulator.offer("MUG-1")["amount"], 18)
        id_return = self.emulator.add_return(self.units(id_order)[:1])
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        self.account._sync_refunds()
        record = self.booked(id_return)
        self.assertEqual(record.picking_ids.state, "done")
        self.assertEqual(record.picking_ids.location_dest_id, self.warehouse.lot_stock_id)
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 1)
        self.assertEqual(self.emulator.offer("MUG-1")["amount"], 19)
        (bulk,) = self.emulator.requests_to("POST", "/units/bulk")
        self.assertEqual(
            bulk.json, [{"id_unit": self.emulator.offer("MUG-1")["id_unit"], "unit_data": {"amount": 19}}]
        )

    def test_refund_of_an_order_never_invoiced(self):
        self.account.order_type = "order"
        id_order, sale = self.import_order([("SHIRT-1", 2, 1999, 19)])
        self.assertFalse(sale.invoice_ids)
        self.deliver(sale)
        id_return = self.emulator.add_return(self.units(id_order)[:1])
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        self.account._sync_refunds()
        record = self.booked(id_return)
        self.assertFalse(record.credit_note_id)
        self.assertEqual(record.picking_ids.state, "done")
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual((shirt.product_uom_qty, shirt.qty_delivered), (1, 1))
        self.assertEqual(round(sale.amount_total, 2), 23.89)
        # the invoice made later comes out right: one shirt and the shipping
        invoice = sale._create_invoices()
        self.assertEqual(round(invoice.amount_total, 2), 23.89)
        self.assertEqual(
            sorted((ln.product_id.id, ln.quantity) for ln in invoice.invoice_line_ids),
            sorted(
                [(self.product_shirt.id, 1.0), (sale.order_line.filtered("is_delivery").product_id.id, 1.0)]
            ),
        )

    def test_same_return_fetched_twice_books_one_credit_note(self):
        id_order, sale = self.import_order([("MUG-1", 1, 950, 19)])
        id_return = self.emulator.add_return(self.units(id_order))
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        self.account._sync_refunds()
        self.account.refund_watermark -= timedelta(hours=1)  # the next sync lists it again
        stats = self.account._sync_refunds()
        self.assertEqual((stats["fetched"], stats["unchanged"]), (1, 1))
        record = self.booked(id_return)
        record._book_job()  # the job run again
        invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        notes = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("reversed_entry_id", "=", invoice.id)]
        )
        self.assertEqual(notes, record.credit_note_id)
        self.assertEqual(len(self.env["connector.refund"].search([("external_id", "=", str(id_return))])), 1)
        # closed in Kaufland afterwards: still one credit note, and a word in the log
        self.emulator.set_return(id_return, unit_status="return_closed")
        self.account._sync_refunds()
        self.assertEqual(record.state, "done")
        self.assertEqual(self.env["account.move"].search_count([("move_type", "=", "out_refund")]), 1)
        self.assertIn("Changed in the channel after it was booked", record.log_ids.mapped("message")[0])

    def test_return_of_an_order_unknown_to_odoo_is_parked(self):
        id_order = self.emulator.add_order(
            [("MUG-1", 1, 950, 19)], ERIKA, "erika@example.com", created=now_utc() - timedelta(hours=2)
        )  # never imported into Odoo
        id_return = self.emulator.add_return(self.units(id_order))
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        self.account._sync_refunds()
        record = self.refund_record(id_return)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"Order {id_order} is unknown in Odoo", record.message)
        self.assertEqual(self.account.refund_attention_count, 1)
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))
        # the order arrives: its parked return is booked at once
        self.account._sync_orders()
        sale = self.sale_of(id_order)
        self.assertEqual(record.state, "done", record.message)
        self.assert_credit_note(
            record,
            sale,
            13.40,
            [(self.product_mug, 1, 9.50), (sale.order_line.filtered("is_delivery").product_id, 1, 3.90)],
        )

    def test_undecided_return_waits_then_is_booked(self):
        id_order, sale = self.import_order([("MUG-1", 1, 950, 19)])
        id_return = self.emulator.add_return(self.units(id_order))  # need_to_be_returned
        self.account._sync_refunds()
        record = self.refund_record(id_return)
        self.assertEqual(record.state, "waiting")
        self.assertFalse(record.credit_note_id)
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        # even when the returns listing no longer shows it, a waiting return is read again
        self.account.refund_watermark = now_utc() + timedelta(days=1)
        self.emulator.reset_log()
        self.account._sync_refunds()
        self.assertEqual(
            self.emulator.requests_to("GET", "/returns$")[0].query["ts_updated_from_iso"][0][:10],
            (now_utc() + timedelta(days=1)).strftime("%Y-%m-%d"),
        )
        self.assertEqual(len(self.emulator.requests_to("GET", f"/returns/{id_return}$")), 1)
        self.assertEqual(record.state, "done", record.message)
        self.assertEqual(round(record.credit_note_id.amount_total, 2), 13.40)

    def test_rejected_return_books_nothing(self):
        id_order, sale = self.import_order([("MUG-1", 1, 950, 19)])
        id_return = self.emulator.add_return(self.units(id_order))
        self.emulator.set_return(id_return, status="package_received", unit_status="return_rejected")
        self.account._sync_refunds()
        record = self.refund_record(id_return)
        self.assertEqual(record.state, "ignored")
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))

    # --- Odoo -> channel -------------------------------------------------------------------

    def credit_note_by_hand(self, sale, lines, reason="delivery_delay"):
        """A credit note made in Odoo from the invoice (Reverse), keeping ``lines``
        {product: (quantity, price_unit)}."""
        invoice = sale.invoice_ids
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": reason, "journal_id": invoice.journal_id.id})
        )
        note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        for line in note.invoice_line_ids:
            if line.product_id in lines:
                qty, price = lines[line.product_id]
                line.write({"quantity": qty, "price_unit": price})
            else:
                note.write({"invoice_line_ids": [Command.unlink(line.id)]})
        note.action_post()
        return note

    def test_shipping_refund_started_in_odoo_reaches_kaufland_once(self):
        id_order, sale = self.import_order([("SHIRT-1", 1, 1999, 19)])
        shipping = sale.order_line.filtered("is_delivery")
        shipping_price = sale.invoice_ids.invoice_line_ids.filtered(
            lambda ln: ln.product_id == shipping.product_id
        ).price_unit
        note = self.credit_note_by_hand(sale, {shipping.product_id: (1, shipping_price)})
        self.assertEqual(round(note.amount_total, 2), 3.90)
        self.assertEqual(
            self.emulator.refunds,
            [{"id_order_unit": self.units(id_order)[0], "amount": 390, "reason": "refund_postage_fee"}],
        )
        self.assertTrue(note.connector_refund_sent_at)
        self.assertFalse(note.connector_refund_sendable)
        # the job again (a retry, a second worker): nothing more is sent
        note._connector_send_refund_job()
        self.assertEqual(len(self.emulator.requests_to("PATCH", "/refund$")), 1)
        log = self.logs(flow="refund", state="done", direction="out")
        self.assertIn("3.90 EUR (refund_postage_fee)", log.message)
        self.assertEqual((log.res_model, log.res_id), ("account.move", note.id))

    def test_partial_refund_started_in_odoo_sends_amount_and_reason(self):
        id_order, sale = self.import_order([("SHIRT-1", 2, 1999, 19)])
        price = sale.invoice_ids.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_shirt
        ).price_unit
        note = self.credit_note_by_hand(sale, {self.product_shirt: (1, price / 2)}, reason="delivery_damage")
        self.assertEqual(round(note.amount_total, 2), 10.00)
        (request,) = self.emulator.requests_to("PATCH", "/refund$")
        self.assertEqual(request.json, {"amount": 1000, "reason": "delivery_damage"})
        self.assertIn(str(request.path.split("/")[-2]), [str(i) for i in self.units(id_order)])
        self.assertEqual(len(self.emulator.refunds), 1)

    def test_credit_note_of_an_imported_refund_is_not_sent_back(self):
        id_order, sale = self.import_order([("MUG-1", 1, 950, 19)])
        id_return = self.emulator.add_return(self.units(id_order))
        self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        self.account._sync_refunds()
        self.booked(id_return)
        self.assertFalse(self.emulator.requests_to("PATCH", "/refund$"))

    def test_refund_refused_halfway_never_sends_a_part_twice(self):
        id_order, sale = self.import_order([("SHIRT-1", 2, 1999, 19)])
        first, second = self.units(id_order)
        self.emulator.inject("expired-token", count=5, path=f"/order-units/{second}/refund")
        price = sale.invoice_ids.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_shirt
        ).price_unit
        with mute_logger("odoo.addons.connector_base.http_client"):
            note = self.credit_note_by_hand(sale, {self.product_shirt: (2, price)}, reason="defect")
        self.assertEqual(
            self.emulator.refunds, [{"id_order_unit": first, "amount": 1999, "reason": "defect"}]
        )
        self.assertFalse(note.connector_refund_sent_at)
        self.assertTrue(self.logs(flow="refund", state="error", direction="out"))
        # the channel answers again: the retry sends the second unit only
        self.emulator.reset_log()
        self.assertTrue(note.connector_refund_sendable)
        note.action_connector_send_refund()
        self.assertEqual(
            [(r["id_order_unit"], r["amount"]) for r in self.emulator.refunds],
            [(first, 1999), (second, 1999)],
        )
        self.assertTrue(note.connector_refund_sent_at)
        self.assertFalse(note.connector_refund_sendable)

    def test_unreadable_return_is_parked_and_others_are_booked(self):
        id_order, sale = self.import_order([("MUG-1", 1, 950, 19)])
        id_order2, sale2 = self.import_order([("BOOK-1", 1, 1200, 7)])
        broken = self.emulator.add_return(self.units(id_order))
        fine = self.emulator.add_return(self.units(id_order2))
        for id_return in (broken, fine):
            self.emulator.set_return(id_return, status="package_received", unit_status="return_accepted")
        # Kaufland loses the order unit of the first return: GET /order-units/{id} answers 404
        unit = self.emulator.order_units.pop(self.units(id_order)[0])
        with mute_logger("odoo.addons.connector_base.http_client", "odoo.addons.marketplace_kaufland.client"):
            self.account._sync_refunds()
        record = self.refund_record(broken)
        self.assertEqual(record.state, "attention")
        self.assertIn("its order could not be read", record.message)
        self.assertIn("404", record.message)
        self.assertEqual(round(self.booked(fine).credit_note_id.amount_total, 2), 15.90)
        # Kaufland answers again: Retry reads the return again and books it
        self.emulator.order_units[unit["id_order_unit"]] = unit
        record.action_retry()
        self.assertEqual(record.state, "done", record.message)
        self.assertEqual(round(record.credit_note_id.amount_total, 2), 13.40)
