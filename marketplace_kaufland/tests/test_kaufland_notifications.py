# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kaufland push notifications over real HTTP, both ways.

Odoo registers subscriptions at the emulator, which verifies the callback URL by calling
Odoo's controller at once (the handshake); a new order in the emulator is POSTed to the
callback URL; the controller enqueues one sync job; the job (run here as the job runner
would) fetches and imports the order. The import cron never runs in these tests.
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.addons.connector_base.tests.notification_common import NotificationJobsMixin
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ERIKA, KauflandCommon

CONTROLLER_LOGGER = "odoo.addons.connector_base.controllers.notification"


@tagged("post_install", "-at_install")
class TestKauflandNotifications(NotificationJobsMixin, KauflandCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._expose_database_to_channels()
        cls.company.email = "shop@channel-test.example"

    def callback_url(self):
        return self.account._get_notification_callback_url()

    def register(self):
        with self.channel_calls():
            action = self.account.action_register_notifications()
        self.assertEqual(
            action["params"]["type"],
            "success",
            (action["params"]["message"], getattr(self.emulator, "last_verification", None)),
        )
        return action

    def test_subscriptions_registered_listed_and_removed_through_the_emulator(self):
        self.register()
        subscriptions = list(self.emulator.subscriptions.values())
        # one per storefront (de, cz) and event, all calling this account's URL
        self.assertEqual(
            sorted((s["storefront"], s["event_name"]) for s in subscriptions),
            sorted(
                (sf, ev)
                for sf in ("de", "cz")
                for ev in ("order_new", "order_unit_status_changed", "return_new")
            ),
        )
        self.assertEqual({s["callback_url"] for s in subscriptions}, {self.callback_url()})
        self.assertEqual(
            {s["fallback_email"] for s in subscriptions}, {self.account.responsible_user_id.email}
        )
        self.assertTrue(self.callback_url().startswith(self.base_url()))
        # the emulator verified the URL with a challenge Odoo echoed (else it answers 400)
        self.assertTrue(self.account.notifications_active)
        self.assertEqual(len(self.account.notification_subscription_ids), 6)
        # polling stretches to the safety net
        self.assertAlmostEqual(
            self.account.next_sync_at,
            fields.Datetime.now() + timedelta(minutes=self.account.safety_net_interval),
            delta=timedelta(minutes=1),
        )
        # registering again adds nothing
        with self.channel_calls():
            self.account.action_register_notifications()
        self.assertEqual(len(self.emulator.subscriptions), 6)

        action = self.account.action_list_notifications()
        self.assertIn("6 active", action["params"]["message"])

        # another account's subscription (another database) is left alone on removal
        self.emulator.subscriptions[999] = {
            "id_subscription": 999,
            "callback_url": "https://other.example/connector/notify/1/x",
            "fallback_email": "x@other.example",
            "event_name": "order_new",
            "is_active": True,
            "storefront": "de",
        }
        self.account.action_remove_notifications()
        self.assertEqual(list(self.emulator.subscriptions), [999])
        self.assertFalse(self.account.notifications_active)
        self.assertFalse(self.account.notification_subscription_ids)
        self.assertEqual(len(self.emulator.requests_to("DELETE", "/subscriptions/")), 6)

    def test_handshake_answers_the_challenge(self):
        response = self.url_open(f"{self.callback_url()}?mode=subscribe&challenge=c0ffee42")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, "c0ffee42")

    def test_unverifiable_url_is_refused_by_the_channel(self):
        """A wrong secret in the URL fails Kaufland's verification: nothing is subscribed."""
        wrong_url = f"{self.account._get_notification_callback_prefix()}not-the-secret"
        with (
            patch.object(type(self.account), "_get_notification_callback_url", lambda _self: wrong_url),
            mute_logger(CONTROLLER_LOGGER, "odoo.addons.connector_base.http_client"),
            self.channel_calls(),
        ):
            action = self.account.action_register_notifications()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("could not be verified", action["params"]["message"])
        # Kaufland names the URL in its answer: its secret part reaches no notification or log
        self.assertIn(
            self.account._get_notification_callback_prefix() + "[REDACTED]", action["params"]["message"]
        )
        logs = self.env["connector.sync.log"].search([("account_id", "=", self.account.id)])
        self.assertTrue(logs)
        for text in [action["params"]["message"], *logs.mapped("message")]:
            self.assertNotIn("not-the-secret", text or "")
        self.assertFalse(self.emulator.subscriptions)
        self.assertFalse(self.account.notifications_active)

    def test_new_order_notified_and_imported_without_the_cron(self):
        self.register()
        self.account.next_sync_at = fields.Datetime.now() + timedelta(minutes=15)
        with self.channel_calls():
            id_order = self.emulator.add_order(
                [("SHIRT-1", 2, 1999, 19)], ERIKA, "erika.mustermann@example.com"
            )
        # the emulator POSTed order_new to Odoo, which answered at once
        (delivery,) = self.emulator.notifications
        self.assertEqual(delivery["status"], 200)
        self.assertIn('"event_name": "order_new"', delivery["body"])
        self.assertFalse(self.connector_order(id_order), "the controller must not import itself")
        self.assertEqual(len(self.notified_sync_jobs()), 1)
        # the cron would not even pick the account: it is not due
        self.assertNotIn(self.account, self.env["connector.account"].search(self.account._get_due_domain()))

        self.run_pending_jobs()
        sale = self.sale_of(id_order)
        self.assertEqual(sale.partner_id.name, "Erika Mustermann")
        self.assertAlmostEqual(sale.amount_total, 2 * 19.99 + 3.90, places=2)
        self.assertEqual(
            sale.order_line.filtered(lambda line: line.product_id == self.product_shirt).product_uom_qty, 2
        )

    def test_duplicate_notifications_make_one_sync_job(self):
        self.register()
        with self.channel_calls():
            for _n in range(5):
                self.emulator.notify("order_new", "/v2/orders/MXXXXXX", "de")
        self.assertEqual([n["status"] for n in self.emulator.notifications], [200] * 5)
        self.assertEqual(len(self.notified_sync_jobs()), 1)
        # a status change of a unit rides on the same pending job
        with self.channel_calls():
            self.emulator.notify("order_unit_status_changed", "/v2/order-units/1", "cz")
        self.assertEqual(len(self.notified_sync_jobs()), 1)

    def test_events_not_about_orders_enqueue_nothing(self):
        response = self.url_open(
            self.callback_url(),
            data='{"event_name": "item_changed", "resource": "/v2/units/1"}',
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.notified_sync_jobs())

    def test_wrong_secret_or_account_is_refused_and_changes_nothing(self):
        self.emulator.add_order([("SHIRT-1", 1, 1999, 19)], ERIKA, "erika.mustermann@example.com")
        body = '{"event_name": "order_new", "resource": "/v2/orders/X", "storefront": "de"}'
        good = self.callback_url()
        wrong_secret = good.rsplit("/", 1)[0] + "/guessed-secret"
        other_account = good.replace(f"/notify/{self.account.id}/", f"/notify/{self.account.id + 1000}/")
        with mute_logger(CONTROLLER_LOGGER, "odoo.http"):
            for url in (wrong_secret, other_account):
                response = self.url_open(url, data=body, headers={"Content-Type": "application/json"})
                self.assertEqual(response.status_code, 403, url)
                handshake = self.url_open(f"{url}?mode=subscribe&challenge=abc")
                self.assertEqual(handshake.status_code, 403)
                self.assertNotIn("abc", handshake.text)
            # an account whose secret was never set answers nobody
            self.account.sudo().notification_callback_secret = False
            response = self.url_open(good, data=body, headers={"Content-Type": "application/json"})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(self.notified_sync_jobs())
        self.run_pending_jobs()
        self.assertFalse(self.env["connector.order"].search([("account_id", "=", self.account.id)]))
