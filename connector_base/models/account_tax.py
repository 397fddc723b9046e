# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountTax(models.Model):
    _inherit = "account.tax"

    connector_source_tax_id = fields.Many2one(
        "account.tax",
        string="Tax-included twin of",
        copy=False,
        index="btree_not_null",
        help="Created by the channel connectors: the same tax with prices including "
        "it, so imported gross amounts are kept to the cent.",
    )
    connector_included_twin_id = fields.Many2one(
        "account.tax",
        string="Tax-included twin",
        copy=False,
        ondelete="set null",
        readonly=True,
        help="The tax-included twin the channel connectors made of this tax (read with "
        "the tax itself, so imports do not search for it every time).",
    )
