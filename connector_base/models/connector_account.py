# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..exceptions import ChannelAuthError, ChannelError, ChannelRetryableError
from ..schema import ChannelOrder

_logger = logging.getLogger(__name__)


class ConnectorAccount(models.Model):
    """One shop or marketplace account of a channel.

    Provider addons extend ``provider`` with ``selection_add`` and override the
    hooks in the PROVIDER HOOKS section behind ``if self.provider != 'x':
    return super()...``, as payment providers do.
    """

    _name = "connector.account"
    _description = "Channel Connector Account"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    # === IDENTITY === #
    name = fields.Char(required=True, help="Name of the shop, as you want to see it in Odoo.")
    sequence = fields.Integer(default=10, help="Order of the accounts in lists and on the dashboard.")
    provider = fields.Selection(
        selection=[("none", "No channel")],
        default="none",
        required=True,
        help="The sales channel this account connects to.",
    )
    active = fields.Boolean(default=True, help="Archived accounts are neither synchronized nor shown.")
    state = fields.Selection(
        [("draft", "Not connected"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        readonly=True,
        help="Connected: the last connection test or synchronization worked. Error: the channel "
        "refused the credentials; fix them and click Test connection.",
    )
    last_error = fields.Text(
        copy=False,
        readonly=True,
        help="The last problem met with this channel. Cleared by the next successful sync or test.",
    )
    api_base_url = fields.Char(
        string="API URL override",
        help="Leave empty to use the channel's production API. Set it to use a sandbox or a local emulator.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company that sells in this shop: orders, customers and stock belong to it.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
        help="Orders ship from this warehouse; its stock is what the channel sees.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Sales team of the imported orders, e.g. one team per channel for your sales reports.",
    )
    user_id = fields.Many2one("res.users", string="Salesperson", help="Salesperson set on imported orders.")
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Gets a to-do when an order needs attention.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist of imported orders in its currency, and the prices sent to "
        "the channel. Orders in another currency use an active pricelist of that "
        "currency.",
    )

    # === FLOWS === #
    import_orders = fields.Boolean(
        default=True,
        string="Import orders",
        help="Fetch new and changed orders from the channel every few minutes (Settings > Sales).",
    )
    export_stock = fields.Boolean(
        default=True,
        string="Export stock",
        help="Send the available quantity of every listed product to the channel when it changes.",
    )
    export_products = fields.Boolean(
        default=False,
        string="Export products",
        help="Create the selected Odoo products in the channel (and update them, if you allow it below).",
    )
    confirm_shipments = fields.Boolean(
        default=True,
        string="Confirm shipments",
        help="When the delivery of an imported order is done, tell the channel the carrier and "
        "tracking number, so the buyer is informed.",
    )

    # === ORDER IMPORT === #
    import_statuses = fields.Char(
        string="Statuses to import",
        help="Comma-separated channel statuses of the orders to import, e.g. only "
        "paid ones. Empty: the channel's default.",
    )
    import_since = fields.Datetime(
        string="Import orders since",
        default=lambda self: fields.Datetime.now() - timedelta(days=7),
        help="Orders created or changed before this date are never imported.",
    )
    order_watermark = fields.Datetime(
        string="Imported up to",
        copy=False,
        help="Changes up to this time have been fetched and stored. The next sync "
        "asks the channel for changes since then (minus the safety overlap).",
    )
    watermark_overlap = fields.Integer(
        string="Safety overlap (minutes)",
        default=15,
        help="Each sync looks this far back before the last change seen, so an "
        "order the channel publishes late is not missed. Already imported orders "
        "are skipped.",
    )
    order_type = fields.Selection(
        [
            ("quotation", "Quotation"),
            ("order", "Confirmed sales order"),
            ("invoice", "Confirmed order with posted invoice"),
        ],
        default="order",
        required=True,
        help="What an imported channel order becomes in Odoo.",
    )
    default_partner_id = fields.Many2one(
        "res.partner",
        string="Book all orders on",
        check_company=True,
        help="Optional: one customer for every order of this channel (the buyer's "
        "addresses are then only kept as delivery addresses).",
    )
    partner_update_policy = fields.Selection(
        [("create", "Create new customers only"), ("update", "Create and update customers")],
        default="create",
        required=True,
        help="Update: an existing customer's name and phone follow the channel. "
        "Addresses are never rewritten: a changed address is added as a new one.",
    )
    missing_product_policy = fields.Selection(
        [("park", "Park the order for a person"), ("fallback", "Use the fallback product")],
        default="park",
        required=True,
        string="Unknown products",
        help="When an order line's SKU or EAN matches no Odoo product: park the order in "
        "Needs attention until you create or link the product, or book the line on the fallback product.",
    )
    fallback_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Used for order lines whose SKU or EAN matches no product.",
    )
    discount_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Product of the discount lines (vouchers, promotions).",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "connector_base.product_channel_shipping", raise_if_not_found=False
        ),
        help="Product of the shipping cost line when the shipping method has no mapped carrier.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Product of extra charges the buyer paid (payment costs, gift wrapping).",
    )
    payment_mapping_ids = fields.One2many(
        "connector.payment.mapping",
        "account_id",
        help="Channel payment method codes and the payment terms (and receivable accounts) they get in Odoo.",
    )
    shipping_mapping_ids = fields.One2many(
        "connector.shipping.mapping",
        "account_id",
        help="Channel shipping method codes and the Odoo carriers they get (and the carrier code "
        "sent back with shipments).",
    )

    # === STOCK AND PRODUCTS === #
    stock_mode = fields.Selection(
        [
            ("available", "On hand minus reserved"),
            ("on_hand", "On hand"),
            ("forecast", "Forecast"),
        ],
        default="available",
        required=True,
        help="Which quantity the channel shows as available.",
    )
    stock_buffer = fields.Float(
        string="Safety buffer",
        help="Kept back from the channel, so the last items are not oversold.",
    )
    stock_managed_by_channel = fields.Boolean(
        string="Channel tracks stock",
        default=True,
        help="Sent to channels that can switch stock tracking per product.",
    )
    update_product_info = fields.Boolean(
        string="Update product info",
        help="Off: only create missing products in the channel, never overwrite "
        "what was edited there. On: also update name, descriptions, prices and EAN.",
    )
    product_domain = fields.Char(
        string="Products to publish",
        default="[('sale_ok', '=', True)]",
        help="Filter of the products sent to the channel.",
    )
    product_price_incl_tax = fields.Boolean(
        string="Prices include tax",
        default=True,
        help="Send product prices with tax included (consumer prices).",
    )
    binding_ids = fields.One2many(
        "connector.product.binding", "account_id", help="Which Odoo product is which listing in the channel."
    )

    # === STATUS === #
    last_sync_at = fields.Datetime(
        string="Last order sync",
        copy=False,
        readonly=True,
        help="When Odoo last asked the channel for orders, whether it worked or not.",
    )
    last_success_at = fields.Datetime(
        string="Last successful sync",
        copy=False,
        readonly=True,
        help="When Odoo last read the channel's orders without an error.",
    )
    last_stock_push_at = fields.Datetime(
        string="Last stock export",
        copy=False,
        readonly=True,
        help="When quantities were last sent to the channel.",
    )
    order_ids = fields.One2many("connector.order", "account_id")
    order_count = fields.Integer(
        string="Channel orders", compute="_compute_order_stats", help="Channel orders fetched."
    )
    attention_count = fields.Integer(
        string="Needs attention",
        compute="_compute_order_stats",
        help="Orders that could not be imported and wait for a person.",
    )
    today_count = fields.Integer(
        string="Imported today", compute="_compute_order_stats", help="Orders imported today."
    )
    pending_count = fields.Integer(
        string="To import",
        compute="_compute_order_stats",
        help="Orders fetched and waiting for the job queue to import them.",
    )

    _name_company_uniq = models.Constraint(
        "UNIQUE(provider, name, company_id)",
        "An account with this name already exists for this channel.",
    )

    # === COMPUTE METHODS === #

    @api.depends("provider", "name")
    def _compute_display_name(self):
        labels = dict(self._fields["provider"]._description_selection(self.env))
        for account in self:
            account.display_name = f"[{labels.get(account.provider, account.provider)}] {account.name or ''}"

    def _compute_order_stats(self):
        today = fields.Datetime.to_datetime(fields.Date.context_today(self))
        groups = {
            (account.id, state): count
            for account, state, count in self.env["connector.order"]._read_group(
                [("account_id", "in", self.ids)], ["account_id", "state"], ["__count"]
            )
        }
        todays = dict(
            self.env["connector.order"]._read_group(
                [("account_id", "in", self.ids), ("state", "=", "done"), ("imported_at", ">=", today)],
                ["account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.order_count = sum(c for (aid, _s), c in groups.items() if aid == account.id)
            account.attention_count = groups.get((account.id, "attention"), 0)
            account.pending_count = groups.get((account.id, "pending"), 0)
            account.today_count = todays.get(account, 0)

    # === CRUD === #

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=_("%s (copy)", account.name))
            for account, vals in zip(self, vals_list, strict=True)
        ]

    # === ACTION METHODS === #

    def action_test_connection(self):
        """Do one cheap authenticated call and tell the user how it went."""
        self.ensure_one()
        try:
            detail = self._test_connection()
        except (ChannelError, UserError, ValidationError) as exc:
            message = str(exc.args[0] if exc.args else exc)
            self.sudo().write({"state": "error", "last_error": message})
            self._log("connection", "error", message, direction="none")
            return self._notify(_("Connection failed"), message, "danger")
        self.sudo().write({"state": "connected", "last_error": False})
        message = detail or _("The channel accepted the credentials.")
        self._log("connection", "done", message, direction="none")
        return self._notify(_("Connection successful"), message, "success")

    def action_sync_orders(self):
        """Fetch and import the channel's new and changed orders now."""
        self.ensure_one()
        if not self.import_orders:
            raise UserError(_("Order import is switched off for %s.", self.display_name))
        try:
            stats = self._sync_orders()
        except ChannelError as exc:
            return self._notify(_("Synchronization failed"), str(exc), "danger")
        action = self._notify(
            _("Synchronization done"),
            _(
                "%(fetched)s orders fetched: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.",
                **stats,
            )
            + (
                " " + _("They are imported in the background: see To import.")
                if stats["new"] or stats["changed"]
                else ""
            ),
            "success",
        )
        # reload the view behind the notification: its counters move
        action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return action

    def action_export_stock(self):
        self.ensure_one()
        count = self._export_stock(force=False)
        return self._notify(_("Stock export"), _("%s quantities queued for the channel.", count), "info")

    def action_export_products(self):
        self.ensure_one()
        count = self._export_products()
        return self._notify(_("Product export"), _("%s products queued for the channel.", count), "info")

    def action_view_orders(self):
        return self._action_connector_orders([])

    def action_view_attention(self):
        return self._action_connector_orders([("state", "=", "attention")])

    def action_view_today(self):
        """The sales orders this account imported today."""
        self.ensure_one()
        today = fields.Datetime.to_datetime(fields.Date.context_today(self))
        return {
            "type": "ir.actions.act_window",
            "name": _("Imported today: %s", self.display_name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("connector_account_id", "=", self.id), ("create_date", ">=", today)],
            "context": {"create": False},
        }

    def action_view_pending(self):
        return self._action_connector_orders([("state", "=", "pending")])

    def action_view_jobs(self):
        """The job queue's open jobs of this account (admins: queue_job's own views)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("queue_job.action_queue_job")
        action["domain"] = [("name", "ilike", self.display_name)]
        return action

    def action_view_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_sync_log")
        action["domain"] = [("account_id", "=", self.id)]
        return action

    def _action_connector_orders(self, domain):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_order")
        action["domain"] = [("account_id", "=", self.id)] + domain
        action["context"] = {"default_account_id": self.id}
        return action

    def _notify(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": title, "message": message, "type": kind, "sticky": kind == "danger"},
        }

    # === BUSINESS METHODS: ORDER IMPORT === #

    def _in_merchant_language(self):
        """This account in the language of the people who read what it writes: the
        responsible user's, else the company's. Crons and channel notifications run as
        OdooBot; without this their sync logs, parked orders' reasons and to-dos (and
        the jobs they enqueue, which keep the context's language) would be in OdooBot's
        language, not the merchant's."""
        self.ensure_one()
        lang = self.env["res.lang"]._get_code(
            self.responsible_user_id.lang or self.company_id.partner_id.lang or ""
        )
        return self.with_context(lang=lang) if lang else self

    @api.model
    def _cron_sync_orders(self):
        """Scheduled import of the accounts whose polling interval has passed
        (``next_sync_at``, see connector_account_polling.py)."""
        accounts = self.search(
            [("import_orders", "=", True), ("provider", "!=", "none")] + self._get_due_domain()
        )
        for done, account in enumerate(accounts, start=1):
            account = account._in_merchant_language()
            try:
                account._sync_orders()
            except ChannelError as exc:
                _logger.warning("Order sync of %s failed: %s", account.display_name, exc)
            # Each account's stored payloads and watermark are committed together.
            self.env["ir.cron"]._commit_progress(1, remaining=len(accounts) - done)

    def _sync_orders(self):
        """Fetch changed orders since the watermark, store them, enqueue their import.

        The payloads and the new watermark are written in the same transaction,
        so the watermark never passes an order whose data was not stored.

        :return: counters for the user
        :raise ChannelError: when the channel could not be read (logged)
        """
        self.ensure_one()
        self._lock_for_sync()
        now = fields.Datetime.now()
        since = self._get_sync_since()
        stats = {"fetched": 0, "new": 0, "changed": 0, "unchanged": 0}
        newest = self.order_watermark
        # Stored payloads are technical records: no chatter messages or tracking per order.
        ConnectorOrder = self.env["connector.order"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        try:
            raw_orders = list(self._fetch_orders(since))
        except ChannelError as exc:
            self._record_sync_failure(exc)
            raise
        to_import = ConnectorOrder
        for raw, (record, outcome) in zip(
            raw_orders, ConnectorOrder._store_raws(self, raw_orders), strict=True
        ):
            stats["fetched"] += 1
            stats[outcome] += 1
            if outcome != "unchanged":
                to_import |= record
            if raw.updated_at and (not newest or raw.updated_at > newest):
                newest = raw.updated_at
        vals = {
            "last_sync_at": now,
            "last_success_at": now,
            "state": "connected",
            "last_error": False,
            "next_sync_at": self._get_next_sync_at(now),
        }
        if newest:
            vals["order_watermark"] = newest
        self.sudo().write(vals)
        self._log(
            "order",
            "done",
            _(
                "%(fetched)s orders fetched since %(since)s: %(new)s new, %(changed)s changed.",
                since=since,
                **stats,
            ),
        )
        to_import._enqueue_import()
        return stats

    def _lock_for_sync(self):
        """One synchronization per account at a time (cron, button, another worker).

        :raise ChannelError: when another one holds the account
        """
        # NO KEY UPDATE, not UPDATE: import jobs insert rows that point to the account
        # (sale orders, log lines), whose foreign keys take KEY SHARE locks on it; FOR UPDATE
        # would collide with every running import and report a sync "already running".
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM connector_account WHERE id = %s FOR NO KEY UPDATE NOWAIT", [self.id]
                )
        except psycopg2.errors.LockNotAvailable:
            error = ChannelError(
                _(
                    "A synchronization of %s is already running: its orders will appear when it is done.",
                    self.display_name,
                )
            )
            error.sync_running = True  # a notified sync job retries after it
            raise error from None

    def _get_sync_since(self):
        self.ensure_one()
        floor = self.import_since
        if self.order_watermark:
            since = self.order_watermark - timedelta(minutes=self.watermark_overlap or 0)
            return max(since, floor) if floor else since
        return floor or fields.Datetime.now() - timedelta(days=7)

    def _record_sync_failure(self, exc):
        now = fields.Datetime.now()
        vals = {"last_sync_at": now, "last_error": str(exc), "next_sync_at": self._get_next_sync_at(now)}
        if isinstance(exc, ChannelAuthError):
            vals["state"] = "error"
        self.sudo().write(vals)
        self._log("order", "error", str(exc))

    def _get_import_statuses(self):
        """Channel statuses to import: the account's setting or the provider default."""
        self.ensure_one()
        if self.import_statuses:
            return [s.strip() for s in self.import_statuses.split(",") if s.strip()]
        return self._get_default_import_statuses()

    def _get_job_channel(self):
        """queue_job channel of this account's jobs (capped per provider)."""
        self.ensure_one()
        channel = (
            self.env["queue.job.channel"]
            .sudo()
            .search([("complete_name", "=", f"root.connector.{self.provider}")], limit=1)
        )
        return channel.complete_name if channel else "root.connector"

    # === BUSINESS METHODS: OUTBOUND (filled by the export engine) === #

    # === PROVIDER HOOKS === #

    def _get_default_import_statuses(self):
        """Channel statuses imported when the account does not say (list of str)."""
        return []

    def _test_connection(self):
        """One cheap authenticated call.

        :return: a short text for the user on success (e.g. the shop name)
        :raise ChannelError: with the precise reason on failure
        """
        raise UserError(_("No channel is set on %s.", self.display_name))

    def _fetch_orders(self, since):
        """Yield :class:`~odoo.addons.connector_base.schema.RawOrder` of the
        orders created or changed since ``since`` (naive UTC), all pages."""
        return iter(())

    def _fetch_order(self, external_id):
        """Read one order again from the channel, whole (Retry of a parked order).

        :return: :class:`~odoo.addons.connector_base.schema.RawOrder` shaped
            as :meth:`_fetch_orders` yields it (same payload for the same data),
            or None when the channel cannot return a single order
        :raise ChannelError: when the channel could not be read
        """
        return None

    def _parse_order(self, payload):
        """Turn a stored raw payload into a :class:`ChannelOrder`.

        The default reads the canonical JSON form (used by tests and by
        channels that already deliver it).
        """
        return ChannelOrder.from_dict(payload)

    def _push_stock(self, items):
        """Send ``items`` (list of :class:`StockItem`) in one batch.

        :return: :class:`PushResult` with per-SKU errors
        """
        raise UserError(_("%s cannot receive stock.", self.display_name))

    def _get_stock_batch_size(self):
        return 100

    def _push_products(self, products):
        """Create or update ``products`` (list of :class:`ChannelProduct`).

        ``self.update_product_info`` off: create missing ones only.

        :return: :class:`PushResult` with the channel ids of created products
        """
        raise UserError(_("%s cannot receive products.", self.display_name))

    def _confirm_shipment(self, shipment):
        """Report a :class:`ChannelShipment` to the channel."""
        raise UserError(_("%s cannot receive shipments.", self.display_name))

    def _cancel_order_lines(self, order_external_id, line_external_ids, reason):
        """Cancel order lines in the channel (where it supports that)."""
        return False

    def _fetch_catalogue(self):
        """Yield :class:`ChannelProduct` of the listings the channel already has."""
        return iter(())

    # === LOGGING === #

    def _log(self, flow, state, message, direction="in", reference=False, record=None, payload_id=False):
        """Write a sync log line (in sudo: users may not create logs themselves)."""
        self.ensure_one()
        return (
            self.env["connector.sync.log"]
            .sudo()
            .create(
                {
                    "account_id": self.id,
                    "flow": flow,
                    "direction": direction,
                    "state": state,
                    "message": message,
                    "external_ref": reference or False,
                    "res_model": record._name if record else False,
                    "res_id": record.id if record else False,
                    "connector_order_id": payload_id,
                }
            )
        )

    def _retryable(self, exc):
        """True when ``exc`` is a transient fault the job queue should retry."""
        return isinstance(exc, ChannelRetryableError)
