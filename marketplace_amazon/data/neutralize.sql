-- Never talk to the production Amazon seller account from a neutralized copy.
UPDATE connector_account
   SET amazon_lwa_client_id = NULL,
       amazon_lwa_client_secret = NULL,
       amazon_refresh_token = NULL
 WHERE provider = 'amazon';
