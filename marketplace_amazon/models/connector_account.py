# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import adapter, const
from ..client import AmazonClient


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    provider = fields.Selection(selection_add=[("amazon", "Amazon")], ondelete={"amazon": "set default"})
    amazon_lwa_client_id = fields.Char(
        string="LWA client id",
        groups="base.group_system",
        copy=False,
        help="Seller Central > Apps and Services > Develop Apps > your app > LWA credentials: "
        "Client identifier (amzn1.application-oa2-client...).",
    )
    amazon_lwa_client_secret = fields.Char(
        string="LWA client secret",
        groups="base.group_system",
        copy=False,
        help="The LWA Client secret of the same app.",
    )
    amazon_refresh_token = fields.Char(
        string="Refresh token",
        groups="base.group_system",
        copy=False,
        help="Refresh token (Atzr|...) obtained when the seller authorized the app (self-authorization in "
        "Develop Apps, or the OAuth website flow).",
    )
    amazon_seller_id = fields.Char(
        string="Seller id",
        help="Merchant token of the seller (Seller Central > Settings > Account Info > Merchant Token). "
        "Needed for stock and offers.",
    )
    amazon_region = fields.Selection(
        [
            ("eu", "Europe (incl. UK, TR, AE, IN)"),
            ("na", "North America (US, CA, MX, BR)"),
            ("fe", "Far East"),
        ],
        string="Region",
        default="eu",
        help="Selling Partner API region of the seller's marketplaces.",
    )
    amazon_marketplace_ids = fields.Char(
        string="Marketplaces",
        default=const.DEFAULT_MARKETPLACE_ID,
        help="Comma-separated Amazon marketplace ids to import orders from and publish offers on, e.g. "
        "A1PA6795UKMFR9 (DE), A13V1IB3VIYZZH (FR), A1805IZSGTT6HS (NL), AMEN7PMS3EDWL (BE).",
    )
    amazon_import_fba = fields.Boolean(
        string="Import FBA orders",
        help="Also import orders fulfilled by Amazon (FBA), also when already shipped. Odoo books "
        "them as delivered from the channel fulfilment location, without reserving or moving this "
        "warehouse's stock.",
    )
    amazon_billing_addresses = fields.Boolean(
        string="Billing addresses from reports",
        default=True,
        help="Amazon's order API has no billing address: read it from the flat-file invoicing order "
        "report (the app needs the Tax Invoicing role). Each order sync then requests one report.",
    )
    amazon_product_type = fields.Char(
        string="Listing product type",
        default=const.DEFAULT_PRODUCT_TYPE,
        help="Amazon product type sent with stock updates and new offers when the listing does not tell "
        "its own.",
    )
    amazon_orders_api = fields.Selection(
        [(const.ORDERS_API_2026, "Orders API 2026-01-01"), (const.ORDERS_API_V0, "Orders API v0 (legacy)")],
        string="Orders API",
        default=const.ORDERS_API_2026,
        help="2026-01-01 reads 100 orders with their items per call. v0 needs extra calls per order "
        "and is retired by Amazon in March 2027.",
    )

    # === CONSTRAINT METHODS === #

    @api.constrains("provider", "amazon_region", "amazon_marketplace_ids")
    def _check_amazon_marketplaces(self):
        for account in self.filtered(lambda a: a.provider == "amazon"):
            ids = account._amazon_marketplace_ids()
            if not ids:
                raise ValidationError(
                    self.env._("Set at least one Amazon marketplace id, e.g. A1PA6795UKMFR9 (Amazon.de).")
                )
            for marketplace_id in ids:
                known = const.MARKETPLACES.get(marketplace_id)
                if known and known[1] != (account.amazon_region or "eu"):
                    raise ValidationError(
                        self.env._(
                            "Marketplace %(id)s (%(name)s) belongs to the %(region)s region: "
                            "set that region.",
                            id=marketplace_id,
                            name=known[2],
                            region=known[1].upper(),
                        )
                    )

    # === BUSINESS METHODS === #

    def _amazon_marketplace_ids(self):
        self.ensure_one()
        return [m.strip() for m in (self.amazon_marketplace_ids or "").split(",") if m.strip()]

    def _amazon_client(self):
        """The SP-API client of this account (credentials read in sudo, never logged)."""
        self.ensure_one()
        account_sudo = self.sudo()
        return AmazonClient(
            account_sudo.amazon_refresh_token,
            account_sudo.amazon_lwa_client_id,
            account_sudo.amazon_lwa_client_secret,
            seller_id=(self.amazon_seller_id or "").strip(),
            region=self.amazon_region or "eu",
            marketplace_ids=self._amazon_marketplace_ids() or [const.DEFAULT_MARKETPLACE_ID],
            endpoint=self.api_base_url or None,
            orders_api=self.amazon_orders_api or const.ORDERS_API_2026,
        )

    def _amazon_currency(self):
        self.ensure_one()
        return (self.pricelist_id.currency_id or self.company_id.currency_id).name or "EUR"

    # === PROVIDER HOOKS === #

    def _get_default_import_statuses(self):
        if self.provider != "amazon":
            return super()._get_default_import_statuses()
        return list(const.DEFAULT_IMPORT_STATUSES)

    def _test_connection(self):
        if self.provider != "amazon":
            return super()._test_connection()
        # str() here: the client's text is translated into the user's language
        return str(self._amazon_client().connection_message())

    def _fetch_orders(self, since):
        if self.provider != "amazon":
            return super()._fetch_orders(since)
        return self._amazon_client().fetch_raw_orders(
            since,
            self._get_import_statuses(),
            import_fba=self.amazon_import_fba,
            billing_addresses=self.amazon_billing_addresses,
            waiting=self._amazon_orders_waiting_for_billing() if self.amazon_billing_addresses else None,
            load_stored=self._amazon_stored_payloads,
            on_billing_failure=self._amazon_log_billing_failure,
        )

    def _amazon_orders_waiting_for_billing(self):
        """``{order id: purchase date}`` of this account's merchant-fulfilled orders stored in
        the last 30 days (what Amazon's order reports keep) without a billing address."""
        self.ensure_one()
        self.env["connector.order"].flush_model(["account_id", "payload", "state"])
        self.env.cr.execute(
            """SELECT external_id,
                      COALESCE(payload #>> '{order,createdTime}', payload #>> '{order,PurchaseDate}')
                 FROM connector_order
                WHERE account_id = %s AND state != 'ignored' AND payload IS NOT NULL
                  AND create_date >= %s
                  AND jsonb_typeof(COALESCE(payload -> 'billing', 'null'::jsonb)) = 'null'
                  AND COALESCE(payload #>> '{order,fulfillment,fulfilledBy}', '') != 'AMAZON'
                  AND COALESCE(payload #>> '{order,FulfillmentChannel}', '') != 'AFN'""",
            [self.id, fields.Datetime.now() - timedelta(days=30)],
        )
        return dict(self.env.cr.fetchall())

    def _amazon_stored_payloads(self, external_ids):
        orders = self.env["connector.order"].search(
            [("account_id", "=", self.id), ("external_id", "in", list(external_ids))]
        )
        return {order.external_id: order.payload for order in orders}

    def _amazon_log_billing_failure(self, reason):
        self._log(
            "order",
            "warning",
            self.env._(
                "Billing addresses not read this time: %(reason)s The orders are imported with their "
                "delivery address as invoice address; the next synchronization asks Amazon's invoicing "
                "report again and sets the billing address of the orders not invoiced yet.",
                reason=reason,
            ),
        )

    def _fetch_order(self, external_id):
        if self.provider != "amazon":
            return super()._fetch_order(external_id)
        # getOrder has no billing address (it comes from a report): keep the stored one
        stored = (
            self.env["connector.order"]
            .sudo()
            .search([("account_id", "=", self.id), ("external_id", "=", external_id)], limit=1)
        )
        billing = (stored.payload or {}).get("billing") if isinstance(stored.payload, dict) else None
        return self._amazon_client().get_raw_order(external_id, billing=billing)

    def _parse_order(self, payload):
        if self.provider != "amazon":
            return super()._parse_order(payload)
        return adapter.parse_order(payload)

    def _push_stock(self, items):
        if self.provider != "amazon":
            return super()._push_stock(items)
        return self._amazon_client().push_stock(items, self.amazon_product_type or const.DEFAULT_PRODUCT_TYPE)

    def _get_stock_batch_size(self):
        if self.provider != "amazon":
            return super()._get_stock_batch_size()
        # patchListingsItem is 5 requests/s (burst 5): 50 SKUs take about 10 s per job.
        return 50

    def _push_products(self, products):
        if self.provider != "amazon":
            return super()._push_products(products)
        return self._amazon_client().push_products(
            products,
            update=self.update_product_info,
            product_type=self.amazon_product_type or const.DEFAULT_PRODUCT_TYPE,
            currency=self._amazon_currency(),
        )

    def _confirm_shipment(self, shipment):
        if self.provider != "amazon":
            return super()._confirm_shipment(shipment)
        return self._amazon_client().ship(shipment)

    def _fetch_catalogue(self):
        if self.provider != "amazon":
            return super()._fetch_catalogue()
        return self._amazon_client().iter_catalogue()
