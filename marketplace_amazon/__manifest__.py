# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Amazon Connector",
    "summary": "Import Amazon Seller Central orders, push stock, offers and shipment "
    "confirmations through the Selling Partner API",
    "version": "19.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/odoo-channel-connectors",
    "depends": ["connector_base"],
    "external_dependencies": {"python": ["python-amazon-sp-api"]},
    "data": [
        "data/queue_job_data.xml",
        "views/connector_account_views.xml",
        "views/connector_listing_views.xml",
        "views/connector_account_accounting_views.xml",
    ],
}
