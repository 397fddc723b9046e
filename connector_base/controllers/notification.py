# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Channel notifications: an authenticated doorbell (the pattern of ``sale_gelato``'s webhook).

The channel calls ``/connector/notify/<account id>/<secret>``. The controller checks the
secret (and the channel's own signature where it has one), then only enqueues one
debounced sync job for that account: the job fetches the orders through the API, as a
poll would. Nothing a caller sends is imported as such.
"""

import hmac
import json
import logging

from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.connector_account_polling import NOTIFY_ROUTE, mask_callback_secret

_logger = logging.getLogger(__name__)


class _RedactCallbackSecret(logging.Filter):
    """Mask the secret of callback URLs in the HTTP access log (werkzeug logs every path)."""

    def filter(self, record):
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and NOTIFY_ROUTE in arg for arg in record.args
        ):
            record.args = tuple(
                mask_callback_secret(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str) and NOTIFY_ROUTE in record.msg:
            record.msg = mask_callback_secret(record.msg)
        return True


_redact_filter = _RedactCallbackSecret()
for _name in ("werkzeug", "odoo.http"):
    if not any(isinstance(f, _RedactCallbackSecret) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(_redact_filter)


class ConnectorNotificationController(http.Controller):
    _notify_url = f"{NOTIFY_ROUTE}/<int:account_id>/<string:secret>"

    @http.route(
        _notify_url, type="http", methods=["GET", "POST"], auth="public", csrf=False, save_session=False
    )
    def connector_notify(self, account_id, secret, **_kwargs):
        """Verify the caller, answer the channel's URL check (GET) or enqueue one sync (POST).

        :return: 200 (empty, or the handshake answer); 401/403 when not authentic
        """
        account_sudo = self._authenticate(account_id, secret)
        httprequest = request.httprequest
        if httprequest.method == "GET":
            response = account_sudo._notification_handshake(request)
            if response is None:
                raise NotFound()
            return response
        body = httprequest.get_data()
        status = account_sudo._notification_authenticate(request, body)
        if status:
            _logger.warning(
                "Notification for %s refused (%s): bad signature", account_sudo.display_name, status
            )
            raise Unauthorized() if status == 401 else Forbidden()
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            payload = {}
        if (
            account_sudo.active
            and account_sudo.import_orders
            and account_sudo._notification_wants_sync(payload)
        ):
            # the job runs as its creator: the scheduler's user, as the import cron does,
            # in the merchant's language
            account_sudo.with_user(SUPERUSER_ID)._in_merchant_language()._enqueue_notified_sync()
        return request.make_response("", status=200)

    @staticmethod
    def _authenticate(account_id, secret):
        """The account whose callback secret is ``secret``; Forbidden otherwise (in sudo
        after this check only: the secret is the caller's proof)."""
        account_sudo = request.env["connector.account"].sudo().browse(account_id).exists()
        expected = account_sudo.notification_callback_secret if account_sudo else None
        if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
            _logger.warning("Notification with an unknown account or a wrong secret refused")
            raise Forbidden()
        return account_sudo
