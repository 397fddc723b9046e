# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorAttributeMapping(models.Model):
    """Odoo attribute or product field -> the channel's attribute or feature name.

    *Attribute*: a variant axis the channel shows as a choice (size, colour).
    *Feature*: extra information on the listing (origin, delivery time).
    Variant attributes without a mapping are sent as attributes under their
    own name.
    """

    _name = "connector.attribute.mapping"
    _description = "Channel Attribute Mapping"
    _order = "account_id, kind, channel_name"
    _check_company_auto = True

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    kind = fields.Selection(
        [("attribute", "Attribute (variant axis)"), ("feature", "Feature (extra information)")],
        default="attribute",
        required=True,
    )
    attribute_id = fields.Many2one("product.attribute", string="Odoo attribute", ondelete="cascade")
    field_id = fields.Many2one(
        "ir.model.fields",
        string="Odoo product field",
        ondelete="cascade",
        domain="[('model', '=', 'product.product'), ('ttype', 'in', "
        "('char', 'text', 'integer', 'float', 'boolean', 'selection', 'many2one', 'date'))]",
    )
    channel_name = fields.Char(string="Name in the channel", required=True)

    _source_check = models.Constraint(
        "CHECK((attribute_id IS NULL) <> (field_id IS NULL))",
        "Map either an Odoo attribute or a product field.",
    )
