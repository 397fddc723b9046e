# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad input catalogue: every field of the canonical order, five kinds of bad value.

Each row of CATALOGUE is (field path, kind of value, expected outcome):

- ``ok``: imported; ``ok:TEXT``: imported with a warning containing TEXT;
- ``park:TEXT``: parked for a person with a reason containing TEXT, no sale order;
- ``skipped:TEXT``: cannot even be stored; an error line in the sync log says TEXT.

Kinds: ``missing`` (key absent), ``type`` (wrong JSON type), ``big`` (oversized),
``evil`` (HTML/SQL-looking), ``script`` (non-Latin). All rows go through one sync of
the test provider (canonical payloads, see common.py) and their import jobs.
Everywhere: no traceback reaches a person, no "Unexpected error" (an exception the
engine did not expect), no sale order for a parked order, the database unharmed.
``test_catalogue_covers_every_field`` fails when a field is added to the schema
without rows here. The few bad inputs of test_order_import.py are not repeated.
"""

import copy
import dataclasses
import random
import string
from datetime import datetime
from unittest.mock import patch

from odoo.tests import tagged

from ..schema import ChannelAddress, ChannelDiscount, ChannelFee, ChannelOrder, ChannelOrderLine, RawOrder
from .common import ConnectorCommon, canonical_order

# oversized and not compressible (a database index holds at most ~2.7 kB per entry)
BIG = "".join(random.Random(12).choices(string.ascii_letters + string.digits, k=20000))
EVIL = "<img src=x onerror=alert(1)><b>Bold</b>'); DROP TABLE sale_order; --"
SCRIPT = "Ødegård 김민준 Дмитрий مرحبا"
VALUES = {
    # kind -> value per field type
    "text": {"type": {"nested": ["list"]}, "big": BIG, "evil": EVIL, "script": SCRIPT},
    "amount": {"type": "twelve", "big": "1E+30", "evil": "1; DROP TABLE sale_order", "script": "١٢٫٥٠"},
    "date": {
        "type": 20261120,
        "big": "99999-12-31T00:00:00",
        "evil": "2026-11-20'; --",
        "script": "٢٠٢٦-١١-٢٠",
    },
    "bool": {"type": {"yes": True}, "big": "true" * 5000, "evil": "1 OR 1=1", "script": "是"},
    "list": {"type": "many", "big": None, "evil": ["<script>alert(1)</script>"], "script": ["Ødegård"]},
    "object": {"type": "Köln", "big": None, "evil": {"<script>": "x"}, "script": {"名前": "x"}},
}
KINDS = ("missing", "type", "big", "evil", "script")

# fmt: off
CATALOGUE = [
    # --- external_id -----------------------------------------------------------
    ('external_id', 'missing', 'park:The order has no id in the channel'),
    ('external_id', 'type', 'park:external_id: expected text, got dict'),
    ('external_id', 'big', 'skipped:at most 255 are accepted'),
    ('external_id', 'evil', 'ok'),
    ('external_id', 'script', 'ok'),
    # --- reference -------------------------------------------------------------
    ('reference', 'missing', 'ok'),
    ('reference', 'type', 'park:reference: expected text, got dict'),
    ('reference', 'big', 'ok'),
    ('reference', 'evil', 'ok'),
    ('reference', 'script', 'ok'),
    # --- status ----------------------------------------------------------------
    ('status', 'missing', 'ok'),
    ('status', 'type', 'park:status: expected text, got dict'),
    ('status', 'big', 'ok'),
    ('status', 'evil', 'ok'),
    ('status', 'script', 'ok'),
    # --- created_at ------------------------------------------------------------
    ('created_at', 'missing', 'ok'),
    ('created_at', 'type', 'ok'),
    ('created_at', 'big', "park:created_at: not a date: '99999-12-31T00:00:00'"),
    ('created_at', 'evil', 'park:created_at: not a date: "2026-11-20\'; --"'),
    ('created_at', 'script', "park:created_at: not a date: '٢٠٢٦-١١-٢٠'"),
    # --- updated_at ------------------------------------------------------------
    ('updated_at', 'missing', 'ok'),
    ('updated_at', 'type', 'ok'),
    ('updated_at', 'big', "park:updated_at: not a date: '99999-12-31T00:00:00'"),
    ('updated_at', 'evil', 'park:updated_at: not a date: "2026-11-20\'; --"'),
    ('updated_at', 'script', "park:updated_at: not a date: '٢٠٢٦-١١-٢٠'"),
    # --- paid_at ---------------------------------------------------------------
    ('paid_at', 'missing', 'ok'),
    ('paid_at', 'type', 'ok'),
    ('paid_at', 'big', "park:paid_at: not a date: '99999-12-31T00:00:00'"),
    ('paid_at', 'evil', 'park:paid_at: not a date: "2026-11-20\'; --"'),
    ('paid_at', 'script', "park:paid_at: not a date: '٢٠٢٦-١١-٢٠'"),
    # --- currency --------------------------------------------------------------
    ('currency', 'missing', 'ok'),
    ('currency', 'type', 'park:currency: expected text, got dict'),
    ('currency', 'big', 'park:Unknown currency'),
    ('currency', 'evil', "park:Unknown currency '<IMG SRC'."),
    ('currency', 'script', "park:Unknown currency 'ØDEGÅRD '."),
    # --- total_incl ------------------------------------------------------------
    ('total_incl', 'missing', 'park:The order has no total: its amounts cannot be checked.'),
    ('total_incl', 'type', "park:total_incl: expected a number, got 'twelve'"),
    ('total_incl', 'big', "park:differs from the channel's total"),
    ('total_incl', 'evil', "park:total_incl: expected a number, got '1; DROP TABLE sale_order"),
    ('total_incl', 'script', "park:total_incl: expected a number, got '١٢٫٥٠'"),
    # --- total_excl ------------------------------------------------------------
    ('total_excl', 'missing', 'ok'),
    ('total_excl', 'type', "park:total_excl: expected a number, got 'twelve'"),
    ('total_excl', 'big', 'ok:Net total in Odoo'),
    ('total_excl', 'evil', "park:total_excl: expected a number, got '1; DROP TABLE sale_order"),
    ('total_excl', 'script', "park:total_excl: expected a number, got '١٢٫٥٠'"),
    # --- prices_include_tax ----------------------------------------------------
    ('prices_include_tax', 'missing', 'ok'),
    ('prices_include_tax', 'type', 'park:expected true or false'),
    ('prices_include_tax', 'big', "park:differs from the channel's total"),
    ('prices_include_tax', 'evil', "park:differs from the channel's total"),
    ('prices_include_tax', 'script', "park:differs from the channel's total"),
    # --- payment_method --------------------------------------------------------
    ('payment_method', 'missing', 'ok'),
    ('payment_method', 'type', 'park:payment_method: expected text, got dict'),
    ('payment_method', 'big', 'ok'),
    ('payment_method', 'evil', 'ok'),
    ('payment_method', 'script', 'ok'),
    # --- shipping_method -------------------------------------------------------
    ('shipping_method', 'missing', 'ok'),
    ('shipping_method', 'type', 'park:shipping_method: expected text, got dict'),
    ('shipping_method', 'big', 'ok'),
    ('shipping_method', 'evil', 'ok'),
    ('shipping_method', 'script', 'ok'),
    # --- shipping_incl ---------------------------------------------------------
    ('shipping_incl', 'missing', "park:differs from the channel's total"),
    ('shipping_incl', 'type', "park:shipping_incl: expected a number, got 'twelve'"),
    ('shipping_incl', 'big', "park:differs from the channel's total"),
    ('shipping_incl', 'evil', "park:shipping_incl: expected a number, got '1; DROP TABLE sale_or"),
    ('shipping_incl', 'script', "park:shipping_incl: expected a number, got '١٢٫٥٠'"),
    # --- shipping_excl ---------------------------------------------------------
    ('shipping_excl', 'missing', 'ok'),
    ('shipping_excl', 'type', "park:shipping_excl: expected a number, got 'twelve'"),
    ('shipping_excl', 'big', 'ok'),
    ('shipping_excl', 'evil', "park:shipping_excl: expected a number, got '1; DROP TABLE sale_or"),
    ('shipping_excl', 'script', "park:shipping_excl: expected a number, got '١٢٫٥٠'"),
    # --- shipping_tax_rate -----------------------------------------------------
    ('shipping_tax_rate', 'missing', 'ok'),
    ('shipping_tax_rate', 'type', "park:shipping_tax_rate: expected a number, got 'twelve'"),
    ('shipping_tax_rate', 'big', 'ok'),
    ('shipping_tax_rate', 'evil', "park:shipping_tax_rate: expected a number, got '1; DROP TABLE sal"),
    ('shipping_tax_rate', 'script', "park:shipping_tax_rate: expected a number, got '١٢٫٥٠'"),
    # --- discounts -------------------------------------------------------------
    ('discounts', 'missing', "park:differs from the channel's total"),
    ('discounts', 'type', 'park:discounts: expected a list, got str'),
    ('discounts', 'big', "park:differs from the channel's total"),
    ('discounts', 'evil', 'park:ChannelDiscount: expected an object, got str'),
    ('discounts', 'script', 'park:ChannelDiscount: expected an object, got str'),
    # --- fees ------------------------------------------------------------------
    ('fees', 'missing', "park:differs from the channel's total"),
    ('fees', 'type', 'park:fees: expected a list, got str'),
    ('fees', 'big', "park:differs from the channel's total"),
    ('fees', 'evil', 'park:ChannelFee: expected an object, got str'),
    ('fees', 'script', 'park:ChannelFee: expected an object, got str'),
    # --- buyer_email -----------------------------------------------------------
    ('buyer_email', 'missing', 'ok'),
    ('buyer_email', 'type', 'park:buyer_email: expected text, got dict'),
    ('buyer_email', 'big', "ok:The buyer's e-mail address is not valid"),
    ('buyer_email', 'evil', "ok:The buyer's e-mail address is not valid"),
    ('buyer_email', 'script', "ok:The buyer's e-mail address is not valid"),
    # --- buyer_is_business -----------------------------------------------------
    ('buyer_is_business', 'missing', 'ok'),
    ('buyer_is_business', 'type', 'park:expected true or false'),
    ('buyer_is_business', 'big', 'ok'),
    ('buyer_is_business', 'evil', 'ok'),
    ('buyer_is_business', 'script', 'ok'),
    # --- buyer_vat -------------------------------------------------------------
    ('buyer_vat', 'missing', 'ok'),
    ('buyer_vat', 'type', 'park:buyer_vat: expected text, got dict'),
    ('buyer_vat', 'big', 'ok'),
    ('buyer_vat', 'evil', 'ok'),
    ('buyer_vat', 'script', 'ok'),
    # --- billing ---------------------------------------------------------------
    ('billing', 'missing', 'ok'),
    ('billing', 'type', 'park:ChannelAddress: expected an object, got str'),
    ('billing', 'big', 'ok'),
    ('billing', 'evil', 'ok'),
    ('billing', 'script', 'ok'),
    # --- shipping --------------------------------------------------------------
    ('shipping', 'missing', 'ok'),
    ('shipping', 'type', 'park:ChannelAddress: expected an object, got str'),
    ('shipping', 'big', 'ok'),
    ('shipping', 'evil', 'ok'),
    ('shipping', 'script', 'ok'),
    # --- lines -----------------------------------------------------------------
    ('lines', 'missing', 'park:The order has no lines.'),
    ('lines', 'type', 'park:lines: expected a list, got str'),
    ('lines', 'big', 'ok'),
    ('lines', 'evil', 'park:ChannelOrderLine: expected an object, got str'),
    ('lines', 'script', 'park:ChannelOrderLine: expected an object, got str'),
    # --- storefront ------------------------------------------------------------
    ('storefront', 'missing', 'ok'),
    ('storefront', 'type', 'park:storefront: expected text, got dict'),
    ('storefront', 'big', 'ok'),
    ('storefront', 'evil', 'ok'),
    ('storefront', 'script', 'ok'),
    # --- channel_collects_vat --------------------------------------------------
    ('channel_collects_vat', 'missing', 'ok'),
    ('channel_collects_vat', 'type', 'park:expected true or false'),
    ('channel_collects_vat', 'big', 'ok'),
    ('channel_collects_vat', 'evil', 'ok'),
    ('channel_collects_vat', 'script', 'ok'),
    # --- fulfilled_by_channel --------------------------------------------------
    ('fulfilled_by_channel', 'missing', 'ok'),
    ('fulfilled_by_channel', 'type', 'park:expected true or false'),
    ('fulfilled_by_channel', 'big', 'ok'),
    ('fulfilled_by_channel', 'evil', 'ok'),
    ('fulfilled_by_channel', 'script', 'ok'),
    # --- ship_from_country -----------------------------------------------------
    ('ship_from_country', 'missing', 'ok'),
    ('ship_from_country', 'type', 'park:ship_from_country: expected text, got dict'),
    ('ship_from_country', 'big', 'ok'),
    ('ship_from_country', 'evil', 'ok'),
    ('ship_from_country', 'script', 'ok'),
    # --- note ------------------------------------------------------------------
    ('note', 'missing', 'ok'),
    ('note', 'type', 'park:note: expected text, got dict'),
    ('note', 'big', 'ok'),
    ('note', 'evil', 'ok'),
    ('note', 'script', 'ok'),
    # --- cancelled -------------------------------------------------------------
    ('cancelled', 'missing', 'ok'),
    ('cancelled', 'type', 'park:expected true or false'),
    ('cancelled', 'big', 'ok'),
    ('cancelled', 'evil', 'ok'),
    ('cancelled', 'script', 'ok'),
    # --- billing ---------------------------------------------------------------
    ('billing.name', 'missing', 'ok'),
    ('billing.name', 'type', 'park:name: expected text, got dict'),
    ('billing.name', 'big', 'ok:customer name was longer than 128 characters and was cut.'),
    ('billing.name', 'evil', 'ok'),
    ('billing.name', 'script', 'ok'),
    ('billing.first_name', 'missing', 'ok'),
    ('billing.first_name', 'type', 'park:first_name: expected text, got dict'),
    ('billing.first_name', 'big', 'ok:customer name was longer than 128 characters and was cut.'),
    ('billing.first_name', 'evil', 'ok'),
    ('billing.first_name', 'script', 'ok'),
    ('billing.last_name', 'missing', 'ok'),
    ('billing.last_name', 'type', 'park:last_name: expected text, got dict'),
    ('billing.last_name', 'big', 'ok:customer name was longer than 128 characters and was cut.'),
    ('billing.last_name', 'evil', 'ok'),
    ('billing.last_name', 'script', 'ok'),
    ('billing.company', 'missing', 'ok'),
    ('billing.company', 'type', 'park:company: expected text, got dict'),
    ('billing.company', 'big', 'ok:company name was longer than 128 characters and was cut.'),
    ('billing.company', 'evil', 'ok'),
    ('billing.company', 'script', 'ok'),
    ('billing.street', 'missing', 'ok'),
    ('billing.street', 'type', 'park:street: expected text, got dict'),
    ('billing.street', 'big', 'ok:billing street was longer than 128 characters and was cut.'),
    ('billing.street', 'evil', 'ok'),
    ('billing.street', 'script', 'ok'),
    ('billing.house_number', 'missing', 'ok'),
    ('billing.house_number', 'type', 'park:house_number: expected text, got dict'),
    ('billing.house_number', 'big', 'ok:billing street was longer than 128 characters and was cut.'),
    ('billing.house_number', 'evil', 'ok'),
    ('billing.house_number', 'script', 'ok'),
    ('billing.street2', 'missing', 'ok'),
    ('billing.street2', 'type', 'park:street2: expected text, got dict'),
    ('billing.street2', 'big', 'ok:billing street 2 was longer than 128 characters and was cut.'),
    ('billing.street2', 'evil', 'ok'),
    ('billing.street2', 'script', 'ok'),
    ('billing.zip', 'missing', 'ok'),
    ('billing.zip', 'type', 'park:zip: expected text, got dict'),
    ('billing.zip', 'big', 'ok:billing postcode was longer than 24 characters and was cut.'),
    ('billing.zip', 'evil', 'ok:billing postcode was longer than 24 characters and was cut.'),
    ('billing.zip', 'script', 'ok:billing postcode was longer than 24 characters and was cut.'),
    ('billing.city', 'missing', 'ok'),
    ('billing.city', 'type', 'park:city: expected text, got dict'),
    ('billing.city', 'big', 'ok:billing city was longer than 128 characters and was cut.'),
    ('billing.city', 'evil', 'ok'),
    ('billing.city', 'script', 'ok'),
    ('billing.state_code', 'missing', 'ok'),
    ('billing.state_code', 'type', 'park:state_code: expected text, got dict'),
    ('billing.state_code', 'big', 'ok'),
    ('billing.state_code', 'evil', 'ok'),
    ('billing.state_code', 'script', 'ok'),
    ('billing.country_code', 'missing', 'ok'),
    ('billing.country_code', 'type', 'park:country_code: expected text, got dict'),
    ('billing.country_code', 'big', 'park:Unknown country code'),
    ('billing.country_code', 'evil', "park:Unknown country code '<IMG SRC=X' in the billing address"),
    ('billing.country_code', 'script', "park:Unknown country code 'ØDEGÅRD 김민' in the billing address"),
    ('billing.phone', 'missing', 'ok'),
    ('billing.phone', 'type', 'park:phone: expected text, got dict'),
    ('billing.phone', 'big', 'ok'),
    ('billing.phone', 'evil', 'ok'),
    ('billing.phone', 'script', 'ok'),
    ('billing.email', 'missing', 'ok'),
    ('billing.email', 'type', 'park:email: expected text, got dict'),
    ('billing.email', 'big', 'ok'),
    ('billing.email', 'evil', 'ok'),
    ('billing.email', 'script', 'ok'),
    ('billing.vat', 'missing', 'ok'),
    ('billing.vat', 'type', 'park:vat: expected text, got dict'),
    ('billing.vat', 'big', 'ok'),
    ('billing.vat', 'evil', 'ok'),
    ('billing.vat', 'script', 'ok'),
    # --- shipping --------------------------------------------------------------
    ('shipping.name', 'missing', 'ok'),
    ('shipping.name', 'type', 'park:name: expected text, got dict'),
    ('shipping.name', 'big', 'ok:delivery name was longer than 128 characters and was cut.'),
    ('shipping.name', 'evil', 'ok'),
    ('shipping.name', 'script', 'ok'),
    ('shipping.first_name', 'missing', 'ok'),
    ('shipping.first_name', 'type', 'park:first_name: expected text, got dict'),
    ('shipping.first_name', 'big', 'ok:delivery name was longer than 128 characters and was cut.'),
    ('shipping.first_name', 'evil', 'ok'),
    ('shipping.first_name', 'script', 'ok'),
    ('shipping.last_name', 'missing', 'ok'),
    ('shipping.last_name', 'type', 'park:last_name: expected text, got dict'),
    ('shipping.last_name', 'big', 'ok:delivery name was longer than 128 characters and was cut.'),
    ('shipping.last_name', 'evil', 'ok'),
    ('shipping.last_name', 'script', 'ok'),
    ('shipping.company', 'missing', 'ok'),
    ('shipping.company', 'type', 'park:company: expected text, got dict'),
    ('shipping.company', 'big', 'ok'),
    ('shipping.company', 'evil', 'ok'),
    ('shipping.company', 'script', 'ok'),
    ('shipping.street', 'missing', 'ok'),
    ('shipping.street', 'type', 'park:street: expected text, got dict'),
    ('shipping.street', 'big', 'ok:shipping street was longer than 128 characters and was cut.'),
    ('shipping.street', 'evil', 'ok'),
    ('shipping.street', 'script', 'ok'),
    ('shipping.house_number', 'missing', 'ok'),
    ('shipping.house_number', 'type', 'park:house_number: expected text, got dict'),
    ('shipping.house_number', 'big', 'ok:shipping street was longer than 128 characters and was cut.'),
    ('shipping.house_number', 'evil', 'ok'),
    ('shipping.house_number', 'script', 'ok'),
    ('shipping.street2', 'missing', 'ok'),
    ('shipping.street2', 'type', 'park:street2: expected text, got dict'),
    ('shipping.street2', 'big', 'ok:shipping street 2 was longer than 128 characters and was cut'),
    ('shipping.street2', 'evil', 'ok'),
    ('shipping.street2', 'script', 'ok'),
    ('shipping.zip', 'missing', 'ok'),
    ('shipping.zip', 'type', 'park:zip: expected text, got dict'),
    ('shipping.zip', 'big', 'ok:shipping postcode was longer than 24 characters and was cut.'),
    ('shipping.zip', 'evil', 'ok:shipping postcode was longer than 24 characters and was cut.'),
    ('shipping.zip', 'script', 'ok:shipping postcode was longer than 24 characters and was cut.'),
    ('shipping.city', 'missing', 'ok'),
    ('shipping.city', 'type', 'park:city: expected text, got dict'),
    ('shipping.city', 'big', 'ok:shipping city was longer than 128 characters and was cut.'),
    ('shipping.city', 'evil', 'ok'),
    ('shipping.city', 'script', 'ok'),
    ('shipping.state_code', 'missing', 'ok'),
    ('shipping.state_code', 'type', 'park:state_code: expected text, got dict'),
    ('shipping.state_code', 'big', 'ok'),
    ('shipping.state_code', 'evil', 'ok'),
    ('shipping.state_code', 'script', 'ok'),
    ('shipping.country_code', 'missing', 'park:The shipping address has no country: taxes cannot be decided'),
    ('shipping.country_code', 'type', 'park:country_code: expected text, got dict'),
    ('shipping.country_code', 'big', 'park:Unknown country code'),
    ('shipping.country_code', 'evil', "park:Unknown country code '<IMG SRC=X' in the shipping address"),
    ('shipping.country_code', 'script', "park:Unknown country code 'ØDEGÅRD 김민' in the shipping address"),
    ('shipping.phone', 'missing', 'ok'),
    ('shipping.phone', 'type', 'park:phone: expected text, got dict'),
    ('shipping.phone', 'big', 'ok'),
    ('shipping.phone', 'evil', 'ok'),
    ('shipping.phone', 'script', 'ok'),
    ('shipping.email', 'missing', 'ok'),
    ('shipping.email', 'type', 'park:email: expected text, got dict'),
    ('shipping.email', 'big', 'ok'),
    ('shipping.email', 'evil', 'ok'),
    ('shipping.email', 'script', 'ok'),
    ('shipping.vat', 'missing', 'ok'),
    ('shipping.vat', 'type', 'park:vat: expected text, got dict'),
    ('shipping.vat', 'big', 'ok'),
    ('shipping.vat', 'evil', 'ok'),
    ('shipping.vat', 'script', 'ok'),
    # --- lines -----------------------------------------------------------------
    ('lines.0.external_id', 'missing', 'ok'),
    ('lines.0.external_id', 'type', 'park:external_id: expected text, got dict'),
    ('lines.0.external_id', 'big', 'ok'),
    ('lines.0.external_id', 'evil', 'ok'),
    ('lines.0.external_id', 'script', 'ok'),
    ('lines.0.sku', 'missing', "park:No product with SKU '' or EAN ''"),
    ('lines.0.sku', 'type', 'park:sku: expected text, got dict'),
    ('lines.0.sku', 'big', 'park:No product with SKU'),
    ('lines.0.sku', 'evil', 'park:No product with SKU "<img src=x onerror=alert(1)><b>Bold</b>'),
    ('lines.0.sku', 'script', "park:No product with SKU 'Ødegård 김민준 Дмитрий مرحبا' or EAN ''"),
    ('lines.0.ean', 'missing', 'ok'),
    ('lines.0.ean', 'type', 'park:ean: expected text, got dict'),
    ('lines.0.ean', 'big', 'ok'),
    ('lines.0.ean', 'evil', 'ok'),
    ('lines.0.ean', 'script', 'ok'),
    ('lines.0.title', 'missing', 'ok'),
    ('lines.0.title', 'type', 'park:title: expected text, got dict'),
    ('lines.0.title', 'big', 'ok:line title was longer than 512 characters and was cut.'),
    ('lines.0.title', 'evil', 'ok'),
    ('lines.0.title', 'script', 'ok'),
    ('lines.0.quantity', 'missing', "park:Line 'SHIRT-1' has quantity 0"),
    ('lines.0.quantity', 'type', "park:quantity: expected a number, got 'twelve'"),
    ('lines.0.quantity', 'big', "park:Line 'SHIRT-1' has an implausible quantity 1E+30."),
    ('lines.0.quantity', 'evil', "park:quantity: expected a number, got '1; DROP TABLE sale_order'"),
    ('lines.0.quantity', 'script', "park:quantity: expected a number, got '١٢٫٥٠'"),
    ('lines.0.unit_price_incl', 'missing', "park:Line 'SHIRT-1' has no price."),
    ('lines.0.unit_price_incl', 'type', "park:unit_price_incl: expected a number, got 'twelve'"),
    ('lines.0.unit_price_incl', 'big', "park:differs from the channel's total"),
    ('lines.0.unit_price_incl', 'evil', "park:unit_price_incl: expected a number, got '1; DROP TABLE sale_"),
    ('lines.0.unit_price_incl', 'script', "park:unit_price_incl: expected a number, got '١٢٫٥٠'"),
    ('lines.0.unit_price_excl', 'missing', 'ok'),
    ('lines.0.unit_price_excl', 'type', "park:unit_price_excl: expected a number, got 'twelve'"),
    ('lines.0.unit_price_excl', 'big', 'ok'),
    ('lines.0.unit_price_excl', 'evil', "park:unit_price_excl: expected a number, got '1; DROP TABLE sale_"),
    ('lines.0.unit_price_excl', 'script', "park:unit_price_excl: expected a number, got '١٢٫٥٠'"),
    ('lines.0.tax_rate', 'missing', 'ok'),
    ('lines.0.tax_rate', 'type', "park:tax_rate: expected a number, got 'twelve'"),
    ('lines.0.tax_rate', 'big', 'ok:T-Shirt: the channel charged 1E+30% VAT, Odoo applies 19%.'),
    ('lines.0.tax_rate', 'evil', "park:tax_rate: expected a number, got '1; DROP TABLE sale_order'"),
    ('lines.0.tax_rate', 'script', "park:tax_rate: expected a number, got '١٢٫٥٠'"),
    ('lines.0.discount_incl', 'missing', 'ok'),
    ('lines.0.discount_incl', 'type', "park:discount_incl: expected a number, got 'twelve'"),
    ('lines.0.discount_incl', 'big', "park:differs from the channel's total"),
    ('lines.0.discount_incl', 'evil', "park:discount_incl: expected a number, got '1; DROP TABLE sale_or"),
    ('lines.0.discount_incl', 'script', "park:discount_incl: expected a number, got '١٢٫٥٠'"),
    ('lines.0.status', 'missing', 'ok'),
    ('lines.0.status', 'type', 'park:status: expected text, got dict'),
    ('lines.0.status', 'big', 'ok'),
    ('lines.0.status', 'evil', 'ok'),
    ('lines.0.status', 'script', 'ok'),
    ('lines.0.channel_product_id', 'missing', 'ok'),
    ('lines.0.channel_product_id', 'type', 'park:channel_product_id: expected text, got dict'),
    ('lines.0.channel_product_id', 'big', 'ok'),
    ('lines.0.channel_product_id', 'evil', 'ok'),
    ('lines.0.channel_product_id', 'script', 'ok'),
    ('lines.0.parent_sku', 'missing', 'ok'),
    ('lines.0.parent_sku', 'type', 'park:parent_sku: expected text, got dict'),
    ('lines.0.parent_sku', 'big', 'ok'),
    ('lines.0.parent_sku', 'evil', 'ok'),
    ('lines.0.parent_sku', 'script', 'ok'),
    ('lines.0.attributes', 'missing', 'ok'),
    ('lines.0.attributes', 'type', 'park:attributes: expected names and values as text, got dict'),
    ('lines.0.attributes', 'big', 'park:attributes: expected names and values as text, got str'),
    ('lines.0.attributes', 'evil', 'park:attributes: expected names and values as text, got str'),
    ('lines.0.attributes', 'script', 'park:attributes: expected names and values as text, got str'),
    # --- discounts -------------------------------------------------------------
    ('discounts.0.code', 'missing', 'ok'),
    ('discounts.0.code', 'type', 'park:code: expected text, got dict'),
    ('discounts.0.code', 'big', 'ok'),
    ('discounts.0.code', 'evil', 'ok'),
    ('discounts.0.code', 'script', 'ok'),
    ('discounts.0.title', 'missing', 'ok'),
    ('discounts.0.title', 'type', 'park:title: expected text, got dict'),
    ('discounts.0.title', 'big', 'ok'),
    ('discounts.0.title', 'evil', 'ok'),
    ('discounts.0.title', 'script', 'ok'),
    ('discounts.0.amount_incl', 'missing', "park:differs from the channel's total"),
    ('discounts.0.amount_incl', 'type', "park:amount_incl: expected a number, got 'twelve'"),
    ('discounts.0.amount_incl', 'big', "park:differs from the channel's total"),
    ('discounts.0.amount_incl', 'evil', "park:amount_incl: expected a number, got '1; DROP TABLE sale_orde"),
    ('discounts.0.amount_incl', 'script', "park:amount_incl: expected a number, got '١٢٫٥٠'"),
    ('discounts.0.amount_excl', 'missing', 'ok'),
    ('discounts.0.amount_excl', 'type', "park:amount_excl: expected a number, got 'twelve'"),
    ('discounts.0.amount_excl', 'big', 'ok'),
    ('discounts.0.amount_excl', 'evil', "park:amount_excl: expected a number, got '1; DROP TABLE sale_orde"),
    ('discounts.0.amount_excl', 'script', "park:amount_excl: expected a number, got '١٢٫٥٠'"),
    # --- fees ------------------------------------------------------------------
    ('fees.0.code', 'missing', 'ok'),
    ('fees.0.code', 'type', 'park:code: expected text, got dict'),
    ('fees.0.code', 'big', 'ok'),
    ('fees.0.code', 'evil', 'ok'),
    ('fees.0.code', 'script', 'ok'),
    ('fees.0.title', 'missing', 'ok'),
    ('fees.0.title', 'type', 'park:title: expected text, got dict'),
    ('fees.0.title', 'big', 'ok'),
    ('fees.0.title', 'evil', 'ok'),
    ('fees.0.title', 'script', 'ok'),
    ('fees.0.amount_incl', 'missing', "park:differs from the channel's total"),
    ('fees.0.amount_incl', 'type', "park:amount_incl: expected a number, got 'twelve'"),
    ('fees.0.amount_incl', 'big', "park:differs from the channel's total"),
    ('fees.0.amount_incl', 'evil', "park:amount_incl: expected a number, got '1; DROP TABLE sale_orde"),
    ('fees.0.amount_incl', 'script', "park:amount_incl: expected a number, got '١٢٫٥٠'"),
    ('fees.0.amount_excl', 'missing', 'ok'),
    ('fees.0.amount_excl', 'type', "park:amount_excl: expected a number, got 'twelve'"),
    ('fees.0.amount_excl', 'big', 'ok'),
    ('fees.0.amount_excl', 'evil', "park:amount_excl: expected a number, got '1; DROP TABLE sale_orde"),
    ('fees.0.amount_excl', 'script', "park:amount_excl: expected a number, got '١٢٫٥٠'"),
    ('fees.0.tax_rate', 'missing', 'ok'),
    ('fees.0.tax_rate', 'type', "park:tax_rate: expected a number, got 'twelve'"),
    ('fees.0.tax_rate', 'big', 'ok'),
    ('fees.0.tax_rate', 'evil', "park:tax_rate: expected a number, got '1; DROP TABLE sale_order'"),
    ('fees.0.tax_rate', 'script', "park:tax_rate: expected a number, got '١٢٫٥٠'"),
]
# fmt: on
# fmt: on


def field_kind(cls, name):
    text = str({f.name: f.type for f in dataclasses.fields(cls)}[name])
    if name in ("billing", "shipping"):
        return "object"
    if name in ("lines", "discounts", "fees"):
        return "list"
    for key, kind in (("Decimal", "amount"), ("datetime", "date"), ("bool", "bool"), ("str", "text")):
        if key in text:
            return kind
    raise ValueError(f"no kind for {cls.__name__}.{name}")


def all_paths():
    """Every field of the canonical order, as the payload paths the catalogue uses."""
    paths = [f.name for f in dataclasses.fields(ChannelOrder)]
    for prefix, cls in (
        ("billing", ChannelAddress),
        ("shipping", ChannelAddress),
        ("lines.0", ChannelOrderLine),
        ("discounts.0", ChannelDiscount),
        ("fees.0", ChannelFee),
    ):
        paths += [f"{prefix}.{f.name}" for f in dataclasses.fields(cls)]
    return paths


def kind_of(path):
    parts = path.split(".")
    cls = (
        {
            "billing": ChannelAddress,
            "shipping": ChannelAddress,
            "lines": ChannelOrderLine,
            "discounts": ChannelDiscount,
            "fees": ChannelFee,
        }.get(parts[0])
        if len(parts) > 1
        else ChannelOrder
    )
    return field_kind(cls, parts[-1])


def base_order(external_id):
    """The canonical order, with a voucher and a fee so their fields are exercised too."""
    order = canonical_order(external_id, total_incl="51.47")
    order["discounts"] = [{"code": "WELCOME5", "title": "Voucher", "amount_incl": "5.00"}]
    order["fees"] = [{"code": "cod", "title": "Cash on delivery", "amount_incl": "2.00", "tax_rate": "19"}]
    return order


def bad_payload(external_id, path, kind):
    order = base_order(external_id)
    parts = path.split(".")
    target = order
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    key = parts[-1]
    if kind == "missing":
        target.pop(key, None)
        return order
    value = VALUES[kind_of(path)][kind]
    if value is None:  # "big" list / object: many entries
        value = oversized(path, order)
    target[key] = copy.deepcopy(value)
    return order


def oversized(path, order):
    if path == "lines":
        line = dict(order["lines"][0], quantity="1")
        order["total_incl"] = f"{19.99 * 300 + 4.99 - 5 + 2:.2f}"
        return [dict(line, external_id=f"L{i}") for i in range(300)]
    if path in ("discounts", "fees"):
        return [dict(order[path][0], amount_incl="0.01") for _i in range(50)]
    return dict(order[path], **{f"extra_{i}": BIG for i in range(50)})


@tagged("post_install", "-at_install")
class TestBadInputCatalogue(ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # quotations: the catalogue is about reading the payload, not confirming orders
        cls.account.order_type = "quotation"
        cls.account.fee_product_id = cls.product_mug.copy({"default_code": "FEE", "barcode": False})
        cls.account.discount_product_id = cls.product_mug.copy({"default_code": "DISC", "barcode": False})

    def sync_raw(self, raws):
        Account = type(self.env["connector.account"])
        with patch.object(Account, "_fetch_orders", lambda account, since: iter(raws)):
            return self.account._sync_orders()

    def test_catalogue_covers_every_field(self):
        rows = {(path, kind) for path, kind, _expected in CATALOGUE}
        missing = [(p, k) for p in all_paths() for k in KINDS if (p, k) not in rows]
        self.assertFalse(missing, f"{len(missing)} (field, kind) pairs without a row, e.g. {missing[:5]}")

    def test_catalogue(self):
        raws, ids = [], []
        for index, (path, kind, _expected) in enumerate(CATALOGUE):
            payload = bad_payload(f"BAD-{index}", path, kind)
            # the id the adapter reads is the payload's own (when it is one)
            external_id = payload.get("external_id")
            external_id = external_id if isinstance(external_id, str) and external_id else f"BAD-{index}"
            ids.append(external_id)
            raws.append(RawOrder(external_id, datetime(2026, 11, 20, 10, 5), payload, external_id[:64]))
        stats = self.sync_raw(raws)
        skipped = [row for row in CATALOGUE if row[2].startswith("skipped:")]
        self.assertEqual(stats["new"], len(CATALOGUE) - len(skipped), "every storable payload is stored")
        orders = {
            r.external_id: r
            for r in self.env["connector.order"].search([("account_id", "=", self.account.id)])
        }
        sales = {}
        for sale in self.env["sale.order"].search([("connector_account_id", "=", self.account.id)]):
            sales.setdefault(sale.connector_external_id, []).append(sale)
        logs = self.env["connector.sync.log"].search([("account_id", "=", self.account.id)])
        for line in logs:
            self.assertNotIn("Traceback", line.message or "")
        for external_id, (path, kind, expected) in zip(ids, CATALOGUE, strict=True):
            want, _sep, text = expected.partition(":")
            if want == "skipped":  # not storable at all: an error line says which and why
                self.assertNotIn(external_id, orders)
                self.assertTrue(
                    logs.filtered(lambda line, t=text: line.state == "error" and t in line.message)
                )
                continue
            record = orders[external_id]
            message = record.message or ""
            with self.subTest(path=path, kind=kind):
                self.assertNotIn("Traceback", message)
                self.assertNotIn("Unexpected error", message)
                outcome = {"done": "ok", "attention": "park", "ignored": "ignored"}.get(record.state)
                self.assertEqual(outcome, want, message)
                self.assertIn(text, message)
                if outcome == "ok":
                    self.assertEqual(len(sales.get(external_id, [])), 1)
                    self.assertEqual(record.sale_order_id, sales[external_id][0])
                else:
                    self.assertNotIn(external_id, sales, "no sale order, not even a partial one")
                    self.assertFalse(record.sale_order_id)
        # markup never reaches what people read and print: customers, addresses, order lines
        sale_orders = self.env["sale.order"].browse([s.id for group in sales.values() for s in group])
        partners = sale_orders.partner_id | sale_orders.partner_invoice_id | sale_orders.partner_shipping_id
        for partner in partners:
            for name in ("name", "street", "street2", "city", "zip", "phone", "email", "vat"):
                self.assertNotIn("<img", partner[name] or "", f"partner {name}")
        for sale in sale_orders:
            self.assertNotIn("<img", sale.client_order_ref or "")
            self.assertNotIn("onerror", str(sale.note or ""))
            for line in sale.order_line:
                self.assertNotIn("<img", line.name)
        # the non-Latin name arrived intact
        self.assertIn(SCRIPT, partners.mapped("name"))
        self.assertTrue(self.env["sale.order"].search_count([]), "the sale_order table is still there")
