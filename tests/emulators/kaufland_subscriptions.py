"""Kaufland Seller API v2 emulator: push-notification subscriptions (mixed into
:class:`tests.emulators.kaufland.KauflandEmulator`).

From the OpenAPI spec 2.27.0 (``/subscriptions``: CreateSubscriptionRequest
``{callback_url, fallback_email, event_name}`` with the ``storefront`` query parameter,
201 ``{"data": Subscription}``; list with ``limit`` 0..30; ``DELETE`` 204; ProblemType
``/problems/subscriptions/unverified-callback-url``) and https://sellerapi.kaufland.com/?page=push-notifications
(callback_url at most 255 characters; notifications carry no data, only which resource
changed).

ASSUMED (not in the v2 material read): the verification request is the v1 one (real.de API v1
push-notifications page): ``GET <callback_url>?mode=subscribe&challenge=<random>``, answered by
the challenge alone within 15 s; a failed verification answers 400 with the problem type
above. Notifications are ``POST <callback_url>`` with ``{"event_name", "id_message",
"resource", "storefront"}`` and ``Shop-Timestamp``/``Shop-Signature`` headers signed like API
requests (``POST\\nCALLBACK_URL\\nBODY\\nTIMESTAMP`` with the seller's secret key), from a
third-party summary of the page.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time

import requests

from .base import Response, route

V2 = r"(?:/v2)?"
EVENT_NAMES = (
    "order_new",
    "order_unit_new",
    "order_unit_status_changed",
    "item_changed",
    "category_changed",
    "return_new",
    "return_status_changed",
    "return_unit_status_changed",
    "item_unit_new",
    "item_unit_changed",
    "item_unit_deleted",
    "item_unit_out_of_stock",
    "item_unit_not_available",
    "item_unit_available",
)
STOREFRONTS = ("de", "cz", "sk", "pl", "at", "fr", "it")
CALLBACK_URL_MAX = 255
VERIFICATION_TIMEOUT = 15
NOTIFICATION_TIMEOUT = 5


def _problem(status, ptype, message, field=None):
    errors = [{"field": field, "message": message}] if field else []
    return Response(status, {"type": ptype, "message": message, "errors": errors})


class KauflandSubscriptionsMixin:
    """``/subscriptions`` and the notifications Kaufland sends to subscribed callback URLs.

    ``deliver`` decides how notifications go out: ``"sync"`` (default; the caller of
    :meth:`add_order` waits for Odoo's answer, which tests rely on), ``"thread"`` (as the
    real service: in the background) or ``None`` (recorded in :attr:`notifications` only).
    """

    deliver = "sync"

    def _subscription_state(self):
        if not hasattr(self, "subscriptions"):
            self.subscriptions = {}  # id_subscription -> Subscription
            self.notifications = []  # dicts: url, body, status (None: unreachable)
            self._subscription_ids = itertools.count(11011)
            self._message_ids = itertools.count(1)
        return self.subscriptions

    # --- endpoints ------------------------------------------------------------------

    @route("POST", f"{V2}/subscriptions")
    def create_subscription(self, request):
        storefront = (request.arg("storefront") or "").lower()
        if storefront not in STOREFRONTS:
            return _problem(400, "/problems/validation-error", "storefront is required", "storefront")
        data = request.json or {}
        for key in ("callback_url", "fallback_email", "event_name"):
            if not data.get(key):
                return _problem(400, "/problems/validation-error", f"{key} is required", key)
        if data["event_name"] not in EVENT_NAMES:
            return _problem(400, "/problems/validation-error", "not a valid event name", "event_name")
        if len(data["callback_url"]) > CALLBACK_URL_MAX:
            return _problem(400, "/problems/validation-error", "at most 255 characters", "callback_url")
        if not self._verify_callback(data["callback_url"]):
            return _problem(
                400,
                "/problems/subscriptions/unverified-callback-url",
                # ASSUMED: the problem message names the URL (the spec gives the type only);
                # it lets the tests check that an echoed callback secret is masked
                f"The callback URL {data['callback_url']} could not be verified",
                "callback_url",
            )
        with self.lock:
            subscription = {
                "id_subscription": next(self._subscription_ids),
                "callback_url": data["callback_url"],
                "fallback_email": data["fallback_email"],
                "event_name": data["event_name"],
                "is_active": True,
                "storefront": storefront,
            }
            self._subscription_state()[subscription["id_subscription"]] = subscription
        return Response(201, {"data": dict(subscription)})

    @route("GET", f"{V2}/subscriptions")
    def list_subscriptions(self, request):
        limit, offset, error = self._paging(request, maximum=30, minimum=0)
        if error:
            return error
        storefront = request.arg("storefront")
        event_name = request.arg("event_name")
        with self.lock:
            items = [
                dict(s)
                for s in self._subscription_state().values()
                if (not storefront or s["storefront"] == storefront)
                and (not event_name or s["event_name"] == event_name)
            ]
        return self._collection(items, limit, offset)

    @route("GET", f"{V2}/subscriptions/(?P<id>[0-9]+)")
    def get_subscription(self, request):
        subscription = self._subscription_state().get(int(request.params["id"]))
        if not subscription:
            return self.error(404, "Subscription not found")
        return Response(200, {"data": dict(subscription)})

    @route("DELETE", f"{V2}/subscriptions/(?P<id>[0-9]+)")
    def delete_subscription(self, request):
        with self.lock:
            if self._subscription_state().pop(int(request.params["id"]), None) is None:
                return self.error(404, "Subscription not found")
        return Response(204)

    # --- verification and notifications -------------------------------------------

    def _verify_callback(self, callback_url):
        challenge = secrets.token_hex(16)
        try:
            answer = requests.get(
                callback_url,
                params={"mode": "subscribe", "challenge": challenge},
                timeout=VERIFICATION_TIMEOUT,
            )
        except requests.RequestException as exc:
            self.last_verification = (None, repr(exc))
            return False
        self.last_verification = (answer.status_code, answer.text[:300])
        return answer.status_code == 200 and answer.text.strip() == challenge

    def notify(self, event_name, resource, storefront):
        """Send ``event_name`` to every active subscription of it on ``storefront``."""
        with self.lock:
            targets = [
                s
                for s in self._subscription_state().values()
                if s["is_active"] and s["event_name"] == event_name and s["storefront"] == storefront
            ]
        for subscription in targets:
            body = json.dumps(
                {
                    "event_name": event_name,
                    "id_message": next(self._message_ids),
                    "resource": resource,
                    "storefront": storefront,
                }
            )
            if self.deliver == "thread":
                threading.Thread(
                    target=self._post, args=(subscription["callback_url"], body), daemon=True
                ).start()
            elif self.deliver:
                self._post(subscription["callback_url"], body)
            else:
                self.notifications.append({"url": subscription["callback_url"], "body": body, "status": None})

    def _post(self, url, body):
        timestamp = str(int(self.clock()))
        message = "\n".join(["POST", url, body, timestamp])
        signature = hmac.new(self.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
        record = {"url": url, "body": body, "status": None, "sent_at": time.time()}
        try:
            answer = requests.post(
                url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "Shop-Timestamp": timestamp,
                    "Shop-Signature": signature,
                },
                timeout=NOTIFICATION_TIMEOUT,
            )
            record["status"] = answer.status_code
        except requests.RequestException:
            pass
        with self.lock:
            self._subscription_state()
            self.notifications.append(record)

    # --- hooks from the order side ---------------------------------------------------

    def _order_added(self, id_order, storefront):
        self.notify("order_new", f"/v2/orders/{id_order}", storefront)

    def _unit_status_changed(self, unit):
        self.notify(
            "order_unit_status_changed", f"/v2/order-units/{unit['id_order_unit']}", unit["storefront"]
        )
