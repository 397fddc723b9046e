# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Long work in committed chunks, with "n of m" on the account.

Commits are savepoints here (:class:`.progress_common.CommitsAsSavepoints`). The
channel is the provider hook patched as in test_catalogue/test_export; the Kaufland
addon runs the same through HTTP to its emulator (test_kaufland_progress).
"""

from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from ..schema import ChannelProduct, PushResult
from .common import ConnectorCommon
from .progress_common import CommitsAsSavepoints, WorkerKilled

COUNT = 250
CHUNK = 100


@tagged("post_install", "-at_install")
class TestProgress(CommitsAsSavepoints, ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"Progress item {n}",
                    "default_code": f"PRG-{n:03d}",
                    "is_storable": True,
                    "list_price": 10.0,
                    "taxes_id": [Command.set(cls.tax_19.ids)],
                }
                for n in range(1, COUNT + 1)
            ]
        )
        cls.Listing = cls.env["connector.listing"]
        cls.Binding = cls.env["connector.product.binding"]

    # --- helpers ------------------------------------------------------------

    @staticmethod
    def catalogue(prefix="PRG"):
        return [
            ChannelProduct(
                sku=f"{prefix}-{n:03d}",
                name=f"Listing {n}",
                price=Decimal("11.90"),
                price_includes_tax=True,
                tax_rate=Decimal("19"),
                quantity=Decimal(2),
                external_id=f"L-{prefix}-{n}",
            )
            for n in range(1, COUNT + 1)
        ]

    @contextmanager
    def channel(self, listings, fail_chunk=None, fail_create=None):
        """The channel's listings; ``fail_chunk``/``fail_create``: the worker dies in that chunk."""
        Account = type(self.env["connector.account"])
        Listing = type(self.Listing)
        import_chunk = Account._import_catalogue_chunk
        create_products = Listing._create_products
        calls = {"chunk": 0, "create": 0}

        def fetch(account):
            yield from listings

        def chunk(account, *args, **kwargs):
            calls["chunk"] += 1
            result = import_chunk(account, *args, **kwargs)
            if calls["chunk"] == fail_chunk:
                raise WorkerKilled("server closed the connection unexpectedly")
            return result

        def create(listings, *args, **kwargs):
            calls["create"] += 1
            result = create_products(listings, *args, **kwargs)
            if calls["create"] == fail_create:
                raise WorkerKilled("server closed the connection unexpectedly")
            return result

        with (
            patch.object(Account, "_fetch_catalogue", fetch),
            patch("odoo.addons.connector_base.models.connector_account_catalogue.CATALOGUE_CHUNK", CHUNK),
            patch.object(Account, "_import_catalogue_chunk", chunk),
            patch.object(Listing, "_create_products", create),
        ):
            yield calls

    def listings_by_sku(self):
        counts = {}
        for listing in self.Listing.search([("account_id", "=", self.account.id)]):
            counts[listing.sku] = counts.get(listing.sku, 0) + 1
        return counts

    # --- catalogue ----------------------------------------------------------

    def test_catalogue_import_commits_each_chunk_with_its_progress(self):
        with self.channel(self.catalogue()), self.committing("catalogue") as commits:
            stats = self.account._import_catalogue()
        # each commit holds the chunk's listings and the count the account shows
        self.assertEqual(
            commits,
            [
                ("listings read", 0, 0, "running", 0),
                ("listings read", 100, 0, "running", 0),
                ("listings read", 200, 0, "running", 0),
                ("listings", 0, 250, "running", 0),
                ("listings", 100, 250, "running", 100),
                ("listings", 200, 250, "running", 200),
                ("listings", 250, 250, "running", 250),
            ],
        )
        self.assertEqual(stats["bound"], COUNT)
        self.assertEqual(self.run_state("catalogue"), ("listings", 250, 250, "done"))
        self.assertFalse(self.label())  # nothing running any more

    def test_catalogue_import_reports_to_the_running_cron(self):
        cron = self.env.ref("connector_base.ir_cron_connector_import_catalogue")
        cron_progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        account = self.account.with_context(cron_id=cron.id, ir_cron_progress_id=cron_progress.id)
        remaining = []

        def record():
            remaining.append((cron_progress.done, cron_progress.remaining))

        with self.channel(self.catalogue()), self.committing("catalogue", record):
            account._import_catalogue()
        # ir.cron's own counters: what the scheduler uses to run the cron again or not
        self.assertEqual(remaining[-4:], [(0, 250), (100, 150), (200, 50), (250, 0)])

    def test_crash_in_chunk_two_keeps_chunk_one_and_the_rerun_completes_it(self):
        with self.channel(self.catalogue(), fail_chunk=2), self.committing("catalogue") as commits:
            self.die(self.account._import_catalogue)
        # chunk one survived the crash, with its bindings; chunk two left nothing
        first = self.Listing.search([("account_id", "=", self.account.id)])
        self.assertEqual(sorted(first.mapped("sku")), [f"PRG-{n:03d}" for n in range(1, CHUNK + 1)])
        self.assertEqual(len(self.account.binding_ids), CHUNK)
        self.assertEqual(commits[-1][:4], ("listings", 100, 250, "failed"))
        self.assertIn("stopped at 100 of 250 listings", self.label())
        self.assertIn("server closed the connection", self.label())

        with self.channel(self.catalogue()), self.committing("catalogue"):
            stats = self.account._import_catalogue()
        # chunk one is passed over (nothing new), the other 150 are imported, none twice
        self.assertEqual((stats["bound"], stats["new_bindings"]), (COUNT, COUNT - CHUNK))
        self.assertEqual(set(self.listings_by_sku().values()), {1})
        self.assertEqual(len(self.listings_by_sku()), COUNT)
        self.assertEqual(len(self.account.binding_ids), COUNT)
        self.assertEqual(len(self.account.binding_ids.product_id), COUNT)
        self.assertLessEqual(first, self.Listing.search([("account_id", "=", self.account.id)]))
        self.assertEqual(self.run_state("catalogue"), ("listings", 250, 250, "done"))
        self.assertFalse(self.label())

    def test_crash_while_creating_products_creates_none_twice(self):
        self.account.catalogue_auto_create = True
        Product = self.env["product.product"].with_context(active_test=False)
        before = Product.search_count([])
        with self.channel(self.catalogue("NEW"), fail_create=2), self.committing("catalogue") as commits:
            self.die(self.account._import_catalogue)
        self.assertEqual(commits[-1][:4], ("products created", 100, 250, "failed"))
        self.assertEqual(Product.search_count([]), before + CHUNK)
        self.assertEqual(len(self.Listing.search([("account_id", "=", self.account.id)])), COUNT)

        with self.channel(self.catalogue("NEW")), self.committing("catalogue"):
            stats = self.account._import_catalogue()
        self.assertEqual(stats["created"], COUNT - CHUNK)
        self.assertEqual(Product.search_count([]), before + COUNT)
        skus = Product.search([("default_code", "=like", "NEW-%")]).mapped("default_code")
        self.assertEqual(sorted(skus), sorted({p.sku for p in self.catalogue("NEW")}))
        self.assertEqual(
            self.Listing.search_count([("account_id", "=", self.account.id), ("state", "=", "bound")]), COUNT
        )

    # --- export -------------------------------------------------------------

    def test_stock_export_counts_committed_batches_and_a_rerun_sends_the_rest_once(self):
        self.account.write({"export_stock": True, "stock_mode": "on_hand"})
        self.Binding.create(
            [
                {"account_id": self.account.id, "product_id": p.id, "external_sku": p.default_code}
                for p in self.products
            ]
        )
        received = []
        killed = {"at": 2, "calls": 0}

        def push_stock(account, items):
            killed["calls"] += 1
            if killed["calls"] == killed["at"]:
                raise WorkerKilled("worker killed before the batch left")
            received.extend(item.sku for item in items)
            return PushResult()

        Account = type(self.env["connector.account"])
        account = self.account.with_context(queue_job__no_delay=False)
        seen = []
        with (
            patch.object(Account, "_push_stock", push_stock),
            patch.object(Account, "_get_stock_batch_size", lambda account: CHUNK),
            self.committing("stock") as commits,
        ):
            with trap_jobs() as trap:
                self.assertEqual(account._export_stock(), COUNT)
                self.commit_as_queue_job()  # the enqueueing transaction
                jobs = list(trap.enqueued_jobs)
                self.assertEqual(len(jobs), 3)
                for job in jobs:
                    try:
                        job.perform()
                    except WorkerKilled:
                        self.crash()  # the job's transaction is lost, queue_job runs it again later
                        seen.append(self.label())
                        break
                    self.commit_as_queue_job()
            self.assertEqual([c[1:4] for c in commits], [(0, 250, "running"), (100, 250, "running")])
            self.assertEqual(seen, ["Stock export: 100 of 250 SKUs"])
            self.assertTrue(self.account.progress_running)  # read after label(): fresh
            self.assertEqual((self.account.progress_done, self.account.progress_total), (100, 250))

            # the rerun queues what the channel does not have yet, and sends it once
            killed["at"] = 0
            with trap_jobs() as trap:
                self.assertEqual(account._export_stock(), COUNT - CHUNK)
                self.commit_as_queue_job()
                for job in list(trap.enqueued_jobs):
                    job.perform()
                    self.commit_as_queue_job()
            # queue_job runs the old run's dead and pending jobs later: they find nothing to send
            for job in jobs[1:]:
                job.perform()
                self.commit_as_queue_job()
            first_run = self.env["connector.progress"].search(
                [("account_id", "=", self.account.id), ("kind", "=", "stock")], order="id", limit=1
            )
            self.assertEqual((first_run.done, first_run.total, first_run.state), (250, 250, "done"))
        self.assertEqual(len(received), COUNT)
        self.assertEqual(sorted(received), sorted(self.products.mapped("default_code")))
        self.assertEqual(self.run_state("stock"), ("SKUs", 150, 150, "done"))
        self.assertFalse(self.label())
        self.assertTrue(all(self.account.binding_ids.mapped("stock_pushed")))

    def test_product_export_shows_n_of_m_per_batch(self):
        self.products.product_tmpl_id.write({"connector_account_ids": [Command.link(self.account.id)]})
        sent = []

        def push_products(account, products):
            sent.append(len(products))
            return PushResult(external_ids={p.sku: f"ext-{p.sku}" for p in products})

        Account = type(self.env["connector.account"])
        account = self.account.with_context(queue_job__no_delay=False)
        states = []
        with (
            patch.object(Account, "_push_products", push_products),
            patch.object(Account, "_get_product_batch_size", lambda account: CHUNK),
            trap_jobs() as trap,
        ):
            self.assertEqual(account._export_products(), COUNT)
            for job in list(trap.enqueued_jobs):
                job.perform()
                states.append((self.run_state("product")[1:], self.label()))
        self.assertEqual(sent, [100, 100, 50])
        self.assertEqual(
            states,
            [
                ((100, 250, "running"), "Product export: 100 of 250 products"),
                ((200, 250, "running"), "Product export: 200 of 250 products"),
                ((250, 250, "done"), False),
            ],
        )
        self.assertEqual(len(self.account.binding_ids), COUNT)
