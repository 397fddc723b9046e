# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Canonical, channel-independent shapes of what the channels exchange with Odoo.

Provider adapters turn raw API payloads into these plain dataclasses (and back
for products, stock and shipments); the engine in ``connector_base`` never reads a
raw payload. No ORM here, so adapters are unit tested without a database.

Amounts are :class:`~decimal.Decimal` in the order's currency, as the channel
sent them: a float would already lose the cent the accountant checks against.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__, default_lang="en_US")

ZERO = Decimal("0")


class ChannelDataError(ValueError):
    """A payload the engine cannot turn into a correct sale order.

    The message is shown to a person in the *needs attention* list: say what is
    wrong and what to do, in the user's words, without secrets.
    """


def to_decimal(value, what="amount"):
    """Parse a channel amount into a Decimal, or raise ChannelDataError."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ChannelDataError(_lt("%(what)s: expected a number, got %(value)r", what=what, value=value))
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ChannelDataError(
            _lt("%(what)s: expected a number, got %(value)r", what=what, value=str(value)[:40])
        ) from None
    if not result.is_finite():
        raise ChannelDataError(
            _lt("%(what)s: expected a number, got %(value)r", what=what, value=str(value)[:40])
        )
    return result


def parse_datetime(value, what="date"):
    """Parse an ISO 8601 / RFC 3339 timestamp into a naive UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ChannelDataError(
                _lt("%(what)s: not a date: %(value)r", what=what, value=str(value)[:40])
            ) from None
    if parsed.tzinfo:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    return parsed


@dataclass
class ChannelAddress:
    """A postal address as the channel gives it.

    ``street`` may already hold the house number; adapters that get it apart
    put it in ``house_number`` and the engine joins them the way Odoo stores it.
    """

    name: str = ""  # person's full name
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street: str = ""
    house_number: str = ""
    street2: str = ""
    zip: str = ""
    city: str = ""
    state_code: str = ""
    country_code: str = ""  # ISO 3166-1 alpha-2
    phone: str = ""
    email: str = ""
    vat: str = ""

    @property
    def full_name(self):
        return (self.name or " ".join(p for p in (self.first_name, self.last_name) if p)).strip()

    def is_empty(self):
        return not any((self.full_name, self.company, self.street, self.city, self.zip))


@dataclass
class ChannelOrderLine:
    """One sold item (product, quantity and price) of a channel order."""

    external_id: str = ""
    sku: str = ""
    ean: str = ""
    title: str = ""
    quantity: Decimal = ZERO
    unit_price_incl: Decimal | None = None  # gross unit price (consumer marketplaces)
    unit_price_excl: Decimal | None = None  # net unit price
    tax_rate: Decimal | None = None  # percent, as the channel computed it
    discount_incl: Decimal = ZERO  # line discount, total for the line, gross
    status: str = ""  # channel status of the line (e.g. cancelled order units)
    channel_product_id: str = ""  # the channel's listing/offer id, for bindings
    # a variant without a SKU of its own: the parent listing's SKU and the chosen values
    # {attribute name: value name}, as the channel names them
    parent_sku: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class ChannelDiscount:
    """An order-level discount (voucher, promotion); amount is positive."""

    code: str = ""
    title: str = ""
    amount_incl: Decimal = ZERO
    amount_excl: Decimal | None = None


@dataclass
class ChannelFee:
    """An extra charge the buyer paid (payment costs, gift wrap, ...); amount is positive."""

    code: str = ""
    title: str = ""
    amount_incl: Decimal = ZERO
    amount_excl: Decimal | None = None
    tax_rate: Decimal | None = None


@dataclass
class ChannelOrder:
    """A channel order, with everything the engine needs to book it."""

    external_id: str = ""
    reference: str = ""  # what the merchant and buyer see as order number
    status: str = ""  # channel status, e.g. need_to_be_sent, Unshipped, paid
    created_at: datetime | None = None  # naive UTC
    updated_at: datetime | None = None  # naive UTC, drives the watermark
    paid_at: datetime | None = None
    currency: str = ""  # ISO 4217
    total_incl: Decimal | None = None  # what the buyer paid, tax included
    total_excl: Decimal | None = None
    prices_include_tax: bool = True  # unit prices are gross (B2C marketplaces)
    payment_method: str = ""  # channel code, mapped per account
    shipping_method: str = ""  # channel code, mapped per account
    shipping_incl: Decimal = ZERO
    shipping_excl: Decimal | None = None
    shipping_tax_rate: Decimal | None = None
    discounts: list[ChannelDiscount] = field(default_factory=list)
    fees: list[ChannelFee] = field(default_factory=list)
    buyer_email: str = ""
    buyer_is_business: bool = False
    buyer_vat: str = ""
    billing: ChannelAddress = field(default_factory=ChannelAddress)
    shipping: ChannelAddress = field(default_factory=ChannelAddress)
    lines: list[ChannelOrderLine] = field(default_factory=list)
    storefront: str = ""  # Kaufland storefront, Amazon marketplace, shop id
    channel_collects_vat: bool = False  # marketplace facilitator / deemed supplier
    fulfilled_by_channel: bool = False  # FBA: already shipped, no Odoo stock
    ship_from_country: str = ""  # when the channel ships (FBA); else the warehouse
    note: str = ""
    cancelled: bool = False  # the channel cancelled the whole order

    @classmethod
    def from_dict(cls, data):
        """Build from the JSON form of :func:`to_dict` (stored payloads, tests)."""
        return _from_dict(cls, data)

    def to_dict(self):
        return _to_jsonable(dataclasses.asdict(self))


@dataclass
class ChannelProduct:
    """A product (or one variant) as it should look in the channel."""

    sku: str = ""
    ean: str = ""
    name: str = ""
    description: str = ""  # long, HTML allowed where the channel takes it
    short_description: str = ""
    price: Decimal | None = None
    price_includes_tax: bool = True
    tax_rate: Decimal | None = None
    currency: str = ""
    quantity: Decimal | None = None
    category_path: list[str] = field(default_factory=list)  # root first
    images: list[bytes] = field(default_factory=list)  # main image first
    image_checksums: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)  # size: M (variant axes)
    features: dict[str, str] = field(default_factory=dict)  # origin: DE (extra info)
    parent_sku: str = ""  # template of a variant, for channels with variations
    external_id: str = ""  # the channel's id, once bound
    weight: Decimal | None = None
    brand: str = ""
    storefront: str = ""  # storefront or marketplace of the listing (catalogue import)
    # only the price changed, "update product info" is off: send the price (and what the
    # channel needs with it) to the existing listing, nothing descriptive
    price_only: bool = False
    # catalogue import: the channel's data of this listing could not be read (why, for a
    # person, lazily translated: the engine makes it text in the user's language); the
    # listing is stored as a conflict, the others are imported
    error: object = ""


def unreadable_listing(exc, external_id="", sku="", name="", storefront=""):
    """A catalogue listing whose payload raised ``exc`` (:class:`ChannelDataError`).

    Catalogue readers yield this instead of raising, so one bad listing never stops
    the import of the others.
    """
    return ChannelProduct(
        external_id=str(external_id or ""),
        sku=str(sku or ""),
        name=str(name or ""),
        storefront=str(storefront or ""),
        error=(exc.args[0] if exc.args else "") or exc.__class__.__name__,
    )


@dataclass
class StockItem:
    """The quantity to publish for one SKU."""

    sku: str
    quantity: int
    ean: str = ""
    external_id: str = ""  # the channel's id of the listing/offer/variant
    storefront: str = ""
    managed_by_channel: bool | None = None  # per-account stock-tracking flag


@dataclass
class PushResult:
    """Outcome per item of a batch push: ``errors`` maps a SKU to the channel's message."""

    external_ids: dict[str, str] = field(default_factory=dict)  # sku -> channel id
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ShipmentLine:
    sku: str
    quantity: int
    line_external_id: str = ""  # Kaufland order unit id, Amazon order item id, ...


@dataclass
class ChannelShipment:
    """A done delivery to report to the channel."""

    order_external_id: str
    carrier_code: str = ""  # channel's carrier code, from the shipping mapping
    carrier_name: str = ""
    tracking_numbers: list[str] = field(default_factory=list)
    tracking_url: str = ""
    shipped_at: datetime | None = None
    lines: list[ShipmentLine] = field(default_factory=list)
    storefront: str = ""  # marketplace / storefront of the order, where the channel needs it


@dataclass
class RawOrder:
    """A fetched payload with the two facts the engine needs before parsing it."""

    external_id: str
    updated_at: datetime | None
    payload: dict
    reference: str = ""


@dataclass
class ChannelRefundLine:
    """What one order line gives back: pieces returned and the gross amount refunded.

    ``quantity`` 0 with an amount is a price reduction without a return.
    """

    external_id: str = ""  # the order line's id in the channel (one of them, for Kaufland units)
    sku: str = ""
    quantity: Decimal = ZERO
    amount_incl: Decimal = ZERO  # gross amount refunded for this line, total


@dataclass
class ChannelRefundAmount:
    """A refund amount not tied to a line: goodwill (positive) or a fee withheld (negative)."""

    kind: str = "goodwill"  # goodwill | restocking_fee | other
    title: str = ""
    amount_incl: Decimal = ZERO


@dataclass
class ChannelRefund:
    """A refund or return of a channel order, as the engine books it.

    ``total_incl`` is what the channel says it refunded; the engine books the parts
    and refuses (parks) when they do not add up to it to the cent.
    """

    external_id: str = ""  # the channel's refund / return id
    order_external_id: str = ""
    reference: str = ""
    date: datetime | None = None  # naive UTC
    updated_at: datetime | None = None
    currency: str = ""
    lines: list[ChannelRefundLine] = field(default_factory=list)
    shipping_incl: Decimal = ZERO  # shipping costs refunded
    other_amounts: list[ChannelRefundAmount] = field(default_factory=list)
    total_incl: Decimal | None = None  # the channel's refund total
    reason: str = ""  # the channel's reason code, mapped per account
    note: str = ""
    goods_returned: bool = False  # the buyer sends (or sent) the goods back
    goods_arrived: bool = False  # the channel says the returned goods arrived
    settled: bool = True  # False: the channel has not decided yet (fetched again later)

    @classmethod
    def from_dict(cls, data):
        return _from_dict(cls, data)

    def to_dict(self):
        return _to_jsonable(dataclasses.asdict(self))


@dataclass
class RawRefund:
    """A fetched refund payload with what the engine needs before parsing it."""

    external_id: str
    updated_at: datetime | None
    payload: dict
    reference: str = ""
    order_external_id: str = ""


@dataclass
class RefundRequest:
    """A refund started in Odoo (posted credit note) to send to the channel."""

    order_external_id: str
    reason: str = ""
    lines: list[dict] = field(default_factory=list)  # {"line_external_id", "sku", "quantity", "amount_incl"}
    shipping_incl: Decimal = ZERO
    currency: str = ""
    reference: str = ""  # the credit note's number
    # keys of the parts the channel already accepted (a retry skips them), and the callback
    # the provider calls with the key of each part it sent, as soon as it was accepted
    already_sent: list[str] = field(default_factory=list)
    on_sent: object = None


# --- (de)serialisation helpers ------------------------------------------------


def _to_jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return None  # images are not stored in payload logs
    if isinstance(value, dict):
        return {k: _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_jsonable(v) for v in value]
    return value


_NESTED = {
    "billing": ChannelAddress,
    "shipping": ChannelAddress,
}
_NESTED_LISTS = {
    "lines": ChannelOrderLine,
    "discounts": ChannelDiscount,
    "fees": ChannelFee,
    # refunds: "lines" of a ChannelRefund are refund lines (see _nested_list_type)
    "other_amounts": ChannelRefundAmount,
}


def _from_dict(cls, data):
    if not isinstance(data, dict):
        raise ChannelDataError(
            _lt("%(what)s: expected an object, got %(type)s", what=cls.__name__, type=type(data).__name__)
        )
    kwargs = {}
    types = {f.name: f.type for f in dataclasses.fields(cls)}
    for name, value in data.items():
        if name not in types:
            continue
        if name in _NESTED:
            kwargs[name] = _from_dict(_NESTED[name], value or {})
        elif name in _NESTED_LISTS:
            if not isinstance(value, list):
                raise ChannelDataError(
                    _lt("%(what)s: expected a list, got %(type)s", what=name, type=type(value).__name__)
                )
            item_cls = (
                ChannelRefundLine if (cls is ChannelRefund and name == "lines") else _NESTED_LISTS[name]
            )
            kwargs[name] = [_from_dict(item_cls, v) for v in value]
        else:
            kwargs[name] = _coerce(types[name], value, name)
    return cls(**kwargs)


def _coerce(type_, value, name):
    text = str(type_)
    if value is None:
        return None if "None" in text else _coerce(type_, "", name) if "str" in text else None
    if "Decimal" in text:
        return to_decimal(value, name)
    if "datetime" in text:
        return parse_datetime(value, name)
    if text.startswith("dict"):
        # {name: value} texts (variant attributes): nothing nested, nothing else
        if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
            raise ChannelDataError(
                _lt(
                    "%(what)s: expected names and values as text, got %(type)s",
                    what=name,
                    type=type(value).__name__,
                )
            )
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if "bool" in text:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "y")
        if isinstance(value, dict | list):
            # not a flag: {"a": 1} must not turn into e.g. "cancelled"
            raise ChannelDataError(
                _lt("%(what)s: expected true or false, got %(type)s", what=name, type=type(value).__name__)
            )
        return bool(value)
    if text == "<class 'str'>" or text == "str":
        if isinstance(value, dict | list):
            raise ChannelDataError(
                _lt("%(what)s: expected text, got %(type)s", what=name, type=type(value).__name__)
            )
        return str(value)
    return value
