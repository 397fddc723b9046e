# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_kaufland_catalogue,
    test_kaufland_e2e,
    test_kaufland_progress,
    test_kaufland_refunds,
    test_ui_tour,
)
