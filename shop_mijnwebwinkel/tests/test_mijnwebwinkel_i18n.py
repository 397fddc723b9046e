# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Dutch or German merchant reads the connector's messages in their language.

The adapter and the catalogue have no Odoo environment: their messages are lazy
translations, written in the language of the user whose sync met them.
"""

from odoo.tests import tagged

from .common import MijnWebwinkelCommon


@tagged("post_install", "-at_install")
class TestMijnWebwinkelI18n(MijnWebwinkelCommon):
    def test_parked_order_reason_in_the_users_language(self):
        self.account._export_products()
        article = self.emulator.find_article("HOODIE")
        shop = self.shop_variant(article, self.hoodie_variant("M", "Rood"))
        self.emulator.variant_handles["HOODIE M Rood"] = (article["id"], shop["id"])
        order = self.emulator.add_order([("HOODIE M Rood", 1)], email="eva@example.nl", name="Eva de Boer")
        del self.emulator.articles[article["id"]]  # the buyer's variant can no longer be known
        self.account.with_context(lang="nl_NL")._sync_orders()
        record = self.env["connector.order"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", order["number"])]
        )
        self.assertEqual(record.state, "attention")
        self.assertIn(f"artikel {article['id']} staat niet meer in de webshop", record.message)
        self.assertIn("koppel de regel handmatig", record.message)
