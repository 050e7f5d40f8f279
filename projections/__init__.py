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
  still advances. An event it cannot handle: raise. The version stops and the event goes to
  `projection_dead_letters`; it is never skipped (see `projections.follow`).
- The DDL file `schema/ddl/<name>/v<N>.sql` creates every table of the version, with every index
  and constraint name suffixed `_v<N>`; released files are never edited (add v<N+1>).
- List every version in `projections.projectors.PROJECTORS` (keep an old version listed until it
  is retired, so it keeps following and `rollback` stays instant).

How rows are written (`projections.store`, `projections.follow`)
-----------------------------------------------------------------
A page of notifications after the stored position (`id > position`: gaps are harmless) is applied
in one transaction: compare-and-set of the position in `projection_versions` first (a second
runner fails there instead of applying twice), then one SELECT per table for the touched rows,
`apply` in memory, then deletes and upserts (executemany, or COPY into a temp table + one merge
above 200 rows), then `pg_notify` of the new position. Rebuild pages are 5,000 notifications with
`synchronous_commit = off`; memory stays flat in the log's length.

Running (`projections.runner.Runner`, `projections.progress.ProgressListener`)
-------------------------------------------------------------------------------
`Runner(database_url, app=None, projectors=None, *, auto_promote=False, page_size=5000,
poll_interval=1.0, lock_retry=1.0)` with `.start()`, `.stop()`, `.run_forever()`, `.active`:
one thread per followed version, elected by a session-level advisory lock, woken by the events
table's NOTIFY (channel `registry_events`) with a 1 s fallback poll.
`ProgressListener(database_url)` (one per process) offers
`.wait_for(name, position, timeout) -> bool` for read-your-writes.

Operations (`projections.operations`)
-------------------------------------
`migrate`, `status`, `check`, `readiness`, `ddl`, `rebuild`, `promote`, `rollback`, `retire`.

Rules for readers of the views
------------------------------
Query the view `<name>`, never a versioned table. The views are dropped and re-created on promote
and rollback (columns may change), so never run `SELECT *` (or `t.*`) against a view as a
server-side prepared statement: PostgreSQL then fails with `FeatureNotSupported: cached plan must
not change result type`. Name the columns (psycopg's automatic preparation is then safe), or
connect with `prepare_threshold=None`. Keep read transactions short: a switch waits at most 200 ms
for readers and retries.
"""
