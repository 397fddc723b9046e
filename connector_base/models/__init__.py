# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import account_tax
from . import connector_account
from . import connector_account_import
from . import connector_mapping
from . import connector_order
from . import connector_product_binding
from . import connector_sync_log
from . import res_config_settings
from . import sale_order
