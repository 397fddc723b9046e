# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon after the sale, end to end: refund events of the Finances API v0
(listFinancialEvents, listFinancialEventsByOrderId) read through python-amazon-sp-api over
real HTTP from the emulator, booked as credit notes (or order corrections) and return
pickings."""

from datetime import timedelta

from odoo.addons.connector_base.tests.invoice_common import ChannelJobsMixin
from odoo.addons.connector_base.tests.refund_common import CreditNoteAssertions
from odoo.tests import tagged
from tests.emulators.amazon import NL
from tests.emulators.amazon import _now as emulator_now

from .common import ERIKA_BILLING, ERIKA_BUYER, ERIKA_SHIPPING, SANNE_ADDRESS, AmazonCommon

FINANCIAL_EVENTS = "/finances/v0/financialEvents$"


@tagged("post_install", "-at_install")
class TestAmazonRefunds(CreditNoteAssertions, AmazonCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.return_location = cls.env["stock.location"].create(
            {
                "name": "Amazon returns",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.account.write(
            {
                "order_type": "invoice",
                "confirm_shipments": False,  # deliveries are validated without a carrier
                "refund_location_id": cls.return_location.id,
                "refund_auto_post": True,
                "amazon_billing_addresses": False,
            }
        )

    # --- helpers -------------------------------------------------------------------------

    def add_erika_order(self):
        """2 shirts (19 %, shipping 3.90) and 1 book (7 %): 55.88 in the emulator."""
        return self.emulator.add_order(
            [
                {"sku": "SHIRT-1", "qty": 2, "price": "19.99", "shipping": "3.90"},
                {"sku": "BOOK-1", "qty": 1, "price": "12.00", "tax_rate": 7},
            ],
            created=emulator_now() - timedelta(hours=3),
            buyer=ERIKA_BUYER,
            address=ERIKA_SHIPPING,
            billing=ERIKA_BILLING,
        )

    def import_erika_order(self):
        order_id = self.add_erika_order()
        self.account._sync_orders()
        sale = self.sale_of(order_id)
        return order_id, sale

    def refund_records(self, order_id):
        return self.env["connector.refund"].search(
            [("account_id", "=", self.account.id), ("order_external_id", "=", order_id)]
        )

    def booked(self, order_id):
        record = self.refund_records(order_id)
        self.assertEqual(len(record), 1)
        self.assertEqual(record.state, "done", record.message)
        return record

    def shipping_product(self, sale):
        return sale.order_line.filtered("is_delivery").product_id

    def assert_credit_note(self, record, sale, total, lines):
        """The credit note reverses the original invoice with its taxes and fiscal position.

        ``lines``: [(product, quantity, gross amount, tax percent)]; each line's taxes and
        account must be those of the same product's line on the original invoice.
        """
        note, _invoice = self.assert_reverses_invoice(record, sale, total, lines)
        self.assertEqual(note.currency_id.name, "EUR")
        self.assertEqual(note.invoice_origin, sale.name)
        # returned pieces are linked to their order lines (not invoiced again)
        for line in note.invoice_line_ids.filtered(lambda ln: "price reduction" not in ln.name):
            if line.product_id != self.shipping_product(sale):
                self.assertEqual(line.sale_line_ids.order_id, sale, line.name)
        self.assertEqual(round(record.amount_total, 2), total)
        return note

    # --- tests -----------------------------------------------------------------------------

    def test_full_refund_of_an_invoiced_order(self):
        order_id, sale = self.import_erika_order()
        invoice = sale.invoice_ids
        self.assertEqual(round(invoice.amount_total, 2), 55.88)
        self.deliver(sale)
        event = self.emulator.add_refund(
            order_id, [{"sku": "SHIRT-1", "shipping": "3.90"}, {"sku": "BOOK-1"}]
        )
        self.emulator.reset_log()
        stats = self.account._sync_refunds()
        self.assertEqual((stats["fetched"], stats["new"]), (1, 1))
        record = self.booked(order_id)
        note = self.assert_credit_note(
            record,
            sale,
            55.88,
            [
                (self.product_shirt, 2, 39.98, 19.0),
                (self.product_book, 1, 12.00, 7.0),
                (self.shipping_product(sale), 1, 3.90, 19.0),
            ],
        )
        # the VAT of the original sale, to the cent
        self.assertAlmostEqual(note.amount_tax, invoice.amount_tax, places=2)
        # the refund id: order, posted time and Amazon's adjustment items (stable)
        posted = event["PostedDate"].replace("-", "").replace(":", "")
        self.assertTrue(record.external_id.startswith(f"{order_id}/{posted}/"), record.external_id)
        self.assertIn(record.reference, note.ref)
        # goods back to the seller (merchant order): a return ready for the warehouse, as
        # Amazon's refund does not say whether the parcel arrived
        (picking,) = record.picking_ids
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.location_dest_id, self.return_location)
        self.assertEqual(
            sorted((m.product_id.id, m.product_uom_qty) for m in picking.move_ids),
            sorted([(self.product_shirt.id, 2), (self.product_book.id, 1)]),
        )
        # what was asked: refund events posted since the refund watermark (180 days at most)
        (call,) = self.emulator.requests_to("GET", FINANCIAL_EVENTS)
        self.assertEqual(call.arg("MaxResultsPerPage"), "100")
        self.assertTrue(call.arg("PostedAfter").endswith("Z"))
        self.assertIsNone(call.arg("PostedBefore"))
        self.assertEqual(self.account.refund_watermark, self.emulator.financial_events[0]["posted"])

    def test_partial_refund_of_one_line(self):
        order_id, sale = self.import_erika_order()
        # one of the two shirts, at its full price: a return of one piece
        self.emulator.add_refund(
            order_id, [{"sku": "SHIRT-1", "qty": 1}], posted=emulator_now() - timedelta(hours=2)
        )
        self.account._sync_refunds()
        record = self.booked(order_id)
        note = self.assert_credit_note(record, sale, 19.99, [(self.product_shirt, 1, 19.99, 19.0)])
        self.assertAlmostEqual(note.amount_untaxed, 16.80, places=2)
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual((shirt.qty_invoiced, shirt.product_uom_qty), (1, 1))
        # then 5.00 off the book (a price reduction, the book stays with the buyer): a second
        # refund of the same order, its own credit note at the book's 7 %
        self.emulator.add_refund(order_id, [{"sku": "BOOK-1", "qty": 1, "principal": "5.00"}])
        self.account._sync_refunds()
        second = self.refund_records(order_id) - record
        self.assertEqual(second.state, "done", second.message)
        self.assert_credit_note(second, sale, 5.00, [(self.product_book, 1, 5.00, 7.0)])
        self.assertIn("price reduction", second.credit_note_id.invoice_line_ids.name)
        self.assertFalse(second.picking_ids)
        book = sale.order_line.filtered(lambda ln: ln.product_id == self.product_book)
        self.assertEqual(book.product_uom_qty, 1)

    def test_shipping_only_refund(self):
        order_id, sale = self.import_erika_order()
        self.deliver(sale)
        self.emulator.add_refund(order_id, [{"sku": "SHIRT-1", "principal": "0", "shipping": "3.90"}])
        self.account._sync_refunds()
        record = self.booked(order_id)
        note = self.assert_credit_note(record, sale, 3.90, [(self.shipping_product(sale), 1, 3.90, 19.0)])
        self.assertAlmostEqual(note.amount_tax, 0.62, places=2)  # 3.90 * 19 / 119
        self.assertFalse(record.picking_ids)  # nothing comes back

    def test_refund_of_amazon_collected_vat_keeps_the_original_taxes(self):
        position = self.set_facilitator_position()
        order_id = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 1, "price": "9.50"}],
            created=emulator_now() - timedelta(hours=3),
            buyer={"name": "Oliver Brown", "email": "k4l8oliver@marketplace.amazon.de"},
            address=dict(ERIKA_SHIPPING, name="Oliver Brown"),
            facilitator=True,
        )
        self.account._sync_orders()
        sale = self.sale_of(order_id)
        self.assertEqual(sale.invoice_ids.fiscal_position_id, position)
        self.emulator.add_refund(order_id, [{"sku": "MUG-1"}])
        self.account._sync_refunds()
        record = self.booked(order_id)
        # Amazon withheld the VAT (ItemTaxWithheldList): the buyer gets 9.50, booked with
        # the 0 % of the deemed-supplier position as on the invoice, not 19 % again
        note = self.assert_credit_note(record, sale, 9.50, [(self.product_mug, 1, 9.50, 0.0)])
        self.assertEqual(note.fiscal_position_id, position)
        self.assertEqual(note.amount_tax, 0.0)

    def test_refund_of_a_promoted_item_to_a_dutch_consumer_keeps_the_oss_vat(self):
        order_id = self.emulator.add_order(
            [{"sku": "SHIRT-1", "qty": 2, "price": "21.99", "tax_rate": 21, "promo": "2.00"}],
            marketplace_id=NL,
            created=emulator_now() - timedelta(hours=3),
            buyer={"name": "Sanne de Vries", "email": "b9m4k7w1sanne@marketplace.amazon.nl"},
            address=SANNE_ADDRESS,
        )
        self.account._sync_orders()
        sale = self.sale_of(order_id)
        invoice = sale.invoice_ids
        self.assertEqual(invoice.fiscal_position_id.country_id.code, "NL")
        self.assertEqual(round(invoice.amount_total, 2), 41.98)
        # one shirt back; Amazon takes back its share of the promotion: 21.99 - 1.00
        self.emulator.add_refund(order_id, [{"sku": "SHIRT-1", "qty": 1, "promo": "1.00"}])
        self.account._sync_refunds()
        record = self.booked(order_id)
        note = self.assert_credit_note(record, sale, 20.99, [(self.product_shirt, 1, 20.99, 21.0)])
        self.assertEqual(note.fiscal_position_id, invoice.fiscal_position_id)
        self.assertAlmostEqual(note.amount_tax, 3.64, places=2)  # 20.99 * 21 / 121

    def test_refund_of_an_order_never_invoiced(self):
        self.account.order_type = "order"
        order_id, sale = self.import_erika_order()
        self.assertFalse(sale.invoice_ids)
        self.emulator.add_refund(order_id, [{"sku": "SHIRT-1", "qty": 1}])
        self.account._sync_refunds()
        record = self.booked(order_id)
        self.assertFalse(record.credit_note_id)
        shirt = sale.order_line.filtered(lambda ln: ln.product_id == self.product_shirt)
        self.assertEqual(shirt.product_uom_qty, 1)
        self.assertEqual(round(sale.amount_total, 2), 35.89)  # 55.88 - 19.99
        # the invoice made later comes out right, with the order's taxes
        invoice = sale._create_invoices()
        self.assertEqual(round(invoice.amount_total, 2), 35.89)
        self.assertEqual(
            sorted(
                (ln.product_id.id, ln.quantity, round(ln.price_total, 2), tuple(ln.tax_ids.mapped("amount")))
                for ln in invoice.invoice_line_ids
            ),
            sorted(
                [
                    (self.product_shirt.id, 1.0, 19.99, (19.0,)),
                    (self.product_book.id, 1.0, 12.00, (7.0,)),
                    (self.shipping_product(sale).id, 1.0, 3.90, (19.0,)),
                ]
            ),
        )

    def test_same_refund_fetched_twice_books_one_credit_note(self):
        order_id, sale = self.import_erika_order()
        self.emulator.add_refund(order_id, [{"sku": "BOOK-1"}])
        self.account._sync_refunds()
        record = self.booked(order_id)
        # the next sync reaches back 48 hours before the watermark: the same event again
        stats = self.account._sync_refunds()
        self.assertEqual((stats["fetched"], stats["new"], stats["unchanged"]), (1, 0, 1))
        record._book_job()  # the job run again
        invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        notes = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("reversed_entry_id", "=", invoice.id)]
        )
        self.assertEqual(notes, record.credit_note_id)
        self.assert_credit_note(record, sale, 12.00, [(self.product_book, 1, 12.00, 7.0)])
        self.assertEqual(len(self.refund_records(order_id)), 1)

    def test_refund_of_an_order_unknown_to_odoo_is_parked(self):
        order_id = self.add_erika_order()  # not imported yet
        self.emulator.add_refund(order_id, [{"sku": "BOOK-1"}])
        self.account._sync_refunds()
        record = self.refund_records(order_id)
        self.assertEqual(record.state, "attention")
        self.assertIn(f"Order {order_id} is unknown in Odoo", record.message)
        self.assertEqual(self.account.refund_attention_count, 1)
        self.assertFalse(self.env["account.move"].search([("move_type", "=", "out_refund")]))
        # the order arrives: its parked refund is read again by order and booked at once
        self.emulator.reset_log()
        self.account._sync_orders()
        sale = self.sale_of(order_id)
        self.assertEqual(record.state, "done", record.message)
        self.assert_credit_note(record, sale, 12.00, [(self.product_book, 1, 12.00, 7.0)])
        (call,) = self.emulator.requests_to("GET", f"/finances/v0/orders/{order_id}/financialEvents")
        self.assertEqual(call.arg("MaxResultsPerPage"), "100")

    def test_refund_events_are_read_page_by_page(self):
        first, _sale = self.import_erika_order()
        second = self.add_erika_order()
        self.account._sync_orders()
        self.emulator.add_refund(first, [{"sku": "BOOK-1"}], posted=emulator_now() - timedelta(hours=1))
        self.emulator.add_refund(second, [{"sku": "BOOK-1"}])
        self.emulator.finance_page_cap = 1  # Amazon may send fewer events than asked for
        self.emulator.reset_log()
        stats = self.account._sync_refunds()
        self.assertEqual(stats["new"], 2)
        calls = self.emulator.requests_to("GET", FINANCIAL_EVENTS)
        self.assertEqual(len(calls), 2)
        self.assertIsNone(calls[0].arg("NextToken"))
        self.assertTrue(calls[1].arg("NextToken"))
        self.assertEqual(calls[1].arg("PostedAfter"), calls[0].arg("PostedAfter"))
        self.assertEqual(self.refund_records(first).state, "done")
        self.assertEqual(self.refund_records(second).state, "done")


@tagged("post_install", "-at_install")
class TestAmazonRefundCreditNoteUpload(ChannelJobsMixin, AmazonCommon):
    """With *Send invoices* on, the credit note of an Amazon refund goes up to Amazon as a
    CreditNote (UPLOAD_VAT_INVOICE), like one made by hand."""

    def setUp(self):
        super().setUp()
        self.queue_jobs_and_render_reports()
        self.map_dhl_shipping()
        self.account.write({"send_invoices": True, "order_type": "invoice", "refund_auto_post": True})
        self.emulator.feed_polls = 0

    def test_credit_note_of_an_amazon_refund_reaches_amazon(self):
        order_id = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 1, "price": "9.50", "shipping": "3.90"}],
            created=emulator_now() - timedelta(hours=3),
            buyer=ERIKA_BUYER,
            address=ERIKA_SHIPPING,
            billing=ERIKA_BILLING,
        )
        with self.invoice_pdfs():
            self.account._sync_orders()
            self.run_jobs()  # imported and invoiced
            sale = self.sale_of(order_id)
            invoice = sale.invoice_ids
            picking = sale.picking_ids
            picking.carrier_tracking_ref = "00340434161094042557"
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking._action_done()
            for _round in range(3):
                self.run_jobs()  # shipment confirmed, invoice uploaded and checked
            self.assertEqual(invoice.connector_invoice_state, "sent", invoice.connector_invoice_message)
            self.emulator.add_refund(order_id, [{"sku": "MUG-1", "shipping": "3.90"}])
            self.account._sync_refunds()
            for _round in range(3):
                self.run_jobs()  # refund booked, its credit note uploaded and checked
        record = self.env["connector.refund"].search([("order_external_id", "=", order_id)])
        self.assertEqual(record.state, "done", record.message)
        credit = record.credit_note_id
        self.assertEqual(round(credit.amount_total, 2), 13.40)
        self.assertEqual(credit.reversed_entry_id, invoice)
        self.assertEqual(credit.connector_invoice_state, "sent", credit.connector_invoice_message)
        first, second = self.emulator.requests_to("POST", "/feeds/2021-06-30/feeds")
        self.assertEqual(first.json["feedOptions"]["metadata:invoicenumber"], invoice.name)
        self.assertEqual(
            second.json["feedOptions"],
            {
                "metadata:orderid": order_id,
                "metadata:invoicenumber": credit.name,
                "metadata:documenttype": "CreditNote",
            },
        )
        self.assertIn(credit.name, self.pdf_text(self.emulator.invoice_uploads()[1][2]))
