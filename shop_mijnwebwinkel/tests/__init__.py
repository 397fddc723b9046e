# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_mijnwebwinkel_catalogue,
    test_mijnwebwinkel_e2e,
    test_mijnwebwinkel_faults,
    test_mijnwebwinkel_i18n,
    test_mijnwebwinkel_refunds,
)
