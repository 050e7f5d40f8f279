-- categories v1: service categories; `category_id` is the API's integer id.
CREATE TABLE IF NOT EXISTS categories_v1 (
    aggregate_id uuid NOT NULL,
    category_id bigint NOT NULL,
    name text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    CONSTRAINT categories_v1_pkey PRIMARY KEY (aggregate_id),
    CONSTRAINT categories_v1_category_id_key UNIQUE (category_id)
);
CREATE INDEX IF NOT EXISTS categories_v1_name_idx ON categories_v1 (name);
