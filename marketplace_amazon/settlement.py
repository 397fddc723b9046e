# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon settlement reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``) -> the engine's
:class:`ChannelSettlement` (pure Python, no ORM).

Why the settlement report and not the Finances API: a settlement report is the statement of
one disbursement, published by Amazon when the settlement period closes (about every 14
days), with the ``total-amount`` that reaches the bank and every amount that makes it up
(orders, refunds, fees, reserve, other transactions) under one ``settlement-id``. The
Finances API's event groups describe the same money as 34 event lists per group, with open
groups that keep changing and ``ServiceFeeEvent`` without a date; rebuilding the payout from
them is more work for the same figures. See readme/CONTEXT.md.

Columns (settlement-reports-attributes, CONFIRMED): settlement-id, settlement-start-date,
settlement-end-date, deposit-date, total-amount, currency, transaction-type, order-id,
merchant-order-id, adjustment-id, shipment-id, marketplace-name, amount-type,
amount-description, amount, fulfillment-id, posted-date, posted-date-time, order-item-code,
merchant-order-item-id, merchant-adjustment-item-id, sku, quantity-purchased.
ASSUMED: the first data row is the summary row (settlement id, dates, total, currency only);
dates as ``YYYY-MM-DD HH:MM:SS UTC`` or ``DD.MM.YYYY HH:MM:SS UTC``; decimal commas in EU files.
"""

import csv
import io
import re
from datetime import datetime

from odoo.addons.connector_base.schema import ChannelDataError
from odoo.addons.connector_base.schema_accounting import ChannelSettlement, SettlementLine, parse_amount
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__, default_lang="en_US")

REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
#: amount-type values that are what the buyer paid (or got back, in a refund)
CUSTOMER_AMOUNT_TYPES = {"ItemPrice", "Promotion", "ItemWithheldTax"}
FEE_AMOUNT_TYPES = {"ItemFees"}
#: amount-description values of other-transaction rows that are fees Amazon charges
OTHER_FEES = {"Subscription Fee", "Storage Fee", "FBA Inventory Storage Fee", "Inbound Transportation Fee"}


def parse_date(value):
    text = (value or "").strip().removesuffix(" UTC").removesuffix("UTC").strip()
    if not text:
        return None
    for fmt in (
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y",
    ):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo:
            parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
        return parsed
    raise ChannelDataError(_lt("settlement date not understood: %s", repr(value[:40])))


def kind_of(row):
    """The engine's kind of a report row (customer payment, refund, fee, reserve, adjustment)."""
    transaction = (row.get("transaction-type") or "").strip()
    amount_type = (row.get("amount-type") or "").strip()
    description = (row.get("amount-description") or "").strip()
    if "reserve" in description.lower():
        return "reserve"
    if amount_type in FEE_AMOUNT_TYPES or description in OTHER_FEES:
        return "fee"
    if amount_type in CUSTOMER_AMOUNT_TYPES and row.get("order-id"):
        if transaction == "Order":
            return "order"
        if transaction == "Refund":
            return "refund"
    return "adjustment"


def parse_settlement(text):
    """One report document -> :class:`ChannelSettlement`."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t"))
    if not rows or not rows[0].get("settlement-id"):
        raise ChannelDataError(_lt("The settlement report has no settlement id."))
    summary = next((r for r in rows if r.get("total-amount")), None)
    if summary is None:
        raise ChannelDataError(_lt("The settlement report has no total amount."))
    settlement = ChannelSettlement(
        external_id=summary["settlement-id"].strip(),
        currency=(summary.get("currency") or "").strip() or "EUR",
        total=parse_amount(summary["total-amount"], "total-amount"),
        start=parse_date(summary.get("settlement-start-date")),
        end=parse_date(summary.get("settlement-end-date")),
        deposit_date=parse_date(summary.get("deposit-date")),
    )
    for row in rows:
        if row is summary or not (row.get("amount") or "").strip():
            continue
        if row.get("settlement-id", "").strip() != settlement.external_id:
            raise ChannelDataError(_lt("The settlement report mixes several settlement ids."))
        description = " / ".join(
            p
            for p in (row.get("transaction-type"), row.get("amount-type"), row.get("amount-description"))
            if p
        )
        settlement.lines.append(
            SettlementLine(
                kind=kind_of(row),
                amount=parse_amount(row["amount"]),
                fee_type=(row.get("amount-description") or "").strip(),
                order_external_id=(row.get("order-id") or "").strip(),
                description=re.sub(r"\s+", " ", description)[:120],
                posted_at=parse_date(row.get("posted-date-time") or row.get("posted-date")),
            )
        )
    return settlement
