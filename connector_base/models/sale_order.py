# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..services.vat import CASES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    connector_account_id = fields.Many2one(
        "connector.account", string="Channel", readonly=True, copy=False, index="btree_not_null"
    )
    connector_external_id = fields.Char(string="Channel order id", readonly=True, copy=False)
    connector_storefront = fields.Char(
        string="Storefront", readonly=True, copy=False, help="Storefront or marketplace of the channel order."
    )
    connector_vat_case = fields.Selection(CASES, string="VAT evaluation", readonly=True, copy=False)
    connector_vat_reason = fields.Char(string="VAT reason", readonly=True, copy=False)
    connector_revenue_account_id = fields.Many2one(
        "account.account",
        string="Channel revenue account",
        readonly=True,
        copy=False,
        help="Set by a channel tax rule: income account of this order's invoice lines.",
    )
    connector_order_id = fields.Many2one(
        "connector.order", string="Channel import", compute="_compute_connector_order_id"
    )

    _connector_external_uniq = models.UniqueIndex(
        "(connector_account_id, connector_external_id) WHERE connector_external_id IS NOT NULL",
        "This channel order was already imported.",
    )

    def _prepare_confirmation_values(self):
        vals = super()._prepare_confirmation_values()
        if self.env.context.get("connector_keep_order_date") and all(self.mapped("connector_account_id")):
            vals.pop("date_order", None)  # the date the buyer ordered in the channel
        return vals

    def _compute_connector_order_id(self):
        records = self.env["connector.order"].search([("sale_order_id", "in", self.ids)])
        by_order = {r.sale_order_id.id: r for r in records}
        for order in self:
            order.connector_order_id = by_order.get(order.id, False)

    def action_open_connector_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "connector.order",
            "res_id": self.connector_order_id.id,
            "view_mode": "form",
        }


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _prepare_invoice_line(self, **optional_values):
        vals = super()._prepare_invoice_line(**optional_values)
        account = self.order_id.connector_revenue_account_id
        if account and not self.display_type:
            vals["account_id"] = account.id
        return vals

    connector_line_ref = fields.Char(
        string="Channel line id",
        copy=False,
        help="The channel's id(s) of this line, used to confirm shipments per line.",
    )
