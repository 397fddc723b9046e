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

# Template with the suite installed, keyed on the addons' sources: a rerun
# without changes to them skips the install.
key="$(cd "$ROOT" && find $(echo "$SUITE_MODULES" | tr ',' ' ') -type f \
        ! -name '*.pyc' ! -path '*/tests/*' -print0 | sort -z | xargs -0 sha256sum \
        | sha256sum | cut -c1-10)"
# The checkout's own prefix: another checkout's run (or one started at the same
# time) keeps its template; only this checkout's older templates are dropped.
CHECKOUT_KEY="$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)"
SUITE_PREFIX="cnb_suite_${CHECKOUT_KEY}_"
SUITE_TEMPLATE="${SUITE_PREFIX}${BASE_TEMPLATE#cnb_base_}_$key"
exec 9>"$CACHE/suite-template-$CHECKOUT_KEY.lock"
flock 9   # two runs of this checkout build the template once
if ! db_exists "$SUITE_TEMPLATE"; then
  for old in $(psql -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${SUITE_PREFIX}%' AND datname <> '$SUITE_TEMPLATE'"); do
    drop_db "$old"
  done
  log "installing the suite into template $SUITE_TEMPLATE"
  copy_db "$BASE_TEMPLATE" "${SUITE_TEMPLATE}_tmp"
  odoo_bin -d "${SUITE_TEMPLATE}_tmp" -i "$SUITE_MODULES" --stop-after-init --no-http
  psql -d postgres -qc "ALTER DATABASE \"${SUITE_TEMPLATE}_tmp\" RENAME TO \"$SUITE_TEMPLATE\""
  [ ! -d "$DATA_DIR/filestore/${SUITE_TEMPLATE}_tmp" ] || \
    mv "$DATA_DIR/filestore/${SUITE_TEMPLATE}_tmp" "$DATA_DIR/filestore/$SUITE_TEMPLATE"
fi
flock -u 9

TEST_DB="cnb_test_$$"
copy_db "$SUITE_TEMPLATE" "$TEST_DB"
trap 'drop_db "$TEST_DB"' EXIT
cd "$ROOT"
if [ $# -eq 0 ]; then
  set -- $(echo "$SUITE_MODULES" | tr ',' ' ') tests
fi
# --odoo-http: pytest-odoo starts Odoo's HTTP server (random port) for HttpCase tests.
"$PY" -m pytest --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http "$@"
