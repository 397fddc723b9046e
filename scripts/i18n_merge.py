# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Merge each addon's exported .pot into its de.po and nl.po (what msgmerge does).

Kept: the translation of every term still in the .pot. Added: new terms, untranslated.
Dropped: terms no longer in the code. polib is the library Odoo itself writes .po with.
"""

import os
import sys

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGUAGES = {"de": "German", "nl": "Dutch"}


def merge(addon, lang):
    i18n = os.path.join(ROOT, addon, "i18n")
    pot = polib.pofile(os.path.join(i18n, f"{addon}.pot"), wrapwidth=78)
    path = os.path.join(i18n, f"{lang}.po")
    old = polib.pofile(path) if os.path.exists(path) else polib.POFile()
    known = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in old if not entry.obsolete}
    merged = polib.POFile(wrapwidth=78)
    merged.metadata = dict(pot.metadata)
    merged.metadata.update({"Language": lang, "Plural-Forms": "nplurals=2; plural=(n != 1);"})
    merged.header = f"Translation of Odoo Server.\n{LANGUAGES[lang]} translation of {addon}"
    missing = 0
    for entry in pot:
        entry.msgstr = known.get((entry.msgctxt, entry.msgid), "")
        missing += not entry.msgstr
        merged.append(entry)
    merged.save(path)
    print(f"{addon}/i18n/{lang}.po: {len(merged)} terms, {missing} untranslated")


if __name__ == "__main__":
    for addon_name in sys.argv[1:]:
        for code in LANGUAGES:
            merge(addon_name, code)
