# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Progress of long channel work (catalogue import, full stock or product export).

One row per run, on its own table rather than on ``connector.account``: the run
commits its counter after every chunk, and a write on the account row would
make the order import jobs, which write the account too (last sync, state),
fail to serialize against it for as long as the run lasts. Only the run
itself writes its row.

The catalogue import writes its row in the chunk's own transaction (the count
is what is committed). Export jobs of one run may run in parallel workers:
each counts its batch *last*, so the run's row is locked only between that
count and the job's commit, not while the channel is called. Two jobs of a run
that finish at the same moment still conflict on it: the later one fails to
serialize and queue_job runs it again (it then sends only what the channel
does not have yet).
"""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

STALE_AFTER = timedelta(minutes=30)  # a run not advancing for this long was interrupted


class ConnectorProgress(models.Model):
    _name = "connector.progress"
    _description = "Channel work in progress"
    _order = "id desc"

    account_id = fields.Many2one("connector.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    kind = fields.Selection(
        [("catalogue", "Catalogue import"), ("stock", "Stock export"), ("product", "Product export")],
        required=True,
    )
    step = fields.Char(help="What is being counted, e.g. listings or products created.")
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        required=True,
    )
    done = fields.Integer()
    total = fields.Integer()
    message = fields.Char(help="Why the run stopped.")

    @api.model
    def _start(self, account, kind, total, step=False):
        """A new run. Earlier runs of the same work that stopped advancing are marked as
        interrupted; a live one is left alone (its row is its own: writing it would make
        that run fail to serialize)."""
        self._close_stale(account, kind, "failed", self.env._("Interrupted."))
        return self.sudo().create(
            {"account_id": account.id, "kind": kind, "total": total, "done": 0, "step": step}
        )

    @api.model
    def _close_stale(self, account, kind, state, message):
        """Close the runs of ``kind`` that stopped advancing (nobody writes them any more)."""
        self.sudo().search(
            [
                ("account_id", "=", account.id),
                ("kind", "=", kind),
                ("state", "=", "running"),
                ("write_date", "<", fields.Datetime.now() - STALE_AFTER),
            ]
        ).write({"state": state, "message": message})

    def _advance(self, count, finish=False):
        """Add ``count`` to the counter in SQL (no read-modify-write of a stale value).

        :param bool finish: the run is done when the counter reaches the total
        """
        if not self or not count:
            return
        self.flush_recordset()
        self.env.execute_query(
            SQL(
                """UPDATE connector_progress
                      SET done = LEAST(done + %(count)s, total),
                          state = CASE WHEN %(finish)s AND done + %(count)s >= total
                                       THEN 'done' ELSE state END,
                          write_date = NOW() AT TIME ZONE 'UTC'
                    WHERE id IN %(ids)s""",
                count=count,
                finish=finish,
                ids=tuple(self.ids),
            )
        )
        self.invalidate_recordset(["done", "state", "write_date"])

    def _is_stale(self):
        self.ensure_one()
        return self.state == "running" and self.write_date < fields.Datetime.now() - STALE_AFTER

    def _label(self):
        """'Catalogue import: 100 of 250 listings', as the account shows it."""
        self.ensure_one()
        kind = dict(self._fields["kind"]._description_selection(self.env))[self.kind]
        if (self.state == "failed" or self._is_stale()) and not self.total:
            return self.env._(
                "%(kind)s stopped after %(done)s %(step)s. %(reason)s",
                kind=kind,
                done=self.done,
                step=self.step or "",
                reason=self.message or "",
            )
        if self.state == "failed" or self._is_stale():
            return self.env._(
                "%(kind)s stopped at %(done)s of %(total)s %(step)s. %(reason)s Run it again: it "
                "continues with what is missing.",
                kind=kind,
                done=self.done,
                total=self.total,
                step=self.step or "",
                reason=self.message or "",
            )
        if not self.total:  # still reading: the channel does not say how many there are
            return self.env._("%(kind)s: %(done)s %(step)s", kind=kind, done=self.done, step=self.step or "")
        return self.env._(
            "%(kind)s: %(done)s of %(total)s %(step)s",
            kind=kind,
            done=self.done,
            total=self.total,
            step=self.step or "",
        )

    @api.autovacuum
    def _gc_progress(self):
        self.sudo().search([("write_date", "<", fields.Datetime.now() - timedelta(weeks=1))]).unlink()


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    progress_running = fields.Boolean(string="Work in progress", compute="_compute_progress")
    progress_done = fields.Integer(string="Done so far", compute="_compute_progress")
    progress_total = fields.Integer(string="To do in all", compute="_compute_progress")
    progress_label = fields.Char(string="Progress", compute="_compute_progress")

    def _compute_progress(self):
        """The latest run of each kind that is not done: running, failed or interrupted."""
        Progress = self.env["connector.progress"].sudo()
        latest = defaultdict(list)
        if self.ids:
            groups = Progress._read_group(
                [("account_id", "in", self.ids)], ["account_id", "kind"], ["id:max"]
            )
            for run in Progress.browse([run_id for _account, _kind, run_id in groups]).sorted("id"):
                if run.state != "done":
                    latest[run.account_id.id].append(run)
        for account in self:
            runs = latest[account.id]
            live = [run for run in runs if run.state == "running" and not run._is_stale()]
            account.progress_running = bool(live)
            account.progress_done = live[0].done if live else 0
            account.progress_total = live[0].total if live else 0
            account.progress_label = "\n".join(run._label() for run in runs) or False
