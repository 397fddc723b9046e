# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Payouts of the channels, booked as one journal entry each.

A provider turns the channel's payout data into a :class:`ChannelSettlement`
(:meth:`connector.account._fetch_settlements`, or an import wizard for channels
whose API has none); :meth:`connector.account._import_settlement` stores it once
(unique per account and settlement id in the database) and books it:

- the payout on the account's **clearing account** (debit: the channel owes it,
  the bank statement line of the transfer is matched against it);
- customer payments **per order** on the receivable of the order's invoice,
  reconciled with it (the invoice shows as paid);
- refunds on the receivable of the order's credit note (reconciled), or on the
  refund account when there is none;
- fees and commissions on expense accounts **with their input tax**: reverse
  charge when the channel bills from another EU country (Amazon: Luxembourg),
  domestic VAT when it bills from the company's country (Kaufland in Germany);
- reserves and other adjustments on their accounts.

Accounts and taxes come from the account's fee mapping (channel fee type or
kind -> account, tax), else from defaults per chart (SKR03, SKR04, Dutch).
A settlement whose lines do not add up to its total to the cent is parked with
the difference, never booked.
"""

import logging
from collections import defaultdict

import psycopg2

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

from ..exceptions import ChannelError
from ..schema_accounting import SETTLEMENT_KINDS

_logger = logging.getLogger(__name__)

#: chart template -> role -> xml id (without the company prefix) of the default account / tax
CHART_DEFAULTS = {
    "de_skr03": {
        "fee": "account_4760",  # Verkaufsprovisionen
        "refund": "account_8700",  # Erlösschmälerungen
        "reserve": "account_1500",  # Sonstige Vermögensgegenstände
        "adjustment": "account_4900",  # Sonstige betriebliche Aufwendungen
        "clearing_prefix": "136",  # 1360 Geldtransit (Odoo's transfer account) and the next ones
        "tax_domestic": "tax_vst_19_skr03",  # 19 % Vorsteuer
        "tax_reverse_charge": "tax_eu_19_purchase_goods_skr03",  # §13b sonstige Leistungen EU 19/19
    },
    "de_skr04": {
        "fee": "chart_skr04_6770",
        "refund": "chart_skr04_4700",
        "reserve": "chart_skr04_1300",
        "adjustment": "chart_skr04_6300",
        "clearing_prefix": "146",  # 1460 Geldtransit (Odoo's transfer account) and the next ones
        "tax_domestic": "tax_vst_19_skr04",
        "tax_reverse_charge": "tax_eu_19_purchase_goods_skr04",
    },
    "nl": {
        "fee": "4590",  # Overige verkoopkosten
        "refund": "8090",
        "reserve": "1290",  # Overige vorderingen
        "adjustment": "4590",
        "clearing_prefix": "135",  # next to 1350 Betalingen onderweg
        "tax_domestic": "btw_21_buy_d",  # 21 % diensten
        "tax_reverse_charge": "btw_I_21_d",  # verwerving diensten binnen EU, verlegd
    },
}
EU_COUNTRIES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


class ConnectorFeeMapping(models.Model):
    """Which account (and tax) an amount of a channel's payouts is booked on."""

    _name = "connector.fee.mapping"
    _description = "Channel Payout Account Mapping"
    _order = "kind, fee_type, id"

    account_id = fields.Many2one(
        "connector.account", string="Channel account", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    kind = fields.Selection(SETTLEMENT_KINDS, required=True, default="fee")
    fee_type = fields.Char(
        string="Channel amount type",
        help="The channel's name of the amount (e.g. Commission, FBAPerUnitFulfillmentFee, "
        "Current Reserve Amount). Empty: every amount of this kind without its own line.",
    )
    ledger_account_id = fields.Many2one(
        "account.account", string="Ledger account", required=True, check_company=True, ondelete="restrict"
    )
    tax_id = fields.Many2one(
        "account.tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'purchase')]",
        help="Input tax of fees (reverse charge for a channel billing from another EU country, "
        "domestic VAT otherwise). Amounts are taken as the channel charged them (tax included).",
    )

    _kind_type_uniq = models.UniqueIndex(
        "(account_id, kind, COALESCE(fee_type, ''))", "This amount type is already mapped."
    )


class ConnectorSettlement(models.Model):
    _name = "connector.settlement"
    _description = "Channel Payout"
    _order = "deposit_date desc, id desc"
    _check_company_auto = True

    account_id = fields.Many2one(
        "connector.account", string="Channel", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    external_id = fields.Char(string="Settlement id", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    total = fields.Monetary(string="Payout", readonly=True, help="The amount transferred to the bank.")
    lines_total = fields.Monetary(compute="_compute_lines_total", string="Sum of the lines")
    difference = fields.Monetary(readonly=True, help="Payout minus the sum of its lines, when they differ.")
    start = fields.Datetime(readonly=True)
    end = fields.Datetime(readonly=True)
    deposit_date = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("new", "To book"), ("parked", "Parked: does not add up"), ("posted", "Booked")],
        default="new",
        required=True,
        readonly=True,
        index=True,
    )
    message = fields.Text(readonly=True)
    move_id = fields.Many2one("account.move", string="Journal entry", readonly=True, copy=False)
    line_ids = fields.One2many("connector.settlement.line", "settlement_id", readonly=True)

    _account_external_uniq = models.UniqueIndex(
        "(account_id, external_id)", "This payout was already imported."
    )

    @api.depends("line_ids.amount")
    def _compute_lines_total(self):
        for settlement in self:
            settlement.lines_total = sum(settlement.line_ids.mapped("amount"))

    @api.depends("account_id", "external_id")
    def _compute_display_name(self):
        for settlement in self:
            settlement.display_name = (
                f"{settlement.account_id.name or ''} {settlement.external_id or ''}".strip()
            )

    # === ACTIONS === #

    def action_book(self):
        """Book again (after the fee mapping or an invoice was fixed)."""
        for settlement in self:
            settlement._book()
        return True

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    # === BOOKING === #

    def _book(self):
        """One balanced entry: clearing, order payments (reconciled), refunds, fees with tax,
        reserves, adjustments. Parks the settlement when its lines do not add up."""
        self.ensure_one()
        if self.move_id:
            return self.move_id
        account = self.account_id
        currency = self.currency_id
        difference = self.total - sum(self.line_ids.mapped("amount"))
        if not float_is_zero(difference, precision_rounding=currency.rounding):
            message = _(
                "The payout %(total)s does not equal the sum of its lines %(sum)s (difference %(diff)s): "
                "not booked. Check the channel's statement.",
                total=self.total,
                sum=self.total - difference,
                diff=float_round(difference, precision_rounding=currency.rounding),
            )
            self.write({"state": "parked", "difference": difference, "message": message})
            account._log("settlement", "warning", message, "in", self.external_id, self)
            return False
        builder = _EntryBuilder(self)
        move = builder.create_move()
        move.action_post()
        builder.reconcile(move)
        self.write({"state": "posted", "move_id": move.id, "difference": 0.0, "message": builder.notes()})
        account._log(
            "settlement",
            "warning" if builder.unmatched else "done",
            _(
                "Payout %(ref)s of %(total)s booked (%(entry)s): %(orders)s orders paid.%(notes)s",
                ref=self.external_id,
                total=self.total,
                entry=move.name,
                orders=len(builder.reconciled_orders),
                notes=(" " + builder.notes()) if builder.notes() else "",
            ),
            "in",
            self.external_id,
            move,
        )
        return move


class ConnectorSettlementLine(models.Model):
    _name = "connector.settlement.line"
    _description = "Channel Payout Line"
    _order = "settlement_id, id"

    settlement_id = fields.Many2one("connector.settlement", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    kind = fields.Selection(SETTLEMENT_KINDS, required=True)
    fee_type = fields.Char(string="Channel amount type")
    order_ref = fields.Char(string="Channel order id", index="btree_not_null")
    description = fields.Char()
    amount = fields.Monetary(help="Money to the seller positive, charged to the seller negative.")
    posted_at = fields.Datetime()


class _EntryBuilder:
    """The journal entry of one settlement (plain helper, not a model)."""

    def __init__(self, settlement):
        self.settlement = settlement
        self.account = settlement.account_id
        self.env = settlement.env
        self.currency = settlement.currency_id
        self.company = self.account.company_id
        self.to_reconcile = {}  # (order id, receivable) -> (labels of its lines, its documents)
        self.vals = []
        self.unmatched = []
        self.reconciled_orders = set()

    def notes(self):
        if not self.unmatched:
            return ""
        return _(
            "No posted invoice in Odoo for orders %(orders)s: booked on %(account)s.",
            orders=", ".join(sorted(set(self.unmatched))),
            account=self.account._settlement_unmatched_account().display_name,
        )

    def _line(self, ledger, amount, name, partner=None, tax=None):
        """A line whose balance is the seller's view turned around: money in = credit."""
        vals = {
            "account_id": ledger.id,
            "name": name,
            "partner_id": partner.id if partner else False,
            "amount_currency": -amount,
            "currency_id": self.currency.id,
        }
        if tax:
            vals["tax_ids"] = [Command.set(tax.ids)]
        self.vals.append(vals)
        return len(self.vals) - 1

    def create_move(self):
        settlement = self.settlement
        account = self.account
        lines = settlement.line_ids
        # the payout: debit on the clearing account (money on its way to the bank)
        self.vals.append(
            {
                "account_id": account._settlement_clearing_account().id,
                "name": _("Payout %s", settlement.external_id),
                "amount_currency": settlement.total,
                "currency_id": self.currency.id,
            }
        )
        by_order = defaultdict(float)
        for line in lines.filtered(lambda x: x.kind in ("order", "refund")):
            by_order[(line.kind, line.order_ref or "")] += line.amount
        for (kind, order_ref), amount in sorted(by_order.items()):
            if self.currency.is_zero(amount):
                continue
            self._order_line(kind, order_ref, amount)
        # fees: one base line per account and tax, net of the tax Odoo adds to it
        grouped = defaultdict(float)
        for line in lines.filtered(lambda x: x.kind == "fee"):
            ledger, tax = account._settlement_account_for("fee", line.fee_type)
            grouped[(ledger, tax)] += line.amount
        for (ledger, tax), gross in grouped.items():
            if self.currency.is_zero(gross):
                continue
            net = self._net_of_tax(gross, tax)
            self._line(ledger, net, _("Fees %(account)s", account=account.name), tax=tax)
        others = defaultdict(float)
        for line in lines.filtered(lambda x: x.kind in ("reserve", "adjustment")):
            ledger, _tax = account._settlement_account_for(line.kind, line.fee_type)
            others[(ledger, line.kind)] += line.amount
        labels = dict(SETTLEMENT_KINDS)
        for (ledger, kind), amount in others.items():
            if not self.currency.is_zero(amount):
                self._line(ledger, amount, labels[kind])
        journal = account._settlement_journal()
        date = fields.Date.to_date(settlement.deposit_date or settlement.end) or fields.Date.context_today(
            account
        )
        return (
            self.env["account.move"]
            .sudo()
            .with_company(self.company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": date,
                    "ref": _("%(channel)s payout %(ref)s", channel=account.name, ref=settlement.external_id),
                    "currency_id": self.currency.id,
                    "line_ids": [Command.create(vals) for vals in self.vals],
                }
            )
        )

    def _order_documents(self, order_ref):
        """Posted invoices and credit notes of the channel order."""
        sales = (
            self.env["sale.order"]
            .sudo()
            .search(
                [("connector_account_id", "=", self.account.id), ("connector_external_id", "=", order_ref)]
            )
        )
        return sales.invoice_ids.filtered(lambda m: m.state == "posted")

    def _order_line(self, kind, order_ref, amount):
        """A customer payment or refund of one order, on the receivable of its documents.

        A refund without a credit note in Odoo goes to the refund account instead (the
        invoice stays paid; the credit note the accountant makes later stays open).
        """
        documents = self._order_documents(order_ref) if order_ref else self.env["account.move"]
        wanted = "out_invoice" if kind == "order" else "out_refund"
        receivables = documents.filtered(lambda m: m.move_type == wanted).line_ids.filtered(
            lambda x: x.account_id.account_type == "asset_receivable"
        )
        label = _("Order %s", order_ref) if kind == "order" else _("Refund of order %s", order_ref)
        if receivables:
            receivable = receivables[0].account_id
            self._line(receivable, amount, label, partner=receivables[0].partner_id.commercial_partner_id)
            labels, _lines = self.to_reconcile.setdefault((order_ref, receivable), ([], documents))
            labels.append(label)
            self.reconciled_orders.add(order_ref)
        elif kind == "refund" and documents:
            ledger, _tax = self.account._settlement_account_for("refund", "")
            self._line(ledger, amount, label, partner=documents[0].commercial_partner_id)
        else:
            self.unmatched.append(order_ref or "-")
            self._line(self.account._settlement_unmatched_account(), amount, label)

    def _net_of_tax(self, gross, tax):
        """The base whose amount plus the tax Odoo computes on it is exactly ``gross``."""
        if not tax:
            return gross
        rounding = self.currency.rounding

        def total(net):
            result = tax.with_company(self.company).compute_all(
                abs(net), currency=self.currency, handle_price_include=False
            )
            return result["total_included"] * (1 if net >= 0 else -1)

        factor = total(1000.0) / 1000.0 or 1.0
        first = float_round(gross / factor, precision_rounding=rounding)
        for step in (0, 1, -1, 2, -2, 3, -3):
            net = float_round(first + step * rounding, precision_rounding=rounding)
            if float_compare(total(net), gross, precision_rounding=rounding) == 0:
                return net
        raise UserError(
            _(
                "The fee %(gross)s cannot be split into a base and %(tax)s to the cent.",
                gross=gross,
                tax=tax.name,
            )
        )

    def reconcile(self, move):
        """Per order: its payment and refund lines with the open receivables of its invoices and
        credit notes (an invoice its credit note already cancelled nets with its refund)."""
        for (_order_ref, receivable), (labels, documents) in self.to_reconcile.items():
            lines = move.line_ids.filtered(
                lambda x, n=labels, a=receivable: x.name in n and x.account_id == a
            )
            lines |= documents.line_ids.filtered(
                lambda x, a=receivable: x.account_id == a and not x.reconciled
            )
            if len(lines) > 1:
                lines.reconcile()


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    import_settlements = fields.Boolean(
        string="Import payouts",
        help="Fetch the channel's payouts and book each as one journal entry: customer payments "
        "against the orders' invoices, fees with their tax, refunds, reserves.",
    )
    settlement_journal_id = fields.Many2one(
        "account.journal",
        groups="account.group_account_invoice",
        string="Payout journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the payout entries. Empty: the company's miscellaneous journal.",
    )
    settlement_clearing_account_id = fields.Many2one(
        "account.account",
        groups="account.group_account_invoice",
        string="Clearing account",
        check_company=True,
        help="Where a payout waits between the channel and the bank: the payout entry debits it, "
        "the bank statement line of the transfer credits it. Created on the first payout when empty.",
    )
    settlement_unmatched_account_id = fields.Many2one(
        "account.account",
        groups="account.group_account_invoice",
        string="Unmatched payments account",
        check_company=True,
        help="Customer payments of orders without a posted invoice in Odoo. Empty: the company's "
        "bank suspense account.",
    )
    # accounting data: for the accountants (sales users read the account without them)
    fee_mapping_ids = fields.One2many(
        "connector.fee.mapping",
        "account_id",
        string="Payout accounts",
        groups="account.group_account_invoice",
    )
    settlement_ids = fields.One2many(
        "connector.settlement", "account_id", groups="account.group_account_invoice"
    )

    # === PROVIDER HOOKS: PAYOUTS === #

    def _fetch_settlements(self, since):
        """Yield :class:`ChannelSettlement` of the payouts published since ``since``."""
        return iter(())

    def _settlement_fee_issuer_country(self):
        """ISO code of the country the channel bills its fees from (picks the fee tax)."""
        return ""

    # === PAYOUTS === #

    @api.model
    def _cron_import_settlements(self):
        accounts = self.search([("import_settlements", "=", True), ("provider", "!=", "none")])
        for done, account in enumerate(accounts, start=1):
            account = account._in_merchant_language()
            try:
                account._sync_settlements()
            except (ChannelError, UserError) as exc:
                _logger.warning("Payout import of %s failed: %s", account.display_name, exc)
                account._log("settlement", "error", str(exc))
            self.env["ir.cron"]._commit_progress(1, remaining=len(accounts) - done)

    def _sync_settlements(self, since=None):
        """Fetch and book the channel's payouts; the ones already imported are skipped.

        :return: the settlements created now
        """
        self.ensure_one()
        since = since or fields.Datetime.subtract(fields.Datetime.now(), days=90)
        created = self.env["connector.settlement"]
        for channel_settlement in self._fetch_settlements(since):
            settlement, new = self._import_settlement(channel_settlement)
            if new:
                created |= settlement
        return created

    def _import_settlement(self, data):
        """Store a :class:`ChannelSettlement` once and book it.

        :return: ``(settlement, created)``; an already imported settlement id is not booked again
        """
        self.ensure_one()
        Settlement = self.env["connector.settlement"].sudo()
        existing = Settlement.search([("account_id", "=", self.id), ("external_id", "=", data.external_id)])
        if existing:
            return existing, False
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", data.currency)], limit=1)
        )
        if not currency:
            raise UserError(
                _(
                    "Payout %(ref)s is in %(cur)s, a currency Odoo does not know.",
                    ref=data.external_id,
                    cur=data.currency,
                )
            )
        vals = {
            "account_id": self.id,
            "external_id": data.external_id,
            "currency_id": currency.id,
            "total": float(data.total),
            "start": data.start,
            "end": data.end,
            "deposit_date": data.deposit_date,
            "line_ids": [
                Command.create(
                    {
                        "kind": line.kind,
                        "fee_type": line.fee_type or False,
                        "order_ref": line.order_external_id or False,
                        "description": line.description or False,
                        "amount": float(line.amount),
                        "posted_at": line.posted_at,
                    }
                )
                for line in data.lines
            ],
        }
        try:
            with self.env.cr.savepoint():
                settlement = Settlement.create(vals)
                Settlement.flush_model()
        except psycopg2.errors.UniqueViolation:
            # another worker stored it in the meantime
            return Settlement.search(
                [("account_id", "=", self.id), ("external_id", "=", data.external_id)]
            ), False
        try:
            with self.env.cr.savepoint():
                settlement._book()
        except UserError as exc:
            # stored, not booked: the accountant fixes the cause (an account) and clicks Book
            message = _("Payout %(ref)s not booked: %(msg)s", ref=data.external_id, msg=str(exc.args[0]))
            settlement.message = message
            self._log("settlement", "error", message, "in", data.external_id, settlement)
        return settlement, True

    # === ACTIONS: PAYOUTS === #

    def action_fill_payout_accounts(self):
        """Write the chart's default account (and fee tax) of every kind as mapping lines, so
        the accountant sees and changes them; kinds that have a line keep it."""
        for account in self:
            known = set(account.fee_mapping_ids.filtered(lambda m: not m.fee_type).mapped("kind"))
            vals = []
            for kind, _label in SETTLEMENT_KINDS:
                if kind == "order" or kind in known:
                    continue
                ledger = account._chart_ref(kind)
                if not ledger:
                    continue
                tax = account._chart_ref(account._settlement_fee_tax_role()) if kind == "fee" else None
                vals.append(
                    {
                        "account_id": account.id,
                        "kind": kind,
                        "ledger_account_id": ledger.id,
                        "tax_id": tax.id if tax else False,
                    }
                )
            self.env["connector.fee.mapping"].create(vals)
        return True

    # === ACCOUNTS === #

    def _chart_defaults(self):
        self.ensure_one()
        return CHART_DEFAULTS.get(self.company_id.chart_template or "", {})

    def _chart_ref(self, key):
        xmlid = self._chart_defaults().get(key)
        if not xmlid:
            return None
        return (
            self.env["account.chart.template"]
            .with_company(self.company_id)
            .ref(xmlid, raise_if_not_found=False)
        )

    def _settlement_journal(self):
        self.ensure_one()
        journal = self.settlement_journal_id or self.env["account.journal"].search(
            [("company_id", "=", self.company_id.id), ("type", "=", "general")], limit=1
        )
        if not journal:
            raise UserError(_("Set a payout journal on %s.", self.display_name))
        return journal

    def _settlement_clearing_account(self):
        """The account's own clearing account, created in the chart's money-in-transit range
        (after SKR03 1360 / SKR04 1460 Geldtransit, Dutch 1350) on the first payout."""
        self.ensure_one()
        if self.settlement_clearing_account_id:
            return self.settlement_clearing_account_id
        Account = self.env["account.account"].sudo().with_company(self.company_id)
        prefix = self._chart_defaults().get("clearing_prefix", "199")
        code = next(
            (
                f"{prefix}{n}"
                for n in range(1000)
                if not Account.search_count([("code", "=", f"{prefix}{n}")])
            ),
            None,
        )
        account = Account.create(
            {
                "name": _("%s clearing", self.name),
                "code": code,
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": [Command.link(self.company_id.id)],
            }
        )
        # Race-free without a key: a second worker creating one too must write this same
        # account row, which fails to serialize, and its retry reads the first one's account.
        self.sudo().settlement_clearing_account_id = account
        return account

    def _settlement_unmatched_account(self):
        self.ensure_one()
        account = self.settlement_unmatched_account_id or self.company_id.account_journal_suspense_account_id
        if not account:
            raise UserError(_("Set an unmatched payments account on %s.", self.display_name))
        return account

    def _settlement_account_for(self, kind, fee_type):
        """``(account.account, account.tax or None)`` of an amount of the channel's payouts."""
        self.ensure_one()
        mappings = self.fee_mapping_ids.filtered(lambda m: m.kind == kind)
        mapping = (
            mappings.filtered(lambda m: (m.fee_type or "") == (fee_type or ""))[:1]
            or mappings.filtered(lambda m: not m.fee_type)[:1]
        )
        if mapping:
            return mapping.ledger_account_id, mapping.tax_id or None
        ledger = self._chart_ref(kind)
        if not ledger:
            raise UserError(
                _(
                    "No account for %(kind)s amounts (%(type)s) of %(account)s: "
                    "add one in its payout accounts.",
                    kind=dict(
                        self.env["connector.fee.mapping"]._fields["kind"]._description_selection(self.env)
                    )[kind],
                    type=fee_type or "-",
                    account=self.display_name,
                )
            )
        tax = None
        if kind == "fee":
            tax = self._chart_ref(self._settlement_fee_tax_role())
        return ledger, tax or None

    def _settlement_fee_tax_role(self):
        """Domestic input tax when the channel bills from the company's country, reverse charge
        from another EU country, none from outside the EU."""
        issuer = (self._settlement_fee_issuer_country() or "").upper()
        own = (self.company_id.account_fiscal_country_id or self.company_id.country_id).code
        if not issuer:
            return None
        if issuer == own:
            return "tax_domestic"
        if issuer in EU_COUNTRIES and own in EU_COUNTRIES:
            return "tax_reverse_charge"
        return None
