"""Amazon refunds: Finances API v0 client + refund adapter against the emulator over real
HTTP (python-amazon-sp-api, no database)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from odoo.addons.connector_base.exceptions import ChannelAuthError
from odoo.addons.connector_base.schema import ChannelDataError, ChannelOrder, ChannelOrderLine
from odoo.addons.marketplace_amazon import client_refunds, refund_adapter
from odoo.addons.marketplace_amazon.client import AmazonClient, clear_token_cache
from tests.emulators.amazon import (
    DE,
    LWA_CLIENT_ID,
    LWA_CLIENT_SECRET,
    REFRESH_TOKEN,
    SELLER_ID,
    AmazonEmulator,
)
from tests.emulators.base import EmulatorServer

NOW = datetime.utcnow()


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def emulator():
    app = AmazonEmulator()
    server = EmulatorServer(app).start()
    app.url = server.url
    app.add_listing("SHIRT-1", "B0SHIRT001", "19.99")
    app.add_listing("MUG-1", "B0MUG00001", "9.50")
    yield app
    server.stop()


def make_client(app):
    return AmazonClient(
        REFRESH_TOKEN,
        LWA_CLIENT_ID,
        LWA_CLIENT_SECRET,
        seller_id=SELLER_ID,
        marketplace_ids=[DE],
        endpoint=app.url,
        timeout=5,
        sleep=lambda seconds: None,
    )


def add_order(app, **kwargs):
    return app.add_order(
        [
            {"sku": "SHIRT-1", "qty": 2, "price": "19.99", "shipping": "3.90", "promo": "2.00"},
            {"sku": "MUG-1", "qty": 1, "price": "9.50"},
        ],
        created=NOW - timedelta(days=2),
        **kwargs,
    )


def stored_order(app, order_id, fba=False):
    """The ChannelOrder Odoo would have stored (unit prices per order item)."""
    return ChannelOrder(
        external_id=order_id,
        currency="EUR",
        fulfilled_by_channel=fba,
        lines=[
            ChannelOrderLine(external_id=line["id"], sku=line["sku"], unit_price_incl=line["price"])
            for line in app.orders[order_id]["lines"]
        ],
    )


def test_refund_ids_are_the_same_by_date_and_by_order(emulator):
    order_id = add_order(emulator)
    emulator.add_refund(order_id, [{"sku": "SHIRT-1", "qty": 1}, {"sku": "MUG-1"}])
    client = make_client(emulator)
    (by_date,) = list(client_refunds.fetch_raw_refunds(client, NOW - timedelta(days=1)))
    (by_order,) = client_refunds.get_order_refunds(client, order_id)
    assert by_date.external_id == by_order.external_id
    assert by_date.external_id.startswith(f"{order_id}/")
    assert by_date.order_external_id == order_id
    # the items in another order: still the same refund
    event = dict(by_date.payload["event"])
    event["ShipmentItemAdjustmentList"] = list(reversed(event["ShipmentItemAdjustmentList"]))
    assert refund_adapter.refund_id(event) == by_date.external_id
    # watermark: the posting time
    assert by_date.updated_at == emulator.financial_events[0]["posted"]
    (call,) = emulator.requests_to("GET", "/finances/v0/financialEvents$")
    posted_after = datetime.fromisoformat(call.arg("PostedAfter").rstrip("Z"))
    # 48 hours before the asked time: late and deferred events are not missed
    assert abs(posted_after - (NOW - timedelta(days=3))) < timedelta(minutes=5)


def test_a_first_fetch_reaches_back_180_days_at_most(emulator):
    order_id = add_order(emulator)
    emulator.add_refund(order_id, [{"sku": "MUG-1"}])
    refunds = list(client_refunds.fetch_raw_refunds(make_client(emulator), datetime(2020, 1, 1)))
    assert len(refunds) == 1  # a wider window would be answered with nothing
    (call,) = emulator.requests_to("GET", "/finances/v0/financialEvents$")
    posted_after = datetime.fromisoformat(call.arg("PostedAfter").rstrip("Z"))
    assert timedelta(days=179) < datetime.utcnow() - posted_after < timedelta(days=180)
    # never before the account's import start (refunds of orders Odoo never imported)
    floor = (NOW - timedelta(days=2, hours=1)).replace(microsecond=0)
    emulator.reset_log()
    refunds = list(
        client_refunds.fetch_raw_refunds(make_client(emulator), NOW - timedelta(days=1), floor=floor)
    )
    assert len(refunds) == 1
    (call,) = emulator.requests_to("GET", "/finances/v0/financialEvents$")
    assert call.arg("PostedAfter") == floor.isoformat() + "Z"


def test_amounts_of_a_refund(emulator):
    order_id = add_order(emulator)
    emulator.add_refund(
        order_id,
        [{"sku": "SHIRT-1", "qty": 1, "promo": "1.00", "shipping": "3.90"}, {"sku": "MUG-1"}],
        goodwill="2.50",
        restocking_fee="1.00",
    )
    (raw,) = client_refunds.get_order_refunds(make_client(emulator), order_id)
    refund = refund_adapter.parse_refund(raw.payload, stored_order(emulator, order_id))
    lines = {line.sku: line for line in refund.lines}
    # Principal + Tax - the promotion given back: what the buyer gets for the shirt
    assert (lines["SHIRT-1"].quantity, lines["SHIRT-1"].amount_incl) == (1, Decimal("18.99"))
    assert (lines["MUG-1"].quantity, lines["MUG-1"].amount_incl) == (1, Decimal("9.50"))
    assert lines["SHIRT-1"].external_id == emulator.orders[order_id]["lines"][0]["id"]
    assert refund.shipping_incl == Decimal("3.90")
    assert {(a.kind, a.amount_incl) for a in refund.other_amounts} == {
        ("goodwill", Decimal("2.50")),
        ("restocking_fee", Decimal("-1.00")),
    }
    # Amazon's fees given back (commission) are not the buyer's money
    assert refund.total_incl == Decimal("18.99") + Decimal("9.50") + Decimal("3.90") + Decimal("1.50")
    assert refund.currency == "EUR"
    assert refund.goods_returned and not refund.goods_arrived and refund.settled


def test_less_than_the_price_is_a_price_reduction_and_fba_goods_stay_with_amazon(emulator):
    order_id = add_order(emulator)
    emulator.add_refund(order_id, [{"sku": "MUG-1", "qty": 1, "principal": "3.00"}])
    (raw,) = client_refunds.get_order_refunds(make_client(emulator), order_id)
    refund = refund_adapter.parse_refund(raw.payload, stored_order(emulator, order_id))
    (line,) = refund.lines
    assert (line.quantity, line.amount_incl) == (0, Decimal("3.00"))
    assert not refund.goods_returned
    emulator.add_refund(
        order_id, [{"sku": "SHIRT-1", "qty": 2}], posted=datetime.utcnow() - timedelta(hours=1)
    )
    raws = client_refunds.get_order_refunds(make_client(emulator), order_id)
    shirt = next(r for r in raws if r.external_id != raw.external_id)
    fba = refund_adapter.parse_refund(shirt.payload, stored_order(emulator, order_id, fba=True))
    assert fba.lines[0].quantity == 2
    assert not fba.goods_returned  # FBA: back to Amazon's warehouse, not ours


def test_amazon_collected_vat_is_not_part_of_the_refund(emulator):
    order_id = add_order(emulator, facilitator=True)
    emulator.add_refund(order_id, [{"sku": "MUG-1"}])
    (raw,) = client_refunds.get_order_refunds(make_client(emulator), order_id)
    item = raw.payload["event"]["ShipmentItemAdjustmentList"][0]
    assert item["ItemTaxWithheldList"][0]["TaxCollectionModel"] == "MarketplaceFacilitator"
    refund = refund_adapter.parse_refund(raw.payload, stored_order(emulator, order_id))
    assert refund.total_incl == Decimal("9.50")


def test_refund_events_pages_and_bad_events(emulator):
    first, second = add_order(emulator), add_order(emulator)
    emulator.add_refund(first, [{"sku": "MUG-1"}], posted=datetime.utcnow() - timedelta(hours=2))
    emulator.add_refund(second, [{"sku": "MUG-1"}])
    emulator.finance_page_cap = 1
    raws = list(client_refunds.fetch_raw_refunds(make_client(emulator), NOW - timedelta(days=1)))
    assert [r.order_external_id for r in raws] == [first, second]
    calls = emulator.requests_to("GET", "/finances/v0/financialEvents$")
    assert [bool(c.arg("NextToken")) for c in calls] == [False, True]
    with pytest.raises(ChannelDataError, match="without AmazonOrderId"):
        refund_adapter.parse_refund({"event": {"PostedDate": "2026-01-01T00:00:00Z"}})
    event = dict(raws[0].payload["event"])
    item = dict(event["ShipmentItemAdjustmentList"][0])
    item["ItemChargeAdjustmentList"] = [
        {"ChargeType": "Principal", "ChargeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": -5}},
        {"ChargeType": "Tax", "ChargeAmount": {"CurrencyCode": "GBP", "CurrencyAmount": -1}},
    ]
    with pytest.raises(ChannelDataError, match="mixes currencies"):
        refund_adapter.parse_refund({"event": dict(event, ShipmentItemAdjustmentList=[item])})


def test_throttled_refund_read_is_retried_and_a_missing_role_is_named(emulator):
    order_id = add_order(emulator)
    emulator.add_refund(order_id, [{"sku": "MUG-1"}])
    emulator.inject("429-no-retry-after", path="/finances/v0/financialEvents")
    client = make_client(emulator)
    (raw,) = list(client_refunds.fetch_raw_refunds(client, NOW - timedelta(days=1)))
    assert raw.order_external_id == order_id
    assert len(emulator.requests_to("GET", "/finances/v0/financialEvents$")) == 2
    # an app without the Finance and Accounting role: Amazon answers 403 (also after a new token)
    emulator.inject("expired-token", count=2, path="/finances/")
    with pytest.raises(ChannelAuthError, match="Finance and Accounting role"):
        client_refunds.get_order_refunds(make_client(emulator), order_id)


def test_an_unreadable_event_does_not_stop_the_others(emulator):
    order_id = add_order(emulator)
    emulator.add_refund(order_id, [{"sku": "MUG-1"}])
    broken = {"SellerOrderId": "x", "PostedDate": "not a date", "ShipmentItemAdjustmentList": []}
    emulator.financial_events.append(
        {"posted": datetime.utcnow() - timedelta(hours=1), "list": "RefundEventList", "event": broken}
    )
    raws = list(client_refunds.fetch_raw_refunds(make_client(emulator), NOW - timedelta(days=1)))
    assert sorted(r.external_id.split("/")[0] for r in raws) == ["", order_id]
    skipped = next(r for r in raws if not r.external_id)
    assert skipped.payload["event"] == broken
