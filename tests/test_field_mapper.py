# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field mapping rules on raw payloads (connector_base/services/field_mapper.py, no database)."""

import os
from datetime import date, datetime

import pytest

import odoo.addons

# connector_base imports queue_job, which needs base_sparse_field from Odoo's own
# addons directory; put it on the path when tests/conftest.py has not (yet).
for _odoo_dir in list(odoo.__path__):
    _addons = os.path.join(os.path.dirname(_odoo_dir), "addons")
    if os.path.isdir(os.path.join(_addons, "base_sparse_field")) and _addons not in odoo.addons.__path__:
        odoo.addons.__path__.append(_addons)

from odoo.addons.connector_base.services.field_mapper import (  # noqa: E402
    ALL,
    MappingError,
    PathError,
    Rule,
    apply_rule,
    apply_rules,
    convert_value,
    parse_path,
    resolve_path,
    transform_value,
)

KAUFLAND = {
    "id_order": "MXA3K",
    "buyer": {"email": "a@example.com", "phone": None},
    "shipping_address": {"first_name": "Erika", "additional_field": " Hinterhaus "},
    "order_units": [
        {"id_order_unit": 1, "note": "gift", "product": {"title": "Mug"}},
        {"id_order_unit": 2, "product": {"title": "Shirt"}},
    ],
    "tags": ["a", "b"],
}


def rule(path, target="sale.order", field="note", ftype="char", **kw):
    return Rule(source_path=path, target=target, field_name=field, field_type=ftype, **kw)


# --- paths ---------------------------------------------------------------------------


def test_parse_path():
    assert parse_path("order_units[].note") == ["order_units", ALL, "note"]
    assert parse_path(" lines[0].sku ") == ["lines", 0, "sku"]
    for bad in ("", "a..b", "a[x]", "a]"):
        with pytest.raises(PathError):
            parse_path(bad)


def test_resolve_dotted_and_list_paths():
    assert resolve_path(KAUFLAND, "shipping_address.additional_field") == (" Hinterhaus ", False)
    assert resolve_path(KAUFLAND, "order_units[].note") == (["gift", None], True)
    assert resolve_path(KAUFLAND, "order_units[].product.title") == (["Mug", "Shirt"], True)
    assert resolve_path(KAUFLAND, "order_units[1].product.title") == ("Shirt", False)
    assert resolve_path(KAUFLAND, "tags") == (["a", "b"], True)  # a list at the end reads as []
    assert resolve_path(KAUFLAND, "buyer.phone") == (None, False)  # null is empty, not an error


def test_resolve_bad_paths_say_why():
    with pytest.raises(PathError, match=r"buyer has no key 'phon' \(keys there: email, phone\)") as exc:
        resolve_path(KAUFLAND, "buyer.phon")
    assert exc.value.missing
    with pytest.raises(PathError, match=r"order_units is a list: write order_units\[\]\.note"):
        resolve_path(KAUFLAND, "order_units.note")
    with pytest.raises(PathError, match="not a list"):
        resolve_path(KAUFLAND, "buyer[].email")
    with pytest.raises(PathError, match="order_units\\[\\] has no key 'nope'"):
        resolve_path(KAUFLAND, "order_units[].nope")


# --- transformations ---------------------------------------------------------------------


def test_transformations():
    assert transform_value("  x  ", rule("a", transform="trim")) == "x"
    assert transform_value(" dhl ", rule("a", transform="upper")) == "DHL"
    assert transform_value("DHL", rule("a", transform="lower")) == "dhl"
    assert transform_value("", rule("a", transform="default", default="n/a")) == "n/a"
    table = rule("a", transform="map", value_map={"EXP": "DHL Express"})
    assert transform_value("exp", table) == "DHL Express"  # case-insensitive fallback
    with pytest.raises(MappingError, match="not in the value table"):
        transform_value("STD", table)
    assert transform_value("STD", rule("a", transform="map", value_map={}, default="Post")) == "Post"
    assert transform_value("24.12.2026", rule("a", transform="date", date_format="%d.%m.%Y")) == datetime(
        2026, 12, 24
    )
    with pytest.raises(MappingError, match="does not match the date format"):
        transform_value("2026-12-24", rule("a", transform="date", date_format="%d.%m.%Y"))
    assert transform_value("Erika", rule("a", transform="concat", separator=" "), "Muster") == "Erika Muster"
    assert transform_value(None, rule("a", transform="concat", separator="-"), "B") == "B"


# --- conversion -------------------------------------------------------------------------


def test_conversion_to_field_types():
    assert convert_value(12, rule("a", ftype="char")) == "12"
    assert convert_value("a <b>\nc", rule("a", ftype="html")) == "<p>a &lt;b&gt;<br/>c</p>"
    assert convert_value("3", rule("a", ftype="integer")) == 3
    assert convert_value("2,5", rule("a", ftype="float")) == 2.5
    assert convert_value("ja", rule("a", ftype="boolean")) is True
    assert convert_value("0", rule("a", ftype="boolean")) is False
    assert convert_value("2026-12-24", rule("a", ftype="date")) == date(2026, 12, 24)
    assert convert_value("2026-12-24T10:00:00+01:00", rule("a", ftype="datetime")) == datetime(
        2026, 12, 24, 9
    )
    choices = (("draft", "Quotation"), ("sale", "Sales Order"))
    assert convert_value("quotation", rule("a", ftype="selection", selection=choices)) == "draft"
    assert convert_value("DHL", rule("a", ftype="many2one")) == "DHL"
    assert convert_value("DHL", rule("a", ftype="many2one"), lambda r, name: {"DHL": 7}[name]) == 7
    for value, ftype in (
        ("+49 30 123", "integer"),
        ("2.5", "integer"),
        ("abc", "float"),
        ("maybe", "boolean"),
    ):
        with pytest.raises(MappingError):
            convert_value(value, rule("a", ftype=ftype))
    with pytest.raises(MappingError, match="not one of the choices"):
        convert_value("cancelled", rule("a", ftype="selection", selection=choices))
    with pytest.raises(MappingError, match="cannot be mapped"):
        convert_value("x", rule("a", ftype="one2many"))


# --- rules -----------------------------------------------------------------------------


def test_list_path_is_joined_for_an_order_field():
    result = apply_rule(KAUFLAND, rule("order_units[].product.title", separator=" / "))
    assert (result.applied, result.value, result.warnings) == (True, "Mug / Shirt", [])


def test_list_path_gives_one_value_per_line():
    result = apply_rule(
        KAUFLAND,
        rule("order_units[].note", "sale.order.line", "name", "text", transform="trim"),
        line_count=2,
    )
    assert result.applied
    assert result.value == {0: "gift"}  # the second unit has no note: its line keeps the default
    mismatch = apply_rule(KAUFLAND, rule("order_units[].note", "sale.order.line", "name"), line_count=3)
    assert not mismatch.applied
    assert "gives 2 values for 3 order lines" in mismatch.warnings[0]
    broadcast = apply_rule(KAUFLAND, rule("id_order", "product.product", "description"), line_count=2)
    assert broadcast.value == {0: "MXA3K", 1: "MXA3K"}


def test_bad_rules_become_warnings_and_are_not_applied():
    result = apply_rules(
        KAUFLAND,
        [
            rule("buyer.phon", "partner_customer", "phone", label="Customer / Phone"),
            rule("shipping_address.first_name", ftype="integer"),
            rule("buyer.email", "partner_customer", "email"),
        ],
    )
    assert [r.applied for r in result.results] == [False, False, True]
    assert result.warnings[0] == (
        "Field mapping 'buyer.phon' -> Customer / Phone: buyer has no key 'phon' (keys there: "
        "email, phone); the default mapping is kept."
    )
    assert "expected a whole number, got 'Erika'" in result.warnings[1]
    assert result.values("partner_customer") == {"email": "a@example.com"}


def test_default_when_empty_covers_a_missing_key():
    result = apply_rule(KAUFLAND, rule("buyer.vat", transform="default", default="none"))
    assert (result.applied, result.value, result.warnings) == (True, "none", [])
    empty = apply_rule(KAUFLAND, rule("buyer.phone"))
    assert (empty.applied, empty.warnings) == (False, [])  # null: the default mapping stays, silently


def test_concat_two_paths():
    result = apply_rule(
        KAUFLAND,
        rule("shipping_address.first_name", transform="concat", source_path2="id_order", separator=" - "),
    )
    assert result.value == "Erika - MXA3K"
    missing = apply_rule(KAUFLAND, rule("id_order", transform="concat"))
    assert "needs a second path" in missing.warnings[0]
