# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    connector_account_ids = fields.Many2many(
        "connector.account",
        "connector_account_product_template_rel",
        "product_tmpl_id",
        "account_id",
        string="Publish on",
        help="Channel accounts this product is published on (when it also matches "
        "the account's product filter).",
    )
    connector_parent_sku = fields.Char(
        string="Parent SKU",
        help="SKU of the parent listing that groups the variants in channels with "
        "variations. Empty: TMPL-<id>.",
    )

    def _connector_parent_sku(self):
        self.ensure_one()
        return self.connector_parent_sku or f"TMPL-{self.id}"
