# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_account
from . import test_order_import
