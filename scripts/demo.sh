#!/usr/bin/env bash
# The product, live: PostgreSQL, Odoo 19.0 with the suite, a German demo company,
# the channel emulators (seeded, with new orders arriving), one account per
# channel configured against them, and the queue_job runner. Ctrl-C stops it all.
#   bash scripts/demo.sh            (RESET=1 rebuilds the demo database)
#   HTTP_PORT=8169 DEMO_DB=other bash scripts/demo.sh
#   ORDER_EVERY=20                  seconds between new orders per channel
#   EMULATOR_PORT_BASE=8701         emulators listen on 8701..8705
#   LANG=de_DE bash scripts/demo.sh the administrator works in German (nl_NL: Dutch;
#                                   DEMO_LANG=de_DE if LANG must stay as it is)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_all
ensure_base_template
DB="${DEMO_DB:-connectors_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"
ORDER_EVERY="${ORDER_EVERY:-20}"
PORT_BASE="${EMULATOR_PORT_BASE:-8701}"
[ "${RESET:-0}" = 1 ] && drop_db "$DB"
# The merchant's language for the administrator: German or Dutch when LANG says so.
case "${DEMO_LANG:-$CALLER_LANG}" in
  de*) DEMO_LANG=de_DE ;;
  nl*) DEMO_LANG=nl_NL ;;
  *) DEMO_LANG=en_US ;;
esac
export DEMO_LANG

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  if [ "${#PIDS[@]}" -gt 0 ]; then
    log "stopping Odoo and the emulators"
    kill "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {  # port [tenths of a second]
  for _ in $(seq "${2:-100}"); do port_free "$1" || return 0; sleep 0.1; done
  log "nothing answers on port $1"; return 1
}

# Emulators on fixed local ports (tests/emulators/<name>.py); vies answers VAT id checks.
EMULATORS=""
i=0
for name in kaufland amazon ccv mijnwebwinkel vies; do
  port=$((PORT_BASE + i)); i=$((i + 1))
  [ -f "$ROOT/tests/emulators/$name.py" ] || continue
  port_free "$port" || { log "port $port is taken (another demo running?): stop it or set EMULATOR_PORT_BASE"; exit 1; }
  args=(--port "$port")
  args+=(--seed)
  [ "$name" = vies ] || args+=(--stream "$ORDER_EVERY")
  # Amazon's usage plans allow ~1 order search per 3 minutes: the demo polls every minute.
  [ "$name" = amazon ] && args+=(--no-rate-limits)
  # Amazon closes a settlement period every few minutes: its payouts are booked (issue 21)
  [ "$name" = amazon ] && args+=(--settle "${SETTLE_EVERY:-240}")
  (cd "$ROOT" && exec "$PY" -m "tests.emulators.$name" "${args[@]}") &
  PIDS+=($!)
  EMULATORS="$EMULATORS,$name=http://127.0.0.1:$port"
done
export DEMO_EMULATORS="${EMULATORS#,}"
for e in ${DEMO_EMULATORS//,/ }; do wait_port "${e##*:}"; done

suite_hash() {
  (cd "$ROOT" && find ${SUITE_MODULES//,/ } -type f ! -name '*.pyc' ! -path '*/tests/*' -print0 \
     | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
if ! db_exists "$DB"; then
  log "creating demo database $DB (a few minutes, once; RESET=1 rebuilds it)"
  copy_db "$BASE_TEMPLATE" "$DB"
  odoo_bin -d "$DB" -i "$SUITE_MODULES" --stop-after-init --no-http || { drop_db "$DB"; exit 1; }
  suite_hash > "$CACHE/demo-$DB.hash"
elif [ "$(suite_hash)" != "$(cat "$CACHE/demo-$DB.hash" 2>/dev/null)" ]; then
  log "reusing demo database $DB: the addons changed, updating them"
  odoo_bin -d "$DB" -u "$SUITE_MODULES" --stop-after-init --no-http
  suite_hash > "$CACHE/demo-$DB.hash"
else
  log "reusing demo database $DB"
fi
log "configuring the demo company and channel accounts (administrator's language: $DEMO_LANG)"
(cd "$ROOT" && odoo_bin shell -d "$DB" --no-http < "$ROOT/demo/demo_setup.py")

# Threaded server with the queue_job runner in it (queue_job README, "Configure").
DEMO_CONF="$CACHE/demo-$DB.conf"
{
  grep -v '^log_level' "$CONF"
  echo "server_wide_modules = base,web,queue_job"
  echo "log_level = info"
  echo "log_handler = werkzeug:WARNING"
  echo "[queue_job]"
  echo "channels = root:2,root.connector:2"
} > "$DEMO_CONF"
"$PY" "$ODOO_SRC/odoo-bin" -c "$DEMO_CONF" -d "$DB" --http-port "$HTTP_PORT" --db-filter "^$DB\$" &
PIDS+=($!)
wait_port "$HTTP_PORT" 900 || true
log "Odoo on http://localhost:$HTTP_PORT  login: admin  password: admin  (Ctrl-C stops everything)"
log "Sales > Channels > Dashboard: the accounts, their orders today and what needs attention"
wait "${PIDS[-1]}"
