"""Suite-level tests: emulators, clients and adapters (no database needed).

Run with the whole suite (scripts/test.sh) or alone:
``/opt/odoo-19.0/venv/bin/python -m pytest tests``.
"""

import os

import pytest

import odoo.addons
import odoo.release

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Without pytest-odoo's config the addons of this checkout (and Odoo's own,
# e.g. base_sparse_field that queue_job needs) are not on odoo.addons' path.
_ODOO_ADDONS = os.path.join(os.path.dirname(os.path.dirname(odoo.release.__file__)), "addons")
for _path in (ROOT, _ODOO_ADDONS):
    if os.path.isdir(_path) and _path not in odoo.addons.__path__:
        odoo.addons.__path__.append(_path)


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """Overrides pytest-odoo's fixture of the same name for this folder.

    These tests need no database: they must also run where none is configured
    (a plain ``pytest tests``); in the whole suite the addons' tests load it.
    """
    yield
