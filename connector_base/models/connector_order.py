# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError, ValidationError

from ..exceptions import ChannelError, ChannelRetryableError
from ..schema import ChannelDataError
from ..services.order_builder import OrderBuilder
from .connector_channel_record import EXTERNAL_ID_MAX, payload_hash  # noqa: F401 (imported from here)

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "To import"),
    ("done", "Imported"),
    ("attention", "Needs attention"),
    ("ignored", "Ignored"),
]


class ConnectorOrder(models.Model):
    """A channel order as fetched: its raw payload, import state and Odoo order
    (storage, job and lock: connector.channel.record)."""

    _name = "connector.order"
    _description = "Channel Order"
    _inherit = ["connector.channel.record"]

    external_id = fields.Char(string="Channel order id", required=True, readonly=True)
    state = fields.Selection(STATES, default="pending", required=True, index=True)
    message = fields.Text(string="Reason", readonly=True, help="Why the order needs attention.")
    imported_at = fields.Datetime(readonly=True, copy=False)
    update_pending = fields.Boolean(
        readonly=True, help="The channel changed the order after it was imported."
    )
    log_ids = fields.One2many("connector.sync.log", "connector_order_id")

    _account_external_uniq = models.UniqueIndex(
        "(account_id, external_id)",
        "This channel order is already stored for this account.",
    )

    # === STORAGE === #

    @api.model
    def _store_raw(self, account, raw):
        """Store or refresh one fetched payload: see :meth:`_store_raws`."""
        return self._store_raws(account, [raw])[0]

    def _store_change(self, vals):
        # an imported order follows the channel's change (e.g. a cancellation) in a job
        if self.state == "done":
            vals["update_pending"] = True
        elif self.state != "ignored":
            vals["state"] = "pending"
        self.write(vals)
        return "changed"

    @api.model
    def _log_unusable_id(self, account, raw):
        account._log(
            "order",
            "error",
            _(
                "Order %(ref)s skipped: its id in the channel has %(length)s characters "
                "(at most %(max)s are accepted).",
                ref=(raw.reference or raw.external_id or "-")[:64],
                length=len(raw.external_id or ""),
                max=EXTERNAL_ID_MAX,
            ),
        )

    def _enqueue_import(self):
        self._enqueue_jobs(
            "_import_job",
            lambda record: record.env._(
                "Import %(ref)s from %(account)s",
                ref=record.reference,
                account=record.account_id.display_name,
            ),
        )

    # === IMPORT JOB === #

    def _import_job(self):
        """Job: create the sale order of this channel order, or apply a channel change."""
        self.ensure_one()
        self._lock()
        if self.state == "ignored":
            return _("Ignored by a user.")
        if self.state == "done":
            if self.update_pending:
                return self._apply_channel_update()
            self.account_id._log(
                "order",
                "skipped",
                _("Already imported as %s.", self.sale_order_id.name),
                reference=self.reference,
                record=self.sale_order_id,
                payload_id=self.id,
            )
            return _("Already imported.")
        return self._import_sale_order()

    def _import_sale_order(self):
        account = self.account_id
        tried_before = bool(self.attempts)
        attempts = self.attempts + 1
        try:
            with self.env.cr.savepoint():
                channel_order = account._parse_order(self.payload)
                if channel_order.cancelled:
                    self.write({"state": "ignored", "message": _("Cancelled in the channel before import.")})
                    account._log(
                        "order",
                        "skipped",
                        _("Cancelled in the channel: not imported."),
                        reference=self.reference,
                        payload_id=self.id,
                    )
                    return _("Cancelled in the channel.")
                builder = OrderBuilder(account, channel_order, raw_payload=self.payload)
                order = builder.build()
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except RetryableJobError:
            raise  # e.g. a find-or-create key another import holds: run again (connector.record.key)
        except (ChannelDataError, ChannelError, UserError, ValidationError) as exc:
            return self._park(str(exc.args[0] if exc.args else exc), attempts=attempts)
        except psycopg2.errors.UniqueViolation:
            # the same order was committed by a concurrent import
            existing = self.env["sale.order"].search(
                [
                    ("connector_account_id", "=", account.id),
                    ("connector_external_id", "=", self.external_id),
                ]
            )
            if not existing:
                # another unique index (a record this import creates): a new transaction sees it
                raise RetryableJobError(
                    _("A concurrent import created the same record."), seconds=5
                ) from None
            self.write({"state": "done", "sale_order_id": existing.id, "message": False})
            return _("Already imported by a concurrent job.")
        except psycopg2.OperationalError:
            raise  # serialization failures and the like: queue_job retries
        except Exception as exc:
            _logger.exception("Unexpected error importing %s", self.reference)
            return self._park(_("Unexpected error: %s", str(exc)), attempts=attempts)
        vals = {
            "state": "done",
            "sale_order_id": order.id,
            "imported_at": fields.Datetime.now(),
            "message": "\n".join(builder.warnings) or False,
            "update_pending": False,
            "attempts": attempts,
        }
        self.write(vals)
        # only an earlier attempt can have parked the order with a to-do
        if tried_before and self.activity_ids:
            self.activity_ids.action_done()
        account._log(
            "order",
            "warning" if builder.warnings else "done",
            _("Imported as %(order)s.", order=order.name)
            + ("\n" + "\n".join(builder.warnings) if builder.warnings else ""),
            reference=self.reference,
            record=order,
            payload_id=self.id,
        )
        return _("Imported as %s.", order.name)

    def _park(self, reason, attempts=None):
        """Put the order in *needs attention* with the reason; tell the responsible."""
        vals = {"state": "attention", "message": reason}
        if attempts is not None:
            vals["attempts"] = attempts
        self.write(vals)
        account = self.account_id
        account._log("order", "error", reason, reference=self.reference, payload_id=self.id)
        user = account.responsible_user_id
        if user and not self.activity_ids:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=_("Channel order %s needs attention", self.reference),
                note=reason,
            )
        return reason

    def _apply_channel_update(self):
        """The channel changed an imported order: follow a cancellation when safe."""
        account = self.account_id
        try:
            channel_order = account._parse_order(self.payload)
        except ChannelDataError as exc:
            return self._park(str(exc))
        order = self.sale_order_id
        self.update_pending = False
        if not channel_order.cancelled:
            account._log(
                "order",
                "done",
                _("Channel status is now %s.", channel_order.status or "-"),
                reference=self.reference,
                record=order,
                payload_id=self.id,
            )
            return _("Status updated.")
        if order.state == "cancel":
            return _("Already cancelled.")
        delivered = order.picking_ids.filtered(lambda p: p.state == "done")
        invoiced = order.invoice_ids.filtered(lambda m: m.state == "posted")
        if delivered or invoiced:
            return self._park(
                _(
                    "Cancelled in the channel after it was delivered or invoiced in Odoo (%s): "
                    "create the return or credit note by hand.",
                    order.name,
                )
            )
        order._action_cancel()
        account._log(
            "order",
            "done",
            _("Cancelled in the channel: %s cancelled.", order.name),
            reference=self.reference,
            record=order,
            payload_id=self.id,
        )
        return _("Cancelled.")

    # === ACTIONS === #

    def action_retry(self):
        """Import again; a parked order is first read again from the channel.

        The stored payload may be what made the import fail (cut short by the
        channel, or corrected there since): re-reading it is the only way such
        an order can ever be imported. A channel that cannot be reached, or
        cannot return a single order, leaves the stored copy in use.
        """
        self.filtered(lambda r: r.state == "attention")._refetch_from_channel()
        for record in self.filtered(lambda r: r.state in ("attention", "pending", "ignored")):
            record.write({"state": "pending", "message": False})
        self.filtered(lambda r: r.state == "pending")._enqueue_import()
        return True

    def _refetch_from_channel(self):
        """Replace the stored payloads with the channel's current data, where it answers.

        Never raises: a failure is logged and the stored copy stays.
        """
        # the same storage as a sync: no chatter per stored payload
        storage = self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        for account, records in storage.grouped("account_id").items():
            try:
                # the same lock as a sync, so both never store this order at once
                account._lock_for_sync()
            except ChannelError as exc:
                for record in records:
                    record._log_refetch_failure(exc)
                continue
            for record in records:
                record._refetch_one()

    def _refetch_one(self):
        self.ensure_one()
        account = self.account_id
        try:
            with self.env.cr.savepoint():
                raw = account._fetch_order(self.external_id)
                if raw is None:
                    return  # the channel has no single-order read: the stored copy is used
                if raw.external_id != self.external_id:
                    raise ChannelDataError(_("the channel answered with order %s instead.", raw.external_id))
                _record, outcome = self._store_raws(account, [raw])[0]
        except (ChannelError, ChannelDataError, UserError, ValidationError) as exc:
            self._log_refetch_failure(exc)
            return
        except psycopg2.OperationalError:
            raise
        except Exception as exc:
            _logger.warning("Re-fetching %s from the channel failed", self.reference, exc_info=True)
            self._log_refetch_failure(exc)
            return
        account._log(
            "order",
            "done",
            _("Re-fetched from the channel: the order changed there since it was stored.")
            if outcome == "changed"
            else _("Re-fetched from the channel: the order is unchanged there."),
            reference=self.reference,
            payload_id=self.id,
        )

    def _log_refetch_failure(self, exc):
        self.account_id._log(
            "order",
            "warning",
            _(
                "Could not re-fetch the order from the channel (%(reason)s): the stored copy is used.",
                reason=str(exc.args[0] if exc.args else exc),
            ),
            reference=self.reference,
            payload_id=self.id,
        )

    def action_open_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }
