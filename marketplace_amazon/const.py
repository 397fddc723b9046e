# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon SP-API facts in one place: hosts, marketplaces, rate limits, field codes.

Sources: amzn/selling-partner-api-models (ordersV0.json, orders_2026-01-01.json,
reports_2021-06-30.json, listingsItems_2021-08-01.json, sellers.json,
tokens_2021-03-01.json) and python-amazon-sp-api 2.1.35 (sp_api/base/marketplaces.py).
Choices that could not be confirmed from a source are marked UNCONFIRMED.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__, default_lang="en_US")

PROVIDER = "amazon"

# --- hosts -----------------------------------------------------------------

REGION_ENDPOINTS = {
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "na": "https://sellingpartnerapi-na.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
# The AWS region names the library carries along with a marketplace (unused for signing in 2.x).
AWS_REGIONS = {"eu": "eu-west-1", "na": "us-east-1", "fe": "us-west-2"}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
LWA_TOKEN_PATH = "/auth/o2/token"

# marketplace id -> (country code, region, name)
MARKETPLACES = {
    "A1PA6795UKMFR9": ("DE", "eu", "Amazon.de"),
    "A13V1IB3VIYZZH": ("FR", "eu", "Amazon.fr"),
    "APJ6JRA9NG5V4": ("IT", "eu", "Amazon.it"),
    "A1RKKUPIHCS9HS": ("ES", "eu", "Amazon.es"),
    "A1805IZSGTT6HS": ("NL", "eu", "Amazon.nl"),
    "AMEN7PMS3EDWL": ("BE", "eu", "Amazon.com.be"),
    "A1C3SOZRARQ6R3": ("PL", "eu", "Amazon.pl"),
    "A2NODRKZP88ZB9": ("SE", "eu", "Amazon.se"),
    "A28R8C7NBKEWEA": ("IE", "eu", "Amazon.ie"),
    "A1F83G8C2ARO7P": ("GB", "eu", "Amazon.co.uk"),
    "A33AVAJ2PDY3EV": ("TR", "eu", "Amazon.com.tr"),
    "A2VIGQ35RCS4UG": ("AE", "eu", "Amazon.ae"),
    "A17E79C6D8DWNP": ("SA", "eu", "Amazon.sa"),
    "ARBP9OOSHTCHU": ("EG", "eu", "Amazon.eg"),
    "A21TJRUUN4KGV": ("IN", "eu", "Amazon.in"),
    "AE08WJ6YKNBMC": ("ZA", "eu", "Amazon.co.za"),
    "ATVPDKIKX0DER": ("US", "na", "Amazon.com"),
    "A2EUQ1WTGCTBG2": ("CA", "na", "Amazon.ca"),
    "A1AM78C64UM0Y8": ("MX", "na", "Amazon.com.mx"),
    "A2Q3Y263D00KWC": ("BR", "na", "Amazon.com.br"),
    "A1VC38T7YXB528": ("JP", "fe", "Amazon.co.jp"),
    "A39IBJ37TRP1C6": ("AU", "fe", "Amazon.com.au"),
    "A19VAU5U5O7RUS": ("SG", "fe", "Amazon.sg"),
}
DEFAULT_MARKETPLACE_ID = "A1PA6795UKMFR9"  # Amazon.de
# Marketplaces whose prices (ItemPrice / proceeds ITEM) include VAT. North America adds
# sales tax on top. Used when an order's totals do not tell it by themselves.
TAX_INCLUDED_COUNTRIES = {
    "DE",
    "FR",
    "IT",
    "ES",
    "NL",
    "BE",
    "PL",
    "SE",
    "IE",
    "GB",
    "TR",
    "AE",
    "SA",
    "EG",
    "IN",
    "ZA",
    "JP",
    "AU",
    "SG",
}

# --- rate limits: operation -> (requests per second, burst) --------------------
# From the "Usage Plan" tables of the models (see /work/shared/reference 1.3).
RATE_LIMITS = {
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2, 10),
    "searchOrders": (0.0056, 20),
    "getOrder2026": (0.5, 30),
    "createRestrictedDataToken": (1, 10),
    "createReport": (0.0167, 15),
    "getReport": (2, 15),
    "getReportDocument": (0.0167, 15),
    "getListingsItem": (5, 10),
    "putListingsItem": (5, 10),
    "patchListingsItem": (5, 5),
    "searchListingsItems": (5, 5),
    # Sellers API usage plan: 0.016 rps, burst 15 (sellers.json).
    "getMarketplaceParticipations": (0.016, 15),
}

# Feeds (invoice uploads) and getReports (settlement reports), from the models' usage plans.
RATE_LIMITS.update(
    {
        "createFeedDocument": (0.5, 15),
        "createFeed": (0.0083, 15),
        "getFeed": (2, 15),
        "getFeedDocument": (0.0222, 10),
        "getReports": (0.0222, 10),
    }
)

# --- orders ----------------------------------------------------------------

ORDERS_API_2026 = "2026-01-01"
ORDERS_API_V0 = "v0"
# searchOrders returns items, buyer, recipient, proceeds and tax in one call per page of
# 100 orders, without Restricted Data Tokens: that is why 2026-01-01 is the default.
ORDERS_2026_INCLUDED_DATA = ["BUYER", "RECIPIENT", "PROCEEDS", "PROMOTION", "FULFILLMENT", "TAX", "PACKAGES"]
ORDERS_PAGE_SIZE = 100
# v0 personal data needs an RDT; the library asks for it when RestrictedResources is given.
V0_RESTRICTED_RESOURCES = ["buyerInfo", "shippingAddress"]

DEFAULT_IMPORT_STATUSES = ["Unshipped", "PartiallyShipped"]
# v0 OrderStatus <-> 2026 fulfillmentStatus. Settings use the v0 spelling shown in Seller Central.
STATUS_V0_TO_2026 = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
    # InvoiceUnconfirmed has no 2026 counterpart (its orders are SHIPPED there).
    "InvoiceUnconfirmed": "SHIPPED",
}
STATUS_2026_TO_V0 = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
CANCELLED_STATUSES = {"Canceled"}
FULFILLMENT_MERCHANT = ("MFN", "MERCHANT")
FULFILLMENT_AMAZON = ("AFN", "AMAZON")
# v0 ShipmentServiceLevelCategory -> 2026 fulfillmentServiceLevel (the code we store)
SERVICE_LEVEL_V0_TO_2026 = {
    "Expedited": "EXPEDITED",
    "FreeEconomy": "FREE_ECONOMY",
    "NextDay": "NEXT_DAY",
    "Priority": "PRIORITY",
    "SameDay": "SAME_DAY",
    "SecondDay": "SECOND_DAY",
    "Scheduled": "SCHEDULED",
    "Standard": "STANDARD",
}
BUSINESS_PROGRAM = "AMAZON_BUSINESS"  # 2026 programs value for v0 IsBusinessOrder (UNCONFIRMED equivalence)
MARKETPLACE_FACILITATOR = ("MARKETPLACE_FACILITATOR", "MarketplaceFacilitator")
# EU/UK deemed-reseller schemes: Amazon is the deemed supplier and remits the VAT.
DEEMED_RESELLER_SCHEMES = ("IOSS", "UOSS")

# --- reports (billing addresses) ----------------------------------------------

BILLING_REPORT_TYPE = "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING"
REPORT_DONE = "DONE"
REPORT_FAILED = ("CANCELLED", "FATAL")
REPORT_DOCUMENTS_PATH = "/reports/2021-06-30/documents/{}"
# Flat-file column names. UNCONFIRMED: the exact column list of the invoicing report is not
# published in full; bill-* names are those of Amazon's other flat-file order reports. We
# accept the known aliases so one renamed column does not lose the address.
REPORT_COLUMNS = {
    "order_id": ("order-id", "amazon-order-id"),
    "name": ("bill-name", "billing-name", "buyer-name"),
    "company": ("buyer-company-name", "bill-company-name"),
    "street": ("bill-address-1",),
    "street2": ("bill-address-2",),
    "street3": ("bill-address-3",),
    "city": ("bill-city",),
    "state": ("bill-state",),
    "zip": ("bill-postal-code",),
    "country": ("bill-country",),
    "phone": ("buyer-phone-number", "bill-phone-number"),
    "email": ("buyer-email",),
    "vat": ("buyer-vat-number", "buyer-tax-registration-id"),
}

# --- listings (stock, offers) -------------------------------------------------

# UNCONFIRMED that "PRODUCT" is accepted for every offer-only patch; the account can override.
DEFAULT_PRODUCT_TYPE = "PRODUCT"
MERCHANT_FULFILLMENT_CODE = "DEFAULT"
# "merge" (since June 2025) updates the quantity without wiping the handling time that a
# "replace" of fulfillment_availability would reset.
STOCK_PATCH_OP = "merge"
OFFER_ONLY = "LISTING_OFFER_ONLY"
CONDITION_NEW = "new_new"
LISTING_PAGE_SIZE = 20

# --- shipments ------------------------------------------------------------------

# carrierCode list is Amazon's; unknown carriers go as "Other" with carrierName (UNCONFIRMED list).
CARRIER_OTHER = "Other"

# --- error handling --------------------------------------------------------------

LWA_ERROR_HINTS = {
    "invalid_grant": _lt(
        "Amazon refused the refresh token (invalid_grant): it was revoked, belongs to "
        "another app or was copied incompletely. Authorize the app again in Seller Central and paste "
        "the new refresh token."
    ),
    "invalid_client": _lt(
        "Amazon refused the LWA client id or secret (invalid_client). Copy both again "
        "from the app's LWA credentials in Seller Central (Develop Apps)."
    ),
    "unauthorized_client": _lt(
        "This LWA app may not use refresh tokens (unauthorized_client). Check the app in Seller Central."
    ),
}

# --- polling ---------------------------------------------------------------
# searchOrders (Orders API 2026-01-01) allows 0.0056 requests/s, burst 20 (usage plan in
# orders_2026-01-01.json): one call every 1 / 0.0056 = 179 s on average. Polling every 3
# minutes keeps the bucket full, so a sync with several pages spends burst, never waits.
# (v0 getOrders: 0.0167/s, one per minute.) Notifications need SQS/EventBridge: not used.
DEFAULT_POLL_INTERVAL = 3
