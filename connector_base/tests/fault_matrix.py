# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared by the providers' fault tables: inject a fault into the channel's emulator,
synchronise through the account's button, and check the promise that matters:

- the sync ends in a retry that succeeds, or in a clear message and log line with
  the watermark kept, or with the one affected order parked for a person;
- the watermark never passes an order that was not stored;
- after the channel answers again, every importable order is one sale order.

Everything runs for real: HTTP to the emulator, the account's client, the engine,
the import jobs (inline in tests). Only the clock of the clients' backoff is
replaced (their waits are recorded, not slept), except in the timeout row.
"""

import logging
import re
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass
from unittest.mock import patch

from odoo.addons.connector_base import http_client


@dataclass
class Fault:
    kind: str  # tests/emulators/base.py FAULT_KINDS
    path: str  # regex of the request path (after the API root)
    outcome: str  # retried | complete | failed | parked | partial
    count: int = 1
    text: str = ""  # in the failure message / log line / parking reason
    requests: int | None = None  # requests the faulty path receives during the faulty sync
    waits: tuple | None = None  # backoff waits the client asked for (seconds), when known
    state: str | None = None  # the account's state right after the faulty sync, when it matters


class Capture(logging.Handler):
    """Every record of the loggers it is attached to, formatted (with tracebacks)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.levelname} {record.name}: {text}")

    @property
    def text(self):
        return "\n".join(self.lines)


@contextmanager
def capture_logs(*names):
    """Capture the named loggers at DEBUG level (default: the addons, HTTP and requests
    libraries, Odoo's HTTP layer and queue_job; not the SQL log)."""
    handler = Capture()
    names = names or ("odoo.addons", "odoo.http", "urllib3", "requests")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


class Waits(list):
    def __call__(self, seconds):
        self.append(seconds)


@contextmanager
def recorded_waits():
    """The HTTP clients' backoff waits are recorded instead of slept."""
    waits = Waits()
    with patch.object(http_client.time, "sleep", waits):
        yield waits


@contextmanager
def short_client_timeout(seconds=5):
    """Clients built meanwhile time out after ``seconds`` (Odoo's tests raise it to 10)."""
    defaults = http_client.ChannelHttpClient.__init__.__defaults__
    with patch.object(http_client.ChannelHttpClient.__init__, "__defaults__", (seconds, *defaults[1:])):
        yield


class FaultMatrixMixin:
    """Mixin of a provider's test class; the class provides:

    - ``new_channel()``: plug a fresh emulator with importable orders into the server
      and return it;
    - ``expected_orders(emulator)``: ``{external id: channel time (naive UTC)}`` of the
      orders the account must import (the time that drives the watermark);
    - ``api_prefix``: path of the API root on the emulator (prefixed to the row's path).
    """

    api_prefix = ""

    def stored_ids(self):
        return set(
            self.env["connector.order"].search([("account_id", "=", self.account.id)]).mapped("external_id")
        )

    def sales_by_external_id(self):
        sales = self.env["sale.order"].search([("connector_account_id", "=", self.account.id)])
        result = {}
        for sale in sales:
            result.setdefault(sale.connector_external_id, []).append(sale)
        return result

    def assert_watermark_behind_unstored(self, expected, label):
        """The watermark never passes an order that was not stored."""
        watermark = self.account.order_watermark
        if not watermark:
            return
        unstored = set(expected) - self.stored_ids()
        passed = {eid: expected[eid] for eid in unstored if expected[eid] <= watermark}
        self.assertFalse(passed, f"{label}: watermark {watermark} passed orders never stored: {passed}")

    def assert_all_once(self, expected, label, parked=()):
        sales = self.sales_by_external_id()
        for eid in expected:
            if eid in parked:
                self.assertNotIn(eid, sales, f"{label}: parked order {eid} has a sale order")
                continue
            self.assertEqual(
                len(sales.get(eid, [])), 1, f"{label}: order {eid} is not exactly one sale order"
            )
        self.assertFalse(set(sales) - set(expected), f"{label}: sale orders for orders not to import")

    def run_fault(self, fault):
        """One row: returns the captured logs (for further checks)."""
        emulator = self.new_channel()
        expected = self.expected_orders(emulator)
        self.assertTrue(expected, "the channel has orders to import")
        path = f"^{re.escape(self.api_prefix)}{fault.path}"
        emulator.inject(fault.kind, count=fault.count, path=path)
        label = f"{fault.kind} x{fault.count} on {fault.path}"
        if fault.kind == "timeout":
            # a real timeout: the client gives up after 10 s, the emulator answers after 11 s
            emulator.timeout_seconds = 11
            clock, timeout = nullcontext(Waits()), short_client_timeout()
        else:
            clock, timeout = recorded_waits(), nullcontext()
        with capture_logs() as logs, clock as waits, timeout:
            action = self.account.action_sync_orders()
        params = action["params"]
        self.assertNotIn("Traceback", params["message"])
        self.assertFalse(emulator.faults, f"{label}: the fault was not hit")
        if fault.requests is not None:
            self.assertEqual(len(emulator.requests_to("GET", path)), fault.requests, f"{label}: requests")
        if fault.waits is not None:
            self.assertEqual(list(waits)[: len(fault.waits)], list(fault.waits), f"{label}: waits")
        self.assert_watermark_behind_unstored(expected, label)
        if fault.state is not None:
            self.assertEqual(self.account.state, fault.state, f"{label}: account state")
        parked = set()
        if fault.outcome == "retried":
            self.assertEqual(params["type"], "success", f"{label}: {params['message']}")
            self.assertTrue(re.search(r"retry 1/\d", logs.text), f"{label}: no retry was logged")
        elif fault.outcome == "failed":
            self.assertEqual(params["type"], "danger", f"{label}: {params['message']}")
            self.assertIn(fault.text, params["message"])
            self.assertIn(fault.text, self.account.last_error)
            errors = self.env["connector.sync.log"].search(
                [("account_id", "=", self.account.id), ("state", "=", "error"), ("flow", "=", "order")]
            )
            self.assertTrue(
                any(fault.text in (line.message or "") for line in errors), f"{label}: no log line"
            )
            self.assertFalse(self.account.order_watermark, f"{label}: the watermark moved")
            self.assertFalse(self.stored_ids(), f"{label}: a failed sync stored orders")
        elif fault.outcome == "parked":
            self.assertEqual(params["type"], "success", f"{label}: {params['message']}")
            records = self.env["connector.order"].search(
                [("account_id", "=", self.account.id), ("state", "=", "attention")]
            )
            self.assertEqual(len(records), 1, f"{label}: one order parked")
            self.assertIn(fault.text, records.message)
            self.assertTrue(records.activity_ids, f"{label}: the responsible gets a to-do")
            parked = set(records.mapped("external_id"))
        elif fault.outcome == "complete":
            self.assertEqual(params["type"], "success", f"{label}: {params['message']}")
            self.assertEqual(self.stored_ids(), set(expected), f"{label}: the same sync stored all")
        elif fault.outcome == "partial":
            self.assertEqual(params["type"], "success", f"{label}: {params['message']}")
            self.assertLess(len(self.stored_ids()), len(expected), f"{label}: the fault lost nothing?")
        # the channel answers normally again: the next sync completes the import
        self.account._sync_orders()
        self.assert_all_once(expected, label, parked=parked)
        return logs

    def run_table(self, faults):
        """Each row in its own savepoint, rolled back afterwards: rows are independent."""
        for fault in faults:
            with self.subTest(kind=fault.kind, path=fault.path, count=fault.count):
                with closing(self.env.cr.savepoint()):
                    self.run_fault(fault)


def secret_sinks(env, account):
    """Every place a person or an operator reads after a run of ``account``: its error,
    sync logs, chatter and tracking (account and channel orders), to-dos, the queue
    jobs' description, arguments, results and errors. Returns ``[(where, text)]``."""
    env = env(su=True)
    orders = env["connector.order"].search([("account_id", "=", account.id)])
    texts = [("account.last_error", account.sudo().last_error or "")]
    for line in env["connector.sync.log"].search([("account_id", "=", account.id)]):
        texts.append((f"sync log {line.id}", line.message or ""))
    for record in orders:
        texts.append((f"connector.order {record.id} reason", record.message or ""))
    messages = env["mail.message"].search(
        [
            "|",
            "&",
            ("model", "=", "connector.account"),
            ("res_id", "=", account.id),
            "&",
            ("model", "=", "connector.order"),
            ("res_id", "in", orders.ids),
        ]
    )
    for message in messages:
        values = " ".join(
            str(v[name] or "")
            for v in message.sudo().tracking_value_ids
            for name in ("old_value_char", "new_value_char", "old_value_text", "new_value_text")
        )
        texts.append((f"mail.message {message.id}", f"{message.body or ''} {values}"))
    for activity in env["mail.activity"].search(
        [("res_model", "=", "connector.order"), ("res_id", "in", orders.ids)]
    ):
        texts.append((f"activity {activity.id}", f"{activity.summary or ''} {activity.note or ''}"))
    if "queue.job" in env:
        for job in env["queue.job"].search([]):
            texts.append(
                (
                    f"queue.job {job.uuid}",
                    " ".join(
                        str(v or "")
                        for v in (
                            job.name,
                            job.func_string,
                            job.args,
                            job.kwargs,
                            job.records,
                            job.exc_message,
                            job.exc_info,
                            job.result,
                        )
                    ),
                )
            )
    return texts
