# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..services import field_mapper
from ..services.field_mapper import (
    FIELD_TYPES,
    PARTNER_TARGETS,
    TARGET_CUSTOMER,
    TARGET_INVOICE,
    TARGET_LINE,
    TARGET_MODELS,
    TARGET_ORDER,
    TARGET_PRODUCT,
    MappingError,
    PathError,
    Rule,
)

TARGETS = [
    (TARGET_ORDER, "Sales order"),
    (TARGET_LINE, "Order lines"),
    (TARGET_CUSTOMER, "Customer"),
    (TARGET_INVOICE, "Invoice address"),
    ("partner_delivery", "Delivery address"),
    (TARGET_PRODUCT, "Product of each line"),
]
TRANSFORMS = [
    ("none", "None"),
    ("trim", "Trim spaces"),
    ("upper", "UPPER CASE"),
    ("lower", "lower case"),
    ("map", "Map values through a table"),
    ("default", "Default when empty"),
    ("date", "Parse a date"),
    ("concat", "Concatenate two paths"),
]


class FieldMappingPreviewDone(Exception):
    """Raised by the import hook in a preview, once the values are known (nothing is created)."""


class ConnectorFieldMapping(models.Model):
    """A rule that copies a value of the channel's raw order payload onto an Odoo field.

    Rules apply after the default mapping and override it. A path that does not
    exist or a value the field cannot hold is a warning on the channel order,
    which is then imported with the default mapping.
    """

    _name = "connector.field.mapping"
    _description = "Channel Field Mapping"
    _order = "account_id, sequence, id"
    _check_company_auto = True

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    sequence = fields.Integer(
        default=10, help="Rules run in this order; a later rule on the same field wins."
    )
    active = fields.Boolean(default=True)
    source_path = fields.Char(
        string="Payload path",
        required=True,
        help="Where the value is in the channel's raw order: keys separated by dots, [] after a "
        "list, e.g. buyer.phone, shipping_address.additional_field, order_units[].note. The "
        "paths of each channel are listed in its module's documentation; the Raw payload tab of a "
        "channel order shows a real one.",
    )
    source_path2 = fields.Char(string="Second path", help="Value appended by 'Concatenate two paths'.")
    target_model = fields.Selection(TARGETS, string="Target", required=True, default=TARGET_ORDER)
    target_model_name = fields.Char(compute="_compute_target_model_name")
    field_id = fields.Many2one(
        "ir.model.fields",
        string="Odoo field",
        required=True,
        ondelete="cascade",
        # stored fields, and on products the template's fields they inherit
        domain="[('model', '=', target_model_name), ('readonly', '=', False), ('ttype', 'in', %s), "
        "'|', ('store', '=', True), ('related', '=like', 'product_tmpl_id.%%')]" % (list(FIELD_TYPES),),
    )
    field_name = fields.Char(related="field_id.name", string="Technical name")
    field_type = fields.Selection(related="field_id.ttype", string="Field type")
    transform = fields.Selection(TRANSFORMS, string="Transformation", default="none", required=True)
    value_ids = fields.One2many("connector.field.mapping.value", "mapping_id", string="Value table")
    default_value = fields.Char(
        help="Written when the payload has no value ('Default when empty'), or for channel values "
        "missing from the value table ('Map values through a table')."
    )
    date_format = fields.Char(
        help="How the channel writes dates, in strftime codes, e.g. %d.%m.%Y %H:%M. Empty: ISO 8601."
    )
    separator = fields.Char(
        default=" ",
        trim=False,
        help="Put between the two values of a concatenation, and between the values of a path "
        "with [] written to one field.",
    )

    # === COMPUTE METHODS === #

    @api.depends("target_model")
    def _compute_target_model_name(self):
        for mapping in self:
            mapping.target_model_name = TARGET_MODELS.get(mapping.target_model, False)

    @api.depends("source_path", "target_model", "field_id")
    def _compute_display_name(self):
        targets = dict(TARGETS)
        for mapping in self:
            target = targets.get(mapping.target_model, "")
            mapping.display_name = (
                f"{mapping.source_path or ''} -> {target} / {mapping.field_id.field_description or ''}"
            )

    # === CONSTRAINTS AND ONCHANGES === #

    @api.constrains("source_path", "source_path2", "transform", "target_model", "field_id")
    def _check_rule(self):
        for mapping in self:
            try:
                field_mapper.parse_path(mapping.source_path)
                if mapping.transform == "concat":
                    field_mapper.parse_path(mapping.source_path2)
            except PathError as exc:
                raise ValidationError(
                    _("Field mapping %(rule)s: %(error)s", rule=mapping.display_name, error=str(exc))
                ) from None
            field = mapping.field_id
            if field.model != TARGET_MODELS.get(mapping.target_model):
                raise ValidationError(
                    _(
                        "Field mapping %(rule)s: the field %(field)s is not a field of %(model)s.",
                        rule=mapping.display_name,
                        field=field.name,
                        model=TARGET_MODELS.get(mapping.target_model),
                    )
                )
            model_field = self.env[field.model]._fields.get(field.name) if field.model in self.env else None
            stored = model_field is not None and (model_field.store or model_field.inherited)
            if field.ttype not in FIELD_TYPES or not stored or field.readonly:
                raise ValidationError(
                    _(
                        "Field mapping %(rule)s: %(field)s cannot be written by a mapping (stored, "
                        "writable fields of type %(types)s only).",
                        rule=mapping.display_name,
                        field=field.field_description,
                        types=", ".join(FIELD_TYPES),
                    )
                )

    @api.onchange("target_model")
    def _onchange_target_model(self):
        if self.field_id and self.field_id.model != self.target_model_name:
            self.field_id = False

    # === BUSINESS METHODS === #

    def _to_rule(self):
        """The rule as plain data for :mod:`..services.field_mapper`."""
        self.ensure_one()
        model = TARGET_MODELS[self.target_model]
        field = self.env[model]._fields.get(self.field_id.name)
        selection = ()
        if field is not None and field.type == "selection":
            selection = tuple(field._description_selection(self.env))
        target = dict(self._fields["target_model"]._description_selection(self.env))[self.target_model]
        return Rule(
            source_path=self.source_path or "",
            target=self.target_model,
            field_name=self.field_id.name,
            field_type=self.field_id.ttype,
            transform=self.transform,
            value_map={v.channel_value: v.odoo_value or "" for v in self.value_ids},
            default=self.default_value or "",
            date_format=self.date_format or "",
            source_path2=self.source_path2 or "",
            separator=self.separator or "",
            selection=selection,
            comodel=self.field_id.relation or "",
            label=f"{target} / {self.field_id.field_description}",
            key=self.id,
        )


class ConnectorFieldMappingValue(models.Model):
    """One row of a rule's value table: channel value -> Odoo value."""

    _name = "connector.field.mapping.value"
    _description = "Channel Field Mapping Value"
    _order = "mapping_id, id"

    mapping_id = fields.Many2one("connector.field.mapping", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="mapping_id.company_id", store=True)
    channel_value = fields.Char(string="Channel value", required=True)
    odoo_value = fields.Char(
        string="Odoo value",
        help="Text written to the field; for a link to another record (e.g. a carrier) its name.",
    )

    _mapping_value_uniq = models.Constraint(
        "UNIQUE(mapping_id, channel_value)", "Each channel value appears once in a value table."
    )


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    field_mapping_ids = fields.One2many("connector.field.mapping", "account_id", string="Field mappings")

    # === ACTION METHODS === #

    def action_preview_field_mappings(self):
        """Open the preview of the field mappings on the latest stored payload."""
        self.ensure_one()
        order = self.env["connector.order"].search(
            [("account_id", "=", self.id), ("payload_hash", "!=", False)], limit=20
        )
        order = order.filtered("payload")[:1]
        wizard = self.env["connector.field.mapping.preview"].create(
            {"account_id": self.id, "connector_order_id": order.id}
        )
        if order:
            wizard._compute_preview()
        return wizard._action_reopen()

    # === BUSINESS METHODS === #

    def _field_mapping_resolver(self):
        """``(rule, name) -> id``: the record of ``rule.comodel`` with that name in the company."""
        self.ensure_one()
        company = self.company_id
        found = {}

        def resolve(rule, name):
            key = (rule.comodel, name.casefold())
            if key not in found:
                Model = self.env[rule.comodel].sudo().with_company(company)
                pattern = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                domain = [("display_name", "=ilike", pattern)]
                if "company_id" in Model._fields:
                    domain.append(("company_id", "in", (company.id, False)))
                found[key] = Model.search(domain, limit=2)
            records = found[key]
            if not records:
                raise MappingError(
                    self.env._(
                        "no %(model)s is named %(name)r",
                        model=self.env[rule.comodel]._description,
                        name=name[:60],
                    )
                )
            if len(records) > 1:
                raise MappingError(
                    self.env._(
                        "several records of %(model)s are named %(name)r",
                        model=self.env[rule.comodel]._description,
                        name=name[:60],
                    )
                )
            return records.id

        return resolve

    def _apply_field_mappings(self, builder, vals, partners, products):
        """Apply the account's field mappings to an order being built (import hook).

        Called by the order builder once the default mapping is done, right
        before the sale order is created. Rules read ``builder.raw_payload``
        and override ``vals`` (the sale order and its goods lines, in place) or
        write the resolved partners and matched products. Problems are
        appended to ``builder.warnings``; the default values then stay.

        In a preview (``builder.field_mapping_report`` is a list) nothing is
        written: the report receives one entry per rule and
        :class:`FieldMappingPreviewDone` stops the build.

        :param partners: (customer, invoice address, delivery address)
        :param products: product.product per channel order line (empty: unknown)
        """
        self.ensure_one()
        report = getattr(builder, "field_mapping_report", None)
        payload = getattr(builder, "raw_payload", None)
        mappings = self.env["connector.field.mapping"].sudo().search([("account_id", "=", self.id)])
        if payload is None or not mappings:
            if report is not None:
                raise FieldMappingPreviewDone()
            return
        rules = [mapping._to_rule() for mapping in mappings]
        line_count = len(builder.order.lines)
        result = field_mapper.apply_rules(payload, rules, line_count, self._field_mapping_resolver())
        goods = [cmd[2] for cmd in (vals.get("order_line") or [])[:line_count]]
        partner_by_target = dict(zip(PARTNER_TARGETS, partners, strict=True))

        def current(rule, index=None):
            if rule.target == TARGET_ORDER:
                return vals.get(rule.field_name)
            if rule.target == TARGET_LINE:
                return goods[index].get(rule.field_name) if index < len(goods) else None
            record = products[index] if rule.target == TARGET_PRODUCT else partner_by_target[rule.target]
            return record[rule.field_name] if record else None

        entries = []
        for res in result.results:
            rule = res.rule
            lines = range(line_count) if rule.per_line else None
            default = [current(rule, i) for i in lines] if rule.per_line else current(rule)
            entries.append({"mapping_id": rule.key, "result": res, "default": default, "notes": []})

        writes = {}
        for entry in entries:
            res = entry["result"]
            rule = res.rule
            if not res.applied:
                continue
            if rule.target == TARGET_ORDER:
                vals[rule.field_name] = res.value
            elif rule.target == TARGET_LINE:
                for index, value in res.value.items():
                    goods[index][rule.field_name] = value
            elif rule.target == TARGET_PRODUCT:
                for index, value in res.value.items():
                    if products[index]:
                        writes.setdefault(products[index], {})[rule.field_name] = value
            elif self.default_partner_id and rule.target in (TARGET_CUSTOMER, TARGET_INVOICE):
                entry["notes"].append(
                    self.env._(
                        "Field mapping %(rule)s: every order is booked on %(partner)s, which is not "
                        "changed by the rule.",
                        rule=rule.describe(),
                        partner=self.default_partner_id.display_name,
                    )
                )
            else:
                partner = partner_by_target[rule.target]
                if partner[rule.field_name] != res.value:
                    writes.setdefault(partner, {})[rule.field_name] = res.value

        for entry in entries:
            rule = entry["result"].rule
            if rule.per_line:
                entry["final"] = [
                    writes.get(products[i], {}).get(rule.field_name, current(rule, i))
                    if rule.target == TARGET_PRODUCT
                    else current(rule, i)
                    for i in range(line_count)
                ]
            elif rule.target in PARTNER_TARGETS:
                partner = partner_by_target[rule.target]
                entry["final"] = writes.get(partner, {}).get(rule.field_name, current(rule))
            else:
                entry["final"] = current(rule)

        if report is not None:
            report.extend(entries)
            raise FieldMappingPreviewDone()

        builder.warnings.extend(result.warnings)
        builder.warnings.extend(note for entry in entries for note in entry["notes"])
        for record, values in writes.items():
            try:
                with self.env.cr.savepoint():
                    record.write(values)
            except (AccessError, UserError, ValidationError, ValueError) as exc:
                builder.warnings.append(
                    self.env._(
                        "Field mapping: %(record)s could not be updated with %(fields)s (%(error)s); "
                        "it is unchanged.",
                        record=record.display_name,
                        fields=", ".join(values),
                        error=str(exc.args[0] if exc.args else exc),
                    )
                )
