# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invoices and credit notes of Amazon orders go up as UPLOAD_VAT_INVOICE feeds through
python-amazon-sp-api (createFeedDocument, PUT to the presigned URL, createFeed, getFeed and
the result document), real HTTP to the emulator, once the order has shipped."""

from unittest.mock import patch

from odoo.addons.connector_base.tests.invoice_common import ChannelJobsMixin
from odoo.tests import tagged
from odoo.tools import mute_logger
from tests.emulators.amazon import DE

from .common import ERIKA_BILLING, ERIKA_BUYER, ERIKA_SHIPPING, AmazonCommon

SEND, CHECK = "_connector_send_invoice_job", "_connector_check_invoice_job"
CLIENT_LOGGER = "odoo.addons.marketplace_amazon.client"


@tagged("post_install", "-at_install")
class TestAmazonInvoices(ChannelJobsMixin, AmazonCommon):
    def setUp(self):
        super().setUp()
        self.queue_jobs_and_render_reports()
        self.map_dhl_shipping()
        self.account.write({"send_invoices": True, "order_type": "invoice"})
        self.order_id = self.emulator.add_order(
            [{"sku": "MUG-1", "qty": 1, "price": "9.50", "shipping": "3.90"}],
            buyer=ERIKA_BUYER,
            address=ERIKA_SHIPPING,
            billing=ERIKA_BILLING,
        )
        self.emulator.feed_polls = 0

    def import_order(self):
        self.account._sync_orders()
        with self.invoice_pdfs():
            self.run_jobs()  # import: confirmed and invoiced, the upload queued
        sale = self.sale_of(self.order_id)
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "posted")
        return sale, invoice

    def ship(self, sale):
        picking = sale.picking_ids
        picking.carrier_tracking_ref = "00340434161094042557"
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()

    def feeds(self):
        return self.emulator.requests_to("POST", "/feeds/2021-06-30/feeds")

    def test_invoice_waits_for_the_shipment_then_reaches_amazon_with_its_credit_note(self):
        sale, invoice = self.import_order()
        self.assertAlmostEqual(invoice.amount_total, 13.40, places=2)
        with self.invoice_pdfs():
            self.run_jobs(SEND)
        # not shipped yet: Amazon would refuse it (79517), so nothing is sent
        self.assertEqual(invoice.connector_invoice_state, "waiting")
        self.assertFalse(self.feeds())
        self.ship(sale)
        with self.invoice_pdfs():
            self.run_jobs()  # confirmShipment: it releases the waiting invoice
            self.assertEqual(self.emulator.orders[self.order_id]["status"], "SHIPPED")
            self.assertEqual(len(self.queued(SEND)), 1)
            self.run_jobs(SEND)
            self.assertEqual(invoice.connector_invoice_state, "processing")
            self.run_jobs(CHECK)
            self.assertEqual(invoice.connector_invoice_state, "sent", invoice.connector_invoice_message)
            credit = invoice._reverse_moves()
            credit.action_post()
            self.run_jobs()
            self.run_jobs()
        self.assertEqual(credit.connector_invoice_state, "sent")
        # exactly two feeds, each with one marketplace and the invoice metadata
        first, second = self.feeds()
        self.assertEqual(first.json["feedType"], "UPLOAD_VAT_INVOICE")
        self.assertEqual(first.json["marketplaceIds"], [DE])
        self.assertEqual(
            first.json["feedOptions"],
            {
                "metadata:orderid": self.order_id,
                "metadata:invoicenumber": invoice.name,
                "metadata:documenttype": "Invoice",
                "metadata:totalamount": "13.40",
                "metadata:totalvatamount": "2.14",
            },
        )
        self.assertEqual(
            second.json["feedOptions"],
            {
                "metadata:orderid": self.order_id,
                "metadata:invoicenumber": credit.name,
                "metadata:documenttype": "CreditNote",
            },
        )
        uploads = self.emulator.invoice_uploads()
        self.assertEqual(
            [(order, opts["documenttype"]) for order, opts, _pdf in uploads],
            [(self.order_id, "Invoice"), (self.order_id, "CreditNote")],
        )
        self.assertIn(invoice.name, self.pdf_text(uploads[0][2]), "the PDF is this invoice's report")
        self.assertIn(credit.name, self.pdf_text(uploads[1][2]))
        feed_ids = {f["_options"]["invoicenumber"]: f["feedId"] for f in self.emulator.feeds.values()}
        self.assertEqual(invoice.connector_invoice_channel_ref, feed_ids[invoice.name])
        self.assertTrue(invoice.connector_invoice_sent_at)
        # again: nothing new goes to Amazon
        self.assertFalse(invoice._connector_enqueue_invoice_upload())
        self.assertEqual(invoice._connector_send_invoice_job(), "Already at the channel.")
        self.assertEqual(len(self.feeds()), 2)
        self.assertEqual(len(self.emulator.requests_to("PUT", "/feed-uploads/")), 2)

    def test_refusal_in_the_feed_result_is_logged_then_sent_again(self):
        # shipments not confirmed to Amazon: the invoice goes once the delivery is done, but
        # Amazon has the order as unshipped and refuses it in the feed result (79517)
        self.account.confirm_shipments = False
        sale, invoice = self.import_order()
        self.ship(sale)
        with self.invoice_pdfs():
            self.run_jobs()
            self.run_jobs(CHECK)
        self.assertEqual(invoice.connector_invoice_state, "refused")
        self.assertIn("79517", invoice.connector_invoice_message)
        log = self.logs(flow="invoice", state="error")
        self.assertEqual(len(log), 1)
        self.assertIn("not been dispatched", log.message)
        self.assertEqual(log.external_ref, self.order_id)
        self.assertFalse(self.emulator.invoice_uploads())
        # the seller confirms the shipment in Seller Central and sends the invoice again
        self.emulator.touch(self.order_id, status="SHIPPED")
        with self.invoice_pdfs():
            invoice.action_connector_send_invoice()
            self.run_jobs()
            self.run_jobs(CHECK)
        self.assertEqual(invoice.connector_invoice_state, "sent")
        self.assertEqual(len(self.emulator.invoice_uploads()), 1)

    def test_server_errors_are_retried_by_the_job_queue_and_processing_is_awaited(self):
        self.account.confirm_shipments = False
        self.emulator.feed_polls = 1  # the first getFeed says IN_PROGRESS
        sale, invoice = self.import_order()
        self.ship(sale)
        self.emulator.touch(self.order_id, status="SHIPPED")  # shipped in Seller Central
        self.emulator.inject("503", count=5, path="/feeds/2021-06-30/feeds$")
        with self.invoice_pdfs(), patch("time.sleep"), mute_logger(CLIENT_LOGGER):
            (result,) = self.run_jobs(SEND)
            self.assertIn("503", str(result))
            self.assertEqual(invoice.connector_invoice_state, "pending")
            self.assertFalse(self.emulator.feeds)
            self.run_jobs(SEND)
            self.assertEqual(invoice.connector_invoice_state, "processing")
            (result,) = self.run_jobs(CHECK)
            self.assertIn("still processing", str(result))
            self.run_jobs(CHECK)
        self.assertEqual(invoice.connector_invoice_state, "sent")
        self.assertEqual(len(self.emulator.feeds), 1)

    def test_vat_calculation_service_uploads_nothing(self):
        self.account.write({"amazon_vcs": True, "confirm_shipments": False})
        sale, invoice = self.import_order()
        self.ship(sale)
        with self.invoice_pdfs():
            self.run_jobs()
        self.assertEqual(invoice.connector_invoice_state, "unsupported")
        self.assertIn("VAT Calculation Service", invoice.connector_invoice_message)
        self.assertFalse(self.emulator.requests_to(path="/feeds/"))
