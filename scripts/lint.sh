#!/usr/bin/env bash
# ruff (pyproject.toml) and pylint-odoo (OCA's .pylintrc) over the addons and tests;
# each addon's README.rst and index.html up to date with its readme/ fragments.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_odoo
ensure_python_packages
cd "$ROOT"
"$PY" -m ruff check .
"$PY" -m pylint --rcfile=.pylintrc $(echo "$SUITE_MODULES" | tr ',' ' ')
"$PY" scripts/gen_addon_readme.py --check
