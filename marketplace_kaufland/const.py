# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland Seller API v2 facts, in one place.

Source: the official OpenAPI spec 2.27.0 ("Kaufland.de Seller API v2", vendored in
saleweaver/python-kaufland-api swagger.json) and https://sellerapi.kaufland.com/ docs
(rest-api, code-examples, orders, order-files, rate-limits). What those sources do not
state is marked UNCONFIRMED here and nowhere else.
"""

API_BASE_URL = "https://sellerapi.kaufland.com/v2"
USER_AGENT = "Odoo-Channel-Connectors-Kaufland/19.0"  # docs: "name of your partner solution"

# --- authentication headers (docs page rest-api, CONFIRMED) ---
HEADER_CLIENT_KEY = "Shop-Client-Key"
HEADER_TIMESTAMP = "Shop-Timestamp"
HEADER_SIGNATURE = "Shop-Signature"
# Problem types that mean "your credentials/signature are wrong" (spec ProblemType).
# Any other 403 (e.g. /problems/action-not-allowed on a unit already sent) is a
# refused request, not an authentication failure.
AUTH_PROBLEMS = (
    "/problems/unauthorized",
    "/problems/invalid-credentials",
    "/problems/corrupted-signature",
    "/problems/inactive-account",
    "/problems/missing-or-invalid-request-header",
)
# UNCONFIRMED: the docs do not state how far Shop-Timestamp may differ from
# Kaufland's clock; the emulator rejects more than 5 minutes either way.
TIMESTAMP_TOLERANCE = 300

# --- paths (spec) ---
PATH_PING = "status/ping"
PATH_ORDER_UNITS = "order-units"
PATH_ORDER = "orders/{id_order}"
PATH_UNIT_SEND = "order-units/{id_order_unit}/send"
PATH_UNIT_CANCEL = "order-units/{id_order_unit}/cancel"
PATH_UNITS = "units"
PATH_UNIT = "units/{id_unit}"
PATH_UNITS_BULK = "units/bulk"
PATH_PRODUCT_DATA = "product-data"
PATH_ORDER_UNIT = "order-units/{id_order_unit}"
PATH_UNIT_REFUND = "order-units/{id_order_unit}/refund"
PATH_RETURNS = "returns"
PATH_RETURN = "returns/{id_return}"
PATH_ORDER_INVOICES = "order-invoices/{id_order}"  # UploadOrderInvoice

# --- pagination (spec: limit default 30, max 100; offset) ---
PAGE_LIMIT = 100
# POST /units/bulk: "SHOULD NOT have more than 150 units" (whole request fails, 400)
BULK_MAX_UNITS = 150
# 111 requests per second per seller, over all endpoints -> 429 (rate-limits page).
# UNCONFIRMED whether a Retry-After header comes with the 429.
RATE_LIMIT_PER_SECOND = 111
# A 429 without Retry-After is retried after the one-second window the limit counts in.
RATE_LIMIT_WAIT = 1

# --- storefronts / currencies / locales (spec enums) ---
STOREFRONTS = ("de", "cz", "sk", "pl", "at", "fr", "it")
STOREFRONT_CURRENCY = {"cz": "CZK", "pl": "PLN"}  # every other storefront sells in EUR
DEFAULT_CURRENCY = "EUR"
STOREFRONT_LOCALE = {
    "de": "de-DE",
    "cz": "cs-CZ",
    "sk": "sk-SK",
    "pl": "pl-PL",
    "at": "de-AT",
    "fr": "fr-FR",
    "it": "it-IT",
}
DEFAULT_STOREFRONTS = "de"

# --- order units ---
# OrderUnitStatus enum (spec). ``open``: not yet ready (address may be incomplete).
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
DEFAULT_IMPORT_STATUSES = ["need_to_be_sent"]
# Changes an already imported order must hear about, even when no unit is in an
# import status any more.
CANCELLED_STATUSES = ("cancelled", "returned", "returned_paid")
STATUS_TO_SHIP = "need_to_be_sent"
# Units the seller may still cancel (PATCH /order-units/{id}/cancel; others answer 403).
CANCELLABLE_STATUSES = ("need_to_be_sent", "open")
# Order status = the most advanced status of the units still alive.
ORDER_STATUS_PRIORITY = (
    "need_to_be_sent",
    "open",
    "sent",
    "sent_and_autopaid",
    "received",
    "returned_paid",
    "returned",
    "cancelled",
)
# Query parameter names on GET /order-units (spec)
Q_STOREFRONT = "storefront"
Q_UPDATED_FROM = "ts_updated_from_iso"
Q_LIMIT = "limit"
Q_OFFSET = "offset"
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # spec: "YYYY-MM-ddTHH:mm:ssZ"

# UNCONFIRMED: the spec has no description of ``price`` (example 200) next to
# ``revenue_gross`` (5900) / ``revenue_net`` (3400). We read ``price`` as the gross
# amount in cents the buyer paid for the unit (Kaufland's v1 semantics; revenue_* are
# the seller's revenue after fees) and ``shipping_rate`` as the gross shipping in cents
# charged for that unit.
CENTS = 100

# --- cancellation (spec enum OrderUnitCancelReason) ---
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
DEFAULT_CANCEL_REASON = "GeneralAdjustment"  # the spec's own example; neutral

# --- offers ("units") ---
UNIT_CONDITION_NEW = "NEW"
UNIT_STATUS_INCOMPLETE = "INCOMPLETE"  # the EAN is not (yet) a Kaufland product
DEFAULT_HANDLING_TIME = 1  # days; required when creating a unit
# Carriers whose tracking number is optional (order-files page, MARK_UNIT_SENT).
CARRIERS_WITHOUT_TRACKING = ("Other", "Other Hauler")

# --- returns and refunds (spec 2.27.0: GetReturns, GetReturn, ReturnUnit, RefundOrderUnit) ---
# ReturnUnitStatus values of a unit Kaufland (or the seller) has not decided on yet: the
# return is fetched again until none is left.
RETURN_UNIT_OPEN = ("need_to_be_returned", "return_arrived", "return_in_repair", "return_in_clarification")
# The seller accepted the returned unit: the buyer is refunded its price (UNCONFIRMED:
# the spec has no refunded amount; the unit's price is what the buyer paid for it).
RETURN_UNIT_REFUNDED = "return_accepted"
# UNCONFIRMED: a closed return unit counts as refunded only when its order unit says it
# was paid back (OrderUnitStatus returned_paid).
RETURN_UNIT_CLOSED = "return_closed"
ORDER_UNIT_RETURNED_PAID = "returned_paid"
# ReturnStatus once the parcel is back with the seller.
RETURN_PACKAGE_RECEIVED = "package_received"
# OrderUnitRefundReason enum (PATCH /order-units/{id}/refund); amount in (Euro)cents.
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
DEFAULT_REFUND_REASON = "other_refund"
SHIPPING_REFUND_REASON = "refund_postage_fee"
# Order unit fields kept in a stored refund payload (no buyer data).
REFUND_UNIT_KEYS = (
    "id_order_unit",
    "id_order",
    "status",
    "price",
    "shipping_rate",
    "id_offer",
    "currency",
    "vat",
)
# --- push notifications: subscriptions (spec 2.27.0 /subscriptions; docs ?page=push-notifications) ---
PATH_SUBSCRIPTIONS = "subscriptions"
PATH_SUBSCRIPTION = "subscriptions/{id_subscription}"
# GET /subscriptions: limit 0..30 (spec), not the 100 of other lists
SUBSCRIPTIONS_PAGE_LIMIT = 30
# callback_url: at most 255 characters (push-notifications page)
CALLBACK_URL_MAX = 255
# Events (SubscriptionEventName) after which the orders are read again: new orders, unit
# status changes (cancellations, sent) and returns.
ORDER_EVENTS = (
    "order_new",
    "order_unit_new",
    "order_unit_status_changed",
    "return_new",
    "return_status_changed",
    "return_unit_status_changed",
)
# The events Odoo subscribes to, per storefront.
SUBSCRIBED_EVENTS = ("order_new", "order_unit_status_changed", "return_new")
# Callback URL verification: Kaufland GETs the callback URL with ?mode=subscribe&challenge=X and
# expects X alone as the body. Documented for the v1 API this one replaced (real.de API v1
# ?page=push-notifications, same text as Kaufland's page); assumed unchanged for v2.
HANDSHAKE_MODES = ("subscribe",)
# Polling default: the rate limit (111 requests/s) allows a poll every minute per account.
DEFAULT_POLL_INTERVAL = 1
