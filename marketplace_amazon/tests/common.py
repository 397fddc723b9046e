# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amazon end-to-end test base: the SP-API + LWA emulator in a thread, real HTTP through
python-amazon-sp-api (httpx).

The HTTP server is started once per class; every test plugs a fresh emulator application
into it (listings of the test products), so emulator state never leaks from one test to the
next while Odoo rolls the database back.
"""

from datetime import timedelta

from odoo import Command
from odoo.addons.connector_base.tests.common import ConnectorCommon
from odoo.addons.marketplace_amazon import client as amazon_client
from tests.emulators.amazon import DE, DEMO_ACCOUNT_VALUES, NL, AmazonEmulator, ean13
from tests.emulators.amazon import _now as emulator_now
from tests.emulators.base import EmulatorServer

ERIKA_SHIPPING = {
    "name": "Erika Mustermann",
    "addressLine1": "Packstation 105",
    "addressLine2": "Postnummer 12345678",
    "postalCode": "51147",
    "city": "Köln",
    "countryCode": "DE",
    "phone": "+49 221 1234567",
}
ERIKA_BILLING = {
    "name": "Erika Mustermann",
    "addressLine1": "Heidestraße 17",
    "postalCode": "51147",
    "city": "Köln",
    "countryCode": "DE",
}
ERIKA_BUYER = {"name": "Erika Mustermann", "email": "q7k2m9x4erika@marketplace.amazon.de"}
ACME_SHIPPING = {
    "name": "Lager ACME",
    "companyName": "ACME Handels GmbH",
    "addressLine1": "Hafenweg 2",
    "addressLine2": "Tor 3",
    "postalCode": "20457",
    "city": "Hamburg",
    "countryCode": "DE",
    "addressType": "COMMERCIAL",
}
ACME_BILLING = {
    "name": "ACME Handels GmbH",
    "companyName": "ACME Handels GmbH",
    "addressLine1": "Industriestraße 5",
    "postalCode": "10115",
    "city": "Berlin",
    "countryCode": "DE",
}
ACME_VAT = "DE811907980"
SANNE_ADDRESS = {
    "name": "Sanne de Vries",
    "addressLine1": "Keizersgracht 100",
    "postalCode": "1015 CW",
    "city": "Amsterdam",
    "countryCode": "NL",
}


class AmazonCommon(ConnectorCommon):
    """ConnectorCommon with an Amazon account on amazon.de and amazon.nl against the emulator.

    The company is registered for OSS (l10n_eu_oss positions): Dutch consumers pay 21 % NL VAT.
    """

    provider = "amazon"

    @classmethod
    def setUpClass(cls):
        cls.server = EmulatorServer(AmazonEmulator()).start()
        cls.addClassCleanup(cls.server.stop)
        super().setUpClass()
        cls.Binding = cls.env["connector.product.binding"]
        cls.asins = {"SHIRT-1": "B0SHIRT001", "MUG-1": "B0MUG00001", "BOOK-1": "B0BOOK0001"}

    @classmethod
    def _setup_company(cls, name, country_xmlid, chart_template):
        company = super()._setup_company(name, country_xmlid, chart_template)
        if not cls.env["account.fiscal.position"].search_count(
            [("company_id", "=", company.id), ("name", "=like", "OSS B2C %")]
        ):
            company.with_company(company)._map_eu_taxes()  # "OSS Tax mapping" in the settings
        return company

    @classmethod
    def _account_vals(cls):
        return {
            **DEMO_ACCOUNT_VALUES,
            "name": "Amazon Test",
            "api_base_url": cls.server.url,
            "amazon_marketplace_ids": f"{DE},{NL}",
            "amazon_import_fba": False,
            # no VIES service here: the buyer's VAT id is checked by its format
            "vat_check_mode": "format",
        }

    def setUp(self):
        super().setUp()
        # The library caches LWA access tokens and the client shares one rate limiter per
        # seller and host, both for the whole process: every test starts with neither.
        amazon_client.clear_token_cache()
        amazon_client._shared_limiters.clear()
        self.emulator = self._new_emulator()
        self.server.httpd.app = self.emulator
        self.emulator.public_url = self.server.url  # start() told only the first application

    def _new_emulator(self):
        emulator = AmazonEmulator()
        emulator.report_polls = 1  # the invoicing report is ready at the first poll (no 10 s wait)
        for product in (self.product_shirt, self.product_mug, self.product_book):
            emulator.add_listing(
                product.default_code,
                self.asins[product.default_code],
                product.list_price,
                quantity=0,
                title=product.name,
                ean=product.barcode,
            )
        emulator.add_catalog_item("B0KETTLE01", ean13("400000000055"), "Water kettle", "KITCHEN")
        return emulator

    # --- orders in the emulator ------------------------------------------------------

    def seed_orders(self):
        """The standard order set; returns ``{name: order id}``.

        - ``erika``: amazon.de consumer, 2 shirts (19 %, 2.00 promotion, 3.90 shipping) and
          1 book (7 %); delivery to a Packstation, billing address only in the TXT report
        - ``acme``: amazon.de business buyer (Amazon Business, VAT id, PO number), delivery to
          its warehouse, billing to its head office, 3 mugs
        - ``sanne``: amazon.nl consumer, 1 shirt at 21 % NL VAT, shipping 4.90 fully discounted
        - ``erika2``: the repeat customer, 1 mug
        - ``facilitator``: Amazon collects the VAT (marketplace facilitator), 1 mug
        - ``fba``: fulfilled by Amazon, already shipped, 2 books
        - ``shipped``: merchant order already shipped (not an import status)
        - ``pending``: not paid yet (Pending)
        - ``belgium``: on amazon.com.be, which the account does not sell on
        """
        emu = self.emulator
        now = emulator_now()

        def order(items, minutes_ago, **kwargs):
            return emu.add_order(items, created=now - timedelta(minutes=minutes_ago), **kwargs)

        erika = {"buyer": ERIKA_BUYER, "address": ERIKA_SHIPPING, "billing": ERIKA_BILLING}
        ids = {
            "erika": order(
                [
                    {"sku": "SHIRT-1", "qty": 2, "price": "19.99", "shipping": "3.90", "promo": "2.00"},
                    {"sku": "BOOK-1", "qty": 1, "price": "12.00", "tax_rate": 7},
                ],
                300,
                **erika,
            ),
            "acme": order(
                [{"sku": "MUG-1", "qty": 3, "price": "9.50"}],
                290,
                buyer={
                    "name": "Max Muster",
                    "email": "m4x8acme@marketplace.amazon.de",
                    "company": "ACME Handels GmbH",
                },
                address=ACME_SHIPPING,
                billing=ACME_BILLING,
                business=True,
                vat=ACME_VAT,
                legal_name="ACME Handels GmbH",
                po_number="PO-4711",
            ),
            "sanne": order(
                [
                    {
                        "sku": "SHIRT-1",
                        "qty": 1,
                        "price": "21.99",
                        "tax_rate": 21,
                        "shipping": "4.90",
                        "ship_discount": "4.90",
                    }
                ],
                280,
                marketplace_id=NL,
                buyer={"name": "Sanne de Vries", "email": "b9m4k7w1sanne@marketplace.amazon.nl"},
                address=SANNE_ADDRESS,
            ),
            "erika2": order([{"sku": "MUG-1", "qty": 1, "price": "9.50"}], 270, **erika),
            "facilitator": order(
                [{"sku": "MUG-1", "qty": 1, "price": "9.50"}],
                260,
                buyer={"name": "Oliver Brown", "email": "k4l8oliver@marketplace.amazon.de"},
                address={
                    "name": "Oliver Brown",
                    "addressLine1": "Bahnhofstraße 22",
                    "postalCode": "60311",
                    "city": "Frankfurt am Main",
                    "countryCode": "DE",
                },
                facilitator=True,
            ),
            "fba": order(
                [{"sku": "BOOK-1", "qty": 2, "price": "12.00", "tax_rate": 7}],
                250,
                status="SHIPPED",
                fulfilled_by="AMAZON",
                buyer={"name": "Mia Fischer"},
                address={
                    "name": "Mia Fischer",
                    "postalCode": "20095",
                    "city": "Hamburg",
                    "countryCode": "DE",
                },
            ),
            "shipped": order(
                [{"sku": "BOOK-1", "qty": 1, "price": "12.00", "tax_rate": 7}],
                400,
                status="SHIPPED",
                **erika,
            ),
            "pending": order(
                [{"sku": "BOOK-1", "qty": 1, "price": "12.00", "tax_rate": 7}], 240, status="PENDING", **erika
            ),
            "belgium": order(
                [{"sku": "SHIRT-1", "qty": 1, "price": "19.99", "tax_rate": 21}],
                230,
                marketplace_id="AMEN7PMS3EDWL",
                buyer={"name": "Lucas Dubois", "email": "z1x5lucas@marketplace.amazon.com.be"},
                address={
                    "name": "Lucas Dubois",
                    "addressLine1": "Rue Neuve 5",
                    "postalCode": "1000",
                    "city": "Bruxelles",
                    "countryCode": "BE",
                },
            ),
        }
        emu.reset_log()
        return ids

    def queue_jobs_and_render_reports(self):
        """Jobs are queued (run them with ChannelJobsMixin) and PDFs really rendered."""
        self.env = self.env(
            context=dict(self.env.context, queue_job__no_delay=False, force_report_rendering=True)
        )
        self.account = self.account.with_env(self.env)

    def map_dhl_shipping(self):
        """Amazon's STANDARD shipping is DHL Paket in Odoo, carrier code DHL at Amazon."""
        carrier_product = self.env["product.product"].create(
            {"name": "DHL Paket", "type": "service", "taxes_id": self.tax_19.ids}
        )
        carrier = self.env["delivery.carrier"].create(
            {"name": "DHL Paket", "product_id": carrier_product.id, "company_id": self.company.id}
        )
        self.env["connector.shipping.mapping"].create(
            {
                "account_id": self.account.id,
                "code": "STANDARD",
                "carrier_id": carrier.id,
                "channel_carrier_code": "DHL",
            }
        )

    def set_facilitator_position(self):
        """The fiscal position of VAT collected by Amazon: 19 % -> 0 % (as test_vat builds it)."""
        position = self.env["account.fiscal.position"].create(
            {"name": "Amazon collects VAT", "company_id": self.company.id}
        )
        self.env["account.tax"].create(
            {
                "name": "0% VAT collected by Amazon",
                "amount": 0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "country_id": self.env.ref("base.de").id,
                "fiscal_position_ids": [Command.set(position.ids)],
                "original_tax_ids": [Command.set(self.tax_19.ids)],
            }
        )
        self.account.fp_channel_vat_id = position
        return position

    # --- helpers -----------------------------------------------------------------------

    def channel_total(self, order_id):
        """The order's grand total as the emulator serves it (searchOrders proceeds)."""
        spec = self.emulator.orders[order_id]
        return float(self.emulator._order_2026(spec, {"PROCEEDS"})["proceeds"]["grandTotal"]["amount"])

    def connector_order(self, external_id):
        return self.env["connector.order"].search(
            [("account_id", "=", self.account.id), ("external_id", "=", external_id)]
        )

    def sale_of(self, external_id):
        record = self.connector_order(external_id)
        self.assertEqual(record.state, "done", record.message)
        return record.sale_order_id

    def account_sales(self):
        return self.env["sale.order"].search([("connector_account_id", "=", self.account.id)])

    def logs(self, **domain):
        return self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def bind_all(self):
        return self.Binding.create(
            [
                {"account_id": self.account.id, "product_id": p.id, "external_sku": p.default_code}
                for p in (self.product_shirt, self.product_mug, self.product_book)
            ]
        )
