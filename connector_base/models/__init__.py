# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_tax,
    connector_account,
    connector_account_import,
    connector_account_vat,
    connector_mapping,
    connector_order,
    connector_product_binding,
    connector_sync_log,
    res_config_settings,
    sale_order,
)
