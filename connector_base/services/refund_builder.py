# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Book a canonical ChannelRefund: a credit note on the original invoice, or a
correction of the not yet invoiced order; a return picking for goods sent back.

The VAT of a refund is the VAT of the original sale: the credit note copies the
original invoice lines' taxes, accounts and fiscal position, nothing is evaluated
again. The booked gross total must be the channel's refund total to the cent.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import Command, fields

from ..schema import ZERO, ChannelDataError
from .text import clean_text

CENT = Decimal("0.01")


def _cents(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class RefundBuilder:
    def __init__(self, account, refund):
        self.account = account
        self.env = account.env
        self.refund = refund
        self.warnings = []
        self.sale = self.env["sale.order"]
        self.credit_note = self.env["account.move"]
        self.return_picking = self.env["stock.picking"]

    # --- validation ------------------------------------------------------

    def validate(self):
        refund = self.refund
        if not refund.external_id:
            raise ChannelDataError(self.env._("The refund has no id in the channel."))
        if not refund.order_external_id:
            raise ChannelDataError(self.env._("The refund names no order."))
        if refund.total_incl is None:
            raise ChannelDataError(self.env._("The refund has no total: its amounts cannot be checked."))
        for line in refund.lines:
            if line.quantity is None or line.quantity < 0 or (line.amount_incl or ZERO) < 0:
                raise ChannelDataError(
                    self.env._(
                        "Refund line %(line)r: quantity %(qty)s and amount %(amount)s must not be negative.",
                        line=line.sku or line.external_id,
                        qty=line.quantity,
                        amount=line.amount_incl,
                    )
                )
        if (refund.shipping_incl or ZERO) < 0:
            raise ChannelDataError(
                self.env._("Refunded shipping %s must not be negative.", refund.shipping_incl)
            )
        parts = self.parts_total()
        if parts != refund.total_incl:
            raise ChannelDataError(
                self.env._(
                    "The refund's parts add up to %(parts)s but the channel's refund total is "
                    "%(total)s: nothing was booked.",
                    parts=f"{parts:.2f}",
                    total=f"{refund.total_incl:.2f}",
                )
            )
        if not refund.total_incl and not any(line.quantity for line in refund.lines):
            raise ChannelDataError(self.env._("The refund has neither an amount nor returned goods."))

    def parts_total(self):
        refund = self.refund
        return (
            sum((line.amount_incl or ZERO for line in refund.lines), ZERO)
            + (refund.shipping_incl or ZERO)
            + sum((a.amount_incl or ZERO for a in refund.other_amounts), ZERO)
        )

    def find_order(self):
        sale = self.env["sale.order"].search(
            [
                ("connector_account_id", "=", self.account.id),
                ("connector_external_id", "=", self.refund.order_external_id),
            ],
            limit=1,
        )
        if not sale:
            raise ChannelDataError(
                self.env._(
                    "Order %s is unknown in Odoo (not imported for this account): import the order, "
                    "then retry the refund.",
                    self.refund.order_external_id,
                )
            )
        if sale.state == "cancel":
            raise ChannelDataError(self.env._("Order %s is cancelled in Odoo: nothing to refund.", sale.name))
        code = (self.refund.currency or sale.currency_id.name).strip().upper()
        if code != sale.currency_id.name:
            raise ChannelDataError(
                self.env._(
                    "The refund is in %(currency)s but order %(order)s is in %(order_currency)s.",
                    currency=code[:8],
                    order=sale.name,
                    order_currency=sale.currency_id.name,
                )
            )
        return sale

    def match_lines(self, sale):
        """{sale line: [quantity, gross amount]} of the refunded goods."""
        goods = sale.order_line.filtered(
            lambda ln: ln.product_id and not ln.display_type and not ln.is_delivery
        )
        by_ref = {}
        for line in goods:
            for ref in (line.connector_line_ref or "").split(","):
                if ref.strip():
                    by_ref[ref.strip()] = line
        skus = {ln.sku for ln in self.refund.lines if ln.sku}
        bound = {}
        if skus:
            for binding in self.env["connector.product.binding"].search(
                [("account_id", "=", self.account.id), ("external_sku", "in", list(skus))]
            ):
                bound.setdefault(binding.external_sku, binding.product_id)
        result = defaultdict(lambda: [ZERO, ZERO])
        for ref_line in self.refund.lines:
            line = by_ref.get(ref_line.external_id or "")
            if not line and ref_line.sku:
                product = bound.get(ref_line.sku)
                line = goods.filtered(
                    lambda ln, sku=ref_line.sku, product=product: (
                        ln.product_id.default_code == sku or (product and ln.product_id == product)
                    )
                )[:1]
            if not line:
                raise ChannelDataError(
                    self.env._(
                        "Refund line %(line)r matches no line of order %(order)s.",
                        line=ref_line.external_id or ref_line.sku,
                        order=sale.name,
                    )
                )
            result[line][0] += ref_line.quantity or ZERO
            result[line][1] += ref_line.amount_incl or ZERO
        for line, (qty, _amount) in result.items():
            if qty > Decimal(str(line.product_uom_qty)):
                raise ChannelDataError(
                    self.env._(
                        "%(qty)s x %(product)s returned, but order %(order)s has only %(ordered)s.",
                        qty=qty,
                        product=line.product_id.display_name,
                        order=sale.name,
                        ordered=f"{line.product_uom_qty:g}",
                    )
                )
        return result

    # --- booking ---------------------------------------------------------------

    def build(self):
        """Book the refund; return a short text of what was done."""
        self.validate()
        sale = self.sale = self.find_order()
        matched = self.match_lines(sale)
        invoices = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state != "cancel")
        if invoices.filtered(lambda m: m.state == "draft"):
            raise ChannelDataError(
                self.env._(
                    "Order %s has a draft invoice: post or delete it, then retry the refund.", sale.name
                )
            )
        # goods first: a return done lowers the delivered quantity the order correction needs
        if self.refund.goods_returned:
            self.return_goods(sale, matched)
        if invoices:
            self.credit_note = self.book_credit_note(sale, invoices, matched)
            return self.env._(
                "Credit note %(move)s for order %(order)s.",
                move=self.credit_note.name or self.env._("(draft)"),
                order=sale.name,
            )
        self.correct_order(sale, matched)
        return self.env._("Order %s corrected (not invoiced yet).", sale.name)

    # --- credit note ------------------------------------------------------

    def _credit_note_ref(self, refund):
        reference = refund.reference or refund.external_id
        if refund.reason:
            return self.env._(
                "%(account)s refund %(ref)s: %(reason)s",
                account=self.account.display_name,
                ref=reference,
                reason=self.account._map_refund_reason(refund.reason),
            )
        return self.env._("%(account)s refund %(ref)s", account=self.account.display_name, ref=reference)

    def book_credit_note(self, sale, invoices, matched):
        refund = self.refund
        currency = sale.currency_id
        commands = []
        originals = self.env["account.move"]
        main_taxes = self.env["account.tax"]
        main_value = ZERO
        for line, (qty, amount) in matched.items():
            template = self._invoice_line(line)
            originals |= template.move_id
            if amount > main_value:
                main_value, main_taxes = amount, template.tax_ids
            if not amount and not qty:
                continue
            if qty:
                # never more than was invoiced and not credited yet
                if qty > Decimal(str(line.qty_invoiced)):
                    raise ChannelDataError(
                        self.env._(
                            "%(qty)s x %(product)s refunded, but only %(invoiced)s are invoiced and not "
                            "credited yet on order %(order)s.",
                            qty=qty,
                            product=line.product_id.display_name,
                            invoiced=f"{line.qty_invoiced:g}",
                            order=sale.name,
                        )
                    )
                for part_qty, part_amount in self._split(amount, qty):
                    commands.append(self._credit_line(template, part_qty, part_amount, sale_line=line))
            else:
                commands.append(
                    self._credit_line(template, 1, amount, name=self.env._("%s (price reduction)", line.name))
                )
        if refund.shipping_incl:
            shipping = sale.order_line.filtered("is_delivery")[:1]
            template = self._invoice_line(shipping) if shipping else None
            if not template:
                raise ChannelDataError(
                    self.env._("Shipping is refunded but order %s has no invoiced shipping.", sale.name)
                )
            originals |= template.move_id
            commands.append(self._credit_line(template, 1, refund.shipping_incl))
        if refund.other_amounts:
            if not main_taxes:
                template = invoices.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")[:1]
                main_taxes = template.tax_ids
            for other in refund.other_amounts:
                if not other.amount_incl:
                    continue
                product = (
                    self.account._get_fee_product()
                    if other.amount_incl < 0
                    else self.account._get_discount_product()
                )
                commands.append(
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": clean_text(other.title or other.kind, 200) or product.name,
                            "quantity": 1,
                            "price_unit": float(self._price_unit(main_taxes, other.amount_incl)),
                            "tax_ids": [Command.set(main_taxes.ids)],
                        }
                    )
                )
        if not commands:
            raise ChannelDataError(self.env._("The refund has nothing to credit."))
        original = originals[:1] or invoices[:1]
        vals = {
            "move_type": "out_refund",
            "partner_id": original.partner_id.id,
            "partner_shipping_id": original.partner_shipping_id.id,
            "company_id": original.company_id.id,
            "journal_id": original.journal_id.id,
            "currency_id": currency.id,
            # the fiscal position of the original sale, never evaluated again
            "fiscal_position_id": original.fiscal_position_id.id,
            "invoice_date": (refund.date or fields.Datetime.now()).date(),
            "reversed_entry_id": original.id,
            "invoice_origin": sale.name,
            "ref": clean_text(self._credit_note_ref(refund), 256),
            "invoice_payment_term_id": original.invoice_payment_term_id.id,
            "connector_refund_external_id": refund.external_id,
            "connector_account_id": self.account.id,
            "invoice_line_ids": commands,
        }
        move = self.env["account.move"].with_company(original.company_id).create(vals)
        # tax lines: Odoo computes them from the taxes copied above
        if currency.compare_amounts(move.amount_total, float(refund.total_incl)) != 0:
            raise ChannelDataError(
                self.env._(
                    "Credit note total in Odoo %(total)s %(currency)s differs from the channel's refund "
                    "total %(expected)s %(currency)s: nothing was booked.",
                    total=f"{move.amount_total:.2f}",
                    expected=f"{refund.total_incl:.2f}",
                    currency=currency.name,
                )
            )
        if self.account.refund_auto_post:
            move.action_post()
        self._reduce_ordered(matched)
        return move

    def _invoice_line(self, sale_line):
        lines = sale_line.invoice_lines.filtered(
            lambda ln: ln.move_id.state == "posted" and ln.move_id.move_type == "out_invoice"
        )
        if not lines:
            raise ChannelDataError(
                self.env._(
                    "%(line)s of order %(order)s is not on a posted invoice: invoice the order first, "
                    "then retry the refund.",
                    line=sale_line.name,
                    order=sale_line.order_id.name,
                )
            )
        return lines[:1]

    def _credit_line(self, template, qty, amount, sale_line=None, name=None):
        vals = {
            "product_id": template.product_id.id,
            "name": name or template.name,
            "quantity": float(qty),
            "price_unit": float(self._price_unit(template.tax_ids, amount, qty)),
            "discount": 0.0,
            "tax_ids": [Command.set(template.tax_ids.ids)],
            "account_id": template.account_id.id,
            "product_uom_id": template.product_uom_id.id,
        }
        if sale_line:
            vals["sale_line_ids"] = [Command.set(sale_line.ids)]
        return Command.create(vals)

    @staticmethod
    def _split(amount, qty):
        """[(qty, gross)] whose unit prices are whole cents and add up to ``amount``."""
        if qty != qty.to_integral_value() or qty <= 1:
            return [(qty, amount)]
        unit = (amount / qty).quantize(CENT, rounding=ROUND_HALF_UP)
        if unit * qty == amount:
            return [(qty, amount)]
        return [(qty - 1, unit * (qty - 1)), (Decimal(1), amount - unit * (qty - 1))]

    @staticmethod
    def _price_unit(taxes, gross, qty=1):
        """Unit price giving ``gross`` with ``taxes``: gross when they are included."""
        qty = Decimal(str(qty)) or Decimal(1)
        excluded = taxes.filtered(lambda t: not t.price_include and t.amount_type == "percent")
        factor = 1 + sum((Decimal(str(t.amount)) for t in excluded), ZERO) / 100
        return gross / factor / qty

    def _reduce_ordered(self, matched):
        """Lower the ordered quantity of returned lines so they are not invoiced again.

        Never below what is still delivered: goods not back yet keep their quantity
        until the return is done.
        """
        for line, (qty, _amount) in matched.items():
            if not qty:
                continue
            target = max(float(Decimal(str(line.product_uom_qty)) - qty), line.qty_delivered)
            if target < line.product_uom_qty:
                self._write_locked(line, {"product_uom_qty": target})
            elif self.refund.goods_returned:
                self.warnings.append(
                    self.env._(
                        "%(product)s: the ordered quantity stays %(qty)s until the returned goods "
                        "are received.",
                        product=line.product_id.display_name,
                        qty=f"{line.product_uom_qty:g}",
                    )
                )
            else:
                self.warnings.append(
                    self.env._(
                        "%(product)s: refunded without a return, the ordered quantity stays %(qty)s "
                        "(delivered); do not invoice it again.",
                        product=line.product_id.display_name,
                        qty=f"{line.product_uom_qty:g}",
                    )
                )

    def _write_locked(self, line, vals):
        if "product_uom_qty" in vals:
            # the channel's price stays: a new quantity must not re-price the line from the pricelist
            vals = {"price_unit": line.price_unit, "discount": line.discount, **vals}
        order = line.order_id
        locked = order.locked
        if locked:
            order.action_unlock()
        line.write(vals)
        if locked:
            order.action_lock()

    # --- order not invoiced yet ------------------------------------------------

    def correct_order(self, sale, matched):
        refund = self.refund
        currency = sale.currency_id
        before = _cents(sale.amount_total)
        main_taxes = self.env["account.tax"]
        main_value = ZERO
        for line, (qty, amount) in matched.items():
            if amount > main_value:
                main_value, main_taxes = amount, line.tax_ids
            removed = ZERO
            if qty:
                target = max(float(Decimal(str(line.product_uom_qty)) - qty), line.qty_delivered)
                if target < line.product_uom_qty:
                    total_before = _cents(line.price_total)
                    self._write_locked(line, {"product_uom_qty": target})
                    removed = total_before - _cents(line.price_total)
                else:
                    self.warnings.append(
                        self.env._(
                            "%(product)s: delivered and not back yet, the ordered quantity stays %(qty)s; "
                            "the refund is booked as a price reduction.",
                            product=line.product_id.display_name,
                            qty=f"{line.product_uom_qty:g}",
                        )
                    )
            rest = amount - removed
            if rest:
                self._add_adjustment(
                    sale,
                    line.tax_ids,
                    -rest,
                    self.env._("%(line)s: refund %(ref)s", line=line.name, ref=refund.external_id),
                )
        if refund.shipping_incl:
            shipping = sale.order_line.filtered("is_delivery")[:1]
            if not shipping:
                raise ChannelDataError(
                    self.env._("Shipping is refunded but order %s has no shipping line.", sale.name)
                )
            self._add_adjustment(
                sale,
                shipping.tax_ids,
                -refund.shipping_incl,
                self.env._("%(line)s: refund %(ref)s", line=shipping.name, ref=refund.external_id),
                product=shipping.product_id,
            )
        for other in refund.other_amounts:
            if other.amount_incl:
                self._add_adjustment(
                    sale,
                    main_taxes or sale.order_line.tax_ids[:1],
                    -other.amount_incl,
                    clean_text(other.title or other.kind, 200),
                )
        after = _cents(sale.amount_total)
        expected = before - refund.total_incl
        if currency.compare_amounts(float(after), float(expected)) != 0:
            raise ChannelDataError(
                self.env._(
                    "Order total after the refund in Odoo %(total)s %(currency)s differs from the "
                    "expected %(expected)s %(currency)s (channel's refund total %(refund)s): "
                    "nothing was changed.",
                    total=f"{after:.2f}",
                    expected=f"{expected:.2f}",
                    refund=f"{refund.total_incl:.2f}",
                    currency=currency.name,
                )
            )

    def _add_adjustment(self, sale, taxes, gross, name, product=None):
        product = product or (
            self.account._get_discount_product() if gross < 0 else self.account._get_fee_product()
        )
        vals = {
            "order_id": sale.id,
            "product_id": product.id,
            "name": name or product.name,
            "product_uom_qty": 1.0,
            "price_unit": float(self._price_unit(taxes, gross)),
            "tax_ids": [Command.set(taxes.ids)],
        }
        locked = sale.locked
        if locked:
            sale.action_unlock()
        self.env["sale.order.line"].create(vals)
        if locked:
            sale.action_lock()

    # --- returned goods ---------------------------------------------------------

    def return_goods(self, sale, matched):
        """A return picking of the returned quantities into the account's return location;
        done when the channel says the goods arrived, else left ready for the warehouse."""
        wanted = defaultdict(float)
        for line, (qty, _amount) in matched.items():
            if qty and line.product_id.type == "consu":
                wanted[line.id] += float(qty)
        if not wanted:
            return
        deliveries = sale.picking_ids.filtered(
            lambda p: p.state == "done" and p.location_dest_id.usage == "customer"
        ).sorted(lambda p: p.date_done or p.create_date, reverse=True)
        if not deliveries:
            self.warnings.append(
                self.env._(
                    "Nothing of order %s was delivered in Odoo: no return picking was made.", sale.name
                )
            )
            return
        pickings = self.env["stock.picking"]
        for delivery in deliveries:
            if not any(v > 0 for v in wanted.values()):
                break
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=delivery.id, active_model="stock.picking")
                .create({"picking_id": delivery.id})
            )
            any_line = False
            for return_line in wizard.product_return_moves:
                move = return_line.move_id
                key = move.sale_line_id.id
                if not wanted.get(key):
                    return_line.quantity = 0
                    continue
                returned = sum(m.product_uom_qty for m in move.returned_move_ids if m.state != "cancel")
                quantity = min(wanted[key], move.quantity - returned)
                return_line.quantity = max(quantity, 0)
                if quantity > 0:
                    wanted[key] -= quantity
                    any_line = True
            if any_line:
                pickings |= wizard._create_return()
        if any(v > 0 for v in wanted.values()):
            self.warnings.append(
                self.env._(
                    "Some returned goods of order %s were not delivered in Odoo: they are not on the "
                    "return picking.",
                    sale.name,
                )
            )
        location = self.account.refund_location_id
        label = f"{self.account.display_name} {self.refund.reference or self.refund.external_id}"
        for picking in pickings:
            picking.origin = clean_text(f"{picking.origin or ''} ({label})", 256)
            if location:
                picking.do_unreserve()
                picking.location_dest_id = location
                picking.move_ids.location_dest_id = location
            if self.refund.goods_arrived:
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                picking.move_ids.picked = True
                picking.with_context(cancel_backorder=True, skip_sms=True)._action_done()
        self.return_picking = pickings
