# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError
from odoo.tools import SQL

#: longest channel id stored (a database index entry holds at most ~2.7 kB)
EXTERNAL_ID_MAX = 255


def payload_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class ConnectorChannelRecord(models.AbstractModel):
    """What the channel records stored before they are booked share (orders, refunds).

    The raw payload is stored before anything is mapped, so a failure never loses
    a record; the unique (account, external id) of each model makes every job
    idempotent; one job per record books it under a row lock.
    """

    _name = "connector.channel.record"
    _description = "Stored Channel Record"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "reference"

    account_id = fields.Many2one("connector.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    provider = fields.Selection(related="account_id.provider", store=True)
    reference = fields.Char(string="Channel reference", readonly=True)
    channel_updated_at = fields.Datetime(string="Changed in channel", readonly=True)
    payload = fields.Json(string="Raw payload", readonly=True, copy=False)
    payload_hash = fields.Char(readonly=True, copy=False)
    payload_text = fields.Text(string="Payload", compute="_compute_payload_text")
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales order", readonly=True, index="btree_not_null", copy=False
    )
    attempts = fields.Integer(readonly=True, copy=False)

    @api.depends("payload")
    def _compute_payload_text(self):
        for record in self:
            record.payload_text = (
                json.dumps(record.payload, indent=2, ensure_ascii=False) if record.payload else ""
            )

    # === STORAGE === #

    @api.model
    def _store_raws(self, account, raws):
        """Store or refresh fetched payloads, in grouped queries.

        The caller holds the account's sync lock (``_lock_for_sync``), so no other
        sync stores the same records meanwhile; the unique index still guarantees it.

        :return: one (record, 'new' | 'changed' | 'unchanged') per raw, in order
        """
        outcomes = [None] * len(raws)
        wanted = {}  # external id -> index of its last occurrence in this fetch
        for index, raw in enumerate(raws):
            if not raw.external_id or len(raw.external_id) > EXTERNAL_ID_MAX:
                # no database index holds such a key: storing it would fail the whole sync,
                # every time, for every record of the account. Skip this one, say so.
                self._log_unusable_id(account, raw)
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
                        **self._stored_vals(raw),
                    }
                )
                new_indexes.append(index)
            elif record.payload_hash == digest:
                outcomes[index] = (record, "unchanged")
            else:
                vals = {"payload": raw.payload, "payload_hash": digest, "channel_updated_at": raw.updated_at}
                outcomes[index] = (record, record._store_change(vals))
        # new records in one create (grouped INSERTs)
        for index, record in zip(new_indexes, self.create(new_vals), strict=True):
            outcomes[index] = (record, "new")
        # an id fetched twice in one run counts once: its earlier copies are unchanged
        for index, raw in enumerate(raws):
            if outcomes[index] is None:
                outcomes[index] = (outcomes[wanted[raw.external_id]][0], "unchanged")
        return outcomes

    def _stored_vals(self, raw):
        """Values of a new record beyond the common ones (hook)."""
        return {}

    def _store_change(self, vals):
        """Write a changed payload and what follows from it; return 'changed' or
        'unchanged' (hook)."""
        raise NotImplementedError

    @api.model
    def _log_unusable_id(self, account, raw):
        """Say in the sync log that a record without a storable id was skipped (hook)."""
        raise NotImplementedError

    @api.model
    def _purge_payloads(self, before):
        """Forget the raw payloads (personal data) of finished records last written
        before ``before``; the hash stays, so a refetch is recognised."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """UPDATE %s SET payload = NULL
                    WHERE write_date < %s AND state IN ('done', 'ignored') AND payload IS NOT NULL""",
                SQL.identifier(self._table),
                before,
            )
        )
        self.invalidate_model(["payload"])

    # === JOBS === #

    def _enqueue_jobs(self, job_method, describe):
        """One job per record (identity key: the record), on its account's channel.

        :param job_method: name of the job method, e.g. ``"_import_job"``
        :param describe: record -> the job's description
        """
        # the storage context (no chatter) must not leak into the job itself
        quiet = ("tracking_disable", "mail_create_nolog", "mail_create_nosubscribe")
        self = self.with_context({k: v for k, v in self.env.context.items() if k not in quiet})  # pylint: disable=context-overridden
        channels = {account: account._get_job_channel() for account in self.account_id}
        for record in self:
            delayed = record.with_delay(
                channel=channels[record.account_id],
                identity_key=identity_exact,
                description=describe(record),
                max_retries=8,
            )
            getattr(delayed, job_method)()

    def _lock(self):
        """Row lock so two workers never book the same record at once.

        SKIP LOCKED instead of NOWAIT: a row held by another worker is simply not
        returned, so no error aborts the transaction and no savepoint is needed.
        NO KEY UPDATE: log lines of this record inserted by others (foreign key, KEY
        SHARE) must not count as a worker booking it.
        """
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                SQL.identifier(self._table),
                self.id,
            )
        )
        if not self.env.cr.rowcount:
            if not self.exists():
                raise UserError(_("This record was deleted (with its account?): nothing to do."))
            raise RetryableJobError(
                _("%s is being handled by another worker.", self.reference), seconds=10, ignore_retry=True
            )
        self.invalidate_recordset()

    # === ACTIONS === #

    def action_ignore(self):
        self.filtered(lambda r: r.state != "done").write({"state": "ignored"})
        self.activity_ids.action_done()
        return True
