# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test base: the MijnWebwinkel emulator in a thread, an account against it, and
Odoo products whose SKUs and EANs match the emulator's seeded catalogue.

The shop is German (``region="DE"``, 19 % VAT) like the suite's test company.
Every test gets a freshly seeded emulator on the same address, so what one test
changes in the shop never leaks into the next one.
"""

import base64
import io
from decimal import Decimal

from PIL import Image

from odoo import Command
from odoo.addons.connector_base.tests.common import ConnectorCommon
from tests.emulators.base import EmulatorServer
from tests.emulators.mijnwebwinkel import (
    API_PATH,
    DEMO_ACCOUNT_VALUES,
    PARTNER_TOKEN,
    SHOP_TOKEN,
    MijnWebwinkelEmulator,
    ean13,
)
from tests.emulators.vies import WSDL_PATH, ViesEmulator

SEEDED_NAMES = [
    "Koffiemok wit",
    "Theepot glas",
    "Snijplank eiken",
    "Keukenschort",
    "Kaarsenhouder",
    "Vaas keramiek",
    "Plaid wol",
    "Kussenhoes linnen",
    "Onderzetters kurk",
]
HOODIE_COLOURS = ("Rood", "Blauw", "Groen")  # "Groen" is not in the shop's list yet
SIZES = ("S", "M", "L")


def png(colour, size=(48, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def new_emulator():
    emulator = MijnWebwinkelEmulator(region="DE", vat_rate=19)
    emulator.rate_limit = None  # the client's rate-limit handling has its own test
    emulator.seed_demo()
    return emulator


class MijnWebwinkelCommon(ConnectorCommon):
    provider = "mijnwebwinkel"

    @classmethod
    def setUpClass(cls):
        cls.server = EmulatorServer(new_emulator()).start()
        cls.addClassCleanup(cls.server.stop)
        super().setUpClass()
        # Business buyers' VAT ids are checked in VIES: its emulator knows the seeded ones.
        cls.vies = ViesEmulator()
        cls.vies.register("DE136695976", "De Haan GmbH")
        cls.vies.register("NL004495445B01", "Bakker Interieur BV")
        vies_server = EmulatorServer(cls.vies).start()
        cls.addClassCleanup(vies_server.stop)
        cls.env["ir.config_parameter"].set_param("connector_base.vies_wsdl_url", vies_server.url + WSDL_PATH)
        cls._create_catalogue()

    def setUp(self):
        super().setUp()
        self.emulator = new_emulator()
        self.server.httpd.app = self.emulator

    @classmethod
    def _account_vals(cls):
        vals = {k: v for k, v in DEMO_ACCOUNT_VALUES.items() if k not in ("name", "provider")}
        vals.update(
            {
                "api_base_url": f"{cls.server.url}{API_PATH}",
                "mijnwebwinkel_partner_token": PARTNER_TOKEN,
                "mijnwebwinkel_shop_token": SHOP_TOKEN,
                "import_statuses": False,  # the provider default: paid only
                "update_product_info": True,
            }
        )
        return vals

    # --- Odoo catalogue ------------------------------------------------------------

    @classmethod
    def _create_catalogue(cls):
        Product = cls.env["product.product"]
        taxes = [Command.set(cls.tax_19.ids)]
        cls.category_home = cls.env["product.category"].create({"name": "Wonen"})
        cls.category_kitchen = cls.env["product.category"].create(
            {"name": "Keuken", "parent_id": cls.category_home.id}
        )
        cls.category_clothes = cls.env["product.category"].create({"name": "Kleding"})
        cls.category_sweaters = cls.env["product.category"].create(
            {"name": "Truien", "parent_id": cls.category_clothes.id}
        )
        # DEMO-001..009: simple articles of the shop, same SKU and EAN in Odoo.
        cls.demo_products = Product
        for i, name in enumerate(SEEDED_NAMES, start=1):
            cls.demo_products |= Product.create(
                {
                    "name": name,
                    "default_code": f"DEMO-{i:03d}",
                    "barcode": ean13(f"40000000000{i}"[-12:].rjust(12, "0")),
                    "list_price": float((Decimal("9.95") + 5 * i) / Decimal("1.19")),
                    "is_storable": True,
                    "taxes_id": taxes,
                    "categ_id": cls.category_kitchen.id,
                }
            )
        Attribute = cls.env["product.attribute"]
        cls.attr_size = Attribute.create(
            {"name": "Size", "value_ids": [Command.create({"name": s}) for s in SIZES]}
        )
        cls.attr_colour = Attribute.create(
            {"name": "Colour", "value_ids": [Command.create({"name": c}) for c in HOODIE_COLOURS]}
        )
        cls.attr_material = Attribute.create(
            {
                "name": "Material",
                "create_variant": "no_variant",
                "value_ids": [Command.create({"name": "Biologisch katoen"})],
            }
        )
        # DEMO-010 in the shop: the merchant's Odoo references differ from the
        # shop's variant SKUs; the EANs are the same, so order lines match by EAN.
        cls.tshirt = cls.env["product.template"].create(
            {
                "name": "T-shirt biologisch katoen",
                "connector_parent_sku": "DEMO-010",
                "list_price": float(Decimal("24.95") / Decimal("1.19")),
                "is_storable": True,
                "taxes_id": taxes,
                "categ_id": cls.category_clothes.id,
                "attribute_line_ids": [
                    Command.create(
                        {
                            "attribute_id": cls.attr_size.id,
                            "value_ids": [Command.set(cls.attr_size.value_ids.ids)],
                        }
                    )
                ],
            }
        )
        for variant in cls.tshirt.product_variant_ids:
            size = variant.product_template_attribute_value_ids.name
            variant.write(
                {
                    "default_code": f"TSHIRT-BIO-{size}",
                    "barcode": ean13(f"40000000010{SIZES.index(size) + 1}"),
                }
            )
        # The configurable product to publish: 2 attributes x 3 values, a
        # no-variant attribute and a country of origin as features, two images.
        cls.image_main = png("navy")
        cls.image_green = png("green")
        cls.hoodie = cls.env["product.template"].create(
            {
                "name": "Hoodie",
                "connector_parent_sku": "HOODIE",
                "connector_account_ids": [Command.link(cls.account.id)],
                "description_sale": "Warme hoodie van biologisch katoen.",
                "list_price": 42.0,
                "is_storable": True,
                "taxes_id": taxes,
                "categ_id": cls.category_sweaters.id,
                "country_of_origin": cls.env.ref("base.pt").id,
                "image_1920": base64.b64encode(cls.image_main),
                "attribute_line_ids": [
                    Command.create({"attribute_id": attr.id, "value_ids": [Command.set(attr.value_ids.ids)]})
                    for attr in (cls.attr_size, cls.attr_colour, cls.attr_material)
                ],
            }
        )
        for n, variant in enumerate(cls.hoodie.product_variant_ids, start=1):
            names = variant.product_template_attribute_value_ids.mapped("name")
            size = next(v for v in names if v in SIZES)
            colour = next(v for v in names if v in HOODIE_COLOURS)
            variant.write(
                {
                    "default_code": f"HOODIE-{size}-{colour.upper()}",
                    "barcode": ean13(f"4000000020{n:02d}"),
                    "weight": 0.8,
                }
            )
            if colour == "Groen":
                variant.image_variant_1920 = base64.b64encode(cls.image_green)
        # The admin's mapping: Odoo attributes -> the shop's option lists (variant
        # axes), a no-variant attribute and a product field -> article fields (features).
        field = cls.env["ir.model.fields"]._get("product.product", "country_of_origin")
        cls.account.attribute_mapping_ids = [
            Command.create({"kind": "attribute", "attribute_id": cls.attr_size.id, "channel_name": "Maat"}),
            Command.create(
                {"kind": "attribute", "attribute_id": cls.attr_colour.id, "channel_name": "Kleur"}
            ),
            Command.create(
                {"kind": "feature", "attribute_id": cls.attr_material.id, "channel_name": "Materiaal"}
            ),
            Command.create({"kind": "feature", "field_id": field.id, "channel_name": "Land van herkomst"}),
        ]
        stock = cls.warehouse.lot_stock_id
        for n, variant in enumerate(cls.hoodie.product_variant_ids, start=1):
            cls.env["stock.quant"]._update_available_quantity(variant, stock, n)
        for product in cls.demo_products | cls.tshirt.product_variant_ids:
            cls.env["stock.quant"]._update_available_quantity(product, stock, 10)

    @classmethod
    def hoodie_variant(cls, size, colour):
        return cls.hoodie.product_variant_ids.filtered(
            lambda v: v.default_code == f"HOODIE-{size}-{colour.upper()}"
        )

    # --- emulator helpers -------------------------------------------------------------

    def shop_variant(self, article, product):
        """The ArticleVariant of ``article`` whose options are ``product``'s attribute values
        (a variant has no SKU or barcode in MijnWebwinkel)."""
        names = set(
            product.product_template_attribute_value_ids._without_no_variant_attributes().mapped("name")
        )
        found = [v for v in article["variants"] if {o["name"] for o in v["options"]} == names]
        self.assertEqual(len(found), 1, f"one variant of {article['sku']} with {names}")
        return found[0]

    def patches(self):
        return self.emulator.requests_to("PATCH", r"/v1/articles/\d+$")

    def bindings(self, products):
        return self.env["connector.product.binding"].search(
            [("account_id", "=", self.account.id), ("product_id", "in", products.ids)]
        )
