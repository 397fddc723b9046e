#!/usr/bin/env bash
# Benchmarks (scripts that print figures; not tests):
#   bash bench/run.sh import     order import: connector vs plain ORM (N=1000)
#   bash bench/run.sh stock      stock computation and push (see bench_stock.py)
# Each runs in its own database copied from the Odoo template, with connector_base.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
setup_all
ensure_base_template
DB="cnb_bench_$$"
copy_db "$BASE_TEMPLATE" "$DB"
trap 'drop_db "$DB"' EXIT
odoo_bin -d "$DB" -i connector_base --stop-after-init --no-http
cd "$ROOT"
"$PY" "bench/bench_${1:-import}.py" "$CONF" "$DB"
