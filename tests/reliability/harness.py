"""Process-level harness: a real Odoo (own database, own server process with the
queue_job runner) against a CCV Shop emulator, for the crash test and the soak.

Nothing here imports Odoo: Odoo runs in child processes that can be killed for
real (SIGKILL), and the harness reads the outcome straight from PostgreSQL.

The database is a copy of the cached template of Odoo's own modules that
``scripts/lib.sh`` (``ensure_base_template``) builds, with ``shop_ccv`` installed
on top; without that template a fresh database gets everything installed (slower).
"""

import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta

import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.emulators.base import EmulatorServer  # noqa: E402
from tests.emulators.ccv import GERMAN_TAX_TARIFFS, CcvEmulator  # noqa: E402

BASE_MODULES = "sale_management,sale_stock,stock_delivery,l10n_de,l10n_nl,l10n_eu_oss,base_vat,queue_job"
TASK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odoo_task.py")
CACHE = os.environ.get("CONNECTORS_CACHE", os.path.expanduser("~/.cache/odoo-connectors"))

# The shop's catalogue (SKU, name, gross price, CCV tax tariff); the same SKUs exist in Odoo.
CATALOGUE = [
    ("REL-001", "Kaffeebohnen 1 kg", 24.95, "normal"),
    ("REL-002", "Espresso 500 g", 12.5, "normal"),
    ("REL-003", "Kaffeebecher", 8.95, "normal"),
    ("REL-004", "Milchaufschäumer", 29.95, "normal"),
    ("REL-005", "Filterpapier", 3.49, "normal"),
    ("REL-006", "Kochbuch Kaffee", 19.9, "low a"),
    ("REL-007", "Teeglas", 6.5, "normal"),
    ("REL-008", "Reiseführer", 14.0, "low a"),
]
FIRST = ["Erika", "Hans", "Jürgen", "Anna", "Lena", "Max", "Sophie", "Lukas", "Marie", "Paul"]
LAST = ["Mustermann", "Huber", "Schäfer", "Müller", "Weiß", "Köhler", "Groß", "Becker"]
CITIES = [("51147", "Köln"), ("10115", "Berlin"), ("80331", "München"), ("20457", "Hamburg")]


def odoo_source():
    """Odoo's source tree (with odoo-bin) of the Python running this, or None."""
    try:
        import odoo.release  # noqa: PLC0415 - optional: only where Odoo is installed
    except ImportError:
        return None
    src = os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__)))
    return src if os.path.isfile(os.path.join(src, "odoo-bin")) else None


def base_template_name(src):
    """Name of scripts/lib.sh's template of Odoo's modules for this Odoo."""
    import odoo.release  # noqa: PLC0415

    with open(os.path.join(src, "odoo", "release.py"), "rb") as handle:
        data = f"{BASE_MODULES}\n{odoo.release.version}\n".encode() + handle.read()
    return "cnb_base_" + hashlib.sha256(data).hexdigest()[:10]


def pg_connect(dbname="postgres"):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def postgres_available():
    try:
        pg_connect().close()
    except psycopg2.Error:
        return False
    return True


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the channel -------------------------------------------------------------------


def customer(index):
    first, last = FIRST[index % len(FIRST)], LAST[index % len(LAST)]
    zipcode, city = CITIES[index % len(CITIES)]
    address = {
        "gender": "",
        "initials": first[0],
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "company": "",
        "street": "Hauptstraße",
        "housenumber": index % 90 + 1,
        "housenumber_suffix": "",
        "zipcode": zipcode,
        "city": city,
        "province": "",
        "country": "Duitsland",
        "country_code": "DE",
        "telephone": "+49 30 1234567",
        "mobile": "",
        "fax": "",
        "comment": "",
    }
    return {
        "billingaddress": address,
        "deliveryaddress": dict(address),
        "email": f"{first}.{last}.{index}@kunde.example".lower(),
        "customertype": "b2c",
        "btw": "",
        "kvk": "",
        "reference": "",
        "branch": "",
        "website": "",
    }


class Shop:
    """A CCV emulator in a thread of this process, German tax tariffs, no rate limit."""

    def __init__(self, seed=1):
        self.app = CcvEmulator(tax_tariffs=GERMAN_TAX_TARIFFS, resource_limit=None, total_limit=None)
        for sku, name, price, tariff in CATALOGUE:
            self.app.add_product(sku, name, price, stock=1000, taxtariff=tariff)
        self.random = random.Random(seed)
        self.customers = 0
        self.server = EmulatorServer(self.app).start()
        # a killed client resets its connections: not an error of the shop
        self.server.httpd.handle_error = lambda request, client_address: None
        self.url = self.server.url

    def add_orders(self, count, created=None):
        """``count`` paid orders; one in five from a returning customer."""
        orders = []
        for _i in range(count):
            if self.customers and self.random.random() < 0.2:
                index = self.random.randrange(self.customers)
            else:
                index = self.customers
                self.customers += 1
            rows = [
                (sku, self.random.randint(1, 3))
                for sku, *_rest in self.random.sample(CATALOGUE, self.random.randint(1, 3))
            ]
            moment = created or datetime.now(UTC) - timedelta(minutes=1)
            orders.append(self.app.add_order(customer(index), rows, created=moment))
        return orders

    def order_ids(self):
        return {str(order_id) for order_id in self.app.orders}

    def stop(self):
        self.server.stop()


# --- Odoo ----------------------------------------------------------------------------


class OdooInstance:
    """One database, its config file, the server process and short task processes."""

    def __init__(self, db, channels="root:2", workdir=None, log_level="warn", workers=0, cron_threads=0):
        self.src = odoo_source()
        if not self.src:
            raise RuntimeError("Odoo 19.0 is not importable from this Python")
        self.python = sys.executable
        self.db = db
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"{db}-")
        self.port = free_port()
        self.conf = os.path.join(self.workdir, "odoo.conf")
        self.data_dir = os.path.join(self.workdir, "data")
        self.server = None
        self.server_log = os.path.join(self.workdir, "server.log")
        with open(self.conf, "w", encoding="utf-8") as handle:
            handle.write(
                "[options]\n"
                "db_host =\n"
                f"addons_path = {self.src}/addons,{self.src}/odoo/addons,{ROOT}\n"
                f"data_dir = {self.data_dir}\n"
                "http_interface = 127.0.0.1\n"
                f"http_port = {self.port}\n"
                f"db_name = {db}\n"
                f"dbfilter = ^{db}$\n"
                "list_db = False\n"
                f"workers = {workers}\n"
                f"max_cron_threads = {cron_threads}\n"
                "server_wide_modules = base,web,queue_job\n"
                "without_demo = True\n"
                f"log_level = {log_level}\n"
                "[queue_job]\n"
                f"channels = {channels}\n"
            )

    # --- database ----------------------------------------------------------------

    def create(self, modules="shop_ccv"):
        """Copy the template of Odoo's modules (or start empty) and install ``modules``."""
        template = os.environ.get("CONNECTORS_BASE_TEMPLATE") or base_template_name(self.src)
        with closing(pg_connect()) as conn, conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            has_template = bool(cr.fetchone())
            if has_template:
                cr.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{template}"')
        if has_template:
            filestore = os.path.join(CACHE, "data", "filestore", template)
            if os.path.isdir(filestore):
                shutil.copytree(filestore, os.path.join(self.data_dir, "filestore", self.db))
        else:
            log(f"no template {template}: installing Odoo's modules from scratch (slow)")
            modules = f"{BASE_MODULES},{modules}"
        self.odoo_bin("-i", modules, "--stop-after-init", "--no-http")

    def drop(self):
        self.stop_server(signal.SIGKILL)
        with closing(pg_connect()) as conn, conn.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [self.db])
            cr.execute(f'DROP DATABASE IF EXISTS "{self.db}"')
        shutil.rmtree(self.workdir, ignore_errors=True)

    def odoo_bin(self, *args, timeout=600):
        command = [self.python, os.path.join(self.src, "odoo-bin"), "-c", self.conf, "-d", self.db, *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode:
            raise RuntimeError(f"odoo-bin {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def sql(self, query, params=None):
        with closing(pg_connect(self.db)) as conn, conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None

    def scalar(self, query, params=None):
        return self.sql(query, params)[0][0]

    # --- short-lived Odoo processes (tasks) -----------------------------------------

    def task(self, name, **kwargs):
        """Start ``odoo_task.py name`` as its own process (killable); returns the Popen."""
        return subprocess.Popen(
            [self.python, TASK, self.conf, self.db, name, json.dumps(kwargs)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def run_task(self, name, timeout=300, **kwargs):
        """Run a task to its end; return the JSON it printed last."""
        process = self.task(name, **kwargs)
        out, err = process.communicate(timeout=timeout)
        return task_result(process, out, err, name)

    # --- the server (HTTP + queue_job runner: the job worker) --------------------

    def start_server(self):
        self.server = subprocess.Popen(
            [self.python, os.path.join(self.src, "odoo-bin"), "-c", self.conf, "-d", self.db],
            stdout=subprocess.DEVNULL,
            stderr=open(self.server_log, "a", encoding="utf-8"),
            cwd=ROOT,
            # its own process group: with workers > 0 the server forks HTTP workers and the
            # job runner, which must go with it
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"the Odoo server stopped at start; see {self.server_log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self.server
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the Odoo server did not open its HTTP port within 60 s")

    def stop_server(self, sig=signal.SIGTERM):
        if self.server and self.server.poll() is None:
            self._signal_group(sig)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.server.wait()
        if self.server:
            time.sleep(0.5)
            self._signal_group(signal.SIGKILL)  # forked workers the server left behind
        self.server = None

    def _signal_group(self, sig):
        try:
            os.killpg(self.server.pid, sig)  # the group of the server this harness started
        except ProcessLookupError:
            pass

    def server_errors(self):
        """ERROR/CRITICAL lines of the server log."""
        with open(self.server_log, encoding="utf-8", errors="replace") as handle:
            return [line for line in handle if " ERROR " in line or " CRITICAL " in line]


def task_result(process, out, err, name):
    if process.returncode:
        raise RuntimeError(f"task {name} failed ({process.returncode}):\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def wait_until(predicate, timeout, interval=0.5, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not reached within {timeout} s")


class CheckFailed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)
    log(f"ok: {message}")


class Scenario:
    """The frame of a reliability run: ``with Scenario(summary, odoo, shop, keep):``.

    A failed check, a timeout or a failed task ends the run as "failed" with its reason;
    either way the JSON summary is printed last (the pytest wrapper reads it), the shop
    emulator stops and the database is dropped (or kept with --keep).
    """

    def __init__(self, summary, odoo, shop, keep=False):
        self.summary, self.odoo, self.shop, self.keep = summary, odoo, shop, keep
        self.started = time.monotonic()
        self.exit_code = 1

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, _traceback):
        handled = exc_type is None or issubclass(exc_type, (CheckFailed, TimeoutError, RuntimeError))
        if exc_type is None:
            self.summary["seconds"] = round(time.monotonic() - self.started)
            self.summary["result"] = "passed"
            self.exit_code = 0
            log(f"passed in {self.summary['seconds']} s")
        else:
            self.summary["result"] = "failed"
            self.summary["error"] = str(exc)
            log(f"FAILED: {exc}")
        print(json.dumps(self.summary, default=str), flush=True)
        self.shop.stop()
        if self.keep:
            self.odoo.stop_server()
            log(f"kept database {self.odoo.db} (config {self.odoo.conf})")
        else:
            self.odoo.drop()
        return handled
