# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from ..exceptions import ChannelRetryableError
from ..models.connector_order import payload_hash
from .common import ConnectorCommon, TestProviderMixin, canonical_order


@tagged("post_install", "-at_install")
class TestOrderRetry(TestProviderMixin, ConnectorCommon):
    """Retry of a parked order reads it again from the channel first."""

    def order_logs(self, record):
        return self.env["connector.sync.log"].search([("connector_order_id", "=", record.id)])

    def test_retry_imports_the_order_as_the_channel_now_has_it(self):
        # the channel first sends a wrong total: the order is parked
        self.sync(canonical_order("7001", total_incl="60.00"))
        record = self.connector_order("7001")
        self.assertEqual(record.state, "attention")
        # the merchant corrects it in the channel; a plain retry of the stored copy would fail again
        corrected = canonical_order("7001", updated_at="2026-11-21T08:00:00Z")
        with self.channel_order(corrected) as calls:
            record.action_retry()
        self.assertEqual(calls, ["7001"])
        self.assertEqual(record.state, "done", record.message)
        self.assertAlmostEqual(record.sale_order_id.amount_total, 54.47, places=2)
        self.assertEqual(record.payload["total_incl"], "54.47")
        self.assertEqual(record.payload_hash, payload_hash(corrected))
        self.assertEqual(str(record.channel_updated_at), "2026-11-21 08:00:00")
        self.assertIn(
            "Re-fetched from the channel: the order changed there since it was stored.",
            self.order_logs(record).mapped("message"),
        )
        self.assertFalse(record.activity_ids)

    def test_unreachable_channel_leaves_the_stored_copy_and_retry_goes_on(self):
        order = canonical_order("7002")
        order["lines"][0]["sku"] = "LATE-SKU"
        self.sync(order)
        record = self.connector_order("7002")
        self.assertEqual(record.state, "attention")
        stored_hash = record.payload_hash
        self.env["product.product"].create(
            {"name": "Late shirt", "default_code": "LATE-SKU", "taxes_id": [(6, 0, self.tax_19.ids)]}
        )
        down = ChannelRetryableError("The channel did not answer in time.")
        with self.channel_order(error=down) as calls:
            record.action_retry()
        self.assertEqual(calls, ["7002"])
        self.assertEqual(record.state, "done", record.message)
        self.assertEqual(record.payload_hash, stored_hash)
        self.assertAlmostEqual(record.sale_order_id.amount_total, 54.47, places=2)
        warning = self.order_logs(record).filtered(lambda log: log.state == "warning")
        self.assertEqual(
            warning.message,
            "Could not re-fetch the order from the channel (The channel did not answer in time.): "
            "the stored copy is used.",
        )

    def test_only_parked_orders_are_read_again(self):
        self.sync(canonical_order("7003"))
        record = self.connector_order("7003")
        self.assertEqual(record.state, "done")
        with self.channel_order(canonical_order("7003")) as calls:
            record.action_retry()
        self.assertEqual(calls, [])
