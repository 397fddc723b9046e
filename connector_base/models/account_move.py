# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit notes of channel orders: the one a channel refund booked (unique per refund),
and the refund a credit note posted in Odoo sends to the channel, once."""

import json
import logging
from collections import defaultdict
from decimal import Decimal

import psycopg2

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..exceptions import ChannelError, ChannelRetryableError
from ..schema import RefundRequest

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    connector_account_id = fields.Many2one(
        "connector.account", string="Channel", readonly=True, copy=False, index="btree_not_null"
    )
    connector_refund_external_id = fields.Char(
        string="Channel refund id",
        readonly=True,
        copy=False,
        help="The channel refund this credit note books.",
    )
    connector_refund_sent_at = fields.Datetime(
        string="Refund sent to channel",
        readonly=True,
        copy=False,
        help="When the channel accepted this refund.",
    )
    connector_refund_sent = fields.Json(
        string="Refund parts sent to channel",
        readonly=True,
        copy=False,
        help="Parts of the refund the channel already accepted (retries skip them).",
    )

    connector_refund_sendable = fields.Boolean(
        string="Refund to send to channel",
        compute="_compute_connector_refund_sendable",
        help="A posted credit note of a channel order whose refund the channel has not accepted yet.",
    )

    # one credit note per channel refund, whatever the workers do
    _connector_refund_uniq = models.UniqueIndex(
        "(connector_account_id, connector_refund_external_id) WHERE connector_refund_external_id IS NOT NULL",
        "This channel refund already has a credit note.",
    )

    @api.depends("move_type", "state", "connector_refund_external_id", "connector_refund_sent_at")
    def _compute_connector_refund_sendable(self):
        for move in self:
            move.connector_refund_sendable = bool(
                move.move_type == "out_refund"
                and move.state == "posted"
                and not move.connector_refund_external_id
                and not move.connector_refund_sent_at
                and move._connector_sale_order().connector_account_id._can_send_refunds()
            )

    def action_connector_send_refund(self):
        """Send the refund again after the channel refused it (parts it accepted are skipped)."""
        self.filtered("connector_refund_sendable")._connector_enqueue_refunds()
        return True

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._connector_enqueue_refunds()
        return posted

    def _connector_sale_order(self):
        self.ensure_one()
        orders = self.line_ids.sale_line_ids.order_id | self.reversed_entry_id.line_ids.sale_line_ids.order_id
        return orders.filtered("connector_account_id")[:1]

    def _connector_enqueue_refunds(self):
        """A credit note posted in Odoo for a channel order: send the refund to the channel."""
        for move in self.sudo():
            if (
                move.move_type != "out_refund"
                or move.connector_refund_external_id
                or move.connector_refund_sent_at
            ):
                continue
            order = move._connector_sale_order()
            account = order.connector_account_id
            if (
                not account
                or not account.export_refunds
                or not order.connector_external_id
                or not account._can_send_refunds()
            ):
                continue
            move.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_(
                    "Send refund %(name)s to %(account)s", name=move.name, account=account.display_name
                ),
                max_retries=10,
            )._connector_send_refund_job()

    def _connector_prepare_refund(self, order):
        """:class:`RefundRequest` of this credit note: per order line, pieces and gross amount."""
        self.ensure_one()
        order_lines = order.order_line
        lines = defaultdict(lambda: [Decimal(0), Decimal(0)])
        shipping = Decimal(0)
        for line in self.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            amount = Decimal(str(line.price_total)).quantize(Decimal("0.01"))
            sale_line = (
                line.sale_line_ids[:1]
                or order_lines.filtered(
                    lambda sl, p=line.product_id: sl.product_id == p and not sl.display_type
                )[:1]
            )
            if sale_line.is_delivery:
                shipping += amount
                continue
            lines[sale_line][0] += Decimal(str(line.quantity)) if sale_line else Decimal(0)
            lines[sale_line][1] += amount
        return RefundRequest(
            order_external_id=order.connector_external_id,
            reason=self.ref or "",
            reference=self.name,
            currency=self.currency_id.name,
            shipping_incl=shipping,
            lines=[
                {
                    "line_external_id": sale_line.connector_line_ref or "",
                    "sku": sale_line.product_id.default_code or "",
                    "quantity": qty,
                    "amount_incl": amount,
                }
                for sale_line, (qty, amount) in lines.items()
            ],
        )

    def _connector_send_refund_job(self):
        """Job: send this credit note's refund to the channel (once; parts already
        accepted are skipped on a retry)."""
        self.ensure_one()
        move = self.sudo()
        if move.connector_refund_sent_at:
            return _("Already sent.")
        order = move._connector_sale_order()
        account = order.connector_account_id
        reference = order.client_order_ref or order.connector_external_id
        request = move._connector_prepare_refund(order)
        done = list(move.connector_refund_sent or [])
        request.already_sent = list(done)

        def remember(key):
            # kept in its own transaction: a failure of a later part (the job's transaction
            # rolls back) must not send the accepted parts again
            done.append(key)
            try:
                with self.env.registry.cursor() as cr:
                    # the move may be locked by this very transaction (job run in the
                    # posting transaction): then the final write below keeps the parts
                    cr.execute("SET LOCAL lock_timeout = '2s'")
                    cr.execute(
                        "UPDATE account_move SET connector_refund_sent = %s WHERE id = %s",
                        [json.dumps(done), move.id],
                    )
            except psycopg2.errors.LockNotAvailable:
                _logger.info("Refund parts of %s are kept at the end of the job", move.name)

        request.on_sent = remember
        try:
            summary = account._send_refund(request)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except ChannelError as exc:
            move.connector_refund_sent = done  # what the channel accepted before refusing
            account._log(
                "refund",
                "error",
                _("Refund %(name)s refused: %(msg)s", name=move.name, msg=str(exc)),
                "out",
                reference,
                move,
            )
            return str(exc)
        except UserError as exc:
            account._log("refund", "skipped", str(exc.args[0]), "out", reference, move)
            return str(exc.args[0])
        move.write({"connector_refund_sent_at": fields.Datetime.now(), "connector_refund_sent": done})
        account._log(
            "refund",
            "done",
            _("Refund %(name)s sent: %(summary)s", name=move.name, summary=summary),
            "out",
            reference,
            move,
        )
        return summary
