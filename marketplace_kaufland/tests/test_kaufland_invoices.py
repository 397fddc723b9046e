# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invoices and credit notes of Kaufland orders reach POST /order-invoices/{id_order}
(real HTTP to the emulator), once each."""

import base64
from unittest.mock import patch

from odoo.addons.connector_base.tests.invoice_common import ChannelJobsMixin
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ERIKA, KauflandCommon

SEND = "_connector_send_invoice_job"


@tagged("post_install", "-at_install")
class TestKauflandInvoices(ChannelJobsMixin, KauflandCommon):
    def setUp(self):
        super().setUp()
        self.env = self.env(
            context=dict(self.env.context, queue_job__no_delay=False, force_report_rendering=True)
        )
        self.account = self.account.with_env(self.env)
        self.account.write({"send_invoices": True, "order_type": "order"})
        self.id_order = self.emulator.add_order(
            [("SHIRT-1", 2, 1999, 19), ("BOOK-1", 1, 1200, 7)], ERIKA, "erika.mustermann@example.com"
        )
        self.account._sync_orders()
        self.run_jobs()  # the import
        self.sale = self.env["sale.order"].search(
            [("connector_account_id", "=", self.account.id), ("connector_external_id", "=", self.id_order)]
        )
        self.assertEqual(self.sale.state, "sale")

    def invoice(self):
        """The merchant invoices the confirmed order later (order type "order")."""
        invoice = self.sale._create_invoices()
        invoice.action_post()
        return invoice

    def uploads(self):
        return [i for i in self.emulator.order_invoices if i["id_order"] == self.id_order]

    def test_invoice_and_credit_note_reach_kaufland_once_each(self):
        with self.invoice_pdfs():
            invoice = self.invoice()
            self.assertEqual(invoice.connector_account_id, self.account)
            self.assertEqual(invoice.connector_order_ref, self.id_order)
            self.assertEqual(invoice.connector_invoice_state, "pending")
            self.assertEqual(len(self.queued(SEND)), 1)
            self.run_jobs()
            credit = invoice._reverse_moves()
            credit.action_post()
            self.run_jobs()
        first, second = self.uploads()
        self.assertEqual(len(self.emulator.order_invoices), 2)
        name = invoice.name.replace("/", "_")
        self.assertEqual(first["original_name"], f"invoice_{name}.pdf")
        self.assertEqual(first["mime_type"], "application/pdf")
        pdf = first["_content"]
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertIn(invoice.name, self.pdf_text(pdf), "the PDF is this invoice's report")
        self.assertEqual(second["original_name"], f"credit_note_{credit.name.replace('/', '_')}.pdf")
        self.assertIn(credit.name, self.pdf_text(second["_content"]))
        # the request is the spec's body, base64 on the wire
        (post, _post2) = self.emulator.requests_to("POST", "/order-invoices/")
        self.assertEqual(post.path, f"/v2/order-invoices/{self.id_order}")
        self.assertEqual(set(post.json), {"original_name", "mime_type", "data"})
        self.assertEqual(base64.b64decode(post.json["data"]), pdf)
        # the invoice form says when and with which id
        for move, upload in ((invoice, first), (credit, second)):
            self.assertEqual(move.connector_invoice_state, "sent")
            self.assertTrue(move.connector_invoice_sent_at)
            self.assertEqual(move.connector_invoice_channel_ref, str(upload["id_invoice"]))
        logs = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "invoice"), ("state", "=", "done")]
        )
        self.assertEqual(len(logs), 2)
        self.assertEqual(set(logs.mapped("res_id")), {invoice.id, credit.id})
        # running the job again, or posting the same document again, sends nothing new
        self.assertEqual(invoice._connector_send_invoice_job(), "Already at the channel.")
        self.assertFalse(invoice._connector_enqueue_invoice_upload())
        with self.invoice_pdfs():
            self.run_jobs()
        self.assertEqual(len(self.emulator.requests_to("POST", "/order-invoices/")), 2)

    def test_correction_sends_the_credit_note_and_the_new_invoice(self):
        with self.invoice_pdfs():
            invoice = self.invoice()
            self.run_jobs()
            # a wrong invoice: credit note for all of it, then the corrected invoice
            credit = invoice._reverse_moves()
            credit.action_post()
            corrected = self.invoice()
            self.assertNotEqual(corrected, invoice)
            self.run_jobs()
        names = [i["original_name"] for i in self.uploads()]
        self.assertEqual(
            names,
            [
                f"invoice_{invoice.name.replace('/', '_')}.pdf",
                f"credit_note_{credit.name.replace('/', '_')}.pdf",
                f"invoice_{corrected.name.replace('/', '_')}.pdf",
            ],
        )
        self.assertEqual(set((invoice | credit | corrected).mapped("connector_invoice_state")), {"sent"})

    def test_switch_off_sends_nothing(self):
        self.account.send_invoices = False
        invoice = self.invoice()
        self.assertFalse(self.queued(SEND))
        self.assertFalse(invoice.connector_invoice_state)
        self.assertEqual(invoice.connector_account_id, self.account)

    def test_server_errors_are_retried_by_the_job_queue(self):
        # more 503s than the client retries within one call: the job goes back to the queue
        self.emulator.inject("503", count=5, path="/order-invoices/")
        with self.invoice_pdfs(), patch("time.sleep"), mute_logger("odoo.addons.connector_base.http_client"):
            invoice = self.invoice()
            (result,) = self.run_jobs()
            self.assertIn("503", str(result))
            self.assertEqual(invoice.connector_invoice_state, "pending")
            self.assertFalse(self.uploads())
            (job,) = self.queued(SEND)
            self.assertEqual(job.retry, 1)
            self.run_jobs()
        self.assertEqual(invoice.connector_invoice_state, "sent")
        self.assertEqual(len(self.uploads()), 1)

    def test_refusal_is_logged_and_sent_again_on_request(self):
        # Kaufland no longer knows the order: 404 with its reason
        units = {k: v for k, v in self.emulator.order_units.items() if v["id_order"] == self.id_order}
        for key in units:
            del self.emulator.order_units[key]
        with self.invoice_pdfs(), mute_logger("odoo.addons.connector_base.http_client"):
            invoice = self.invoice()
            self.run_jobs()
        self.assertEqual(invoice.connector_invoice_state, "refused")
        self.assertIn("Order not found", invoice.connector_invoice_message)
        self.assertFalse(invoice.connector_invoice_sent_at)
        (log,) = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "invoice")]
        )
        self.assertEqual((log.state, log.external_ref, log.res_id), ("error", self.id_order, invoice.id))
        self.assertIn("Order not found", log.message)
        # fixed in Kaufland: the accountant sends it again from the invoice
        self.emulator.order_units.update(units)
        with self.invoice_pdfs():
            invoice.action_connector_send_invoice()
            self.run_jobs()
        self.assertEqual(invoice.connector_invoice_state, "sent")
        self.assertEqual(len(self.uploads()), 1)
