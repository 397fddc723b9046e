# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order import benchmark: the connector against the ORM floor, same database.

    bash bench/run.sh import            (1,000 orders; N=... to change)

(run.sh feeds this file to ``odoo-bin shell``, which provides ``env``.)

Imports N canonical orders (2-3 lines each, half of them from new customers)
through the engine (fetch -> stored payload -> job -> sale order, jobs run
inline), then creates the same orders with nothing but ``res.partner.create`` +
``sale.order.create`` + ``action_confirm``. Prints orders per second and SQL
queries per order for both, for 100 and for N orders, so one sees whether the
connector's cost per order stays flat as the batch grows.
"""

import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

import odoo
from odoo import Command, api
from odoo.modules.registry import Registry

N = int(os.environ.get("N", "1000"))
SKUS = 60


def make_orders(n, seed=7):
    rnd = random.Random(seed)
    base = datetime(2026, 11, 1)
    orders = []
    for i in range(n):
        # half new customers, half from a pool of 50 returning ones
        email = f"new{i}@bench.example" if i % 2 else f"repeat{rnd.randrange(50)}@bench.example"
        lines, total = [], 0
        for j in range(rnd.choice((2, 3))):
            qty = rnd.randint(1, 3)
            price = rnd.choice(("9.99", "19.99", "4.50", "12.00"))
            total += qty * float(price)
            lines.append(
                {
                    "external_id": f"{i}-{j}",
                    "sku": f"BENCH-{rnd.randrange(SKUS):03d}",
                    "title": "Bench item",
                    "quantity": str(qty),
                    "unit_price_incl": price,
                    "tax_rate": "19",
                }
            )
        name = email.split("@", maxsplit=1)[0].title()
        address = {
            "name": f"{name} Bench",
            "street": "Benchstraße",
            "house_number": str(i % 90 + 1),
            "zip": "20457",
            "city": "Hamburg",
            "country_code": "DE",
        }
        orders.append(
            {
                "external_id": f"B{i}",
                "reference": f"BENCH-{i}",
                "status": "paid",
                "created_at": (base + timedelta(minutes=i)).isoformat(),
                "updated_at": (base + timedelta(minutes=i)).isoformat(),
                "currency": "EUR",
                "total_incl": f"{total + 4.99:.2f}",
                "prices_include_tax": True,
                "shipping_incl": "4.99",
                "buyer_email": email,
                "billing": address,
                "shipping": address,
                "lines": lines,
            }
        )
    return orders


@contextmanager
def measure(cr):
    start_queries = cr.sql_log_count
    start = time.perf_counter()
    result = {}
    yield result
    result["seconds"] = time.perf_counter() - start
    result["queries"] = cr.sql_log_count - start_queries


def setup(env):
    company = env.ref("base.main_company")
    if company.country_id.code != "DE":
        company.write({"country_id": env.ref("base.de").id, "vat": "DE123456788"})
    if company.chart_template != "de_skr03":
        env["account.chart.template"].try_loading("de_skr03", company=company, install_demo=False)
    tax = env["account.tax"].search(
        [
            ("company_id", "=", company.id),
            ("type_tax_use", "=", "sale"),
            ("amount", "=", 19),
            ("price_include", "=", False),
        ],
        limit=1,
    )
    Product = env["product.product"]
    products = Product.search([("default_code", "=like", "BENCH-%")])
    if len(products) < SKUS:
        Product.create(
            [
                {
                    "name": f"Bench {i:03d}",
                    "default_code": f"BENCH-{i:03d}",
                    "list_price": 10,
                    "is_storable": True,
                    "taxes_id": [Command.set(tax.ids)],
                }
                for i in range(SKUS)
            ]
        )
    account = env["connector.account"].search([("name", "=", "Bench")], limit=1) or env[
        "connector.account"
    ].create(
        {
            "name": "Bench",
            "company_id": company.id,
            "import_since": datetime(2020, 1, 1),
            "order_type": "order",
        }
    )
    env.cr.commit()
    return account, tax


def run_connector(env, account, orders):
    from odoo.addons.connector_base.schema import RawOrder  # noqa: PLC0415 - after the config is read

    raws = [
        RawOrder(o["external_id"], datetime.fromisoformat(o["updated_at"]), o, o["reference"]) for o in orders
    ]
    Account = type(env["connector.account"])
    with patch.object(Account, "_fetch_orders", lambda self, since: iter(raws)), measure(env.cr) as m:
        account.with_context(queue_job__no_delay=True)._sync_orders()
        env.flush_all()
    done = env["connector.order"].search_count([("account_id", "=", account.id), ("state", "=", "done")])
    assert done == len(orders), f"only {done} of {len(orders)} imported"
    return m


def run_floor(env, orders, tax):
    Product = env["product.product"]
    by_sku = {p.default_code: p for p in Product.search([("default_code", "=like", "BENCH-%")])}
    shipping = env.ref("connector_base.product_channel_shipping")
    partners = {}
    with measure(env.cr) as m:
        for order in orders:
            email = order["buyer_email"]
            partner = partners.get(email)
            if not partner:
                a = order["billing"]
                partner = partners[email] = env["res.partner"].create(
                    {
                        "name": a["name"],
                        "email": email,
                        "street": f"{a['street']} {a['house_number']}",
                        "zip": a["zip"],
                        "city": a["city"],
                        "country_id": env.ref("base.de").id,
                    }
                )
            sale = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": by_sku[line["sku"]].id,
                                "product_uom_qty": float(line["quantity"]),
                                "price_unit": float(line["unit_price_incl"]),
                            }
                        )
                        for line in order["lines"]
                    ]
                    # the same shipping line the connector books
                    + [
                        Command.create(
                            {
                                "product_id": shipping.id,
                                "product_uom_qty": 1.0,
                                "price_unit": float(order["shipping_incl"]),
                            }
                        )
                    ],
                }
            )
            sale.action_confirm()
        env.flush_all()
    return m


def run(env):
    cr = env.cr
    account, tax = setup(env)
    if account:
        print(f"{'batch':>6} {'flow':<10} {'orders/s':>9} {'queries/order':>14}")
        figures = {}
        # a warm-up of both flows first: the first orders of a process pay for cold caches
        # (routes, rules, ormcache), which would otherwise be charged to whichever runs first
        for size, flows in (
            (20, ("floor", "connector")),
            (100, ("floor", "connector")),
            (N, ("floor", "connector")),
        ):
            orders = make_orders(size, seed=size)
            for flow in flows:
                cr.execute("SAVEPOINT bench")
                if flow == "connector":
                    m = run_connector(env, account, orders)
                else:
                    m = run_floor(env, orders, tax)
                cr.execute("ROLLBACK TO SAVEPOINT bench")
                env.invalidate_all()
                rate, qpo = size / m["seconds"], m["queries"] / size
                figures[size, flow] = rate
                if size != 20:
                    print(f"{size:>6} {flow:<10} {rate:>9.1f} {qpo:>14.1f}", flush=True)
        print(f"connector / floor at {N}: {figures[N, 'connector'] / figures[N, 'floor']:.2f}x")
        cr.rollback()


if "env" in globals():  # odoo-bin shell
    run(globals()["env"])
elif __name__ == "__main__" and len(sys.argv) == 3:  # python bench_import.py CONF DB
    odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2]])
    with Registry(sys.argv[2]).cursor() as _cr:
        run(api.Environment(_cr, odoo.SUPERUSER_ID, {}))
