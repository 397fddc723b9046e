# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Catalogue import: the channel's existing listings meet Odoo's products.

:meth:`_import_catalogue` reads every listing through the provider hook
``_fetch_catalogue`` and, in chunks of :data:`CATALOGUE_CHUNK` listings with a
constant number of grouped queries per chunk, looks each one up by SKU
(``default_code``), then EAN (``barcode``), then an existing binding of the
account, then (a variant without SKU or EAN of its own) its parent SKU and
attribute values (``connector_account_variant``). A unique match is bound
(``connector.product.binding`` with the channel's id, SKU and storefront); the Odoo
product itself is never changed.

Ambiguities are never resolved by the import: a SKU or EAN that several Odoo
products carry, a listing whose SKU and EAN point at different products, a SKU
already bound to another product, a product already bound to another listing
of the same storefront. Such listings get state *conflict* with the reason and
no binding change. So does a listing whose data the provider could not read
(:func:`~..schema.unreadable_listing`): the others are imported. What a person
decided (a listing bound by hand) stays as it is on the next import.

Every listing is stored as a ``connector.listing`` row, so unmatched ones can
be bound by hand or turned into products (simple, or one template with
variants per parent SKU through the account's attribute mapping). Re-running
the import writes nothing when nothing changed; listings the channel no longer
has are marked *gone*, never deleted.
"""

import logging
from collections import Counter, defaultdict
from contextlib import contextmanager

from odoo import Command, _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..exceptions import ChannelError, ChannelRequestError
from ..schema import ChannelDataError

_logger = logging.getLogger(__name__)

CATALOGUE_CHUNK = 200


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    catalogue_auto_create = fields.Boolean(
        string="Create missing products",
        help="Catalogue import: create an Odoo product for every channel listing "
        "no product matches (variants grouped by parent SKU). Off: such listings "
        "wait in Channel listings to bind.",
    )
    last_catalogue_import_at = fields.Datetime(string="Last catalogue import", copy=False, readonly=True)
    listing_ids = fields.One2many("connector.listing", "account_id")
    listing_todo_count = fields.Integer(string="Listings to bind", compute="_compute_listing_todo_count")

    # === COMPUTE METHODS === #

    def _compute_listing_todo_count(self):
        counts = dict(
            self.env["connector.listing"]._read_group(
                [("account_id", "in", self.ids), ("state", "in", ("unmatched", "conflict"))],
                ["account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.listing_todo_count = counts.get(account, 0)

    # === ACTION METHODS === #

    def action_import_catalogue(self):
        """Read the channel's listings now and bind them to Odoo's products."""
        self.ensure_one()
        try:
            stats = self._import_catalogue()
        except ChannelError as exc:
            return self._notify(_("Catalogue import failed"), str(exc), "danger")
        return self._notify(
            _("Catalogue imported"),
            self._catalogue_summary(stats),
            "warning" if stats["conflict"] or stats["unmatched"] else "success",
        )

    def action_view_listings_to_bind(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_listing")
        action["domain"] = [("account_id", "=", self.id)]
        return action

    # === BUSINESS METHODS: IMPORT === #

    @api.model
    def _cron_import_catalogue(self):
        """Scheduled catalogue import of every active account (cron inactive by default)."""
        accounts = self.search([("provider", "!=", "none")])
        for done, account in enumerate(accounts, start=1):
            account = account._in_merchant_language()
            try:
                # its chunks report to the cron too: listings left + accounts after this one
                account.with_context(connector_progress_after=len(accounts) - done)._import_catalogue()
            except ChannelError as exc:
                _logger.warning("Catalogue import of %s failed: %s", account.display_name, exc)
            except Exception:
                # the chunks committed so far stay; the next account is still imported
                self.env.cr.rollback()
                _logger.exception("Catalogue import of %s stopped", account.display_name)
            self.env["ir.cron"]._commit_progress(1, remaining=len(accounts) - done)

    def _import_catalogue(self):
        """Fetch every listing of the channel, store and bind them.

        Listings that were not fetched are only marked *gone* after the whole
        catalogue was read: a failed fetch changes nothing.

        :return: Counter with bound, unmatched, conflict, gone, created,
            new_bindings, skipped
        :raise ChannelError: when the channel could not be read (logged)
        """
        self.ensure_one()
        account = self.sudo()
        Progress = self.env["connector.progress"]
        progress = Progress._start(account, "catalogue", 0, self.env._("listings read"))
        account._progress_commit()  # the account shows the run at once
        chunk_size = max(account._get_catalogue_chunk_size(), 1)
        try:
            fetched = []
            for product in account._fetch_catalogue():
                fetched.append(product)
                if len(fetched) % chunk_size == 0:
                    # a long read through the channel's pages shows how far it got
                    progress.write({"done": len(fetched)})
                    account._progress_commit()
        except ChannelError as exc:
            progress.write({"state": "failed", "message": str(exc)})
            account._log("catalogue", "error", _("Catalogue import failed: %s", str(exc)))
            raise
        except ChannelDataError as exc:
            # a reader that does not yield unreadable listings (schema.unreadable_listing)
            # stops at the first one: nothing is marked gone, the account says why
            progress.write({"state": "failed", "message": str(exc)})
            account._log("catalogue", "error", _("Catalogue import failed on unreadable data: %s", str(exc)))
            raise ChannelRequestError(
                _("The channel sent a listing that cannot be read: %s", str(exc))
            ) from exc
        stats = Counter(bound=0, unmatched=0, conflict=0, gone=0, created=0, new_bindings=0, skipped=0)
        items, twice = {}, []
        for product in fetched:
            key = account._catalogue_key(product)
            if key is None:
                stats["skipped"] += 1
                continue
            if key in items and items[key].sku != product.sku:
                twice.append(f"{key[2]} ({items[key].sku} / {product.sku})")
            items[key] = product  # the channel listed it twice: the last one counts
        if twice:
            account._log(
                "catalogue",
                "warning",
                _(
                    "The channel gives the same listing id to several SKUs; only the last one is "
                    "imported: %s",
                    ", ".join(twice[:20]),
                ),
            )
        run_ids = {(key[0], key[2]) for key in items if key[1] == "id"}
        Listing = self.env["connector.listing"].sudo()
        seen = Listing
        pending = list(items.items())
        # one commit per chunk: a crash loses one chunk at most, and the rerun passes over the
        # committed ones without writing (a listing is only written when it changed)
        progress.write({"step": self.env._("listings"), "total": len(pending), "done": 0})
        account._progress_commit(remaining=len(pending))
        for start in range(0, len(pending), chunk_size):
            chunk = pending[start : start + chunk_size]
            with account._progress_chunk(progress):
                seen |= account._import_catalogue_chunk(chunk, run_ids, stats)
                progress._advance(len(chunk))
            account._progress_commit(len(chunk), remaining=len(pending) - start - len(chunk))
        gone = Listing.search(
            [("account_id", "=", account.id), ("state", "!=", "gone"), ("id", "not in", seen.ids)]
        )
        if gone:
            gone.write(
                {
                    "state": "gone",
                    "reason": _(
                        "Not in the channel's catalogue any more (import of %s). "
                        "The binding, if any, is kept.",
                        fields.Datetime.to_string(fields.Datetime.now()),
                    ),
                }
            )
        stats["gone"] = len(gone)
        if account.catalogue_auto_create:
            todo = seen.filtered(lambda listing: listing.state == "unmatched")
            if todo:
                progress.write({"step": self.env._("products created"), "total": len(todo), "done": 0})
                account._progress_commit(remaining=len(todo))
                created = self.env["product.product"]
                for start in range(0, len(todo), chunk_size):
                    # a parent's variants are created together, from its first listing's chunk
                    chunk = todo[start : start + chunk_size]
                    with account._progress_chunk(progress):
                        created |= chunk._create_products(tolerant=True)
                        progress._advance(len(chunk))
                    account._progress_commit(len(chunk), remaining=len(todo) - start - len(chunk))
                stats["created"] = len(created)
                stats["unmatched"] -= len(todo.filtered(lambda listing: listing.state == "bound"))
                stats["bound"] += len(todo.filtered(lambda listing: listing.state == "bound"))
        progress.write({"state": "done"})
        account.write({"last_catalogue_import_at": fields.Datetime.now()})
        account._log(
            "catalogue",
            "warning" if stats["conflict"] else "done",
            account._catalogue_summary(stats),
        )
        return stats

    def _get_catalogue_chunk_size(self):
        """Listings matched, stored and committed together (provider hook)."""
        return CATALOGUE_CHUNK

    def _progress_commit(self, processed=0, remaining=0):
        """Commit the work done so far, through ir.cron's progress API when a cron runs it.

        Outside a cron (button, queue_job) ``_commit_progress`` only commits. Not under
        Odoo's test runner, which forbids commits (Odoo's own ``auto_commit`` rule,
        mail.mail ``_send``): tests see each commit point through this method.
        """
        if modules.module.current_test:
            return
        self.env["ir.cron"]._commit_progress(
            processed, remaining=remaining + self.env.context.get("connector_progress_after", 0)
        )

    @contextmanager
    def _progress_chunk(self, progress):
        """One chunk in a savepoint: when it fails, the run says where it stopped (committed
        with the chunks before) and the error goes on to the caller."""
        try:
            with self.env.cr.savepoint():
                yield
        except Exception as exc:
            progress.write({"state": "failed", "message": str(exc)[:500]})
            self._progress_commit()
            raise

    def _catalogue_summary(self, stats):
        return _(
            "%(total)s listings: %(bound)s bound (%(new)s new), %(unmatched)s to bind, "
            "%(conflict)s in conflict, %(gone)s gone, %(created)s products created.",
            total=stats["bound"] + stats["unmatched"] + stats["conflict"],
            bound=stats["bound"],
            new=stats["new_bindings"],
            unmatched=stats["unmatched"],
            conflict=stats["conflict"],
            gone=stats["gone"],
            created=stats["created"],
        )

    @staticmethod
    def _catalogue_key(product):
        """(storefront, 'id'|'sku', value) identifying a listing, or None without id and SKU."""
        storefront = (getattr(product, "storefront", "") or "").strip()
        if product.external_id:
            return (storefront, "id", str(product.external_id))
        if product.sku:
            return (storefront, "sku", product.sku)
        return None

    def _import_catalogue_chunk(self, items, run_ids, stats):
        """Match, bind and store one chunk of ``(key, ChannelProduct)``.

        Queries per chunk: products by SKU, products by EAN, the account's
        bindings touching these listings, the stored listings; then one write
        per changed listing or binding.

        :param run_ids: {(storefront, external id)} of every listing of this import
        :return: the connector.listing records of the chunk
        """
        self.ensure_one()
        Product = self.env["product.product"].with_company(self.company_id)
        Binding = self.env["connector.product.binding"].sudo()
        Listing = self.env["connector.listing"].sudo()
        skus = {p.sku for _k, p in items if p.sku}
        eans = {p.ean for _k, p in items if p.ean}
        ext_ids = {key[2] for key, _p in items if key[1] == "id"}
        company = Domain("company_id", "in", [self.company_id.id, False])
        by_sku, by_ean = defaultdict(lambda: Product), defaultdict(lambda: Product)
        if skus:
            for product in Product.search(Domain("default_code", "in", list(skus)) & company):
                by_sku[product.default_code] |= product
        if eans:
            for product in Product.search(Domain("barcode", "in", list(eans)) & company):
                by_ean[product.barcode] |= product
        index = _BindingIndex()
        index.by_attrs = self._catalogue_variants_by_attributes(items, by_sku, by_ean)
        matched_ids = {pid for group in (by_sku, by_ean) for records in group.values() for pid in records.ids}
        matched_ids.update(product.id for product in index.by_attrs.values())
        touching = Domain.FALSE
        if ext_ids:
            touching |= Domain("external_id", "in", list(ext_ids))
        if skus:
            touching |= Domain("external_sku", "in", list(skus))
        if matched_ids:
            touching |= Domain("product_id", "in", list(matched_ids))
        if not touching.is_false():
            for binding in Binding.search(Domain("account_id", "=", self.id) & touching):
                index.add(binding)
        stored = {}
        listing_domain = Domain.FALSE
        if ext_ids:
            listing_domain |= Domain("external_id", "in", list(ext_ids))
        sku_only = {key[2] for key, _p in items if key[1] == "sku"}
        if sku_only:
            listing_domain |= Domain("external_id", "=", False) & Domain("sku", "in", list(sku_only))
        if not listing_domain.is_false():
            for listing in Listing.search(Domain("account_id", "=", self.id) & listing_domain):
                kind, value = ("id", listing.external_id) if listing.external_id else ("sku", listing.sku)
                stored[(listing.storefront or "", kind, value)] = listing

        result = Listing
        to_create = []
        for key, channel_product in items:
            listing = stored.get(key)
            vals = self._catalogue_listing_vals(channel_product, key[0])
            if listing and getattr(channel_product, "error", ""):
                vals = {}  # unreadable now: keep what the last readable import stored
            vals.update(
                self._catalogue_decide(channel_product, key, listing, by_sku, by_ean, index, run_ids, stats)
            )
            stats[vals["state"]] += 1
            if listing:
                if listing._listing_vals_differ(vals):
                    listing.write(vals)
                result |= listing
            else:
                to_create.append(dict(vals, account_id=self.id))
        if to_create:
            result |= Listing.create(to_create)
        return result

    def _catalogue_variants_by_attributes(self, items, by_sku, by_ean):
        """{key: variant} of the chunk's variant listings that no SKU or EAN matches, found by
        their parent SKU and attribute values (one template search per parent SKU)."""
        templates, found = {}, {}
        for key, product in items:
            if not (product.parent_sku and product.attributes) or getattr(product, "error", ""):
                continue
            if (product.sku and by_sku.get(product.sku)) or (product.ean and by_ean.get(product.ean)):
                continue
            if product.parent_sku not in templates:
                templates[product.parent_sku] = self._variant_templates(product.parent_sku)
            variant = self._find_variant(templates[product.parent_sku], product.attributes)
            if variant:
                found[key] = variant
        return found

    def _catalogue_listing_vals(self, product, storefront):
        """What the channel says about one listing, as connector.listing values."""
        return {
            "external_id": product.external_id or False,
            "sku": product.sku or False,
            "ean": product.ean or False,
            "title": product.name or False,
            "price": float(product.price) if product.price is not None else 0.0,
            "price_includes_tax": bool(product.price_includes_tax),
            "tax_rate": float(product.tax_rate) if product.tax_rate is not None else 0.0,
            "currency": product.currency or False,
            "quantity": float(product.quantity) if product.quantity is not None else 0.0,
            "parent_sku": product.parent_sku or False,
            "attributes": dict(product.attributes) if product.attributes else False,
            "storefront": storefront or False,
        }

    def _catalogue_decide(self, product, key, listing, by_sku, by_ean, index, run_ids, stats):
        """State, reason, product and binding of one listing; binds when the match is unique.

        :return: connector.listing values (state, reason, match_method, product_id, binding_id)
        """
        storefront, sku, ean = key[0], product.sku, product.ean
        ext = key[2] if key[1] == "id" else ""
        own = index.own(storefront, ext, sku)

        def conflict(reason, proposed=None):
            return {
                "state": "conflict",
                "reason": reason,
                "match_method": False,
                "product_id": proposed.id if proposed else False,
                "binding_id": own.id if own else False,
            }

        if getattr(product, "error", ""):
            return conflict(
                _(
                    "The channel's data of this listing cannot be read: %(error)s. Correct it in the "
                    "channel and import again.",
                    error=str(product.error),
                )
            )
        if listing and listing.match_method == "manual" and listing.binding_id and listing.binding_id == own:
            # a person bound it: the import keeps that decision
            return {
                "state": "bound",
                "reason": listing.reason,
                "match_method": "manual",
                "product_id": own.product_id.id,
                "binding_id": own.id,
            }

        no_product = self.env["product.product"]
        sku_products = by_sku.get(sku, no_product) if sku else no_product
        ean_products = by_ean.get(ean, no_product) if ean else no_product
        if len(sku_products) > 1:
            return conflict(
                _(
                    "SKU %(sku)s is the internal reference of %(count)s products: %(names)s. "
                    "Make the internal references unique, or bind the listing by hand.",
                    sku=sku,
                    count=len(sku_products),
                    names=_names(sku_products),
                )
            )
        if len(ean_products) > 1:
            return conflict(
                _(
                    "EAN %(ean)s is the barcode of %(count)s products: %(names)s. "
                    "Make the barcodes unique, or bind the listing by hand.",
                    ean=ean,
                    count=len(ean_products),
                    names=_names(ean_products),
                )
            )
        if sku_products and ean_products and sku_products != ean_products:
            return conflict(
                _(
                    "The listing matches two products: SKU %(sku)s is %(by_sku)s, "
                    "EAN %(ean)s is %(by_ean)s. Correct the product data, or bind the listing by hand.",
                    sku=sku,
                    by_sku=sku_products.display_name,
                    ean=ean,
                    by_ean=ean_products.display_name,
                )
            )
        match, method = (sku_products, "sku") if sku_products else (ean_products, "ean")
        if not match and own:
            match, method = own.product_id, "binding"
        if not match and key in getattr(index, "by_attrs", {}):
            match, method = index.by_attrs[key], "attributes"
        if not match:
            reason = _("No Odoo product has SKU %(sku)s or EAN %(ean)s.", sku=sku or "-", ean=ean or "-")
            if product.parent_sku and product.attributes:
                reason += " " + _(
                    "No template with parent SKU %(parent)s has a variant with %(values)s.",
                    parent=product.parent_sku,
                    values=", ".join(f"{k}: {v}" for k, v in product.attributes.items()),
                )
            return {
                "state": "unmatched",
                "reason": reason,
                "match_method": False,
                "product_id": listing.product_id.id if listing and listing.state == "unmatched" else False,
                "binding_id": False,
            }
        if own and own.product_id != match:
            return conflict(
                _(
                    "This listing is bound to %(bound)s, but its %(how)s now designates %(match)s. "
                    "Correct the product data, or delete the binding and import again.",
                    bound=own.product_id.display_name,
                    how={"sku": _("SKU"), "ean": _("EAN")}.get(method, _("attribute values")),
                    match=match.display_name,
                ),
                match,
            )
        other = index.sku_bound_elsewhere(storefront, sku, match)
        if other:
            return conflict(
                _(
                    "SKU %(sku)s is already bound to another product, %(other)s; the listing matches "
                    "%(match)s. Delete the wrong binding or bind the listing by hand.",
                    sku=sku,
                    other=_names(other.product_id),
                    match=match.display_name,
                ),
                match,
            )
        binding = own or index.of_product(storefront, match)
        if binding and binding.external_id and ext and binding.external_id != ext:
            if (storefront, binding.external_id) in run_ids:
                return conflict(
                    _(
                        "%(product)s is already bound to another listing of this channel "
                        "(id %(other)s, SKU %(sku)s). One product, one listing per storefront: "
                        "bind this one to another product or remove the duplicate listing.",
                        product=match.display_name,
                        other=binding.external_id,
                        sku=binding.external_sku or "-",
                    ),
                    match,
                )
        binding = self._catalogue_write_binding(binding, match, storefront, ext, sku, index, stats)
        return {
            "state": "bound",
            "reason": self._catalogue_bound_reason(method, sku, ean, match),
            "match_method": method,
            "product_id": match.id,
            "binding_id": binding.id,
        }

    def _catalogue_bound_reason(self, method, sku, ean, product):
        if method == "sku":
            return _("Matched by SKU %s.", sku)
        if method == "ean":
            if sku and sku != product.default_code:
                return _(
                    "Matched by EAN %(ean)s (the channel's SKU %(sku)s differs from the internal reference).",
                    ean=ean,
                    sku=sku,
                )
            return _("Matched by EAN %s.", ean)
        if method == "attributes":
            return _(
                "Matched by its parent SKU and attribute values: %s.",
                ", ".join(product.product_template_attribute_value_ids.mapped("display_name")),
            )
        return _("Matched by its existing binding.")

    def _catalogue_write_binding(self, binding, product, storefront, ext, sku, index, stats):
        """Create or complete the binding of a matched listing (write only what changed)."""
        Binding = self.env["connector.product.binding"].sudo()
        vals = {"external_id": ext or False, "external_sku": sku or False, "storefront": storefront or False}
        if binding:
            changes = {
                name: value
                for name, value in vals.items()
                if value and (binding[name] or False) != value
                # an id the export learnt is not erased by a listing without one
            }
            if changes:
                binding.write(changes)
                index.add(binding)
            return binding
        binding = Binding.create(dict(vals, account_id=self.id, product_id=product.id))
        stats["new_bindings"] += 1
        index.add(binding)
        return binding

    # === BUSINESS METHODS: BY HAND === #

    def _catalogue_bind_by_hand(self, listing, product):
        """Bind ``listing`` to ``product`` as a person chose it.

        :raise UserError: when the product or the SKU is bound to another listing
        """
        self.ensure_one()
        Binding = self.env["connector.product.binding"].sudo()
        storefront = listing.storefront or False
        domain = Domain("account_id", "=", self.id) & Domain("storefront", "=", storefront)
        own = listing.binding_id.exists()
        if not own and listing.external_id:
            own = Binding.search(domain & Domain("external_id", "=", listing.external_id), limit=1)
        if not own and listing.sku:
            own = Binding.search(
                domain & Domain("external_sku", "=", listing.sku) & Domain("external_id", "=", False), limit=1
            )
        taken = Binding.search(
            domain & Domain("product_id", "=", product.id) & Domain("id", "not in", own.ids)
        )
        if taken:
            # Bound by an earlier export or import without a channel id: adopt it.
            if taken.external_id and taken.external_id != listing.external_id:
                raise UserError(
                    _(
                        "%(product)s is already bound to another listing of %(account)s "
                        "(id %(other)s, SKU %(sku)s). Delete that binding first.",
                        product=product.display_name,
                        account=self.display_name,
                        other=taken.external_id,
                        sku=taken.external_sku or "-",
                    )
                )
            if own:
                own.unlink()
            own = taken
        if listing.sku:
            other = Binding.search(
                domain
                & Domain("external_sku", "=", listing.sku)
                & Domain("product_id", "!=", product.id)
                & Domain("id", "not in", own.ids)
            )
            if other:
                raise UserError(
                    _(
                        "SKU %(sku)s is already bound to %(other)s. Delete that binding first.",
                        sku=listing.sku,
                        other=_names(other.product_id),
                    )
                )
        vals = {
            "product_id": product.id,
            "external_id": listing.external_id or False,
            "external_sku": listing.sku or False,
            "storefront": storefront,
        }
        if own:
            own.write({k: v for k, v in vals.items() if (own[k].id if k == "product_id" else own[k]) != v})
        else:
            own = Binding.create(dict(vals, account_id=self.id))
        listing.sudo().write(
            {
                "state": "bound",
                "match_method": "manual",
                "product_id": product.id,
                "binding_id": own.id,
                "reason": _("Bound by hand by %s.", self.env.user.name),
            }
        )
        return own

    def _catalogue_bind_created(self, listing, product):
        """Bind a listing to the product just created from it."""
        self.ensure_one()
        storefront = listing.storefront or ""
        existing = (
            self.env["connector.product.binding"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.id),
                    ("product_id", "=", product.id),
                    ("storefront", "=", storefront or False),
                ],
                limit=1,
            )
        )
        binding = self._catalogue_write_binding(
            existing,
            product,
            storefront,
            listing.external_id or "",
            listing.sku or "",
            _BindingIndex(),
            Counter(),
        )
        listing.sudo().write(
            {
                "state": "bound",
                "match_method": "created",
                "product_id": product.id,
                "binding_id": binding.id,
                "reason": _("Product created from this listing."),
            }
        )
        return binding

    # === BUSINESS METHODS: PRODUCT CREATION === #

    def _catalogue_product_values(self, listing):
        """Sales price (as Odoo stores it: tax excluded unless the tax includes it) and taxes."""
        self.ensure_one()
        company = self.company_id
        taxes = company.account_sale_tax_id
        default_rate = sum(taxes.filtered(lambda t: t.amount_type == "percent").mapped("amount"))
        if listing.tax_rate and abs(default_rate - listing.tax_rate) > 1e-6:
            same_rate = self.env["account.tax"].search(
                [
                    *self.env["account.tax"]._check_company_domain(company),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", listing.tax_rate),
                    ("price_include", "=", bool(taxes.price_include) if taxes else False),
                    # a domestic tax only: a rate the company's country does not have (a Dutch
                    # shop's 21 % for a German company) must not pick another country's OSS tax,
                    # which no fiscal position maps (reverse charge and exports would charge it)
                    "|",
                    ("fiscal_position_ids", "=", False),
                    ("fiscal_position_ids.is_domestic", "=", True),
                ],
                limit=1,
            )
            taxes = same_rate or taxes
        price = listing.price or 0.0
        if price and listing.price_includes_tax and not any(taxes.mapped("price_include")):
            rate = listing.tax_rate or sum(
                taxes.filtered(lambda t: t.amount_type == "percent").mapped("amount")
            )
            price = price / (1.0 + rate / 100.0)
        currency = company.currency_id
        return {
            "list_price": currency.round(price),
            "taxes_id": [Command.set(taxes.ids)],
            "is_storable": True,
            "sale_ok": True,
        }

    def _catalogue_keyed(self, kind, scope, natural, model, search, create):
        """Find-or-create under a key the database keeps unique: two catalogue imports at
        once (two accounts selling the same SKU, cron and button) create one record; the
        later one fails to serialize and finds it when run again (connector.record.key)."""
        return (
            self.env["connector.record.key"]
            .sudo()
            ._find_or_create(kind, scope, natural, model, search, create)
            .with_env(self.env)
        )

    def _catalogue_create_simple_product(self, listing):
        self.ensure_one()
        Product = self.env["product.product"].with_company(self.company_id)

        def create():
            return Product.create(
                {
                    "name": listing.title or listing.sku or listing.external_id,
                    "default_code": listing.sku or False,
                    "barcode": listing.ean or False,
                    **self._catalogue_product_values(listing),
                }
            )

        if listing.sku:
            # one product per SKU and company (the SKU is how orders find it)
            product = self._catalogue_keyed(
                "product_sku",
                self.company_id.id,
                (listing.sku,),
                "product.product",
                lambda: Product.search(
                    [("default_code", "=", listing.sku), ("company_id", "in", [self.company_id.id, False])],
                    limit=1,
                ),
                create,
            ).with_company(self.company_id)
        else:
            product = self._catalogue_keyed(
                "product_listing",
                self.id,
                (listing.storefront or "", listing.external_id),
                "product.product",
                Product.browse,
                create,
            ).with_company(self.company_id)
        self._catalogue_bind_created(listing, product)
        return product

    def _catalogue_attribute(self, name, mapped):
        """The Odoo attribute of a channel attribute name: the mapping, else one of that name.

        An attribute found or created by name is added to the account's mapping,
        so the product export sends it back under the channel's name.
        """
        attribute = mapped.get(name.strip().lower())
        if attribute:
            if attribute.create_variant == "no_variant":
                raise UserError(
                    _(
                        "The channel attribute %(name)s is mapped to %(attribute)s, which creates no "
                        "variants. Map it to an attribute that creates variants.",
                        name=name,
                        attribute=attribute.display_name,
                    )
                )
            return attribute
        Attribute = self.env["product.attribute"]
        attribute = self._catalogue_keyed(
            "attribute_name",
            0,
            (name.strip().casefold(),),
            "product.attribute",
            lambda: Attribute.search(
                [("name", "=ilike", name.strip()), ("create_variant", "!=", "no_variant")], limit=1
            ),
            lambda: Attribute.create({"name": name.strip(), "create_variant": "always"}),
        )
        Mapping = self.env["connector.attribute.mapping"].sudo()
        self._catalogue_keyed(
            "attribute_mapping",
            self.id,
            (name.strip().casefold(),),
            "connector.attribute.mapping",
            lambda: Mapping.search(
                [
                    ("account_id", "=", self.id),
                    ("kind", "=", "attribute"),
                    ("attribute_id", "=", attribute.id),
                    ("channel_name", "=ilike", name.strip()),
                ],
                limit=1,
            ),
            lambda: Mapping.create(
                {
                    "account_id": self.id,
                    "kind": "attribute",
                    "attribute_id": attribute.id,
                    "channel_name": name,
                }
            ),
        )
        mapped[name.strip().lower()] = attribute
        return attribute

    def _catalogue_create_variants(self, parent_sku, listings):
        """One template with variants for the listings of ``parent_sku``, each bound to its variant.

        An existing template with this parent SKU is completed (missing values
        added) rather than duplicated. Variants Odoo generates for combinations
        the channel does not have are archived on a new template.
        """
        self.ensure_one()
        mapped = {
            m.channel_name.strip().lower(): m.attribute_id
            for m in self.attribute_mapping_ids
            if m.kind == "attribute" and m.attribute_id
        }
        names = []
        for listing in listings:
            names.extend(name for name in listing.attributes if name not in names)
        attributes = {name: self._catalogue_attribute(name, mapped) for name in names}
        Value = self.env["product.attribute.value"]
        values = defaultdict(dict)  # channel name -> channel value -> product.attribute.value
        for listing in listings:
            for name, text in listing.attributes.items():
                text = str(text).strip()
                if text in values[name]:
                    continue
                attribute = attributes[name]
                values[name][text] = self._catalogue_keyed(
                    "attribute_value",
                    attribute.id,
                    (text.casefold(),),
                    "product.attribute.value",
                    lambda a=attribute, t=text: a.value_ids.filtered(
                        lambda v: v.name.strip().lower() == t.lower()
                    )[:1],
                    lambda a=attribute, t=text: Value.create({"attribute_id": a.id, "name": t}),
                )
        Template = self.env["product.template"].with_company(self.company_id)
        first = listings.sorted(lambda x: (x.price or 0.0, x.id))[:1]
        created = Template.browse()

        def create_template():
            nonlocal created
            created = Template.create(
                {
                    "name": first.title or parent_sku,
                    "connector_parent_sku": parent_sku,
                    **self._catalogue_product_values(first),
                    "attribute_line_ids": [
                        Command.create(
                            {
                                "attribute_id": attributes[name].id,
                                "value_ids": [Command.set([v.id for v in values[name].values()])],
                            }
                        )
                        for name in names
                    ],
                }
            )
            return created

        # one template per parent SKU and company
        template = self._catalogue_keyed(
            "template_parent_sku",
            self.company_id.id,
            (parent_sku,),
            "product.template",
            lambda: Template.search(
                [
                    ("connector_parent_sku", "=", parent_sku),
                    ("company_id", "in", [self.company_id.id, False]),
                ],
                limit=1,
            ),
            create_template,
        ).with_company(self.company_id)
        is_new = template == created
        if not is_new:
            commands = []
            for name in names:
                line = template.attribute_line_ids.filtered(lambda x, a=attributes[name]: x.attribute_id == a)
                new_values = [v.id for v in values[name].values()]
                if line:
                    commands.append(
                        Command.update(line.id, {"value_ids": [Command.link(v) for v in new_values]})
                    )
                else:
                    commands.append(
                        Command.create(
                            {"attribute_id": attributes[name].id, "value_ids": [Command.set(new_values)]}
                        )
                    )
            template.write({"attribute_line_ids": commands})
        by_combination = {
            frozenset(variant.product_template_attribute_value_ids.product_attribute_value_id.ids): variant
            for variant in template.product_variant_ids
        }
        used = self.env["product.product"]
        for listing in listings:
            combination = frozenset(
                values[name][str(text).strip()].id for name, text in listing.attributes.items()
            )
            variant = by_combination.get(combination)
            if not variant:
                listing.sudo().write(
                    {
                        "reason": _(
                            "No variant of %(template)s has exactly the attributes %(attributes)s: "
                            "every listing of parent %(parent)s needs a value for %(names)s.",
                            template=template.display_name,
                            attributes=listing.attributes_text,
                            parent=parent_sku,
                            names=", ".join(names),
                        )
                    }
                )
                continue
            updates = {}
            if listing.sku and not variant.default_code:
                updates["default_code"] = listing.sku
            if listing.ean and not variant.barcode:
                updates["barcode"] = listing.ean
            if updates:
                variant.write(updates)
            self._catalogue_bind_created(listing, variant)
            used |= variant
        if is_new:
            (template.product_variant_ids - used).write({"active": False})
        return used


class _BindingIndex:
    """The account's bindings of one chunk, by channel id, SKU and product (per storefront)."""

    def __init__(self):
        self.by_attrs = {}  # catalogue key -> variant found by parent SKU and attribute values
        self.by_ext = {}
        self.by_sku = defaultdict(set)
        self.by_product = {}
        self.records = {}

    def add(self, binding):
        storefront = binding.storefront or ""
        self.records[binding.id] = binding
        for mapping in (self.by_ext, self.by_product):
            for key in [k for k, v in mapping.items() if v == binding.id]:
                del mapping[key]
        for ids in self.by_sku.values():
            ids.discard(binding.id)
        if binding.external_id:
            self.by_ext[(storefront, binding.external_id)] = binding.id
        if binding.external_sku:
            self.by_sku[(storefront, binding.external_sku)].add(binding.id)
        self.by_product[(storefront, binding.product_id.id)] = binding.id

    def _get(self, binding_id):
        return self.records[binding_id] if binding_id else None

    def own(self, storefront, ext, sku):
        """The binding of this listing: same channel id, else same SKU without another id."""
        if ext and (storefront, ext) in self.by_ext:
            return self._get(self.by_ext[(storefront, ext)])
        for binding_id in sorted(self.by_sku.get((storefront, sku), ())) if sku else ():
            binding = self.records[binding_id]
            if not binding.external_id or binding.external_id == ext:
                return binding
        return None

    def sku_bound_elsewhere(self, storefront, sku, product):
        """Bindings of ``sku`` on this storefront to another product than ``product``."""
        if not sku:
            return None
        others = [
            self.records[i]
            for i in self.by_sku.get((storefront, sku), ())
            if self.records[i].product_id != product
        ]
        if not others:
            return None
        result = others[0]
        for binding in others[1:]:
            result |= binding
        return result

    def of_product(self, storefront, product):
        return self._get(self.by_product.get((storefront, product.id)))


def _names(records, limit=5):
    names = records[:limit].mapped("display_name")
    if len(records) > limit:
        names.append("...")
    return ", ".join(names)
