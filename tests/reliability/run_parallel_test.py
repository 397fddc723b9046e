"""Many job workers, one truth: a burst of orders imported by 4 workers at once.

    /opt/odoo-19.0/venv/bin/python tests/reliability/run_parallel_test.py [--keep]

Against a CCV Shop emulator (in this process, real signed HTTP) and a database of
its own (copied from scripts/lib.sh's template, dropped at the end):

1. two shops of one company sell the same catalogue; Odoo has none of its
   products. Both accounts import their catalogue at the same moment with
   *create missing products* on: every SKU becomes one product (the later import
   fails to serialize, runs again and binds the products the first created);
2. a burst of orders in which buyers repeat back to back: the same e-mail in
   another case and with spaces, the same and another delivery address, company
   buyers of one company sharing its VAT id, a company without VAT id ordering
   twice; the products are new, the prices include VAT (so the taxes need their
   tax-included twins, none of which exists yet);
3. one sync stores the burst; the Odoo server (4 HTTP worker processes and the
   queue_job runner with 4 channels) imports it.

Afterwards: every channel order is one sale order with the shop's total to the
cent, every customer exists once, every company once, every address once, every
tax-included twin once, and no job failed for good. Serialization retries are
counted (they are how a losing worker learns that another one created the record).

Exit code 0 when every check holds; the last line is a JSON summary.
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from tests.emulators.ccv import address, customer  # noqa: E402
from tests.reliability.harness import OdooInstance, Scenario, Shop, check, log, task_result  # noqa: E402
from tests.reliability.run_crash_test import assert_exactly_once, wait_all_imported  # noqa: E402

# SKU, name, gross price, CCV tax tariff: none of them exists in Odoo before the test
CATALOGUE = [
    ("PAR-001", "Kaffeebohnen 1 kg", 24.95, "normal"),
    ("PAR-002", "Espresso 500 g", 12.5, "normal"),
    ("PAR-003", "Kaffeebecher", 8.95, "normal"),
    ("PAR-004", "Milchaufschäumer", 29.95, "normal"),
    ("PAR-005", "Kochbuch Kaffee", 19.9, "low a"),
    ("PAR-006", "Reiseführer", 14.0, "low a"),
]
COMPANY_VAT = "DE811907980"  # valid check digit; the buyer company of several employees


def buyer(email, billing, delivery=None, vat=""):
    """A CCV customer; a company has a chamber of commerce number."""
    return customer(email, billing, delivery, vat=vat, kvk="12345678" if billing["company"] else "")


def burst(persons):
    """The burst: (CCV customer, expected e-mail) in the order the shop lists them.

    Each buyer's orders come back to back, so that the workers import them at the same
    moment: the usual case of a second order placed minutes after the first.
    """
    orders = []
    for i in range(persons):
        first, last = ["Erika", "Hans", "Jürgen", "Anna", "Lena", "Max"][i % 6], f"Kunde{i}"
        email = f"{first}.{last}@kunde.example".lower()
        home = address(first, last, "Hauptstraße", i + 1, "10115", "Berlin")
        other = address(first, last, "Nebenweg", i + 1, "80331", "München")
        orders += [
            (buyer(email, home), email),
            # the same buyer as the shop may spell them: another case, spaces around
            (buyer(f"  {email.upper()} ", home), email),
            (buyer(email, home, other), email),  # another delivery address
            (buyer(email.title(), home, other), email),  # ... and that one again
        ]
    company = "Rösterei Nord GmbH"
    for j, first in enumerate(["Karl", "Petra", "Ute"]):
        email = f"{first.lower()}@roesterei-nord.example"
        billing = address(first, "Nord", "Hafenstraße", 7, "20457", "Hamburg", company=company)
        orders += [(buyer(email, billing, vat=COMPANY_VAT), email)] * (2 if j else 3)
    for first in ("Olaf", "Greta"):  # a company without VAT id: by name and address
        email = f"{first.lower()}@kaffeeklappe.example"
        billing = address(first, "Klappe", "Marktplatz", 2, "04109", "Leipzig", company="Kaffeeklappe")
        orders += [(buyer(email, billing), email)] * 2
    return orders


def add_burst(shop, persons, seed=3):
    import random  # noqa: PLC0415

    rnd = random.Random(seed)
    created = datetime.now(UTC) - timedelta(minutes=1)
    expected = {}
    for customer_data, email in burst(persons):
        rows = [(sku, rnd.randint(1, 3)) for sku, *_rest in rnd.sample(CATALOGUE, rnd.randint(1, 3))]
        order = shop.app.add_order(customer_data, rows, created=created)
        expected[str(order["id"])] = (email, order["total_price"])
    return expected


def check_unique(odoo, expected, company_id):
    emails = sorted({email for email, _total in expected.values()})
    people = dict(
        odoo.sql(
            """SELECT lower(email_normalized), count(*) FROM res_partner
                WHERE lower(email_normalized) = ANY(%s) AND NOT is_company AND type = 'contact'
                GROUP BY 1""",
            [emails],
        )
    )
    doubled = {email: n for email, n in people.items() if n > 1}
    check(not doubled, f"every customer exists once ({len(people)} of them; doubled: {doubled})")
    check(set(people) == set(emails), f"every one of the {len(emails)} buyers is a customer")
    companies = odoo.sql(
        """SELECT name, coalesce(vat, ''), count(*) FROM res_partner
            WHERE is_company AND name IN ('Rösterei Nord GmbH', 'Kaffeeklappe') GROUP BY 1, 2"""
    )
    check(
        sorted(companies) == [("Kaffeeklappe", "", 1), ("Rösterei Nord GmbH", COMPANY_VAT, 1)],
        f"every company once, the one with its VAT id ({companies})",
    )
    employees = odoo.scalar(
        """SELECT count(*) FROM res_partner p JOIN res_partner c ON c.id = p.parent_id
            WHERE c.vat = %s AND NOT p.is_company""",
        [COMPANY_VAT],
    )
    check(employees == 3, f"the three buyers of the company with VAT id are its contacts ({employees})")
    addresses = odoo.sql(
        """SELECT parent_id, type, name, street, zip, count(*) FROM res_partner
            WHERE parent_id IS NOT NULL AND type IN ('invoice', 'delivery')
            GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1"""
    )
    check(not addresses, f"every invoice and delivery address once (doubled: {addresses})")
    deliveries = odoo.scalar(
        "SELECT count(*) FROM res_partner WHERE type = 'delivery' AND street LIKE 'Nebenweg %%'"
    )
    persons = len([e for e in emails if e.endswith("@kunde.example")])
    check(deliveries == persons, f"each buyer's other delivery address exists once ({deliveries})")
    twins = odoo.sql(
        """SELECT connector_source_tax_id, count(*) FROM account_tax
            WHERE connector_source_tax_id IS NOT NULL AND company_id = %s GROUP BY 1""",
        [company_id],
    )
    check(
        len(twins) == 2 and all(n == 1 for _t, n in twins),
        f"one tax-included twin of each of the two taxes used ({twins})",
    )


def check_amounts(odoo, account_id, expected):
    rows = odoo.sql(
        "SELECT connector_external_id, amount_total FROM sale_order WHERE connector_account_id = %s",
        [account_id],
    )
    wrong = {
        ext: (float(total), expected[ext][1])
        for ext, total in rows
        if ext in expected and abs(float(total) - float(expected[ext][1])) > 0.001
    }
    check(not wrong, f"every order total is the shop's to the cent (wrong: {wrong})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=8, help="private buyers (4 orders each)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument(
        "--catalogue-in-turn",
        action="store_true",
        help="the two catalogue imports one after the other (to look at the orders part alone)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    odoo = OdooInstance(f"cnb_parallel_{os.getpid()}", channels=f"root:{args.workers}", workers=args.workers)
    shop = Shop()
    shop.app.products.clear()
    for sku, name, price, tariff in CATALOGUE:
        shop.app.add_product(sku, name, price, stock=1000, taxtariff=tariff)
    summary = {"workers": args.workers}
    with Scenario(summary, odoo, shop, args.keep) as run:
        log(f"database {odoo.db}: installing shop_ccv")
        odoo.create("shop_ccv")
        log(f"installed ({time.monotonic() - started:.0f} s)")
        accounts = []
        for name in ("Parallel CCV", "Parallel CCV 2"):
            result = odoo.run_task(
                "setup",
                url=shop.url,
                catalogue=[],
                account_name=name,
                extra={"catalogue_auto_create": True, "vat_check_mode": "format"},
            )
            accounts.append(result["account_id"])
        account_id, company_id = accounts[0], result["company_id"]

        # --- 1. two catalogue imports at once create each product once ----------------
        # both transactions begin (take their snapshot) before the common start
        start_at = time.time() + 12
        if args.catalogue_in_turn:
            results = [odoo.run_task("catalogue", account_id=a) for a in accounts]
        else:
            processes = [odoo.task("catalogue", account_id=a, start_at=start_at) for a in accounts]
            results = [task_result(p, *p.communicate(timeout=180), "catalogue") for p in processes]
            check(
                max(r["started"] for r in results) - start_at < 0.5,
                "the two catalogue imports started at the same moment",
            )
        summary["catalogue"] = results
        log(f"catalogue imports: {json.dumps(results)}")
        products = dict(
            odoo.sql(
                """SELECT default_code, count(*) FROM product_product
                    WHERE default_code LIKE 'PAR-%%' GROUP BY 1"""
            )
        )
        check(
            products == {sku: 1 for sku, *_rest in CATALOGUE},
            f"two catalogue imports at once: every SKU is one product ({products})",
        )
        bindings = odoo.scalar(
            "SELECT count(*) FROM connector_product_binding WHERE account_id = ANY(%s)", [accounts]
        )
        check(bindings == 2 * len(CATALOGUE), f"both shops' listings are bound ({bindings})")

        # --- 2./3. the burst, imported by the workers -----------------------------------
        expected = add_burst(shop, args.persons)
        summary["orders"] = len(expected)
        log(f"{len(expected)} orders in the shop ({time.monotonic() - started:.0f} s)")
        result = odoo.run_task("sync", account_id=account_id)
        check(result["stats"]["new"] == len(expected), f"the sync stored all {len(expected)} orders")
        log(f"starting the Odoo server ({args.workers} workers, queue_job runner root:{args.workers})")
        import_started = time.monotonic()
        odoo.start_server()
        wait_all_imported(odoo, account_id, set(expected), 240)
        summary["import_seconds"] = round(time.monotonic() - import_started, 1)
        assert_exactly_once(odoo, account_id, set(expected), "the burst")
        check_amounts(odoo, account_id, expected)
        check_unique(odoo, expected, company_id)
        retried = odoo.scalar(
            """SELECT coalesce(sum(retry - 1), 0) FROM queue_job
                WHERE method_name = '_import_job' AND retry > 1"""
        )
        summary["job_retries"] = int(retried)
        log(f"{retried} job retries (a buyer's second order waiting for the first)")
        odoo.stop_server()
    return run.exit_code


if __name__ == "__main__":
    sys.exit(main())
