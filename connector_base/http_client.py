# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The HTTP client every ``requests``-based channel builds on.

One place for what all channels share: a session with a User-Agent, JSON in
and out, timeouts, retries with exponential backoff on timeouts, connection
resets, 429 and 5xx (honouring ``Retry-After``), errors mapped to
:mod:`.exceptions`, and request logs that never show a secret. A channel
subclass only says how to sign (:meth:`ChannelHttpClient._sign`) and how to read
its error bodies (:meth:`ChannelHttpClient._error_message`).

No ORM here: clients are built from plain values, so they are tested without a
database.
"""

import json
import logging
import random
import time
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from odoo.tools.translate import LazyTranslate

from .exceptions import (
    ChannelAuthError,
    ChannelError,
    ChannelRequestError,
    ChannelRetryableError,
)

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")

USER_AGENT = "odoo-channel-connectors/19.0 (+https://www.odoo.com)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
REDACTED = "[REDACTED]"


def redact_url(url, sensitive_params):
    """Return ``url`` with the values of query parameters in ``sensitive_params`` masked."""
    if not sensitive_params:
        return url
    parts = urlsplit(url)
    query = [
        (k, REDACTED if k.lower() in sensitive_params else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]:,")))


def parse_retry_after(value):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds form), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


class ChannelHttpClient:
    """Base JSON-over-HTTP client with retries; subclass per channel.

    :param base_url: API root, e.g. ``https://sellerapi.kaufland.com/v2/``
    :param timeout: seconds per request (connect and read)
    :param max_retries: tries after the first one, within this call
    :param max_wait: longest single wait (seconds) done in-process; a longer
        ``Retry-After`` raises :class:`ChannelRetryableError` so the job queue
        retries later instead of holding a worker.
    """

    #: lower-case query parameter names whose values are secrets
    sensitive_params = frozenset()
    #: name used in messages ("Kaufland", "CCV Shop", ...)
    channel_name = "Channel"

    def __init__(self, base_url, timeout=30, max_retries=4, max_wait=60, session=None, sleep=None):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep or time.sleep
        self.calls = 0  # requests sent, for benchmarks and tests

    # --- hooks -------------------------------------------------------------

    def _sign(self, method, url, body, headers):
        """Add authentication to ``headers`` (and return the URL to call).

        :param str url: full URL including the query string
        :param bytes body: exact body bytes sent (b"" when none)
        :return: the URL to send (usually ``url`` unchanged)
        """
        return url

    def _error_message(self, response):
        """Human text of a channel error response."""
        try:
            data = response.json()
        except ValueError:
            return (response.text or "").strip()[:300] or response.reason
        if isinstance(data, dict):
            for key in ("message", "error_description", "error", "errors", "detail", "title"):
                if data.get(key):
                    value = data[key]
                    return value if isinstance(value, str) else json.dumps(value)[:300]
        return json.dumps(data)[:300]

    def _is_auth_error(self, response):
        """True when an error response means the credentials were refused."""
        return response.status_code in (401, 403)

    def _auth_error_hint(self, response):
        """What the user should check when credentials are refused."""
        return _lt("Check the API keys in the account settings.")

    # --- requests ----------------------------------------------------------

    def url(self, path, params=None):
        url = urljoin(self.base_url, path.lstrip("/"))
        if params:
            query = urlencode([(k, v) for k, v in _flatten_params(params) if v is not None], safe="[]:,")
            url = f"{url}?{query}" if query else url
        return url

    def request(self, method, path, params=None, json_body=None, data=None, headers=None):
        """Send a request, retrying transient faults; return the decoded JSON (or None)."""
        response = self.request_raw(
            method, path, params=params, json_body=json_body, data=data, headers=headers
        )
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ChannelRetryableError(
                _lt(
                    "%(channel)s answered with malformed JSON (%(status)s).",
                    channel=self.channel_name,
                    status=response.status_code,
                ),
                status=response.status_code,
                response_text=response.text[:300],
            ) from exc

    def request_raw(self, method, path, params=None, json_body=None, data=None, headers=None):
        method = method.upper()
        url = self.url(path, params)
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            content_type = "application/json"
        elif data is not None:
            body = data if isinstance(data, bytes) else str(data).encode()
            content_type = None
        else:
            body = b""
            content_type = None
        attempt = 0
        while True:
            req_headers = {"Accept": "application/json"}
            if content_type:
                req_headers["Content-Type"] = content_type
            req_headers.update(headers or {})
            send_url = self._sign(method, url, body, req_headers) or url
            safe_url = redact_url(send_url, self.sensitive_params)
            start = time.monotonic()
            self.calls += 1
            try:
                response = self.session.request(
                    method, send_url, data=body or None, headers=req_headers, timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                error = ChannelRetryableError(
                    _lt(
                        "%(channel)s could not be reached (%(error)s) for %(method)s %(path)s.",
                        channel=self.channel_name,
                        error=type(exc).__name__,
                        method=method,
                        path=urlsplit(safe_url).path,
                    )
                )
                wait = None
            else:
                _logger.debug(
                    "%s %s %s -> %s in %.0f ms",
                    self.channel_name,
                    method,
                    safe_url,
                    response.status_code,
                    (time.monotonic() - start) * 1000,
                )
                if response.ok:
                    return response
                error = self._error_for(response, method, safe_url)
                if not isinstance(error, ChannelRetryableError):
                    _logger.warning("%s", error)
                    raise error
                wait = error.retry_after
            if attempt >= self.max_retries:
                raise error
            delay = wait if wait is not None else min(self.max_wait, 2**attempt + random.random())
            if delay > self.max_wait:
                raise error  # let the job queue retry much later
            _logger.info("%s; retry %d/%d in %.1f s", error, attempt + 1, self.max_retries, delay)
            self._sleep(delay)
            attempt += 1

    def _error_for(self, response, method, safe_url):
        status = response.status_code
        where = f"{method} {urlsplit(safe_url).path}"
        text = self._error_message(response)
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429:
                message = _lt(
                    "%(channel)s: rate limit reached (429) on %(where)s.",
                    channel=self.channel_name,
                    where=where,
                )
            else:
                message = _lt(
                    "%(channel)s: server error %(status)s on %(where)s.",
                    channel=self.channel_name,
                    status=status,
                    where=where,
                )
            return ChannelRetryableError(
                message,
                status=status,
                response_text=text,
                retry_after=retry_after,
            )
        if self._is_auth_error(response):
            return ChannelAuthError(
                _lt(
                    "%(channel)s refused the credentials (%(status)s: %(detail)s). %(hint)s",
                    channel=self.channel_name,
                    status=status,
                    detail=text,
                    hint=self._auth_error_hint(response),
                ),
                status=status,
                response_text=text,
            )
        return ChannelRequestError(
            _lt(
                "%(channel)s rejected %(where)s (%(status)s): %(detail)s",
                channel=self.channel_name,
                where=where,
                status=status,
                detail=text,
            ),
            status=status,
            response_text=text,
        )


def _flatten_params(params):
    items = params.items() if isinstance(params, dict) else params
    for key, value in items:
        if isinstance(value, list | tuple):
            for item in value:
                yield key, item
        else:
            yield key, value


__all__ = [
    "ChannelAuthError",
    "ChannelError",
    "ChannelHttpClient",
    "ChannelRequestError",
    "ChannelRetryableError",
    "parse_retry_after",
    "redact_url",
]
