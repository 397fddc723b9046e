# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop after the sale, end to end over real signed HTTP to the emulator: a return
(``GET /returns``, its ``returnrows``) credited in the shop becomes a credit note of the
order it came from, with a return picking of its rows.

CCV's returns carry no shipping costs and the API takes no refunds: there is no
shipping-only refund and nothing is sent from Odoo (see readme/CONTEXT.md)."""

from datetime import timedelta

from odoo import fields
from odoo.addons.connector_base.tests.refund_common import CreditNoteAssertions
from odoo.tests import tagged

from .common import ACME, ERIKA, CcvCommon

CREDITED, CANCELLED, NEW = "8", "6", "1"


@tagged("post_install", "-at_install")
class TestCcvRefunds(CreditNoteAssertions, CcvCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.return_location = cls.env["stock.location"].create(
            {
                "name": "Retouren",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.account.write(
            {
                "order_type": "invoice",
                "confirm_shipments": False,
                "refund_location_id": cls.return_location.id,
                "refund_auto_post": True,
            }
        )

    # --- helpers -------------------------------------------------------------------------

    def import_order(self, customer, rows, **kwargs):
        order = self.emulator.add_order(customer, rows, **kwargs)
        self.account._sync_orders()
        return order, self.sale_of(order)

    def rows(self, order, sku=None):
        return [r["id"] for r in self.emulator.rows[order["id"]] if not sku or r["product_number"] == sku]

    def refund_record(self, ret):
        return self.env["connector.refund"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", str(ret["id"]))]
        )

    def booked(self, ret):
        record = self.refund_record(ret)
        self.assertEqual(record.state, "done", record.message)
        return record

    def assert_credit_note(self, record, sale, total, lines):
        """``lines``: [(product, quantity, gross amount, VAT %)]; taxes, accounts and fiscal
        position are the original invoice's."""
        note, _invoice = self.assert_reverses_invoice(record, sale, total, lines)
        self.assertEqual(record.sale_order_id, sale)
        self.assertIn(sale, note.invoice_line_ids.sale_line_ids.order_id)
        return note

    # --- shop -> Odoo -------------------------------------------------------------------------

    def test_credited_return_of_a_whole_invoiced_order(self):
        order, sale = self.import_order(ERIKA, [("SHIRT-1", 2), ("BOOK-1", 1)], shipping=0)
        invoice = sale.invoice_ids
        self.assertEqual(round(invoice.amount_total, 2), 51.98)
        self.deliver(sale)
        ret = self.emulator.add_return(
            order["id"], [(row, 2 if i == 0 else 1) for i, row in enumerate(self.rows(order))]
        )
        self.emulator.set_return_status(ret["id"], CREDITED)
        stats = self.account._sync_refunds()
        self.assertEqual(stats["new"], 1)
        record = self.booked(ret)
        note = self.assert_credit_note(
            record, sale, 51.98, [(self.product_shirt, 2, 39.98, 19.0), (self.product_book, 1, 12.00, 7.0)]
        )
        self.assertAlmostEqual(note.amount_tax, invoice.amount_tax, places=2)
        self.assertIn(f"Return {ret['returnnumber_full']}: Past niet", note.ref)
        # what was asked: the returns since the watermark, the rows of the return
        (listing,) = self.received("GET", "/returns")
        self.assertTrue(listing.query["min_create_date"][0])
        self.assertEqual(len(self.received("GET", f"/returns/{ret['id']}/returnrows")), 1)
        # the goods came back into the return location
        (picking,) = record.picking_ids
        self.assertEqual((picking.state, picking.location_dest_id), ("done", self.return_location))
        self.assertEqual(self.product_shirt.with_context(location=self.return_location.id).qty_available, 2)
        self.assertEqual(sale.invoice_status, "invoiced")

    def test_returned_goods_go_back_on_sale_and_the_stock_is_pushed(self):
        self.account.refund_location_id = False  # back into the sellable stock
        shop_product = self.emulator.product_by_sku("SHIRT-1")
        self.env["connector.product.binding"].create(
            {
                "account_id": self.account.id,
                "product_id": self.product_shirt.id,
                "external_sku": "SHIRT-1",
                "external_id": str(shop_product["id"]),
            }
        )
        order, sale = self.import_order(ERIKA, [("SHIRT-1", 2)])
        self.deliver(sale)
        self.account._export_stock()
        before = shop_product["stock"]
        ret = self.emulator.add_return(order["id"], [(self.rows(order)[0], 1)], status=CREDITED)
        self.account._sync_refunds()
        record = self.booked(ret)
        self.assertEqual(record.picking_ids.state, "done")
        self.assertEqual(record.picking_ids.location_dest_id, self.warehouse.lot_stock_id)
        self.emulator.reset_log()
        self.assertEqual(self.account._export_stock(), 1)
        (patch,) = self.received("PATCH", f"/products/{shop_product['id']}")
        self.assertEqual(patch.json, {"stock": before + 1, "stockenabled": True})

    def test_partial_return_of_one_line(self):
        order, sale = self.import_order(ERIKA, [("SHIRT-1", 2), ("BOOK-1", 1)])
        shirt_row = self.rows(order, "SHIRT-1")[0]
        ret = self.emulator.add_return(order["id"], [(shirt_row, 1)], status=CREDITED)
        self.account._sync_refunds()
        record = self.booked(ret)
        note = self.assert_credit_note(record, sale, 19.99, [(self.product_shirt, 1, 19.99, 19.0)])
        self.assertAlmostEqual(note.amount_untaxed, 16.80, places=2)
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual((shirt.qty_invoiced, shirt.product_uom_qty, shirt.price_unit), (1, 1, 19.99))

    def test_return_of_an_order_in_prices_without_vat(self):
        # a business order shown without VAT: the return rows are net, booked gross
        order, sale = self.import_order(ACME, [("MUG-1", 3)], incl=False, status=2, shipping=0)
        self.assertEqual(self.emulator.rows[order["id"]][0]["price"], 7.98)
        ret = self.emulator.add_return(order["id"], [(self.rows(order)[0], 1)], status=CREDITED)
        self.assertEqual((ret["total_price"], ret["total_price_inc_tax"]), (7.98, 9.5))
        self.account._sync_refunds()
        record = self.booked(ret)
        note = self.assert_credit_note(record, sale, 9.50, [(self.product_mug, 1, 9.50, 19.0)])
        self.assertAlmostEqual(note.amount_untaxed, 7.98, places=2)
        self.assertEqual(note.invoice_line_ids.tax_ids.price_include, False)

    def test_return_of_an_order_never_invoiced(self):
        self.account.order_type = "order"
        order, sale = self.import_order(ERIKA, [("SHIRT-1", 2)])
        self.assertFalse(sale.invoice_ids)
        ret = self.emulator.add_return(order["id"], [(self.rows(order)[0], 1)], status=CREDITED)
        self.account._sync_refunds()
        record = self.booked(ret)
        self.assertFalse(record.credit_note_id)
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual((shirt.product_uom_qty, shirt.price_unit), (1, 19.99))
        self.assertEqual(round(sale.amount_total, 2), 24.94)
        invoice = sale._create_invoices()
        self.assertEqual(round(invoice.amount_total, 2), 24.94)
        self.assertEqual(
            sorted(
                (ln.product_id.id, ln.quantity, round(ln.price_total, 2)) for ln in invoice.invoice_line_ids
            ),
            sorted([(self.product_shirt.id, 1.0, 19.99), (self.shipping_product.id, 1.0, 4.95)]),
        )

    def test_same_return_fetched_twice_books_one_credit_note(self):
        order, sale = self.import_order(ERIKA, [("MUG-1", 2)])
        ret = self.emulator.add_return(order["id"], [(self.rows(order)[0], 1)], status=CREDITED)
        self.account._sync_refunds()
        self.account.refund_watermark -= timedelta(hours=1)  # the next sync lists it again
        stats = self.account._sync_refunds()
        self.assertEqual((stats["fetched"], stats["unchanged"]), (1, 1))
        record = self.booked(ret)
        record._book_job()
        notes = self.env["account.move"].search([("move_type", "=", "out_refund")])
        self.assertEqual(notes, record.credit_note_id)
        self.assertEqual(round(notes.amount_total, 2), 9.50)
        self.assertEqual(len(self.env["connector.refund"].search([("external_id", "=", str(ret["id"]))])), 1)

    def test_return_of_an_order_unknown_to_odoo_is_parked(self):
        order = self.emulator.add_order(ERIKA, [("BOOK-1", 2)], paid=False, status=4)  # not imported
        ret = self.emulator.add_return(order["id"], [(self.rows(order)[0], 1)], status=CREDITED)
        self.account._sync_refunds()
        record = self.refund_record(ret)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"Order {order['id']} is unknown in Odoo", record.message)
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))
        # paid after all and imported: the parked return is booked at once
        self.emulator.set_paid(order["id"])
        self.account._sync_orders()
        sale = self.sale_of(order)
        self.assertEqual(record.state, "done", record.message)
        self.assert_credit_note(record, sale, 12.00, [(self.product_book, 1, 12.00, 7.0)])

    def test_open_return_waits_until_credited_and_a_cancelled_one_books_nothing(self):
        order, sale = self.import_order(ERIKA, [("SHIRT-1", 1), ("MUG-1", 1)])
        shirt_row, mug_row = self.rows(order)
        waiting = self.emulator.add_return(order["id"], [(shirt_row, 1)], status=NEW)
        cancelled = self.emulator.add_return(order["id"], [(mug_row, 1)], status=CANCELLED)
        self.account._sync_refunds()
        self.assertEqual(self.refund_record(waiting).state, "waiting")
        self.assertEqual(self.refund_record(cancelled).state, "ignored")
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))
        # credited later: returns have no change date, the waiting one is read again by id
        self.emulator.set_return_status(waiting["id"], CREDITED)
        # even when the returns listing no longer shows it (created before the watermark)
        self.account.refund_watermark = fields.Datetime.now() + timedelta(days=1)
        self.emulator.reset_log()
        self.account._sync_refunds()
        self.assertEqual(len(self.received("GET", f"/returns/{waiting['id']}")), 1)
        record = self.booked(waiting)
        self.assert_credit_note(record, sale, 19.99, [(self.product_shirt, 1, 19.99, 19.0)])
        self.assertEqual(self.env["account.move"].search_count([("move_type", "=", "out_refund")]), 1)
