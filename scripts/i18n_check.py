# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""List what keeps an addon's German and Dutch translations from being complete.

For each addon: every term of its exported .pot must be in de.po and nl.po with a
translation that keeps the msgid's placeholders (%s, %(name)s, {name}) and its
leading/trailing line breaks, and a term the channel addon shares with connector_base
reads the same in both. Prints one line per problem; exit status 1 if any.
    python3 scripts/i18n_check.py [addon ...]
"""

import os
import re
import sys

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = ("connector_base", "marketplace_kaufland", "marketplace_amazon", "shop_ccv", "shop_mijnwebwinkel")
LANGUAGES = ("de", "nl")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sdrf%]|\{[a-zA-Z_][\w.]*\}")


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def problems(addon, lang):
    i18n = os.path.join(ROOT, addon, "i18n")
    pot_path = os.path.join(i18n, f"{addon}.pot")
    po_path = os.path.join(i18n, f"{lang}.po")
    for path in (pot_path, po_path):
        if not os.path.exists(path):
            yield f"{os.path.relpath(path, ROOT)}: missing (run scripts/i18n.sh {addon})"
            return
    translated = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(po_path) if not e.obsolete}
    where = os.path.relpath(po_path, ROOT)
    for entry in polib.pofile(pot_path):
        msgstr = translated.get((entry.msgctxt, entry.msgid))
        label = entry.msgid if len(entry.msgid) < 70 else entry.msgid[:67] + "..."
        if msgstr is None:
            yield f"{where}: not merged from the .pot (run scripts/i18n.sh {addon}): {label!r}"
        elif not msgstr.strip():
            yield f"{where}: untranslated: {label!r}"
        elif (got := placeholders(msgstr)) != (want := placeholders(entry.msgid)):
            yield f"{where}: placeholders {got} differ from {want}: {label!r}"


def disagreements(addon, lang):
    """Terms the engine shares with a channel addon (the account's inherited fields, e.g.
    Provider) must read the same in both: Odoo keeps one translation per field, the one
    of the module loaded last."""
    if addon == ADDONS[0]:
        return
    path = os.path.join(ROOT, addon, "i18n", f"{lang}.po")
    base_path = os.path.join(ROOT, ADDONS[0], "i18n", f"{lang}.po")
    if not (os.path.exists(path) and os.path.exists(base_path)):
        return
    base = {e.msgid: e.msgstr for e in polib.pofile(base_path) if e.msgstr}
    for entry in polib.pofile(path):
        if entry.msgstr and entry.msgid in base and entry.msgstr != base[entry.msgid]:
            yield (
                f"{os.path.relpath(path, ROOT)}: {entry.msgid[:60]!r} reads {entry.msgstr[:40]!r} "
                f"here, {base[entry.msgid][:40]!r} in {ADDONS[0]}"
            )


def main(addons):
    found = [
        line
        for addon in addons
        for lang in LANGUAGES
        for line in (*problems(addon, lang), *disagreements(addon, lang))
    ]
    print("\n".join(found) or "complete: " + ", ".join(addons))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ADDONS))
