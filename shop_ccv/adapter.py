# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop payloads <-> canonical dataclasses (pure functions, no ORM).

Only this module and :mod:`.const` know CCV's field names. Field names come from
CCV's official PHP client (``Resources/Order.php``, ``OrderRow.php``,
``Product.php``, ``ProductPhoto.php``, ``Category.php``) and the schema-generated
client (``Personalinfo`` addresses, ``Attributecombinations``).
"""

import base64
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from odoo.addons.connector_base.schema import (
    ZERO,
    ChannelAddress,
    ChannelDataError,
    ChannelDiscount,
    ChannelFee,
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

_lt = LazyTranslate(__name__, default_lang="en_US")

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def _money(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _text(value):
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _amount(data, key, ref):
    return to_decimal(data.get(key), f"CCV order {ref}: {key}")


# --- orders -----------------------------------------------------------------


def order_matches(order, statuses=None, only_paid=True, since=None):
    """True when a listed order should be imported.

    :param statuses: CCV status codes as strings (empty: any)
    :param only_paid: skip orders not marked as paid
    :param since: naive UTC datetime: skip orders created before it
    """
    if only_paid and not order.get("paid"):
        return False
    if statuses and str(order.get("status")) not in {str(s) for s in statuses}:
        return False
    if order.get("is_completed") is False:
        return False  # an abandoned checkout, not an order
    if since:
        created = parse_datetime(order.get("create_date"), "create_date")
        if created and created < since:
            return False
    return True


def order_created_at(order):
    try:
        return parse_datetime(order.get("create_date"), "create_date")
    except ChannelDataError:
        return None


def build_raw_order(order, rows, product_eans=None):
    """Wrap a listed order, its rows and looked-up product EANs as the stored payload.

    CCV has no change date on orders: the creation date is the watermark.
    """
    if not isinstance(order, dict) or not order.get("id"):
        raise ChannelDataError(_lt("CCV order without an id: the answer of /orders is not usable."))
    product_ids = {_text(r.get("product_id")) for r in rows or () if isinstance(r, dict)}
    return RawOrder(
        external_id=str(order["id"]),
        updated_at=order_created_at(order),
        payload={
            "order": order,
            "orderrows": list(rows or []),
            # only this order's products: the caller's look-up cache spans the whole sync
            "product_eans": {
                str(k): v for k, v in (product_eans or {}).items() if v and str(k) in product_ids
            },
        },
        reference=_order_reference(order),
    )


def _order_reference(order):
    return _text(order.get("ordernumber_full")) or _text(order.get("ordernumber")) or _text(order.get("id"))


def parse_address(data, email=""):
    """A CCV Personalinfo billing/delivery address -> ChannelAddress."""
    data = data if isinstance(data, dict) else {}
    street = _text(data.get("street"))
    house_number = ""
    street2 = ""
    if street:
        # "Either use address_line_1 and address_line_2 or street and housenumber."
        house_number = f"{_text(data.get('housenumber'))}{_text(data.get('housenumber_suffix'))}"
        house_number = house_number if house_number not in ("0", "None") else ""
        street2 = _text(data.get("address_line_2"))
    else:
        street = _text(data.get("address_line_1"))
        street2 = _text(data.get("address_line_2"))
    first = _text(data.get("first_name"))
    last = _text(data.get("last_name"))
    return ChannelAddress(
        name=_text(data.get("full_name")) or " ".join(p for p in (first, last) if p),
        first_name=first,
        last_name=last,
        company=_text(data.get("company")),
        street=street,
        house_number=house_number,
        street2=street2,
        zip=_text(data.get("zipcode")),
        city=_text(data.get("city")),
        state_code=_text(data.get("province")),
        country_code=_text(data.get("country_code")).upper(),
        phone=_text(data.get("telephone")) or _text(data.get("mobile")),
        email=email,
    )


def _gross(amount, rate, included):
    if amount is None:
        return None
    if included or not rate:
        return amount
    return _money(amount * (1 + rate / HUNDRED))


def _net(amount, rate, included):
    if amount is None:
        return None
    if not included or not rate:
        return amount
    return _money(amount / (1 + rate / HUNDRED))


def parse_order_row(row, incl, ref, product_eans=None, zero_tax=False):
    if not isinstance(row, dict):
        raise ChannelDataError(_lt("CCV order %s: an order row is not an object.", ref))
    where = f"CCV order {ref}, row {row.get('id')}"
    quantity = to_decimal(row.get("count"), f"{where}: count")
    if quantity is None:
        raise ChannelDataError(
            _lt(
                "CCV order %(order)s, row %(row)s: the row has no quantity (count).",
                order=ref,
                row=row.get("id"),
            )
        )
    # price = original unit price; discount = discount per unit (OrderRow docstrings)
    unit = None
    for key in ("price_without_discount_with_attributes", "price_without_discount", "price"):
        unit = to_decimal(row.get(key), f"{where}: {key}")
        if unit is not None:
            break
    if unit is None:
        raise ChannelDataError(
            _lt("CCV order %(order)s, row %(row)s: the row has no price.", order=ref, row=row.get("id"))
        )
    rate = ZERO if zero_tax else (to_decimal(row.get("tax"), f"{where}: tax") or ZERO)
    discount_unit = to_decimal(row.get("discount"), f"{where}: discount") or ZERO
    product_id = _text(row.get("product_id"))
    ean = _text(row.get("sub_ean_number")) or _text((product_eans or {}).get(product_id))
    sku = (
        _text(row.get("sub_product_number"))
        or _text(row.get("sub_sku_number"))
        or _text(row.get("product_number"))
    )
    line = ChannelOrderLine(
        external_id=_text(row.get("id")),
        sku=sku,
        ean=ean,
        title=_text(row.get("product_name")) or sku,
        quantity=quantity,
        unit_price_incl=_gross(unit, rate, incl),
        unit_price_excl=_net(unit, rate, incl),
        tax_rate=rate,
        discount_incl=_gross(discount_unit * quantity, rate, incl) if discount_unit else ZERO,
        channel_product_id=product_id,
    )
    chosen = row_attributes(row)
    if chosen and not any(
        _text(row.get(k)) for k in ("sub_product_number", "sub_sku_number", "sub_ean_number")
    ):
        # a combination without numbers of its own: when no product has the product's
        # number, the variant with these values of the template with that parent SKU
        line.parent_sku = _text(row.get("product_number"))
        line.attributes = chosen
    return line


def row_attributes(row):
    """{option name: value name} of an order row's ``attributes`` (Orderrows Attributes:
    ``option_name``, ``value_name``, ``price``)."""
    result = {}
    for item in row.get("attributes") or []:
        if isinstance(item, dict) and _text(item.get("option_name")) and _text(item.get("value_name")):
            result[_text(item.get("option_name"))] = _text(item.get("value_name"))
    return result


def parse_order(payload, webshop_id=""):
    """Stored payload (see :func:`build_raw_order`) -> ChannelOrder."""
    if not isinstance(payload, dict) or not isinstance(payload.get("order"), dict):
        raise ChannelDataError(_lt("The stored CCV payload has no order: fetch the order again."))
    order = payload["order"]
    ref = _order_reference(order)
    customer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
    email = _text(customer.get("email"))
    billing = parse_address(customer.get("billingaddress"), email)
    shipping = parse_address(customer.get("deliveryaddress"), email)
    if shipping.is_empty():
        shipping = parse_address(customer.get("billingaddress"), email)
    vat = _text(customer.get("btw")).replace(" ", "").upper()
    billing.vat = vat
    is_business = _text(customer.get("customertype")).lower() == "b2b" or bool(billing.company)
    intra_community = bool(order.get("is_intra_community_order"))
    platform_sale = bool(order.get("is_platform_sale"))
    zero_tax = intra_community or platform_sale  # both: 0 % on every row (Order docstrings)
    incl = order.get("order_row_taxes_included")
    incl = bool(order.get("taxes_included", True)) if incl is None else bool(incl)

    rows = payload.get("orderrows")
    if not isinstance(rows, list) or not rows:
        raise ChannelDataError(_lt("CCV order %s has no order rows: check the order in CCV Shop.", ref))
    lines = [parse_order_row(r, incl, ref, payload.get("product_eans"), zero_tax) for r in rows]

    total = _amount(order, "total_price", ref)
    total_tax = _amount(order, "total_tax", ref)
    # Shipping follows the rows' convention; its own rate applies when it is taxed
    # (UNCONFIRMED reading of "shipping_taxes_included": "If shippingcosts are included
    # in the total tax amount").
    shipping_rate = ZERO
    if order.get("shipping_taxes_included", True) and not zero_tax:
        shipping_rate = _amount(order, "shipping_tax_percentage", ref) or ZERO
    shipping_amount = _amount(order, "total_shipping", ref) or ZERO

    net_lines = sum(((ln.unit_price_excl or ZERO) * ln.quantity for ln in lines), ZERO)
    avg_rate = (
        sum(((ln.unit_price_excl or ZERO) * ln.quantity * (ln.tax_rate or ZERO) for ln in lines), ZERO)
        / net_lines
        if net_lines
        else ZERO
    )
    discounts = []
    coupon = order.get("discountcoupon") if isinstance(order.get("discountcoupon"), dict) else {}
    for amount, code, title in (
        (_amount(order, "total_discounts", ref), _text(coupon.get("code")), "Discount"),
        (_amount(order, "credit_point_discount", ref), "credit_points", "Credit points"),
        (
            -(_amount(order, "extra_costs", ref) or ZERO),
            "extra_costs",
            _text(order.get("extra_costs_description")) or "Extra costs",
        ),
    ):
        if amount and amount > 0:
            discounts.append(
                ChannelDiscount(
                    code=code,
                    title=f"{title} {code}".strip() if code and title == "Discount" else title,
                    amount_incl=_gross(amount, avg_rate, incl),
                    amount_excl=_net(amount, avg_rate, incl),
                )
            )
    fees = _parse_fees(order, ref, incl, ZERO if zero_tax else _fee_rate(order, lines, ref))
    status = order.get("status")
    return ChannelOrder(
        external_id=_text(order.get("id")),
        reference=ref,
        status=_text(status),
        created_at=parse_datetime(order.get("create_date"), f"CCV order {ref}: create_date"),
        updated_at=parse_datetime(order.get("create_date"), f"CCV order {ref}: create_date"),
        currency=_text(order.get("currency")).upper() or "EUR",
        total_incl=total,
        total_excl=(total - total_tax) if total is not None and total_tax is not None else None,
        prices_include_tax=incl,
        payment_method=_text(order.get("paymethod")) or _text(order.get("paymethod_label")),
        shipping_method=_text(order.get("delivery_option")) or _text(order.get("deliver_method")),
        shipping_incl=_gross(shipping_amount, shipping_rate, incl),
        shipping_excl=_net(shipping_amount, shipping_rate, incl),
        shipping_tax_rate=shipping_rate,
        discounts=discounts,
        fees=fees,
        buyer_email=email,
        buyer_is_business=is_business,
        buyer_vat=vat,
        billing=billing,
        shipping=shipping,
        lines=lines,
        storefront=_text(webshop_id),
        channel_collects_vat=platform_sale,
        cancelled=str(status) == str(const.STATUS_CANCELLED),
    )


def _fee_rate(order, lines, ref):
    """VAT rate of payment costs and extra costs.

    UNCONFIRMED: CCV states no rate for them; they are taxed like shipping (the shop's
    normal rate), else at the highest rate of the order's rows.
    """
    rate = _amount(order, "shipping_tax_percentage", ref)
    if rate:
        return rate
    return max((ln.tax_rate or ZERO for ln in lines), default=ZERO)


def _parse_fees(order, ref, incl, rate):
    """Payment costs, the paid payment option and positive extra costs -> ChannelFee list."""
    option = _text(order.get("extra_payment_option"))
    fees = []
    for key, title in (
        ("paymethod_costs", "Payment costs " + (_text(order.get("paymethod_label")) or "")),
        ("extra_payment_option_price", option or "Payment option"),
        ("extra_costs", _text(order.get("extra_costs_description")) or "Extra costs"),
    ):
        amount = _amount(order, key, ref)
        if amount and amount > 0:  # negative extra costs are a discount, see above
            fees.append(
                ChannelFee(
                    code=key,
                    title=title.strip(),
                    amount_incl=_gross(amount, rate, incl),
                    amount_excl=_net(amount, rate, incl),
                    tax_rate=rate,
                )
            )
    return fees


# --- outbound -----------------------------------------------------------------


def shipment_body(shipment, mail=True):
    """ChannelShipment -> PATCH /orders/{id} body marking it sent (status 5)."""
    body = {"status": const.STATUS_SENT, "mail": bool(mail)}
    codes = [c for c in shipment.tracking_numbers if c]
    if codes:
        body["track_and_trace_code"] = codes[0]
        if len(codes) > 1:
            body["note"] = "Track & trace: " + ", ".join(codes)
    carrier = shipment.carrier_code or shipment.carrier_name
    if carrier:
        # UNCONFIRMED: CCV lists no carrier values ("represents the shipping service")
        body["track_and_trace_carrier"] = carrier
    return body


def stock_body(item, managed_default=True):
    """StockItem -> PATCH /products/{id} (or /attributecombinations/{id}) body."""
    managed = managed_default if item.managed_by_channel is None else item.managed_by_channel
    body = {"stock": max(0, int(item.quantity))}
    if not is_combination_id(item.external_id):
        body["stockenabled"] = bool(managed)
    return body


COMBINATION_PREFIX = "combination:"


def is_combination_id(external_id):
    return str(external_id or "").startswith(COMBINATION_PREFIX)


def tax_tariff(rate):
    if rate is None:
        return const.TAX_TARIFF_NORMAL
    if rate <= 0:
        return const.TAX_TARIFF_ZERO
    return const.TAX_TARIFF_NORMAL if rate >= const.TAX_TARIFF_NORMAL_FROM else const.TAX_TARIFF_LOW


def shop_price(product, shop_prices_include_tax=True):
    """The product's price in the shop's convention (incl. or excl. VAT)."""
    if product.price is None:
        return None
    price = to_decimal(product.price, f"{product.sku}: price")
    if bool(product.price_includes_tax) == bool(shop_prices_include_tax):
        return _money(price)
    if product.tax_rate is None:
        raise ChannelDataError(
            _lt(
                "%s: the price must be converted between incl. and excl. VAT but the "
                "product has no tax rate: set a sales tax on the product.",
                product.sku,
            )
        )
    factor = 1 + to_decimal(product.tax_rate) / HUNDRED
    return _money(price / factor if product.price_includes_tax else price * factor)


def product_body(product, create=True, shop_prices_include_tax=True, package_id=None, stock_enabled=True):
    """ChannelProduct -> POST /products (create) or PATCH /products/{id} body."""
    if not product.sku:
        raise ChannelDataError(_lt("A product without SKU (internal reference) cannot be sent to CCV Shop."))
    if create and not product.name:
        raise ChannelDataError(_lt("%s: a product needs a name in CCV Shop.", product.sku))
    body = {"productnumber": product.sku}
    if product.name:
        body["name"] = product.name[:255]
    if product.ean:
        body["eannumber"] = product.ean
    if product.description:
        body["description"] = product.description
    if product.short_description:
        body["shortdescription"] = product.short_description
    price = shop_price(product, shop_prices_include_tax)
    if price is not None:
        body["price"] = float(price)
    elif create:
        raise ChannelDataError(_lt("%s: a product needs a price in CCV Shop.", product.sku))
    body["taxtariff"] = tax_tariff(product.tax_rate)
    if product.weight is not None:
        body["weight"] = float(product.weight)
    if product.brand:
        body["brand"] = product.brand
    if create:
        body["active"] = True
        body["discount"] = 0.0  # "Price - Discount = Sell price"; required on POST
        if package_id:
            body["package_id"] = int(package_id)
        if product.quantity is not None:
            body["stockenabled"] = bool(stock_enabled)
            body["stock"] = float(max(ZERO, product.quantity))
    return body


def price_body(product, shop_prices_include_tax=True):
    """PATCH /products/{id} body of a price change alone (update product info off)."""
    price = shop_price(product, shop_prices_include_tax)
    if price is None:
        raise ChannelDataError(_lt("%s: no price to send to CCV Shop.", product.sku))
    return {"price": float(price)}


def category_body(name, parent_id=None):
    body = {"name": name[:255]}
    if parent_id:
        body["parentcategory_id"] = int(parent_id)
    return body


def category_parent_id(category):
    parent = category.get("parentcategory")
    if isinstance(parent, dict):
        return parent.get("id") or None
    return parent or None


def photo_body(image, alt=""):
    """Main image bytes -> POST /products/{id}/productphotos body."""
    if not image:
        raise ChannelDataError(_lt("Empty product image."))
    file_type = next((ext for magic, ext in const.PHOTO_TYPES.items() if image.startswith(magic)), None)
    if not file_type:
        raise ChannelDataError(_lt("The product image is not a PNG, JPEG, GIF or WebP file."))
    return {
        "file_type": file_type,
        "alttext": alt[:255],
        "source": base64.b64encode(image).decode(),  # without the data: prefix
        "is_mainphoto": True,
    }


def product_from_payload(data, shop_prices_include_tax=True):
    """GET /products item -> ChannelProduct (external_id = CCV product id)."""
    price = to_decimal(data.get("price"), "price")
    discount = to_decimal(data.get("discount"), "discount") or ZERO
    return ChannelProduct(
        sku=_text(data.get("productnumber")),
        ean=_text(data.get("eannumber")),
        name=_text(data.get("name")),
        description=_text(data.get("description")),
        short_description=_text(data.get("shortdescription")),
        price=(price - discount) if price is not None else None,
        price_includes_tax=shop_prices_include_tax,
        tax_rate=to_decimal(data.get("vatrate"), "vatrate"),
        quantity=to_decimal(data.get("stock"), "stock"),
        external_id=_text(data.get("id")),
        weight=to_decimal(data.get("weight"), "weight"),
    )


def combination_attributes(combination):
    """{attribute name: value name} of an ``Attributecombinations`` resource: its
    ``combination`` items are ``{attribute: {id, name}, attribute_value: {id, name},
    extra_price}``."""
    result = {}
    for part in (combination or {}).get("combination") or []:
        if not isinstance(part, dict):
            continue
        attribute, value = part.get("attribute"), part.get("attribute_value")
        name = _text(attribute.get("name")) if isinstance(attribute, dict) else ""
        text = _text(value.get("name")) if isinstance(value, dict) else ""
        if name and text:
            result[name] = text
    return result


def combination_external_id(combination):
    """Our channel id of a combination: stock goes to PATCH /attributecombinations/{id}."""
    return f"{COMBINATION_PREFIX}{resource_id(combination)}"


def combination_to_product(combination, parent):
    """GET /products/{id}/attributecombinations item -> ChannelProduct of one variant.

    :param parent: the ChannelProduct of its product (name, price, tax rate)
    SKU and EAN are the combination's own numbers (often empty); the parent's product
    number groups the variants and the attribute values tell them apart.
    """
    extra = to_decimal(combination.get("netto_extra_price"), "netto_extra_price") or ZERO
    price = parent.price
    if price is not None and extra:
        # the extra is net (netto); a shop with gross prices shows it with VAT
        rate = parent.tax_rate or ZERO
        price += extra * (1 + rate / 100) if parent.price_includes_tax else extra
    return ChannelProduct(
        sku=_text(combination.get("product_number")) or _text(combination.get("sku_number")),
        ean=_text(combination.get("ean_number")),
        name=parent.name,
        price=price,
        price_includes_tax=parent.price_includes_tax,
        tax_rate=parent.tax_rate,
        quantity=to_decimal(combination.get("stock"), "stock"),
        external_id=combination_external_id(combination),
        parent_sku=parent.sku,
        attributes=combination_attributes(combination),
    )


def min_create_date(since, lookback_days):
    """The first day to list orders from: ``since`` minus the paid-later lookback."""
    if not since:
        return None
    if not isinstance(since, datetime):
        raise ChannelDataError(f"not a datetime: {since!r}")
    return since - timedelta(days=max(0, lookback_days or 0))


# --- small readers, so callers never touch CCV field names -------------------------


def resource_id(data):
    """The ``id`` of a CCV resource as text ('' when absent)."""
    return _text((data or {}).get("id")) if isinstance(data, dict) else ""


def rows_missing_ean(rows):
    """Product ids of order rows that carry no EAN (CCV only gives a variant's EAN)."""
    return {
        _text(r.get("product_id"))
        for r in rows
        if isinstance(r, dict) and r.get("product_id") and not _text(r.get("sub_ean_number"))
    }


def product_ean(product):
    return _text((product or {}).get("eannumber"))


def product_sku(product):
    return _text((product or {}).get("productnumber"))


def product_name(product):
    return _text((product or {}).get("name"))


def has_main_photo(product):
    return bool((product or {}).get("productmainphoto"))


def category_index(categories):
    """{(parent id or '', lower-case name): category id} of GET /categories items."""
    index = {}
    for category in categories:
        parent = category_parent_id(category)
        key = (_text(parent) if parent else "", _text(category.get("name")).lower())
        index.setdefault(key, resource_id(category))
    return index


def linked_category_ids(links):
    """Category ids of GET /products/{id}/producttocategories items."""
    return {_text(link.get("category_id")) for link in links if isinstance(link, dict)}


def combination_by_sku(combinations, sku):
    """The attribute combination whose product or SKU number is ``sku``, or None."""
    for combination in combinations:
        if sku and sku in (_text(combination.get("product_number")), _text(combination.get("sku_number"))):
            return combination
    return None


def webshop_label(webshop):
    return f"{_text(webshop.get('name'))} (id {resource_id(webshop)})"


# --- returns (refunds) ----------------------------------------------------------------


def _link_id(link):
    """The id at the end of a resource link (``.../orders/123`` -> "123")."""
    text = _text(link.get("href") if isinstance(link, dict) else link).rstrip("/")
    tail = text.rsplit("/", 1)[-1]
    return tail if tail.isdigit() else ""


def return_order_id(ret):
    """The id of the order a return was made from (its ``order`` link)."""
    return _link_id(ret.get("order"))


def return_payload(ret, rows, order_id=""):
    if not isinstance(ret, dict) or not ret.get("id"):
        raise ChannelDataError(_lt("CCV return without an id: the answer of /returns is not usable."))
    return {"return": ret, "returnrows": list(rows or []), "order_id": order_id or return_order_id(ret)}


def raw_refund(payload):
    ret = payload.get("return") or {}
    return_id = _text(ret.get("id"))
    if not return_id:
        raise ChannelDataError(_lt("A CCV return without an id cannot be booked."))
    return RawRefund(
        external_id=return_id,
        updated_at=parse_datetime(ret.get("create_date"), "create_date"),
        payload=payload,
        reference=f"Return {_text(ret.get('returnnumber_full')) or return_id}",
        order_external_id=_text(payload.get("order_id")),
    )


def parse_refund(payload):
    """Stored return (with its rows) -> :class:`ChannelRefund`.

    A credited return refunds its rows (tied to the order rows through their ``orderrow``
    link); a cancelled one refunds nothing; any other status waits (see :mod:`.const`).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("return"), dict):
        raise ChannelDataError(_lt("CCV return payload: expected an object with the return."))
    ret = payload["return"]
    return_id = _text(ret.get("id"))
    number = _text(ret.get("returnnumber_full")) or return_id
    reference = f"Return {number}"
    status = _text(ret.get("status"))
    refund = ChannelRefund(
        external_id=return_id,
        order_external_id=_text(payload.get("order_id")),
        reference=reference,
        date=parse_datetime(ret.get("create_date"), "create_date"),
        updated_at=parse_datetime(ret.get("create_date"), "create_date"),
        currency=_text(ret.get("currency")).upper(),
        reason=_text(ret.get("reason_name")),
        note=_text(ret.get("action_name")),
        goods_returned=True,
        goods_arrived=True,
        settled=status in const.RETURN_REFUNDED_STATUSES + const.RETURN_FINAL_WITHOUT_REFUND,
    )
    if status not in const.RETURN_REFUNDED_STATUSES:
        refund.total_incl = ZERO
        return refund  # waiting, or cancelled: nothing to book
    total_incl = to_decimal(ret.get("total_price_inc_tax"), f"CCV {reference}: total_price_inc_tax")
    total_excl = to_decimal(ret.get("total_price_exc_tax"), f"CCV {reference}: total_price_exc_tax")
    if total_incl is None:
        raise ChannelDataError(_lt("CCV Return %s has no total_price_inc_tax.", number))
    rows = [r for r in payload.get("returnrows") or () if isinstance(r, dict)]
    if not rows:
        raise ChannelDataError(_lt("CCV Return %s has no return rows.", number))
    amounts = []
    for row in rows:
        where = f"CCV {reference}, row {row.get('id')}"
        amount = to_decimal(row.get("total_price"), f"{where}: total_price")
        if amount is None:
            raise ChannelDataError(
                _lt(
                    "CCV Return %(number)s, row %(row)s: the row has no total_price.",
                    number=number,
                    row=row.get("id"),
                )
            )
        rate = to_decimal(row.get("tax"), f"{where}: tax") or ZERO
        amounts.append((row, amount, rate, where))
    rows_sum = sum((a for _r, a, _t, _w in amounts), ZERO)
    tolerance = CENT * len(amounts)
    if abs(rows_sum - total_incl) <= tolerance:
        included = True
    elif total_excl is not None and abs(rows_sum - total_excl) <= tolerance:
        included = False
    else:
        raise ChannelDataError(
            _lt(
                "CCV Return %(number)s: the rows add up to %(rows)s, neither the total with VAT "
                "%(incl)s nor without VAT %(excl)s.",
                number=number,
                rows=f"{rows_sum:.2f}",
                incl=f"{total_incl:.2f}",
                excl=f"{total_excl or ZERO:.2f}",
            )
        )
    for row, amount, rate, where in amounts:
        quantity = to_decimal(row.get("count"), f"{where}: count")
        if quantity is None or quantity < 0 or amount < 0:
            raise ChannelDataError(
                _lt(
                    "CCV Return %(number)s, row %(row)s: count %(count)s and total_price %(amount)s "
                    "must not be negative.",
                    number=number,
                    row=row.get("id"),
                    count=quantity,
                    amount=amount,
                )
            )
        refund.lines.append(
            ChannelRefundLine(
                external_id=_link_id(row.get("orderrow")),
                sku=_text(row.get("sub_product_number"))
                or _text(row.get("sub_sku_number"))
                or _text(row.get("product_number")),
                quantity=quantity,
                amount_incl=_gross(amount, rate, included),
            )
        )
    refund.total_incl = total_incl
    return refund
