# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorProductBinding(models.Model):
    """An Odoo product variant as a listing of one channel account."""

    _name = "connector.product.binding"
    _description = "Channel Product Binding"
    _order = "account_id, external_sku"
    _check_company_auto = True

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True, check_company=True
    )
    external_id = fields.Char(
        string="Channel id", index="btree_not_null", help="The channel's id of the listing, offer or variant."
    )
    external_sku = fields.Char(string="Channel SKU", index=True)
    storefront = fields.Char(help="Storefront or marketplace of the listing, when the channel has several.")
    last_stock_qty = fields.Float(string="Last quantity sent", copy=False)
    last_stock_push_at = fields.Datetime(copy=False)
    stock_pushed = fields.Boolean(copy=False, help="A quantity was sent at least once.")
    last_product_push_at = fields.Datetime(copy=False)
    image_checksums = fields.Char(copy=False, help="Checksums of the images the channel has.")
    last_price = fields.Char(
        string="Last price sent",
        copy=False,
        help="Price and currency of the product at its last export (for a listing that already "
        "existed in the channel: Odoo's price when it was bound). A different price is sent even "
        "when the account does not update product info.",
    )
    last_error = fields.Text(copy=False)

    _account_product_store_uniq = models.UniqueIndex(
        "(account_id, product_id, COALESCE(storefront, ''))",
        "This product is already bound to this account and storefront.",
    )
