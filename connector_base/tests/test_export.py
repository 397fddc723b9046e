# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import hashlib
import io
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from PIL import Image

from odoo import Command, fields
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tests import tagged

from ..exceptions import ChannelRetryableError
from ..schema import PushResult
from .common import ConnectorCommon


def _png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), colour).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


PNG = _png("red")


@tagged("post_install", "-at_install")
class TestExport(ConnectorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Binding = cls.env["connector.product.binding"]
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")

    # --- helpers ------------------------------------------------------------

    @contextmanager
    def channel_hooks(self, batch_size=100, stock_errors=None, product_errors=None):
        """Patch the provider hooks; record what the engine hands them."""
        calls = {"stock": [], "products": [], "shipments": [], "cancel": []}

        def push_stock(account, items):
            calls["stock"].append(list(items))
            return PushResult(
                errors={i.sku: stock_errors[i.sku] for i in items if i.sku in (stock_errors or {})}
            )

        def push_products(account, products):
            calls["products"].append(list(products))
            errors = {p.sku: product_errors[p.sku] for p in products if p.sku in (product_errors or {})}
            return PushResult(
                external_ids={p.sku: f"ext-{p.sku}" for p in products if p.sku not in errors}, errors=errors
            )

        def confirm_shipment(account, shipment):
            calls["shipments"].append(shipment)

        def cancel_lines(account, order_external_id, line_external_ids, reason):
            calls["cancel"].append((order_external_id, line_external_ids, reason))
            return True

        Account = type(self.env["connector.account"])
        with (
            patch.object(Account, "_push_stock", push_stock),
            patch.object(Account, "_get_stock_batch_size", lambda account: batch_size),
            patch.object(Account, "_push_products", push_products),
            patch.object(Account, "_confirm_shipment", confirm_shipment),
            patch.object(Account, "_cancel_order_lines", cancel_lines),
        ):
            yield calls

    def bind(self, *products, account=None):
        account = account or self.account
        return self.Binding.create(
            [{"account_id": account.id, "product_id": p.id, "external_sku": p.default_code} for p in products]
        )

    def bind_all(self):
        return self.bind(self.product_shirt, self.product_mug, self.product_book)

    @staticmethod
    def sent(calls):
        return {item.sku: item.quantity for batch in calls["stock"] for item in batch}

    def move(self, product, qty, source, dest):
        move = self.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "company_id": self.company.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        return move

    # --- stock --------------------------------------------------------------

    def test_stock_modes_buffer_and_floor(self):
        self.bind_all()
        # 3 shirts reserved for a customer, 10 mugs expected from a supplier
        self.move(self.product_shirt, 3, self.stock_location, self.customers)
        self.move(self.product_mug, 10, self.suppliers, self.stock_location)
        expected = {
            "available": {"SHIRT-1": 47, "MUG-1": 20, "BOOK-1": 5},
            "on_hand": {"SHIRT-1": 50, "MUG-1": 20, "BOOK-1": 5},
            "forecast": {"SHIRT-1": 47, "MUG-1": 30, "BOOK-1": 5},
        }
        for mode, quantities in expected.items():
            with self.subTest(mode=mode), self.channel_hooks() as calls:
                self.account.stock_mode = mode
                self.account._export_stock(force=True)
                self.assertEqual(self.sent(calls), quantities)
        # buffer 6 and fractional stock: floor of (qty - buffer), never below 0
        self.env["stock.quant"]._update_available_quantity(self.product_mug, self.stock_location, 0.5)
        self.account.write({"stock_mode": "on_hand", "stock_buffer": 6})
        with self.channel_hooks() as calls:
            self.account._export_stock(force=True)
        self.assertEqual(self.sent(calls), {"SHIRT-1": 44, "MUG-1": 14, "BOOK-1": 0})
        item = calls["stock"][0][0]
        self.assertIsInstance(item.quantity, int)
        self.assertIs(item.managed_by_channel, True)
        self.assertEqual(item.ean, "4006381333931")

    def test_only_changed_skus_are_sent(self):
        bindings = self.bind_all()
        with self.channel_hooks() as calls:
            self.assertEqual(self.account._export_stock(), 3)
            self.assertEqual(self.sent(calls), {"SHIRT-1": 50, "MUG-1": 20, "BOOK-1": 5})
            self.assertTrue(all(bindings.mapped("stock_pushed")))
            self.assertEqual(bindings.mapped("last_stock_qty"), [50, 20, 5])
            self.assertTrue(self.account.last_stock_push_at)

            calls["stock"].clear()
            self.assertEqual(self.account._export_stock(), 0)
            self.assertEqual(calls["stock"], [])

            self.env["stock.quant"]._update_available_quantity(self.product_mug, self.stock_location, -4)
            self.assertEqual(self.account._export_stock(), 1)
            self.assertEqual(self.sent(calls), {"MUG-1": 16})
        mug = bindings.filtered(lambda b: b.product_id == self.product_mug)
        self.assertEqual(mug.last_stock_qty, 16)

    def test_rejected_sku_is_logged_and_others_stored(self):
        bindings = self.bind_all()
        with self.channel_hooks(stock_errors={"MUG-1": "EAN unknown to the channel"}) as calls:
            self.account._export_stock()
        self.assertEqual(len(calls["stock"]), 1)
        mug = bindings.filtered(lambda b: b.product_id == self.product_mug)
        others = bindings - mug
        self.assertEqual(mug.last_error, "EAN unknown to the channel")
        self.assertFalse(mug.stock_pushed)
        self.assertEqual(others.mapped("stock_pushed"), [True, True])
        self.assertEqual(others.mapped("last_stock_qty"), [50, 5])
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "stock"), ("state", "=", "error")]
        )
        self.assertEqual(log.external_ref, "MUG-1")
        self.assertEqual(log.direction, "out")
        self.assertIn("EAN unknown to the channel", log.message)
        # the rejected SKU is offered again next time, alone
        with self.channel_hooks() as calls:
            self.assertEqual(self.account._export_stock(), 1)
        self.assertEqual(self.sent(calls), {"MUG-1": 20})
        self.assertFalse(mug.last_error)

    def test_batches_follow_the_channel_batch_size(self):
        self.bind_all()
        with self.channel_hooks(batch_size=2) as calls:
            self.assertEqual(self.account._export_stock(), 3)
        self.assertEqual(
            [[i.sku for i in batch] for batch in calls["stock"]], [["SHIRT-1", "MUG-1"], ["BOOK-1"]]
        )

    def test_retryable_channel_error_retries_the_job(self):
        bindings = self.bind_all()
        Account = type(self.env["connector.account"])

        def fail(account, items):
            raise ChannelRetryableError("429 Too Many Requests", status=429, retry_after=30)

        with patch.object(Account, "_push_stock", fail), self.assertRaises(RetryableJobError) as caught:
            self.account._push_stock_job(bindings.ids)
        self.assertEqual(caught.exception.seconds, 30)
        self.assertFalse(any(bindings.mapped("stock_pushed")))

    def test_stock_change_of_bound_product_triggers_the_cron_once(self):
        self.bind(self.product_mug)
        cron = self.env.ref("connector_base.ir_cron_connector_export_stock")
        Trigger = self.env["ir.cron.trigger"].sudo()
        now = fields.Datetime.now()
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        # an unbound product: no trigger
        self.env["stock.quant"]._update_available_quantity(self.product_book, self.stock_location, 1)
        self.env.cr.precommit.run()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 0)
        self.env["stock.quant"]._update_available_quantity(self.product_mug, self.stock_location, 1)
        self.env.cr.precommit.run()
        triggers = Trigger.search([("cron_id", "=", cron.id)])
        self.assertEqual(len(triggers), 1)
        self.assertGreaterEqual(triggers.call_at, now)
        # a second change while the push is planned adds nothing (debounce)
        self.env["stock.quant"]._update_available_quantity(self.product_mug, self.stock_location, 1)
        self.env.cr.precommit.run()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)

    # --- products -----------------------------------------------------------

    def _publish(self, *templates, account=None):
        for template in templates:
            template.connector_account_ids = [Command.link((account or self.account).id)]

    def test_product_export_builds_channel_products_and_bindings(self):
        parent = self.env["product.category"].create({"name": "Apparel"})
        shirts = self.env["product.category"].create({"name": "Shirts", "parent_id": parent.id})
        self.product_shirt.write(
            {
                "categ_id": shirts.id,
                "description_sale": "Organic cotton.\nMade in Portugal.",
                "image_1920": PNG,
            }
        )
        self._publish(self.product_shirt.product_tmpl_id, self.product_book.product_tmpl_id)
        self.account.pricelist_id = self.env["product.pricelist"].create(
            {"name": "Channel EUR", "currency_id": self.env.ref("base.EUR").id, "company_id": self.company.id}
        )
        with self.channel_hooks() as calls:
            self.assertEqual(self.account._export_products(), 2)
        products = {p.sku: p for batch in calls["products"] for p in batch}
        self.assertEqual(set(products), {"SHIRT-1", "BOOK-1"})  # the mug is not published
        shirt = products["SHIRT-1"]
        self.assertEqual(shirt.name, "T-Shirt")
        self.assertEqual(shirt.ean, "4006381333931")
        self.assertEqual(shirt.price, Decimal("23.79"))  # 19.99 + 19 %
        self.assertTrue(shirt.price_includes_tax)
        self.assertEqual(shirt.tax_rate, Decimal("19"))
        self.assertEqual(shirt.currency, "EUR")
        self.assertEqual(shirt.quantity, Decimal(50))
        self.assertEqual(shirt.category_path, ["Apparel", "Shirts"])
        self.assertEqual(shirt.description, "Organic cotton.\nMade in Portugal.")
        self.assertEqual(shirt.short_description, "Organic cotton.")
        self.assertEqual(len(shirt.images), 1)
        self.assertEqual(shirt.image_checksums, [hashlib.sha1(shirt.images[0]).hexdigest()])
        self.assertEqual(products["BOOK-1"].price, Decimal("12.84"))  # 12.00 + 7 %
        self.assertEqual(shirt.parent_sku, "")
        bindings = self.account.binding_ids
        self.assertEqual(bindings.product_id, self.product_shirt | self.product_book)
        shirt_binding = bindings.filtered(lambda b: b.product_id == self.product_shirt)
        self.assertEqual((shirt_binding.external_id, shirt_binding.external_sku), ("ext-SHIRT-1", "SHIRT-1"))
        self.assertEqual(shirt_binding.image_checksums, shirt.image_checksums[0])

        # net prices, and images the channel already has are not sent again
        self.account.write({"product_price_incl_tax": False, "update_product_info": True})
        with self.channel_hooks() as calls:
            self.account._export_products()
        shirt = {p.sku: p for batch in calls["products"] for p in batch}["SHIRT-1"]
        self.assertEqual(shirt.price, Decimal("19.99"))
        self.assertFalse(shirt.price_includes_tax)
        self.assertEqual(shirt.external_id, "ext-SHIRT-1")
        self.assertEqual(shirt.images, [])
        self.assertEqual(len(shirt.image_checksums), 1)

    def test_product_domain_filters_published_products(self):
        self._publish(self.product_shirt.product_tmpl_id, self.product_mug.product_tmpl_id)
        self.account.product_domain = "[('default_code', '=like', 'SHIRT%')]"
        with self.channel_hooks() as calls:
            self.assertEqual(self.account._export_products(), 1)
        self.assertEqual([p.sku for batch in calls["products"] for p in batch], ["SHIRT-1"])

    def test_variant_attributes_features_and_parent(self):
        Attribute = self.env["product.attribute"]
        size = Attribute.create(
            {"name": "Size", "value_ids": [Command.create({"name": "S"}), Command.create({"name": "M"})]}
        )
        colour = Attribute.create(
            {
                "name": "Colour",
                "value_ids": [Command.create({"name": "Red"}), Command.create({"name": "Blue"})],
            }
        )
        origin = Attribute.create(
            {
                "name": "Origin",
                "create_variant": "no_variant",
                "value_ids": [Command.create({"name": "Germany"})],
            }
        )
        template = self.env["product.template"].create(
            {
                "name": "Hoodie",
                "is_storable": True,
                "list_price": 50.0,
                "taxes_id": [Command.set(self.tax_19.ids)],
                "connector_parent_sku": "HOODIE",
                "attribute_line_ids": [
                    Command.create({"attribute_id": size.id, "value_ids": [Command.set(size.value_ids.ids)]}),
                    Command.create(
                        {"attribute_id": colour.id, "value_ids": [Command.set(colour.value_ids.ids)]}
                    ),
                    Command.create(
                        {"attribute_id": origin.id, "value_ids": [Command.set(origin.value_ids.ids)]}
                    ),
                ],
            }
        )
        self.assertEqual(template.product_variant_count, 4)
        variant = template.product_variant_ids.filtered(
            lambda p: set(p.product_template_attribute_value_ids.mapped("name")) == {"M", "Red"}
        )
        variant.default_code = "HOODIE-M-RED"
        self._publish(template)
        self.env["connector.attribute.mapping"].create(
            [
                {"account_id": self.account.id, "attribute_id": colour.id, "channel_name": "color"},
                {
                    "account_id": self.account.id,
                    "kind": "feature",
                    "attribute_id": origin.id,
                    "channel_name": "country_of_origin",
                },
                {
                    "account_id": self.account.id,
                    "kind": "feature",
                    "field_id": self.env.ref("product.field_product_product__barcode").id,
                    "channel_name": "gtin",
                },
            ]
        )
        variant.barcode = "4000000000017"
        with self.channel_hooks() as calls:
            # the three variants without a SKU are not sent (and logged)
            self.assertEqual(self.account._export_products(), 1)
        (product,) = [p for batch in calls["products"] for p in batch]
        self.assertEqual(product.sku, "HOODIE-M-RED")
        self.assertEqual(product.attributes, {"Size": "M", "color": "Red"})
        self.assertEqual(product.features, {"country_of_origin": "Germany", "gtin": "4000000000017"})
        self.assertEqual(product.parent_sku, "HOODIE")
        self.assertEqual(product.price, Decimal("59.50"))
        warning = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "product"), ("state", "=", "warning")]
        )
        self.assertIn("no internal reference", warning.message)

    def test_update_product_info_off_sends_bound_products_only_for_a_new_price(self):
        self._publish(self.product_shirt.product_tmpl_id, self.product_mug.product_tmpl_id)
        self.product_mug.image_1920 = PNG
        self.bind(self.product_mug)  # bound by hand: no price was ever sent to the channel
        self.assertFalse(self.account.update_product_info)

        def pushed(calls):
            return {p.sku: p for batch in calls["products"] for p in batch}

        def assert_price_only(product, price, external_id=""):
            self.assertTrue(product.price_only)
            self.assertEqual((product.price, product.currency), (Decimal(price), "EUR"))
            self.assertTrue(product.price_includes_tax)
            self.assertEqual(product.external_id, external_id)
            # nothing descriptive, no stock: what was edited in the channel stays
            self.assertEqual((product.name, product.description, product.short_description), ("", "", ""))
            self.assertEqual((product.images, product.category_path), ([], []))
            self.assertEqual((product.attributes, product.features, product.quantity), ({}, {}, None))

        with self.channel_hooks() as calls:
            self.assertEqual(self.account._export_products(), 2)
        sent = pushed(calls)
        self.assertFalse(sent["SHIRT-1"].price_only)  # created: everything
        self.assertEqual(sent["SHIRT-1"].name, "T-Shirt")
        assert_price_only(sent["MUG-1"], "11.31")  # 9.50 + 19 %
        mug_binding = self.account.binding_ids.filtered(lambda b: b.product_id == self.product_mug)
        self.assertEqual(mug_binding.last_price, "11.31 EUR")
        self.assertFalse(mug_binding.image_checksums, "the images were not sent")

        with self.channel_hooks() as calls:
            # unchanged, or changed in descriptive data only: nothing is sent
            self.product_shirt.name = "T-Shirt Organic"
            self.assertEqual(self.account._export_products(), 0)
            # the job itself re-checks (a job queued before the price was sent)
            self.account._push_products_job((self.product_shirt | self.product_mug).ids)
            self.assertEqual(calls["products"], [])

            # a new sales price: the price alone
            self.product_shirt.list_price = 24.99
            self.assertEqual(self.account._export_products(), 1)
            (shirt,) = pushed(calls).values()
            assert_price_only(shirt, "29.74", "ext-SHIRT-1")  # 24.99 + 19 %
            calls["products"].clear()

            # the account's pricelist decides the price
            self.account.pricelist_id = self.env["product.pricelist"].create(
                {
                    "name": "Channel EUR",
                    "currency_id": self.env.ref("base.EUR").id,
                    "company_id": self.company.id,
                    "item_ids": [
                        Command.create(
                            {
                                "applied_on": "0_product_variant",
                                "product_id": self.product_mug.id,
                                "compute_price": "fixed",
                                "fixed_price": 8.0,
                            }
                        )
                    ],
                }
            )
            self.assertEqual(self.account._export_products(), 1)
            (mug,) = pushed(calls).values()
            assert_price_only(mug, "9.52", "ext-MUG-1")  # 8.00 + 19 %
        self.assertEqual(mug_binding.last_price, "9.52 EUR")
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "product"), ("state", "=", "done")], limit=1
        )
        self.assertEqual(log.message, "1 products sent, 0 new. 1 of them: the new price only.")

        # update product info on: bound products are sent whole
        self.account.update_product_info = True
        with self.channel_hooks() as calls:
            self.assertEqual(self.account._export_products(), 2)
        sent = pushed(calls)
        self.assertEqual({sku: p.price_only for sku, p in sent.items()}, {"SHIRT-1": False, "MUG-1": False})
        self.assertEqual(sent["SHIRT-1"].name, "T-Shirt Organic")
        self.assertEqual(sent["SHIRT-1"].external_id, "ext-SHIRT-1")

    def test_rejected_product_gets_no_binding(self):
        self._publish(self.product_shirt.product_tmpl_id, self.product_mug.product_tmpl_id)
        with self.channel_hooks(product_errors={"MUG-1": "Category required"}):
            self.account._export_products()
        self.assertEqual(self.account.binding_ids.product_id, self.product_shirt)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "product"), ("state", "=", "error")]
        )
        self.assertEqual(log.external_ref, "MUG-1")

    # --- shipments ------------------------------------------------------------

    def _imported_order(self, lines):
        partner = self.env["res.partner"].create(
            {"name": "Erika Mustermann", "country_id": self.env.ref("base.de").id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "warehouse_id": self.warehouse.id,
                "client_order_ref": "ORD-7001",
                "connector_account_id": self.account.id,
                "connector_external_id": "7001",
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "connector_line_ref": ref}
                    )
                    for product, qty, ref in lines
                ],
            }
        )
        order.action_confirm()
        return order

    def _carrier(self):
        product = self.env["product.product"].create({"name": "DHL Paket", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "DHL Paket",
                "product_id": product.id,
                "delivery_type": "fixed",
                "company_id": self.company.id,
            }
        )
        self.env["connector.shipping.mapping"].create(
            {
                "account_id": self.account.id,
                "code": "dhl",
                "carrier_id": carrier.id,
                "channel_carrier_code": "DHL",
            }
        )
        return carrier

    def test_validated_delivery_sends_carrier_tracking_and_lines(self):
        order = self._imported_order([(self.product_shirt, 2, "L1"), (self.product_mug, 1, "L2")])
        picking = order.picking_ids
        picking.write(
            {"carrier_id": self._carrier().id, "carrier_tracking_ref": "00340434161094042557, 0034043416"}
        )
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        with self.channel_hooks() as calls:
            picking.button_validate()
        self.assertEqual(picking.state, "done")
        (shipment,) = calls["shipments"]
        self.assertEqual(shipment.order_external_id, "7001")
        self.assertEqual(shipment.carrier_code, "DHL")
        self.assertEqual(shipment.carrier_name, "DHL Paket")
        self.assertEqual(shipment.tracking_numbers, ["00340434161094042557", "0034043416"])
        self.assertEqual(
            sorted((line.sku, line.quantity, line.line_external_id) for line in shipment.lines),
            [("MUG-1", 1, "L2"), ("SHIRT-1", 2, "L1")],
        )
        self.assertTrue(picking.connector_shipped_at)
        log = self.env["connector.sync.log"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "shipment")]
        )
        self.assertEqual((log.state, log.direction, log.external_ref), ("done", "out", "ORD-7001"))

    def test_partial_shipment_sends_only_shipped_quantities(self):
        order = self._imported_order([(self.product_shirt, 3, "L1"), (self.product_mug, 2, "L2")])
        picking = order.picking_ids
        picking.carrier_tracking_ref = "TRACK-1"
        shirt_move = picking.move_ids.filtered(lambda m: m.product_id == self.product_shirt)
        mug_move = picking.move_ids - shirt_move
        shirt_move.quantity = 2
        shirt_move.picked = True
        mug_move.quantity = 0
        with self.channel_hooks() as calls:
            picking.with_context(cancel_backorder=False)._action_done()
        (shipment,) = calls["shipments"]
        self.assertEqual(
            [(line.sku, line.quantity, line.line_external_id) for line in shipment.lines],
            [("SHIRT-1", 2, "L1")],
        )
        self.assertEqual(shipment.carrier_code, "")
        self.assertEqual(shipment.tracking_numbers, ["TRACK-1"])
        backorder = order.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        # the rest ships later: only that is sent
        for move in backorder.move_ids:
            move.quantity = move.product_uom_qty
        backorder.move_ids.picked = True
        with self.channel_hooks() as calls:
            backorder._action_done()
        self.assertEqual(
            sorted((line.sku, line.quantity) for line in calls["shipments"][0].lines),
            [("MUG-1", 2), ("SHIRT-1", 1)],
        )

    def test_cancelled_imported_order_is_cancelled_in_the_channel(self):
        order = self._imported_order([(self.product_shirt, 1, "L1"), (self.product_mug, 1, "L2")])
        with self.channel_hooks() as calls:
            order._action_cancel()
        self.assertEqual(calls["cancel"], [("7001", ["L1", "L2"], "cancelled_by_seller")])
