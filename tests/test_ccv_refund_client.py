"""CCV Shop returns: the client and adapter against the emulator over real signed HTTP
(no database); the booking is tested end to end in shop_ccv/tests."""

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from odoo.addons.connector_base.schema import ChannelDataError
from odoo.addons.shop_ccv import adapter
from odoo.addons.shop_ccv.client import CcvClient, build_base_url
from tests.emulators.base import EmulatorServer
from tests.emulators.ccv import CcvEmulator


@pytest.fixture()
def emulator():
    app = CcvEmulator()
    app.seed_demo()
    with EmulatorServer(app) as server:
        app.url = server.url
        yield app


def make_client(emulator):
    return CcvClient(build_base_url("", emulator.url), "demo-public", "demo-secret", sleep=lambda s: None)


def paid_order(emulator, incl=True):
    return next(o for o in emulator.orders.values() if o["paid"] and o["order_row_taxes_included"] is incl)


def payload_of(client, ret):
    return adapter.return_payload(client.get_return(ret["id"]), client.return_rows(ret["id"]))


def test_returns_listed_since_a_date_with_their_rows(emulator):
    client = make_client(emulator)
    order = paid_order(emulator)
    row = emulator.rows[order["id"]][0]
    old = emulator.add_return(order["id"], [(row["id"], 1)], created=datetime.now(UTC) - timedelta(days=10))
    new = emulator.add_return(order["id"], [(row["id"], 1)], status="8")
    listed = list(client.iter_returns(datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)))
    assert [r["id"] for r in listed] == [new["id"]]
    (request,) = emulator.requests_to("GET", r"/api/rest/v1/returns$")
    assert request.query["min_create_date"] == [(datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")]
    raw = adapter.raw_refund(payload_of(client, new))
    assert (raw.external_id, raw.order_external_id) == (str(new["id"]), str(order["id"]))
    assert raw.reference == f"Return {new['returnnumber_full']}"
    refund = adapter.parse_refund(raw.payload)
    (line,) = refund.lines
    assert line.external_id == str(row["id"])  # the order row, from the row's orderrow link
    assert (line.quantity, refund.total_incl, refund.settled, refund.goods_arrived) == (
        1,
        Decimal(str(new["total_price_inc_tax"])),
        True,
        True,
    )
    assert adapter.parse_refund(payload_of(client, old)).settled is False  # "1" New waits


def test_rows_without_vat_are_booked_gross_and_a_mismatch_is_refused(emulator):
    client = make_client(emulator)
    order = paid_order(emulator, incl=False)
    row = emulator.rows[order["id"]][0]
    ret = emulator.add_return(order["id"], [(row["id"], 1)], status="8")
    payload = payload_of(client, ret)
    (line,) = adapter.parse_refund(payload).lines
    assert line.amount_incl == Decimal(str(ret["total_price_inc_tax"]))
    broken = copy.deepcopy(payload)
    broken["return"]["total_price_inc_tax"] = 999.0
    broken["return"]["total_price_exc_tax"] = 839.5
    with pytest.raises(ChannelDataError, match="neither the total with VAT 999.00"):
        adapter.parse_refund(broken)


def test_cancelled_return_refunds_nothing(emulator):
    client = make_client(emulator)
    order = paid_order(emulator)
    ret = emulator.add_return(order["id"], [(emulator.rows[order["id"]][0]["id"], 1)], status="6")
    refund = adapter.parse_refund(payload_of(client, ret))
    assert refund.settled and not refund.lines and not refund.total_incl
