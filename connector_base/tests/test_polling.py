# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo.addons.connector_base.controllers.notification import _RedactCallbackSecret
from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from .common import ConnectorCommon

# What each channel's quota allows cheaply (readme/CONTEXT.md of each provider addon).
DEFAULT_POLL_MINUTES = {"kaufland": 1, "ccv": 1, "mijnwebwinkel": 1, "amazon": 3}


@tagged("post_install", "-at_install")
class TestPollingDefaults(ConnectorCommon):
    def test_default_interval_per_channel(self):
        Account = self.env["connector.account"]
        providers = dict(Account._fields["provider"].selection)
        checked = 0
        for provider, minutes in DEFAULT_POLL_MINUTES.items():
            if provider not in providers:
                continue
            account = Account.create(
                {"name": f"Poll {provider}", "provider": provider, "company_id": self.company.id}
            )
            self.assertEqual(account.poll_interval, minutes, provider)
            checked += 1
        if not checked:
            self.skipTest("no provider addon installed")
        self.assertEqual(self.account.poll_interval, 10)  # no channel: the old global interval

    def test_callback_secret_is_admin_only_unique_and_not_copied(self):
        other = self.account.copy()
        self.assertTrue(self.account.notification_callback_secret)
        self.assertTrue(other.notification_callback_secret)
        self.assertNotEqual(other.notification_callback_secret, self.account.notification_callback_secret)
        with self.assertRaises(AccessError):
            self.account.with_user(self.sales_user).read(["notification_callback_secret"])
        old = self.account.notification_callback_secret
        self.account.action_regenerate_callback_secret()
        self.assertNotEqual(self.account.notification_callback_secret, old)

    def test_access_log_never_shows_the_callback_secret(self):
        secret = self.account.notification_callback_secret
        record = logging.LogRecord(
            "werkzeug",
            logging.INFO,
            __file__,
            1,
            '"%s" %s %s',
            (f"POST /connector/notify/{self.account.id}/{secret} HTTP/1.1", "200", "-"),
            None,
        )
        _RedactCallbackSecret().filter(record)
        line = record.getMessage()
        self.assertNotIn(secret, line)
        self.assertIn(f"/connector/notify/{self.account.id}/[REDACTED]", line)
        # the filter is installed on the loggers that print request paths
        self.assertTrue(
            any(isinstance(f, _RedactCallbackSecret) for f in logging.getLogger("werkzeug").filters)
        )

    def test_channel_without_notifications_says_so(self):
        self.assertFalse(self.account.notifications_supported)
        action = self.account.action_register_notifications()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("polled", action["params"]["message"])

    def test_sales_user_cannot_touch_notifications(self):
        account = self.account.with_user(self.sales_user)
        for action in (
            "action_register_notifications",
            "action_list_notifications",
            "action_remove_notifications",
            "action_regenerate_callback_secret",
        ):
            with self.assertRaises(AccessError, msg=action):
                getattr(account, action)()

    def test_neutralize_forgets_callback_secrets_and_keys(self):
        self.env["connector.notification.subscription"].create(
            {"account_id": self.account.id, "external_id": "1", "event": "orders.created", "signing_key": "k"}
        )
        for query in get_neutralization_queries(["connector_base"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.account.notification_callback_secret)
        self.assertFalse(self.env["connector.notification.subscription"].search([]))
