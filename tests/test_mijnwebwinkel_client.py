"""MijnWebwinkel client, adapter and catalogue sync against the emulator over real HTTP."""

import base64
import logging
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from odoo.addons.connector_base.exceptions import ChannelAuthError, ChannelRetryableError
from odoo.addons.connector_base.schema import (
    ChannelDataError,
    ChannelProduct,
    ChannelShipment,
    StockItem,
)
from odoo.addons.shop_mijnwebwinkel import adapter
from odoo.addons.shop_mijnwebwinkel.catalog import MijnWebwinkelSync
from odoo.addons.shop_mijnwebwinkel.client import MijnWebwinkelClient
from tests.emulators.base import EmulatorServer
from tests.emulators.mijnwebwinkel import PARTNER_TOKEN, SHOP_TOKEN, MijnWebwinkelEmulator

PNG_A = b"\x89PNG\r\n\x1a\n" + b"A" * 32
PNG_B = b"\x89PNG\r\n\x1a\n" + b"B" * 32


@pytest.fixture()
def emulator():
    app = MijnWebwinkelEmulator()
    app.rate_limit = None  # rate limits get their own test
    app.seed_demo()
    server = EmulatorServer(app).start()
    app.url = server.url
    yield app
    server.stop()


def make_client(emulator, partner=PARTNER_TOKEN, shop=SHOP_TOKEN, **kwargs):
    sleeps = []
    client = MijnWebwinkelClient(
        partner,
        shop,
        base_url=f"{emulator.url}/v1/",
        sleep=sleeps.append,
        timeout=kwargs.pop("timeout", 5),
        **kwargs,
    )
    client.sleeps = sleeps
    return client


# --- auth -------------------------------------------------------------------------


def test_auth_success_sends_tokens_as_query_parameters(emulator):
    client = make_client(emulator)
    assert adapter.store_name(client.get_store()) == "Demo Webwinkel"
    request = emulator.requests_to("GET", "/v1/store")[-1]
    assert request.arg("partner_token") == PARTNER_TOKEN
    assert request.arg("token") == SHOP_TOKEN
    assert request.arg("format") == "json"
    assert request.arg("language") == "nl_NL"


def test_bare_host_means_the_v1_api(emulator):
    client = MijnWebwinkelClient(PARTNER_TOKEN, SHOP_TOKEN, base_url=emulator.url)
    assert client.base_url == f"{emulator.url}/v1/"
    assert adapter.store_name(client.get_store()) == "Demo Webwinkel"


def test_auth_failure_is_clear_and_secret_free(emulator, caplog):
    client = make_client(emulator, shop="wrong-secret-token")
    with caplog.at_level(logging.DEBUG), pytest.raises(ChannelAuthError) as info:
        client.get_store()
    message = str(info.value)
    assert "401" in message and "Invalid or missing token" in message
    assert "Instellingen" in message  # says where to fix it
    assert "wrong-secret-token" not in message
    assert "wrong-secret-token" not in caplog.text
    assert PARTNER_TOKEN not in caplog.text
    assert "[REDACTED]" in caplog.text


def test_missing_partner_token_refused(emulator):
    with pytest.raises(ChannelAuthError):
        make_client(emulator, partner="").get_store()


# --- orders: fetch, pagination, faults ----------------------------------------------


def test_orders_paginate_with_count_and_filters(emulator):
    client = make_client(emulator, page_size=3)
    orders = list(client.iter_orders(status_id=3))
    numbers = [o["number"] for o in orders]
    assert len(numbers) == 8  # 10 seeded + 1 test; 1 pending and 1 shipped are other statuses
    assert numbers == sorted(numbers)
    assert all(not str(n).startswith("T-") for n in numbers)
    pages = emulator.requests_to("GET", r"/v1/orders$")
    assert [r.arg("offset") for r in pages] == ["0", "3", "6"]
    assert all(r.arg("limit") == "3" and r.arg("status_id") == "3" for r in pages)
    assert emulator.requests_to("GET", "/v1/orders/count")


def test_orders_since_uses_status_changed_filter_in_shop_time(emulator):
    client = make_client(emulator)
    newest = max(emulator.orders.values(), key=lambda o: (o["status_changed_date"], o["status_changed_time"]))
    since_local = datetime.fromisoformat(f"{newest['status_changed_date']}T{newest['status_changed_time']}")
    since_utc = adapter.order_updated_at(newest)
    orders = list(client.iter_orders(changed_since=since_utc))
    assert {str(o["number"]) for o in orders} >= {str(newest["number"])}
    sent = emulator.requests_to("GET", r"/v1/orders$")[-1].arg("status_changed_start_date")
    assert sent == since_local.strftime("%Y-%m-%d %H:%M:%S")


def test_truncated_page_is_detected_through_count(emulator):
    client = make_client(emulator, page_size=4)
    emulator.inject("truncate", count=1, path=r"/v1/orders$")
    orders = list(client.iter_orders(status_id=3))
    assert len(orders) == 8
    assert len({o["number"] for o in orders}) == 8


@pytest.mark.parametrize("kind", ["500", "502", "503", "429", "reset", "429-no-retry-after"])
def test_transient_faults_are_retried(emulator, kind):
    client = make_client(emulator)
    emulator.inject(kind, count=1, path=r"/v1/store")
    assert adapter.store_name(client.get_store()) == "Demo Webwinkel"
    assert len(emulator.requests_to("GET", "/v1/store")) == 2
    if kind == "429":
        assert client.sleeps == [1.0]  # Retry-After honoured


def test_malformed_answer_is_a_retryable_error(emulator):
    client = make_client(emulator)
    emulator.inject("malformed", count=1, path=r"/v1/orders$")
    with pytest.raises(ChannelRetryableError, match="malformed"):
        list(client.iter_orders(status_id=3))
    assert len(list(client.iter_orders(status_id=3))) == 8  # the job queue's retry succeeds


def test_timeout_is_retried(emulator):
    emulator.timeout_seconds = 1.5
    client = make_client(emulator, timeout=0.5)
    emulator.inject("timeout", count=1, path=r"/v1/store")
    assert adapter.store_name(client.get_store()) == "Demo Webwinkel"


def test_persistent_fault_ends_in_retryable_error(emulator):
    client = make_client(emulator, max_retries=2)
    emulator.inject("503", count=5, path=r"/v1/store")
    with pytest.raises(ChannelRetryableError) as info:
        client.get_store()
    assert "503" in str(info.value)


def test_expired_token_is_an_auth_error(emulator):
    client = make_client(emulator)
    emulator.inject("expired-token", count=1, path=r"/v1/store")
    with pytest.raises(ChannelAuthError):
        client.get_store()


def test_rate_limit_is_waited_out(emulator):
    emulator.rate_limit = (4, 2)
    emulator.limiters.clear()
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    client = MijnWebwinkelClient(PARTNER_TOKEN, SHOP_TOKEN, base_url=f"{emulator.url}/v1/", sleep=sleep)
    for _i in range(5):
        client.get_store()
    assert waits and all(w >= 1 for w in waits)
    assert any(r for r in emulator.requests_to("GET", "/v1/store"))


# --- adapter: full order mapping --------------------------------------------------------


def _order(emulator, email):
    return next(o for o in emulator.orders.values() if o["debtor"]["email"] == email)


def test_parse_consumer_order_with_discount_payment_costs_and_note(emulator):
    payload = next(o for o in emulator.orders.values() if o["discountcode"] == "WELKOM5")
    order = adapter.parse_order(payload)
    assert order.external_id == order.reference == str(payload["number"])
    assert order.status == "paid"
    assert order.currency == "EUR"
    assert order.prices_include_tax is True
    assert order.payment_method == "mollie/ideal"
    assert order.note == "Graag snel leveren"
    assert order.buyer_email == "jan@example.nl" and not order.buyer_is_business
    (line,) = order.lines
    assert line.sku == "DEMO-004" and line.ean == ""  # OrderArticle has no EAN
    assert line.quantity == Decimal("1")
    assert line.unit_price_incl == Decimal("29.950000")
    assert line.unit_price_excl == Decimal("24.752066")
    assert line.tax_rate == Decimal("21")
    # shipping 4.95; the payment costs 0.29 are a fee
    assert order.shipping_incl == Decimal("4.95")
    (fee,) = order.fees
    assert (fee.code, fee.title, fee.amount_incl) == ("payment", "Transactiekosten", Decimal("0.29"))
    assert fee.tax_rate == Decimal("21")
    assert order.shipping_method == "PostNL pakket"
    assert order.shipping_tax_rate == Decimal("21")
    (discount,) = order.discounts
    assert discount.code == "WELKOM5" and discount.amount_incl == Decimal("5.00")
    assert order.total_incl == Decimal("30.19")  # 29.95 + 4.95 + 0.29 - 5.00
    assert order.total_excl == Decimal("24.95")
    assert order.billing.street == "Dorpsstraat" and order.billing.house_number == "1"
    assert order.billing.zip == "1234 AB" and order.billing.country_code == "NL"
    assert order.shipping.full_name == "Jan Jansen" and order.shipping.vat == ""


def test_parse_business_order_reverse_charge(emulator):
    order = adapter.parse_order(_order(emulator, "inkoop@dehaan.de"))
    assert order.buyer_is_business
    assert order.buyer_vat == "DE136695976"
    assert order.billing.company == "De Haan GmbH" and order.billing.country_code == "DE"
    assert order.shipping.country_code == "DE"
    (line,) = order.lines
    assert line.tax_rate == Decimal("0") and line.quantity == Decimal("5")
    assert line.unit_price_incl == line.unit_price_excl == Decimal("20.620000")  # 24.95 / 1.21
    assert order.total_incl == order.total_excl == Decimal("107.19")  # 5 * 20.62 + 4.09
    assert "PO-7781" in order.note


def test_parse_separate_delivery_address_and_variant_line(emulator):
    order = adapter.parse_order(_order(emulator, "piet@example.nl"))
    assert order.billing.full_name == "Piet de Vries"
    assert order.shipping.full_name == "Marie de Vries"
    assert order.shipping.street == "Stationsweg" and order.shipping.house_number == "7b"
    payload = _order(emulator, "anna@example.be")
    shirt = emulator.find_article("DEMO-010")
    article = payload["orderlines"][1]["articles"][0]
    assert set(article) == {"id", "description", "sku", "price", "options"}  # OrderArticle
    assert article["sku"] == "DEMO-010"  # the article's SKU, not a variant's
    # without the article's variants the line is a line of the parent SKU
    assert adapter.parse_order(payload).lines[1].sku == "DEMO-010"
    reads = []

    def get_article(aid):
        reads.append(aid)
        return make_client(emulator).get_article(aid)

    belgian = adapter.parse_order(adapter.annotate_variants(payload, get_article))
    assert reads == [str(shirt["id"])]
    assert belgian.shipping.country_code == "BE"
    variant = belgian.lines[1]
    assert (variant.sku, variant.ean, variant.parent_sku) == ("", "", "DEMO-010")
    assert variant.attributes == {"Maat": "M"}
    assert variant.channel_product_id == f"{shirt['id']}:{emulator.variant('DEMO-010-M')['id']}"
    assert "(M)" in variant.title
    # options no variant has: parked with the reason
    payload["orderlines"][1]["articles"][0]["options"] = [{"list_option_id": 999999, "description": "?"}]
    with pytest.raises(ChannelDataError, match="no variant with the chosen options"):
        adapter.parse_order(adapter.annotate_variants(payload, get_article))


def test_parse_line_price_spread_over_rates_and_bad_data():
    payload = {
        "number": "77",
        "date": "2025-03-30",
        "time": "03:30:00",
        "status": 3,
        "taxed": "include",
        "debtor": {"email": "a@b.nl", "address": {"invoice": {"name": "A", "country_code": "nl"}}},
        "price": {"tax": {"amount": "1.00", "rate": "21.00"}, "total": "12.00"},
        "orderlines": [
            {
                "id": "x",
                "type": "article",
                "quantity": 2,
                "description": "Mix",
                "price": [
                    {"amount": "5.000000", "amount_including_tax": "5.45", "rate": "9.00"},
                    {"amount": "5.000000", "amount_including_tax": "6.05", "rate": "21.00"},
                ],
                "articles": [{"id": 5, "sku": "MIX"}],
            },
        ],
        "shipping": [{"country": []}],
    }
    order = adapter.parse_order(payload)
    assert order.lines[0].tax_rate is None
    assert order.lines[0].unit_price_incl == Decimal("5.750000")
    assert order.created_at == datetime(2025, 3, 30, 1, 30)  # CEST -> UTC
    assert order.billing.country_code == "NL"
    with pytest.raises(ChannelDataError, match="quantity"):
        adapter.parse_order({**payload, "orderlines": [{**payload["orderlines"][0], "quantity": 0}]})
    with pytest.raises(ChannelDataError, match="test order"):
        adapter.parse_order({**payload, "number": "T-12"})
    with pytest.raises(ChannelDataError, match="no country"):
        adapter.parse_order({**payload, "debtor": {"address": {"invoice": {"name": "A"}}}})
    with pytest.raises(ChannelDataError, match="unknown line type"):
        adapter.parse_order(
            {
                **payload,
                "orderlines": payload["orderlines"]
                + [{"type": "gift", "quantity": 1, "price": {"amount": "1", "rate": "21"}}],
            }
        )


def test_status_names_and_raw_order(emulator):
    assert adapter.status_ids(["paid", "6", " shipped "]) == [3, 6, 2]
    with pytest.raises(ChannelDataError):
        adapter.status_ids(["betaald!"])
    payload = next(iter(emulator.orders.values()))
    raw = adapter.to_raw_order(payload)
    assert raw.external_id == str(payload["number"]) and raw.updated_at is not None


# --- outbound ------------------------------------------------------------------------


def test_stock_push_per_article_and_variant_and_unmanaged(emulator):
    sync = MijnWebwinkelSync(make_client(emulator))
    shirt = emulator.find_article("DEMO-010")
    result = sync.push_stock(
        [
            StockItem("DEMO-001", 3),
            StockItem("SHIRT-S", 7, external_id=f"{shirt['id']}:{emulator.variant('DEMO-010-S')['id']}"),
            StockItem("SHIRT-L", 2, external_id=f"{shirt['id']}:{emulator.variant('DEMO-010-L')['id']}"),
            StockItem("DEMO-002", 9, managed_by_channel=False),
            StockItem("NOPE-1", 1),
        ]
    )
    assert emulator.find_article("DEMO-001")["stock"] == 3
    assert emulator.find_article("DEMO-002")["stock"] is None  # unlimited: stock not tracked
    stock = {h: emulator.variant(h)["stock"] for h in ("DEMO-010-S", "DEMO-010-M", "DEMO-010-L")}
    assert stock == {"DEMO-010-S": 7, "DEMO-010-M": 8, "DEMO-010-L": 2}
    assert "NOPE-1" in result.errors and "publish" in result.errors["NOPE-1"]
    assert result.external_ids["SHIRT-S"].startswith(f"{shirt['id']}:")
    assert len(emulator.requests_to("PATCH", "/v1/articles/")) == 3  # one per article


def _shirt(sku, size, qty, **kw):
    return ChannelProduct(
        sku=sku,
        ean=kw.pop("ean", ""),
        name="Hoodie",
        description="<p>Warm</p>",
        price=Decimal("49.95"),
        tax_rate=Decimal("21"),
        quantity=Decimal(qty),
        category_path=["Kleding", "Truien"],
        attributes={"Maat": size},
        features={"Land van herkomst": "PT"},
        parent_sku="HOODIE",
        **kw,
    )


def test_push_configurable_product_creates_article_variants_category_images(emulator):
    sync = MijnWebwinkelSync(make_client(emulator))
    products = [
        _shirt("HOODIE-M", "M", 4, images=[PNG_A, PNG_B]),
        _shirt("HOODIE-XL", "XL", 2, images=[PNG_A, PNG_B]),
    ]
    result = sync.push_products(products)
    assert not result.errors
    article = emulator.find_article("HOODIE")
    assert article["name"] == "Hoodie" and article["price"]["default"] == "49.95"
    assert result.external_ids["HOODIE-M"].startswith(f"{article['id']}:")
    size = next(lst for lst in emulator.lists.values() if lst["name"] == "Maat")
    assert "XL" in [o["name"] for o in size["options"]]  # option added to the shop's list
    variants = {o["name"]: v for v in article["variants"] for o in v["options"]}
    assert {name: v["stock"] for name, v in variants.items()} == {"M": 4, "XL": 2}
    assert all(set(v) == {"id", "options", "stock", "can_backorder"} for v in variants.values())
    assert result.external_ids["HOODIE-XL"] == f"{article['id']}:{variants['XL']['id']}"
    assert article["extra"]["visible"]["Land van herkomst"] == "PT"
    category = emulator.categories[article["categories"][0]["category_id"]]
    assert category["title"] == "Truien"
    assert emulator.categories[category["parent_category_id"]]["title"] == "Kleding"  # reused
    assert [u[2] for u in emulator.uploads] == [1, 2]
    assert base64.b64decode(emulator.requests_to("POST", "uploadImage")[0].json["content"]) == PNG_A

    # Second push: unchanged images are not sent again; a changed one is replaced.
    emulator.reset_log()
    products[0].images = products[1].images = [PNG_A, PNG_A]
    result = MijnWebwinkelSync(make_client(emulator)).push_products(products)
    assert not result.errors
    assert len(emulator.requests_to("POST", "uploadImage")) == 1
    assert len(emulator.requests_to("DELETE", "deleteImage")) == 1
    assert not emulator.requests_to("POST", "/v1/categories")
    catalogue = list(MijnWebwinkelSync(make_client(emulator)).iter_catalogue())
    hoodie = [p for p in catalogue if p.parent_sku == "HOODIE"]
    assert {p.external_id: p.attributes for p in hoodie} == {
        result.external_ids["HOODIE-M"]: {"Maat": "M"},
        result.external_ids["HOODIE-XL"]: {"Maat": "XL"},
    }
    assert {(p.sku, p.ean) for p in hoodie} == {("", "")}  # a variant has neither
    assert hoodie[0].category_path == ["Kleding", "Truien"]
    assert hoodie[0].image_checksums == [adapter.image_checksum(PNG_A)] * 2


def test_update_product_info_off_changes_only_price_and_stock(emulator):
    before = dict(emulator.find_article("DEMO-003"))
    product = ChannelProduct(
        sku="DEMO-003",
        name="Renamed in Odoo",
        price=Decimal("21.00"),
        quantity=Decimal("6"),
        category_path=["Elders"],
        images=[PNG_A],
        features={"Land van herkomst": "BE"},
    )
    sync = MijnWebwinkelSync(make_client(emulator), update_product_info=False)
    result = sync.push_products([product])
    assert not result.errors
    article = emulator.find_article("DEMO-003")
    assert article["name"] == before["name"]
    assert article["price"]["default"] == "21.00" and article["stock"] == 6
    (patch,) = emulator.requests_to("PATCH", "/v1/articles/")
    assert set(patch.json) == {"price", "stock"}
    assert not emulator.requests_to("POST", "uploadImage")
    assert not emulator.requests_to("POST", "/v1/categories")


def test_simple_product_created_with_ean_and_missing_list_is_reported(emulator):
    sync = MijnWebwinkelSync(make_client(emulator))
    result = sync.push_products(
        [
            ChannelProduct(
                sku="NEW-1",
                ean="4006381333931",
                name="Lamp",
                price=Decimal("30"),
                tax_rate=Decimal("21"),
                quantity=Decimal("3"),
                weight=Decimal("1.250"),
            ),
            ChannelProduct(
                sku="CAP-RED",
                name="Cap",
                price=Decimal("10"),
                attributes={"Materiaal": "Wol"},
                parent_sku="CAP",
            ),
        ]
    )
    new = emulator.find_article("NEW-1")
    assert new["extra"]["invisible"] == {"barcode": "4006381333931", "weight": "1.25"}
    assert new["stock"] == 3 and result.external_ids["NEW-1"] == str(new["id"])
    assert "Materiaal" in result.errors["CAP-RED"] and "option list" in result.errors["CAP-RED"]


def test_confirm_shipment_marks_shipped_with_tracking_comment(emulator):
    number = next(n for n, o in emulator.orders.items() if o["status"] == 3)
    sync = MijnWebwinkelSync(make_client(emulator))
    shipment = ChannelShipment(order_external_id=number, carrier_name="PostNL", tracking_numbers=["3SABC123"])
    sync.confirm_shipment(shipment)
    sync.confirm_shipment(shipment)  # idempotent: the comment is not duplicated
    order = emulator.orders[number]
    assert order["status"] == 2
    assert order["comments"]["internal"] == "Shipped with PostNL, tracking 3SABC123"


def test_watermark_picks_up_orders_paid_later(emulator):
    client = make_client(emulator)
    pending = next(o for o in emulator.orders.values() if o["status"] == 1)
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    assert not list(client.iter_orders(status_id=3, changed_since=since))
    emulator.set_order_status(pending["number"], 3)
    fetched = list(client.iter_orders(status_id=3, changed_since=since))
    assert [o["number"] for o in fetched] == [pending["number"]]
