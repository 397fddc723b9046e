"""CCV Shop client, adapter and provider flows against the emulator over real HTTP (no database)."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

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
    StockItem,
)
from odoo.addons.shop_ccv import adapter, const
from odoo.addons.shop_ccv.client import CcvClient, build_base_url, compute_hash
from odoo.addons.shop_ccv.models.connector_account import ConnectorAccount
from tests.emulators.base import EmulatorServer
from tests.emulators.ccv import CcvEmulator

PUBLIC, SECRET = "demo-public", "demo-secret"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class Sleeps(list):
    """Records the waits asked for; sleeps only ``real`` seconds so buckets refill."""

    def __init__(self, real=0.0):
        super().__init__()
        self.real = real

    def __bool__(self):
        return True  # an empty record is still a sleep function

    def __call__(self, seconds):
        self.append(seconds)
        if self.real:
            time.sleep(self.real)


@pytest.fixture(scope="module")
def emulator():
    app = CcvEmulator()
    app.timeout_seconds = 2
    app.seed_demo()
    with EmulatorServer(app) as server:
        app.url = server.url
        yield app


@pytest.fixture
def emu(emulator):
    emulator.reset_log()
    return emulator


def make_client(emulator, secret=SECRET, public=PUBLIC, **kwargs):
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("timeout", 5)
    return CcvClient(build_base_url("", emulator.url), public, secret, **kwargs)


# --- signing -------------------------------------------------------------------------


def test_worked_examples_from_reference():
    date = "2025-01-15T10:00:00+00:00"
    uri = "/api/rest/v1/orders?min_create_date=2025-01-01&is_completed=false&start=0&size=100"
    assert compute_hash("a1b2c3d4e5f6", "s3cr3t", "GET", uri, "", date) == (
        "c77d6098c8bb5b0c33e1192d4eed4c22b36c58065ff4248dc07953178a7a79082bc92c577db86aa416d01326af7bbe86"
        "afd01acee5618b1fce6884f076966ba2"
    )
    body = (
        b'{"status":5,"track_and_trace_code":"3SABCD1234567","track_and_trace_carrier":"PostNL","mail":true}'
    )
    assert compute_hash("a1b2c3d4e5f6", "s3cr3t", "patch", "/api/rest/v1/orders/123456", body, date) == (
        "fbbeeccc0e82f12119d886bedd6be2f3f0de112627fff0b695dec0dcd3fda11e59df58e1941aca09b47a719e78185757"
        "a593783cdb0e97bc4eee71424f64a731"
    )


def test_sign_sets_ccv_headers_like_the_official_client():
    fixed = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    client = CcvClient("https://demo.ccvshop.nl/api/rest/v1/", "a1b2c3d4e5f6", "s3cr3t", now=lambda: fixed)
    headers = {}
    url = client.url(
        "orders", {"min_create_date": "2025-01-01", "is_completed": "false", "start": 0, "size": 100}
    )
    sent = client._sign("GET", url, b"", headers)
    assert sent == url
    assert headers["x-public"] == "a1b2c3d4e5f6"
    assert headers["x-date"] == "2025-01-15T10:00:00+00:00"
    assert headers["x-hash"].startswith("c77d6098c8bb5b0c")
    assert "s3cr3t" not in repr(client)


def test_base_url_from_domain_or_override():
    assert build_base_url("myshop.ccvshop.nl") == "https://myshop.ccvshop.nl/api/rest/v1/"
    assert build_base_url("https://www.shop.nl/", "") == "https://www.shop.nl/api/rest/v1/"
    assert build_base_url("x", "http://127.0.0.1:8071") == "http://127.0.0.1:8071/api/rest/v1/"
    assert build_base_url("", "http://127.0.0.1:8071/api/rest/v1") == "http://127.0.0.1:8071/api/rest/v1/"
    with pytest.raises(ChannelRequestError, match="shop domain"):
        build_base_url("", "")


# --- authentication ----------------------------------------------------------------------


def test_auth_success_and_signed_answer(emu):
    client = make_client(emu)
    shops = client.webshops()
    assert shops[0]["name"] == "Demo webshop"
    request = emu.requests_to("GET", "/webshops")[0]
    assert request.headers["x-public"] == PUBLIC
    assert request.headers["Accept"] == const.ACCEPT


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "wrong-secret"},
        {"public": "someone-else"},
        {"now": lambda: datetime.now(UTC) - timedelta(hours=1)},
    ],
)
def test_auth_failure_is_clear(emu, kwargs):
    client = make_client(emu, **kwargs)
    with pytest.raises(ChannelAuthError) as info:
        client.webshops()
    message = str(info.value)
    assert "public key and secret" in message and "clock" in message
    assert "wrong-secret" not in message and SECRET not in message
    assert len(emu.requests_to("GET", "/webshops")) == 1  # not retried


def test_tampered_answer_is_rejected(emu):
    client = make_client(emu, max_retries=1)
    client.session.hooks["response"].append(lambda r, *a, **k: r.headers.__setitem__("x-hash", "0" * 128))
    with pytest.raises(ChannelRetryableError, match="signature check"):
        client.webshops()
    assert len(client._sleep) == 1


def test_unsigned_answer_is_rejected(emu):
    client = make_client(emu, max_retries=0)

    def drop_hash(response, *args, **kwargs):
        response.headers.pop("x-hash", None)

    client.session.hooks["response"].append(drop_hash)
    with pytest.raises(ChannelRetryableError, match="not signed"):
        client.webshops()


# --- pagination and filters -----------------------------------------------------------------


def test_pagination_follows_next(emu):
    client = make_client(emu, page_size=3)
    orders = list(client.iter_orders(is_paid=True))
    expected = [o["id"] for o in emu.orders.values() if o["paid"] and o["is_completed"]]
    assert [o["id"] for o in orders] == sorted(expected)
    pages = emu.requests_to("GET", r"/orders$")
    assert len(pages) == -(-len(expected) // 3)
    assert [p.arg("start") for p in pages] == [str(3 * i) for i in range(len(pages))]
    assert all(p.arg("is_paid") == "true" and p.arg("orderby") == "id" for p in pages)


def test_order_filters(emu):
    client = make_client(emu)
    since = datetime.now(UTC) - timedelta(hours=6)
    recent = list(client.iter_orders(min_create_date=since, status=1))
    assert recent and all(o["status"] == 1 for o in recent)
    assert emu.requests_to("GET", r"/orders$")[0].arg("min_create_date") == since.strftime("%Y-%m-%d")
    unpaid = list(client.iter_orders(is_paid=False))
    assert [o["status"] for o in unpaid] == [4]


# --- rate limits and faults -------------------------------------------------------------------


def test_rate_limit_per_resource_is_waited_out():
    # slow refill (5/s) so the 3rd and 4th call are refused however fast the machine is;
    # each real 0.3 s wait refills more than one token
    app = CcvEmulator(resource_limit=(5, 2), total_limit=None)
    with EmulatorServer(app) as server:
        app.url = server.url
        sleeps = Sleeps(real=0.3)
        client = make_client(app, sleep=sleeps)
        for _i in range(4):
            client.webshops()
    answered = app.requests_to("GET", "/webshops")
    assert len(answered) > 4  # some were refused with 429.10 and sent again
    assert sleeps and all(s == const.RATE_LIMIT_WAIT["429.10"] for s in sleeps)


def test_rate_limit_total_uses_its_code():
    app = CcvEmulator(resource_limit=None, total_limit=(20, 1))
    with EmulatorServer(app) as server:
        app.url = server.url
        sleeps = Sleeps(real=0.1)
        client = make_client(app, sleep=sleeps)
        client.webshops()
        client.webshops()
    assert sleeps and sleeps[0] == const.RATE_LIMIT_WAIT["429.11"]


def test_rate_limit_longer_than_max_wait_goes_to_the_job_queue():
    app = CcvEmulator(resource_limit=None, total_limit=(0.01, 1))
    with EmulatorServer(app) as server:
        app.url = server.url
        client = make_client(app, max_wait=5)
        client.webshops()
        with pytest.raises(ChannelRetryableError, match="whole API") as info:
            client.webshops()
    assert info.value.retry_after == const.RATE_LIMIT_WAIT["429.11"]


@pytest.mark.parametrize(
    "kind, wait",
    [
        ("429", 1.0),
        ("429-no-retry-after", 10),
        ("500", None),
        ("502", None),
        ("503", None),
        ("reset", None),
        ("malformed", None),
    ],
)
def test_transient_faults_are_retried(emu, kind, wait):
    client = make_client(emu)
    emu.inject(kind, 1, path="/webshops")
    assert client.webshops()[0]["name"] == "Demo webshop"
    assert len(emu.requests_to("GET", "/webshops")) == 2
    assert len(client._sleep) == 1
    if wait is not None:
        assert client._sleep[0] == wait


def test_timeout_is_retried(emu):
    client = make_client(emu, timeout=0.5)
    emu.inject("timeout", 1, path="/webshops")
    assert client.webshops()
    assert len(client._sleep) == 1


def test_truncated_page_is_fetched_again(emu):
    client = make_client(emu, page_size=4)
    emu.inject("truncate", 1, path=r"/orders$")
    orders = list(client.iter_orders())
    assert len(orders) == len([o for o in emu.orders.values() if o["is_completed"]])
    assert len({o["id"] for o in orders}) == len(orders)
    assert len(client._sleep) == 1


def test_expired_credentials_are_an_auth_error(emu):
    client = make_client(emu)
    emu.inject("expired-token", 1, path="/webshops")
    with pytest.raises(ChannelAuthError):
        client.webshops()


def test_persistent_server_error_ends_in_retryable_error(emu):
    client = make_client(emu, max_retries=2)
    emu.inject("503", 5, path="/webshops")
    with pytest.raises(ChannelRetryableError, match="server error 503"):
        client.webshops()
    assert len(emu.requests_to("GET", "/webshops")) == 3
    emu.reset_log()


def test_ccv_refusal_codes_are_not_retried(emu):
    client = make_client(emu)
    product = emu.product_by_sku("DEMO-007")
    with pytest.raises(ChannelRequestError, match="file type is not accepted") as info:
        client.upload_photo(product["id"], {"file_type": "bmp", "source": "AAAA"})
    assert info.value.ccv_code == "500.22"
    assert len(emu.requests_to("POST", "/productphotos")) == 1


# --- adapter: orders -------------------------------------------------------------------------


def fetch_raw(client, order):
    return adapter.build_raw_order(order, client.order_rows(order["id"]), {})


def listed(client, **filters):
    return {o["id"]: o for o in client.iter_orders(**filters)}


def test_business_order_excl_vat_mapping(emu):
    client = make_client(emu)
    order = next(o for o in listed(client).values() if o["customer"]["btw"] == "NL859123456B01")
    raw = fetch_raw(client, order)
    assert raw.external_id == str(order["id"]) and raw.reference == order["ordernumber_full"]
    assert raw.updated_at == datetime.fromisoformat(order["create_date"].replace("Z", "")).replace(
        tzinfo=None
    )
    parsed = adapter.parse_order(raw.payload, webshop_id="1")
    assert parsed.buyer_is_business and parsed.buyer_vat == "NL859123456B01"
    assert parsed.billing.company == "Bakker Koffie B.V."
    assert parsed.billing.name == "Pieter Bakker"
    assert (parsed.billing.street, parsed.billing.house_number) == ("Industrieweg", "40")
    assert (parsed.billing.zip, parsed.billing.city, parsed.billing.country_code) == (
        "5651GJ",
        "Eindhoven",
        "NL",
    )
    assert parsed.billing.vat == "NL859123456B01" and parsed.buyer_email == "inkoop@bakkerkoffie.nl"
    assert parsed.prices_include_tax is False
    assert parsed.payment_method == "banktransfer" and parsed.shipping_method == "shipping"
    assert parsed.storefront == "1" and parsed.status == "1" and not parsed.cancelled
    first, second = parsed.lines
    # 24.95 incl. 21 % -> 20.62 excl.
    assert (first.sku, first.quantity, first.unit_price_excl, first.tax_rate) == (
        "DEMO-001",
        Decimal("10"),
        Decimal("20.62"),
        Decimal("21"),
    )
    assert first.unit_price_incl == Decimal("24.95")
    assert second.sku == "DEMO-002" and second.unit_price_excl == Decimal("16.49")
    assert parsed.shipping_excl == Decimal("4.09") and parsed.shipping_tax_rate == Decimal("21")
    assert parsed.shipping_incl == Decimal("4.95")
    net = Decimal("206.2") + Decimal("164.9") + Decimal("4.09")
    assert parsed.total_incl == Decimal(str(order["total_price"]))
    assert parsed.total_excl == net
    assert parsed.total_incl - parsed.total_excl == Decimal(str(order["total_tax"]))


def test_consumer_order_with_coupon_and_repeat_customer(emu):
    client = make_client(emu)
    orders = listed(client)
    coupon_order = next(o for o in orders.values() if o["discountcoupon"])
    parsed = adapter.parse_order(fetch_raw(client, coupon_order).payload)
    assert parsed.buyer_email == "jan.jansen@example.nl" and not parsed.buyer_is_business
    assert sum(1 for o in orders.values() if o["customer"]["email"] == "jan.jansen@example.nl") == 2
    assert (parsed.billing.street, parsed.billing.house_number) == ("Dorpsstraat", "1A")
    assert parsed.shipping.full_name == "Jan Jansen" and parsed.shipping.country_code == "NL"
    assert parsed.prices_include_tax
    [line] = parsed.lines
    assert (line.sku, line.quantity, line.unit_price_incl, line.discount_incl) == (
        "DEMO-004",
        Decimal("2"),
        Decimal("11.95"),
        Decimal("0"),
    )
    assert line.ean == ""  # simple products: the row has no EAN, the connector reads it from the product
    [discount] = parsed.discounts
    assert (discount.code, discount.amount_incl, discount.amount_excl) == (
        "WELKOM5",
        Decimal("5.0"),
        Decimal("4.13"),
    )
    assert parsed.shipping_incl == Decimal("4.95")
    assert parsed.total_incl == Decimal("23.85")  # 2 x 11.95 + 4.95 - 5


def test_variant_row_and_intra_community_order(emu):
    client = make_client(emu)
    orders = listed(client)
    variant = next(
        o for o in orders.values() if any(r["sub_product_number"] for r in client.order_rows(o["id"]))
    )
    parsed = adapter.parse_order(fetch_raw(client, variant).payload)
    shirt = next(ln for ln in parsed.lines if ln.sku == "DEMO-010-M")
    assert shirt.ean == emu.combination_by_sku("DEMO-010-M")["ean_number"]
    assert shirt.channel_product_id == str(emu.product_by_sku("DEMO-010")["id"])
    icp = next(o for o in orders.values() if o["is_intra_community_order"])
    parsed = adapter.parse_order(fetch_raw(client, icp).payload)
    assert parsed.buyer_is_business and parsed.billing.country_code == "BE"
    assert all(ln.tax_rate == 0 for ln in parsed.lines) and parsed.shipping_tax_rate == 0
    assert parsed.total_incl == parsed.total_excl


def test_payment_costs_option_and_extra_costs_are_fees(emu):
    """Payment costs, a paid payment option and positive extra costs become fee lines that,
    with rows and shipping, add up to CCV's total; negative extra costs are a discount."""
    client = make_client(emu)
    order = emu.add_order(
        emu.demo_customer(1),
        [("DEMO-003", 1)],
        paymethod_costs=0.5,
        extra_payment_option_price=2.0,
        extra_costs=1.25,
        extra_costs_description="Cadeauverpakking",
    )
    parsed = adapter.parse_order(fetch_raw(client, order).payload)
    assert [(f.code, f.title, f.amount_incl, f.amount_excl, f.tax_rate) for f in parsed.fees] == [
        ("paymethod_costs", "Payment costs iDEAL", Decimal("0.5"), Decimal("0.41"), Decimal("21")),
        ("extra_payment_option_price", "Verzekerd verzenden", Decimal("2.0"), Decimal("1.65"), Decimal("21")),
        ("extra_costs", "Cadeauverpakking", Decimal("1.25"), Decimal("1.03"), Decimal("21")),
    ]
    assert not parsed.discounts and not parsed.note
    lines = sum((ln.unit_price_incl * ln.quantity for ln in parsed.lines), Decimal(0))
    fees = sum((f.amount_incl for f in parsed.fees), Decimal(0))
    assert lines + parsed.shipping_incl + fees == parsed.total_incl == Decimal("21.20")  # 12.5+4.95+3.75
    # ex. VAT order: net fees, the gross follows from the rate
    net = emu.add_order(emu.demo_customer(2), [("DEMO-003", 1)], incl=False, paymethod_costs=1.21)
    [fee] = adapter.parse_order(fetch_raw(client, net).payload).fees
    assert (fee.amount_excl, fee.amount_incl) == (Decimal("1.0"), Decimal("1.21"))
    # a reduction in extra costs stays a discount, not a fee
    less = emu.add_order(emu.demo_customer(3), [("DEMO-003", 1)], extra_costs=-1.0)
    parsed = adapter.parse_order(fetch_raw(client, less).payload)
    assert not parsed.fees and [d.amount_incl for d in parsed.discounts] == [Decimal("1.0")]
    for added in (order, net, less):  # keep the module's seeded order set as it was
        emu.orders.pop(added["id"])


def test_raw_order_keeps_only_its_own_product_eans():
    """The EAN cache spans a whole sync: an order's payload (and so its hash) must not
    depend on which other orders were fetched with it."""
    order = {"id": 5, "ordernumber_full": "WEB5", "create_date": "2026-01-01T10:00:00Z"}
    rows = [{"id": 1, "product_id": 101}, {"id": 2, "product_id": 103}]
    cache = {"101": "4000000000017", "102": "4000000000024", "103": ""}
    raw = adapter.build_raw_order(order, rows, cache)
    assert raw.payload["product_eans"] == {"101": "4000000000017"}


def test_bad_payloads_raise_channel_data_error():
    with pytest.raises(ChannelDataError, match="no order rows"):
        adapter.parse_order({"order": {"id": 5, "ordernumber_full": "WEB5"}, "orderrows": []})
    with pytest.raises(ChannelDataError, match="price"):
        adapter.parse_order({"order": {"id": 5}, "orderrows": [{"id": 1, "count": 1, "price": "abc"}]})
    with pytest.raises(ChannelDataError):
        adapter.build_raw_order({}, [])


# --- provider flows (model methods on a stand-in account, no database) --------------------------


class FakeOrders:
    def __init__(self, ids):
        self.ids = ids

    def sudo(self):
        return self

    def search(self, domain):
        return self

    def mapped(self, name):
        return list(self.ids)

    def __iter__(self):
        # stored orders known by id only: none has a stored payload to compare with
        return iter(())


class FakeEnv(dict):
    lang = "en_US"  # read by odoo's _() to pick a language


def fake_account(emulator, **values):
    defaults = {
        "provider": "ccv",
        "ccv_only_paid": True,
        "ccv_paid_lookback_days": 14,
        "ccv_webshop_id": "1",
        "ccv_package_id": 0,
        "ccv_prices_include_tax": True,
        "ccv_notify_customer": True,
        "update_product_info": False,
        "stock_managed_by_channel": True,
        "id": 1,
        "statuses": ["1", "2"],
        "known": [],
    }
    defaults.update(values)
    account = SimpleNamespace(**defaults)
    account.env = FakeEnv({"connector.order": FakeOrders(defaults["known"])})
    account._get_import_statuses = lambda: account.statuses
    account._ccv_client = lambda **kw: make_client(emulator)
    for name in (
        "_ccv_fetch_orders",
        "_ccv_product_ean",
        "_ccv_stock_target",
        "_ccv_push_product",
        "_ccv_package_id",
        "_ccv_link_category",
        "_ccv_fetch_catalogue",
    ):
        setattr(account, name, getattr(ConnectorAccount, name).__get__(account))
    return account


def test_fetch_orders_imports_paid_orders_then_late_payments(emu):
    account = fake_account(emu)
    since = (datetime.now(UTC) - timedelta(hours=40)).replace(tzinfo=None)
    raws = list(account._ccv_fetch_orders(since))
    unpaid = next(o for o in emu.orders.values() if not o["paid"])
    assert str(unpaid["id"]) not in {r.external_id for r in raws}
    assert len(raws) == len([o for o in emu.orders.values() if o["paid"] and o["status"] in (1, 2)])
    simple = next(r for r in raws if r.payload["orderrows"][0]["product_number"] == "DEMO-003")
    assert adapter.parse_order(simple.payload).lines[0].ean == emu.product_by_sku("DEMO-003")["eannumber"]
    # the buyer pays later; the watermark has moved past the order's creation
    emu.set_paid(unpaid["id"])
    emu.reset_log()
    newest = max(r.updated_at for r in raws)
    known = [r.external_id for r in raws]
    account = fake_account(emu, known=known)
    since = newest - timedelta(minutes=15)
    again = list(account._ccv_fetch_orders(since))
    in_overlap = {r.external_id for r in raws if r.updated_at >= since}
    assert {r.external_id for r in again} == in_overlap | {str(unpaid["id"])}
    # known orders older than the watermark are listed but their rows are not fetched again
    assert len(emu.requests_to("GET", "/orderrows")) == len(again) < len(raws)
    emu.set_paid(unpaid["id"], paid=False)
    emu.orders[unpaid["id"]]["status"] = 4


def test_shipment_marks_order_sent(emu):
    client = make_client(emu)
    order = next(o for o in emu.orders.values() if o["paid"])
    shipment = ChannelShipment(
        order_external_id=str(order["id"]), carrier_code="PostNL", tracking_numbers=["3SABCD1234567"]
    )
    client.patch_order(order["id"], adapter.shipment_body(shipment))
    assert emu.order_patches(order["id"])[-1] == {
        "status": 5,
        "mail": True,
        "track_and_trace_code": "3SABCD1234567",
        "track_and_trace_carrier": "PostNL",
    }
    assert emu.orders[order["id"]]["status"] == 5


def test_push_stock_by_sku_and_variant(emu):
    account = fake_account(emu, stock_managed_by_channel=True)
    client = make_client(emu)
    combination = emu.combination_by_sku("DEMO-010-S")
    items = [
        StockItem(sku="DEMO-002", quantity=7),
        StockItem(sku="DEMO-010-S", quantity=3, external_id=f"combination:{combination['id']}"),
        StockItem(sku="NOPE-1", quantity=1),
    ]
    account._ccv_client = lambda **kw: client
    result = ConnectorAccount._push_stock(account, items)
    assert emu.product_by_sku("DEMO-002")["stock"] == 7
    assert emu.product_by_sku("DEMO-002")["stockenabled"] is True
    assert combination["stock"] == 3
    assert result.external_ids["DEMO-002"] == str(emu.product_by_sku("DEMO-002")["id"])
    assert "NOPE-1" in result.errors and "product number" in result.errors["NOPE-1"]


def test_push_products_create_then_update(emu):
    account = fake_account(emu, update_product_info=False)
    product = ChannelProduct(
        sku="NEW-001",
        ean="4000000000997",
        name="Moka pot",
        description="<p>Aluminium</p>",
        short_description="Moka",
        price=Decimal("36.30"),
        price_includes_tax=True,
        tax_rate=Decimal("21"),
        quantity=Decimal("5"),
        category_path=["Koffie", "Zetten"],
        images=[PNG],
    )
    cache = {}
    new_id = account._ccv_push_product(make_client(emu), product, cache)
    created = emu.products[int(new_id)]
    assert (created["name"], created["price"], created["eannumber"], created["stock"]) == (
        "Moka pot",
        36.3,
        "4000000000997",
        5.0,
    )
    assert created["taxtariff"] == "normal" and created["package_id"] == 1
    zetten = next(c for c in emu.categories.values() if c["name"] == "Zetten")
    assert emu.categories[zetten["_parent"]]["name"] == "Koffie"  # existing parent reused
    assert [c["name"] for c in emu.categories.values()].count("Koffie") == 1
    assert any(
        lk["product_id"] == int(new_id) and lk["category_id"] == zetten["id"] for lk in emu.links.values()
    )
    assert emu.photos[int(new_id)][0]["is_mainphoto"] and created["productmainphoto"]
    # create-only: an existing product is left alone
    emu.reset_log()
    product.name = "Moka pot deluxe"
    assert account._ccv_push_product(make_client(emu), product, cache) == new_id
    assert not emu.requests_to("PATCH") and not emu.requests_to("POST")
    # update on: content follows Odoo (price converted to the shop's incl. VAT convention)
    account.update_product_info = True
    product.price, product.price_includes_tax = Decimal("30.00"), False
    account._ccv_push_product(make_client(emu), product, cache)
    assert created["name"] == "Moka pot deluxe" and created["price"] == 36.3
    assert len(emu.photos[int(new_id)]) == 1  # main photo not uploaded twice
    assert not emu.requests_to("POST", "/producttocategories")


def test_fetch_catalogue(emu):
    account = fake_account(emu)
    products = {p.sku: p for p in account._ccv_fetch_catalogue()}
    demo = products["DEMO-001"]
    assert demo.external_id == str(emu.product_by_sku("DEMO-001")["id"])
    assert demo.ean == adapter.product_ean(emu.product_by_sku("DEMO-001"))
    assert (
        demo.price == Decimal("24.95") and demo.quantity == Decimal("51") and demo.tax_rate == Decimal("21")
    )
    # DEMO-010 has attribute combinations: one listing per combination, none for DEMO-010
    assert "DEMO-010" not in products
    medium = products["DEMO-010-M"]
    combination = emu.combination_by_sku("DEMO-010-M")
    assert medium.external_id == f"combination:{combination['id']}"
    assert (medium.parent_sku, medium.attributes) == ("DEMO-010", {"Maat": "M"})
    assert medium.ean == combination["ean_number"] and medium.quantity == Decimal("10")
    assert emu.requests_to("GET", f"/products/{combination['product_id']}/attributecombinations")


def test_demo_order_stream(emu):
    before = len(emu.orders)
    order = emu.add_demo_order()
    assert len(emu.orders) == before + 1 and order["paid"]
    client = make_client(emu)
    parsed = adapter.parse_order(fetch_raw(client, order).payload)
    assert parsed.lines and parsed.total_incl == Decimal(str(order["total_price"]))
