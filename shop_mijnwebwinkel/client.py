# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP client of the MijnWebwinkel (MyOnlineStore) API v1. No ORM here.

Authentication is two query parameters (``partner_token`` and ``token``) added
to every request in :meth:`MijnWebwinkelClient._sign`; they are declared
sensitive so the base client's logs show ``[REDACTED]``.
"""

import base64
import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from odoo.addons.connector_base.exceptions import ChannelRequestError
from odoo.addons.connector_base.http_client import ChannelHttpClient
from odoo.tools.translate import LazyTranslate

from . import const

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")
_TOKEN_RE = re.compile(r"((?:^|[?&])(?:%s)=)[^&\s\"]*" % "|".join(sorted(const.SENSITIVE_PARAMS)))


class _RedactTokens(logging.Filter):
    """urllib3 logs every request line at DEBUG, query string included: mask our tokens."""

    def filter(self, record):
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN_RE.sub(r"\1[REDACTED]", message), ()
        return True


_urllib3_logger = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _RedactTokens) for f in _urllib3_logger.filters):
    _urllib3_logger.addFilter(_RedactTokens())


class MijnWebwinkelClient(ChannelHttpClient):
    """Client of one MijnWebwinkel shop.

    :param partner_token: token of the integrating partner (this connector)
    :param shop_token: token the merchant created for that partner
    """

    channel_name = "MijnWebwinkel"
    sensitive_params = const.SENSITIVE_PARAMS

    def __init__(self, partner_token, shop_token, base_url=None, language=None, page_size=None, **kwargs):
        base_url = base_url or const.API_BASE_URL
        if not urlsplit(base_url).path.strip("/"):
            # "https://api.mijnwebwinkel.nl" (or an emulator's address) means its v1 API
            base_url = base_url.rstrip("/") + "/" + const.API_VERSION_PATH
        super().__init__(base_url, **kwargs)
        self._partner_token = partner_token or ""
        self._shop_token = shop_token or ""
        self.language = language or const.DEFAULT_LANGUAGE
        self.page_size = min(page_size or const.PAGE_SIZE, const.PAGE_SIZE)

    # --- base client hooks -------------------------------------------------

    def _sign(self, method, url, body, headers):
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        present = {k for k, _v in query}
        defaults = [
            (const.PARAM_FORMAT, const.FORMAT_JSON),
            (const.PARAM_LANGUAGE, self.language),
            (const.PARAM_PARTNER_TOKEN, self._partner_token),
            (const.PARAM_TOKEN, self._shop_token),
        ]
        query += [(k, v) for k, v in defaults if k not in present]
        return urlunsplit(parts._replace(query=urlencode(query, safe="[]:,")))

    def _error_message(self, response):
        try:
            data = response.json()
        except ValueError:
            return super()._error_message(response)
        if isinstance(data, dict):
            parts = [
                str(data[key])
                for key in (
                    const.ErrorF.MESSAGE,
                    const.ErrorF.TITLE,
                    const.ErrorF.DESCRIPTION,
                    const.ErrorF.DETAIL,
                )
                if data.get(key)
            ]
            if parts:
                return ": ".join(dict.fromkeys(parts))[:300]
        return super()._error_message(response)

    def _auth_error_hint(self, response):
        return _lt(
            "Check the partner token and the shop token on the account. The merchant creates the "
            "shop token in MijnWebwinkel under Instellingen > Add-ons & Modules > API "
            "(choose this connector's partner, status active); the API needs the PREMIUM plan."
        )

    # --- helpers -----------------------------------------------------------

    def _count(self, path, params):
        """Number of items a listing will return, or None if the count is unavailable."""
        try:
            data = self.request("GET", path, params=params)
        except ChannelRequestError as exc:
            if exc.status in (400, 404, 405):
                return None
            raise
        try:
            return int(data["count"])
        except (TypeError, KeyError, ValueError):
            return None

    def _iter_pages(self, path, params=None, count_path=None):
        """Yield every item of a limit/offset listing.

        The listing is a bare JSON array. With the count endpoint we know when
        we are done, so a page that ends early (a proxy cutting the answer, or
        items disappearing while we read) does not end the import silently.
        """
        params = dict(params or {})
        total = self._count(count_path, params) if count_path else None
        offset = 0
        while True:
            page = self.request(
                "GET", path, params={**params, const.PARAM_LIMIT: self.page_size, const.PARAM_OFFSET: offset}
            )
            if page is None:
                page = []
            if not isinstance(page, list):
                raise ChannelRequestError(
                    _lt(
                        "%(channel)s answered %(path)s with an object where a list was expected.",
                        channel=self.channel_name,
                        path=path,
                    )
                )
            yield from page
            offset += len(page)
            if not page:
                break
            if total is not None:
                if offset >= total:
                    break
            elif len(page) < self.page_size:
                break

    # --- store ---------------------------------------------------------------

    def get_store(self):
        return self.request("GET", const.EP_STORE) or {}

    def get_order_statuses(self):
        return self.request("GET", const.EP_ORDER_STATUSES) or []

    # --- orders --------------------------------------------------------------

    def iter_orders(self, status_id=None, changed_since=None):
        """Orders (all pages) with ``status_id`` whose status changed since ``changed_since``.

        :param datetime changed_since: naive UTC
        """
        params = {const.PARAM_ORDERING: const.ORDERING_ASC}
        if status_id is not None:
            params[const.PARAM_STATUS_ID] = status_id
        if changed_since:
            local = changed_since.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(const.SHOP_TIMEZONE))
            params[const.PARAM_STATUS_CHANGED_START] = local.strftime(const.DATETIME_PARAM_FORMAT)
        return self._iter_pages(const.EP_ORDERS, params, count_path=const.EP_ORDERS_COUNT)

    def get_order(self, number):
        return self.request("GET", const.EP_ORDER.format(number=number))

    def patch_order(self, number, body):
        return self.request("PATCH", const.EP_ORDER.format(number=number), json_body=body)

    def post_credit_order(self, body):
        """Create a credit order (CreditOrderPostable); return the credit Order."""
        return self.request("POST", const.EP_ORDER_CREDIT, json_body=body)

    # --- articles ------------------------------------------------------------

    def iter_articles(self):
        return self._iter_pages(const.EP_ARTICLES, count_path=const.EP_ARTICLES_COUNT)

    def get_article(self, article_id):
        return self.request(
            "GET", const.EP_ARTICLE.format(id=article_id), params={const.PARAM_USE_URL_ID: "false"}
        )

    def create_article(self, body):
        return self.request("POST", const.EP_ARTICLES, json_body=body)

    def patch_article(self, article_id, body):
        return self.request(
            "PATCH",
            const.EP_ARTICLE.format(id=article_id),
            params={const.PARAM_USE_URL_ID: "false"},
            json_body=body,
        )

    def add_article_fields(self, article_id, values, visible=True):
        """Set merchant-defined article fields (features), creating them when new."""
        return self.request(
            "POST",
            const.EP_ARTICLE_FIELDS.format(id=article_id),
            params={const.PARAM_USE_URL_ID: "false", const.PARAM_VISIBLE: "true" if visible else "false"},
            json_body=values,
        )

    def upload_image(self, article_id, filename, position, content):
        body = {
            const.ImageF.FILENAME: filename,
            const.ImageF.POSITION: position,
            const.ImageF.CONTENT: base64.b64encode(content).decode(),
        }
        # The answer is a bare string ("success"): not worth decoding.
        self.request_raw("POST", const.EP_ARTICLE_UPLOAD_IMAGE.format(id=article_id), json_body=body)

    def delete_image(self, image_id):
        return self.request("DELETE", const.EP_DELETE_IMAGE.format(id=image_id))

    def get_article_list(self, list_id):
        return self.request("GET", const.EP_ARTICLE_LIST.format(id=list_id))

    def add_list_options(self, list_id, options):
        """Add options (``[{"name": "XL"}]``) to an option list; return the list."""
        return self.request("POST", const.EP_ARTICLE_LIST_OPTIONS.format(id=list_id), json_body=options)

    # --- categories ----------------------------------------------------------

    def get_category_tree(self):
        return (
            self.request(
                "GET", const.EP_CATEGORIES, params={const.PARAM_AS_TREE: "true", const.PARAM_MAX_DEPTH: 10}
            )
            or []
        )

    def create_category(self, body):
        return self.request("POST", const.EP_CATEGORIES, json_body=body)
