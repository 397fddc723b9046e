# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo import Command
from odoo.addons.connector_base.schema import RawOrder
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ConnectorCommon, TestProviderMixin, canonical_order


@tagged("post_install", "-at_install")
class TestFieldMapping(TestProviderMixin, ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "DHL Express", "type": "service"})
        cls.carrier_express = cls.env["delivery.carrier"].create(
            {
                "name": "DHL Express",
                "product_id": product.id,
                "delivery_type": "fixed",
                "company_id": cls.company.id,
            }
        )

    def _field(self, model, name):
        return self.env["ir.model.fields"]._get(model, name)

    def _rule(self, path, target, model, field, **vals):
        return self.env["connector.field.mapping"].create(
            {
                "account_id": self.account.id,
                "source_path": path,
                "target_model": target,
                "field_id": self._field(model, field).id,
                **vals,
            }
        )

    def _imported(self, external_id):
        record = self.connector_order(external_id)
        self.assertEqual(record.state, "done", record.message)
        return record, record.sale_order_id

    def test_rule_copies_buyer_phone_to_partner(self):
        self._rule("buyer.phone", "partner_customer", "res.partner", "phone", transform="trim")
        self.sync(canonical_order("2001", buyer={"phone": " +49 30 123 "}))
        record, sale = self._imported("2001")
        # the default mapping would take the billing phone +49 221 1234567
        self.assertEqual(sale.partner_id.phone, "+49 30 123")
        self.assertFalse(record.message)

    def test_value_map_turns_shipping_code_into_carrier(self):
        self._rule(
            "shipping_method",
            "sale.order",
            "sale.order",
            "carrier_id",
            transform="map",
            value_ids=[
                Command.create({"channel_value": "EXP", "odoo_value": "DHL Express"}),
                Command.create({"channel_value": "STD", "odoo_value": "Standard"}),
            ],
        )
        self.sync(canonical_order("2002", shipping_method="exp"))
        record, sale = self._imported("2002")
        self.assertEqual(sale.carrier_id, self.carrier_express)
        self.assertFalse(record.message)
        # a code missing from the table keeps the default (no carrier) and says so
        self.sync(canonical_order("2003", shipping_method="pickup"))
        record, sale = self._imported("2003")
        self.assertFalse(sale.carrier_id)
        self.assertIn("value 'pickup' is not in the value table", record.message)

    def test_rules_write_order_note_and_line_descriptions(self):
        self._rule("buyer.comment", "sale.order", "sale.order", "note", transform="trim")
        self._rule("lines[].title", "sale.order.line", "sale.order.line", "name", transform="upper")
        payload = canonical_order("2004", buyer={"comment": "  Bitte beim Nachbarn abgeben "})
        self.sync(payload)
        record, sale = self._imported("2004")
        self.assertIn("Bitte beim Nachbarn abgeben", str(sale.note))
        goods = sale.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(sorted(goods.mapped("name")), ["MUG", "T-SHIRT"])
        self.assertAlmostEqual(sale.amount_total, 54.47, places=2)
        self.assertFalse(record.message)

    def test_product_rule_writes_each_lines_product(self):
        self._rule(
            "lines[].title", "product.product", "product.product", "description_sale", transform="lower"
        )
        self.sync(canonical_order("2007"))
        record, _sale = self._imported("2007")
        self.assertEqual(self.product_shirt.description_sale, "t-shirt")
        self.assertEqual(self.product_mug.description_sale, "mug")
        self.assertFalse(record.message)

    def test_bad_path_and_type_mismatch_are_warnings_and_order_imports(self):
        self._rule("buyer.phon", "partner_customer", "res.partner", "phone")
        self._rule("buyer.phone", "partner_customer", "res.partner", "color")
        self.sync(canonical_order("2005", buyer={"phone": "+49 30 123"}))
        record, sale = self._imported("2005")
        self.assertTrue(sale)
        self.assertEqual(sale.partner_id.phone, "+49 221 1234567")  # the default mapping
        self.assertIn(
            "Field mapping 'buyer.phon' -> Customer / Phone: buyer has no key 'phon'", record.message
        )
        self.assertIn("expected a whole number, got '+49 30 123'", record.message)
        self.assertIn("the default mapping is kept", record.message)
        log = record.log_ids.filtered(lambda entry: entry.state == "warning")
        self.assertEqual(len(log), 1)
        self.assertIn("buyer has no key 'phon'", log.message)

    def test_preview_shows_default_rule_and_final_values(self):
        phone = self._rule("buyer.phone", "partner_customer", "res.partner", "phone")
        note = self._rule("buyer.comment", "sale.order", "sale.order", "note")
        bad = self._rule("buyer.missing", "sale.order", "sale.order", "client_order_ref")
        payload = canonical_order("2006", buyer={"phone": "+49 30 123", "comment": "Hinterhof"})
        record, _outcome = self.env["connector.order"]._store_raw(
            self.account,
            RawOrder(
                external_id="2006", updated_at=datetime(2026, 11, 20), payload=payload, reference="ORD-2006"
            ),
        )
        partners = self.env["res.partner"].search_count([])
        action = self.account.action_preview_field_mappings()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.connector_order_id, record)
        lines = {line.mapping_id: line for line in wizard.line_ids}
        self.assertEqual(
            (
                lines[phone].raw_value,
                lines[phone].default_value,
                lines[phone].rule_value,
                lines[phone].final_value,
            ),
            ("+49 30 123", "+49 221 1234567", "+49 30 123", "+49 30 123"),
        )
        self.assertEqual(lines[note].default_value, "")
        self.assertEqual(lines[note].final_value, "<p>Hinterhof</p>")
        self.assertEqual(lines[bad].default_value, "ORD-2006")
        self.assertEqual(lines[bad].final_value, "ORD-2006")
        self.assertFalse(lines[bad].rule_value)
        self.assertIn("buyer has no key 'missing'", lines[bad].warning)
        self.assertFalse(wizard.message)
        # nothing was written: no order, no new customer, the channel order still waits
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertFalse(self.env["sale.order"].search([("connector_external_id", "=", "2006")]))
        self.assertEqual(record.state, "pending")

    def test_sales_user_reads_but_cannot_create_rules(self):
        rule = self._rule("buyer.phone", "partner_customer", "res.partner", "phone")
        Mapping = self.env["connector.field.mapping"].with_user(self.sales_user)
        self.assertEqual(Mapping.search([("account_id", "=", self.account.id)]), rule)
        with self.assertRaises(AccessError):
            Mapping.create(
                {
                    "account_id": self.account.id,
                    "source_path": "buyer.email",
                    "target_model": "partner_customer",
                    "field_id": self._field("res.partner", "email").id,
                }
            )
        with self.assertRaises(AccessError):
            rule.with_user(self.sales_user).write({"source_path": "buyer.email"})
