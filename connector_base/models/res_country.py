# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models, tools


class ResCountry(models.Model):
    _inherit = "res.country"

    @api.model
    @tools.ormcache("code", cache="stable")
    def _connector_country_id(self, code):
        """Id of the country with ISO code ``code`` (0 when there is none).

        Cached per process: every imported address needs it. res.country clears
        the 'stable' cache itself when a code is created, changed or deleted.
        """
        country = self.search([("code", "=", code)], limit=1)
        # the column holds 2 characters: the search cuts longer values ("DOXYZ" -> DO)
        return country.id if country.code == code else 0
