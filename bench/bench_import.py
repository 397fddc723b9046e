# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order import benchmark: the connector against the ORM floor, same database.

    bash bench/run.sh import            (1,000 orders; N=... to change)

Imports N canonical orders (2-3 lines each, half of them from new customers)
through the engine, then creates orders of the same shape with nothing but
``res.partner.create`` + ``sale.order.create`` + ``action_confirm``. Prints
orders per second and SQL queries per order for both, for 100 and for N orders,
so one sees whether the connector's cost per order stays flat as the batch grows.

Both flows run as they do in production: every order in its own transaction,
committed. The connector's flow is the real one: a fetch stores the payloads and
enqueues one queue_job job per order, then each job is run by queue_job's own
runner code (``RunJobController``: acquire, perform, done, commit), as the job
runner does over HTTP. Running all orders inside one transaction instead would
measure an artefact: Odoo 19 looks environments up linearly among those alive in
the transaction, and every job has its own (``job_uuid`` in its context).

The database is a throwaway copy (see run.sh); its statistics are refreshed
(``ANALYZE``) before each flow, as autovacuum keeps them in a live database. A
template copied with stale statistics ("0 rows in 13 pages") makes PostgreSQL
pick nested-loop scans that grow with every order, for both flows alike.
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


def make_orders(n, tag, seed=7):
    """n orders; ``tag`` keeps each flow's customers and order ids its own."""
    rnd = random.Random(seed)
    base = datetime(2026, 11, 1)
    orders = []
    for i in range(n):
        # half new customers, half from a pool of 50 returning ones, who order to the address
        # they gave the first time (a changed address is not the floor's business: the
        # connector would add invoice and delivery addresses for it)
        customer = f"new{i}" if i % 2 else f"repeat{rnd.randrange(50)}"
        email = f"{customer}.{tag}@bench.example"
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
        name = email.split(".", maxsplit=1)[0].title()
        address = {
            "name": f"{name} Bench",
            "street": "Benchstraße",
            "house_number": str(sum(map(ord, customer)) % 90 + 1),
            "zip": "20457",
            "city": "Hamburg",
            "country_code": "DE",
        }
        orders.append(
            {
                "external_id": f"{tag}-{i}",
                "reference": f"BENCH-{tag}-{i}",
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
    return account, tax


class Measure:
    """Wall time and SQL queries of a flow, over the cursors it opens."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    @contextmanager
    def timing(self):
        start = time.perf_counter()
        yield
        self.seconds += time.perf_counter() - start

    @contextmanager
    def cursor(self, registry):
        """A transaction committed at the end, as a worker's request or job."""
        with registry.cursor() as cr:
            yield api.Environment(cr, odoo.SUPERUSER_ID, {})
            self.queries += cr.sql_log_count


def run_connector(registry, account_id, orders):
    # imported here: the addon's modules load once the config is read
    from odoo.addons.connector_base.schema import RawOrder  # noqa: PLC0415
    from odoo.addons.queue_job.controllers.main import RunJobController  # noqa: PLC0415

    raws = [
        RawOrder(o["external_id"], datetime.fromisoformat(o["updated_at"]), o, o["reference"]) for o in orders
    ]
    m = Measure()
    with m.timing():
        # the cron's fetch: payloads stored, one job per order enqueued, committed
        with m.cursor(registry) as env:
            account = env["connector.account"].browse(account_id)
            Account = type(account)
            with patch.object(Account, "_fetch_orders", lambda self, since: iter(raws)):
                account._sync_orders()
            env.cr.execute(
                "SELECT uuid FROM queue_job WHERE state = 'pending' AND model_name = 'connector.order' "
                "ORDER BY id"
            )
            uuids = [row[0] for row in env.cr.fetchall()]
            # what the job runner does (in its own process) before it calls /queue_job/runjob
            env.cr.execute("UPDATE queue_job SET state = 'enqueued' WHERE uuid IN %s", [tuple(uuids)])
        # the fetch inserted a whole batch of payloads and jobs at once; autovacuum analyses
        # such a table within its naptime (1 min), long before 1,000 jobs are done
        with registry.cursor() as cr:
            cr.execute("ANALYZE queue_job, queue_job_lock, connector_order")
        # each job as /queue_job/runjob runs it: its own transaction, committed
        for uuid in uuids:
            with m.cursor(registry) as env:
                job = RunJobController._acquire_job(env, uuid)
                RunJobController._runjob(env, job)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM connector_order "
            "WHERE account_id = %s AND state = 'done' AND external_id IN %s",
            [account_id, tuple(o["external_id"] for o in orders)],
        )
        done = cr.fetchone()[0]
    assert done == len(orders), f"only {done} of {len(orders)} imported"
    return m


def run_floor(registry, orders):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        products = env["product.product"].search([("default_code", "=like", "BENCH-%")])
        by_sku = {p.default_code: p.id for p in products}
        shipping_id = env.ref("connector_base.product_channel_shipping").id
        germany_id = env.ref("base.de").id
    partners = {}
    m = Measure()
    with m.timing():
        for order in orders:
            with m.cursor(registry) as env:
                email = order["buyer_email"]
                partner_id = partners.get(email)
                if not partner_id:
                    a = order["billing"]
                    partner_id = partners[email] = (
                        env["res.partner"]
                        .create(
                            {
                                "name": a["name"],
                                "email": email,
                                "street": f"{a['street']} {a['house_number']}",
                                "zip": a["zip"],
                                "city": a["city"],
                                "country_id": germany_id,
                            }
                        )
                        .id
                    )
                sale = env["sale.order"].create(
                    {
                        "partner_id": partner_id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": by_sku[line["sku"]],
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
                                    "product_id": shipping_id,
                                    "product_uom_qty": 1.0,
                                    "price_unit": float(order["shipping_incl"]),
                                }
                            )
                        ],
                    }
                )
                sale.action_confirm()
    return m


def run(registry):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        account, _tax = setup(env)
        account_id = account.id
        cr.commit()
        cr.execute("ANALYZE")
    print(f"{'batch':>6} {'flow':<10} {'orders/s':>9} {'queries/order':>14}", flush=True)
    figures = {}
    # a warm-up of both flows first: the first orders of a process pay for cold caches
    # (routes, rules, ormcache), which would otherwise be charged to whichever runs first
    for size in (20, 100, N):
        for flow in ("floor", "connector"):
            orders = make_orders(size, tag=f"{flow}{size}", seed=size)
            # fresh statistics for each flow, as autovacuum keeps them: otherwise the flow
            # that runs second plans its queries on counts that predate the first one's rows
            with registry.cursor() as cr:
                cr.execute("ANALYZE")
            if flow == "connector":
                m = run_connector(registry, account_id, orders)
            else:
                m = run_floor(registry, orders)
            rate, qpo = size / m.seconds, m.queries / size
            figures[size, flow] = rate
            if size != 20:
                print(f"{size:>6} {flow:<10} {rate:>9.1f} {qpo:>14.1f}", flush=True)
    for size in (100, N):
        print(f"connector / floor at {size}: {figures[size, 'connector'] / figures[size, 'floor']:.2f}x")


if __name__ == "__main__" and len(sys.argv) == 3:  # python bench_import.py CONF DB
    odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2]])
    run(Registry(sys.argv[2]))
