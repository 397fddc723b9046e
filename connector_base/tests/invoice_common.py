# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the invoice and payout tests: run queued jobs as the job runner does, and
render invoice PDFs without wkhtmltopdf."""

from contextlib import contextmanager
from unittest.mock import patch

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job


class ChannelJobsMixin:
    """Jobs are queued (``queue_job__no_delay`` off) and run one by one by the test."""

    def queued(self, method_name=None):
        domain = [("state", "=", "pending")]
        if method_name:
            domain.append(("method_name", "=", method_name))
        return self.env["queue.job"].search(domain, order="id")

    def run_jobs(self, method_name=None):
        """Run every pending job once (a retryable failure puts it back), in queue order.

        :return: the results of the jobs run, in order
        """
        results = []
        for record in self.queued(method_name):
            job = Job.load(self.env, record.uuid)
            try:
                with self.env.cr.savepoint():
                    result = job.perform()
            except RetryableJobError as exc:
                job.postpone(result=str(exc), seconds=exc.seconds)
                job.set_pending(reset_retry=False)
                result = exc
            else:
                job.set_done()
            job.store()
            results.append(result)
        return results

    @contextmanager
    def invoice_pdfs(self):
        """Odoo's invoice report rendered for real up to the HTML; wkhtmltopdf (not installed
        here) replaced by a minimal PDF that carries the HTML, so a test sees which invoice
        it is. Everything else (report, attachment, the upload) runs as in production."""

        def run_wkhtmltopdf(report, bodies, **kwargs):
            html = b"".join(b if isinstance(b, bytes) else str(b).encode() for b in bodies)
            return b"%PDF-1.4\n%" + html.replace(b"\n", b" ") + b"\n%%EOF\n"

        Report = type(self.env["ir.actions.report"])
        with (
            patch.object(Report, "get_wkhtmltopdf_state", lambda self: "ok"),
            patch.object(Report, "_run_wkhtmltopdf", run_wkhtmltopdf),
        ):
            yield
