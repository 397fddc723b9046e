# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland payout statements (the Seller Portal's bookings CSV) -> :class:`ChannelSettlement`.

The Seller API v2 has no payout, settlement or commission endpoint (OpenAPI 2.27.0); the
bookings report (``POST /reports/bookings-new``, or the Seller Portal's export) is a CSV whose
columns are not published. ASSUMED here, and tolerant: a header row; ``;`` or ``,`` or tab as
separator; the columns found by any of the names in :data:`COLUMNS` (English or German);
amounts signed from the seller's view (sales positive, commissions negative), decimal comma or
point; the booking type says what a row is (:func:`kind_of`). See readme/CONTEXT.md.
"""

import csv
import io

from odoo.addons.connector_base.schema import ChannelDataError, parse_datetime
from odoo.addons.connector_base.schema_accounting import ChannelSettlement, SettlementLine, parse_amount
from odoo.tools.translate import LazyTranslate

# Messages are translated when the wizard reads them (the user's language).
_lt = LazyTranslate(__name__, default_lang="en_US")

COLUMNS = {
    "order": ("id_order", "order_id", "order id", "bestellnummer", "bestell-id", "auftragsnummer"),
    "type": ("booking_type", "type", "booking type", "buchungstyp", "buchungsart", "typ", "art"),
    "description": ("description", "beschreibung", "bezeichnung", "text", "verwendungszweck"),
    "amount": ("amount", "amount_gross", "betrag", "betrag (eur)", "brutto", "bruttobetrag"),
    "currency": ("currency", "währung", "waehrung"),
    "date": ("date", "datum", "ts_created_iso", "buchungsdatum"),
}
#: booking type keywords -> kind (first match wins; checked in this order)
KINDS = (
    ("reserve", ("reserve", "rückbehalt", "einbehalt", "sicherheitsleistung")),
    ("refund", ("refund", "erstattung", "rückerstattung", "gutschrift an kunde", "storno")),
    ("fee", ("commission", "provision", "fee", "gebühr", "grundgebühr", "entgelt")),
    ("order", ("sale", "order", "verkauf", "umsatz", "zahlung", "payment", "bestellung")),
)


def kind_of(booking_type):
    text = (booking_type or "").strip().lower()
    for kind, words in KINDS:
        if any(word in text for word in words):
            return kind
    return "adjustment"


def _columns(header):
    found = {}
    names = [(h or "").strip().lower() for h in header]
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[key] = index
                break
    missing = [key for key in ("type", "amount") if key not in found]
    if missing:
        raise ChannelDataError(
            _lt(
                "The payout file has no %(column)s column (expected one of: %(names)s).",
                column=missing[0],
                names=", ".join(COLUMNS[missing[0]]),
            )
        )
    return found


def parse_payout(content, reference, total=None, currency="EUR", deposit_date=None):
    """A bookings CSV (bytes or text) -> :class:`ChannelSettlement`.

    :param reference: the payout's id (the bank transfer's reference): unique per account
    :param total: the amount that reached the bank; None: the sum of the rows
    :raise ChannelDataError: with the line number of the first unreadable row
    """
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig", "replace")
    sample = content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    rows = list(csv.reader(io.StringIO(content), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise ChannelDataError(_lt("The payout file has no bookings."))
    columns = _columns(rows[0])
    lines = []
    currencies = set()
    for number, row in enumerate(rows[1:], start=2):

        def cell(key, row=row):
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        try:
            amount = parse_amount(cell("amount"), _lt("line %s: amount", number))
        except ChannelDataError as exc:
            raise ChannelDataError(*exc.args) from None
        if amount is None:
            continue
        if cell("currency"):
            currencies.add(cell("currency").upper())
        try:
            posted = parse_datetime(cell("date"), f"line {number}: date") if cell("date") else None
        except ChannelDataError:
            posted = None  # a date in another format is only informative
        booking_type = cell("type")
        lines.append(
            SettlementLine(
                kind=kind_of(booking_type),
                amount=amount,
                fee_type=booking_type,
                order_external_id=cell("order"),
                description=(cell("description") or booking_type)[:120],
                posted_at=posted,
            )
        )
    if len(currencies) > 1:
        raise ChannelDataError(_lt("The payout file mixes currencies: %s.", ", ".join(sorted(currencies))))
    settlement = ChannelSettlement(
        external_id=reference,
        currency=currencies.pop() if currencies else currency,
        total=sum((line.amount for line in lines), parse_amount("0")) if total is None else total,
        deposit_date=deposit_date,
        lines=lines,
    )
    return settlement
