# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json
import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..exceptions import ChannelError, ChannelRetryableError
from ..schema import ChannelDataError
from ..services.order_builder import OrderBuilder

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "To import"),
    ("done", "Imported"),
    ("attention", "Needs attention"),
    ("ignored", "Ignored"),
]


#: longest channel order id stored (a database index entry holds at most ~2.7 kB)
EXTERNAL_ID_MAX = 255


def purge_stored_payloads(model, before):
    """Forget the raw payloads (personal data) of ``model``'s finished records (orders,
    refunds) last written before ``before``; the hash stays, so a refetch is recognised."""
    model.flush_model()
    model.env.cr.execute(
        SQL(
            """UPDATE %s SET payload = NULL
                WHERE write_date < %s AND state IN ('done', 'ignored') AND payload IS NOT NULL""",
            SQL.identifier(model._table),
            before,
        )
    )
    model.invalidate_model(["payload"])


def payload_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class ConnectorOrder(models.Model):
    """A channel order as fetched: its raw payload, import state and Odoo order.

    The payload is stored before anything is mapped, so a failure never loses
    an order; the unique (account, external id) makes every import idempotent.
    """

    _name = "connector.order"
    _description = "Channel Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "reference"

    account_id = fields.Many2one("connector.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    provider = fields.Selection(related="account_id.provider", store=True)
    external_id = fields.Char(string="Channel order id", required=True, readonly=True)
    reference = fields.Char(string="Channel reference", readonly=True)
    channel_updated_at = fields.Datetime(string="Changed in channel", readonly=True)
    payload = fields.Json(string="Raw payload", readonly=True, copy=False)
    payload_hash = fields.Char(readonly=True, copy=False)
    payload_text = fields.Text(string="Payload", compute="_compute_payload_text")
    state = fields.Selection(STATES, default="pending", required=True, index=True)
    message = fields.Text(string="Reason", readonly=True, help="Why the order needs attention.")
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales order", readonly=True, index="btree_not_null", copy=False
    )
    imported_at = fields.Datetime(readonly=True, copy=False)
    attempts = fields.Integer(readonly=True, copy=False)
    update_pending = fields.Boolean(
        readonly=True, help="The channel changed the order after it was imported."
    )
    log_ids = fields.One2many("connector.sync.log", "connector_order_id")

    _account_external_uniq = models.UniqueIndex(
        "(account_id, external_id)",
        "This channel order is already stored for this account.",
    )

    @api.depends("payload")
    def _compute_payload_text(self):
        for record in self:
            record.payload_text = (
                json.dumps(record.payload, indent=2, ensure_ascii=False) if record.payload else ""
            )

    # === STORAGE === #

    @api.model
    def _store_raw(self, account, raw):
        """Store or refresh one fetched payload: see :meth:`_store_raws`."""
        return self._store_raws(account, [raw])[0]

    @api.model
    def _store_raws(self, account, raws):
        """Store or refresh fetched payloads, in grouped queries.

        The caller holds the account's sync lock (``_lock_for_sync``), so no other
        sync stores the same orders meanwhile; the unique index still guarantees it.

        :return: one (record, 'new' | 'changed' | 'unchanged') per raw, in order
        """
        outcomes = [None] * len(raws)
        wanted = {}  # external id -> index of its last occurrence in this fetch
        for index, raw in enumerate(raws):
            if len(raw.external_id or "") > EXTERNAL_ID_MAX:
                # no database index holds such a key: storing it would fail the whole sync,
                # every time, for every order of the account. Skip this one, say so.
                account._log(
                    "order",
                    "error",
                    _(
                        "Order %(ref)s skipped: its id in the channel has %(length)s characters "
                        "(at most %(max)s are accepted).",
                        ref=(raw.reference or raw.external_id)[:64],
                        length=len(raw.external_id),
                        max=EXTERNAL_ID_MAX,
                    ),
                )
                outcomes[index] = (self.browse(), "unchanged")
            else:
                wanted[raw.external_id] = index
        existing = {
            record.external_id: record
            for record in self.search([("account_id", "=", account.id), ("external_id", "in", list(wanted))])
        }
        new_vals, new_indexes = [], []
        for external_id, index in wanted.items():
            raw = raws[index]
            digest = payload_hash(raw.payload)
            record = existing.get(external_id)
            if not record:
                new_vals.append(
                    {
                        "account_id": account.id,
                        "external_id": external_id,
                        "reference": raw.reference or external_id,
                        "payload": raw.payload,
                        "payload_hash": digest,
                        "channel_updated_at": raw.updated_at,
                    }
                )
                new_indexes.append(index)
                continue
            if record.payload_hash == digest:
                outcomes[index] = (record, "unchanged")
                continue
            vals = {"payload": raw.payload, "payload_hash": digest, "channel_updated_at": raw.updated_at}
            if record.state == "done":
                vals["update_pending"] = True
            elif record.state != "ignored":
                vals["state"] = "pending"
            record.write(vals)
            outcomes[index] = (record, "changed")
        for index, record in zip(new_indexes, self.create(new_vals), strict=True):
            outcomes[index] = (record, "new")
        # an id fetched twice in one run counts once: its earlier copies are unchanged
        for index, raw in enumerate(raws):
            if outcomes[index] is None:
                outcomes[index] = (outcomes[wanted[raw.external_id]][0], "unchanged")
        return outcomes

    def _enqueue_import(self):
        # the storage context (no chatter) must not leak into the import itself
        quiet = ("tracking_disable", "mail_create_nolog", "mail_create_nosubscribe")
        self = self.with_context({k: v for k, v in self.env.context.items() if k not in quiet})  # pylint: disable=context-overridden
        channels = {account: account._get_job_channel() for account in self.account_id}
        for record in self:
            record.with_delay(
                channel=channels[record.account_id],
                identity_key=identity_exact,
                description=_(
                    "Import %(ref)s from %(account)s",
                    ref=record.reference,
                    account=record.account_id.display_name,
                ),
                max_retries=8,
            )._import_job()

    @api.model
    def _purge_payloads(self, before):
        """Forget raw payloads (personal data) of finished orders older than ``before``."""
        purge_stored_payloads(self, before)

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

    def _lock(self):
        """Row lock so two workers never import the same order at once.

        SKIP LOCKED instead of NOWAIT: a row held by another worker is simply not
        returned, so no error aborts the transaction and no savepoint is needed.
        NO KEY UPDATE: log lines of this order inserted by others (foreign key, KEY
        SHARE) must not count as a worker importing it.
        """
        self.env.cr.execute(
            "SELECT id FROM connector_order WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.id]
        )
        if not self.env.cr.rowcount:
            if not self.exists():
                raise UserError(_("This channel order was deleted (with its account?): nothing to import."))
            raise RetryableJobError(
                _("Order %s is being imported by another worker.", self.reference),
                seconds=10,
                ignore_retry=True,
            )
        self.invalidate_recordset()

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
            return self._park(_("Unexpected error: %s", exc), attempts=attempts)
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

    def action_ignore(self):
        self.filtered(lambda r: r.state != "done").write({"state": "ignored"})
        self.activity_ids.action_done()
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }
