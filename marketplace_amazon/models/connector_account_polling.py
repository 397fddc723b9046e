# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon is polled: its Notifications API delivers to Amazon SQS or EventBridge only
(readme/CONTEXT.md), which an Odoo server cannot receive directly."""

from odoo import models

from .. import const


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    def _get_default_poll_interval(self):
        if self.provider != "amazon":
            return super()._get_default_poll_interval()
        return const.DEFAULT_POLL_INTERVAL
