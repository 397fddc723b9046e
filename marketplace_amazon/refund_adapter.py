# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon refund events (Finances API v0) -> canonical refunds (pure functions, no ORM).

A refund is a ``ShipmentEvent`` of ``RefundEventList`` (financesV0.json): the order
(``AmazonOrderId``), when it was posted (``PostedDate``) and one
``ShipmentItemAdjustmentList`` entry per refunded item with ``SellerSKU``, ``OrderItemId``,
``OrderAdjustmentItemId``, ``QuantityShipped`` and

* ``ItemChargeAdjustmentList``: what the buyer gets back, negative (``Principal`` + ``Tax``
  for the item, ``ShippingCharge`` + ``ShippingTax``, ``Giftwrap`` + ``GiftwrapTax``,
  ``Goodwill``, ...; ``RestockingFee`` positive: kept from the buyer);
* ``PromotionAdjustmentList``: the promotion given back, positive (the buyer paid less);
* ``ItemFeeAdjustmentList``: Amazon's fees given back to the seller (commission): not the
  buyer's money, so not on the credit note (settlements book them);
* ``ItemTaxWithheldList``: VAT Amazon withheld (marketplace facilitator): not the buyer's
  money either; the credit note takes the original invoice's taxes in any case.

Gross = net + tax whether Amazon splits the VAT (VAT Calculation Service: ``Principal`` net,
``Tax`` apart) or not (``Principal`` gross, ``Tax`` 0): the sum is what the buyer paid.
"""

import hashlib
import logging
from decimal import Decimal

from odoo.addons.connector_base.schema import (
    ChannelDataError,
    ChannelRefund,
    ChannelRefundAmount,
    ChannelRefundLine,
    RawRefund,
    parse_datetime,
    to_decimal,
)
from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")

ZERO = Decimal("0")
CENT = Decimal("0.01")
REFUND_LIST = "RefundEventList"
# ChargeType -> part of the refund (financesV0.json, ChargeComponent)
ITEM_CHARGES = ("Principal", "Tax")
SHIPPING_CHARGES = ("ShippingCharge", "ShippingTax")
# kinds of ChannelRefundAmount for the other buyer-facing charges
OTHER_CHARGES = {
    "Goodwill": ("goodwill", "Goodwill"),
    "RestockingFee": ("restocking_fee", "Restocking fee"),
    "ReturnShipping": ("goodwill", "Return shipping"),
    "FreeReplacementReturnShipping": ("goodwill", "Return shipping (replacement)"),
    "Giftwrap": ("other", "Gift wrap"),
    "GiftwrapTax": ("other", "Gift wrap"),
}
# taxes Amazon withholds or collects at source: not money the buyer gets back from the seller
WITHHELD_PREFIXES = ("MarketplaceFacilitator", "TCS-", "LowValueGoodsTax")


def _text(value):
    return "" if value is None else str(value).strip()


def _item_what(refund, item, field):
    """Where a bad value is, for the message (``field``: translatable or Amazon's type)."""
    return _lt("Amazon refund %(refund)s, item %(item)s: %(field)s", refund=refund, item=item, field=field)


def _amount(currency_obj, what):
    """``{"CurrencyCode", "CurrencyAmount"}`` -> (Decimal, currency code)."""
    if not isinstance(currency_obj, dict):
        raise ChannelDataError(
            _lt("%(what)s: expected an amount, got %(value)s", what=what, value=repr(str(currency_obj)[:40]))
        )
    value = to_decimal(currency_obj.get("CurrencyAmount"), what)
    return (value or ZERO), _text(currency_obj.get("CurrencyCode")).upper()


def refund_id(event):
    """The id of a refund event, stable across fetches.

    Finances v0 gives a refund no id of its own. An event is one refund of one order posted
    at one time; its items carry Amazon's ``OrderAdjustmentItemId`` (one per refunded item
    and adjustment). So: order id + posted time + a short digest of the sorted adjustment
    item ids (order item id and SKU where Amazon sends none). The same event read again
    (by date range or by order, in any item order) gives the same id; two refunds of one
    order, even posted in the same second, differ by their adjustment items.
    """
    order_id = _text(event.get("AmazonOrderId"))
    posted = parse_datetime(event.get("PostedDate"), _lt("refund PostedDate"))
    if not order_id or not posted:
        raise ChannelDataError(
            _lt("An Amazon refund event without AmazonOrderId or PostedDate cannot be booked.")
        )
    keys = sorted(
        _text(item.get("OrderAdjustmentItemId"))
        or f"{_text(item.get('OrderItemId'))}:{_text(item.get('SellerSKU'))}"
        for item in event.get("ShipmentItemAdjustmentList") or []
        if isinstance(item, dict)
    )
    digest = hashlib.sha256("|".join(keys).encode()).hexdigest()[:12]
    return f"{order_id}/{posted:%Y%m%dT%H%M%SZ}/{digest}"


def raw_refunds(financial_events):
    """``FinancialEvents`` of one page -> :class:`RawRefund` per refund event.

    The stored payload is ``{"list": "RefundEventList", "event": <ShipmentEvent>}``.
    """
    raws = []
    for event in (financial_events or {}).get(REFUND_LIST) or []:
        try:
            if not isinstance(event, dict):
                raise ChannelDataError(_lt("An Amazon refund event is not an object."))
            raws.append(raw_refund(event))
        except ChannelDataError as exc:
            # one unreadable event never stops the others: without an id the engine logs
            # and skips it
            _logger.warning("Amazon refund event skipped: %s", exc)
            raws.append(
                RawRefund(external_id="", updated_at=None, payload={"list": REFUND_LIST, "event": event})
            )
    return raws


def raw_refund(event):
    external_id = refund_id(event)
    order_id = _text(event.get("AmazonOrderId"))
    posted = parse_datetime(event.get("PostedDate"), _lt("refund PostedDate"))
    return RawRefund(
        external_id=external_id,
        updated_at=posted,
        payload={"list": REFUND_LIST, "event": event},
        reference=f"{order_id} refund {posted:%Y-%m-%d %H:%M}",
        order_external_id=order_id,
    )


def parse_refund(payload, order=None):
    """Stored refund payload -> :class:`ChannelRefund`.

    :param order: the stored :class:`ChannelOrder` of the refunded order, when Odoo has it:
        an item refunded at its full price is a return of ``QuantityShipped`` pieces, less is
        a price reduction (quantity 0): Amazon's event does not tell the two apart. Goods
        come back to the seller's warehouse only for merchant-fulfilled orders (FBA returns
        go to Amazon's).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), dict):
        raise ChannelDataError(_lt("Amazon refund payload: expected an object with the refund event."))
    event = payload["event"]
    external_id = refund_id(event)
    order_id = _text(event.get("AmazonOrderId"))
    items = event.get("ShipmentItemAdjustmentList")
    if not isinstance(items, list) or not items:
        raise ChannelDataError(_lt("Amazon refund %s has no refunded items.", external_id))
    unit_prices = {}
    if order is not None:
        for line in order.lines:
            unit_prices[line.external_id] = line.unit_price_incl
    currencies = set()
    lines = []
    shipping = ZERO
    others = {}
    for item in items:
        if not isinstance(item, dict):
            raise ChannelDataError(_lt("Amazon refund %s: an item is not an object.", external_id))
        sku = _text(item.get("SellerSKU"))
        item_id = _text(item.get("OrderItemId"))
        label = item_id or sku
        quantity = (
            to_decimal(item.get("QuantityShipped"), _item_what(external_id, label, "QuantityShipped")) or ZERO
        )
        quantity = abs(quantity)  # seen signed in some accounts' data (UNCONFIRMED)
        principal = ZERO
        for charge in item.get("ItemChargeAdjustmentList") or []:
            kind = _text(charge.get("ChargeType"))
            value, currency = _amount(charge.get("ChargeAmount"), _item_what(external_id, label, kind))
            if currency:
                currencies.add(currency)
            if kind.startswith(WITHHELD_PREFIXES):
                continue
            back = -value  # negative charge adjustment = money back to the buyer
            if kind in ITEM_CHARGES:
                principal += back
            elif kind in SHIPPING_CHARGES:
                shipping += back
            else:
                other_kind, title = OTHER_CHARGES.get(kind, ("other", kind or "Other"))
                key = (other_kind, title)
                others[key] = others.get(key, ZERO) + back
        amount = principal
        for promotion in item.get("PromotionAdjustmentList") or []:
            value, currency = _amount(
                promotion.get("PromotionAmount"), _item_what(external_id, label, _lt("promotion"))
            )
            if currency:
                currencies.add(currency)
            # positive: the promotion given back lowers the refund; a shipping promotion
            # lowers the refunded shipping (UNCONFIRMED PromotionType values)
            if "shipping" in _text(promotion.get("PromotionType")).lower():
                shipping -= value
            else:
                amount -= value
        unit = unit_prices.get(item_id)
        if unit is not None and quantity:
            # the full price of the pieces: a return; less: a price reduction
            returned = quantity if principal >= (unit * quantity).quantize(CENT) - CENT else ZERO
        else:
            returned = quantity if principal else ZERO
        if not amount and not returned:
            continue  # e.g. only the shipping of this item was refunded
        lines.append(ChannelRefundLine(external_id=item_id, sku=sku, quantity=returned, amount_incl=amount))
    if len(currencies) > 1:
        raise ChannelDataError(
            _lt(
                "Amazon refund %(refund)s mixes currencies: %(currencies)s.",
                refund=external_id,
                currencies=", ".join(sorted(currencies)),
            )
        )
    other_amounts = [
        ChannelRefundAmount(kind=kind, title=title, amount_incl=value)
        for (kind, title), value in others.items()
        if value
    ]
    total = (
        sum((line.amount_incl for line in lines), ZERO)
        + shipping
        + sum((a.amount_incl for a in other_amounts), ZERO)
    )
    fba = bool(order is not None and order.fulfilled_by_channel)
    posted = parse_datetime(event.get("PostedDate"), _lt("refund PostedDate"))
    return ChannelRefund(
        external_id=external_id,
        order_external_id=order_id,
        reference=f"{order_id} refund {posted:%Y-%m-%d %H:%M}",
        date=posted,
        updated_at=posted,
        currency=currencies.pop() if currencies else (order.currency if order is not None else ""),
        lines=lines,
        shipping_incl=shipping,
        other_amounts=other_amounts,
        total_incl=total,
        note="Fulfilled by Amazon: the goods go back to Amazon's warehouse." if fba else "",
        # Finances events do not say whether goods came back: a full-price item refund of a
        # merchant-fulfilled order is booked as a return, left ready for the warehouse
        goods_returned=not fba and any(line.quantity for line in lines),
        goods_arrived=False,
        settled=True,  # a posted financial event is final
    )
