"""Suite-level tests: emulators, clients and adapters (no database needed).

Run with the whole suite (scripts/test.sh) or alone:
``/opt/odoo-19.0/venv/bin/python -m pytest tests``.
"""

import os

import odoo.addons

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Without pytest-odoo's config the addons of this checkout are not on
# odoo.addons' path yet: make `odoo.addons.connector_base...` importable.
if ROOT not in odoo.addons.__path__:
    odoo.addons.__path__.append(ROOT)
