# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop webhooks (``/api/rest/v1/webhooks``) and the check of their deliveries.
Plain functions over a :class:`~.client.CcvClient`; no ORM."""

import hashlib
import hmac

from . import const


def create_webhook(client, event, address):
    """POST webhooks: the answer carries the ``key`` deliveries are signed with."""
    return client.request(
        "POST", const.PATH_WEBHOOKS, json_body={"event": event, "address": address, "is_active": True}
    )


def list_webhooks(client):
    return list(client.paginate(const.PATH_WEBHOOKS))


def delete_webhook(client, webhook_id):
    client.request("DELETE", const.PATH_WEBHOOK.format(id=int(webhook_id)))


def delivery_hash(key, body):
    """x-hash of a delivery: hex HMAC-SHA512 of the raw body with the webhook's key (assumed)."""
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def verify_delivery(keys, body, received):
    """True when ``received`` (the x-hash header) is the hash of ``body`` with one of ``keys``."""
    if not received:
        return False
    received = received.strip().lower()
    return any(key and hmac.compare_digest(delivery_hash(key, body), received) for key in keys)


def wants_sync(payload):
    event = payload.get("event") if isinstance(payload, dict) else None
    return event is None or str(event).startswith("orders.")
