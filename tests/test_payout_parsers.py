"""Payout statements -> the engine's ChannelSettlement (no database): Amazon settlement
reports as the emulator publishes them and in the EU layout, Kaufland bookings files."""

import os
from datetime import datetime
from decimal import Decimal

import pytest

import odoo.addons

for _odoo_dir in list(odoo.__path__):
    _addons = os.path.join(os.path.dirname(_odoo_dir), "addons")
    if os.path.isdir(os.path.join(_addons, "base_sparse_field")) and _addons not in odoo.addons.__path__:
        odoo.addons.__path__.append(_addons)

from odoo.addons.connector_base.schema import ChannelDataError  # noqa: E402
from odoo.addons.connector_base.schema_accounting import parse_amount  # noqa: E402
from odoo.addons.marketplace_amazon import settlement  # noqa: E402
from odoo.addons.marketplace_kaufland import payout_csv  # noqa: E402

from .emulators.amazon import AmazonEmulator  # noqa: E402


def test_amounts_of_every_locale():
    assert parse_amount("-12.34") == Decimal("-12.34")
    assert parse_amount("-12,34") == Decimal("-12.34")
    assert parse_amount("1.234,56") == Decimal("1234.56")
    assert parse_amount("1,234.56") == Decimal("1234.56")
    assert parse_amount("") is None
    with pytest.raises(ChannelDataError, match="not an amount"):
        parse_amount("zwölf")


def test_emulator_settlement_report_adds_up_and_is_classified():
    emulator = AmazonEmulator()
    emulator.seed_demo()
    order_id = next(iter(emulator.orders))
    rows = emulator.settlement_rows([order_id], refunds={order_id: "5.00"}, reserve="10", subscription="39")
    emulator.publish_settlement(rows, settlement_id="123456789")
    (report,) = emulator.reports.values()
    data = settlement.parse_settlement(emulator.documents[report["reportDocumentId"]][0])
    assert data.external_id == "123456789"
    assert data.difference() == 0
    kinds = {(line.kind, line.fee_type) for line in data.lines}
    assert ("order", "Principal") in kinds and ("fee", "Commission") in kinds
    assert ("refund", "Tax") in kinds and ("fee", "RefundCommission") in kinds
    assert ("fee", "Subscription Fee") in kinds and ("reserve", "Current Reserve Amount") in kinds
    assert {line.order_external_id for line in data.lines if line.kind == "order"} == {order_id}


def test_eu_settlement_report_with_decimal_commas_and_german_dates():
    header = "\t".join(AmazonEmulator.SETTLEMENT_COLUMNS)

    def row(**values):
        return "\t".join(values.get(c.replace("-", "_"), "") for c in AmazonEmulator.SETTLEMENT_COLUMNS)

    text = "\n".join(
        [
            header,
            row(
                settlement_id="9", settlement_start_date="01.11.2026 00:00:00 UTC",
                settlement_end_date="15.11.2026 00:00:00 UTC", deposit_date="17.11.2026 08:00:00 UTC",
                total_amount="1.000,50", currency="EUR",
            ),
            row(settlement_id="9", transaction_type="Order", order_id="1", amount_type="ItemPrice",
                amount_description="Principal", amount="1.100,50"),
            row(settlement_id="9", transaction_type="Order", order_id="1", amount_type="ItemFees",
                amount_description="Commission", amount="-100,00"),
        ]
    )  # fmt: skip
    data = settlement.parse_settlement(text)
    assert data.total == Decimal("1000.50")
    assert data.deposit_date == datetime(2026, 11, 17, 8, 0)
    assert [(x.kind, x.amount) for x in data.lines] == [
        ("order", Decimal("1100.50")),
        ("fee", Decimal("-100.00")),
    ]
    assert data.difference() == 0


def test_settlement_report_without_total_is_refused():
    header = "\t".join(AmazonEmulator.SETTLEMENT_COLUMNS)
    with pytest.raises(ChannelDataError, match="no settlement id"):
        settlement.parse_settlement(header + "\n")


def test_kaufland_bookings_file_in_german():
    content = (
        "Datum;Bestellnummer;Buchungstyp;Betrag;Währung\n"
        "20.11.2026;MB7UWLD;Verkauf;83,86;EUR\n"
        "20.11.2026;MB7UWLD;Verkaufsprovision;-12,58;EUR\n"
        "21.11.2026;MB7UWLD;Erstattung;-5,00;EUR\n"
        "30.11.2026;;Rückbehalt;-10,00;EUR\n"
        "30.11.2026;;Korrektur;1,00;EUR\n"
    ).encode()
    data = payout_csv.parse_payout(content, "KL-1", total=Decimal("57.28"))
    assert [(x.kind, x.amount, x.order_external_id) for x in data.lines] == [
        ("order", Decimal("83.86"), "MB7UWLD"),
        ("fee", Decimal("-12.58"), "MB7UWLD"),
        ("refund", Decimal("-5.00"), "MB7UWLD"),
        ("reserve", Decimal("-10.00"), ""),
        ("adjustment", Decimal("1.00"), ""),
    ]
    assert data.difference() == 0
    assert payout_csv.parse_payout(content, "KL-1").total == Decimal("57.28")


def test_kaufland_bookings_file_errors_name_the_line_or_column():
    with pytest.raises(ChannelDataError, match="line 2: amount"):
        payout_csv.parse_payout(b"type;amount\nsale;abc\n", "X")
    with pytest.raises(ChannelDataError, match="no amount column"):
        payout_csv.parse_payout(b"type;value\nsale;1\n", "X")
    with pytest.raises(ChannelDataError, match="mixes currencies"):
        payout_csv.parse_payout(b"type;amount;currency\nsale;1;EUR\nsale;1;PLN\n", "X")
