# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Hooks that feed the debounced stock push (see connector_account_export).

They only remember product ids in the transaction; the decision (one query)
is taken once at commit.
"""

from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_available_quantity(product_id, location_id, *args, **kwargs)
        self.env["connector.account"]._notify_stock_change(product_id.ids)
        return result

    def _update_reserved_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_reserved_quantity(product_id, location_id, *args, **kwargs)
        self.env["connector.account"]._notify_stock_change(product_id.ids)
        return result


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, *args, **kwargs):
        # confirmed moves change the forecast
        self.env["connector.account"]._notify_stock_change(self.product_id.ids)
        return super()._action_confirm(*args, **kwargs)

    def _action_cancel(self):
        self.env["connector.account"]._notify_stock_change(self.product_id.ids)
        return super()._action_cancel()
