# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Channel Connectors: CCV Shop",
    "summary": "Import CCV Shop orders; push stock, products and shipments to CCV Shop",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/odoo-channel-connectors",
    "depends": ["connector_base"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "views/connector_account_views.xml",
    ],
    "installable": True,
    "application": False,
}
