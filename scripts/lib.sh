# shellcheck shell=bash
# Shared helpers of the project's scripts: find (or install) Odoo 19.0, the
# project's Python packages, PostgreSQL, and a config file for this checkout.
# Sourced by scripts/test.sh, scripts/demo.sh and scripts/lint.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The tools run in a locale every machine has (perl's PostgreSQL wrappers warn about a
# missing de_DE); LANG=de_DE or nl_NL only picks the demo's language (scripts/demo.sh).
CALLER_LANG="${LANG:-}"
export LANG=C.UTF-8
CACHE="${CONNECTORS_CACHE:-$HOME/.cache/odoo-connectors}"
mkdir -p "$CACHE"
# Odoo modules the suite needs from Odoo itself (installed once in a template).
BASE_MODULES="sale_management,sale_stock,stock_delivery,l10n_de,l10n_nl,l10n_eu_oss,base_vat,queue_job"
# The merchants' languages, active in the templates: the addons ship de and nl.
LANGUAGES="de nl"  # ISO codes: German (de_DE) and Dutch (nl_NL)
SUITE_MODULES="connector_base,marketplace_kaufland,marketplace_amazon,shop_ccv,shop_mijnwebwinkel"

log() { printf '==> %s\n' "$*" >&2; }

as_postgres() { (cd / && if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi); }

ensure_postgres() {
  if ! command -v pg_isready >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql libpq-dev >/dev/null
  fi
  if ! pg_isready -q; then
    log "starting PostgreSQL"
    if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
      pg_createcluster "$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)" main
    fi
    pg_lsclusters -h | while read -r ver name _port status _rest; do
      [ "$status" = online ] || pg_ctlcluster "$ver" "$name" start
    done
    for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
  fi
  local me; me="$(id -un)"
  if [ "$(as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$me'")" != 1 ]; then
    as_postgres psql -q -c "CREATE ROLE \"$me\" SUPERUSER LOGIN"
  fi
}

# Headless Chromium for Odoo's browser tests (HttpCase.start_tour): Debian's package.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || command -v google-chrome >/dev/null 2>&1 && return 0
  log "installing Chromium (headless browser for the UI tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

# wkhtmltopdf renders Odoo's PDF reports (the invoices sent to the channels): Debian's package.
ensure_wkhtmltopdf() {
  command -v wkhtmltopdf >/dev/null 2>&1 && return 0
  log "installing wkhtmltopdf (Odoo's PDF reports)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wkhtmltopdf >/dev/null
}

# Sets ODOO_SRC (source tree) and PY (its Python), in the order of the README:
# $ODOO_SRC, /opt/odoo-19.0, else a shallow clone of upstream Odoo 19.0.
find_odoo() {
  if [ -n "${ODOO_SRC:-}" ]; then
    PY="${ODOO_PYTHON:-}"
    [ -n "$PY" ] || { [ -x "$ODOO_SRC/../venv/bin/python" ] && PY="$ODOO_SRC/../venv/bin/python"; } || PY=python3
  elif [ -f /opt/odoo-19.0/odoo-19.0/odoo-bin ] && [ -x /opt/odoo-19.0/venv/bin/python ]; then
    ODOO_SRC=/opt/odoo-19.0/odoo-19.0
    PY=/opt/odoo-19.0/venv/bin/python
  else
    ODOO_SRC="$CACHE/odoo-19.0"
    if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
      log "no Odoo found: shallow clone of Odoo 19.0 into $ODOO_SRC"
      git clone -q --depth 1 --branch 19.0 https://github.com/odoo/odoo.git "$ODOO_SRC"
    fi
    if [ ! -x "$CACHE/venv/bin/python" ]; then
      python3 -m venv "$CACHE/venv"
      "$CACHE/venv/bin/pip" install -q -r "$ODOO_SRC/requirements.txt"
      "$CACHE/venv/bin/pip" install -q --no-deps --no-build-isolation -e "$ODOO_SRC"
    fi
    PY="$CACHE/venv/bin/python"
  fi
  export ODOO_SRC PY
}

# The project's Python packages, installed into Odoo's environment when the
# requirement files change.
ensure_python_packages() {
  local stamp sum
  stamp="$(dirname "$PY")/../.connectors-pip.sha256"
  sum="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    log "pip install -r requirements.txt -r requirements-dev.txt"
    "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.txt" -r "$ROOT/requirements-dev.txt"
    echo "$sum" > "$stamp"
  fi
}

# Writes $CONF: this checkout's addons on top of Odoo's.
write_config() {
  CONF="$CACHE/odoo-$(printf '%s' "$ROOT" | sha256sum | cut -c1-8).conf"
  DATA_DIR="$CACHE/data"
  cat > "$CONF" <<EOF
[options]
db_host =
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ROOT
data_dir = $DATA_DIR
http_interface = 127.0.0.1
without_demo = True
log_level = warn
EOF
  export CONF DATA_DIR
}

setup_all() {
  ensure_postgres
  ensure_wkhtmltopdf
  find_odoo
  ensure_python_packages
  write_config
}

# odoo-bin with this checkout's config; a subcommand (shell, ...) goes first.
odoo_bin() {
  case "${1:-}" in
    shell|server|db|neutralize) local cmd="$1"; shift; "$PY" "$ODOO_SRC/odoo-bin" "$cmd" -c "$CONF" "$@" ;;
    *) "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@" ;;
  esac
}

db_exists() { [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

# Copy a database with its filestore (what click-odoo-copydb does).
copy_db() {
  createdb -T "$1" "$2"
  if [ -d "$DATA_DIR/filestore/$1" ]; then
    mkdir -p "$DATA_DIR/filestore"
    cp -a "$DATA_DIR/filestore/$1" "$DATA_DIR/filestore/$2"
  fi
}

drop_db() {
  dropdb --if-exists "$1"
  rm -rf "${DATA_DIR:?}/filestore/$1"
}

# Template with Odoo's own modules; rebuilt only when Odoo or the list changes.
ensure_base_template() {
  local key
  key="$( (echo "$BASE_MODULES $LANGUAGES"; "$PY" -c 'import odoo.release as r; print(r.version)'; \
           cat "$ODOO_SRC/odoo/release.py") | sha256sum | cut -c1-10)"
  BASE_TEMPLATE="cnb_base_$key"
  # Shared by every checkout: built once, under a lock, never dropped here.
  exec 8>"$CACHE/base-template.lock"
  flock 8
  if ! db_exists "$BASE_TEMPLATE"; then
    log "creating template database $BASE_TEMPLATE (Odoo modules, once)"
    drop_db "${BASE_TEMPLATE}_tmp" 2>/dev/null || true
    odoo_bin -d "${BASE_TEMPLATE}_tmp" -i "$BASE_MODULES" --stop-after-init --no-http
    # shellcheck disable=SC2086
    "$PY" "$ODOO_SRC/odoo-bin" i18n loadlang -c "$CONF" -d "${BASE_TEMPLATE}_tmp" -l $LANGUAGES
    psql -d postgres -qc "ALTER DATABASE \"${BASE_TEMPLATE}_tmp\" RENAME TO \"$BASE_TEMPLATE\""
    [ ! -d "$DATA_DIR/filestore/${BASE_TEMPLATE}_tmp" ] || \
      mv "$DATA_DIR/filestore/${BASE_TEMPLATE}_tmp" "$DATA_DIR/filestore/$BASE_TEMPLATE"
  fi
  flock -u 8
  export BASE_TEMPLATE
}

# Template with the suite installed, keyed on the addons' sources (translations
# included): a rerun without changes to them skips the install. Sets SUITE_TEMPLATE.
ensure_suite_template() {
  local key checkout_key suite_prefix old
  key="$(cd "$ROOT" && find $(echo "$SUITE_MODULES" | tr ',' ' ') -type f \
          ! -name '*.pyc' ! -path '*/tests/*' -print0 | sort -z | xargs -0 sha256sum \
          | sha256sum | cut -c1-10)"
  # The checkout's own prefix: another checkout's run (or one started at the same
  # time) keeps its template; only this checkout's older templates are dropped.
  checkout_key="$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)"
  suite_prefix="cnb_suite_${checkout_key}_"
  SUITE_TEMPLATE="${suite_prefix}${BASE_TEMPLATE#cnb_base_}_$key"
  exec 9>"$CACHE/suite-template-$checkout_key.lock"
  flock 9   # two runs of this checkout build the template once
  if ! db_exists "$SUITE_TEMPLATE"; then
    for old in $(psql -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${suite_prefix}%' AND datname <> '$SUITE_TEMPLATE'"); do
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
  export SUITE_TEMPLATE
}
