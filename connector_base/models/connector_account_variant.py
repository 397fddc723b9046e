# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A channel variant that has no SKU or EAN of its own, found by its attribute values.

Some channels identify a variant only by the choices that make it (MijnWebwinkel's
article variants, CCV Shop's attribute combinations without a product number): the
template is the one whose parent SKU is the channel's parent listing, the variant the
one with those values. Channel attribute names go through the account's attribute
mapping (the same table the product export uses the other way round), else they are
the Odoo attribute's own name; values are compared by name, ignoring case.
"""

from odoo import models
from odoo.fields import Domain


class ConnectorAccount(models.Model):
    _inherit = "connector.account"

    def _variant_templates(self, parent_sku):
        """Templates whose variants the channel lists under ``parent_sku``: the ones with
        that parent SKU, and those of the account's listings of that parent already bound
        (a variant bound by hand shows where its siblings are)."""
        self.ensure_one()
        if not parent_sku:
            return self.env["product.template"]
        templates = (
            self.env["product.template"]
            .with_company(self.company_id)
            .search(
                Domain("connector_parent_sku", "=", parent_sku)
                & Domain("company_id", "in", [self.company_id.id, False])
            )
        )
        siblings = (
            self.env["connector.listing"]
            .sudo()
            .search(
                Domain("account_id", "=", self.id)
                & Domain("parent_sku", "=", parent_sku)
                & Domain("binding_id", "!=", False)
            )
        )
        return templates | siblings.binding_id.product_id.product_tmpl_id.sudo(False)

    def _find_variant(self, templates, attributes):
        """The active variant of ``templates`` with exactly the values ``attributes``.

        Odoo's ``product.template._get_variant_for_combination`` does the lookup;
        attribute lines with a single value need not be named by the channel.

        :param attributes: {channel attribute name: channel value name}
        :return: product.product, empty when no variant or several match
        """
        self.ensure_one()
        found = self.env["product.product"]
        if not attributes:
            return found
        mapped = {}
        for mapping in self.attribute_mapping_ids:
            if mapping.attribute_id:
                mapped[mapping.channel_name.strip().lower()] = (mapping.kind, mapping.attribute_id)
        wanted = []  # (attribute or None, attribute name, value name)
        for name, value in attributes.items():
            kind, attribute = mapped.get(str(name).strip().lower(), ("attribute", None))
            if kind == "feature":
                continue  # extra information of the listing, not a variant axis
            wanted.append((attribute, str(name).strip().lower(), str(value).strip().lower()))
        if not wanted:
            return found
        for template in templates:
            combination = self.env["product.template.attribute.value"]
            lines = template.attribute_line_ids
            for attribute, name, value in wanted:
                line = lines.filtered(
                    lambda x, a=attribute, n=name: (
                        x.attribute_id == a if a else x.attribute_id.name.lower() == n
                    )
                )[:1]
                ptav = line.product_template_value_ids.filtered(
                    lambda v, t=value: v.name.strip().lower() == t
                )[:1]
                if not ptav:
                    combination = None
                    break
                combination |= ptav
            if combination is None:
                continue
            for line in lines - combination.attribute_line_id:
                if len(line.product_template_value_ids) == 1:
                    combination |= line.product_template_value_ids
            variant = template._get_variant_for_combination(combination)
            if variant and variant.active:
                found |= variant
        return found if len(found) == 1 else found.browse()

    def _match_order_lines(self, lines):
        """Product per :class:`ChannelOrderLine`: SKU, EAN, a binding of its SKU; a variant
        line without its own SKU (``parent_sku`` set) through the binding of its channel id,
        else its template and attribute values.

        :return: list of product.product records (empty when not found)
        """
        self.ensure_one()
        result = self._match_products([(line.sku, line.ean) for line in lines])
        bindings = self.env["connector.product.binding"].sudo()
        for index, line in enumerate(lines):
            if result[index] or not getattr(line, "parent_sku", ""):
                continue
            if line.channel_product_id:
                result[index] = bindings.search(
                    Domain("account_id", "=", self.id) & Domain("external_id", "=", line.channel_product_id),
                    limit=1,
                ).product_id.sudo(False)
            if not result[index]:
                result[index] = self._find_variant(self._variant_templates(line.parent_sku), line.attributes)
        return result
