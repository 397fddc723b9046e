# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The VAT evaluation matrix: which fiscal position an imported sale gets.

Inputs: ship-from country (the account's warehouse, or the channel's for
channel-fulfilled orders), ship-to country, buyer type (business with a VAT id
valid in VIES, or consumer), the company's OSS registration (an account
setting), and channel facts (the channel collects the VAT as deemed supplier).

Order of the rules, first match wins:

1. the channel collects the VAT            -> the account's "channel VAT" position
2. an admin rule for (country, buyer type) -> the rule's position
3. ship-to = ship-from (domestic)          -> domestic taxes
4. ship-to outside the EU                  -> export position
5. EU business with a VIES-valid VAT id    -> intra-community reverse charge
6. EU consumer (or unverified VAT id)      -> OSS position of the destination
                                              (domestic taxes when not OSS-registered)
"""

from dataclasses import dataclass, field

from ..schema import ChannelDataError

CASES = [
    ("domestic", "Domestic"),
    ("oss", "EU consumer (OSS, destination VAT)"),
    ("eu_domestic", "EU consumer, below the OSS threshold (domestic VAT)"),
    ("reverse_charge", "EU business, reverse charge"),
    ("export", "Export outside the EU"),
    ("channel", "VAT collected by the channel"),
    ("rule", "Admin rule"),
]
CASE_LABELS = dict(CASES)


@dataclass
class VatDecision:
    case: str
    fiscal_position: object  # account.fiscal.position recordset (may be empty)
    reason: str
    rule: object = None  # connector.tax.rule applied, if any
    notes: list = field(default_factory=list)


class VatEvaluator:
    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.company = account.company_id
        self.eu_codes = account._get_eu_country_codes()

    # --- inputs ------------------------------------------------------------

    def ship_from_country(self, order=None):
        if order is not None and order.fulfilled_by_channel and order.ship_from_country:
            return order.ship_from_country.upper()
        warehouse_country = self.account.warehouse_id.partner_id.country_id or self.company.country_id
        return warehouse_country.code or ""

    def buyer_vat_status(self, vat):
        """(is_valid, note): VIES (cached) or the format check, as the account says."""
        return self.account._check_buyer_vat(vat)

    # --- decision ----------------------------------------------------------

    def decide(self, ship_to, is_business, vat_valid, channel_collects, ship_from):
        """Pure decision for one combination (also used by the matrix view)."""
        account = self.account
        ship_to = (ship_to or "").upper()
        if channel_collects:
            if not account.fp_channel_vat_id:
                raise ChannelDataError(
                    self.env._(
                        "The channel collects the VAT on this order, but the account has no fiscal "
                        "position for channel-collected VAT: set it in the account's Taxes tab, then retry."
                    )
                )
            return VatDecision(
                "channel", account.fp_channel_vat_id, self.env._("The channel collects and pays the VAT.")
            )
        buyer = "b2b" if is_business and vat_valid else "b2c"
        rule = account.tax_rule_ids.filtered(
            lambda r: (
                (not r.country_ids or ship_to in r.country_ids.mapped("code"))
                and r.buyer_type in (buyer, "any")
            )
        )[:1]
        if rule:
            return VatDecision(
                "rule", rule.fiscal_position_id, self.env._("Rule: %s", rule.display_name), rule=rule
            )
        if ship_to == ship_from:
            return VatDecision("domestic", account.fp_domestic_id, self.env._("Shipped within %s.", ship_to))
        if ship_to not in self.eu_codes:
            return VatDecision(
                "export", account.fp_export_id, self.env._("Export to %s, outside the EU.", ship_to)
            )
        if buyer == "b2b":
            return VatDecision(
                "reverse_charge",
                account.fp_reverse_charge_id,
                self.env._("Business buyer in %s with a valid VAT id: reverse charge.", ship_to),
            )
        if account.vat_oss_registered:
            fpos = self.oss_position(ship_to)
            if not fpos:
                raise ChannelDataError(
                    self.env._(
                        "No OSS fiscal position for %(country)s: run 'OSS Tax mapping' in the Accounting "
                        "settings (l10n_eu_oss) or add a tax rule for %(country)s, then retry.",
                        country=ship_to,
                    )
                )
            return VatDecision(
                "oss", fpos, self.env._("Consumer in %s: destination VAT through OSS.", ship_to)
            )
        return VatDecision(
            "eu_domestic",
            account.fp_domestic_id,
            self.env._("Consumer in %s, company below the OSS threshold: domestic VAT.", ship_to),
        )

    def oss_position(self, country_code):
        return self.env["account.fiscal.position"].search(
            [
                ("company_id", "=", self.company.id),
                ("country_id.code", "=", country_code),
                ("auto_apply", "=", True),
                ("vat_required", "=", False),
                ("foreign_vat", "=", False),
            ],
            limit=1,
        )

    def evaluate(self, order, customer, delivery):
        """The decision for an imported order."""
        ship_to = order.shipping.country_code or order.billing.country_code or delivery.country_id.code
        vat = order.buyer_vat or customer.commercial_partner_id.vat or ""
        vat_valid, note = (False, "")
        if order.buyer_is_business and vat:
            vat_valid, note = self.buyer_vat_status(vat)
        decision = self.decide(
            ship_to,
            order.buyer_is_business,
            vat_valid,
            order.channel_collects_vat,
            self.ship_from_country(order),
        )
        if note:
            decision.notes.append(note)
        return decision
