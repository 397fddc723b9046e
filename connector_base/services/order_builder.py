# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Turn a canonical ChannelOrder into a sale.order, and check its amounts."""

from collections import defaultdict
from decimal import Decimal

from odoo import fields
from odoo.tools import float_round

from ..schema import ZERO, ChannelDataError
from .partner import PartnerResolver
from .taxes import TaxResolver
from .text import clean_text

MAX_QTY = Decimal("1000000")


class OrderBuilder:
    def __init__(self, account, order, raw_payload=None):
        self.account = account
        self.env = account.env
        self.company = account.company_id
        self.order = order
        self.raw_payload = raw_payload  # the channel's payload, read by the field mappings
        self.warnings = []
        self.partners = PartnerResolver(account, self.warnings)
        self.taxes = TaxResolver(account, self.warnings)

    # --- validation ------------------------------------------------------

    def validate(self):
        order = self.order
        if not order.external_id:
            raise ChannelDataError(self.env._("The order has no id in the channel."))
        if len(order.external_id) > 255:
            raise ChannelDataError(
                self.env._("The order's id in the channel has %s characters.", len(order.external_id))
            )
        if not order.lines:
            raise ChannelDataError(self.env._("The order has no lines."))
        for line in order.lines:
            if line.quantity is None or line.quantity <= 0:
                raise ChannelDataError(
                    self.env._(
                        "Line %(line)r has quantity %(qty)s: only positive quantities can be sold.",
                        line=line.sku or line.title,
                        qty=line.quantity,
                    )
                )
            if line.quantity > MAX_QTY:
                raise ChannelDataError(
                    self.env._(
                        "Line %(line)r has an implausible quantity %(qty)s.", line=line.sku, qty=line.quantity
                    )
                )
            if line.unit_price_incl is None and line.unit_price_excl is None:
                raise ChannelDataError(self.env._("Line %r has no price.", line.sku or line.title))
            for price in (line.unit_price_incl, line.unit_price_excl):
                if price is not None and price < 0:
                    raise ChannelDataError(
                        self.env._(
                            "Line %(line)r has a negative price %(price)s.", line=line.sku, price=price
                        )
                    )
        if order.total_incl is None:
            raise ChannelDataError(self.env._("The order has no total: its amounts cannot be checked."))

    def currency(self):
        code = (self.order.currency or self.company.currency_id.name).strip().upper()
        if code == self.company.currency_id.name:
            return self.company.currency_id  # the usual case, and always active
        currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        )
        if not currency or currency.name != code:  # the search cuts long codes: "EURO" -> EUR
            raise ChannelDataError(self.env._("Unknown currency %r.", code[:8]))
        if not currency.active:
            raise ChannelDataError(
                self.env._(
                    "The order is in %s, which is not active in Odoo: activate the currency "
                    "(Accounting > Configuration > Currencies), then retry.",
                    code,
                )
            )
        return currency

    def pricelist(self, currency):
        pricelist = self.account.pricelist_id
        if pricelist and pricelist.currency_id == currency:
            return pricelist
        Pricelist = self.env["product.pricelist"].sudo()
        pricelist = Pricelist.search(
            [("currency_id", "=", currency.id), ("company_id", "in", (self.company.id, False))], limit=1
        )
        if not pricelist:
            # one per currency, under a key the database keeps unique (connector.record.key)
            pricelist = (
                self.env["connector.record.key"]
                .sudo()
                ._find_or_create(
                    "pricelist_currency",
                    self.company.id,
                    (currency.id,),
                    "product.pricelist",
                    Pricelist.browse,
                    lambda: Pricelist.create(
                        {
                            "name": f"{self.account.display_name} {currency.name}",
                            "currency_id": currency.id,
                            "company_id": self.company.id,
                        }
                    ),
                )
            )
        return pricelist.sudo(False)

    # --- products --------------------------------------------------------

    def match_products(self):
        """Product per line: SKU, then EAN, then a stored binding, a variant by its
        attribute values; None if unknown."""
        return self.account._match_order_lines(self.order.lines)

    # --- building --------------------------------------------------------

    def build(self):
        self.validate()
        order = self.order
        account = self.account
        currency = self.currency()
        customer, invoice, delivery = self.partners.resolve(order)
        matches = self.match_products()
        decision = self.taxes.decide(order, customer, delivery)
        fpos = decision.fiscal_position
        included = order.prices_include_tax
        rounding = currency.decimal_places

        line_cmds = []
        gross_by_taxes = defaultdict(Decimal)
        taxes_by_rate = {}  # channel VAT rate of a goods line -> its Odoo taxes
        for line, product in zip(order.lines, matches, strict=True):
            title = clean_text(line.title, 512, self.warnings, self.env._("line title")) or line.sku
            if not product:
                if account.missing_product_policy == "fallback" and account.fallback_product_id:
                    product = account.fallback_product_id
                    self.warnings.append(
                        self.env._("Unknown product %r: the fallback product is used.", line.sku or line.ean)
                    )
                elif getattr(line, "parent_sku", "") and not (line.sku or line.ean):
                    values = ", ".join(f"{k}: {v}" for k, v in (line.attributes or {}).items()) or "-"
                    raise ChannelDataError(
                        self.env._(
                            "No variant of parent SKU %(sku)r with %(values)s in Odoo: give the "
                            "template that parent SKU and these attribute values (or map the channel's "
                            "attribute names on the account), or bind the variant, then retry.",
                            sku=line.parent_sku,
                            values=values,
                        )
                    )
                else:
                    raise ChannelDataError(
                        self.env._(
                            "No product with SKU %(sku)r or EAN %(ean)r in Odoo: create or bind the "
                            "product (or set a fallback product on the account), then retry.",
                            sku=line.sku,
                            ean=line.ean,
                        )
                    )
            taxes = self.taxes.line_taxes(product, fpos, included)
            self.taxes.check_rate(line, taxes, title)
            price = line.unit_price_incl if included else line.unit_price_excl
            if price is None:
                price = self._convert_price(line, included)
            vals = {
                "product_id": product.id,
                "name": f"[{line.sku}] {title}" if line.sku and line.sku not in title else title,
                "product_uom_qty": float(line.quantity),
                "price_unit": float(price),
                "tax_ids": [(6, 0, taxes.ids)],
                "connector_line_ref": line.external_id or False,
            }
            if line.discount_incl:
                gross = price * line.quantity
                if gross:
                    vals["discount"] = float(line.discount_incl / gross * 100)
            line_cmds.append((0, 0, vals))
            gross_by_taxes[tuple(taxes.ids)] += price * line.quantity - (line.discount_incl or ZERO)
            if line.tax_rate is not None:
                taxes_by_rate.setdefault(line.tax_rate, taxes)

        carrier = account._map_shipping_method(order.shipping_method)
        shipping_amount = order.shipping_incl if included else (order.shipping_excl or ZERO)
        if shipping_amount:
            product = carrier.product_id or account.shipping_product_id
            if not product:
                raise ChannelDataError(
                    self.env._(
                        "Shipping costs but no product to book them: map the shipping method "
                        "%r to a carrier or set a shipping product on the account.",
                        order.shipping_method,
                    )
                )
            # Shipping follows the VAT of the goods the channel names (e.g. 7 % for books
            # only); the shipping product's own taxes when the channel names no such rate.
            taxes = (
                taxes_by_rate.get(order.shipping_tax_rate) if order.shipping_tax_rate is not None else None
            )
            if taxes is None:
                taxes = self._ancillary_taxes(product, fpos, included, gross_by_taxes)
            line_cmds.append(
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "name": clean_text(carrier.name or order.shipping_method, 256) or product.name,
                        "product_uom_qty": 1.0,
                        "price_unit": float(shipping_amount),
                        "tax_ids": [(6, 0, taxes.ids)],
                        "is_delivery": True,
                    },
                )
            )

        for fee in order.fees:
            amount = fee.amount_incl if included else (fee.amount_excl or fee.amount_incl)
            if not amount:
                continue
            product = account._get_fee_product()
            taxes = self._ancillary_taxes(product, fpos, included, gross_by_taxes)
            line_cmds.append(
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "name": clean_text(fee.title or fee.code, 256) or product.name,
                        "product_uom_qty": 1.0,
                        "price_unit": float(amount),
                        "tax_ids": [(6, 0, taxes.ids)],
                    },
                )
            )

        for discount in order.discounts:
            amount = discount.amount_incl if included else (discount.amount_excl or discount.amount_incl)
            if not amount:
                continue
            line_cmds.extend(self._discount_lines(discount, amount, gross_by_taxes, fpos, included, rounding))

        payment = account._map_payment_method(order.payment_method)
        vals = {
            "partner_id": customer.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "company_id": self.company.id,
            "pricelist_id": self.pricelist(currency).id,
            "fiscal_position_id": fpos.id,
            "client_order_ref": clean_text(order.reference, 64) or order.external_id,
            "origin": clean_text(f"{account.display_name} {order.reference or order.external_id}", 256),
            "date_order": order.created_at or fields.Datetime.now(),
            "connector_account_id": account.id,
            "connector_external_id": order.external_id,
            "connector_storefront": clean_text(order.storefront, 64) or False,
            "connector_vat_case": decision.case,
            "connector_vat_reason": decision.reason,
            "connector_revenue_account_id": decision.rule.revenue_account_id.id if decision.rule else False,
            "order_line": line_cmds,
        }
        if account.warehouse_id:
            vals["warehouse_id"] = account.warehouse_id.id
        if account.team_id:
            vals["team_id"] = account.team_id.id
        if account.user_id:
            vals["user_id"] = account.user_id.id
        if payment.payment_term_id:
            vals["payment_term_id"] = payment.payment_term_id.id
        if carrier:
            vals["carrier_id"] = carrier.id
        if order.note:
            vals["note"] = clean_text(order.note, 2000)
        account._apply_field_mappings(self, vals, (customer, invoice, delivery), matches)
        sale = self.env["sale.order"].with_company(self.company).create(vals)
        self.check_amounts(sale, currency)
        account._finalize_sale_order(sale, order, payment)
        return sale

    def _ancillary_taxes(self, product, fpos, included, gross_by_taxes):
        """Taxes of a shipping or fee line: its product's, else those of the main goods.

        A service product made by the connector may carry no tax of this company
        (another company's chart set its default); shipping then follows the VAT of
        the goods with the largest share, as EU VAT does for ancillary costs.
        """
        if product.taxes_id._filter_taxes_by_company(self.company):
            return self.taxes.line_taxes(product, fpos, included)
        if not gross_by_taxes:
            return self.env["account.tax"]
        main = max(gross_by_taxes.items(), key=lambda item: item[1])[0]
        return self.env["account.tax"].browse(main)

    def _convert_price(self, line, included):
        """Net <-> gross unit price from the channel's rate when only one is given."""
        if line.tax_rate is None:
            raise ChannelDataError(self.env._("Line %r: the price is given without the tax rate.", line.sku))
        factor = 1 + line.tax_rate / 100
        return line.unit_price_excl * factor if included else line.unit_price_incl / factor

    def _discount_lines(self, discount, amount, gross_by_taxes, fpos, included, rounding):
        """Discount as own lines, split over the tax groups of the goods in proportion."""
        product = self.account._get_discount_product()
        total = sum(gross_by_taxes.values())
        if not total:
            raise ChannelDataError(self.env._("A discount applies to an order without goods value."))
        label = clean_text(discount.title or discount.code, 200) or product.name
        commands = []
        remaining = amount
        groups = list(gross_by_taxes.items())
        for index, (tax_ids, gross) in enumerate(groups):
            if index == len(groups) - 1:
                part = remaining
            else:
                part = Decimal(str(float_round(float(amount * gross / total), rounding)))
                remaining -= part
            commands.append(
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "name": label,
                        "product_uom_qty": 1.0,
                        "price_unit": -float(part),
                        "tax_ids": [(6, 0, list(tax_ids))],
                    },
                )
            )
        return commands

    def check_amounts(self, sale, currency):
        """The order total must be the channel's total to the cent, else nothing is booked."""
        expected = float(self.order.total_incl)
        if currency.compare_amounts(sale.amount_total, expected) != 0:
            raise ChannelDataError(
                self.env._(
                    "Order total in Odoo %(total)s %(currency)s differs from the channel's total "
                    "%(expected)s %(currency)s: check the tax and product mapping "
                    "(taxes applied: %(taxes)s), then retry.",
                    total=f"{sale.amount_total:.2f}",
                    expected=f"{expected:.2f}",
                    currency=currency.name,
                    taxes=", ".join(sale.order_line.tax_ids.mapped("name")) or self.env._("none"),
                )
            )
        if self.order.total_excl is not None:
            if currency.compare_amounts(sale.amount_untaxed, float(self.order.total_excl)) != 0:
                self.warnings.append(
                    self.env._(
                        "Net total in Odoo %(total)s differs from the channel's %(expected)s "
                        "(the gross total matches).",
                        total=f"{sale.amount_untaxed:.2f}",
                        expected=f"{float(self.order.total_excl):.2f}",
                    )
                )
