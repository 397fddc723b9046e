# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland push-notification subscriptions (``/subscriptions``, spec 2.27.0) and the
callback Kaufland calls (docs ?page=push-notifications). Plain functions over a
:class:`~.client.KauflandClient`; no ORM."""

from . import const


def create_subscription(client, storefront, event_name, callback_url, fallback_email):
    """POST /subscriptions?storefront=: Kaufland verifies ``callback_url`` at once
    (ProblemType ``/problems/subscriptions/unverified-callback-url`` when it fails).

    :return: the Subscription (``id_subscription``, ``event_name``, ``is_active``, ...)
    """
    body = client.request(
        "POST",
        const.PATH_SUBSCRIPTIONS,
        params={"storefront": storefront},
        json_body={"callback_url": callback_url, "fallback_email": fallback_email, "event_name": event_name},
    )
    return (body or {}).get("data") or {}


def list_subscriptions(client):
    """GET /subscriptions, every page (limit at most 30)."""
    offset = 0
    while True:
        body = client._get_json(
            const.PATH_SUBSCRIPTIONS,
            {const.Q_LIMIT: const.SUBSCRIPTIONS_PAGE_LIMIT, const.Q_OFFSET: offset},
        )
        items = (body or {}).get("data") or []
        yield from items
        total = ((body or {}).get("pagination") or {}).get("total")
        offset += len(items)
        if not items or (total is not None and offset >= int(total)):
            return


def delete_subscription(client, id_subscription):
    """DELETE /subscriptions/{id} (204)."""
    client.request("DELETE", const.PATH_SUBSCRIPTION.format(id_subscription=int(id_subscription)))


def handshake_answer(query):
    """The body that answers Kaufland's callback verification, or None when ``query`` is not one.

    Kaufland GETs the callback URL with ``mode=subscribe&challenge=X``; the answer is X alone.
    """
    if query.get("mode") in const.HANDSHAKE_MODES and query.get("challenge"):
        return query["challenge"]
    return None


def wants_sync(payload):
    """True when a notification's event may concern orders (``event_name``)."""
    event = (payload or {}).get("event_name") if isinstance(payload, dict) else None
    # an unreadable notification still means "something changed": fetch
    return event is None or event in const.ORDER_EVENTS
