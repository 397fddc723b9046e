# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Frequent syncs (every minute, or on each webhook) must not cost more calls per order:
an order stored already and listed unchanged is not read again."""

from odoo.tests import tagged

from .common import ERIKA, HANS, CcvCommon


@tagged("post_install", "-at_install")
class TestCcvPollingCost(CcvCommon):
    def test_unchanged_orders_are_not_read_again(self):
        first = self.emulator.add_order(ERIKA, [("SHIRT-1", 2)])
        self.account._sync_orders()
        self.assertTrue(self.connector_order(first))
        self.emulator.reset_log()

        second = self.emulator.add_order(HANS, [("MUG-1", 1)])
        stats = self.account._sync_orders()
        self.assertEqual((stats["new"], stats["changed"]), (1, 0))
        # the rows of the new order only: the first one is inside the safety overlap, unchanged
        self.assertEqual(len(self.received("GET", rf"/orders/{second['id']}/orderrows")), 1)
        self.assertFalse(self.received("GET", rf"/orders/{first['id']}/orderrows"))

    def test_an_order_changed_in_the_shop_is_read_again(self):
        order = self.emulator.add_order(HANS, [("MUG-1", 1)], paid=False, status=4)
        self.account._sync_orders()
        self.emulator.set_paid(order["id"])
        self.emulator.reset_log()
        self.account._sync_orders()
        self.assertEqual(len(self.received("GET", rf"/orders/{order['id']}/orderrows")), 1)
        self.assertTrue(self.connector_order(order))
