# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When an account's orders are fetched: per-account polling and channel notifications.

The import cron runs every minute and synchronizes only the accounts that are due
(``next_sync_at``). Each account polls at its own interval, by default what its channel
allows cheaply (provider hook :meth:`_get_default_poll_interval`). When the channel
notifies Odoo of new orders (Kaufland subscriptions, CCV webhooks), a notification
enqueues one debounced sync job for that account and polling stretches to a safety net.

The account row is written once per sync (watermark, status, next due time), never per
order: import jobs of many workers insert rows pointing to it.
"""

import logging
import re
import secrets
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..exceptions import ChannelError, ChannelRetryableError
from ..http_client import REDACTED

_logger = logging.getLogger(__name__)

#: minutes between polls when the provider does not say
DEFAULT_POLL_INTERVAL = 10
#: minutes between polls while channel notifications are active (safety net)
DEFAULT_SAFETY_NET_INTERVAL = 15
#: a burst of notifications within this many seconds makes one sync
NOTIFICATION_DEBOUNCE_SECONDS = 5
#: an account due this close to the cron's run is synchronized now: the cron wakes up once a
#: minute, and an account due a few seconds after it would otherwise wait a whole extra run
DUE_GRACE_SECONDS = 30
#: where channels deliver notifications: /connector/notify/<account id>/<secret>
NOTIFY_ROUTE = "/connector/notify"
_SECRET_IN_PATH = re.compile(rf"({re.escape(NOTIFY_ROUTE)}/\d+/)[^/\s?\"'<>)]+")


def mask_callback_secret(text):
    """``text`` with the secret of every callback URL in it replaced by [REDACTED]."""
    return _SECRET_IN_PATH.sub(lambda match: match.group(1) + REDACTED, text)


def new_callback_secret():
    return secrets.token_urlsafe(32)


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    poll_interval = fields.Integer(
        string="Poll every (minutes)",
        compute="_compute_poll_interval",
        store=True,
        readonly=False,
        precompute=True,
        help="How often Odoo asks the channel for new and changed orders. The default is "
        "what the channel's rate limits allow without wasting its quota.",
    )
    safety_net_interval = fields.Integer(
        string="Poll with notifications every (minutes)",
        default=DEFAULT_SAFETY_NET_INTERVAL,
        help="While the channel notifies Odoo of new orders, polling only catches what a "
        "lost notification missed.",
    )
    next_sync_at = fields.Datetime(
        string="Next order sync",
        copy=False,
        readonly=True,
        index=True,
        help="The import cron synchronizes this account at or after this time. Empty: at its next run.",
    )
    notifications_active = fields.Boolean(
        string="Channel notifications",
        copy=False,
        readonly=True,
        help="The channel tells Odoo about new and changed orders as they happen; polling "
        "then runs only as a safety net.",
    )
    notification_callback_secret = fields.Char(
        string="Callback secret",
        groups="base.group_system",
        copy=False,
        readonly=True,
        help="Part of the callback URL the channel calls: whoever knows it can make Odoo "
        "synchronize this account (nothing more). Regenerate it if it leaked, then register "
        "the notifications again.",
    )
    notifications_supported = fields.Boolean(
        compute="_compute_notifications_supported",
        help="The channel can call Odoo back when orders change.",
    )
    notification_subscription_ids = fields.One2many(
        "connector.notification.subscription",
        "account_id",
        string="Notification subscriptions",
        readonly=True,
    )

    _poll_interval_positive = models.Constraint(
        "CHECK(poll_interval IS NULL OR poll_interval > 0)",
        "The polling interval is at least one minute.",
    )
    _safety_net_interval_positive = models.Constraint(
        "CHECK(safety_net_interval IS NULL OR safety_net_interval > 0)",
        "The safety-net polling interval is at least one minute.",
    )

    # === COMPUTE METHODS === #

    @api.depends("provider")
    def _compute_poll_interval(self):
        for account in self:
            account.poll_interval = account._get_default_poll_interval()

    @api.depends("provider")
    def _compute_notifications_supported(self):
        for account in self:
            account.notifications_supported = account._supports_notifications()

    # === CRUD === #

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("notification_callback_secret", new_callback_secret())
        return super().create(vals_list)

    # === ACTION METHODS === #

    def action_regenerate_callback_secret(self):
        """A new secret: the old callback URL stops working at once."""
        self.ensure_one().check_access("write")  # RPC-callable: administrators only
        self.sudo().notification_callback_secret = new_callback_secret()
        return self._notify(
            _("New callback secret"),
            _("Register the notifications again so the channel calls the new URL."),
            "warning",
        )

    def action_register_notifications(self):
        """Subscribe this account's callback URL to the channel's order events."""
        self.ensure_one().check_access("write")  # RPC-callable: administrators only
        if not self.sudo().notification_callback_secret:
            # the channel verifies the URL at once, from another transaction: the secret
            # must be committed before, so it cannot be created in this same click
            self.sudo().notification_callback_secret = new_callback_secret()
            return self._notify(
                _("Callback secret created"),
                _("Click Register notifications again to subscribe."),
                "warning",
            )
        # the channel may call back while the request runs (URL verification)
        self.env.flush_all()
        try:
            count = self._register_notifications(self._get_notification_callback_url())
        except (ChannelError, UserError) as exc:
            message = self._without_callback_secret(str(exc.args[0] if exc.args else exc))
            self._log("notification", "error", message, direction="out")
            try:  # some subscriptions may exist already: show what the channel has
                self._refresh_notification_subscriptions()
            except (ChannelError, UserError):
                _logger.info(
                    "Subscriptions of %s could not be listed after a failed registration", self.display_name
                )
            return self._notify(_("Registration failed"), message, "danger")
        self._refresh_notification_subscriptions()
        self._log(
            "notification", "done", _("%s notification subscriptions registered.", count), direction="out"
        )
        return self._notify(
            _("Notifications registered"),
            _(
                "%(count)s subscriptions registered: new orders arrive within seconds; polling "
                "now runs every %(minutes)s minutes as a safety net.",
                count=count,
                minutes=self.safety_net_interval,
            ),
            "success",
        )

    def action_list_notifications(self):
        """Read the subscriptions the channel has for this account."""
        self.ensure_one().check_access("write")  # RPC-callable: administrators only
        try:
            subscriptions = self._refresh_notification_subscriptions()
        except (ChannelError, UserError) as exc:
            return self._notify(
                _("Reading the subscriptions failed"),
                self._without_callback_secret(str(exc.args[0] if exc.args else exc)),
                "danger",
            )
        events = ", ".join(sorted({s.event for s in subscriptions})) or _("none")
        return self._notify(
            _("Notification subscriptions"),
            _(
                "%(count)s active at the channel (events: %(events)s).",
                count=len(subscriptions),
                events=events,
            ),
            "info",
        )

    def action_remove_notifications(self):
        """Delete this account's subscriptions at the channel and go back to polling."""
        self.ensure_one().check_access("write")  # RPC-callable: administrators only
        try:
            count = self._remove_notifications()
        except (ChannelError, UserError) as exc:
            return self._notify(
                _("Removal failed"),
                self._without_callback_secret(str(exc.args[0] if exc.args else exc)),
                "danger",
            )
        self._refresh_notification_subscriptions()
        self._log("notification", "done", _("%s notification subscriptions removed.", count), direction="out")
        return self._notify(
            _("Notifications removed"),
            _(
                "%(count)s subscriptions removed: orders are polled every %(minutes)s minutes.",
                count=count,
                minutes=self.poll_interval,
            ),
            "info",
        )

    # === BUSINESS METHODS: SCHEDULE === #

    def _get_effective_poll_interval(self):
        """Minutes until the next poll: the safety net while notifications are active."""
        self.ensure_one()
        if self.notifications_active:
            return self.safety_net_interval or DEFAULT_SAFETY_NET_INTERVAL
        return self.poll_interval or self._get_default_poll_interval()

    def _get_next_sync_at(self, now=None):
        self.ensure_one()
        return (now or fields.Datetime.now()) + timedelta(minutes=self._get_effective_poll_interval())

    @api.model
    def _get_due_domain(self, now=None):
        now = now or fields.Datetime.now()
        return [
            "|",
            ("next_sync_at", "=", False),
            ("next_sync_at", "<=", now + timedelta(seconds=DUE_GRACE_SECONDS)),
        ]

    def _refresh_notification_subscriptions(self):
        """Mirror the channel's subscriptions of this account (matched by their channel
        id, so a signing key the channel only returned at creation is kept); notifications
        are active while at least one is.

        :return: the connector.notification.subscription records
        """
        self.ensure_one()
        remote = {str(vals["external_id"]): vals for vals in self._list_notifications()}
        Subscription = self.env["connector.notification.subscription"].sudo()
        local = Subscription.search([("account_id", "=", self.id)])
        gone = local.filtered(lambda s: s.external_id not in remote)
        known = {s.external_id: s for s in local - gone}
        gone.unlink()
        records = Subscription
        for external_id, vals in remote.items():
            vals = {k: v for k, v in vals.items() if v is not None}
            if external_id in known:
                known[external_id].write(vals)
                records |= known[external_id]
            else:
                records |= Subscription.create(dict(vals, account_id=self.id))
        active = bool(records.filtered("is_active"))
        vals = {"notifications_active": active}
        if self.notifications_active != active:
            # the new interval applies from now, not after the old (longer or shorter) one
            vals["next_sync_at"] = fields.Datetime.now() + timedelta(
                minutes=(self.safety_net_interval if active else self.poll_interval) or DEFAULT_POLL_INTERVAL
            )
        self.sudo().write(vals)
        return records

    def _store_notification_subscription(self, vals):
        """Keep a subscription the channel just created (with its signing key, which some
        channels return only then)."""
        self.ensure_one()
        return self.env["connector.notification.subscription"].sudo().create(dict(vals, account_id=self.id))

    # === BUSINESS METHODS: NOTIFICATIONS === #

    def _get_notification_callback_url(self):
        """Public URL the channel calls: web.base.url + route + account id + secret."""
        self.ensure_one()
        secret = self.sudo().notification_callback_secret
        if not secret:
            raise UserError(_("%s has no callback secret yet.", self.display_name))
        return f"{self._get_notification_callback_prefix()}{secret}"

    def _without_callback_secret(self, text):
        """``text`` with this account's callback secret masked: a channel may echo the URL
        in an error, and sales users read logs and notifications."""
        text = mask_callback_secret(text)
        secret = self.sudo().notification_callback_secret
        return text.replace(secret, REDACTED) if secret else text

    def _get_notification_callback_prefix(self):
        """The part of the callback URL that does not change with the secret: it tells
        this account's subscriptions from others' (other databases, other accounts)."""
        self.ensure_one()
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return f"{base.rstrip('/')}{NOTIFY_ROUTE}/{self.id}/"

    def _enqueue_notified_sync(self):
        """One pending sync per account, however many notifications arrive (identity key);
        a short delay lets a burst of notifications share it."""
        self.ensure_one()
        return self.with_delay(
            channel=self._get_job_channel(),
            identity_key=identity_exact,
            eta=NOTIFICATION_DEBOUNCE_SECONDS,
            priority=5,
            description=_("Synchronize orders of %s (channel notification)", self.display_name),
            max_retries=10,
        )._sync_orders_job()

    def _sync_orders_job(self):
        """Job: synchronize this account's orders now (a channel notification asked)."""
        self.ensure_one()
        if not self.active or not self.import_orders:
            return _("Order import is off for %s.", self.display_name)
        # another sync holds the account: wait for it without a failing query (SKIP LOCKED
        # instead of the sync's NOWAIT, which the database log reports as an error)
        self.env.cr.execute(
            "SELECT id FROM connector_account WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.id]
        )
        if not self.env.cr.fetchone():
            raise RetryableJobError(
                _("A synchronization of %s is running; this one follows it.", self.display_name),
                seconds=5,
                ignore_retry=True,
            )
        try:
            stats = self._sync_orders()
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 30)) from exc
        except ChannelError as exc:
            if self._sync_is_running(exc):
                # the running sync may have read the channel before this change
                raise RetryableJobError(str(exc), seconds=10, ignore_retry=True) from exc
            return str(exc)  # logged on the account by the sync; a person must act
        return _(
            "%(fetched)s orders fetched: %(new)s new, %(changed)s changed.",
            **stats,
        )

    @staticmethod
    def _sync_is_running(exc):
        return getattr(exc, "sync_running", False)

    # === PROVIDER HOOKS: NOTIFICATIONS === #

    def _get_default_poll_interval(self):
        """Minutes between polls the channel's quota allows cheaply (provider hook)."""
        return DEFAULT_POLL_INTERVAL

    def _supports_notifications(self):
        """True when the channel can call Odoo back on new orders (provider hook)."""
        return False

    def _register_notifications(self, callback_url):
        """Subscribe ``callback_url`` to the channel's order events.

        :return: the number of subscriptions created
        """
        raise UserError(_("%s cannot notify Odoo: its orders are polled.", self.display_name))

    def _list_notifications(self):
        """This account's subscriptions at the channel, as vals of
        ``connector.notification.subscription`` (without account_id)."""
        return []

    def _remove_notifications(self):
        """Delete this account's subscriptions at the channel; return how many."""
        return 0

    def _notification_handshake(self, request):
        """Answer the channel's verification of the callback URL (GET).

        :param request: the odoo.http request
        :return: an odoo.http Response, or None when this channel sends no handshake
        """
        return None

    def _notification_authenticate(self, request, body):
        """Check a delivery beyond the URL secret (e.g. the channel's signature).

        :return: None when authentic, else an HTTP status (401/403)
        """
        return None

    def _notification_wants_sync(self, payload):
        """True when the delivered event may concern orders (provider hook)."""
        return True
