# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The engine's lookups used while an order is built (products, mappings, taxes)."""

import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..schema import ChannelDataError

_logger = logging.getLogger(__name__)


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    channel_stock_location_id = fields.Many2one(
        "stock.location",
        string="Channel fulfilment location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Stock the channel keeps and ships itself (e.g. Amazon FBA), outside this account's "
        "warehouse. Orders fulfilled by the channel are delivered from here at import, without "
        "reserving the warehouse's stock. Empty: they are delivered from the vendors location "
        "(the channel's stock is not tracked in Odoo).",
    )

    def _match_products(self, keys):
        """Products for ``keys`` [(sku, ean)]: by SKU, then EAN, then a binding.

        Three grouped queries for the whole order, whatever its size.

        :return: list of product.product records (empty when not found)
        :raise ChannelDataError: when a SKU or EAN matches several products
        """
        self.ensure_one()
        Product = self.env["product.product"].with_company(self.company_id)
        skus = {sku for sku, _ean in keys if sku}
        eans = {ean for _sku, ean in keys if ean}
        company_domain = [("company_id", "in", (self.company_id.id, False))]
        by_sku, by_ean, by_binding = {}, {}, {}
        if skus:
            for product in Product.search([("default_code", "in", list(skus))] + company_domain):
                by_sku.setdefault(product.default_code, Product)
                by_sku[product.default_code] |= product
        if eans:
            for product in Product.search([("barcode", "in", list(eans))] + company_domain):
                by_ean[product.barcode] = product
        missing = [sku for sku in skus if sku not in by_sku]
        if missing:
            bindings = self.env["connector.product.binding"].search(
                [("account_id", "=", self.id), ("external_sku", "in", missing)]
            )
            for binding in bindings:
                by_binding.setdefault(binding.external_sku, binding.product_id)
        result = []
        for sku, ean in keys:
            product = by_sku.get(sku) or by_ean.get(ean) or by_binding.get(sku) or Product
            if len(product) > 1:
                names = ", ".join(product.mapped("display_name"))
                raise ChannelDataError(
                    self.env._(
                        "SKU %(sku)r matches %(count)s products (%(names)s): make internal references "
                        "unique, then retry.",
                        sku=sku,
                        count=len(product),
                        names=names,
                    )
                )
            result.append(product)
        return result

    def _map_shipping_method(self, code):
        self.ensure_one()
        mapping = self.shipping_mapping_ids.filtered(lambda m: m.code == (code or ""))[:1]
        return mapping.carrier_id

    def _map_payment_method(self, code):
        self.ensure_one()
        return self.payment_mapping_ids.filtered(lambda m: m.code == (code or ""))[:1]

    def _get_discount_product(self):
        self.ensure_one()
        return self.discount_product_id or self.env.ref("connector_base.product_channel_discount")

    def _get_fee_product(self):
        self.ensure_one()
        return self.fee_product_id or self.env.ref("connector_base.product_channel_fee")

    def _get_order_fiscal_position(self, order, customer, delivery):
        """Fiscal position of an imported order (overridden by the VAT evaluation)."""
        self.ensure_one()
        return (
            self.env["account.fiscal.position"]
            .with_company(self.company_id)
            ._get_fiscal_position(customer, delivery=delivery)
        )

    def _finalize_sale_order(self, sale, channel_order, payment_mapping):
        """Bring a created order to the account's order type (confirm, invoice)."""
        self.ensure_one()
        if self.order_type == "quotation":
            return
        # keep the channel's order date: confirming would stamp "now" (sale_order.py)
        sale.with_context(mail_notrack=True, connector_keep_order_date=True).action_confirm()
        if channel_order.fulfilled_by_channel:
            self._deliver_from_channel_stock(sale)
        if self.order_type != "invoice":
            return
        try:
            invoices = sale._create_invoices()
        except UserError as exc:
            raise ChannelDataError(
                _("The order was confirmed but cannot be invoiced yet: %s", str(exc.args[0]))
            ) from exc
        receivable = payment_mapping.receivable_account_id
        if receivable:
            invoices.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            ).account_id = receivable
        invoices.action_post()

    def _deliver_from_channel_stock(self, sale):
        """An order the channel ships itself (FBA): its delivery is done at once, from the
        channel's stock location, so the warehouse's stock is neither reserved nor moved
        and nothing is reported back to the channel."""
        self.ensure_one()
        pickings = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        outgoing = pickings.filtered(lambda p: p.location_dest_id.usage == "customer")
        (pickings - outgoing).action_cancel()  # pick/pack steps of multi-step routes
        if not outgoing:
            return
        source = self.channel_stock_location_id or self.env.ref("stock.stock_location_suppliers")
        outgoing.do_unreserve()
        moves = outgoing.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        moves.move_orig_ids = [fields.Command.clear()]
        # connector_shipped_at: the channel shipped it, no confirmation to send
        outgoing.write({"location_id": source.id, "connector_shipped_at": fields.Datetime.now()})
        moves.location_id = source
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        outgoing.with_context(cancel_backorder=True)._action_done()
