"""MijnWebwinkel (MyOnlineStore) API v1 emulator.

Written from the official OpenAPI document (MyOnlineStore/public-api-docs,
``spec/openapi.yaml``) and the integrations cited in
/work/shared/reference/channel-apis.md section 4. Field names are spelled out
here on purpose (not imported from the connector), so a wrong name in the
connector fails the tests.

What the reference leaves open, chosen here (UNCONFIRMED, like in the connector):
401 with ``{"code", "message", "description"}`` for bad tokens; rate limit
answered with 429 + ``Retry-After``; dates in shop time (Europe/Amsterdam);
order line types ``shipping`` and ``discount``; variants created by PATCHing
``variants`` with ``options`` and no ``id``.

Served exactly as the spec's schemas: an ArticleVariant is ``{id, options, stock,
can_backorder}`` (no SKU, barcode or price of its own; anything else in a PATCH is
refused); an OrderArticle is ``{id, description, sku, price, options}`` with the
*article's* SKU and the buyer's options ``{list_option_id, description, price}``, no
EAN. Tests name a variant by a handle (``variant_handles``) that is never served.

Run: ``python -m tests.emulators.mijnwebwinkel --port 8074 --seed``; API root
``http://127.0.0.1:8074/v1/``.
"""

import base64
import binascii
import itertools
import random
import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .base import Emulator, Response, main, route

PARTNER_TOKEN = "mww-partner-demo"
SHOP_TOKEN = "mww-shop-demo"
#: path of the API root below the emulator's address: api_base_url = f"{url}{API_PATH}"
API_PATH = "/v1/"
V = r"/v(?:1|2-beta)"
TZ = ZoneInfo("Europe/Amsterdam")
LANGUAGES = {
    "nl_NL",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "en_US",
    "pt_PT",
    "it_IT",
    "da_DK",
    "sv_SE",
    "no_NO",
    "tr_TR",
    "pl_PL",
}
STATUSES = [
    {"status": 1, "description": "Nieuw", "credit_order": False},
    {"status": 2, "description": "Verzonden", "credit_order": False},
    {"status": 3, "description": "Betaald", "credit_order": False},
    {"status": 4, "description": "Geannuleerd", "credit_order": False},
    {"status": 6, "description": "Betaald & afgehaald", "credit_order": False},
    {"status": 7, "description": "Gecrediteerd", "credit_order": True},
]
VARIANT_KEYS = {"id", "options", "stock", "can_backorder"}  # ArticleVariant
C2 = Decimal("0.01")
C6 = Decimal("0.000001")


def ean13(body12):
    """Valid EAN-13 from 12 digits (check digit appended)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _money(value, places=C2):
    return str(Decimal(value).quantize(places, rounding=ROUND_HALF_UP))


def _local_now():
    return datetime.now(TZ).replace(microsecond=0, tzinfo=None)


class MijnWebwinkelEmulator(Emulator):
    """MijnWebwinkel API v1 (orders, articles, option lists, categories)."""

    name = "mijnwebwinkel"
    rate_limit = (20, 40)  # UNCONFIRMED numbers: the API rate limits per partner and store

    def __init__(
        self,
        partner_token=PARTNER_TOKEN,
        shop_token=SHOP_TOKEN,
        prices_include_tax=True,
        region="NL",
        vat_rate=21,
    ):
        """``region``/``vat_rate``: the shop's home country and standard VAT rate
        (a Dutch shop by default; the Odoo tests run a German one at 19 %)."""
        super().__init__()
        self.region = region
        self.vat_rate = Decimal(vat_rate)
        self.partner_token = partner_token
        self.shop_token = shop_token
        self.store = {
            "id": "e5fc33df-b2bf-40ec-8d8d-56fc34b495cc",
            "name": "Demo Webwinkel",
            "primary_domain": "https://demo.myonline.store",
            "open": True,
            "version": "Premium",
            "currency": "EUR",
            "prices_include_tax": prices_include_tax,
            "default_language": "nl_NL",
            "active_languages": ["nl_NL", "en_GB"],
            "available_business_models": "ALL",
            "region_code": region,
        }
        self.orders = {}  # number (str) -> order
        self.articles = {}  # id (int) -> article
        self.variant_handles = {}  # test name of a variant -> (article id, variant id); not served
        self.lists = {}  # id (int) -> {"id", "name", "description", "options": [...]}
        self.categories = {}  # id (int) -> category (flat, without leafs)
        self.uploads = []  # (article id, filename, position, bytes)
        self._credit_lines = {}  # credit order number -> its lines with the credited line ids
        self._ids = itertools.count(1001)
        self._order_numbers = itertools.count(1001)
        self._test_numbers = itertools.count(1)
        self.random = random.Random(7)

    # --- auth and errors ---------------------------------------------------

    def error(self, status, message, description=""):
        return Response(status, {"code": status, "message": message, "description": description})

    def rate_limited_response(self, wait):
        return Response(
            429,
            {"code": 429, "message": "Too many requests", "description": "Rate limit exceeded"},
            {"Retry-After": f"{max(1, round(wait))}"},
        )

    def authenticate(self, request):
        if request.arg("partner_token") != self.partner_token:
            return self.error(401, "Unauthorized", "Invalid or missing partner_token")
        if request.path.endswith("/orderstatuses"):
            return None  # partner token only (SPEC)
        if request.arg("token") != self.shop_token:
            return self.error(401, "Unauthorized", "Invalid or missing token")
        if request.arg("format", "json") != "json":
            return self.error(400, "Bad request", "This emulator only speaks format=json")
        if request.arg("language", "nl_NL") not in LANGUAGES:
            return self.error(400, "Bad request", "Unknown language")
        return None

    def _page(self, request, items):
        limit = int(request.arg("limit", 10))
        offset = int(request.arg("offset", 0) or 0)
        if limit < 1 or limit > 100:
            raise ValueError("limit must be between 1 and 100")
        if offset < 0:
            raise ValueError("offset must be positive")
        return items[offset : offset + limit]

    # --- store ---------------------------------------------------------------

    @route("GET", f"{V}/store")
    def get_store(self, request):
        return Response(200, self.store)

    @route("GET", f"{V}/orderstatuses")
    def get_statuses(self, request):
        return Response(200, STATUSES)

    # --- orders --------------------------------------------------------------

    def _filtered_orders(self, request):
        orders = list(self.orders.values())
        if request.arg("test", "false") != "true":
            orders = [o for o in orders if not str(o["number"]).startswith("T-")]
        if request.arg("status_id"):
            orders = [o for o in orders if o["status"] == int(request.arg("status_id"))]
        if request.arg("archived") in ("true", "false"):
            orders = [o for o in orders if o["archived"] == (request.arg("archived") == "true")]
        if request.arg("start_date"):
            orders = [o for o in orders if o["date"] >= _date(request.arg("start_date"))]
        if request.arg("end_date"):
            orders = [o for o in orders if o["date"] <= _date(request.arg("end_date"))]
        if request.arg("status_changed_start_date"):
            since = _datetime(request.arg("status_changed_start_date"))
            orders = [o for o in orders if f"{o['status_changed_date']} {o['status_changed_time']}" >= since]
        if request.arg("status_changed_end_date"):
            until = _datetime(request.arg("status_changed_end_date"))
            orders = [o for o in orders if f"{o['status_changed_date']} {o['status_changed_time']}" <= until]
        if request.arg("debtor_email"):
            orders = [o for o in orders if o["debtor"]["email"] == request.arg("debtor_email")]
        ordering = request.arg("ordering", "asc")
        if ordering not in ("asc", "desc"):
            raise ValueError("ordering must be asc or desc")
        orders.sort(key=lambda o: _number_key(o["number"]), reverse=ordering == "desc")
        return orders

    @route("GET", f"{V}/orders")
    def list_orders(self, request):
        return Response(200, self._page(request, self._filtered_orders(request)))

    @route("GET", f"{V}/orders/count")
    def count_orders(self, request):
        return Response(200, {"count": len(self._filtered_orders(request))})

    @route("GET", f"{V}/orders/(?P<number>(?:T-)?\\d+)")
    def get_order(self, request):
        order = self.orders.get(request.params["number"])
        if order is None:
            return self.error(404, "Not found", "Order not found")
        return Response(200, order)

    @route("PATCH", f"{V}/orders/(?P<number>(?:T-)?\\d+)")
    def patch_order(self, request):
        order = self.orders.get(request.params["number"])
        if order is None:
            return self.error(404, "Not found", "Order not found")
        data = request.json or {}
        unknown = set(data) - {"archived", "status", "comments", "reference", "offline_location_id"}
        if unknown:
            return self.error(400, "Bad request", f"Unknown fields: {', '.join(sorted(unknown))}")
        with self.lock:
            if "status" in data:
                if data["status"] not in {s["status"] for s in STATUSES}:
                    return self.error(400, "Bad request", "Unknown order status")
                if data["status"] != order["status"]:
                    now = _local_now()
                    order["status"] = data["status"]
                    order["status_changed_date"] = now.strftime("%Y-%m-%d")
                    order["status_changed_time"] = now.strftime("%H:%M:%S")
            if "archived" in data:
                order["archived"] = bool(data["archived"])
            if "comments" in data:
                if set(data["comments"]) - {"internal"}:
                    return self.error(400, "Bad request", "Only comments.internal can be changed")
                order["comments"]["internal"] = data["comments"].get("internal", "")
            if "reference" in data:
                order["reference"] = data["reference"]
        return Response(200, order)

    # --- articles --------------------------------------------------------------

    @route("GET", f"{V}/articles")
    def list_articles(self, request):
        articles = sorted(self.articles.values(), key=lambda a: a["id"])
        ids = request.query.get("ids") or request.query.get("ids[]")
        if ids:
            wanted = {int(i) for value in ids for i in value.split(",")}
            articles = [a for a in articles if a["id"] in wanted]
        return Response(200, self._page(request, articles))

    @route("GET", f"{V}/articles/count")
    def count_articles(self, request):
        return Response(200, {"count": len(self.articles)})

    def _article(self, request):
        if request.arg("use_url_id") not in ("true", "false"):
            raise ValueError("use_url_id is required")
        article_id = int(request.params["id"])
        if request.arg("use_url_id") == "true":
            return next(
                (
                    a
                    for a in self.articles.values()
                    if any(c.get("article_url_id") == article_id for c in a["categories"])
                ),
                None,
            )
        return self.articles.get(article_id)

    @route("GET", f"{V}/articles/(?P<id>\\d+)")
    def get_article(self, request):
        article = self._article(request)
        if article is None:
            return self.error(404, "Not found", "Article not found")
        return Response(200, article)

    @route("DELETE", f"{V}/articles/(?P<id>\\d+)")
    def delete_article(self, request):
        article = self._article(request)
        if article is None:
            return self.error(404, "Not found", "Article not found")
        del self.articles[article["id"]]
        return Response(200, b'"Article deleted"')

    @route("POST", f"{V}/articles")
    def create_article(self, request):
        data = request.json or {}
        if not data.get("name"):
            return self.error(400, "Bad request", "name is required")
        now = _local_now()
        article = {
            "id": next(self._ids),
            "uuid": str(uuid.uuid4()),
            "name": "",
            "description": "",
            "sku": "",
            "badge_text": "",
            "taxable": True,
            "price": {"default": "0.00", "action": "", "purchase": ""},
            "stock": None,
            "delivery_days": 0,
            "meta_title": "",
            "meta_description": "",
            "can_backorder": False,
            "extra": {"invisible": {}, "visible": {}},
            "categories": [],
            "lists": [],
            "variants": [],
            "images": [],
            "created_date": now.strftime("%Y-%m-%d"),
            "created_time": now.strftime("%H:%M:%S"),
        }
        with self.lock:
            error = self._apply_article(article, data)
            if error:
                return error
            article["url"] = (
                f"https://demo.myonline.store/a-{article['id']}/{article['name'].lower().replace(' ', '-')}"
            )
            self.articles[article["id"]] = article
        return Response(200, article)

    @route("PATCH", f"{V}/articles/(?P<id>\\d+)")
    def patch_article(self, request):
        article = self._article(request)
        if article is None:
            return self.error(404, "Not found", "Article not found")
        with self.lock:
            error = self._apply_article(article, request.json or {})
        return error or Response(200, article)

    def _apply_article(self, article, data):
        known = {
            "name",
            "description",
            "sku",
            "badge_text",
            "taxable",
            "price",
            "stock",
            "delivery_days",
            "meta_title",
            "meta_description",
            "can_backorder",
            "extra",
            "categories",
            "lists",
            "variants",
            "images",
        }
        unknown = set(data) - known
        if unknown:
            return self.error(400, "Bad request", f"Unknown fields: {', '.join(sorted(unknown))}")
        for key in ("name", "description", "sku", "badge_text", "meta_title", "meta_description"):
            if key in data:
                article[key] = str(data[key])
        for key in ("taxable", "can_backorder"):
            if key in data:
                article[key] = bool(data[key])
        if "delivery_days" in data:
            article["delivery_days"] = int(data["delivery_days"])
        if "stock" in data:
            if data["stock"] is not None and (
                not isinstance(data["stock"], int) or isinstance(data["stock"], bool)
            ):
                return self.error(400, "Bad request", "stock must be an integer or null")
            article["stock"] = data["stock"]
        if "price" in data:
            for key, value in (data["price"] or {}).items():
                if key not in ("default", "action", "purchase"):
                    return self.error(400, "Bad request", f"Unknown price field {key}")
                try:
                    article["price"][key] = _money(Decimal(str(value)))
                except InvalidOperation:
                    return self.error(400, "Bad request", f"price.{key} is not a number")
        if "extra" in data:
            for part in ("visible", "invisible"):
                for key, value in ((data["extra"] or {}).get(part) or {}).items():
                    article["extra"][part][key] = str(value)
            barcode = article["extra"]["invisible"].get("barcode")
            if barcode and not (barcode.isdigit() and len(barcode) in (8, 12, 13, 14)):
                return self.error(400, "Bad request", "barcode is not a valid EAN/GTIN")
        if "categories" in data:
            links = []
            for link in data["categories"]:
                cid = int(link["category_id"])
                if cid not in self.categories:
                    return self.error(400, "Bad request", f"Unknown category {cid}")
                links.append(
                    {
                        "category_id": cid,
                        "article_url_id": next(self._ids),
                        "is_active": bool(link.get("is_active", True)),
                        "is_main": bool(link.get("is_main", False)),
                        "position": len(links) + 1,
                    }
                )
            article["categories"] = links
        if "lists" in data:
            attached = []
            for entry in data["lists"]:
                lst = self.lists.get(int(entry["id"]))
                if lst is None:
                    return self.error(400, "Bad request", f"Unknown article list {entry['id']}")
                if not entry.get("options"):
                    return self.error(400, "Bad request", "Article list options are required")
                options = []
                for opt in entry["options"]:
                    match = next((o for o in lst["options"] if o["id"] == int(opt["id"])), None)
                    if match is None:
                        return self.error(
                            400, "Bad request", f"Unknown option {opt['id']} in list {lst['id']}"
                        )
                    options.append(dict(match, image_ids=list(opt.get("image_ids") or [])))
                attached.append(
                    {
                        "id": lst["id"],
                        "name": lst["name"],
                        "description": lst["description"],
                        "has_images": bool(entry.get("has_images")),
                        "options": options,
                    }
                )
            article["lists"] = attached
            valid = {(lst["id"], o["id"]) for lst in attached for o in lst["options"]}
            article["variants"] = [
                v
                for v in article["variants"]
                if all((o["list_id"], o["option_id"]) in valid for o in v["options"])
            ]
        if "variants" in data:
            for entry in data["variants"]:
                error = self._apply_variant(article, entry)
                if error:
                    return error
        if "images" in data:
            for image in data["images"]:
                self._add_image(article, image["url"].rsplit("/", 1)[-1], int(image["position"]))
        now = _local_now()
        article["updated_date"] = now.strftime("%Y-%m-%d")
        article["updated_time"] = now.strftime("%H:%M:%S")
        return None

    def _apply_variant(self, article, entry):
        if entry.get("id") is not None:
            variant = next((v for v in article["variants"] if v["id"] == int(entry["id"])), None)
            if variant is None:
                return self.error(400, "Bad request", f"Unknown variant {entry['id']}")
        else:
            options = entry.get("options") or []
            valid = {(lst["id"], o["id"]): (lst, o) for lst in article["lists"] for o in lst["options"]}
            pairs = []
            for opt in options:
                key = (int(opt["list_id"]), int(opt["option_id"]))
                if key not in valid:
                    return self.error(400, "Bad request", f"Option {key} is not offered on this article")
                pairs.append(key)
            if {lid for lid, _o in pairs} != {lst["id"] for lst in article["lists"]} or len(pairs) != len(
                article["lists"]
            ):
                return self.error(400, "Bad request", "A variant needs exactly one option of every list")
            variant = next(
                (
                    v
                    for v in article["variants"]
                    if {(o["list_id"], o["option_id"]) for o in v["options"]} == set(pairs)
                ),
                None,
            )
            if variant is None:
                variant = {
                    "id": next(self._ids),
                    "stock": None,
                    "can_backorder": False,
                    "options": [
                        {"list_id": lid, "option_id": oid, "name": valid[(lid, oid)][1]["name"]}
                        for lid, oid in pairs
                    ],
                }
                article["variants"].append(variant)
        unknown = set(entry) - VARIANT_KEYS
        if unknown:
            return self.error(400, "Bad request", f"Unknown variant fields: {', '.join(sorted(unknown))}")
        if "stock" in entry:
            if entry["stock"] is not None and not isinstance(entry["stock"], int):
                return self.error(400, "Bad request", "stock must be an integer or null")
            variant["stock"] = entry["stock"]
        if "can_backorder" in entry:
            variant["can_backorder"] = bool(entry["can_backorder"])
        return None

    def _add_image(self, article, filename, position):
        image_id = str(uuid.uuid4())
        base = filename.rsplit(".", 1)[0]
        article["images"].append(
            {
                "position": str(position),
                "id": image_id,
                "original_name": base,
                "urls": {
                    fmt: f"https://asset.myonlinestore.com/winkel/demo/images/{fmt}/{image_id}"
                    for fmt in ("full", "article", "thumb")
                },
            }
        )

    @route("POST", f"{V}/articles/uploadImage/(?P<id>\\d+)")
    def upload_image(self, request):
        article = self.articles.get(int(request.params["id"]))
        if article is None:
            return self.error(404, "Not found", "Article not found")
        data = request.json or {}
        try:
            content = base64.b64decode(data.get("content") or "", validate=True)
        except (binascii.Error, ValueError):
            return self.error(400, "Bad request", "content is not base64")
        position = int(data.get("position") or len(article["images"]) + 1)
        if not content or not data.get("filename") or not 1 <= position <= 15:
            return self.error(400, "Bad request", "filename, content and a position 1-15 are required")
        with self.lock:
            self._add_image(article, data["filename"], position)
            self.uploads.append((article["id"], data["filename"], position, content))
        return Response(200, b'"success"')

    @route("DELETE", f"{V}/deleteImage/(?P<id>[0-9a-f-]+)")
    def delete_image(self, request):
        with self.lock:
            for article in self.articles.values():
                before = len(article["images"])
                article["images"] = [i for i in article["images"] if i["id"] != request.params["id"]]
                if len(article["images"]) != before:
                    return Response(204)
        return self.error(404, "Not found", "Image not found")

    @route("POST", f"{V}/articlefields/(?P<id>\\d+)")
    def post_article_fields(self, request):
        article = self._article(request)
        if article is None:
            return self.error(404, "Not found", "Article not found")
        if request.arg("visible") not in ("true", "false"):
            raise ValueError("visible is required")
        data = request.json or {}
        if not isinstance(data, dict) or not data:
            raise ValueError("expected name => value pairs")
        part = "visible" if request.arg("visible") == "true" else "invisible"
        with self.lock:
            for key, value in data.items():
                article["extra"][part][str(key)] = str(value)
        return Response(200, article)

    # --- article lists ---------------------------------------------------------

    @route("GET", f"{V}/articlelists/(?P<id>\\d+)")
    def get_list(self, request):
        lst = self.lists.get(int(request.params["id"]))
        if lst is None:
            return self.error(404, "Not found", "Article list not found")
        return Response(200, lst)

    @route("POST", f"{V}/articlelistoptions/(?P<id>\\d+)")
    def add_list_options(self, request):
        lst = self.lists.get(int(request.params["id"]))
        if lst is None:
            return self.error(404, "Not found", "Article list not found")
        data = request.json
        if not isinstance(data, list) or not data:
            raise ValueError("expected a list of options")
        with self.lock:
            for option in data:
                if not option.get("name"):
                    raise ValueError("option name is required")
                if any(o["name"].lower() == option["name"].lower() for o in lst["options"]):
                    return self.error(400, "Bad request", f"Option {option['name']} already exists")
                lst["options"].append(
                    {"id": next(self._ids), "name": option["name"], "price": _money(option.get("price") or 0)}
                )
        return Response(200, lst)

    # --- categories ----------------------------------------------------------

    def _tree(self, parent_id, depth, max_depth):
        nodes = []
        for cat in sorted(self.categories.values(), key=lambda c: c["id"]):
            if cat.get("parent_category_id") == parent_id:
                node = dict(cat)
                node["leafs"] = self._tree(cat["id"], depth + 1, max_depth) if depth < max_depth else []
                nodes.append(node)
        return nodes

    @route("GET", f"{V}/categories")
    def list_categories(self, request):
        if request.arg("as_tree", "false") == "true":
            return Response(200, self._tree(None, 1, int(request.arg("max_depth", 5))))
        return Response(200, self._page(request, sorted(self.categories.values(), key=lambda c: c["id"])))

    @route("GET", f"{V}/categories/(?P<id>\\d+)")
    def get_category(self, request):
        cat = self.categories.get(int(request.params["id"]))
        return Response(200, cat) if cat else self.error(404, "Not found", "Category not found")

    @route("POST", f"{V}/categories")
    def create_category(self, request):
        data = request.json or {}
        if not data.get("title"):
            return self.error(400, "Bad request", "title is required")
        parent = data.get("parent_category_id")
        if parent is not None and int(parent) not in self.categories:
            return self.error(400, "Bad request", f"Unknown parent category {parent}")
        with self.lock:
            cat = self.add_category(
                data["title"],
                int(parent) if parent is not None else None,
                hidden=bool(data.get("hidden", False)),
            )
        return Response(200, cat)

    @route("PATCH", f"{V}/categories/(?P<id>\\d+)")
    def patch_category(self, request):
        cat = self.categories.get(int(request.params["id"]))
        if cat is None:
            return self.error(404, "Not found", "Category not found")
        data = request.json or {}
        for key in (
            "title",
            "hidden",
            "content",
            "meta_title",
            "meta_description",
            "article_order",
            "parent_category_id",
        ):
            if key in data:
                cat[key] = data[key]
        return Response(200, cat)

    # --- test helpers -----------------------------------------------------------

    def add_category(self, title, parent_id=None, hidden=False):
        cat = {
            "id": next(self._ids),
            "parent_category_id": parent_id,
            "hidden": hidden,
            "title": title,
            "content": "",
            "meta_title": "",
            "meta_description": "",
            "article_order": 5,
        }
        self.categories[cat["id"]] = cat
        return cat

    def add_list(self, name, options):
        lst = {
            "id": next(self._ids),
            "name": name,
            "description": "",
            "options": [{"id": next(self._ids), "name": o, "price": "0.00"} for o in options],
        }
        self.lists[lst["id"]] = lst
        return lst

    def add_article(
        self,
        sku,
        name,
        price,
        stock=10,
        ean="",
        category_id=None,
        taxable=True,
        variants=None,
        lists=None,
        features=None,
    ):
        """A catalogue article; ``variants`` = [(handle, {list name: option}, stock)], the
        handle being how tests name the variant (``add_order``, ``variant``)."""
        now = _local_now()
        article = {
            "id": next(self._ids),
            "uuid": str(uuid.uuid4()),
            "name": name,
            "description": f"<p>{name}</p>",
            "sku": sku,
            "badge_text": "",
            "taxable": taxable,
            "price": {"default": _money(price), "action": "", "purchase": ""},
            "stock": None if variants else stock,
            "delivery_days": 2,
            "meta_title": name,
            "meta_description": "",
            "can_backorder": False,
            "extra": {
                "invisible": {"weight": "0.5", **({"barcode": ean} if ean else {})},
                "visible": dict(features or {}),
            },
            "categories": [],
            "lists": [],
            "variants": [],
            "images": [],
            "created_date": now.strftime("%Y-%m-%d"),
            "created_time": now.strftime("%H:%M:%S"),
            "updated_date": now.strftime("%Y-%m-%d"),
            "updated_time": now.strftime("%H:%M:%S"),
        }
        article["url"] = f"https://demo.myonline.store/a-{article['id']}/{sku.lower()}"
        if category_id:
            article["categories"] = [
                {
                    "category_id": category_id,
                    "article_url_id": next(self._ids),
                    "is_active": True,
                    "is_main": True,
                    "position": 1,
                }
            ]
        for lst in lists or []:
            article["lists"].append(
                {
                    "id": lst["id"],
                    "name": lst["name"],
                    "description": "",
                    "has_images": False,
                    "options": [dict(o, image_ids=[]) for o in lst["options"]],
                }
            )
        for handle, choice, vstock in variants or []:
            options = []
            for lst in lists or []:
                opt = next(o for o in lst["options"] if o["name"] == choice[lst["name"]])
                options.append({"list_id": lst["id"], "option_id": opt["id"], "name": opt["name"]})
            variant = {"id": next(self._ids), "options": options, "stock": vstock, "can_backorder": False}
            article["variants"].append(variant)
            self.variant_handles[handle] = (article["id"], variant["id"])
        self.articles[article["id"]] = article
        return article

    def find_article(self, sku):
        return next((a for a in self.articles.values() if a["sku"] == sku), None)

    def variant(self, handle):
        """The variant a test named ``handle``, as the API serves it."""
        aid, vid = self.variant_handles[handle]
        return next(v for v in self.articles[aid]["variants"] if v["id"] == vid)

    def _sku_info(self, sku):
        """(article, variant or None) for an article SKU or a variant handle (order lines)."""
        if sku in self.variant_handles:
            aid, _vid = self.variant_handles[sku]
            return self.articles[aid], self.variant(sku)
        for article in self.articles.values():
            if article["sku"] == sku:
                return article, None
        raise KeyError(sku)

    def add_order(
        self,
        lines,
        email="jan@example.nl",
        name="Jan Jansen",
        company="",
        taxnumber="",
        street="Dorpsstraat",
        number="1",
        zipcode="1234 AB",
        city="Utrecht",
        country="NL",
        delivery=None,
        status=3,
        shipping=Decimal("4.95"),
        payment_costs=Decimal("0"),
        discount=Decimal("0"),
        discountcode="",
        test=False,
        when=None,
        comment="",
        reference="",
    ):
        """Add an order as the shop would store it; ``lines`` = [(sku, quantity)].

        Amounts are consumer prices incl. VAT; the emulator computes VAT like the shop.
        B2B intra-EU buyers with a VAT number get 0% (reverse charge), as the SPEC guide says.
        """
        when = when or _local_now()
        reverse = (
            bool(taxnumber) and (delivery or {}).get("country_code", country) != self.region and bool(company)
        )
        orderlines, tax = [], {}

        def add_tax(rate, amount):
            tax[rate] = tax.get(rate, Decimal(0)) + amount

        for sku, qty in lines:
            article, variant = self._sku_info(sku)
            rate = Decimal("0") if reverse or not article["taxable"] else self.vat_rate
            unit_incl = Decimal(article["price"]["default"])
            if reverse:
                unit_incl = (unit_incl / (1 + self.vat_rate / 100)).quantize(C2)
            line_incl = unit_incl * qty
            line_excl = (line_incl / (1 + rate / 100)).quantize(C6)
            add_tax(rate, line_incl - line_excl)
            description = article["name"]
            options = []
            if variant:
                description += " (" + ", ".join(o["name"] for o in variant["options"]) + ")"
                options = [
                    {"list_option_id": o["option_id"], "description": o["name"], "price": "0.00"}
                    for o in variant["options"]
                ]
            orderlines.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "article",
                    "quantity": qty,
                    "weight": "0.5",
                    "description": description,
                    "price": {
                        "amount": str(line_excl),
                        "amount_including_tax": _money(line_incl),
                        "rate": f"{rate:.2f}",
                    },
                    "articles": [
                        {
                            "id": article["id"],
                            "description": article["name"],
                            "sku": article["sku"],  # the article's, also for a variant
                            "price": {
                                "amount": str((unit_incl / (1 + rate / 100)).quantize(C6)),
                                "rate": f"{rate:.2f}",
                                "purchase_price": "",
                            },
                            "options": options,
                        }
                    ],
                }
            )
        cost_rate = Decimal("0") if reverse else self.vat_rate
        for kind, amount, description in (
            ("shipping", shipping, "PostNL pakket"),
            ("payment", payment_costs, "Transactiekosten"),
        ):
            if amount:
                amount = Decimal(amount)
                if reverse:
                    amount = (amount / (1 + self.vat_rate / 100)).quantize(C2)
                excl = (amount / (1 + cost_rate / 100)).quantize(C6)
                add_tax(cost_rate, amount - excl)
                orderlines.append(
                    {
                        "id": str(uuid.uuid4()),
                        "type": kind,
                        "quantity": 1,
                        "description": description,
                        "price": {
                            "amount": str(excl),
                            "amount_including_tax": _money(amount),
                            "rate": f"{cost_rate:.2f}",
                        },
                    }
                )
        if discount:
            amount = Decimal(discount)
            excl = (amount / (1 + cost_rate / 100)).quantize(C6)
            add_tax(cost_rate, -(amount - excl))
            orderlines.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "discount",
                    "quantity": 1,
                    "description": f"Kortingscode {discountcode}".strip(),
                    "price": [
                        {
                            "amount": str(-excl),
                            "amount_including_tax": _money(-amount),
                            "rate": f"{cost_rate:.2f}",
                        }
                    ],
                }
            )
        total = sum(
            Decimal(l_["price"]["amount_including_tax"])
            if isinstance(l_["price"], dict)
            else sum(Decimal(p["amount_including_tax"]) for p in l_["price"])
            for l_ in orderlines
        )
        invoice = {
            "gender": "",
            "name": name,
            "company": company,
            "street": street,
            "number": number,
            "zipcode": zipcode,
            "city": city,
            "country": "",
            "country_code": country,
            "phone": "0612345678",
            "taxnumber": taxnumber,
            "bankaccount": "",
        }
        address = {"invoice": invoice}
        if delivery:
            address["delivery"] = {
                "gender": "",
                "name": name,
                "company": company,
                "phone": "",
                "country": "",
                **delivery,
            }
        ship_country = (delivery or {}).get("country_code", country)
        number_text = f"T-{next(self._test_numbers)}" if test else str(next(self._order_numbers))
        order = {
            "number": number_text if test else int(number_text),
            "uuid": str(uuid.uuid4()),
            "date": when.strftime("%Y-%m-%d"),
            "time": when.strftime("%H:%M:%S"),
            "status": status,
            "status_changed_date": when.strftime("%Y-%m-%d"),
            "status_changed_time": when.strftime("%H:%M:%S"),
            "weight": "1.0",
            "archived": False,
            "finished": True,
            "taxed": "include",
            "locale": "nl_NL",
            "discountcode": discountcode,
            "currency": "EUR",
            "currency_format_locale": "NL",
            "credited_order_number": None,
            "credit_order_numbers": [],
            "comments": {"customer": comment, "internal": ""},
            "business_model": "B2B" if company else "B2C",
            "reference": reference,
            "tax_region": ship_country,
            "tax_strategy": "reverse_charged_vat" if reverse else "",
            "payment": {
                "gateway_name": "mollie",
                "method_name": "ideal" if country == "NL" else "bancontact",
            },
            "payment_status": "captured",
            "debtor": {"id": None, "email": email, "address": address},
            "price": {
                "tax": [{"amount": _money(v, C6), "rate": f"{k:.2f}"} for k, v in sorted(tax.items())],
                "total": _money(total),
            },
            "orderlines": orderlines,
            "shipping": [{"country": {"description": ship_country, "isocode": ship_country}}],
        }
        with self.lock:
            self.orders[number_text] = order
        return order

    def set_order_status(self, number, status, when=None):
        order = self.orders[str(number)]
        when = when or _local_now()
        order["status"] = status
        order["status_changed_date"] = when.strftime("%Y-%m-%d")
        order["status_changed_time"] = when.strftime("%H:%M:%S")
        return order

    # --- credit orders (refunds) ------------------------------------------------------
    #
    # CONFIRMED (SPEC): POST /orders/credit takes a CreditOrderPostable {credited_order_number,
    # status (a status with credit_order: true), orderlines: a (sub)set of the original's
    # lines with positive quantities, shipping_costs / payment_costs excl. VAT: omitted =
    # credited in full, "0" = nothing, never more than the original, in full when every item
    # is credited}; it answers 200 with the credit Order, whose ``credited_order_number``
    # names the original; the original lists it in ``credit_order_numbers``.
    # UNCONFIRMED (the spec shows no credit order): its amounts are the original's with the
    # sign turned (negative), quantities positive, at the original line's unit price.

    @route("POST", f"{V}/orders/credit")
    def post_credit_order(self, request):
        data = request.json or {}
        missing = {"credited_order_number", "status", "orderlines"} - set(data)
        if missing:
            return self.error(400, "Bad request", f"Missing fields: {', '.join(sorted(missing))}")
        try:
            credit = self.credit_order(data)
        except (KeyError, ValueError, InvalidOperation) as exc:
            return self.error(400, "Bad request", str(exc))
        return Response(200, credit)

    def credit_order(self, data, when=None):
        """A credit order from a CreditOrderPostable (also used by tests to set one up)."""
        unknown = set(data) - {
            "credited_order_number",
            "status",
            "archived",
            "comments",
            "orderlines",
            "payment_costs",
            "shipping_costs",
            "offline_location_id",
        }
        if unknown:
            raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
        original = self.orders.get(str(data["credited_order_number"]))
        if original is None or original.get("credited_order_number"):
            raise ValueError("credited_order_number is not an order of this shop")
        status = {s["status"]: s for s in STATUSES}.get(data["status"])
        if not status or not status["credit_order"]:
            raise ValueError("status is not a credit order status")
        goods = [ln for ln in original["orderlines"] if ln["type"] in ("article", "custom")]
        credited = {}  # original line id -> pieces credited so far (all credit orders)
        for number in original["credit_order_numbers"]:
            for line in self._credit_lines.get(str(number), []):
                if line.get("credits_line"):
                    credited[line["credits_line"]] = credited.get(line["credits_line"], 0) + line["quantity"]
        lines, tax = [], {}

        def add(kind, description, qty, excl, incl, rate, **extra):
            tax[rate] = tax.get(rate, Decimal(0)) - (incl - excl)
            lines.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": kind,
                    "quantity": qty,
                    "description": description,
                    "price": {
                        "amount": str(-excl.quantize(C6)),
                        "amount_including_tax": _money(-incl),
                        "rate": f"{rate:.2f}",
                    },
                    **extra,
                }
            )

        for wanted in data["orderlines"]:
            qty = int(wanted["quantity"])
            if qty <= 0:
                raise ValueError("Quantities should be specified positive")
            key = [
                (a.get("id"), sorted(str(o["list_option_id"]) for o in a.get("options") or []))
                for a in wanted.get("articles") or []
            ]
            line = next(
                (
                    ln
                    for ln in goods
                    if ln["type"] == wanted.get("type", "article")
                    and [
                        (a["id"], sorted(str(o["list_option_id"]) for o in a.get("options") or []))
                        for a in ln.get("articles") or []
                    ]
                    == key
                    and credited.get(ln["id"], 0) + qty <= ln["quantity"]
                ),
                None,
            )
            if line is None:
                raise ValueError("orderlines must be a (sub)set of the original order's lines")
            credited[line["id"]] = credited.get(line["id"], 0) + qty
            price = line["price"]
            incl = Decimal(price["amount_including_tax"]) * qty / line["quantity"]
            excl = Decimal(price["amount"]) * qty / line["quantity"]
            add(
                line["type"],
                line["description"],
                qty,
                excl,
                incl.quantize(C2, rounding=ROUND_HALF_UP),
                Decimal(price["rate"]),
                weight=line.get("weight", "0"),
                articles=line.get("articles", []),
                credits_line=line["id"],
            )
        everything = all(credited.get(ln["id"], 0) >= ln["quantity"] for ln in goods)
        for kind, field in (("shipping", "shipping_costs"), ("payment", "payment_costs")):
            for line in [ln for ln in original["orderlines"] if ln["type"] == kind]:
                full_excl = Decimal(line["price"]["amount"])
                rate = Decimal(line["price"]["rate"])
                if data.get(field) in (None, ""):
                    excl = full_excl
                else:
                    excl = Decimal(str(data[field]))
                    if excl > full_excl + C2:
                        raise ValueError(f"{field} may not be higher than the original costs")
                    if everything and excl < full_excl - C2:
                        raise ValueError(f"{field} must be fully credited when all items are credited")
                if excl:
                    incl = (
                        Decimal(line["price"]["amount_including_tax"])
                        if abs(excl - full_excl) < C2
                        else (excl * (1 + rate / 100)).quantize(C2, rounding=ROUND_HALF_UP)
                    )
                    add(kind, line["description"], 1, excl, incl, rate)
        when = when or _local_now()
        number = next(self._order_numbers)
        served_lines = [{k: v for k, v in ln.items() if k != "credits_line"} for ln in lines]
        credit = {
            **{k: v for k, v in original.items() if k not in ("orderlines", "price")},
            "number": number,
            "uuid": str(uuid.uuid4()),
            "date": when.strftime("%Y-%m-%d"),
            "time": when.strftime("%H:%M:%S"),
            "status": status["status"],
            "status_changed_date": when.strftime("%Y-%m-%d"),
            "status_changed_time": when.strftime("%H:%M:%S"),
            "archived": bool(data.get("archived", False)),
            "credited_order_number": original["number"],
            "credit_order_numbers": [],
            "comments": {
                "customer": (data.get("comments") or {}).get("customer", ""),
                "internal": (data.get("comments") or {}).get("internal", ""),
            },
            "payment_status": "unknown",  # SPEC: credit orders have no payment information
            "payment": {},
            "price": {
                "tax": [{"amount": _money(v, C6), "rate": f"{k:.2f}"} for k, v in sorted(tax.items())],
                "total": _money(sum(Decimal(ln["price"]["amount_including_tax"]) for ln in lines)),
            },
            "orderlines": served_lines,
        }
        with self.lock:
            self.orders[str(number)] = credit
            self._credit_lines[str(number)] = lines
            original["credit_order_numbers"].append(number)
        return credit

    # --- demo data -----------------------------------------------------------------

    def seed_demo(self):
        """A small catalogue DEMO-001..DEMO-010 (DEMO-010 with size variants) and 10 orders."""
        home = self.add_category("Wonen")
        kitchen = self.add_category("Keuken", home["id"])
        clothes = self.add_category("Kleding")
        size = self.add_list("Maat", ["S", "M", "L"])
        self.add_list("Kleur", ["Rood", "Blauw"])
        names = [
            "Koffiemok wit",
            "Theepot glas",
            "Snijplank eiken",
            "Keukenschort",
            "Kaarsenhouder",
            "Vaas keramiek",
            "Plaid wol",
            "Kussenhoes linnen",
            "Onderzetters kurk",
        ]
        for i, item in enumerate(names, start=1):
            self.add_article(
                f"DEMO-{i:03d}",
                item,
                Decimal("9.95") + 5 * i,
                stock=20 + i,
                ean=ean13(f"40000000000{i}"[-12:].rjust(12, "0")),
                category_id=kitchen["id"] if i <= 4 else home["id"],
                features={"Land van herkomst": "NL"} if i % 2 else None,
            )
        self.add_article(
            "DEMO-010",
            "T-shirt biologisch katoen",
            Decimal("24.95"),
            category_id=clothes["id"],
            lists=[size],
            variants=[
                ("DEMO-010-S", {"Maat": "S"}, 5),
                ("DEMO-010-M", {"Maat": "M"}, 8),
                ("DEMO-010-L", {"Maat": "L"}, 0),
            ],
        )
        base = _local_now() - timedelta(days=2)
        step = timedelta(hours=3)
        self.add_order([("DEMO-001", 2)], when=base)
        self.add_order(
            [("DEMO-002", 1), ("DEMO-010-M", 1)],
            email="anna@example.be",
            name="Anna Peeters",
            street="Kerkstraat",
            number="12",
            zipcode="2000",
            city="Antwerpen",
            country="BE",
            when=base + step,
        )
        self.add_order(
            [("DEMO-003", 5)],
            email="inkoop@dehaan.de",
            name="Klaus Haan",
            company="De Haan GmbH",
            taxnumber="DE136695976",
            street="Hauptstrasse",
            number="5",
            zipcode="10115",
            city="Berlin",
            country="DE",
            reference="PO-7781",
            when=base + 2 * step,
        )
        self.add_order(
            [("DEMO-004", 1)],
            discount=Decimal("5.00"),
            discountcode="WELKOM5",
            payment_costs=Decimal("0.29"),
            comment="Graag snel leveren",
            when=base + 3 * step,
        )
        self.add_order([("DEMO-005", 1)], email="jan@example.nl", when=base + 4 * step)  # repeat customer
        self.add_order(
            [("DEMO-006", 1), ("DEMO-007", 1)],
            email="piet@example.nl",
            name="Piet de Vries",
            delivery={
                "name": "Marie de Vries",
                "street": "Stationsweg",
                "number": "7b",
                "zipcode": "3511 AA",
                "city": "Utrecht",
                "country_code": "NL",
            },
            when=base + 5 * step,
        )
        self.add_order(
            [("DEMO-008", 3)],
            email="kees@voorbeeld.nl",
            name="Kees Bakker",
            company="Bakker Interieur BV",
            taxnumber="NL004495445B01",
            when=base + 6 * step,
        )
        self.add_order(
            [("DEMO-009", 2), ("DEMO-010-S", 2)],
            email="sophie@example.de",
            name="Sophie Müller",
            street="Lindenweg",
            number="3",
            zipcode="50667",
            city="Köln",
            country="DE",
            shipping=Decimal("6.95"),
            when=base + 7 * step,
        )
        self.add_order(
            [("DEMO-001", 1)], email="lisa@example.nl", name="Lisa Smit", status=1, when=base + 8 * step
        )  # not paid yet
        self.add_order(
            [("DEMO-002", 1)], email="tom@example.nl", name="Tom Visser", status=2, when=base + 9 * step
        )  # already shipped
        self.add_order(
            [("DEMO-001", 1)], email="test@demo.myonline.store", name="Test", test=True, when=base + 9 * step
        )

    def add_demo_order(self):
        """A new random paid order (live demo)."""
        people = [
            ("eva@example.nl", "Eva de Boer", "NL", "Utrecht", "3512 JE"),
            ("jan@example.nl", "Jan Jansen", "NL", "Utrecht", "1234 AB"),
            ("luc@example.be", "Luc Janssens", "BE", "Gent", "9000"),
            ("mia@example.de", "Mia Schmidt", "DE", "Hamburg", "20095"),
        ]
        email, name, country, city, zipcode = self.random.choice(people)
        skus = [a["sku"] for a in self.articles.values() if not a["variants"]]
        skus += list(self.variant_handles)
        lines = [
            (sku, self.random.randint(1, 3)) for sku in self.random.sample(skus, self.random.randint(1, 3))
        ]
        order = self.add_order(lines, email=email, name=name, country=country, city=city, zipcode=zipcode)
        self._demo_orders = getattr(self, "_demo_orders", 0) + 1
        if self._demo_orders % 4 == 0:
            self.add_demo_credit()  # the after-sale: every fourth new order, an earlier one credited
        return order

    def add_demo_credit(self):
        """The live demo's after-sale: the merchant credits one piece of an earlier paid order."""
        with self.lock:
            candidates = [
                o
                for o in self.orders.values()
                if not o["credited_order_number"]
                and not o["credit_order_numbers"]
                and o["status"] in (2, 3, 6)
                and any(ln["type"] == "article" and ln["quantity"] > 1 for ln in o["orderlines"])
            ]
        if not candidates:
            return None
        order = self.random.choice(sorted(candidates, key=lambda o: _number_key(o["number"])))
        line = next(ln for ln in order["orderlines"] if ln["type"] == "article" and ln["quantity"] > 1)
        articles = [
            {"id": a["id"], "options": [{"list_option_id": o["list_option_id"]} for o in a["options"]]}
            for a in line["articles"]
        ]
        credit_status = next(s["status"] for s in STATUSES if s["credit_order"])
        return self.credit_order(
            {
                "credited_order_number": str(order["number"]),
                "status": credit_status,
                "comments": {"customer": self.random.choice(["Past niet", "Beschadigd", "Verkeerde kleur"])},
                "orderlines": [{"type": "article", "quantity": 1, "articles": articles}],
                "shipping_costs": "0",
                "payment_costs": "0",
            }
        )

    def control(self, request):
        if request.path == "/_emulator/demo-order" and request.method == "POST":
            order = self.add_demo_order()
            return Response(201, {"number": order["number"]})
        if request.path == "/_emulator/demo-credit" and request.method == "POST":
            credit = self.add_demo_credit()
            return Response(201, {"number": credit["number"] if credit else None})
        return None


def _date(value):
    return datetime.strptime(value, "%Y-%m-%d").strftime("%Y-%m-%d")


def _datetime(value):
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    raise ValueError(f"not a date-time (yyyy-mm-dd hh:mm:ss): {value}")


def _number_key(number):
    text = str(number)
    return (1, int(text[2:])) if text.startswith("T-") else (0, int(text))


def _demo_list_ids():
    """Ids of the seeded option lists (Maat, Kleur): the API cannot list them, the account names them."""
    app = MijnWebwinkelEmulator()
    app.seed_demo()
    return ", ".join(str(i) for i in sorted(app.lists))


#: connector.account values of a demo account against the seeded emulator (no api_base_url)
DEMO_ACCOUNT_VALUES = {
    "provider": "mijnwebwinkel",
    "name": "Demo Webwinkel",
    "mijnwebwinkel_partner_token": PARTNER_TOKEN,
    "mijnwebwinkel_shop_token": SHOP_TOKEN,
    "mijnwebwinkel_language": "nl_NL",
    "mijnwebwinkel_list_ids": _demo_list_ids(),
    "import_statuses": "paid,paid_collected",
    "update_product_info": True,
    "stock_managed_by_channel": True,
}


if __name__ == "__main__":
    main(MijnWebwinkelEmulator)
