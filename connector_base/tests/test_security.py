# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Security promises: credentials stay with administrators (ORM, JSON-RPC, /json/2,
exports, neutralized copies), an account never books into another company and is
invisible there, and a customer's erasure leaves nothing of them in the connectors.

Reading credentials as admin, duplication and the basic neutralization are in
test_account.py; secrets in the logs of failing runs in the providers' fault tests
(shop_mijnwebwinkel/tests/test_mijnwebwinkel_faults.py puts its tokens in URLs).
"""

import json
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import ConnectorCommon, TestProviderMixin, canonical_order
from .test_account import secret_fields

SECRET = "s3cret-Value-9f2c71"


@tagged("post_install", "-at_install")
class TestSecretsOverRpc(HttpCase):
    """A sales user's session (JSON-RPC) and API key (/json/2) get no credential."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secrets = secret_fields(cls.env)
        cls.sales_user = new_test_user(
            cls.env, login="rpc_sales", groups="sales_team.group_sale_salesman,base.group_allow_export"
        )
        account = cls.env["connector.account"].create({"name": "Test Shop", "provider": "none"})
        account.write(dict.fromkeys(cls.secrets, SECRET))
        cls.account_id = account.id

    def setUp(self):
        super().setUp()
        if not self.secrets:
            self.skipTest("no provider addon with credentials installed")

    def test_json_rpc_refuses_credentials_to_sales_users(self):
        self.authenticate(self.sales_user.login, self.sales_user.login)
        for name in self.secrets:
            self._assert_rpc_refuses(name)
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/connector.account/read",
            {"model": "connector.account", "method": "read", "args": [[self.account_id]], "kwargs": {}},
        )
        self.assertNotIn(SECRET, json.dumps(result, default=str))

    def _assert_rpc_refuses(self, name):
        calls = [
            ("read", [[self.account_id], [name]], {}),
            ("search_read", [[]], {"fields": [name]}),
            ("export_data", [[self.account_id], [name]], {}),
            ("web_search_read", [[]], {"specification": {name: {}}}),
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method, field=name), mute_logger("odoo.http"):
                with self.assertRaises(JsonRpcException) as caught:
                    self.make_jsonrpc_request(
                        f"/web/dataset/call_kw/connector.account/{method}",
                        {"model": "connector.account", "method": method, "args": args, "kwargs": kwargs},
                    )
                self.assertIn("AccessError", str(caught.exception))

    def test_json2_refuses_credentials_to_sales_users(self):
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.sales_user)
            .sudo()
            ._generate(None, "test", datetime.now() + timedelta(days=1))
        )
        headers = {"Authorization": f"bearer {key}", "Content-Type": "application/json"}
        with mute_logger("odoo.http"):
            refused = self.url_open(
                "/json/2/connector.account/search_read",
                data=json.dumps({"domain": [], "fields": self.secrets}),
                headers=headers,
            )
        self.assertEqual(refused.status_code, 403, refused.text[:300])
        self.assertNotIn(SECRET, refused.text)
        allowed = self.url_open(
            "/json/2/connector.account/search_read",
            data=json.dumps({"domain": [["id", "=", self.account_id]]}),
            headers=headers,
        )
        self.assertEqual(allowed.status_code, 200, allowed.text[:300])
        self.assertEqual(allowed.json()[0]["name"], "Test Shop")
        self.assertNotIn(SECRET, allowed.text)


@tagged("post_install", "-at_install")
class TestSecurity(TestProviderMixin, ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secrets = secret_fields(cls.env)
        cls.account.write(dict.fromkeys(cls.secrets, SECRET))

    def setUp(self):
        super().setUp()
        if not self.secrets:
            self.skipTest("no provider addon with credentials installed")

    # --- credentials -------------------------------------------------------------------

    def test_orm_and_export_refuse_credentials_to_sales_users(self):
        # even a sales user allowed to export gets no credential
        self.sales_user.group_ids |= self.env.ref("base.group_allow_export")
        Account = self.env["connector.account"].with_user(self.sales_user)
        account = Account.browse(self.account.id)
        self.assertNotIn(SECRET, json.dumps(account.read(), default=str), "read() of all fields")
        self.assertFalse(set(self.secrets) & set(Account.fields_get()), "fields_get lists no credential")
        for name in self.secrets:
            for call in (
                lambda n=name: account.read([n]),
                lambda n=name: Account.search_read([("id", "=", account.id)], [n]),
                lambda n=name: account.export_data([n]),
                lambda n=name: account.web_read({n: {}}),
                lambda n=name: Account.search([(n, "=", SECRET)]),
            ):
                with self.subTest(field=name), self.assertRaises(AccessError):
                    call()

    def test_neutralize_erases_every_providers_credentials(self):
        providers = [p for p, _label in self.account._fields["provider"].selection if p != "none"]
        accounts = self.env["connector.account"]
        for provider in providers:
            accounts |= self._create_account(name=f"Neutral {provider}", provider=provider)
        accounts.write(dict.fromkeys(self.secrets, SECRET))
        modules = self.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        self.env.flush_all()
        for query in get_neutralization_queries(modules):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        for account in accounts.with_context(active_test=False):
            self.assertFalse(account.active)
            own = [f for f in self.secrets if f.startswith(account.provider)]
            self.assertTrue(own, f"{account.provider} declares its credentials admin-only")
            for name in own:
                self.assertFalse(account[name], f"{name} survived neutralization")

    # --- companies ---------------------------------------------------------------------

    def test_account_books_in_its_company_only_and_is_invisible_to_others(self):
        company_b = self.env["res.company"].create(
            {"name": "Andere BV", "country_id": self.env.ref("base.nl").id}
        )
        self.env.user.company_ids |= company_b
        # the importing user works in company B: the account's company decides
        account = self.account.with_context(allowed_company_ids=[company_b.id, self.company.id])
        unknown = canonical_order("MC2")
        unknown["lines"][0]["sku"] = "NOT-IN-ODOO"
        with self.channel(canonical_order("MC1"), unknown):
            account._sync_orders()
        record = self.connector_order("MC1")
        sale = record.sale_order_id
        self.assertEqual(record.state, "done", record.message)
        self.assertEqual(sale.company_id, self.company)
        self.assertEqual(sale.order_line.company_id, self.company)
        self.assertEqual(sale.picking_ids.company_id, self.company)
        self.assertEqual(sale.warehouse_id, self.warehouse)
        for partner in sale.partner_id | sale.partner_invoice_id | sale.partner_shipping_id:
            self.assertIn(partner.company_id.id, (self.company.id, False))
        for model in ("sale.order", "stock.picking", "connector.order", "connector.sync.log", "res.partner"):
            self.assertFalse(
                self.env[model].sudo().search_count([("company_id", "=", company_b.id)]),
                f"{model} record in company B",
            )
        user_b = new_test_user(
            self.env,
            login="sales_b",
            groups="sales_team.group_sale_salesman",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        env_b = self.env(user=user_b, context={"allowed_company_ids": company_b.ids})
        self.assertEqual(self.connector_order("MC2").state, "attention")
        for model in ("connector.account", "connector.order", "connector.sync.log"):
            self.assertFalse(
                env_b[model].search([("company_id", "=", self.company.id)]), f"{model} visible in B"
            )
        with self.assertRaises(AccessError):
            env_b["connector.account"].browse(self.account.id).read(["name"])
        with self.assertRaises(AccessError):
            env_b["connector.order"].browse(self.connector_order("MC2").id).read(["message"])
        # and the menu counters of B's users count nothing of A
        self.assertFalse(env_b["connector.order"].search_count([("state", "=", "attention")]))

    # --- personal data -----------------------------------------------------------------

    def _leftovers(self, email, name):
        """Connector records that still mention the person."""
        self.env.flush_all()
        found = []
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM connector_order WHERE lower(payload::text) LIKE %s OR payload::text LIKE %s",
                f"%{email}%",
                f"%{name}%",
            )
        )
        found += [f"payload of connector.order {r[0]}" for r in rows]
        for term in (email, name):
            logs = self.env["connector.sync.log"].search([("message", "ilike", term)])
            found += [f"log {line.id}" for line in logs]
            records = self.env["connector.order"].search([("message", "ilike", term)])
            found += [f"reason of {r.id}" for r in records]
            messages = self.env["mail.message"].search(
                [("model", "=", "connector.order"), ("body", "ilike", term)]
            )
            found += [f"chatter {m.id}" for m in messages]
            activities = self.env["mail.activity"].search(
                [
                    ("res_model", "=", "connector.order"),
                    "|",
                    ("note", "ilike", term),
                    ("summary", "ilike", term),
                ]
            )
            found += [f"activity {a.id}" for a in activities]
        return found

    def test_erasure_request_leaves_no_personal_data_in_the_connectors(self):
        self.account.order_type = "quotation"
        email, name = "greta.privat@example.org", "Greta Privat"
        person = {
            "name": name,
            "street": "Geheimweg",
            "house_number": "7",
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        }
        imported = canonical_order("PD1", buyer_email=email, billing=person, shipping=person)
        parked = canonical_order("PD2", buyer_email=email.upper(), billing=person, shipping=person)
        parked["lines"][0]["sku"] = "NOT-IN-ODOO"
        parked["reference"] = f"PD2 {email}"  # a reference that quotes the e-mail: in log lines
        other = canonical_order("PD3")
        self.sync(imported, parked, other)
        self.account._log("order", "warning", f"Buyer {email} asked for a gift note", reference="PD1")
        self.assertTrue(self._leftovers(email, name), "the test data mentions the person")
        sale = self.connector_order("PD1").sale_order_id
        sale.partner_id.action_connector_forget()
        self.assertFalse(self._leftovers(email, name))
        self.assertEqual(self.connector_order("PD2").state, "ignored")
        self.assertTrue(self.connector_order("PD3").payload, "other customers' data stays")
        self.assertTrue(sale.exists(), "the sale order is the merchant's record and stays")
        # the same order fetched again is recognised (hash kept), not stored again
        stats = self.sync(imported)
        self.assertEqual(stats["unchanged"], 1)
        self.assertFalse(self._leftovers(email, name))

        # deleting a customer (here: a quotation cancelled and deleted first) does the same
        email2, name2 = "tom.weg@example.org", "Tom Weg"
        person2 = dict(person, name=name2)
        self.sync(canonical_order("PD4", buyer_email=email2, billing=person2, shipping=person2))
        sale2 = self.connector_order("PD4").sale_order_id
        partner2 = sale2.partner_id
        sale2.action_cancel()
        sale2.unlink()
        self.assertTrue(self._leftovers(email2, name2))
        partner2.unlink()
        self.assertFalse(self._leftovers(email2, name2))
