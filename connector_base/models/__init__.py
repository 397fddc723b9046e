# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_move,
    account_tax,
    connector_account,
    connector_account_catalogue,
    connector_account_dashboard,
    connector_account_export,
    connector_account_import,
    connector_account_polling,
    connector_account_refund,
    connector_account_variant,
    connector_account_vat,
    connector_attribute_mapping,
    connector_channel_record,
    connector_field_mapping,
    connector_field_mapping_preview,
    connector_listing,
    connector_mapping,
    connector_notification_subscription,
    connector_order,
    connector_product_binding,
    connector_progress,
    connector_record_key,
    connector_refund,
    connector_sync_log,
    connector_sync_log_notification,
    connector_sync_log_refund,
    product_template,
    res_config_settings,
    res_country,
    res_partner,
    sale_order,
    sale_order_export,
    stock_move,
    stock_picking,
)

# isort: off
# accounting with the channels: after the models it extends (connector.sync.log)
from . import account_move_channel, connector_settlement
# isort: on
