# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MijnWebwinkel is polled: its API (MyOnlineStore public-api-docs spec/openapi.yaml) has no
webhooks or notifications."""

from odoo import models

#: minutes between polls: one orders call a minute; the spec publishes no rate limit numbers
DEFAULT_POLL_INTERVAL = 1


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    def _get_default_poll_interval(self):
        if self.provider != "mijnwebwinkel":
            return super()._get_default_poll_interval()
        return DEFAULT_POLL_INTERVAL
