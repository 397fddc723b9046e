"""Kaufland client + adapter against the emulator over real HTTP (no database)."""

import hashlib
import hmac
import json
import logging
import os
import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import requests

import odoo.addons

# connector_base imports queue_job, which needs base_sparse_field from Odoo's own
# addons directory; put it on the path when tests/conftest.py has not (yet).
for _odoo_dir in list(odoo.__path__):
    _addons = os.path.join(os.path.dirname(_odoo_dir), "addons")
    if os.path.isdir(os.path.join(_addons, "base_sparse_field")) and _addons not in odoo.addons.__path__:
        odoo.addons.__path__.append(_addons)

from odoo.addons.connector_base.exceptions import (  # noqa: E402
    ChannelAuthError,
    ChannelRequestError,
    ChannelRetryableError,
)
from odoo.addons.connector_base.schema import (  # noqa: E402
    ChannelDataError,
    ChannelProduct,
    ChannelShipment,
    ShipmentLine,
    StockItem,
)
from odoo.addons.marketplace_kaufland import adapter  # noqa: E402
from odoo.addons.marketplace_kaufland.client import KauflandClient, sign_request  # noqa: E402
from tests.emulators.base import EmulatorServer  # noqa: E402
from tests.emulators.kaufland import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, KauflandEmulator, ean13  # noqa: E402

# Worked example: the docs' example secret, a fixed timestamp (see channel-apis.md 2.2).
DOCS_SECRET = "b3575f222f7b768c25160b879699118b331c6883dd6010864b7ead130be77cd5"
GET_URI = (
    "https://sellerapi.kaufland.com/v2/order-units?storefront=de&status=need_to_be_sent&limit=100&offset=0"
)
GET_SIGNATURE = "ebc8a48e95618edda4faa1218817f1ccfe7cbc204c57d15a051a41e54332397d"
SEND_URI = "https://sellerapi.kaufland.com/v2/order-units/314567896580917/send"
SEND_BODY = '{"tracking_numbers":"0034123456789","carrier_code":"DHL"}'
SEND_SIGNATURE = "6f092afb409d0978c6f8ab4a29b97b713c904be904cc115293e17313a58d4962"

ADDRESS = {
    "first_name": "Max",
    "last_name": "Muster",
    "company_name": "Muster Café GmbH",
    "street": "Friedrichstraße",
    "house_number": "100",
    "postcode": "10117",
    "city": "Berlin",
    "country": "DE",
    "phone": "+4930123",
    "additional_field": "Hinterhaus",
}
DEMO_001_EAN = ean13("400000000001")
SHIP_TO = {
    "first_name": "Erika",
    "last_name": "Muster",
    "street": "Lagerweg",
    "house_number": "7a",
    "postcode": "20095",
    "city": "Hamburg",
    "country": "DE",
}


def now():
    return datetime.utcnow().replace(microsecond=0)


@pytest.fixture
def emulator():
    app = KauflandEmulator()
    with EmulatorServer(app) as server:
        app.url = server.url
        yield app


@pytest.fixture
def sleeps():
    return []


def make_client(emulator, sleeps, **kwargs):
    params = {"base_url": emulator.url + "/v2", "sleep": sleeps.append, "timeout": 5}
    params.update(kwargs)
    return KauflandClient(
        params.pop("client_key", DEMO_CLIENT_KEY), params.pop("secret_key", DEMO_SECRET_KEY), **params
    )


@pytest.fixture
def client(emulator, sleeps):
    return make_client(emulator, sleeps)


@pytest.fixture
def seeded(emulator):
    emulator.seed_demo()
    return emulator


# --- signature ------------------------------------------------------------------


def test_signature_worked_example():
    for method, uri, body, expected in (
        ("GET", GET_URI, "", GET_SIGNATURE),
        ("PATCH", SEND_URI, SEND_BODY, SEND_SIGNATURE),
    ):
        independent = hmac.new(
            DOCS_SECRET.encode(), f"{method}\n{uri}\n{body}\n1700000000".encode(), hashlib.sha256
        ).hexdigest()
        assert sign_request(method, uri, body, 1700000000, DOCS_SECRET) == independent == expected
        assert sign_request(method, uri, body.encode(), "1700000000", DOCS_SECRET) == expected


def test_client_signs_the_url_and_body_it_sends():
    client = KauflandClient("k" * 32, DOCS_SECRET, clock=lambda: 1700000000)
    url = client.url(
        "order-units", {"storefront": "de", "status": ["need_to_be_sent"], "limit": 100, "offset": 0}
    )
    assert url == GET_URI
    headers = {}
    assert client._sign("GET", url, b"", headers) == GET_URI
    assert headers == {
        "Shop-Client-Key": "k" * 32,
        "Shop-Timestamp": "1700000000",
        "Shop-Signature": GET_SIGNATURE,
    }
    body = json.dumps(
        {"tracking_numbers": "0034123456789", "carrier_code": "DHL"}, separators=(",", ":")
    ).encode()
    client._sign("PATCH", client.url("order-units/314567896580917/send"), body, headers)
    assert headers["Shop-Signature"] == SEND_SIGNATURE
    # the ISO timestamp filter is strictly encoded, as PHP's http_build_query does
    assert client.url("order-units", {"ts_updated_from_iso": "2024-01-02T03:04:05Z"}).endswith(
        "?ts_updated_from_iso=2024-01-02T03%3A04%3A05Z"
    )


# --- authentication -----------------------------------------------------------


def test_ping_and_headers(emulator, client):
    assert client.ping() == "Never tell me the odds"
    request = emulator.requests_to("GET", "/status/ping")[-1]
    assert request.headers["User-Agent"].startswith("Odoo-Channel-Connectors-Kaufland")
    assert request.headers["Shop-Client-Key"] == DEMO_CLIENT_KEY
    assert request.path == "/v2/status/ping"


def test_auth_failures_are_clear_and_secret_free(emulator, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    wrong_secret = "f" * 64
    with pytest.raises(ChannelAuthError) as info:
        make_client(emulator, sleeps, secret_key=wrong_secret).ping()
    assert "Signature is not valid" in str(info.value) and "Secret Key" in str(info.value)
    with pytest.raises(ChannelAuthError, match="Invalid client key"):
        make_client(emulator, sleeps, client_key="x" * 32).ping()
    with pytest.raises(ChannelAuthError, match="too far from the server time"):
        make_client(emulator, sleeps, clock=lambda: time.time() - 600).ping()
    with pytest.raises(ChannelAuthError, match="Client Key and Secret Key are missing"):
        make_client(emulator, sleeps, secret_key="")
    assert sleeps == []  # auth errors are not retried
    assert wrong_secret not in caplog.text and DEMO_SECRET_KEY not in caplog.text
    assert DEMO_SECRET_KEY not in repr(make_client(emulator, sleeps))


def test_emulator_checks_signature_over_full_uri(emulator):
    ts = str(int(time.time()))
    signed_url = f"{emulator.url}/v2/units?storefront=de"
    headers = {
        "Shop-Client-Key": DEMO_CLIENT_KEY,
        "Shop-Timestamp": ts,
        "User-Agent": "test",
        "Shop-Signature": sign_request("GET", signed_url, "", ts, DEMO_SECRET_KEY),
    }
    assert requests.get(signed_url, headers=headers, timeout=5).status_code == 200
    tampered = requests.get(f"{emulator.url}/v2/units?storefront=at", headers=headers, timeout=5)
    assert tampered.status_code == 401
    assert tampered.json()["type"] == "/problems/corrupted-signature"
    no_agent = requests.get(signed_url, headers=dict(headers, **{"User-Agent": ""}), timeout=5)
    assert no_agent.json()["type"] == "/problems/missing-or-invalid-request-header"


# --- orders ---------------------------------------------------------------------


def test_fetch_orders_groups_units_across_pages(seeded, client):
    big = seeded.add_order([("DEMO-005", 101, 1899, 7)], SHIP_TO, "bulk@example.de")
    raws = list(client.fetch_raw_orders(now() - timedelta(days=2), ["de", "at", "cz"], ["need_to_be_sent"]))
    by_id = {raw.external_id: raw for raw in raws}
    assert len(raws) == 11  # the ten demo orders (two with cancelled units) and the big one
    pages = seeded.requests_to("GET", "/order-units$")
    de_offsets = [r.arg("offset") for r in pages if r.arg("storefront") == "de"]
    assert de_offsets == ["0", "100"] and {r.arg("limit") for r in pages} == {"100"}
    assert all(r.arg("ts_updated_from_iso").endswith("Z") for r in pages)
    assert not seeded.requests_to("GET", "/orders/")  # new orders arrive complete
    payload = by_id[big].payload
    assert len(payload["order_units"]) == 101 and payload["buyer"]["email"] == "bulk@example.de"
    assert "buyer" not in payload["order_units"][0]
    order = adapter.parse_order(payload)
    assert [(ln.sku, ln.quantity) for ln in order.lines] == [("DEMO-005", Decimal(101))]
    assert len(order.lines[0].external_id.split(",")) == 101
    assert by_id[big].updated_at == order.updated_at
    storefronts = {adapter.parse_order(r.payload).storefront for r in raws}
    assert storefronts == {"de", "at", "cz"}


def test_old_order_with_a_changed_unit_is_read_whole(emulator, client):
    created = now() - timedelta(days=3)
    shipped = emulator.add_order([("SKU-A", 2, 1000, 19)], SHIP_TO, "a@example.de", created=created)
    old = emulator.add_order([("SKU-B", 2, 1500, 19)], SHIP_TO, "b@example.de", created=created)
    first, second = (u["id_order_unit"] for u in emulator.units_of_order(old))
    emulator.set_unit_status(first, "cancelled", "NoInventory")
    emulator.set_unit_status(emulator.units_of_order(shipped)[0]["id_order_unit"], "sent")
    raws = list(client.fetch_raw_orders(now() - timedelta(hours=1), ["de"], ["need_to_be_sent"]))
    assert [r.external_id for r in raws] == [old]  # the shipped one needs no extra call
    assert len(emulator.requests_to("GET", "/orders/")) == 1
    order = adapter.parse_order(raws[0].payload)
    assert [(ln.external_id, ln.quantity, ln.status) for ln in order.lines] == [
        (str(second), 1, "need_to_be_sent")
    ]
    assert order.total_incl == Decimal("15.00")  # the shipping came with the cancelled unit
    assert "NoInventory" in order.note and not order.cancelled
    # same shape from both endpoints: an unchanged order never looks changed
    listed = adapter.order_payload([dict(u) for u in emulator.units_of_order(old)])
    full = client.get_order_payload(old)
    assert listed == full


def test_parse_full_business_order(emulator, client):
    emulator.add_offer("CUP-01", "4000000000017", "Espresso Cup", 2999)
    id_order = emulator.add_order(
        [("CUP-01", 2, 2999, 19), ("BEANS-1", 1, 799, 7)],
        SHIP_TO,
        "Einkauf@Muster.example",
        billing=ADDRESS,
        created=datetime(2025, 3, 1, 9, 30),
    )
    order = adapter.parse_order(client.get_order_payload(id_order))
    assert order.external_id == order.reference == id_order
    assert order.status == "need_to_be_sent" and not order.cancelled
    assert order.created_at == datetime(2025, 3, 1, 9, 30) and order.created_at.tzinfo is None
    assert order.currency == "EUR" and order.storefront == "de" and order.prices_include_tax
    cups, beans = order.lines
    assert (cups.sku, cups.ean, cups.title, cups.quantity) == ("CUP-01", "4000000000017", "Espresso Cup", 2)
    assert (cups.unit_price_incl, cups.tax_rate) == (Decimal("29.99"), Decimal("19.0"))
    assert len(cups.external_id.split(",")) == 2
    assert (beans.sku, beans.quantity, beans.unit_price_incl, beans.tax_rate) == (
        "BEANS-1",
        1,
        Decimal("7.99"),
        Decimal("7.0"),
    )
    assert order.shipping_incl == Decimal("3.90") and order.shipping_tax_rate == Decimal("19.0")
    assert order.total_incl == Decimal("71.87")  # 2 x 29.99 + 7.99 + 3.90
    assert order.discounts == []  # Kaufland exposes no vouchers
    assert order.buyer_email == "einkauf@muster.example" and order.buyer_is_business
    billing, shipping = order.billing, order.shipping
    assert (billing.company, billing.first_name, billing.last_name) == ("Muster Café GmbH", "Max", "Muster")
    assert (billing.street, billing.house_number, billing.street2) == ("Friedrichstraße", "100", "Hinterhaus")
    assert (billing.zip, billing.city, billing.country_code, billing.phone) == (
        "10117",
        "Berlin",
        "DE",
        "+4930123",
    )
    assert (shipping.full_name, shipping.street, shipping.house_number, shipping.city) == (
        "Erika Muster",
        "Lagerweg",
        "7a",
        "Hamburg",
    )
    assert shipping.company == "" and shipping.email == "einkauf@muster.example"
    assert order.payment_method == "kaufland" and not order.channel_collects_vat


def test_parse_other_storefront_and_cancelled_order(emulator, client):
    cz = emulator.add_order([("DEMO-005", 1, 46900, 21)], dict(SHIP_TO, country="CZE"), storefront="cz")
    order = adapter.parse_order(client.get_order_payload(cz))
    assert order.currency == "CZK" and order.total_incl == Decimal("472.90")
    assert order.shipping.country_code == "CZ"
    gone = emulator.add_order([("DEMO-006", 1, 799, 19)], SHIP_TO)
    emulator.set_unit_status(emulator.units_of_order(gone)[0]["id_order_unit"], "cancelled", "BuyerCancelled")
    order = adapter.parse_order(client.get_order_payload(gone))
    assert order.cancelled and order.status == "cancelled" and order.lines[0].status == "cancelled"


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"order_units": [{}]}, "no id_order"),
        ({"id_order": "X1", "order_units": []}, "no order units"),
        ({"id_order": "X1", "order_units": [{"id_order_unit": 1, "price": "abc"}]}, "price"),
        ({"id_order": "X1", "order_units": [{"id_order_unit": 1, "price": 19.5}]}, "cents"),
        (
            {
                "id_order": "X1",
                "order_units": [
                    {"id_order_unit": 1, "price": 100, "currency": "EUR"},
                    {"id_order_unit": 2, "price": 100, "currency": "PLN"},
                ],
            },
            "mixes currencies",
        ),
    ],
)
def test_parse_bad_payloads(payload, message):
    with pytest.raises(ChannelDataError, match=message):
        adapter.parse_order(payload)


# --- rate limits and faults -----------------------------------------------------


def test_rate_limit_is_waited_out(emulator, client, sleeps):
    emulator.inject("429", count=2)
    assert client.ping()
    assert sleeps == [1.0, 1.0]  # Retry-After honoured


def test_real_token_bucket_429(emulator):
    emulator.rate_limit = (1, 2)  # burst of 2, then one per second: calls 3 and 4 must wait
    client = make_client(emulator, [], sleep=time.sleep)
    for _n in range(4):
        assert client.ping()
    assert any(r.path.endswith("/status/ping") for r in emulator.requests_to())
    assert client.calls > 4  # some calls were answered 429 and repeated after waiting


@pytest.mark.parametrize("kind", ["500", "502", "503", "429-no-retry-after", "reset", "malformed"])
def test_transient_faults_are_retried(emulator, client, sleeps, kind):
    emulator.inject(kind, count=1)
    assert client.ping() == "Never tell me the odds"
    assert client.calls == 2


def test_timeout_is_retried(emulator, sleeps):
    emulator.timeout_seconds = 2
    client = make_client(emulator, sleeps, timeout=1)
    emulator.inject("timeout", count=1)
    assert client.ping()
    assert len(sleeps) == 1


def test_truncated_page_is_asked_again(seeded, client):
    seeded.add_order([("DEMO-005", 101, 1899, 7)], SHIP_TO)
    seeded.inject("truncate", count=1, path="/order-units$")
    raws = list(client.fetch_raw_orders(now() - timedelta(days=2), ["de"], None))
    units = sum(len(r.payload["order_units"]) for r in raws)
    assert units == len([u for u in seeded.order_units.values() if u["storefront"] == "de"])
    assert units > 101  # nothing lost: the short page was read again
    seeded.inject("truncate", count=2, path="/order-units$")
    with pytest.raises(ChannelRetryableError, match="incomplete page"):
        list(client.fetch_raw_orders(now() - timedelta(days=2), ["de"], None))


def test_persistent_faults_end_in_clear_errors(emulator, client, sleeps):
    emulator.inject("503", count=10)
    with pytest.raises(ChannelRetryableError, match="server error 503"):
        client.ping()
    assert len(sleeps) == client.max_retries
    emulator.reset_log()
    emulator.inject("expired-token", count=1)
    with pytest.raises(ChannelAuthError, match="Secret Key"):
        client.ping()


def test_request_validation_errors(emulator, client):
    with pytest.raises(ChannelRequestError, match="storefront: is required"):
        client.request("GET", "units")
    with pytest.raises(ChannelRequestError, match="limit"):
        client.request("GET", "order-units", params={"limit": 101})
    with pytest.raises(ChannelRequestError, match="bulk-too-many-units|at most 150"):
        client.request(
            "POST",
            "units/bulk",
            params={"storefront": "de"},
            json_body=[{"id_unit": i, "unit_data": {"amount": 1}} for i in range(1, 152)],
        )


# --- stock ------------------------------------------------------------------------


def test_push_stock_in_bulk(seeded, client):
    known = seeded.offer("DEMO-002")["id_unit"]
    items = [
        StockItem(sku="DEMO-001", quantity=7),
        StockItem(sku="DEMO-002", quantity=0, external_id=str(known)),
        StockItem(sku="DEMO-004", quantity=-3),
        StockItem(sku="NOPE-1", quantity=1),
    ]
    result = client.push_stock(items, ["de", "at"])
    assert seeded.offer("DEMO-001")["amount"] == 7 and seeded.offer("DEMO-001", "at")["amount"] == 7
    assert seeded.offer("DEMO-002")["amount"] == 0 and seeded.offer("DEMO-002", "at")["amount"] == 0
    assert seeded.offer("DEMO-004")["amount"] == 0  # never negative
    assert result.external_ids == {
        "DEMO-001": str(seeded.offer("DEMO-001")["id_unit"]),
        "DEMO-002": str(known),
        "DEMO-004": str(seeded.offer("DEMO-004")["id_unit"]),
    }
    assert "NOPE-1" in result.errors and "create the offer first" in result.errors["NOPE-1"]
    # DEMO-004 is not offered on kaufland.at, a secondary storefront: nothing to update there,
    # and no error (the engine would otherwise resend it forever)
    assert set(result.errors) == {"NOPE-1"}
    bulk = seeded.requests_to("POST", "/units/bulk")
    assert [r.arg("storefront") for r in bulk] == ["de", "at"]
    assert {"id_unit": known, "unit_data": {"amount": 0}} in bulk[0].json
    # one listing per storefront, no lookup per SKU (the bound DEMO-002 is trusted on de)
    listings = seeded.requests_to("GET", "/units$")
    assert [(r.arg("storefront"), r.arg("offset"), r.arg("id_offer"), r.arg("ean")) for r in listings] == [
        ("de", "0", None, None),
        ("at", "0", None, None),
    ]


def test_push_stock_bound_items_need_no_listing(seeded, client):
    items = [
        StockItem(sku=sku, quantity=3, external_id=str(seeded.offer(sku)["id_unit"]), storefront="de")
        for sku in ("DEMO-001", "DEMO-002")
    ]
    assert not client.push_stock(items, ["de", "at"]).errors
    assert not seeded.requests_to("GET")
    assert [r.arg("storefront") for r in seeded.requests_to("POST", "/units/bulk")] == ["de"]


def _catalogue(emulator, count, storefront="de"):
    for n in range(count):
        emulator.add_offer(f"OTHER-{n:03d}", ean13(f"{410000000000 + n}"), f"Other {n}", 100, 1, storefront)


def test_push_stock_pages_through_the_listing_and_matches_by_ean(emulator, client):
    emulator.add_offer("DEMO-001", DEMO_001_EAN, "Cup", 1999)
    emulator.add_offer("DEMO-001", DEMO_001_EAN, "Cup", 1999, storefront="at")
    _catalogue(emulator, 120, "at")
    # on at the seller offers this EAN under another offer id, after the first page
    emulator.add_offer("AT-CUP-2", ean13("400000000002"), "Cup 2", 1999, storefront="at")
    items = [
        StockItem(sku="DEMO-001", quantity=4, ean=DEMO_001_EAN),
        StockItem(sku="DEMO-002", quantity=6, ean=ean13("400000000002")),
    ]
    result = client.push_stock(items, ["de", "at"])
    assert result.errors == {
        "DEMO-002": f"de: no Kaufland offer with offer id DEMO-002 or EAN {items[1].ean}; "
        "create the offer first (export products)."
    }
    listings = emulator.requests_to("GET", "/units$")
    assert [(r.arg("storefront"), r.arg("offset")) for r in listings] == [
        ("de", "0"),
        ("at", "0"),
        ("at", "100"),
    ]
    assert all(r.arg("limit") == "100" and r.arg("id_offer") is None for r in listings)
    bulk = {r.arg("storefront"): r.json for r in emulator.requests_to("POST", "/units/bulk")}
    assert bulk == {
        "de": [{"id_unit": emulator.offer("DEMO-001")["id_unit"], "unit_data": {"amount": 4}}],
        "at": [
            {"id_unit": emulator.offer("DEMO-001", "at")["id_unit"], "unit_data": {"amount": 4}},
            {"id_unit": emulator.offer("AT-CUP-2", "at")["id_unit"], "unit_data": {"amount": 6}},
        ],
    }


def test_push_stock_stops_listing_when_every_sku_is_found(emulator, client):
    emulator.add_offer("DEMO-001", DEMO_001_EAN, "Cup", 1999)
    _catalogue(emulator, 250)
    assert not client.push_stock([StockItem(sku="DEMO-001", quantity=1)], ["de"]).errors
    assert [r.arg("offset") for r in emulator.requests_to("GET", "/units$")] == ["0"]


def test_push_stock_looks_up_few_missing_items_in_a_large_catalogue(emulator, client):
    _catalogue(emulator, 450)
    emulator.add_offer("DEMO-001", DEMO_001_EAN, "Cup", 1999)  # on the last page
    result = client.push_stock([StockItem(sku="DEMO-001", quantity=2, ean=DEMO_001_EAN)], ["de"])
    assert not result.errors
    assert emulator.offer("DEMO-001")["amount"] == 2
    # after the first page 4 pages were left: one lookup by offer id is cheaper
    requests = emulator.requests_to("GET", "/units$")
    assert [(r.arg("offset"), r.arg("id_offer")) for r in requests] == [("0", None), (None, "DEMO-001")]


def test_push_stock_chunks_of_150(emulator, client):
    items = []
    for n in range(160):
        unit = emulator.add_offer(f"S-{n:03d}", f"{4100000000000 + n}", f"Item {n}", 100)
        items.append(StockItem(sku=f"S-{n:03d}", quantity=n, external_id=str(unit["id_unit"])))
    result = client.push_stock(items, ["de"])
    assert not result.errors
    assert [len(r.json) for r in emulator.requests_to("POST", "/units/bulk")] == [150, 10]
    assert emulator.offer("S-159")["amount"] == 159


def test_push_stock_reports_per_unit_errors(emulator, client):
    result = client.push_stock([StockItem(sku="GONE", quantity=2, external_id="999")], ["de"])
    assert result.errors == {"GONE": "de: Unit not found"}


# --- products -------------------------------------------------------------------


def test_push_products_create_only_and_update(seeded, client):
    new = ChannelProduct(
        sku="NEW-1",
        ean="4006381333931",
        name="Pour-over Kettle",
        description="1 l",
        price=Decimal("39.90"),
        quantity=Decimal(4),
        brand="Demo",
    )
    existing = ChannelProduct(sku="DEMO-001", ean=DEMO_001_EAN, name="Espresso Cups", price=Decimal("21.50"))
    result = client.push_products([new, existing], ["de"], update=False)
    created = seeded.offer("NEW-1")
    assert created["listing_price"] == 3990 and created["amount"] == 4 and created["handling_time"] == 1
    assert created["status"] == "AVAILABLE"  # product data sent because the EAN was unknown
    assert seeded.product_data[("de-DE", "4006381333931")]["title"] == ["Pour-over Kettle"]
    assert seeded.offer("DEMO-001")["listing_price"] == 1999  # create only: untouched
    assert result.external_ids == {
        "NEW-1": str(created["id_unit"]),
        "DEMO-001": str(seeded.offer("DEMO-001")["id_unit"]),
    }
    assert not seeded.requests_to("PATCH", "/units/")
    existing.external_id = result.external_ids["DEMO-001"]
    result = client.push_products([existing], ["de"], update=True)
    assert not result.errors and seeded.offer("DEMO-001")["listing_price"] == 2150
    assert seeded.product_data[("de-DE", DEMO_001_EAN)]["title"] == ["Espresso Cups"]


def test_push_products_errors_per_product(emulator, client):
    no_ean = ChannelProduct(sku="X-1", name="No barcode", price=Decimal("5"))
    net = ChannelProduct(
        sku="X-2",
        ean="4006381333931",
        name="Net",
        price=Decimal("10"),
        price_includes_tax=False,
        tax_rate=Decimal("19"),
    )
    eur_on_cz = ChannelProduct(
        sku="X-3", ean="4006381333948", name="Euro", price=Decimal("10"), currency="EUR"
    )
    result = client.push_products([no_ean, net, eur_on_cz], ["de", "cz"])
    assert "set a barcode" in result.errors["X-1"]
    assert emulator.offer("X-2")["listing_price"] == 1190
    # a euro price is never listed on cz (CZK), a secondary storefront: skipped, not an error
    assert set(result.errors) == {"X-1"}
    assert emulator.offer("X-3")["listing_price"] == 1000
    assert emulator.offer("X-3", "cz") is None and emulator.offer("X-2", "cz") is None
    # on the storefront the bindings point to, the wrong currency is an error
    result = client.push_products([eur_on_cz], ["cz"])
    assert "cz" in result.errors["X-3"] and "CZK" in result.errors["X-3"]


# --- shipments and cancellations -------------------------------------------------


def test_confirm_shipment_sends_each_unit_once(emulator, client):
    id_order = emulator.add_order([("CUP-01", 3, 2999, 19), ("TEA-1", 1, 599, 7)], SHIP_TO)
    lines = adapter.parse_order(client.get_order_payload(id_order)).lines
    shipment = ChannelShipment(
        order_external_id=id_order,
        carrier_code="DHL",
        tracking_numbers=["0034123456789", "0034987654321"],
        lines=[ShipmentLine(sku="CUP-01", quantity=2, line_external_id=lines[0].external_id)],
    )
    sent = client.confirm_shipment(shipment)
    assert sent == lines[0].external_id.split(",")[:2]
    assert emulator.shipments[0]["tracking_numbers"] == "0034123456789,0034987654321"
    assert emulator.shipments[0]["carrier_code"] == "DHL"
    # the rest: no lines = every unit still to send; a repeat sends nothing
    assert len(client.confirm_shipment(ChannelShipment(id_order, "DHL", tracking_numbers=["1"]))) == 2
    assert client.confirm_shipment(shipment) == []
    assert {u["status"] for u in emulator.units_of_order(id_order)} == {"sent"}
    with pytest.raises(ChannelRequestError, match="403"):  # a business refusal, not an auth error
        client.request(
            "PATCH", f"order-units/{sent[0]}/send", json_body={"tracking_numbers": "1", "carrier_code": "DHL"}
        )
    with pytest.raises(ChannelDataError, match="tracking number"):
        client.confirm_shipment(ChannelShipment(id_order, "DPD"))


def test_cancel_units(emulator, client):
    id_order = emulator.add_order([("CUP-01", 2, 2999, 19)], SHIP_TO)
    ids = [str(u["id_order_unit"]) for u in emulator.units_of_order(id_order)]
    assert client.cancel_units(id_order, ids[:1], "out of stock") == ids[:1]
    unit = emulator.units_of_order(id_order)[0]
    assert unit["status"] == "cancelled" and unit["cancel_reason"] == "GeneralAdjustment"
    assert client.cancel_units(id_order, ids, "NoInventory") == ids[1:]  # already cancelled: skipped
    assert emulator.units_of_order(id_order)[1]["cancel_reason"] == "NoInventory"


# --- catalogue --------------------------------------------------------------------


def test_catalogue(seeded, client):
    products = list(client.iter_catalogue(["de", "at"]))
    assert len(products) == 13
    first = products[0]
    assert (first.sku, first.ean, first.name) == ("DEMO-001", DEMO_001_EAN, "Espresso Cup Set (4 pcs)")
    assert (first.price, first.quantity, first.currency) == (Decimal("19.99"), Decimal(25), "EUR")
    assert first.external_id == str(seeded.offer("DEMO-001")["id_unit"])
    skus = [p.sku for p in products]
    assert skus[:10] == [f"DEMO-{n:03d}" for n in range(1, 11)]
    assert all(
        adapter.storefront_currency(sf) == c for sf, c in (("cz", "CZK"), ("pl", "PLN"), ("at", "EUR"))
    )
