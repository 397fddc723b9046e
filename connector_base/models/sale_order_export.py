# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# pylint: disable=consider-merging-classes-inherited
from odoo import _, models
from odoo.addons.queue_job.job import identity_exact


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_cancel(self):
        """Tell the channel when Odoo cancels an imported order (where it supports it).

        Only lines not delivered yet are cancelled; the job skips orders the
        channel itself cancelled (its latest payload says so).
        """
        todo = []
        for order in self.sudo().filtered(lambda o: o.connector_account_id and o.connector_external_id):
            refs = [
                line.connector_line_ref
                for line in order.order_line
                if line.connector_line_ref and line.qty_delivered < line.product_uom_qty
            ]
            if refs and order.state != "cancel":
                todo.append((order, refs))
        result = super()._action_cancel()
        for order, refs in todo:
            account = order.connector_account_id
            account.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_(
                    "Cancel %(order)s in %(account)s", order=order.name, account=account.display_name
                ),
            )._cancel_order_lines_job(order.id, refs, "cancelled_by_seller")
        return result
