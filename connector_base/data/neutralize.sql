-- A copied (neutralized) database must never talk to the real channels.
UPDATE connector_account SET active = false, state = 'draft';
-- Nor send invoices to them or book their payouts (issue 21).
UPDATE connector_account SET send_invoices = false, import_settlements = false;
-- A copy answers no channel notification and keeps no webhook signing key.
UPDATE connector_account SET notification_callback_secret = NULL, notifications_active = false;
DELETE FROM connector_notification_subscription;
