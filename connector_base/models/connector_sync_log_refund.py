# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ConnectorSyncLog(models.Model):
    _inherit = "connector.sync.log"

    flow = fields.Selection(selection_add=[("refund", "Refunds")], ondelete={"refund": "cascade"})
    connector_refund_id = fields.Many2one(
        "connector.refund", string="Channel refund", index="btree_not_null", ondelete="cascade"
    )
