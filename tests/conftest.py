"""Suite-level tests: emulators, clients and adapters (no database needed).

Run with the whole suite (scripts/test.sh) or alone:
``/opt/odoo-19.0/venv/bin/python -m pytest tests``.
"""

import os

import pytest

import odoo.addons
import odoo.release
from odoo.tools import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Without pytest-odoo's config the addons of this checkout (and Odoo's own,
# e.g. base_sparse_field that queue_job needs) are not on odoo.addons' path.
_ODOO_ADDONS = os.path.join(os.path.dirname(os.path.dirname(odoo.release.__file__)), "addons")
for _path in (ROOT, _ODOO_ADDONS):
    if os.path.isdir(_path) and _path not in odoo.addons.__path__:
        odoo.addons.__path__.append(_path)


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """pytest-odoo loads a registry for every test; these tests need none.

    Overrides pytest-odoo's fixture of the same name for this folder when no
    database is configured (a plain ``pytest tests`` run).
    """
    if config.get("db_name"):
        import threading  # noqa: PLC0415

        import odoo.modules.registry  # noqa: PLC0415 - only when a database is configured

        threading.current_thread().testing = True
        odoo.modules.registry.Registry(config["db_name"])
    yield
