# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""VAT evaluation settings of an account, and the VIES check with its cache."""

from datetime import timedelta

from stdnum.eu import vat as eu_vat

from odoo import _, api, fields, models, tools

from ..schema import ChannelDataError
from ..services import vies
from ..services.vat import CASES, VatEvaluator


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    vat_oss_registered = fields.Boolean(
        string="OSS registered",
        compute="_compute_vat_defaults",
        store=True,
        readonly=False,
        help="On: EU consumers pay their own country's VAT through the OSS fiscal positions "
        "(Accounting settings: 'OSS Tax mapping'). Off (below the EU threshold): EU consumers "
        "pay domestic VAT.",
    )
    fp_domestic_id = fields.Many2one(
        "account.fiscal.position",
        string="Domestic sales",
        check_company=True,
        help="Usually empty: the products' own taxes.",
    )
    fp_reverse_charge_id = fields.Many2one(
        "account.fiscal.position",
        string="EU business (reverse charge)",
        check_company=True,
        compute="_compute_vat_defaults",
        store=True,
        readonly=False,
    )
    fp_export_id = fields.Many2one(
        "account.fiscal.position",
        string="Export outside the EU",
        check_company=True,
        compute="_compute_vat_defaults",
        store=True,
        readonly=False,
    )
    fp_channel_vat_id = fields.Many2one(
        "account.fiscal.position",
        string="VAT collected by the channel",
        check_company=True,
        help="Used when the marketplace collects and pays the VAT as deemed supplier "
        "(e.g. Amazon for sellers outside the EU, or under import OSS).",
    )
    vat_check_mode = fields.Selection(
        [("vies", "Check with VIES"), ("format", "Format only")],
        default="vies",
        required=True,
        string="Buyer VAT id check",
        help="VIES: a business buyer gets reverse charge only when the EU VIES service "
        "confirms the VAT id (answers are kept for 30 days).",
    )
    vies_unavailable_policy = fields.Selection(
        [("consumer", "Treat the buyer as a consumer"), ("park", "Park the order")],
        default="consumer",
        required=True,
        string="When VIES cannot answer",
    )
    tax_rule_ids = fields.One2many("connector.tax.rule", "account_id", string="Tax rules")

    @api.depends("company_id")
    def _compute_vat_defaults(self):
        FiscalPosition = self.env["account.fiscal.position"]
        europe_vat = self.env.ref("account.europe_vat", raise_if_not_found=False)
        for account in self:
            company = account.company_id
            domain = FiscalPosition._check_company_domain(company)
            account.vat_oss_registered = bool(
                FiscalPosition.search_count(domain + [("name", "=like", "OSS B2C %")], limit=1)
            )
            if not account.fp_reverse_charge_id and europe_vat:
                account.fp_reverse_charge_id = FiscalPosition.search(
                    domain + [("country_group_id", "=", europe_vat.id), ("vat_required", "=", True)], limit=1
                )
            if not account.fp_export_id:
                account.fp_export_id = account._default_export_position()

    def _default_export_position(self):
        """The chart's position for customers outside the EU (no country, no group)."""
        self.ensure_one()
        Chart = self.env["account.chart.template"].with_company(self.company_id)
        for xmlid in (
            "fiscal_position_non_eu_partner_skr03",
            "fiscal_position_non_eu_partner_skr04",
            "fiscal_position_template_non_eu",
            "fiscal_position_template_world",
        ):
            fpos = Chart.ref(xmlid, raise_if_not_found=False)
            if fpos:
                return fpos
        return self.env["account.fiscal.position"].search(
            self.env["account.fiscal.position"]._check_company_domain(self.company_id)
            + [("name", "ilike", "non-EU")],
            limit=1,
        )

    # === TAX DECISION (used by the order builder) === #

    @api.model
    @tools.ormcache()
    def _get_eu_country_codes(self):
        return frozenset(self.env.ref("base.europe").country_ids.mapped("code"))

    def _get_vat_decision(self, order, customer, delivery):
        self.ensure_one()
        return VatEvaluator(self).evaluate(order, customer, delivery)

    def _get_order_fiscal_position(self, order, customer, delivery):
        return self._get_vat_decision(order, customer, delivery).fiscal_position

    def _check_buyer_vat(self, vat):
        """(valid, note) for a business buyer's VAT id, per the account's setting.

        :raise ChannelDataError: VIES could not answer and the policy is to park
        """
        self.ensure_one()
        country, number = vies.split_vat(vat)
        if self.vat_check_mode == "format":
            valid = eu_vat.is_valid(f"{country}{number}")
            return valid, "" if valid else _("VAT id %s has no valid format: treated as a consumer.", vat)
        result = self.env["connector.vies.check"]._check(f"{country}{number}")
        if result.valid is None:
            if self.vies_unavailable_policy == "park":
                raise ChannelDataError(
                    _(
                        "VIES could not verify the VAT id %(vat)s (%(error)s): retry when VIES "
                        "answers again.",
                        vat=vat,
                        error=result.error,
                    )
                )
            return False, _(
                "VIES could not verify the VAT id %(vat)s (%(error)s): treated as a consumer.",
                vat=vat,
                error=result.error,
            )
        if not result.valid:
            return False, _("VAT id %s is not valid in VIES: treated as a consumer.", vat)
        return True, ""

    # === MATRIX === #

    def action_view_vat_matrix(self):
        """Show, for every EU country and buyer type, what the connector does today."""
        self.ensure_one()
        Line = self.env["connector.vat.matrix.line"]
        Line.search([("account_id", "=", self.id)]).unlink()
        evaluator = VatEvaluator(self)
        ship_from = evaluator.ship_from_country()
        countries = (
            self.env.ref("base.europe").country_ids | self.env.ref("base.ch") | self.env.ref("base.us")
        )
        sample = self.env.ref("connector_base.product_channel_discount").product_tmpl_id
        vals = []
        for country in countries.sorted("name"):
            for buyer, is_business in (("b2c", False), ("b2b", True)):
                try:
                    decision = evaluator.decide(country.code, is_business, is_business, False, ship_from)
                except ChannelDataError as exc:
                    vals.append(
                        {
                            "account_id": self.id,
                            "country_id": country.id,
                            "buyer_type": buyer,
                            "case": False,
                            "reason": str(exc),
                        }
                    )
                    continue
                fpos = decision.fiscal_position
                default_tax = self.company_id.account_sale_tax_id
                taxes = fpos.map_tax(default_tax) if fpos else default_tax
                if decision.rule and decision.rule.tax_id:
                    taxes = decision.rule.tax_id
                vals.append(
                    {
                        "account_id": self.id,
                        "country_id": country.id,
                        "buyer_type": buyer,
                        "case": decision.case,
                        "fiscal_position_id": fpos.id,
                        "tax_names": ", ".join(taxes.mapped("name")) or _("No VAT"),
                        "revenue_account_id": (
                            decision.rule.revenue_account_id.id if decision.rule else False
                        )
                        or (
                            fpos.map_account(
                                sample.property_account_income_id
                                or sample.categ_id.property_account_income_categ_id
                            ).id
                            if fpos
                            else False
                        ),
                        "reason": decision.reason,
                    }
                )
        Line.create(vals)
        return {
            "type": "ir.actions.act_window",
            "name": _("VAT matrix of %s", self.display_name),
            "res_model": "connector.vat.matrix.line",
            "view_mode": "list",
            "domain": [("account_id", "=", self.id)],
            "context": {"search_default_group_case": 0},
        }


class ConnectorTaxRule(models.Model):
    """An accountant's override of the automatic VAT decision."""

    _name = "connector.tax.rule"
    _description = "Channel Tax Rule"
    _order = "account_id, sequence, id"
    _check_company_auto = True

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    country_ids = fields.Many2many("res.country", string="Ship-to countries", help="Empty: all countries.")
    buyer_type = fields.Selection(
        [("any", "Any buyer"), ("b2c", "Consumer"), ("b2b", "Business with valid VAT id")],
        default="any",
        required=True,
    )
    fiscal_position_id = fields.Many2one("account.fiscal.position", check_company=True)
    tax_id = fields.Many2one(
        "account.tax",
        string="Default tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        help="Replaces the products' taxes on these orders.",
    )
    revenue_account_id = fields.Many2one(
        "account.account",
        string="Revenue account",
        check_company=True,
        help="Income account of these orders' invoice lines.",
    )

    @api.depends("country_ids", "buyer_type")
    def _compute_display_name(self):
        labels = dict(self._fields["buyer_type"]._description_selection(self.env))
        for rule in self:
            countries = ", ".join(rule.country_ids.mapped("code")) or _("all countries")
            rule.display_name = f"{countries} / {labels[rule.buyer_type]}"


class ConnectorViesCheck(models.Model):
    """VIES answers per VAT id, so each id is asked once a month, not per order."""

    _name = "connector.vies.check"
    _description = "VIES VAT Id Check"
    _order = "checked_at desc"

    vat = fields.Char(string="VAT id", required=True, index=True)
    valid = fields.Boolean()
    name = fields.Char()
    address = fields.Char()
    checked_at = fields.Datetime(required=True, default=fields.Datetime.now)

    _vat_uniq = models.Constraint("UNIQUE(vat)", "One cached answer per VAT id.")

    @api.model
    def _check(self, vat):
        params = self.env["ir.config_parameter"].sudo()
        ttl = int(params.get_param("connector_base.vies_cache_days", 30))
        cached = self.sudo().search([("vat", "=", vat)], limit=1)
        if cached and cached.checked_at > fields.Datetime.now() - timedelta(days=ttl):
            return vies.ViesResult(cached.valid, cached.name or "", cached.address or "")
        result = vies.check_vat(
            vat,
            wsdl_url=params.get_param("connector_base.vies_wsdl_url") or None,
            timeout=int(params.get_param("connector_base.vies_timeout", 10)),
        )
        if result.valid is not None:
            vals = {
                "vat": vat,
                "valid": result.valid,
                "name": result.name[:200],
                "address": result.address[:250],
                "checked_at": fields.Datetime.now(),
            }
            if cached:
                cached.write(vals)
            else:
                self.sudo().create(vals)
        return result


class ConnectorVatMatrixLine(models.TransientModel):
    _name = "connector.vat.matrix.line"
    _description = "Channel VAT Matrix Line"
    _order = "country_id, buyer_type"

    account_id = fields.Many2one("connector.account", required=True, ondelete="cascade")
    country_id = fields.Many2one("res.country", string="Ship-to country")
    buyer_type = fields.Selection([("b2c", "Consumer"), ("b2b", "Business with valid VAT id")])
    case = fields.Selection(CASES)
    fiscal_position_id = fields.Many2one("account.fiscal.position")
    tax_names = fields.Char(string="VAT on a standard-rated product")
    revenue_account_id = fields.Many2one("account.account")
    reason = fields.Char()
