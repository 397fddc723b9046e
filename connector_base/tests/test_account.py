# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from .common import ConnectorCommon

# Every provider's credentials, named one by one: a list derived from the fields'
# groups would lose exactly the field that lost its group, and every test using
# it would stay green while the secret leaks.
CREDENTIAL_FIELDS = {
    "marketplace_kaufland": ("kaufland_client_key", "kaufland_secret_key"),
    "marketplace_amazon": ("amazon_lwa_client_id", "amazon_lwa_client_secret", "amazon_refresh_token"),
    "shop_ccv": ("ccv_public_key", "ccv_secret_key"),
    "shop_mijnwebwinkel": ("mijnwebwinkel_partner_token", "mijnwebwinkel_shop_token"),
}
# A field whose name says it holds a credential must be admin-only too.
CREDENTIAL_NAME = re.compile(r"(^|_)(key|secret|token|password|passwd|apikey|client_id)(_|$)")


def installed_providers(env):
    return set(
        env["ir.module.module"]
        .search([("name", "in", list(CREDENTIAL_FIELDS)), ("state", "=", "installed")])
        .mapped("name")
    )


def secret_fields(env):
    """Credential fields of the provider addons installed in this database."""
    return [name for module in sorted(installed_providers(env)) for name in CREDENTIAL_FIELDS[module]]


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
        Account = self.env["connector.account"]
        for name in fields:
            self.assertIn(name, Account._fields, f"credential field {name} is gone or renamed")
            self.assertIn(
                "base.group_system", Account._fields[name].groups or "", f"{name} is not admin-only"
            )
            with self.assertRaises(AccessError, msg=f"sales user read {name}"):
                account.read([name])
            self.account.write({name: "s3cret-value"})
            self.assertEqual(self.account[name], "s3cret-value")  # admin reads it

    def test_every_credential_like_field_is_admin_only(self):
        """A provider that adds a key/secret/token/password field without the group fails here."""
        Account = self.env["connector.account"]
        leaking = [
            name
            for name, field in Account._fields.items()
            if field.type in ("char", "text", "binary")
            and CREDENTIAL_NAME.search(name)
            and "base.group_system" not in (field.groups or "")
        ]
        self.assertEqual(leaking, [], "credential-like fields readable by non-admins")
        # the guard itself recognises every named credential
        for name in secret_fields(self.env):
            self.assertRegex(name, CREDENTIAL_NAME)

    def test_all_providers_credentials_are_listed(self):
        """The suite runs with the four providers; each one's credentials are in the list."""
        if installed_providers(self.env) != set(CREDENTIAL_FIELDS):
            self.skipTest("not every provider addon is installed")
        self.assertEqual(len(secret_fields(self.env)), 9)

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
