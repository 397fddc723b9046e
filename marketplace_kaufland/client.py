# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland Seller API v2 client (pure Python, built from plain values).

Every request is signed: ``Shop-Signature`` = hex HMAC-SHA256 with the secret key
over ``METHOD\\nFULL_URI\\nBODY\\nTIMESTAMP`` (https://sellerapi.kaufland.com/?page=rest-api),
where FULL_URI is the exact URL sent, query string included.
"""

import base64
import hashlib
import hmac
import logging
import time
from urllib.parse import quote, urlencode, urljoin

import requests

from odoo.addons.connector_base.exceptions import (
    ChannelAuthError,
    ChannelRequestError,
    ChannelRetryableError,
)
from odoo.addons.connector_base.http_client import ChannelHttpClient
from odoo.addons.connector_base.schema import (
    ChannelDataError,
    PushResult,
    RawOrder,
    RawRefund,
    unreadable_listing,
)
from odoo.tools.translate import LazyGettext, LazyTranslate

from . import adapter, const

_logger = logging.getLogger(__name__)
# Messages are translated when the engine reads them in a model (the user's language).
_lt = LazyTranslate(__name__, default_lang="en_US")


def sign_request(method, uri, body, timestamp, secret_key):
    """Kaufland's ``signRequest`` (PHP reference in the docs), in Python.

    :param str method: upper-case HTTP method
    :param str uri: full URL as sent, query string included
    :param body: raw request body (str or bytes; empty for GET)
    :param timestamp: the ``Shop-Timestamp`` value (unix seconds)
    :return: lower-case hex digest
    """
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    message = "\n".join([method, uri, body or "", str(timestamp)])
    return hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


class KauflandClient(ChannelHttpClient):
    """Signed JSON client of the Kaufland Seller API v2.

    :param client_key: the 32-character Client Key (Seller Portal > Settings > API)
    :param secret_key: the 64-character Secret Key
    :param base_url: API root; production by default
    :param clock: callable returning unix time (tests)
    :param translate: puts the messages the client stores as text (per-SKU push errors,
        unreadable returns and listings) in the user's language: the model passes ``env._``;
        without it they are English
    """

    channel_name = "Kaufland"

    def __init__(
        self, client_key, secret_key, base_url=None, user_agent=None, clock=None, translate=None, **kwargs
    ):
        super().__init__(base_url or const.API_BASE_URL, **kwargs)
        self._translate = translate or str
        if not client_key or not secret_key:
            raise ChannelAuthError(
                _lt(
                    "The Kaufland Client Key and Secret Key are missing: copy them from the Kaufland "
                    "Seller Portal (Settings > API) into the account."
                )
            )
        self._client_key = client_key
        self._secret_key = secret_key
        self._clock = clock or time.time
        self.session.headers["User-Agent"] = user_agent or const.USER_AGENT

    def __repr__(self):
        return f"<KauflandClient {self.base_url}>"

    def _text(self, message):
        """A message (lazy or not, or the exception carrying it) as text in the user's language."""
        if isinstance(message, Exception) and message.args:
            message = message.args[0]
        return self._translate(message) if isinstance(message, LazyGettext) else str(message)

    # --- ChannelHttpClient hooks -------------------------------------------

    def url(self, path, params=None):
        """Full URL with a strictly encoded query (as PHP's http_build_query and the reference
        client do): the signature covers it byte for byte."""
        url = urljoin(self.base_url, path.lstrip("/"))
        if params:
            pairs = []
            for key, value in params.items() if isinstance(params, dict) else params:
                values = value if isinstance(value, list | tuple) else [value]
                pairs.extend((key, v) for v in values if v is not None)
            query = urlencode(pairs)
            url = f"{url}?{query}" if query else url
        return url

    def _sign(self, method, url, body, headers):
        # Sign what requests will put on the wire, not what we built.
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, None)
        timestamp = str(int(self._clock()))
        headers[const.HEADER_CLIENT_KEY] = self._client_key
        headers[const.HEADER_TIMESTAMP] = timestamp
        headers[const.HEADER_SIGNATURE] = sign_request(
            method, prepared.url, body, timestamp, self._secret_key
        )
        return prepared.url

    def _error_message(self, response):
        try:
            data = response.json()
        except ValueError:
            return (response.text or "").strip()[:300] or response.reason
        if not isinstance(data, dict):
            return str(data)[:300]
        message = data.get("message") or data.get("type") or response.reason
        details = "; ".join(
            f"{e.get('field')}: {e.get('message')}" for e in data.get("errors") or () if isinstance(e, dict)
        )
        return f"{message} ({details})" if details else str(message)

    def _is_auth_error(self, response):
        """401, or a 403 whose problem type is about the keys or the signature.

        Any other 403 (e.g. /problems/action-not-allowed on a unit already sent) is a
        refused request, not a reason to doubt the credentials.
        """
        if response.status_code == 401:
            return True
        if response.status_code != 403:
            return False
        try:
            data = response.json()
        except ValueError:
            return True
        problem = data.get("type") if isinstance(data, dict) else None
        return not problem or problem in const.AUTH_PROBLEMS

    def _error_for(self, response, method, safe_url):
        error = super()._error_for(response, method, safe_url)
        if response.status_code == 429 and error.retry_after is None:
            # 111 requests per second per seller (rate-limits page), no Retry-After
            # documented: the next second has room again.
            error.retry_after = const.RATE_LIMIT_WAIT
        return error

    def _auth_error_hint(self, response):
        # the base writes it into its message at once: text in the user's language
        return self._text(
            _lt(
                "Check the Client Key and Secret Key (Kaufland Seller Portal > Settings > API) and that "
                "this server's clock is right: Kaufland refuses signatures with an old timestamp."
            )
        )

    # --- reading ------------------------------------------------------------

    def _get_json(self, path, params=None):
        """GET with one more try on a malformed body (the base retries network faults)."""
        try:
            return self.request("GET", path, params=params)
        except ChannelRetryableError as exc:
            if exc.status != 200:
                raise
            _logger.info("Kaufland sent malformed JSON on %s; asking once more", path)
            return self.request("GET", path, params=params)

    def iter_pages(self, path, params=None):
        """Yield the items of every page (``limit``/``offset``; ``pagination.total``)."""
        for items, _total in self.iter_page_lists(path, params):
            yield from items

    def iter_page_lists(self, path, params=None):
        """Yield ``(items, total)`` per page; a short page is asked once more."""
        params = dict(params or {})
        offset = 0
        while True:
            items, total = self._page(path, params, offset)
            expected = None if total is None else min(const.PAGE_LIMIT, total - offset)
            if expected is not None and len(items) < expected:
                _logger.info("Kaufland page %s offset %s ended early; asking once more", path, offset)
                items, total = self._page(path, params, offset)
                expected = None if total is None else min(const.PAGE_LIMIT, total - offset)
                if expected is not None and len(items) < expected:
                    raise ChannelRetryableError(
                        _lt(
                            "Kaufland returned an incomplete page of %(path)s (%(count)s of %(expected)s "
                            "items); the next synchronization tries again.",
                            path=path,
                            count=len(items),
                            expected=expected,
                        )
                    )
            yield items, total
            offset += len(items)
            if (
                not items
                or (total is not None and offset >= total)
                or (total is None and len(items) < const.PAGE_LIMIT)
            ):
                return

    def _page(self, path, params, offset):
        body = self._get_json(path, {**params, const.Q_LIMIT: const.PAGE_LIMIT, const.Q_OFFSET: offset})
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ChannelRetryableError(_lt("Kaufland answered %s without a list of data.", path))
        pagination = body.get("pagination") or {}
        total = pagination.get("total")
        return body["data"], int(total) if total is not None else None

    def ping(self):
        """GET /status/ping: a signed call that only succeeds with valid keys."""
        body = self._get_json(const.PATH_PING) or {}
        return ((body.get("data") or {}).get("message")) or "pong"

    def get_order_payload(self, id_order):
        """GET /orders/{id_order} -> grouped payload with all units of the order."""
        body = self._get_json(const.PATH_ORDER.format(id_order=quote(str(id_order), safe="")))
        data = (body or {}).get("data")
        if not isinstance(data, dict):
            raise ChannelRetryableError(_lt("Kaufland answered order %s without data.", id_order))
        return adapter.order_payload(data.get("order_units") or [], order=data)

    def fetch_raw_orders(self, since, storefronts=None, statuses=None):
        """Yield a :class:`RawOrder` per order with units changed since ``since``.

        One GET /order-units listing (100 units a call) per storefront, grouped by
        ``id_order``. New orders arrive complete (all units are created at
        checkout); for an older order only its changed units are listed, so it is
        read whole with GET /orders/{id} — one call, only when a changed unit
        matters (import status, cancelled or returned).
        """
        units = {}
        for storefront in storefronts or [None]:
            params = {const.Q_STOREFRONT: storefront, const.Q_UPDATED_FROM: adapter.format_since(since)}
            for unit in self.iter_pages(const.PATH_ORDER_UNITS, params):
                units[str(unit.get("id_order_unit"))] = unit  # offsets shift: drop duplicates
        for id_order, order_units in adapter.group_order_units(units.values()).items():
            try:
                if not adapter.order_wanted({"order_units": order_units}, statuses):
                    continue
                if adapter.may_be_incomplete(order_units, since):
                    payload = self.get_order_payload(id_order)
                else:
                    payload = adapter.order_payload(order_units)
                if adapter.order_wanted(payload, statuses):
                    yield adapter.raw_order(payload)
            except ChannelDataError as exc:
                # Store it anyway: parsing parks it with the reason for a person to see.
                _logger.warning("Kaufland order %s has unreadable data: %s", id_order, exc)
                yield RawOrder(id_order, None, adapter.order_payload(order_units), reference=id_order)

    def fetch_raw_refunds(self, since, storefronts=None):
        """Yield a :class:`RawRefund` per return changed since ``since``.

        GET /returns (updated since, per storefront) lists the returns; each is read with
        its return units (GET /returns/{id}?embedded=return_units) and the units of its
        order (one order per return: GET /order-units/{id} for the order id, then
        GET /orders/{id_order}), whose prices are what the buyer is refunded.
        """
        returns = {}
        for storefront in storefronts or [None]:
            params = {
                const.Q_STOREFRONT: storefront,
                "ts_updated_from_iso": adapter.format_since(since),
                "sort": "ts_updated:desc",
            }
            for ret in self.iter_pages(const.PATH_RETURNS, params):
                returns[str(ret.get("id_return"))] = ret
        for id_return, ret in returns.items():
            try:
                yield adapter.raw_refund(self.get_return_payload(id_return))
            except (ChannelDataError, ChannelRequestError) as exc:
                # e.g. its order unit answers 404: stored anyway, booking parks it with the
                # reason, and the other returns go on
                _logger.warning("Kaufland return %s cannot be read whole: %s", id_return, exc)
                yield RawRefund(
                    id_return,
                    None,
                    {"return": ret, "error": self._text(exc)[:300]},
                    reference=f"Return {id_return}",
                )

    def get_return_payload(self, id_return):
        body = self._get_json(
            const.PATH_RETURN.format(id_return=quote(str(id_return), safe="")), {"embedded": "return_units"}
        )
        details = (body or {}).get("data")
        if not isinstance(details, dict):
            raise ChannelRetryableError(_lt("Kaufland answered return %s without data.", id_return))
        return_units = details.get("return_units") or []
        order_units = []
        if return_units:
            first = return_units[0].get("id_order_unit")
            unit = (
                self._get_json(const.PATH_ORDER_UNIT.format(id_order_unit=quote(str(first), safe=""))) or {}
            ).get("data") or {}
            if unit.get("id_order"):
                order = self.get_order_payload(unit["id_order"])
                order_units = order.get("order_units") or []
        return adapter.refund_payload(details, order_units)

    def send_refund(self, request, already_sent=(), on_sent=None):
        """PATCH /order-units/{id}/refund {amount (cents), reason} per part of the refund.

        Parts accepted before (``already_sent`` keys) are not sent again.

        :return: the (id_order_unit, cents, reason) parts sent now
        """
        payload = self.get_order_payload(request.order_external_id)
        sent = []
        for id_unit, cents, reason in adapter.refund_parts(request, payload.get("order_units") or []):
            key = f"{id_unit}:{cents}:{reason}"
            if key in already_sent:
                continue
            self.request(
                "PATCH",
                const.PATH_UNIT_REFUND.format(id_order_unit=quote(str(id_unit), safe="")),
                json_body={"amount": cents, "reason": reason},
            )
            sent.append((id_unit, cents, reason))
            if on_sent:
                on_sent(key)
        return sent

    def iter_units(self, storefront, **filters):
        yield from self.iter_pages(const.PATH_UNITS, self._units_params(storefront, filters))

    @staticmethod
    def _units_params(storefront, filters=None):
        # embedded products: their EANs match offers whose offer id is not the SKU
        return {const.Q_STOREFRONT: storefront, "embedded": "products", **(filters or {})}

    def find_unit_id(self, storefront, sku, ean=""):
        """id_unit of the offer ``sku`` (else of ``ean``) on ``storefront``, or ''."""
        if sku:
            body = self._get_json(const.PATH_UNITS, {const.Q_STOREFRONT: storefront, "id_offer": sku})
            found = adapter.unit_id_for((body or {}).get("data") or [], sku)
            if found:
                return found
        if ean:
            body = self._get_json(const.PATH_UNITS, {const.Q_STOREFRONT: storefront, "ean": ean})
            return adapter.unit_id_for((body or {}).get("data") or [], sku, by_ean=True)
        return ""

    def iter_catalogue(self, storefronts):
        for storefront in storefronts:
            for unit in self.iter_units(storefront):
                try:
                    yield adapter.catalogue_product(unit)
                except ChannelDataError as exc:
                    yield unreadable_listing(
                        ChannelDataError(self._text(exc)),  # its text in the user's language
                        unit.get("id_unit"),
                        unit.get("id_offer"),
                        storefront=str(unit.get("storefront") or storefront or "").lower(),
                    )

    # --- writing ------------------------------------------------------------

    def push_stock(self, items, storefronts):
        """Set the amount of each item's offer, 150 offers per POST /units/bulk.

        An item belongs to its own storefront (``item.storefront``) or, without one, to
        the first configured storefront: there ``item.external_id`` (the bound id_unit)
        is trusted and a missing offer is an error. On the other storefronts the amount
        follows where the seller offers the product; where it is not, there is nothing
        to update. Offers are found by offer id (= SKU), else by EAN, in the seller's
        units listed once per storefront (see :meth:`find_offers`).
        """
        result = PushResult()
        primary = storefronts[0] if storefronts else None
        for storefront in storefronts:
            mine = []  # (item, own) of this storefront
            for item in items:
                target = (item.storefront or "").lower()
                if not target or target == storefront:
                    mine.append((item, target == storefront or (not target and storefront == primary)))
            found = self.find_offers(
                storefront, [item for item, own in mine if not (own and item.external_id)]
            )
            amounts, sku_of = {}, {}
            for item, own in mine:
                id_unit = str(item.external_id if own and item.external_id else found.get(item.sku) or "")
                if not id_unit:
                    if own:
                        if item.ean:
                            message = _lt(
                                "%(storefront)s: no Kaufland offer with offer id %(sku)s or EAN %(ean)s; "
                                "create the offer first (export products).",
                                storefront=storefront,
                                sku=item.sku,
                                ean=item.ean,
                            )
                        else:
                            message = _lt(
                                "%(storefront)s: no Kaufland offer with offer id %(sku)s; create the offer "
                                "first (export products).",
                                storefront=storefront,
                                sku=item.sku,
                            )
                        _add_error(result, item.sku, self._text(message))
                    continue
                amounts[id_unit] = item.quantity
                sku_of[id_unit] = item.sku
                if own:
                    result.external_ids[item.sku] = id_unit
            ids = list(amounts)
            for start in range(0, len(ids), const.BULK_MAX_UNITS):
                chunk = {i: amounts[i] for i in ids[start : start + const.BULK_MAX_UNITS]}
                response = self.request(
                    "POST",
                    const.PATH_UNITS_BULK,
                    params={const.Q_STOREFRONT: storefront},
                    json_body=adapter.stock_bulk_body(chunk),
                )
                for id_unit, error in adapter.bulk_results(response).items():
                    if error:
                        _add_error(result, sku_of.get(id_unit, id_unit), f"{storefront}: {error}")
        return result

    def find_offers(self, storefront, items):
        """``{sku: id_unit}`` of the seller's offers of ``items`` on ``storefront``.

        One paged GET /units listing of the storefront, matched in memory: the unit
        whose offer id is the SKU, else the first unit of the item's EAN. The listing
        stops once every SKU is found; when the pages still to read would cost more
        requests than looking the few missing items up one by one (a large catalogue,
        a small batch), those are looked up instead (:meth:`find_unit_id`).
        """
        if not items:
            return {}
        by_sku, by_ean, seen = {}, {}, 0
        params = self._units_params(storefront)
        for units, total in self.iter_page_lists(const.PATH_UNITS, params):
            for unit in units:
                id_unit = str(unit.get("id_unit") or "")
                if not id_unit:
                    continue
                if unit.get("id_offer"):
                    by_sku.setdefault(str(unit["id_offer"]), id_unit)
                for ean in (unit.get("product") or {}).get("eans") or ():
                    if ean:
                        by_ean.setdefault(str(ean), id_unit)
            seen += len(units)
            missing = [item for item in items if item.sku not in by_sku]
            if not missing:
                break
            pages_left = -(-(total - seen) // const.PAGE_LIMIT) if total is not None else 0
            lookups = sum(2 if item.ean else 1 for item in missing)
            if lookups < pages_left:
                for item in missing:
                    by_sku[item.sku] = self.find_unit_id(storefront, item.sku, item.ean)
                break
        return {item.sku: by_sku.get(item.sku) or by_ean.get(item.ean or "") or "" for item in items}

    def push_products(self, products, storefronts, update=False, handling_time=const.DEFAULT_HANDLING_TIME):
        """Create missing offers (POST /units) and, with ``update``, update existing ones
        (PATCH /units/{id}) and their product data (PATCH /product-data).

        Product data is also sent for a new offer whose EAN Kaufland does not know
        yet (unit status INCOMPLETE), so the offer can go live.
        """
        result = PushResult()
        primary = storefronts[0] if storefronts else None
        for product in products:
            for storefront in storefronts:
                if storefront != primary and not adapter.sells_in(product, storefront):
                    # e.g. a EUR price and the cz storefront (CZK): that offer is priced
                    # in the Seller Portal; its stock still follows.
                    continue
                try:
                    id_unit = self._push_product(product, storefront, primary, update, handling_time)
                except (ChannelDataError, ChannelRequestError) as exc:
                    _add_error(result, product.sku, f"{storefront}: {self._text(exc)}")
                    continue
                if id_unit and storefront == primary:
                    result.external_ids[product.sku] = id_unit
        return result

    def _push_product(self, product, storefront, primary, update, handling_time):
        known = product.external_id if storefront == primary else ""
        if product.price_only:
            return self._push_price(product, storefront, primary, known)
        if known and not update:
            return known  # create only: leave what was edited in Kaufland alone
        id_unit = known or self.find_unit_id(storefront, product.sku, product.ean)
        locale_params = {"locale": const.STOREFRONT_LOCALE[storefront]}
        if id_unit:
            if update:
                self.request(
                    "PATCH",
                    const.PATH_UNIT.format(id_unit=id_unit),
                    params={const.Q_STOREFRONT: storefront},
                    json_body=adapter.unit_patch_body(product, storefront),
                )
                if product.ean and product.name:
                    self.request(
                        "PATCH",
                        const.PATH_PRODUCT_DATA,
                        params=locale_params,
                        json_body=adapter.product_data_body(product),
                    )
            return str(id_unit)
        body = self.request(
            "POST",
            const.PATH_UNITS,
            params={const.Q_STOREFRONT: storefront},
            json_body=adapter.unit_create_body(product, storefront, handling_time),
        )
        unit = (body or {}).get("data") or {}
        if product.name and (update or unit.get("status") == const.UNIT_STATUS_INCOMPLETE):
            self.request(
                "PATCH",
                const.PATH_PRODUCT_DATA,
                params=locale_params,
                json_body=adapter.product_data_body(product),
            )
        return str(unit.get("id_unit") or "")

    def _push_price(self, product, storefront, primary, known):
        """The listing price alone (update product info off): PATCH /units/{id_unit}."""
        id_unit = known or self.find_unit_id(storefront, product.sku, product.ean)
        if not id_unit:
            if storefront != primary:
                return ""  # not offered on this storefront
            raise ChannelRequestError(
                _lt(
                    "%(storefront)s: no Kaufland offer with offer id %(sku)s any more; switch on "
                    "'Update product info' on the account to create it again.",
                    storefront=storefront,
                    sku=product.sku,
                )
            )
        self.request(
            "PATCH",
            const.PATH_UNIT.format(id_unit=id_unit),
            params={const.Q_STOREFRONT: storefront},
            json_body=adapter.unit_price_body(product, storefront),
        )
        return str(id_unit)

    def confirm_shipment(self, shipment):
        """PATCH /order-units/{id}/send for each unit of the shipment still to send.

        The order is read first, so a retry after a partial failure only sends the
        units that are still ``need_to_be_sent``.

        :return: the ids of the units marked as sent
        """
        body = adapter.send_body(shipment)
        payload = self.get_order_payload(shipment.order_external_id)
        pending = adapter.units_to_ship(payload)
        if shipment.lines:
            ids = []
            for line in shipment.lines:
                candidates = [
                    i
                    for i in adapter.units_to_ship(
                        payload,
                        adapter.split_unit_ids(line.line_external_id) or None,
                        sku=None if line.line_external_id else line.sku,
                    )
                    if i not in ids
                ]
                ids += candidates[: int(line.quantity)] if line.quantity else candidates
        else:
            ids = pending
        for id_unit in ids:
            self.request("PATCH", const.PATH_UNIT_SEND.format(id_order_unit=id_unit), json_body=body)
        return ids

    def cancel_units(self, id_order, unit_ids, reason=None):
        """PATCH /order-units/{id}/cancel for the given units that can still be cancelled
        (not cancelled, sent or returned yet)."""
        payload = self.get_order_payload(id_order)
        open_units = {
            str(u.get("id_order_unit"))
            for u in payload.get("order_units") or ()
            if u.get("status") in const.CANCELLABLE_STATUSES
        }
        body = adapter.cancel_body(reason)
        cancelled = []
        for id_unit in unit_ids:
            if str(id_unit) not in open_units:
                continue
            self.request("PATCH", const.PATH_UNIT_CANCEL.format(id_order_unit=id_unit), json_body=body)
            cancelled.append(str(id_unit))
        return cancelled

    # --- order invoices ---------------------------------------------------------------

    def upload_invoice(self, id_order, filename, content, mime_type="application/pdf"):
        """POST /order-invoices/{id_order}: one document (invoice or credit note) of an order.

        The body is exactly ``{original_name, mime_type, data}`` with the file base64
        encoded (OpenAPI 2.27.0 ``OrderInvoiceUploadRequest``); the spec has no document
        type, so a credit note is one more document of the order, named as such.

        :return: the channel's ``OrderInvoice`` dict (``id_invoice``, ``url``...)
        """
        body = self.request(
            "POST",
            const.PATH_ORDER_INVOICES.format(id_order=quote(str(id_order), safe="")),
            json_body={
                "original_name": filename,
                "mime_type": mime_type,
                "data": base64.b64encode(content).decode("ascii"),
            },
        )
        return (body or {}).get("data") or {}


def _add_error(result, sku, message):
    result.errors[sku] = f"{result.errors[sku]} | {message}" if sku in result.errors else message
