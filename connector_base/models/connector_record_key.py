# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Find-or-create that stays unique with any number of job workers.

Every import runs in its own REPEATABLE READ transaction: a search cannot see a
record another worker created and has not committed yet, nor one committed after
this transaction's snapshot. Searching, then creating, therefore creates the same
customer twice when two workers import two orders of one buyer at once. An
advisory lock does not help either: taken after the snapshot, the second worker
gets it once the first committed, and still cannot see what the first created.

What closes the race is a unique index. Each record an import finds or creates
and other imports look for (a customer by e-mail, a company by VAT id, an
address under its customer, a product by SKU, ...) is registered here under
``(kind, scope, digest of its normalised natural key)``. Before creating, a worker
*claims* the key with ``INSERT ... ON CONFLICT DO NOTHING``:

* nobody else holds it: the row is ours; the record is created and the key row
  points to it, all in the importing transaction;
* another transaction inserted it and has not committed yet: PostgreSQL makes
  ours wait on that index entry, and when the other commits, raises a
  serialization failure (a committed row our snapshot cannot see); when it rolls
  back, our insert goes through;
* it was committed after our snapshot: a serialization failure at once.

A serialization failure aborts the transaction; queue_job runs the job again in
a new transaction (``RunJobController._runjob``), whose snapshot sees the
winner's key, so the retry finds the winner's record. No second record is ever
committed. The hot path (the key exists) is one indexed query.

A key whose record was deleted or archived (e.g. merged partners) is taken over
with an ``UPDATE`` of its row: a concurrent taker of the same row gets the same
serialization failure (first updater wins under REPEATABLE READ).
"""

import hashlib
import json

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import SQL

#: advisory lock class of the fail-fast shortcut ("cnk")
ADVISORY_CLASS = 0x636E6B


def key_digest(*parts):
    """Fixed-size digest of the natural key (no personal data in clear, short index)."""
    text = json.dumps([str(part) if part is not None else None for part in parts], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ConnectorRecordKey(models.Model):
    _name = "connector.record.key"
    _description = "Channel Import Unique Key"
    _log_access = False

    kind = fields.Char(required=True, help="What the key identifies, e.g. customer_email.")
    scope = fields.Integer(
        required=True, help="Id the key is unique within: company, parent partner, attribute..."
    )
    key = fields.Char(required=True, help="Digest of the normalised natural key.")
    res_model = fields.Char(string="Record model", required=True)
    res_id = fields.Integer(
        string="Record ID", help="The record found or created under this key (0 while being created)."
    )

    _kind_scope_key_uniq = models.UniqueIndex("(kind, scope, key)")
    _record_idx = models.Index("(res_model, res_id)")

    @api.model
    def _find_or_create(self, kind, scope, natural, model, search, create):
        """The record of ``model`` under the key ``(kind, scope, natural)``, race-free.

        :param natural: tuple of the normalised natural key's parts
        :param search: callable returning a matching record (or an empty one): records
            made before the key existed, or by hand; adopted under the key
        :param create: callable creating the record
        :raise psycopg2.errors.SerializationFailure: another transaction took the key
            (queue_job retries the job; its retry finds that transaction's record)
        """
        Model = self.env[model]
        digest = key_digest(*natural)
        key_id, record = self._lookup(kind, scope, digest, Model)
        if record:
            return record
        key_id = self._claim(kind, scope, digest, model, key_id)
        record = search() or create()
        self.env.cr.execute("UPDATE connector_record_key SET res_id = %s WHERE id = %s", [record.id, key_id])
        return record

    @api.model
    def _lookup(self, kind, scope, digest, Model):
        """(key row id or None, the live record it points to or an empty recordset)."""
        active = "active" in Model._fields
        if active:
            Model.flush_model(["active"])
        query = SQL(
            """SELECT k.id, t.id FROM connector_record_key k
                 LEFT JOIN %s t ON t.id = k.res_id %s
                WHERE k.kind = %s AND k.scope = %s AND k.key = %s""",
            SQL.identifier(Model._table),
            SQL("AND t.active") if active else SQL(),
            kind,
            scope,
            digest,
        )
        rows = self.env.execute_query(query)
        if not rows:
            return None, Model.browse()
        key_id, res_id = rows[0]
        return key_id, Model.browse(res_id) if res_id else Model.browse()

    @api.model
    def _claim(self, kind, scope, digest, model, stale_key_id=None):
        """Take the key before creating its record; see the module docstring."""
        if stale_key_id:
            # the row lock: a concurrent taker waits, then fails to serialize
            self.env.cr.execute(
                "UPDATE connector_record_key SET res_id = 0 WHERE id = %s RETURNING id", [stale_key_id]
            )
        else:
            if self.env.context.get("job_uuid"):
                self._fail_fast(kind, digest)
            self.env.cr.execute(
                """INSERT INTO connector_record_key (kind, scope, key, res_model, res_id)
                   VALUES (%s, %s, %s, %s, 0)
                   ON CONFLICT (kind, scope, key) DO NOTHING RETURNING id""",
                [kind, scope, digest, model],
            )
        row = self.env.cr.fetchone()
        if not row:
            # only under READ COMMITTED (REPEATABLE READ raises instead): retry anew
            raise RetryableJobError(self.env._("Another import is creating the same %s.", kind), seconds=1)
        return row[0]

    @api.model
    def _fail_fast(self, kind, digest):
        """In a job: give the worker back at once when another import is creating this key.

        Only a shortcut, not what makes it race-free (the unique index does): without
        it the INSERT would wait for the other import's whole transaction, then fail to
        serialize and be retried 5 s later. The lock is held until this transaction
        ends; a retry that does not count against the job's maximum follows in 1 s.
        """
        # (class, key) form: the class keeps these apart from other modules' advisory locks
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [ADVISORY_CLASS, int(digest[:7], 16)])
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                self.env._("Another import is creating the same %s: this one runs again in a moment.", kind),
                seconds=1,
                ignore_retry=True,
            )

    @api.model
    def _forget(self, model, ids):
        """Drop the keys of these records (erased customers: the key derives from the e-mail)."""
        if ids:
            self.env.cr.execute(
                "DELETE FROM connector_record_key WHERE res_model = %s AND res_id = ANY(%s)",
                [model, list(ids)],
            )
