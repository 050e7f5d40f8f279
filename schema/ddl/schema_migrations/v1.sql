-- schema_migrations: which support-table DDL files (schema/ddl/<unit>/v<N>.sql) `migrate` has
-- applied, each once (projections/support.py). Run on every `migrate`, before anything else.
CREATE TABLE IF NOT EXISTS schema_migrations (
    unit text NOT NULL,
    version integer NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schema_migrations_pkey PRIMARY KEY (unit, version)
);
