#!/usr/bin/env bash
# Runs the whole test suite (or the pytest arguments given) in a throwaway
# database copied from a cached template that has the five addons installed.
#   scripts/test.sh                                   everything
#   scripts/test.sh connector_base/tests/test_account.py -k neutralize
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_all
ensure_base_template
export CONNECTORS_BASE_TEMPLATE="$BASE_TEMPLATE"  # tests/reliability copies it too
ensure_chromium   # browser tests (HttpCase tours)

ensure_suite_template

TEST_DB="cnb_test_$$"
copy_db "$SUITE_TEMPLATE" "$TEST_DB"
trap 'drop_db "$TEST_DB"' EXIT
cd "$ROOT"
if [ $# -eq 0 ]; then
  set -- $(echo "$SUITE_MODULES" | tr ',' ' ') tests
fi
# --odoo-http: pytest-odoo starts Odoo's HTTP server (random port) for HttpCase tests.
"$PY" -m pytest --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http "$@"
