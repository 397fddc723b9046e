# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A catalogue of 253 Kaufland offers (GET /units, pages of 100, real HTTP to the
emulator) imported in committed chunks of 100, and its stock pushed in batches of 150
(POST /units/bulk): a worker dying in the second chunk or batch keeps the first, the
account says how far it got, and the rerun imports and sends the rest, nothing twice."""

from unittest.mock import patch

from odoo import Command
from odoo.addons.connector_base.tests.progress_common import CommitsAsSavepoints, WorkerKilled
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .common import KauflandCommon

COUNT = 250
CHUNK = 100
SEEDED = 3  # the common offers of SHIRT-1, MUG-1 and BOOK-1 on storefront de


@tagged("post_install", "-at_install")
class TestKauflandProgress(CommitsAsSavepoints, KauflandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.kaufland_storefronts = "de"
        cls.items = cls.env["product.product"].create(
            [
                {
                    "name": f"Kaufland item {n}",
                    "default_code": f"KP-{n:03d}",
                    "barcode": f"40123450{n:05d}",
                    "is_storable": True,
                    "list_price": 20.0,
                    "taxes_id": [Command.set(cls.tax_19.ids)],
                }
                for n in range(1, COUNT + 1)
            ]
        )
        for n, product in enumerate(cls.items, start=1):
            if n % 5 and n % 9:
                cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, n % 9)

    def setUp(self):
        super().setUp()
        for product in self.items:
            self.emulator.add_offer(product.default_code, product.barcode, product.name, 2380, amount=50)

    def die_in(self, method, call):
        """Patch ``connector.account.<method>``: the worker dies in its ``call``-th call."""
        Account = type(self.env["connector.account"])
        original = getattr(Account, method)
        calls = {"n": 0}

        def dying(account, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == call:
                raise WorkerKilled("server closed the connection unexpectedly")
            return original(account, *args, **kwargs)

        return patch.object(Account, method, dying)

    def test_catalogue_then_stock_in_committed_chunks_resume_without_duplicates(self):
        total = COUNT + SEEDED
        pages = []

        def pages_read():
            pages.append(len(self.emulator.requests_to("GET", r"/units$")))

        chunk_size = patch(
            "odoo.addons.connector_base.models.connector_account_catalogue.CATALOGUE_CHUNK", CHUNK
        )
        # --- catalogue: the worker dies in chunk 2 ---------------------------------------
        with (
            chunk_size,
            self.committing("catalogue", pages_read) as commits,
            self.die_in("_import_catalogue_chunk", 2),
        ):
            self.die(self.account._import_catalogue)
        listings = self.env["connector.listing"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(listings), CHUNK)
        self.assertEqual(set(listings.mapped("state")), {"bound"})
        # the read shows its progress page by page, before the next page is asked for
        self.assertEqual(
            [c[:2] for c in commits[:3]],
            [("listings read", 0), ("listings read", 100)] + [("listings read", 200)],
        )
        self.assertEqual(pages[:3], [0, 1, 2])
        self.assertEqual(commits[-1][1:4], (100, total, "failed"))
        self.assertIn(f"stopped at 100 of {total} listings", self.label())

        with chunk_size, self.committing("catalogue"):
            stats = self.account._import_catalogue()
        self.assertEqual((stats["bound"], stats["new_bindings"]), (total, total - CHUNK))
        listings = self.env["connector.listing"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(listings), total)
        self.assertEqual(len(set(listings.mapped("sku"))), total)
        bindings = self.account.binding_ids
        self.assertEqual(len(bindings), total)
        self.assertEqual(
            sorted(bindings.mapped("external_id")),
            sorted(str(self.emulator.offer(sku)["id_unit"]) for sku in listings.mapped("sku")),
        )
        self.assertFalse(self.label())

        # --- stock: 2 batches of at most 150, the worker dies in the second -------------
        self.emulator.reset_log()
        account = self.account.with_context(queue_job__no_delay=False)
        with self.committing("stock") as commits:
            with self.die_in("_push_stock", 2), trap_jobs() as trap:
                self.assertEqual(account._export_stock(), total)
                self.commit_as_queue_job()
                jobs = list(trap.enqueued_jobs)
                self.assertEqual(len(jobs), 2)
                jobs[0].perform()
                self.commit_as_queue_job()
                self.die(jobs[1].perform)
            self.assertEqual(self.label(), f"Stock export: 150 of {total} SKUs")
            # the next export (the debounced cron) sends what the channel does not have yet
            with trap_jobs() as trap:
                self.assertEqual(account._export_stock(), total - 150)
                self.commit_as_queue_job()
                for job in list(trap.enqueued_jobs):
                    job.perform()
                    self.commit_as_queue_job()
            # then queue_job runs the dead job again: nothing left to send, the run is complete
            jobs[1].perform()
            self.commit_as_queue_job()
        self.assertEqual(self.run_state("stock"), ("SKUs", total, total, "done"))
        self.assertFalse(self.label())
        # every offer's amount was sent once, and the channel has Odoo's quantities
        sent = [item["id_unit"] for r in self.emulator.requests_to("POST", "/units/bulk") for item in r.json]
        self.assertEqual(len(sent), total)
        self.assertEqual(len(set(sent)), total)
        for n, product in enumerate(self.items, start=1):
            expected = n % 9 if n % 5 else 0
            self.assertEqual(
                self.emulator.offer(product.default_code)["amount"], expected, product.default_code
            )
