# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The payout engine: defaults per chart (SKR03, SKR04, Dutch), the fee tax by the country
the channel bills from, one settlement per id in the database, orders Odoo does not know.

The channel's billing country is a provider hook; here it is set per test (the provider
addons test their own countries end to end, over HTTP).
"""

from decimal import Decimal
from unittest.mock import patch

import psycopg2

from odoo.modules.neutralize import get_neutralization_queries
from odoo.tools import mute_logger

from ..schema_accounting import ChannelSettlement, SettlementLine
from .common import ConnectorCommon


class TestSettlementEngine(ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nl_company = cls._setup_company("Kanaal BV", "base.nl", "nl")
        cls.skr04_company = cls._setup_company("Kanal SKR04 GmbH", "base.de", "de_skr04")
        Account = cls.env["connector.account"]
        cls.nl_account = Account.create(
            {"name": "NL Shop", "company_id": cls.nl_company.id, "warehouse_id": False}
        )
        cls.skr04_account = Account.create(
            {"name": "SKR04 Shop", "company_id": cls.skr04_company.id, "warehouse_id": False}
        )

    def billed_from(self, country):
        return patch.object(
            type(self.env["connector.account"]), "_settlement_fee_issuer_country", return_value=country
        )

    def ref(self, company, xmlid):
        return self.env["account.chart.template"].with_company(company).ref(xmlid)

    def test_fee_accounts_and_taxes_per_chart_and_billing_country(self):
        cases = [
            (self.account, "LU", "account_4760", "tax_eu_19_purchase_goods_skr03"),
            (self.account, "DE", "account_4760", "tax_vst_19_skr03"),
            (self.skr04_account, "LU", "chart_skr04_6770", "tax_eu_19_purchase_goods_skr04"),
            (self.skr04_account, "DE", "chart_skr04_6770", "tax_vst_19_skr04"),
            (self.nl_account, "DE", "4590", "btw_I_21_d"),  # Kaufland's commission to a Dutch seller
            (self.nl_account, "NL", "4590", "btw_21_buy_d"),
        ]
        for account, country, ledger, tax in cases:
            with (
                self.subTest(chart=account.company_id.chart_template, country=country),
                self.billed_from(country),
            ):
                company = account.company_id
                self.assertEqual(
                    account._settlement_account_for("fee", "Commission"),
                    (self.ref(company, ledger), self.ref(company, tax)),
                )
        with self.billed_from("US"):
            self.assertEqual(self.account._settlement_account_for("fee", "Commission")[1], None)
        for account, reserve, refund in (
            (self.account, "account_1500", "account_8700"),
            (self.skr04_account, "chart_skr04_1300", "chart_skr04_4700"),
            (self.nl_account, "1290", "8090"),
        ):
            company = account.company_id
            self.assertEqual(account._settlement_account_for("reserve", "")[0], self.ref(company, reserve))
            self.assertEqual(account._settlement_account_for("refund", "")[0], self.ref(company, refund))

    def test_fill_in_the_charts_accounts_as_editable_lines(self):
        with self.billed_from("DE"):
            self.nl_account.action_fill_payout_accounts()
            self.nl_account.action_fill_payout_accounts()  # twice: nothing more
        company = self.nl_company
        lines = {m.kind: (m.ledger_account_id, m.tax_id) for m in self.nl_account.fee_mapping_ids}
        self.assertEqual(
            lines,
            {
                "fee": (self.ref(company, "4590"), self.ref(company, "btw_I_21_d")),
                "refund": (self.ref(company, "8090"), self.env["account.tax"]),
                "reserve": (self.ref(company, "1290"), self.env["account.tax"]),
                "adjustment": (self.ref(company, "4590"), self.env["account.tax"]),
            },
        )
        # a changed line wins over the chart
        other = self.ref(company, "4630")
        self.nl_account.fee_mapping_ids.filtered(lambda m: m.kind == "reserve").ledger_account_id = other
        self.assertEqual(
            self.nl_account._settlement_account_for("reserve", "Current Reserve Amount")[0], other
        )

    def test_clearing_account_per_channel_account_next_to_the_transit_account(self):
        # SKR03 1360 / SKR04 1460 (DATEV's Geldtransit) are Odoo's liquidity transfer accounts:
        # each channel account gets the next free code of that range; Dutch: next to 1350
        codes = {
            account: account._settlement_clearing_account().code
            for account in (self.account, self.skr04_account, self.nl_account)
        }
        self.assertEqual(codes[self.account], "1361")
        self.assertEqual(codes[self.skr04_account], "1461")
        self.assertRegex(codes[self.nl_account], r"^135\d$")
        for account in (self.account, self.skr04_account, self.nl_account):
            same_code = (
                self.env["account.account"]
                .with_company(account.company_id)
                .search([("code", "=", codes[account]), ("company_ids", "in", account.company_id.ids)])
            )
            self.assertEqual(same_code, account.settlement_clearing_account_id)
        second = self.env["connector.account"].create({"name": "Second shop", "company_id": self.company.id})
        self.assertEqual(second._settlement_clearing_account().code, "1362")
        self.assertTrue(second.settlement_clearing_account_id.reconcile)

    def test_one_settlement_per_id_in_the_database(self):
        vals = {
            "account_id": self.account.id,
            "external_id": "S-1",
            "currency_id": self.company.currency_id.id,
            "total": 0.0,
        }
        self.env["connector.settlement"].create(vals)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            with self.env.cr.savepoint():
                self.env["connector.settlement"].create(vals)

    def test_orders_odoo_does_not_know_go_to_the_suspense_account(self):
        data = ChannelSettlement(
            external_id="S-2",
            currency="EUR",
            total=Decimal("8.50"),
            lines=[
                SettlementLine(kind="order", amount=Decimal("10.00"), order_external_id="UNKNOWN-1"),
                SettlementLine(kind="fee", amount=Decimal("-1.50"), fee_type="Commission"),
            ],
        )
        with self.billed_from("LU"):
            settlement, created = self.account._import_settlement(data)
            self.assertTrue(created)
            again, created = self.account._import_settlement(data)
        self.assertEqual((again, created), (settlement, False))
        self.assertEqual(settlement.state, "posted")
        self.assertIn("UNKNOWN-1", settlement.message)
        suspense = self.company.account_journal_suspense_account_id
        (unmatched,) = settlement.move_id.line_ids.filtered(lambda x: x.account_id == suspense)
        self.assertAlmostEqual(unmatched.credit, 10.00, places=2)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "settlement")]
        )
        self.assertEqual(log.state, "warning")

    def test_a_payout_that_cannot_be_booked_waits_with_the_reason(self):
        data = ChannelSettlement(
            external_id="S-3",
            currency="EUR",
            total=Decimal("-1.00"),
            lines=[SettlementLine(kind="fee", amount=Decimal("-1.00"), fee_type="Commission")],
        )
        # a company without one of the charts: no default account for fees
        self.account.company_id.chart_template = "generic_coa"
        settlement, created = self.account._import_settlement(data)
        self.assertTrue(created)
        self.assertEqual(settlement.state, "new")
        self.assertIn("No account for", settlement.message)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "settlement")]
        )
        self.assertEqual(log.state, "error")
        # the accountant maps fees, then books it
        self.env["connector.fee.mapping"].create(
            {
                "account_id": self.account.id,
                "kind": "fee",
                "ledger_account_id": self.ref(self.company, "account_4970").id,
            }
        )
        settlement.action_book()
        self.assertEqual(settlement.state, "posted")
        self.assertTrue(settlement.move_id)

    def test_neutralized_copy_sends_no_invoice_and_books_no_payout(self):
        self.account.write({"send_invoices": True, "import_settlements": True})
        self.env.flush_all()
        for query in get_neutralization_queries(["connector_base"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        account = self.account.with_context(active_test=False)
        self.assertFalse(account.send_invoices or account.import_settlements)
