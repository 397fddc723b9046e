# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop REST API v1 client (pure Python, no ORM).

Every request is signed with HMAC-SHA512 over ``public|METHOD|URI|body|x-date``
and every successful answer carries CCV's own ``x-hash`` over the answer body,
which is checked the way CCV's official PHP client does
(``BaseEndpoint::validateResponse``).
"""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests

from odoo.addons.connector_base.exceptions import ChannelRequestError, ChannelRetryableError
from odoo.addons.connector_base.http_client import ChannelHttpClient
from odoo.tools.translate import LazyTranslate

from . import const

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")


def compute_hash(public_key, secret_key, method, uri, body, x_date):
    """CCV's x-hash: hex HMAC-SHA512 of ``public|METHOD|uri|body|x-date``.

    :param str uri: path and query string, without scheme and host
    :param body: exact body sent or received (bytes or str; empty for none)
    """
    if isinstance(body, str):
        body = body.encode()
    message = f"{public_key}|{method.upper()}|{uri}|".encode() + (body or b"") + f"|{x_date}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha512).hexdigest()


def build_base_url(shop_domain="", override=""):
    """API root from the account: the override if set, else ``https://<domain>/api/rest/v1/``.

    An override without a path (``http://127.0.0.1:8069``) gets CCV's API prefix.
    """
    if override:
        parts = urlsplit(override.strip())
        path = parts.path if parts.path not in ("", "/") else const.API_PREFIX
        return urlunsplit(parts._replace(path=path.rstrip("/") + "/"))
    domain = (shop_domain or "").strip()
    domain = domain.split("://", 1)[-1].strip("/")
    if not domain:
        raise ChannelRequestError(
            _lt("Set the shop domain of the CCV Shop account (e.g. myshop.ccvshop.nl).")
        )
    return const.DEFAULT_BASE_URL.format(domain=domain)


class CcvClient(ChannelHttpClient):
    """Signed JSON calls to one CCV webshop.

    :param str base_url: API root, see :func:`build_base_url`
    :param str public_key: API public key
    :param str secret_key: API secret
    :param now: callable returning an aware UTC datetime (tests)
    """

    channel_name = const.CHANNEL_NAME

    def __init__(self, base_url, public_key, secret_key, now=None, page_size=const.PAGE_SIZE, **kwargs):
        super().__init__(base_url, **kwargs)
        if not public_key or not secret_key:
            raise ChannelRequestError(
                _lt(
                    "The CCV Shop API public key and secret are missing: create an API key in the "
                    "CCV Shop back office and enter both in the account."
                )
            )
        self.public_key = public_key
        self._secret_key = secret_key
        self._now = now or (lambda: datetime.now(UTC))
        self.page_size = page_size

    def __repr__(self):
        return f"<CcvClient {self.base_url}>"  # never the keys

    # --- ChannelHttpClient hooks --------------------------------------------

    def _sign(self, method, url, body, headers):
        # Sign exactly the URI requests will send: prepare it the same way first.
        url = requests.Request(method, url).prepare().url
        parts = urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        x_date = self._now().astimezone(UTC).strftime(const.DATE_FORMAT)
        headers[const.HEADER_PUBLIC] = self.public_key
        headers[const.HEADER_DATE] = x_date
        headers[const.HEADER_HASH] = compute_hash(
            self.public_key, self._secret_key, method, uri, body, x_date
        )
        return url

    def _error_message(self, response):
        try:
            data = response.json()
        except ValueError:
            return super()._error_message(response)
        if isinstance(data, dict) and (data.get("developermessage") or data.get("code")):
            text = data.get("developermessage") or data.get("message") or ""
            return f"{text} [{data['code']}]" if data.get("code") else text
        return super()._error_message(response)

    def _auth_error_hint(self, response):
        return _lt(
            "Check the API public key and secret of the CCV Shop account (CCV Shop back office: "
            "Settings > Apps/API), and that the Odoo server clock is right: requests carry their time."
        )

    def _error_for(self, response, method, safe_url):
        error = super()._error_for(response, method, safe_url)
        code = error_code(response)
        error.ccv_code = code
        where = f"{method} {urlsplit(safe_url).path}"
        if response.status_code == 429:
            if error.retry_after is None:
                error.retry_after = const.RATE_LIMIT_WAIT.get(code, 10)
            if code == const.CODE_RATE_LIMIT_TOTAL:
                message = _lt(
                    "CCV Shop: rate limit for the whole API reached (%(code)s) on %(where)s.",
                    code=code,
                    where=where,
                )
            else:
                message = _lt(
                    "CCV Shop: rate limit for this resource reached (%(code)s) on %(where)s.",
                    code=code or 429,
                    where=where,
                )
            error.args = (message,)
        elif code in const.NOT_RETRYABLE_CODES or code == const.CODE_SAME_VALUE:
            reason = const.NOT_RETRYABLE_CODES.get(code) or _lt("the value is already set")
            error = ChannelRequestError(
                _lt(
                    "CCV Shop refused %(where)s: %(reason)s (%(detail)s).",
                    where=where,
                    reason=reason,
                    detail=error.response_text,
                ),
                status=response.status_code,
                response_text=error.response_text,
            )
            error.ccv_code = code
        return error

    # --- transport -----------------------------------------------------------

    def request_raw(self, method, path, params=None, json_body=None, data=None, headers=None):
        headers = {"Accept": const.ACCEPT, **(headers or {})}
        if json_body is not None:
            # PHP's json_encode escapes non-ASCII; send ASCII so the signed bytes are the sent bytes
            data = json.dumps(json_body, separators=(",", ":"), ensure_ascii=True).encode()
            headers.setdefault("Content-Type", "application/json")
        attempt = 0
        while True:
            response = super().request_raw(method, path, params=params, data=data, headers=headers)
            problem = self._signature_problem(method, response)
            if not problem:
                return response
            if attempt >= self.max_retries:
                raise ChannelRetryableError(problem, status=response.status_code)
            _logger.warning("%s; retry %d/%d", problem, attempt + 1, self.max_retries)
            self._sleep(min(self.max_wait, 2**attempt))
            attempt += 1

    def _signature_problem(self, method, response):
        """Why the answer's x-hash is not CCV's (None when it is)."""
        uri = response.request.path_url if response.request is not None else ""
        received = response.headers.get(const.HEADER_HASH)
        x_date = response.headers.get(const.HEADER_DATE)
        where = f"{method.upper()} {urlsplit(uri).path}"
        if not received or not x_date:
            return _lt("CCV Shop's answer to %s was not signed (no x-hash); it was discarded.", where)
        expected = compute_hash(self.public_key, self._secret_key, method, uri, response.content, x_date)
        if not hmac.compare_digest(expected, received.strip().lower()):
            return _lt(
                "CCV Shop's answer to %s failed its signature check; it was discarded. If this "
                "persists, check the API secret and that no proxy alters the shop's answers.",
                where,
            )
        return None

    def _local_url(self, link):
        """A ``next`` link, on our base URL's scheme and host (path and query kept)."""
        link_parts = urlsplit(link)
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, link_parts.path, link_parts.query, ""))

    def paginate(self, path, params=None):
        """Yield the items of a collection, following ``next`` until it is null."""
        params = dict(params or {})
        params.setdefault("start", 0)
        params.setdefault("size", self.page_size)
        url = self.url(path, params)
        seen = set()
        while url and url not in seen:
            seen.add(url)
            page = self._get_page(url)
            yield from page["items"]
            url = self._local_url(page["next"]) if page.get("next") else None

    def _get_page(self, url):
        query = dict(parse_qsl(urlsplit(url).query))
        size = int(query.get("size") or 0)
        attempt = 0
        while True:
            page = self.request("GET", url)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise ChannelRetryableError(
                    _lt(
                        "CCV Shop answered %s without a list of items; try again later.",
                        urlsplit(url).path,
                    )
                )
            # A full page is expected whenever there is a next one: a short page lost items.
            if not (page.get("next") and size and len(page["items"]) < size):
                return page
            if attempt >= self.max_retries:
                raise ChannelRetryableError(
                    _lt("CCV Shop returned an incomplete page for %s; try again later.", urlsplit(url).path)
                )
            self._sleep(min(self.max_wait, 2**attempt))
            attempt += 1

    # --- endpoints -------------------------------------------------------------

    def webshops(self):
        return list(self.paginate(const.PATH_WEBSHOPS))

    def iter_orders(self, min_create_date=None, status=None, is_paid=None):
        """Orders created since ``min_create_date`` (aware/naive UTC datetime), oldest id first."""
        params = {"orderby": const.ORDER_BY}
        if min_create_date:
            params[const.FILTER_MIN_CREATE_DATE] = min_create_date.strftime("%Y-%m-%d")
        if status is not None:
            params[const.FILTER_STATUS] = int(status)
        if is_paid is not None:
            params[const.FILTER_IS_PAID] = "true" if is_paid else "false"
        return self.paginate(const.PATH_ORDERS, params)

    def get_order(self, order_id):
        return self.request("GET", const.PATH_ORDER.format(id=int(order_id)))

    def order_rows(self, order_id):
        return list(self.paginate(const.PATH_ORDER_ROWS.format(id=int(order_id))))

    def patch_order(self, order_id, body):
        return self._patch(const.PATH_ORDER.format(id=int(order_id)), body)

    def iter_returns(self, min_create_date=None):
        """Returns created since ``min_create_date`` (naive UTC datetime), oldest first."""
        params = {"orderby": "id"}
        if min_create_date:
            params[const.FILTER_MIN_CREATE_DATE] = min_create_date.strftime("%Y-%m-%d")
        return self.paginate(const.PATH_RETURNS, params)

    def get_return(self, return_id):
        return self.request("GET", const.PATH_RETURN.format(id=int(return_id)))

    def return_rows(self, return_id):
        return list(self.paginate(const.PATH_RETURN_ROWS.format(id=int(return_id))))

    def get_product(self, product_id):
        return self.request("GET", const.PATH_PRODUCT.format(id=int(product_id)))

    def find_product(self, sku):
        """The product whose productnumber is ``sku`` exactly, or None."""
        for item in self.paginate(const.PATH_PRODUCTS, {"productnumber": sku}):
            if (item.get("productnumber") or "") == sku:
                return item
        return None

    def iter_products(self, **filters):
        return self.paginate(const.PATH_PRODUCTS, filters)

    def create_product(self, body):
        """POST a product; return it (CCV sometimes answers 204: then look it up)."""
        created = self.request("POST", const.PATH_PRODUCTS, json_body=body)
        if not (isinstance(created, dict) and created.get("id")) and body.get("productnumber"):
            created = self.find_product(body["productnumber"])
        return created or {}

    def update_product(self, product_id, body):
        return self._patch(const.PATH_PRODUCT.format(id=int(product_id)), body)

    def product_combinations(self, product_id):
        return list(self.paginate(const.PATH_ATTRIBUTE_COMBINATIONS.format(id=int(product_id))))

    def update_combination(self, combination_id, body):
        return self._patch(const.PATH_ATTRIBUTE_COMBINATION.format(id=int(combination_id)), body)

    def categories(self):
        return list(self.paginate(const.PATH_CATEGORIES))

    def create_category(self, body):
        return self.request("POST", const.PATH_CATEGORIES, json_body=body) or {}

    def product_categories(self, product_id):
        return list(self.paginate(const.PATH_PRODUCT_CATEGORIES.format(id=int(product_id))))

    def link_category(self, product_id, category_id):
        body = {"product_id": int(product_id), "category_id": int(category_id)}
        return self.request("POST", const.PATH_PRODUCT_TO_CATEGORIES, json_body=body)

    def upload_photo(self, product_id, body):
        return self.request("POST", const.PATH_PRODUCT_PHOTOS.format(id=int(product_id)), json_body=body)

    def packages(self):
        return list(self.paginate(const.PATH_PACKAGES))

    def _patch(self, path, body):
        try:
            self.request("PATCH", path, json_body=body)
        except ChannelRequestError as exc:
            if getattr(exc, "ccv_code", None) != const.CODE_SAME_VALUE:
                raise
            # "same value": the shop already has what we send
        return True


def error_code(response):
    """CCV's error ``code`` ("429.10", ...) of an error answer, or ''."""
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("code") or "") if isinstance(data, dict) else ""
