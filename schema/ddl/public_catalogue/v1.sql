-- public_catalogue v1: what the public sees (projections/projectors/public_catalogue.py). One row per
-- submission: `entry` is the last approved public document (null unless the service is shown),
-- `state` the current public document the projector folds on (never served), `visibility`
-- listed | in_review | deprecated | hidden | erased. The narrow columns serve the catalogue's
-- filters, facets, sorts and search (`search_text`: the folded name, description, SEO keywords and
-- host institute; reference names are matched at query time, so a renamed centre is found by
-- its new name).
CREATE TABLE public_catalogue_v1 (
    id uuid NOT NULL,
    visibility text NOT NULL,
    status text NOT NULL DEFAULT '',
    service_name text NOT NULL DEFAULT '',
    sort_name text NOT NULL DEFAULT '',
    service_center_id uuid,
    category_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
    edam_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
    licenses jsonb NOT NULL DEFAULT '[]'::jsonb,
    pi_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
    primary_maturity_tag text,
    data_access_type text NOT NULL DEFAULT 'open',
    register_as_elixir boolean NOT NULL DEFAULT false,
    added_at timestamptz,
    updated_at timestamptz,
    approved_at timestamptz,
    approved_version integer,
    search_text text NOT NULL DEFAULT '',
    entry jsonb,
    state jsonb,
    CONSTRAINT public_catalogue_v1_pkey PRIMARY KEY (id)
);
CREATE INDEX public_catalogue_v1_visible_idx ON public_catalogue_v1 (visibility, sort_name, id);
CREATE INDEX public_catalogue_v1_approved_idx ON public_catalogue_v1 (approved_at DESC, id)
    WHERE visibility IN ('listed', 'in_review');
CREATE INDEX public_catalogue_v1_search_idx ON public_catalogue_v1
    USING gin (to_tsvector('simple', search_text));
