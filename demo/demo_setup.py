# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# ruff: noqa: F821  (runs inside `odoo-bin shell`, which provides `env`)
"""Configure the demo database: a German company with its chart of accounts and
OSS fiscal positions, the channels' catalogues as products with stock, one
account per running emulator, and a one-minute import cron.

Run by scripts/demo.sh as ``odoo-bin shell -d DB < demo/demo_setup.py`` with
``DEMO_EMULATORS="kaufland=http://127.0.0.1:8701,..."``. Idempotent.
"""

import importlib
import logging
import os
import sys
from datetime import datetime, timedelta

_logger = logging.getLogger("demo_setup")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) if "__file__" in globals() else os.getcwd()
if ROOT not in sys.path:
    sys.path.append(ROOT)

LABELS = {
    "kaufland": "Kaufland DE",
    "amazon": "Amazon EU",
    "ccv": "CCV webshop",
    "mijnwebwinkel": "MijnWebwinkel",
}


def fallback_account_values(provider, module):
    """Account values for an emulator module without ``DEMO_ACCOUNT_VALUES``,
    taken from the credentials that emulator accepts."""
    if provider == "amazon":
        return {
            "amazon_lwa_client_id": module.LWA_CLIENT_ID,
            "amazon_lwa_client_secret": module.LWA_CLIENT_SECRET,
            "amazon_refresh_token": module.REFRESH_TOKEN,
            "amazon_seller_id": module.SELLER_ID,
            "amazon_region": "eu",
            "amazon_marketplace_ids": ",".join((module.DE, module.FR, module.NL, module.BE)),
        }
    return {}


def setup_company():
    company = env.ref("base.main_company")
    germany = env.ref("base.de")
    if company.country_id != germany:
        company.write(
            {
                "name": "Demo Handel GmbH",
                "country_id": germany.id,
                "street": "Hafenstraße 1",
                "zip": "20457",
                "city": "Hamburg",
                "vat": "DE123456788",
                "email": "shop@demo-handel.example",
            }
        )
    if company.chart_template != "de_skr03":
        env["account.chart.template"].try_loading("de_skr03", company=company, install_demo=False)
    if not env["account.fiscal.position"].search_count(
        [("company_id", "=", company.id), ("name", "=like", "OSS B2C %")]
    ):
        company.with_company(company)._map_eu_taxes()
    for code in ("CZK", "PLN", "GBP"):
        env["res.currency"].with_context(active_test=False).search([("name", "=", code)]).active = True
    env.ref("base.user_admin").write({"password": "admin"})
    return company


def import_catalogue(account, warehouse):
    """The channel's listings become Odoo products with stock (demo only), through the
    connector's own catalogue import with automatic product creation."""
    account.catalogue_auto_create = True
    try:
        account._import_catalogue()
    except Exception as exc:  # the demo goes on without this catalogue
        _logger.warning("catalogue of %s not read: %s", account.display_name, exc)
        return
    Quant = env["stock.quant"]
    for product in account.binding_ids.product_id.filtered("is_storable"):
        if not product.qty_available:
            Quant._update_available_quantity(product, warehouse.lot_stock_id, 25)


def forget_previous_run(account):
    """The emulators start afresh on every run and hand out the same order, refund and
    settlement ids again: keep the earlier run's records (their ids get a ``#n`` suffix),
    close what was left open, and read the channel from the start again."""
    env.flush_all()
    for table, column, account_column, state_column in (
        ("connector_order", "external_id", "account_id", "state"),
        ("connector_refund", "external_id", "account_id", "state"),
        ("connector_settlement", "external_id", "account_id", None),
        ("sale_order", "connector_external_id", "connector_account_id", None),
    ):
        closing = (
            f", {state_column} = CASE WHEN {state_column} IN ('pending', 'attention', 'waiting')"
            f" THEN 'ignored' ELSE {state_column} END"
            if state_column
            else ""
        )
        env.cr.execute(
            f"""UPDATE {table} SET {column} = {column} || '#' || id{closing}
                 WHERE {account_column} = %s AND {column} NOT LIKE '%%#%%'""",
            [account.id],
        )
    env.invalidate_all()
    vals = {"order_watermark": False, "last_error": False}
    if "refund_watermark" in account._fields:
        vals["refund_watermark"] = False
    account.write(vals)


def setup_accounts(company):
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    emulators = dict(e.split("=", 1) for e in os.environ.get("DEMO_EMULATORS", "").split(",") if "=" in e)
    providers = dict(env["connector.account"]._fields["provider"].selection)
    accounts = env["connector.account"]
    if "vies" in emulators:
        env["ir.config_parameter"].set_param(
            "connector_base.vies_wsdl_url", emulators["vies"] + "/taxation_customs/vies/checkVatService.wsdl"
        )
    for provider, url in emulators.items():
        if provider not in providers:
            continue
        module = importlib.import_module(f"tests.emulators.{provider}")
        values = dict(
            getattr(module, "DEMO_ACCOUNT_VALUES", None) or fallback_account_values(provider, module)
        )
        account = (
            env["connector.account"]
            .with_context(active_test=False)
            .search([("provider", "=", provider), ("company_id", "=", company.id)], limit=1)
        )
        vals = {
            "name": LABELS.get(provider, provider),
            "provider": provider,
            "company_id": company.id,
            "warehouse_id": warehouse.id,
            "api_base_url": url,
            "active": True,
            "import_since": datetime.now() - timedelta(days=60),
            "order_type": "order",
            "user_id": env.ref("base.user_admin").id,
            # the administrator gets the to-dos, and what the crons write is in their language
            "responsible_user_id": env.ref("base.user_admin").id,
            **values,
        }
        if account:
            account.write({k: v for k, v in vals.items() if k not in ("import_since",)})
            forget_previous_run(account)
        else:
            account = env["connector.account"].create(vals)
        import_catalogue(account, warehouse)
        accounts |= account
        print(f"  {account.display_name}: {url}")
    return accounts


def first_sync(accounts):
    """Fetch the seeded orders now: the job runner imports them as soon as Odoo starts."""
    for account in accounts:
        try:
            with env.cr.savepoint():
                result = account._in_merchant_language().action_sync_orders()
            print(f"  {account.display_name}: {result['params']['message']}")
        except Exception as exc:
            print(f"  {account.display_name}: first sync failed: {exc}")


def setup_language():
    """The administrator works in DEMO_LANG (scripts/demo.sh derives it from LANG):
    de_DE, nl_NL or en_US. The language is activated (with the addons' translations)
    when the database does not have it yet."""
    lang = os.environ.get("DEMO_LANG") or "en_US"
    if not env["res.lang"]._lang_get(lang):
        env["res.lang"]._activate_lang(lang)
        env["ir.module.module"].search([("state", "=", "installed")])._update_translations([lang])
    admin = env.ref("base.user_admin")
    if admin.lang != lang:
        admin.lang = lang
        print(f"  the administrator now works in {lang}")


setup_language()
company = setup_company()
demo_accounts = setup_accounts(company)
cron = env.ref("connector_base.ir_cron_connector_sync_orders")
cron.write({"interval_number": 1, "interval_type": "minutes", "nextcall": datetime.now(), "active": True})
# returns streamed by the emulators (Kaufland: every fourth new order) are booked within minutes
refund_cron = env.ref("connector_base.ir_cron_connector_sync_refunds", raise_if_not_found=False)
if refund_cron:
    refund_cron.write(
        {"interval_number": 2, "interval_type": "minutes", "nextcall": datetime.now(), "active": True}
    )
# Invoices and payouts: Amazon orders are invoiced at import and its settlements (published
# by the emulator every few minutes) are booked, so the invoices show as paid.
for demo_account in demo_accounts.filtered(lambda a: a.provider == "amazon"):
    demo_account.write({"order_type": "invoice", "import_settlements": True})
env.ref("connector_base.ir_cron_connector_import_settlements").write(
    {"interval_number": 2, "interval_type": "minutes", "nextcall": datetime.now(), "active": True}
)
env.cr.commit()
first_sync(demo_accounts)
env.cr.commit()
print("demo configured")
