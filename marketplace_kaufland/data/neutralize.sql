-- Never let a copied (test/staging) database talk to the live Kaufland account.
UPDATE connector_account
   SET kaufland_client_key = NULL,
       kaufland_secret_key = NULL
 WHERE provider = 'kaufland';
