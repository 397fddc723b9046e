# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_ccv_catalogue, test_ccv_e2e, test_ccv_faults, test_ccv_i18n, test_ccv_refunds
