"""Amazon Selling Partner API emulator (the operations the Amazon connector uses).

Written from amzn/selling-partner-api-models (ordersV0.json, orders_2026-01-01.json,
reports_2021-06-30.json, tokens_2021-03-01.json, listingsItems_2021-08-01.json,
sellers.json) and the LWA token endpoint as python-amazon-sp-api calls it:

* ``POST /auth/o2/token`` (LWA): form body ``grant_type=refresh_token&client_id&
  refresh_token&client_secret``; errors ``{"error", "error_description"}``.
* SP-API requests carry ``x-amz-access-token`` (an LWA access token, or a Restricted
  Data Token valid for the paths it was issued for) and ``x-amz-date``. The ``host``
  header is ignored (the library derives it from an ``https://`` endpoint).
* Errors are ``{"errors": [{"code", "message", "details"}]}``; 429 carries
  ``x-amzn-RateLimit-Limit``; every answer carries ``x-amzn-RequestId``.
* Rate limits per operation from the usage plans (token bucket: burst, then rate).
* Orders 2026-01-01 (searchOrders, getOrder; includedData honoured; pagination.nextToken
  -> paginationToken) and v0 (getOrders with NextToken, getOrder, getOrderItems,
  confirmShipment; names and streets only with an RDT), Tokens (createRestrictedDataToken),
  Reports (createReport, getReport, getReportDocument + a "presigned" TXT document
  served here), Sellers (getMarketplaceParticipations), Listings Items 2021-08-01 (get,
  put, patch, search), Finances v0 refund events (listFinancialEvents,
  listFinancialEventsByOrderId: RefundEventList with NextToken, financesV0.json).

UNCONFIRMED shapes are kept close to the reference notes: the sign of 2026 ``DISCOUNT``
proceeds (negative here: it lowers the proceeds), EU proceeds where ``ITEM`` is the
VAT-inclusive line total and ``TAX`` the VAT it contains, and the column list of the
invoicing flat-file report.

Run: ``python -m tests.emulators.amazon --port 8125 --seed``.
"""

import argparse
import itertools
import random
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, unquote

from .base import Emulator, EmulatorServer, Response, route

LWA_CLIENT_ID = "amzn1.application-oa2-client.emulator0001"
LWA_CLIENT_SECRET = "amzn1.oa2-cs.v1.emulator-secret"
REFRESH_TOKEN = "Atzr|IwEBIemulator-refresh-token"
SELLER_ID = "A3EMULATORSELLER"

DE, FR, NL, BE = "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A1805IZSGTT6HS", "AMEN7PMS3EDWL"
# connector.account values of an account against the seeded emulator (scripts/demo.sh sets
# api_base_url to the emulator's URL).
DEMO_ACCOUNT_VALUES = {
    "amazon_lwa_client_id": LWA_CLIENT_ID,
    "amazon_lwa_client_secret": LWA_CLIENT_SECRET,
    "amazon_refresh_token": REFRESH_TOKEN,
    "amazon_seller_id": SELLER_ID,
    "amazon_region": "eu",
    "amazon_marketplace_ids": ",".join((DE, FR, NL, BE)),
    "amazon_import_fba": True,
    "amazon_billing_addresses": True,
}
MARKETPLACE_INFO = {
    DE: ("DE", "Amazon.de", "EUR", "de_DE"),
    FR: ("FR", "Amazon.fr", "EUR", "fr_FR"),
    NL: ("NL", "Amazon.nl", "EUR", "nl_NL"),
    BE: ("BE", "Amazon.com.be", "EUR", "fr_BE"),
}

# operation -> (rate per second, burst): the models' usage plans.
RATE_LIMITS = {
    "lwa": None,
    "getMarketplaceParticipations": (0.016, 15),
    "searchOrders": (0.0056, 20),
    "getOrder2026": (0.5, 30),
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2, 10),
    "createRestrictedDataToken": (1, 10),
    "createReport": (0.0167, 15),
    "getReport": (2, 15),
    "getReportDocument": (0.0167, 15),
    "getListingsItem": (5, 10),
    "putListingsItem": (5, 10),
    "patchListingsItem": (5, 5),
    "searchListingsItems": (5, 5),
    "document": None,
}

# Feeds 2021-06-30 usage plans (feeds_2021-06-30.json): invoice uploads (UPLOAD_VAT_INVOICE).
RATE_LIMITS.update(
    {
        "createFeedDocument": (0.5, 15),
        "createFeed": (0.0083, 15),
        "getFeed": (2, 15),
        "getFeedDocument": (0.0222, 10),
        "getReports": (0.0222, 10),
    }
)

# Finances API v0 usage plans (financesV0.json), merged into RATE_LIMITS
FINANCES_RATE_LIMITS = {
    "listFinancialEvents": (0.5, 30),
    "listFinancialEventsByOrderId": (0.5, 30),
}
RATE_LIMITS.update(FINANCES_RATE_LIMITS)

STATUS_2026 = [
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
]
STATUS_V0 = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
V0_STATUSES = set(STATUS_V0.values()) | {"InvoiceUnconfirmed"}
PENDING_STATUSES = ("PENDING", "PENDING_AVAILABILITY")
INCLUDED_DATA = {
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
}
SERVICE_LEVEL_V0 = {
    "STANDARD": "Standard",
    "EXPEDITED": "Expedited",
    "NEXT_DAY": "NextDay",
    "SECOND_DAY": "SecondDay",
    "FREE_ECONOMY": "FreeEconomy",
}
PII_ELEMENTS = {"buyerInfo", "shippingAddress", "buyerTaxInformation"}
RESTRICTED_REPORTS = ("_INVOICING", "_SHIPPING", "_TAX")
REPORT_COLUMNS = [
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "buyer-email",
    "buyer-name",
    "buyer-phone-number",
    "sku",
    "product-name",
    "quantity-purchased",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "ship-phone-number",
    "bill-address-1",
    "bill-address-2",
    "bill-address-3",
    "bill-city",
    "bill-state",
    "bill-postal-code",
    "bill-country",
    "sales-channel",
    "is-business-order",
    "buyer-company-name",
    "buyer-vat-number",
]
CENT = Decimal("0.01")


def _now():
    return datetime.now(UTC).replace(tzinfo=None)


def _iso(value):
    return value.replace(microsecond=0).isoformat() + "Z"


def _parse_iso(value, name):
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise ValueError(f"{name} must be an ISO 8601 date-time") from None
    if parsed.tzinfo:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _dec(value):
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _money(amount, currency):
    return {"amount": f"{_dec(amount):.2f}", "currencyCode": currency}


def _money_v0(amount, currency):
    return {"CurrencyCode": currency, "Amount": f"{_dec(amount):.2f}"}


def _vat_part(gross, rate):
    """VAT contained in a VAT-inclusive amount."""
    return _dec(Decimal(str(gross)) * Decimal(str(rate)) / (100 + Decimal(str(rate))))


def _csv(request, name):
    """Array query parameter: comma-joined (python-amazon-sp-api) or repeated."""
    values = []
    for value in request.query.get(name, []):
        values.extend(v.strip() for v in value.split(",") if v.strip())
    return values


def ean13(body12):
    digits = [int(c) for c in body12]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return body12 + str(check)


class AmazonEmulator(Emulator):
    """Amazon SP-API (Orders, Reports, Tokens, Sellers, Listings Items) and LWA."""

    name = "amazon"
    items_page_size = 30  # getOrderItems page size (Amazon pages long orders)
    report_polls = 2  # getReport answers before a report is DONE
    # processingStatus a finished report ends in: DONE, or FATAL ("the report was aborted due
    # to a fatal error", reports_2021-06-30.json); CANCELLED comes by itself without data
    report_outcome = "DONE"
    # Character set of the report documents: Amazon serves EU flat files in Cp1252 for many
    # sellers ("Content-Type: text/plain; charset=Cp1252"), where a character outside it
    # (Turkish ı, ş, ğ) arrives as "?" (amzn/selling-partner-api-models#2748, #4031)
    report_charset = "UTF-8"
    # Most orders a searchOrders/getOrders page holds whatever maxResultsPerPage asks: a page
    # with a next token may hold fewer orders than asked for (the models give a maximum only)
    page_order_cap = None
    token_lifetime = 3600

    def __init__(self, rate_limits=True):
        super().__init__()
        self.rate_limits_enabled = rate_limits
        self.limits = dict(RATE_LIMITS)
        self.client_id = LWA_CLIENT_ID
        self.client_secret = LWA_CLIENT_SECRET
        self.seller_id = SELLER_ID
        self.refresh_tokens = {REFRESH_TOKEN}
        self.marketplace_ids = [DE, FR, NL, BE]
        self.store_name = "Emulator Store"
        self.access_tokens = {}  # token -> expiry (epoch)
        self.rdts = {}  # token -> {"expires", "resources": [(method, path regex, elements)]}
        self.orders = {}  # order id -> spec (see add_order)
        self.catalog = {}  # asin -> {"asin", "ean", "title", "product_type"}
        self.listings = {}  # sku -> listing dict
        self.shipments = []  # (order id, ConfirmShipmentRequest)
        self.reports = {}
        self.documents = {}  # document id -> (text, signature, restricted)
        self.page_tokens = {}
        self.financial_events = []  # {"posted", "list", "event"} (Finances API)
        self.public_url = None  # where the presigned report documents are served
        self._local = threading.local()
        self._ids = itertools.count(1)
        self._random = random.Random(42)

    # === test helpers ==================================================================

    def authorize(self, refresh_token):
        """Accept another refresh token (tests use distinct ones per case)."""
        self.refresh_tokens.add(refresh_token)

    def expire_tokens(self):
        """Every issued access token is now expired (403 until a new one is fetched)."""
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0

    def set_rate_limit(self, operation, rate, burst):
        self.limits[operation] = (rate, burst)
        self.limiters.pop(operation, None)

    def add_catalog_item(self, asin, ean, title, product_type="PRODUCT"):
        self.catalog[asin] = {"asin": asin, "ean": ean, "title": title, "product_type": product_type}

    def add_listing(
        self,
        sku,
        asin,
        price,
        quantity=0,
        title="",
        ean="",
        product_type="PRODUCT",
        marketplace_id=DE,
        parent_sku="",
        attributes=None,
    ):
        if asin not in self.catalog:
            self.add_catalog_item(asin, ean, title, product_type)
        now = _iso(_now())
        self.listings[sku] = {
            "sku": sku,
            "asin": asin,
            "product_type": product_type,
            "title": title or self.catalog[asin]["title"],
            "prices": {marketplace_id: _dec(price)},
            "quantity": int(quantity),
            "created": now,
            "updated": now,
            "parent_sku": parent_sku,
            "attributes": dict(attributes or {}),
        }
        return self.listings[sku]

    def add_order(
        self,
        items,
        marketplace_id=DE,
        status="UNSHIPPED",
        created=None,
        updated=None,
        buyer=None,
        address=None,
        billing=None,
        business=False,
        vat="",
        legal_name="",
        fulfilled_by="MERCHANT",
        service_level="STANDARD",
        facilitator=False,
        scheme="",
        order_id=None,
        prime=False,
        po_number="",
    ):
        """Store an order; ``items`` are dicts: sku, qty, price (gross unit), tax_rate,
        shipping (gross, line), promo (gross discount), ship_discount, title, asin."""
        created = created or _now() - timedelta(minutes=10)
        order_id = order_id or "%03d-%07d-%07d" % (
            self._random.randint(300, 309),
            self._random.randint(0, 9999999),
            self._random.randint(0, 9999999),
        )
        lines = []
        for index, item in enumerate(items):
            listing = self.listings.get(item["sku"], {})
            lines.append(
                {
                    "id": item.get("id") or "%014d" % (int(re.sub(r"\D", "", order_id)[:10]) * 10 + index),
                    "sku": item["sku"],
                    "asin": item.get("asin") or listing.get("asin") or "B0UNKNOWN0",
                    "title": item.get("title") or listing.get("title") or item["sku"],
                    "qty": int(item.get("qty", 1)),
                    "price": _dec(item["price"]),
                    "tax_rate": Decimal(str(item.get("tax_rate", 19))),
                    "shipping": _dec(item.get("shipping", 0)),
                    "promo": _dec(item.get("promo", 0)),
                    "ship_discount": _dec(item.get("ship_discount", 0)),
                    "promotion_ids": list(
                        item.get("promotion_ids")
                        or ([f"PROMO-{index + 1}"] if _dec(item.get("promo", 0)) else [])
                    ),
                    "shipped": int(item.get("shipped", 0)),
                }
            )
        spec = {
            "id": order_id,
            "created": created,
            "updated": updated or created,
            # when the order became eligible for fulfillment (left Pending): what the date
            # range of an order report selects on
            "eligible": None if status in PENDING_STATUSES else created,
            "status": status,
            "marketplace": marketplace_id,
            "currency": MARKETPLACE_INFO.get(marketplace_id, ("", "", "EUR"))[2],
            "fulfilled_by": fulfilled_by,
            "service_level": service_level,
            "business": business,
            "prime": prime,
            "buyer": dict(buyer or {}),
            "address": dict(address or {}),
            "billing": dict(billing or {}),
            "vat": vat,
            "legal_name": legal_name,
            "facilitator": facilitator,
            "scheme": scheme,
            "po_number": po_number,
            "lines": lines,
            "packages": [],
        }
        with self.lock:
            self.orders[order_id] = spec
        return order_id

    def touch(self, order_id, **changes):
        """Change an order (e.g. status) and bump its lastUpdatedTime."""
        with self.lock:
            spec = self.orders[order_id]
            spec.update(changes)
            spec["updated"] = max(_now(), spec["updated"] + timedelta(seconds=1))
            if spec["eligible"] is None and spec["status"] not in PENDING_STATUSES:
                spec["eligible"] = spec["updated"]

    # === framework hooks =================================================================

    def _operation(self, request):
        path, method = request.path, request.method
        if path == "/auth/o2/token":
            return "lwa"
        if path.startswith("/report-documents/"):
            return "document"
        feeds = self._feeds_operation(method, path)
        if feeds:
            return feeds
        if method == "GET" and path == "/finances/v0/financialEvents":
            return "listFinancialEvents"
        if method == "GET" and re.fullmatch(r"/finances/v0/orders/[^/]+/financialEvents", path):
            return "listFinancialEventsByOrderId"
        table = [
            ("GET", r"/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations"),
            ("GET", r"/orders/2026-01-01/orders", "searchOrders"),
            ("GET", r"/orders/2026-01-01/orders/[^/]+", "getOrder2026"),
            ("GET", r"/orders/v0/orders", "getOrders"),
            ("GET", r"/orders/v0/orders/[^/]+", "getOrder"),
            ("GET", r"/orders/v0/orders/[^/]+/orderItems", "getOrderItems"),
            ("POST", r"/orders/v0/orders/[^/]+/shipmentConfirmation", "confirmShipment"),
            ("POST", r"/tokens/2021-03-01/restrictedDataToken", "createRestrictedDataToken"),
            ("POST", r"/reports/2021-06-30/reports", "createReport"),
            ("GET", r"/reports/2021-06-30/reports/[^/]+", "getReport"),
            ("GET", r"/reports/2021-06-30/documents/[^/]+", "getReportDocument"),
            ("GET", r"/listings/2021-08-01/items/[^/]+/[^/]+", "getListingsItem"),
            ("PUT", r"/listings/2021-08-01/items/[^/]+/[^/]+", "putListingsItem"),
            ("PATCH", r"/listings/2021-08-01/items/[^/]+/[^/]+", "patchListingsItem"),
            ("GET", r"/listings/2021-08-01/items/[^/]+", "searchListingsItems"),
        ]
        for verb, pattern, operation in table:
            if method == verb and re.fullmatch(pattern, path):
                return operation
        return None

    def limit_for(self, request):
        operation = getattr(self._local, "operation", None)
        limit = self.limits.get(operation) if self.rate_limits_enabled else None
        if not limit:
            return None
        return (operation,) + tuple(limit)

    def rate_limited_response(self, wait):
        operation = getattr(self._local, "operation", None)
        rate = (self.limits.get(operation) or (0, 0))[0]
        # Amazon sends the applied rate, not a Retry-After.
        return Response(
            429,
            self._errors("QuotaExceeded", "You exceeded your quota for the requested resource."),
            {"x-amzn-RateLimit-Limit": str(rate)},
        )

    def error(self, status, message, code=None):
        code = code or {
            400: "InvalidInput",
            403: "Unauthorized",
            404: "NotFound",
            409: "Conflict",
            429: "QuotaExceeded",
        }.get(status, "InternalFailure")
        return Response(status, self._errors(code, message))

    @staticmethod
    def _errors(code, message, details=""):
        return {"errors": [{"code": code, "message": message, "details": details}]}

    def dispatch(self, request):
        operation = self._operation(request)
        self._local.operation = operation
        self._local.rdt = None
        response = super().dispatch(request)
        if not isinstance(response, Response):
            return response  # timeout / reset / malformed: the base handler plays them
        body = response.body
        if response.status >= 400 and isinstance(body, dict) and "errors" not in body and "error" not in body:
            # Faults injected through the base class, in Amazon's error shape.
            message = body.get("message") or "Error"
            if operation == "lwa":
                body = {
                    "error": "server_error" if response.status >= 500 else "invalid_request",
                    "error_description": message,
                }
            elif response.status == 401:
                response.status = 403  # Amazon answers an expired token with 403 Unauthorized
                body = self._errors(
                    "Unauthorized",
                    "The access token you provided has expired.",
                    "Request a new access token from LWA.",
                )
            elif response.status == 429:
                body = self._errors("QuotaExceeded", "You exceeded your quota for the requested resource.")
            elif response.status >= 500:
                body = self._errors("InternalFailure", "We encountered an internal error. Please try again.")
            else:
                body = self._errors("InvalidInput", message)
            response = Response(response.status, body, response.headers, response.content_type)
        limit = self.limits.get(operation) if operation else None
        headers = dict(response.headers)
        headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        if limit and operation not in ("lwa", "document"):
            headers.setdefault("x-amzn-RateLimit-Limit", str(limit[0]))
        return Response(
            response.status, response.body if body is None else body, headers, response.content_type
        )

    def authenticate(self, request):
        operation = self._operation(request)
        if operation in ("lwa", "document"):
            return None
        token = request.headers.get("x-amz-access-token") or request.headers.get("X-Amz-Access-Token") or ""
        if not request.headers.get("x-amz-date") and not request.headers.get("X-Amz-Date"):
            return self.error(403, "Missing x-amz-date header.", "Unauthorized")
        now = time.time()
        with self.lock:
            if token in self.access_tokens:
                if self.access_tokens[token] < now:
                    return Response(
                        403,
                        self._errors(
                            "Unauthorized",
                            "The access token you provided has expired.",
                            "Request a new access token from LWA.",
                        ),
                    )
                return None
            rdt = self.rdts.get(token)
        if rdt:
            if rdt["expires"] < now:
                return Response(403, self._errors("Unauthorized", "The restricted data token has expired."))
            for method, path, elements in rdt["resources"]:
                if method == request.method and re.fullmatch(path, request.path):
                    self._local.rdt = set(elements)
                    return None
            return Response(
                403,
                self._errors(
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The restricted data token is not valid for this resource.",
                ),
            )
        return Response(
            403,
            self._errors(
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
            ),
        )

    def _pii(self, element):
        """True when the request carries an RDT granting ``element``."""
        granted = getattr(self._local, "rdt", None)
        return bool(granted) and element in granted

    def _with_rdt(self, request):
        return getattr(self._local, "rdt", None) is not None

    # === LWA ===========================================================================

    @route("POST", r"/auth/o2/token")
    def lwa_token(self, request):
        content_type = (
            request.headers.get("Content-Type") or request.headers.get("content-type") or ""
        ).lower()
        if "application/x-www-form-urlencoded" not in content_type:
            return Response(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Content-Type must be application/x-www-form-urlencoded",
                },
            )
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "client_credentials"):
            return Response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "The authorization grant type is not supported",
                },
            )
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Response(
                401, {"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        if grant == "refresh_token" and form.get("refresh_token") not in self.refresh_tokens:
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter : refresh_token",
                },
            )
        token = "Atza|" + uuid.uuid4().hex
        with self.lock:
            self.access_tokens[token] = time.time() + self.token_lifetime
        body = {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime}
        if grant == "refresh_token":
            body["refresh_token"] = form["refresh_token"]
        return Response(200, body)

    # === Sellers ===========================================================================

    @route("GET", r"/sellers/v1/marketplaceParticipations")
    def participations(self, request):
        payload = []
        for marketplace_id in self.marketplace_ids:
            country, name, currency, language = MARKETPLACE_INFO.get(
                marketplace_id, ("", marketplace_id, "EUR", "")
            )
            payload.append(
                {
                    "marketplace": {
                        "id": marketplace_id,
                        "name": name,
                        "countryCode": country,
                        "defaultCurrencyCode": currency,
                        "defaultLanguageCode": language,
                        "domainName": "www." + name.lower(),
                    },
                    "storeName": self.store_name,
                    "participation": {"isParticipating": True, "hasSuspendedListings": False},
                }
            )
        return Response(200, {"payload": payload})

    # === Tokens ===========================================================================

    @route("POST", r"/tokens/2021-03-01/restrictedDataToken")
    def restricted_data_token(self, request):
        body = request.json or {}
        resources = body.get("restrictedResources")
        if not isinstance(resources, list) or not resources:
            return self.error(400, "restrictedResources is required.")
        granted = []
        for resource in resources:
            method, path = resource.get("method"), resource.get("path")
            if (
                method not in ("GET", "PUT", "POST", "DELETE")
                or not isinstance(path, str)
                or not path.startswith("/")
            ):
                return self.error(400, "Each restricted resource needs a method and a path.")
            elements = resource.get("dataElements") or []
            unknown = set(elements) - PII_ELEMENTS
            if unknown:
                return self.error(400, f"Invalid dataElements: {', '.join(sorted(unknown))}")
            regex = re.escape(path).replace(re.escape("{orderId}"), "[^/]+")
            granted.append((method, regex, elements))
        token = "Atz.sprdt|" + uuid.uuid4().hex
        with self.lock:
            self.rdts[token] = {"expires": time.time() + 3600, "resources": granted}
        return Response(200, {"restrictedDataToken": token, "expiresIn": 3600})

    # === Orders 2026-01-01 ==================================================================

    def _page(self, key, items, page_size, token):
        """Slice ``items``; return (page, next token)."""
        start = 0
        if token:
            stored = self.page_tokens.get(token)
            if not stored or stored[0] != key:
                raise ValueError("Invalid pagination token")
            start = stored[1]
        page = items[start : start + page_size]
        next_token = None
        if start + page_size < len(items):
            next_token = uuid.uuid4().hex
            self.page_tokens[next_token] = (key, start + page_size)
        return page, next_token

    def _filter_orders(
        self,
        created_after,
        updated_after,
        marketplaces,
        statuses,
        fulfilled_by,
        created_before=None,
        updated_before=None,
    ):
        result = []
        with self.lock:
            specs = list(self.orders.values())
        for spec in specs:
            if created_after and spec["created"] < created_after:
                continue
            if created_before and spec["created"] >= created_before:
                continue
            if updated_after and spec["updated"] < updated_after:
                continue
            if updated_before and spec["updated"] >= updated_before:
                continue
            if marketplaces and spec["marketplace"] not in marketplaces:
                continue
            if statuses and spec["status"] not in statuses:
                continue
            if fulfilled_by and spec["fulfilled_by"] not in fulfilled_by:
                continue
            result.append(spec)
        result.sort(key=lambda s: (s["updated"], s["id"]))
        return result

    def _date_window(self, request, names):
        after_c, before_c, after_u, before_u = (request.arg(n) for n in names)
        if bool(after_c) == bool(after_u):
            raise ValueError(f"Exactly one of {names[0]} and {names[2]} is required")
        if (after_c and before_u) or (after_u and before_c):
            raise ValueError("Created and LastUpdated filters cannot be combined")
        parsed = [
            _parse_iso(v, n) if v else None
            for v, n in zip((after_c, before_c, after_u, before_u), names, strict=True)
        ]
        latest = _now() - timedelta(minutes=2)
        for value, name in ((parsed[1], names[1]), (parsed[3], names[3])):
            if value and value > latest:
                raise ValueError(f"{name} must be at least 2 minutes before the time of the request")
        return parsed

    @route("GET", r"/orders/2026-01-01/orders")
    def search_orders(self, request):
        marketplaces = _csv(request, "marketplaceIds")
        if not marketplaces:
            return self.error(400, "marketplaceIds is required.")
        statuses = _csv(request, "fulfillmentStatuses")
        if set(statuses) - set(STATUS_2026):
            return self.error(400, f"Invalid fulfillmentStatuses: {','.join(statuses)}")
        fulfilled_by = _csv(request, "fulfilledBy")
        if set(fulfilled_by) - {"MERCHANT", "AMAZON"}:
            return self.error(400, "fulfilledBy must be MERCHANT or AMAZON.")
        included = set(_csv(request, "includedData"))
        if included - INCLUDED_DATA:
            return self.error(400, f"Invalid includedData: {', '.join(sorted(included - INCLUDED_DATA))}")
        page_size = int(request.arg("maxResultsPerPage", "100"))
        if not 1 <= page_size <= 100:
            return self.error(400, "maxResultsPerPage must be between 1 and 100.")
        token = request.arg("paginationToken")
        if token:
            stored = self.page_tokens.get(token)
            if not stored:
                return self.error(400, "Invalid paginationToken.")
            key = stored[0]
        else:
            window = self._date_window(
                request, ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
            )
            key = ("2026", tuple(window), tuple(marketplaces), tuple(statuses), tuple(fulfilled_by))
        _tag, window, marketplaces, statuses, fulfilled_by = key
        specs = self._filter_orders(
            window[0], window[2], marketplaces, statuses, fulfilled_by, window[1], window[3]
        )
        page_size = min(page_size, self.page_order_cap or page_size)
        page, next_token = self._page(key, specs, page_size, token)
        body = {"orders": [self._order_2026(spec, included) for spec in page]}
        if next_token:
            body["pagination"] = {"nextToken": next_token}
        if window[2]:
            body["lastUpdatedBefore"] = _iso(window[3] or _now() - timedelta(minutes=2))
        else:
            body["createdBefore"] = _iso(window[1] or _now() - timedelta(minutes=2))
        return Response(200, body)

    @route("GET", r"/orders/2026-01-01/orders/(?P<order_id>[^/]+)")
    def get_order_2026(self, request):
        spec = self.orders.get(unquote(request.params["order_id"]))
        if not spec:
            return self.error(404, "Order not found.")
        included = set(_csv(request, "includedData"))
        if included - INCLUDED_DATA:
            return self.error(400, "Invalid includedData.")
        return Response(200, {"order": self._order_2026(spec, included)})

    def _amounts(self, line):
        """VAT-inclusive line amounts and the VAT they contain."""
        gross = line["price"] * line["qty"]
        rate = line["tax_rate"]
        return {
            "item": gross,
            "item_tax": _vat_part(gross, rate),
            "shipping": line["shipping"],
            "shipping_tax": _vat_part(line["shipping"], rate),
            "promo": line["promo"],
            "promo_tax": _vat_part(line["promo"], rate),
            "ship_discount": line["ship_discount"],
            "ship_discount_tax": _vat_part(line["ship_discount"], rate),
        }

    def _order_total(self, spec):
        total = Decimal(0)
        for line in spec["lines"]:
            a = self._amounts(line)
            total += a["item"] + a["shipping"] - a["promo"] - a["ship_discount"]
        # fault: a grand total that disagrees with the items (touch(order_id, total_delta=...))
        return total + Decimal(str(spec.get("total_delta", 0)))

    def _address_2026(self, address):
        keys = (
            "name",
            "companyName",
            "addressLine1",
            "addressLine2",
            "addressLine3",
            "city",
            "districtOrCounty",
            "stateOrRegion",
            "postalCode",
            "countryCode",
            "phone",
            "addressType",
        )
        return {k: address[k] for k in keys if address.get(k)}

    def _order_2026(self, spec, included):
        currency = spec["currency"]
        name = MARKETPLACE_INFO.get(spec["marketplace"], ("", "", "", ""))[1]
        merchant = spec["fulfilled_by"] == "MERCHANT"
        order = {
            "orderId": spec["id"],
            "createdTime": _iso(spec["created"]),
            "lastUpdatedTime": _iso(spec["updated"]),
            "programs": (["AMAZON_BUSINESS"] if spec["business"] else [])
            + (["PRIME"] if spec["prime"] else [])
            + ([] if merchant else ["DELIVERY_BY_AMAZON"]),
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": spec["marketplace"],
                "marketplaceName": name,
            },
        }
        if "BUYER" in included:
            buyer = {"buyerName": spec["buyer"].get("name", "")}
            if merchant and spec["buyer"].get("email"):
                buyer["buyerEmail"] = spec["buyer"]["email"]
            if spec["buyer"].get("company"):
                buyer["buyerCompanyName"] = spec["buyer"]["company"]
            if spec["po_number"]:
                buyer["buyerPurchaseOrderNumber"] = spec["po_number"]
            order["buyer"] = buyer
        if "RECIPIENT" in included and spec["address"]:
            order["recipient"] = {"deliveryAddress": self._address_2026(spec["address"])}
        items = []
        totals = {"ITEM": Decimal(0), "SHIPPING": Decimal(0), "DISCOUNT": Decimal(0), "TAX": Decimal(0)}
        for line in spec["lines"]:
            a = self._amounts(line)
            item = {
                "orderItemId": line["id"],
                "quantityOrdered": line["qty"],
                "product": {
                    "asin": line["asin"],
                    "title": line["title"],
                    "sellerSku": line["sku"],
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {"unitPrice": _money(line["price"], currency)},
                },
            }
            if spec["business"]:
                item["product"]["price"]["priceDesignation"] = "BUSINESS_PRICE"
            discount = a["promo"] + a["ship_discount"]
            tax = a["item_tax"] + a["shipping_tax"] - a["promo_tax"] - a["ship_discount_tax"]
            breakdowns = [{"type": "ITEM", "subtotal": _money(a["item"], currency)}]
            if a["shipping"]:
                breakdowns.append({"type": "SHIPPING", "subtotal": _money(a["shipping"], currency)})
            if discount:
                breakdowns.append(
                    {
                        "type": "DISCOUNT",
                        "subtotal": _money(-discount, currency),
                        "detailedBreakdowns": [
                            {"subtype": sub, "value": _money(-value, currency)}
                            for sub, value in (("ITEM", a["promo"]), ("SHIPPING", a["ship_discount"]))
                            if value
                        ],
                    }
                )
            breakdowns.append(
                {
                    "type": "TAX",
                    "subtotal": _money(tax, currency),
                    "detailedBreakdowns": [
                        {"subtype": sub, "value": _money(value, currency)}
                        for sub, value in (
                            ("ITEM", a["item_tax"]),
                            ("SHIPPING", a["shipping_tax"]),
                            ("DISCOUNT", -(a["promo_tax"] + a["ship_discount_tax"])),
                        )
                        if value
                    ],
                }
            )
            totals["ITEM"] += a["item"]
            totals["SHIPPING"] += a["shipping"]
            totals["DISCOUNT"] -= discount
            totals["TAX"] += tax
            if "PROCEEDS" in included:
                item["proceeds"] = {
                    "proceedsTotal": _money(a["item"] + a["shipping"] - discount, currency),
                    "breakdowns": breakdowns,
                }
            if "PROMOTION" in included and line["promotion_ids"]:
                item["promotion"] = {"breakdowns": [{"promotionId": p} for p in line["promotion_ids"]]}
            if "FULFILLMENT" in included:
                item["fulfillment"] = {
                    "quantityFulfilled": line["shipped"],
                    "quantityUnfulfilled": max(0, line["qty"] - line["shipped"]),
                }
            if "TAX" in included and (spec["facilitator"] or spec["scheme"]):
                item_tax = {}
                if spec["facilitator"]:
                    item_tax["taxCollections"] = [
                        {
                            "model": "MARKETPLACE_FACILITATOR",
                            "responsibleParty": "Amazon Services Europe S.a.r.L.",
                        }
                    ]
                if spec["scheme"]:
                    item_tax["taxCalculationBreakdowns"] = [{"reportingScheme": spec["scheme"]}]
                item["tax"] = item_tax
            items.append(item)
        order["orderItems"] = items
        if "PROCEEDS" in included:
            order["proceeds"] = {
                "grandTotal": _money(self._order_total(spec), currency),
                "breakdowns": [{"type": t, "subtotal": _money(v, currency)} for t, v in totals.items() if v],
            }
        if "FULFILLMENT" in included:
            order["fulfillment"] = {
                "fulfillmentStatus": spec["status"],
                "fulfilledBy": spec["fulfilled_by"],
                "fulfillmentServiceLevel": spec["service_level"],
            }
        if "TAX" in included and spec["vat"]:
            registration = {
                "entityType": "BUYER",
                "taxRegistrationType": "VAT",
                "taxRegistrationNumber": spec["vat"],
                "legalName": spec["legal_name"] or spec["buyer"].get("company", ""),
            }
            if spec["billing"]:
                registration["taxRegistrationAddress"] = self._address_2026(spec["billing"])
            order["tax"] = {"taxRegistrations": [registration]}
        if "PACKAGES" in included and spec["packages"] and merchant:
            order["packages"] = spec["packages"]
        return order

    # === Orders v0 ==========================================================================

    @route("GET", r"/orders/v0/orders")
    def get_orders(self, request):
        marketplaces = _csv(request, "MarketplaceIds")
        if not marketplaces:
            return self.error(400, "MarketplaceIds is required.")
        token = request.arg("NextToken")
        page_size = int(request.arg("MaxResultsPerPage", "100"))
        if not 1 <= page_size <= 100:
            return self.error(400, "MaxResultsPerPage must be between 1 and 100.")
        if token:
            stored = self.page_tokens.get(token)
            if not stored:
                return self.error(400, "Invalid NextToken.")
            key = stored[0]
        else:
            statuses = _csv(request, "OrderStatuses")
            if set(statuses) - V0_STATUSES:
                return self.error(400, f"Invalid OrderStatuses: {','.join(statuses)}")
            channels = _csv(request, "FulfillmentChannels")
            if set(channels) - {"MFN", "AFN"}:
                return self.error(400, "FulfillmentChannels must be MFN or AFN.")
            window = self._date_window(
                request, ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore")
            )
            statuses_2026 = tuple(k for k, v in STATUS_V0.items() if v in statuses)
            if "InvoiceUnconfirmed" in statuses:
                statuses_2026 += ("SHIPPED",)
            fulfilled_by = tuple({"MFN": "MERCHANT", "AFN": "AMAZON"}[c] for c in channels)
            key = ("v0", tuple(window), tuple(marketplaces), statuses_2026, fulfilled_by)
        _tag, window, marketplaces, statuses, fulfilled_by = key
        specs = self._filter_orders(
            window[0], window[2], marketplaces, statuses, fulfilled_by, window[1], window[3]
        )
        page_size = min(page_size, self.page_order_cap or page_size)
        page, next_token = self._page(key, specs, page_size, token)
        payload = {"Orders": [self._order_v0(spec) for spec in page]}
        if next_token:
            payload["NextToken"] = next_token
        payload["LastUpdatedBefore" if window[2] else "CreatedBefore"] = _iso(_now() - timedelta(minutes=2))
        return Response(200, {"payload": payload})

    @route("GET", r"/orders/v0/orders/(?P<order_id>[^/]+)")
    def get_order_v0(self, request):
        spec = self.orders.get(unquote(request.params["order_id"]))
        if not spec:
            return self.error(404, "Order not found.")
        return Response(200, {"payload": self._order_v0(spec)})

    def _order_v0(self, spec):
        currency = spec["currency"]
        _country, name, _cur, _lang = MARKETPLACE_INFO.get(spec["marketplace"], ("", "", "", ""))
        shipped = sum(line["shipped"] for line in spec["lines"])
        ordered = sum(line["qty"] for line in spec["lines"])
        order = {
            "AmazonOrderId": spec["id"],
            "PurchaseDate": _iso(spec["created"]),
            "LastUpdateDate": _iso(spec["updated"]),
            "OrderStatus": STATUS_V0[spec["status"]],
            "FulfillmentChannel": "MFN" if spec["fulfilled_by"] == "MERCHANT" else "AFN",
            "SalesChannel": name,
            "ShipServiceLevel": "Std DE Dom",
            "OrderTotal": _money_v0(self._order_total(spec), currency),
            "NumberOfItemsShipped": shipped,
            "NumberOfItemsUnshipped": ordered - shipped,
            "PaymentMethod": "Other",
            "PaymentMethodDetails": ["Standard"],
            "MarketplaceId": spec["marketplace"],
            "ShipmentServiceLevelCategory": SERVICE_LEVEL_V0.get(spec["service_level"], "Standard"),
            "OrderType": "StandardOrder",
            "IsBusinessOrder": spec["business"],
            "IsPrime": spec["prime"],
            "IsPremiumOrder": False,
            "IsGlobalExpressEnabled": False,
            "IsReplacementOrder": False,
            "IsSoldByAB": False,
            "IsISPU": False,
            "IsAccessPointOrder": False,
        }
        address = spec["address"]
        if address and spec["status"] in ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"):
            shipping = {
                "City": address.get("city", ""),
                "StateOrRegion": address.get("stateOrRegion", ""),
                "PostalCode": address.get("postalCode", ""),
                "CountryCode": address.get("countryCode", ""),
            }
            if self._pii("shippingAddress"):
                shipping.update(
                    {
                        "Name": address.get("name", ""),
                        "CompanyName": address.get("companyName", ""),
                        "AddressLine1": address.get("addressLine1", ""),
                        "AddressLine2": address.get("addressLine2", ""),
                        "AddressLine3": address.get("addressLine3", ""),
                        "Phone": address.get("phone", ""),
                        "AddressType": "Commercial"
                        if address.get("addressType") == "COMMERCIAL"
                        else "Residential",
                    }
                )
            order["ShippingAddress"] = {k: v for k, v in shipping.items() if v}
        if self._pii("buyerInfo"):
            info = {"BuyerEmail": spec["buyer"].get("email", ""), "BuyerName": spec["buyer"].get("name", "")}
            if spec["po_number"]:
                info["PurchaseOrderNumber"] = spec["po_number"]
            if spec["vat"]:
                info["BuyerTaxInfo"] = {
                    "CompanyLegalName": spec["legal_name"] or spec["buyer"].get("company", ""),
                    "TaxingRegion": spec["address"].get("countryCode", ""),
                    "TaxClassifications": [{"Name": "VATNumber", "Value": spec["vat"]}],
                }
            order["BuyerInfo"] = {k: v for k, v in info.items() if v}
        else:
            order["BuyerInfo"] = (
                {"BuyerEmail": spec["buyer"].get("email", "")} if spec["buyer"].get("email") else {}
            )
        return order

    @route("GET", r"/orders/v0/orders/(?P<order_id>[^/]+)/orderItems")
    def get_order_items(self, request):
        order_id = unquote(request.params["order_id"])
        spec = self.orders.get(order_id)
        if not spec:
            return self.error(404, "Order not found.")
        currency = spec["currency"]
        items = []
        for line in spec["lines"]:
            a = self._amounts(line)
            item = {
                "ASIN": line["asin"],
                "OrderItemId": line["id"],
                "SellerSKU": line["sku"],
                "Title": line["title"],
                "QuantityOrdered": line["qty"],
                "QuantityShipped": line["shipped"],
                "ProductInfo": {"NumberOfItems": "1"},
                "ItemPrice": _money_v0(a["item"], currency),
                "ItemTax": _money_v0(a["item_tax"], currency),
                "ShippingPrice": _money_v0(a["shipping"], currency),
                "ShippingTax": _money_v0(a["shipping_tax"], currency),
                "ShippingDiscount": _money_v0(a["ship_discount"], currency),
                "ShippingDiscountTax": _money_v0(a["ship_discount_tax"], currency),
                "PromotionDiscount": _money_v0(a["promo"], currency),
                "PromotionDiscountTax": _money_v0(a["promo_tax"], currency),
                "PromotionIds": line["promotion_ids"],
                "IsGift": "false",
                "ConditionId": "New",
                "ConditionSubtypeId": "New",
                "IsTransparency": False,
                "SerialNumberRequired": False,
                "BuyerRequestedCancel": {"IsBuyerRequestedCancel": "false", "BuyerCancelReason": ""},
            }
            if spec["business"]:
                item["PriceDesignation"] = "BusinessPrice"
            if spec["facilitator"]:
                item["TaxCollection"] = {
                    "Model": "MarketplaceFacilitator",
                    "ResponsibleParty": "Amazon Services Europe S.a.r.L.",
                }
            if spec["scheme"]:
                item["DeemedResellerCategory"] = spec["scheme"]
            items.append(item)
        page, next_token = self._page(
            ("items", order_id), items, self.items_page_size, request.arg("NextToken")
        )
        payload = {"AmazonOrderId": order_id, "OrderItems": page}
        if next_token:
            payload["NextToken"] = next_token
        return Response(200, {"payload": payload})

    @route("POST", r"/orders/v0/orders/(?P<order_id>[^/]+)/shipmentConfirmation")
    def confirm_shipment(self, request):
        order_id = unquote(request.params["order_id"])
        body = request.json or {}
        spec = self.orders.get(order_id)
        if not spec:
            return self.error(404, "Order not found.")
        if not body.get("marketplaceId"):
            return self.error(400, "marketplaceId is required.")
        if body["marketplaceId"] != spec["marketplace"]:
            return self.error(400, "marketplaceId does not match the order.")
        package = body.get("packageDetail")
        if not isinstance(package, dict):
            return self.error(400, "packageDetail is required.")
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
            if not package.get(key):
                return self.error(400, f"packageDetail.{key} is required.")
        if not re.fullmatch(r"[1-9]\d*", str(package["packageReferenceId"])):
            return self.error(400, "packageReferenceId must be a positive numeric string.")
        if package["carrierCode"] == "Other" and not package.get("carrierName"):
            return self.error(400, "carrierName is required when carrierCode is Other.")
        _parse_iso(package["shipDate"], "shipDate")
        if spec["fulfilled_by"] != "MERCHANT":
            return self.error(400, "Shipments of orders fulfilled by Amazon cannot be confirmed.")
        if spec["status"] not in ("UNSHIPPED", "PARTIALLY_SHIPPED"):
            return self.error(400, f"The order is {STATUS_V0[spec['status']]}: it cannot be shipped.")
        lines = {line["id"]: line for line in spec["lines"]}
        for entry in package["orderItems"]:
            line = lines.get(entry.get("orderItemId"))
            if not line:
                return self.error(400, f"Unknown orderItemId {entry.get('orderItemId')!r}.")
            quantity = entry.get("quantity")
            if not isinstance(quantity, int) or quantity < 1 or quantity > line["qty"] - line["shipped"]:
                return self.error(400, f"Invalid quantity for orderItemId {line['id']}.")
        with self.lock:
            for entry in package["orderItems"]:
                lines[entry["orderItemId"]]["shipped"] += entry["quantity"]
            done = all(line["shipped"] >= line["qty"] for line in spec["lines"])
            spec["status"] = "SHIPPED" if done else "PARTIALLY_SHIPPED"
            spec["updated"] = max(_now(), spec["updated"] + timedelta(seconds=1))
            spec["packages"].append(
                {
                    "packageReferenceId": str(package["packageReferenceId"]),
                    "createdTime": _iso(_now()),
                    "packageStatus": {"status": "SHIPPED"},
                    "carrier": package.get("carrierName") or package["carrierCode"],
                    "shipTime": package["shipDate"],
                    "shippingService": package.get("shippingMethod", ""),
                    "trackingNumber": package["trackingNumber"],
                    "packageItems": [
                        {"orderItemId": e["orderItemId"], "quantity": e["quantity"]}
                        for e in package["orderItems"]
                    ],
                }
            )
            self.shipments.append((order_id, body))
        return Response(204)

    # === Finances API: refund events ========================================================
    # financesV0.json: listFinancialEvents (PostedAfter/PostedBefore, MaxResultsPerPage 1-100,
    # NextToken) and listFinancialEventsByOrderId, usage plan 0.5 rps / burst 30. A refund is
    # a ShipmentEvent in RefundEventList; its items are ShipmentItemAdjustmentList entries with
    # ItemChargeAdjustmentList (negative: money back to the buyer), ItemFeeAdjustmentList
    # (Amazon's fees given back) and PromotionAdjustmentList (positive: the discount reversed).
    # Currency is {"CurrencyCode", "CurrencyAmount"} with a JSON number (BigDecimal).

    finance_page_cap = None  # most events per page whatever MaxResultsPerPage asks (None: as asked)

    def add_refund(self, order_id, items, posted=None, goodwill=0, restocking_fee=0):
        """Post a refund event of an emulator order (as Amazon does after a refund in Seller Central).

        ``items``: dicts with ``sku`` and optionally ``qty`` (pieces, QuantityShipped; default
        the ordered quantity), ``principal`` (gross item amount refunded; default the price of
        ``qty`` pieces), ``shipping`` (gross shipping refunded), ``promo`` (gross promotion
        given back, lowering the refund). Amounts are split into net and VAT at the line's rate
        (VAT Calculation Service style: Principal net, Tax apart).
        """
        spec = self.orders[order_id]
        currency = spec["currency"]
        posted = posted or _now() - timedelta(minutes=30)
        lines = {line["sku"]: line for line in spec["lines"]}

        def amount(value):
            return {"CurrencyCode": currency, "CurrencyAmount": float(_dec(value))}

        adjustments = []
        for index, item in enumerate(items):
            line = lines[item["sku"]]
            rate = line["tax_rate"]
            qty = int(item.get("qty", line["qty"]))
            principal = _dec(item["principal"]) if "principal" in item else line["price"] * qty
            shipping = _dec(item.get("shipping", 0))
            promo = _dec(item.get("promo", 0))
            charges = []
            if principal:
                vat = _vat_part(principal, rate)
                charges += [
                    {"ChargeType": "Principal", "ChargeAmount": amount(-(principal - vat))},
                    {"ChargeType": "Tax", "ChargeAmount": amount(-vat)},
                ]
            if shipping:
                vat = _vat_part(shipping, rate)
                charges += [
                    {"ChargeType": "ShippingCharge", "ChargeAmount": amount(-(shipping - vat))},
                    {"ChargeType": "ShippingTax", "ChargeAmount": amount(-vat)},
                ]
            if index == 0 and goodwill:
                charges.append({"ChargeType": "Goodwill", "ChargeAmount": amount(-_dec(goodwill))})
            if index == 0 and restocking_fee:
                # the buyer gets less back: a charge in the seller's favour
                charges.append({"ChargeType": "RestockingFee", "ChargeAmount": amount(_dec(restocking_fee))})
            commission = _dec(principal * Decimal("0.15"))
            adjustment = {
                "SellerSKU": line["sku"],
                "OrderItemId": line["id"],
                "OrderAdjustmentItemId": "%014d" % self._random.randint(10**12, 10**13),
                "QuantityShipped": qty,
                "ItemChargeAdjustmentList": charges,
                "ItemFeeAdjustmentList": [
                    {"FeeType": "Commission", "FeeAmount": amount(commission)},
                    {"FeeType": "RefundCommission", "FeeAmount": amount(-_dec(commission / 5))},
                ]
                if commission
                else [],
            }
            if promo:
                adjustment["PromotionAdjustmentList"] = [
                    {
                        "PromotionType": "PromotionMetaDataDefinitionValue",
                        "PromotionId": (line["promotion_ids"] or ["PROMO"])[0],
                        "PromotionAmount": amount(promo),
                    }
                ]
            if spec["facilitator"] and principal:
                adjustment["ItemTaxWithheldList"] = [
                    {
                        "TaxCollectionModel": "MarketplaceFacilitator",
                        "TaxesWithheld": [
                            {
                                "ChargeType": "MarketplaceFacilitatorTax-Principal",
                                "ChargeAmount": amount(_vat_part(principal, rate)),
                            }
                        ],
                    }
                ]
            adjustments.append(adjustment)
        event = {
            "AmazonOrderId": order_id,
            "SellerOrderId": order_id,
            "MarketplaceName": MARKETPLACE_INFO.get(spec["marketplace"], ("", ""))[1],
            "PostedDate": _iso(posted),
            "ShipmentItemAdjustmentList": adjustments,
        }
        with self.lock:
            self.financial_events.append(
                {"posted": posted.replace(microsecond=0), "list": "RefundEventList", "event": event}
            )
        return event

    def add_demo_refund(self):
        """The live demo's after-sale: one item of an earlier demo order refunded in full
        (sometimes with its shipping), or a 5.00 price reduction."""
        with self.lock:
            refunded = {e["event"]["AmazonOrderId"] for e in self.financial_events}
            candidates = sorted(
                order_id
                for order_id, spec in self.orders.items()
                if order_id not in refunded
                and spec["status"] != "CANCELLED"
                and any(line["sku"].startswith("DEMO-") for line in spec["lines"])
            )
        if len(candidates) < 2:
            return None
        order_id = self._random.choice(candidates[:-1])  # not the newest: imported by now
        line = self._random.choice(self.orders[order_id]["lines"])
        item = {"sku": line["sku"], "qty": 1}
        if self._random.random() < 0.25 and line["price"] > 5:
            item["principal"] = "5.00"
        elif line["shipping"] and self._random.random() < 0.3:
            item["shipping"] = line["shipping"]
        return self.add_refund(order_id, [item], posted=_now() - timedelta(minutes=3))

    def _finance_page(self, request, key, events):
        page_size = int(request.arg("MaxResultsPerPage", "100"))
        if not 1 <= page_size <= 100:
            raise ValueError("MaxResultsPerPage must be between 1 and 100.")
        page_size = min(page_size, self.finance_page_cap or page_size)
        page, next_token = self._page(key, events, page_size, request.arg("NextToken"))
        lists = {
            "ShipmentEventList": [],
            "RefundEventList": [],
            "GuaranteeClaimEventList": [],
            "ChargebackEventList": [],
        }
        for entry in page:
            lists[entry["list"]].append(entry["event"])
        payload = {"FinancialEvents": lists}
        if next_token:
            payload["NextToken"] = next_token
        return Response(200, {"payload": payload})

    @route("GET", r"/finances/v0/financialEvents")
    def list_financial_events(self, request):
        token = request.arg("NextToken")
        if token:
            stored = self.page_tokens.get(token)
            if not stored or stored[0][0] != "finances":
                return self.error(400, "Invalid NextToken.", "InvalidInput")
            _tag, after, before = stored[0]
        else:
            after, before = request.arg("PostedAfter"), request.arg("PostedBefore")
            latest = _now() - timedelta(minutes=2)
            after = _parse_iso(after, "PostedAfter") if after else None
            if before and not after:
                return self.error(400, "PostedAfter is required when PostedBefore is given.", "InvalidInput")
            before = _parse_iso(before, "PostedBefore") if before else latest
            if (after and after > latest) or before > latest:
                return self.error(
                    400, "Dates must be more than two minutes before the time of the request.", "InvalidInput"
                )
            if after and before <= after:
                return self.error(400, "PostedBefore must be later than PostedAfter.", "InvalidInput")
        events = []
        if not (after and before - after > timedelta(days=180)):  # wider: an empty answer
            with self.lock:
                events = [
                    e
                    for e in self.financial_events
                    if (not after or e["posted"] >= after) and e["posted"] < before
                ]
        events.sort(key=lambda e: e["posted"])
        return self._finance_page(request, ("finances", after, before), events)

    @route("GET", r"/finances/v0/orders/(?P<order_id>[^/]+)/financialEvents")
    def list_financial_events_by_order(self, request):
        order_id = unquote(request.params["order_id"])
        if not re.fullmatch(r"\d{3}-\d{7}-\d{7}", order_id):
            return self.error(400, "orderId must be in 3-7-7 format.", "InvalidInput")
        with self.lock:
            events = [e for e in self.financial_events if e["event"].get("AmazonOrderId") == order_id]
        events.sort(key=lambda e: e["posted"])
        return self._finance_page(request, ("finances-order", order_id), events)

    # === Reports ===========================================================================

    @route("POST", r"/reports/2021-06-30/reports")
    def create_report(self, request):
        body = request.json or {}
        report_type = body.get("reportType")
        marketplaces = body.get("marketplaceIds")
        if not report_type or not isinstance(marketplaces, list) or not marketplaces:
            return self.error(400, "reportType and marketplaceIds are required.")
        if not report_type.startswith("GET_FLAT_FILE_ORDER") and not report_type.startswith(
            "GET_FLAT_FILE_ALL_ORDERS"
        ):
            return self.error(400, f"Report type {report_type} is not available in this emulator.")
        start = _parse_iso(body["dataStartTime"], "dataStartTime") if body.get("dataStartTime") else None
        end = _parse_iso(body["dataEndTime"], "dataEndTime") if body.get("dataEndTime") else None
        report_id = str(50000000000 + next(self._ids))
        with self.lock:
            self.reports[report_id] = {
                "reportId": report_id,
                "reportType": report_type,
                "marketplaceIds": marketplaces,
                "dataStartTime": body.get("dataStartTime") or _iso(_now() - timedelta(days=30)),
                "dataEndTime": body.get("dataEndTime") or _iso(_now()),
                "createdTime": _iso(_now()),
                "processingStatus": "IN_QUEUE",
                "_polls": 0,
                "_window": (start, end),
            }
        return Response(202, {"reportId": report_id})

    @route("GET", r"/reports/2021-06-30/reports/(?P<report_id>[^/]+)")
    def get_report(self, request):
        report = self.reports.get(request.params["report_id"])
        if not report:
            return self.error(404, "Report not found.")
        with self.lock:
            report["_polls"] += 1
            if report["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS"):
                if report["_polls"] >= self.report_polls:
                    self._finish_report(report)
                else:
                    report["processingStatus"] = "IN_PROGRESS"
                    report["processingStartTime"] = _iso(_now())
        return Response(200, {k: v for k, v in report.items() if not k.startswith("_")})

    def _finish_report(self, report):
        start, end = report["_window"]
        if self.report_outcome == "FATAL":
            report["processingEndTime"] = _iso(_now())
            report["processingStatus"] = "FATAL"
            return
        rows = []
        for spec in sorted(self.orders.values(), key=lambda s: s["created"]):
            if spec["fulfilled_by"] != "MERCHANT" or spec["marketplace"] not in report["marketplaceIds"]:
                continue
            # "The date range you specify for an order report indicates when orders become
            # eligible for fulfillment (no longer in a pending state), not when you create
            # them" (report-type-values-order): an order changed later is not in it again
            eligible = spec["eligible"]
            if eligible is None or (start and eligible < start) or (end and eligible > end):
                continue
            rows.extend(self._report_rows(spec))
        report["processingEndTime"] = _iso(_now())
        if not rows:
            report["processingStatus"] = "CANCELLED"  # Amazon cancels reports without data
            return
        text = (
            "\t".join(REPORT_COLUMNS)
            + "\n"
            + "".join("\t".join(str(row.get(c, "")) for c in REPORT_COLUMNS) + "\n" for row in rows)
        )
        document_id = "amzn1.tortuga.4.eu.%s" % uuid.uuid4().hex
        restricted = any(marker in report["reportType"] for marker in RESTRICTED_REPORTS)
        self.documents[document_id] = (text, uuid.uuid4().hex, restricted)
        report["processingStatus"] = "DONE"
        report["reportDocumentId"] = document_id

    def _report_rows(self, spec):
        address, billing, buyer = spec["address"], spec["billing"] or spec["address"], spec["buyer"]
        rows = []
        for line in spec["lines"]:
            a = self._amounts(line)
            rows.append(
                {
                    "order-id": spec["id"],
                    "order-item-id": line["id"],
                    "purchase-date": _iso(spec["created"]),
                    "payments-date": _iso(spec["created"]),
                    "buyer-email": buyer.get("email", ""),
                    "buyer-name": billing.get("name") or buyer.get("name", ""),
                    "buyer-phone-number": buyer.get("phone", ""),
                    "sku": line["sku"],
                    "product-name": line["title"],
                    "quantity-purchased": line["qty"],
                    "currency": spec["currency"],
                    "item-price": f"{a['item']:.2f}",
                    "item-tax": f"{a['item_tax']:.2f}",
                    "shipping-price": f"{a['shipping']:.2f}",
                    "shipping-tax": f"{a['shipping_tax']:.2f}",
                    "ship-service-level": "Standard",
                    "recipient-name": address.get("name", ""),
                    "ship-address-1": address.get("addressLine1", ""),
                    "ship-address-2": address.get("addressLine2", ""),
                    "ship-address-3": address.get("addressLine3", ""),
                    "ship-city": address.get("city", ""),
                    "ship-state": address.get("stateOrRegion", ""),
                    "ship-postal-code": address.get("postalCode", ""),
                    "ship-country": address.get("countryCode", ""),
                    "ship-phone-number": address.get("phone", ""),
                    "bill-address-1": billing.get("addressLine1", ""),
                    "bill-address-2": billing.get("addressLine2", ""),
                    "bill-address-3": billing.get("addressLine3", ""),
                    "bill-city": billing.get("city", ""),
                    "bill-state": billing.get("stateOrRegion", ""),
                    "bill-postal-code": billing.get("postalCode", ""),
                    "bill-country": billing.get("countryCode", ""),
                    "sales-channel": MARKETPLACE_INFO.get(spec["marketplace"], ("", ""))[1],
                    "is-business-order": "true" if spec["business"] else "false",
                    "buyer-company-name": billing.get("companyName") or buyer.get("company", ""),
                    "buyer-vat-number": spec["vat"],
                }
            )
        return rows

    @route("GET", r"/reports/2021-06-30/documents/(?P<document_id>[^/]+)")
    def get_report_document(self, request):
        document_id = request.params["document_id"]
        document = self.documents.get(document_id)
        if not document:
            return self.error(404, "Report document not found.")
        _text, signature, restricted = document
        if restricted and not self._with_rdt(request):
            return self.error(
                403,
                "Access to requested resource is denied. This report type requires a Restricted Data Token.",
                "Unauthorized",
            )
        base = self.public_url or "http://" + (request.headers.get("Host") or "127.0.0.1")
        url = f"{base.rstrip('/')}/report-documents/{document_id}.txt?X-Amz-Signature={signature}"
        return Response(200, {"reportDocumentId": document_id, "url": url})

    @route("GET", r"/report-documents/(?P<document_id>[^/]+)\.txt")
    def download_document(self, request):
        document = self.documents.get(request.params["document_id"])
        if not document or request.arg("X-Amz-Signature") != document[1]:
            return Response(
                403,
                b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                content_type="application/xml",
            )
        return Response(
            200,
            document[0].encode(self.report_charset, "replace"),
            content_type=f"text/plain; charset={self.report_charset}",
        )

    # === Listings Items 2021-08-01 ===========================================================

    def _check_seller(self, request):
        if unquote(request.params["seller_id"]) != self.seller_id:
            return self.error(403, "Access to requested resource is denied.", "Unauthorized")
        if not _csv(request, "marketplaceIds"):
            return self.error(400, "marketplaceIds is required.")
        return None

    def _listing_body(self, listing, included, marketplaces):
        item = {"sku": listing["sku"]}
        if "summaries" in included:
            item["summaries"] = [
                {
                    "marketplaceId": m,
                    "asin": listing["asin"],
                    "productType": listing["product_type"],
                    "conditionType": "new_new",
                    "status": ["BUYABLE"] if listing["quantity"] > 0 else ["DISCOVERABLE"],
                    "itemName": listing["title"],
                    "createdDate": listing["created"],
                    "lastUpdatedDate": listing["updated"],
                }
                for m in marketplaces
            ]
        if "offers" in included:
            item["offers"] = [
                {
                    "marketplaceId": m,
                    "offerType": "B2C",
                    "price": {
                        "currencyCode": MARKETPLACE_INFO.get(m, ("", "", "EUR"))[2],
                        "amount": f"{listing['prices'][m]:.2f}",
                    },
                }
                for m in marketplaces
                if m in listing["prices"]
            ]
        if "fulfillmentAvailability" in included:
            item["fulfillmentAvailability"] = [
                {"fulfillmentChannelCode": "DEFAULT", "quantity": listing["quantity"]}
            ]
        if "attributes" in included:
            item["attributes"] = listing["attributes"]
        if "issues" in included:
            item["issues"] = []
        return item

    @route("GET", r"/listings/2021-08-01/items/(?P<seller_id>[^/]+)/(?P<sku>[^/]+)")
    def get_listing(self, request):
        denied = self._check_seller(request)
        if denied:
            return denied
        listing = self.listings.get(unquote(request.params["sku"]))
        if not listing:
            return self.error(404, "Listings item not found.", "NOT_FOUND")
        included = set(_csv(request, "includedData")) or {"summaries"}
        return Response(200, self._listing_body(listing, included, _csv(request, "marketplaceIds")))

    @route("GET", r"/listings/2021-08-01/items/(?P<seller_id>[^/]+)")
    def search_listings(self, request):
        denied = self._check_seller(request)
        if denied:
            return denied
        page_size = int(request.arg("pageSize", "10"))
        if not 1 <= page_size <= 20:
            return self.error(400, "pageSize must be between 1 and 20.")
        included = set(_csv(request, "includedData")) or {"summaries"}
        marketplaces = _csv(request, "marketplaceIds")
        listings = sorted(self.listings.values(), key=lambda item: item["sku"])
        token = request.arg("pageToken")
        if token and token not in self.page_tokens:
            return self.error(400, "Invalid pageToken.")
        page, next_token = self._page(("listings",), listings, page_size, token)
        body = {
            "numberOfResults": len(listings),
            "items": [self._listing_body(x, included, marketplaces) for x in page],
        }
        if next_token:
            body["pagination"] = {"nextToken": next_token}
        return Response(200, body)

    def _submission(self, sku, issues=(), asin=None, marketplaces=()):
        errors = [i for i in issues if i["severity"] == "ERROR"]
        body = {
            "sku": sku,
            "status": "INVALID" if errors else "ACCEPTED",
            "submissionId": uuid.uuid4().hex,
            "issues": list(issues),
        }
        if asin and not errors:
            body["identifiers"] = [{"marketplaceId": m, "asin": asin} for m in marketplaces]
        return Response(200, body)

    @staticmethod
    def _issue(code, message, attribute):
        return {
            "code": code,
            "message": message,
            "severity": "ERROR",
            "attributeNames": [attribute],
            "categories": ["INVALID_ATTRIBUTE"],
        }

    def _apply_attribute(self, listing, name, values, marketplaces):
        """Mirror the offer attributes the emulator understands into the listing."""
        if name == "fulfillment_availability":
            for value in values:
                if value.get("fulfillment_channel_code") == "DEFAULT":
                    quantity = value.get("quantity")
                    if not isinstance(quantity, int) or quantity < 0:
                        return self._issue("4000003", "quantity must be a whole number of 0 or more.", name)
                    listing["quantity"] = quantity
        elif name == "purchasable_offer":
            for value in values:
                try:
                    price = value["our_price"][0]["schedule"][0]["value_with_tax"]
                except (KeyError, IndexError, TypeError):
                    return self._issue(
                        "4000001", "purchasable_offer needs our_price[].schedule[].value_with_tax.", name
                    )
                for marketplace_id in (
                    [value.get("marketplace_id")] if value.get("marketplace_id") else marketplaces
                ):
                    listing["prices"][marketplace_id] = _dec(price)
        elif name == "item_name" and values:
            listing["title"] = values[0].get("value", listing["title"])
        listing["attributes"][name] = values
        return None

    @route("PUT", r"/listings/2021-08-01/items/(?P<seller_id>[^/]+)/(?P<sku>[^/]+)")
    def put_listing(self, request):
        denied = self._check_seller(request)
        if denied:
            return denied
        sku = unquote(request.params["sku"])
        body = request.json or {}
        if not body.get("productType") or not isinstance(body.get("attributes"), dict):
            return self.error(400, "productType and attributes are required.")
        requirements = body.get("requirements", "LISTING")
        if requirements not in ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"):
            return self.error(400, "Invalid requirements.")
        attributes = body["attributes"]
        marketplaces = _csv(request, "marketplaceIds")
        asin = None
        for entry in attributes.get("merchant_suggested_asin") or []:
            asin = entry.get("value")
        for entry in attributes.get("externally_assigned_product_identifier") or []:
            match = [
                a for a, item in self.catalog.items() if item["ean"] and item["ean"] == entry.get("value")
            ]
            asin = asin or (match[0] if match else None)
        existing = self.listings.get(sku)
        if existing:
            asin = asin or existing["asin"]
        if requirements == "LISTING_OFFER_ONLY" and asin not in self.catalog:
            return self._submission(
                sku,
                [
                    self._issue(
                        "8541",
                        "No Amazon catalogue item matches the ASIN or product id given for this SKU.",
                        "merchant_suggested_asin",
                    )
                ],
            )
        if not attributes.get("condition_type") and requirements != "LISTING_PRODUCT_ONLY":
            return self._submission(
                sku,
                [self._issue("90220", "'condition_type' is required but not supplied.", "condition_type")],
            )
        if not asin:
            asin = "B0" + uuid.uuid4().hex[:8].upper()
            title = ((attributes.get("item_name") or [{}])[0]).get("value", sku)
            self.add_catalog_item(asin, "", title, body["productType"])
        now = _iso(_now())
        listing = {
            "sku": sku,
            "asin": asin,
            "product_type": body["productType"],
            "title": self.catalog[asin]["title"],
            "prices": {},
            "quantity": 0,
            "created": existing["created"] if existing else now,
            "updated": now,
            "parent_sku": "",
            "attributes": {},
        }
        for name, values in attributes.items():
            issue = self._apply_attribute(listing, name, values or [], marketplaces)
            if issue:
                return self._submission(sku, [issue])
        with self.lock:
            self.listings[sku] = listing
        return self._submission(sku, asin=asin, marketplaces=marketplaces)

    @route("PATCH", r"/listings/2021-08-01/items/(?P<seller_id>[^/]+)/(?P<sku>[^/]+)")
    def patch_listing(self, request):
        denied = self._check_seller(request)
        if denied:
            return denied
        sku = unquote(request.params["sku"])
        body = request.json or {}
        if not body.get("productType") or not isinstance(body.get("patches"), list) or not body["patches"]:
            return self.error(400, "productType and patches are required.")
        listing = self.listings.get(sku)
        if not listing:
            return self.error(404, f"The SKU {sku} has no listing for this seller.", "NOT_FOUND")
        marketplaces = _csv(request, "marketplaceIds")
        for patch in body["patches"]:
            op, path = patch.get("op"), patch.get("path", "")
            if op not in ("add", "replace", "merge", "delete"):
                return self.error(400, f"Invalid patch op {op!r}.")
            match = re.fullmatch(r"/attributes/([a-z0-9_]+)", path)
            if not match:
                return self.error(
                    400, f"Invalid patch path {path!r}: only top-level attributes can be patched."
                )
            value = patch.get("value")
            if op != "delete" and not isinstance(value, list):
                return self.error(400, "A patch value must be an array.")
            with self.lock:
                if op == "delete":
                    listing["attributes"].pop(match.group(1), None)
                    continue
                issue = self._apply_attribute(listing, match.group(1), value, marketplaces)
                if issue:
                    return self._submission(sku, [issue])
                listing["updated"] = _iso(_now())
        return self._submission(sku)

    # === Feeds 2021-06-30: UPLOAD_VAT_INVOICE ===================================================
    # feeds_2021-06-30.json: createFeedDocument {contentType} -> 201 {feedDocumentId, url} (a
    # presigned URL the document is PUT to), createFeed {feedType, marketplaceIds,
    # inputFeedDocumentId, feedOptions (map string -> string)} -> 202 {feedId}, getFeed ->
    # Feed {feedId, feedType, marketplaceIds, createdTime, processingStatus (IN_QUEUE,
    # IN_PROGRESS, DONE, CANCELLED, FATAL), processingStartTime, processingEndTime,
    # resultFeedDocumentId}, getFeedDocument -> {feedDocumentId, url}.
    # Invoice feed rules (invoice-feeds-attributes, vcs-error-handling): one supported EU
    # marketplace (else 79523), metadata:OrderId (or ShippingId), metadata:InvoiceNumber and
    # metadata:DocumentType Invoice|CreditNote (else 79513 / 79531), a PDF (else 79503), an
    # order of the seller that has shipped (else 79517), TotalAmount / TotalVATAmount equal to
    # Amazon's when given. The errors come in the feed result, not as HTTP errors.
    # UNCONFIRMED: the result document's layout (the classic XML ProcessingReport here), the
    # code of a total mismatch (79546 here), that option keys are matched case-insensitively.
    # python-amazon-sp-api sends "path" in both JSON bodies: unknown keys are ignored.

    invoice_marketplaces = (
        "A1RKKUPIHCS9HS",
        "A1F83G8C2ARO7P",
        "A13V1IB3VIYZZH",
        "A1PA6795UKMFR9",
        "APJ6JRA9NG5V4",
        "A1805IZSGTT6HS",
        "A1C3SOZRARQ6R3",
        "A2NODRKZP88ZB9",
    )
    feed_polls = 1  # getFeed answers before a feed is DONE

    @property
    def feeds(self):
        """feedId -> Feed (plus ``_options``, ``_content``, ``_errors``)."""
        return self.__dict__.setdefault("_feeds", {})

    @property
    def feed_documents(self):
        """feedDocumentId -> {"content_type", "content", "signature", "result"}."""
        return self.__dict__.setdefault("_feed_documents", {})

    def invoice_uploads(self):
        """The accepted invoice documents: [(order id, options, pdf bytes)]."""
        return [
            (f["_options"].get("orderid"), f["_options"], f["_content"])
            for f in self.feeds.values()
            if f["feedType"] == "UPLOAD_VAT_INVOICE" and f["processingStatus"] == "DONE" and not f["_errors"]
        ]

    @staticmethod
    def _feeds_operation(method, path):
        if path.startswith(("/feed-uploads/", "/feed-documents/")):
            return "document"
        table = [
            ("POST", r"/feeds/2021-06-30/documents", "createFeedDocument"),
            ("GET", r"/feeds/2021-06-30/documents/[^/]+", "getFeedDocument"),
            ("POST", r"/feeds/2021-06-30/feeds", "createFeed"),
            ("GET", r"/feeds/2021-06-30/feeds/[^/]+", "getFeed"),
            ("GET", r"/reports/2021-06-30/reports", "getReports"),
        ]
        for verb, pattern, operation in table:
            if method == verb and re.fullmatch(pattern, path):
                return operation
        return None

    def _public_url(self, request):
        return (self.public_url or "http://" + (request.headers.get("Host") or "127.0.0.1")).rstrip("/")

    @route("POST", r"/feeds/2021-06-30/documents")
    def create_feed_document(self, request):
        body = request.json or {}
        content_type = body.get("contentType")
        if not isinstance(content_type, str) or not content_type:
            return self.error(400, "contentType is required.")
        document_id = "amzn1.tortuga.3.%s.T1" % uuid.uuid4()
        signature = uuid.uuid4().hex
        with self.lock:
            self.feed_documents[document_id] = {
                "content_type": content_type,
                "content": None,
                "signature": signature,
                "result": False,
            }
        url = f"{self._public_url(request)}/feed-uploads/{document_id}?X-Amz-Signature={signature}"
        return Response(201, {"feedDocumentId": document_id, "url": url})

    @route("PUT", r"/feed-uploads/(?P<document_id>[^/]+)")
    def upload_feed_document(self, request):
        document = self.feed_documents.get(request.params["document_id"])
        if not document or request.arg("X-Amz-Signature") != document["signature"] or document["result"]:
            return Response(
                403,
                b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                content_type="application/xml",
            )
        with self.lock:
            document["content"] = request.body
            document["uploaded_type"] = request.headers.get("Content-Type") or request.headers.get(
                "content-type"
            )
        return Response(200, b"", content_type="application/xml")

    @route("POST", r"/feeds/2021-06-30/feeds")
    def create_feed(self, request):
        body = request.json or {}
        feed_type, marketplaces = body.get("feedType"), body.get("marketplaceIds")
        document_id = body.get("inputFeedDocumentId")
        if not feed_type or not isinstance(marketplaces, list) or not marketplaces or not document_id:
            return self.error(400, "feedType, marketplaceIds and inputFeedDocumentId are required.")
        options = body.get("feedOptions") or {}
        if not isinstance(options, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in options.items()
        ):
            return self.error(400, "feedOptions must map strings to strings.")
        document = self.feed_documents.get(document_id)
        if not document:
            return self.error(400, f"Invalid inputFeedDocumentId {document_id}.")
        if feed_type != "UPLOAD_VAT_INVOICE":
            return self.error(400, f"Feed type {feed_type} is not available in this emulator.")
        feed_id = str(60000000000 + next(self._ids))
        # "metadata:<Key>", keys upper or lower case (Invoice Uploader guide)
        metadata = {
            k.split(":", 1)[1].lower(): v for k, v in options.items() if k.lower().startswith("metadata:")
        }
        with self.lock:
            self.feeds[feed_id] = {
                "feedId": feed_id,
                "feedType": feed_type,
                "marketplaceIds": marketplaces,
                "createdTime": _iso(_now()),
                "processingStatus": "IN_QUEUE",
                "_polls": 0,
                "_options": metadata,
                "_content": document["content"],
                "_content_type": document.get("uploaded_type") or document["content_type"],
                "_errors": self._invoice_errors(marketplaces, metadata, document),
            }
        return Response(202, {"feedId": feed_id})

    def _invoice_errors(self, marketplaces, metadata, document):
        if len(marketplaces) != 1 or marketplaces[0] not in self.invoice_marketplaces:
            return [("79523", "Provide only one valid marketplace while uploading an invoice.")]
        missing = [
            key
            for key, present in (
                ("OrderId", metadata.get("orderid") or metadata.get("shippingid")),
                ("InvoiceNumber", metadata.get("invoicenumber")),
                ("DocumentType", metadata.get("documenttype")),
            )
            if not present
        ]
        if missing:
            return [("79513", f"Provide {', '.join(missing)}")]
        kind = metadata["documenttype"]
        if kind not in ("Invoice", "CreditNote"):
            return [("79531", f"Invalid DocumentType {kind}: use Invoice or CreditNote.")]
        content = document["content"]
        if not content:
            return [("79544" if kind == "CreditNote" else "79540", "No file was uploaded.")]
        if not content.startswith(b"%PDF-"):
            return [("79503", "The invoice file is not a PDF.")]
        spec = self.orders.get(metadata.get("orderid") or "")
        if not spec or spec["marketplace"] != marketplaces[0]:
            return [("79517", "Invalid OrderId: the order is unknown or not yours.")]
        if spec["status"] not in ("SHIPPED", "PARTIALLY_SHIPPED"):
            return [("79517", "Invalid OrderId: the order has not been dispatched yet.")]
        if kind == "Invoice":
            total = self._order_total(spec)
            vat = sum(
                (
                    a["item_tax"] + a["shipping_tax"] - a["promo_tax"] - a["ship_discount_tax"]
                    for a in map(self._amounts, spec["lines"])
                ),
                Decimal(0),
            )
            cent = Decimal("0.01")
            for key, expected in (("totalamount", total), ("totalvatamount", vat)):
                if metadata.get(key) and Decimal(metadata[key]).quantize(cent) != expected.quantize(cent):
                    return [("79546", f"{key} {metadata[key]} does not match the order ({expected:.2f}).")]
        return []

    @route("GET", r"/feeds/2021-06-30/feeds/(?P<feed_id>[^/]+)")
    def get_feed(self, request):
        feed = self.feeds.get(request.params["feed_id"])
        if not feed:
            return self.error(404, "Feed not found.")
        with self.lock:
            feed["_polls"] += 1
            if feed["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS"):
                if feed["_polls"] > self.feed_polls:
                    self._finish_feed(feed)
                else:
                    feed["processingStatus"] = "IN_PROGRESS"
                    feed["processingStartTime"] = _iso(_now())
        return Response(200, {k: v for k, v in feed.items() if not k.startswith("_")})

    def _finish_feed(self, feed):
        errors = feed["_errors"]
        results = "".join(
            "<Result><MessageID>1</MessageID><ResultCode>Error</ResultCode>"
            f"<ResultMessageCode>{code}</ResultMessageCode><ResultDescription>{message}</ResultDescription>"
            "</Result>"
            for code, message in errors
        )
        report = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Header><DocumentVersion>1.02'
            f"</DocumentVersion><MerchantIdentifier>{self.seller_id}</MerchantIdentifier></Header>"
            "<MessageType>ProcessingReport</MessageType><Message><MessageID>1</MessageID><ProcessingReport>"
            f"<DocumentTransactionID>{feed['feedId']}</DocumentTransactionID><StatusCode>Complete</StatusCode>"
            "<ProcessingSummary><MessagesProcessed>1</MessagesProcessed>"
            f"<MessagesSuccessful>{0 if errors else 1}</MessagesSuccessful>"
            f"<MessagesWithError>{1 if errors else 0}</MessagesWithError>"
            "<MessagesWithWarning>0</MessagesWithWarning></ProcessingSummary>"
            f"{results}</ProcessingReport></Message></AmazonEnvelope>\n"
        )
        document_id = "amzn1.tortuga.3.%s.T2" % uuid.uuid4()
        self.feed_documents[document_id] = {
            "content_type": "text/xml",
            "content": report.encode("utf-8"),
            "signature": uuid.uuid4().hex,
            "result": True,
        }
        feed["processingStatus"] = "DONE"
        feed["processingEndTime"] = _iso(_now())
        feed["resultFeedDocumentId"] = document_id

    @route("GET", r"/feeds/2021-06-30/documents/(?P<document_id>[^/]+)")
    def get_feed_document(self, request):
        document_id = request.params["document_id"]
        document = self.feed_documents.get(document_id)
        if not document:
            return self.error(404, "Feed document not found.")
        signature = document["signature"]
        url = f"{self._public_url(request)}/feed-documents/{document_id}?X-Amz-Signature={signature}"
        return Response(200, {"feedDocumentId": document_id, "url": url})

    @route("GET", r"/feed-documents/(?P<document_id>[^/]+)")
    def download_feed_document(self, request):
        document = self.feed_documents.get(request.params["document_id"])
        if not document or request.arg("X-Amz-Signature") != document["signature"]:
            return Response(
                403,
                b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                content_type="application/xml",
            )
        return Response(200, document["content"] or b"", content_type=document["content_type"])

    # === Settlement reports (getReports, GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) ============
    # reports_2021-06-30.json getReports: reportTypes (1-10) or nextToken required, nextToken alone,
    # processingStatuses, marketplaceIds, pageSize 1-100 (default 10), createdSince (default 90
    # days ago), createdUntil -> {reports: [Report], nextToken}. Settlement reports cannot be
    # requested (createReport refuses them): Amazon publishes one when a period closes
    # (publish_settlement here). Columns from settlement-reports-attributes; ASSUMED: the summary
    # first row, "YYYY-MM-DD HH:MM:SS UTC" dates, additive Principal (net) + Tax rows, the
    # amount-description names, a 20 % (max 5.00) RefundCommission. marketplaceIds is not used
    # to filter settlement reports (a settlement covers the seller's unified EU account).

    SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
    SETTLEMENT_COLUMNS = (
        "settlement-id",
        "settlement-start-date",
        "settlement-end-date",
        "deposit-date",
        "total-amount",
        "currency",
        "transaction-type",
        "order-id",
        "merchant-order-id",
        "adjustment-id",
        "shipment-id",
        "marketplace-name",
        "amount-type",
        "amount-description",
        "amount",
        "fulfillment-id",
        "posted-date",
        "posted-date-time",
        "order-item-code",
        "merchant-order-item-id",
        "merchant-adjustment-item-id",
        "sku",
        "quantity-purchased",
    )
    commission_rate = Decimal("0.15")

    @staticmethod
    def _settlement_date(moment):
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")

    def settlement_rows(self, order_ids=(), refunds=None, reserve=0, subscription=0):
        """Rows of a settlement: the orders' payments and referral fees, refunds of
        ``{order id: gross refunded}``, the reserve held back, the monthly subscription."""
        cent = Decimal("0.01")
        rows = []
        for order_id in order_ids:
            spec = self.orders[order_id]
            market = MARKETPLACE_INFO.get(spec["marketplace"], ("", "Amazon.de"))[1]
            base = {
                "transaction-type": "Order",
                "order-id": order_id,
                "marketplace-name": market,
                "fulfillment-id": "MFN" if spec["fulfilled_by"] == "MERCHANT" else "AFN",
            }
            for line in spec["lines"]:
                a = self._amounts(line)
                item = dict(
                    base,
                    **{
                        "order-item-code": line["id"],
                        "sku": line["sku"],
                        "quantity-purchased": str(line["qty"]),
                    },
                )
                for amount_type, description, value in (
                    ("ItemPrice", "Principal", a["item"] - a["item_tax"]),
                    ("ItemPrice", "Tax", a["item_tax"]),
                    ("ItemPrice", "Shipping", a["shipping"] - a["shipping_tax"]),
                    ("ItemPrice", "ShippingTax", a["shipping_tax"]),
                    ("Promotion", "Principal", -a["promo"]),
                    ("Promotion", "Shipping", -a["ship_discount"]),
                ):
                    if value:
                        rows.append(
                            dict(
                                item,
                                **{
                                    "amount-type": amount_type,
                                    "amount-description": description,
                                    "amount": value,
                                },
                            )
                        )
                gross = a["item"] + a["shipping"] - a["promo"] - a["ship_discount"]
                commission = -(gross * self.commission_rate).quantize(cent, ROUND_HALF_UP)
                rows.append(
                    dict(
                        item,
                        **{
                            "amount-type": "ItemFees",
                            "amount-description": "Commission",
                            "amount": commission,
                        },
                    )
                )
        for order_id, gross in (refunds or {}).items():
            spec = self.orders[order_id]
            line = spec["lines"][0]
            gross = Decimal(str(gross))
            tax = _vat_part(gross, line["tax_rate"])
            commission = (gross * self.commission_rate).quantize(cent, ROUND_HALF_UP)
            base = {
                "transaction-type": "Refund",
                "order-id": order_id,
                "adjustment-id": f"ADJ-{order_id}",
                "order-item-code": line["id"],
                "sku": line["sku"],
                "marketplace-name": MARKETPLACE_INFO.get(spec["marketplace"], ("", "Amazon.de"))[1],
            }
            for amount_type, description, value in (
                ("ItemPrice", "Principal", -(gross - tax)),
                ("ItemPrice", "Tax", -tax),
                ("ItemFees", "Commission", commission),
                (
                    "ItemFees",
                    "RefundCommission",
                    -min((commission * Decimal("0.2")).quantize(cent), Decimal(5)),
                ),
            ):
                rows.append(
                    dict(
                        base,
                        **{"amount-type": amount_type, "amount-description": description, "amount": value},
                    )
                )
        other = {"transaction-type": "other-transaction", "amount-type": "other-transaction"}
        if subscription:
            rows.append(
                dict(
                    other, **{"amount-description": "Subscription Fee", "amount": -Decimal(str(subscription))}
                )
            )
        if reserve:
            rows.append(
                dict(
                    other,
                    **{"amount-description": "Current Reserve Amount", "amount": -Decimal(str(reserve))},
                )
            )
        return rows

    def publish_settlement(self, rows, settlement_id=None, total_delta=0, created=None):
        """Close a settlement period: a DONE settlement report whose document lists ``rows``.

        :param total_delta: added to total-amount (a statement that does not add up)
        :return: the settlement id
        """
        created = created or _now()
        settlement_id = settlement_id or str(11000000000 + next(self._ids))
        total = sum((Decimal(str(r["amount"])) for r in rows), Decimal(0)) + Decimal(str(total_delta))
        start, end = created - timedelta(days=14), created
        summary = {
            "settlement-id": settlement_id,
            "settlement-start-date": self._settlement_date(start),
            "settlement-end-date": self._settlement_date(end),
            "deposit-date": self._settlement_date(end + timedelta(days=1)),
            "total-amount": f"{total:.2f}",
            "currency": "EUR",
        }
        lines = [
            "\t".join(self.SETTLEMENT_COLUMNS),
            "\t".join(summary.get(c, "") for c in self.SETTLEMENT_COLUMNS),
        ]
        for row in rows:
            row = dict(
                row,
                **{
                    "settlement-id": settlement_id,
                    "posted-date": end.strftime("%Y-%m-%d"),
                    "posted-date-time": self._settlement_date(end),
                },
            )
            row["amount"] = f"{Decimal(str(row['amount'])):.2f}"
            lines.append("\t".join(str(row.get(c, "")) for c in self.SETTLEMENT_COLUMNS))
        document_id = "amzn1.tortuga.4.eu.%s" % uuid.uuid4().hex
        report_id = str(50000000000 + next(self._ids))
        with self.lock:
            self.documents[document_id] = ("\n".join(lines) + "\n", uuid.uuid4().hex, False)
            self.reports[report_id] = {
                "reportId": report_id,
                "reportType": self.SETTLEMENT_REPORT,
                "marketplaceIds": list(self.marketplace_ids),
                "dataStartTime": _iso(start),
                "dataEndTime": _iso(end),
                "createdTime": _iso(created),
                "processingStatus": "DONE",
                "processingStartTime": _iso(created),
                "processingEndTime": _iso(created),
                "reportDocumentId": document_id,
                "_polls": 0,
                "_window": (start, end),
            }
        return settlement_id

    def publish_demo_settlement(self):
        """Demo: settle every paid order not settled yet (fees, a reserve); None when none."""
        with self.lock:
            settled = self.__dict__.setdefault("_settled_orders", set())
            ids = [
                order_id
                for order_id, spec in sorted(self.orders.items(), key=lambda item: item[1]["created"])
                if order_id not in settled and spec["status"] not in ("PENDING", "CANCELLED")
            ]
            settled.update(ids)
        if not ids:
            return None
        return self.publish_settlement(self.settlement_rows(ids, reserve="5.00"))

    @route("GET", r"/reports/2021-06-30/reports")
    def get_reports(self, request):
        token = request.arg("nextToken")
        if token:
            if set(request.query) - {"nextToken"}:
                return self.error(400, "nextToken must be the only parameter.")
            state = self.page_tokens.pop(token, None)
            if state is None:
                return self.error(400, "Invalid nextToken.")
            types, statuses, since, until, size, offset = state
        else:
            types = [t for v in request.query.get("reportTypes", []) for t in v.split(",") if t]
            if not types or len(types) > 10:
                return self.error(400, "reportTypes (1 to 10) or nextToken is required.")
            statuses = [s for v in request.query.get("processingStatuses", []) for s in v.split(",") if s]
            since = (
                _parse_iso(request.arg("createdSince"), "createdSince")
                if request.arg("createdSince")
                else (_now() - timedelta(days=90))
            )
            until = (
                _parse_iso(request.arg("createdUntil"), "createdUntil")
                if request.arg("createdUntil")
                else None
            )
            size = int(request.arg("pageSize", 10))
            if not 1 <= size <= 100:
                return self.error(400, "pageSize must be between 1 and 100.")
            offset = 0
        with self.lock:
            found = [
                r
                for r in sorted(self.reports.values(), key=lambda r: r["createdTime"], reverse=True)
                if r["reportType"] in types
                and (not statuses or r["processingStatus"] in statuses)
                and _parse_iso(r["createdTime"], "createdTime") >= since
                and (until is None or _parse_iso(r["createdTime"], "createdTime") <= until)
            ]
            page = found[offset : offset + size]
            body = {"reports": [{k: v for k, v in r.items() if not k.startswith("_")} for r in page]}
            if offset + size < len(found):
                next_token = uuid.uuid4().hex
                self.page_tokens[next_token] = (types, statuses, since, until, size, offset + size)
                body["nextToken"] = next_token
        return Response(200, body)

    # === demo data ===========================================================================

    def seed_demo(self):
        """A small catalogue (DEMO-001..DEMO-010, a T-shirt with 3 sizes) and ~10 orders."""
        names = [
            "Espresso cups (set of 2)",
            "French press 1 l",
            "Coffee grinder",
            "Milk frother",
            "Coffee beans 1 kg",
            "Tea infuser",
            "Travel mug",
            "T-shirt Coffee Lover S",
            "T-shirt Coffee Lover M",
            "T-shirt Coffee Lover L",
        ]
        prices = ["12.90", "29.90", "49.00", "19.90", "17.50", "7.90", "14.90", "19.90", "19.90", "19.90"]
        for index, (title, price) in enumerate(zip(names, prices, strict=True), start=1):
            sku = "DEMO-%03d" % index
            ean = ean13("40000000000%02d" % index)
            parent = "DEMO-TSHIRT" if index >= 8 else ""
            attributes = {}
            if parent:
                attributes = {
                    "parentage_level": [{"value": "child", "marketplace_id": DE}],
                    "child_parent_sku_relationship": [
                        {"child_relationship_type": "variation", "parent_sku": parent, "marketplace_id": DE}
                    ],
                    "variation_theme": [{"name": "SIZE"}],
                    "size": [{"value": "SML"[index - 8], "language_tag": "de_DE", "marketplace_id": DE}],
                }
            self.add_listing(
                sku,
                "B0DEMO%04d" % index,
                price,
                quantity=25,
                title=title,
                ean=ean,
                parent_sku=parent,
                attributes=attributes,
            )
        now = _now()
        people = self._demo_people()
        specs = [
            (people[0], [("DEMO-001", 2), ("DEMO-005", 1)], DE, {}),
            (people[1], [("DEMO-002", 1)], FR, {"tax": 20}),
            (people[2], [("DEMO-003", 1), ("DEMO-004", 1)], DE, {"business": True}),
            (people[3], [("DEMO-008", 1), ("DEMO-009", 1)], NL, {"tax": 21, "promo": "3.00"}),
            (people[0], [("DEMO-006", 3)], DE, {"shipping": "4.90", "ship_discount": "4.90"}),
            (people[4], [("DEMO-007", 1)], DE, {"status": "PARTIALLY_SHIPPED", "qty": 2, "shipped": 1}),
            (people[5], [("DEMO-010", 1)], BE, {"tax": 21}),
            (people[1], [("DEMO-005", 2)], FR, {"tax": 5.5, "fba": True}),
            (people[6], [("DEMO-002", 1)], DE, {"status": "SHIPPED"}),
            (people[7], [("DEMO-004", 2)], DE, {"facilitator": True, "scheme": "UOSS"}),
        ]
        for index, (person, lines, marketplace_id, extra) in enumerate(specs):
            created = now - timedelta(hours=30 - index * 3)
            items = []
            for sku, qty in lines:
                listing = self.listings[sku]
                items.append(
                    {
                        "sku": sku,
                        "qty": extra.get("qty", qty),
                        "price": listing["prices"][DE],
                        "tax_rate": extra.get("tax", 19),
                        "shipping": extra.get("shipping", "0.00"),
                        "promo": extra.get("promo", "0.00"),
                        "ship_discount": extra.get("ship_discount", "0.00"),
                        "shipped": extra.get("shipped", 0),
                    }
                )
            self.add_order(
                items,
                marketplace_id=marketplace_id,
                status=extra.get("status", "UNSHIPPED"),
                created=created,
                buyer=person["buyer"],
                address=person["address"],
                billing=person.get("billing"),
                business=extra.get("business", False),
                vat=person.get("vat", "") if extra.get("business") else "",
                legal_name=person["buyer"].get("company", ""),
                fulfilled_by="AMAZON" if extra.get("fba") else "MERCHANT",
                facilitator=extra.get("facilitator", False),
                scheme=extra.get("scheme", ""),
                prime=index % 3 == 0,
                po_number="PO-4711" if extra.get("business") else "",
            )

    @staticmethod
    def _demo_people():
        def person(
            name,
            email,
            street,
            zip_code,
            city,
            country,
            company="",
            street2="",
            vat="",
            phone="",
            billing=None,
        ):
            address = {
                "name": name,
                "addressLine1": street,
                "addressLine2": street2,
                "postalCode": zip_code,
                "city": city,
                "countryCode": country,
                "phone": phone,
                "addressType": "COMMERCIAL" if company else "RESIDENTIAL",
            }
            if company:
                address["companyName"] = company
            result = {
                "buyer": {"name": name, "email": email, "company": company, "phone": phone},
                "address": address,
                "vat": vat,
            }
            if billing:
                result["billing"] = billing
            return result

        return [
            person(
                "Anna Schmidt",
                "q7k2m9x4abcd1@marketplace.amazon.de",
                "Hauptstraße 12",
                "10115",
                "Berlin",
                "DE",
                phone="+49 30 1234567",
            ),
            person(
                "Camille Martin",
                "p3n8c1v6efgh2@marketplace.amazon.fr",
                "12 Rue de Rivoli",
                "75001",
                "Paris",
                "FR",
            ),
            person(
                "Jonas Weber",
                "r5t1y8u2ijkl3@marketplace.amazon.de",
                "Industriestraße 7",
                "80339",
                "München",
                "DE",
                company="Weber Kaffeetechnik GmbH",
                vat="DE811907980",
                billing={
                    "name": "Weber Kaffeetechnik GmbH",
                    "companyName": "Weber Kaffeetechnik GmbH",
                    "addressLine1": "Postfach 1200",
                    "postalCode": "80331",
                    "city": "München",
                    "countryCode": "DE",
                },
            ),
            person(
                "Sanne de Vries",
                "b9m4k7w1mnop4@marketplace.amazon.nl",
                "Keizersgracht 100",
                "1015 CW",
                "Amsterdam",
                "NL",
            ),
            person(
                "Lukas Becker",
                "h2g6f3d8qrst5@marketplace.amazon.de",
                "Packstation 123",
                "50667",
                "Köln",
                "DE",
                street2="Postnummer 12345678",
            ),
            person(
                "Lucas Dubois",
                "z1x5c9v3uvwx6@marketplace.amazon.com.be",
                "Rue Neuve 5",
                "1000",
                "Bruxelles",
                "BE",
            ),
            person(
                "Mia Fischer", "w8e2r6t4yzab7@marketplace.amazon.de", "Ringstraße 3", "20095", "Hamburg", "DE"
            ),
            person(
                "Oliver Brown",
                "k4l8j2h6cdef8@marketplace.amazon.de",
                "Bahnhofstraße 22",
                "60311",
                "Frankfurt am Main",
                "DE",
            ),
        ]

    def add_demo_order(self):
        """A new random order (live demo)."""
        if not self.listings:
            self.seed_demo()
        person = self._random.choice(self._demo_people())
        skus = self._random.sample(
            sorted(s for s in self.listings if s.startswith("DEMO-")), k=self._random.randint(1, 3)
        )
        marketplace_id = {"DE": DE, "FR": FR, "NL": NL, "BE": BE}.get(person["address"]["countryCode"], DE)
        rate = {"DE": 19, "FR": 20, "NL": 21, "BE": 21}.get(person["address"]["countryCode"], 19)
        items = [
            {
                "sku": sku,
                "qty": self._random.randint(1, 3),
                "price": self.listings[sku]["prices"][DE],
                "tax_rate": rate,
                "shipping": self._random.choice(["0.00", "3.90"]),
            }
            for sku in skus
        ]
        order_id = self.add_order(
            items,
            marketplace_id=marketplace_id,
            created=_now() - timedelta(seconds=5),
            buyer=person["buyer"],
            address=person["address"],
            billing=person.get("billing"),
        )
        self._demo_orders = getattr(self, "_demo_orders", 0) + 1
        if self._demo_orders % 4 == 0:
            self.add_demo_refund()
        return order_id

    # === control endpoints (demo / benchmarks) ===============================================

    def control(self, request):
        if request.path == "/_emulator/amazon/demo-order" and request.method == "POST":
            return Response(201, {"orderId": self.add_demo_order()})
        if request.path == "/_emulator/amazon/demo-refund" and request.method == "POST":
            event = self.add_demo_refund()
            return Response(201, {"AmazonOrderId": event and event["AmazonOrderId"]})
        if request.path == "/_emulator/amazon/shipments":
            return Response(200, [{"orderId": order_id, "body": body} for order_id, body in self.shipments])
        if request.path == "/_emulator/amazon/listings":
            return Response(
                200,
                {
                    sku: {
                        "asin": x["asin"],
                        "quantity": x["quantity"],
                        "prices": {k: str(v) for k, v in x["prices"].items()},
                    }
                    for sku, x in self.listings.items()
                },
            )
        return None


def main(argv=None):
    """Like ``base.main``, but tells the emulator its URL (for the report document links)."""
    parser = argparse.ArgumentParser(description="Local emulator: Amazon SP-API")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", action="store_true", help="seed a demo catalogue and orders")
    parser.add_argument("--stream", type=float, default=0, help="new demo order every N seconds")
    parser.add_argument("--settle", type=float, default=0, help="publish a settlement every N seconds")
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="do not answer 429 when over the usage plan"
    )
    args = parser.parse_args(argv)
    app = AmazonEmulator(rate_limits=not args.no_rate_limits)
    if args.seed:
        app.seed_demo()
    server = EmulatorServer(app, port=args.port)
    app.public_url = server.url
    print(f"{app.name} emulator on {server.url}", flush=True)
    if args.stream:

        def stream():
            while True:
                time.sleep(args.stream)
                app.add_demo_order()

        threading.Thread(target=stream, daemon=True).start()
    if args.settle:

        def settle():
            while True:
                time.sleep(args.settle)
                app.publish_demo_settlement()

        threading.Thread(target=settle, daemon=True).start()
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
