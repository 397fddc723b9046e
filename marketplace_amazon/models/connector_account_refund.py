# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon after the sale: refund events of the Finances API become credit notes.

Refunds made in Odoo are not sent to Amazon: SP-API has no refund call for merchant
orders, only the XML order adjustment feed (POST_PAYMENT_ADJUSTMENT_DATA); see
readme/CONTEXT.md.
"""

from odoo import models
from odoo.addons.connector_base.schema import ChannelDataError

from .. import adapter, client_refunds, refund_adapter


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    def _can_fetch_refunds(self):
        return self.provider == "amazon" or super()._can_fetch_refunds()

    def _fetch_refunds(self, since):
        if self.provider != "amazon":
            return super()._fetch_refunds(since)
        return client_refunds.fetch_raw_refunds(self._amazon_client(), since, floor=self.import_since)

    def _fetch_refund(self, external_id):
        if self.provider != "amazon":
            return super()._fetch_refund(external_id)
        order_id = external_id.split("/", 1)[0]
        raws = client_refunds.get_order_refunds(self._amazon_client(), order_id)
        return next((raw for raw in raws if raw.external_id == external_id), None)

    def _parse_refund(self, payload):
        if self.provider != "amazon":
            return super()._parse_refund(payload)
        event = payload.get("event") if isinstance(payload, dict) else None
        order_id = (event or {}).get("AmazonOrderId") if isinstance(event, dict) else None
        return refund_adapter.parse_refund(payload, self._amazon_stored_order(order_id))

    def _amazon_stored_order(self, order_id):
        """The stored order as Amazon sent it (unit prices, FBA), or None when Odoo lacks it."""
        if not order_id:
            return None
        stored = self.env["connector.order"].search(
            [("account_id", "=", self.id), ("external_id", "=", str(order_id))], limit=1
        )
        if not stored.payload:
            return None
        try:
            return adapter.parse_order(stored.payload)
        except ChannelDataError:
            return None
