# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""VAT id check against the EU VIES SOAP service, through zeep.

Odoo's ``base_vat`` calls VIES through python-stdnum with a fixed WSDL URL;
the connector needs a configurable one (sandbox, local emulator) and an
explicit "could not check" outcome, which must never count as "invalid".
"""

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import requests
from stdnum.eu import vat as eu_vat

from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")

DEFAULT_WSDL = eu_vat.vies_wsdl
_CLIENTS = {}
_TYPES_NS = "urn:ec.europa.eu:taxud:vies:services:checkVat:types"


@dataclass
class ViesResult:
    valid: bool | None  # None: VIES could not answer
    name: str = ""
    address: str = ""
    error: str = ""  # VIES fault code or connection problem


def split_vat(vat):
    """('FR', '12345678901') from a VAT id; Greece's prefix is EL in VIES."""
    compact = (vat or "").upper().replace(" ", "").replace(".", "").replace("-", "")
    return compact[:2], compact[2:]


def check_vat(vat, wsdl_url=None, timeout=10):
    """Ask VIES whether ``vat`` (with country prefix) is a valid VAT id."""
    import zeep  # noqa: PLC0415 - optional heavy import, only when checking
    from zeep.transports import Transport  # noqa: PLC0415

    country, number = split_vat(vat)
    if len(country) != 2 or not country.isalpha() or not number:
        return ViesResult(False, error="INVALID_INPUT")
    wsdl_url = wsdl_url or DEFAULT_WSDL
    key = (wsdl_url, timeout)
    try:
        if key not in _CLIENTS:
            _CLIENTS[key] = zeep.Client(
                wsdl_url, transport=Transport(timeout=timeout, operation_timeout=timeout)
            )
        # The raw answer is read here: VIES dates carry a time zone ("2026-11-25+01:00")
        # that zeep's xsd:date parser refuses, and only valid/name/address matter.
        with _CLIENTS[key].settings(raw_response=True):
            response = _CLIENTS[key].service.checkVat(countryCode=country, vatNumber=number)
    except (requests.RequestException, OSError, zeep.exceptions.Error) as exc:
        _CLIENTS.pop(key, None)
        _logger.info("VIES unreachable: %s", type(exc).__name__)
        return ViesResult(None, error=str(_lt("VIES unreachable (%s)", type(exc).__name__)))
    return _parse_answer(response.content)


def _parse_answer(content):
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return ViesResult(None, error=str(_lt("VIES answered with malformed XML")))
    fault = root.find(".//{*}Fault")
    if fault is not None:
        code = (fault.findtext("faultstring") or fault.findtext("{*}faultstring") or "").strip()
        if code == "INVALID_INPUT":
            return ViesResult(False, error=code)
        _logger.info("VIES could not check a VAT id: %s", code)
        return ViesResult(None, error=code or str(_lt("VIES fault")))
    answer = root.find(f".//{{{_TYPES_NS}}}checkVatResponse")
    if answer is None:
        return ViesResult(None, error=str(_lt("VIES answered without a result")))
    valid = (answer.findtext(f"{{{_TYPES_NS}}}valid") or "").strip().lower() == "true"
    return ViesResult(
        valid,
        name=(answer.findtext(f"{{{_TYPES_NS}}}name") or "").strip(),
        address=(answer.findtext(f"{{{_TYPES_NS}}}address") or "").strip(),
    )
