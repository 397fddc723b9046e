# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..exceptions import ChannelError, ChannelRetryableError
from ..schema import ChannelShipment, ShipmentLine


class StockPicking(models.Model):
    _inherit = "stock.picking"

    connector_shipped_at = fields.Datetime(
        string="Reported to channel",
        copy=False,
        readonly=True,
        help="When the channel accepted this shipment.",
    )

    def _action_done(self):
        result = super()._action_done()
        self._connector_enqueue_shipments()
        return result

    def _connector_enqueue_shipments(self):
        """Enqueue the shipment confirmation of done deliveries of imported orders."""
        for picking in self.sudo():
            account = picking.sale_id.connector_account_id
            if (
                picking.state != "done"
                or picking.picking_type_code != "outgoing"
                or picking.location_dest_id.usage != "customer"
                or not account
                or not account.confirm_shipments
                or not picking.sale_id.connector_external_id
                or picking.connector_shipped_at
            ):
                continue
            picking.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_(
                    "Confirm shipment %(name)s to %(account)s",
                    name=picking.name,
                    account=account.display_name,
                ),
                max_retries=10,
            )._connector_confirm_shipment_job()

    def _connector_prepare_shipment(self):
        """:class:`ChannelShipment` of this done delivery: only what it shipped."""
        self.ensure_one()
        order = self.sale_id
        account = order.connector_account_id
        carrier = self.carrier_id
        mapping = (
            account.shipping_mapping_ids.filtered(lambda m: m.carrier_id == carrier)[:1] if carrier else None
        )
        bindings = {
            b.product_id.id: b.external_sku
            for b in account.binding_ids
            if b.external_sku and b.product_id in self.move_ids.product_id
        }
        quantities = defaultdict(float)
        keys = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done" and m.quantity > 0):
            line = move.sale_line_id
            key = line.id or f"p{move.product_id.id}"
            quantities[key] += move.product_uom._compute_quantity(
                move.quantity, line.product_uom_id or move.product_uom, rounding_method="HALF-UP"
            )
            keys[key] = (move.product_id, line)
        lines = []
        for key, qty in quantities.items():
            product, line = keys[key]
            lines.append(
                ShipmentLine(
                    sku=bindings.get(product.id) or product.default_code or "",
                    quantity=int(round(qty)),
                    line_external_id=line.connector_line_ref or "",
                )
            )
        tracking = [ref.strip() for ref in (self.carrier_tracking_ref or "").split(",") if ref.strip()]
        tracking_url = ""
        if tracking and carrier:
            url = self.carrier_tracking_url
            tracking_url = url if url and not url.startswith("[") else ""
        return ChannelShipment(
            order_external_id=order.connector_external_id,
            storefront=order.connector_storefront or "",
            carrier_code=(mapping.channel_carrier_code if mapping else "") or (carrier.name or ""),
            carrier_name=carrier.name or "",
            tracking_numbers=tracking,
            tracking_url=tracking_url,
            shipped_at=self.date_done,
            lines=lines,
        )

    def _connector_confirm_shipment_job(self):
        """Job: report this delivery (carrier, tracking numbers, lines) to the channel."""
        self.ensure_one()
        picking = self.sudo()
        account = picking.sale_id.connector_account_id
        reference = picking.sale_id.client_order_ref or picking.sale_id.connector_external_id
        if picking.connector_shipped_at:
            return _("Already reported.")
        shipment = picking._connector_prepare_shipment()
        try:
            account._confirm_shipment(shipment)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except ChannelError as exc:
            account._log(
                "shipment",
                "error",
                _("Shipment %(name)s refused: %(msg)s", name=picking.name, msg=str(exc)),
                "out",
                reference,
                picking,
            )
            return str(exc)
        except UserError as exc:
            # the channel takes no shipment confirmations
            account._log("shipment", "skipped", str(exc.args[0]), "out", reference, picking)
            return str(exc.args[0])
        picking.connector_shipped_at = fields.Datetime.now()
        account._log(
            "shipment",
            "done",
            _(
                "Shipment %(name)s sent: %(carrier)s %(tracking)s, %(count)s lines.",
                name=picking.name,
                carrier=shipment.carrier_code or "-",
                tracking=", ".join(shipment.tracking_numbers) or "-",
                count=len(shipment.lines),
            ),
            "out",
            reference,
            picking,
        )
        return _("Shipment sent.")
