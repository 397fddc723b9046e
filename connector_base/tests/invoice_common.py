# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the invoice and payout tests: run queued jobs as the job runner does, and
read the invoice PDFs Odoo renders."""

import io
from contextlib import contextmanager

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.tools.pdf import PdfReader


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
        """Odoo's invoice report rendered for real, by wkhtmltopdf (scripts/lib.sh installs it),
        as in production: tests only lift Odoo's test-mode shortcut that gives HTML instead."""
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() == "install":
            self.fail("wkhtmltopdf is not installed: run the tests through scripts/test.sh")
        # wkhtmltopdf loads the report's CSS and web fonts from report.url (web.base.url,
        # port 8069 by default): whatever Odoo answers there (a demo) would style the PDF, and
        # its web fonts leave no extractable text. A closed port: system fonts, same PDF content.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        yield

    @staticmethod
    def pdf_text(content):
        """The text of a PDF, to check which document it is."""
        reader = PdfReader(io.BytesIO(content))
        return " ".join(page.extract_text() for page in reader.pages)
