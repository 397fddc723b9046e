# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock export benchmark: N bound SKUs (default 10,000).

    bash bench/run.sh stock             (10,000 SKUs; BENCH_SKUS=... to change)

run.sh calls ``python bench/bench_stock.py CONF DB`` on a fresh database with
connector_base; the file also runs fed to ``odoo-bin shell`` (which provides
``env``). Prints the SQL queries and seconds to compute all
quantities, the number of SKUs sent on a first push, the number sent after
changing 10 quants (goal: exactly 10), and the query count of the computation
for 1,000 vs N SKUs (goal: equal). Everything is rolled back at the end.
"""
# pylint: disable=print-used

import logging
import os
import sys
import time
from unittest.mock import patch

import odoo
from odoo import api
from odoo.modules.registry import Registry

N = int(os.environ.get("BENCH_SKUS", "10000"))
SMALL = min(1000, N)


class QueryLog(logging.Handler):
    """Collect the SQL statements Odoo logs at DEBUG level."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        self.queries.append(record.getMessage())

    def __enter__(self):
        self.logger = logging.getLogger("odoo.sql_db")
        self.level, self.propagate = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level)
        self.logger.propagate = self.propagate


def setup(env):
    t0 = time.perf_counter()
    ctx = dict(env.context, tracking_disable=True, mail_create_nolog=True, queue_job__no_delay=True)
    env = env(context=ctx)
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    templates = env["product.template"].create(
        [
            {"name": f"Bench product {i}", "default_code": f"BENCH-{i:05d}", "is_storable": True}
            for i in range(N)
        ]
    )
    products = templates.product_variant_ids
    env.flush_all()
    # quants straight in SQL: the benchmark is about reading them, not creating them
    env.cr.execute(
        """INSERT INTO stock_quant (product_id, location_id, company_id, quantity, reserved_quantity,
                                    in_date, create_uid, create_date, write_uid, write_date)
           SELECT p.id, %s, %s, 5 + (p.id %% 50), (p.id %% 3), now() at time zone 'UTC', 1,
                  now() at time zone 'UTC', 1, now() at time zone 'UTC'
             FROM product_product p WHERE p.id IN %s""",
        [warehouse.lot_stock_id.id, company.id, tuple(products.ids)],
    )
    Account = env["connector.account"]
    big = Account.create({"name": "Bench big", "company_id": company.id, "warehouse_id": warehouse.id})
    small = Account.create({"name": "Bench small", "company_id": company.id, "warehouse_id": warehouse.id})
    Binding = env["connector.product.binding"]
    Binding.create(
        [{"account_id": big.id, "product_id": p.id, "external_sku": p.default_code} for p in products]
    )
    Binding.create(
        [
            {"account_id": small.id, "product_id": p.id, "external_sku": p.default_code}
            for p in products[:SMALL]
        ]
    )
    env.flush_all()
    env.invalidate_all()
    print(f"setup: {N} products, quants and bindings in {time.perf_counter() - t0:.1f} s")
    return env, big, small, warehouse, products


def compute_all(account):
    """What the export does before it enqueues: read bindings, compute quantities."""
    account.env.invalidate_all()
    start_count = account.env.cr.sql_log_count
    t0 = time.perf_counter()
    with QueryLog() as log:
        rows = account._get_stock_rows()
        quantities = account._compute_stock_quantities({row["product_id"] for row in rows})
        values = [account._publishable_qty(quantities, row) for row in rows]
    seconds = time.perf_counter() - t0
    return len(values), account.env.cr.sql_log_count - start_count, seconds, log.queries


def main(env):
    env, big, small, warehouse, products = setup(env)
    for mode in ("available", "on_hand", "forecast"):
        big.stock_mode = small.stock_mode = mode
        skus, queries, seconds, log = compute_all(big)
        skus_small, queries_small, seconds_small, _log = compute_all(small)
        print(
            f"\n[{mode}] compute {skus} SKUs: {queries} queries, {seconds:.3f} s | "
            f"{skus_small} SKUs: {queries_small} queries, {seconds_small:.3f} s"
        )
        if mode == "available":
            for query in log:
                print("   ", query[:260] + (" ..." if len(query) > 260 else ""))
    big.stock_mode = "available"

    sent = []

    def push_stock(account, items):
        sent.extend(items)
        return None

    Account = type(env["connector.account"])
    with patch.object(Account, "_push_stock", push_stock):
        t0 = time.perf_counter()
        queued = big._export_stock()
        print(f"\nfirst push: {queued} SKUs queued, {len(sent)} sent in {time.perf_counter() - t0:.1f} s")
        sent.clear()
        queued = big._export_stock()
        print(f"second push without changes: {queued} queued, {len(sent)} sent")
        changed = products[:: max(N // 10, 1)][:10]
        for product in changed:
            env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, -1)
        sent.clear()
        t0 = time.perf_counter()
        queued = big._export_stock()
        print(
            f"after changing 10 quants: {queued} queued, {len(sent)} sent "
            f"({'OK' if len(sent) == 10 else 'EXPECTED 10'}) in {time.perf_counter() - t0:.2f} s"
        )
    env.cr.rollback()


if "env" in globals():  # odoo-bin shell
    main(globals()["env"])
elif __name__ == "__main__" and len(sys.argv) == 3:  # python bench_stock.py CONF DB
    odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2]])
    with Registry(sys.argv[2]).cursor() as _cr:
        main(api.Environment(_cr, odoo.SUPERUSER_ID, {}))
