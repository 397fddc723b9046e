"""CCV Shop REST API v1 emulator: webhooks (mixed into :class:`tests.emulators.ccv.CcvEmulator`).

CONFIRMED (official PHP client ``ccvshop/ccvshop-api`` src/Endpoints/Webhooks.php,
src/Resources/Webhook.php): ``POST /api/rest/v1/webhooks`` with ``{event, address, is_active}``,
``GET`` (collection / one), ``PATCH {address, is_active}``, ``DELETE``; the resource is
``{id, href, createdate, event, address, key, is_active}``.

ASSUMED (not in the public material read): event names ``orders.created`` /
``orders.updated``; a delivery is ``POST <address>`` with ``{"event", "id", "href"}`` and the
header ``x-hash`` = hex HMAC-SHA512 of the raw body with the webhook's ``key``.
"""

import hashlib
import hmac
import json
import secrets
import threading
from datetime import UTC, datetime

import requests

from tests.emulators.base import Response, route

P = "/api/rest/v1"
EVENTS = ("orders.created", "orders.updated", "products.created", "products.updated")
DELIVERY_TIMEOUT = 5


class CcvWebhooksMixin:
    """``/webhooks`` and signed deliveries to their addresses.

    ``deliver``: ``"sync"`` (default, the caller waits: tests), ``"thread"`` (background, as the
    real shop) or ``None`` (recorded in :attr:`deliveries` only).
    """

    deliver = "sync"

    def _webhook_state(self):
        if not hasattr(self, "webhooks"):
            self.webhooks = {}
            self.deliveries = []  # dicts: address, body, status
        return self.webhooks

    def _webhook_view(self, request, webhook):
        return dict(webhook, href=self._href(request, f"webhooks/{webhook['id']}"))

    @route("POST", f"{P}/webhooks")
    def post_webhook(self, request):
        data = request.json
        if not isinstance(data, dict) or not data.get("event") or not data.get("address"):
            return self.error(400, "event and address are required.")
        if data["event"] not in EVENTS:
            return self.error(400, f"Unknown event {data['event']}.")
        webhook = {
            "id": self._next_id("webhook"),
            "createdate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "event": data["event"],
            "address": data["address"],
            "key": secrets.token_hex(32),
            "is_active": bool(data.get("is_active", True)),
        }
        with self.store_lock:
            self._webhook_state()[webhook["id"]] = webhook
        return Response(201, self._webhook_view(request, webhook))

    @route("GET", f"{P}/webhooks")
    def get_webhooks(self, request):
        with self.store_lock:
            items = [self._webhook_view(request, w) for w in self._webhook_state().values()]
        return self._collection(request, items)

    @route("GET", rf"{P}/webhooks/(?P<id>\d+)")
    def get_webhook(self, request):
        webhook = self._webhook_state().get(int(request.params["id"]))
        if not webhook:
            return self.error(404, "Webhook not found.")
        return Response(200, self._webhook_view(request, webhook))

    @route("DELETE", rf"{P}/webhooks/(?P<id>\d+)")
    def delete_webhook(self, request):
        with self.store_lock:
            if self._webhook_state().pop(int(request.params["id"]), None) is None:
                return self.error(404, "Webhook not found.")
        return Response(204)

    # --- deliveries -------------------------------------------------------------------

    def fire(self, event, resource_id, resource="orders"):
        """Deliver ``event`` about ``resource_id`` to every active webhook of it."""
        with self.store_lock:
            targets = [w for w in self._webhook_state().values() if w["is_active"] and w["event"] == event]
        for webhook in targets:
            body = json.dumps(
                {
                    "event": event,
                    "id": resource_id,
                    "href": f"{getattr(self, 'public_url', '')}{P}/{resource}/{resource_id}",
                }
            ).encode()
            if self.deliver == "thread":
                threading.Thread(target=self._deliver, args=(webhook, body), daemon=True).start()
            elif self.deliver:
                self._deliver(webhook, body)
            else:
                self.deliveries.append({"address": webhook["address"], "body": body, "status": None})

    def _deliver(self, webhook, body):
        signature = hmac.new(webhook["key"].encode(), body, hashlib.sha512).hexdigest()
        record = {"address": webhook["address"], "body": body, "status": None}
        try:
            answer = requests.post(
                webhook["address"],
                data=body,
                headers={"Content-Type": "application/json", "x-hash": signature},
                timeout=DELIVERY_TIMEOUT,
            )
            record["status"] = answer.status_code
        except requests.RequestException:
            pass
        with self.store_lock:
            self._webhook_state()
            self.deliveries.append(record)
