# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

LISTING_STATES = [
    ("unmatched", "To bind"),
    ("conflict", "Conflict"),
    ("bound", "Bound"),
    ("gone", "Gone from the channel"),
]
MATCH_METHODS = [
    ("sku", "SKU"),
    ("ean", "EAN"),
    ("binding", "Existing binding"),
    ("attributes", "Parent SKU and attribute values"),
    ("manual", "By hand"),
    ("created", "Product created"),
]


class ConnectorListing(models.Model):
    """A listing (offer, article, variant) the channel has, as the last catalogue import saw it.

    Written by :meth:`connector.account._import_catalogue`: the listing's data as
    the channel knows it, and how it relates to Odoo: *bound* to a product
    through a ``connector.product.binding``, *to bind* when no product matches,
    *conflict* when the match is ambiguous (shown with the reason, never
    resolved by the import), *gone* when the channel no longer lists it.
    """

    _name = "connector.listing"
    _description = "Channel Listing"
    _order = "account_id, state, parent_sku, sku, id"
    _check_company_auto = True
    _rec_name = "title"

    account_id = fields.Many2one(
        "connector.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    provider = fields.Selection(related="account_id.provider")
    external_id = fields.Char(string="Channel id", readonly=True)
    sku = fields.Char(string="Channel SKU", index=True, readonly=True)
    ean = fields.Char(string="EAN", index="btree_not_null", readonly=True)
    title = fields.Char(readonly=True)
    price = fields.Float(readonly=True, digits="Product Price")
    price_includes_tax = fields.Boolean(readonly=True, default=True)
    tax_rate = fields.Float(readonly=True, help="Tax rate the channel gave, in percent (0: unknown).")
    currency = fields.Char(readonly=True)
    quantity = fields.Float(string="Channel stock", readonly=True)
    parent_sku = fields.Char(string="Parent SKU", index="btree_not_null", readonly=True)
    attributes = fields.Json(string="Channel attributes", readonly=True)
    attributes_text = fields.Char(string="Attributes", compute="_compute_attributes_text")
    storefront = fields.Char(readonly=True)
    state = fields.Selection(LISTING_STATES, required=True, default="unmatched", index=True, readonly=True)
    reason = fields.Text(readonly=True)
    match_method = fields.Selection(MATCH_METHODS, string="Matched by", readonly=True)
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="The bound product, or the one to bind this listing to.",
    )
    binding_id = fields.Many2one("connector.product.binding", ondelete="set null", readonly=True)

    _external_uniq = models.UniqueIndex(
        "(account_id, COALESCE(storefront, ''), external_id) WHERE external_id IS NOT NULL",
        "The catalogue already has this channel listing.",
    )
    _sku_uniq = models.UniqueIndex(
        "(account_id, COALESCE(storefront, ''), sku) WHERE external_id IS NULL",
        "The catalogue already has a listing with this SKU.",
    )

    # === COMPUTE METHODS === #

    @api.depends("attributes")
    def _compute_attributes_text(self):
        for listing in self:
            values = listing.attributes if isinstance(listing.attributes, dict) else {}
            listing.attributes_text = ", ".join(f"{name}: {value}" for name, value in values.items())

    @api.depends("title", "sku")
    def _compute_display_name(self):
        for listing in self:
            label = listing.title or listing.sku or listing.external_id or ""
            listing.display_name = f"[{listing.sku}] {label}" if listing.sku and listing.title else label

    # === ACTION METHODS === #

    def action_bind(self):
        """Bind the listings to the product a person chose (``product_id``)."""
        todo = self.filtered(lambda listing: listing.state != "bound" or not listing.binding_id)
        missing = todo.filtered(lambda listing: not listing.product_id)
        if missing:
            raise UserError(_("Choose the product of %s first.", ", ".join(missing.mapped("display_name"))))
        for listing in todo:
            listing.account_id._catalogue_bind_by_hand(listing, listing.product_id)
        return True

    def action_create_product(self):
        """Create the Odoo product of each listing (variants grouped by parent SKU) and bind it."""
        todo = self.filtered(lambda listing: listing.state == "unmatched")
        if not todo:
            raise UserError(_("Only listings to bind get a new product: the others have one."))
        products = todo._create_products()
        return {
            "type": "ir.actions.act_window",
            "name": _("Created products"),
            "res_model": "product.product",
            "view_mode": "list,form",
            "domain": [("id", "in", products.ids)],
        }

    # === BUSINESS METHODS === #

    def _create_products(self, tolerant=False):
        """Products for unmatched listings: simple ones, and one template with
        variants per parent SKU (all that parent's unmatched listings of the
        account, so the variants are never split over several templates).

        :param bool tolerant: a product Odoo refuses (e.g. its EAN is the barcode
            of an archived product) leaves its listings unmatched with the reason,
            instead of stopping the others (automatic creation)
        :return: the created or completed product.product records
        """
        products = self.env["product.product"]
        for account, listings in (
            self.filtered(lambda x: x.state == "unmatched").grouped("account_id").items()
        ):
            variants = listings.filtered(lambda x: x.parent_sku and x.attributes)
            groups = [(listing, account._catalogue_create_simple_product) for listing in listings - variants]
            parents = set(variants.mapped("parent_sku"))
            if parents:
                siblings = self.search(
                    [
                        ("account_id", "=", account.id),
                        ("parent_sku", "in", list(parents)),
                        ("state", "=", "unmatched"),
                    ]
                ).filtered(lambda x: x.attributes)
                for parent_sku, group in (siblings | variants).grouped("parent_sku").items():
                    groups.append(
                        (group, lambda g, p=parent_sku, a=account: a._catalogue_create_variants(p, g))
                    )
            for group, create in groups:
                if not tolerant:
                    products |= create(group)
                    continue
                try:
                    with self.env.cr.savepoint():
                        products |= create(group)
                except (UserError, ValidationError) as exc:
                    group.sudo().write(
                        {
                            "reason": _(
                                "The product could not be created: %s", exc.args[0] if exc.args else exc
                            )
                        }
                    )
        return products

    def _listing_vals_differ(self, vals):
        """True when writing ``vals`` would change this listing (keeps re-imports write-free)."""
        self.ensure_one()
        for name, value in vals.items():
            current = self[name]
            if isinstance(current, models.BaseModel):
                current = current.id
            if self._fields[name].type == "float":
                if abs((current or 0.0) - (value or 0.0)) > 1e-6:
                    return True
            elif (current or False) != (value or False):
                return True
        return False
