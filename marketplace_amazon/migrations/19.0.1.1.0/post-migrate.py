# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon listings were keyed by ASIN: key them by seller SKU, keep the ASIN aside."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for account in env["connector.account"].search([("provider", "=", "amazon")]):
        account._amazon_rekey_listings()
