# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Per-account polling: the import cron runs every minute and synchronizes only the
accounts whose own interval has passed (against the Kaufland emulator, real HTTP)."""

import math
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ERIKA, KauflandCommon

CLIENT_LOGGER = "odoo.addons.connector_base.http_client"


@tagged("post_install", "-at_install")
class TestKauflandPolling(KauflandCommon):
    def setUp(self):
        super().setUp()
        # outside a running cron _commit_progress commits: not in a test transaction
        patcher = patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **kw: math.inf)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_kaufland_polls_every_minute_by_default(self):
        self.assertEqual(self.account.poll_interval, 1)
        cron = self.env.ref("connector_base.ir_cron_connector_sync_orders")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "minutes"))

    def test_cron_synchronizes_only_the_accounts_that_are_due(self):
        id_order = self.emulator.add_order([("MUG-1", 1, 950, 19)], ERIKA, "erika.mustermann@example.com")
        now = fields.Datetime.now()
        due = self.account
        due.next_sync_at = now - timedelta(seconds=5)
        waiting = self.account.copy({**self._account_vals(), "name": "Kaufland later"})
        waiting.sudo().write(
            {
                "kaufland_client_key": due.sudo().kaufland_client_key,
                "kaufland_secret_key": due.sudo().kaufland_secret_key,
            }
        )
        waiting.next_sync_at = now + timedelta(minutes=5)

        self.env["connector.account"]._cron_sync_orders()

        self.assertTrue(due.last_sync_at)
        self.assertEqual(self.connector_order(id_order).account_id, due)
        self.assertFalse(waiting.last_sync_at, "an account that is not due was synchronized")
        self.assertFalse(self.env["connector.order"].search([("account_id", "=", waiting.id)]))
        # the synchronized account is due again after its own interval
        self.assertAlmostEqual(due.next_sync_at, now + timedelta(minutes=1), delta=timedelta(seconds=30))

        # due a few seconds after the cron's run (the cron wakes once a minute): taken now, not
        # one whole run later
        waiting.next_sync_at = fields.Datetime.now() + timedelta(seconds=10)
        self.env["connector.account"]._cron_sync_orders()
        self.assertTrue(waiting.last_sync_at)
        self.assertTrue(self.env["connector.order"].search([("account_id", "=", waiting.id)]))

    def test_notifications_stretch_polling_to_the_safety_net(self):
        self.account.sudo().notifications_active = True
        self.account._sync_orders()
        self.assertAlmostEqual(
            self.account.next_sync_at,
            fields.Datetime.now() + timedelta(minutes=15),
            delta=timedelta(seconds=30),
        )

    def test_a_failed_sync_waits_for_the_next_interval(self):
        self.emulator.inject("401-signature")
        with mute_logger("odoo.addons.connector_base.models.connector_account", CLIENT_LOGGER):
            self.env["connector.account"]._cron_sync_orders()
        self.assertEqual(self.account.state, "error")
        self.assertGreater(self.account.next_sync_at, fields.Datetime.now())

    def test_one_account_write_per_sync_whatever_the_number_of_orders(self):
        for n in range(5):
            self.emulator.add_order([("MUG-1", 1, 950, 19)], ERIKA, f"buyer{n}@example.com")
        Account = type(self.env["connector.account"])
        writes = []
        original = Account.write

        def counting_write(records, vals):
            if self.account in records:
                writes.append(sorted(vals))
            return original(records, vals)

        with patch.object(Account, "write", counting_write):
            stats = self.account._sync_orders()
        self.assertEqual(stats["new"], 5)
        self.assertEqual(len(writes), 1, writes)
        self.assertIn("next_sync_at", writes[0])
