# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Everything this connector knows about the MijnWebwinkel (MyOnlineStore) API v1.

One place for endpoint paths, query parameters and field names, so a correction
after reading the partner documentation is a one-line change here.

Sources:
- SPEC: the official OpenAPI document "MyOnlineStore Connect | API", repository
  MyOnlineStore/public-api-docs, ``spec/openapi.yaml`` (commit f5fb115) and its
  ``web/swagger-docs/changelog.md``. Facts from it are marked CONFIRMED.
- Third-party integrations cited in /work/shared/reference/channel-apis.md section 4
  (PHP order counter, React dashboard, Python URL builder, Boekuwzending docs).
Everything marked UNCONFIRMED is our most plausible guess and is listed in
``readme/CONTEXT.md``.
"""

PROVIDER = "mijnwebwinkel"

# --- base URL, authentication, common parameters ------------------------------

# CONFIRMED by several integrations. The official spec names the server
# https://api.myonlinestore.com/ with the same /v1/ paths (same API); the
# account's "API URL override" can point there.
API_BASE_URL = "https://api.mijnwebwinkel.nl/v1/"
API_BASE_URL_ALTERNATIVE = "https://api.myonlinestore.com/v1/"
# An API URL without a path gets this one (the account's override may be a bare host).
API_VERSION_PATH = "v1/"

# CONFIRMED (SPEC securitySchemes): two API keys as query parameters.
PARAM_PARTNER_TOKEN = "partner_token"
PARAM_TOKEN = "token"
SENSITIVE_PARAMS = frozenset({PARAM_PARTNER_TOKEN, PARAM_TOKEN})

PARAM_FORMAT = "format"
FORMAT_JSON = "json"
PARAM_LANGUAGE = "language"
DEFAULT_LANGUAGE = "nl_NL"
# CONFIRMED (SPEC parameter language-query).
LANGUAGES = [
    ("nl_NL", "Dutch (Netherlands)"),
    ("en_GB", "English (UK)"),
    ("en_US", "English (US)"),
    ("de_DE", "German"),
    ("fr_FR", "French"),
    ("es_ES", "Spanish"),
    ("pt_PT", "Portuguese"),
    ("it_IT", "Italian"),
    ("da_DK", "Danish"),
    ("sv_SE", "Swedish"),
    ("no_NO", "Norwegian"),
    ("tr_TR", "Turkish"),
    ("pl_PL", "Polish"),
]

# CONFIRMED: limit (max 100, default 10) / offset paging; list bodies are bare JSON arrays.
PARAM_LIMIT = "limit"
PARAM_OFFSET = "offset"
PAGE_SIZE = 100
PARAM_ORDERING = "ordering"  # asc | desc, by order number (CONFIRMED)
ORDERING_ASC = "asc"

# --- endpoints (relative to the base URL) -------------------------------------

EP_STORE = "store"  # CONFIRMED: cheap authenticated call for "test connection"
EP_ORDER_STATUSES = "orderstatuses"  # CONFIRMED (partner token only)
EP_ORDERS = "orders"  # CONFIRMED
EP_ORDERS_COUNT = "orders/count"  # CONFIRMED -> {"count": N}
EP_ORDER = "orders/{number}"  # CONFIRMED GET / PATCH
EP_ARTICLES = "articles"  # CONFIRMED GET (list) / POST (create)
EP_ARTICLES_COUNT = "articles/count"  # CONFIRMED
EP_ARTICLE = "articles/{id}"  # CONFIRMED GET / PATCH / DELETE (needs use_url_id)
EP_ARTICLE_UPLOAD_IMAGE = "articles/uploadImage/{id}"  # CONFIRMED POST {filename, position, content}
EP_DELETE_IMAGE = "deleteImage/{id}"  # CONFIRMED DELETE -> 204
EP_ARTICLE_FIELDS = "articlefields/{id}"  # CONFIRMED POST {name: value}, ?visible=true|false
EP_ARTICLE_LIST = "articlelists/{id}"  # CONFIRMED GET (an option list: id, name, options)
EP_ARTICLE_LIST_OPTIONS = "articlelistoptions/{id}"  # CONFIRMED POST [{name, price}]
EP_CATEGORIES = "categories"  # CONFIRMED GET (?as_tree=true) / POST

# --- query parameters ---------------------------------------------------------

PARAM_STATUS_ID = "status_id"  # CONFIRMED, one integer per request
PARAM_START_DATE = "start_date"  # CONFIRMED, format yyyy-mm-dd (order date)
PARAM_END_DATE = "end_date"  # CONFIRMED
# CONFIRMED (SPEC): "Minimum for status changed datetime (format: yyyy-mm-dd hh:mm:ss)".
# Used for the watermark: an order that becomes "paid" days after it was placed is
# still found. Its time zone is UNCONFIRMED: we assume the shop's local time.
PARAM_STATUS_CHANGED_START = "status_changed_start_date"
PARAM_TEST = "test"  # CONFIRMED: include test orders (default false); we never ask for them
PARAM_USE_URL_ID = "use_url_id"  # CONFIRMED, required on /articles/{id}
PARAM_AS_TREE = "as_tree"  # CONFIRMED
PARAM_MAX_DEPTH = "max_depth"  # CONFIRMED (default 5)
PARAM_VISIBLE = "visible"  # CONFIRMED on /articlefields
DATETIME_PARAM_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_PARAM_FORMAT = "%Y-%m-%d"
# UNCONFIRMED: the API gives dates and times without an offset; we read them as
# the local time of a Dutch shop.
SHOP_TIMEZONE = "Europe/Amsterdam"

# --- order statuses -----------------------------------------------------------

# Ids seen in integrations (2 = "Verzonden", 3 = "Betaald", 6 = "Betaald & afgehaald",
# 1 = new/"Order Pending" per SPEC example). The full list is shop-specific and
# can be read from GET /orderstatuses. Names are ours. UNCONFIRMED beyond these.
ORDER_STATUS_IDS = {
    "pending": 1,
    "shipped": 2,
    "paid": 3,
    "paid_collected": 6,
}
DEFAULT_IMPORT_STATUSES = ["paid"]
SHIPPED_STATUS_ID = 2
# CONFIRMED (Boekuwzending docs): test orders carry a "T-" order number; they are
# never imported. The API also leaves them out unless ?test=true (SPEC).
TEST_ORDER_PREFIX = "T-"


# --- credit orders (refunds) ---------------------------------------------------

# CONFIRMED (SPEC Order, changelog 1.1.6/1.1.7): a credit order is an Order whose
# ``credited_order_number`` (integer) names the order it credits; the original lists
# them in ``credit_order_numbers``. CONFIRMED (SPEC OrderStatus, changelog 1.0.7): the
# statuses with ``credit_order: true`` are the ones of credit orders; their ids are shop
# specific, read from GET /orderstatuses (partner token only).
STATUS_F_ID = "status"
STATUS_F_CREDIT = "credit_order"
# UNCONFIRMED (the spec shows no credit order): its amounts carry the opposite sign of a
# sale (``price.total`` negative). The sign of ``price.total`` decides for the whole credit
# order, so a positive credit order is read as well; quantities are read as they are,
# without their sign (the spec's CreditOrderPostable wants them positive: "items to be
# returned").
CREDIT_SIGN_DEFAULT = -1
# UNCONFIRMED: credit order lines are items returned ("Items to be returned", SPEC
# CreditOrderPostable); nothing says whether they arrived, so the return is left ready for
# the warehouse.
CREDIT_GOODS_RETURNED = True
# CONFIRMED (SPEC CreditOrderPostable): POST /orders/credit {credited_order_number, status,
# orderlines[{type, quantity, articles[{id, options[{list_option_id}]}]}], shipping_costs,
# payment_costs (excl. VAT as strings; omitted = credited in full, "0" = nothing)}.
EP_ORDER_CREDIT = "orders/credit"
# Our marker in a credit order's internal comment: made from an Odoo credit note, so the
# refund import does not book it a second time.
ODOO_CREDIT_MARKER = "Odoo credit note"

# --- field names --------------------------------------------------------------


class OrderF:
    """Order (CONFIRMED, SPEC schema Order)."""

    NUMBER = "number"
    UUID = "uuid"
    DATE = "date"  # yyyy-mm-dd, shop time
    TIME = "time"  # hh:mm:ss
    STATUS = "status"  # integer
    STATUS_CHANGED_DATE = "status_changed_date"
    STATUS_CHANGED_TIME = "status_changed_time"
    TAXED = "taxed"  # "include" | "exclude" (UNCONFIRMED value set; SPEC example "include")
    CURRENCY = "currency"
    DISCOUNTCODE = "discountcode"
    COMMENTS = "comments"  # {customer, internal}
    BUSINESS_MODEL = "business_model"  # B2C | B2B
    REFERENCE = "reference"  # buyer's reference, B2B only
    TAX_STRATEGY = "tax_strategy"  # "" | zero_percent | reverse_charged_vat
    CREDITED_ORDER_NUMBER = "credited_order_number"  # set on credit orders
    CREDIT_ORDER_NUMBERS = "credit_order_numbers"  # on the original order
    PAYMENT = "payment"  # {gateway_name, method_name, status}
    PAYMENT_STATUS = "payment_status"  # new|pending|authorized|captured|... (deprecated)
    DEBTOR = "debtor"
    PRICE = "price"  # {tax: [TaxPrice] or TaxPrice, total}
    ORDERLINES = "orderlines"
    SHIPPING = "shipping"  # [{country: {description, isocode}}]


TAXED_INCLUDE = "include"
BUSINESS_MODEL_B2B = "B2B"
TAX_STRATEGY_REVERSE_CHARGE = "reverse_charged_vat"


class CommentF:
    CUSTOMER = "customer"
    INTERNAL = "internal"  # the only writable one (SPEC OrderCommentPatchable)


class PaymentF:
    GATEWAY = "gateway_name"  # e.g. mollie, basic
    METHOD = "method_name"  # e.g. ideal, advance


class PriceF:
    """Order.price (CONFIRMED)."""

    TAX = "tax"
    TOTAL = "total"  # including VAT


class TaxPriceF:
    """TaxPrice (CONFIRMED): amounts as strings, ``amount`` excl. VAT (6 decimals)."""

    RATE = "rate"
    AMOUNT = "amount"
    AMOUNT_INCL = "amount_including_tax"


class DebtorF:
    """OrderDebtor (CONFIRMED). name/company/phone on the debtor are deprecated fallbacks."""

    EMAIL = "email"
    ADDRESS = "address"  # {invoice: InvoiceAddress, delivery: Address}
    NAME = "name"
    COMPANY = "company"
    PHONE = "phone"


class AddressF:
    """Address / InvoiceAddress (CONFIRMED)."""

    INVOICE = "invoice"
    DELIVERY = "delivery"  # UNCONFIRMED: absent when it equals the invoice address
    NAME = "name"  # full name
    COMPANY = "company"
    STREET = "street"
    NUMBER = "number"  # house number incl. suffix
    ZIPCODE = "zipcode"
    CITY = "city"
    COUNTRY = "country"  # localized name, deprecated
    COUNTRY_CODE = "country_code"  # ISO 3166-1 alpha-2
    PHONE = "phone"
    TAXNUMBER = "taxnumber"  # VAT number, invoice address only


class LineF:
    """OrderDetail (CONFIRMED). ``price`` is the line total (quantity included),
    a TaxPrice or, for lines spread over several VAT rates, a list of them."""

    ID = "id"
    TYPE = "type"
    QUANTITY = "quantity"
    DESCRIPTION = "description"  # includes the chosen options
    PRICE = "price"
    ARTICLES = "articles"


# CONFIRMED: "article", "custom", "payment" (payment costs).
# UNCONFIRMED: "shipping" and "discount" (the changelog speaks of "discount
# details" whose price is always a list of TaxPrice; the SPEC example shows the
# shipping cost as a second "payment" line, which we cannot tell apart).
LINE_TYPE_ARTICLE = "article"
LINE_TYPE_CUSTOM = "custom"
LINE_TYPE_PAYMENT = "payment"
LINE_TYPE_SHIPPING = "shipping"
LINE_TYPE_DISCOUNT = "discount"
PRODUCT_LINE_TYPES = (LINE_TYPE_ARTICLE, LINE_TYPE_CUSTOM)


class OrderArticleF:
    """OrderArticle (CONFIRMED id, description, sku, price{amount, rate, purchase_price},
    options[OrderArticleListOption{list_option_id, description, price}]).

    CONFIRMED by the schema: ``sku`` is the article's (a variant has no SKU of its own)
    and there is no EAN; the variant is the one whose options the buyer chose.
    """

    ID = "id"
    DESCRIPTION = "description"
    SKU = "sku"
    OPTIONS = "options"


class OrderArticleOptionF:
    """OrderArticleListOption (CONFIRMED list_option_id, description, price)."""

    LIST_OPTION_ID = "list_option_id"
    DESCRIPTION = "description"


# Our own key in a stored order: the variant of each article line with options, read from
# the article (GET /articles/{id}) while fetching, so parsing needs no API call.
# {"<article id>|<option ids>": {"variant_id", "attributes": {list: option}} or {"error"}}
ORDER_VARIANTS_KEY = "connector_variants"


class ShippingF:
    COUNTRY = "country"
    ISOCODE = "isocode"
    DESCRIPTION = "description"


class StoreF:
    """Store (CONFIRMED)."""

    NAME = "name"
    CURRENCY = "currency"
    PRICES_INCLUDE_TAX = "prices_include_tax"


class ArticleF:
    """Article (CONFIRMED, SPEC schemas Article / BaseArticle / ArticlePatchable)."""

    ID = "id"
    UUID = "uuid"
    NAME = "name"
    DESCRIPTION = "description"
    SKU = "sku"
    TAXABLE = "taxable"
    PRICE = "price"  # {default, action, purchase} as strings
    STOCK = "stock"  # integer, null = unlimited (stock not tracked)
    CAN_BACKORDER = "can_backorder"
    DELIVERY_DAYS = "delivery_days"
    EXTRA = "extra"  # {visible: {name: value}, invisible: {weight, barcode}}
    CATEGORIES = "categories"
    LISTS = "lists"  # option lists offered on the article (variant axes)
    VARIANTS = "variants"
    IMAGES = "images"
    UPDATED_DATE = "updated_date"
    UPDATED_TIME = "updated_time"


class ArticlePriceF:
    DEFAULT = "default"  # incl. VAT when store.prices_include_tax (CONFIRMED)


class ExtraF:
    VISIBLE = "visible"  # features shown to visitors (country of origin, ...)
    INVISIBLE = "invisible"
    BARCODE = "barcode"  # EAN, in extra.invisible (CONFIRMED by SPEC example)
    WEIGHT = "weight"  # kg as string (CONFIRMED by SPEC example)


class CategoryLinkF:
    """CategoryArticlePostable (CONFIRMED)."""

    CATEGORY_ID = "category_id"
    IS_MAIN = "is_main"
    IS_ACTIVE = "is_active"


class ListF:
    """ArticleList / ConfiguratorArticleList(Postable) (CONFIRMED)."""

    ID = "id"
    NAME = "name"
    OPTIONS = "options"
    HAS_IMAGES = "has_images"


class ListOptionF:
    ID = "id"
    NAME = "name"
    PRICE = "price"
    IMAGE_IDS = "image_ids"  # required in ConfiguratorArticleListOptionPostable


class VariantF:
    """ArticleVariant (CONFIRMED: exactly id, options, stock, can_backorder; no SKU, barcode
    or price of its own).

    UNCONFIRMED: creating a variant by PATCHing ``variants`` with ``options`` and no
    ``id`` (the SPEC's example only shows ``{"id": .., "stock": ..}``).
    """

    ID = "id"
    OPTIONS = "options"
    STOCK = "stock"
    CAN_BACKORDER = "can_backorder"


class VariantOptionF:
    """ArticleVariantOption (CONFIRMED list_id, option_id, name). The Article example shows
    ``options`` as ``{"<list id>": "<option name>"}`` instead: both forms are read."""

    LIST_ID = "list_id"
    OPTION_ID = "option_id"
    NAME = "name"


class ImageF:
    """ArticleImage (CONFIRMED) and ArticleUploadImagePostable (CONFIRMED)."""

    ID = "id"
    POSITION = "position"
    ORIGINAL_NAME = "original_name"
    FILENAME = "filename"
    CONTENT = "content"  # base64


# CONFIRMED: image positions 1..15 (changelog 1.1.4).
MAX_IMAGES = 15
# Our uploads are named "odoo-<checksum>.<ext>". The API gives the base name back
# as ``original_name``: that is where the channel remembers which Odoo image it
# has, so an unchanged image is never sent twice and no state is kept in Odoo.
IMAGE_NAME_PREFIX = "odoo-"


class CategoryF:
    """Category (CONFIRMED)."""

    ID = "id"
    PARENT_ID = "parent_category_id"
    TITLE = "title"
    HIDDEN = "hidden"
    LEAFS = "leafs"  # children in ?as_tree=true answers


class ErrorF:
    """Error (CONFIRMED: code, message, description) and ApiProblem (title, detail)."""

    MESSAGE = "message"
    DESCRIPTION = "description"
    TITLE = "title"
    DETAIL = "detail"


# Separator of "<article id>:<variant id>", our external id of a variant.
VARIANT_ID_SEPARATOR = ":"
