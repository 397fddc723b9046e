# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, fields, models
from odoo.addons.connector_base.schema import ChannelDataError
from odoo.exceptions import UserError

from .. import client_accounting, settlement

_logger = logging.getLogger(__name__)


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    amazon_vcs = fields.Boolean(
        string="Amazon VAT Calculation Service",
        help="On: Amazon issues the invoices (VCS), Odoo's invoices are not uploaded. Off: Odoo's "
        "invoices and credit notes are uploaded to Amazon (UPLOAD_VAT_INVOICE) when Send invoices is on.",
    )

    # === PROVIDER HOOKS: INVOICES === #

    def _invoice_wait_reason(self, move):
        if self.provider != "amazon":
            return super()._invoice_wait_reason(move)
        order = move._connector_sale_order()
        # shipped = Amazon knows it (confirmShipment done), or the delivery is done when
        # shipments are not confirmed to Amazon (FBA orders are delivered at import)
        shipped = order.picking_ids.filtered(
            lambda p: (
                p.state == "done"
                and p.location_dest_id.usage == "customer"
                and (p.connector_shipped_at or not self.confirm_shipments)
            )
        )
        if order and not shipped:
            return _("Amazon takes invoices only once the order has shipped.")
        return ""

    def _send_invoice(self, invoice):
        if self.provider != "amazon":
            return super()._send_invoice(invoice)
        if self.amazon_vcs:
            raise UserError(
                _(
                    "Amazon issues the invoices of %s (VAT Calculation Service): nothing uploaded.",
                    self.display_name,
                )
            )
        marketplace = invoice.storefront or (self._amazon_marketplace_ids() or [""])[0]
        feed_id = client_accounting.upload_vat_invoice(
            self._amazon_client(),
            marketplace,
            invoice.pdf,
            client_accounting.invoice_feed_options(invoice),
        )
        return "processing", feed_id

    def _check_invoice(self, reference):
        if self.provider != "amazon":
            return super()._check_invoice(reference)
        status, errors = client_accounting.feed_outcome(self._amazon_client(), reference)
        if status in client_accounting.FEED_WAITING:
            return "processing", ""
        if status != client_accounting.FEED_DONE:
            return "refused", _("Amazon could not process the upload (%s).", status)
        if errors:
            # str() here: our own message among Amazon's is translated for the user
            return "refused", "; ".join(str(error) for error in errors)
        return "sent", ""

    # === PROVIDER HOOKS: PAYOUTS === #

    def _settlement_fee_issuer_country(self):
        if self.provider != "amazon":
            return super()._settlement_fee_issuer_country()
        # Selling on Amazon and FBA fees in the EU are billed by Amazon Services Europe
        # S.à r.l. and Amazon EU S.à r.l., Luxembourg
        return "LU"

    def _fetch_settlements(self, since):
        if self.provider != "amazon":
            return super()._fetch_settlements(since)
        return self._amazon_settlements(since)

    def _amazon_settlements(self, since):
        for text in client_accounting.iter_settlement_reports(self._amazon_client(), since):
            try:
                yield settlement.parse_settlement(text)
            except ChannelDataError as exc:
                # one unreadable report never blocks the others
                self._log("settlement", "error", _("Settlement report not readable: %s", str(exc)))
