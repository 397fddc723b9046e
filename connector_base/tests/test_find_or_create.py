# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Find-or-create under database keys (connector.record.key), in one transaction.

What several job workers do at the same moment is tested over real processes in
tests/reliability/run_parallel_test.py; here: which records count as the same.
"""

from odoo.tests import tagged

from .common import ConnectorCommon, TestProviderMixin, canonical_order


def company_order(external_id, email, person, company="Rösterei Nord GmbH", vat="", zipcode="20457"):
    address = {
        "company": company,
        "name": person,
        "street": "Hafenstraße",
        "house_number": "7",
        "zip": zipcode,
        "city": "Hamburg",
        "country_code": "DE",
    }
    return canonical_order(
        external_id,
        buyer_email=email,
        buyer_is_business=True,
        buyer_vat=vat,
        billing=address,
        shipping=address,
    )


@tagged("post_install", "-at_install")
class TestFindOrCreate(TestProviderMixin, ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.vat_check_mode = "format"  # no VIES request from a unit test

    def keys(self, kind):
        return self.env["connector.record.key"].sudo().search([("kind", "=", kind)])

    def customer(self, external_id):
        record = self.connector_order(external_id)
        self.assertEqual(record.state, "done", record.message)
        return record.sale_order_id.partner_id

    def test_same_email_in_any_case_is_one_customer(self):
        # Odoo keeps the case of a non-ASCII local part; the buyer is still one person
        self.sync(
            canonical_order("1", buyer_email="Jürgen.Weiß@Example.com"),
            canonical_order("2", buyer_email="  jürgen.weiß@example.com "),
            canonical_order("3", buyer_email="ERIKA@example.com"),
            canonical_order("4", buyer_email="erika@Example.COM"),
        )
        self.assertEqual(self.customer("1"), self.customer("2"))
        self.assertEqual(self.customer("3"), self.customer("4"))
        self.assertNotEqual(self.customer("1"), self.customer("3"))
        keys = self.keys("customer_email")
        self.assertEqual(len(keys), 2)
        self.assertEqual(set(keys.mapped("res_id")), {self.customer("1").id, self.customer("3").id})

    def test_buyers_of_one_company_share_it_by_vat_id(self):
        self.sync(
            company_order("1", "karl@nord.example", "Karl Nord", vat="DE811907980"),
            # another employee, the VAT id written another way, another company name spelling
            company_order(
                "2", "petra@nord.example", "Petra Nord", company="Rösterei Nord", vat="de 811.907.980"
            ),
        )
        karl, petra = self.customer("1"), self.customer("2")
        self.assertNotEqual(karl, petra)
        self.assertTrue(karl.parent_id.is_company)
        self.assertEqual(karl.parent_id, petra.parent_id)
        self.assertEqual(karl.parent_id.vat, "DE811907980")

    def test_company_without_vat_id_by_name_and_postcode(self):
        self.sync(
            company_order("1", "olaf@klappe.example", "Olaf Klappe", company="Kaffeeklappe"),
            company_order("2", "greta@klappe.example", "Greta Klappe", company="KAFFEEKLAPPE"),
            # the same name elsewhere: another company, not merged into the first
            company_order(
                "3", "info@klappe-sued.example", "Sepp Klappe", company="Kaffeeklappe", zipcode="80331"
            ),
        )
        self.assertEqual(self.customer("1").parent_id, self.customer("2").parent_id)
        self.assertNotEqual(self.customer("1").parent_id, self.customer("3").parent_id)

    def test_delivery_address_once_per_customer(self):
        other = {
            "name": "Erika Mustermann",
            "street": "Nebenweg",
            "house_number": "3",
            "zip": "80331",
            "city": "München",
            "country_code": "DE",
        }
        self.sync(
            canonical_order("1", shipping=other),
            canonical_order("2", shipping=other),
            canonical_order("3"),
        )
        first = self.connector_order("1").sale_order_id
        second = self.connector_order("2").sale_order_id
        self.assertEqual(first.partner_shipping_id, second.partner_shipping_id)
        self.assertEqual(first.partner_shipping_id.type, "delivery")
        self.assertEqual(self.connector_order("3").sale_order_id.partner_shipping_id, first.partner_id)
        self.assertEqual(len(self.keys("address_delivery")), 1)

    def test_customer_made_before_the_keys_is_adopted(self):
        existing = self.env["res.partner"].create(
            {"name": "Erika Mustermann", "email": "erika.mustermann@example.com"}
        )
        self.sync(canonical_order("1"))
        self.assertEqual(self.customer("1"), existing)
        self.assertEqual(self.keys("customer_email").res_id, existing.id)

    def test_archived_customer_key_is_taken_over(self):
        self.sync(canonical_order("1"))
        first = self.customer("1")
        first.action_archive()
        self.sync(canonical_order("2"))
        second = self.customer("2")
        self.assertNotEqual(second, first)
        self.assertEqual(self.keys("customer_email").res_id, second.id)

    def test_erased_customer_leaves_no_key(self):
        self.sync(canonical_order("1"))
        self.assertTrue(self.keys("customer_email"))
        self.customer("1").action_connector_forget()
        self.assertFalse(self.keys("customer_email"))
