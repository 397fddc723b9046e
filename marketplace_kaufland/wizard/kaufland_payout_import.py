# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from decimal import Decimal

from odoo import fields, models
from odoo.addons.connector_base.schema import ChannelDataError
from odoo.exceptions import UserError

from .. import payout_csv


class KauflandPayoutImport(models.TransientModel):
    """Book a Kaufland payout from the Seller Portal's bookings export (Kaufland's API has
    no payout data)."""

    _name = "kaufland.payout.import"
    _description = "Import a Kaufland payout"

    account_id = fields.Many2one(
        "connector.account", string="Kaufland account", required=True, domain=[("provider", "=", "kaufland")]
    )
    data_file = fields.Binary(string="Bookings file (CSV)", required=True)
    filename = fields.Char()
    reference = fields.Char(
        string="Payout reference",
        required=True,
        help="The reference of Kaufland's transfer on your bank statement: a payout is booked once "
        "per reference.",
    )
    currency_id = fields.Many2one(related="account_id.company_id.currency_id")
    payout_amount = fields.Monetary(
        string="Amount received",
        help="What reached the bank. The bookings must add up to it to the cent, or the payout is parked "
        "with the difference. Empty: the sum of the bookings.",
    )
    deposit_date = fields.Date(string="Transfer date", default=fields.Date.context_today)

    def action_import(self):
        self.ensure_one()
        try:
            data = payout_csv.parse_payout(
                base64.b64decode(self.data_file),
                self.reference.strip(),
                total=Decimal(str(self.payout_amount)).quantize(Decimal("0.01"))
                if self.payout_amount
                else None,
                currency=self.currency_id.name,
                deposit_date=fields.Datetime.to_datetime(self.deposit_date),
            )
        except ChannelDataError as exc:
            message = str(exc)  # here, where the user's language is known
            self.account_id._log(
                "settlement",
                "error",
                self.env._("Payout file %(name)s: %(msg)s", name=self.filename or "-", msg=message),
            )
            raise UserError(self.env._("The payout file cannot be read: %s", message)) from None
        # a reference imported before is not booked again: its payout is shown as it is
        settlement, _created = self.account_id._import_settlement(data)
        return {
            "type": "ir.actions.act_window",
            "res_model": "connector.settlement",
            "res_id": settlement.id,
            "view_mode": "form",
        }
