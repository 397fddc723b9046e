# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon accounting calls on an :class:`~.client.AmazonClient`: invoice uploads (Feeds
API ``UPLOAD_VAT_INVOICE``) and settlement reports. Plain functions over the client's
paced, retried ``_call``, kept apart from the order and listing calls.

Sources (see readme/CONTEXT.md): feeds_2021-06-30.json, the invoice-feeds-attributes and
option-3 pages, python-amazon-sp-api 2.1.35 ``sp_api/api/feeds/feeds_2021_06_30.py``.
"""

import io
import re

from sp_api.api import Feeds, Reports

from odoo.addons.connector_base.exceptions import ChannelRequestError, ChannelRetryableError
from odoo.tools.translate import LazyTranslate

from . import settlement
from .client import iso_utc

_lt = LazyTranslate(__name__, default_lang="en_US")

FEED_UPLOAD_VAT_INVOICE = "UPLOAD_VAT_INVOICE"
FEED_DONE, FEED_WAITING, FEED_FAILED = "DONE", ("IN_QUEUE", "IN_PROGRESS"), ("CANCELLED", "FATAL")


def invoice_feed_options(invoice):
    """``feedOptions`` of an invoice upload: ``metadata:<Key>`` strings (invoice-feeds-attributes).

    ``TotalAmount`` / ``TotalVATAmount`` are only sent for invoices: Amazon compares them with
    the order's totals, which a credit note (often partial) does not have.
    """
    options = {
        "metadata:orderid": invoice.order_external_id,
        "metadata:invoicenumber": invoice.number,
        "metadata:documenttype": "CreditNote" if invoice.document_type == "credit_note" else "Invoice",
    }
    if invoice.document_type != "credit_note":
        options["metadata:totalamount"] = f"{invoice.amount_total:.2f}"
        options["metadata:totalvatamount"] = f"{invoice.amount_tax:.2f}"
    return options


def upload_vat_invoice(client, marketplace_id, pdf, options):
    """createFeedDocument (+ PUT of the PDF to its presigned URL), then createFeed.

    Each step is its own paced and retried call, so a fault on createFeed does not
    upload the document twice to one feed.

    :return: the feed id (Amazon processes the feed later: see :func:`feed_outcome`)
    """
    feeds = client._api(Feeds)

    def create_document():
        try:
            return feeds.create_feed_document(io.BytesIO(pdf), "application/pdf")
        except ValueError as exc:  # the library reads a refused upload's body as JSON
            raise ChannelRetryableError(_lt("the PDF upload was refused (%s)", exc)) from exc

    document = client._call("createFeedDocument", create_document, _lt("uploading the invoice PDF"))
    document_id = document.payload.get("feedDocumentId")
    if not document_id:
        raise ChannelRetryableError(
            _lt("Amazon did not return a feed document id. It will be tried again later.")
        )
    response = client._call(
        "createFeed",
        lambda: feeds.create_feed(
            FEED_UPLOAD_VAT_INVOICE,
            document_id,
            marketplaceIds=[marketplace_id],
            feedOptions=options,
        ),
        _lt("creating the invoice feed"),
    )
    feed_id = response.payload.get("feedId")
    if not feed_id:
        raise ChannelRetryableError(_lt("Amazon did not return a feed id. It will be tried again later."))
    return str(feed_id)


def feed_outcome(client, feed_id):
    """How Amazon processed a feed.

    :return: ``(status, errors)``: status ``DONE`` (errors: the processing report's
        messages, empty when accepted), one of :data:`FEED_WAITING`, or a failure status
    """
    feeds = client._api(Feeds)
    response = client._call("getFeed", lambda: feeds.get_feed(feed_id), _lt("checking the invoice feed"))
    status = response.payload.get("processingStatus")
    if status != FEED_DONE:
        return status, []
    document_id = response.payload.get("resultFeedDocumentId")
    if not document_id:
        return status, []
    text = client._call(
        "getFeedDocument",
        lambda: feeds.get_feed_result_document(document_id),
        _lt("reading the invoice feed result"),
    )
    return status, processing_errors(text)


def processing_errors(text):
    """The error messages of a feed processing report ("79517: Invalid OrderId …"): Amazon's
    texts, or our own translatable one (``str()`` them where the user's language is known).

    The layout of the UPLOAD_VAT_INVOICE report is not documented (assumed: the classic XML
    ProcessingReport; a JSON report with ``issues`` is read too).
    """
    if not isinstance(text, str):
        raise ChannelRequestError(_lt("Amazon's feed result could not be read."))
    if text.lstrip().startswith("<Error>"):  # the storage's error page (expired link)
        raise ChannelRetryableError(
            _lt("Amazon's feed result could not be downloaded. It will be tried again later.")
        )
    errors = []
    for result in re.findall(r"<Result>(.*?)</Result>", text, re.S):
        if re.search(r"<ResultCode>\s*Error\s*</ResultCode>", result):
            code = re.search(r"<ResultMessageCode>(.*?)</ResultMessageCode>", result, re.S)
            description = re.search(r"<ResultDescription>(.*?)</ResultDescription>", result, re.S)
            errors.append(": ".join(p.group(1).strip() for p in (code, description) if p) or "Error")
    if not errors and text.lstrip().startswith("{"):
        for issue in re.findall(r'"severity"\s*:\s*"ERROR".*?"message"\s*:\s*"([^"]*)"', text, re.S):
            errors.append(issue)
    if not errors:
        failed = re.search(r"<MessagesWithError>\s*([1-9]\d*)\s*</MessagesWithError>", text)
        if failed:
            errors.append(_lt("Amazon refused the document (no reason given)."))
    return errors


def iter_settlement_reports(client, since):
    """Yield the text of every settlement report Amazon published since ``since``.

    Settlement reports cannot be requested: Amazon creates them when a settlement period
    closes; getReports lists them (``reportTypes``, ``processingStatuses``, ``createdSince``,
    ``pageSize``; a ``nextToken`` page is asked with the token alone). Their documents hold
    no personal data: no Restricted Data Token.
    """
    reports = client._api(Reports)
    params = {
        "reportTypes": settlement.REPORT_TYPE,
        "processingStatuses": "DONE",
        "createdSince": iso_utc(since),
        "pageSize": 100,
    }
    while True:
        response = client._call(
            "getReports", lambda p=params: reports.get_reports(**p), _lt("listing the settlement reports")
        )
        payload = response.payload or {}
        for report in sorted(payload.get("reports") or [], key=lambda r: r.get("createdTime") or ""):
            document_id = report.get("reportDocumentId")
            if document_id:
                yield client._download_report(document_id, restricted=False)
        token = payload.get("nextToken") or response.next_token
        if not token:
            return
        params = {"nextToken": token}
