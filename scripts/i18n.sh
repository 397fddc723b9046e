#!/usr/bin/env bash
# Refreshes the addons' translation files the way Odoo's developers do:
# `odoo-bin i18n export` writes <addon>/i18n/<addon>.pot from a database with the
# suite installed, then scripts/i18n_merge.py carries it into de.po and nl.po
# (translations kept, new terms added untranslated, terms gone from the code dropped).
#   scripts/i18n.sh                      all five addons
#   scripts/i18n.sh marketplace_kaufland one addon
#   scripts/i18n.sh --check [addon ...]  only list what is left untranslated
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${1:-}" = --check ]; then
  shift; find_odoo; exec "$PY" "$ROOT/scripts/i18n_check.py" "$@"
fi
setup_all
ensure_base_template
ensure_suite_template
[ $# -gt 0 ] || set -- $(echo "$SUITE_MODULES" | tr ',' ' ')
DB="cnb_i18n_$$"
copy_db "$SUITE_TEMPLATE" "$DB"
trap 'drop_db "$DB"' EXIT
for addon in "$@"; do mkdir -p "$ROOT/$addon/i18n"; done
"$PY" "$ODOO_SRC/odoo-bin" i18n export -c "$CONF" -d "$DB" "$@"
"$PY" "$ROOT/scripts/i18n_merge.py" "$@"
