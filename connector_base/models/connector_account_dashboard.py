# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The account's dashboard card: orders imported per day and the health of its sync."""

import json
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools.misc import format_date

GRAPH_DAYS = 14
# Models whose jobs an account's flows enqueue (imports, exports, shipments).
JOB_MODELS = ("connector.account", "connector.order", "stock.picking")


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    dashboard_graph_data = fields.Text(
        compute="_compute_dashboard_graph_data",
        help="Orders imported per day over the last two weeks (the dashboard card's graph).",
    )
    failed_job_count = fields.Integer(
        string="Failed jobs",
        compute="_compute_sync_health",
        help="Background jobs of this account that failed for good and wait for a person (Job Queue).",
    )
    dashboard_color = fields.Integer(
        string="Card colour",
        compute="_compute_sync_health",
        help="Colour of the dashboard card: red failed, orange overdue.",
    )
    sync_health = fields.Selection(
        [("ok", "Up to date"), ("overdue", "Sync overdue"), ("failed", "Last sync failed")],
        compute="_compute_sync_health",
        help="Failed: the last sync ended with an error. Overdue: no successful sync for three "
        "times the sync interval while order import is on.",
    )

    def _compute_dashboard_graph_data(self):
        today = fields.Date.context_today(self)
        first_day = today - timedelta(days=GRAPH_DAYS - 1)
        # One grouped query for all cards; days in the user's time zone, as the card says.
        counts = {
            (account.id, day.date() if isinstance(day, datetime) else day): count
            for account, day, count in self.env["connector.order"]._read_group(
                [
                    ("account_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("imported_at", ">=", fields.Datetime.to_datetime(first_day) - timedelta(days=1)),
                ],
                ["account_id", "imported_at:day"],
                ["__count"],
            )
            if day
        }
        days = [first_day + timedelta(days=n) for n in range(GRAPH_DAYS)]
        for account in self:
            values = [
                {
                    "label": format_date(self.env, day, date_format="d MMM"),
                    "value": counts.get((account.id, day), 0),
                    "type": "past",
                }
                for day in days
            ]
            account.dashboard_graph_data = json.dumps(
                [
                    {
                        "key": self.env._("Orders imported"),
                        "values": values,
                        "is_sample_data": False,
                    }
                ]
            )

    @api.depends("state", "last_success_at", "import_orders")
    def _compute_sync_health(self):
        failed = self._failed_jobs_by_account()
        overdue_after = self._sync_overdue_after()
        now = fields.Datetime.now()
        for account in self:
            account.failed_job_count = len(failed.get(account.id, ()))
            if account.state == "error":
                account.sync_health = "failed"
            elif account.import_orders and (
                not account.last_success_at or now - account.last_success_at > overdue_after
            ):
                account.sync_health = "overdue"
            else:
                account.sync_health = "ok"
            # Odoo's kanban colour indexes: 1 red, 2 orange, 0 none
            account.dashboard_color = {"failed": 1, "overdue": 2}.get(account.sync_health, 0)

    def _sync_overdue_after(self):
        """Three sync intervals of the order cron: one missed run is no alarm yet."""
        cron = self.env.ref("connector_base.ir_cron_connector_sync_orders", raise_if_not_found=False)
        if not cron or not cron.sudo().active:
            return timedelta(days=1)
        cron = cron.sudo()
        unit = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080, "months": 43200}
        minutes = cron.interval_number * unit.get(cron.interval_type, 1)
        return timedelta(minutes=max(3 * minutes, 30))

    def _failed_jobs_by_account(self):
        """Failed job ids per account: the account's own, and those of its orders and pickings."""
        if not self.ids:
            return {}
        jobs = (
            self.env["queue.job"].sudo().search([("state", "=", "failed"), ("model_name", "in", JOB_MODELS)])
        )
        # Records of all jobs browsed per model at once: one query per model, not per job.
        ids_by_model = {}
        for job in jobs:
            ids_by_model.setdefault(job.model_name, set()).update(job.records.ids)
        account_of = {}  # (model, record id) -> account id
        for model, ids in ids_by_model.items():
            records = self.env[model].browse(ids).exists()
            for record in records:
                if model == "connector.account":
                    account = record
                elif model == "connector.order":
                    account = record.account_id
                else:
                    account = record.sale_id.connector_account_id
                account_of[model, record.id] = account.id
        wanted = set(self.ids)
        counts = {}
        for job in jobs:
            accounts = {account_of.get((job.model_name, rid)) for rid in job.records.ids}
            for account_id in accounts & wanted:
                counts.setdefault(account_id, []).append(job.id)
        return counts

    def action_view_failed_jobs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Failed jobs"),
            "res_model": "queue.job",
            "view_mode": "list,form",
            "domain": [("id", "in", self._failed_jobs_by_account().get(self.id, []))],
        }
