# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from .common import ConnectorCommon


def secret_fields(env):
    """Credential fields that provider addons added to connector.account."""
    return [
        name
        for name, field in env["connector.account"]._fields.items()
        if field.groups and "base.group_system" in field.groups
    ]


@tagged("post_install", "-at_install")
class TestAccount(ConnectorCommon):
    def test_display_name_shows_channel(self):
        self.assertEqual(self.account.display_name, "[No channel] Test Shop")

    def test_credentials_readable_by_admins_only(self):
        fields = secret_fields(self.env)
        if not fields:
            self.skipTest("no provider addon with credentials installed")
        # every provider declares its credentials admin-only
        providers = {f.split("_")[0] for f in fields}
        self.assertTrue({"kaufland", "amazon", "ccv", "mijnwebwinkel"} & providers)
        account = self.account.with_user(self.sales_user)
        self.assertEqual(account.name, "Test Shop")  # the account itself is readable
        for name in fields:
            with self.assertRaises(AccessError, msg=f"sales user read {name}"):
                account.read([name])
        self.account.write({fields[0]: "s3cret-value"})
        self.assertEqual(self.account[fields[0]], "s3cret-value")  # admin reads it

    def test_sales_user_cannot_configure(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.sales_user).write({"name": "Hijacked"})
        with self.assertRaises(AccessError):
            self.env["connector.account"].with_user(self.sales_user).create({"name": "X"})

    def test_duplicate_copies_no_secret(self):
        fields = secret_fields(self.env)
        if not fields:
            self.skipTest("no provider addon with credentials installed")
        self.account.write(dict.fromkeys(fields, "s3cret-value"))
        copy = self.account.copy()
        self.assertEqual(copy.name, "Test Shop (copy)")
        for name in fields:
            self.assertFalse(copy[name], f"{name} was copied")
        self.assertFalse(copy.order_watermark)

    def test_neutralize_disables_accounts(self):
        self.assertTrue(self.account.active)
        for query in get_neutralization_queries(["connector_base"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.env["connector.account"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.account.active)

    def test_test_connection_without_channel_says_why(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("No channel", action["params"]["message"])
        self.assertEqual(self.account.state, "error")
