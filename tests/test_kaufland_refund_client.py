"""Kaufland returns and refunds: client + adapter against the emulator over real HTTP (no database)."""

import os
from decimal import Decimal

import pytest

import odoo.addons

for _odoo_dir in list(odoo.__path__):
    _addons = os.path.join(os.path.dirname(_odoo_dir), "addons")
    if os.path.isdir(os.path.join(_addons, "base_sparse_field")) and _addons not in odoo.addons.__path__:
        odoo.addons.__path__.append(_addons)

from odoo.addons.connector_base.exceptions import ChannelRequestError  # noqa: E402
from odoo.addons.connector_base.schema import ChannelDataError, RefundRequest  # noqa: E402
from odoo.addons.marketplace_kaufland import adapter  # noqa: E402
from odoo.addons.marketplace_kaufland.client import KauflandClient  # noqa: E402
from tests.emulators.base import EmulatorServer  # noqa: E402
from tests.emulators.kaufland import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, KauflandEmulator  # noqa: E402

ADDRESS = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "postcode": "51147",
    "city": "Köln",
    "country": "DE",
}


@pytest.fixture
def emulator():
    emu = KauflandEmulator()
    server = EmulatorServer(emu).start()
    emu.url = server.url
    yield emu
    server.stop()


@pytest.fixture
def client(emulator):
    return KauflandClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=f"{emulator.url}/v2")


def order_with_return(emulator, unit_status, package="package_received", returned=2):
    id_order = emulator.add_order(
        [("SHIRT-1", 2, 1999, 19), ("MUG-1", 1, 950, 19)], ADDRESS, shipping_rate=390
    )
    units = [u["id_order_unit"] for u in emulator.units_of_order(id_order)]
    id_return = emulator.add_return(units[:returned], reason="wrong_size")
    emulator.set_return(id_return, status=package, unit_status=unit_status)
    return id_order, units, id_return


def test_accepted_return_refunds_the_unit_prices(emulator, client):
    id_order, units, id_return = order_with_return(emulator, "return_accepted")
    (raw,) = list(client.fetch_raw_refunds(None, ["de"]))
    assert (raw.external_id, raw.order_external_id) == (str(id_return), id_order)
    assert "buyer" not in str(raw.payload)  # no personal data in the stored payload
    refund = adapter.parse_refund(raw.payload)
    assert refund.settled and refund.goods_returned and refund.goods_arrived
    assert [(ln.external_id, ln.sku, ln.amount_incl) for ln in refund.lines] == [
        (str(units[0]), "SHIRT-1", Decimal("19.99")),
        (str(units[1]), "SHIRT-1", Decimal("19.99")),
    ]
    # the mug stays with the buyer: no shipping refunded
    assert (refund.shipping_incl, refund.total_incl, refund.reason) == (0, Decimal("39.98"), "wrong_size")
    (detail,) = emulator.requests_to("GET", f"/returns/{id_return}$")
    assert detail.query["embedded"] == ["return_units"]


def test_whole_order_returned_refunds_shipping(emulator, client):
    _id_order, _units, _id_return = order_with_return(emulator, "return_accepted", returned=3)
    (raw,) = list(client.fetch_raw_refunds(None, ["de"]))
    refund = adapter.parse_refund(raw.payload)
    assert (refund.shipping_incl, refund.total_incl) == (Decimal("3.90"), Decimal("53.38"))


def test_open_return_waits_and_rejected_refunds_nothing(emulator, client):
    order_with_return(emulator, None, package="package_sent")
    (raw,) = list(client.fetch_raw_refunds(None, ["de"]))
    refund = adapter.parse_refund(raw.payload)
    assert not refund.settled and not refund.goods_arrived
    emulator.set_return(int(raw.external_id), unit_status="return_rejected")
    refund = adapter.parse_refund(client.get_return_payload(raw.external_id))
    assert refund.settled and not refund.lines and refund.total_incl == 0


def test_closed_unit_counts_only_when_paid_back(emulator, client):
    _id_order, _units, id_return = order_with_return(emulator, "return_closed", returned=1)
    refund = adapter.parse_refund(client.get_return_payload(id_return))
    assert refund.settled and not refund.lines
    emulator.set_return(id_return, order_unit_status="returned_paid")
    refund = adapter.parse_refund(client.get_return_payload(id_return))
    assert refund.total_incl == Decimal("19.99")


def test_refund_spreads_cents_and_sends_shipping_once(emulator, client):
    id_order = emulator.add_order([("SHIRT-1", 3, 1999, 19)], ADDRESS, shipping_rate=390)
    units = [str(u["id_order_unit"]) for u in emulator.units_of_order(id_order)]
    request = RefundRequest(
        order_external_id=id_order,
        reason="Reverse: defect",
        reference="RINV/2026/00001",
        shipping_incl=Decimal("3.90"),
        lines=[
            {
                "line_external_id": ",".join(units),
                "sku": "SHIRT-1",
                "quantity": 2,
                "amount_incl": Decimal("10.01"),
            }
        ],
    )
    keys = []
    sent = client.send_refund(request, on_sent=keys.append)
    assert sent == [
        (units[0], 500, "defect"),
        (units[1], 501, "defect"),
        (units[0], 390, "refund_postage_fee"),
    ]
    assert [r["amount"] for r in emulator.refunds] == [500, 501, 390]
    # a retry after the first part was accepted sends only the rest
    emulator.refunds.clear()
    assert client.send_refund(request, already_sent=keys[:1]) == sent[1:]
    assert len(emulator.refunds) == 2


def test_refund_body_is_checked_by_the_emulator(emulator, client):
    id_order = emulator.add_order([("SHIRT-1", 1, 1999, 19)], ADDRESS)
    unit = emulator.units_of_order(id_order)[0]["id_order_unit"]
    with pytest.raises(ChannelRequestError, match="reason"):
        client.request("PATCH", f"order-units/{unit}/refund", json_body={"amount": 100, "reason": "because"})
    with pytest.raises(ChannelRequestError, match="amount"):
        client.request("PATCH", f"order-units/{unit}/refund", json_body={"amount": 1.5, "reason": "defect"})
    assert not emulator.refunds


def test_refund_without_a_unit_is_refused_before_sending(emulator, client):
    id_order = emulator.add_order([("SHIRT-1", 1, 1999, 19)], ADDRESS)
    request = RefundRequest(
        order_external_id=id_order, lines=[{"sku": "NOPE", "quantity": 1, "amount_incl": 5}]
    )
    with pytest.raises(ChannelDataError, match="no Kaufland order unit"):
        client.send_refund(request)
    assert not emulator.refunds


def test_demo_stream_sends_a_return_every_fourth_order(emulator, client):
    for _n in range(4):
        emulator.add_demo_order()
    (raw,) = list(client.fetch_raw_refunds(None, ["de", "at", "cz"]))
    refund = adapter.parse_refund(raw.payload)
    assert refund.settled and len(refund.lines) == 1 and refund.total_incl > 0
