# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorSyncLog(models.Model):
    _inherit = "connector.sync.log"

    flow = fields.Selection(
        selection_add=[("notification", "Notifications")], ondelete={"notification": "cascade"}
    )
