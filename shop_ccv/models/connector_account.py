# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.addons.connector_base.exceptions import ChannelRequestError
from odoo.addons.connector_base.schema import ChannelDataError, PushResult, unreadable_listing
from odoo.exceptions import ValidationError

from .. import adapter, const
from ..client import CcvClient, build_base_url

_logger = logging.getLogger(__name__)


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    provider = fields.Selection(selection_add=[("ccv", "CCV Shop")], ondelete={"ccv": "set default"})

    # === CREDENTIALS === #
    ccv_public_key = fields.Char(
        string="CCV API public key",
        groups="base.group_system",
        copy=False,
        help="Public key of an API key made in the CCV Shop back office.",
    )
    ccv_secret_key = fields.Char(
        string="CCV API secret",
        groups="base.group_system",
        copy=False,
        help="Secret of the same API key; it signs every request and answer.",
    )

    # === SETTINGS === #
    ccv_shop_domain = fields.Char(
        string="CCV shop domain",
        help="Domain of the webshop, e.g. myshop.ccvshop.nl or www.myshop.nl. The API is at "
        "https://<domain>/api/rest/v1/.",
    )
    ccv_webshop_id = fields.Char(
        string="CCV webshop id",
        help="Filled by Test connection; recorded on imported orders (multishop accounts).",
    )
    ccv_only_paid = fields.Boolean(
        string="Only paid orders",
        default=True,
        help="Import an order only once CCV Shop marks it as paid. An order paid later is "
        "imported at the next synchronization.",
    )
    ccv_paid_lookback_days = fields.Integer(
        string="Look back for late payments (days)",
        default=const.DEFAULT_PAID_LOOKBACK_DAYS,
        help="CCV Shop orders have no change date: each synchronization also looks this many "
        "days back for orders that were paid (or got an importable status) since.",
    )
    ccv_package_id = fields.Integer(
        string="CCV package id for new products",
        help="CCV Shop needs a shipping package on every new product. Empty: the shop's first package.",
    )
    ccv_prices_include_tax = fields.Boolean(
        string="CCV prices include VAT",
        default=True,
        help="Product prices in this CCV shop are entered including VAT (consumer shop).",
    )
    ccv_notify_customer = fields.Boolean(
        string="E-mail the buyer on shipment",
        default=True,
        help="CCV Shop mails the buyer the status change and track & trace code.",
    )

    # === CONSTRAINTS === #

    @api.constrains("provider", "import_statuses")
    def _check_ccv_import_statuses(self):
        for account in self.filtered(lambda a: a.provider == "ccv" and a.import_statuses):
            for status in account._get_import_statuses():
                if not status.isdigit() or int(status) not in const.ORDER_STATUSES:
                    raise ValidationError(
                        _(
                            "CCV Shop order statuses are numbers from 1 to 14 (1 New, 2 In process, "
                            "5 Sent, 8 Cancelled, ...); %(status)s is not one of them.",
                            status=status,
                        )
                    )

    # === REQUEST HELPERS === #

    def _ccv_client(self, **kwargs):
        """The API client of this account (credentials read in sudo)."""
        self.ensure_one()
        account_sudo = self.sudo()
        base_url = build_base_url(account_sudo.ccv_shop_domain, account_sudo.api_base_url)
        return CcvClient(base_url, account_sudo.ccv_public_key, account_sudo.ccv_secret_key, **kwargs)

    # === PROVIDER HOOKS === #

    def _get_default_import_statuses(self):
        if self.provider != "ccv":
            return super()._get_default_import_statuses()
        return list(const.DEFAULT_IMPORT_STATUSES)

    def _test_connection(self):
        if self.provider != "ccv":
            return super()._test_connection()
        webshops = self._ccv_client().webshops()
        if not webshops:
            return _("CCV Shop accepted the keys.")
        webshop = webshops[0]
        if not self.ccv_webshop_id:
            self.ccv_webshop_id = adapter.resource_id(webshop)
        return _("Connected to CCV Shop webshop %s.", adapter.webshop_label(webshop))

    def _fetch_orders(self, since):
        if self.provider != "ccv":
            return super()._fetch_orders(since)
        return self._ccv_fetch_orders(since)

    def _ccv_fetch_orders(self, since):
        client = self._ccv_client()
        statuses = self._get_import_statuses()
        start = adapter.min_create_date(since, self.ccv_paid_lookback_days)
        # Orders already stored from the look-back window need no second fetch of their rows.
        known = set()
        # Orders stored as listed now (same resource: status, paid, totals) are not read again:
        # frequent syncs (every minute, or per webhook) re-list the safety overlap each time.
        stored_orders = {}
        if start and since:
            records = (
                self.env["connector.order"]
                .sudo()
                .search(
                    [
                        ("account_id", "=", self.id),
                        ("channel_updated_at", ">=", start),
                    ]
                )
            )
            known = set(records.mapped("external_id"))
            stored_orders = {
                r.external_id: (r.payload or {}).get("order")
                for r in records
                if r.channel_updated_at >= since and isinstance(r.payload, dict)
            }
        product_eans = {}
        orders = client.iter_orders(
            min_create_date=start,
            status=int(statuses[0]) if len(statuses) == 1 else None,
            is_paid=True if self.ccv_only_paid else None,
        )
        for order in orders:
            if not adapter.order_matches(order, statuses, self.ccv_only_paid, since=start):
                continue
            order_id = adapter.resource_id(order)
            created = adapter.order_created_at(order)
            if since and created and created < since and order_id in known:
                continue
            if stored_orders.get(order_id) == order:
                continue  # unchanged since stored: its rows are not read again
            rows = client.order_rows(order_id)
            for product_id in adapter.rows_missing_ean(rows) - set(product_eans):
                product_eans[product_id] = self._ccv_product_ean(client, product_id)
            yield adapter.build_raw_order(order, rows, product_eans)

    def _fetch_order(self, external_id):
        if self.provider != "ccv":
            return super()._fetch_order(external_id)
        # GET /orders/{id} and its rows: the same stored form as a sync's
        client = self._ccv_client()
        order = client.get_order(external_id)
        rows = client.order_rows(adapter.resource_id(order) or external_id)
        eans = {pid: self._ccv_product_ean(client, pid) for pid in adapter.rows_missing_ean(rows)}
        return adapter.build_raw_order(order, rows, eans)

    # --- refunds: CCV returns (read only) ---

    def _can_fetch_refunds(self):
        return self.provider == "ccv" or super()._can_fetch_refunds()

    def _fetch_refunds(self, since):
        if self.provider != "ccv":
            return super()._fetch_refunds(since)
        return self._ccv_fetch_refunds(since)

    def _ccv_fetch_refunds(self, since):
        client = self._ccv_client()
        # returns carry only a creation date: new ones are listed, open ones the engine
        # reads again (waiting) until they are credited or cancelled
        for ret in client.iter_returns(min_create_date=since):
            created = adapter.order_created_at(ret)
            if since and created and created < since:
                continue
            yield self._ccv_raw_refund(client, ret)

    def _fetch_refund(self, external_id):
        if self.provider != "ccv":
            return super()._fetch_refund(external_id)
        client = self._ccv_client()
        return self._ccv_raw_refund(client, client.get_return(external_id))

    def _ccv_raw_refund(self, client, ret):
        return_id = adapter.resource_id(ret)
        return adapter.raw_refund(adapter.return_payload(ret, client.return_rows(return_id)))

    def _parse_refund(self, payload):
        if self.provider != "ccv":
            return super()._parse_refund(payload)
        return adapter.parse_refund(payload)

    def _ccv_product_ean(self, client, product_id):
        try:
            return adapter.product_ean(client.get_product(product_id))
        except ChannelRequestError:
            return ""  # product deleted in the shop: match by SKU only

    def _parse_order(self, payload):
        if self.provider != "ccv":
            return super()._parse_order(payload)
        return adapter.parse_order(payload, webshop_id=self.ccv_webshop_id or "")

    def _push_stock(self, items):
        if self.provider != "ccv":
            return super()._push_stock(items)
        client = self._ccv_client()
        result = PushResult()
        for item in items:
            try:
                external_id = self._ccv_stock_target(client, item)
                if not external_id:
                    result.errors[item.sku] = _(
                        "CCV Shop has no product with product number %s: export the product first "
                        "or fix its product number in CCV Shop.",
                        item.sku,
                    )
                    continue
                body = adapter.stock_body(item, self.stock_managed_by_channel)
                if adapter.is_combination_id(external_id):
                    client.update_combination(external_id.removeprefix(adapter.COMBINATION_PREFIX), body)
                else:
                    client.update_product(external_id, body)
                result.external_ids[item.sku] = external_id
            except ChannelRequestError as exc:
                result.errors[item.sku] = str(exc)
        return result

    def _ccv_stock_target(self, client, item):
        """CCV id to patch for a stock item: its bound id, else the product with that number."""
        if item.external_id:
            return item.external_id
        product = client.find_product(item.sku)
        return adapter.resource_id(product) if product else ""

    def _push_products(self, products):
        if self.provider != "ccv":
            return super()._push_products(products)
        client = self._ccv_client()
        result = PushResult()
        cache = {}
        for product in products:
            try:
                product_id = self._ccv_push_product(client, product, cache)
            except (ChannelRequestError, ChannelDataError) as exc:
                result.errors[product.sku or product.name] = str(exc)
                continue
            if product_id:
                result.external_ids[product.sku] = product_id
        return result

    def _ccv_push_product(self, client, product, cache):
        if product.price_only:
            return self._ccv_push_price(client, product)
        if adapter.is_combination_id(product.external_id):
            # a variant bound to an attribute combination: its content is its product's
            return product.external_id
        existing = None
        if product.external_id:
            try:
                existing = client.get_product(product.external_id)
            except ChannelRequestError:
                existing = None  # deleted in the shop: find it by number or create it again
            if existing and adapter.product_sku(existing) != product.sku:
                existing = None
        existing = existing or client.find_product(product.sku)
        if existing:
            product_id = adapter.resource_id(existing)
            if not self.update_product_info:
                return product_id  # create-only: never overwrite what was edited in the shop
            body = adapter.product_body(
                product, create=False, shop_prices_include_tax=self.ccv_prices_include_tax
            )
            client.update_product(product_id, body)
        else:
            body = adapter.product_body(
                product,
                create=True,
                shop_prices_include_tax=self.ccv_prices_include_tax,
                package_id=self._ccv_package_id(client, cache),
                stock_enabled=self.stock_managed_by_channel,
            )
            product_id = adapter.resource_id(client.create_product(body))
            if not product_id:
                raise ChannelRequestError(
                    _("CCV Shop did not confirm the new product %s; export it again.", product.sku)
                )
        if product.category_path:
            self._ccv_link_category(client, product_id, product.category_path, cache)
        if product.images and not adapter.has_main_photo(existing):
            # UNCONFIRMED limits: CCV documents no maximum image size (500.21 when too big)
            client.upload_photo(product_id, adapter.photo_body(product.images[0], product.name or ""))
        return product_id

    def _ccv_push_price(self, client, product):
        """Send the price alone to the shop's product: its content stays as edited in CCV Shop."""
        if adapter.is_combination_id(product.external_id):
            raise ChannelDataError(
                _(
                    "CCV Shop keeps the price of variant %s as a price difference on its main "
                    "product: change it in CCV Shop.",
                    product.sku,
                )
            )
        body = adapter.price_body(product, self.ccv_prices_include_tax)
        product_id = product.external_id
        if product_id:
            try:
                client.update_product(product_id, body)
                return product_id
            except ChannelRequestError as exc:
                if exc.status != 404:
                    raise
                # deleted in the shop: look for it by its number below
        found = client.find_product(product.sku)
        if not found:
            raise ChannelRequestError(
                _(
                    "CCV Shop has no product with product number %s any more: switch on Update "
                    "product info on the account to create it again.",
                    product.sku,
                )
            )
        product_id = adapter.resource_id(found)
        client.update_product(product_id, body)
        return product_id

    def _ccv_package_id(self, client, cache):
        if self.ccv_package_id:
            return self.ccv_package_id
        if "package" not in cache:
            packages = client.packages()
            cache["package"] = adapter.resource_id(packages[0]) if packages else ""
        if not cache["package"]:
            raise ChannelRequestError(
                _(
                    "CCV Shop needs a shipping package on new products: create one in CCV Shop "
                    "or set the package id on the account."
                )
            )
        return cache["package"]

    def _ccv_link_category(self, client, product_id, path, cache):
        """Create the category path where missing and put the product in its last category."""
        if "categories" not in cache:
            cache["categories"] = adapter.category_index(client.categories())
        index = cache["categories"]
        parent = ""
        for name in (n.strip() for n in path if n and n.strip()):
            key = (parent, name.lower())
            if key not in index:
                created = client.create_category(adapter.category_body(name, parent or None))
                index[key] = adapter.resource_id(created)
                if not index[key]:
                    raise ChannelRequestError(_("CCV Shop did not confirm the new category %s.", name))
            parent = index[key]
        if parent and parent not in adapter.linked_category_ids(client.product_categories(product_id)):
            client.link_category(product_id, parent)

    def _confirm_shipment(self, shipment):
        if self.provider != "ccv":
            return super()._confirm_shipment(shipment)
        body = adapter.shipment_body(shipment, mail=self.ccv_notify_customer)
        self._ccv_client().patch_order(shipment.order_external_id, body)
        return True

    def _fetch_catalogue(self):
        if self.provider != "ccv":
            return super()._fetch_catalogue()
        return self._ccv_fetch_catalogue()

    def _ccv_fetch_catalogue(self):
        """The shop's products; a product with attribute combinations as its combinations
        (one call per product: CCV's product gives no sign of having them)."""
        client = self._ccv_client()
        for item in client.iter_products():
            try:
                product = adapter.product_from_payload(item, self.ccv_prices_include_tax)
            except ChannelDataError as exc:
                yield unreadable_listing(
                    exc, adapter.resource_id(item), adapter.product_sku(item), adapter.product_name(item)
                )
                continue
            try:
                combinations = client.product_combinations(product.external_id)
            except ChannelRequestError as exc:
                if exc.status != 404:
                    raise
                combinations = []  # deleted since the listing was read
            if not combinations:
                yield product
                continue
            for combination in combinations:
                try:
                    yield adapter.combination_to_product(combination, product)
                except ChannelDataError as exc:
                    yield unreadable_listing(
                        exc, adapter.combination_external_id(combination), name=product.name
                    )
