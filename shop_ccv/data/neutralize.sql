-- CCV Shop API keys must not reach a copied (test) database.
UPDATE connector_account
   SET ccv_public_key = NULL,
       ccv_secret_key = NULL
 WHERE provider = 'ccv';
