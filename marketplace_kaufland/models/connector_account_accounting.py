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
