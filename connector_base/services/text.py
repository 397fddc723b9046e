# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cleaning of free text that comes from channels (names, streets, titles)."""

import re
import unicodedata

from odoo.tools import email_normalize
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__, default_lang="en_US")

_TAG = re.compile(r"<[^>]{0,200}>")
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))
_SPACES = re.compile(r"\s+")


def clean_text(value, max_length=None, warnings=None, what="text"):
    """Plain, single-line text: no markup, no control characters, NFC, trimmed.

    Non-Latin scripts are kept as they are. A value longer than ``max_length``
    is cut, and a warning is added to ``warnings`` (a list) so a person sees it.
    """
    if value is None:
        return ""
    text = str(value)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFC", text.translate(_CONTROL))
    text = _SPACES.sub(" ", text).strip()
    if max_length and len(text) > max_length:
        if warnings is not None:
            warnings.append(
                str(
                    _lt(
                        "%(what)s was longer than %(max)s characters and was cut.",
                        what=what,
                        max=max_length,
                    )
                )
            )
        text = text[:max_length].rstrip()
    return text


def normalize_email(value):
    """Lower-case address, or False when it is missing or not an e-mail address."""
    if not value or not isinstance(value, str):
        return False
    return email_normalize(value.strip(), strict=True) or False


def normalize_vat(value):
    """VAT id without spaces, dots and dashes, upper-case ("de 123.456.788" -> "DE123456788")."""
    return re.sub(r"[\s.\-]", "", str(value or "")).upper()


def join_street(street, house_number):
    """Street and house number the way Odoo's ``street`` holds them ("Hauptstr. 5")."""
    street = street or ""
    house_number = (house_number or "").strip()
    if house_number and not street.rstrip().endswith(house_number):
        return f"{street.strip()} {house_number}".strip()
    return street.strip()
