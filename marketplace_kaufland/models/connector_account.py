# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.addons.connector_base.exceptions import ChannelRequestError
from odoo.addons.connector_base.schema import ChannelDataError
from odoo.exceptions import UserError, ValidationError

from .. import adapter, const
from ..client import KauflandClient


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    provider = fields.Selection(
        selection_add=[("kaufland", "Kaufland")], ondelete={"kaufland": "set default"}
    )
    kaufland_client_key = fields.Char(
        string="Client Key",
        groups="base.group_system",
        copy=False,
        help="Kaufland Seller Portal > Settings > API: the 32-character Client Key.",
    )
    kaufland_secret_key = fields.Char(
        string="Secret Key",
        groups="base.group_system",
        copy=False,
        help="Kaufland Seller Portal > Settings > API: the 64-character Secret Key.",
    )
    kaufland_storefronts = fields.Char(
        string="Storefronts",
        default=const.DEFAULT_STOREFRONTS,
        help="Comma-separated Kaufland storefronts to import orders from and publish offers and stock "
        "on, e.g. 'de,at'. Codes: de, at, cz, sk, pl, fr, it. The first one is where product "
        "bindings point to.",
    )
    kaufland_handling_time = fields.Integer(
        string="Handling time (days)",
        default=const.DEFAULT_HANDLING_TIME,
        help="Days until shipping, set on offers created in Kaufland.",
    )

    # === CONSTRAINT METHODS === #

    @api.constrains("provider", "kaufland_storefronts", "kaufland_handling_time")
    def _check_kaufland_settings(self):
        for account in self.filtered(lambda a: a.provider == "kaufland"):
            try:
                codes = adapter.parse_storefronts(account.kaufland_storefronts)
            except ChannelDataError as exc:
                raise ValidationError(str(exc)) from None
            if not codes:
                raise ValidationError(_("Set at least one Kaufland storefront, e.g. 'de'."))
            if not 0 <= account.kaufland_handling_time <= 100:
                raise ValidationError(_("The Kaufland handling time is 0 to 100 days."))

    # === BUSINESS METHODS === #

    def _kaufland_client(self):
        """The API client of this account (credentials read in sudo, never logged)."""
        self.ensure_one()
        account_sudo = self.sudo()
        return KauflandClient(
            account_sudo.kaufland_client_key,
            account_sudo.kaufland_secret_key,
            base_url=self.api_base_url or None,
            translate=self.env._,
        )

    def _kaufland_storefronts(self):
        self.ensure_one()
        try:
            codes = adapter.parse_storefronts(self.kaufland_storefronts)
        except ChannelDataError as exc:
            raise UserError(str(exc)) from None
        return codes or [const.DEFAULT_STOREFRONTS]

    # === PROVIDER HOOKS === #

    def _get_default_import_statuses(self):
        if self.provider != "kaufland":
            return super()._get_default_import_statuses()
        return list(const.DEFAULT_IMPORT_STATUSES)

    def _test_connection(self):
        if self.provider != "kaufland":
            return super()._test_connection()
        message = self._kaufland_client().ping()
        return _(
            "Kaufland accepted the keys (%(answer)s). Storefronts: %(storefronts)s.",
            answer=message,
            storefronts=", ".join(self._kaufland_storefronts()),
        )

    def _fetch_orders(self, since):
        if self.provider != "kaufland":
            return super()._fetch_orders(since)
        return self._kaufland_client().fetch_raw_orders(
            since, self._kaufland_storefronts(), self._get_import_statuses()
        )

    def _fetch_order(self, external_id):
        if self.provider != "kaufland":
            return super()._fetch_order(external_id)
        # GET /orders/{id_order}: every unit, in the same shape as a sync stores it
        return adapter.raw_order(self._kaufland_client().get_order_payload(external_id))

    def _parse_order(self, payload):
        if self.provider != "kaufland":
            return super()._parse_order(payload)
        return adapter.parse_order(payload, translate=self.env._)

    def _push_stock(self, items):
        if self.provider != "kaufland":
            return super()._push_stock(items)
        return self._kaufland_client().push_stock(items, self._kaufland_storefronts())

    def _get_stock_batch_size(self):
        if self.provider != "kaufland":
            return super()._get_stock_batch_size()
        return const.BULK_MAX_UNITS

    def _push_products(self, products):
        if self.provider != "kaufland":
            return super()._push_products(products)
        return self._kaufland_client().push_products(
            products,
            self._kaufland_storefronts(),
            update=self.update_product_info,
            handling_time=self.kaufland_handling_time,
        )

    def _confirm_shipment(self, shipment):
        if self.provider != "kaufland":
            return super()._confirm_shipment(shipment)
        try:
            return self._kaufland_client().confirm_shipment(shipment)
        except ChannelDataError as exc:
            # nothing was sent (no carrier code or tracking number): a refusal for the log
            raise ChannelRequestError(str(exc)) from exc

    def _cancel_order_lines(self, order_external_id, line_external_ids, reason):
        if self.provider != "kaufland":
            return super()._cancel_order_lines(order_external_id, line_external_ids, reason)
        unit_ids = [i for ext in line_external_ids for i in adapter.split_unit_ids(ext)]
        self._kaufland_client().cancel_units(order_external_id, unit_ids, reason)
        return True

    def _fetch_catalogue(self):
        if self.provider != "kaufland":
            return super()._fetch_catalogue()
        return self._kaufland_client().iter_catalogue(self._kaufland_storefronts())

    def _can_fetch_refunds(self):
        return self.provider == "kaufland" or super()._can_fetch_refunds()

    def _fetch_refunds(self, since):
        if self.provider != "kaufland":
            return super()._fetch_refunds(since)
        return self._kaufland_client().fetch_raw_refunds(since, self._kaufland_storefronts())

    def _fetch_refund(self, external_id):
        if self.provider != "kaufland":
            return super()._fetch_refund(external_id)
        return adapter.raw_refund(self._kaufland_client().get_return_payload(external_id))

    def _parse_refund(self, payload):
        if self.provider != "kaufland":
            return super()._parse_refund(payload)
        return adapter.parse_refund(payload)

    def _can_send_refunds(self):
        return self.provider == "kaufland" or super()._can_send_refunds()

    def _send_refund(self, request):
        if self.provider != "kaufland":
            return super()._send_refund(request)
        try:
            sent = self._kaufland_client().send_refund(request, request.already_sent, request.on_sent)
        except ChannelDataError as exc:
            raise ChannelRequestError(str(exc)) from exc
        # self.env._: a bare _() finds no language inside the generator
        return ", ".join(
            self.env._(
                "unit %(unit)s %(amount)s %(currency)s (%(reason)s)",
                unit=id_unit,
                amount=f"{cents / 100:.2f}",
                currency=request.currency,
                reason=reason,
            )
            for id_unit, cents, reason in sent
        ) or self.env._("nothing left to send")
