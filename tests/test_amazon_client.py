"""Amazon SP-API client + adapter against the emulator over real HTTP (no database).

python-amazon-sp-api does the calls (httpx); the emulator serves both the SP-API and
the LWA token endpoint on one local port.
"""

import logging
import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from odoo.addons.connector_base.exceptions import (
    ChannelAuthError,
    ChannelRequestError,
    ChannelRetryableError,
)
from odoo.addons.connector_base.schema import (
    ChannelDataError,
    ChannelProduct,
    ChannelShipment,
    ShipmentLine,
    StockItem,
)
from odoo.addons.marketplace_amazon import adapter, const
from odoo.addons.marketplace_amazon.client import AmazonClient, RateLimiter, clear_token_cache, iso_utc
from tests.emulators.amazon import (
    BE,
    DE,
    FR,
    LWA_CLIENT_ID,
    LWA_CLIENT_SECRET,
    NL,
    REFRESH_TOKEN,
    SELLER_ID,
    AmazonEmulator,
    ean13,
)
from tests.emulators.base import EmulatorServer

SINCE = datetime.utcnow() - timedelta(days=3)
# Purchase and change time of the business order (recent: order reports cover the last 30 days).
CREATED = (datetime.utcnow() - timedelta(days=2)).replace(microsecond=0)
UPDATED = CREATED + timedelta(minutes=15)
ALL_MARKETPLACES = [DE, FR, NL, BE]


@pytest.fixture(autouse=True)
def _fresh_tokens():
    # The library caches LWA access tokens per refresh token for the whole process.
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def emulator():
    app = AmazonEmulator()
    server = EmulatorServer(app).start()
    app.url = server.url
    yield app
    server.stop()


class Sleeps(list):
    """Records waits instead of sleeping (fault tests)."""

    def __call__(self, seconds):
        self.append(seconds)


def make_client(app, sleep=None, marketplaces=(DE,), **kwargs):
    kwargs.setdefault("timeout", 5)
    return AmazonClient(
        kwargs.pop("refresh_token", REFRESH_TOKEN),
        kwargs.pop("client_id", LWA_CLIENT_ID),
        kwargs.pop("client_secret", LWA_CLIENT_SECRET),
        seller_id=kwargs.pop("seller_id", SELLER_ID),
        region=kwargs.pop("region", "eu"),
        marketplace_ids=list(marketplaces),
        endpoint=app.url,
        sleep=sleep if sleep is not None else Sleeps(),
        **kwargs,
    )


def add_simple_orders(app, count, marketplace_id=DE, **kwargs):
    app.add_listing("SKU-1", "B0TEST0001", "10.00", quantity=5, title="Test item", ean=ean13("400000000099"))
    return [
        app.add_order(
            [{"sku": "SKU-1", "qty": 1, "price": "10.00"}],
            marketplace_id=marketplace_id,
            created=datetime.utcnow() - timedelta(hours=5, minutes=index),
            buyer={"name": f"Buyer {index}", "email": f"b{index}@marketplace.amazon.de"},
            address={
                "name": f"Buyer {index}",
                "addressLine1": f"Weg {index + 1}",
                "postalCode": "10115",
                "city": "Berlin",
                "countryCode": "DE",
            },
            **kwargs,
        )
        for index in range(count)
    ]


def add_business_order(app):
    """The fully specified order of the mapping tests (values checked by hand)."""
    app.add_listing("DEMO-003", "B0DEMO0003", "49.00", quantity=10, title="Coffee grinder")
    app.add_listing("DEMO-004", "B0DEMO0004", "19.90", quantity=10, title="Milk frother")
    return app.add_order(
        [
            {
                "sku": "DEMO-003",
                "qty": 2,
                "price": "49.00",
                "tax_rate": 19,
                "shipping": "5.90",
                "promo": "5.00",
                "ship_discount": "2.00",
                "id": "11111111111111",
            },
            {"sku": "DEMO-004", "qty": 1, "price": "19.90", "tax_rate": 19, "id": "22222222222222"},
        ],
        order_id="302-1111111-2222222",
        created=CREATED,
        updated=UPDATED,
        buyer={
            "name": "Jonas Weber",
            "email": "r5t1y8u2@marketplace.amazon.de",
            "company": "Weber Kaffeetechnik GmbH",
        },
        address={
            "name": "Jonas Weber",
            "companyName": "Weber Kaffeetechnik GmbH",
            "addressLine1": "Industriestraße 7",
            "postalCode": "80339",
            "city": "München",
            "countryCode": "DE",
            "phone": "+49 89 123",
            "addressType": "COMMERCIAL",
        },
        billing={
            "name": "Weber Kaffeetechnik GmbH",
            "companyName": "Weber Kaffeetechnik GmbH",
            "addressLine1": "Postfach 1200",
            "postalCode": "80331",
            "city": "München",
            "countryCode": "DE",
        },
        business=True,
        vat="DE811907980",
        legal_name="Weber Kaffeetechnik GmbH",
        po_number="PO-4711",
        prime=True,
    )


# === authentication ==========================================================================


def test_connection_success_and_lwa_form(emulator):
    client = make_client(emulator, marketplaces=[DE, FR])
    text = client.test_connection()
    assert "Emulator Store" in text and "Amazon.de" in text and "Amazon.fr" in text
    [token_request] = emulator.requests_to("POST", "/auth/o2/token")
    assert token_request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = token_request.body.decode()
    assert "grant_type=refresh_token" in form and f"client_id={LWA_CLIENT_ID}" in form
    [call] = emulator.requests_to("GET", "/sellers/v1/marketplaceParticipations")
    assert call.headers["x-amz-access-token"].startswith("Atza|")
    assert call.headers["x-amz-date"].endswith("Z")


def test_bad_refresh_token_says_invalid_grant(emulator):
    client = make_client(emulator, refresh_token="Atzr|revoked-token-123")
    with pytest.raises(ChannelAuthError) as info:
        client.test_connection()
    message = str(info.value)
    assert "invalid_grant" in message and "refresh token" in message
    assert "revoked-token-123" not in message
    assert not emulator.requests_to(path="/sellers/")


def test_bad_client_secret_says_invalid_client(emulator):
    client = make_client(emulator, client_secret="wrong-secret")
    with pytest.raises(ChannelAuthError, match="invalid_client") as info:
        client.test_connection()
    assert "wrong-secret" not in str(info.value)


def test_wrong_region(emulator):
    # A North America marketplace against a seller who sells in Europe.
    client = make_client(emulator, region="na", marketplaces=["ATVPDKIKX0DER"])
    with pytest.raises(ChannelRequestError, match="does not sell on marketplace ATVPDKIKX0DER.*region"):
        client.test_connection()
    with pytest.raises(ChannelRequestError, match="belongs to region eu"):
        make_client(emulator, region="na", marketplaces=[DE])


def test_missing_credentials():
    with pytest.raises(ChannelAuthError, match="refresh token"):
        AmazonClient("", LWA_CLIENT_ID, LWA_CLIENT_SECRET)


def test_expired_access_token_is_renewed(emulator):
    client = make_client(emulator)
    client.test_connection()
    emulator.expire_tokens()
    client.test_connection()
    assert len(emulator.requests_to("POST", "/auth/o2/token")) == 2
    # The injected fault of the base class (401) is answered as Amazon does (403 Unauthorized).
    emulator.inject("expired-token", 1, path="/sellers/")
    client.test_connection()
    assert len(emulator.requests_to("POST", "/auth/o2/token")) == 3


def test_access_denied_is_an_auth_error(emulator):
    emulator.inject("expired-token", 2, path="/sellers/")
    with pytest.raises(ChannelAuthError, match="denied access"):
        make_client(emulator).test_connection()


def test_no_secret_in_logs(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sp_api").setLevel(logging.DEBUG)
    logging.getLogger("sp_api.base.client").setLevel(logging.DEBUG)
    try:
        client = make_client(emulator, refresh_token="Atzr|secret-refresh-777")
        emulator.authorize("Atzr|secret-refresh-777")
        add_simple_orders(emulator, 1)
        list(client.fetch_raw_orders(SINCE, ["Unshipped"]))
    finally:
        logging.getLogger("sp_api.base.client").setLevel(logging.INFO)
    text = caplog.text
    assert "secret-refresh-777" not in text and LWA_CLIENT_SECRET not in text
    assert "Atza|" not in text and "Atz.sprdt|" not in text
    assert "report-documents" in text and "X-Amz-Signature=[REDACTED]" in text  # presigned URL masked


# === orders ====================================================================================


def test_search_orders_pagination_and_filters(emulator):
    ids = add_simple_orders(emulator, 7)
    add_simple_orders(emulator, 1, status="SHIPPED")
    add_simple_orders(emulator, 1, fulfilled_by="AMAZON")
    client = make_client(emulator)
    orders = list(client.iter_orders(SINCE, ["Unshipped", "PartiallyShipped"], ["MFN"], page_size=3))
    assert sorted(o["orderId"] for o in orders) == sorted(ids)
    calls = emulator.requests_to("GET", "/orders/2026-01-01/orders$")
    assert len(calls) == 3
    first = calls[0]
    assert first.arg("fulfillmentStatuses") == "PARTIALLY_SHIPPED,UNSHIPPED"
    assert first.arg("fulfilledBy") == "MERCHANT"
    assert first.arg("marketplaceIds") == DE
    assert set(first.arg("includedData").split(",")) >= {"BUYER", "RECIPIENT", "PROCEEDS", "TAX"}
    assert first.arg("lastUpdatedAfter").endswith("Z")
    assert calls[1].arg("paginationToken") and calls[2].arg("paginationToken")
    # No Restricted Data Token and no per-order call with the 2026 API.
    assert not emulator.requests_to(path="/tokens/") and not emulator.requests_to(path="/orderItems")


def test_fba_orders_when_enabled(emulator):
    add_simple_orders(emulator, 2)
    [fba] = add_simple_orders(emulator, 1, fulfilled_by="AMAZON")
    client = make_client(emulator)
    raws = list(client.fetch_raw_orders(SINCE, ["Unshipped"], import_fba=True, billing_addresses=False))
    assert len(raws) == 3
    assert emulator.requests_to(path="/orders/2026")[0].arg("fulfilledBy") == "MERCHANT,AMAZON"
    order = adapter.parse_order(next(r.payload for r in raws if r.external_id == fba))
    assert order.fulfilled_by_channel is True


def test_v0_orders_use_rdt_and_item_pages(emulator):
    emulator.items_page_size = 1
    order_id = add_business_order(emulator)
    add_simple_orders(emulator, 2)
    client = make_client(emulator, orders_api="v0")
    raws = list(client.fetch_raw_orders(SINCE, ["Unshipped"], billing_addresses=False))
    assert len(raws) == 3
    rdt_calls = emulator.requests_to("POST", "/tokens/2021-03-01/restrictedDataToken")
    assert rdt_calls and rdt_calls[0].json["restrictedResources"][0]["path"] == "/orders/v0/orders"
    assert set(rdt_calls[0].json["restrictedResources"][0]["dataElements"]) == {
        "buyerInfo",
        "shippingAddress",
    }
    get_orders = emulator.requests_to("GET", "/orders/v0/orders$")[0]
    assert get_orders.arg("OrderStatuses") == "Unshipped" and get_orders.arg("FulfillmentChannels") == "MFN"
    assert get_orders.headers["x-amz-access-token"].startswith("Atz.sprdt|")
    payload = next(r.payload for r in raws if r.external_id == order_id)
    assert [i["OrderItemId"] for i in payload["items"]] == ["11111111111111", "22222222222222"]
    assert len(emulator.requests_to("GET", f"/orders/v0/orders/{order_id}/orderItems")) == 2
    assert payload["order"]["ShippingAddress"]["AddressLine1"] == "Industriestraße 7"


def test_v0_and_2026_give_the_same_order(emulator):
    order_id = add_business_order(emulator)
    new = make_client(emulator)
    old = make_client(emulator, orders_api="v0")
    since = SINCE
    by_2026 = {
        r.external_id: adapter.parse_order(r.payload) for r in new.fetch_raw_orders(since, ["Unshipped"])
    }
    by_v0 = {
        r.external_id: adapter.parse_order(r.payload) for r in old.fetch_raw_orders(since, ["Unshipped"])
    }
    a, b = by_2026[order_id].to_dict(), by_v0[order_id].to_dict()
    for key in (
        "total_incl",
        "total_excl",
        "shipping_incl",
        "shipping_excl",
        "discounts",
        "lines",
        "billing",
        "buyer_vat",
        "buyer_is_business",
        "status",
        "storefront",
        "shipping_method",
        "currency",
    ):
        assert a[key] == b[key], key
    assert a["shipping"]["street"] == b["shipping"]["street"] == "Industriestraße 7"


def test_falls_back_to_v0_when_2026_is_missing(emulator):
    emulator._routes = [r for r in emulator._routes if "2026" not in r[1].pattern]
    ids = add_simple_orders(emulator, 2)
    client = make_client(emulator)
    orders = list(client.iter_orders(SINCE, ["Unshipped"], ["MFN"]))
    assert sorted(o["order"]["AmazonOrderId"] for o in orders) == sorted(ids)
    assert client.orders_api == "v0"


# === billing report ============================================================================


def test_billing_addresses_from_the_report(emulator):
    emulator.report_polls = 3
    order_id = add_business_order(emulator)
    sleeps = Sleeps()
    client = make_client(emulator, sleep=sleeps)
    raws = {r.external_id: r for r in client.fetch_raw_orders(SINCE, ["Unshipped"])}
    row = raws[order_id].payload["billing"]
    assert row["bill-address-1"] == "Postfach 1200" and row["bill-postal-code"] == "80331"
    create = emulator.requests_to("POST", "/reports/2021-06-30/reports$")[0].json
    assert create["reportType"] == "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING" and create[
        "marketplaceIds"
    ] == [DE]
    assert len(emulator.requests_to("GET", "/reports/2021-06-30/reports/")) == 3
    assert sleeps == [10.0, 10.0]  # two polls before DONE, with the default interval
    # The restricted document was fetched with an RDT for exactly its path.
    [rdt] = emulator.requests_to("POST", "/tokens/")
    document_id = emulator.requests_to("GET", "/reports/2021-06-30/documents/")[0].path.rsplit("/", 1)[1]
    assert rdt.json["restrictedResources"] == [
        {"method": "GET", "path": f"/reports/2021-06-30/documents/{document_id}"}
    ]


def test_report_not_ready_does_not_block_orders(emulator):
    emulator.report_polls = 50
    add_simple_orders(emulator, 2)
    client = make_client(emulator)
    raws = list(client.fetch_raw_orders(SINCE, ["Unshipped"], report_poll_limit=3))
    assert len(raws) == 2 and all(r.payload["billing"] is None for r in raws)
    with pytest.raises(ChannelRetryableError, match="not ready after 3 checks"):
        client.fetch_report(const.BILLING_REPORT_TYPE, SINCE, datetime.utcnow(), poll_limit=3)


def test_late_billing_address_of_a_stored_order(emulator):
    """An order stored without billing address (its report failed) is yielded again, with
    the row, by the sync whose report has it, also when the order itself did not change;
    the report then reaches back to its purchase date."""
    order_id = add_business_order(emulator)  # purchased two days ago
    emulator.report_outcome = "FATAL"
    failures = []
    client = make_client(emulator)
    [stored] = client.fetch_raw_orders(
        CREATED - timedelta(hours=1), ["Unshipped"], on_billing_failure=failures.append
    )
    assert stored.payload["billing"] is None
    assert len(failures) == 1 and "could not build report" in failures[0] and "(FATAL)" in failures[0]
    emulator.report_outcome = "DONE"
    emulator.reset_log()
    later = datetime.utcnow() - timedelta(minutes=5)
    waiting = {order_id: stored.payload["order"]["createdTime"]}

    def load(ids):
        return dict.fromkeys(ids, stored.payload)

    raws = list(client.fetch_raw_orders(later, ["Unshipped"], waiting=waiting, load_stored=load))
    [raw] = raws
    assert raw.external_id == order_id and raw.updated_at == stored.updated_at
    assert raw.payload["billing"]["bill-address-1"] == "Postfach 1200"
    assert raw.payload["order"] == stored.payload["order"]
    create = emulator.requests_to("POST", "/reports/2021-06-30/reports$")[0].json
    assert create["dataStartTime"] < iso_utc(CREATED) < iso_utc(later)
    # without a billing address in the report, nothing is yielded again
    emulator.orders[order_id]["billing"] = emulator.orders[order_id]["address"] = {}
    assert not list(client.fetch_raw_orders(later, ["Unshipped"], waiting=waiting, load_stored=load))


def test_cp1252_report_takes_names_from_the_orders_api(emulator):
    """Cp1252 has no ş, ğ, ı: Amazon's report holds "?" there. The Orders API's name wins,
    and a billing street that is the delivery street is taken from the API too."""
    emulator.report_charset = "Cp1252"
    emulator.add_listing("SKU-1", "B0TEST0001", "10.00")
    address = {
        "name": "Ayşe Doğan",
        "addressLine1": "Şehitler Caddesi 5",
        "postalCode": "50674",
        "city": "Köln",
        "countryCode": "DE",
    }
    order_id = emulator.add_order(
        [{"sku": "SKU-1", "qty": 1, "price": "10.00"}],
        created=datetime.utcnow() - timedelta(hours=5),
        buyer={"name": "Ayşe Doğan", "email": "a1y2se@marketplace.amazon.de"},
        address=address,
        billing=dict(address, addressLine1="Şehitler Caddesi 5", addressLine2="Büro Çelik"),
    )
    client = make_client(emulator)
    [raw] = client.fetch_raw_orders(SINCE, ["Unshipped"])
    assert raw.external_id == order_id
    row = raw.payload["billing"]
    assert (row["buyer-name"], row["bill-address-1"], row["bill-city"]) == (
        "Ay?e Do?an",
        "?ehitler Caddesi 5",
        "Köln",
    )
    billing = adapter.parse_order(raw.payload).billing
    assert (billing.name, billing.street, billing.street2, billing.city) == (
        "Ayşe Doğan",
        "Şehitler Caddesi 5",
        "Büro Çelik",
        "Köln",
    )


def test_report_without_data_is_empty(emulator):
    client = make_client(emulator)
    assert client.fetch_report(const.BILLING_REPORT_TYPE, SINCE, datetime.utcnow()) == ""


# === faults, throttling, pacing ===================================================================


@pytest.mark.parametrize("kind", ["500", "502", "503", "reset", "malformed", "429"])
def test_transient_faults_are_retried(emulator, kind):
    add_simple_orders(emulator, 2)
    sleeps = Sleeps()
    client = make_client(emulator, sleep=sleeps)
    emulator.inject(kind, 1, path="/orders/2026")
    assert len(list(client.iter_orders(SINCE, ["Unshipped"]))) == 2
    assert len(emulator.requests_to(path="/orders/2026")) == 2
    assert sleeps == ([1.0] if kind == "429" else [2.0])  # Retry-After of the fault, else backoff


def test_429_without_retry_after_waits_the_applied_rate(emulator):
    sleeps = Sleeps()
    client = make_client(emulator, sleep=sleeps)
    emulator.inject("429-no-retry-after", 1, path="/sellers/")
    client.test_connection()
    assert sleeps == [pytest.approx(1 / 0.016)]  # x-amzn-RateLimit-Limit of getMarketplaceParticipations


def test_persistent_throttling_gives_up_retryable(emulator):
    client = make_client(emulator, max_retries=2)
    emulator.inject("429", 10, path="/sellers/")
    with pytest.raises(ChannelRetryableError, match="throttled") as info:
        client.test_connection()
    assert info.value.retry_after == 1.0 and info.value.status == 429
    assert len(emulator.requests_to(path="/sellers/")) == 3


def test_server_error_gives_up_retryable(emulator):
    client = make_client(emulator, max_retries=1)
    emulator.inject("500", 5, path="/sellers/")
    with pytest.raises(ChannelRetryableError, match=r"failed \(500\)"):
        client.test_connection()


def test_lwa_outage_is_retried(emulator):
    client = make_client(emulator)
    emulator.inject("503", 1, path="/auth/o2/token")
    assert "Emulator Store" in client.test_connection()
    assert len(emulator.requests_to("POST", "/auth/o2/token")) == 2


def test_timeout_is_retried(emulator):
    emulator.timeout_seconds = 3
    client = make_client(emulator, timeout=1)
    emulator.inject("timeout", 1, path="/sellers/")
    assert "Emulator Store" in client.test_connection()


def test_short_page_with_a_next_token_is_asked_once(emulator):
    """maxResultsPerPage is a maximum: a page with a next token may hold fewer orders. Amazon
    gives no count to tell it from a page cut short, so it is read once and followed."""
    ids = add_simple_orders(emulator, 7)
    emulator.page_order_cap = 3
    client = make_client(emulator)
    orders = list(client.iter_orders(SINCE, ["Unshipped"], page_size=4))
    assert sorted(o["orderId"] for o in orders) == sorted(ids)
    searches = emulator.requests_to("GET", "/orders/2026-01-01/orders$")
    assert len(searches) == 3  # 3 + 3 + 1
    assert len({s.arg("paginationToken") for s in searches}) == 3


def test_v0_server_error_then_success_takes_a_new_rdt(emulator):
    """After a 5xx the library still holds the RDT of the failed getOrders; the retry asks
    for a new one with the access token (an RDT is refused by the Tokens API)."""
    ids = add_simple_orders(emulator, 2)
    client = make_client(emulator, orders_api="v0")
    emulator.inject("500", 1, path="^/orders/v0/orders$")
    orders = list(client.iter_orders(SINCE, ["Unshipped"]))
    assert sorted(o["order"]["AmazonOrderId"] for o in orders) == sorted(ids)
    assert all(o["order"]["ShippingAddress"]["AddressLine1"].startswith("Weg ") for o in orders)
    rdts = emulator.requests_to("POST", "/tokens/2021-03-01/restrictedDataToken")
    assert len(rdts) == 2
    assert all(r.headers["x-amz-access-token"].startswith("Atza|") for r in rdts)
    # the items are read with the access token too
    items = emulator.requests_to("GET", "/orderItems$")
    assert len(items) == 2 and all(r.headers["x-amz-access-token"].startswith("Atza|") for r in items)


def test_v0_unchanged_order_keeps_its_stored_items(emulator):
    ids = add_simple_orders(emulator, 2)
    client = make_client(emulator, orders_api="v0")
    first = {o["order"]["AmazonOrderId"]: o for o in client.iter_orders(SINCE, ["Unshipped"])}
    emulator.touch(ids[1])
    emulator.reset_log()
    again = list(client.iter_orders(SINCE, ["Unshipped"], load_stored=lambda wanted: first))
    assert {o["order"]["AmazonOrderId"] for o in again} == set(ids)
    assert [r.path for r in emulator.requests_to("GET", "/orderItems$")] == [
        f"/orders/v0/orders/{ids[1]}/orderItems"
    ]
    assert next(o for o in again if o["order"]["AmazonOrderId"] == ids[0])["items"] == first[ids[0]]["items"]


def test_bad_request_is_a_request_error(emulator):
    client = make_client(emulator)
    with pytest.raises(ChannelRequestError, match="InvalidInput"):
        client.iter_orders(SINCE, ["NotAStatus"]).__next__()


def test_client_paces_to_the_usage_plan(emulator):
    """Burst, then one call per 1/rate: the emulator never has to answer 429."""
    emulator.add_listing("SKU-1", "B0TEST0001", "10.00")
    emulator.set_rate_limit("getListingsItem", 5, 3)
    limiter = RateLimiter({"getListingsItem": (5, 2)})
    client = make_client(emulator, sleep=time.sleep, limiter=limiter)
    for _ in range(7):
        assert client.get_listing("SKU-1")["sku"] == "SKU-1"
    assert len(emulator.requests_to(path="/listings/")) == 7  # no 429, no retry
    assert 0.4 < limiter.waited <= 1.0  # 5 calls beyond the burst at 5/s, minus the time the calls took


def test_emulator_throttling_is_waited_out(emulator):
    """Amazon's bucket emptier than ours (another process used it): 429, wait, go on."""
    emulator.add_listing("SKU-1", "B0TEST0001", "10.00")
    emulator.set_rate_limit("patchListingsItem", 10, 2)
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        time.sleep(seconds)

    client = make_client(emulator, sleep=sleep, limiter=RateLimiter({}))
    result = client.push_stock([StockItem("SKU-1", n) for n in range(5)])
    assert result.errors == {}
    assert len(emulator.requests_to("PATCH", "/listings/")) > 5  # some answered 429 first
    assert sleeps and all(s == pytest.approx(0.1) for s in sleeps)  # 1 / x-amzn-RateLimit-Limit
    assert emulator.listings["SKU-1"]["quantity"] == 4


def test_rate_limiter_with_a_fake_clock():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter({"searchOrders": (0.0056, 20)}, clock=lambda: now[0], sleep=sleep)
    for _ in range(22):
        limiter.acquire("searchOrders")
    assert waits == [pytest.approx(1 / 0.0056)] * 2
    limiter.acquire("unknownOperation")  # no usage plan known: no wait
    assert len(waits) == 2


# === adapter: order mapping ============================================================================


def test_business_order_mapping(emulator):
    order_id = add_business_order(emulator)
    client = make_client(emulator)
    [raw] = [r for r in client.fetch_raw_orders(SINCE, ["Unshipped"]) if r.external_id == order_id]
    assert raw.updated_at == UPDATED
    order = adapter.parse_order(raw.payload)
    assert order.external_id == order.reference == "302-1111111-2222222"
    assert order.status == "Unshipped" and not order.cancelled
    assert order.created_at == CREATED
    assert order.currency == "EUR" and order.storefront == DE
    assert order.prices_include_tax is True
    # 2 x 49.00 + 5.90 shipping - 5.00 promotion - 2.00 shipping discount + 19.90
    assert order.total_incl == Decimal("116.80")
    # VAT: 15.65 + 0.94 + 3.18 - 0.80 - 0.32 = 18.65
    assert order.total_excl == Decimal("98.15")
    first, second = order.lines
    assert (first.sku, first.external_id, first.channel_product_id, first.quantity) == (
        "DEMO-003",
        "11111111111111",
        "B0DEMO0003",
        2,
    )
    assert first.unit_price_incl == Decimal("49.0000") and first.unit_price_excl == Decimal("41.1750")
    assert first.tax_rate == Decimal("19") and first.discount_incl == Decimal("5.00")
    assert (second.sku, second.unit_price_incl, second.unit_price_excl, second.discount_incl) == (
        "DEMO-004",
        Decimal("19.9000"),
        Decimal("16.7200"),
        Decimal("0"),
    )
    assert order.shipping_incl == Decimal("5.90") and order.shipping_excl == Decimal("4.96")
    assert order.shipping_tax_rate == Decimal("19") and order.shipping_method == "STANDARD"
    [discount] = order.discounts
    assert (discount.code, discount.amount_incl, discount.amount_excl) == (
        "shipping_discount",
        Decimal("2.00"),
        Decimal("1.68"),
    )
    assert order.buyer_is_business is True and order.buyer_vat == "DE811907980"
    assert order.buyer_email == "r5t1y8u2@marketplace.amazon.de"
    assert order.shipping.name == "Jonas Weber" and order.shipping.company == "Weber Kaffeetechnik GmbH"
    assert (order.shipping.street, order.shipping.zip, order.shipping.city, order.shipping.country_code) == (
        "Industriestraße 7",
        "80339",
        "München",
        "DE",
    )
    assert order.shipping.phone == "+49 89 123"
    billing = order.billing
    assert (
        billing.name,
        billing.company,
        billing.street,
        billing.zip,
        billing.city,
        billing.country_code,
    ) == ("Jonas Weber", "Weber Kaffeetechnik GmbH", "Postfach 1200", "80331", "München", "DE")
    assert billing.vat == "DE811907980"
    assert "PO-4711" in order.note
    assert order.channel_collects_vat is False and order.fulfilled_by_channel is False
    # The canonical JSON form round-trips (it is what the engine stores).
    assert type(order).from_dict(order.to_dict()) == order


def test_facilitator_and_other_countries(emulator):
    emulator.add_listing("SKU-9", "B0TEST0009", "20.00")
    nl = emulator.add_order(
        [{"sku": "SKU-9", "qty": 1, "price": "24.20", "tax_rate": 21}],
        marketplace_id=NL,
        address={
            "name": "Sanne",
            "addressLine1": "Keizersgracht 100",
            "city": "Amsterdam",
            "postalCode": "1015 CW",
            "countryCode": "NL",
        },
        facilitator=True,
        scheme="UOSS",
    )
    fr = emulator.add_order(
        [{"sku": "SKU-9", "qty": 3, "price": "11.00", "tax_rate": 5.5}],
        marketplace_id=FR,
        address={
            "name": "Camille",
            "addressLine1": "c/o Martin",
            "addressLine2": "12 Rue de Rivoli",
            "city": "Paris",
            "postalCode": "75001",
            "countryCode": "FR",
        },
    )
    client = make_client(emulator, marketplaces=[DE, FR, NL])
    orders = {
        r.external_id: adapter.parse_order(r.payload)
        for r in client.fetch_raw_orders(SINCE, ["Unshipped"], billing_addresses=False)
    }
    assert orders[nl].channel_collects_vat is True and orders[nl].storefront == NL
    assert orders[nl].lines[0].tax_rate == Decimal("21") and orders[nl].lines[0].unit_price_excl == Decimal(
        "20.0000"
    )
    french = orders[fr]
    assert french.lines[0].tax_rate == Decimal("5.5") and french.total_incl == Decimal("33.00")
    # The line with the house number is the street; the c/o line moves to street2.
    assert (french.shipping.street, french.shipping.street2) == ("12 Rue de Rivoli", "c/o Martin")
    assert french.billing.is_empty()


def test_tax_excluded_prices_from_totals():
    """A US-style order (tax on top of the prices) is recognised from its grand total."""
    order = {
        "orderId": "111-0000000-0000001",
        "createdTime": "2026-01-05T10:00:00Z",
        "lastUpdatedTime": "2026-01-05T10:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
        "proceeds": {"grandTotal": {"amount": "108.00", "currencyCode": "USD"}},
        "orderItems": [
            {
                "orderItemId": "1",
                "quantityOrdered": 2,
                "product": {
                    "sellerSku": "X",
                    "price": {"unitPrice": {"amount": "50.00", "currencyCode": "USD"}},
                },
                "proceeds": {
                    "breakdowns": [
                        {"type": "ITEM", "subtotal": {"amount": "100.00", "currencyCode": "USD"}},
                        {"type": "TAX", "subtotal": {"amount": "8.00", "currencyCode": "USD"}},
                    ]
                },
            }
        ],
    }
    parsed = adapter.parse_order(order)
    assert parsed.prices_include_tax is False
    assert parsed.lines[0].unit_price_excl == Decimal("50.0000") and parsed.lines[
        0
    ].unit_price_incl == Decimal("54.0000")
    assert parsed.lines[0].tax_rate == Decimal("8") and parsed.total_excl == Decimal("100.00")


def test_bad_payloads_raise_data_errors():
    with pytest.raises(ChannelDataError, match="no seller SKU"):
        adapter.parse_order(
            {
                "api": "2026-01-01",
                "order": {
                    "orderId": "1",
                    "createdTime": "2026-01-01T00:00:00Z",
                    "salesChannel": {"marketplaceId": DE},
                    "orderItems": [
                        {
                            "orderItemId": "9",
                            "quantityOrdered": 1,
                            "product": {
                                "title": "Mystery",
                                "price": {"unitPrice": {"amount": "1", "currencyCode": "EUR"}},
                            },
                        }
                    ],
                },
            }
        )
    with pytest.raises(ChannelDataError, match="expected a number"):
        adapter.parse_order(
            {
                "api": "v0",
                "order": {"AmazonOrderId": "2", "OrderTotal": {"Amount": "abc", "CurrencyCode": "EUR"}},
                "items": [],
            }
        )
    with pytest.raises(ChannelDataError, match="order id"):
        adapter.raw_order({"api": "2026-01-01", "order": {}})


def test_seeded_demo_orders_parse(emulator):
    emulator.seed_demo()
    client = make_client(emulator, marketplaces=ALL_MARKETPLACES)
    raws = list(client.fetch_raw_orders(SINCE, ["Unshipped", "PartiallyShipped"], import_fba=True))
    orders = [adapter.parse_order(r.payload) for r in raws]
    assert len(orders) == 9  # 10 seeded, one already shipped
    assert {o.shipping.country_code for o in orders} >= {"DE", "FR", "NL", "BE"}
    assert sum(o.buyer_is_business for o in orders) == 1 and sum(o.fulfilled_by_channel for o in orders) == 1
    emails = [o.buyer_email for o in orders if o.buyer_email]
    assert len(emails) > len(set(emails))  # a repeat customer
    for order in orders:
        lines = sum(line.unit_price_incl * line.quantity - line.discount_incl for line in order.lines)
        discounts = sum(d.amount_incl for d in order.discounts)
        assert abs(lines + order.shipping_incl - discounts - order.total_incl) <= Decimal("0.01"), (
            order.external_id
        )
    emulator.add_demo_order()
    assert len(list(client.iter_orders(SINCE, ["Unshipped", "PartiallyShipped"], ["MFN", "AFN"]))) == 10


# === stock, products, shipments, catalogue ================================================================


def test_push_stock(emulator):
    emulator.add_listing("SKU-1", "B0TEST0001", "10.00", quantity=1)
    emulator.add_listing("SKU 2/x", "B0TEST0002", "10.00", quantity=1)
    client = make_client(emulator)
    result = client.push_stock([StockItem("SKU-1", 12), StockItem("SKU 2/x", 0), StockItem("NOPE", 3)])
    assert result.errors.keys() == {"NOPE"} and "export the product first" in result.errors["NOPE"]
    assert emulator.listings["SKU-1"]["quantity"] == 12 and emulator.listings["SKU 2/x"]["quantity"] == 0
    patch = emulator.requests_to("PATCH", "/listings/2021-08-01/items/")[0]
    assert patch.path == f"/listings/2021-08-01/items/{SELLER_ID}/SKU-1" and patch.arg("marketplaceIds") == DE
    assert patch.json["productType"] == "PRODUCT"
    assert patch.json["patches"] == [
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
        }
    ]


def test_push_products_create_only_and_update(emulator):
    emulator.add_catalog_item("B0CAT00001", ean13("400000000055"), "Catalogue kettle", "KITCHEN")
    emulator.add_listing("OLD-1", "B0TEST0001", "10.00", product_type="HOME")
    client = make_client(emulator)
    new = ChannelProduct(sku="NEW-1", ean=ean13("400000000055"), price=Decimal("39.90"), quantity=Decimal(4))
    old = ChannelProduct(sku="OLD-1", price=Decimal("12.50"))
    bare = ChannelProduct(sku="BARE-1", price=Decimal("1"))
    result = client.push_products([new, old, bare], update=False)
    assert result.external_ids == {"NEW-1": "B0CAT00001", "OLD-1": "B0TEST0001"}
    assert "ASIN or the EAN" in result.errors["BARE-1"]
    put = emulator.requests_to("PUT", "/listings/")[0].json
    assert put["requirements"] == "LISTING_OFFER_ONLY" and put["productType"] == "PRODUCT"
    assert put["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 39.9
    assert emulator.listings["NEW-1"]["quantity"] == 4
    assert not emulator.requests_to("PATCH", "/listings/")  # create only: the old offer stays as it is
    assert emulator.listings["OLD-1"]["prices"][DE] == Decimal("10.00")
    result = client.push_products([old], update=True)
    assert result.errors == {} and emulator.listings["OLD-1"]["prices"][DE] == Decimal("12.50")
    assert emulator.requests_to("PATCH", "/listings/")[0].json["productType"] == "HOME"


def test_push_product_refused_by_amazon(emulator):
    client = make_client(emulator)
    result = client.push_products([ChannelProduct(sku="X-1", external_id="B0NOTHERE1", price=Decimal("5"))])
    assert "8541" in result.errors["X-1"]


def test_confirm_shipment(emulator):
    order_id = add_business_order(emulator)
    client = make_client(emulator, marketplaces=[DE, FR])
    shipment = ChannelShipment(
        order_external_id=order_id,
        storefront=DE,
        carrier_code="",
        carrier_name="Spedition Maier",
        tracking_numbers=["JJD0001"],
        shipped_at=datetime(2026, 3, 3, 8, 0),
        lines=[ShipmentLine("DEMO-003", 2, "11111111111111")],
    )
    assert client.ship(shipment) is True
    # The order's marketplace comes with the shipment (sale.order.connector_storefront).
    assert not emulator.requests_to("GET", f"/orders/2026-01-01/orders/{order_id}")
    [(shipped_id, body)] = emulator.shipments
    assert shipped_id == order_id and body["marketplaceId"] == DE
    package = body["packageDetail"]
    assert package["carrierCode"] == "Other" and package["carrierName"] == "Spedition Maier"
    assert package["trackingNumber"] == "JJD0001" and package["shipDate"] == "2026-03-03T08:00:00Z"
    assert package["orderItems"] == [{"orderItemId": "11111111111111", "quantity": 2}]
    assert package["packageReferenceId"].isdigit()
    assert emulator.orders[order_id]["status"] == "PARTIALLY_SHIPPED"
    shipment.lines = [ShipmentLine("DEMO-004", 1, "22222222222222")]
    shipment.tracking_numbers = ["JJD0002"]
    shipment.carrier_code, shipment.carrier_name = "DHL", ""
    shipment.storefront = ""
    client.ship(shipment)
    # Without it (and two marketplaces configured) the order's marketplace is read first.
    assert emulator.requests_to("GET", f"/orders/2026-01-01/orders/{order_id}")
    assert emulator.orders[order_id]["status"] == "SHIPPED"
    assert "carrierName" not in emulator.shipments[1][1]["packageDetail"]
    with pytest.raises(ChannelRequestError, match="cannot be shipped"):
        client.ship(shipment)
    with pytest.raises(ChannelDataError, match="tracking number"):
        client.ship(ChannelShipment(order_external_id=order_id, lines=shipment.lines))


def test_catalogue_pages(emulator):
    emulator.seed_demo()
    client = make_client(emulator)
    listings = list(client.iter_listings(page_size=4))
    assert (
        len(listings) == 10
        and len(emulator.requests_to("GET", f"/listings/2021-08-01/items/{SELLER_ID}$")) == 3
    )
    products = {p.sku: p for p in client.iter_catalogue()}
    # keyed by seller SKU (no listing id), the ASIN kept as information
    assert products["DEMO-001"].external_id == "" and products["DEMO-001"].asin == "B0DEMO0001"
    assert products["DEMO-001"].price == Decimal("12.90")
    assert products["DEMO-009"].parent_sku == "DEMO-TSHIRT" and products["DEMO-001"].quantity == Decimal(25)
