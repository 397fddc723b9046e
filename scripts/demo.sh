#!/usr/bin/env bash
# The product, live: PostgreSQL, Odoo 19.0 with the suite, a German demo company,
# the four channel emulators (seeded, with new orders arriving), one account per
# channel configured against them, and the queue_job runner. Ctrl-C stops it all.
#   bash scripts/demo.sh            (RESET=1 rebuilds the demo database)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_all
ensure_base_template
DB="${DEMO_DB:-connectors_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"
ORDER_EVERY="${ORDER_EVERY:-20}"   # seconds between new demo orders per channel
[ "${RESET:-0}" = 1 ] && drop_db "$DB"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Emulators on fixed local ports (tests/emulators/<name>.py).
declare -A PORTS=([kaufland]=8701 [amazon]=8702 [ccv]=8703 [mijnwebwinkel]=8704)
EMULATORS=""
for name in kaufland amazon ccv mijnwebwinkel; do
  [ -f "$ROOT/tests/emulators/$name.py" ] || continue
  (cd "$ROOT" && exec "$PY" -m "tests.emulators.$name" --port "${PORTS[$name]}" --seed --stream "$ORDER_EVERY") &
  PIDS+=($!)
  EMULATORS="$EMULATORS,$name=http://127.0.0.1:${PORTS[$name]}"
done
export DEMO_EMULATORS="${EMULATORS#,}"

if ! db_exists "$DB"; then
  log "creating demo database $DB"
  copy_db "$BASE_TEMPLATE" "$DB"
  odoo_bin -d "$DB" -i "$SUITE_MODULES" --stop-after-init --no-http
fi
log "configuring the demo company and channel accounts"
(cd "$ROOT" && odoo_bin shell -d "$DB" --no-http < "$ROOT/demo/demo_setup.py")

cat > "$CACHE/demo.conf" <<CONF
$(cat "$CONF")
server_wide_modules = base,web,queue_job
log_level = info
[queue_job]
channels = root:2,root.connector:2
CONF
log "Odoo on http://localhost:$HTTP_PORT  (login: admin / password: admin)  Ctrl-C stops everything"
"$PY" "$ODOO_SRC/odoo-bin" -c "$CACHE/demo.conf" -d "$DB" --http-port "$HTTP_PORT" --db-filter "^$DB\$" &
PIDS+=($!)
wait "${PIDS[-1]}"
