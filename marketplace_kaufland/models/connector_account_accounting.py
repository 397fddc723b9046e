# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    # === PROVIDER HOOKS: INVOICES === #

    def _send_invoice(self, invoice):
        if self.provider != "kaufland":
            return super()._send_invoice(invoice)
        # OrderInvoiceUploadRequest has no document type: the file name says what it is
        kind = "credit_note" if invoice.document_type == "credit_note" else "invoice"
        data = self._kaufland_client().upload_invoice(
            invoice.order_external_id, f"{kind}_{invoice.filename}", invoice.pdf
        )
        return "sent", str(data.get("id_invoice") or "")

    # === PROVIDER HOOKS: PAYOUTS === #

    def _settlement_fee_issuer_country(self):
        if self.provider != "kaufland":
            return super()._settlement_fee_issuer_country()
        return "DE"  # Kaufland e-commerce Services GmbH & Co. KG, Neckarsulm

    # === ACTIONS === #

    def action_kaufland_import_payout(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "kaufland.payout.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }
