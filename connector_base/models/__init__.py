# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_tax,
    connector_account,
    connector_account_export,
    connector_account_import,
    connector_account_vat,
    connector_attribute_mapping,
    connector_mapping,
    connector_order,
    connector_product_binding,
    connector_sync_log,
    product_template,
    res_config_settings,
    sale_order,
    sale_order_export,
    stock_move,
    stock_picking,
)
