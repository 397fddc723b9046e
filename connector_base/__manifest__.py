# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Channel Connectors (base)",
    "summary": "Import marketplace and webshop orders, push stock, products "
    "and shipments: the engine shared by the channel connectors",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/odoo-channel-connectors",
    "depends": [
        "sale_stock",
        "stock_delivery",
        "base_vat",
        "queue_job",
    ],
    "external_dependencies": {"python": ["requests", "zeep"]},
    "data": [
        "security/connector_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "data/connector_data.xml",
        "views/connector_account_views.xml",
        "views/connector_order_views.xml",
        "views/connector_sync_log_views.xml",
        "views/connector_product_binding_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/connector_menus.xml",
    ],
    "installable": True,
    "application": False,
}
