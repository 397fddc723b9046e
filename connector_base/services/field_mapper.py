# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Admin-defined field mappings: read a path in a raw payload, transform, convert.

Pure Python (no ORM): the model ``connector.field.mapping`` turns its records
into :class:`Rule` objects, the order import applies the :class:`MappingResult`.

Path syntax: keys separated by dots; ``key[]`` takes every item of a list,
``key[2]`` one item (0-based), e.g. ``buyer.phone``, ``order_units[].note``,
``lines[0].sku``. A list found at the end of a path is read as if it ended in
``[]``. A path that gives several values is joined with the rule's separator
for an order or partner field, and applied line by line (by index) for order
line and product targets.

Transformations come from a fixed, safe set (:data:`TRANSFORMS`); nothing a
user types is ever evaluated as code.

Every problem (unknown key, wrong type, value missing from the value table, a
value the target field cannot hold) is a :class:`MappingError`: the rule is
skipped with a warning, the default mapping stays.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from odoo.tools.translate import LazyTranslate

from ..schema import ChannelDataError, parse_datetime

_lt = LazyTranslate(__name__, default_lang="en_US")

# Targets: key -> Odoo model the field belongs to.
TARGET_ORDER = "sale.order"
TARGET_LINE = "sale.order.line"
TARGET_INVOICE = "partner_invoice"
TARGET_DELIVERY = "partner_delivery"
TARGET_CUSTOMER = "partner_customer"
TARGET_PRODUCT = "product.product"
TARGET_MODELS = {
    TARGET_ORDER: "sale.order",
    TARGET_LINE: "sale.order.line",
    TARGET_INVOICE: "res.partner",
    TARGET_DELIVERY: "res.partner",
    TARGET_CUSTOMER: "res.partner",
    TARGET_PRODUCT: "product.product",
}
PARTNER_TARGETS = (TARGET_CUSTOMER, TARGET_INVOICE, TARGET_DELIVERY)
LINE_TARGETS = (TARGET_LINE, TARGET_PRODUCT)

FIELD_TYPES = (
    "char",
    "text",
    "html",
    "integer",
    "float",
    "boolean",
    "date",
    "datetime",
    "selection",
    "many2one",
)
TRANSFORMS = ("none", "trim", "upper", "lower", "map", "default", "date", "concat")

_TRUE = {"1", "true", "yes", "y", "on", "x", "ja", "j", "oui", "si", "sí", "wahr"}
_FALSE = {"0", "false", "no", "n", "off", "nein", "non", "nee", "falsch", ""}
_SEGMENT = re.compile(r"^([^\[\]]*)((?:\[\d*\])*)$")
_INDEX = re.compile(r"\[(\d*)\]")


class MappingError(ValueError):
    """A rule that cannot be applied to this payload; the message says why."""


class PathError(MappingError):
    """The path does not lead to a value. ``missing``: only the last key is absent."""

    def __init__(self, message, missing=False):
        super().__init__(message)
        self.missing = missing


class _All:
    """Path segment ``[]``: every item of a list."""

    def __repr__(self):
        return "[]"


ALL = _All()


@dataclass
class Rule:
    """One mapping rule, as plain data."""

    source_path: str
    target: str
    field_name: str
    field_type: str
    transform: str = "none"
    value_map: dict = field(default_factory=dict)  # channel value -> Odoo value (text)
    default: str = ""
    date_format: str = ""  # strptime format, e.g. %d.%m.%Y; empty: ISO 8601
    source_path2: str = ""  # second path of "concat"
    separator: str = " "
    selection: tuple = ()  # ((key, label), ...) of a selection field
    comodel: str = ""  # model of a many2one field
    label: str = ""  # how a person knows the target, e.g. "Customer / Phone"
    key: object = None  # id of the rule record

    @property
    def per_line(self):
        return self.target in LINE_TARGETS

    def describe(self):
        source = self.source_path
        if self.transform == "concat" and self.source_path2:
            source = f"{source} + {self.source_path2}"
        return f"'{source}' -> {self.label or f'{self.target}.{self.field_name}'}"


@dataclass
class RuleResult:
    """What one rule gave for one payload (the preview shows every part)."""

    rule: Rule
    raw: object = None  # value(s) found at the path(s)
    transformed: object = None  # after the transformation; a list per line for line targets
    value: object = None  # converted for the field; {line index: value} for line targets
    applied: bool = False  # False: the default mapping stays (empty value or a warning)
    warnings: list = field(default_factory=list)


@dataclass
class MappingResult:
    results: list = field(default_factory=list)

    @property
    def warnings(self):
        return [w for result in self.results for w in result.warnings]

    def values(self, target):
        """``{field: value}`` for an order or partner target (a later rule wins)."""
        return {
            r.rule.field_name: r.value
            for r in self.results
            if r.applied and r.rule.target == target and not r.rule.per_line
        }

    def line_values(self, target):
        """``{line index: {field: value}}`` for a line target (a later rule wins)."""
        lines = {}
        for r in self.results:
            if r.applied and r.rule.target == target and r.rule.per_line:
                for index, value in r.value.items():
                    lines.setdefault(index, {})[r.rule.field_name] = value
        return lines


# --- paths -----------------------------------------------------------------------


def parse_path(path):
    """``'order_units[].note'`` -> ``['order_units', ALL, 'note']``.

    :raise PathError: on an empty or malformed path
    """
    text = (path or "").strip()
    if not text:
        raise PathError(_lt("the path is empty"))
    segments = []
    for part in text.split("."):
        match = _SEGMENT.match(part.strip())
        if not match or not (match.group(1) or match.group(2)):
            raise PathError(
                _lt(
                    "%r is not a valid path: write keys separated by dots, [] after a list, "
                    "e.g. buyer.phone or order_units[].note",
                    text,
                )
            )
        if match.group(1):
            segments.append(match.group(1).strip())
        for index in _INDEX.findall(match.group(2)):
            segments.append(int(index) if index else ALL)
    return segments


def _format_path(segments):
    text = ""
    for segment in segments:
        if segment is ALL:
            text += "[]"
        elif isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text


def _kind(value):
    if isinstance(value, dict):
        return _lt("an object")
    if isinstance(value, list):
        return _lt("a list")
    if isinstance(value, str):
        return _lt("text")
    if isinstance(value, bool):
        return _lt("a yes/no value")
    if isinstance(value, int | float | Decimal):
        return _lt("a number")
    return type(value).__name__


def resolve_path(data, path):
    """The value at ``path`` in ``data``.

    :return: (value, several): ``several`` is True when the value is a list of
        values (a ``[]`` in the path, or a list at its end)
    :raise PathError: when a key is absent everywhere or a value has the wrong shape
    """
    segments = parse_path(path)
    nodes = [data]
    several = False
    for depth, segment in enumerate(segments):
        where = _format_path(segments[:depth]) or _lt("the payload")
        following = []
        found = False
        keys_seen = set()
        alive = [node for node in nodes if node is not None]
        for node in nodes:
            if node is None:
                following.append(None)
                continue
            if segment is ALL or isinstance(segment, int):
                if not isinstance(node, list):
                    raise PathError(
                        _lt(
                            "%(where)s is %(kind)s, not a list: remove the [] from the path",
                            where=where,
                            kind=_kind(node),
                        )
                    )
                found = True
                if segment is ALL:
                    following.extend(node)
                else:
                    following.append(node[segment] if segment < len(node) else None)
                continue
            if not isinstance(node, dict):
                if isinstance(node, list):
                    raise PathError(
                        _lt(
                            "%(where)s is a list: write %(path)s[].%(key)s to read every item",
                            where=where,
                            path=_format_path(segments[:depth]),
                            key=segment,
                        )
                    )
                raise PathError(
                    _lt(
                        "%(where)s is %(kind)s, it has no key %(key)r",
                        where=where,
                        kind=_kind(node),
                        key=segment,
                    )
                )
            if segment in node:
                found = True
                following.append(node[segment])
            else:
                keys_seen.update(str(k) for k in node)
                following.append(None)
        if segment is ALL:
            several = True
        if alive and not found and isinstance(segment, str):
            known = ", ".join(sorted(keys_seen)[:12])
            if known:
                message = _lt(
                    "%(where)s has no key %(key)r (keys there: %(known)s)",
                    where=where,
                    key=segment,
                    known=known,
                )
            else:
                message = _lt("%(where)s has no key %(key)r", where=where, key=segment)
            raise PathError(message, missing=True)
        nodes = following
    if several:
        return nodes, True
    value = nodes[0]
    if isinstance(value, list):
        return value, True
    return value, False


# --- transformations -------------------------------------------------------------


def is_empty(value):
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return not value
    return False


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        raise MappingError(_lt("expected a single value, got %s", _kind(value)))
    return str(value)


def _map_value(value, rule):
    key = _text(value).strip()
    if key in rule.value_map:
        return rule.value_map[key]
    folded = {str(k).strip().casefold(): v for k, v in rule.value_map.items()}
    if key.casefold() in folded:
        return folded[key.casefold()]
    if rule.default:
        return rule.default
    raise MappingError(_lt("value %r is not in the value table", key[:60]))


def _parse_date(value, rule):
    if isinstance(value, datetime | date):
        return value
    text = _text(value).strip()
    if rule.date_format:
        try:
            return datetime.strptime(text, rule.date_format)
        except ValueError:
            raise MappingError(
                _lt(
                    "%(value)r does not match the date format %(format)r",
                    value=text[:40],
                    format=rule.date_format,
                )
            ) from None
    try:
        return parse_datetime(text)
    except ChannelDataError:
        raise MappingError(_lt("%r is not an ISO date; set the date format", text[:40])) from None


def transform_value(value, rule, value2=None):
    """Apply the rule's transformation to one value (``value2``: second path of concat)."""
    kind = rule.transform or "none"
    if kind not in TRANSFORMS:
        raise MappingError(_lt("unknown transformation %r", kind))
    if kind == "concat":
        parts = [_text(v).strip() for v in (value, value2)]
        joined = (rule.separator if rule.separator is not None else " ").join(p for p in parts if p)
        return joined or None
    if is_empty(value):
        return rule.default if kind in ("default", "map") and rule.default else None
    if kind in ("trim", "upper", "lower") and isinstance(value, str):
        value = value.strip()
        return value.upper() if kind == "upper" else value.lower() if kind == "lower" else value
    if kind == "map":
        return _map_value(value, rule)
    if kind == "date":
        return _parse_date(value, rule)
    return value


def _join(values, rule):
    """Several values for one field: transform each, join the non-empty ones."""
    values = [v for v in values if not is_empty(v)]
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    separator = rule.separator if rule.separator else ", "
    return separator.join(_text(v).strip() for v in values)


# --- conversion to the field's type ------------------------------------------------


def _number(value, whole=False):
    if isinstance(value, bool):
        raise MappingError(_lt("expected a number, got %r", value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _text(value).strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if whole:
        error = _lt("expected a whole number, got %r", text[:40])
    else:
        error = _lt("expected a number, got %r", text[:40])
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MappingError(error) from None
    if not number.is_finite():
        raise MappingError(error)
    return number


def convert_value(value, rule, resolve_many2one=None):
    """Value for an Odoo field of ``rule.field_type``.

    :param resolve_many2one: callable ``(rule, name) -> record id`` (raises
        MappingError); without it a many2one value stays the name
    :raise MappingError: when the field cannot hold the value
    """
    ftype = rule.field_type
    if ftype not in FIELD_TYPES:
        raise MappingError(_lt("fields of type %r cannot be mapped", ftype))
    if isinstance(value, dict | list):
        raise MappingError(_lt("expected a single value, got %s", _kind(value)))
    if ftype in ("char", "text"):
        return _text(value).strip() if ftype == "char" else _text(value)
    if ftype == "html":
        text = html.escape(_text(value)).replace("\n", "<br/>")
        return f"<p>{text}</p>"
    if ftype == "integer":
        number = _number(value, whole=True)
        if number != number.to_integral_value():
            raise MappingError(_lt("expected a whole number, got %r", value))
        return int(number)
    if ftype == "float":
        return float(_number(value))
    if ftype == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float | Decimal):
            return bool(value)
        text = _text(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise MappingError(_lt("expected yes or no, got %r", text[:40]))
    if ftype == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value).strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else parse_datetime(text).date()
        except (ValueError, ChannelDataError):
            raise MappingError(_lt("expected a date, got %r", text[:40])) from None
    if ftype == "datetime":
        if isinstance(value, datetime):
            return parse_datetime(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        try:
            return parse_datetime(_text(value))
        except ChannelDataError:
            raise MappingError(_lt("expected a date and time, got %r", _text(value)[:40])) from None
    if ftype == "selection":
        text = _text(value).strip()
        for key, _label in rule.selection:
            if text == str(key):
                return key
        for key, label in rule.selection:
            if text.casefold() in (str(key).casefold(), str(label).casefold()):
                return key
        allowed = ", ".join(str(k) for k, _label in rule.selection[:10])
        raise MappingError(
            _lt("%(value)r is not one of the choices (%(allowed)s)", value=text[:40], allowed=allowed)
        )
    # many2one, by name
    name = _text(value).strip()
    if resolve_many2one is None:
        return name
    return resolve_many2one(rule, name)


# --- rules -------------------------------------------------------------------------


def _per_line(value, several, count):
    if several:
        if len(value) != count:
            raise MappingError(
                _lt(
                    "the path gives %(values)s values for %(lines)s order lines; a rule on order "
                    "lines or products needs one value per line",
                    values=len(value),
                    lines=count,
                )
            )
        return list(value)
    return [value] * count


def apply_rule(payload, rule, line_count=0, resolve_many2one=None):
    """Evaluate one rule on ``payload``; problems become warnings of the result."""
    result = RuleResult(rule)
    try:
        try:
            raw, several = resolve_path(payload, rule.source_path)
        except PathError as exc:
            if not (exc.missing and rule.transform == "default"):
                raise
            raw, several = None, False
        raw2, several2 = None, False
        if rule.transform == "concat":
            if not (rule.source_path2 or "").strip():
                raise MappingError(_lt("concatenation needs a second path"))
            raw2, several2 = resolve_path(payload, rule.source_path2)
        result.raw = raw if rule.transform != "concat" else [raw, raw2]
        if rule.per_line:
            firsts = _per_line(raw, several, line_count)
            seconds = _per_line(raw2, several2, line_count)
            result.transformed = []
            result.value = {}
            problems = []
            for index, (first, second) in enumerate(zip(firsts, seconds, strict=True)):
                try:
                    transformed = transform_value(first, rule, second)
                    result.transformed.append(transformed)
                    if not is_empty(transformed):
                        result.value[index] = convert_value(transformed, rule, resolve_many2one)
                except MappingError as exc:
                    result.transformed.append(None)
                    problems.append(str(_lt("line %(line)s: %(problem)s", line=index + 1, problem=str(exc))))
            for problem in problems:
                result.warnings.append(_warning(rule, problem))
            result.applied = bool(result.value)
            return result
        if rule.transform == "concat":
            first = _join(raw, rule) if several else raw
            second = _join(raw2, rule) if several2 else raw2
            transformed = transform_value(first, rule, second)
        elif several:
            transformed = _join([transform_value(v, rule) for v in raw if not is_empty(v)], rule)
            if is_empty(transformed) and rule.transform in ("default", "map") and rule.default:
                transformed = rule.default
        else:
            transformed = transform_value(raw, rule)
        result.transformed = transformed
        if is_empty(transformed):
            return result
        result.value = convert_value(transformed, rule, resolve_many2one)
        result.applied = True
    except MappingError as exc:
        result.applied = False
        result.value = None
        result.warnings.append(_warning(rule, str(exc)))
    return result


def _warning(rule, problem):
    return str(
        _lt(
            "Field mapping %(rule)s: %(problem)s; the default mapping is kept.",
            rule=rule.describe(),
            problem=problem,
        )
    )


def apply_rules(payload, rules, line_count=0, resolve_many2one=None):
    """Evaluate ``rules`` (in order) on a raw ``payload``.

    :param line_count: number of goods lines of the order (line and product targets)
    :return: :class:`MappingResult`
    """
    return MappingResult([apply_rule(payload, rule, line_count, resolve_many2one) for rule in rules])
