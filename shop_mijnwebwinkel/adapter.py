# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MijnWebwinkel payloads <-> canonical dataclasses. Pure functions, no I/O.

With :mod:`.const` the only module that knows the API's field names.
"""

import dataclasses
import hashlib
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

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
    ChannelRefundAmount,
    ChannelRefundLine,
    RawOrder,
    RawRefund,
    to_decimal,
)
from odoo.tools.translate import LazyTranslate

from . import const
from .const import (
    AddressF,
    ArticleF,
    ArticlePriceF,
    CategoryF,
    CategoryLinkF,
    CommentF,
    DebtorF,
    ExtraF,
    ImageF,
    LineF,
    ListF,
    ListOptionF,
    OrderArticleF,
    OrderArticleOptionF,
    OrderF,
    PaymentF,
    PriceF,
    ShippingF,
    StoreF,
    TaxPriceF,
    VariantF,
    VariantOptionF,
)

UNIT_PRICE_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")

_lt = LazyTranslate(__name__, default_lang="en_US")


def _text(value):
    return "" if value is None else str(value).strip()


def _dict(value, what):
    if value in (None, "", []):
        return {}
    if not isinstance(value, dict):
        raise ChannelDataError(
            _lt("%(what)s: expected an object, got %(type)s.", what=what, type=type(value).__name__)
        )
    return value


def _local_datetime(date_value, time_value, what):
    """Shop-local date + time strings -> naive UTC datetime (None when no date)."""
    date_text, time_text = _text(date_value), _text(time_value) or "00:00:00"
    if not date_text:
        return None
    try:
        local = datetime.fromisoformat(f"{date_text}T{time_text}")
    except ValueError:
        raise ChannelDataError(
            _lt("%(what)s: not a date and time: %(value)s", what=what, value=f"{date_text} {time_text}")
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(const.SHOP_TIMEZONE))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


# --- orders -----------------------------------------------------------------


def order_number(payload):
    number = _text(_dict(payload, "order").get(OrderF.NUMBER))
    if not number:
        raise ChannelDataError(_lt("The MijnWebwinkel order has no order number."))
    return number


def is_test_order(payload):
    """Test orders ("T-" numbers) are never imported (Boekuwzending documents the same)."""
    return _text(payload.get(OrderF.NUMBER)).upper().startswith(const.TEST_ORDER_PREFIX)


def is_credit_order(payload):
    """A credit order refunds another order; it is not a sale to import."""
    return bool(payload.get(OrderF.CREDITED_ORDER_NUMBER))


def order_created_at(payload):
    return _local_datetime(payload.get(OrderF.DATE), payload.get(OrderF.TIME), "order date")


def order_updated_at(payload):
    changed = _local_datetime(
        payload.get(OrderF.STATUS_CHANGED_DATE), payload.get(OrderF.STATUS_CHANGED_TIME), "status change date"
    )
    return changed or order_created_at(payload)


def to_raw_order(payload):
    number = order_number(payload)
    return RawOrder(
        external_id=number, updated_at=order_updated_at(payload), payload=payload, reference=number
    )


def status_ids(statuses):
    """Import statuses as configured (names such as ``paid`` or numeric ids) -> ids."""
    ids = []
    for status in statuses:
        text = _text(status).lower()
        if not text:
            continue
        if text.isdigit():
            ids.append(int(text))
        elif text in const.ORDER_STATUS_IDS:
            ids.append(const.ORDER_STATUS_IDS[text])
        else:
            known = ", ".join(const.ORDER_STATUS_IDS)
            raise ChannelDataError(
                _lt(
                    "Unknown MijnWebwinkel order status %(status)r: use a status number or one of %(known)s.",
                    status=status,
                    known=known,
                )
            )
    return list(dict.fromkeys(ids))


def status_name(status_id):
    for name, value in const.ORDER_STATUS_IDS.items():
        if _text(value) == _text(status_id):
            return name
    return _text(status_id)


def _tax_prices(value, what):
    """A TaxPrice or a list of them (lines spread over several VAT rates) -> list."""
    if value in (None, "", []):
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    raise ChannelDataError(_lt("%(what)s: unexpected price %(value)r.", what=what, value=str(value)[:60]))


def _amounts(prices, what):
    """(excl, incl, single rate or None) summed over TaxPrice entries."""
    excl = incl = ZERO
    rates = set()
    for entry in prices:
        rate = to_decimal(entry.get(TaxPriceF.RATE), f"{what} VAT rate")
        amount = to_decimal(entry.get(TaxPriceF.AMOUNT), f"{what} amount")
        gross = to_decimal(entry.get(TaxPriceF.AMOUNT_INCL), f"{what} amount incl. VAT")
        if amount is None and gross is None:
            raise ChannelDataError(_lt("%s: the price has no amount.", what))
        if gross is None:
            gross = (amount * (1 + (rate or ZERO) / HUNDRED)).quantize(CENT)
        if amount is None:
            amount = gross / (1 + (rate or ZERO) / HUNDRED)
        excl += amount
        incl += gross
        if rate is not None:
            rates.add(rate.normalize())
    rate = next(iter(rates)) if len(rates) == 1 else None
    return excl, incl, rate


def _address(data, email=""):
    data = _dict(data, "address")
    return ChannelAddress(
        name=_text(data.get(AddressF.NAME)),
        company=_text(data.get(AddressF.COMPANY)),
        street=_text(data.get(AddressF.STREET)),
        house_number=_text(data.get(AddressF.NUMBER)),
        zip=_text(data.get(AddressF.ZIPCODE)),
        city=_text(data.get(AddressF.CITY)),
        country_code=_text(data.get(AddressF.COUNTRY_CODE)).upper(),
        phone=_text(data.get(AddressF.PHONE)),
        email=email,
        vat=_text(data.get(AddressF.TAXNUMBER)),
    )


def _shipping_country(payload):
    for entry in payload.get(OrderF.SHIPPING) or []:
        country = entry.get(ShippingF.COUNTRY) if isinstance(entry, dict) else None
        if isinstance(country, dict) and country.get(ShippingF.ISOCODE):
            return _text(country[ShippingF.ISOCODE]).upper()
    return ""


def parse_order(payload):
    """Raw MijnWebwinkel order -> :class:`ChannelOrder`.

    Line prices are line totals (quantity included); unit prices are derived.
    Payment costs become fees. A variant line is the variant :func:`annotate_variants`
    found for the article and the buyer's options when the order was fetched.
    """
    payload = _dict(payload, "order")
    number = order_number(payload)
    if is_test_order(payload):
        raise ChannelDataError(
            _lt("Order %s is a MijnWebwinkel test order; test orders are not imported.", number)
        )
    debtor = _dict(payload.get(OrderF.DEBTOR), "debtor")
    email = _text(debtor.get(DebtorF.EMAIL))
    addresses = _dict(debtor.get(DebtorF.ADDRESS), "debtor address")
    invoice_data = _dict(addresses.get(AddressF.INVOICE), "invoice address")
    billing = _address(invoice_data, email)
    # Deprecated debtor-level fields still fill gaps of older orders.
    billing.name = billing.name or _text(debtor.get(DebtorF.NAME))
    billing.company = billing.company or _text(debtor.get(DebtorF.COMPANY))
    billing.phone = billing.phone or _text(debtor.get(DebtorF.PHONE))
    delivery_data = _dict(addresses.get(AddressF.DELIVERY), "delivery address")
    if delivery_data:
        shipping = _address(delivery_data, email)
        shipping.vat = ""
    else:
        shipping = dataclasses.replace(billing, vat="")
    shipping.country_code = shipping.country_code or _shipping_country(payload)
    billing.country_code = billing.country_code or shipping.country_code
    if not shipping.country_code:
        raise ChannelDataError(_lt("Order %s: the delivery address has no country.", number))

    order = ChannelOrder(
        external_id=number,
        reference=number,
        status=status_name(payload.get(OrderF.STATUS)),
        created_at=order_created_at(payload),
        updated_at=order_updated_at(payload),
        currency=_text(payload.get(OrderF.CURRENCY)).upper() or "EUR",
        prices_include_tax=_text(payload.get(OrderF.TAXED) or const.TAXED_INCLUDE).lower()
        == const.TAXED_INCLUDE,
        buyer_email=email,
        buyer_vat=billing.vat,
        buyer_is_business=(
            _text(payload.get(OrderF.BUSINESS_MODEL)).upper() == const.BUSINESS_MODEL_B2B or bool(billing.vat)
        ),
        billing=billing,
        shipping=shipping,
    )
    payment = _dict(payload.get(OrderF.PAYMENT), "payment")
    order.payment_method = "/".join(
        p for p in (_text(payment.get(PaymentF.GATEWAY)), _text(payment.get(PaymentF.METHOD))) if p
    )
    comments = _dict(payload.get(OrderF.COMMENTS), "comments")
    notes = [_text(comments.get(CommentF.CUSTOMER))]
    if _text(payload.get(OrderF.REFERENCE)):
        notes.append(f"Customer reference: {_text(payload.get(OrderF.REFERENCE))}")
    order.note = "\n".join(n for n in notes if n)

    _parse_lines(order, payload, number)

    price = _dict(payload.get(OrderF.PRICE), "order price")
    total = to_decimal(price.get(PriceF.TOTAL), "order total")
    if total is None:
        raise ChannelDataError(_lt("Order %s has no total price.", number))
    tax = sum(
        (
            to_decimal(t.get(TaxPriceF.AMOUNT), "order VAT") or ZERO
            for t in _tax_prices(price.get(PriceF.TAX), "order VAT")
        ),
        ZERO,
    )
    order.total_incl = total
    order.total_excl = (total - tax).quantize(CENT)
    return order


def _parse_lines(order, payload, number):
    shipping_excl = shipping_incl = ZERO
    cost_rates = set()
    shipping_names = []
    lines = payload.get(OrderF.ORDERLINES) or []
    if not isinstance(lines, list):
        raise ChannelDataError(_lt("Order %s: the order lines are not a list.", number))
    variants = _dict(payload.get(const.ORDER_VARIANTS_KEY), "variants")
    for index, line in enumerate(lines, start=1):
        line = _dict(line, f"order line {index}")
        kind = _text(line.get(LineF.TYPE)).lower()
        what = f"order {number} line {index}"
        excl, incl, rate = _amounts(_tax_prices(line.get(LineF.PRICE), what), what)
        if kind in const.PRODUCT_LINE_TYPES:
            quantity = to_decimal(line.get(LineF.QUANTITY), f"{what} quantity")
            if not quantity or quantity <= 0:
                raise ChannelDataError(
                    _lt(
                        "order %(order)s line %(line)s: the quantity must be positive, got %(quantity)s.",
                        order=number,
                        line=index,
                        quantity=quantity,
                    )
                )
            articles = line.get(LineF.ARTICLES) or [{}]
            article = _dict(articles[0], f"{what} article")
            aid, sku = _text(article.get(OrderArticleF.ID)), _text(article.get(OrderArticleF.SKU))
            channel_line = ChannelOrderLine(
                external_id=_text(line.get(LineF.ID)),
                sku=sku,
                title=_text(line.get(LineF.DESCRIPTION)) or _text(article.get(OrderArticleF.DESCRIPTION)),
                quantity=quantity,
                unit_price_excl=(excl / quantity).quantize(UNIT_PRICE_PLACES),
                unit_price_incl=(incl / quantity).quantize(UNIT_PRICE_PLACES),
                tax_rate=rate,
                channel_product_id=aid,
            )
            chosen = variants.get(variant_key(aid, order_article_option_ids(article)))
            if chosen:
                if chosen.get("error"):
                    raise ChannelDataError(
                        _lt(
                            "order %(order)s line %(line)s: %(problem)s",
                            order=number,
                            line=index,
                            problem=_variant_problem(chosen),
                        )
                    )
                # the article's SKU is the parent's: the variant is known by its options only
                channel_line.sku = ""
                channel_line.parent_sku = sku
                channel_line.attributes = dict(chosen.get("attributes") or {})
                channel_line.channel_product_id = external_id(aid, _text(chosen.get("variant_id")))
            order.lines.append(channel_line)
        elif kind == const.LINE_TYPE_SHIPPING:
            shipping_excl += excl
            shipping_incl += incl
            cost_rates.add(rate)
            if _text(line.get(LineF.DESCRIPTION)):
                shipping_names.append(_text(line.get(LineF.DESCRIPTION)))
        elif kind == const.LINE_TYPE_PAYMENT:
            if incl or excl:
                order.fees.append(
                    ChannelFee(
                        code=const.LINE_TYPE_PAYMENT,
                        title=_text(line.get(LineF.DESCRIPTION)) or "Payment costs",
                        amount_incl=incl,
                        amount_excl=excl.quantize(UNIT_PRICE_PLACES),
                        tax_rate=rate,
                    )
                )
        elif kind == const.LINE_TYPE_DISCOUNT:
            order.discounts.append(
                ChannelDiscount(
                    code=_text(payload.get(OrderF.DISCOUNTCODE)),
                    title=_text(line.get(LineF.DESCRIPTION)) or "Discount",
                    amount_incl=abs(incl),
                    amount_excl=abs(excl).quantize(UNIT_PRICE_PLACES),
                )
            )
        elif incl or excl:
            raise ChannelDataError(
                _lt(
                    "order %(order)s line %(line)s: unknown line type %(type)r with an amount; "
                    "it cannot be booked automatically.",
                    order=number,
                    line=index,
                    type=kind,
                )
            )
    if not order.lines:
        raise ChannelDataError(_lt("Order %s has no product lines.", number))
    order.shipping_incl = shipping_incl
    order.shipping_excl = shipping_excl.quantize(UNIT_PRICE_PLACES)
    order.shipping_tax_rate = next(iter(cost_rates)) if len(cost_rates) == 1 else None
    order.shipping_method = ", ".join(dict.fromkeys(shipping_names))


# --- variants of order lines -------------------------------------------------


# why annotate_variants found no variant (stored in the payload; the message is made when parsed)
VARIANT_ARTICLE_GONE = "article_gone"
VARIANT_NONE = "no_variant"
VARIANT_SEVERAL = "several_variants"


def order_article_option_ids(article):
    """The option ids (``list_option_id``) the buyer chose for an order article."""
    ids = []
    for option in article.get(OrderArticleF.OPTIONS) or []:
        if isinstance(option, dict) and _text(option.get(OrderArticleOptionF.LIST_OPTION_ID)):
            ids.append(_text(option.get(OrderArticleOptionF.LIST_OPTION_ID)))
    return ids


def variant_key(aid, option_ids):
    return f"{aid}|{','.join(sorted(set(option_ids)))}"


def variant_for_options(article, option_ids):
    """The article's variant whose options are all among ``option_ids`` (the most
    specific one; options of lists without variants, such as gift wrap, are extras).

    :return: (variant or None, the ids of the variants the options match when several do)
    """
    lists = article_lists(article)
    chosen = set(option_ids)
    candidates = []
    for variant in article_variants(article):
        options = {option for _list, option in variant_option_pairs(variant, lists)}
        if options and options <= chosen:
            candidates.append((len(options), variant))
    if not candidates:
        return None, []
    best = max(size for size, _v in candidates)
    found = [v for size, v in candidates if size == best]
    if len(found) > 1:
        return None, [variant_id(v) for v in found]
    return found[0], []


def _variant_problem(chosen):
    """Why the variant of an order line is unknown, from what :func:`annotate_variants`
    stored (``error`` is a problem code; an English text in payloads fetched before)."""
    problem, aid = chosen.get("error"), chosen.get("article") or ""
    options = ", ".join(chosen.get("options") or [])
    if problem == VARIANT_ARTICLE_GONE:
        return _lt(
            "article %(article)s is no longer in the shop, so the variant the buyer chose "
            "(options %(options)s) cannot be determined; bind the line by hand.",
            article=aid,
            options=options,
        )
    if problem == VARIANT_NONE:
        return _lt(
            "article %(article)s has no variant with the chosen options %(options)s.",
            article=aid,
            options=options,
        )
    if problem == VARIANT_SEVERAL:
        return _lt(
            "the chosen options match several variants (%(variants)s) of article %(article)s.",
            variants=", ".join(chosen.get("variants") or []),
            article=aid,
        )
    return problem


def annotate_variants(payload, get_article):
    """Record in ``payload`` the variant of each article line with options.

    :param get_article: article id -> Article (or None when the shop no longer has it),
        cached by the caller for the whole sync
    :return: ``payload`` (changed in place)
    """
    found = {}
    for line in payload.get(OrderF.ORDERLINES) or []:
        if not isinstance(line, dict) or _text(line.get(LineF.TYPE)).lower() not in const.PRODUCT_LINE_TYPES:
            continue
        for article in line.get(LineF.ARTICLES) or []:
            if not isinstance(article, dict):
                continue
            aid, option_ids = _text(article.get(OrderArticleF.ID)), order_article_option_ids(article)
            key = variant_key(aid, option_ids)
            if not (aid and option_ids) or key in found:
                continue
            full = get_article(aid)
            problem = {"article": aid, "options": option_ids}
            if not full:
                found[key] = {"error": VARIANT_ARTICLE_GONE, **problem}
                continue
            if not article_variants(full):
                continue  # options without variants: extras of a simple article
            variant, several = variant_for_options(full, option_ids)
            if several:
                found[key] = {"error": VARIANT_SEVERAL, "variants": several, **problem}
            elif variant is None:
                found[key] = {"error": VARIANT_NONE, **problem}
            else:
                found[key] = {
                    "variant_id": variant_id(variant),
                    "attributes": variant_attributes(variant, article_lists(full)),
                }
    if found:
        payload[const.ORDER_VARIANTS_KEY] = found
    else:
        payload.pop(const.ORDER_VARIANTS_KEY, None)
    return payload


def shipment_body(shipment, current_order=None):
    """PATCH body marking an order shipped.

    The SPEC's OrderPatchable has no track & trace field, so carrier and tracking
    numbers go into the merchant's internal comment (appended, never twice).
    """
    text = "Shipped"
    if shipment.carrier_name or shipment.carrier_code:
        text += f" with {shipment.carrier_name or shipment.carrier_code}"
    if shipment.tracking_numbers:
        text += ", tracking " + ", ".join(shipment.tracking_numbers)
    if shipment.tracking_url:
        text += f" ({shipment.tracking_url})"
    comments = _dict((current_order or {}).get(OrderF.COMMENTS), "comments")
    internal = _text(comments.get(CommentF.INTERNAL))
    if text not in internal:
        internal = f"{internal}\n{text}".strip()
    return {OrderF.STATUS: const.SHIPPED_STATUS_ID, OrderF.COMMENTS: {CommentF.INTERNAL: internal}}


def order_status(payload):
    return payload.get(OrderF.STATUS)


# --- store ------------------------------------------------------------------


def store_name(store):
    return _text(_dict(store, "store").get(StoreF.NAME))


def store_prices_include_tax(store):
    value = _dict(store, "store").get(StoreF.PRICES_INCLUDE_TAX)
    return True if value is None else bool(value)


# --- articles: reading ---------------------------------------------------------


def article_id(article):
    return _text(article.get(ArticleF.ID))


def article_sku(article):
    return _text(article.get(ArticleF.SKU))


def article_name(article):
    return _text(article.get(ArticleF.NAME))


def article_variants(article):
    return [v for v in article.get(ArticleF.VARIANTS) or [] if isinstance(v, dict)]


def article_lists(article):
    return [lst for lst in article.get(ArticleF.LISTS) or [] if isinstance(lst, dict)]


def article_images(article):
    return [i for i in article.get(ArticleF.IMAGES) or [] if isinstance(i, dict)]


def article_features(article):
    extra = _dict(article.get(ArticleF.EXTRA), "article extra")
    visible = extra.get(ExtraF.VISIBLE)
    return {_text(k): _text(v) for k, v in visible.items()} if isinstance(visible, dict) else {}


def article_barcode(article):
    extra = _dict(article.get(ArticleF.EXTRA), "article extra")
    invisible = extra.get(ExtraF.INVISIBLE)
    return _text(invisible.get(ExtraF.BARCODE)) if isinstance(invisible, dict) else ""


def article_category_links(article):
    return [c for c in article.get(ArticleF.CATEGORIES) or [] if isinstance(c, dict)]


def variant_id(variant):
    return _text(variant.get(VariantF.ID))


def external_id(article_id_value, variant_id_value=None):
    if variant_id_value:
        return f"{article_id_value}{const.VARIANT_ID_SEPARATOR}{variant_id_value}"
    return _text(article_id_value)


def split_external_id(value):
    """``"123"`` -> ("123", None); ``"123:45"`` -> ("123", "45")."""
    text = _text(value)
    if not text:
        return None, None
    head, _sep, tail = text.partition(const.VARIANT_ID_SEPARATOR)
    return head, (tail or None)


def index_articles(articles):
    """SKU -> (article id, None). Variants have no SKU of their own (SPEC ArticleVariant)."""
    index = {}
    for article in articles:
        if article_sku(article):
            index.setdefault(article_sku(article), (article_id(article), None))
    return index


def index_articles_by_ean(articles):
    """EAN -> (article id, None) of simple articles: finds what the merchant gave another SKU."""
    index = {}
    for article in articles:
        if article_barcode(article) and not article_variants(article):
            index.setdefault(article_barcode(article), (article_id(article), None))
    return index


def variant_option_pairs(variant, lists):
    """The (list id, option id) pairs of a variant, as a frozenset.

    The SPEC schema gives ``options`` as ``[{list_id, option_id, name}]`` while
    its example shows ``{"<list id>": "<option name>"}``: both are read.
    """
    options = variant.get(VariantF.OPTIONS) or []
    pairs = set()
    if isinstance(options, dict):
        by_list = {_text(lst.get(ListF.ID)): lst for lst in lists}
        for list_key, option_name in options.items():
            lst = by_list.get(_text(list_key), {})
            for opt in lst.get(ListF.OPTIONS) or []:
                if _text(opt.get(ListOptionF.NAME)).lower() == _text(option_name).lower():
                    pairs.add((_text(list_key), _text(opt.get(ListOptionF.ID))))
    else:
        for opt in options:
            if isinstance(opt, dict):
                pairs.add((_text(opt.get(VariantOptionF.LIST_ID)), _text(opt.get(VariantOptionF.OPTION_ID))))
    return frozenset(pairs)


def variant_attributes(variant, lists):
    """Variant -> {list name: option name} (the variant axes)."""
    names = {}
    for lst in lists:
        for opt in lst.get(ListF.OPTIONS) or []:
            names[(_text(lst.get(ListF.ID)), _text(opt.get(ListOptionF.ID)))] = (
                _text(lst.get(ListF.NAME)),
                _text(opt.get(ListOptionF.NAME)),
            )
    attributes = {}
    for pair in sorted(variant_option_pairs(variant, lists)):
        if pair in names:
            attributes[names[pair][0]] = names[pair][1]
    return attributes


def list_id(lst):
    return _text(lst.get(ListF.ID))


def list_name(lst):
    return _text(lst.get(ListF.NAME))


def list_option_ids(lst):
    return [_text(opt.get(ListOptionF.ID)) for opt in lst.get(ListF.OPTIONS) or [] if opt.get(ListOptionF.ID)]


def list_option_id(lst, option_name):
    for opt in lst.get(ListF.OPTIONS) or []:
        if _text(opt.get(ListOptionF.NAME)).lower() == _text(option_name).lower():
            return _text(opt.get(ListOptionF.ID))
    return None


def new_list_options(names):
    return [{ListOptionF.NAME: name} for name in names]


# --- categories ----------------------------------------------------------------


def category_id(category):
    return _text(category.get(CategoryF.ID))


def category_children(category):
    return [c for c in category.get(CategoryF.LEAFS) or [] if isinstance(c, dict)]


def category_children_list(category):
    """The node's own list of children (created when missing), to extend a cached tree."""
    children = category.get(CategoryF.LEAFS)
    if not isinstance(children, list):
        children = category[CategoryF.LEAFS] = []
    return children


def category_title(category):
    return _text(category.get(CategoryF.TITLE))


def category_paths(tree):
    """Category tree -> {category id: [title, ...] root first}."""
    paths = {}

    def walk(nodes, prefix):
        for node in nodes:
            path = [*prefix, category_title(node)]
            paths[category_id(node)] = path
            walk(category_children(node), path)

    walk([n for n in tree or [] if isinstance(n, dict)], [])
    return paths


def find_child_category(nodes, title):
    for node in nodes:
        if isinstance(node, dict) and category_title(node).lower() == _text(title).lower():
            return node
    return None


def category_body(title, parent_id=None):
    body = {CategoryF.TITLE: title, CategoryF.HIDDEN: False}
    if parent_id:
        body[CategoryF.PARENT_ID] = int(parent_id)
    return body


def new_category_node(created, title, parent_id=None):
    """A tree node for a category we just created (the POST answer may be sparse)."""
    node = dict(created or {})
    node.setdefault(CategoryF.TITLE, title)
    node.setdefault(CategoryF.LEAFS, [])
    if parent_id:
        node.setdefault(CategoryF.PARENT_ID, int(parent_id))
    if not category_id(node):
        raise ChannelDataError(_lt("MijnWebwinkel did not return an id for the new category %r.", title))
    return node


def main_category_path(article, paths):
    links = article_category_links(article)
    main = next((c for c in links if c.get(CategoryLinkF.IS_MAIN)), links[0] if links else None)
    return paths.get(_text(main.get(CategoryLinkF.CATEGORY_ID)), []) if main else []


# --- articles: writing ----------------------------------------------------------


def store_price(product, prices_include_tax):
    """The product's price as the shop expects it (incl. or excl. VAT per store setting)."""
    if product.price is None:
        return None
    price = to_decimal(product.price, f"{product.sku} price")
    rate = product.tax_rate or ZERO
    if product.price_includes_tax and not prices_include_tax:
        price = price / (1 + rate / HUNDRED)
    elif not product.price_includes_tax and prices_include_tax:
        price = price * (1 + rate / HUNDRED)
    return price.quantize(CENT)


def stock_value(quantity, managed=True):
    """Channel stock: a non-negative integer, or None (= unlimited, stock not tracked)."""
    if managed is False:
        return None
    if quantity is None:
        return None
    return max(0, int(quantity))


def article_body(
    product,
    *,
    sku,
    prices_include_tax,
    full=True,
    category_links=None,
    lists=None,
    stock=None,
    send_stock=False,
):
    """Create/update body of an article.

    ``full`` off: price only (update_product_info off keeps the shop's content).
    """
    body = {}
    price = store_price(product, prices_include_tax)
    if price is not None:
        body[ArticleF.PRICE] = {ArticlePriceF.DEFAULT: f"{price:.2f}"}
    if send_stock:
        body[ArticleF.STOCK] = stock
    if not full:
        return body
    if not product.name:
        raise ChannelDataError(_lt("Product %s has no name.", sku))
    body[ArticleF.NAME] = product.name
    body[ArticleF.SKU] = sku
    if product.description or product.short_description:
        body[ArticleF.DESCRIPTION] = product.description or product.short_description
    if product.tax_rate is not None:
        body[ArticleF.TAXABLE] = bool(product.tax_rate)
    invisible = {}
    if product.ean and not product.parent_sku:
        invisible[ExtraF.BARCODE] = product.ean
    if product.weight is not None:
        invisible[ExtraF.WEIGHT] = f"{to_decimal(product.weight, 'weight').normalize():f}"
    if invisible:
        body[ArticleF.EXTRA] = {ExtraF.INVISIBLE: invisible}
    if category_links is not None:
        body[ArticleF.CATEGORIES] = category_links
    if lists is not None:
        body[ArticleF.LISTS] = lists
    return body


def category_links_body(main_category_id, existing_links=()):
    """Our category as the main page; the merchant's other pages stay (not main)."""
    links = [
        {
            CategoryLinkF.CATEGORY_ID: int(main_category_id),
            CategoryLinkF.IS_MAIN: True,
            CategoryLinkF.IS_ACTIVE: True,
        }
    ]
    for link in existing_links:
        other = _text(link.get(CategoryLinkF.CATEGORY_ID))
        if other and other != _text(main_category_id):
            links.append(
                {
                    CategoryLinkF.CATEGORY_ID: int(other),
                    CategoryLinkF.IS_MAIN: False,
                    CategoryLinkF.IS_ACTIVE: bool(link.get(CategoryLinkF.IS_ACTIVE, True)),
                }
            )
    return links


def lists_body(selection):
    """{list id: [option id, ...]} -> ConfiguratorArticleListPostable list."""
    return [
        {
            ListF.ID: int(lid),
            ListF.HAS_IMAGES: False,
            ListF.OPTIONS: [{ListOptionF.ID: int(oid), ListOptionF.IMAGE_IDS: []} for oid in option_ids],
        }
        for lid, option_ids in selection.items()
    ]


def variant_body(*, variant_id_value=None, pairs=(), stock=None, send_stock=True):
    """One ArticleVariant of an article PATCH (by id, or by options to create it); a variant
    has no SKU or barcode of its own, its binding keeps the Odoo variant's."""
    body = {}
    if variant_id_value:
        body[VariantF.ID] = int(variant_id_value)
    else:
        body[VariantF.OPTIONS] = [
            {VariantOptionF.LIST_ID: int(lid), VariantOptionF.OPTION_ID: int(oid)}
            for lid, oid in sorted(pairs)
        ]
    if send_stock:
        body[VariantF.STOCK] = stock
    return body


def variants_patch(entries):
    return {ArticleF.VARIANTS: entries}


def stock_patch(stock):
    return {ArticleF.STOCK: stock}


# --- images --------------------------------------------------------------------


def image_checksum(data):
    return hashlib.sha1(data).hexdigest()


def _image_extension(data):
    if data.startswith(b"\x89PNG"):
        return "png"
    if data[:3] == b"GIF":
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return "jpg"


def image_plan(images, checksums, existing):
    """What to delete and upload so the shop shows exactly ``images``.

    The checksum travels in the file name we upload and comes back as the
    image's ``original_name``: an image whose checksum is already there at that
    position is not sent again. Images the merchant added beyond ours stay.

    :return: (image ids to delete, [(position, filename, bytes)] to upload)
    """
    wanted = []
    for pos, data in enumerate(images[: const.MAX_IMAGES], start=1):
        checksum = (
            checksums[pos - 1] if pos - 1 < len(checksums) and checksums[pos - 1] else image_checksum(data)
        )
        wanted.append((pos, checksum, data))
    by_position = {}
    for image in existing:
        try:
            pos = int(_text(image.get(ImageF.POSITION)) or 0)
        except ValueError:
            pos = 0
        by_position.setdefault(pos, []).append(image)
    deletes, uploads = [], []
    for pos, checksum, data in wanted:
        present = by_position.pop(pos, [])
        if any(checksum in _text(img.get(ImageF.ORIGINAL_NAME)) for img in present):
            continue
        deletes += [_text(img.get(ImageF.ID)) for img in present]
        uploads.append((pos, f"{const.IMAGE_NAME_PREFIX}{checksum}.{_image_extension(data)}", data))
    for rest in by_position.values():
        deletes += [
            _text(img.get(ImageF.ID))
            for img in rest
            if _text(img.get(ImageF.ORIGINAL_NAME)).startswith(const.IMAGE_NAME_PREFIX)
        ]
    return [d for d in deletes if d], uploads


def image_checksums_of(article):
    """Checksums of our images in the shop (from their file names), by position."""
    result = []
    for image in sorted(article_images(article), key=lambda i: _text(i.get(ImageF.POSITION)).zfill(3)):
        name = _text(image.get(ImageF.ORIGINAL_NAME))
        if name.startswith(const.IMAGE_NAME_PREFIX):
            result.append(name[len(const.IMAGE_NAME_PREFIX) :].split(".")[0])
    return result


# --- catalogue --------------------------------------------------------------------


def article_to_products(article, paths=None):
    """A shop article -> ChannelProduct list (one per variant, or the article itself)."""
    aid, sku = article_id(article), article_sku(article)
    price_data = _dict(article.get(ArticleF.PRICE), "article price")
    price = to_decimal(price_data.get(ArticlePriceF.DEFAULT), f"article {sku or aid} price")
    common = {
        "name": _text(article.get(ArticleF.NAME)),
        "description": _text(article.get(ArticleF.DESCRIPTION)),
        "price": price,
        "category_path": main_category_path(article, paths or {}),
        "features": article_features(article),
        "image_checksums": image_checksums_of(article),
    }
    variants = article_variants(article)
    if not variants:
        stock = article.get(ArticleF.STOCK)
        return [
            ChannelProduct(
                sku=sku,
                ean=article_barcode(article),
                external_id=external_id(aid),
                quantity=None if stock is None else to_decimal(stock, "stock"),
                **common,
            )
        ]
    lists = article_lists(article)
    products = []
    for variant in variants:
        stock = variant.get(VariantF.STOCK)
        products.append(
            ChannelProduct(
                # no SKU or EAN of its own: bound by parent SKU and options (or by hand)
                external_id=external_id(aid, variant_id(variant)),
                parent_sku=sku,
                attributes=variant_attributes(variant, lists),
                quantity=None if stock is None else to_decimal(stock, "stock"),
                **common,
            )
        )
    return products


# --- credit orders (refunds) --------------------------------------------------------


def credit_status_ids(statuses):
    """GET /orderstatuses -> ids of the statuses of credit orders (``credit_order: true``)."""
    return [
        int(_text(s.get(const.STATUS_F_ID)))
        for s in statuses or ()
        if isinstance(s, dict) and s.get(const.STATUS_F_CREDIT) and _text(s.get(const.STATUS_F_ID)).isdigit()
    ]


def is_odoo_credit_order(payload):
    """A credit order made from an Odoo credit note (it is booked already)."""
    comments = payload.get(OrderF.COMMENTS)
    internal = _text(comments.get(CommentF.INTERNAL)) if isinstance(comments, dict) else ""
    return internal.startswith(const.ODOO_CREDIT_MARKER)


def _line_key(line):
    """What ties a credit order line to the line of the original order it credits: the
    article and the buyer's options (custom lines: their description)."""
    kind = _text(line.get(LineF.TYPE)).lower()
    articles = line.get(LineF.ARTICLES) or []
    article = articles[0] if articles and isinstance(articles[0], dict) else {}
    if article.get(OrderArticleF.ID) not in (None, ""):
        return (
            f"{kind}|{variant_key(_text(article.get(OrderArticleF.ID)), order_article_option_ids(article))}"
        )
    return f"{kind}|{_text(line.get(LineF.DESCRIPTION))}"


def refund_payload(credit_order, original=None, error=""):
    """A credit order + the lines of the order it credits (their ids and keys only, no buyer
    data) -> stored refund payload. ``error``: why the original could not be read."""
    lines = []
    for line in (original or {}).get(OrderF.ORDERLINES) or []:
        if isinstance(line, dict) and _text(line.get(LineF.TYPE)).lower() in const.PRODUCT_LINE_TYPES:
            lines.append({"id": _text(line.get(LineF.ID)), "key": _line_key(line)})
    payload = {"credit_order": credit_order, "original_lines": lines}
    if error:
        payload["error"] = error
    return payload


def raw_refund(payload):
    credit = _dict(payload.get("credit_order"), "credit order")
    number = order_number(credit)
    return RawRefund(
        external_id=number,
        updated_at=order_updated_at(credit),
        payload=payload,
        reference=f"Credit order {number}",
        order_external_id=_text(credit.get(OrderF.CREDITED_ORDER_NUMBER)),
    )


def parse_refund(payload):
    """Stored credit order payload -> :class:`ChannelRefund`.

    Every line of the credit order is what the shop refunds: article and custom lines are
    goods (tied to the original order's line by article and options), ``shipping`` lines
    the shipping costs, ``payment`` and ``discount`` lines other amounts. The sign of the
    credit order's total turns all its amounts into refunded amounts (UNCONFIRMED, see
    :mod:`.const`). A credit order is final when it exists: it never waits.
    """
    payload = _dict(payload, "refund payload")
    credit = _dict(payload.get("credit_order"), "credit order")
    number = order_number(credit)
    original = _text(credit.get(OrderF.CREDITED_ORDER_NUMBER))
    if not original:
        raise ChannelDataError(_lt("Credit order %s names no credited order.", number))
    if payload.get("error"):
        raise ChannelDataError(
            _lt(
                "Credit order %(number)s: order %(order)s could not be read (%(error)s); "
                "Retry reads it again.",
                number=number,
                order=original,
                error=payload["error"],
            )
        )
    price = _dict(credit.get(OrderF.PRICE), "credit order price")
    total = to_decimal(price.get(PriceF.TOTAL), f"credit order {number} total")
    if total is None:
        raise ChannelDataError(_lt("Credit order %s has no total price.", number))
    sign = Decimal(-1 if total < 0 else 1 if total > 0 else const.CREDIT_SIGN_DEFAULT)
    keys = {}
    for line in payload.get("original_lines") or []:
        keys.setdefault(line.get("key"), line.get("id"))
    refund = ChannelRefund(
        external_id=number,
        order_external_id=original,
        reference=f"Credit order {number}",
        date=order_created_at(credit),
        updated_at=order_updated_at(credit),
        currency=_text(credit.get(OrderF.CURRENCY)).upper() or "EUR",
        total_incl=(total * sign).quantize(CENT),
        reason=_text(_dict(credit.get(OrderF.COMMENTS), "comments").get(CommentF.CUSTOMER))[:200],
        goods_returned=const.CREDIT_GOODS_RETURNED,
        goods_arrived=False,
    )
    lines = credit.get(OrderF.ORDERLINES) or []
    if not isinstance(lines, list):
        raise ChannelDataError(_lt("Credit order %s: the order lines are not a list.", number))
    for index, line in enumerate(lines, start=1):
        line = _dict(line, f"credit order {number} line {index}")
        kind = _text(line.get(LineF.TYPE)).lower()
        what = f"credit order {number} line {index}"
        _excl, incl, _rate = _amounts(_tax_prices(line.get(LineF.PRICE), what), what)
        amount = (incl * sign).quantize(CENT)
        if kind in const.PRODUCT_LINE_TYPES:
            quantity = abs(to_decimal(line.get(LineF.QUANTITY), f"{what} quantity") or ZERO)
            if amount < 0:
                raise ChannelDataError(
                    _lt(
                        "credit order %(number)s line %(line)s: the amount %(amount)s has the sign of a "
                        "sale, not of a refund.",
                        number=number,
                        line=index,
                        amount=incl,
                    )
                )
            articles = line.get(LineF.ARTICLES) or [{}]
            article = _dict(articles[0], f"{what} article")
            refund.lines.append(
                ChannelRefundLine(
                    external_id=_text(keys.get(_line_key(line))),
                    sku=_text(article.get(OrderArticleF.SKU)),
                    quantity=quantity,
                    amount_incl=amount,
                )
            )
        elif kind == const.LINE_TYPE_SHIPPING:
            refund.shipping_incl += amount
        elif kind in (const.LINE_TYPE_PAYMENT, const.LINE_TYPE_DISCOUNT):
            if amount:
                refund.other_amounts.append(
                    ChannelRefundAmount(
                        kind="other",
                        title=_text(line.get(LineF.DESCRIPTION)) or kind.capitalize(),
                        amount_incl=amount,
                    )
                )
        elif amount:
            raise ChannelDataError(
                _lt(
                    "credit order %(number)s line %(line)s: unknown line type %(type)r with an amount; "
                    "it cannot be booked.",
                    number=number,
                    line=index,
                    type=kind,
                )
            )
    return refund


def credit_order_body(request, original, status_id):
    """RefundRequest (a credit note posted in Odoo) + the original order -> CreditOrderPostable.

    Only whole pieces can be credited (the shop takes a subset of the original lines at
    their price): a line's credited pieces go out, with the shipping costs excl. VAT.
    """
    by_id = {
        _text(line.get(LineF.ID)): line
        for line in original.get(OrderF.ORDERLINES) or []
        if isinstance(line, dict)
    }
    orderlines = []
    for item in request.lines:
        line = by_id.get(_text(item.get("line_external_id")))
        quantity = int(to_decimal(item.get("quantity") or 0, "quantity") or 0)
        if line is None or quantity <= 0:
            raise ChannelDataError(
                _lt(
                    "Credit note %(credit_note)s: MijnWebwinkel credits whole pieces of the order's "
                    "lines only; %(sku)s is not one (credit it in the shop).",
                    credit_note=request.reference,
                    sku=item.get("sku") or _lt("a line"),
                )
            )
        body = {"type": _text(line.get(LineF.TYPE)), "quantity": quantity}
        articles = []
        for article in line.get(LineF.ARTICLES) or []:
            options = [{"list_option_id": option_id} for option_id in order_article_option_ids(article)]
            articles.append(
                {"id": article.get(OrderArticleF.ID), **({"options": options} if options else {})}
            )
        if articles:
            body["articles"] = articles
        orderlines.append(body)
    shipping_excl = ZERO
    if request.shipping_incl:
        rate = next(
            (
                r
                for line in original.get(OrderF.ORDERLINES) or []
                if _text(line.get(LineF.TYPE)).lower() == const.LINE_TYPE_SHIPPING
                for r in [_amounts(_tax_prices(line.get(LineF.PRICE), "shipping"), "shipping")[2]]
            ),
            ZERO,
        )
        shipping_excl = request.shipping_incl / (1 + (rate or ZERO) / HUNDRED)
    return {
        "credited_order_number": order_number(original),
        "status": status_id,
        "comments": {"internal": f"{const.ODOO_CREDIT_MARKER} {request.reference}"},
        "orderlines": orderlines,
        "shipping_costs": str(shipping_excl.quantize(UNIT_PRICE_PLACES)),
        "payment_costs": "0",
    }
