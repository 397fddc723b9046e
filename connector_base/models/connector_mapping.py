# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorPaymentMapping(models.Model):
    """Channel payment method -> payment term and receivable account of its invoices."""

    _name = "connector.payment.mapping"
    _description = "Channel Payment Method Mapping"
    _order = "account_id, code"
    _check_company_auto = True

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    code = fields.Char(
        string="Channel payment method",
        required=True,
        help="The method as the channel names it, e.g. paypal, ideal, invoice.",
    )
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    receivable_account_id = fields.Many2one(
        "account.account",
        string="Receivable account",
        check_company=True,
        domain="[('account_type', '=', 'asset_receivable')]",
        help="Debtor account of these orders' invoices (e.g. a clearing account per "
        "payment provider). Empty: the customer's receivable account.",
    )

    _account_code_uniq = models.Constraint(
        "UNIQUE(account_id, code)", "Each payment method is mapped once per account."
    )


class ConnectorShippingMapping(models.Model):
    """Channel shipping method -> Odoo carrier (its product books the cost) and back."""

    _name = "connector.shipping.mapping"
    _description = "Channel Shipping Method Mapping"
    _order = "account_id, code"
    _check_company_auto = True

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    code = fields.Char(string="Channel shipping method", required=True)
    carrier_id = fields.Many2one("delivery.carrier", required=True, check_company=True)
    channel_carrier_code = fields.Char(
        help="Carrier code the channel expects on shipment confirmations (e.g. DHL, DPD)."
    )

    _account_code_uniq = models.Constraint(
        "UNIQUE(account_id, code)", "Each shipping method is mapped once per account."
    )
