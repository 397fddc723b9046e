# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland payloads <-> canonical shapes (pure functions, no ORM, no HTTP).

With ``const.py`` this is the only module that knows Kaufland's field names.
Kaufland sells per *order unit* (one piece); an Odoo order is the group of the
units sharing an ``id_order``.
"""

import dataclasses
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from odoo.addons.connector_base.schema import (
    ChannelAddress,
    ChannelDataError,
    ChannelOrder,
    ChannelOrderLine,
    ChannelProduct,
    ChannelRefund,
    ChannelRefundLine,
    RawOrder,
    RawRefund,
    parse_datetime,
    to_decimal,
)
from odoo.tools.translate import LazyTranslate

from . import const

# Messages are translated when the engine reads them in a model (the user's language).
_lt = LazyTranslate(__name__, default_lang="en_US")

# Order-level keys copied from a unit (or from GET /orders/{id}) into the grouped payload.
_ORDER_KEYS = (
    "id_order",
    "storefront",
    "ts_created_iso",
    "is_marketplace_deemed_supplier",
    "fulfillment_type",
)
# Per-order data that the order-units list repeats on every unit.
_SHARED_UNIT_KEYS = ("buyer", "billing_address", "shipping_address")
# Volatile or bulky unit keys left out of the stored payload (they would make an
# unchanged order look changed).
_DROPPED_UNIT_KEYS = ("tickets", "kss_eligible", "fulfillment_type")

# ISO 3166 alpha-3 -> alpha-2 for the countries Kaufland delivers to; the spec
# example of Address.country is "USA" (UNCONFIRMED format, ISO-2 in practice).
_ALPHA3 = {
    "DEU": "DE",
    "AUT": "AT",
    "CZE": "CZ",
    "SVK": "SK",
    "POL": "PL",
    "FRA": "FR",
    "ITA": "IT",
    "NLD": "NL",
    "BEL": "BE",
    "LUX": "LU",
    "DNK": "DK",
    "SWE": "SE",
    "FIN": "FI",
    "ESP": "ES",
    "PRT": "PT",
    "IRL": "IE",
    "HUN": "HU",
    "SVN": "SI",
    "HRV": "HR",
    "ROU": "RO",
    "BGR": "BG",
    "GRC": "GR",
    "EST": "EE",
    "LVA": "LV",
    "LTU": "LT",
    "MLT": "MT",
    "CYP": "CY",
    "CHE": "CH",
    "LIE": "LI",
    "GBR": "GB",
    "USA": "US",
}


# --- small helpers --------------------------------------------------------------


def storefront_currency(storefront):
    return const.STOREFRONT_CURRENCY.get((storefront or "").lower(), const.DEFAULT_CURRENCY)


def parse_storefronts(text):
    """'de, at' -> ['de', 'at']; raise ChannelDataError on an unknown code."""
    codes = []
    for code in (text or "").replace(";", ",").split(","):
        code = code.strip().lower()
        if not code:
            continue
        if code not in const.STOREFRONTS:
            raise ChannelDataError(
                _lt(
                    "Unknown Kaufland storefront %(code)s: use codes among %(codes)s.",
                    code=repr(code),
                    codes=", ".join(const.STOREFRONTS),
                )
            )
        if code not in codes:
            codes.append(code)
    return codes


def format_since(since):
    """Naive UTC datetime -> the spec's ``YYYY-MM-ddTHH:mm:ssZ``."""
    return since.strftime(const.ISO_FORMAT) if since else None


def cents_to_decimal(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ChannelDataError(
            _lt("%(what)s: expected an amount in cents, got %(value)s", what=what, value=repr(value))
        )
    amount = to_decimal(value, what)
    if amount != amount.to_integral_value():
        raise ChannelDataError(
            _lt("%(what)s: expected whole cents, got %(value)s", what=what, value=repr(value))
        )
    return (amount / const.CENTS).quantize(Decimal("0.01"))


def decimal_to_cents(amount, what):
    amount = to_decimal(amount, what)
    if amount is None:
        raise ChannelDataError(_lt("%s is missing.", what))
    return int((amount * const.CENTS).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _text(value):
    return "" if value is None else str(value).strip()


def country_code(value):
    code = _text(value).upper()
    if len(code) == 3:
        code = _ALPHA3.get(code, code)
    return code if len(code) == 2 else ""


# --- orders: grouping -------------------------------------------------------------


def group_order_units(units):
    """Group order units (GET /order-units items) per ``id_order``.

    :return: ``{id_order: [unit, ...]}`` in first-seen order
    """
    groups = OrderedDict()
    for unit in units:
        if not isinstance(unit, dict) or not unit.get("id_order"):
            raise ChannelDataError(_lt("Kaufland sent an order unit without id_order: %s", str(unit)[:80]))
        groups.setdefault(str(unit["id_order"]), []).append(unit)
    return groups


def order_payload(units, order=None):
    """One stored payload per order: ``{"id_order", ..., "order_units": [...]}``.

    ``units`` come from GET /order-units (each carries buyer and addresses) or
    from GET /orders/{id} (``order`` then holds buyer and addresses). Both give
    the same shape, so re-reading an unchanged order never looks like a change.
    """
    if not units:
        raise ChannelDataError(_lt("A Kaufland order without order units cannot be imported."))
    source = order or units[0]
    payload = {key: source.get(key, units[0].get(key)) for key in _ORDER_KEYS}
    for key in _SHARED_UNIT_KEYS:
        payload[key] = source.get(key) or next((u.get(key) for u in units if u.get(key)), None)
    if order and order.get("delivery"):
        payload["delivery"] = order["delivery"]
    payload["order_units"] = sorted(
        (
            {k: v for k, v in unit.items() if k not in _SHARED_UNIT_KEYS and k not in _DROPPED_UNIT_KEYS}
            for unit in units
        ),
        key=lambda u: int(u.get("id_order_unit") or 0),
    )
    return payload


def earliest_created(units):
    dates = [parse_datetime(u.get("ts_created_iso"), "ts_created_iso") for u in units]
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def may_be_incomplete(units, since):
    """True when units of this order may be missing from a list filtered on update time.

    All units of an order are created at checkout: an order created after ``since``
    is complete in the list; an older one only shows its changed units.
    """
    if not since:
        return False
    created = earliest_created(units)
    return created is None or created < since


def order_wanted(payload, statuses):
    """Import (or update) this order? Any unit in an import status, or cancelled/returned."""
    wanted = set(statuses or const.DEFAULT_IMPORT_STATUSES) | set(const.CANCELLED_STATUSES)
    return any(u.get("status") in wanted for u in payload.get("order_units") or ())


def raw_order(payload):
    """Grouped payload -> :class:`RawOrder` (external id = id_order, updated = max ts_updated)."""
    external_id = _text(payload.get("id_order"))
    if not external_id:
        raise ChannelDataError(_lt("A Kaufland order without id_order cannot be imported."))
    updated = [
        parse_datetime(u.get("ts_updated_iso"), "ts_updated_iso") for u in payload.get("order_units") or ()
    ]
    updated = [d for d in updated if d]
    return RawOrder(
        external_id=external_id,
        updated_at=max(updated) if updated else parse_datetime(payload.get("ts_created_iso")),
        payload=payload,
        reference=external_id,
    )


# --- orders: parsing ------------------------------------------------------------------


def parse_address(data, email=""):
    if not data:
        return ChannelAddress()
    if not isinstance(data, dict):
        raise ChannelDataError(_lt("Address: expected an object, got %s", type(data).__name__))
    return ChannelAddress(
        first_name=_text(data.get("first_name")),
        last_name=_text(data.get("last_name")),
        company=_text(data.get("company_name")),
        street=_text(data.get("street")),
        house_number=_text(data.get("house_number")),
        street2=_text(data.get("additional_field")),
        zip=_text(data.get("postcode")),
        city=_text(data.get("city")),
        country_code=country_code(data.get("country")),
        phone=_text(data.get("phone")),
        email=email,
    )


def _order_status(statuses):
    alive = [s for s in statuses if s not in const.CANCELLED_STATUSES] or statuses
    for status in const.ORDER_STATUS_PRIORITY:
        if status in alive:
            return status
    return alive[0] if alive else ""


def parse_order(payload, translate=str):
    """Grouped Kaufland payload -> :class:`ChannelOrder`.

    One line per offer, price, VAT rate and status: identical units become one
    line of quantity N whose ``external_id`` lists the unit ids (comma-separated),
    which shipping and cancelling use. ``translate`` puts the order's note in the
    user's language (the model passes ``env._``; English without it).
    """
    if not isinstance(payload, dict):
        raise ChannelDataError(_lt("Kaufland order payload: expected an object."))
    id_order = _text(payload.get("id_order"))
    units = payload.get("order_units")
    if not id_order:
        raise ChannelDataError(_lt("Kaufland order payload has no id_order."))
    if not units or not isinstance(units, list):
        raise ChannelDataError(_lt("Kaufland order %s has no order units.", id_order))
    storefront = _text(payload.get("storefront") or units[0].get("storefront")).lower()
    currencies = {_text(u.get("currency")).upper() for u in units if u.get("currency")}
    if len(currencies) > 1:
        raise ChannelDataError(
            _lt(
                "Kaufland order %(order)s mixes currencies (%(currencies)s); book it by hand.",
                order=id_order,
                currencies=", ".join(sorted(currencies)),
            )
        )
    currency = currencies.pop() if currencies else storefront_currency(storefront)

    statuses = [_text(u.get("status")) for u in units]
    all_cancelled = all(s == "cancelled" for s in statuses)
    lines = OrderedDict()
    shipping = Decimal("0")
    total = Decimal("0")
    alive_rates = []
    dropped = []
    for unit in units:
        unit_id = _text(unit.get("id_order_unit"))
        if not unit_id:
            raise ChannelDataError(
                _lt("Kaufland order %s has an order unit without id_order_unit.", id_order)
            )
        status = _text(unit.get("status"))
        if status == "cancelled" and not all_cancelled:
            # The engine books every line: a unit cancelled before shipping is no sale.
            dropped.append(f"{unit_id} ({_text(unit.get('cancel_reason')) or 'cancelled'})")
            continue
        price = cents_to_decimal(unit.get("price"), _lt("Order unit %s price", unit_id))
        if price is None:
            raise ChannelDataError(
                _lt(
                    "Order unit %(unit)s of Kaufland order %(order)s has no price.",
                    unit=unit_id,
                    order=id_order,
                )
            )
        rate = to_decimal(unit.get("vat"), _lt("Order unit %s VAT", unit_id))
        product = unit.get("product") or {}
        eans = product.get("eans") or []
        key = (_text(unit.get("id_offer")), eans[0] if eans else "", price, rate, status)
        line = lines.get(key)
        if line is None:
            line = lines[key] = ChannelOrderLine(
                external_id=unit_id,
                sku=key[0],
                ean=_text(key[1]),
                title=_text(product.get("title")) or key[0],
                quantity=Decimal("0"),
                unit_price_incl=price,
                tax_rate=rate,
                status=status,
            )
        else:
            line.external_id += f",{unit_id}"
        line.quantity += 1
        unit_shipping = cents_to_decimal(
            unit.get("shipping_rate") or 0, _lt("Order unit %s shipping", unit_id)
        )
        shipping += unit_shipping
        total += price + unit_shipping
        if rate is not None:
            alive_rates.append(rate)

    buyer = payload.get("buyer") or {}
    email = _text(buyer.get("email")).lower()
    billing = parse_address(payload.get("billing_address"), email)
    shipping_address = parse_address(payload.get("shipping_address"), email)
    if billing.is_empty() and not shipping_address.is_empty():
        billing = dataclasses.replace(shipping_address)
    created = parse_datetime(payload.get("ts_created_iso"), "ts_created_iso") or earliest_created(units)
    updated = [parse_datetime(u.get("ts_updated_iso"), "ts_updated_iso") for u in units]
    delivery = payload.get("delivery") or {}
    pickup = (delivery.get("pickup_location") or {}) if isinstance(delivery, dict) else {}
    return ChannelOrder(
        external_id=id_order,
        reference=id_order,
        status=_order_status(statuses),
        created_at=created,
        updated_at=max((d for d in updated if d), default=created),
        paid_at=created,  # Kaufland releases orders to the seller once they are paid
        currency=currency,
        total_incl=total,
        prices_include_tax=True,
        payment_method="kaufland",  # Kaufland collects the payment
        shipping_method="pickup" if pickup else "standard",  # Kaufland exposes no method
        shipping_incl=shipping,
        # UNCONFIRMED: shipping carries the highest VAT rate of the units (German practice).
        shipping_tax_rate=max(alive_rates) if alive_rates else None,
        buyer_email=email,
        buyer_is_business=bool(billing.company),
        buyer_vat="",  # the API has no VAT id field
        billing=billing,
        shipping=shipping_address,
        lines=list(lines.values()),
        storefront=storefront,
        channel_collects_vat=bool(payload.get("is_marketplace_deemed_supplier")),
        fulfilled_by_channel=payload.get("fulfillment_type") == "fulfilled_by_kaufland",
        note=translate(_lt("Cancelled Kaufland order units: %s", ", ".join(dropped))) if dropped else "",
        cancelled=all_cancelled,
    )


def units_to_ship(payload, unit_ids=None, sku=None):
    """Ids of the order's units still waiting to be sent, optionally among ``unit_ids``
    or of offer ``sku``."""
    wanted = {str(i) for i in unit_ids} if unit_ids else None
    return [
        str(u["id_order_unit"])
        for u in payload.get("order_units") or ()
        if u.get("status") == const.STATUS_TO_SHIP
        and (wanted is None or str(u["id_order_unit"]) in wanted)
        and (not sku or _text(u.get("id_offer")) == sku)
    ]


def split_unit_ids(external_id):
    return [part.strip() for part in str(external_id or "").split(",") if part.strip()]


# --- shipments and cancellations ----------------------------------------------------


def send_body(shipment):
    carrier = _text(shipment.carrier_code) or _text(shipment.carrier_name)
    if not carrier:
        raise ChannelDataError(
            _lt(
                "Kaufland order %s: no Kaufland carrier code. Map the delivery carrier to a Kaufland "
                "carrier code (e.g. DHL, DPD, GLS, Hermes).",
                shipment.order_external_id,
            )
        )
    tracking = [t.strip() for t in shipment.tracking_numbers if t and t.strip()]
    if not tracking and carrier not in const.CARRIERS_WITHOUT_TRACKING:
        raise ChannelDataError(
            _lt(
                "Kaufland order %(order)s: Kaufland needs a tracking number for carrier %(carrier)s "
                "(only 'Other' and 'Other Hauler' go without).",
                order=shipment.order_external_id,
                carrier=carrier,
            )
        )
    return {"tracking_numbers": ",".join(tracking), "carrier_code": carrier}


def cancel_body(reason):
    reason = _text(reason)
    return {"reason": reason if reason in const.CANCEL_REASONS else const.DEFAULT_CANCEL_REASON}


# --- stock ----------------------------------------------------------------------------------


def stock_bulk_body(amounts):
    """``{id_unit: amount}`` -> POST /units/bulk body (no duplicate units, amount >= 0)."""
    return [
        {"id_unit": int(id_unit), "unit_data": {"amount": max(0, int(amount))}}
        for id_unit, amount in amounts.items()
    ]


def bulk_results(response):
    """POST /units/bulk 207 body -> ``{id_unit: error message or None}``."""
    results = {}
    for item in (response or {}).get("data") or ():
        id_unit = str(item.get("id_unit"))
        code = int(item.get("status_code") or 0)
        if 200 <= code < 300:
            results[id_unit] = None
            continue
        details = "; ".join(
            f"{e.get('field')}: {e.get('message')}" for e in item.get("errors") or () if isinstance(e, dict)
        )
        message = item.get("message") or f"status {code}"
        results[id_unit] = f"{message} ({details})" if details else message
    return results


# --- products (units = offers) -----------------------------------------------------------


def sells_in(product, storefront):
    """True when ``product``'s price is in the currency of ``storefront`` (no price: True)."""
    if product.price is None:
        return True
    return (product.currency or const.DEFAULT_CURRENCY).upper() == storefront_currency(storefront)


def price_cents(product, storefront):
    """Gross listing price in cents of the storefront's currency."""
    if product.price is None:
        raise ChannelDataError(_lt("%s: no price to list it on Kaufland.", product.sku))
    currency = storefront_currency(storefront)
    # A price without currency is taken as EUR: never list a euro amount as crowns or zloty.
    if (product.currency or const.DEFAULT_CURRENCY).upper() != currency:
        raise ChannelDataError(
            _lt(
                "%(sku)s: price is in %(price_currency)s, Kaufland %(storefront)s sells in %(currency)s.",
                sku=product.sku,
                price_currency=product.currency or const.DEFAULT_CURRENCY,
                storefront=storefront,
                currency=currency,
            )
        )
    price = to_decimal(product.price, _lt("%s price", product.sku))
    if not product.price_includes_tax:
        if product.tax_rate is None:
            raise ChannelDataError(
                _lt("%s: Kaufland needs prices with tax; the tax rate is unknown.", product.sku)
            )
        price = price * (1 + to_decimal(product.tax_rate) / 100)
    cents = decimal_to_cents(price, _lt("%s price", product.sku))
    if cents <= 0:
        raise ChannelDataError(_lt("%s: Kaufland needs a price above zero.", product.sku))
    return cents


def unit_create_body(product, storefront, handling_time):
    if not product.ean:
        raise ChannelDataError(
            _lt("%s: Kaufland lists offers by EAN; set a barcode (EAN-13) on the product.", product.sku)
        )
    body = {
        "ean": product.ean,
        "id_offer": product.sku,
        "listing_price": price_cents(product, storefront),
        "handling_time": int(handling_time),
        "condition": const.UNIT_CONDITION_NEW,
    }
    if product.quantity is not None:
        body["amount"] = max(0, int(product.quantity))
    return body


def unit_patch_body(product, storefront):
    body = {"listing_price": price_cents(product, storefront)}
    if product.quantity is not None:
        body["amount"] = max(0, int(product.quantity))
    return body


def unit_price_body(product, storefront):
    """PATCH /units/{id_unit} body of a price change alone."""
    return {"listing_price": price_cents(product, storefront)}


def product_data_body(product):
    """PATCH /product-data body: every attribute value is a list."""
    attributes = {"title": [product.name]}
    if product.description:
        attributes["description"] = [product.description]
    if product.brand:
        attributes["manufacturer"] = [product.brand]  # UNCONFIRMED attribute name
    if product.category_path:
        attributes["category"] = [product.category_path[-1]]  # UNCONFIRMED attribute name
    return {"ean": [product.ean], "attributes": attributes}


def catalogue_product(unit):
    """GET /units item -> :class:`ChannelProduct` (sku = id_offer, external id = id_unit)."""
    product = unit.get("product") or {}
    eans = product.get("eans") or []
    storefront = _text(unit.get("storefront")).lower()
    return ChannelProduct(
        sku=_text(unit.get("id_offer")),
        ean=_text(eans[0]) if eans else "",
        name=_text(product.get("title")),
        price=cents_to_decimal(unit.get("listing_price") or unit.get("price"), _lt("Unit price")),
        price_includes_tax=True,
        currency=_text(unit.get("currency")) or storefront_currency(storefront),
        quantity=Decimal(int(unit.get("amount") or 0)),
        external_id=_text(unit.get("id_unit")),
        brand=_text(product.get("manufacturer")),
        storefront=storefront,  # one listing (and binding) per storefront of the offer
    )


def unit_id_for(units, sku, by_ean=False):
    """Pick the unit of ``sku`` among GET /units results.

    The exact ``id_offer`` wins; results of a lookup by EAN all belong to that EAN,
    so the first one is taken when none has the SKU as offer id.
    """
    for unit in units:
        if sku and _text(unit.get("id_offer")) == sku:
            return _text(unit.get("id_unit"))
    if by_ean and units:
        return _text(units[0].get("id_unit"))
    return ""


# --- returns and refunds --------------------------------------------------------------------


def refund_payload(details, order_units):
    """GET /returns/{id}?embedded=return_units + the units of its order -> stored payload.

    Only what booking needs is kept from the order units (no buyer or address).
    """
    if not isinstance(details, dict) or not details.get("id_return"):
        raise ChannelDataError(_lt("Kaufland sent a return without id_return."))
    units = [{k: u.get(k) for k in const.REFUND_UNIT_KEYS} for u in order_units or ()]
    id_order = next((_text(u.get("id_order")) for u in units if u.get("id_order")), "")
    return {
        "return": details,
        "id_order": id_order,
        "order_units": sorted(units, key=lambda u: int(u.get("id_order_unit") or 0)),
    }


def raw_refund(payload):
    ret = payload.get("return") or {}
    id_return = _text(ret.get("id_return"))
    if not id_return:
        raise ChannelDataError(_lt("A Kaufland return without id_return cannot be booked."))
    return RawRefund(
        external_id=id_return,
        updated_at=parse_datetime(ret.get("ts_updated_iso"), "ts_updated_iso"),
        payload=payload,
        reference=f"Return {id_return}",
        order_external_id=_text(payload.get("id_order")),
    )


def parse_refund(payload):
    """Stored return payload -> :class:`ChannelRefund`.

    A return is settled once none of its units is still open; the accepted units are
    refunded at the price the buyer paid for them (one line per unit). When every live
    unit of the order comes back, the shipping is refunded too (EU consumer law: a
    withdrawal from the whole contract refunds the standard delivery; UNCONFIRMED how
    Kaufland books it).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("return"), dict):
        raise ChannelDataError(_lt("Kaufland return payload: expected an object with the return."))
    ret = payload["return"]
    id_return = _text(ret.get("id_return"))
    id_order = _text(payload.get("id_order"))
    if not id_order and payload.get("error"):
        raise ChannelDataError(
            _lt(
                "Kaufland return %(ret)s: its order could not be read (%(error)s); Retry reads it again.",
                ret=id_return,
                error=payload["error"],
            )
        )
    if not id_order:
        raise ChannelDataError(
            _lt("Kaufland return %s: its order could not be read; Retry reads it again.", id_return)
        )
    units = {_text(u.get("id_order_unit")): u for u in payload.get("order_units") or ()}
    return_units = ret.get("return_units")
    if not isinstance(return_units, list) or not return_units:
        raise ChannelDataError(_lt("Kaufland return %s has no return units.", id_return))
    settled = all(_text(r.get("status")) not in const.RETURN_UNIT_OPEN for r in return_units)
    lines, currencies, reasons, notes = [], set(), [], []
    refunded_ids = set()
    for return_unit in return_units:
        id_unit = _text(return_unit.get("id_order_unit"))
        unit = units.get(id_unit)
        if unit is None:
            raise ChannelDataError(
                _lt(
                    "Kaufland return %(ret)s: order unit %(unit)s is not in order %(order)s.",
                    ret=id_return,
                    unit=id_unit,
                    order=id_order,
                )
            )
        status = _text(return_unit.get("status"))
        refunded = status == const.RETURN_UNIT_REFUNDED or (
            status == const.RETURN_UNIT_CLOSED and unit.get("status") == const.ORDER_UNIT_RETURNED_PAID
        )
        if not refunded:
            continue
        refunded_ids.add(id_unit)
        price = cents_to_decimal(unit.get("price"), _lt("Order unit %s price", id_unit))
        if price is None:
            raise ChannelDataError(
                _lt(
                    "Order unit %(unit)s of Kaufland order %(order)s has no price.",
                    unit=id_unit,
                    order=id_order,
                )
            )
        lines.append(
            ChannelRefundLine(
                external_id=id_unit, sku=_text(unit.get("id_offer")), quantity=Decimal(1), amount_incl=price
            )
        )
        if unit.get("currency"):
            currencies.add(_text(unit["currency"]).upper())
        if return_unit.get("reason"):
            reasons.append(_text(return_unit["reason"]))
        if return_unit.get("note"):
            notes.append(_text(return_unit["note"]))
    if len(currencies) > 1:
        raise ChannelDataError(
            _lt(
                "Kaufland return %(ret)s mixes currencies (%(currencies)s).",
                ret=id_return,
                currencies=", ".join(sorted(currencies)),
            )
        )
    live = {i for i, u in units.items() if u.get("status") != "cancelled"}
    shipping = Decimal("0")
    if refunded_ids and live <= refunded_ids:
        shipping = sum(
            (
                cents_to_decimal(units[i].get("shipping_rate") or 0, _lt("Order unit %s shipping", i))
                for i in live
            ),
            Decimal("0"),
        )
    total = sum((line.amount_incl for line in lines), Decimal("0")) + shipping
    created = parse_datetime(ret.get("ts_created_iso"), "ts_created_iso")
    return ChannelRefund(
        external_id=id_return,
        order_external_id=id_order,
        reference=f"Return {id_return}",
        date=parse_datetime(ret.get("ts_updated_iso"), "ts_updated_iso") or created,
        updated_at=parse_datetime(ret.get("ts_updated_iso"), "ts_updated_iso"),
        currency=currencies.pop() if currencies else storefront_currency(ret.get("storefront")),
        lines=lines,
        shipping_incl=shipping,
        total_incl=total,
        reason=reasons[0] if reasons else "",
        note="; ".join(notes),
        goods_returned=True,
        goods_arrived=_text(ret.get("status")) == const.RETURN_PACKAGE_RECEIVED,
        settled=settled,
    )


def refund_reason(text, shipping=False):
    """OrderUnitRefundReason for a credit note: a valid code named in its reason, else the default."""
    if shipping:
        return const.SHIPPING_REFUND_REASON
    words = _text(text).replace(":", " ").replace(",", " ").split()
    return next((w for w in words if w in const.REFUND_REASONS), const.DEFAULT_REFUND_REASON)


def refund_parts(request, order_units):
    """RefundRequest -> [(id_order_unit, amount in cents, reason)] to PATCH.

    A line's amount is spread over as many of its units as pieces are credited (the
    cents left over go to the last one); an amount without pieces goes to its first
    unit; refunded shipping to the order's first live unit.
    """
    live = [
        _text(u.get("id_order_unit"))
        for u in order_units
        if u.get("status") != "cancelled" and u.get("id_order_unit")
    ]
    parts = []
    for line in request.lines:
        unit_ids = split_unit_ids(line.get("line_external_id"))
        if not unit_ids and line.get("sku"):
            unit_ids = [
                _text(u["id_order_unit"]) for u in order_units if _text(u.get("id_offer")) == line["sku"]
            ]
        unit_ids = [i for i in unit_ids if i in live] or unit_ids
        if not unit_ids:
            if line.get("sku"):
                message = _lt(
                    "Credit note %(ref)s: no Kaufland order unit for %(sku)s.",
                    ref=request.reference,
                    sku=line["sku"],
                )
            else:
                message = _lt("Credit note %s: no Kaufland order unit for a line.", request.reference)
            raise ChannelDataError(message)
        cents = decimal_to_cents(line["amount_incl"], _lt("refund amount"))
        if cents <= 0:
            continue
        count = max(1, min(len(unit_ids), int(to_decimal(line.get("quantity") or 0, "quantity") or 0)))
        share, rest = divmod(cents, count)
        for index, id_unit in enumerate(unit_ids[:count]):
            amount = share + (rest if index == count - 1 else 0)
            parts.append((id_unit, amount, refund_reason(request.reason)))
    shipping = decimal_to_cents(request.shipping_incl or 0, _lt("refunded shipping"))
    if shipping > 0:
        if not live:
            raise ChannelDataError(
                _lt("Credit note %s: no live Kaufland order unit for the shipping.", request.reference)
            )
        parts.append((live[0], shipping, refund_reason("", shipping=True)))
    return parts
