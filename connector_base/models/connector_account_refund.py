# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""After the sale: the account's refund settings, refund sync and provider hooks."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..exceptions import ChannelAuthError, ChannelError
from ..schema import ChannelRefund

_logger = logging.getLogger(__name__)


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    import_refunds = fields.Boolean(
        string="Import refunds",
        default=True,
        help="Fetch the channel's refunds and returns and book them: a credit note on the "
        "original invoice (or a corrected order when it is not invoiced yet) and a return "
        "picking for goods sent back.",
    )
    refund_auto_post = fields.Boolean(
        string="Post credit notes",
        default=True,
        help="Post the credit notes of channel refunds at once. Off: they stay draft for a check.",
    )
    refund_location_id = fields.Many2one(
        "stock.location",
        string="Return location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where returned goods go. Empty: the warehouse's stock (they are sold again).",
    )
    refund_reason_mapping = fields.Text(
        string="Refund reasons",
        help="One per line, 'channel code: text', e.g. 'wrong_size: Wrong size'. The text goes "
        "into the credit note's reference; unmapped codes are used as they are.",
    )
    export_refunds = fields.Boolean(
        string="Send refunds to the channel",
        default=True,
        help="When a credit note is posted by hand for a channel order, send the refund to the "
        "channel where its API allows it (once).",
    )
    refund_watermark = fields.Datetime(
        string="Refunds imported up to",
        copy=False,
        help="Refund changes up to this time have been fetched and stored.",
    )
    refund_ids = fields.One2many("connector.refund", "account_id")
    refund_count = fields.Integer(compute="_compute_refund_stats", help="Channel refunds fetched.")
    refund_attention_count = fields.Integer(
        string="Refunds needing attention",
        compute="_compute_refund_stats",
        help="Refunds that could not be booked and wait for a person.",
    )

    def _compute_refund_stats(self):
        groups = {
            (account.id, state): count
            for account, state, count in self.env["connector.refund"]._read_group(
                [("account_id", "in", self.ids)], ["account_id", "state"], ["__count"]
            )
        }
        for account in self:
            account.refund_count = sum(c for (aid, _s), c in groups.items() if aid == account.id)
            account.refund_attention_count = groups.get((account.id, "attention"), 0)

    # === ACTIONS === #

    def action_sync_refunds(self):
        self.ensure_one()
        if not self.import_refunds:
            raise UserError(_("Refund import is switched off for %s.", self.display_name))
        try:
            stats = self._sync_refunds()
        except ChannelError as exc:
            return self._notify(_("Refund synchronization failed"), str(exc), "danger")
        return self._notify(
            _("Refund synchronization done"),
            _("%(fetched)s refunds fetched: %(new)s new, %(changed)s changed.", **stats),
            "success",
        )

    def action_view_refunds(self):
        return self._action_connector_refunds([])

    def action_view_refund_attention(self):
        return self._action_connector_refunds([("state", "=", "attention")])

    def _action_connector_refunds(self, domain):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_refund")
        action["domain"] = [("account_id", "=", self.id)] + domain
        return action

    # === BUSINESS METHODS: REFUND IMPORT === #

    @api.model
    def _cron_sync_refunds(self):
        accounts = self.search([("import_refunds", "=", True), ("provider", "!=", "none")]).filtered(
            lambda a: a._can_fetch_refunds()
        )
        for done, account in enumerate(accounts, start=1):
            account = account._in_merchant_language()
            try:
                account._sync_refunds()
            except ChannelError as exc:
                _logger.warning("Refund sync of %s failed: %s", account.display_name, exc)
            self.env["ir.cron"]._commit_progress(1, remaining=len(accounts) - done)

    def _sync_refunds(self):
        """Fetch refunds changed since the refund watermark, and those the channel had not
        settled yet; store them and enqueue their booking (payloads and watermark in one
        transaction, as for orders).

        :raise ChannelError: when the channel could not be read (logged)
        """
        self.ensure_one()
        self._lock_for_sync()
        floor = self.import_since
        since = (
            self.refund_watermark - timedelta(minutes=self.watermark_overlap or 0)
            if self.refund_watermark
            else floor or fields.Datetime.now() - timedelta(days=7)
        )
        if floor and since < floor:
            since = floor
        Refund = self.env["connector.refund"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        try:
            raws = list(self._fetch_refunds(since))
            seen = {raw.external_id for raw in raws}
            for waiting in Refund.search(
                [("account_id", "=", self.id), ("state", "=", "waiting")], limit=100
            ):
                if waiting.external_id not in seen:
                    raw = self._fetch_refund(waiting.external_id)  # pylint: disable=assignment-from-none
                    if raw is not None:
                        raws.append(raw)
        except ChannelError as exc:
            vals = {"last_error": str(exc)}
            if isinstance(exc, ChannelAuthError):
                vals["state"] = "error"
            self.sudo().write(vals)
            self._log("refund", "error", str(exc))
            raise
        stats = {"fetched": 0, "new": 0, "changed": 0, "unchanged": 0}
        newest = self.refund_watermark
        to_book = Refund
        for raw, (record, outcome) in zip(raws, Refund._store_raws(self, raws), strict=True):
            stats["fetched"] += 1
            stats[outcome] += 1
            if outcome != "unchanged":
                to_book |= record
            if raw.updated_at and (not newest or raw.updated_at > newest):
                newest = raw.updated_at
        if newest:
            self.sudo().refund_watermark = newest
        self._log(
            "refund",
            "done",
            _(
                "%(fetched)s refunds fetched since %(since)s: %(new)s new, %(changed)s changed.",
                since=since,
                **stats,
            ),
        )
        to_book._enqueue_import()
        return stats

    def _map_refund_reason(self, code):
        """Text of a channel refund reason code (the account's mapping, else the code)."""
        self.ensure_one()
        for row in (self.refund_reason_mapping or "").splitlines():
            key, sep, text = row.partition(":")
            if sep and key.strip() == code:
                return text.strip()
        return code

    # === PROVIDER HOOKS: REFUNDS === #

    def _can_fetch_refunds(self):
        """True when the channel's refunds are fetched (:meth:`_fetch_refunds` implemented)."""
        return False

    def _fetch_refunds(self, since):
        """Yield :class:`~odoo.addons.connector_base.schema.RawRefund` of the refunds and
        returns created or changed since ``since`` (naive UTC), all pages."""
        return iter(())

    def _fetch_refund(self, external_id):
        """Read one refund again (one the channel had not settled): a RawRefund or None."""
        return None

    def _parse_refund(self, payload):
        """Turn a stored raw refund payload into a :class:`ChannelRefund` (default: the
        canonical JSON form)."""
        return ChannelRefund.from_dict(payload)

    def _can_send_refunds(self):
        """True when :meth:`_send_refund` is implemented for this account's channel."""
        return False

    def _send_refund(self, request):
        """Send a :class:`~odoo.addons.connector_base.schema.RefundRequest` (a credit note
        posted in Odoo) to the channel.

        :return: a short text for the log
        :raise UserError: when the channel takes no refunds through its API
        """
        raise UserError(_("%s takes no refunds through its API.", self.display_name))
