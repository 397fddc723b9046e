# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorNotificationSubscription(models.Model):
    """A channel's subscription that calls this account's callback URL, as the channel
    listed it last (Register / List / Remove notifications on the account)."""

    _name = "connector.notification.subscription"
    _description = "Channel Notification Subscription"
    _order = "account_id, event, storefront"

    account_id = fields.Many2one("connector.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    external_id = fields.Char(string="Channel id", readonly=True)
    event = fields.Char(readonly=True, help="The channel's event name, e.g. order_new.")
    storefront = fields.Char(readonly=True)
    is_active = fields.Boolean(string="Active", readonly=True)
    # a refresh mirrors the channel's list: two at once (two admins clicking) store each
    # subscription once
    _account_external_uniq = models.UniqueIndex(
        "(account_id, external_id) WHERE external_id IS NOT NULL",
        "This channel subscription is already stored for this account.",
    )

    signing_key = fields.Char(
        groups="base.group_system",
        readonly=True,
        copy=False,
        help="Key the channel signs its deliveries with (CCV Shop), as it returned it.",
    )
