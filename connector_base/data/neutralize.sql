-- A copied (neutralized) database must never talk to the real channels.
UPDATE connector_account SET active = false, state = 'draft';
-- Nor send invoices to them or book their payouts (issue 21).
UPDATE connector_account SET send_invoices = false, import_settlements = false;
