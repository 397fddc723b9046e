# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Kaufland Marketplace Connector",
    "summary": "Import Kaufland orders, push stock, offers and shipments (Seller API v2)",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/odoo-channel-connectors",
    "depends": ["connector_base"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "views/connector_account_views.xml",
        "views/kaufland_payout_import_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "marketplace_kaufland/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
