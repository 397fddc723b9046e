# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Let the engine commit in a test, and crash it.

Odoo's TransactionCase forbids commits. Here the engine commits as in production
(``modules.module.current_test`` off for the call, the flag Odoo's own
``auto_commit`` rule reads) and each commit is a savepoint: a crash is a rollback
to the last one, which is what a killed worker loses.
"""

from contextlib import contextmanager
from unittest.mock import patch


class WorkerKilled(Exception):
    """Stands for what stops a worker mid-way (connection lost, out of memory, kill)."""


class CommitsAsSavepoints:
    """Mixin of a ConnectorCommon test: commits observed, crashes emulated."""

    def run_state(self, kind):
        """(step, done, total, state) of the account's latest run of ``kind``."""
        run = self.env["connector.progress"].search(
            [("account_id", "=", self.account.id), ("kind", "=", kind)], limit=1
        )
        return (run.step, run.done, run.total, run.state) if run else (None, None, None, None)

    @contextmanager
    def committing(self, kind, on_commit=None):
        """Commits of the engine become savepoints; yields what each commit held."""
        commits = []
        cr = self.env.cr

        def commit():
            self.env.flush_all()
            cr.execute("SAVEPOINT progress_commit")
            commits.append(
                (
                    *self.run_state(kind),
                    self.env["connector.listing"].search_count([("account_id", "=", self.account.id)]),
                )
            )
            if on_commit:
                on_commit()

        cr.execute("SAVEPOINT progress_commit")  # what the caller committed before
        self.commit_as_queue_job = commit  # queue_job's commit after each job
        with patch("odoo.modules.module.current_test", False), patch.object(cr, "commit", commit):
            yield commits

    def crash(self):
        """What a killed worker loses: everything after the last commit."""
        self.env.cr.execute("ROLLBACK TO SAVEPOINT progress_commit")
        self.env.invalidate_all()

    def die(self, work):
        """Run ``work`` until the worker dies in it (not assertRaises: its savepoint would
        also undo the commits made inside)."""
        try:
            work()
        except WorkerKilled:
            self.crash()
        else:
            self.fail("the worker did not die")

    def label(self):
        self.account.invalidate_recordset()  # computed per request in the UI
        return self.account.progress_label
