# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon payloads <-> canonical shapes (pure functions, no ORM).

Stored order payloads are wrapped so both Orders API versions can be parsed:

* ``{"api": "2026-01-01", "order": <Order>, "billing": <report row or None>}``
* ``{"api": "v0", "order": <Order>, "items": [<OrderItem>], "billing": ...}``

Amounts: Amazon gives line totals (v0 ``ItemPrice`` is the total for the quantity;
2026 proceeds ``ITEM`` likewise), VAT-inclusive in Europe with the contained VAT in
``ItemTax`` / ``TAX``. Whether an order's prices include tax is read from its totals
(grand total = items + shipping - discounts, or that plus tax), falling back to the
marketplace's country when both readings fit.
"""

import csv
import io
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from odoo.addons.connector_base.schema import (
    ChannelAddress,
    ChannelDataError,
    ChannelDiscount,
    ChannelOrder,
    ChannelOrderLine,
    ChannelProduct,
    RawOrder,
    parse_datetime,
    to_decimal,
)
from odoo.tools.translate import LazyTranslate

from . import const

_lt = LazyTranslate(__name__, default_lang="en_US")

ZERO = Decimal("0")
CENT = Decimal("0.01")
UNIT = Decimal("0.0001")
# VAT rates in use in the EU/UK/TR (percent), to name the rate Amazon applied.
KNOWN_RATES = [
    Decimal(r)
    for r in (
        "0",
        "2.1",
        "3",
        "4",
        "5",
        "5.5",
        "6",
        "7",
        "8",
        "8.1",
        "9",
        "10",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "25.5",
        "27",
    )
]


# === orders ==============================================================================


def wrap_order_2026(order, billing=None):
    return {"api": const.ORDERS_API_2026, "order": order, "billing": billing or None}


def wrap_order_v0(composite, billing=None):
    return dict(composite, api=const.ORDERS_API_V0, billing=billing or None)


def order_id_of(payload):
    order = payload.get("order") if isinstance(payload, dict) and "order" in payload else payload
    if not isinstance(order, dict):
        raise ChannelDataError(_lt("Amazon order payload: expected an object."))
    return order.get("orderId") or order.get("AmazonOrderId") or ""


def raw_order(payload):
    """Wrapped payload -> :class:`RawOrder` (external id and change time)."""
    order = payload.get("order") or {}
    external_id = order_id_of(payload)
    if not external_id:
        raise ChannelDataError(_lt("Amazon order without an order id: it cannot be imported."))
    updated = (
        order.get("lastUpdatedTime")
        or order.get("LastUpdateDate")
        or order.get("createdTime")
        or order.get("PurchaseDate")
    )
    return RawOrder(
        external_id=external_id,
        updated_at=parse_datetime(updated, _lt("order %s: last update", external_id)),
        payload=payload,
        reference=external_id,
    )


def parse_order(payload):
    """Stored payload -> :class:`ChannelOrder`.

    :raise ChannelDataError: with a message for the person fixing it
    """
    if not isinstance(payload, dict):
        raise ChannelDataError(_lt("Amazon order payload: expected an object."))
    if "order" not in payload and "orderId" in payload:
        payload = wrap_order_2026(payload)  # a bare 2026 Order
    api = payload.get("api") or (const.ORDERS_API_V0 if "items" in payload else const.ORDERS_API_2026)
    order = payload.get("order")
    if not isinstance(order, dict):
        raise ChannelDataError(_lt("Amazon order payload has no order."))
    billing = payload.get("billing") or None
    if api == const.ORDERS_API_V0:
        facts = _facts_v0(order, payload.get("items") or [])
    else:
        facts = _facts_2026(order)
    return _build(facts, billing)


def _money(value, what):
    """Amount of a 2026 ``{"amount","currencyCode"}`` or v0 ``{"Amount","CurrencyCode"}``."""
    if value in (None, ""):
        return ZERO
    if not isinstance(value, dict):
        raise ChannelDataError(
            _lt("%(what)s: expected an amount, got %(value)s", what=what, value=repr(str(value)[:40]))
        )
    amount = value.get("amount", value.get("Amount"))
    return to_decimal(amount, what) or ZERO


def _currency(value):
    if isinstance(value, dict):
        return value.get("currencyCode") or value.get("CurrencyCode") or ""
    return ""


def _facts_2026(order):
    order_id = order.get("orderId") or ""
    fulfillment = order.get("fulfillment") or {}
    sales_channel = order.get("salesChannel") or {}
    buyer = order.get("buyer") or {}
    proceeds = order.get("proceeds") or {}
    programs = order.get("programs") or []
    grand = proceeds.get("grandTotal")
    currency = _currency(grand)
    tip = sum(
        (
            _money(b.get("subtotal"), _lt("order %(order)s: %(kind)s", order=order_id, kind=b.get("type")))
            for b in proceeds.get("breakdowns") or []
            if b.get("type") == "DELIVERY_TIP"
        ),
        ZERO,
    )
    lines = []
    collects_vat = False
    for item in order.get("orderItems") or []:
        item_id = item.get("orderItemId") or ""
        product = item.get("product") or {}
        unit_price = (product.get("price") or {}).get("unitPrice")
        currency = currency or _currency(unit_price)
        quantity = (
            to_decimal(item.get("quantityOrdered"), _item_what(order_id, item_id, _lt("quantity"))) or ZERO
        )
        subtotals, details = {}, {}
        for entry in (item.get("proceeds") or {}).get("breakdowns") or []:
            kind = entry.get("type")
            subtotals[kind] = subtotals.get(kind, ZERO) + _money(
                entry.get("subtotal"), _item_what(order_id, item_id, kind)
            )
            for detail in entry.get("detailedBreakdowns") or []:
                key = (kind, detail.get("subtype"))
                details[key] = details.get(key, ZERO) + _money(
                    detail.get("value"), _item_what(order_id, item_id, kind)
                )
        item_total = subtotals.get("ITEM")
        if item_total is None:
            item_total = _money(unit_price, _item_what(order_id, item_id, _lt("unit price"))) * quantity
        tax_total = subtotals.get("TAX", ZERO)
        has_tax_details = any(kind == "TAX" for kind, _sub in details)
        item_tax = details.get(("TAX", "ITEM"), ZERO) if has_tax_details else tax_total
        discount_tax = abs(details.get(("TAX", "DISCOUNT"), ZERO))
        discount = abs(subtotals.get("DISCOUNT", ZERO))
        if any(kind == "DISCOUNT" for kind, _sub in details):
            promo = abs(details.get(("DISCOUNT", "ITEM"), ZERO))
            ship_discount = abs(details.get(("DISCOUNT", "SHIPPING"), ZERO))
        else:
            promo, ship_discount = discount, ZERO
        # Split the discount VAT between item and shipping promotions by amount.
        promo_tax = (
            (discount_tax * promo / (promo + ship_discount)).quantize(CENT) if promo + ship_discount else ZERO
        )
        tax = item.get("tax") or {}
        if any(
            c.get("model") in const.MARKETPLACE_FACILITATOR for c in tax.get("taxCollections") or []
        ) or any(
            b.get("reportingScheme") in const.DEEMED_RESELLER_SCHEMES
            for b in tax.get("taxCalculationBreakdowns") or []
        ):
            collects_vat = True
        lines.append(
            {
                "id": item_id,
                "sku": product.get("sellerSku") or "",
                "asin": product.get("asin") or "",
                "title": product.get("title") or "",
                "quantity": quantity,
                "item": item_total,
                "item_tax": item_tax,
                "shipping": subtotals.get("SHIPPING", ZERO),
                "shipping_tax": details.get(("TAX", "SHIPPING"), ZERO),
                "promo": promo,
                "promo_tax": promo_tax,
                "ship_discount": ship_discount,
                "ship_discount_tax": discount_tax - promo_tax,
                "shipped": (item.get("fulfillment") or {}).get("quantityFulfilled") or 0,
            }
        )
    registration = next(
        (r for r in (order.get("tax") or {}).get("taxRegistrations") or [] if r.get("entityType") == "BUYER"),
        {},
    )
    payments = (order.get("payment") or {}).get("paymentExecutions") or []
    ship_from = next(
        (
            (p.get("shipFromAddress") or {}).get("countryCode")
            for p in order.get("packages") or []
            if (p.get("shipFromAddress") or {}).get("countryCode")
        ),
        "",
    )
    status = fulfillment.get("fulfillmentStatus") or ""
    return {
        "id": order_id,
        "created": order.get("createdTime"),
        "updated": order.get("lastUpdatedTime"),
        "status": const.STATUS_2026_TO_V0.get(status, status),
        "currency": currency,
        "grand": (_money(grand, _lt("order %s: grand total", order_id)) - tip) if grand else None,
        "marketplace": sales_channel.get("marketplaceId") or "",
        "fulfilled_by_amazon": fulfillment.get("fulfilledBy") == "AMAZON" or "DELIVERY_BY_AMAZON" in programs,
        "service_level": fulfillment.get("fulfillmentServiceLevel") or "",
        "payment_method": (payments[0].get("paymentMethod") if payments else "") or "Other",
        "business": const.BUSINESS_PROGRAM in programs,
        "buyer_name": buyer.get("buyerName") or "",
        "buyer_email": buyer.get("buyerEmail") or "",
        "company": buyer.get("buyerCompanyName") or registration.get("legalName") or "",
        "po_number": buyer.get("buyerPurchaseOrderNumber") or "",
        "vat": registration.get("taxRegistrationNumber") or "",
        "tax_address": _address_2026(registration.get("taxRegistrationAddress") or {}),
        "shipping": _address_2026((order.get("recipient") or {}).get("deliveryAddress") or {}),
        "collects_vat": collects_vat,
        "ship_from": ship_from,
        "lines": lines,
    }


def _item_what(order_id, item_id, field):
    """Where a bad value is, for the message: ``order 302-…, item 123: quantity``
    (``field``: a translatable field name or Amazon's own amount type)."""
    return _lt("order %(order)s, item %(item)s: %(field)s", order=order_id, item=item_id, field=field)


def _address_2026(address):
    lines = [
        address.get("addressLine1") or "",
        address.get("addressLine2") or "",
        address.get("addressLine3") or "",
    ]
    return _address(
        name=address.get("name") or "",
        company=address.get("companyName") or "",
        lines=lines,
        zip_code=address.get("postalCode") or "",
        city=address.get("city") or "",
        state=address.get("stateOrRegion") or "",
        country=address.get("countryCode") or "",
        phone=address.get("phone") or "",
    )


def _facts_v0(order, items):
    order_id = order.get("AmazonOrderId") or ""
    total = order.get("OrderTotal")
    currency = _currency(total)
    buyer = order.get("BuyerInfo") or {}
    tax_info = buyer.get("BuyerTaxInfo") or {}
    turkish = order.get("BuyerTaxInformation") or {}
    shipping = order.get("ShippingAddress") or {}
    lines = []
    collects_vat = False
    for item in items:
        item_id = item.get("OrderItemId") or ""
        currency = currency or _currency(item.get("ItemPrice"))
        collection = item.get("TaxCollection") or {}
        if collection.get("Model") in const.MARKETPLACE_FACILITATOR or (
            item.get("DeemedResellerCategory") in const.DEEMED_RESELLER_SCHEMES
        ):
            collects_vat = True
        lines.append(
            {
                "id": item_id,
                "sku": item.get("SellerSKU") or "",
                "asin": item.get("ASIN") or "",
                "title": item.get("Title") or "",
                "quantity": to_decimal(
                    item.get("QuantityOrdered"), _item_what(order_id, item_id, _lt("quantity"))
                )
                or ZERO,
                "item": _money(item.get("ItemPrice"), _item_what(order_id, item_id, "ItemPrice")),
                "item_tax": _money(item.get("ItemTax"), _item_what(order_id, item_id, "ItemTax")),
                "shipping": _money(item.get("ShippingPrice"), _item_what(order_id, item_id, "ShippingPrice")),
                "shipping_tax": _money(item.get("ShippingTax"), _item_what(order_id, item_id, "ShippingTax")),
                "promo": abs(
                    _money(item.get("PromotionDiscount"), _item_what(order_id, item_id, "PromotionDiscount"))
                ),
                "promo_tax": abs(
                    _money(
                        item.get("PromotionDiscountTax"),
                        _item_what(order_id, item_id, "PromotionDiscountTax"),
                    )
                ),
                "ship_discount": abs(
                    _money(item.get("ShippingDiscount"), _item_what(order_id, item_id, "ShippingDiscount"))
                ),
                "ship_discount_tax": abs(
                    _money(
                        item.get("ShippingDiscountTax"), _item_what(order_id, item_id, "ShippingDiscountTax")
                    )
                ),
                "shipped": item.get("QuantityShipped") or 0,
            }
        )
    vat = turkish.get("BuyerTaxRegistrationId") or next(
        (c.get("Value") for c in tax_info.get("TaxClassifications") or [] if c.get("Value")), ""
    )
    service_level = order.get("ShipmentServiceLevelCategory") or ""
    return {
        "id": order_id,
        "created": order.get("PurchaseDate"),
        "updated": order.get("LastUpdateDate"),
        "status": order.get("OrderStatus") or "",
        "currency": currency,
        "grand": _money(total, _lt("order %(order)s: %(kind)s", order=order_id, kind="OrderTotal"))
        if total
        else None,
        "marketplace": order.get("MarketplaceId") or "",
        "fulfilled_by_amazon": order.get("FulfillmentChannel") == "AFN",
        "service_level": const.SERVICE_LEVEL_V0_TO_2026.get(service_level, service_level),
        "payment_method": order.get("PaymentMethod") or "Other",
        "business": bool(order.get("IsBusinessOrder")),
        "buyer_name": buyer.get("BuyerName") or "",
        "buyer_email": buyer.get("BuyerEmail") or "",
        "company": shipping.get("CompanyName")
        or tax_info.get("CompanyLegalName")
        or turkish.get("BuyerLegalCompanyName")
        or "",
        "po_number": buyer.get("PurchaseOrderNumber") or "",
        "vat": vat,
        "tax_address": ChannelAddress(),
        "shipping": _address(
            name=shipping.get("Name") or "",
            company=shipping.get("CompanyName") or "",
            lines=[
                shipping.get("AddressLine1") or "",
                shipping.get("AddressLine2") or "",
                shipping.get("AddressLine3") or "",
            ],
            zip_code=shipping.get("PostalCode") or "",
            city=shipping.get("City") or "",
            state=shipping.get("StateOrRegion") or "",
            country=shipping.get("CountryCode") or "",
            phone=shipping.get("Phone") or "",
        ),
        "collects_vat": collects_vat,
        "ship_from": "",
        "lines": lines,
    }


def _address(name, company, lines, zip_code, city, state, country, phone):
    """Amazon address lines -> street / street2.

    German addresses often come with the company or a c/o in line 1 and the street in
    line 2 (common experience, UNCONFIRMED in the docs): the line with a house number
    is taken as the street.
    """
    lines = [line.strip() for line in lines if line and line.strip()]
    street, rest = "", []
    if lines:
        if len(lines) > 1 and not any(c.isdigit() for c in lines[0]) and any(c.isdigit() for c in lines[1]):
            street, rest = lines[1], [lines[0]] + lines[2:]
        else:
            street, rest = lines[0], lines[1:]
    if company and rest and rest[0] == company:
        rest = rest[1:]
    return ChannelAddress(
        name=name.strip(),
        company=company.strip(),
        street=street,
        street2=", ".join(rest),
        zip=zip_code.strip(),
        city=city.strip(),
        state_code=state.strip() if len(state.strip()) <= 3 else "",
        country_code=country.strip().upper(),
        phone=phone.strip(),
    )


def _rate(tax, base, gross_base):
    """VAT rate (percent) Amazon applied: a known rate that reproduces ``tax``, else computed.

    :param base: the net amount, or None
    :param gross_base: True when ``tax`` was taken out of a gross amount
    """
    if not base:
        return None
    gross = base + tax
    for rate in KNOWN_RATES:
        if gross_base:
            expected = (gross * rate / (100 + rate)).quantize(CENT, ROUND_HALF_UP)
        else:
            expected = (base * rate / 100).quantize(CENT, ROUND_HALF_UP)
        if expected == tax:
            return rate
    return (tax * 100 / base).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _close(a, b):
    return abs(a - b) <= Decimal("0.02")


def _build(facts, billing_row):
    order_id = facts["id"]
    if not order_id:
        raise ChannelDataError(_lt("Amazon order without an order id: it cannot be imported."))
    lines = facts["lines"]
    if not lines and facts["status"] not in const.CANCELLED_STATUSES:
        raise ChannelDataError(_lt("Amazon order %s has no items: check it in Seller Central.", order_id))
    if not facts["currency"]:
        raise ChannelDataError(_lt("Amazon order %s has no currency.", order_id))
    for line in lines:
        if not line["sku"] and line["quantity"]:
            raise ChannelDataError(
                _lt(
                    "Amazon order %(order)s: item %(item)s (%(title)s) has no seller SKU.",
                    order=order_id,
                    item=line["id"],
                    title=line["title"][:40],
                )
            )
    sums = {
        key: sum((line[key] for line in lines), ZERO)
        for key in (
            "item",
            "item_tax",
            "shipping",
            "shipping_tax",
            "promo",
            "promo_tax",
            "ship_discount",
            "ship_discount_tax",
        )
    }
    tax_total = sums["item_tax"] + sums["shipping_tax"] - sums["promo_tax"] - sums["ship_discount_tax"]
    gross_reading = sums["item"] + sums["shipping"] - sums["promo"] - sums["ship_discount"]
    net_reading = gross_reading + tax_total
    country = const.MARKETPLACES.get(facts["marketplace"], ("",))[0] or facts["shipping"].country_code
    included = country in const.TAX_INCLUDED_COUNTRIES or not country
    grand = facts["grand"]
    if grand is not None and tax_total:
        if _close(grand, gross_reading) and not _close(grand, net_reading):
            included = True
        elif _close(grand, net_reading) and not _close(grand, gross_reading):
            included = False
    total_incl = grand if grand is not None else (gross_reading if included else net_reading)

    order_lines = []
    for line in lines:
        quantity = line["quantity"]
        if not quantity:
            continue  # cancelled item
        item, tax = line["item"], line["item_tax"]
        net = item - tax if included else item
        gross = item if included else item + tax
        discount = line["promo"] if included else line["promo"] + line["promo_tax"]
        order_lines.append(
            ChannelOrderLine(
                external_id=line["id"],
                sku=line["sku"],
                title=line["title"],
                quantity=quantity,
                unit_price_incl=(gross / quantity).quantize(UNIT, ROUND_HALF_UP),
                unit_price_excl=(net / quantity).quantize(UNIT, ROUND_HALF_UP),
                tax_rate=_rate(tax, net, included),
                discount_incl=discount,
                status=facts["status"],
                channel_product_id=line["asin"],
            )
        )

    ship, ship_tax = sums["shipping"], sums["shipping_tax"]
    ship_net = ship - ship_tax if included else ship
    discounts = []
    if sums["ship_discount"]:
        ship_discount_gross = sums["ship_discount"] + (ZERO if included else sums["ship_discount_tax"])
        discounts.append(
            ChannelDiscount(
                code="shipping_discount",
                title="Amazon shipping discount",
                amount_incl=ship_discount_gross,
                amount_excl=ship_discount_gross - sums["ship_discount_tax"],
            )
        )

    shipping = facts["shipping"]
    shipping.email = facts["buyer_email"]
    if not shipping.name:
        shipping.name = facts["buyer_name"]
    billing = billing_from_row(billing_row) if billing_row else ChannelAddress()
    if billing.is_empty() and not facts["tax_address"].is_empty():
        billing = facts["tax_address"]
    vat = facts["vat"] or (billing.vat if billing_row else "")
    company = facts["company"] or billing.company
    business = facts["business"] or bool(billing_row and _truthy(_pick(billing_row, "business")))
    if billing_row and not billing.is_empty():
        # The report may come in a legacy character set (Cp1252 has no Turkish ı: Amazon
        # writes "?"): the Orders API's names win, the report gives what the API lacks.
        billing.name = facts["buyer_name"] or billing.name
        billing.email = facts["buyer_email"] or billing.email
        if facts["company"] and _damaged(billing.company):
            billing.company = facts["company"]
        _repair_from(billing, facts["shipping"])
    if not billing.is_empty():
        billing.email = billing.email or facts["buyer_email"]
        billing.name = billing.name or facts["buyer_name"]
        billing.company = billing.company or (company if business else "")
        billing.vat = billing.vat or vat
    if business and company and not shipping.company and billing.is_empty():
        shipping.company = company
    notes = []
    if facts["po_number"]:
        notes.append(f"Purchase order: {facts['po_number']}")
    if facts["collects_vat"]:
        notes.append("Amazon collects and remits the VAT of this order (marketplace facilitator).")
    created = parse_datetime(facts["created"], _lt("order %s: purchase date", order_id))
    return ChannelOrder(
        external_id=order_id,
        reference=order_id,
        status=facts["status"],
        created_at=created,
        updated_at=parse_datetime(facts["updated"], _lt("order %s: last update", order_id)) or created,
        paid_at=created if facts["status"] not in ("Pending", "PendingAvailability") else None,
        currency=facts["currency"],
        total_incl=total_incl,
        total_excl=total_incl - tax_total,
        prices_include_tax=included,
        payment_method=facts["payment_method"],
        shipping_method=facts["service_level"],
        shipping_incl=ship if included else ship + ship_tax,
        shipping_excl=ship_net,
        shipping_tax_rate=_rate(ship_tax, ship_net, included) if ship else None,
        discounts=discounts,
        buyer_email=facts["buyer_email"],
        buyer_is_business=business,
        buyer_vat=vat,
        billing=billing,
        shipping=shipping,
        lines=order_lines,
        storefront=facts["marketplace"],
        channel_collects_vat=facts["collects_vat"],
        fulfilled_by_channel=facts["fulfilled_by_amazon"],
        ship_from_country=facts["ship_from"],
        note="\n".join(notes),
        cancelled=facts["status"] in const.CANCELLED_STATUSES,
    )


def _damaged(text):
    """True when a report value lost characters to its character set ("?" or U+FFFD)."""
    return bool(text) and ("?" in text or "\ufffd" in text)


def _same_but_damaged(damaged, clean):
    """``damaged`` is ``clean`` with characters replaced by "?" or U+FFFD."""
    return (
        _damaged(damaged)
        and len(damaged) == len(clean)
        and all(a == b or a in "?\ufffd" for a, b in zip(damaged, clean, strict=True))
    )


def _repair_from(billing, api_address):
    """Billing fields the report damaged, taken from the API's address where it is the same
    text (a billing address that is also the delivery address)."""
    for field in ("name", "company", "street", "street2", "city"):
        value, clean = getattr(billing, field), getattr(api_address, field)
        if clean and _same_but_damaged(value, clean):
            setattr(billing, field, clean)


def _truthy(value):
    return str(value or "").strip().lower() in ("true", "yes", "1", "y")


# === flat-file report (billing addresses) ======================================================


def parse_flat_file(text):
    """Tab-separated flat file -> list of dicts keyed by the header's column names."""
    if not text:
        return []
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    if not reader.fieldnames:
        return []
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def billing_rows_by_order(text):
    """Invoicing report text -> {order id: first row of that order}."""
    rows = {}
    for row in parse_flat_file(text):
        order_id = _pick(row, "order_id")
        if order_id and order_id not in rows:
            rows[order_id] = row
    return rows


def _pick(row, key):
    for column in const.REPORT_COLUMNS.get(key, (key,)) if key != "business" else ("is-business-order",):
        if row.get(column):
            return row[column]
    return ""


def billing_from_row(row):
    """A report row's bill-* columns -> :class:`ChannelAddress` (empty when it has none)."""
    if not row:
        return ChannelAddress()
    address = _address(
        name=_pick(row, "name"),
        company=_pick(row, "company"),
        lines=[_pick(row, "street"), _pick(row, "street2"), _pick(row, "street3")],
        zip_code=_pick(row, "zip"),
        city=_pick(row, "city"),
        state=_pick(row, "state"),
        country=_pick(row, "country"),
        phone=_pick(row, "phone"),
    )
    if not (address.street or address.city or address.zip):
        return ChannelAddress()
    address.email = _pick(row, "email")
    address.vat = _pick(row, "vat")
    return address


# === listings ====================================================================================


def _number(value):
    """Decimal -> JSON number (the library serialises with json.dumps)."""
    return float(Decimal(value).quantize(CENT, ROUND_HALF_UP))


def stock_patch(item, product_type=const.DEFAULT_PRODUCT_TYPE):
    """:class:`StockItem` -> ListingsItemPatchRequest of the merchant-fulfilled quantity."""
    if not item.sku:
        raise ChannelDataError(_lt("A stock line without SKU cannot be sent to Amazon."))
    quantity = max(0, int(item.quantity))
    return {
        "productType": product_type,
        "patches": [
            {
                "op": const.STOCK_PATCH_OP,
                "path": "/attributes/fulfillment_availability",
                "value": [
                    {"fulfillment_channel_code": const.MERCHANT_FULFILLMENT_CODE, "quantity": quantity}
                ],
            }
        ],
    }


def _gross_price(product):
    if product.price is None:
        return None
    price = Decimal(product.price)
    if not product.price_includes_tax and product.tax_rate:
        # Amazon EU offer prices are consumer prices, VAT included.
        price = price * (100 + Decimal(product.tax_rate)) / 100
    return price


def _offer(product, marketplace_ids, currency):
    price = _gross_price(product)
    if price is None:
        return []
    return [
        {
            "marketplace_id": marketplace_id,
            "currency": product.currency or currency,
            "our_price": [{"schedule": [{"value_with_tax": _number(price)}]}],
        }
        for marketplace_id in marketplace_ids
    ]


def offer_put_body(product, marketplace_ids, product_type=const.DEFAULT_PRODUCT_TYPE, currency="EUR"):
    """:class:`ChannelProduct` -> ListingsItemPutRequest for an offer on an existing catalogue item.

    The ASIN (``external_id``) or the EAN tells Amazon which catalogue item the offer is for.
    Attribute shapes follow Amazon's listings examples (purchasable_offer / our_price / schedule
    / value_with_tax): UNCONFIRMED beyond those examples.
    """
    if not product.sku:
        raise ChannelDataError(_lt("A product without SKU cannot be listed on Amazon."))
    asin = product.external_id if (product.external_id or "").upper().startswith("B") else ""
    if not asin and not product.ean:
        raise ChannelDataError(
            _lt(
                "%s: Amazon needs the ASIN or the EAN of the catalogue item to list an offer. "
                "Fill in the barcode of the product.",
                product.sku,
            )
        )
    first = marketplace_ids[0]
    attributes = {"condition_type": [{"value": const.CONDITION_NEW, "marketplace_id": first}]}
    if asin:
        attributes["merchant_suggested_asin"] = [{"value": asin, "marketplace_id": first}]
    if product.ean:
        attributes["externally_assigned_product_identifier"] = [
            {"type": "ean", "value": product.ean, "marketplace_id": first}
        ]
    offer = _offer(product, marketplace_ids, currency)
    if offer:
        attributes["purchasable_offer"] = offer
    if product.quantity is not None:
        attributes["fulfillment_availability"] = [
            {
                "fulfillment_channel_code": const.MERCHANT_FULFILLMENT_CODE,
                "quantity": max(0, int(product.quantity)),
            }
        ]
    return {"productType": product_type, "requirements": const.OFFER_ONLY, "attributes": attributes}


def offer_patch_body(product, marketplace_ids, product_type=const.DEFAULT_PRODUCT_TYPE, currency="EUR"):
    """Price update of an existing offer (catalogue content stays Amazon's); None if nothing to send."""
    offer = _offer(product, marketplace_ids, currency)
    if not offer:
        return None
    return {
        "productType": product_type,
        "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": offer}],
    }


def submission_error(response):
    """Text of a ListingsItemSubmissionResponse's errors, or "" when Amazon accepted it."""
    response = response or {}
    errors = [i for i in response.get("issues") or [] if i.get("severity") == "ERROR"]
    if response.get("status") == "INVALID" or errors:
        text = "; ".join(f"{i.get('code', '')}: {i.get('message', '')}" for i in errors)
        return text or str(_lt("Amazon marked the submission INVALID."))
    return ""


def listing_asin(listing):
    for summary in (listing or {}).get("summaries") or []:
        if summary.get("asin"):
            return summary["asin"]
    return ""


def listing_product_type(listing, default=const.DEFAULT_PRODUCT_TYPE):
    for summary in (listing or {}).get("summaries") or []:
        if summary.get("productType"):
            return summary["productType"]
    return default


@dataclass
class AmazonListing(ChannelProduct):
    """A listing as the catalogue import stores it.

    Listings Items API and the merchant listings report are keyed by the seller SKU, and
    several SKUs may offer the same catalogue item (ASIN). So the SKU is the listing's key
    (no ``external_id``) and the ASIN comes along as information.
    """

    asin: str = ""


def listing_to_product(listing):
    """searchListingsItems item -> :class:`AmazonListing` keyed by its seller SKU."""
    summary = ((listing.get("summaries") or [{}]) or [{}])[0]
    offers = listing.get("offers") or []
    price = to_decimal((offers[0].get("price") or {}).get("amount"), _lt("offer price")) if offers else None
    quantity = next(
        (
            Decimal(f.get("quantity") or 0)
            for f in listing.get("fulfillmentAvailability") or []
            if f.get("fulfillmentChannelCode") == const.MERCHANT_FULFILLMENT_CODE
        ),
        None,
    )
    attributes = listing.get("attributes") or {}
    ean = next(
        (
            i.get("value")
            for i in attributes.get("externally_assigned_product_identifier") or []
            if (i.get("type") or "").lower() == "ean"
        ),
        "",
    )
    parent = next((r.get("parent_sku") for r in attributes.get("child_parent_sku_relationship") or []), "")
    return AmazonListing(
        sku=listing.get("sku") or "",
        ean=ean or "",
        name=summary.get("itemName") or "",
        price=price,
        currency=(offers[0].get("price") or {}).get("currencyCode", "") if offers else "",
        quantity=quantity,
        parent_sku=parent or "",
        asin=summary.get("asin") or "",
    )


# === shipments ======================================================================================


def package_reference(order_id, tracking):
    """Stable positive numeric ``packageReferenceId`` (the same shipment gives the same id)."""
    return str(zlib.crc32(f"{order_id}|{tracking}".encode()) % 1_000_000_000 + 1)


def shipment_package(shipment):
    """:class:`ChannelShipment` -> confirmShipment ``packageDetail``."""
    order_id = shipment.order_external_id
    if not shipment.tracking_numbers or not shipment.tracking_numbers[0]:
        raise ChannelDataError(
            _lt("Amazon order %s: a shipment confirmation needs a tracking number.", order_id)
        )
    items = []
    for line in shipment.lines:
        if int(line.quantity) <= 0:
            continue
        if not line.line_external_id:
            raise ChannelDataError(
                _lt(
                    "Amazon order %(order)s: the shipped line %(sku)s has no Amazon order item id.",
                    order=order_id,
                    sku=line.sku,
                )
            )
        items.append({"orderItemId": line.line_external_id, "quantity": int(line.quantity)})
    if not items:
        raise ChannelDataError(_lt("Amazon order %s: the shipment has no quantities to confirm.", order_id))
    tracking = shipment.tracking_numbers[0]
    carrier_code = shipment.carrier_code or const.CARRIER_OTHER
    shipped_at = shipment.shipped_at or datetime.now(UTC).replace(tzinfo=None)
    detail = {
        "packageReferenceId": package_reference(order_id, tracking),
        "carrierCode": carrier_code,
        "trackingNumber": tracking,
        "shipDate": shipped_at.replace(microsecond=0).isoformat() + "Z",
        "orderItems": items,
    }
    if carrier_code == const.CARRIER_OTHER or shipment.carrier_name:
        detail["carrierName"] = shipment.carrier_name or carrier_code
    return detail
