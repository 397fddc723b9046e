# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invoices to the channel: the posted invoice (or credit note) of a channel order
goes to the channel with its PDF and number, once.

Posting enqueues one job per document (identity key: the move), when the order's
account has *Send invoices* on. The job locks the move's row, renders Odoo's own
invoice report (``account.account_invoices``, so the stored PDF the customer
got is reused when there is one) and hands a :class:`ChannelInvoice` to the
provider hook :meth:`connector.account._send_invoice`. What happened is on the
move (state, time, the channel's id or reason) and in the sync log.

Some channels take the document only once the order has shipped (Amazon): the
provider says so with :meth:`connector.account._invoice_wait_reason`; the move
then waits and is enqueued again when a delivery of its order is done.
"""

from decimal import Decimal

from odoo import _, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..exceptions import ChannelAuthError, ChannelError, ChannelRetryableError
from ..schema_accounting import CREDIT_NOTE, INVOICE, ChannelInvoice

INVOICE_STATES = [
    ("pending", "Queued"),
    ("waiting", "Waiting for shipment"),
    ("processing", "Processing by the channel"),
    ("sent", "Received by the channel"),
    ("refused", "Refused by the channel"),
    ("unsupported", "Not accepted by this channel"),
]


class ConnectorSyncLog(models.Model):
    _inherit = "connector.sync.log"

    flow = fields.Selection(
        selection_add=[("invoice", "Invoices"), ("settlement", "Payouts")],
        ondelete={"invoice": "cascade", "settlement": "cascade"},
    )


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    send_invoices = fields.Boolean(
        string="Send invoices",
        help="When the invoice or credit note of an order of this channel is posted, send its PDF "
        "and number to the channel (where its API takes invoices).",
    )

    # === PROVIDER HOOKS: INVOICES === #

    def _send_invoice(self, invoice):
        """Upload a :class:`ChannelInvoice` to the channel.

        :return: ``(state, reference)``: ``state`` ``"sent"`` when the channel has it,
            ``"processing"`` when it accepted it for later processing (then
            :meth:`_check_invoice` is asked later with ``reference``)
        :raise UserError: when the channel takes no invoices
        :raise ChannelError: refused (with the channel's reason) or retryable
        """
        raise UserError(_("%s does not take invoices through its API.", self.display_name))

    def _check_invoice(self, reference):
        """Outcome of an upload the channel processes later.

        :return: ``(state, message)`` with state ``sent``, ``refused`` or ``processing``
        """
        return "sent", ""

    def _invoice_wait_reason(self, move):
        """Why the channel cannot take this document yet (empty: it can)."""
        return ""


class AccountMove(models.Model):
    _inherit = "account.move"

    connector_account_id = fields.Many2one(
        "connector.account",
        string="Sales channel",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The channel of the order this document invoices.",
    )
    connector_order_ref = fields.Char(string="Channel order id", readonly=True, copy=False)
    connector_invoice_state = fields.Selection(
        INVOICE_STATES, string="Sent to channel", readonly=True, copy=False, tracking=True
    )
    connector_invoice_sent_at = fields.Datetime(string="Received by channel on", readonly=True, copy=False)
    connector_invoice_channel_ref = fields.Char(
        string="Channel document id",
        readonly=True,
        copy=False,
        help="The channel's id of the uploaded document (Kaufland invoice id, Amazon feed id).",
    )
    connector_invoice_message = fields.Char(
        string="Channel answer", readonly=True, copy=False, help="The channel's reason when it refused it."
    )

    # === CRUD / POSTING === #

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._connector_link_channel_order()
        posted._connector_enqueue_invoice_upload()
        return posted

    def _connector_sale_order(self):
        """The channel order this document invoices (a credit note: through its invoice)."""
        self.ensure_one()
        orders = self.invoice_line_ids.sale_line_ids.order_id.filtered("connector_account_id")
        if not orders and self.reversed_entry_id:
            orders = self.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id.filtered(
                "connector_account_id"
            )
        return orders[:1]

    def _connector_link_channel_order(self):
        # a refund's credit note comes with its account but no order id: link it too
        for move in self.filtered(lambda m: m.is_sale_document() and not m.connector_order_ref):
            order = move.sudo()._connector_sale_order()
            if order:
                move.sudo().write(
                    {
                        "connector_account_id": order.connector_account_id.id,
                        "connector_order_ref": order.connector_external_id,
                    }
                )

    def _connector_enqueue_invoice_upload(self):
        """One job per posted channel document that is not at the channel yet.

        A refused document posted again (after a correction) is sent again; one
        already at the channel never is.
        """
        queued = self.browse()
        for move in self.sudo():
            account = move.connector_account_id
            if (
                move.state != "posted"
                or not move.is_sale_document()
                or not account.active
                or not account.send_invoices
                or not move.connector_order_ref
                or move.connector_invoice_state in ("sent", "processing")
            ):
                continue
            move.write({"connector_invoice_state": "pending", "connector_invoice_message": False})
            move.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_("Send %(name)s to %(account)s", name=move.name, account=account.display_name),
                max_retries=10,
            )._connector_send_invoice_job()
            queued |= move
        return queued

    # === ACTION METHODS === #

    def action_connector_send_invoice(self):
        """Send (again) documents the channel refused or never got."""
        queued = self._connector_enqueue_invoice_upload()
        if not queued:
            raise UserError(_("Nothing to send: the channel has these documents or takes none."))
        return True

    # === JOBS === #

    def _connector_lock(self):
        """Hold this move's row: two jobs of the same document never both upload it."""
        self.env.cr.execute("SELECT id FROM account_move WHERE id = %s FOR NO KEY UPDATE", [self.id])
        self.invalidate_recordset(
            ["connector_invoice_state", "connector_invoice_sent_at", "connector_invoice_channel_ref"]
        )

    def _connector_invoice_pdf(self):
        """Odoo's invoice report of this move: ``(pdf bytes, file name)``."""
        self.ensure_one()
        content, report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", self.ids
        )
        if report_type != "pdf":
            raise UserError(_("The invoice report of %s did not give a PDF.", self.name))
        return content, f"{(self.name or 'invoice').replace('/', '_')}.pdf"

    def _connector_prepare_invoice(self):
        self.ensure_one()
        pdf, filename = self._connector_invoice_pdf()
        order = self._connector_sale_order()
        credit = self.move_type == "out_refund"
        return ChannelInvoice(
            order_external_id=self.connector_order_ref,
            number=self.name,
            document_type=CREDIT_NOTE if credit else INVOICE,
            pdf=pdf,
            filename=filename,
            currency=self.currency_id.name,
            amount_total=Decimal(str(self.amount_total)).quantize(Decimal("0.01")),
            amount_tax=Decimal(str(self.amount_tax)).quantize(Decimal("0.01")),
            invoice_date=self.invoice_date,
            storefront=order.connector_storefront or "",
            original_number=self.reversed_entry_id.name or "" if credit else "",
        )

    def _connector_send_invoice_job(self):
        """Job: upload this document's PDF and number to the channel, once."""
        self.ensure_one()
        move = self.sudo()
        move._connector_lock()
        account = move.connector_account_id
        reference = move.connector_order_ref
        if move.connector_invoice_state in ("sent", "processing"):
            return _("Already at the channel.")
        if move.state != "posted":
            return _("Not posted any more: nothing sent.")
        if not account.active or not account.send_invoices:
            return _("Sending invoices is off for this channel: nothing sent.")
        reason = account._invoice_wait_reason(move)
        if reason:
            move.write({"connector_invoice_state": "waiting", "connector_invoice_message": reason})
            account._log(
                "invoice",
                "skipped",
                _("%(name)s waits: %(reason)s", name=move.name, reason=reason),
                "out",
                reference,
                move,
            )
            return reason
        try:
            invoice = move._connector_prepare_invoice()
            state, channel_ref = account._send_invoice(invoice)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except ChannelError as exc:
            if isinstance(exc, ChannelAuthError):
                account.write({"state": "error", "last_error": str(exc)})
            return move._connector_invoice_refused(str(exc))
        except UserError as exc:
            message = str(exc.args[0])
            move.write({"connector_invoice_state": "unsupported", "connector_invoice_message": message})
            account._log("invoice", "skipped", message, "out", reference, move)
            return message
        vals = {
            "connector_invoice_state": state,
            "connector_invoice_channel_ref": channel_ref or False,
            "connector_invoice_message": False,
        }
        if state == "sent":
            vals["connector_invoice_sent_at"] = fields.Datetime.now()
        move.write(vals)
        if state == "processing":
            account._log(
                "invoice",
                "done",
                _("%(name)s uploaded (%(ref)s); the channel processes it.", name=move.name, ref=channel_ref),
                "out",
                reference,
                move,
            )
            move.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_("Check %(name)s at %(account)s", name=move.name, account=account.display_name),
                max_retries=20,
            )._connector_check_invoice_job()
            return _("Uploaded, processing.")
        account._log(
            "invoice",
            "done",
            _("%(name)s sent (%(ref)s).", name=move.name, ref=channel_ref or "-"),
            "out",
            reference,
            move,
        )
        return _("Sent.")

    def _connector_invoice_refused(self, message):
        self.write({"connector_invoice_state": "refused", "connector_invoice_message": message[:250]})
        self.connector_account_id._log(
            "invoice",
            "error",
            _("%(name)s refused: %(msg)s", name=self.name, msg=message),
            "out",
            self.connector_order_ref,
            self,
        )
        return message

    def _connector_check_invoice_job(self):
        """Job: ask the channel how it processed an upload (retried until it knows)."""
        self.ensure_one()
        move = self.sudo()
        move._connector_lock()
        if move.connector_invoice_state != "processing":
            return _("Nothing to check.")
        account = move.connector_account_id
        try:
            state, message = account._check_invoice(move.connector_invoice_channel_ref)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except ChannelError as exc:
            raise RetryableJobError(str(exc), seconds=300) from exc
        if state == "processing":
            raise RetryableJobError(_("The channel is still processing %s.", move.name), seconds=120)
        if state == "refused":
            return move._connector_invoice_refused(message)
        move.write({"connector_invoice_state": "sent", "connector_invoice_sent_at": fields.Datetime.now()})
        account._log(
            "invoice",
            "done",
            _("%(name)s accepted by the channel.", name=move.name),
            "out",
            move.connector_order_ref,
            move,
        )
        return _("Accepted.")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        # shipments the channel is not told about: shipped as soon as the delivery is done
        self.filtered(
            lambda p: p.sale_id.connector_account_id and not p.sale_id.connector_account_id.confirm_shipments
        )._connector_release_waiting_invoices()
        return result

    def _connector_confirm_shipment_job(self):
        result = super()._connector_confirm_shipment_job()
        if self.connector_shipped_at:  # the channel knows the order shipped
            self._connector_release_waiting_invoices()
        return result

    def _connector_release_waiting_invoices(self):
        """A shipped channel order: its documents that waited for the shipment go now."""
        orders = self.filtered(lambda p: p.state == "done").sale_id.filtered("connector_account_id")
        if not orders:
            return
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("connector_invoice_state", "=", "waiting"),
                    ("connector_account_id", "in", orders.connector_account_id.ids),
                    ("connector_order_ref", "in", orders.mapped("connector_external_id")),
                ]
            )
        )
        moves._connector_enqueue_invoice_upload()
