# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The dashboard card: orders per day over two weeks, and a sync health that says when to look."""

import json
from datetime import timedelta

from odoo import fields
from odoo.addons.queue_job.job import Job
from odoo.tests import tagged

from .common import ConnectorCommon, TestProviderMixin, canonical_order


@tagged("post_install", "-at_install")
class TestDashboard(TestProviderMixin, ConnectorCommon):
    def graph(self):
        self.account.invalidate_recordset(["dashboard_graph_data"])
        [series] = json.loads(self.account.dashboard_graph_data)
        return series

    def test_graph_counts_imported_orders_per_day_over_two_weeks(self):
        self.sync(canonical_order("D1"), canonical_order("D2"), canonical_order("D3"), canonical_order("D4"))
        now = fields.Datetime.now()
        self.connector_order("D3").imported_at = now - timedelta(days=3)
        self.connector_order("D4").imported_at = now - timedelta(days=20)  # outside the graph
        series = self.graph()
        values = [point["value"] for point in series["values"]]
        self.assertEqual(len(values), 14)
        self.assertEqual(values[-1], 2, "today: D1 and D2")
        self.assertEqual(values[-4], 1, "three days ago: D3")
        self.assertEqual(sum(values), 3)
        self.assertFalse(series["is_sample_data"])
        # parked orders are not counted as imported
        bad = canonical_order("D5")
        bad["lines"][0]["sku"] = "UNKNOWN-SKU"
        self.sync(bad)
        self.assertEqual(self.graph()["values"][-1]["value"], 2)

    def test_health_says_failed_overdue_or_ok(self):
        self.account.write(
            {"state": "connected", "last_success_at": fields.Datetime.now(), "import_orders": True}
        )
        self.assertEqual((self.account.sync_health, self.account.dashboard_color), ("ok", 0))
        self.account.last_success_at = fields.Datetime.now() - timedelta(days=2)
        self.assertEqual((self.account.sync_health, self.account.dashboard_color), ("overdue", 2))
        self.account.write({"state": "error", "last_error": "Channel refused the credentials"})
        self.assertEqual((self.account.sync_health, self.account.dashboard_color), ("failed", 1))

    def test_failed_jobs_of_the_accounts_orders_are_counted(self):
        self.sync(canonical_order("D9"))
        record = self.connector_order("D9")
        other = self._create_account(name="Other shop")
        # a job of the order's import that failed for good (stored as the job runner leaves it)
        job = Job(record._import_job)
        job.store()
        job_record = job.db_record()
        job_record.write({"state": "failed", "exc_info": "boom"})
        self.account.invalidate_recordset(["failed_job_count"])
        self.assertEqual(self.account.failed_job_count, 1)
        self.assertEqual(other.failed_job_count, 0)
        action = self.account.action_view_failed_jobs()
        self.assertEqual(self.env["queue.job"].search(action["domain"]), job_record)
