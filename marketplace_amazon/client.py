# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon Selling Partner API client built on python-amazon-sp-api (no ORM here).

The library does the calls; this module adds what a connector needs around it:

* clients built from plain values (credentials given in code only: the library would
  otherwise fall back to environment variables or AWS secrets of the host);
* an optional endpoint override serving both the SP-API and the LWA token URL
  (``Client(marketplace=<duck-typed endpoint>)`` and an ``AccessTokenClient``
  subclass with our ``scheme``/``host``), used by tests, the demo and the sandbox;
* pacing per operation with a client-side token bucket set to Amazon's usage plans,
  so a full sync waits instead of being throttled;
* 429/5xx/timeouts retried a few times, then :class:`ChannelRetryableError`;
  library and LWA errors mapped to ``connector_base`` exceptions with a message that
  says what to do, never a credential.
"""

import functools
import hashlib
import logging
import re
import ssl
import threading
import time
from collections import namedtuple
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import certifi
import httpx
from sp_api.api import ListingsItems, Orders, Reports, Sellers, Tokens
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as _token_cache_module
from sp_api.auth._core import build_cache_key
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import SellingApiException
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider

from odoo.addons.connector_base.exceptions import (
    ChannelAuthError,
    ChannelError,
    ChannelRequestError,
    ChannelRetryableError,
)
from odoo.addons.connector_base.schema import ChannelDataError, PushResult, parse_datetime
from odoo.tools.translate import LazyTranslate

from . import adapter, const

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")


class _RedactTokens(logging.Filter):
    """python-amazon-sp-api logs request headers (the access token) and whole responses
    (Restricted Data Tokens, buyers' names and addresses) at DEBUG: mask them."""

    def filter(self, record):
        if str(record.msg).startswith(("Request Headers", "Response")) and record.args:
            record.args = ("[REDACTED]",) * (len(record.args) if isinstance(record.args, tuple) else 1)
        return True


class _RedactPresignedUrls(logging.Filter):
    """httpx logs every URL at INFO: the report document's presigned URL is a credential."""

    _pattern = re.compile(r"(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"]+", re.IGNORECASE)

    def filter(self, record):
        if record.args and "X-Amz-" in str(record.args):
            record.args = tuple(
                self._pattern.sub(r"\1[REDACTED]", str(arg)) if "X-Amz-" in str(arg) else arg
                for arg in record.args
            )
        return True


for _name in ("sp_api.base.client", "sp_api.api"):
    logging.getLogger(_name).addFilter(_RedactTokens())
logging.getLogger("httpx").addFilter(_RedactPresignedUrls())

# The duck-typed "marketplace" the library's Client reads (endpoint, marketplace_id, region).
_Marketplace = namedtuple("_Marketplace", "endpoint marketplace_id region")


def iso_utc(value):
    """Naive UTC datetime (or aware) -> ``2025-01-01T00:00:00Z`` as Amazon wants it."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def clear_token_cache():
    """Forget every cached LWA access token (the library caches them per refresh token)."""
    _token_cache_module.cache.clear()
    _token_cache_module.grantless_cache.clear()


# --- pacing -----------------------------------------------------------------------


class RateLimiter:
    """Token bucket per operation, filled at the usage plan's rate up to its burst.

    ``acquire`` reserves a token and sleeps until it is due, so concurrent callers
    in one process queue up instead of all hitting a 429.
    """

    def __init__(self, limits=None, clock=None, sleep=None):
        self.limits = dict(limits or const.RATE_LIMITS)
        self.clock = clock or time.monotonic
        self.sleep = sleep if sleep is not None else time.sleep
        self.buckets = {}  # operation -> [tokens, stamp]
        self.lock = threading.Lock()
        self.waited = 0.0  # total seconds slept, for tests and benchmarks

    def _bucket(self, operation, now):
        rate, burst = self.limits.get(operation, (None, None))
        if not rate:
            return None, None, None
        bucket = self.buckets.get(operation)
        if bucket is None:
            bucket = self.buckets[operation] = [float(burst), now]
        # The stamp may lie ahead after a 429 (see ``throttled``): no refill before it.
        bucket[0] = min(float(burst), bucket[0] + max(0.0, now - bucket[1]) * rate)
        bucket[1] = max(bucket[1], now)
        return bucket, rate, burst

    def acquire(self, operation):
        """Take one token of ``operation``; sleep first when none is left."""
        with self.lock:
            now = self.clock()
            bucket, rate, _burst = self._bucket(operation, now)
            if bucket is None:
                return 0.0
            bucket[0] -= 1
            wait = 0.0 if bucket[0] >= 0 else -bucket[0] / rate
        if wait > 0:
            if wait > 10:
                _logger.info("Amazon %s: pacing to the usage plan, waiting %.0f s", operation, wait)
            self.waited += wait
            self.sleep(wait)
        return wait

    def throttled(self, operation, wait):
        """Amazon said 429 (its bucket is emptier than ours, e.g. another process used it):
        the caller waits ``wait`` and retries with the one token that brings; the calls
        after it are paced at the usage-plan rate again."""
        with self.lock:
            bucket, _rate, _burst = self._bucket(operation, self.clock())
            if bucket is not None:
                bucket[0] = 1.0
                bucket[1] = self.clock() + wait


_shared_limiters = {}
_shared_lock = threading.Lock()


def _shared_limiter(key):
    """One limiter per selling partner and host for the whole process (all jobs share it)."""
    with _shared_lock:
        limiter = _shared_limiters.get(key)
        if limiter is None:
            limiter = _shared_limiters[key] = RateLimiter()
        return limiter


# --- transport -----------------------------------------------------------------------


@functools.cache
def _ssl_context():
    """One verifying TLS context for all clients (building one per httpx client is slow)."""
    return ssl.create_default_context(cafile=certifi.where())


class _HttpFailure(Exception):
    """A response the library would not raise for (no Amazon ``errors`` array)."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class _Transient(Exception):
    """Timeout or broken connection (``timeout`` tells which; the message is for the log)."""

    def __init__(self, timeout, name):
        kind = "no answer within the timeout" if timeout else "connection failed"
        super().__init__(f"{kind} ({name})")
        self.timeout = timeout
        self.name = name

    def user_message(self, what):
        """What the user reads: whole sentences per kind, ``what`` a translated phrase."""
        if self.timeout:
            return _lt(
                "Amazon did not answer while %(what)s: no answer within the timeout (%(error)s). "
                "It will be tried again later.",
                what=what,
                error=self.name,
            )
        return _lt(
            "Amazon did not answer while %(what)s: connection failed (%(error)s). "
            "It will be tried again later.",
            what=what,
            error=self.name,
        )


class _CheckedTransport(HttpxTransport):
    """The library's httpx transport, plus what the library does not check.

    * It parses a non-JSON 200 as an empty payload and an error without an
      ``errors`` array as success: both raise here.
    * It sends ``host: endpoint[8:]``, wrong for an ``http://`` override: httpx sets
      the right Host from the URL when we drop it.
    """

    def __init__(self, timeout, lwa=False, owner=None):
        super().__init__(timeout=timeout, verify=_ssl_context())
        self.lwa = lwa
        self.owner = owner

    def request(self, method, url, *, params=None, data=None, content=None, headers=None):
        if headers:
            headers = {k: v for k, v in headers.items() if k.lower() != "host"}
        try:
            response = super().request(
                method, url, params=params, data=data, content=content, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise _Transient(True, type(exc).__name__) from None
        except httpx.TransportError as exc:
            raise _Transient(False, type(exc).__name__) from None
        self._check(response)
        return response

    def _check(self, response):
        status = response.status_code
        if self.owner is not None:
            # The library's generic SellingApiException (e.g. for 401) does not keep the status.
            self.owner._last_status = status
        body = response.content or b""
        try:
            data = response.json() if body.strip() else None
        except ValueError:
            if 200 <= status < 300:
                raise _HttpFailure(status, _lt("Amazon answered with a body that is not JSON")) from None
            data = None
        if self.lwa:
            # LWA answers {"error", "error_description"}; the library raises on 4xx itself.
            if status == 429 or status >= 500 or (status >= 400 and not isinstance(data, dict)):
                raise _HttpFailure(status, _short(body), response.headers)
            return
        if status >= 400 and not (isinstance(data, dict) and data.get("errors")):
            message = data.get("message") if isinstance(data, dict) else None
            raise _HttpFailure(status, message or _short(body) or response.reason_phrase, response.headers)


def _short(body):
    return body.decode("utf-8", "replace").strip()[:200] if body else ""


# --- client -------------------------------------------------------------------------


class AmazonClient:
    """SP-API calls of the connector, for one seller and its marketplaces.

    :param refresh_token: LWA refresh token of the seller's authorization
    :param lwa_client_id: LWA client id of the app
    :param lwa_client_secret: LWA client secret of the app
    :param seller_id: merchant token (Listings Items API path parameter)
    :param region: ``eu``, ``na`` or ``fe``
    :param marketplace_ids: Amazon marketplace ids the account sells on
    :param endpoint: override of both the SP-API host and the LWA token host
        (e.g. ``http://127.0.0.1:8123`` for the emulator)
    :param max_retries: tries after the first on 429/5xx/timeouts, within one call
    :param max_wait: longest single wait after a 429/5xx; longer raises ChannelRetryableError
    :param clock: monotonic clock for pacing (tests)
    :param sleep: sleep function (tests skip real waits)
    """

    channel_name = "Amazon"

    def __init__(
        self,
        refresh_token,
        lwa_client_id,
        lwa_client_secret,
        seller_id="",
        region="eu",
        marketplace_ids=(const.DEFAULT_MARKETPLACE_ID,),
        endpoint=None,
        timeout=30,
        max_retries=4,
        max_wait=300,
        orders_api=const.ORDERS_API_2026,
        clock=None,
        sleep=None,
        limiter=None,
    ):
        missing = [
            label
            for label, value in (
                ("refresh token", refresh_token),
                ("LWA client id", lwa_client_id),
                ("LWA client secret", lwa_client_secret),
            )
            if not value
        ]
        if missing:
            raise ChannelAuthError(
                _lt("Amazon credentials missing: %s. Fill them in on the account.", ", ".join(missing))
            )
        region = (region or "eu").lower()
        if region not in const.REGION_ENDPOINTS:
            raise ChannelRequestError(_lt("Unknown Amazon region %s: choose eu, na or fe.", repr(region)))
        if isinstance(marketplace_ids, str):
            marketplace_ids = [m.strip() for m in marketplace_ids.split(",") if m.strip()]
        marketplace_ids = list(marketplace_ids or [])
        if not marketplace_ids:
            raise ChannelRequestError(_lt("No Amazon marketplace configured on the account."))
        wrong = [m for m in marketplace_ids if m in const.MARKETPLACES and const.MARKETPLACES[m][1] != region]
        if wrong:
            raise ChannelRequestError(
                _lt(
                    "Marketplace %(marketplaces)s belongs to region %(marketplace_region)s, but the account "
                    "uses region %(region)s. Set the region of the seller's marketplaces (eu for Europe, "
                    "na for North America, fe for Far East).",
                    marketplaces=", ".join(wrong),
                    marketplace_region=const.MARKETPLACES[wrong[0]][1],
                    region=region,
                )
            )
        self.region = region
        self.seller_id = seller_id or ""
        self.marketplace_ids = marketplace_ids
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.orders_api = orders_api or const.ORDERS_API_2026
        self._refresh_token = refresh_token
        self._credentials = {
            "refresh_token": refresh_token,
            "lwa_app_id": lwa_client_id,
            "lwa_client_secret": lwa_client_secret,
        }
        self._sleep = sleep if sleep is not None else time.sleep
        base = (endpoint or "").strip().rstrip("/")
        self.endpoint = base or const.REGION_ENDPOINTS[region]
        self._marketplace = _Marketplace(self.endpoint, marketplace_ids[0], const.AWS_REGIONS[region])
        if base:
            parts = urlsplit(base)
            # The library builds the LWA URL as scheme + host + path: point it at the override.
            self._token_client_class = type(
                "OverrideAccessTokenClient",
                (AccessTokenClient,),
                {"scheme": f"{parts.scheme}://", "host": parts.netloc + parts.path},
            )
        else:
            self._token_client_class = AccessTokenClient
        if limiter is not None:
            self.limiter = limiter
        elif clock is not None or sleep is not None:
            self.limiter = RateLimiter(clock=clock, sleep=self._sleep)
        else:
            key = (self.endpoint, seller_id or hashlib.sha256(refresh_token.encode()).hexdigest())
            self.limiter = _shared_limiter(key)
        self._apis = {}
        self._transports = None
        self._last_status = None
        self.calls = 0  # requests sent, for tests and benchmarks

    # --- plumbing ---------------------------------------------------------------

    def _new_api(self, api_class, **kwargs):
        api = api_class(
            marketplace=self._marketplace,
            refresh_token=self._refresh_token,
            credentials=self._credentials,
            credential_providers=(FromCodeCredentialProvider,),
            auth_token_client_class=self._token_client_class,
            timeout=self.timeout,
            verify=_ssl_context(),
            **kwargs,
        )
        # The library's own transports are replaced by ours, shared by all APIs of this client.
        api._transport.close()
        api._auth._transport.close()
        if self._transports is None:
            self._transports = (
                _CheckedTransport(self.timeout, owner=self),
                _CheckedTransport(self.timeout, lwa=True),
            )
        api._transport, api._auth._transport = self._transports
        return api

    def close(self):
        """Close the HTTP connections (the client works again afterwards with new ones)."""
        for transport in self._transports or ():
            transport.close()
        self._transports = None
        self._apis = {}

    def _api(self, api_class, version=None):
        key = (api_class.__name__, version)
        if key not in self._apis:
            kwargs = {"version": version} if version else {}
            self._apis[key] = self._new_api(api_class, **kwargs)
        return self._apis[key]

    def _forget_access_token(self):
        _token_cache_module.cache.pop(build_cache_key(self._refresh_token), None)

    def _backoff(self, attempt):
        return min(self.max_wait, 2.0 * 2**attempt)

    def _call(self, operations, func, what):
        """Run ``func`` (one library call) paced, retried and with mapped errors.

        :param operations: usage-plan operation name(s) the call consumes
        :param what: translatable phrase for messages (an ``_lt`` of e.g. 'reading orders'), read
            after "while" in English; translated as a prepositional phrase ("beim Lesen ...")
        """
        if isinstance(operations, str):
            operations = (operations,)
        attempt = 0
        token_refreshed = False
        while True:
            for operation in operations:
                self.limiter.acquire(operation)
            self.calls += 1
            try:
                return func()
            except AuthorizationError as exc:
                raise self._lwa_error(exc) from None
            except (SellingApiException, _HttpFailure) as exc:
                status, message, headers = _error_facts(exc, self._last_status)
                if status in (401, 403) and not token_refreshed:
                    # An expired or revoked access token: the library would reuse its cached
                    # one for up to an hour. Drop it and ask LWA for a new one, once.
                    self._forget_access_token()
                    token_refreshed = True
                    continue
                if status in (401, 403):
                    raise ChannelAuthError(
                        _lt(
                            "Amazon denied access while %(what)s (%(status)s: %(message)s). Check that the "
                            "app is still authorized for this seller in Seller Central, that the region "
                            "matches the seller's marketplaces, and that the app has the needed roles "
                            "(Inventory and Order Tracking, Product Listing; Tax Invoicing for billing "
                            "addresses).",
                            what=what,
                            status=status,
                            message=message,
                        ),
                        status=status,
                    ) from None
                # 2xx here is a body that could not be read (cut off by a proxy): ask again.
                if status == 429 or status >= 500 or 200 <= status < 300:
                    wait = _retry_after(headers, status, operations[-1]) or self._backoff(attempt)
                    if status == 429:
                        for operation in operations:
                            self.limiter.throttled(operation, wait)
                    kind = "throttled" if status == 429 else f"failed ({status})"
                    if attempt >= self.max_retries or wait > self.max_wait:
                        if status == 429:
                            text = _lt(
                                "Amazon throttled while %(what)s: %(message)s. It will be tried again later.",
                                what=what,
                                message=message,
                            )
                        else:
                            text = _lt(
                                "Amazon failed (%(status)s) while %(what)s: %(message)s. It will be tried "
                                "again later.",
                                status=status,
                                what=what,
                                message=message,
                            )
                        raise ChannelRetryableError(text, status=status, retry_after=wait) from None
                    _logger.info(
                        "Amazon %s while %s, retry %s/%s in %.0f s",
                        kind,
                        what,
                        attempt + 1,
                        self.max_retries,
                        wait,
                    )
                    self._sleep(wait)
                    attempt += 1
                    continue
                raise ChannelRequestError(
                    _lt(
                        "Amazon refused the request while %(what)s (%(status)s): %(message)s",
                        what=what,
                        status=status,
                        message=message,
                    ),
                    status=status,
                ) from None
            except (_Transient, httpx.TimeoutException, httpx.TransportError) as exc:
                # httpx errors: the library downloads report documents with its own client
                if not isinstance(exc, _Transient):
                    exc = _Transient(isinstance(exc, httpx.TimeoutException), type(exc).__name__)
                wait = self._backoff(attempt)
                if attempt >= self.max_retries:
                    raise ChannelRetryableError(exc.user_message(what), retry_after=wait) from None
                _logger.info(
                    "Amazon: %s while %s, retry %s/%s in %.0f s",
                    exc,
                    what,
                    attempt + 1,
                    self.max_retries,
                    wait,
                )
                self._sleep(wait)
                attempt += 1

    def _lwa_error(self, exc):
        code = getattr(exc, "error_code", None) or ""
        status = getattr(exc, "status_code", None)
        if status and (status >= 500 or status == 429):
            return ChannelRetryableError(
                _lt("Amazon login service unavailable (%s). Try again later.", status)
            )
        hint = const.LWA_ERROR_HINTS.get(code) or _lt(
            "Amazon's login service (LWA) refused the credentials. Check the LWA client id, "
            "client secret and refresh token on the account."
        )
        detail = getattr(exc, "message", "") or ""
        if detail:
            # hint: a whole sentence; the code and Amazon's text follow untranslated
            hint = _lt("%(hint)s (%(code)s: %(detail)s)", hint=hint, code=code or status, detail=detail)
        return ChannelAuthError(hint, status=status)

    # --- seller --------------------------------------------------------------------

    def get_participations(self):
        """``getMarketplaceParticipations``: list of {marketplace, participation, storeName}."""
        response = self._call(
            "getMarketplaceParticipations",
            lambda: self._api(Sellers).get_marketplace_participation(),
            _lt("checking the connection"),
        )
        payload = response.payload
        return payload if isinstance(payload, list) else []

    def test_connection(self):
        """One cheap authenticated call; also checks the configured marketplaces.

        :return: a short text for the user (English: ``str`` outside a model method;
            the account translates :meth:`connection_message` instead)
        """
        return str(self.connection_message())

    def connection_message(self):
        """:meth:`test_connection`'s check, the text translatable (``str()`` it where the
        user's language is known)."""
        participations = self.get_participations()
        active = {}
        store = ""
        for entry in participations:
            marketplace = entry.get("marketplace") or {}
            if (entry.get("participation") or {}).get("isParticipating", True):
                active[marketplace.get("id")] = marketplace.get("name") or marketplace.get("id")
            store = store or entry.get("storeName") or ""
        missing = [m for m in self.marketplace_ids if m not in active]
        if missing:
            selling = ", ".join(sorted(filter(None, active.values())))
            if not selling:
                raise ChannelRequestError(
                    _lt(
                        "The seller does not sell on marketplace %(marketplaces)s at this Amazon region "
                        "(%(region)s). It sells on: none. Check the account's region and marketplace ids.",
                        marketplaces=", ".join(missing),
                        region=self.region,
                    )
                )
            raise ChannelRequestError(
                _lt(
                    "The seller does not sell on marketplace %(marketplaces)s at this Amazon region "
                    "(%(region)s). It sells on: %(selling)s. Check the account's region and marketplace ids.",
                    marketplaces=", ".join(missing),
                    region=self.region,
                    selling=selling,
                )
            )
        names = ", ".join(active[m] for m in self.marketplace_ids)
        if not store:
            return _lt("Connected to the seller account on %s.", names)
        return _lt("Connected to %(store)s on %(marketplaces)s.", store=store, marketplaces=names)

    # --- orders ----------------------------------------------------------------------

    def iter_orders(
        self,
        since,
        statuses=None,
        fulfillment_channels=("MFN",),
        page_size=const.ORDERS_PAGE_SIZE,
        load_stored=None,
    ):
        """Yield raw orders changed since ``since`` (naive UTC), all pages.

        With Orders API 2026-01-01 each item is an ``Order`` (items included); with v0 it
        is ``{"api": "v0", "order": Order, "items": [OrderItem]}``. An endpoint without the
        2026 API (404 on the first page) falls back to v0.

        :param load_stored: ``load_stored(order ids) -> {order id: stored payload}``: v0 takes
            the items of an order that did not change since it was stored from there
        """
        if self.orders_api == const.ORDERS_API_V0:
            yield from self._iter_orders_v0(since, statuses, fulfillment_channels, page_size, load_stored)
            return
        try:
            first = True
            for order in self._iter_orders_2026(since, statuses, fulfillment_channels, page_size):
                first = False
                yield order
        except ChannelRequestError as exc:
            if not (first and exc.status == 404):
                raise
            _logger.warning("Amazon Orders API 2026-01-01 not available at %s, using v0", self.endpoint)
            self.orders_api = const.ORDERS_API_V0
            yield from self._iter_orders_v0(since, statuses, fulfillment_channels, page_size, load_stored)

    def _iter_orders_2026(self, since, statuses, fulfillment_channels, page_size):
        api = self._api(Orders, version=const.ORDERS_API_2026)
        params = {
            "lastUpdatedAfter": iso_utc(since),
            "marketplaceIds": list(self.marketplace_ids),
            "includedData": list(const.ORDERS_2026_INCLUDED_DATA),
            "maxResultsPerPage": page_size,
        }
        if statuses:
            params["fulfillmentStatuses"] = sorted({const.STATUS_V0_TO_2026.get(s, s) for s in statuses})
        if fulfillment_channels:
            params["fulfilledBy"] = [
                "AMAZON" if c in const.FULFILLMENT_AMAZON else "MERCHANT" for c in fulfillment_channels
            ]
        token = None
        while True:
            kwargs = dict(params, paginationToken=token) if token else dict(params)
            response = self._call(
                "searchOrders", lambda kw=kwargs: api.search_orders(**kw), _lt("reading orders")
            )
            # A page may hold fewer orders than asked for and still have a next token: the
            # model gives maxResultsPerPage as a maximum only.
            yield from response.payload.get("orders") or []
            next_token = response.next_token
            if not next_token:
                return
            token = next_token

    def _restricted(self, api, method, *args, **kwargs):
        """A v0 call with ``RestrictedResources``: the library fetches an RDT, keeps it on
        ``api`` for the call and forgets it only when the call succeeds. After a 5xx it
        would send that RDT again, also to the Tokens API, which refuses it (403): every
        try starts without one."""
        api.restricted_data_token = None
        try:
            return method(*args, RestrictedResources=list(const.V0_RESTRICTED_RESOURCES), **kwargs)
        finally:
            api.restricted_data_token = None

    def _iter_orders_v0(self, since, statuses, fulfillment_channels, page_size, load_stored=None):
        api = self._api(Orders, version=const.ORDERS_API_V0)
        params = {
            "LastUpdatedAfter": iso_utc(since),
            "MarketplaceIds": list(self.marketplace_ids),
            "MaxResultsPerPage": page_size,
        }
        if statuses:
            params["OrderStatuses"] = [const.STATUS_2026_TO_V0.get(s, s) for s in statuses]
        if fulfillment_channels:
            params["FulfillmentChannels"] = [
                "AFN" if c in const.FULFILLMENT_AMAZON else "MFN" for c in fulfillment_channels
            ]
        token = None
        while True:
            kwargs = dict(params, NextToken=token) if token else dict(params)
            # RestrictedResources makes the library fetch an RDT first (names, streets, buyer).
            response = self._call(
                ("createRestrictedDataToken", "getOrders"),
                lambda kw=kwargs: self._restricted(api, api.get_orders, **kw),
                _lt("reading orders"),
            )
            orders = (response.payload or {}).get("Orders") or []
            stored = load_stored([o.get("AmazonOrderId") for o in orders]) if load_stored and orders else {}
            for order in orders:
                order_id = order["AmazonOrderId"]
                known = stored.get(order_id)
                if _same_v0_order(known, order):
                    # unchanged since stored (the sync's overlap): its items are the stored ones
                    items = known.get("items") or []
                else:
                    items = self.get_order_items_v0(order_id)
                yield {"api": "v0", "order": order, "items": items}
            token = response.next_token
            if not token:
                return

    def get_order_items_v0(self, order_id):
        api = self._api(Orders, version=const.ORDERS_API_V0)
        items, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            response = self._call(
                "getOrderItems",
                lambda kw=kwargs: api.get_order_items(order_id, **kw),
                _lt("reading the items of order %s", order_id),
            )
            items.extend((response.payload or {}).get("OrderItems") or [])
            token = response.next_token
            if not token:
                return items

    def get_raw_order(self, order_id, billing=None):
        """One order read again (getOrder, with its items) as :meth:`fetch_raw_orders` yields it.

        :param billing: the order's bill-* report row, which getOrder does not give
        """
        if self.orders_api == const.ORDERS_API_V0:
            api = self._api(Orders, version=const.ORDERS_API_V0)
            response = self._call(
                ("createRestrictedDataToken", "getOrder"),
                lambda: self._restricted(api, api.get_order, order_id),
                _lt("reading order %s", order_id),
            )
            composite = {
                "api": "v0",
                "order": response.payload or {},
                "items": self.get_order_items_v0(order_id),
            }
            return adapter.raw_order(adapter.wrap_order_v0(composite, billing))
        api = self._api(Orders, version=const.ORDERS_API_2026)
        response = self._call(
            "getOrder2026",
            lambda: api.get_order(order_id, includedData=list(const.ORDERS_2026_INCLUDED_DATA)),
            _lt("reading order %s", order_id),
        )
        order = (response.payload or {}).get("order") or {}
        return adapter.raw_order(adapter.wrap_order_2026(order, billing))

    def get_order_marketplace(self, order_id):
        """Marketplace id of one order (needed by confirmShipment)."""
        if self.orders_api == const.ORDERS_API_V0:
            api = self._api(Orders, version=const.ORDERS_API_V0)
            response = self._call(
                "getOrder", lambda: api.get_order(order_id), _lt("reading order %s", order_id)
            )
            return (response.payload or {}).get("MarketplaceId") or ""
        api = self._api(Orders, version=const.ORDERS_API_2026)
        response = self._call(
            "getOrder2026", lambda: api.get_order(order_id), _lt("reading order %s", order_id)
        )
        order = (response.payload or {}).get("order") or {}
        return (order.get("salesChannel") or {}).get("marketplaceId") or ""

    def confirm_shipment(self, order_id, marketplace_id, package_detail):
        """``confirmShipment`` (Orders v0, not deprecated): 204 on success."""
        api = self._api(Orders, version=const.ORDERS_API_V0)
        self._call(
            "confirmShipment",
            lambda: api.confirm_shipment(
                order_id, marketplaceId=marketplace_id, packageDetail=package_detail
            ),
            _lt("confirming the shipment of order %s", order_id),
        )

    # --- reports -----------------------------------------------------------------------

    def fetch_report(self, report_type, start, end, poll_limit=20, poll_interval=15.0, restricted=True):
        """createReport -> getReport until DONE -> getReportDocument -> download.

        :return: the document text; ``""`` when Amazon cancelled the report (no data)
        :raise ChannelRetryableError: when it is not ready after ``poll_limit`` polls
        """
        reports = self._api(Reports)
        response = self._call(
            "createReport",
            lambda: reports.create_report(
                reportType=report_type,
                marketplaceIds=list(self.marketplace_ids),
                dataStartTime=iso_utc(start),
                dataEndTime=iso_utc(end),
            ),
            _lt("requesting the order report"),
        )
        report_id = response.payload.get("reportId")
        if not report_id:
            raise ChannelRetryableError(
                _lt("Amazon did not return a report id. It will be tried again later.")
            )
        document_id = None
        for poll in range(poll_limit):
            response = self._call(
                "getReport", lambda: reports.get_report(report_id), _lt("waiting for the order report")
            )
            status = response.payload.get("processingStatus")
            if status == const.REPORT_DONE:
                document_id = response.payload.get("reportDocumentId")
                break
            if status == "CANCELLED":
                return ""  # Amazon cancels a report that has no data
            if status in const.REPORT_FAILED:
                raise ChannelRequestError(
                    _lt(
                        "Amazon could not build report %(report)s (%(status)s).",
                        report=report_id,
                        status=status,
                    )
                )
            if poll < poll_limit - 1:
                self._sleep(poll_interval)
        if not document_id:
            raise ChannelRetryableError(
                _lt(
                    "Amazon report %(report)s was not ready after %(checks)s checks. "
                    "It will be tried again later.",
                    report=report_id,
                    checks=poll_limit,
                ),
                retry_after=poll_interval * poll_limit,
            )
        return self._download_report(document_id, restricted)

    def _download_report(self, document_id, restricted):
        path = const.REPORT_DOCUMENTS_PATH.format(document_id)
        kwargs = {}
        if restricted:
            # Order reports with names and addresses need a Restricted Data Token.
            tokens = self._api(Tokens)
            response = self._call(
                "createRestrictedDataToken",
                lambda: tokens.create_restricted_data_token(
                    restrictedResources=[{"method": "GET", "path": path}]
                ),
                _lt("authorizing the report download"),
            )
            kwargs["restricted_data_token"] = response.payload.get("restrictedDataToken")
        reports = self._new_api(Reports, **kwargs)
        response = self._call(
            "getReportDocument",
            lambda: reports.get_report_document(document_id, download=True, timeout=self.timeout),
            _lt("downloading the order report"),
        )
        document = response.payload.get("document")
        if isinstance(document, bytes):
            document = document.decode("utf-8", "replace")
        if isinstance(document, str) and document.lstrip().startswith(("<?xml", "<Error>")):
            # The library returns the storage's error page (expired link, denied) as the document.
            raise ChannelRetryableError(
                _lt(
                    "Amazon's report document could not be downloaded (the link was refused). "
                    "It will be tried again later."
                )
            )
        if not isinstance(document, str):
            raise ChannelRetryableError(
                _lt("Amazon's report document could not be read. It will be tried again later.")
            )
        return document

    # --- listings --------------------------------------------------------------------------

    def _listings(self):
        return self._api(ListingsItems, version="2021-08-01")

    def _require_seller(self):
        if not self.seller_id:
            raise ChannelRequestError(_lt("Set the Amazon seller id (merchant token) on the account."))

    def get_listing(self, sku):
        """``getListingsItem``; None when the SKU has no listing."""
        self._require_seller()
        try:
            response = self._call(
                "getListingsItem",
                lambda: self._listings().get_listings_item(
                    self.seller_id,
                    sku,
                    marketplaceIds=",".join(self.marketplace_ids),
                    includedData="summaries,offers,fulfillmentAvailability",
                ),
                _lt("reading listing %s", sku),
            )
        except ChannelRequestError as exc:
            if exc.status == 404:
                return None
            raise
        return response.payload

    def patch_listing(self, sku, body):
        """``patchListingsItem``; returns the ListingsItemSubmissionResponse."""
        self._require_seller()
        response = self._call(
            "patchListingsItem",
            lambda: self._listings().patch_listings_item(
                self.seller_id, sku, marketplaceIds=",".join(self.marketplace_ids), body=body
            ),
            _lt("updating listing %s", sku),
        )
        return response.payload

    def put_listing(self, sku, body):
        """``putListingsItem`` (create or fully replace); returns the submission response."""
        self._require_seller()
        response = self._call(
            "putListingsItem",
            lambda: self._listings().put_listings_item(
                self.seller_id, sku, marketplaceIds=",".join(self.marketplace_ids), body=body
            ),
            _lt("creating listing %s", sku),
        )
        return response.payload

    def iter_listings(self, page_size=const.LISTING_PAGE_SIZE):
        """``searchListingsItems``: every listing of the seller, all pages."""
        self._require_seller()
        token = None
        while True:
            kwargs = {
                "marketplaceIds": ",".join(self.marketplace_ids),
                "includedData": "summaries,offers,fulfillmentAvailability,attributes",
                "pageSize": page_size,
            }
            if token:
                kwargs["pageToken"] = token
            response = self._call(
                "searchListingsItems",
                lambda kw=kwargs: self._listings().search_listings_items(self.seller_id, **kw),
                _lt("reading the listings"),
            )
            yield from response.payload.get("items") or []
            token = response.next_token
            if not token:
                return

    # --- connector flows ---------------------------------------------------------------------

    def fetch_raw_orders(
        self,
        since,
        statuses=None,
        import_fba=False,
        billing_addresses=True,
        report_poll_limit=12,
        report_poll_interval=10.0,
        waiting=None,
        load_stored=None,
        on_billing_failure=None,
    ):
        """Yield :class:`RawOrder` of the orders changed since ``since``, all pages.

        Merchant-fulfilled orders get the bill-* columns of the invoicing flat-file report
        (Amazon's orders APIs have no billing address). A report that fails or is not ready
        in time does not stop the import: those orders come without a billing address, and
        a later report brings it (see ``waiting``).

        :param waiting: ``{order id: purchase date}`` of orders stored without a billing
            address: the report reaches back to them (it keeps 30 days of orders), and those it
            now has a billing address for are yielded again, their stored payload with it
        :param load_stored: ``load_stored(order ids) -> {order id: stored payload}``
        :param on_billing_failure: called with the reason when the report could not be read
        """
        channels = ["MFN", "AFN"] if import_fba else ["MFN"]
        wanted = {const.STATUS_2026_TO_V0.get(s, s) for s in statuses or ()}
        fetch_statuses = list(statuses or ())
        if import_fba and wanted and "Shipped" not in wanted:
            # Amazon ships FBA orders within hours: most are Shipped when a sync sees them.
            # One search asks for both; merchant orders keep the account's statuses.
            fetch_statuses.append("Shipped")
        payloads = [
            p
            for p in self.iter_orders(since, fetch_statuses, channels, load_stored=load_stored)
            if not wanted or _is_fba(p) or _status_of(p) in wanted
        ]
        fetched = {_order_id_of(p) for p in payloads}
        waiting = {
            order_id: purchased for order_id, purchased in (waiting or {}).items() if order_id not in fetched
        }
        billing = {}
        merchant = [p for p in payloads if not _is_fba(p)]
        if billing_addresses and (merchant or waiting):
            now = utcnow()
            start = since or now - timedelta(days=1)
            purchased = [_as_datetime(value) for value in waiting.values()]
            start = min([start, *filter(None, purchased)])
            start = max(start, now - timedelta(days=29))
            try:
                text = self.fetch_report(
                    const.BILLING_REPORT_TYPE,
                    start - timedelta(minutes=5),
                    now,
                    poll_limit=report_poll_limit,
                    poll_interval=report_poll_interval,
                )
                billing = adapter.billing_rows_by_order(text)
            except ChannelError as exc:
                _logger.warning("Amazon billing addresses not imported this time: %s", exc)
                if on_billing_failure:
                    on_billing_failure(str(exc))
        late = [
            order_id
            for order_id in waiting
            if billing.get(order_id) and not adapter.billing_from_row(billing[order_id]).is_empty()
        ]
        # An order the report does not have (it covers the orders that became payable in
        # its window) keeps the billing address stored from an earlier report.
        unbilled = [_order_id_of(p) for p in merchant if _order_id_of(p) not in billing]
        stored = load_stored(unbilled + late) if (unbilled or late) and load_stored else {}
        for payload in payloads:
            order_id = _order_id_of(payload)
            row = billing.get(order_id)
            if row is None and not _is_fba(payload):
                row = _stored_billing(stored.get(order_id))
            if "orderId" in payload:
                wrapped = adapter.wrap_order_2026(payload, row)
            else:
                wrapped = adapter.wrap_order_v0(payload, row)
            yield adapter.raw_order(wrapped)
        for order_id in late:
            payload = stored.get(order_id)
            if isinstance(payload, dict) and payload.get("order"):
                yield adapter.raw_order(dict(payload, billing=billing[order_id]))

    def push_stock(self, items, product_type=const.DEFAULT_PRODUCT_TYPE):
        """Merchant-fulfilled quantity per SKU with patchListingsItem, paced at 5/s.

        :return: :class:`PushResult` with an error text per refused SKU
        """
        result = PushResult()
        for item in items:
            try:
                response = self.patch_listing(item.sku, adapter.stock_patch(item, product_type))
            except ChannelDataError as exc:
                result.errors[item.sku or "?"] = str(exc)
                continue
            except ChannelRequestError as exc:
                result.errors[item.sku] = str(
                    _lt("%s has no Amazon listing yet: export the product first.", item.sku)
                    if exc.status == 404
                    else exc
                )
                continue
            error = adapter.submission_error(response)
            if error:
                result.errors[item.sku] = error
        return result

    def push_products(self, products, update=False, product_type=const.DEFAULT_PRODUCT_TYPE, currency="EUR"):
        """Offers on existing catalogue items: create missing ones (putListingsItem, offer only);
        with ``update`` (or for a ``price_only`` product) also patch the price of existing ones.
        Catalogue content is Amazon's."""
        result = PushResult()
        for product in products:
            try:
                listing = self.get_listing(product.sku)
                if listing is None and product.price_only:
                    raise ChannelRequestError(
                        _lt(
                            "%s has no Amazon listing any more: switch on 'Update product info' "
                            "on the account to create the offer again.",
                            product.sku,
                        )
                    )
                if listing is None:
                    body = adapter.offer_put_body(product, self.marketplace_ids, product_type, currency)
                    response = self.put_listing(product.sku, body)
                    asin = next(
                        (i.get("asin") for i in response.get("identifiers") or [] if i.get("asin")),
                        body["attributes"].get("merchant_suggested_asin", [{}])[0].get("value", ""),
                    )
                else:
                    asin = adapter.listing_asin(listing)
                    response = None
                    if update or product.price_only:
                        body = adapter.offer_patch_body(
                            product,
                            self.marketplace_ids,
                            adapter.listing_product_type(listing, product_type),
                            currency,
                        )
                        if body:
                            response = self.patch_listing(product.sku, body)
            except (ChannelDataError, ChannelRequestError) as exc:
                result.errors[product.sku or "?"] = str(exc)
                continue
            error = adapter.submission_error(response) if response is not None else ""
            if error:
                result.errors[product.sku] = error
            elif asin:
                result.external_ids[product.sku] = asin
        return result

    def ship(self, shipment):
        """confirmShipment of a :class:`ChannelShipment` (one package, its tracking number)."""
        package = adapter.shipment_package(shipment)
        marketplace_id = getattr(shipment, "storefront", "") or ""
        if not marketplace_id:
            marketplace_id = (
                self.marketplace_ids[0]
                if len(self.marketplace_ids) == 1
                else self.get_order_marketplace(shipment.order_external_id)
            )
        self.confirm_shipment(shipment.order_external_id, marketplace_id, package)
        return True

    def iter_catalogue(self):
        for listing in self.iter_listings():
            yield adapter.listing_to_product(listing)


def _is_fba(payload):
    if "orderId" in payload:
        return (payload.get("fulfillment") or {}).get("fulfilledBy") == "AMAZON"
    return (payload.get("order") or {}).get("FulfillmentChannel") == "AFN"


def _stored_billing(payload):
    """The report row a stored payload carries, or None."""
    if not isinstance(payload, dict):
        return None
    return payload.get("billing") or None


def _same_v0_order(stored, order):
    """True when a stored v0 payload holds this very order (same LastUpdateDate and data)."""
    if not isinstance(stored, dict) or stored.get("api") != const.ORDERS_API_V0:
        return False
    known = stored.get("order") or {}
    return (
        bool(order.get("LastUpdateDate"))
        and known.get("LastUpdateDate") == order.get("LastUpdateDate")
        and known == order
        and isinstance(stored.get("items"), list)
    )


def _order_id_of(payload):
    """Order id of a raw order as iter_orders yields it (2026 Order or v0 composite)."""
    if "orderId" in payload:
        return payload["orderId"]
    return (payload.get("order") or {}).get("AmazonOrderId") or ""


def _as_datetime(value):
    """Naive UTC datetime of an ISO text or datetime; None when unreadable."""
    try:
        return parse_datetime(value, "purchase date")
    except ChannelDataError:
        return None


def _status_of(payload):
    """v0 spelling of a raw order's status (Unshipped, Shipped...)."""
    if "orderId" in payload:
        status = (payload.get("fulfillment") or {}).get("fulfillmentStatus") or ""
        return const.STATUS_2026_TO_V0.get(status, status)
    return (payload.get("order") or {}).get("OrderStatus") or ""


def _error_facts(exc, last_status=None):
    """(status, message, headers) of a library exception or a _HttpFailure."""
    if isinstance(exc, _HttpFailure):
        return exc.status, exc.message, exc.headers
    status = getattr(exc, "code", None) or 0
    errors = getattr(exc, "error", None) or []
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    message = first.get("message") or getattr(exc, "message", "") or type(exc).__name__
    if first.get("code"):
        message = f"{first['code']}: {message}"
    if status == 999:  # SellingApiException: a status the library has no class for (401, 502...)
        status = last_status if last_status and last_status >= 400 else 400
    return status, message, getattr(exc, "headers", None) or {}


def _retry_after(headers, status, operation):
    """Seconds to wait: Retry-After, else one token at the rate Amazon says it applied."""
    if not headers:
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    seconds = _float(value)
    if seconds is not None:
        return max(0.0, seconds)
    if status == 429:
        rate = _float(headers.get("x-amzn-RateLimit-Limit") or headers.get("x-amzn-ratelimit-limit"))
        rate = rate or (const.RATE_LIMITS.get(operation) or (None,))[0]
        if rate:
            return 1.0 / rate
    return None


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)
