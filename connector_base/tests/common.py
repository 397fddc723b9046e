# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test base of the suite: a German company with its chart of accounts and taxes,
a warehouse, products with SKUs and EANs, and a test provider whose payloads the
test controls (canonical JSON, see ``connector.account._parse_order``)."""

import os
import sys
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.addons.connector_base.schema import RawOrder
from odoo.tests import TransactionCase, new_test_user

# The suite's emulators live in the repository's top-level tests/ package.
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.append(_ROOT)


class ConnectorCommon(TransactionCase):
    """A German company (SKR03), products, and an account of provider ``provider``."""

    provider = "none"
    chart_template = "de_skr03"
    company_country = "base.de"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, queue_job__no_delay=True))
        cls.company = cls._setup_company("Channel Test GmbH", cls.company_country, cls.chart_template)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.tax_19 = cls.env["account.tax"].search(
            [
                ("company_id", "=", cls.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 19),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
            ],
            limit=1,
        )
        cls.tax_7 = cls.env["account.tax"].search(
            [
                ("company_id", "=", cls.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 7),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
            ],
            limit=1,
        )
        Product = cls.env["product.product"]
        cls.product_shirt = Product.create(
            {
                "name": "T-Shirt",
                "default_code": "SHIRT-1",
                "barcode": "4006381333931",
                "list_price": 19.99,
                "is_storable": True,
                "taxes_id": [Command.set(cls.tax_19.ids)],
            }
        )
        cls.product_mug = Product.create(
            {
                "name": "Mug",
                "default_code": "MUG-1",
                "barcode": "4012345678901",
                "list_price": 9.5,
                "is_storable": True,
                "taxes_id": [Command.set(cls.tax_19.ids)],
            }
        )
        cls.product_book = Product.create(
            {
                "name": "Book",
                "default_code": "BOOK-1",
                "barcode": "9783161484100",
                "list_price": 12.0,
                "is_storable": True,
                "taxes_id": [Command.set(cls.tax_7.ids)],
            }
        )
        for product, qty in ((cls.product_shirt, 50), (cls.product_mug, 20), (cls.product_book, 5)):
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, qty)
        cls.account = cls._create_account()
        cls.sales_user = new_test_user(
            cls.env,
            login="channel_sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )

    @classmethod
    def _setup_company(cls, name, country_xmlid, chart_template):
        country = cls.env.ref(country_xmlid)
        company = cls.env["res.company"].create(
            {
                "name": name,
                "country_id": country.id,
                "currency_id": country.currency_id.id,
                "vat": "DE123456788" if country.code == "DE" else False,
            }
        )
        cls.env.user.company_ids |= company
        cls.env["account.chart.template"].with_company(company).try_loading(
            chart_template, company=company, install_demo=False
        )
        return company

    @classmethod
    def _create_account(cls, **vals):
        return cls.env["connector.account"].create(
            {
                "name": "Test Shop",
                "provider": cls.provider,
                "company_id": cls.company.id,
                "warehouse_id": cls.warehouse.id,
                "import_since": datetime(2020, 1, 1),
                **cls._account_vals(),
                **vals,
            }
        )

    @classmethod
    def _account_vals(cls):
        return {}


def canonical_order(external_id="1001", **overrides):
    """A canonical order payload: two goods lines, shipping, German consumer."""
    order = {
        "external_id": external_id,
        "reference": f"ORD-{external_id}",
        "status": "paid",
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:05:00Z",
        "currency": "EUR",
        "total_incl": "54.47",
        "prices_include_tax": True,
        "payment_method": "paypal",
        "shipping_method": "dhl",
        "shipping_incl": "4.99",
        "buyer_email": "Erika.Mustermann@Example.com",
        "billing": {
            "first_name": "Erika",
            "last_name": "Mustermann",
            "street": "Heidestraße",
            "house_number": "17",
            "zip": "51147",
            "city": "Köln",
            "country_code": "DE",
            "phone": "+49 221 1234567",
        },
        "shipping": {
            "first_name": "Erika",
            "last_name": "Mustermann",
            "street": "Heidestraße",
            "house_number": "17",
            "zip": "51147",
            "city": "Köln",
            "country_code": "DE",
        },
        "lines": [
            {
                "external_id": "L1",
                "sku": "SHIRT-1",
                "title": "T-Shirt",
                "quantity": "2",
                "unit_price_incl": "19.99",
                "tax_rate": "19",
            },
            {
                "external_id": "L2",
                "sku": "MUG-1",
                "title": "Mug",
                "quantity": "1",
                "unit_price_incl": "9.50",
                "tax_rate": "19",
            },
        ],
    }
    for key, value in overrides.items():
        order[key] = value
    return order


class TestProviderMixin:
    """Serve canonical payloads through the account's ``_fetch_orders`` hook.

    This stands in for a channel's API in the engine's own tests only; the
    provider addons test the same engine through real HTTP to their emulators.
    """

    @staticmethod
    def raw_order(payload):
        return RawOrder(
            external_id=payload["external_id"],
            updated_at=datetime.fromisoformat(payload["updated_at"].replace("Z", ""))
            if payload.get("updated_at")
            else None,
            payload=payload,
            reference=payload.get("reference", ""),
        )

    @contextmanager
    def channel(self, *payloads):
        raws = [self.raw_order(p) for p in payloads]
        calls = []

        def fetch(account, since):
            calls.append(since)
            return iter(raws)

        with patch.object(type(self.env["connector.account"]), "_fetch_orders", fetch):
            yield calls

    @contextmanager
    def channel_order(self, payload=None, error=None):
        """Serve one order (or raise ``error``) through ``_fetch_order``, as Retry reads it."""
        calls = []

        def fetch_order(account, external_id):
            calls.append(external_id)
            if error:
                raise error
            return self.raw_order(payload)

        with patch.object(type(self.env["connector.account"]), "_fetch_order", fetch_order):
            yield calls

    def sync(self, *payloads, account=None):
        account = account or self.account
        with self.channel(*payloads):
            return account._sync_orders()

    def connector_order(self, external_id, account=None):
        account = account or self.account
        return self.env["connector.order"].search(
            [("account_id", "=", account.id), ("external_id", "=", external_id)]
        )
