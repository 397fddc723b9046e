# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland push notifications: subscriptions per storefront and event, the callback handshake."""

from odoo import _, models
from odoo.exceptions import UserError

from .. import const, subscriptions


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    # === PROVIDER HOOKS: POLLING AND NOTIFICATIONS === #

    def _get_default_poll_interval(self):
        if self.provider != "kaufland":
            return super()._get_default_poll_interval()
        return const.DEFAULT_POLL_INTERVAL

    def _supports_notifications(self):
        if self.provider != "kaufland":
            return super()._supports_notifications()
        return True

    def _register_notifications(self, callback_url):
        if self.provider != "kaufland":
            return super()._register_notifications(callback_url)
        if len(callback_url) > const.CALLBACK_URL_MAX:
            raise UserError(
                _(
                    "Kaufland accepts callback URLs of at most %s characters: shorten web.base.url.",
                    const.CALLBACK_URL_MAX,
                )
            )
        fallback_email = self.responsible_user_id.email or self.company_id.email
        if not fallback_email:
            raise UserError(
                _(
                    "Kaufland mails a fallback address when it cannot reach Odoo: give the account's "
                    "responsible user or the company an e-mail address."
                )
            )
        client = self._kaufland_client()
        prefix = self._get_notification_callback_prefix()
        mine = [
            s
            for s in subscriptions.list_subscriptions(client)
            if (s.get("callback_url") or "").startswith(prefix)
        ]
        existing = {
            (s.get("storefront"), s.get("event_name")) for s in mine if s.get("callback_url") == callback_url
        }
        stale = [s for s in mine if s.get("callback_url") != callback_url]
        for subscription in stale:  # an older secret: that URL answers 403 now
            subscriptions.delete_subscription(client, subscription["id_subscription"])
        count = 0
        for storefront in self._kaufland_storefronts():
            for event in const.SUBSCRIBED_EVENTS:
                if (storefront, event) in existing:
                    continue
                subscriptions.create_subscription(client, storefront, event, callback_url, fallback_email)
                count += 1
        return count

    def _list_notifications(self):
        if self.provider != "kaufland":
            return super()._list_notifications()
        prefix = self._get_notification_callback_prefix()
        return [
            {
                "external_id": str(s.get("id_subscription")),
                "event": s.get("event_name"),
                "storefront": s.get("storefront"),
                "is_active": bool(s.get("is_active")),
            }
            for s in subscriptions.list_subscriptions(self._kaufland_client())
            if (s.get("callback_url") or "").startswith(prefix)
        ]

    def _remove_notifications(self):
        if self.provider != "kaufland":
            return super()._remove_notifications()
        client = self._kaufland_client()
        prefix = self._get_notification_callback_prefix()
        mine = [
            s
            for s in subscriptions.list_subscriptions(client)
            if (s.get("callback_url") or "").startswith(prefix)
        ]
        for subscription in mine:
            subscriptions.delete_subscription(client, subscription["id_subscription"])
        return len(mine)

    def _notification_handshake(self, request):
        if self.provider != "kaufland":
            return super()._notification_handshake(request)
        answer = subscriptions.handshake_answer(request.httprequest.args)
        if answer is None:
            return None
        return request.make_response(answer, headers=[("Content-Type", "text/plain")])

    def _notification_wants_sync(self, payload):
        if self.provider != "kaufland":
            return super()._notification_wants_sync(payload)
        return subscriptions.wants_sync(payload)
