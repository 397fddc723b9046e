# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon refunds through the Finances API v0 (python-amazon-sp-api ``Finances``), no ORM.

* ``listFinancialEvents`` by posted date (``PostedAfter``; ``PostedBefore`` left to its
  default, now minus two minutes), all pages with ``NextToken`` (empty pages happen);
* ``listFinancialEventsByOrderId`` to read one order's refunds again (Retry).

Both are paced at the usage plan (0.5 requests/s, burst 30, financesV0.json) by the
client's token bucket, with the client's retries and error mapping.
"""

from datetime import timedelta

from sp_api.api import Finances

from odoo.addons.connector_base.exceptions import ChannelAuthError
from odoo.tools.translate import LazyTranslate

from . import refund_adapter
from .client import iso_utc, utcnow

_lt = LazyTranslate(__name__, default_lang="en_US")

FINANCES_VERSION = "v0"
# financesV0.json usage plans: operation -> (requests per second, burst)
RATE_LIMITS = {"listFinancialEvents": (0.5, 30), "listFinancialEventsByOrderId": (0.5, 30)}
PAGE_SIZE = 100  # MaxResultsPerPage: 1-100
# "Orders from the last 48 hours might not be included in financial events" and deferred
# events appear only when released: each fetch reaches back this much before the watermark
# (already stored refunds come back unchanged and are not booked again).
POSTING_LAG = timedelta(hours=48)
# PostedAfter and PostedBefore more than 180 days apart: Amazon answers nothing.
MAX_WINDOW = timedelta(days=180)
# PostedAfter must be more than two minutes before the request.
LATEST = timedelta(minutes=3)


def _finances(client):
    for operation, limit in RATE_LIMITS.items():
        client.limiter.limits.setdefault(operation, limit)
    return client._api(Finances, version=FINANCES_VERSION)


def _pages(client, operation, call, what):
    """Yield the ``FinancialEvents`` of every page of a Finances v0 list operation."""
    token = None
    while True:
        try:
            response = client._call(operation, lambda t=token: call(t), what)
        except ChannelAuthError as exc:
            if exc.status != 403:
                raise
            raise ChannelAuthError(
                _lt(
                    "%s Refunds are read with the Finances API: the app needs the Finance and "
                    "Accounting role (Seller Central > Develop Apps), then authorize it again.",
                    exc.args[0] if exc.args else "",
                ),
                status=exc.status,
            ) from None
        payload = response.payload or {}
        yield payload.get("FinancialEvents") or {}
        token = payload.get("NextToken") or response.next_token
        if not token:
            return


def fetch_raw_refunds(client, since, page_size=PAGE_SIZE, floor=None):
    """Yield :class:`RawRefund` of the refund events posted since ``since`` (naive UTC)
    minus the posting lag, never before ``floor`` (the account's import start: older
    refunds are of orders Odoo never imported), at most 180 days back."""
    api = _finances(client)
    now = utcnow()
    start = (since or now - timedelta(days=7)) - POSTING_LAG
    if floor and start < floor:
        start = floor
    start = min(max(start, now - MAX_WINDOW + timedelta(minutes=5)), now - LATEST)
    params = {"PostedAfter": iso_utc(start), "MaxResultsPerPage": page_size}

    def call(token):
        return api.list_financial_events(**(dict(params, NextToken=token) if token else params))

    for events in _pages(client, "listFinancialEvents", call, _lt("reading refunds")):
        yield from refund_adapter.raw_refunds(events)


def get_order_refunds(client, order_id, page_size=PAGE_SIZE):
    """:class:`RawRefund` of every refund event of one order (listFinancialEventsByOrderId)."""
    api = _finances(client)
    params = {"MaxResultsPerPage": page_size}

    def call(token):
        return api.get_financial_events_for_order(
            order_id, **(dict(params, NextToken=token) if token else params)
        )

    raws = []
    for events in _pages(
        client, "listFinancialEventsByOrderId", call, _lt("reading the refunds of order %s", order_id)
    ):
        raws.extend(refund_adapter.raw_refunds(events))
    return raws
