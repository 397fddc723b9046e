# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon catalogue import: listings keyed by seller SKU, the ASIN kept as information.

Listings Items API and the merchant listings report are keyed by the seller SKU; several
SKUs may offer one ASIN (new and used, FBA and merchant-fulfilled). The adapter gives
no listing id, so the engine keys each listing by its SKU. What differs from the engine:

* the ASIN is stored on the listing (``amazon_asin``) and, as the export does, on the
  binding (``external_id``): a binding whose id is an ASIN still belongs to its SKU;
* a binding of another SKU is never moved to this listing (Amazon cannot rename a SKU):
  the listing is a conflict with the reason;
* listings stored before, keyed by ASIN, are re-keyed by their SKU instead of being
  duplicated and marked gone.
"""

from odoo import models

from ..adapter import AmazonListing


class _SkuBindingIndex:
    """The engine's binding index, where a listing's own binding is the one of its SKU."""

    def __init__(self, index, sku):
        self._index = index
        self.sku = sku
        self.taken = None  # binding of another SKU the listing would have taken over

    def __getattr__(self, name):
        return getattr(self._index, name)

    def own(self, storefront, ext, sku):
        found = self._index.own(storefront, ext, sku)
        if found or not sku:
            return found
        ids = sorted(self._index.by_sku.get((storefront, sku), ()))
        return self._index.records[ids[0]] if ids else None


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    def _import_catalogue(self):
        if self.provider != "amazon":
            return super()._import_catalogue()
        self._amazon_rekey_listings()
        stats = super()._import_catalogue()
        self._amazon_bindings_learn_asins()
        return stats

    def _catalogue_listing_vals(self, product, storefront):
        vals = super()._catalogue_listing_vals(product, storefront)
        if self.provider == "amazon" and isinstance(product, AmazonListing):
            vals["amazon_asin"] = product.asin or False
        return vals

    def _catalogue_decide(self, product, key, listing, by_sku, by_ean, index, run_ids, stats):
        if self.provider != "amazon":
            return super()._catalogue_decide(product, key, listing, by_sku, by_ean, index, run_ids, stats)
        sku_index = _SkuBindingIndex(index, product.sku)
        vals = super()._catalogue_decide(product, key, listing, by_sku, by_ean, sku_index, run_ids, stats)
        taken = sku_index.taken
        if not taken:
            return vals
        return {
            "state": "conflict",
            "reason": self.env._(
                "%(product)s is already bound to the Amazon listing with SKU %(other)s. One product, "
                "one listing: bind SKU %(sku)s to another product, or delete the binding of %(other)s "
                "if that listing is gone.",
                product=taken.product_id.display_name,
                other=taken.external_sku,
                sku=product.sku,
            ),
            "match_method": False,
            "product_id": taken.product_id.id,
            "binding_id": False,
        }

    def _catalogue_write_binding(self, binding, product, storefront, ext, sku, index, stats):
        if (
            isinstance(index, _SkuBindingIndex)
            and binding
            and binding.external_sku
            and sku
            and binding.external_sku != sku
        ):
            # the product's binding is another SKU's listing: keep it as it is
            index.taken = binding
            return binding
        return super()._catalogue_write_binding(binding, product, storefront, ext, sku, index, stats)

    def _catalogue_bind_by_hand(self, listing, product):
        if self.provider != "amazon":
            return super()._catalogue_bind_by_hand(listing, product)
        if not listing.binding_id and listing.sku:
            # the binding of this SKU, also when the export gave it the ASIN as id
            own = (
                self.env["connector.product.binding"]
                .sudo()
                .search(
                    [
                        ("account_id", "=", self.id),
                        ("storefront", "=", listing.storefront or False),
                        ("external_sku", "=", listing.sku),
                    ],
                    limit=1,
                )
            )
            if own:
                listing.sudo().binding_id = own
        binding = super()._catalogue_bind_by_hand(listing, product)
        if listing.amazon_asin and binding.external_id != listing.amazon_asin:
            binding.sudo().external_id = listing.amazon_asin
        return binding

    # === BUSINESS METHODS === #

    def _amazon_rekey_listings(self):
        """Listings stored when the ASIN was their key get their SKU as key (ASIN kept aside).

        Of two rows for one SKU (e.g. an ASIN-keyed one and a SKU-keyed one), the bound
        one, else the newest, stays; the other is a stale copy and is removed.
        """
        self.ensure_one()
        Listing = self.env["connector.listing"].sudo()
        legacy = Listing.search([("account_id", "=", self.id), ("external_id", "!=", False)])
        if not legacy:
            return
        current = Listing.search(
            [
                ("account_id", "=", self.id),
                ("external_id", "=", False),
                ("sku", "in", [sku for sku in legacy.mapped("sku") if sku]),
            ]
        )
        stale = Listing
        for (_storefront, _sku), rows in (
            (legacy | current).grouped(lambda x: (x.storefront or "", x.sku or x.external_id)).items()
        ):
            keep = rows.sorted(lambda x: (x.state == "bound", x.match_method == "manual", x.id))[-1]
            stale |= rows - keep
        stale.unlink()
        for listing in legacy - stale:
            listing.write({"amazon_asin": listing.amazon_asin or listing.external_id, "external_id": False})

    def _amazon_bindings_learn_asins(self):
        """Bound listings give their ASIN to their binding (the export offers on it)."""
        self.ensure_one()
        listings = (
            self.env["connector.listing"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.id),
                    ("state", "=", "bound"),
                    ("binding_id", "!=", False),
                    ("amazon_asin", "!=", False),
                ]
            )
        )
        for listing in listings:
            if listing.binding_id.external_id != listing.amazon_asin:
                listing.binding_id.external_id = listing.amazon_asin
