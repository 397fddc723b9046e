# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError, ValidationError

from ..exceptions import ChannelError, ChannelRetryableError
from ..schema import ChannelDataError
from ..services.refund_builder import RefundBuilder

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "To book"),
    ("waiting", "Waiting for the channel"),
    ("done", "Booked"),
    ("attention", "Needs attention"),
    ("ignored", "Ignored"),
]


class ConnectorRefund(models.Model):
    """A channel refund or return as fetched: raw payload, booking state and result.

    Stored before anything is booked, unique per account and channel refund id,
    so a refund fetched twice or booked by two workers is booked once.
    """

    _name = "connector.refund"
    _description = "Channel Refund"
    _inherit = ["connector.channel.record"]

    external_id = fields.Char(string="Channel refund id", required=True, readonly=True)
    order_external_id = fields.Char(string="Channel order id", readonly=True, index=True)
    state = fields.Selection(STATES, default="pending", required=True, index=True)
    message = fields.Text(string="Reason", readonly=True, help="Why the refund needs attention.")
    credit_note_id = fields.Many2one("account.move", readonly=True, index="btree_not_null", copy=False)
    picking_ids = fields.Many2many("stock.picking", string="Return pickings", readonly=True, copy=False)
    amount_total = fields.Monetary(string="Channel refund total", readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    booked_at = fields.Datetime(readonly=True, copy=False)
    log_ids = fields.One2many("connector.sync.log", "connector_refund_id")

    _account_external_uniq = models.UniqueIndex(
        "(account_id, external_id)",
        "This channel refund is already stored for this account.",
    )

    # === STORAGE === #

    def _stored_vals(self, raw):
        return {"order_external_id": raw.order_external_id or False}

    def _store_change(self, vals):
        if self.state in ("waiting", "attention"):
            vals["state"] = "pending"
        self.write(vals)
        if self.state == "done":
            # a booked refund is never booked again: a later change is for a person to check
            self._log(
                "warning",
                _("Changed in the channel after it was booked: check the booking against the channel."),
                self.credit_note_id or self.sale_order_id,
            )
        return "changed" if self.state == "pending" else "unchanged"

    @api.model
    def _log_unusable_id(self, account, raw):
        account._log("refund", "error", _("A refund without a usable id was skipped."))

    def _enqueue_import(self):
        self._enqueue_jobs(
            "_book_job",
            lambda record: record.env._(
                "Book refund %(ref)s from %(account)s",
                ref=record.reference,
                account=record.account_id.display_name,
            ),
        )

    # === IMPORT JOB === #

    def _book_job(self):
        """Job: book this refund (credit note or order correction, return picking)."""
        self.ensure_one()
        self._lock()
        if self.state in ("ignored", "done", "waiting"):
            return _(
                "Nothing to do (%s).",
                dict(self._fields["state"]._description_selection(self.env))[self.state],
            )
        return self._book()

    def _book(self):
        account = self.account_id
        attempts = self.attempts + 1
        try:
            with self.env.cr.savepoint():
                refund = account._parse_refund(self.payload)
                if not refund.settled:
                    self.write({"state": "waiting", "attempts": attempts, "message": False})
                    return _("The channel has not settled the refund yet.")
                if not (refund.lines or refund.shipping_incl or refund.other_amounts or refund.total_incl):
                    # e.g. a return the seller rejected: nothing to book
                    self.write(
                        {
                            "state": "ignored",
                            "attempts": attempts,
                            "message": _("The channel refunded nothing (e.g. a rejected return)."),
                        }
                    )
                    self._log("skipped", self.message)
                    return self.message
                builder = RefundBuilder(account, refund)
                summary = builder.build()
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except (ChannelDataError, ChannelError, UserError, ValidationError) as exc:
            return self._park(str(exc.args[0] if exc.args else exc), attempts=attempts)
        except psycopg2.errors.UniqueViolation:
            # a concurrent job committed the credit note of this refund first
            move = self.env["account.move"].search(
                [
                    ("connector_account_id", "=", account.id),
                    ("connector_refund_external_id", "=", self.external_id),
                ],
                limit=1,
            )
            self.write({"state": "done", "credit_note_id": move.id, "message": False})
            return _("Already booked by a concurrent job.")
        except psycopg2.OperationalError:
            raise
        except Exception as exc:
            _logger.exception("Unexpected error booking refund %s", self.reference)
            return self._park(_("Unexpected error: %s", str(exc)), attempts=attempts)
        sale = builder.sale
        self.write(
            {
                "state": "done",
                "sale_order_id": sale.id,
                "credit_note_id": builder.credit_note.id,
                "picking_ids": [fields.Command.set(builder.return_picking.ids)],
                "amount_total": float(refund.total_incl),
                "currency_id": sale.currency_id.id,
                "order_external_id": refund.order_external_id,
                "booked_at": fields.Datetime.now(),
                "message": "\n".join(builder.warnings) or False,
                "attempts": attempts,
            }
        )
        if self.activity_ids:
            self.activity_ids.action_done()
        pickings = builder.return_picking
        text = summary
        if pickings:
            names = ", ".join(pickings.mapped("name"))
            if all(p.state == "done" for p in pickings):
                text += " " + _("Return %s received.", names)
            else:
                text += " " + _("Return %s ready for the warehouse.", names)
        if builder.warnings:
            text += "\n" + "\n".join(builder.warnings)
        self._log("warning" if builder.warnings else "done", text, builder.credit_note or sale)
        return text

    def _park(self, reason, attempts=None):
        """Needs attention, with the reason; the account's responsible gets a to-do."""
        vals = {"state": "attention", "message": reason}
        if attempts is not None:
            vals["attempts"] = attempts
        self.write(vals)
        self._log("error", reason)
        user = self.account_id.responsible_user_id
        if user and not self.activity_ids:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=_("Channel refund %s needs attention", self.reference),
                note=reason,
            )
        return reason

    def _log(self, state, message, record=None):
        log = self.account_id._log("refund", state, message, reference=self.reference, record=record)
        log.connector_refund_id = self.id
        return log

    # === ACTIONS === #

    def action_retry(self):
        """Book again; a parked refund is first read again from the channel (where it can)."""
        self.filtered(lambda r: r.state == "attention")._refetch_from_channel()
        records = self.filtered(lambda r: r.state in ("attention", "ignored", "pending", "waiting"))
        records.write({"state": "pending", "message": False})
        records._enqueue_import()
        return True

    def _refetch_from_channel(self):
        """Replace stored payloads with the channel's current data; never raises."""
        storage = self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        for record in storage:
            account = record.account_id
            try:
                with self.env.cr.savepoint():
                    raw = account._fetch_refund(record.external_id)
                    if raw is not None and raw.external_id == record.external_id:
                        storage._store_raws(account, [raw])
            except (ChannelError, ChannelDataError, UserError, ValidationError) as exc:
                record._log(
                    "warning",
                    _(
                        "Could not read the refund again (%(reason)s): the stored copy is used.",
                        reason=str(exc.args[0] if exc.args else exc),
                    ),
                )

    def action_open_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.credit_note_id.id,
            "view_mode": "form",
        }


class ConnectorOrder(models.Model):
    _inherit = "connector.order"

    def _import_job(self):
        result = super()._import_job()
        if self.state == "done":
            # a refund that came before its order was parked as "unknown order": book it now
            parked = self.env["connector.refund"].search(
                [
                    ("account_id", "=", self.account_id.id),
                    ("order_external_id", "=", self.external_id),
                    ("state", "=", "attention"),
                ]
            )
            parked.action_retry()
        return result
