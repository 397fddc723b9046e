# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorListing(models.Model):
    _inherit = "connector.listing"

    amazon_asin = fields.Char(
        string="ASIN",
        readonly=True,
        index="btree_not_null",
        help="Amazon catalogue item the listing offers. Several seller SKUs may offer the same ASIN: "
        "the listing is identified by its SKU.",
    )
