# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, fields, models
from odoo.addons.connector_base.exceptions import ChannelAuthError, ChannelRequestError
from odoo.addons.connector_base.schema import ChannelDataError

from .. import adapter, const
from ..catalog import MijnWebwinkelSync
from ..client import MijnWebwinkelClient

_logger = logging.getLogger(__name__)


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    provider = fields.Selection(
        selection_add=[(const.PROVIDER, "MijnWebwinkel")],
        ondelete={const.PROVIDER: "set default"},
    )
    mijnwebwinkel_partner_token = fields.Char(
        string="Partner token",
        groups="base.group_system",
        copy=False,
        help="Token MijnWebwinkel issued to the integrating partner (this connector).",
    )
    mijnwebwinkel_shop_token = fields.Char(
        string="Shop token",
        groups="base.group_system",
        copy=False,
        help="Token the merchant created in MijnWebwinkel under Instellingen > Add-ons & "
        "Modules > API for this connector's partner.",
    )
    mijnwebwinkel_language = fields.Selection(
        const.LANGUAGES,
        string="Shop language",
        default=const.DEFAULT_LANGUAGE,
        help="Language of the names and descriptions read from and written to the shop.",
    )
    mijnwebwinkel_list_ids = fields.Char(
        string="Option lists",
        help="Comma-separated ids of the shop's option lists (such as Size or Colour) used "
        "for product variants. Lists already used by an article are found automatically.",
    )

    # === PROVIDER HOOKS === #

    def _get_default_import_statuses(self):
        if self.provider != const.PROVIDER:
            return super()._get_default_import_statuses()
        return list(const.DEFAULT_IMPORT_STATUSES)

    def _test_connection(self):
        if self.provider != const.PROVIDER:
            return super()._test_connection()
        store = self._mijnwebwinkel_client().get_store()
        return _("Connected to the MijnWebwinkel shop %s.", adapter.store_name(store) or "?")

    def _fetch_orders(self, since):
        if self.provider != const.PROVIDER:
            yield from super()._fetch_orders(since)
            return
        client = self._mijnwebwinkel_client()
        try:
            statuses = adapter.status_ids(self._get_import_statuses())
        except ChannelDataError as exc:
            raise ChannelRequestError(str(exc)) from exc
        seen = set()
        get_article = self._mijnwebwinkel_article_reader(client)
        for status in statuses:
            for payload in client.iter_orders(status_id=status, changed_since=since):
                if adapter.is_test_order(payload) or adapter.is_credit_order(payload):
                    continue
                raw = adapter.to_raw_order(adapter.annotate_variants(payload, get_article))
                if raw.external_id not in seen:
                    seen.add(raw.external_id)
                    yield raw

    def _fetch_order(self, external_id):
        if self.provider != const.PROVIDER:
            return super()._fetch_order(external_id)
        client = self._mijnwebwinkel_client()
        payload = client.get_order(external_id)
        if not isinstance(payload, dict):
            raise ChannelRequestError(_("MijnWebwinkel returned no order %s.", external_id))
        return adapter.to_raw_order(
            adapter.annotate_variants(payload, self._mijnwebwinkel_article_reader(client))
        )

    def _mijnwebwinkel_article_reader(self, client):
        """article id -> Article (None when deleted), each read once per sync."""
        cache = {}

        def get_article(article_id):
            if article_id not in cache:
                try:
                    cache[article_id] = client.get_article(article_id)
                except ChannelRequestError as exc:
                    if exc.status != 404:
                        raise
                    cache[article_id] = None
            return cache[article_id]

        return get_article

    def _parse_order(self, payload):
        if self.provider != const.PROVIDER:
            return super()._parse_order(payload)
        return adapter.parse_order(payload)

    def _push_stock(self, items):
        if self.provider != const.PROVIDER:
            return super()._push_stock(items)
        return self._mijnwebwinkel_sync().push_stock(items)

    def _get_stock_batch_size(self):
        if self.provider != const.PROVIDER:
            return super()._get_stock_batch_size()
        # One PATCH per article anyway; a batch shares the SKU lookup.
        return const.PAGE_SIZE

    def _push_products(self, products):
        if self.provider != const.PROVIDER:
            return super()._push_products(products)
        return self._mijnwebwinkel_sync().push_products(products)

    def _confirm_shipment(self, shipment):
        if self.provider != const.PROVIDER:
            return super()._confirm_shipment(shipment)
        return self._mijnwebwinkel_sync().confirm_shipment(shipment)

    def _fetch_catalogue(self):
        if self.provider != const.PROVIDER:
            yield from super()._fetch_catalogue()
            return
        yield from self._mijnwebwinkel_sync().iter_catalogue()

    # === PROVIDER HOOKS: REFUNDS (credit orders) === #

    def _can_fetch_refunds(self):
        return self.provider == const.PROVIDER or super()._can_fetch_refunds()

    def _fetch_refunds(self, since):
        if self.provider != const.PROVIDER:
            yield from super()._fetch_refunds(since)
            return
        client = self._mijnwebwinkel_client()
        credit_ids = adapter.credit_status_ids(client.get_order_statuses())
        seen = set()
        # no credit status known: every order changed since, credit orders picked out
        for status in credit_ids or [None]:
            for payload in client.iter_orders(status_id=status, changed_since=since):
                if not isinstance(payload, dict) or not adapter.is_credit_order(payload):
                    continue
                if adapter.is_test_order(payload) or adapter.is_odoo_credit_order(payload):
                    continue
                raw = self._mijnwebwinkel_raw_refund(client, payload)
                if raw.external_id not in seen:
                    seen.add(raw.external_id)
                    yield raw

    def _fetch_refund(self, external_id):
        if self.provider != const.PROVIDER:
            return super()._fetch_refund(external_id)
        client = self._mijnwebwinkel_client()
        payload = client.get_order(external_id)
        if not isinstance(payload, dict) or not adapter.is_credit_order(payload):
            raise ChannelRequestError(_("MijnWebwinkel returned no credit order %s.", external_id))
        return self._mijnwebwinkel_raw_refund(client, payload)

    def _mijnwebwinkel_raw_refund(self, client, payload):
        """A credit order with the lines of the order it credits (read once per refund);
        an unreadable original is stored as such and parks the refund."""
        credited = str(payload.get(const.OrderF.CREDITED_ORDER_NUMBER) or "").strip()
        try:
            original = client.get_order(credited)
        except ChannelRequestError as exc:
            if exc.status not in (404, 410):
                raise
            return adapter.raw_refund(adapter.refund_payload(payload, error=str(exc)))
        return adapter.raw_refund(adapter.refund_payload(payload, original))

    def _parse_refund(self, payload):
        if self.provider != const.PROVIDER:
            return super()._parse_refund(payload)
        return adapter.parse_refund(payload)

    def _can_send_refunds(self):
        return self.provider == const.PROVIDER or super()._can_send_refunds()

    def _send_refund(self, request):
        if self.provider != const.PROVIDER:
            return super()._send_refund(request)
        if "credit-order" in request.already_sent:
            return _("already credited")
        client = self._mijnwebwinkel_client()
        credit_ids = adapter.credit_status_ids(client.get_order_statuses())
        if not credit_ids:
            raise ChannelRequestError(_("The shop has no order status for credit orders."))
        try:
            body = adapter.credit_order_body(
                request, client.get_order(request.order_external_id), credit_ids[0]
            )
        except ChannelDataError as exc:
            raise ChannelRequestError(str(exc)) from exc
        credit = client.post_credit_order(body)
        if request.on_sent:
            request.on_sent("credit-order")
        number = str((credit or {}).get(const.OrderF.NUMBER) or "").strip()
        return _(
            "credit order %(number)s for order %(order)s",
            number=number or "?",
            order=request.order_external_id,
        )

    # === REQUEST HELPERS === #

    def _mijnwebwinkel_client(self):
        """The API client of this account, built from its (sudo-read) credentials."""
        self.ensure_one()
        account_sudo = self.sudo()
        if not (account_sudo.mijnwebwinkel_partner_token and account_sudo.mijnwebwinkel_shop_token):
            raise ChannelAuthError(
                _("Enter the MijnWebwinkel partner token and shop token on %s first.", self.display_name)
            )
        return MijnWebwinkelClient(
            account_sudo.mijnwebwinkel_partner_token,
            account_sudo.mijnwebwinkel_shop_token,
            base_url=self.api_base_url or const.API_BASE_URL,
            language=self.mijnwebwinkel_language or const.DEFAULT_LANGUAGE,
        )

    def _mijnwebwinkel_sync(self):
        self.ensure_one()
        return MijnWebwinkelSync(
            self._mijnwebwinkel_client(),
            update_product_info=self.update_product_info,
            stock_managed=self.stock_managed_by_channel,
            list_ids=(self.mijnwebwinkel_list_ids or "").replace(";", ",").split(","),
            env=self.env,
        )
