# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The outbound engine: stock and products, once for every channel.

Stock
    :meth:`_export_stock` computes the quantity of every bound product of the
    account with a constant number of grouped queries (one on ``stock.quant``,
    two more on ``stock.move`` in *forecast* mode), whatever the number of SKUs,
    and enqueues one job per batch of the channel's bulk size for the bindings
    whose value differs from the last one the channel accepted. The job
    recomputes the quantities of its bindings when it runs, so a job that waited
    in the queue never publishes a stale value, and jobs of the same bindings
    are deduplicated by their identity key.

    Pushes are triggered by the cron ``ir_cron_connector_export_stock`` (safety
    net) and, debounced, by stock changes: the ``stock.quant`` / ``stock.move``
    hooks collect product ids in the transaction's precommit data; at commit one
    query checks whether any of them is bound to an exporting account and, if
    so, triggers the cron ``STOCK_DEBOUNCE`` seconds later unless a trigger is
    already pending. A burst of moves therefore costs one set lookup per move,
    one query per transaction and one cron run per minute at most.

Products
    Published products = the account's ``product_domain`` AND the explicit
    "publish on" selection of the product (``connector_account_ids`` on the
    template). With *update product info* off, the engine sends unbound
    products (create only) and, of the bound ones, only those whose price
    differs from the one the binding last sent (``last_price``), as a
    ``price_only`` :class:`ChannelProduct` without anything descriptive: what
    was edited in the channel stays, prices always follow Odoo; quantities
    flow through the stock export. With it on, bound products are sent too,
    with their ``external_id``, and the provider updates them. The provider
    also reads ``update_product_info`` and decides per channel.

    Images: ``image_checksums`` always lists the SHA-1 of the current images
    (main first); ``images`` is empty when these checksums equal the ones the
    binding stored after the last successful push, meaning "the channel already
    has these images, leave them".
"""

import base64
import hashlib
import logging
import math
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, float_round
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

from ..exceptions import ChannelAuthError, ChannelError, ChannelRetryableError
from ..schema import ChannelDataError, ChannelProduct, StockItem

_logger = logging.getLogger(__name__)

STOCK_DEBOUNCE = 60  # seconds between a stock change and the push it triggers
STOCK_CHANGED_KEY = "connector_base.stock_changed_product_ids"


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    attribute_mapping_ids = fields.One2many("connector.attribute.mapping", "account_id")

    # === STOCK: ENTRY POINTS === #

    @api.model
    def _cron_export_stock(self):
        """Scheduled (and debounced) stock push of every account that exports stock."""
        accounts = self.search([("export_stock", "=", True), ("provider", "!=", "none")])
        for done, account in enumerate(accounts, start=1):
            account = account._in_merchant_language()
            try:
                account._export_stock()
            except ChannelError as exc:
                _logger.warning("Stock export of %s failed: %s", account.display_name, exc)
            self.env["ir.cron"]._commit_progress(1, remaining=len(accounts) - done)

    def _export_stock(self, force=False):
        """Enqueue one job per batch of bindings whose quantity changed.

        :param bool force: send every bound SKU, changed or not
        :return: number of SKUs queued
        """
        self.ensure_one()
        account = self.sudo()
        rows = account._get_stock_rows()
        quantities = account._compute_stock_quantities({row["product_id"] for row in rows})
        changed = [
            row["id"]
            for row in rows
            if force or account._stock_differs(row, account._publishable_qty(quantities, row))
        ]
        size = max(account._get_stock_batch_size(), 1)
        run = account._export_progress("stock", len(changed), size, self.env._("SKUs"))
        for start in range(0, len(changed), size):
            batch = changed[start : start + size]
            account.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_(
                    "Push stock of %(count)s SKUs to %(account)s",
                    count=len(batch),
                    account=account.display_name,
                ),
            )._push_stock_job(batch, force=force, **run)
        return len(changed)

    def _export_progress(self, kind, count, size, step):
        """Progress of an export of several batches (one job each): ``{'progress_id': id}`` for
        the jobs, empty for a single batch (the usual debounced push needs none, and its job
        keeps the same arguments, so identical pending jobs are still merged)."""
        Progress = self.env["connector.progress"]
        if count <= size:
            # what a stopped run left is in this batch: it no longer says "stopped at"
            Progress._close_stale(self, kind, "done", self.env._("Sent by a later export."))
            return {}
        return {"progress_id": Progress._start(self, kind, count, step).id}

    def _export_progress_advance(self, progress_id, count):
        """Count a batch as done, last thing in its job (see connector.progress)."""
        if progress_id:
            self.env["connector.progress"].sudo().browse(progress_id).exists()._advance(count, finish=True)

    # === STOCK: COMPUTATION === #

    def _get_stock_rows(self, binding_ids=None):
        """The account's bindings with what the stock push needs, in one query.

        Products that are not storable (services, untracked consumables) and
        bindings without any SKU or channel id are left out: the channel keeps its own
        count. A variant the channel knows by id only (no SKU on either side) goes by
        its channel id.

        :return: list of dicts (id, product_id, sku, ean, external_id,
            storefront, last_stock_qty, stock_pushed, active)
        """
        self.ensure_one()
        self.env["connector.product.binding"].flush_model()
        self.env["product.product"].flush_model(["default_code", "barcode", "active", "product_tmpl_id"])
        self.env["product.template"].flush_model(["is_storable", "active"])
        query = SQL(
            """SELECT b.id, b.product_id,
                      COALESCE(NULLIF(b.external_sku, ''), p.default_code, NULLIF(b.external_id, ''))
                          AS sku,
                      COALESCE(p.barcode, '') AS ean,
                      COALESCE(b.external_id, '') AS external_id,
                      COALESCE(b.storefront, '') AS storefront,
                      b.last_stock_qty, COALESCE(b.stock_pushed, FALSE) AS stock_pushed,
                      (p.active AND t.active) AS active
                 FROM connector_product_binding b
                 JOIN product_product p ON p.id = b.product_id
                 JOIN product_template t ON t.id = p.product_tmpl_id
                WHERE b.account_id = %(account)s
                  AND t.is_storable
                  AND COALESCE(NULLIF(b.external_sku, ''), p.default_code, NULLIF(b.external_id, ''))
                      IS NOT NULL
                  %(only)s
             ORDER BY b.id""",
            account=self.id,
            only=SQL("AND b.id IN %s", tuple(binding_ids)) if binding_ids is not None else SQL(""),
        )
        if binding_ids is not None and not binding_ids:
            return []
        return self.env.execute_query_dict(query)

    def _compute_stock_quantities(self, product_ids):
        """Quantity per product in the account's warehouse, by the stock mode.

        Grouped queries whose number does not depend on the number of
        products: one on quants, plus two on moves for the forecast. Location
        domains are Odoo's own (``_get_domain_locations``), so the figures are
        those of the product form for that warehouse.

        :param product_ids: iterable of product.product ids
        :return: dict product id -> float, in the product's unit, before buffer
        """
        self.ensure_one()
        product_ids = list(product_ids)
        if not product_ids:
            return {}
        Product = self.env["product.product"].with_company(self.company_id)
        if self.warehouse_id:
            Product = Product.with_context(warehouse_id=self.warehouse_id.id)
        quant_loc, move_in_loc, move_out_loc = Product._get_domain_locations()
        products = Domain("product_id", "in", product_ids)
        Quant = self.env["stock.quant"].with_context(active_test=False)
        result = defaultdict(float)
        for product, quantity, reserved in Quant._read_group(
            products & quant_loc, ["product_id"], ["quantity:sum", "reserved_quantity:sum"]
        ):
            if self.stock_mode == "available":
                result[product.id] = (quantity or 0.0) - (reserved or 0.0)
            else:
                result[product.id] = quantity or 0.0
        if self.stock_mode == "forecast":
            Move = self.env["stock.move"].with_context(active_test=False)
            todo = Domain("state", "in", ("waiting", "confirmed", "assigned", "partially_available"))
            for product, qty in Move._read_group(
                products & todo & move_in_loc, ["product_id"], ["product_qty:sum"]
            ):
                result[product.id] += qty or 0.0
            for product, qty in Move._read_group(
                products & todo & move_out_loc, ["product_id"], ["product_qty:sum"]
            ):
                result[product.id] -= qty or 0.0
        return result

    def _publishable_qty(self, quantities, row):
        """Whole units the channel may sell: quantity minus buffer, never below 0."""
        if not row.get("active", True):
            return 0
        qty = quantities.get(row["product_id"], 0.0) - (self.stock_buffer or 0.0)
        return max(int(math.floor(float_round(qty, precision_digits=6))), 0)

    @staticmethod
    def _stock_differs(row, qty):
        return not row["stock_pushed"] or int(round(row["last_stock_qty"] or 0.0)) != qty

    # === STOCK: JOB === #

    def _push_stock_job(self, binding_ids, force=False, progress_id=None):
        """Job: send the current quantity of these bindings in one batch.

        Quantities are recomputed now (the job may have waited); bindings
        whose value the channel already has are dropped unless ``force``.
        A rerun after a crash therefore sends what is missing only.

        :param progress_id: connector.progress of the export this batch belongs to
        """
        self.ensure_one()
        result = self._push_stock_batch(binding_ids, force=force)
        # counted last: the run's row is locked from here to the job's commit only, not
        # through the channel call (batch jobs of one run waited for each other)
        self._export_progress_advance(progress_id, len(binding_ids))
        return result

    def _push_stock_batch(self, binding_ids, force=False):
        account = self.sudo()
        rows = account._get_stock_rows(binding_ids)
        quantities = account._compute_stock_quantities({row["product_id"] for row in rows})
        items, sent = [], []
        for row in rows:
            qty = account._publishable_qty(quantities, row)
            if not force and not account._stock_differs(row, qty):
                continue
            items.append(
                StockItem(
                    sku=row["sku"],
                    quantity=qty,
                    ean=row["ean"],
                    external_id=row["external_id"],
                    storefront=row["storefront"],
                    managed_by_channel=account.stock_managed_by_channel,
                )
            )
            sent.append((row, qty))
        if not items:
            return _("Nothing to send: the channel has every quantity.")
        Binding = self.env["connector.product.binding"].sudo()
        try:
            result = account._push_stock(items)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except (ChannelError, UserError) as exc:
            # the whole batch was refused: nothing stored, the next push retries
            Binding.browse([row["id"] for row, _qty in sent]).write({"last_error": str(exc)})
            if isinstance(exc, ChannelAuthError):
                # refused keys fail every flow: the account shows it, as after an order sync
                account.write({"state": "error", "last_error": str(exc)})
            account._log(
                "stock",
                "error",
                _("Stock batch of %(count)s SKUs refused: %(msg)s", count=len(items), msg=str(exc)),
                "out",
            )
            return str(exc)
        errors = result.errors if result else {}
        external_ids = result.external_ids if result else {}
        now = fields.Datetime.now()
        by_qty = defaultdict(list)
        for row, qty in sent:
            sku = row["sku"]
            if sku in errors:
                Binding.browse(row["id"]).write({"last_error": errors[sku]})
                account._log(
                    "stock", "error", _("%(sku)s refused: %(msg)s", sku=sku, msg=errors[sku]), "out", sku
                )
                continue
            if external_ids.get(sku) and not row["external_id"]:
                Binding.browse(row["id"]).write({"external_id": external_ids[sku]})
            by_qty[qty].append(row["id"])
        for qty, ids in by_qty.items():
            Binding.browse(ids).write(
                {"last_stock_qty": qty, "last_stock_push_at": now, "stock_pushed": True, "last_error": False}
            )
        stored = sum(len(ids) for ids in by_qty.values())
        vals = {"last_stock_push_at": now}
        if account.state == "error":
            vals.update(state="connected", last_error=False)  # the channel accepted the keys again
        account.write(vals)
        if stored:
            account._log("stock", "done", _("%s quantities sent.", stored), "out")
        return _("%(ok)s quantities sent, %(err)s refused.", ok=stored, err=len(sent) - stored)

    # === STOCK: DEBOUNCED TRIGGER === #

    @api.model
    def _notify_stock_change(self, product_ids):
        """Remember products whose stock changed; decide once, at commit."""
        if not product_ids:
            return
        data = self.env.cr.precommit.data
        pending = data.get(STOCK_CHANGED_KEY)
        if pending is None:
            pending = data[STOCK_CHANGED_KEY] = set()
            self.env.cr.precommit.add(self._flush_stock_change)
        pending.update(product_ids)

    @api.model
    def _flush_stock_change(self):
        product_ids = self.env.cr.precommit.data.pop(STOCK_CHANGED_KEY, None)
        if not product_ids:
            return
        self.env.flush_all()
        bound = self.env.execute_query(
            SQL(
                """SELECT 1 FROM connector_product_binding b
                     JOIN connector_account a ON a.id = b.account_id
                    WHERE a.active AND a.export_stock
                      AND b.product_id IN %s
                    LIMIT 1""",
                tuple(product_ids),
            )
        )
        if not bound:
            return
        cron = self.env.ref("connector_base.ir_cron_connector_export_stock", raise_if_not_found=False)
        if not cron:
            return
        cron = cron.sudo()
        now = fields.Datetime.now()
        if (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "=", cron.id), ("call_at", ">=", now)])
        ):
            return  # a push is already planned: it will see this change too
        cron._trigger(at=now + timedelta(seconds=STOCK_DEBOUNCE))
        self.env.flush_all()

    # === PRODUCTS: ENTRY POINT === #

    def _get_product_batch_size(self):
        """Products per ``_push_products`` call (provider hook)."""
        return 50

    def _get_products_to_publish(self):
        """Products of the account's filter that are also explicitly published on it."""
        self.ensure_one()
        domain = Domain(self._eval_product_domain())
        domain &= Domain("product_tmpl_id.connector_account_ids", "in", self.ids)
        domain &= Domain("company_id", "in", [self.company_id.id, False])
        return self.env["product.product"].with_company(self.company_id).search(domain, order="id")

    def _eval_product_domain(self):
        self.ensure_one()
        context = {
            "uid": self.env.uid,
            "user": self.env.user,
            "company_id": self.company_id.id,
            "time": safe_time,
            "datetime": safe_datetime,
            "context_today": lambda: fields.Date.context_today(self),
        }
        return safe_eval(self.product_domain or "[]", context)

    def _export_products(self):
        """Enqueue one job per batch of products to create (or update) in the channel.

        :return: number of products queued
        """
        self.ensure_one()
        account = self.sudo()
        products = account._get_products_to_publish()
        if not account.update_product_info:
            bound = products & account.binding_ids.product_id
            repriced = account._products_with_new_price(bound)
            products = products.filtered(lambda p: p not in bound or p in repriced)
        no_sku = products.filtered(lambda p: not p.default_code)
        if no_sku:
            account._log(
                "product",
                "warning",
                _(
                    "Not sent, no internal reference (SKU): %s",
                    ", ".join(no_sku[:20].mapped("display_name")),
                ),
                "out",
            )
        products -= no_sku
        size = max(account._get_product_batch_size(), 1)
        run = account._export_progress("product", len(products), size, self.env._("products"))
        for start in range(0, len(products), size):
            batch = products[start : start + size]
            account.with_delay(
                channel=account._get_job_channel(),
                identity_key=identity_exact,
                description=_(
                    "Push %(count)s products to %(account)s", count=len(batch), account=account.display_name
                ),
            )._push_products_job(batch.ids, **run)
        return len(products)

    # === PRODUCTS: JOB === #

    def _push_products_job(self, product_ids, progress_id=None):
        """Job: build the :class:`ChannelProduct` of these products and send them.

        :param progress_id: connector.progress of the export this batch belongs to
        """
        self.ensure_one()
        result = self._push_products_batch(product_ids)
        self._export_progress_advance(progress_id, len(product_ids))  # last, as for stock
        return result

    def _push_products_batch(self, product_ids):
        account = self.sudo()
        products = (
            account.env["product.product"].with_company(account.company_id).browse(product_ids).exists()
        )
        Binding = account.env["connector.product.binding"]
        all_bindings = Binding.search([("account_id", "=", account.id)])
        bindings = {b.product_id.id: b for b in all_bindings}
        price_only = products.browse()
        if not account.update_product_info:
            # re-checked here: the job may have waited while the price was sent by another
            bound = products.filtered(lambda p: p.id in bindings)
            price_only = account._products_with_new_price(bound)
            products = products.filtered(lambda p: p not in bound or p in price_only)
        products = products.filtered("default_code")
        price_only &= products
        if not products:
            return _("Nothing to send.")
        full = products - price_only
        prepared = dict(zip(full.ids, account._prepare_channel_products(full, bindings), strict=True))
        prepared.update(
            zip(price_only.ids, account._prepare_price_updates(price_only, bindings), strict=True)
        )
        channel_products = [prepared[product.id] for product in products]
        try:
            result = account._push_products(channel_products)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except (ChannelError, UserError) as exc:
            account._log(
                "product",
                "error",
                _("%(count)s products refused: %(msg)s", count=len(channel_products), msg=str(exc)),
                "out",
            )
            return str(exc)
        errors = result.errors if result else {}
        external_ids = result.external_ids if result else {}
        now = fields.Datetime.now()
        created = 0
        for product, channel_product in zip(products, channel_products, strict=True):
            sku = channel_product.sku
            binding = bindings.get(product.id)
            if sku in errors:
                if binding:
                    binding.last_error = errors[sku]
                account._log(
                    "product", "error", _("%(sku)s refused: %(msg)s", sku=sku, msg=errors[sku]), "out", sku
                )
                continue
            vals = {
                "last_product_push_at": now,
                "last_error": False,
                "last_price": self._price_key(channel_product.price, channel_product.currency),
            }
            if not channel_product.price_only:
                vals["image_checksums"] = ",".join(channel_product.image_checksums) or False
            if external_ids.get(sku):
                vals["external_id"] = external_ids[sku]
            if binding:
                binding.write(vals)
                # every storefront's binding of the product: the price is the product's
                others = all_bindings.filtered(lambda b, p=product: b.product_id == p) - binding
                others.write({"last_price": vals["last_price"]})
            else:
                Binding.create(
                    {"account_id": account.id, "product_id": product.id, "external_sku": sku, **vals}
                )
                created += 1
        sent = len(channel_products) - len([p for p in channel_products if p.sku in errors])
        if sent:
            repriced = len([p for p in channel_products if p.price_only and p.sku not in errors])
            account._log(
                "product",
                "done",
                _("%(sent)s products sent, %(new)s new.", sent=sent, new=created)
                + (" " + _("%s of them: the new price only.", repriced) if repriced else ""),
                "out",
            )
        return _("%(sent)s products sent, %(err)s refused.", sent=sent, err=len(channel_products) - sent)

    # === PRODUCTS: BUILDING === #

    def _product_base_prices(self, products):
        """(price per product id before taxes, currency): the pricelist's, else the sales price."""
        self.ensure_one()
        currency = self.pricelist_id.currency_id or self.company_id.currency_id
        if self.pricelist_id:
            prices = {
                pid: price
                for pid, (price, _rule) in self.pricelist_id._compute_price_rule(products, 1.0).items()
            }
        else:
            prices = {p.id: p.lst_price for p in products}
        return prices, currency

    def _product_channel_price(self, product, price, currency):
        """(price as the channel gets it, rounded Decimal; the product's taxes) by the account's
        tax convention."""
        taxes = product.taxes_id._filter_taxes_by_company(self.company_id)
        amounts = taxes.compute_all(price, currency=currency, quantity=1.0, product=product)
        amount = amounts["total_included"] if self.product_price_incl_tax else amounts["total_excluded"]
        return Decimal(str(currency.round(amount))), taxes

    @staticmethod
    def _price_key(price, currency_name):
        """What ``last_price`` of a binding holds, e.g. '23.79 EUR'."""
        return f"{price} {currency_name}" if price is not None else False

    def _products_with_new_price(self, products):
        """The bound ``products`` whose channel price differs from the one last sent."""
        self.ensure_one()
        if not products:
            return products
        prices, currency = self._product_base_prices(products)
        sent = defaultdict(set)
        for binding in self.env["connector.product.binding"].search(
            [("account_id", "=", self.id), ("product_id", "in", products.ids)]
        ):
            sent[binding.product_id.id].add(binding.last_price or False)
        return products.filtered(
            lambda p: (
                sent[p.id]
                != {
                    self._price_key(
                        self._product_channel_price(p, prices.get(p.id, 0.0), currency)[0], currency.name
                    )
                }
            )
        )

    def _prepare_price_updates(self, products, bindings=None):
        """``price_only`` :class:`ChannelProduct` of bound ``products`` (same order): the
        price and what identifies the listing, nothing descriptive."""
        self.ensure_one()
        bindings = bindings or {}
        prices, currency = self._product_base_prices(products)
        result = []
        for product in products:
            amount, taxes = self._product_channel_price(product, prices.get(product.id, 0.0), currency)
            binding = bindings.get(product.id)
            template = product.product_tmpl_id
            result.append(
                ChannelProduct(
                    sku=product.default_code or "",
                    ean=product.barcode or "",
                    price=amount,
                    price_includes_tax=self.product_price_incl_tax,
                    tax_rate=Decimal(str(sum(t.amount for t in taxes if t.amount_type == "percent")))
                    if taxes
                    else None,
                    currency=currency.name,
                    parent_sku=template._connector_parent_sku() if template.product_variant_count > 1 else "",
                    external_id=(binding.external_id or "") if binding else "",
                    price_only=True,
                )
            )
        return result

    def _prepare_channel_products(self, products, bindings=None):
        """:class:`ChannelProduct` of ``products`` (same order), with batch-wide queries."""
        self.ensure_one()
        bindings = bindings or {}
        prices, currency = self._product_base_prices(products)
        quantities = self._compute_stock_quantities(products.ids)
        mappings = self.attribute_mapping_ids
        result = []
        for product in products:
            qty = self._publishable_qty(quantities, {"product_id": product.id, "active": product.active})
            result.append(
                self._prepare_channel_product(
                    product, prices.get(product.id, 0.0), currency, qty, bindings.get(product.id), mappings
                )
            )
        return result

    def _prepare_channel_product(self, product, price, currency, quantity, binding, mappings):
        """One :class:`ChannelProduct`; provider addons may extend it (brand, weight, ...)."""
        template = product.product_tmpl_id
        amount, taxes = self._product_channel_price(product, price, currency)
        gross = self.product_price_incl_tax
        rate = sum(t.amount for t in taxes if t.amount_type == "percent")
        description, short = self._product_descriptions(product)
        images = self._product_images(product)
        checksums = [hashlib.sha1(image).hexdigest() for image in images]
        if binding and binding.image_checksums and binding.image_checksums == ",".join(checksums):
            images = []  # the channel already has exactly these images
        attributes, features = self._product_attributes(product, mappings)
        return ChannelProduct(
            sku=product.default_code or "",
            ean=product.barcode or "",
            name=product.name or "",
            description=description,
            short_description=short,
            price=amount,
            price_includes_tax=gross,
            tax_rate=Decimal(str(rate)) if taxes else None,
            currency=currency.name,
            quantity=Decimal(quantity),
            category_path=[part.strip() for part in (product.categ_id.complete_name or "").split("/")]
            if product.categ_id
            else [],
            images=images,
            image_checksums=checksums,
            attributes=attributes,
            features=features,
            parent_sku=template._connector_parent_sku() if template.product_variant_count > 1 else "",
            external_id=(binding.external_id or "") if binding else "",
            weight=Decimal(str(product.weight)) if product.weight else None,
        )

    def _product_descriptions(self, product):
        """(long, short): the webshop description when there is one, else the sales description."""
        sale = (product.description_sale or "").strip()
        shop = ""
        for name in ("description_ecommerce", "website_description"):
            if name in product._fields and product[name]:
                shop = str(product[name]).strip()
                break
        if shop:
            return shop, sale
        return sale, sale.split("\n", 1)[0].strip()

    def _product_images(self, product):
        """Raw image bytes: the variant's main image, then the template's extra images."""
        images = []
        if product.image_1920:
            images.append(base64.b64decode(product.image_1920))
        for name in ("product_variant_image_ids", "product_template_image_ids"):
            if name in product._fields:
                images.extend(base64.b64decode(img.image_1920) for img in product[name] if img.image_1920)
        return images

    def _product_attributes(self, product, mappings):
        """(attributes, features) of a product through the account's mapping table.

        Variant values become attributes under the mapped channel name (or
        their own); a mapping of kind *feature* moves an attribute, or puts a
        product field, into the features.
        """
        by_attribute = {m.attribute_id: m for m in mappings if m.attribute_id}
        attributes, features = {}, {}
        for ptav in product.product_template_attribute_value_ids:
            attribute = ptav.attribute_id
            mapping = by_attribute.get(attribute)
            target = features if mapping and mapping.kind == "feature" else attributes
            target[mapping.channel_name if mapping else attribute.name] = ptav.name
        variant_attributes = product.product_template_attribute_value_ids.attribute_id
        for mapping in mappings:
            if mapping.attribute_id and mapping.attribute_id not in variant_attributes:
                # single-value or no-variant attribute lines of the template
                lines = product.attribute_line_ids.filtered(
                    lambda line, m=mapping: line.attribute_id == m.attribute_id
                )
                if lines:
                    target = features if mapping.kind == "feature" else attributes
                    target[mapping.channel_name] = ", ".join(lines.value_ids.mapped("name"))
            elif mapping.field_id and mapping.field_id.name in product._fields:
                value = product[mapping.field_id.name]
                if isinstance(value, models.BaseModel):
                    value = ", ".join(value.mapped("display_name"))
                if value not in (False, None, ""):
                    target = features if mapping.kind == "feature" else attributes
                    target[mapping.channel_name] = str(value)
        return attributes, features

    # === ORDER CANCELLATION JOB === #

    def _cancel_order_lines_job(self, order_id, line_external_ids, reason):
        """Job: tell the channel that Odoo cancelled these lines of an imported order."""
        self.ensure_one()
        account = self.sudo()
        order = account.env["sale.order"].browse(order_id).exists()
        if not order:
            return _("Order deleted.")
        record = order.connector_order_id
        if record and record.payload:
            try:
                if account._parse_order(record.payload).cancelled:
                    return _("Already cancelled in the channel.")
            except (ChannelDataError, ValueError, TypeError):  # unreadable: send the cancel anyway
                _logger.debug("Unreadable payload of %s", order.name, exc_info=True)
        try:
            done = account._cancel_order_lines(order.connector_external_id, line_external_ids, reason)
        except ChannelRetryableError as exc:
            raise RetryableJobError(str(exc), seconds=int(exc.retry_after or 60)) from exc
        except ChannelError as exc:
            account._log(
                "order",
                "error",
                _("Cancellation refused: %s", str(exc)),
                "out",
                order.client_order_ref,
                order,
            )
            return str(exc)
        if not done:
            account._log(
                "order",
                "skipped",
                _("The channel takes no cancellations from Odoo."),
                "out",
                order.client_order_ref,
                order,
            )
            return _("Not supported by the channel.")
        account._log(
            "order",
            "done",
            _("%s lines cancelled in the channel.", len(line_external_ids)),
            "out",
            order.client_order_ref,
            order,
        )
        return _("Cancelled in the channel.")
