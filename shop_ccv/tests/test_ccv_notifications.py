# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CCV Shop webhooks over real HTTP, both ways: Odoo registers webhooks at the emulator
and keeps the key each one returns; the emulator POSTs signed deliveries to Odoo's
callback URL; the controller checks the signature and enqueues one sync job, which (run
here as the job runner would) imports the order. The import cron never runs here."""

import hashlib
import hmac
import json

from odoo.addons.connector_base.tests.notification_common import NotificationJobsMixin
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ERIKA, CcvCommon

CONTROLLER_LOGGER = "odoo.addons.connector_base.controllers.notification"


@tagged("post_install", "-at_install")
class TestCcvNotifications(NotificationJobsMixin, CcvCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._expose_database_to_channels()

    def register(self):
        with self.channel_calls():
            action = self.account.action_register_notifications()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])

    def post(self, body, signature):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["x-hash"] = signature
        return self.url_open(self.account._get_notification_callback_url(), data=body, headers=headers)

    def test_webhooks_registered_with_their_keys_and_removed(self):
        self.register()
        webhooks = sorted(self.emulator.webhooks.values(), key=lambda w: w["event"])
        self.assertEqual([w["event"] for w in webhooks], ["orders.created", "orders.updated"])
        self.assertEqual({w["address"] for w in webhooks}, {self.account._get_notification_callback_url()})
        subscriptions = self.account.notification_subscription_ids.sorted("event")
        # the key CCV returned for each webhook is what deliveries are checked with
        self.assertEqual(subscriptions.mapped("signing_key"), [w["key"] for w in webhooks])
        self.assertTrue(self.account.notifications_active)
        with self.channel_calls():
            self.account.action_register_notifications()
        self.assertEqual(len(self.emulator.webhooks), 2)

        self.account.action_remove_notifications()
        self.assertFalse(self.emulator.webhooks)
        self.assertFalse(self.account.notifications_active)

    def test_signed_delivery_imports_the_order_without_the_cron(self):
        self.register()
        with self.channel_calls():
            order = self.emulator.add_order(ERIKA, [("SHIRT-1", 2), ("BOOK-1", 1)])
        (delivery,) = self.emulator.deliveries
        self.assertEqual(delivery["status"], 200)
        self.assertFalse(self.connector_order(order))
        self.assertEqual(len(self.notified_sync_jobs()), 1)

        self.run_pending_jobs()
        sale = self.sale_of(order)
        self.assertEqual(sale.partner_id.name, "Erika Mustermann")
        self.assertAlmostEqual(sale.amount_total, order["total_price"], places=2)

    def test_bad_or_missing_signature_is_refused_and_imports_nothing(self):
        self.register()
        self.emulator.deliver = None  # keep the order's own delivery out of the way
        order = self.emulator.add_order(ERIKA, [("MUG-1", 1)])
        body = json.dumps({"event": "orders.created", "id": order["id"]}).encode()
        forged = hmac.new(b"not-the-key", body, hashlib.sha512).hexdigest()
        with mute_logger(CONTROLLER_LOGGER, "odoo.http"):
            self.assertEqual(self.post(body, forged).status_code, 401)
            self.assertEqual(self.post(body, None).status_code, 401)
            # a body changed after signing
            key = self.account.notification_subscription_ids[0].signing_key
            signed = hmac.new(key.encode(), body, hashlib.sha512).hexdigest()
            self.assertEqual(self.post(body + b" ", signed).status_code, 401)
        self.assertFalse(self.notified_sync_jobs())
        self.run_pending_jobs()
        self.assertFalse(self.connector_order(order))
        # the genuine signature passes
        self.assertEqual(self.post(body, signed).status_code, 200)
        self.assertEqual(len(self.notified_sync_jobs()), 1)

    def test_duplicate_deliveries_make_one_sync_job(self):
        self.register()
        with self.channel_calls():
            order = self.emulator.add_order(ERIKA, [("MUG-1", 1)])
            for _n in range(4):
                self.emulator.fire("orders.updated", order["id"])
        self.assertEqual([d["status"] for d in self.emulator.deliveries], [200] * 5)
        self.assertEqual(len(self.notified_sync_jobs()), 1)
