# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_amazon_catalogue, test_amazon_e2e
