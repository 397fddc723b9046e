# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every channel's refund test needs (a delivered order) and asserts of a credit note
booked from a channel refund."""


class CreditNoteAssertions:
    """Mixin for the providers' refund tests (a TestCase)."""

    def deliver(self, sale):
        """Ship the whole order (the goods a return brings back went out first)."""
        picking = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.state, "done")
        return picking

    def assert_reverses_invoice(self, record, sale, total, lines):
        """The credit note of ``record`` reverses the one invoice of ``sale``: posted, linked
        to it, its partner and fiscal position, ``total`` to the cent, and each line with the
        taxes and income account of the same product's line on the invoice.

        ``lines``: [(product, quantity, gross amount)] or [(product, quantity, gross amount,
        VAT %)] when the rates are checked too.

        :return: (credit note, original invoice)
        """
        invoice = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        note = record.credit_note_id
        self.assertEqual(len(invoice), 1)
        self.assertEqual(
            (note.move_type, note.state, note.reversed_entry_id), ("out_refund", "posted", invoice)
        )
        self.assertEqual(note.fiscal_position_id, invoice.fiscal_position_id)
        self.assertEqual(note.partner_id, invoice.partner_id)
        self.assertEqual(round(note.amount_total, 2), total)
        with_rates = any(len(line) == 4 for line in lines)

        def booked(ln):
            key = (ln.product_id.id, ln.quantity, round(ln.price_total, 2))
            return key + (tuple(ln.tax_ids.mapped("amount")),) if with_rates else key

        expected = [(line[0].id, line[1], line[2]) + (((line[3],),) if with_rates else ()) for line in lines]
        self.assertEqual(sorted(booked(ln) for ln in note.invoice_line_ids), sorted(expected))
        for line in note.invoice_line_ids:
            original = invoice.invoice_line_ids.filtered(lambda ln, p=line.product_id: ln.product_id == p)
            self.assertEqual(line.tax_ids, original.tax_ids, line.name)
            self.assertEqual(line.account_id, original.account_id, line.name)
        return note, invoice
