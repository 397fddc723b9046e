"""CCV Shop REST API v1 emulator (the endpoints the shop_ccv connector uses).

Written from CCV's public material (official PHP client ``ccvshop/ccvshop-api``,
``ccvshop/python-example-code``, the schema-generated ``jacobdekeizer/ccvshop-client``):

* every request must carry ``x-public``, ``x-date`` and ``x-hash`` =
  hex HMAC-SHA512(secret, ``public|METHOD|/api/rest/v1/path?query|body|x-date``);
* every answer is signed the same way over the answer body with the emulator's
  own ``x-date`` (CCV signs responses; the official client rejects unsigned ones);
* collections page with ``start``/``size`` and ``href/first/previous/next/items``;
* attribute combinations are the ``Attributecombinations`` resource: ``combination`` =
  ``[{attribute: {id, name, href}, attribute_value: {id, name, href}, extra_price}]``,
  numbers (``product_number``, ``ean_number``, ``sku_number``) possibly empty;
* errors are ``{"status", "code", "developermessage"}``; rate limits answer 429 with
  code 429.10 (per resource and method) or 429.11 (whole API), no Retry-After
  (CCV's limits and headers are not published: the numbers here are made up).

Run: ``python -m tests.emulators.ccv --port 8071 --seed`` (keys: ``demo-public`` /
``demo-secret``; point the account's API URL at ``http://127.0.0.1:8071``).
"""

import base64
import hashlib
import hmac
import json
import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl, urlencode

from tests.emulators.base import Emulator, RateLimiter, Response, main, route
from tests.emulators.ccv_webhooks import CcvWebhooksMixin

P = "/api/rest/v1"
STATUSES = range(1, 15)
# Returns.status (jacobdekeizer/ccvshop-client docstring); names as the shop shows them
RETURN_STATUS_NAMES = {
    "1": "Nieuw",
    "2": "In behandeling",
    "3": "Eigen status 1",
    "4": "Eigen status 2",
    "5": "Eigen status 3",
    "6": "Geannuleerd",
    "7": "Afgerond",
    "8": "Gecrediteerd",
}
DATE_TOLERANCE = 900  # seconds of x-date skew accepted (CCV's value is not published)
MAX_PAGE_SIZE = 100
ORDER_PATCH_KEYS = {
    "invoicenumber",
    "paid",
    "safety_deposit_returned",
    "total_shipping",
    "paymethod_costs",
    "extra_costs",
    "extra_costs_description",
    "taxes_included",
    "order_row_taxes_included",
    "shipping_taxes_included",
    "is_intra_community_order",
    "currency",
    "is_platform_sale",
    "orderedinlng",
    "status",
    "note",
    "track_and_trace_code",
    "track_and_trace_carrier",
    "mail",
    "deliver_date",
    "deliver_method",
    "take_out_slot_id",
    "reservationnumber",
    "customer",
    "orderrows",
}
PRODUCT_KEYS = {
    "productnumber",
    "active",
    "eannumber",
    "mpnnumber",
    "name",
    "shortdescription",
    "description",
    "vatrate",
    "taxtariff",
    "price",
    "discount",
    "purchaseprice",
    "container_deposit_price",
    "safety_deposit_price",
    "credit_points_custom",
    "unit",
    "stockenabled",
    "stocktype",
    "stock",
    "stocklocation",
    "ordering_without_stock",
    "weight",
    "brand",
    "brand_id",
    "condition",
    "condition_id",
    "color_id",
    "maincategory",
    "subcategory",
    "package_id",
    "meta_description",
    "meta_keywords",
    "page_title",
    "no_index",
    "no_follow",
    "alias",
    "specs",
    "decimal_amount",
    "amount_sold",
    "minimal_order_amount",
    "stock_delivery_number",
    "stock_delivery_type",
    "stock_delivery_standard",
    "show_in_template",
    "show_on_beginpage",
    "show_on_facebook",
    "show_order_button",
    "product_layout",
    "photo_size",
    "hide_without_category",
    "memo",
    "supplier_id",
    "fixed_staggered_prices",
    "google_shopping_category",
    "is_included_for_export_feed",
}
# The shop's tax tariffs -> rates (percent). CCV takes them from the shop's country: Dutch
# rates by default; a German shop (the suite's test company) passes GERMAN_TAX_TARIFFS.
TAX_TARIFFS = {"normal": 21, "low a": 9, "low b": 9, "extra low": 6, "zero": 0}
GERMAN_TAX_TARIFFS = {"normal": 19, "low a": 7, "low b": 7, "extra low": 7, "zero": 0}
COMBINATION_KEYS = {
    "stock",
    "product_number",
    "ean_number",
    "sku_number",
    "active",
    "note",
    "netto_extra_price",
    "ordering_without_stock",
    "delivery_time",
    "delivery_time_type",
    "delivery_default_text",
}
CENT = Decimal("0.01")
# connector.account values of an account against the seeded emulator (scripts/demo.sh adds
# provider, name and api_base_url). The seeded catalogue is DEMO-001..DEMO-010 (DEMO-010 has
# the variants DEMO-010-S/M/L); one seeded order waits for payment (status 4, not paid).
DEMO_ACCOUNT_VALUES = {
    "ccv_public_key": "demo-public",
    "ccv_secret_key": "demo-secret",
    "ccv_shop_domain": "demo.ccvshop.nl",
    "ccv_only_paid": True,
    "ccv_paid_lookback_days": 14,
    "import_statuses": "1,2",
    "ccv_prices_include_tax": True,
}


def address(first, last, street, number, zipcode, city, country="DE", company="", suffix=""):
    """A CCV ``Personalinfo`` address (order customer's billing or delivery address)."""
    return {
        "gender": "",
        "initials": first[:1],
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "company": company,
        "street": street,
        "housenumber": number,
        "housenumber_suffix": suffix,
        "zipcode": zipcode,
        "city": city,
        "province": "",
        "country": {"DE": "Duitsland", "NL": "Nederland"}.get(country, country),
        "country_code": country,
        "telephone": "+49 30 1234567",
        "mobile": "",
        "fax": "",
        "comment": "",
    }


def customer(email, billing, delivery=None, vat="", kvk=""):
    """A CCV order ``customer``: b2b when the billing address names a company."""
    return {
        "billingaddress": billing,
        "deliveryaddress": dict(delivery or billing),
        "email": email,
        "customertype": "b2b" if billing["company"] else "b2c",
        "btw": vat,
        "kvk": kvk,
        "reference": "",
        "branch": "",
        "website": "",
    }


def sign(public, secret, method, uri, body, x_date):
    message = f"{public}|{method}|{uri}|".encode() + body + f"|{x_date}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha512).hexdigest()


def ean13(twelve):
    digits = [int(c) for c in twelve]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return f"{twelve}{check}"


def money(value):
    return float(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def iso(moment):
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_when(value):
    """A filter or x-date value: date (YYYY-MM-DD) or ISO 8601 datetime -> aware UTC."""
    text = str(value).strip().replace("Z", "+00:00").replace(" ", "T")
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # PHP ISO8601 "+0000"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CcvEmulator(CcvWebhooksMixin, Emulator):
    """CCV Shop REST API v1"""

    name = "ccv"
    timeout_seconds = 12

    def __init__(
        self,
        public_key="demo-public",
        secret_key="demo-secret",
        resource_limit=(20, 200),
        total_limit=(50, 500),
        tax_tariffs=None,
    ):
        super().__init__()
        self.public_key = public_key
        self.secret_key = secret_key
        #: (rate per second, burst) per resource+method (429.10) and for the API (429.11)
        self.resource_limit = resource_limit
        self.total_limit = total_limit
        self._total = RateLimiter(*total_limit) if total_limit else None
        self.store_lock = threading.RLock()
        #: tax tariff -> rate of this shop; shipping and payment costs use the normal rate
        self.tax_tariffs = dict(tax_tariffs or TAX_TARIFFS)
        self.webshops = [{"id": 1, "name": "Demo webshop", "is_multishop_system": False}]
        self.packages = [{"id": 1, "name": "Standaard"}]
        self.orders = {}
        self.rows = {}  # order id -> rows
        self.returns = {}  # return id -> return (its rows under "_rows")
        self.products = {}
        self.combinations = {}
        self.attribute_ids = {}  # attribute name -> id (attribute sets of combinations)
        self.value_ids = {}  # (attribute name, value name) -> id
        self.categories = {}
        self.links = {}  # producttocategories id -> link
        self.photos = {}  # product id -> photos
        self._ids = {}
        self.order_number = 1000
        self.random = random.Random(42)

    # --- framework hooks --------------------------------------------------------

    def _next_id(self, kind, start=1):
        with self.store_lock:
            self._ids[kind] = self._ids.get(kind, start - 1) + 1
            return self._ids[kind]

    def error(self, status, message, code=None):
        body = {"status": status, "developermessage": message}
        if code:
            body["code"] = code
        return Response(status, body)

    def limit_for(self, request):
        if not self.resource_limit or request.path.startswith("/_emulator/"):
            return None
        resource = request.path[len(P) :].strip("/").split("/")[0]
        return ((resource, request.method),) + tuple(self.resource_limit)

    def rate_limited_response(self, wait):
        return self.error(
            429,
            "Each method in each resource has a limit of requests that can be made per minute. "
            "Please lower the frequency of your request rate.",
            "429.10",
        )

    def authenticate(self, request):
        if self._total and self._total.take():
            return self.error(
                429,
                "The API has a total limit of requests that can be made per minute. Please lower "
                "the frequency of your request rate.",
                "429.11",
            )
        public = request.headers.get("x-public") or request.headers.get("X-Public")
        x_date = request.headers.get("x-date") or request.headers.get("X-Date")
        x_hash = request.headers.get("x-hash") or request.headers.get("X-Hash")
        if not public or not x_date or not x_hash:
            return self.error(401, "Missing x-public, x-date or x-hash header.")
        if public != self.public_key:
            return self.error(401, "Unknown public key.")
        try:
            moment = parse_when(x_date)
        except ValueError:
            return self.error(401, "x-date is not an ISO 8601 date.")
        if abs((datetime.now(UTC) - moment).total_seconds()) > DATE_TOLERANCE:
            return self.error(401, "x-date is too far from the server time.")
        expected = sign(
            self.public_key, self.secret_key, request.method, request.raw_uri, request.body, x_date
        )
        if not hmac.compare_digest(expected, x_hash.lower()):
            return self.error(401, "Invalid hash.")
        return None

    def dispatch(self, request):
        result = super().dispatch(request)
        if not isinstance(result, Response) or request.path.startswith("/_emulator/"):
            return result
        # CCV signs its answers: x-hash over the body with the answer's own x-date
        body = result.body
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body, default=str).encode()
        x_date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        headers = dict(result.headers)
        headers["x-date"] = x_date
        headers["x-hash"] = sign(
            self.public_key, self.secret_key, request.method, request.raw_uri, payload, x_date
        )
        content_type = "application/vnd.verto.webshop+json" if payload else result.content_type
        return Response(result.status, payload, headers, content_type)

    # --- helpers ------------------------------------------------------------------

    def _host(self, request):
        return f"http://{request.headers.get('Host', '127.0.0.1')}"

    def _collection(self, request, items):
        try:
            start = max(0, int(request.arg("start", 0)))
            size = min(MAX_PAGE_SIZE, max(1, int(request.arg("size", MAX_PAGE_SIZE))))
        except ValueError:
            return self.error(400, "start and size must be integers.")
        query = parse_qsl(request.raw_uri.partition("?")[2], keep_blank_values=True)

        def link(offset):
            q = [(k, v) for k, v in query if k not in ("start", "size")] + [("start", offset), ("size", size)]
            return f"{self._host(request)}{request.path}?{urlencode(q)}"

        page = items[start : start + size]
        return Response(
            200,
            {
                "href": f"{self._host(request)}{request.raw_uri}",
                "start": start,
                "size": size,
                "first": link(0),
                "previous": link(max(0, start - size)) if start else None,
                "next": link(start + size) if start + size < len(items) else None,
                "items": page,
            },
        )

    def _href(self, request, path):
        return f"{self._host(request)}{P}/{path}"

    # --- webshops -----------------------------------------------------------------

    @route("GET", f"{P}/webshops")
    def get_webshops(self, request):
        return self._collection(
            request, [dict(w, href=self._href(request, f"webshops/{w['id']}")) for w in self.webshops]
        )

    @route("GET", f"{P}/packages")
    def get_packages(self, request):
        return self._collection(
            request, [dict(p, href=self._href(request, f"packages/{p['id']}")) for p in self.packages]
        )

    # --- orders ---------------------------------------------------------------------

    def _order_view(self, request, order):
        data = {k: v for k, v in order.items() if not k.startswith("_")}
        data["href"] = self._href(request, f"orders/{order['id']}")
        data["orderrows"] = {"href": self._href(request, f"orders/{order['id']}/orderrows")}
        return data

    @route("GET", f"{P}/orders")
    def get_orders(self, request):
        with self.store_lock:
            orders = list(self.orders.values())
        flag = {"true": True, "1": True, "false": False, "0": False}
        completed = flag.get(str(request.arg("is_completed", "true")).lower(), True)
        orders = [o for o in orders if bool(o["is_completed"]) == completed]
        if request.arg("status") not in (None, ""):
            orders = [o for o in orders if o["status"] == int(request.arg("status"))]
        if request.arg("is_paid") not in (None, ""):
            paid = flag.get(str(request.arg("is_paid")).lower())
            if paid is None:
                return self.error(400, "is_paid must be true or false.")
            orders = [o for o in orders if bool(o["paid"]) == paid]
        if request.arg("ordernumber"):
            orders = [o for o in orders if str(o["ordernumber"]) == request.arg("ordernumber")]
        for name, keep in (
            ("min_create_date", lambda c, m: c >= m),
            ("max_create_date", lambda c, m: c <= m),
        ):
            if request.arg(name):
                try:
                    limit = parse_when(request.arg(name))
                except ValueError:
                    return self.error(400, f"{name} is not a date.")
                orders = [o for o in orders if keep(parse_when(o["create_date"]), limit)]
        orderby = request.arg("orderby", "id")
        field, desc = (orderby[:-5], True) if orderby.endswith("_desc") else (orderby, False)
        if field not in ("id", "ordernumber", "create_date", "deliver_date"):
            return self.error(400, f"orderby {orderby} is not supported.")
        orders.sort(key=lambda o: (o.get(field) is None, o.get(field) or 0), reverse=desc)
        return self._collection(request, [self._order_view(request, o) for o in orders])

    @route("GET", rf"{P}/orders/(?P<id>\d+)")
    def get_order(self, request):
        order = self.orders.get(int(request.params["id"]))
        if not order:
            return self.error(404, "Order not found.")
        return Response(200, self._order_view(request, order))

    @route("PATCH", rf"{P}/orders/(?P<id>\d+)")
    def patch_order(self, request):
        order = self.orders.get(int(request.params["id"]))
        if not order:
            return self.error(404, "Order not found.")
        data = request.json
        if not isinstance(data, dict):
            return self.error(400, "Body must be a JSON object.")
        unknown = set(data) - ORDER_PATCH_KEYS
        if unknown:
            return self.error(400, f"Unknown properties: {', '.join(sorted(unknown))}.")
        if "status" in data and data["status"] not in STATUSES:
            return self.error(400, "status must be 1..14.")
        with self.store_lock:
            for key in (
                "status",
                "paid",
                "track_and_trace_code",
                "track_and_trace_carrier",
                "invoicenumber",
                "reservationnumber",
                "deliver_date",
            ):
                if key in data:
                    order[key] = data[key]
            order.setdefault("_patches", []).append(data)
        return Response(204)

    @route("GET", rf"{P}/orders/(?P<id>\d+)/orderrows")
    def get_order_rows(self, request):
        order_id = int(request.params["id"])
        if order_id not in self.orders:
            return self.error(404, "Order not found.")
        rows = [
            dict(r, href=self._href(request, f"orderrows/{r['id']}")) for r in self.rows.get(order_id, [])
        ]
        return self._collection(request, rows)

    # --- products --------------------------------------------------------------------

    def _product_view(self, request, product):
        data = {k: v for k, v in product.items() if not k.startswith("_")}
        data["href"] = self._href(request, f"products/{product['id']}")
        for sub in ("productphotos", "producttocategories", "attributecombinations"):
            data[sub] = {"href": self._href(request, f"products/{product['id']}/{sub}")}
        return data

    @route("GET", f"{P}/products")
    def get_products(self, request):
        with self.store_lock:
            products = sorted(self.products.values(), key=lambda p: p["id"])
        for name in ("productnumber", "eannumber", "mpnnumber"):
            if request.arg(name):
                products = [p for p in products if p.get(name) == request.arg(name)]
        return self._collection(request, [self._product_view(request, p) for p in products])

    @route("GET", rf"{P}/products/(?P<id>\d+)")
    def get_product(self, request):
        product = self.products.get(int(request.params["id"]))
        if not product:
            return self.error(404, "Product not found.")
        return Response(200, self._product_view(request, product))

    def _validate_product(self, data, create):
        if not isinstance(data, dict):
            return "Body must be a JSON object."
        unknown = set(data) - PRODUCT_KEYS
        if unknown:
            return f"Unknown properties: {', '.join(sorted(unknown))}."
        if create:
            missing = [k for k in ("name", "price", "discount", "package_id") if data.get(k) in (None, "")]
            if missing:
                return f"Required properties missing: {', '.join(missing)}."
            if "taxtariff" not in data and "vatrate" not in data:
                return "Either taxtariff or vatrate must be set."
        if "taxtariff" in data and data["taxtariff"] not in self.tax_tariffs:
            return f"taxtariff must be one of {', '.join(self.tax_tariffs)}."
        if "package_id" in data and data["package_id"] not in {p["id"] for p in self.packages}:
            return "Unknown package_id."
        for key in ("price", "discount", "stock", "weight"):
            if key in data and not isinstance(data[key], int | float):
                return f"{key} must be a number."
        return None

    def _apply_product(self, product, data):
        for key, value in data.items():
            product["is_active" if key == "active" else key] = value
        if "taxtariff" in data:
            product["vatrate"] = self.tax_tariffs[data["taxtariff"]]
        product["modifydate"] = iso(datetime.now(UTC))

    @route("POST", f"{P}/products")
    def post_product(self, request):
        data = request.json
        problem = self._validate_product(data, create=True)
        if problem:
            return self.error(400, problem)
        product = self.add_product(
            data.get("productnumber", ""),
            data["name"],
            data["price"],
            **{k: v for k, v in data.items() if k not in ("productnumber", "name", "price")},
        )
        return Response(201, self._product_view(request, product))

    @route("PATCH", rf"{P}/products/(?P<id>\d+)")
    def patch_product(self, request):
        product = self.products.get(int(request.params["id"]))
        if not product:
            return self.error(404, "Product not found.")
        data = request.json
        problem = self._validate_product(data, create=False)
        if problem:
            return self.error(400, problem)
        with self.store_lock:
            self._apply_product(product, data)
        return Response(204)

    @route("GET", rf"{P}/products/(?P<id>\d+)/attributecombinations")
    def get_combinations(self, request):
        product_id = int(request.params["id"])
        if product_id not in self.products:
            return self.error(404, "Product not found.")
        items = [
            self._combination_view(request, c)
            for c in self.combinations.values()
            if c["product_id"] == product_id
        ]
        return self._collection(request, items)

    def _combination_view(self, request, combination):
        data = json.loads(json.dumps(combination))
        data["href"] = self._href(request, f"attributecombinations/{combination['id']}")
        for part in data["combination"]:
            part["attribute"]["href"] = self._href(request, f"attributes/{part['attribute']['id']}")
            part["attribute_value"]["href"] = self._href(
                request, f"attributevalues/{part['attribute_value']['id']}"
            )
        for sub in ("attributecombinationphotos", "attributes", "attributevalues"):
            data[sub] = {"href": self._href(request, f"attributecombinations/{combination['id']}/{sub}")}
        data["parent"] = {"href": self._href(request, f"products/{combination['product_id']}")}
        return data

    @route("PATCH", rf"{P}/attributecombinations/(?P<id>\d+)")
    def patch_combination(self, request):
        combination = self.combinations.get(int(request.params["id"]))
        if not combination:
            return self.error(404, "Attribute combination not found.")
        data = request.json
        if not isinstance(data, dict) or set(data) - COMBINATION_KEYS:
            return self.error(400, "Unknown properties.")
        with self.store_lock:
            combination.update(data)
        return Response(204)

    # --- categories, links, photos ------------------------------------------------------

    def _category_view(self, request, category):
        data = dict(category)
        data["href"] = self._href(request, f"categories/{category['id']}")
        parent = category.get("_parent")
        data.pop("_parent", None)
        data["parentcategory"] = (
            {"id": parent, "href": self._href(request, f"categories/{parent}")} if parent else None
        )
        return data

    @route("GET", f"{P}/categories")
    def get_categories(self, request):
        items = [
            self._category_view(request, c) for c in sorted(self.categories.values(), key=lambda c: c["id"])
        ]
        return self._collection(request, items)

    @route("GET", rf"{P}/categories/(?P<id>\d+)")
    def get_category(self, request):
        category = self.categories.get(int(request.params["id"]))
        if not category:
            return self.error(404, "Category not found.")
        return Response(200, self._category_view(request, category))

    @route("POST", f"{P}/categories")
    def post_category(self, request):
        data = request.json
        if not isinstance(data, dict) or not data.get("name"):
            return self.error(400, "Required property missing: name.")
        parent = data.get("parentcategory_id")
        if parent and parent not in self.categories:
            return self.error(400, "Unknown parentcategory_id.")
        category = self.add_category(data["name"], parent)
        return Response(201, self._category_view(request, category))

    @route("GET", rf"{P}/products/(?P<id>\d+)/producttocategories")
    def get_product_categories(self, request):
        product_id = int(request.params["id"])
        items = [
            dict(link, href=self._href(request, f"producttocategories/{link['id']}"))
            for link in self.links.values()
            if link["product_id"] == product_id
        ]
        return self._collection(request, items)

    @route("POST", f"{P}/producttocategories")
    def post_product_category(self, request):
        data = request.json
        if not isinstance(data, dict) or not data.get("product_id") or not data.get("category_id"):
            return self.error(400, "Required properties missing: product_id, category_id.")
        if data["product_id"] not in self.products or data["category_id"] not in self.categories:
            return self.error(400, "Unknown product_id or category_id.")
        if any(
            link["product_id"] == data["product_id"] and link["category_id"] == data["category_id"]
            for link in self.links.values()
        ):
            return self.error(500, "Property already exists.", "500.40")
        link_id = self._next_id("link")
        link = {
            "id": link_id,
            "product_id": data["product_id"],
            "category_id": data["category_id"],
            "position": data.get("position") or len(self.links) + 1,
        }
        self.links[link_id] = link
        return Response(201, dict(link, href=self._href(request, f"producttocategories/{link_id}")))

    @route("GET", rf"{P}/products/(?P<id>\d+)/productphotos")
    def get_photos(self, request):
        return self._collection(request, self.photos.get(int(request.params["id"]), []))

    @route("POST", rf"{P}/products/(?P<id>\d+)/productphotos")
    def post_photo(self, request):
        product = self.products.get(int(request.params["id"]))
        if not product:
            return self.error(404, "Product not found.")
        data = request.json
        if not isinstance(data, dict) or not data.get("file_type") or not data.get("source"):
            return self.error(400, "Required properties missing: file_type, source.")
        if data["file_type"] not in ("jpg", "jpeg", "png", "gif", "webp"):
            return self.error(500, "File type not valid.", "500.22")
        try:
            raw = base64.b64decode(data["source"], validate=True)
        except ValueError:
            return self.error(400, "source must be base64 without a data: prefix.")
        photo_id = self._next_id("photo")
        photo = {
            "id": photo_id,
            "filename": f"{photo_id}.{data['file_type']}",
            "alttext": data.get("alttext", ""),
            "is_mainphoto": bool(data.get("is_mainphoto")),
            "file_type": data["file_type"],
            "deeplink": f"{self._host(request)}/images/{photo_id}.{data['file_type']}",
            "_size": len(raw),
        }
        with self.store_lock:
            self.photos.setdefault(product["id"], []).append(photo)
            if photo["is_mainphoto"]:
                product["productmainphoto"] = photo["deeplink"]
        return Response(201, {k: v for k, v in photo.items() if not k.startswith("_")})

    # --- test API -----------------------------------------------------------------------

    def add_category(self, name, parent_id=None):
        category_id = self._next_id("category")
        category = {"id": category_id, "name": name, "_parent": parent_id, "show_on_website": True}
        self.categories[category_id] = category
        return category

    def add_product(self, sku, name, price, ean="", stock=0, **extra):
        product_id = self._next_id("product", 100)
        now = iso(datetime.now(UTC))
        product = {
            "id": product_id,
            "is_active": extra.pop("active", True),
            "createdate": now,
            "modifydate": now,
            "productnumber": sku,
            "eannumber": ean or extra.pop("eannumber", ""),
            "mpnnumber": "",
            "name": name,
            "shortdescription": "",
            "description": "",
            "taxtariff": "normal",
            "vatrate": self.tax_tariffs["normal"],
            "price": price,
            "discount": 0,
            "stockenabled": True,
            "stock": stock,
            "weight": 0,
            "package_id": 1,
            "productmainphoto": None,
        }
        product.update(extra)
        if "taxtariff" in extra:
            product["vatrate"] = self.tax_tariffs.get(extra["taxtariff"], self.tax_tariffs["normal"])
        with self.store_lock:
            self.products[product_id] = product
        return product

    def add_combination(self, product_id, sku, ean="", stock=0, values=()):
        """An attribute combination of a product, shaped as the ``Attributecombinations``
        resource (jacobdekeizer/ccvshop-client, generated from CCV's schemas): ``values``
        = [(attribute name, value name)] become ``combination`` items ``{attribute:
        {id, name, href}, attribute_value: {id, name, href}, extra_price}``. ``sku`` and
        ``ean`` may be empty: many shops give combinations no numbers of their own."""
        combination_id = self._next_id("combination", 500)
        parts = []
        for attribute, value in values:
            attribute_id = self.attribute_ids.setdefault(attribute, self._next_id("attribute", 40))
            value_id = self.value_ids.setdefault((attribute, value), self._next_id("attributevalue", 400))
            parts.append(
                {
                    "attribute": {"id": attribute_id, "name": attribute},
                    "attribute_value": {"id": value_id, "name": value},
                    "extra_price": 0,
                }
            )
        combination = {
            "id": combination_id,
            "note": "",
            "product_id": product_id,
            "stock": stock,
            "netto_extra_price": 0,
            "ordering_without_stock": "global_setting",
            "product_number": sku,
            "ean_number": ean,
            "sku_number": sku,
            "delivery_time": 0,
            "delivery_time_type": "days",
            "delivery_default_text": "",
            "active": True,
            "combination": parts,
        }
        self.combinations[combination_id] = combination
        return combination

    def product_by_sku(self, sku):
        return next((p for p in self.products.values() if p["productnumber"] == sku), None)

    def combination_by_sku(self, sku):
        return next((c for c in self.combinations.values() if sku and c["product_number"] == sku), None)

    def add_order(
        self,
        customer,
        rows,
        paid=True,
        status=1,
        created=None,
        shipping=4.95,
        coupon=None,
        incl=True,
        intra_community=False,
        currency="EUR",
        paymethod="ideal",
        completed=True,
        paymethod_costs=0,
        extra_payment_option_price=None,
        extra_costs=0,
        extra_costs_description="",
    ):
        """Add an order; ``rows`` are (sku, count) or (sku, count, price, discount) tuples
        (``sku`` may be an attribute combination itself, for one without numbers).

        ``shipping``, ``paymethod_costs``, ``extra_payment_option_price`` and ``extra_costs``
        (negative: a reduction) are gross amounts taxed at the shop's normal rate; an order
        excluding VAT (``incl=False``) shows them net.
        """
        normal = Decimal(str(self.tax_tariffs["normal"]))
        with self.store_lock:
            order_id = self._next_id("order", 10001)
            self.order_number += 1
            number = self.order_number
        created = created or datetime.now(UTC) - timedelta(minutes=1)
        order_rows = []
        for row in rows:
            sku, count = row[0], row[1]
            combination = sku if isinstance(sku, dict) else None
            product = (
                self.products.get(combination["product_id"]) if combination else self.product_by_sku(sku)
            )
            if not product:
                combination = self.combination_by_sku(sku)
                product = self.products.get(combination["product_id"]) if combination else None
            if not product:
                raise ValueError(f"unknown SKU {sku}")
            price = (
                row[2] if len(row) > 2 else product["price"] + (combination or {}).get("netto_extra_price", 0)
            )
            discount = row[3] if len(row) > 3 else 0
            rate = product.get("vatrate", self.tax_tariffs["normal"])
            tax = 0 if intra_community else rate
            if not incl:  # catalogue prices include VAT; an ex. VAT order shows them net
                price = money(Decimal(str(price)) / (1 + Decimal(str(rate)) / 100))
            selling = money(Decimal(str(price)) - Decimal(str(discount)))
            total = money(Decimal(str(selling)) * Decimal(str(count)))
            order_rows.append(
                {
                    "id": self._next_id("row", 70001),
                    "order_id": order_id,
                    "product_type": "product",
                    "product_name": product["name"],
                    "product_number": product["productnumber"],
                    "sub_product_number": combination["product_number"] if combination else None,
                    "sub_sku_number": combination["sku_number"] if combination else None,
                    "sub_ean_number": combination["ean_number"] if combination else None,
                    "product_id": product["id"],
                    "count": count,
                    "price": price,
                    "discount": discount,
                    "custom_price": False,
                    "tax": tax,
                    "unit": "stuk",
                    "weight": product.get("weight", 0),
                    "original_price": price,
                    "selling_price": selling,
                    "price_without_discount": price,
                    "price_without_discount_with_attributes": price,
                    "price_with_attributes": price,
                    "total_price": total,
                    "total_extra_option_price": 0,
                    "total_price_with_attributes": total,
                    # Orderrows Attributes: the buyer's choices (option_name, value_name, price)
                    "attributes": [
                        {
                            "option_name": part["attribute"]["name"],
                            "value_name": part["attribute_value"]["name"],
                            "price": part.get("extra_price", 0),
                        }
                        for part in (combination or {}).get("combination", [])
                    ],
                    "uploads": [],
                }
            )
        rows_total = sum(Decimal(str(r["total_price"])) for r in order_rows)
        discount_total = Decimal(str(coupon["amount"])) if coupon else Decimal(0)
        ship_rate = Decimal(0) if intra_community else normal

        def charge(gross):
            amount = Decimal(str(gross or 0))
            return amount if incl else Decimal(str(money(amount / (1 + normal / 100))))

        shipping = charge(shipping)
        fees = {
            "paymethod_costs": charge(paymethod_costs),
            "extra_payment_option_price": charge(extra_payment_option_price),
            "extra_costs": charge(extra_costs),
        }
        charges = shipping + sum(fees.values(), Decimal(0))
        tax_total = Decimal(0)
        for r in order_rows:
            rate, amount = Decimal(str(r["tax"])), Decimal(str(r["total_price"]))
            tax_total += amount * rate / (100 + rate) if incl else amount * rate / 100
        tax_total += charges * ship_rate / (100 + ship_rate) if incl else charges * ship_rate / 100
        if discount_total and rows_total:
            share = discount_total / rows_total
            row_tax = sum(
                (
                    Decimal(str(r["total_price"]))
                    * Decimal(str(r["tax"]))
                    / ((100 + Decimal(str(r["tax"]))) if incl else 100)
                    for r in order_rows
                ),
                Decimal(0),
            )
            tax_total -= row_tax * share
        total = rows_total + charges - discount_total + (0 if incl else tax_total)
        order = {
            "id": order_id,
            "ordernumber_prefix": "WEB",
            "ordernumber": number,
            "ordernumber_full": f"WEB{number}",
            "invoicenumber": None,
            "transaction_id": None,
            "create_date": iso(created),
            "deliver_method": "shipping",
            "deliver_date": None,
            "is_platform_sale": False,
            "orderedinlng": "nl",
            "status": status,
            "is_completed": completed,
            "paid": paid,
            "safety_deposit_returned": False,
            "paymethod_id": 3,
            "paymethod": paymethod,
            "paymethod_label": {
                "ideal": "iDEAL",
                "bancontact": "Bancontact",
                "banktransfer": "Overboeking",
            }.get(paymethod, paymethod),
            "taxes_included": True,
            "order_row_taxes_included": incl,
            "shipping_taxes_included": True,
            "shipping_tax_percentage": float(ship_rate),
            "is_intra_community_order": intra_community,
            "total_orderrow_price": money(rows_total),
            "total_shipping": money(shipping),
            "total_discounts": money(discount_total),
            "total_price": money(total),
            "currency": currency,
            "total_tax": money(tax_total),
            "total_weight": 0.5,
            "extra_payment_option": "Verzekerd verzenden" if extra_payment_option_price else None,
            "extra_payment_option_price": (
                money(fees["extra_payment_option_price"]) if extra_payment_option_price else None
            ),
            "extra_price": 0,
            "paymethod_costs": money(fees["paymethod_costs"]),
            "credit_point_discount": 0,
            "extra_costs": money(fees["extra_costs"]),
            "extra_costs_description": extra_costs_description,
            "track_and_trace_code": None,
            "track_and_trace_carrier": None,
            "track_and_trace_deeplink": None,
            "reservationnumber": None,
            "delivery_option": None,
            "user": {"id": None, "href": None, "discount_percentage": None},
            "discountcoupon": (
                {"code": coupon["code"], "discount": coupon["amount"], "type": "fixed"} if coupon else None
            ),
            "customer": customer,
            "pickup_address": None,
            "packing_slip_deeplink": None,
        }
        with self.store_lock:
            self.orders[order_id] = order
            self.rows[order_id] = order_rows
        self.fire("orders.created", order_id)  # webhooks (ccv_webhooks.py)
        return order

    def set_paid(self, order_id, paid=True):
        """The buyer paid later. CCV orders carry no change date, so nothing else moves:
        the connector must find the order again by looking back over creation dates."""
        with self.store_lock:
            order = self.orders[order_id]
            order["paid"] = paid
            if paid and order["status"] == 4:  # Wait for payment -> New
                order["status"] = 1
        self.fire("orders.updated", order_id)  # webhooks (ccv_webhooks.py)
        return order

    def order_patches(self, order_id):
        return list(self.orders[order_id].get("_patches", []))

    # --- returns (refunds) ------------------------------------------------------------------
    #
    # As the schema-generated client jacobdekeizer/ccvshop-client has them (Returns,
    # Returnrows, Parameters/Returns/All): GET /returns (paged; returnnumber, returnnumber_full,
    # ordernumber, ordernumber_full, status, min_create_date, max_create_date, orderby),
    # GET /returns/{id}, GET /returns/{id}/returnrows, GET /returnrows/{id}; nothing to
    # write. A return's ``status`` is text "1".."8" (8 = Credited), ``order`` a link to its
    # order, each row's ``orderrow`` an object with the link to the order row it returns.
    # UNCONFIRMED: row prices follow the order's order_row_taxes_included.

    def _return_view(self, request, ret):
        data = {k: v for k, v in ret.items() if not k.startswith("_")}
        data["href"] = self._href(request, f"returns/{ret['id']}")
        data["order"] = self._href(request, f"orders/{ret['_order_id']}")
        data["returnrows"] = {"href": self._href(request, f"returns/{ret['id']}/returnrows")}
        return data

    def _return_row_view(self, request, row):
        data = {k: v for k, v in row.items() if not k.startswith("_")}
        data["href"] = self._href(request, f"returnrows/{row['id']}")
        data["product"] = {"href": self._href(request, f"products/{row['product_id']}")}
        data["orderrow"] = {"href": self._href(request, f"orderrows/{row['_orderrow_id']}")}
        data["parent"] = {"href": self._href(request, f"returns/{row['return_id']}")}
        return data

    @route("GET", f"{P}/returns")
    def get_returns(self, request):
        with self.store_lock:
            returns = list(self.returns.values())
        for name in ("returnnumber", "returnnumber_full", "ordernumber", "ordernumber_full", "status"):
            if request.arg(name) not in (None, ""):
                returns = [r for r in returns if str(r[name]) == request.arg(name)]
        for name, keep in (
            ("min_create_date", lambda c, m: c >= m),
            ("max_create_date", lambda c, m: c <= m),
        ):
            if request.arg(name):
                try:
                    limit = parse_when(request.arg(name))
                except ValueError:
                    return self.error(400, f"{name} is not a date.")
                returns = [r for r in returns if keep(parse_when(r["create_date"]), limit)]
        orderby = request.arg("orderby", "id")
        field, desc = (orderby[:-5], True) if orderby.endswith("_desc") else (orderby, False)
        if field not in ("id", "returnnumber", "create_date"):
            return self.error(400, f"orderby {orderby} is not supported.")
        returns.sort(key=lambda r: r[field], reverse=desc)
        return self._collection(request, [self._return_view(request, r) for r in returns])

    @route("GET", rf"{P}/returns/(?P<id>\d+)")
    def get_return(self, request):
        ret = self.returns.get(int(request.params["id"]))
        if not ret:
            return self.error(404, "Return not found.")
        return Response(200, self._return_view(request, ret))

    @route("GET", rf"{P}/returns/(?P<id>\d+)/returnrows")
    def get_return_rows(self, request):
        ret = self.returns.get(int(request.params["id"]))
        if not ret:
            return self.error(404, "Return not found.")
        return self._collection(request, [self._return_row_view(request, r) for r in ret["_rows"]])

    @route("GET", rf"{P}/returnrows/(?P<id>\d+)")
    def get_return_row(self, request):
        for ret in list(self.returns.values()):
            for row in ret["_rows"]:
                if row["id"] == int(request.params["id"]):
                    return Response(200, self._return_row_view(request, row))
        return self.error(404, "Return row not found.")

    def add_return(self, order_id, rows, status="1", reason="Past niet", action="Geld terug", created=None):
        """A return of ``rows`` [(order row id, count)] of an order, as the merchant records it."""
        order = self.orders[order_id]
        order_rows = {r["id"]: r for r in self.rows[order_id]}
        return_id = self._next_id("return", 501)
        number = self._next_id("returnnumber", 1)
        return_rows = []
        for row_id, count in rows:
            row = order_rows[row_id]
            unit = Decimal(str(row["selling_price"]))
            total = money(unit * Decimal(str(count)))
            return_rows.append(
                {
                    "id": self._next_id("returnrow", 9001),
                    "return_id": return_id,
                    "product_name": row["product_name"],
                    "product_number": row["product_number"],
                    "sub_product_number": row["sub_product_number"] or "",
                    "sub_sku_number": row["sub_sku_number"] or "",
                    "sub_ean_number": row["sub_ean_number"] or "",
                    "product_id": row["product_id"],
                    "count": float(count),
                    "price": row["price"],
                    "product_purchase_price": 0.0,
                    "discount": row["discount"],
                    "custom_price": False,
                    "tax": row["tax"],
                    "unit": row["unit"],
                    "weight": row["weight"],
                    "memo": "",
                    "package_id": None,
                    "package_name": "",
                    "stock_location": "",
                    "supplier": "",
                    "original_price": row["original_price"],
                    "selling_price": row["selling_price"],
                    "price_without_discount": row["price_without_discount"],
                    "price_without_discount_with_attributes": row["price_without_discount_with_attributes"],
                    "total_price": total,
                    "total_extra_option_price": None,
                    "price_with_attributes": row["price_with_attributes"],
                    "total_price_with_attributes": total,
                    "attributes": [
                        {"option_name": a["option_name"], "value_name": a["value_name"], "price": a["price"]}
                        for a in row["attributes"]
                    ],
                    "_orderrow_id": row_id,
                }
            )
        incl = order["order_row_taxes_included"]
        gross = net = Decimal(0)
        for r in return_rows:
            amount, rate = Decimal(str(r["total_price"])), Decimal(str(r["tax"]))
            gross += amount if incl else Decimal(str(money(amount * (1 + rate / 100))))
            net += Decimal(str(money(amount / (1 + rate / 100)))) if incl else amount
        created = created or datetime.now(UTC) - timedelta(seconds=30)
        ret = {
            "id": return_id,
            "returnnumber_prefix": "RET",
            "returnnumber": number,
            "returnnumber_full": f"RET-{number}",
            "ordernumber_prefix": order["ordernumber_prefix"],
            "ordernumber": order["ordernumber"],
            "ordernumber_full": order["ordernumber_full"],
            "create_date": iso(created),
            "status": str(status),
            "status_name": RETURN_STATUS_NAMES[str(status)],
            "action_name": action,
            "reason_name": reason,
            "total_price_inc_tax": money(gross),
            "total_price_exc_tax": money(net),
            "total_price": money(gross if incl else net),
            "total_tax": money(gross - net),
            "currency": order["currency"],
            "user": {"id": None, "href": None},
            "customer": order["customer"],
            "_order_id": order_id,
            "_rows": return_rows,
        }
        with self.store_lock:
            self.returns[return_id] = ret
        return ret

    def add_demo_return(self):
        """The live demo's after-sale: one row of an earlier paid order comes back, credited
        at once or still open (then credited at the next demo return)."""
        with self.store_lock:
            for ret in self.returns.values():
                if ret["status"] == "1":
                    ret["status"], ret["status_name"] = "8", RETURN_STATUS_NAMES["8"]
            returned = {r["_order_id"] for r in self.returns.values()}
            candidates = sorted(
                o["id"]
                for o in self.orders.values()
                if o["paid"]
                and o["is_completed"]
                and o["status"] != 8
                and o["id"] not in returned
                and self.rows.get(o["id"])
            )
        if not candidates:
            return None
        order_id = self.random.choice(candidates)
        row = self.random.choice(self.rows[order_id])
        return self.add_return(
            order_id,
            [(row["id"], 1)],
            status="8" if self.random.random() < 0.7 else "1",
            reason=self.random.choice(["Past niet", "Beschadigd", "Verkeerd artikel"]),
        )

    def set_return_status(self, return_id, status):
        with self.store_lock:
            ret = self.returns[return_id]
            ret["status"] = str(status)
            ret["status_name"] = RETURN_STATUS_NAMES[str(status)]
        return ret

    # --- demo data ----------------------------------------------------------------------

    CUSTOMERS = [
        ("Jan", "Jansen", "", "jan.jansen@example.nl", "Dorpsstraat", 1, "A", "1234AB", "Utrecht", "NL", ""),
        ("Sanne", "de Vries", "", "sanne@example.nl", "Kerkweg", 12, "", "3511AA", "Utrecht", "NL", ""),
        (
            "Pieter",
            "Bakker",
            "Bakker Koffie B.V.",
            "inkoop@bakkerkoffie.nl",
            "Industrieweg",
            40,
            "",
            "5651GJ",
            "Eindhoven",
            "NL",
            "NL859123456B01",
        ),
        ("Lotte", "Peeters", "", "lotte.peeters@example.be", "Meir", 22, "", "2000", "Antwerpen", "BE", ""),
        (
            "Klaus",
            "Schmidt",
            "",
            "klaus.schmidt@example.de",
            "Hauptstraße",
            5,
            "",
            "10115",
            "Berlin",
            "DE",
            "",
        ),
        (
            "Emma",
            "Maes",
            "Maes Catering BV",
            "emma@maescatering.be",
            "Kouter",
            3,
            "",
            "9000",
            "Gent",
            "BE",
            "BE0123456749",
        ),
    ]

    def demo_customer(self, index):
        first, last, company, email, street, number, suffix, zipcode, city, country, vat = self.CUSTOMERS[
            index
        ]
        address = {
            "gender": "",
            "initials": first[0],
            "first_name": first,
            "last_name": last,
            "full_name": f"{first} {last}",
            "company": company,
            "street": street,
            "housenumber": number,
            "housenumber_suffix": suffix,
            "zipcode": zipcode,
            "city": city,
            "province": "",
            "country": {"NL": "Nederland", "BE": "België", "DE": "Duitsland"}[country],
            "country_code": country,
            "telephone": "0612345678",
            "mobile": "",
            "fax": "",
            "comment": "",
        }
        return {
            "billingaddress": address,
            "deliveryaddress": dict(address),
            "email": email,
            "customertype": "b2b" if company else "b2c",
            "btw": vat,
            "kvk": "12345678" if company else "",
            "reference": "",
            "branch": "",
            "website": "",
        }

    def seed_demo(self):
        """A small catalogue (DEMO-001..DEMO-010, DEMO-010 with variants) and 10 orders."""
        coffee = self.add_category("Koffie")
        beans = self.add_category("Bonen", coffee["id"])
        names = [
            "Koffiebonen Arabica 1kg",
            "Koffiebonen Robusta 1kg",
            "Espresso blend 500g",
            "Decafe 500g",
            "Koffiemok wit",
            "Melkopschuimer",
            "Filterpapier 100st",
            "Theeglas",
            "Cadeaubon 25",
            "T-shirt",
        ]
        prices = [24.95, 19.95, 12.5, 11.95, 8.95, 29.95, 3.49, 6.5, 25.0, 19.95]
        for i, (name, price) in enumerate(zip(names, prices, strict=True), start=1):
            product = self.add_product(
                f"DEMO-{i:03d}",
                name,
                price,
                ean=ean13(f"4000000000{i:02d}"),
                stock=50 + i,
                shortdescription=name,
                weight=0.5,
            )
            if i <= 4:
                link_id = self._next_id("link")
                self.links[link_id] = {
                    "id": link_id,
                    "product_id": product["id"],
                    "category_id": beans["id"],
                    "position": i,
                }
        shirt = self.product_by_sku("DEMO-010")
        shirt["stocktype"] = "attributecombination"
        for j, size in enumerate(("S", "M", "L"), start=1):
            self.add_combination(
                shirt["id"], f"DEMO-010-{size}", ean13(f"40000000010{j}"), stock=10, values=[("Maat", size)]
            )
        now = datetime.now(UTC).replace(microsecond=0)
        plan = [
            (0, [("DEMO-001", 2), ("DEMO-005", 1)], {}),
            (1, [("DEMO-003", 1)], {}),
            (2, [("DEMO-001", 10), ("DEMO-002", 10)], {"incl": False, "paymethod": "banktransfer"}),
            (3, [("DEMO-006", 1), ("DEMO-007", 3)], {"paymethod": "bancontact"}),
            (4, [("DEMO-002", 1)], {"shipping": 6.95}),
            (0, [("DEMO-004", 2)], {"coupon": {"code": "WELKOM5", "amount": 5.0}}),  # repeat customer
            (1, [("DEMO-010-M", 2), ("DEMO-008", 4)], {}),
            (5, [("DEMO-003", 6)], {"incl": False, "intra_community": True, "paymethod": "banktransfer"}),
            (3, [("DEMO-009", 1)], {"shipping": 0}),
            (4, [("DEMO-005", 2)], {"paid": False, "status": 4}),  # waits for payment
        ]
        for n, (customer, rows, options) in enumerate(plan):
            self.add_order(
                self.demo_customer(customer), rows, created=now - timedelta(hours=30 - 3 * n), **options
            )

    def add_demo_order(self):
        """A new random paid order (live demo)."""
        customer = self.demo_customer(self.random.randrange(len(self.CUSTOMERS)))
        skus = [p["productnumber"] for p in self.products.values() if p["productnumber"] != "DEMO-010"]
        skus += [c["product_number"] for c in self.combinations.values()]
        rows = [
            (sku, self.random.randint(1, 3)) for sku in self.random.sample(skus, self.random.randint(1, 3))
        ]
        is_b2b = bool(customer["btw"])
        order = self.add_order(
            customer,
            rows,
            incl=not is_b2b,
            paymethod="banktransfer" if is_b2b else "ideal",
            intra_community=is_b2b and customer["billingaddress"]["country_code"] != "NL",
        )
        self._demo_orders = getattr(self, "_demo_orders", 0) + 1
        if self._demo_orders % 4 == 0:
            self.add_demo_return()  # the after-sale: every fourth new order, an earlier one returned
        return order

    def control(self, request):
        if request.path == "/_emulator/orders" and request.method == "POST":
            if not self.products:
                self.seed_demo()
            return Response(201, self.add_demo_order())
        if request.path.startswith("/_emulator/orders/") and request.path.endswith("/paid"):
            order_id = int(request.path.split("/")[3])
            return Response(200, self.set_paid(order_id))
        if request.path == "/_emulator/seed" and request.method == "POST":
            self.seed_demo()
            return Response(204)
        return None


if __name__ == "__main__":
    main(CcvEmulator)
