# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    connector_log_retention_days = fields.Integer(
        string="Keep channel logs (days)",
        config_parameter="connector_base.log_retention_days",
        default=30,
        help="Sync logs and raw order payloads (personal data) older than this are deleted.",
    )
    connector_import_interval = fields.Integer(
        string="Import orders every (minutes)",
        default=10,
    )

    @api.model
    def get_values(self):
        res = super().get_values()
        cron = self.env.ref("connector_base.ir_cron_connector_sync_orders", raise_if_not_found=False)
        if cron:
            res["connector_import_interval"] = cron.interval_number if cron.interval_type == "minutes" else 60
        return res

    def set_values(self):
        res = super().set_values()
        cron = self.env.ref("connector_base.ir_cron_connector_sync_orders", raise_if_not_found=False)
        if cron and self.connector_import_interval > 0:
            cron.sudo().write({"interval_number": self.connector_import_interval, "interval_type": "minutes"})
        return res
