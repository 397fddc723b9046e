# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Canonical shapes of the accounting exchanges: invoices out, settlements in.

Plain dataclasses as in :mod:`.schema` (no ORM): the engine builds a
:class:`ChannelInvoice` and hands it to the provider; a provider's adapter turns
the channel's payout data into a :class:`ChannelSettlement` that the engine
books. Amounts are :class:`~decimal.Decimal` in the settlement's currency, signed
as seen from the seller (money to the seller is positive).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from odoo.tools.translate import LazyTranslate

from .schema import ChannelDataError

_lt = LazyTranslate(__name__, default_lang="en_US")

ZERO = Decimal("0")

#: ``ChannelInvoice.document_type`` values
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"

#: ``SettlementLine.kind`` values: what a settlement line is, for the accounts it goes to
SETTLEMENT_KINDS = [
    ("order", "Customer payment"),
    ("refund", "Refund to a customer"),
    ("fee", "Marketplace fee or commission"),
    ("reserve", "Reserve held or released"),
    ("adjustment", "Other adjustment"),
]


@dataclass
class ChannelInvoice:
    """One posted invoice or credit note, as the channel receives it."""

    order_external_id: str
    number: str
    document_type: str  # INVOICE | CREDIT_NOTE
    pdf: bytes
    filename: str
    currency: str = "EUR"
    amount_total: Decimal = ZERO  # tax included, positive for both document types
    amount_tax: Decimal = ZERO
    invoice_date: date | None = None
    storefront: str = ""  # storefront / marketplace id of the order
    original_number: str = ""  # credit notes: the invoice they correct


@dataclass
class SettlementLine:
    """One amount of a settlement.

    :param kind: one of :data:`SETTLEMENT_KINDS`
    :param fee_type: the channel's name of the amount (``Commission``,
        ``FBAPerUnitFulfillmentFee``, ``Current Reserve Amount``…); the account's
        fee mapping picks the account and tax by it
    :param amount: signed, money to the seller positive
    """

    kind: str
    amount: Decimal
    fee_type: str = ""
    order_external_id: str = ""
    description: str = ""
    posted_at: datetime | None = None


@dataclass
class ChannelSettlement:
    """A payout of the channel: what it collected, kept and transferred."""

    external_id: str
    currency: str
    total: Decimal  # the amount transferred to the seller's bank (negative: charged)
    start: datetime | None = None
    end: datetime | None = None
    deposit_date: datetime | None = None
    lines: list[SettlementLine] = field(default_factory=list)

    def difference(self):
        """Total minus the sum of the lines, to the cent (0 when they agree)."""
        return (self.total - sum((line.amount for line in self.lines), ZERO)).quantize(Decimal("0.01"))


def parse_amount(value, what="amount"):
    """``-12.34``, ``-12,34``, ``1.234,56`` or ``1,234.56`` (statements of every locale) -> Decimal."""
    text = (value or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:  # thousands separators: the last mark is the decimal one
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    elif "," in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ChannelDataError(
            _lt("%(what)s: not an amount: %(value)r", what=what, value=value[:30])
        ) from None
