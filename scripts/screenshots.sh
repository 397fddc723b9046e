#!/usr/bin/env bash
# PNGs of the demo as a merchant sees it (dashboard with its graphs, account form,
# needs attention, settings, sales orders) in English, German and Dutch: out/<lang>/. Uses the demo running on HTTP_PORT (default 8069), or
# starts scripts/demo.sh, waits for the first imported orders and stops it after.
#   bash scripts/screenshots.sh            (HTTP_PORT=8169 DEMO_DB=... to pick another demo)
#   SHOT_LANGS=de_DE,nl_NL bash scripts/screenshots.sh   only German and Dutch
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_all
ensure_chromium
DB="${DEMO_DB:-connectors_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"
OUT="${OUT:-$ROOT/out}"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
channel_orders() { psql -d "$DB" -tAc "SELECT count(*) FROM sale_order WHERE connector_account_id IS NOT NULL" 2>/dev/null || echo 0; }

DEMO_PID=""
stop_demo() {
  if [ -n "$DEMO_PID" ]; then
    log "stopping the demo started for the screenshots"
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
}
trap stop_demo EXIT
trap 'exit 130' INT TERM

if answers "$HTTP_PORT"; then
  log "using the Odoo running on port $HTTP_PORT (database $DB)"
else
  log "starting the demo (log: $CACHE/screenshots-demo.log)"
  DEMO_LANG="${DEMO_LANG:-$CALLER_LANG}" HTTP_PORT="$HTTP_PORT" DEMO_DB="$DB" bash "$ROOT/scripts/demo.sh" > "$CACHE/screenshots-demo.log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 900); do
    answers "$HTTP_PORT" && break
    kill -0 "$DEMO_PID" 2>/dev/null || { tail -20 "$CACHE/screenshots-demo.log"; exit 1; }
    sleep 1
  done
  log "waiting for the first channel orders"
  for _ in $(seq 120); do [ "$(channel_orders)" -gt 0 ] && break; sleep 1; done
  sleep 10
fi
log "$(channel_orders) sales orders from the channels; taking screenshots"
"$PY" "$ROOT/scripts/screenshots.py" --url "http://localhost:$HTTP_PORT" --db "$DB" --out "$OUT" --langs "${SHOT_LANGS:-en_US,de_DE,nl_NL}"
