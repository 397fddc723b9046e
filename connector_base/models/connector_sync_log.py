# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

FLOWS = [
    ("connection", "Connection"),
    ("order", "Orders"),
    ("stock", "Stock"),
    ("product", "Products"),
    ("shipment", "Shipments"),
    ("catalogue", "Catalogue"),
]


class ConnectorSyncLog(models.Model):
    """What the connector did, in words a person reads: one line per event."""

    _name = "connector.sync.log"
    _description = "Channel Sync Log"
    _order = "id desc"

    account_id = fields.Many2one("connector.account", required=True, index=True, ondelete="cascade")
    # precomputed: filled in the INSERT instead of an UPDATE after it (one log line per order)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True, precompute=True)
    provider = fields.Selection(related="account_id.provider", store=True, precompute=True)
    flow = fields.Selection(FLOWS, required=True)
    direction = fields.Selection(
        [("in", "Channel → Odoo"), ("out", "Odoo → Channel"), ("none", "-")], default="in"
    )
    state = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped"), ("warning", "Warning"), ("error", "Error")],
        required=True,
        index=True,
    )
    external_ref = fields.Char(string="Channel reference", index="btree_not_null")
    message = fields.Text()
    res_model = fields.Char(string="Odoo model")
    res_id = fields.Many2oneReference(model_field="res_model", string="Odoo record")
    connector_order_id = fields.Many2one(
        "connector.order", string="Channel order", index="btree_not_null", ondelete="cascade"
    )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    @api.model
    def _cron_purge(self):
        """Delete logs and stored payloads older than the retention (personal data)."""
        days = int(self.env["ir.config_parameter"].sudo().get_param("connector_base.log_retention_days", 30))
        limit = fields.Datetime.now() - timedelta(days=max(days, 1))
        self.sudo().search([("create_date", "<", limit)]).unlink()
        self.env["connector.order"].sudo()._purge_payloads(limit)
        self.env["connector.refund"].sudo()._purge_payloads(limit)
