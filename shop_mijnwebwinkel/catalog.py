# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound flows (stock, products, shipments) and the catalogue read, in plain Python.

The account model builds one :class:`MijnWebwinkelSync` per hook call; tests
run it against the emulator without a database. Field names stay in
:mod:`.adapter` / :mod:`.const`.
"""

import logging

from odoo.addons.connector_base.exceptions import ChannelRequestError
from odoo.addons.connector_base.schema import ChannelDataError, PushResult, unreadable_listing
from odoo.tools.translate import LazyGettext, LazyTranslate

from . import adapter

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")


class MijnWebwinkelSync:
    """Stateful helper for one batch: caches the shop's articles, lists and categories.

    :param client: :class:`~.client.MijnWebwinkelClient`
    :param update_product_info: off = existing articles only get price and stock
    :param stock_managed: on = the shop tracks stock; off = stock is sent as
        unlimited (``null``)
    :param list_ids: ids of the shop's option lists (variant axes such as size)
        that no article uses yet
    :param env: the account's Odoo environment: the errors of a :class:`PushResult` are
        written in its user's language (English without one)
    """

    def __init__(self, client, update_product_info=True, stock_managed=True, list_ids=(), env=None):
        self.client = client
        self._env = env  # not self.env: lazy translations read a frame's self.env, None breaks them
        self.update_product_info = update_product_info
        self.stock_managed = stock_managed
        self.list_ids = [str(i).strip() for i in list_ids if str(i).strip()]
        self._articles = None
        self._index = None
        self._ean_index = None
        self._lists = None
        self._tree = None
        self._prices_include_tax = None

    def _text(self, message):
        """A message (text, lazy translation or error) as text in the user's language."""
        if isinstance(message, Exception):
            message = message.args[0] if len(message.args) == 1 else str(message)
        if self._env is not None and isinstance(message, LazyGettext):
            return self._env._(message)
        return str(message)

    # --- caches ----------------------------------------------------------------

    def articles(self):
        if self._articles is None:
            self._articles = list(self.client.iter_articles())
        return self._articles

    def index(self):
        if self._index is None:
            self._index = adapter.index_articles(self.articles())
        return self._index

    def ean_index(self):
        if self._ean_index is None:
            self._ean_index = adapter.index_articles_by_ean(self.articles())
        return self._ean_index

    def find(self, sku, ean=""):
        """(article id, variant id) of a SKU, else of its EAN, else (None, None)."""
        found = self.index().get(sku)
        if not found and ean:
            found = self.ean_index().get(ean)
        return found or (None, None)

    def prices_include_tax(self):
        if self._prices_include_tax is None:
            self._prices_include_tax = adapter.store_prices_include_tax(self.client.get_store())
        return self._prices_include_tax

    def lists(self):
        """Option lists by lower-case name (full lists, read from /articlelists/{id})."""
        if self._lists is None:
            ids = list(self.list_ids)
            for article in self.articles():
                ids += [adapter.list_id(lst) for lst in adapter.article_lists(article)]
            self._lists = {}
            for lid in dict.fromkeys(i for i in ids if i):
                lst = self.client.get_article_list(lid)
                if lst:
                    self._lists[adapter.list_name(lst).lower()] = lst
        return self._lists

    def tree(self):
        if self._tree is None:
            self._tree = self.client.get_category_tree()
        return self._tree

    # --- stock -------------------------------------------------------------------

    def push_stock(self, items):
        """One PATCH per article: its own stock, or the stock of its variants."""
        result = PushResult()
        groups = {}
        for item in items:
            aid, vid = adapter.split_external_id(item.external_id)
            if not aid:
                aid, vid = self.find(item.sku, item.ean)
            if not aid:
                result.errors[item.sku] = self._text(
                    _lt(
                        "MijnWebwinkel has no article or variant with SKU %s: publish the product first.",
                        item.sku,
                    )
                )
                continue
            managed = self.stock_managed if item.managed_by_channel is None else item.managed_by_channel
            group = groups.setdefault(aid, {"stock": None, "variants": [], "skus": {}})
            value = adapter.stock_value(item.quantity, managed)
            if vid:
                group["variants"].append(adapter.variant_body(variant_id_value=vid, stock=value))
            else:
                group["stock"] = (value,)
            group["skus"][item.sku] = adapter.external_id(aid, vid)
        for aid, group in groups.items():
            body = adapter.variants_patch(group["variants"]) if group["variants"] else {}
            if group["stock"] is not None:
                body.update(adapter.stock_patch(group["stock"][0]))
            try:
                self.client.patch_article(aid, body)
            except ChannelRequestError as exc:
                for sku in group["skus"]:
                    result.errors[sku] = self._text(exc)
            else:
                result.external_ids.update(group["skus"])
        return result

    # --- products ------------------------------------------------------------------

    def push_products(self, products):
        """Create or update articles; variants of one template travel together.

        Products are grouped by ``parent_sku`` (a variant) or their own SKU (a
        simple product): one group is one article.
        """
        result = PushResult()
        groups = {}
        for product in products:
            groups.setdefault(product.parent_sku or product.sku, []).append(product)
        for key, members in groups.items():
            try:
                self._push_group(key, members, result)
            except (ChannelRequestError, ChannelDataError) as exc:
                for member in members:
                    result.errors.setdefault(member.sku, self._text(exc))
        return result

    def _push_group(self, key, members, result):
        configurable = any(m.parent_sku for m in members)
        template = members[0]
        aid, vid = self.index().get(key, (None, None))
        if not aid and not configurable and template.ean:
            aid, vid = self.find(key, template.ean)
        if vid:
            raise ChannelDataError(
                _lt("SKU/EAN of %s belongs to a variant in MijnWebwinkel, not to an article of its own.", key)
            )
        price_only = all(m.price_only for m in members)
        if price_only and not aid:
            raise ChannelDataError(
                _lt(
                    "%s is no longer in MijnWebwinkel: switch on 'Update product info' on the "
                    "account to create it again.",
                    key,
                )
            )
        full = (self.update_product_info or not aid) and not price_only
        if not configurable and len(members) > 1:
            raise ChannelDataError(_lt("SKU %s is sent twice in one batch.", key))
        selection = pairs_by_sku = None
        if configurable and full:
            selection, pairs_by_sku = self._ensure_lists(members)
        simple_stock = adapter.stock_value(template.quantity, self.stock_managed)
        # a price change alone sends no stock: the stock export does
        send_simple_stock = (
            not configurable and not price_only and (template.quantity is not None or not self.stock_managed)
        )
        if aid:
            article = self.client.get_article(aid)
            if selection:
                # Keep the options of variants pushed in an earlier batch: the lists
                # body replaces the article's options, and variants without them go.
                for lst in adapter.article_lists(article):
                    if adapter.list_id(lst) in selection:
                        for option in adapter.list_option_ids(lst):
                            if option not in selection[adapter.list_id(lst)]:
                                selection[adapter.list_id(lst)].append(option)
            links = None
            if full and template.category_path:
                links = adapter.category_links_body(
                    self._ensure_category(template.category_path), adapter.article_category_links(article)
                )
            body = adapter.article_body(
                template,
                sku=key,
                prices_include_tax=self.prices_include_tax(),
                full=full,
                category_links=links,
                lists=adapter.lists_body(selection) if selection else None,
                stock=simple_stock,
                send_stock=send_simple_stock,
            )
            article = self.client.patch_article(aid, body) or article
            created = False
        else:
            links = None
            if template.category_path:
                links = adapter.category_links_body(self._ensure_category(template.category_path))
            body = adapter.article_body(
                template,
                sku=key,
                prices_include_tax=self.prices_include_tax(),
                full=True,
                category_links=links,
                lists=adapter.lists_body(selection) if selection else None,
                stock=simple_stock,
                send_stock=send_simple_stock,
            )
            article = self.client.create_article(body)
            aid = adapter.article_id(article or {})
            if not aid:
                raise ChannelDataError(_lt("MijnWebwinkel did not return an id for the new article %s.", key))
            created = True
            self._index[key] = (aid, None)
        if configurable:
            article = self._push_variants(aid, article, members, pairs_by_sku, full, result)
        else:
            result.external_ids[template.sku] = adapter.external_id(aid)
        if full:
            self._push_features(aid, article, template)
            self._push_images(aid, article, template)
        _logger.debug("MijnWebwinkel article %s %s", key, "created" if created else "updated")

    def _ensure_lists(self, members):
        """Option lists and options for the variant axes; missing options are added.

        :return: ({list id: [option ids]}, {sku: frozenset of (list id, option id)})
        """
        lists = self.lists()
        selection, pairs_by_sku = {}, {}
        for member in members:
            if not member.attributes:
                raise ChannelDataError(
                    _lt("Variant %s has no attribute values (such as size or colour).", member.sku)
                )
            pairs = set()
            for axis, value in member.attributes.items():
                lst = lists.get(axis.lower())
                if lst is None:
                    raise ChannelDataError(
                        _lt(
                            "MijnWebwinkel has no option list named '%s'. Create it in the shop "
                            "(Catalogus > Keuzelijsten) or add its id to the account's option lists, "
                            "then push again.",
                            axis,
                        )
                    )
                option = adapter.list_option_id(lst, value)
                if option is None:
                    lst = self.client.add_list_options(
                        adapter.list_id(lst), adapter.new_list_options([value])
                    )
                    lists[axis.lower()] = lst
                    option = adapter.list_option_id(lst, value)
                    if option is None:
                        raise ChannelDataError(
                            _lt(
                                "MijnWebwinkel did not add the option '%(option)s' to list '%(list)s'.",
                                option=value,
                                list=axis,
                            )
                        )
                lid = adapter.list_id(lst)
                selection.setdefault(lid, [])
                if option not in selection[lid]:
                    selection[lid].append(option)
                pairs.add((lid, option))
            pairs_by_sku[member.sku] = frozenset(pairs)
        return selection, pairs_by_sku

    def _push_variants(self, aid, article, members, pairs_by_sku, full, result):
        """Stock (and, with full info, new variants) of an article's variants.

        A variant has no SKU or barcode in MijnWebwinkel (SPEC ArticleVariant): an
        existing one is found by the id its binding keeps, else by its options.
        """
        lists = adapter.article_lists(article)
        by_id = {adapter.variant_id(v): v for v in adapter.article_variants(article)}
        by_pairs = {adapter.variant_option_pairs(v, lists): v for v in adapter.article_variants(article)}
        entries, wanted = [], {}
        for member in members:
            stock = adapter.stock_value(member.quantity, self.stock_managed)
            send_stock = not member.price_only and (member.quantity is not None or not self.stock_managed)
            pairs = pairs_by_sku.get(member.sku) if pairs_by_sku else self._existing_pairs(member)
            bound_aid, bound_vid = adapter.split_external_id(member.external_id)
            variant = (by_id.get(bound_vid) if bound_aid == aid and bound_vid else None) or (
                by_pairs.get(pairs) if pairs else None
            )
            if variant:
                if not (send_stock or full):
                    # a price change alone: the variant's price is the article's, sent above
                    result.external_ids[member.sku] = adapter.external_id(aid, adapter.variant_id(variant))
                    continue
                entries.append(
                    adapter.variant_body(
                        variant_id_value=adapter.variant_id(variant), stock=stock, send_stock=send_stock
                    )
                )
                pairs = adapter.variant_option_pairs(variant, lists)
            elif full:
                entries.append(adapter.variant_body(pairs=pairs, stock=stock, send_stock=send_stock))
            else:
                result.errors[member.sku] = self._text(
                    _lt(
                        "Variant %s does not exist in MijnWebwinkel yet; switch on "
                        "'Update product info' on the account to add new variants.",
                        member.sku,
                    )
                )
                continue
            wanted[member.sku] = pairs
        if not entries:
            return article
        article = self.client.patch_article(aid, adapter.variants_patch(entries)) or self.client.get_article(
            aid
        )
        lists = adapter.article_lists(article)
        by_pairs = {adapter.variant_option_pairs(v, lists): v for v in adapter.article_variants(article)}
        for sku, pairs in wanted.items():
            variant = by_pairs.get(pairs)
            if variant:
                result.external_ids[sku] = adapter.external_id(aid, adapter.variant_id(variant))
            else:
                result.errors[sku] = self._text(_lt("MijnWebwinkel did not keep the variant %s.", sku))
        return article

    def _existing_pairs(self, member):
        """(list id, option id) pairs of a variant's attribute values, without creating
        anything; None when a list or an option does not exist."""
        lists = self.lists()
        pairs = set()
        for axis, value in (member.attributes or {}).items():
            lst = lists.get(axis.lower())
            option = adapter.list_option_id(lst, value) if lst else None
            if option is None:
                return None
            pairs.add((adapter.list_id(lst), option))
        return frozenset(pairs) or None

    def _push_features(self, aid, article, template):
        if not template.features:
            return
        current = adapter.article_features(article)
        changed = {k: v for k, v in template.features.items() if current.get(k) != str(v)}
        if changed:
            self.client.add_article_fields(aid, changed, visible=True)

    def _push_images(self, aid, article, template):
        if not template.images:
            return
        deletes, uploads = adapter.image_plan(
            template.images, template.image_checksums, adapter.article_images(article)
        )
        for image_id in deletes:
            self.client.delete_image(image_id)
        for position, filename, data in uploads:
            self.client.upload_image(aid, filename, position, data)

    def _ensure_category(self, path):
        """Id of the category at ``path`` (titles, root first), creating what is missing."""
        nodes, parent = self.tree(), None
        for title in path:
            node = adapter.find_child_category(nodes, title)
            if node is None:
                created = self.client.create_category(adapter.category_body(title, parent))
                node = adapter.new_category_node(created, title, parent)
                nodes.append(node)
            parent = adapter.category_id(node)
            nodes = adapter.category_children_list(node)
        return parent

    # --- shipments and catalogue ---------------------------------------------------

    def confirm_shipment(self, shipment):
        order = self.client.get_order(shipment.order_external_id)
        self.client.patch_order(shipment.order_external_id, adapter.shipment_body(shipment, order))
        return True

    def iter_catalogue(self):
        paths = adapter.category_paths(self.tree())
        for article in self.articles():
            try:
                products = adapter.article_to_products(article, paths)
            except ChannelDataError as exc:
                products = [
                    unreadable_listing(
                        ChannelDataError(self._text(exc)),
                        adapter.article_id(article),
                        adapter.article_sku(article),
                        adapter.article_name(article),
                    )
                ]
            yield from products
