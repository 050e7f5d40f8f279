"""The read side: versioned read tables projected from the Registry's event log.

Writing a projector (`projections.projector`)
---------------------------------------------
A projector is a class with a name, a version, the tables it owns and a pure `event -> rows` core::

    class SubmissionsV1(Projector):
        name = "submissions"                 # the view readers query
        version = 1                          # submissions_v1; schema/ddl/submissions/v1.sql
        tables = (Table("submissions", key=("id",), columns=("id", "slug", "doc"),
                        jsonb=frozenset({"doc"})),)       # first table = the view `submissions`
        topics = ()                          # optional: only these stored topics are decoded

        def keys(self, event) -> Iterable[RowKey]:          # rows the event reads or replaces
            return [("submissions", (event.originator_id,))]

        def apply(self, rows: Rows, event, position: int) -> None:   # pure, mutates `rows`
            rows[("submissions", (event.originator_id,))] = {...}     # or None to delete

Rules:
- `RowKey` is `(table base name, key values)`; key values must have the Python type the column
  loads as (`uuid.UUID` for uuid columns), or the batch fails loudly. Every key `keys` returns is
  present in `rows` when `apply` runs (its current row, or None).
- A projector may own several tables (`Table("biotools_functions", ...)`): each becomes
  `<table>_v<N>` and gets its own view `<table>`; all of a version's views switch together.
- `apply` may set `rows[key] = Pending(value, position)` (e.g. a folded document) instead of
  the row: later events of the batch fold on `value`, and `complete(key, value)` builds the row
  once, after the batch's last event (the submission documents do this).
- Events the projector does not care about: return no keys and change nothing; the position
  still advances. An event it cannot handle: raise. Its rows are quarantined (below); the event
  is never silently skipped.
- The DDL file `schema/ddl/<name>/v<N>.sql` creates every table of the version, with every index
  and constraint name suffixed `_v<N>`; released files are never edited (add v<N+1>).
- List every version in `projections.projectors.PROJECTORS` (keep an old version listed until it
  is retired, so it keeps following and `rollback` stays instant).

How rows are written (`projections.store`, `projections.follow`)
-----------------------------------------------------------------
A page of notifications after the stored position (`id > position`: gaps are harmless) is applied
in one transaction: compare-and-set of the position in `projection_versions` first (a second
runner fails there instead of applying twice), then one SELECT per table for the touched rows,
`apply` in memory, then one DELETE and one upsert per table (the rows as one JSON array typed by
the table's row type; rebuild pages COPY into a temp table + one merge instead), then `pg_notify`
of the new position. Rebuild pages are 5,000 notifications with `synchronous_commit = off`;
memory stays flat in the log's length.

The `submissions` row is not written in the command's transaction (decision, issue 19)
-------------------------------------------------------------------------------------
An inline projection would spare a write its read-your-writes wait for `submissions` (the B5
live lag: p50 3.8-7.6 ms, p99 9-27 ms under creates in the README's run). Kept asynchronous, for
now, on these figures: the SQL floor of a create, the event INSERT plus the row upsert in one
pipelined transaction (`make bench`'s minimal-create reference), ran at 667-2,558/s at c=8 on a
loaded 2-core machine where a create over HTTP ran at 127-312/s in the same runs (`registry
bench --quick`, 6 runs, issue 19's note): a create's cost is mostly outside its SQL, and the
wait adds the lag to its latency while holding no connection. Writing the row inline would put
the document's fold, its reference lookups and the upsert inside the event store's serialised
insert (it holds a table lock to keep notification ids in commit order), and give the table
two writers (command and runner) for rebuilds to reconcile. Revisit when the open-loop create
p99 is dominated by the wait.

Running (`projections.runner.Runner`, `projections.progress.ProgressListener`)
-------------------------------------------------------------------------------
`Runner(database_url, app=None, projectors=None, *, auto_promote=False, page_size=5000,
poll_interval=1.0, lock_retry=1.0)` with `.start()`, `.stop()`, `.run_forever()`, `.active`:
one thread per followed version, elected by a session-level advisory lock, woken by the events
table's NOTIFY (channel `registry_events`) with a 1 s fallback poll.
`ProgressListener(database_url)` (one per process) offers
`.wait_for(name, position, timeout) -> bool` for read-your-writes.

When an event cannot be applied: quarantine, never a stop (`projections.quarantine`)
-------------------------------------------------------------------------------------
`api_keys` authenticates every request and `submissions`/`submission_history` answer every
write's read-your-writes wait: a version that stopped on one bad event (a value PostgreSQL cannot
store, a projector bug, an undecodable event) used to refuse every new key, keep revoked keys
working and make every write wait out its timeout. The policy now:

- The rows the event touches (its aggregate's, when they cannot be worked out) are quarantined:
  their snapshot and the error go to `projection_quarantine`, the event to
  `projection_held_events` and, as before, `projection_dead_letters`; the position moves past
  it and the rest of the table keeps following. Each later event on a quarantined row is held
  as well (applying it to a row that missed an event would build a wrong row).
- While quarantined, a row keeps its last good state (readers see it, as of before the event),
  unless its projector's `while_quarantined` says otherwise: `api_keys` removes the row, so none
  of that owner's keys authenticates until it is released (a held event may be a revocation).
- Writes on a quarantined subject still succeed: they answer with the document folded from the
  event log (`Read-Your-Writes: event-log`) without waiting for the read tables (see
  `web.context`); the ProgressListener knows the live versions' quarantined subjects.
- It is visible: `status` and `/api/v1/projections/` count quarantined rows, `check` fails, and
  `/health/ready/` stays ready (the registry serves) but lists a `projections-quarantine`
  warning and logs it.
- After a fix: `registry projections quarantine retry NAME VERSION` restores the rows' snapshots
  and applies the held events again in one transaction (one that fails again is quarantined
  again); `... skip NAME VERSION POSITION` drops the failed event first. The runner active on
  the version does it (it alone writes its tables); with none running, the command does.
- `rebuild --reset` forgets a version's quarantine along with its rows.
- A snapshot is a row as it was, personal values included, and an erasure of a quarantined
  subject is held like any event: it completes when the rows are released (the held events then
  decode personal values as erased, and the snapshots are deleted).

Operations (`projections.operations`, `projections.repair`)
--------------------------------------------------------
`migrate`, `status`, `check`, `readiness`, `ddl`, `rebuild`, `promote`, `rollback`, `retire`;
`repair.listing`, `repair.retry` (with `skip=`), `repair.warnings`.

Rules for readers of the views
------------------------------
Query the view `<name>`, never a versioned table. The views are dropped and re-created on promote
and rollback (columns may change), so never run `SELECT *` (or `t.*`) against a view as a
server-side prepared statement: PostgreSQL then fails with `FeatureNotSupported: cached plan must
not change result type`. Name the columns (psycopg's automatic preparation is then safe), or
connect with `prepare_threshold=None`. Keep read transactions short: a switch waits at most 200 ms
for readers and retries.
"""
