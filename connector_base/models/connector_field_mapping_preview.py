# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import date, datetime

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..exceptions import ChannelError
from ..schema import ChannelDataError
from ..services import field_mapper
from ..services.order_builder import OrderBuilder
from .connector_field_mapping import FieldMappingPreviewDone


class ConnectorFieldMappingPreview(models.TransientModel):
    """Show what the account's field mappings do to a stored channel order.

    The engine builds the order inside a savepoint that is rolled back and
    stops right before the sale order would be created: nothing is written.
    """

    _name = "connector.field.mapping.preview"
    _description = "Channel Field Mapping Preview"

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade")
    connector_order_id = fields.Many2one(
        "connector.order",
        string="Channel order",
        domain="[('account_id', '=', account_id), ('payload_hash', '!=', False)]",
        help="A stored channel order of this account; its raw payload is the input of the rules.",
    )
    message = fields.Text(readonly=True)
    line_ids = fields.One2many("connector.field.mapping.preview.line", "wizard_id", readonly=True)
    payload_text = fields.Text(related="connector_order_id.payload_text", string="Raw payload")

    def action_preview(self):
        self.ensure_one()
        self._compute_preview()
        return self._action_reopen()

    def _action_reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Field mapping preview"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _compute_preview(self):
        """Fill the lines: per rule the raw, transformed, default, rule and final values."""
        self.ensure_one()
        account = self.account_id.with_company(self.account_id.company_id)
        payload = self.connector_order_id.payload
        if not payload:
            raise UserError(
                _("Pick a channel order whose raw payload is still stored (old ones are purged).")
            )
        mappings = self.env["connector.field.mapping"].search([("account_id", "=", account.id)])
        entries, message = self._engine_entries(account, payload)
        by_mapping = {entry["mapping_id"]: entry for entry in entries}
        if mappings and not entries:
            # The default mapping failed before the rules ran: show the rules alone.
            try:
                line_count = len(account._parse_order(payload).lines)
            except ChannelDataError:
                line_count = 0
            rules = [mapping._to_rule() for mapping in mappings]
            result = field_mapper.apply_rules(payload, rules, line_count, account._field_mapping_resolver())
            by_mapping = {
                res.rule.key: {"result": res, "default": None, "final": None, "notes": []}
                for res in result.results
            }
        commands = [Command.clear()]
        for sequence, mapping in enumerate(mappings):
            entry = by_mapping.get(mapping.id)
            if not entry:
                continue
            res = entry["result"]
            rule = res.rule
            warnings = res.warnings + entry["notes"]
            commands.append(
                Command.create(
                    {
                        "sequence": sequence,
                        "mapping_id": mapping.id,
                        "source_path": " + ".join(
                            p
                            for p in (rule.source_path, rule.transform == "concat" and rule.source_path2)
                            if p
                        ),
                        "target": rule.label,
                        "raw_value": _raw_text(res.raw),
                        "transformed_value": _raw_text(res.transformed),
                        "default_value": self._display(entry["default"], rule),
                        "rule_value": self._display(res.value, rule) if res.applied else "",
                        "final_value": self._display(entry["final"], rule),
                        "applied": res.applied and not entry["notes"],
                        "warning": "\n".join(warnings) or False,
                    }
                )
            )
        if not mappings:
            message = _("This account has no active field mappings.")
        self.write({"line_ids": commands, "message": message or False})

    def _engine_entries(self, account, payload):
        """Run the order builder in a rolled-back savepoint, up to the mapping hook.

        :return: (report entries of the hook, message about the default mapping or False)
        """
        report = []
        try:
            with self.env.cr.savepoint():
                channel_order = account._parse_order(payload)
                builder = OrderBuilder(account, channel_order, raw_payload=payload)
                builder.field_mapping_report = report
                builder.build()
                raise FieldMappingPreviewDone()  # the hook stops first; never keep what a build made
        except FieldMappingPreviewDone:
            return report, False
        except (ChannelDataError, ChannelError, UserError, ValidationError) as exc:
            return [], _(
                "The default mapping stops before the rules are applied, so the default and final "
                "values are unknown: %s",
                exc.args[0] if exc.args else exc,
            )

    @api.model
    def _display(self, value, rule):
        """A value as a person reads it (records by name, lines numbered)."""
        if isinstance(value, dict):
            return "; ".join(f"{i + 1}: {self._display(v, rule)}" for i, v in sorted(value.items()))
        if isinstance(value, list):
            return "; ".join(f"{i + 1}: {self._display(v, rule)}" for i, v in enumerate(value))
        if isinstance(value, models.BaseModel):
            return ", ".join(value.sudo().mapped("display_name"))
        if value is None or (value is False and rule.field_type != "boolean"):
            return ""
        if rule.field_type == "many2one" and isinstance(value, int) and not isinstance(value, bool):
            return self.env[rule.comodel].sudo().browse(value).display_name
        if isinstance(value, datetime | date):
            return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
        return str(value)


def _raw_text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


class ConnectorFieldMappingPreviewLine(models.TransientModel):
    _name = "connector.field.mapping.preview.line"
    _description = "Channel Field Mapping Preview Line"
    _order = "sequence, id"

    wizard_id = fields.Many2one("connector.field.mapping.preview", required=True, ondelete="cascade")
    sequence = fields.Integer()
    mapping_id = fields.Many2one("connector.field.mapping", string="Rule", ondelete="cascade")
    source_path = fields.Char(string="Path")
    target = fields.Char()
    raw_value = fields.Char(string="Raw value")
    transformed_value = fields.Char(string="Transformed")
    default_value = fields.Char(string="Default", help="What the default mapping writes.")
    rule_value = fields.Char(string="Rule value", help="What the rule writes instead (empty: nothing).")
    final_value = fields.Char(string="Final", help="What the import writes.")
    applied = fields.Boolean()
    warning = fields.Text()
