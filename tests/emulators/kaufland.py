"""Kaufland Seller API v2 emulator (the endpoints the connector uses).

Written from the official OpenAPI spec 2.27.0 and the docs at
https://sellerapi.kaufland.com/ (rest-api: signing; rate-limits: 111 req/s -> 429):

- every request needs ``Shop-Client-Key``, ``Shop-Timestamp``, ``Shop-Signature`` and a
  ``User-Agent``; the signature is the hex HMAC-SHA256 of
  ``METHOD\\nFULL_URI\\nBODY\\nTIMESTAMP`` over the URL exactly as called;
- answers ``{"data": ...}`` / ``{"data": [...], "pagination": {offset, limit, total}}``,
  errors as ``ErrorResponse`` ``{"type": "/problems/...", "message", "errors": [...]}``;
- order units (one per piece), orders, offers ("units"), bulk stock, product data.

UNCONFIRMED (not stated in the sources): the timestamp tolerance (5 minutes here)
and whether a 429 carries ``Retry-After`` (the shared base sends one).

Besides the shared faults, ``inject`` takes the refusals of :data:`AUTH_FAULTS` (401
corrupted signature or invalid credentials, 403 inactive account), answered as the
authentication check answers them.

Paths are served with and without the ``/v2`` prefix.
Run: ``python -m tests.emulators.kaufland --port 8071 --seed``.
"""

import base64
import binascii
import hashlib
import hmac
import itertools
import random
import string
import time
from datetime import UTC, datetime, timedelta

from .base import Emulator, Response, main, route
from .kaufland_subscriptions import KauflandSubscriptionsMixin

V2 = r"(?:/v2)?"
DEMO_CLIENT_KEY = "d3m0c1i3nt0000000000000000000001"  # 32 characters, like a real key
DEMO_SECRET_KEY = "b3575f222f7b768c25160b879699118b331c6883dd6010864b7ead130be77cd5"  # docs' example
TIMESTAMP_TOLERANCE = 300  # UNCONFIRMED
# connector.account values of an account against the seeded emulator (scripts/demo.sh adds
# provider, name and api_base_url). The seeded orders are on de, at and cz (CZK).
DEMO_ACCOUNT_VALUES = {
    "kaufland_client_key": DEMO_CLIENT_KEY,
    "kaufland_secret_key": DEMO_SECRET_KEY,
    "kaufland_storefronts": "de,at,cz",
    "kaufland_handling_time": 1,
}
STOREFRONTS = ("de", "cz", "sk", "pl", "at", "fr", "it")
CURRENCY = {"cz": "CZK", "pl": "PLN"}
LOCALES = ("de-DE", "cs-CZ", "sk-SK", "en-US", "zh-CN", "de-AT", "pl-PL", "fr-FR", "it-IT")
UNIT_STATUSES = (
    "cancelled",
    "need_to_be_sent",
    "open",
    "received",
    "returned",
    "returned_paid",
    "sent",
    "sent_and_autopaid",
)
CANCEL_REASONS = (
    "BuyerCancelled",
    "ShippingAddressUndeliverable",
    "WrongCatalogData",
    "GeneralAdjustment",
    "MerchandiseNotReceived",
    "NoInventory",
    "DelayedInventory",
    "WrongPrice",
    "NoReactionBuyer",
    "UndeliverableRegion",
)
# Returns (spec 2.27.0: ReturnStatus, ReturnUnitStatus, ReturnReason, OrderUnitRefundReason)
RETURN_STATUSES = ("return_requested", "label_generated", "package_sent", "package_received", "label_deleted")
RETURN_UNIT_STATUSES = (
    "need_to_be_returned",
    "return_arrived",
    "return_accepted",
    "return_rejected",
    "return_closed",
    "return_in_repair",
    "return_in_clarification",
)
RETURN_REASONS = (
    "accidentally_ordered",
    "bad_quality",
    "better_price",
    "defect",
    "delivered_damaged",
    "dislike",
    "misleading_description",
    "missing_parts",
    "no_reason",
    "too_late",
    "wrong_article",
    "wrong_size",
)
REFUND_REASONS = (
    "delivery_damage",
    "delivery_delay",
    "incomplete_delivery",
    "incorrect_delivery",
    "refund_postage_fee",
    "defect",
    "other_refund",
    "refund_return_postage_fee",
)
CARRIERS = (
    "DHL",
    "DHL Express",
    "DHL 2 MH",
    "DHL Freight",
    "Deutsche Post",
    "DPD",
    "GLS",
    "Hermes",
    "UPS",
    "Fedex",
    "PostNL",
    "Austrian Post",
    "Czech Post",
    "InPost",
    "Packeta",
    "Other",
    "Other Hauler",
)
UNIT_REQUEST_KEYS = {
    "amount",
    "handling_time",
    "listing_price",
    "minimum_price",
    "note",
    "id_shipping_group",
    "id_warehouse",
    "ean",
    "id_product",
    "id_offer",
    "condition",
    "vat_indicator",
    "eco_participation",
    "battery_participation",
}
UNIT_PATCH_KEYS = {
    "status",
    "amount",
    "handling_time",
    "listing_price",
    "minimum_price",
    "note",
    "id_shipping_group",
    "id_warehouse",
    "vat_indicator",
    "eco_participation",
    "battery_participation",
}
INVOICE_MIME_TYPES = ("application/pdf",)  # order invoices (UNCONFIRMED: others)
SHARED_KEYS = ("buyer", "billing_address", "shipping_address")
# Injectable refusals shaped as the spec's ErrorResponse (ProblemType enum; 401 "Request
# authentication headers are corrupt", 403 "Access denied"), on top of the shared FAULT_KINDS.
AUTH_FAULTS = {
    "401-signature": (401, "/problems/corrupted-signature", "Signature is not valid"),
    "401-credentials": (401, "/problems/invalid-credentials", "Invalid client key"),
    "403-inactive": (403, "/problems/inactive-account", "Access denied: the seller account is inactive"),
}


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc():
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def ean13(body12):
    """Append the EAN-13 check digit to 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def sign(method, uri, body, timestamp, secret):
    message = "\n".join([method, uri, body, str(timestamp)])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def problem(status, ptype, message, errors=None):
    return Response(status, {"type": ptype, "message": message, "errors": errors or []})


def invalid(field, message):
    return problem(
        400,
        "/problems/validation-error",
        "Request parameters have invalid values",
        [{"field": field, "message": message}],
    )


class KauflandEmulator(KauflandSubscriptionsMixin, Emulator):
    """Kaufland Seller API v2"""

    name = "kaufland"
    rate_limit = (111, 111)  # 111 requests per second per seller (rate-limits page)
    scheme = "http"

    def __init__(
        self,
        client_key=DEMO_CLIENT_KEY,
        secret_key=DEMO_SECRET_KEY,
        clock=None,
        tolerance=TIMESTAMP_TOLERANCE,
    ):
        super().__init__()
        self.client_key = client_key
        self.secret_key = secret_key
        self.clock = clock or time.time
        self.tolerance = tolerance
        self.order_units = {}  # id_order_unit -> full OrderUnit (with buyer and addresses)
        self.units = {}  # id_unit -> Unit (offer)
        self.products = {}  # ean -> Product (Kaufland's catalogue)
        self.product_data = {}  # (locale, ean) -> attributes
        self.shipments = []  # {"id_order_unit", "carrier_code", "tracking_numbers"}
        self.returns = {}  # id_return -> Return (+ "_units": [id_return_unit], "_updated")
        self.return_units = {}  # id_return_unit -> ReturnUnit
        self.refunds = []  # PATCH /order-units/{id}/refund bodies: {"id_order_unit", "amount", "reason"}
        self._return_ids = itertools.count(675849321)
        self._return_unit_ids = itertools.count(7896580917)
        self._unit_ids = itertools.count(314567896580917)
        self._offer_ids = itertools.count(40000001)
        self._product_ids = itertools.count(362524873)
        self._buyer_ids = itertools.count(21631426)
        self.rng = random.Random(42)

    # --- framework hooks ----------------------------------------------------

    def error(self, status, message):
        ptype = {
            400: "/problems/bad-request",
            401: "/problems/unauthorized",
            403: "/problems/forbidden",
            404: "/problems/not-found",
        }.get(status, "/problems/server-error")
        return problem(status, ptype, message)

    def rate_limited_response(self, wait):
        response = problem(429, "about:blank", "Too Many Requests")
        response.headers["Retry-After"] = f"{max(1, round(wait))}"
        return response

    def inject(self, kind, count=1, path=None):
        """The shared faults, plus :data:`AUTH_FAULTS` (answered where authentication is)."""
        if kind not in AUTH_FAULTS:
            return super().inject(kind, count, path)
        with self.lock:
            self.faults.append({"kind": kind, "count": count, "path": path})
        return None

    def _take_fault(self, request):
        kind = super()._take_fault(request)
        if kind in AUTH_FAULTS:
            request.headers["_auth_fault"] = kind
            return None
        return kind

    def authenticate(self, request):
        if request.headers.get("_auth_fault"):
            return problem(*AUTH_FAULTS[request.headers["_auth_fault"]])
        headers = {k.lower(): v for k, v in request.headers.items()}
        missing = [
            h
            for h in ("shop-client-key", "shop-timestamp", "shop-signature", "user-agent")
            if not headers.get(h)
        ]
        if missing:
            return problem(
                401,
                "/problems/missing-or-invalid-request-header",
                f"Missing request header(s): {', '.join(missing)}",
            )
        if not hmac.compare_digest(headers["shop-client-key"], self.client_key):
            return problem(401, "/problems/invalid-credentials", "Invalid client key")
        try:
            timestamp = int(headers["shop-timestamp"])
        except ValueError:
            return problem(
                401, "/problems/missing-or-invalid-request-header", "Shop-Timestamp is not a unix time"
            )
        if abs(self.clock() - timestamp) > self.tolerance:
            return problem(
                401,
                "/problems/missing-or-invalid-request-header",
                "Shop-Timestamp is too far from the server time",
            )
        uri = f"{self.scheme}://{headers.get('host', '')}{request.raw_uri}"
        body = request.body.decode("utf-8", "replace")
        expected = sign(request.method, uri, body, timestamp, self.secret_key)
        if not hmac.compare_digest(expected, headers["shop-signature"].lower()):
            return problem(401, "/problems/corrupted-signature", "Signature is not valid")
        return None

    # --- query helpers ------------------------------------------------------

    def _paging(self, request, maximum=100, minimum=1):
        try:
            limit = int(request.arg("limit", 30))
            offset = int(request.arg("offset", 0))
        except ValueError:
            return None, None, invalid("limit", "must be an integer")
        if not minimum <= limit <= maximum:
            return None, None, invalid("limit", f"must be between {minimum} and {maximum}")
        if offset < 0:
            return None, None, invalid("offset", "must be >= 0")
        return limit, offset, None

    def _storefront(self, request, required=False):
        storefront = request.arg("storefront")
        if storefront is None:
            return None, (invalid("storefront", "is required") if required else None)
        if storefront.lower() not in STOREFRONTS:
            return None, invalid("storefront", "not a valid storefront")
        return storefront.lower(), None

    @staticmethod
    def _since(request, name):
        value = request.arg(name)
        if not value:
            return None, None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None, invalid(name, "should be in YYYY-MM-ddTHH:mm:ssZ format")
        if moment.tzinfo:
            moment = (moment - moment.utcoffset()).replace(tzinfo=None)
        return moment, None

    @staticmethod
    def _array(request, name):
        return [v for key in (name, f"{name}[]") for v in request.query.get(key, [])]

    @staticmethod
    def _collection(items, limit, offset):
        return Response(
            200,
            {
                "data": items[offset : offset + limit],
                "pagination": {"offset": offset, "limit": limit, "total": len(items)},
            },
        )

    @staticmethod
    def _public_unit(unit):
        return {k: v for k, v in unit.items() if not k.startswith("_")}

    # --- order units and orders ----------------------------------------------

    @route("GET", f"{V2}/status/ping")
    def ping(self, request):
        return Response(200, {"data": {"message": "Never tell me the odds"}})

    @route("GET", f"{V2}/order-units")
    def list_order_units(self, request):
        limit, offset, err = self._paging(request)
        storefront, err2 = self._storefront(request)
        created_from, err3 = self._since(request, "ts_created_from_iso")
        updated_from, err4 = self._since(request, "ts_updated_from_iso")
        if err or err2 or err3 or err4:
            return err or err2 or err3 or err4
        statuses = self._array(request, "status")
        if any(s not in UNIT_STATUSES for s in statuses):
            return invalid("status", "not a valid order unit status")
        fulfillment = self._array(request, "fulfillment_type") or ["fulfilled_by_merchant"]
        sort = request.arg("sort", "ts_created:desc")
        if sort not in ("ts_created:desc", "ts_updated:desc"):
            return invalid("sort", "must be ts_created:desc or ts_updated:desc")
        id_offer = request.arg("id_offer")
        with self.lock:
            units = [
                u
                for u in self.order_units.values()
                if (not storefront or u["storefront"] == storefront)
                and (not statuses or u["status"] in statuses)
                and u["fulfillment_type"] in fulfillment
                and (not id_offer or u["id_offer"] == id_offer)
                and (not created_from or u["_created"] >= created_from)
                and (not updated_from or u["_updated"] >= updated_from)
            ]
            key = "_created" if sort == "ts_created:desc" else "_updated"
            units.sort(key=lambda u: (u[key], u["id_order_unit"]), reverse=True)
            return self._collection([self._public_unit(u) for u in units], limit, offset)

    @route("GET", f"{V2}/order-units/(?P<id>[0-9]+)")
    def get_order_unit(self, request):
        with self.lock:
            unit = self.order_units.get(int(request.params["id"]))
            if not unit:
                return problem(404, "/problems/not-found", "Order unit not found")
            return Response(200, {"data": self._public_unit(unit)})

    def _order_units_of(self, id_order):
        return sorted(
            (u for u in self.order_units.values() if u["id_order"] == id_order),
            key=lambda u: u["id_order_unit"],
        )

    @route("GET", f"{V2}/orders")
    def list_orders(self, request):
        limit, offset, err = self._paging(request)
        storefront, err2 = self._storefront(request)
        created_from, err3 = self._since(request, "ts_created_from_iso")
        updated_from, err4 = self._since(request, "ts_units_updated_from_iso")
        if err or err2 or err3 or err4:
            return err or err2 or err3 or err4
        with self.lock:
            orders = {}
            for unit in self.order_units.values():
                orders.setdefault(unit["id_order"], []).append(unit)
            items = []
            for id_order, units in orders.items():
                first = units[0]
                updated = max(u["_updated"] for u in units)
                if storefront and first["storefront"] != storefront:
                    continue
                if (created_from and first["_created"] < created_from) or (
                    updated_from and updated < updated_from
                ):
                    continue
                items.append(
                    {
                        "order_units_count": len(units),
                        "id_order": id_order,
                        "ts_created_iso": first["ts_created_iso"],
                        "ts_units_updated_iso": iso(updated),
                        "is_marketplace_deemed_supplier": first["is_marketplace_deemed_supplier"],
                        "storefront": first["storefront"],
                        "fulfillment_type": first["fulfillment_type"],
                        "_created": first["_created"],
                    }
                )
            items.sort(key=lambda o: (o["_created"], o["id_order"]), reverse=True)
            items = [{k: v for k, v in o.items() if not k.startswith("_")} for o in items]
            return self._collection(items, limit, offset)

    @route("GET", f"{V2}/orders/(?P<id_order>[A-Za-z0-9]+)")
    def get_order(self, request):
        with self.lock:
            units = self._order_units_of(request.params["id_order"])
            if not units:
                return problem(404, "/problems/not-found", "Order not found")
            first = units[0]
            data = {
                "id_order": first["id_order"],
                "ts_created_iso": first["ts_created_iso"],
                "is_marketplace_deemed_supplier": first["is_marketplace_deemed_supplier"],
                "storefront": first["storefront"],
                "fulfillment_type": first["fulfillment_type"],
                "order_units": [
                    dict(
                        {
                            k: v
                            for k, v in self._public_unit(u).items()
                            if k not in SHARED_KEYS and k != "fulfillment_type"
                        },
                        tickets=[],
                    )
                    for u in units
                ],
                "billing_address": first["billing_address"],
                "shipping_address": first["shipping_address"],
                "buyer": first["buyer"],
            }
            return Response(200, {"data": data})

    def _touch(self, unit, status):
        unit["status"] = status
        unit["_updated"] = max(now_utc(), unit["_updated"] + timedelta(seconds=1))
        unit["ts_updated_iso"] = iso(unit["_updated"])

    @route("PATCH", f"{V2}/order-units/(?P<id>[0-9]+)/send")
    def send_order_unit(self, request):
        body = request.json
        if not isinstance(body, dict) or set(body) - {"tracking_numbers", "carrier_code"}:
            return invalid("body", "expected tracking_numbers and carrier_code only")
        carrier, tracking = body.get("carrier_code"), body.get("tracking_numbers")
        if not isinstance(carrier, str) or carrier not in CARRIERS:
            return invalid("carrier_code", "not a valid carrier code")
        if not isinstance(tracking, str):
            return invalid("tracking_numbers", "is required")
        if not tracking.strip() and carrier not in ("Other", "Other Hauler"):
            return invalid("tracking_numbers", "must not be empty for this carrier")
        with self.lock:
            unit = self.order_units.get(int(request.params["id"]))
            if not unit:
                return problem(404, "/problems/not-found", "Order unit not found")
            if unit["status"] != "need_to_be_sent":
                return problem(
                    403,
                    "/problems/action-not-allowed",
                    f"Order unit in status {unit['status']} cannot be marked as sent",
                )
            self._touch(unit, "sent")
            self.shipments.append(
                {
                    "id_order_unit": unit["id_order_unit"],
                    "carrier_code": carrier,
                    "tracking_numbers": tracking,
                }
            )
        return Response(204)

    @route("PATCH", f"{V2}/order-units/(?P<id>[0-9]+)/cancel")
    def cancel_order_unit(self, request):
        body = request.json
        if not isinstance(body, dict) or body.get("reason") not in CANCEL_REASONS or len(body) != 1:
            return invalid("reason", "not a valid cancellation reason")
        with self.lock:
            unit = self.order_units.get(int(request.params["id"]))
            if not unit:
                return problem(404, "/problems/not-found", "Order unit not found")
            if unit["status"] not in ("need_to_be_sent", "open"):
                return problem(
                    403,
                    "/problems/order-units/cancel-not-possible",
                    f"Order unit in status {unit['status']} cannot be cancelled",
                )
            unit["cancel_reason"] = body["reason"]
            self._touch(unit, "cancelled")
        return Response(204)

    @route("PATCH", f"{V2}/order-units/(?P<id>[0-9]+)/refund")
    def refund_order_unit(self, request):
        """RefundOrderUnit: body OrderUnitRefundRequest {amount (Eurocents), reason}, both
        required, no other keys -> 204 "Refund successfully created"."""
        body = request.json
        if not isinstance(body, dict) or set(body) != {"amount", "reason"}:
            return invalid("body", "amount and reason are required, nothing else")
        amount = body["amount"]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return invalid("amount", "must be a positive integer (Eurocents)")
        if body["reason"] not in REFUND_REASONS:
            return invalid("reason", "not a valid refund reason")
        with self.lock:
            unit = self.order_units.get(int(request.params["id"]))
            if not unit:
                return problem(404, "/problems/not-found", "Order unit not found")
            self.refunds.append(
                {"id_order_unit": unit["id_order_unit"], "amount": amount, "reason": body["reason"]}
            )
        return Response(204)

    # --- returns and return units ---------------------------------------------------

    def _return_view(self, ret, embedded=()):
        data = {k: v for k, v in ret.items() if not k.startswith("_")}
        if "return_units" in embedded:
            data["return_units"] = [dict(self.return_units[i]) for i in ret["_units"]]
        if "buyer" in embedded:
            first = self.order_units[self.return_units[ret["_units"][0]]["id_order_unit"]]
            data["buyer"] = dict(first["buyer"])
        return data

    @route("GET", f"{V2}/returns")
    def list_returns(self, request):
        limit, offset, err = self._paging(request)
        storefront, err2 = self._storefront(request)
        created_from, err3 = self._since(request, "ts_created_from_iso")
        updated_from, err4 = self._since(request, "ts_updated_from_iso")
        if err or err2 or err3 or err4:
            return err or err2 or err3 or err4
        statuses = self._array(request, "status")
        if any(s not in RETURN_STATUSES for s in statuses):
            return invalid("status", "not a valid return status")
        sort = request.arg("sort", "ts_created:desc")
        if sort not in ("ts_created:desc", "ts_updated:desc"):
            return invalid("sort", "must be ts_created:desc or ts_updated:desc")
        fulfillment = self._array(request, "fulfillment_type") or ["fulfilled_by_merchant"]
        tracking = request.arg("tracking_code")
        with self.lock:
            items = [
                r
                for r in self.returns.values()
                if (not storefront or r["storefront"] == storefront)
                and (not statuses or r["status"] in statuses)
                and r["fulfillment_type"] in fulfillment
                and (not tracking or r["tracking_code"] == tracking)
                and (not created_from or r["_created"] >= created_from)
                and (not updated_from or r["_updated"] >= updated_from)
            ]
            key = "_created" if sort == "ts_created:desc" else "_updated"
            items.sort(key=lambda r: (r[key], r["id_return"]), reverse=True)
            return self._collection([self._return_view(r) for r in items], limit, offset)

    @route("GET", f"{V2}/returns/(?P<id>[0-9]+)")
    def get_return(self, request):
        embedded = self._array(request, "embedded")
        if any(e not in ("buyer", "return_units") for e in embedded):
            return invalid("embedded", "not a valid return embeddable")
        with self.lock:
            ret = self.returns.get(int(request.params["id"]))
            if not ret:
                return problem(404, "/problems/not-found", "Return not found")
            return Response(200, {"data": self._return_view(ret, embedded)})

    @route("GET", f"{V2}/return-units")
    def list_return_units(self, request):
        limit, offset, err = self._paging(request)
        storefront, err2 = self._storefront(request)
        created_from, err3 = self._since(request, "ts_created_from_iso")
        if err or err2 or err3:
            return err or err2 or err3
        statuses = self._array(request, "status")
        if any(s not in RETURN_UNIT_STATUSES for s in statuses):
            return invalid("status", "not a valid return unit status")
        with self.lock:
            items = [
                dict(u)
                for u in sorted(self.return_units.values(), key=lambda u: u["id_return_unit"], reverse=True)
                if (not storefront or u["storefront"] == storefront)
                and (not statuses or u["status"] in statuses)
                and (not created_from or self.returns[u["id_return"]]["_created"] >= created_from)
            ]
            return self._collection(items, limit, offset)

    @route("GET", f"{V2}/return-units/(?P<id>[0-9]+)")
    def get_return_unit(self, request):
        embedded = self._array(request, "embedded")
        with self.lock:
            unit = self.return_units.get(int(request.params["id"]))
            if not unit:
                return problem(404, "/problems/not-found", "Return unit not found")
            data = dict(unit, **{"return": self._return_view(self.returns[unit["id_return"]])})
            if "order_unit" in embedded:
                data["order_unit"] = self._public_unit(self.order_units[unit["id_order_unit"]])
            if "tickets" in embedded:
                data["tickets"] = []
            return Response(200, {"data": data})

    @route("PATCH", f"{V2}/return-units/(?P<id>[0-9]+)/accept")
    def accept_return_unit(self, request):
        with self.lock:
            unit = self.return_units.get(int(request.params["id"]))
            if not unit:
                return problem(404, "/problems/not-found", "Return unit not found")
            if unit["status"] in ("return_accepted", "return_rejected", "return_closed"):
                return problem(403, "/problems/returns/unit-wrong-status", "Return unit cannot be accepted")
            self._set_return_unit(unit, "return_accepted")
        return Response(204)

    def _set_return_unit(self, unit, status):
        unit["status"] = status
        ret = self.returns[unit["id_return"]]
        ret["_updated"] = max(now_utc(), ret["_updated"] + timedelta(seconds=1))
        ret["ts_updated_iso"] = iso(ret["_updated"])
        # UNCONFIRMED: an accepted return unit puts its order unit in status returned
        if status == "return_accepted":
            self._touch(self.order_units[unit["id_order_unit"]], "returned")

    # --- units (offers) -------------------------------------------------------

    def _unit_view(self, unit, embedded=False):
        data = self._public_unit(unit)
        if embedded and unit["_ean"] in self.products:
            data["product"] = self.products[unit["_ean"]]
        return data

    @route("GET", f"{V2}/units")
    def list_units(self, request):
        limit, offset, err = self._paging(request, minimum=0)
        storefront, err2 = self._storefront(request, required=True)
        if err or err2:
            return err or err2
        id_offer, ean, id_product = request.arg("id_offer"), request.arg("ean"), request.arg("id_product")
        embedded = "products" in self._array(request, "embedded")
        with self.lock:
            units = [
                u
                for u in sorted(self.units.values(), key=lambda u: u["id_unit"])
                if u["storefront"] == storefront
                and (not id_offer or u["id_offer"] == id_offer)
                and (not ean or u["_ean"] == ean)
                and (not id_product or str(u["id_product"]) == id_product)
            ]
            return self._collection([self._unit_view(u, embedded) for u in units], limit, offset)

    @route("GET", f"{V2}/units/(?P<id>[0-9]+)")
    def get_unit(self, request):
        storefront, err = self._storefront(request, required=True)
        if err:
            return err
        with self.lock:
            unit = self.units.get(int(request.params["id"]))
            if not unit or unit["storefront"] != storefront:
                return problem(404, "/problems/not-found", "Unit not found")
            return Response(200, {"data": self._unit_view(unit)})

    @staticmethod
    def _check_unit_fields(body, allowed):
        if not isinstance(body, dict):
            return invalid("body", "expected an object")
        unknown = set(body) - allowed
        if unknown:
            return invalid(sorted(unknown)[0], "unknown field")
        for name in ("amount", "handling_time", "listing_price", "minimum_price"):
            if name in body and (not isinstance(body[name], int) or isinstance(body[name], bool)):
                return invalid(name, "must be an integer")
        if "listing_price" in body and body["listing_price"] < 1:
            return invalid("listing_price", "listing_price must be greater than 0")
        if body.get("amount", 0) < 0:
            return invalid("amount", "must be >= 0")
        if "handling_time" in body and not 0 <= body["handling_time"] <= 100:
            return invalid("handling_time", "must be between 0 and 100")
        if "status" in body and body["status"] not in ("AVAILABLE", "ONHOLD"):
            return invalid("status", "must be AVAILABLE or ONHOLD")
        return None

    @route("POST", f"{V2}/units")
    def create_unit(self, request):
        storefront, err = self._storefront(request, required=True)
        body = request.json
        err = err or self._check_unit_fields(body, UNIT_REQUEST_KEYS)
        if err:
            return err
        for name in ("handling_time", "listing_price", "id_offer"):
            if name not in body:
                return invalid(name, "is required")
        if not body.get("ean") and not body.get("id_product"):
            return invalid("ean", "either ean or id_product is required")
        with self.lock:
            if any(
                u["id_offer"] == body["id_offer"] and u["storefront"] == storefront
                for u in self.units.values()
            ):
                return problem(400, "/problems/already-exists", f"Offer {body['id_offer']} already exists")
            unit = self._new_unit(
                storefront,
                body.get("ean") or "",
                body["id_offer"],
                body["listing_price"],
                body.get("amount", 1),
                body["handling_time"],
            )
            return Response(200, {"data": self._unit_view(unit)})

    def _new_unit(self, storefront, ean, id_offer, price, amount, handling_time=1):
        product = self.products.get(ean)
        stamp = iso(now_utc())
        unit = {
            "status": "AVAILABLE" if product else "INCOMPLETE",
            "currency": CURRENCY.get(storefront, "EUR"),
            "id_unit": next(self._offer_ids),
            "note": None,
            "condition": "NEW",
            "listing_price": price,
            "minimum_price": price,
            "price": price,
            "id_offer": id_offer,
            "id_product": product["id_product"] if product else None,
            "id_shipping_group": None,
            "id_warehouse": None,
            "amount": amount,
            "date_inserted_iso": stamp,
            "date_lastchange_iso": stamp,
            "handling_time": handling_time,
            "shipping_rate": 0 if storefront != "de" else 390,
            "storefront": storefront,
            "transport_time_min": 1,
            "transport_time_max": 3,
            "fulfillment_type": "fulfilled_by_merchant",
            "vat_indicator": "standard_rate",
            "_ean": ean,
        }
        self.units[unit["id_unit"]] = unit
        return unit

    def _patch_unit(self, unit, data):
        unit.update(data)
        if "listing_price" in data:
            unit["price"] = data["listing_price"]
        unit["date_lastchange_iso"] = iso(now_utc())

    @route("PATCH", f"{V2}/units/(?P<id>[0-9]+)")
    def patch_unit(self, request):
        storefront, err = self._storefront(request, required=True)
        err = err or self._check_unit_fields(request.json, UNIT_PATCH_KEYS)
        if err:
            return err
        with self.lock:
            unit = self.units.get(int(request.params["id"]))
            if not unit or unit["storefront"] != storefront:
                return problem(404, "/problems/not-found", "Unit not found")
            self._patch_unit(unit, request.json)
            return Response(200, {"data": self._unit_view(unit)})

    @route("DELETE", f"{V2}/units/(?P<id>[0-9]+)")
    def delete_unit(self, request):
        with self.lock:
            if not self.units.pop(int(request.params["id"]), None):
                return problem(404, "/problems/not-found", "Unit not found")
        return Response(204)

    @route("POST", f"{V2}/units/bulk")
    def bulk_units(self, request):
        storefront, err = self._storefront(request, required=True)
        if err:
            return err
        body = request.json
        if not isinstance(body, list):
            return invalid("body", "expected an array")
        if len(body) > 150:
            return problem(
                400, "/problems/units/bulk-too-many-units", "Too many units: at most 150 per request"
            )
        ids = [item.get("id_unit") if isinstance(item, dict) else None for item in body]
        if len(set(ids)) != len(ids):
            return problem(
                400, "/problems/units/bulk-duplicate-units", "The request contains duplicate units"
            )
        results = []
        with self.lock:
            for item in body:
                id_unit = item.get("id_unit")
                data = item.get("unit_data")
                error = (
                    self._check_unit_fields(data, UNIT_PATCH_KEYS)
                    if set(item) == {"id_unit", "unit_data"}
                    else invalid("unit_data", "id_unit and unit_data are required")
                )
                unit = self.units.get(id_unit) if isinstance(id_unit, int) else None
                if error is not None:
                    results.append(
                        {
                            "id_unit": id_unit,
                            "status_code": 400,
                            "message": error.body["message"],
                            "errors": error.body["errors"],
                        }
                    )
                elif not unit or unit["storefront"] != storefront:
                    results.append(
                        {"id_unit": id_unit, "status_code": 404, "message": "Unit not found", "errors": []}
                    )
                else:
                    self._patch_unit(unit, data)
                    results.append({"id_unit": id_unit, "status_code": 200, "unit": self._unit_view(unit)})
        return Response(207, {"data": results})

    # --- product data --------------------------------------------------------------

    def _product_data(self, request, replace):
        locale = request.arg("locale")
        if locale not in LOCALES:
            return invalid("locale", "is required and must be a valid locale")
        body = request.json
        if not isinstance(body, dict) or set(body) != {"ean", "attributes"}:
            return invalid("body", "expected ean and attributes")
        eans, attributes = body["ean"], body["attributes"]
        if (
            not isinstance(eans, list)
            or not eans
            or not all(isinstance(e, str) and e.isdigit() for e in eans)
        ):
            return invalid("ean", "must be a list of EANs")
        if not isinstance(attributes, dict) or not all(
            isinstance(v, list) for k, v in attributes.items() if k != "product_safety_contact"
        ):
            return invalid("attributes", "every attribute value must be an array")
        with self.lock:
            for ean in eans:
                key = (locale, ean)
                stored = {} if replace else dict(self.product_data.get(key, {}))
                stored.update(attributes)
                self.product_data[key] = stored
                if ean not in self.products and stored.get("title"):
                    self._add_product(ean, stored["title"][0], (stored.get("manufacturer") or [""])[0])
                    for unit in self.units.values():
                        if unit["_ean"] == ean and unit["status"] == "INCOMPLETE":
                            unit["status"] = "AVAILABLE"
                            unit["id_product"] = self.products[ean]["id_product"]
        return Response(200, {"data": body})

    @route("PATCH", f"{V2}/product-data")
    def patch_product_data(self, request):
        return self._product_data(request, replace=False)

    @route("PUT", f"{V2}/product-data")
    def put_product_data(self, request):
        return self._product_data(request, replace=True)

    # --- order invoices (UploadOrderInvoice, OpenAPI 2.27.0) ----------------------------
    # POST /order-invoices/{id_order}: body OrderInvoiceUploadRequest = exactly
    # {original_name, mime_type, data}, all required strings, additionalProperties false,
    # data = "binary invoice data base64 encoded" -> 201 ApiResponse_OrderInvoice_ with
    # OrderInvoice {id_invoice, id_order, storefront, is_marketplace_deemed_supplier,
    # original_name, mime_type, url, ts_created_iso}. GET /order-invoices lists them, GET and
    # DELETE /order-invoices/{id_order}/{id_invoice}. The spec has no document type: a credit
    # note is one more document of the order. UNCONFIRMED: that a PDF mime type with a body
    # that is not a PDF is refused (400 here), mime types besides application/pdf.

    @property
    def order_invoices(self):
        """Uploaded documents (OrderInvoice plus ``_content``: the decoded bytes)."""
        return self.__dict__.setdefault("_order_invoices", [])

    def _public_invoice(self, invoice):
        return {k: v for k, v in invoice.items() if not k.startswith("_")}

    @route("POST", f"{V2}/order-invoices/(?P<id_order>[A-Za-z0-9]+)")
    def upload_order_invoice(self, request):
        body = request.json
        keys = {"original_name", "mime_type", "data"}
        if not isinstance(body, dict) or set(body) != keys:
            return invalid("body", "expected exactly original_name, mime_type and data")
        for key in sorted(keys):
            if not isinstance(body[key], str) or not body[key]:
                return invalid(key, "is required")
        try:
            content = base64.b64decode(body["data"], validate=True)
        except (binascii.Error, ValueError):
            return invalid("data", "is not base64 encoded")
        if body["mime_type"] not in INVOICE_MIME_TYPES:
            return invalid("mime_type", "not an allowed mime type")
        if body["mime_type"] == "application/pdf" and not content.startswith(b"%PDF-"):
            return invalid("data", "is not a PDF document")
        with self.lock:
            units = self._order_units_of(request.params["id_order"])
            if not units:
                return problem(404, "/problems/not-found", "Order not found")
            id_invoice = 7000000 + len(self.order_invoices) + 1
            invoice = {
                "id_invoice": id_invoice,
                "id_order": units[0]["id_order"],
                "storefront": units[0]["storefront"],
                "is_marketplace_deemed_supplier": units[0]["is_marketplace_deemed_supplier"],
                "original_name": body["original_name"],
                "mime_type": body["mime_type"],
                "url": f"https://media.cdn.kaufland.de/order-invoices/{id_invoice}.pdf",
                "ts_created_iso": iso(now_utc()),
                "_content": content,
            }
            self.order_invoices.append(invoice)
        return Response(201, {"data": self._public_invoice(invoice)})

    @route("GET", f"{V2}/order-invoices")
    def list_order_invoices(self, request):
        limit, offset, error = self._paging(request)
        storefront, error2 = self._storefront(request)
        since, error3 = self._since(request, "ts_created_from_iso")
        if error or error2 or error3:
            return error or error2 or error3
        with self.lock:
            items = [
                self._public_invoice(i)
                for i in self.order_invoices
                if (not storefront or i["storefront"] == storefront)
                and (not since or i["ts_created_iso"] >= iso(since))
            ]
        return self._collection(items, limit, offset)

    def _find_invoice(self, request):
        return next(
            (
                i
                for i in self.order_invoices
                if i["id_order"] == request.params["id_order"]
                and str(i["id_invoice"]) == request.params["id_invoice"]
            ),
            None,
        )

    @route("GET", f"{V2}/order-invoices/(?P<id_order>[A-Za-z0-9]+)/(?P<id_invoice>[0-9]+)")
    def get_order_invoice(self, request):
        invoice = self._find_invoice(request)
        if not invoice:
            return problem(404, "/problems/not-found", "Invoice not found")
        return Response(200, {"data": self._public_invoice(invoice)})

    @route("DELETE", f"{V2}/order-invoices/(?P<id_order>[A-Za-z0-9]+)/(?P<id_invoice>[0-9]+)")
    def delete_order_invoice(self, request):
        with self.lock:
            invoice = self._find_invoice(request)
            if not invoice:
                return problem(404, "/problems/not-found", "Invoice not found")
            self.order_invoices.remove(invoice)
        return Response(204)

    # --- test helpers ------------------------------------------------------------------

    def _add_product(self, ean, title, manufacturer="", storefront="de"):
        product = {
            "id_product": next(self._product_ids),
            "storefront": storefront,
            "title": title,
            "eans": [ean],
            "id_category": 34401,
            "main_picture": f"https://media.cdn.kaufland.de/product-images/{ean}.jpg",
            "manufacturer": manufacturer,
            "url": f"https://www.kaufland.de/product/{ean}/",
            "age_rating": 0,
            "is_valid": True,
            "dangerous_goods_li_shipping": None,
            "danger_label_9A": None,
        }
        self.products[ean] = product
        return product

    def add_offer(self, sku, ean, title, price, amount=10, storefront="de", manufacturer="Demo GmbH"):
        """Add a Kaufland product (if new) and the seller's offer (unit) on it; return the unit."""
        with self.lock:
            if ean not in self.products:
                self._add_product(ean, title, manufacturer)
            return self._new_unit(storefront, ean, sku, price, amount)

    def add_order(
        self,
        items,
        address,
        email="buyer@example.com",
        storefront="de",
        id_order=None,
        billing=None,
        created=None,
        status="need_to_be_sent",
        shipping_rate=390,
        deemed_supplier=False,
    ):
        """Add an order: ``items`` = [(sku, quantity, price_cents, vat)] -> one unit per piece.

        ``address`` is a Kaufland Address dict (missing keys default to None).
        Returns the id_order.
        """
        created = created or now_utc()
        with self.lock:
            id_order = id_order or self._new_order_id()
            buyer = {"id_buyer": self._buyer_id(email), "email": email}
            shipping_address = self._address(address)
            billing_address = self._address(billing or address)
            first = True
            for sku, quantity, price, vat in items:
                unit_offer = next((u for u in self.units.values() if u["id_offer"] == sku), None)
                ean = unit_offer["_ean"] if unit_offer else ean13("4000000009" + f"{len(self.products):02d}")
                product = self.products.get(ean) or self._add_product(ean, sku)
                for _n in range(quantity):
                    id_unit = next(self._unit_ids)
                    self.order_units[id_unit] = {
                        "id_order_unit": id_unit,
                        "id_order": id_order,
                        "ts_created_iso": iso(created),
                        "is_marketplace_deemed_supplier": deemed_supplier,
                        "ts_updated_iso": iso(created),
                        "status": status,
                        "price": price,
                        "id_offer": sku,
                        "revenue_gross": price - price // 10,
                        "revenue_net": round((price - price // 10) / (1 + vat / 100)),
                        "note": None,
                        "unit_condition": "new",
                        "storefront": storefront,
                        "currency": CURRENCY.get(storefront, "EUR"),
                        "delivery_time_min": 1,
                        "delivery_time_max": 3,
                        "delivery_time_expires_iso": iso(created + timedelta(days=3)),
                        "order_received_timestamp_iso": None,
                        "shipping_rate": shipping_rate if first else 0,
                        "cancel_reason": None,
                        "fulfillment_type": "fulfilled_by_merchant",
                        "buyer": dict(buyer),
                        "billing_address": dict(billing_address),
                        "shipping_address": dict(shipping_address),
                        "product": dict(product),
                        "vat": vat,
                        "_created": created,
                        "_updated": created,
                    }
                    first = False
        self._order_added(id_order, storefront)  # push notifications (kaufland_subscriptions.py)
        return id_order

    def set_unit_status(self, id_order_unit, status, reason=None):
        with self.lock:
            unit = self.order_units[int(id_order_unit)]
            if reason:
                unit["cancel_reason"] = reason
            self._touch(unit, status)
        self._unit_status_changed(unit)

    def add_return(self, unit_ids, reason="wrong_size", status="package_sent", note=None, created=None):
        """A buyer's return of order units (one order per return); returns the id_return."""
        created = created or now_utc()
        with self.lock:
            units = [self.order_units[int(i)] for i in unit_ids]
            if len({u["id_order"] for u in units}) != 1:
                raise ValueError("a Kaufland return holds units of one order")
            id_return = next(self._return_ids)
            ids = []
            for unit in units:
                id_return_unit = next(self._return_unit_ids)
                self.return_units[id_return_unit] = {
                    "id_return_unit": id_return_unit,
                    "id_return": id_return,
                    "id_order_unit": unit["id_order_unit"],
                    "ts_created_iso": iso(created),
                    "status": "need_to_be_returned",
                    "note": note,
                    "reason": reason,
                    "storefront": unit["storefront"],
                    "fulfillment_type": unit["fulfillment_type"],
                }
                ids.append(id_return_unit)
            self.returns[id_return] = {
                "id_return": id_return,
                "ts_created_iso": iso(created),
                "ts_updated_iso": iso(created),
                "storefront": units[0]["storefront"],
                "tracking_provider": "DHL",
                "tracking_code": f"0034{id_return}",
                "status": status,
                "fulfillment_type": units[0]["fulfillment_type"],
                "_units": ids,
                "_created": created,
                "_updated": created,
            }
        return id_return

    def set_return(self, id_return, status=None, unit_status=None, order_unit_status=None):
        """Move a return (package status) and/or all its units (return unit status)."""
        with self.lock:
            ret = self.returns[int(id_return)]
            if status:
                ret["status"] = status
                ret["_updated"] = max(now_utc(), ret["_updated"] + timedelta(seconds=1))
                ret["ts_updated_iso"] = iso(ret["_updated"])
            for id_return_unit in ret["_units"]:
                unit = self.return_units[id_return_unit]
                if unit_status:
                    self._set_return_unit(unit, unit_status)
                if order_unit_status:
                    self._touch(self.order_units[unit["id_order_unit"]], order_unit_status)

    def units_of_order(self, id_order):
        with self.lock:
            return [self._public_unit(u) for u in self._order_units_of(id_order)]

    def offer(self, sku, storefront="de"):
        with self.lock:
            return next(
                (
                    self._public_unit(u)
                    for u in self.units.values()
                    if u["id_offer"] == sku and u["storefront"] == storefront
                ),
                None,
            )

    def _buyer_id(self, email):
        for unit in self.order_units.values():
            if unit["buyer"]["email"] == email:
                return unit["buyer"]["id_buyer"]
        return next(self._buyer_ids)

    def _new_order_id(self):
        while True:
            candidate = "M" + "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=6))
            if not any(u["id_order"] == candidate for u in self.order_units.values()):
                return candidate

    @staticmethod
    def _address(data):
        keys = (
            "first_name",
            "last_name",
            "company_name",
            "street",
            "house_number",
            "postcode",
            "additional_field",
            "city",
            "phone",
            "country",
        )
        return {k: data.get(k) for k in keys}

    # --- demo ------------------------------------------------------------------------

    DEMO_PRODUCTS = [
        ("DEMO-001", "Espresso Cup Set (4 pcs)", 1999),
        ("DEMO-002", "French Press 1 l", 2999),
        ("DEMO-003", "Coffee Grinder Manual", 3499),
        ("DEMO-004", "Milk Frother Electric", 2499),
        ("DEMO-005", "Coffee Beans Arabica 1 kg", 1899),
        ("DEMO-006", "Tea Infuser Stainless", 799),
        ("DEMO-007", "Kitchen Scale Digital", 1599),
        ("DEMO-008", "Barista Apron - Size S", 2199),
        ("DEMO-009", "Barista Apron - Size M", 2199),
        ("DEMO-010", "Barista Apron - Size L", 2199),
    ]
    DEMO_ADDRESSES = [
        {
            "first_name": "Anna",
            "last_name": "Schmidt",
            "street": "Hauptstraße",
            "house_number": "12",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
            "phone": "+49301234567",
        },
        {
            "first_name": "Jonas",
            "last_name": "Weber",
            "street": "Marienplatz",
            "house_number": "3",
            "postcode": "80331",
            "city": "München",
            "country": "DE",
            "additional_field": "2. OG",
        },
        {
            "first_name": "Lena",
            "last_name": "Gruber",
            "street": "Mariahilfer Straße",
            "house_number": "45",
            "postcode": "1060",
            "city": "Wien",
            "country": "AT",
        },
        {
            "first_name": "Petr",
            "last_name": "Novák",
            "street": "Václavské náměstí",
            "house_number": "1",
            "postcode": "11000",
            "city": "Praha",
            "country": "CZ",
        },
        {
            "first_name": "Eva",
            "last_name": "Fischer",
            "street": "Königsallee",
            "house_number": "60",
            "postcode": "40212",
            "city": "Düsseldorf",
            "country": "DE",
        },
    ]

    def seed_demo(self):
        """A catalogue DEMO-001..DEMO-010 (the aprons are sizes of one product) and ten orders."""
        now = now_utc()
        for index, (sku, title, price) in enumerate(self.DEMO_PRODUCTS):
            ean = ean13(f"4000000000{index + 1:02d}")
            self.add_offer(sku, ean, title, price, amount=25, manufacturer="Demo Coffee GmbH")
            if index < 3:
                self.add_offer(sku, ean, title, price, amount=5, storefront="at")
        addr = self.DEMO_ADDRESSES
        business = dict(
            addr[0],
            first_name="Max",
            last_name="Muster",
            company_name="Muster Café GmbH",
            street="Friedrichstraße",
            house_number="100",
            postcode="10117",
        )
        self.add_order(
            [("DEMO-001", 1, 1999, 19)], addr[0], "anna.schmidt@example.de", created=now - timedelta(hours=30)
        )
        self.add_order(
            [("DEMO-002", 2, 2999, 19), ("DEMO-006", 1, 799, 19)],
            addr[1],
            "jonas.weber@example.de",
            created=now - timedelta(hours=26),
        )
        self.add_order(
            [("DEMO-003", 1, 3499, 20)],
            addr[2],
            "lena.gruber@example.at",
            storefront="at",
            created=now - timedelta(hours=20),
            shipping_rate=490,
        )
        self.add_order(
            [("DEMO-005", 5, 1899, 7), ("DEMO-007", 1, 1599, 19)],
            business,
            "einkauf@muster-cafe.example",
            created=now - timedelta(hours=18),
            shipping_rate=0,
        )
        self.add_order(
            [("DEMO-004", 1, 2499, 19)],
            addr[0],
            "anna.schmidt@example.de",  # repeat customer
            created=now - timedelta(hours=12),
        )
        self.add_order(
            [("DEMO-009", 1, 2199, 19), ("DEMO-010", 1, 2199, 19)],
            addr[4],
            "eva.fischer@example.de",
            created=now - timedelta(hours=10),
        )
        self.add_order(
            [("DEMO-005", 1, 46900, 15)],
            addr[3],
            "petr.novak@example.cz",
            storefront="cz",
            created=now - timedelta(hours=8),
            shipping_rate=9900,
        )
        partly = self.add_order(
            [("DEMO-008", 2, 2199, 19)], addr[1], "jonas.weber@example.de", created=now - timedelta(hours=6)
        )
        self.set_unit_status(self.units_of_order(partly)[0]["id_order_unit"], "cancelled", "NoInventory")
        gone = self.add_order(
            [("DEMO-006", 1, 799, 19)], addr[4], "eva.fischer@example.de", created=now - timedelta(hours=4)
        )
        self.set_unit_status(self.units_of_order(gone)[0]["id_order_unit"], "cancelled", "BuyerCancelled")
        self.add_order(
            [("DEMO-001", 1, 1999, 19), ("DEMO-002", 1, 2999, 19)],
            addr[0],
            "anna.schmidt@example.de",
            created=now - timedelta(hours=1),
        )

    def add_demo_order(self):
        """A new random order for the live demo; returns its id_order."""
        picks = self.rng.sample(self.DEMO_PRODUCTS, self.rng.randint(1, 3))
        address = self.rng.choice(self.DEMO_ADDRESSES)
        storefront = {"AT": "at", "CZ": "cz"}.get(address["country"], "de")
        email = f"{address['first_name'].lower()}.{address['last_name'].lower()}@example.com"
        items = [
            (sku, self.rng.randint(1, 2), price if storefront != "cz" else price * 25, 19)
            for sku, _title, price in picks
        ]
        id_order = self.add_order(items, address, email, storefront=storefront)
        self._demo_orders = getattr(self, "_demo_orders", 0) + 1
        if self._demo_orders % 4 == 0:
            self.add_demo_return()
        return id_order

    def add_demo_return(self):
        """The live demo's after-sale: a buyer sends back one unit of an earlier order
        (the seller accepts it once the parcel arrived, or while it is on its way)."""
        with self.lock:
            returned = {u["id_order_unit"] for u in self.return_units.values()}
            candidates = [
                u["id_order_unit"]
                for u in self.order_units.values()
                if u["status"] in ("need_to_be_sent", "sent", "received")
                and u["id_order_unit"] not in returned
            ]
        if not candidates:
            return None
        unit = self.rng.choice(sorted(candidates))
        id_return = self.add_return([unit], reason=self.rng.choice(RETURN_REASONS))
        arrived = self.rng.random() < 0.7
        self.set_return(
            id_return, status="package_received" if arrived else "package_sent", unit_status="return_accepted"
        )
        return id_return

    def control(self, request):
        if request.path == "/_emulator/orders" and request.method == "POST":
            return Response(201, {"id_order": self.add_demo_order()})
        if request.path == "/_emulator/returns" and request.method == "POST":
            return Response(201, {"id_return": self.add_demo_return()})
        if request.path == "/_emulator/seed" and request.method == "POST":
            self.seed_demo()
            return Response(204)
        return None


if __name__ == "__main__":
    main(KauflandEmulator)
