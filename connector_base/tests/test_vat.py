# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""VAT evaluation with the real l10n_de / l10n_nl charts and l10n_eu_oss positions,
and VAT ids checked through zeep against a local VIES SOAP emulator."""

from odoo import Command
from odoo.tests import tagged
from tests.emulators.base import EmulatorServer
from tests.emulators.vies import WSDL_PATH, ViesEmulator

from .common import ConnectorCommon, TestProviderMixin, canonical_order

VALID_FR_VAT = "FR40303265045"


def order_to(country, external_id, **overrides):
    order = canonical_order(external_id, **overrides)
    for address in ("billing", "shipping"):
        order[address] = dict(order[address], country_code=country, zip="1010", city="Somewhere")
    return order


def b2b_net_order(country, external_id, vat, company="Société Exemple SA"):
    """A business order priced without VAT: 2 x 16.80 + 1 x 7.98 + shipping 4.19 = 45.77."""
    order = order_to(
        country,
        external_id,
        buyer_is_business=True,
        buyer_vat=vat,
        prices_include_tax=False,
        total_incl="45.77",
        shipping_excl="4.19",
        shipping_incl="4.19",
        buyer_email=f"buyer-{external_id}@example.com",
    )
    order["billing"]["company"] = company
    order["lines"][0].update(unit_price_incl=None, unit_price_excl="16.80", tax_rate="0")
    order["lines"][1].update(unit_price_incl=None, unit_price_excl="7.98", tax_rate="0")
    return order


class VatCommon(TestProviderMixin, ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vies = ViesEmulator()
        cls.vies.register(VALID_FR_VAT, "SOCIETE EXEMPLE SA", "1 RUE DE PARIS 75001 PARIS")
        server = EmulatorServer(cls.vies).start()
        cls.addClassCleanup(server.stop)
        cls.env["ir.config_parameter"].set_param("connector_base.vies_wsdl_url", server.url + WSDL_PATH)
        cls.account.order_type = "invoice"

    @classmethod
    def _setup_company(cls, name, country_xmlid, chart_template):
        company = super()._setup_company(name, country_xmlid, chart_template)
        if not cls.env["account.fiscal.position"].search_count(
            [("company_id", "=", company.id), ("name", "=like", "OSS B2C %")]
        ):
            # with_company: l10n_eu_oss numbers new accounts in env.company
            company.with_company(company)._map_eu_taxes()  # "OSS Tax mapping" in the settings
        return company

    def setUp(self):
        super().setUp()
        self.vies.reset_log()

    def imported(self, payload):
        self.sync(payload)
        record = self.connector_order(payload["external_id"])
        self.assertEqual(record.state, "done", record.message)
        sale = record.sale_order_id
        # the channel total, to the cent, on the order and on its posted invoice
        self.assertAlmostEqual(sale.amount_total, float(payload["total_incl"]), places=2)
        self.assertEqual(sale.invoice_ids.state, "posted")
        self.assertAlmostEqual(sale.invoice_ids.amount_total, float(payload["total_incl"]), places=2)
        return record, sale

    def goods_lines(self, move):
        return move.invoice_line_ids.filtered(lambda line: line.product_id.type == "consu")


@tagged("post_install", "-at_install")
class TestVatGermany(VatCommon):
    def test_domestic_consumer(self):
        _record, sale = self.imported(order_to("DE", "V1"))
        self.assertEqual(sale.connector_vat_case, "domestic")
        self.assertFalse(sale.fiscal_position_id)
        self.assertEqual(sale.order_line.tax_ids.mapped("amount"), [19.0])
        self.assertAlmostEqual(sale.amount_tax, 8.70, places=2)
        revenue = self.goods_lines(sale.invoice_ids).account_id
        self.assertEqual(revenue.code, "8400")  # SKR03 Erlöse 19 % USt

    def test_eu_consumer_pays_destination_vat_through_oss(self):
        _record, sale = self.imported(order_to("AT", "V2"))
        self.assertEqual(sale.connector_vat_case, "oss")
        self.assertEqual(sale.fiscal_position_id.name, "OSS B2C Austria")
        taxes = sale.order_line.tax_ids
        self.assertEqual(set(taxes.mapped("amount")), {20.0})
        self.assertTrue(all(taxes.mapped("price_include")))
        # 54.47 gross at 20 %: 45.39 net, 9.08 VAT
        self.assertAlmostEqual(sale.amount_untaxed, 45.39, places=2)
        self.assertAlmostEqual(sale.amount_tax, 9.08, places=2)

    def test_eu_business_with_valid_vat_id_is_reverse_charge(self):
        record, sale = self.imported(b2b_net_order("FR", "V3", VALID_FR_VAT))
        self.assertEqual(sale.connector_vat_case, "reverse_charge")
        self.assertEqual(sale.fiscal_position_id, self.account.fp_reverse_charge_id)
        self.assertEqual(sale.amount_tax, 0.0)
        self.assertEqual(sale.partner_id.commercial_partner_id.vat, VALID_FR_VAT)
        self.assertFalse(record.message)
        self.assertEqual(len(self.vies.requests_to("POST")), 1)
        # the VIES answer is cached: the next order of the same buyer asks nobody
        self.imported(b2b_net_order("FR", "V3b", VALID_FR_VAT))
        self.assertEqual(len(self.vies.requests_to("POST")), 1)

    def test_eu_business_with_invalid_vat_id_is_treated_as_consumer(self):
        order = order_to(
            "FR",
            "V4",
            buyer_is_business=True,
            buyer_vat="FR99999999999",
            buyer_email="fake-business@example.com",
        )
        order["billing"]["company"] = "Fake SARL"
        record, sale = self.imported(order)
        self.assertEqual(sale.connector_vat_case, "oss")
        self.assertEqual(sale.fiscal_position_id.name, "OSS B2C France")
        self.assertEqual(set(sale.order_line.tax_ids.mapped("amount")), {20.0})
        self.assertIn("not valid in VIES", record.message)

    def test_vies_unavailable_follows_the_policy(self):
        order = order_to(
            "FR", "V5", buyer_is_business=True, buyer_vat="FR300", buyer_email="down@example.com"
        )
        order["billing"]["company"] = "Unverifiable SA"
        record, sale = self.imported(order)
        self.assertEqual(sale.connector_vat_case, "oss")
        self.assertIn("SERVICE_UNAVAILABLE", record.message)
        self.account.vies_unavailable_policy = "park"
        order = dict(order, external_id="V6", reference="ORD-V6")
        self.sync(order)
        parked = self.connector_order("V6")
        self.assertEqual(parked.state, "attention")
        self.assertIn("retry when VIES answers", parked.message)

    def test_net_priced_order_after_a_gross_one_gets_one_tax(self):
        # the gross order creates the tax-included twin of AT 20 %; it must not become a
        # second mapping target of the OSS position for the net-priced order that follows
        self.imported(order_to("AT", "V10"))
        order = b2b_net_order("AT", "V11", "ATU99999999", company="Unverified GmbH")
        order["total_incl"] = "54.92"  # 45.77 net + 20 % VAT (9.15, rounded globally as SKR03 sets)
        _record, sale = self.imported(order)
        self.assertEqual(sale.connector_vat_case, "oss")
        for line in sale.order_line:
            self.assertEqual(line.tax_ids.mapped("amount"), [20.0], line.name)
            self.assertFalse(line.tax_ids.price_include)

    def test_export_outside_the_eu(self):
        payload = order_to("CH", "V7")
        _record, sale = self.imported(payload)
        self.assertEqual(sale.connector_vat_case, "export")
        self.assertEqual(sale.fiscal_position_id, self.account.fp_export_id)
        self.assertEqual(sale.amount_tax, 0.0)

    def test_channel_collected_vat(self):
        facilitator = self.env["account.fiscal.position"].create(
            {
                "name": "Marketplace collects VAT",
                "company_id": self.company.id,
            }
        )
        self.env["account.tax"].create(
            {
                "name": "0% VAT collected by the marketplace",
                "amount": 0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "country_id": self.env.ref("base.de").id,
                "fiscal_position_ids": [Command.set(facilitator.ids)],
                "original_tax_ids": [Command.set(self.tax_19.ids)],
            }
        )
        self.account.fp_channel_vat_id = facilitator
        _record, sale = self.imported(order_to("NL", "V8", channel_collects_vat=True))
        self.assertEqual(sale.connector_vat_case, "channel")
        self.assertEqual(sale.fiscal_position_id, facilitator)
        self.assertEqual(sale.amount_tax, 0.0)

    def test_admin_rule_overrides_with_revenue_account(self):
        revenue = (
            self.env["account.account"]
            .search([("company_ids", "in", self.company.id), ("code", "=", "8400")], limit=1)
            .copy({"code": "8401", "name": "Erlöse Österreich"})
        )
        self.account.tax_rule_ids = [
            Command.create(
                {
                    "country_ids": [Command.set(self.env.ref("base.at").ids)],
                    "buyer_type": "b2c",
                    "fiscal_position_id": self.company_oss_position("AT").id,
                    "revenue_account_id": revenue.id,
                }
            )
        ]
        _record, sale = self.imported(order_to("AT", "V9"))
        self.assertEqual(sale.connector_vat_case, "rule")
        self.assertEqual(self.goods_lines(sale.invoice_ids).account_id, revenue)

    def test_matrix_shows_every_eu_country(self):
        action = self.account.action_view_vat_matrix()
        lines = self.env["connector.vat.matrix.line"].search(action["domain"])
        by_key = {(line.country_id.code, line.buyer_type): line for line in lines}
        self.assertEqual(by_key["DE", "b2c"].case, "domestic")
        self.assertEqual(by_key["AT", "b2c"].case, "oss")
        self.assertIn("20", by_key["AT", "b2c"].tax_names)
        self.assertEqual(by_key["FR", "b2b"].case, "reverse_charge")
        self.assertEqual(by_key["CH", "b2c"].case, "export")
        self.assertGreaterEqual(len({code for code, _b in by_key}), 27)

    def company_oss_position(self, code):
        return self.env["account.fiscal.position"].search(
            [
                ("company_id", "=", self.company.id),
                ("country_id.code", "=", code),
                ("name", "=like", "OSS B2C %"),
            ],
            limit=1,
        )


@tagged("post_install", "-at_install")
class TestVatNetherlands(VatCommon):
    chart_template = "nl"
    company_country = "base.nl"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_21 = cls.env["account.tax"].search(
            [
                ("company_id", "=", cls.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 21),
                ("price_include", "=", False),
                ("amount_type", "=", "percent"),
            ],
            limit=1,
        )
        (cls.product_shirt | cls.product_mug).taxes_id = cls.tax_21

    def test_dutch_company_selling_to_a_belgian_consumer(self):
        _record, sale = self.imported(order_to("BE", "NL1"))
        self.assertEqual(sale.connector_vat_case, "oss")
        self.assertEqual(sale.fiscal_position_id.name, "OSS B2C Belgium")
        self.assertEqual(set(sale.order_line.tax_ids.mapped("amount")), {21.0})
        self.assertEqual(sale.currency_id.name, "EUR")
