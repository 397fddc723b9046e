"""One short Odoo process of the reliability harness (see harness.py).

    python odoo_task.py CONF DB TASK '{"json": "arguments"}'

Tasks: ``setup`` (German company, chart of accounts, the shop's products, a CCV
account against the emulator), ``sync`` (one ``_sync_orders`` of the account,
committed, as the cron does it), ``sync_loop`` (the same every few seconds) and
``catalogue`` (one catalogue import, run again after a serialization failure).
The last stdout line is a JSON result.
"""

import json
import os
import sys
import time
from datetime import datetime, timedelta

import psycopg2

import odoo
from odoo import Command, api
from odoo.modules.registry import Registry

CONF, DB, TASK, ARGS = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def setup(env, url, catalogue, account_name="Reliability CCV", extra=None):
    from tests.emulators.ccv import DEMO_ACCOUNT_VALUES  # noqa: PLC0415

    company = env.ref("base.main_company")
    if company.chart_template != "de_skr03":
        company.write({"country_id": env.ref("base.de").id, "vat": "DE123456788"})
        env["account.chart.template"].try_loading("de_skr03", company=company, install_demo=False)
    taxes = {}
    for rate in (19, 7):
        taxes[rate] = env["account.tax"].search(
            [
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", rate),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
            ],
            limit=1,
        )
    Product = env["product.product"]
    for sku, name, price, tariff in catalogue:
        if not Product.search_count([("default_code", "=", sku)]):
            rate = 7 if tariff.startswith("low") else 19
            Product.create(
                {
                    "name": name,
                    "default_code": sku,
                    "list_price": price,
                    "is_storable": True,
                    "taxes_id": [Command.set(taxes[rate].ids)],
                }
            )
    shipping = Product.search([("default_code", "=", "REL-SHIPPING")]) or Product.create(
        {
            "name": "Versand",
            "type": "service",
            "default_code": "REL-SHIPPING",
            "taxes_id": [Command.set(taxes[19].ids)],
        }
    )
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    account = env["connector.account"].create(
        {
            **DEMO_ACCOUNT_VALUES,
            "name": account_name,
            "provider": "ccv",
            "company_id": company.id,
            "warehouse_id": warehouse.id,
            "api_base_url": url,
            "import_since": datetime.now() - timedelta(days=1),
            "order_type": "order",
            "shipping_product_id": shipping.id,
            "fee_product_id": shipping.id,
            "responsible_user_id": env.ref("base.user_admin").id,
            **(extra or {}),
        }
    )
    return {"account_id": account.id, "company_id": company.id}


def sync(env, account_id, start_at=None):
    from odoo.addons.connector_base.exceptions import ChannelError  # noqa: PLC0415 - after the config

    if start_at:
        time.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    try:
        stats = env["connector.account"].browse(account_id)._sync_orders()
        env.cr.commit()
    except (psycopg2.OperationalError, ChannelError) as exc:
        # ChannelError: the other sync holds the account ("already running")
        env.cr.rollback()
        return {"error": type(exc).__name__, "message": str(exc).splitlines()[0], "started": started}
    return {"stats": stats, "started": started, "ended": time.time()}


def catalogue(registry, account_id, start_at=None, tries=6):
    """One catalogue import of the account, committed; run again after a serialization
    failure, as the cron's next run (or the user's next click) does."""
    from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY  # noqa: PLC0415

    started = None
    for attempt in range(1, tries + 1):
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            account = env["connector.account"].browse(account_id)
            account.read(["name"])  # the transaction's snapshot, before the common start
            if start_at and attempt == 1:
                time.sleep(max(0.0, start_at - time.time()))
            started = started or time.time()
            try:
                stats = account._import_catalogue()
                cr.commit()
            except psycopg2.OperationalError as exc:
                if exc.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY or attempt == tries:
                    raise
                cr.rollback()
                time.sleep(0.5)
                continue
        return {"stats": dict(stats), "attempts": attempt, "started": started, "ended": time.time()}
    return None


def sync_loop(registry, account_id, interval, until):
    """Sync every ``interval`` seconds until the epoch ``until`` (as a fast cron would)."""
    runs = failures = 0
    while time.time() < until:
        started = time.time()
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            try:
                env["connector.account"].browse(account_id)._sync_orders()
                cr.commit()
            except Exception:
                cr.rollback()
                failures += 1
        runs += 1
        time.sleep(max(0.0, interval - (time.time() - started)))
    return {"runs": runs, "failures": failures}


def notifications(env, account_id, base_url):
    """Point web.base.url at the server and register the account's channel notifications."""
    params = env["ir.config_parameter"].sudo()
    params.set_param("web.base.url", base_url)
    params.set_param("web.base.url.freeze", "True")
    action = env["connector.account"].browse(account_id).action_register_notifications()
    return {"type": action["params"]["type"], "message": action["params"]["message"]}


def main():
    odoo.tools.config.parse_config(["-c", CONF, "-d", DB, "--no-http"])
    registry = Registry(DB)
    if TASK == "sync_loop":
        print(json.dumps(sync_loop(registry, **ARGS)), flush=True)
        return
    if TASK == "catalogue":
        print(json.dumps(catalogue(registry, **ARGS)), flush=True)
        return
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        if TASK == "setup":
            result = setup(env, **ARGS)
        elif TASK == "sync":
            result = sync(env, **ARGS)
        elif TASK == "notifications":
            result = notifications(env, **ARGS)
        else:
            raise SystemExit(f"unknown task {TASK}")
        cr.commit()
    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
