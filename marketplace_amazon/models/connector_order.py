# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.addons.connector_base.schema import ChannelDataError
from odoo.addons.connector_base.services.partner import PartnerResolver


class ConnectorOrder(models.Model):
    _inherit = "connector.order"

    def _apply_channel_update(self):
        """Amazon's invoicing report may bring the billing address after the order was
        imported (the stored payload then changes): apply it too."""
        result = super()._apply_channel_update()
        if self.provider == "amazon" and self.state == "done":
            self._amazon_apply_late_billing()
        return result

    def _amazon_apply_late_billing(self):
        """Give the sale order the billing address of the stored payload, when it has none yet.

        A new invoice address under the customer (an existing address is never rewritten);
        an order already invoiced keeps its address and the log says what to do.
        """
        self.ensure_one()
        sale = self.sale_order_id
        if not sale or sale.state == "cancel" or not (self.payload or {}).get("billing"):
            return
        account = self.account_id
        try:
            billing = account._parse_order(self.payload).billing
            if billing.is_empty():
                return
            warnings = []
            resolver = PartnerResolver(account, warnings)
            vals = resolver.address_vals(billing, "billing")
        except ChannelDataError as exc:
            account._log(
                "order",
                "warning",
                self.env._("The billing address from Amazon's report could not be used: %s", str(exc)),
                reference=self.reference,
                record=sale,
                payload_id=self.id,
            )
            return
        current = sale.partner_invoice_id
        if resolver._vals_equal(current, vals):
            return  # already the invoice address
        address = ", ".join(filter(None, (billing.street, billing.zip, billing.city, billing.country_code)))
        invoices = sale.invoice_ids.filtered(lambda move: move.state == "posted")
        if invoices:
            account._log(
                "order",
                "warning",
                self.env._(
                    "Amazon's invoicing report brought the billing address of %(order)s (%(address)s) after "
                    "it was invoiced: %(invoices)s keeps the address %(current)s. If the invoice must show "
                    "the billing address, issue a credit note and invoice again to the customer's "
                    "new invoice address.",
                    order=sale.name,
                    address=address,
                    invoices=", ".join(invoices.mapped("name")),
                    current=current.display_name,
                ),
                reference=self.reference,
                record=sale,
                payload_id=self.id,
            )
            return
        commercial = sale.partner_id.commercial_partner_id
        name = billing.company if commercial.is_company and billing.company else billing.full_name
        invoice = resolver._child(
            commercial, "invoice", name or commercial.name, vals, billing.phone or False
        )
        sale.partner_invoice_id = invoice
        drafts = sale.invoice_ids.filtered(lambda move: move.state == "draft")
        message = self.env._(
            "Billing address from Amazon's invoicing report set as invoice address of %(order)s: "
            "%(address)s.",
            order=sale.name,
            address=address,
        )
        if drafts:
            message += " " + self.env._(
                "The draft invoice %s still has the former address: change it there, or delete it and "
                "create the invoice again.",
                ", ".join(drafts.mapped("display_name")),
            )
        account._log(
            "order",
            "warning" if drafts or warnings else "done",
            "\n".join([message, *warnings]),
            reference=self.reference,
            record=sale,
            payload_id=self.id,
        )
