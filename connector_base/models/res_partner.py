# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    def unlink(self):
        # a deleted customer (erasure request) leaves nothing about them in the connectors
        self._connector_forget()
        return super().unlink()

    def action_connector_forget(self):
        """Erase what the channel connectors keep about these customers (GDPR art. 17)."""
        self._connector_forget()
        return True

    def _connector_forget(self):
        """Remove the personal data the connectors hold about these partners and their
        contacts and addresses: the raw channel payloads of their orders (and of parked
        orders naming their e-mail), the sync log lines and chatter of those orders, and
        log lines quoting their e-mail address. The sale orders themselves are Odoo's
        business records and stay; what happens to them is the merchant's decision.
        """
        if not self:
            return
        env = self.env(su=True)
        partners = env["res.partner"].with_context(active_test=False).search([("id", "child_of", self.ids)])
        # the import keys derive from their e-mail and addresses
        env["connector.record.key"]._forget("res.partner", partners.ids)
        emails = sorted({email.strip().lower() for email in partners.mapped("email") if email})
        sales = env["sale.order"].search(
            [
                "|",
                "|",
                ("partner_id", "in", partners.ids),
                ("partner_invoice_id", "in", partners.ids),
                ("partner_shipping_id", "in", partners.ids),
            ]
        )
        # orders, and refunds (a credit order carries the buyer as its order did)
        for model, log_field in (
            ("connector.order", "connector_order_id"),
            ("connector.refund", "connector_refund_id"),
        ):
            self._connector_forget_payloads(env[model], log_field, sales, emails)

    @api.model
    def _connector_forget_payloads(self, Record, log_field, sales, emails):
        """Erase the payloads, log lines and chatter of ``Record`` (connector.order or
        connector.refund) belonging to ``sales`` or naming one of ``emails``."""
        env = Record.env
        Record = Record.with_context(active_test=False, tracking_disable=True)
        records = Record.search([("sale_order_id", "in", sales.ids)])
        Log = env["connector.sync.log"]
        logs = Log.search(
            ["|", (log_field, "in", records.ids), "&", ("res_model", "=", "sale.order"),
             ("res_id", "in", sales.ids)]
        )  # fmt: skip
        if emails:
            env.flush_all()
            patterns = [f"%{email}%" for email in emails]
            query = SQL(
                """SELECT id FROM %s
                    WHERE payload IS NOT NULL AND lower(payload::text) LIKE ANY(%s)""",
                SQL.identifier(Record._table),
                patterns,
            )
            records |= Record.browse(row[0] for row in env.execute_query(query))
            for pattern in patterns:
                logs |= Log.search([("message", "=ilike", pattern)])
            logs |= Log.search([(log_field, "in", records.ids)])
        if not records and not logs:
            return
        env["mail.message"].search([("model", "=", Record._name), ("res_id", "in", records.ids)]).unlink()
        env["mail.activity"].search(
            [("res_model", "=", Record._name), ("res_id", "in", records.ids)]
        ).unlink()
        logs.unlink()
        unfinished = records.filtered(lambda r: r.state in ("pending", "waiting", "attention"))
        unfinished.write({"state": "ignored", "message": _("Personal data erased on request.")})
        # the hash stays: the same payload fetched again is recognised, not stored again
        records.write({"payload": False})
