-- A copied (neutralized) database must never talk to the real channels.
UPDATE connector_account SET active = false, state = 'draft';
