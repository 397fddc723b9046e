# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer and addresses of a channel order.

Look up by normalised e-mail within the company; a company name yields a
company partner with the person as its contact, otherwise a person; billing and
shipping addresses become invoice/delivery child addresses when they differ
from the customer's own address. Existing addresses are never rewritten (a
posted invoice keeps the address it was made with): a changed address is added.

Customers, companies and addresses are found or created under a key the
database keeps unique (``connector.record.key``, see there why that is
race-free): two job workers importing two orders of one new buyer at once
create one customer, whatever the timing.
"""

from odoo.exceptions import ValidationError

from ..schema import ChannelDataError
from .text import clean_text, join_street, normalize_email, normalize_vat

NAME_MAX = 128
FIELD_MAX = 128


class PartnerResolver:
    def __init__(self, account, warnings):
        self.account = account
        self.env = account.env
        self.company = account.company_id
        self.warnings = warnings
        self.Partner = self.env["res.partner"].with_company(self.company)

    # --- addresses -------------------------------------------------------

    def country(self, code, what):
        code = (code or "").strip().upper()
        if not code:
            return self.env["res.country"]
        Country = self.env["res.country"]
        country = Country.browse(Country._connector_country_id(code))
        if not country:
            if what == "billing":
                message = self.env._(
                    "Unknown country code %r in the billing address: correct the address in "
                    "the channel, then retry.",
                    code[:10],
                )
            else:
                message = self.env._(
                    "Unknown country code %r in the shipping address: correct the address in "
                    "the channel, then retry.",
                    code[:10],
                )
            raise ChannelDataError(message)
        return country

    def address_vals(self, address, what):
        """res.partner values of a ChannelAddress (cleaned, country resolved)."""
        country = self.country(address.country_code, what)
        state = self.env["res.country.state"]
        if country and address.state_code:
            state = self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=ilike", address.state_code.strip())], limit=1
            )
        w = self.warnings
        street = join_street(address.street, address.house_number)
        _ = self.env._
        if what == "billing":
            labels = (_("billing street"), _("billing street 2"), _("billing postcode"), _("billing city"))
        else:
            labels = (
                _("shipping street"),
                _("shipping street 2"),
                _("shipping postcode"),
                _("shipping city"),
            )
        return {
            "street": clean_text(street, FIELD_MAX, w, labels[0]) or False,
            "street2": clean_text(address.street2, FIELD_MAX, w, labels[1]) or False,
            "zip": clean_text(address.zip, 24, w, labels[2]) or False,
            "city": clean_text(address.city, FIELD_MAX, w, labels[3]) or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    @staticmethod
    def _same_address(partner, name, vals):
        return (partner.name or "") == (name or "") and all(
            (partner[f].id if f.endswith("_id") else partner[f]) == (vals.get(f) or False)
            for f in ("street", "street2", "zip", "city", "country_id")
        )

    # --- customer --------------------------------------------------------

    def resolve(self, order):
        """:return: (customer, invoice address, delivery address) partners."""
        billing = order.billing if not order.billing.is_empty() else order.shipping
        shipping = order.shipping if not order.shipping.is_empty() else billing
        if billing.is_empty():
            raise ChannelDataError(self.env._("The order has neither a billing nor a shipping address."))
        w = self.warnings
        bill_vals = self.address_vals(billing, "billing")
        ship_vals = self.address_vals(shipping, "shipping")
        if not ship_vals["country_id"]:
            raise ChannelDataError(
                self.env._("The shipping address has no country: taxes cannot be decided.")
            )
        person = clean_text(billing.full_name, NAME_MAX, w, self.env._("customer name"))
        company_name = clean_text(billing.company, NAME_MAX, w, self.env._("company name"))
        ship_name = clean_text(
            shipping.full_name or shipping.company, NAME_MAX, w, self.env._("delivery name")
        )
        raw_email = order.buyer_email or billing.email
        email = normalize_email(raw_email)
        if raw_email and not email:
            w.append("The buyer's e-mail address is not valid; the customer was matched without it.")
        phone = clean_text(billing.phone or shipping.phone, 64) or False

        if self.account.default_partner_id:
            customer = self.account.default_partner_id
            delivery = self._child(customer, "delivery", ship_name or person, ship_vals, phone)
            return customer, customer, delivery

        if email:
            created = self.Partner.browse()

            def create():
                nonlocal created
                created = self._create_customer(person, company_name, email, phone, bill_vals, order)
                return created

            # one customer per e-mail and company; any case: Odoo keeps the case of a
            # non-ASCII local part ("Jürgen@" vs "jürgen@"), buyers do not mean two people
            customer = self._keyed(
                "customer_email", self.company.id, (email.casefold(),), lambda: self._find(email), create
            )
            if customer != created:
                self._maybe_update(customer, person, phone)
        else:
            customer = self._create_customer(person, company_name, email, phone, bill_vals, order)
        commercial = customer.commercial_partner_id
        if self._vals_equal(commercial, bill_vals):
            invoice = commercial
        else:
            invoice = self._child(commercial, "invoice", company_name or person, bill_vals, phone)
        if self._vals_equal(customer, ship_vals) and ship_name in (
            customer.name,
            commercial.name,
            person,
            "",
        ):
            delivery = customer
        else:
            delivery = self._child(commercial, "delivery", ship_name or person, ship_vals, phone)
        return customer, invoice, delivery

    @staticmethod
    def _vals_equal(partner, vals):
        return all(
            (partner[f].id if f.endswith("_id") else partner[f]) == (vals.get(f) or False)
            for f in ("street", "street2", "zip", "city", "country_id")
        )

    def _find(self, email):
        partners = self.Partner.search(
            [
                # "=" (indexed) when Odoo stored it lower-case: an ASCII local part
                ("email_normalized", "=" if email.split("@")[0].isascii() else "=ilike", email),
                ("company_id", "in", (self.company.id, False)),
                ("type", "=", "contact"),
            ],
            order="id",
        )
        # the person (contact of a company) is the customer, not the company itself
        return partners.filtered("parent_id")[:1] or partners[:1]

    def _maybe_update(self, partner, name, phone):
        if self.account.partner_update_policy != "update":
            return
        vals = {}
        if name and partner.name != name and not partner.is_company:
            vals["name"] = name
        if phone and partner.phone != phone:
            vals["phone"] = phone
        if vals:
            partner.write(vals)

    def _keyed(self, kind, scope, natural, search, create):
        """Find-or-create a partner under a database-enforced unique key."""
        return (
            self.env["connector.record.key"]
            .sudo()
            ._find_or_create(kind, scope, natural, "res.partner", search, create)
            .with_env(self.Partner.env)
        )

    def _company(self, name, vat, vals):
        """The company partner of a business buyer: one per VAT id, else per name and address.

        Without a VAT id two buyers are the same company only with the same name at the
        same postcode and country: merging two different companies would be worse than
        keeping one twice.
        """
        vat = normalize_vat(vat)
        Partner = self.Partner
        company_domain = [("company_id", "in", (self.company.id, False)), ("is_company", "=", True)]
        if vat:
            return self._keyed(
                "company_vat",
                self.company.id,
                (vat,),
                lambda: Partner.search([("vat", "=", vat), *company_domain], order="id", limit=1),
                lambda: self._create({**vals, "name": name, "is_company": True}, vat),
            )
        zipcode, country = vals.get("zip") or "", vals.get("country_id") or False
        return self._keyed(
            "company_name",
            self.company.id,
            (name.casefold(), zipcode.replace(" ", "").upper(), country),
            lambda: Partner.search(
                [
                    ("name", "=ilike", name),
                    ("zip", "=", zipcode or False),
                    ("country_id", "=", country),
                    ("vat", "=", False),
                    *company_domain,
                ],
                order="id",
                limit=1,
            ),
            lambda: self._create({**vals, "name": name, "is_company": True}),
        )

    def _create_customer(self, person, company_name, email, phone, address_vals, order):
        base = {"email": email or False, "phone": phone, "company_id": False, **address_vals}
        if company_name:
            company = self._company(company_name, order.buyer_vat, base)
            if person and person != company_name:
                return self._create({**base, "name": person, "parent_id": company.id, "type": "contact"})
            return company
        if not person:
            raise ChannelDataError(self.env._("The billing address has no name."))
        return self._create({**base, "name": person}, order.buyer_vat if order.buyer_is_business else "")

    def _create(self, vals, vat=""):
        vat = clean_text(vat, 32).replace(" ", "")
        if vat:
            try:
                with self.env.cr.savepoint():
                    return self.Partner.create({**vals, "vat": vat})
            except ValidationError:
                self.warnings.append(
                    self.env._("The VAT number %r is not valid; the customer was created without it.", vat)
                )
        return self.Partner.create(vals)

    def _child(self, parent, kind, name, vals, phone):
        """An invoice or delivery address under ``parent``: reuse an identical one."""
        if self._vals_equal(parent, vals) and name in (parent.name, False, ""):
            return parent

        def search():
            for child in parent.child_ids:
                if child.type == kind and self._same_address(child, name, vals):
                    return child
            return self.Partner.browse()

        # the fields _same_address compares, under the parent: one address each
        natural = (
            name or "",
            *(vals.get(f) or "" for f in ("street", "street2", "zip", "city", "country_id")),
        )
        return self._keyed(
            f"address_{kind}",
            parent.id,
            natural,
            search,
            lambda: self.Partner.create(
                {
                    **vals,
                    "name": name or False,
                    "type": kind,
                    "parent_id": parent.id,
                    "phone": phone,
                    "company_id": False,
                }
            ),
        )
