-- License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
-- A neutralized copy must never talk to the live shop with the production tokens.
UPDATE connector_account
   SET mijnwebwinkel_partner_token = NULL,
       mijnwebwinkel_shop_token = NULL
 WHERE provider = 'mijnwebwinkel';
