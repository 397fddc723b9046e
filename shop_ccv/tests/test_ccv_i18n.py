# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A German or Dutch merchant reads the connector's messages in their language.

The client and the adapter have no Odoo environment: their messages are lazy
translations, written in the language of the user who met them.
"""

from odoo.tests import tagged
from tests.emulators.ccv import DEMO_ACCOUNT_VALUES

from .common import CcvCommon


@tagged("post_install", "-at_install")
class TestCcvI18n(CcvCommon):
    def test_connection_failure_in_the_users_language(self):
        cases = [
            ("de_DE", {"api_base_url": False, "ccv_shop_domain": False}, "Tragen Sie die Shop-Domain"),
            ("nl_NL", {"ccv_secret_key": False}, "maak een API-sleutel aan in de CCV Shop-backoffice"),
        ]
        for lang, vals, expected in cases:
            with self.subTest(lang=lang):
                self.account.sudo().write({**DEMO_ACCOUNT_VALUES, "api_base_url": self.server.url, **vals})
                result = self.account.with_context(lang=lang).action_test_connection()
                self.assertEqual(result["params"]["type"], "danger")
                self.assertIn(expected, result["params"]["message"])
                self.assertIn(expected, self.account.last_error)
