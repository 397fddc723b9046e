# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""German and Dutch merchants read the suite in their language: every term Odoo
would export for translation (field labels and help, selection values, views,
menus, actions, messages and errors marked with ``_()``/``_lt()``) is in each
addon's .pot and translated in its de.po and nl.po, placeholders intact."""

import importlib.util
import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("i18n_check", os.path.join(_ROOT, "scripts", "i18n_check.py"))
i18n_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_check)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_translatable_term_is_in_the_pot(self):
        """A new label or ``_()`` message without a fresh export fails here
        (scripts/i18n.sh refreshes the .pot and the .po files)."""
        for addon in i18n_check.ADDONS:
            with self.subTest(addon=addon):
                reader = TranslationModuleReader(self.env.cr, modules=[addon])
                terms = {row[4] for row in reader if row[0] == addon}
                self.assertGreater(len(terms), 20)
                pot = polib.pofile(os.path.join(_ROOT, addon, "i18n", f"{addon}.pot"))
                missing = sorted(terms - {entry.msgid for entry in pot})
                hint = f"{addon}: not in the .pot, run scripts/i18n.sh {addon}"
                self.assertFalse(missing, f"{hint}: {missing[:10]}")

    def test_every_term_is_translated_to_german_and_dutch(self):
        for addon in i18n_check.ADDONS:
            for lang in i18n_check.LANGUAGES:
                with self.subTest(addon=addon, lang=lang):
                    problems = [*i18n_check.problems(addon, lang), *i18n_check.disagreements(addon, lang)]
                    self.assertFalse(problems, "\n".join(problems[:20]))

    def test_a_german_admin_reads_german(self):
        """The translations are loaded: labels, menus and code messages."""
        de = self.env(context={"lang": "de_DE"})
        nl = self.env(context={"lang": "nl_NL"})
        menu = self.env.ref("connector_base.menu_connector_accounts")
        self.assertEqual(menu.with_env(de).name, "Kanalkonten")
        self.assertEqual(menu.with_env(nl).name, "Kanaalaccounts")
        description = self.env["ir.model"]._get("connector.order").with_env(de).name
        self.assertEqual(description, "Kanalauftrag")
        self.assertNotEqual(de._("Connection successful"), "Connection successful")
