# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_account,
    test_catalogue,
    test_export,
    test_field_mapping,
    test_order_import,
    test_order_retry,
    test_progress,
    test_progress_ui,
    test_refund,
    test_reliability,
    test_security,
    test_translations,
    test_vat,
)
