# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    connector_account,
    connector_account_accounting,
    connector_account_catalogue,
    connector_account_polling,
    connector_account_refund,
    connector_listing,
    connector_order,
)
