# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop webhooks: order events call Odoo; deliveries are checked with the key CCV returned."""

from odoo import models

from .. import const, webhooks


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    # === PROVIDER HOOKS: POLLING AND NOTIFICATIONS === #

    def _get_default_poll_interval(self):
        if self.provider != "ccv":
            return super()._get_default_poll_interval()
        return const.DEFAULT_POLL_INTERVAL

    def _supports_notifications(self):
        if self.provider != "ccv":
            return super()._supports_notifications()
        return True

    def _ccv_my_webhooks(self, client):
        prefix = self._get_notification_callback_prefix()
        return [w for w in webhooks.list_webhooks(client) if (w.get("address") or "").startswith(prefix)]

    def _register_notifications(self, callback_url):
        if self.provider != "ccv":
            return super()._register_notifications(callback_url)
        client = self._ccv_client()
        mine = self._ccv_my_webhooks(client)
        existing = {w.get("event") for w in mine if w.get("address") == callback_url}
        for webhook in mine:
            if webhook.get("address") != callback_url:  # an older secret: that URL answers 403 now
                webhooks.delete_webhook(client, webhook["id"])
        count = 0
        for event in const.ORDER_WEBHOOK_EVENTS:
            if event in existing:
                continue
            created = webhooks.create_webhook(client, event, callback_url) or {}
            self._store_notification_subscription(
                {
                    "external_id": str(created.get("id")),
                    "event": created.get("event") or event,
                    "is_active": created.get("is_active", True),
                    "signing_key": created.get("key"),
                }
            )
            count += 1
        return count

    def _list_notifications(self):
        if self.provider != "ccv":
            return super()._list_notifications()
        return [
            {
                "external_id": str(w.get("id")),
                "event": w.get("event"),
                "is_active": bool(w.get("is_active")),
                "signing_key": w.get("key"),  # None when the list leaves it out: the stored one stays
            }
            for w in self._ccv_my_webhooks(self._ccv_client())
        ]

    def _remove_notifications(self):
        if self.provider != "ccv":
            return super()._remove_notifications()
        client = self._ccv_client()
        mine = self._ccv_my_webhooks(client)
        for webhook in mine:
            webhooks.delete_webhook(client, webhook["id"])
        return len(mine)

    def _notification_authenticate(self, request, body):
        if self.provider != "ccv":
            return super()._notification_authenticate(request, body)
        keys = self.sudo().notification_subscription_ids.mapped("signing_key")
        received = request.httprequest.headers.get(const.WEBHOOK_HASH_HEADER)
        if not webhooks.verify_delivery(keys, body, received):
            return 401
        return None

    def _notification_wants_sync(self, payload):
        if self.provider != "ccv":
            return super()._notification_wants_sync(payload)
        return webhooks.wants_sync(payload)
