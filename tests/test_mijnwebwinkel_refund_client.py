"""MijnWebwinkel credit orders: the client and adapter against the emulator over real HTTP
(no database); the booking is tested end to end in shop_mijnwebwinkel/tests."""

import copy
from decimal import Decimal
from types import SimpleNamespace

import pytest

from odoo.addons.connector_base.schema import ChannelDataError
from odoo.addons.shop_mijnwebwinkel import adapter
from odoo.addons.shop_mijnwebwinkel.client import MijnWebwinkelClient
from tests.emulators.base import EmulatorServer
from tests.emulators.mijnwebwinkel import PARTNER_TOKEN, SHOP_TOKEN, MijnWebwinkelEmulator


@pytest.fixture()
def emulator():
    app = MijnWebwinkelEmulator()
    app.rate_limit = None
    app.seed_demo()
    server = EmulatorServer(app).start()
    app.url = server.url
    yield app
    server.stop()


def make_client(emulator):
    return MijnWebwinkelClient(
        PARTNER_TOKEN, SHOP_TOKEN, base_url=f"{emulator.url}/v1/", sleep=lambda s: None
    )


def credit_body(order, pieces, **extra):
    line = next(ln for ln in order["orderlines"] if ln["type"] == "article")
    return {
        "credited_order_number": str(order["number"]),
        "status": 7,
        "orderlines": [
            {
                "type": "article",
                "quantity": pieces,
                "articles": [
                    {
                        "id": a["id"],
                        "options": [{"list_option_id": o["list_option_id"]} for o in a["options"]],
                    }
                    for a in line["articles"]
                ],
            }
        ],
        **extra,
    }


def test_credit_statuses_come_from_orderstatuses(emulator):
    client = make_client(emulator)
    assert adapter.credit_status_ids(client.get_order_statuses()) == [7]
    (request,) = emulator.requests_to("GET", r"/v1/orderstatuses$")
    assert request.arg("partner_token") == PARTNER_TOKEN


def test_credit_order_posted_and_read_back_as_a_refund(emulator):
    client = make_client(emulator)
    order = emulator.add_order([("DEMO-001", 2)], shipping=Decimal("4.95"))
    credit = client.post_credit_order(credit_body(order, 1, shipping_costs="0"))
    assert credit["credited_order_number"] == order["number"]
    assert client.get_order(order["number"])["credit_order_numbers"] == [credit["number"]]
    payload = adapter.refund_payload(client.get_order(credit["number"]), client.get_order(order["number"]))
    raw = adapter.raw_refund(payload)
    assert (raw.external_id, raw.order_external_id) == (str(credit["number"]), str(order["number"]))
    refund = adapter.parse_refund(payload)
    (line,) = refund.lines
    assert line.external_id == order["orderlines"][0]["id"]  # the credited line of the order
    assert (line.quantity, line.amount_incl, refund.shipping_incl, refund.total_incl) == (
        1,
        Decimal("14.95"),
        0,
        Decimal("14.95"),
    )
    assert refund.settled and refund.goods_returned and not refund.goods_arrived


def test_the_spec_rules_of_credit_orders_are_kept(emulator):
    client = make_client(emulator)
    order = emulator.add_order([("DEMO-001", 1)])
    with pytest.raises(Exception, match="fully credited"):
        # every item credited: the shipping costs must be credited in full
        client.post_credit_order(credit_body(order, 1, shipping_costs="0"))
    with pytest.raises(Exception, match="subset|\\(sub\\)set"):
        client.post_credit_order(credit_body(order, 2))
    credit = client.post_credit_order(credit_body(order, 1))  # shipping omitted: in full
    assert credit["price"]["total"] == "-19.90"


def test_positive_credit_order_reads_the_same_and_mixed_signs_are_refused(emulator):
    order = emulator.add_order([("DEMO-001", 2)])
    credit = emulator.credit_order(credit_body(order, 1, shipping_costs="0"))
    negative = adapter.parse_refund(adapter.refund_payload(credit, order))
    positive_credit = copy.deepcopy(credit)
    positive_credit["price"]["total"] = "14.95"
    for line in positive_credit["orderlines"]:
        line["price"]["amount"] = line["price"]["amount"].lstrip("-")
        line["price"]["amount_including_tax"] = line["price"]["amount_including_tax"].lstrip("-")
    positive = adapter.parse_refund(adapter.refund_payload(positive_credit, order))
    assert positive.to_dict() == negative.to_dict()
    mixed = copy.deepcopy(credit)
    mixed["orderlines"][0]["price"]["amount_including_tax"] = "14.95"
    with pytest.raises(ChannelDataError, match="sign of a sale"):
        adapter.parse_refund(adapter.refund_payload(mixed, order))


def test_credit_order_body_of_an_odoo_credit_note(emulator):
    order = emulator.add_order([("DEMO-001", 2)], shipping=Decimal("4.95"))
    line = order["orderlines"][0]
    request = SimpleNamespace(
        reference="RINV/2026/00001",
        lines=[
            {"line_external_id": line["id"], "sku": "DEMO-001", "quantity": Decimal(1), "amount_incl": 14.95}
        ],
        shipping_incl=Decimal("4.95"),
    )
    body = adapter.credit_order_body(request, order, 7)
    assert body["orderlines"] == [
        {"type": "article", "quantity": 1, "articles": [{"id": line["articles"][0]["id"]}]}
    ]
    # shipping excl. VAT (21 % in this Dutch shop), as CreditOrderPostable wants it
    assert body["shipping_costs"] == "4.090909"
    assert body["comments"] == {"internal": "Odoo credit note RINV/2026/00001"}
    assert adapter.is_odoo_credit_order(emulator.credit_order(body))
