# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers for tests of channel notifications: the jobs a notification left behind, run
as the queue_job runner would (the runner itself does not run in tests)."""

import re
from contextlib import contextmanager

from odoo.addons.queue_job.job import Job
from odoo.tools import config


class NotificationJobsMixin:
    """For test classes that also inherit an Odoo test case."""

    @classmethod
    def _expose_database_to_channels(cls):
        """A channel's call carries no session cookie: like a production server hosting
        several databases, Odoo finds the database by its ``dbfilter``."""
        previous = config["dbfilter"]
        config["dbfilter"] = f"^{re.escape(cls.env.cr.dbname)}$"
        cls.addClassCleanup(config.__setitem__, "dbfilter", previous)

    @contextmanager
    def channel_calls(self):
        """Let the channel (the emulator, in another thread) call Odoo back meanwhile: the
        test releases its lock on the test cursor, as ``url_open`` does."""
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            yield
        self.env.invalidate_all()

    def notified_sync_jobs(self, account=None):
        """Pending sync jobs a notification asked for (of ``account``, default self.account)."""
        account = account or self.account
        jobs = self.env["queue.job"].search(
            [
                ("model_name", "=", "connector.account"),
                ("method_name", "=", "_sync_orders_job"),
                ("state", "=", "pending"),
            ]
        )
        return jobs.filtered(lambda job: job.records.ids == account.ids)

    def run_pending_jobs(self, rounds=5):
        """Perform every pending job, and the jobs those create, like the job runner."""
        done = self.env["queue.job"]
        for _round in range(rounds):
            jobs = self.env["queue.job"].search([("state", "=", "pending")], order="id") - done
            if not jobs:
                return done
            for record in jobs:
                job = Job.load(self.env, record.uuid)
                job.set_started()
                job.store()
                job.perform()
                job.set_done()
                job.store()
            done |= jobs
        return done
