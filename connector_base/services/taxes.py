# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fiscal position and line taxes of an imported order.

Marketplaces sell to consumers at tax-included prices. To reproduce the
channel's gross amounts to the cent, lines of such orders carry the
*tax-included* twin of each tax (same rate, accounts and tags, with
``price_include_override = 'tax_included'``): Odoo then derives the net amount
from the gross one instead of rounding a net unit price up or down.
"""

from odoo.tools.translate import LazyTranslate

from ..schema import ChannelDataError

_lt = LazyTranslate(__name__, default_lang="en_US")


class TaxResolver:
    def __init__(self, account, warnings):
        self.account = account
        self.env = account.env
        self.company = account.company_id
        self.warnings = warnings
        self._twins = {}
        self.decision = None

    def decide(self, order, customer, delivery):
        """The VAT decision of the order (fiscal position, case, rule): see services/vat.py."""
        self.decision = self.account._get_vat_decision(order, customer, delivery)
        self.warnings.extend(self.decision.notes)
        return self.decision

    def line_taxes(self, product, fiscal_position, price_included):
        rule = self.decision.rule if self.decision else None
        if rule and rule.tax_id:
            taxes = rule.tax_id
        else:
            taxes = product.taxes_id._filter_taxes_by_company(self.company)
            taxes = fiscal_position.map_tax(taxes) if fiscal_position else taxes
            # a twin is never a mapping target of its own (older twins copied the mapping)
            taxes = taxes.filtered(lambda t: not t.connector_source_tax_id)
        if price_included:
            taxes = self.env["account.tax"].concat(*(self.included_twin(t) for t in taxes))
        return taxes

    def included_twin(self, tax):
        """The tax-included version of ``tax`` (found or created once)."""
        if tax.price_include or tax.amount_type not in ("percent", "division"):
            return tax
        if tax.id not in self._twins:
            twin = tax.connector_included_twin_id
            if not (twin.active and self._is_twin_of(twin, tax)):
                # Race-free: whoever makes a twin also writes this tax's row, in the same
                # transaction. Under REPEATABLE READ a second writer of that row waits for the
                # first and then fails to serialize (first updater wins); queue_job retries
                # its job, which then reads the winner's twin here. Read-only once it exists.
                twin = self._find_or_create_twin(tax)
                tax.sudo().connector_included_twin_id = twin
            self._twins[tax.id] = twin
        return self._twins[tax.id]

    @staticmethod
    def _is_twin_of(twin, tax):
        return (
            twin.connector_source_tax_id == tax
            and twin.price_include_override == "tax_included"
            and twin.amount_type == tax.amount_type
            and twin.amount == tax.amount
            and twin.company_id == tax.company_id
        )

    def _find_or_create_twin(self, tax):
        Tax = self.env["account.tax"].sudo().with_company(tax.company_id)
        twin = Tax.search(
            [
                ("company_id", "=", tax.company_id.id),
                ("type_tax_use", "=", tax.type_tax_use),
                ("amount_type", "=", tax.amount_type),
                ("amount", "=", tax.amount),
                ("country_id", "=", tax.country_id.id),
                ("tax_group_id", "=", tax.tax_group_id.id),
                ("price_include_override", "=", "tax_included"),
                ("connector_source_tax_id", "=", tax.id),
            ],
            limit=1,
        )
        if not twin:
            twin = tax.copy(
                {
                    "name": f"{tax.name} (incl.)",
                    "price_include_override": "tax_included",
                    "connector_source_tax_id": tax.id,
                    # not a fiscal position target itself: positions map to the source tax
                    "fiscal_position_ids": [(5, 0, 0)],
                    "original_tax_ids": [(5, 0, 0)],
                    "description": tax.description,
                    "invoice_label": tax.invoice_label,
                }
            )
        return twin.sudo(False)

    def check_rate(self, line, taxes, title):
        """Warn when the channel computed another VAT rate than Odoo will."""
        if line.tax_rate is None:
            return
        odoo_rate = sum(t.amount for t in taxes if t.amount_type == "percent")
        if abs(float(line.tax_rate) - odoo_rate) > 0.01:
            self.warnings.append(
                self.env._(
                    "%(line)s: the channel charged %(rate)s%% VAT, Odoo applies %(odoo_rate)s%%.",
                    line=title,
                    rate=line.tax_rate,
                    odoo_rate=f"{odoo_rate:g}",
                )
            )

    @staticmethod
    def require_taxes(product):
        if not product:
            raise ChannelDataError(_lt("No product for a line."))
