#!/usr/bin/env bash
# Benchmarks (scripts that print figures; not tests):
#   bash bench/run.sh import     order import: connector vs plain ORM (N=1000)
#   bash bench/run.sh stock      stock computation and push (see bench_stock.py)
#   bash bench/run.sh parallel   scale-out: the same batch with 1, 2, 4 job workers (N=200)
# Each runs in its own database copied from the Odoo template, with connector_base.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
setup_all
ensure_base_template
if [ "${1:-}" = parallel ]; then
  # its own databases and Odoo servers (tests/reliability/harness.py)
  cd "$ROOT"
  CONNECTORS_BASE_TEMPLATE="$BASE_TEMPLATE" exec "$PY" bench/bench_parallel.py
fi
DB="cnb_bench_$$"
copy_db "$BASE_TEMPLATE" "$DB"
trap 'drop_db "$DB"' EXIT
odoo_bin -d "$DB" -i connector_base --stop-after-init --no-http
cd "$ROOT"
"$PY" "bench/bench_${1:-import}.py" "$CONF" "$DB"
