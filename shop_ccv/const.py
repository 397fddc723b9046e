# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop REST API v1 facts, in one place.

Sources: CCV's official PHP client ``ccvshop/ccvshop-api`` (src/BaseEndpoint.php
signing and response-hash check, src/Factory/ExceptionFactory.php error codes,
src/Endpoints/*.php paths, src/Resources/*.php field names), CCV's official
``ccvshop/python-example-code`` client.py, and the client generated from CCV's
JSON schemas ``jacobdekeizer/ccvshop-client`` (filters, pagination, field
docstrings). What those sources do not state is marked UNCONFIRMED here and
nowhere else.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__, default_lang="en_US")

API_PREFIX = "/api/rest/v1/"
# https://<shop domain>/api/rest/v1/ ; the shop domain is the merchant's own
DEFAULT_BASE_URL = "https://{domain}" + API_PREFIX
CHANNEL_NAME = "CCV Shop"

# --- signing (official BaseEndpoint::getHash / validateResponse, CONFIRMED) ---
# x-hash = hex(HMAC-SHA512(secret, "public|METHOD|/api/rest/v1/path?query|body|x-date"))
HEADER_PUBLIC = "x-public"
HEADER_DATE = "x-date"
HEADER_HASH = "x-hash"
# Official client: Carbon::now('utc')->format('c') -> 2025-01-15T10:00:00+00:00
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"
# UNCONFIRMED: how far x-date may differ from CCV's clock; the emulator allows 15 minutes.
DATE_TOLERANCE = 900
ACCEPT = "application/vnd.verto.webshop+json"

# --- paths (relative to API_PREFIX; official Endpoints/*.php) ---
PATH_WEBSHOPS = "webshops"
PATH_ORDERS = "orders"
PATH_ORDER = "orders/{id}"
PATH_ORDER_ROWS = "orders/{id}/orderrows"
PATH_PRODUCTS = "products"
PATH_PRODUCT = "products/{id}"
PATH_PRODUCT_PHOTOS = "products/{id}/productphotos"
PATH_PRODUCT_CATEGORIES = "products/{id}/producttocategories"
PATH_PRODUCT_TO_CATEGORIES = "producttocategories"  # POST {product_id, category_id}
PATH_CATEGORIES = "categories"
PATH_PACKAGES = "packages"
PATH_ATTRIBUTE_COMBINATIONS = "products/{id}/attributecombinations"
PATH_ATTRIBUTE_COMBINATION = "attributecombinations/{id}"

# --- pagination: start (offset) + size, follow "next" until null (CONFIRMED keys) ---
# UNCONFIRMED: the largest accepted ``size``; 100 is what the examples use.
PAGE_SIZE = 100

# --- order filters (jacobdekeizer Parameters/Orders/All.php, CONFIRMED names) ---
# UNCONFIRMED: the date format of min_create_date; a plain date is sent (the client
# filters the exact time itself) because every documented example uses one.
FILTER_MIN_CREATE_DATE = "min_create_date"
FILTER_STATUS = "status"
FILTER_IS_PAID = "is_paid"
ORDER_BY = "id"  # stable paging while new orders arrive
# CCV has no "changed since" filter and no change date on orders: an order paid after
# it was created is only seen by looking back over recent orders (account setting).
DEFAULT_PAID_LOOKBACK_DAYS = 14

# --- order statuses (Orders Patch model docstring, CONFIRMED) ---
ORDER_STATUSES = {
    1: "New",
    2: "In process",
    3: "Wait for manufacturer",
    4: "Wait for payment",
    5: "Sent",
    6: "Delivered",
    7: "Completed",
    8: "Cancelled",
    9: "Wait for supplier",
    10: "Is being packaged",
    11: "Ready to be collected",
    12: "Is being assembled",
    13: "Backorder",
    14: "Reserved",
}
STATUS_SENT = 5
STATUS_CANCELLED = 8
DEFAULT_IMPORT_STATUSES = ["1", "2"]  # New, In process; with "only paid" on

# --- returns (refunds) ---
# Source: the schema-generated client jacobdekeizer/ccvshop-client (generated from CCV's
# JSON schemas): src/Endpoints/ReturnsEndpoint.php, ReturnrowsEndpoint.php,
# src/Parameters/Returns/All.php, src/Models/Vnd/Verto/Webshop/Resource/Returns/Returns.php
# and .../Returnrows/Returnrows.php. CONFIRMED: GET /returns (paged; filters returnnumber,
# returnnumber_full, ordernumber, ordernumber_full, status, min_create_date,
# max_create_date), GET /returns/{id}, GET /returns/{id}/returnrows, GET /returnrows/{id};
# read only: CCV takes no returns, refunds or credit notes through its API (the official
# PHP client ccvshop/ccvshop-api has no such endpoint either).
PATH_RETURNS = "returns"
PATH_RETURN = "returns/{id}"
PATH_RETURN_ROWS = "returns/{id}/returnrows"
# CONFIRMED (Returns.status docstring): 1 New, 2 Processing, 3-5 Custom 1-3, 6 Canceled,
# 7 Completed, 8 Credited; served as text.
RETURN_STATUS_CANCELLED = "6"
RETURN_STATUS_COMPLETED = "7"
RETURN_STATUS_CREDITED = "8"
# ASSUMED: only "Credited" says the money went back (a credit invoice was made); a return
# "Completed" without a credit may have been an exchange or a repair, so it waits (read
# again at every refund sync) until it is credited or cancelled. A credited return's goods
# are back (a return is credited after it came in).
RETURN_REFUNDED_STATUSES = (RETURN_STATUS_CREDITED,)
RETURN_FINAL_WITHOUT_REFUND = (RETURN_STATUS_CANCELLED,)
# ASSUMED: a return row's total_price is with VAT when the rows add up to the return's
# total_price_inc_tax, without VAT when they add up to total_price_exc_tax (the docstrings
# do not say; they follow the order's order_row_taxes_included). Returns carry no shipping
# costs: CCV cannot express a shipping-only refund.

# --- product fields ---
# Product.php TAX_TARIF_* constants (CONFIRMED values); which rate means which tariff
# is UNCONFIRMED (it is the shop's country setting): NL 21 % normal, 9 % low.
TAX_TARIFF_NORMAL = "normal"
TAX_TARIFF_LOW = "low a"
TAX_TARIFF_ZERO = "zero"
TAX_TARIFF_NORMAL_FROM = 15  # percent: at or above is "normal"
# Product photo POST keys (Resources/ProductPhoto.php getPostData, CONFIRMED)
PHOTO_TYPES = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg", b"GIF8": "gif", b"RIFF": "webp"}

# --- errors (ExceptionFactory.php, CONFIRMED codes) ---
CODE_RATE_LIMIT_RESOURCE = "429.10"  # per resource and method, per minute
CODE_RATE_LIMIT_TOTAL = "429.11"  # whole API, per minute
CODE_SAME_VALUE = "500.50"  # PATCH with the value already set: nothing to do
# UNCONFIRMED: CCV's limits and whether a Retry-After header comes with 429 (the sources
# name none). Without one the client waits this long before trying again.
RATE_LIMIT_WAIT = {CODE_RATE_LIMIT_RESOURCE: 10, CODE_RATE_LIMIT_TOTAL: 30}
# 500.xx codes that are a refusal of the request, not a passing fault: never retried.
NOT_RETRYABLE_CODES = {
    "500.20": _lt("the answer did not match CCV's schema"),
    "500.21": _lt("the file is too large"),
    "500.22": _lt("the file type is not accepted"),
    "500.23": _lt("the file could not be saved"),
    "500.24": _lt("the file was not found"),
    "500.25": _lt("CCV has no schema for this request"),
    "500.40": _lt("the value already exists"),
    "500.60": _lt("the shop's product limit is reached: upgrade the CCV Shop plan or remove products"),
    "500.70": _lt("this method is not allowed on the resource"),
    "500.80": _lt("the request is too big"),
    "500.90": _lt("a required CCV app is not installed in the shop"),
}

# --- webhooks (official Endpoints/Webhooks.php + Resources/Webhook.php, CONFIRMED) ---
# POST webhooks {event, address, is_active} -> {id, href, createdate, event, address, key,
# is_active}; GET webhooks / webhooks/{id}; PATCH {address, is_active}; DELETE webhooks/{id}.
PATH_WEBHOOKS = "webhooks"
PATH_WEBHOOK = "webhooks/{id}"
# UNCONFIRMED: the event names (the official README only shows a placeholder "foo.bar"); these
# follow CCV's "<resource>.<action>" pattern for new and changed orders.
ORDER_WEBHOOK_EVENTS = ("orders.created", "orders.updated")
# UNCONFIRMED: how a delivery is signed. Assumed, like CCV's own API signing: header x-hash =
# hex(HMAC-SHA512(<the webhook's key>, <raw request body>)).
WEBHOOK_HASH_HEADER = "x-hash"
# Polling default: one orders list call per minute stays far below the per-minute limits.
DEFAULT_POLL_INTERVAL = 1
