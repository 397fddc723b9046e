# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors a channel client raises, so the engine knows what to do with them.

Their messages are shown to people: say what happened and what to do, never a
credential.
"""


class ChannelError(Exception):
    """Base class: a call to the channel did not do what was asked."""

    def __init__(self, message, status=None, response_text=None):
        super().__init__(message)
        self.status = status
        self.response_text = response_text


class ChannelAuthError(ChannelError):
    """Credentials refused (401/403, bad signature, clock skew): a person must act."""


class ChannelRetryableError(ChannelError):
    """Transient fault (timeout, connection reset, 429, 5xx): try again later."""

    def __init__(self, message, status=None, response_text=None, retry_after=None):
        super().__init__(message, status=status, response_text=response_text)
        self.retry_after = retry_after


class ChannelRequestError(ChannelError):
    """The channel refused the request as invalid (4xx other than auth)."""
