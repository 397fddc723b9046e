# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MijnWebwinkel after the sale, end to end over real HTTP to the emulator: credit
orders (``credited_order_number``) become credit notes of the order they credit; a
credit note posted in Odoo becomes ``POST /orders/credit``."""

from datetime import timedelta

from odoo import Command
from odoo.addons.connector_base.tests.refund_common import CreditNoteAssertions
from odoo.tests import tagged
from tests.emulators.mijnwebwinkel import _local_now

from .common import MijnWebwinkelCommon

CREDIT_STATUS = 7  # the emulator's status with credit_order: true ("Gecrediteerd")


@tagged("post_install", "-at_install")
class TestMijnWebwinkelRefunds(CreditNoteAssertions, MijnWebwinkelCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.write({"order_type": "invoice", "refund_auto_post": True})
        cls.mug, cls.teapot = cls.demo_products[0], cls.demo_products[1]  # DEMO-001 14.95, DEMO-002 19.95

    def setUp(self):
        super().setUp()
        self.emulator.orders.clear()  # only this test's orders

    # --- helpers -------------------------------------------------------------------------

    def import_order(self, lines, **kwargs):
        order = self.emulator.add_order(lines, when=_local_now() - timedelta(hours=2), **kwargs)
        self.account._sync_orders()
        record = self.env["connector.order"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(order["number"]))]
        )
        self.assertEqual(record.state, "done", record.message)
        return order, record.sale_order_id

    def credit(self, order, lines, shipping_costs="0", **extra):
        """A credit order made in the shop: ``lines`` [(index of the order line, pieces)]."""
        body = {
            "credited_order_number": str(order["number"]),
            "status": CREDIT_STATUS,
            "orderlines": [
                {
                    "type": order["orderlines"][index]["type"],
                    "quantity": qty,
                    "articles": [
                        {
                            "id": a["id"],
                            "options": [{"list_option_id": o["list_option_id"]} for o in a["options"]],
                        }
                        for a in order["orderlines"][index]["articles"]
                    ],
                }
                for index, qty in lines
            ],
            **extra,
        }
        if shipping_costs is not None:
            body["shipping_costs"] = shipping_costs
        return self.emulator.credit_order(body)

    def logs(self, **domain):
        return self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def refund_record(self, credit):
        return self.env["connector.refund"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(credit["number"]))]
        )

    def booked(self, credit):
        record = self.refund_record(credit)
        self.assertEqual(record.state, "done", record.message)
        return record

    def assert_credit_note(self, record, sale, total, lines):
        """The credit note reverses the invoice with its taxes, accounts and fiscal position;
        ``lines``: [(product, quantity, gross amount)]."""
        note, _invoice = self.assert_reverses_invoice(record, sale, total, lines)
        for line in note.invoice_line_ids:
            self.assertEqual(line.tax_ids.mapped("amount"), [19.0])
        self.assertEqual(record.sale_order_id, sale)
        self.assertEqual(note.invoice_origin, sale.name)
        return note

    # --- shop -> Odoo -------------------------------------------------------------------------

    def test_full_credit_order_of_an_invoiced_order(self):
        order, sale = self.import_order([("DEMO-001", 2), ("DEMO-002", 1)])
        self.assertEqual(round(sale.invoice_ids.amount_total, 2), 54.80)
        credit = self.credit(order, [(0, 2), (1, 1)], shipping_costs=None, comments={"customer": "Past niet"})
        self.assertEqual(credit["price"]["total"], "-54.80")
        stats = self.account._sync_refunds()
        self.assertEqual(stats["new"], 1)
        # the credit statuses come from /orderstatuses; the original is read for its lines
        self.assertEqual(
            {r.arg("status_id") for r in self.emulator.requests_to("GET", r"/v1/orders$")} - {"3"}, {"7"}
        )
        self.assertTrue(self.emulator.requests_to("GET", rf"/v1/orders/{order['number']}$"))
        record = self.booked(credit)
        shipping = sale.order_line.filtered("is_delivery")
        note = self.assert_credit_note(
            record,
            sale,
            54.80,
            [(self.mug, 2, 29.90), (self.teapot, 1, 19.95), (shipping.product_id, 1, 4.95)],
        )
        self.assertAlmostEqual(note.amount_tax, sale.invoice_ids[0].amount_tax, places=2)
        self.assertIn(f"Credit order {credit['number']}: Past niet", note.ref)
        self.assertEqual(record.sale_order_id, sale)
        self.assertEqual(sale.invoice_status, "invoiced")
        # the shop's own refund is not sent back to it
        self.assertFalse(self.emulator.requests_to("POST", r"/v1/orders/credit$"))

    def test_partial_credit_of_one_line(self):
        return_location = self.env["stock.location"].create(
            {"name": "Retouren", "usage": "internal", "location_id": self.warehouse.view_location_id.id}
        )
        self.account.refund_location_id = return_location
        order, sale = self.import_order([("DEMO-001", 2), ("DEMO-002", 1)])
        delivery = sale.picking_ids
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
        delivery.move_ids.picked = True
        delivery._action_done()
        credit = self.credit(order, [(0, 1)])
        self.account._sync_refunds()
        record = self.booked(credit)
        note = self.assert_credit_note(record, sale, 14.95, [(self.mug, 1, 14.95)])
        self.assertAlmostEqual(note.amount_untaxed, 12.56, places=2)
        # the piece comes back: a return picking into the return location, left for the
        # warehouse (a credit order does not say whether the goods arrived)
        (picking,) = record.picking_ids
        self.assertEqual((picking.state, picking.location_dest_id), ("assigned", return_location))
        self.assertEqual((picking.move_ids.product_id, picking.move_ids.product_uom_qty), (self.mug, 1))
        mug = sale.order_line.filtered(lambda ln: ln.product_id == self.mug)
        self.assertEqual((mug.qty_invoiced, mug.qty_delivered, mug.product_uom_qty), (1, 2, 2))

    def test_shipping_only_credit(self):
        order, sale = self.import_order([("DEMO-001", 1)])
        # no items, the shipping costs excl. VAT (4.95 incl. 19 %)
        credit = self.credit(order, [], shipping_costs="4.159664")
        self.account._sync_refunds()
        record = self.booked(credit)
        shipping = sale.order_line.filtered("is_delivery")
        self.assert_credit_note(record, sale, 4.95, [(shipping.product_id, 1, 4.95)])

    def test_credit_of_an_order_never_invoiced(self):
        self.account.order_type = "order"
        order, sale = self.import_order([("DEMO-001", 2), ("DEMO-002", 1)])
        self.assertFalse(sale.invoice_ids)
        credit = self.credit(order, [(0, 1)])
        self.account._sync_refunds()
        record = self.booked(credit)
        self.assertFalse(record.credit_note_id)
        mug = sale.order_line.filtered(lambda ln: ln.product_id == self.mug)
        # one piece less at the shop's price (not re-priced from the pricelist), nothing added
        self.assertEqual((mug.product_uom_qty, mug.price_unit), (1, 14.95))
        self.assertEqual(len(sale.order_line), 3)
        self.assertEqual(round(sale.amount_total, 2), 39.85)
        invoice = sale._create_invoices()
        self.assertEqual(round(invoice.amount_total, 2), 39.85)
        self.assertEqual(
            sorted(
                (ln.product_id.id, ln.quantity, round(ln.price_total, 2), ln.tax_ids.amount)
                for ln in invoice.invoice_line_ids
            ),
            sorted(
                [
                    (self.mug.id, 1.0, 14.95, 19.0),
                    (self.teapot.id, 1.0, 19.95, 19.0),
                    (sale.order_line.filtered("is_delivery").product_id.id, 1.0, 4.95, 19.0),
                ]
            ),
        )

    def test_same_credit_order_fetched_twice_books_one_credit_note(self):
        order, sale = self.import_order([("DEMO-001", 2)])
        credit = self.credit(order, [(0, 1)])
        self.account._sync_refunds()
        self.account.refund_watermark -= timedelta(hours=1)  # the next sync lists it again
        stats = self.account._sync_refunds()
        self.assertEqual((stats["fetched"], stats["unchanged"]), (1, 1))
        record = self.booked(credit)
        record._book_job()
        notes = self.env["account.move"].search([("move_type", "=", "out_refund")])
        self.assertEqual(notes, record.credit_note_id)
        self.assertEqual(round(notes.amount_total, 2), 14.95)
        # credit orders are never imported as sales
        self.account._sync_orders()
        self.assertFalse(self.env["connector.order"].search([("external_id", "=", str(credit["number"]))]))

    def test_credit_of_an_order_unknown_to_odoo_is_parked(self):
        order = self.emulator.add_order([("DEMO-002", 2)], status=1)  # not paid: not imported
        credit = self.credit(order, [(0, 1)])
        self.account._sync_refunds()
        record = self.refund_record(credit)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"Order {order['number']} is unknown in Odoo", record.message)
        self.assertEqual(record.order_external_id, str(order["number"]))
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))
        # paid after all and imported: its parked credit order is booked at once
        self.emulator.set_order_status(order["number"], 3)
        self.account._sync_orders()
        sale = self.env["sale.order"].search([("connector_external_id", "=", str(order["number"]))])
        self.assertEqual(record.state, "done", record.message)
        self.assert_credit_note(record, sale, 19.95, [(self.teapot, 1, 19.95)])

    def test_credit_of_a_variant_line_credits_that_variant(self):
        # two sizes of the same article: same SKU (the article's), told apart by the options
        order, sale = self.import_order([("DEMO-010-S", 1), ("DEMO-010-M", 2)])
        shirt_m = self.tshirt.product_variant_ids.filtered(lambda v: v.default_code == "TSHIRT-BIO-M")
        credit = self.credit(order, [(1, 1)])
        self.account._sync_refunds()
        record = self.booked(credit)
        self.assert_credit_note(record, sale, 24.95, [(shirt_m, 1, 24.95)])
        line_m = sale.order_line.filtered(lambda ln: ln.product_id == shirt_m)
        self.assertEqual((line_m.qty_invoiced, line_m.product_uom_qty), (1, 1))
        self.assertEqual(record.credit_note_id.invoice_line_ids.sale_line_ids, line_m)

    def test_credit_order_whose_order_cannot_be_read_is_parked_then_retried(self):
        order, sale = self.import_order([("DEMO-001", 2)])
        credit = self.credit(order, [(0, 1)])
        original = self.emulator.orders.pop(str(order["number"]))  # the shop answers 404
        self.account._sync_refunds()
        record = self.refund_record(credit)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"order {order['number']} could not be read", record.message)
        self.assertIn("404", record.message)
        self.emulator.orders[str(order["number"])] = original
        record.action_retry()  # reads the credit order and its order again
        self.assertEqual(record.state, "done", record.message)
        self.assertEqual(round(record.credit_note_id.amount_total, 2), 14.95)

    # --- Odoo -> shop -------------------------------------------------------------------------

    def reverse(self, sale, keep):
        """A credit note made in Odoo from the invoice, keeping ``keep`` {product: (qty, price)}."""
        invoice = sale.invoice_ids
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "retour", "journal_id": invoice.journal_id.id})
        )
        note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        for line in note.invoice_line_ids:
            if line.product_id in keep:
                qty, price = keep[line.product_id]
                line.write({"quantity": qty, "price_unit": price or line.price_unit})
            else:
                note.write({"invoice_line_ids": [Command.unlink(line.id)]})
        note.action_post()
        return note

    def test_price_reduction_made_in_odoo_is_refused_with_a_log_line(self):
        order, sale = self.import_order([("DEMO-001", 2)])
        note = self.reverse(sale, {self.mug: (0, 5.0)})
        self.assertFalse(self.emulator.requests_to("POST", r"/v1/orders/credit$"))
        self.assertFalse(note.connector_refund_sent_at)
        log = self.logs(flow="refund", state="error", direction="out")
        self.assertIn("whole pieces", log.message)

    def test_credit_note_posted_in_odoo_becomes_one_credit_order(self):
        order, sale = self.import_order([("DEMO-001", 2), ("DEMO-002", 1)])
        note = self.reverse(sale, {self.mug: (1, None)})
        self.assertEqual(round(note.amount_total, 2), 14.95)
        (request,) = self.emulator.requests_to("POST", r"/v1/orders/credit$")
        article = order["orderlines"][0]["articles"][0]
        self.assertEqual(
            request.json,
            {
                "credited_order_number": str(order["number"]),
                "status": CREDIT_STATUS,
                "comments": {"internal": f"Odoo credit note {note.name}"},
                "orderlines": [{"type": "article", "quantity": 1, "articles": [{"id": article["id"]}]}],
                "shipping_costs": "0.000000",
                "payment_costs": "0",
            },
        )
        (credit_number,) = self.emulator.orders[str(order["number"])]["credit_order_numbers"]
        self.assertEqual(self.emulator.orders[str(credit_number)]["price"]["total"], "-14.95")
        self.assertTrue(note.connector_refund_sent_at)
        note._connector_send_refund_job()  # again: nothing more is sent
        self.assertEqual(len(self.emulator.requests_to("POST", r"/v1/orders/credit$")), 1)
        # the credit order it made is not booked a second time
        self.account._sync_refunds()
        self.assertFalse(self.env["connector.refund"].search([("account_id", "=", self.account.id)]))
        self.assertEqual(self.env["account.move"].search_count([("move_type", "=", "out_refund")]), 1)
