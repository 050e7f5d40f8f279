"""The prose of the OpenAPI document: what each operation does and needs, an example body the
server accepts for each operation that takes one, the key schemes and the overview.

Field-level constraints (required, lengths, patterns, enums) come from the request models; the
rules that span fields are said here in words, on the operations that apply them. The request
examples name the starter reference data (``registry reference load-denbi``): a test posts each
one against a registry that has it (``tests/integration/newcomer/test_openapi_examples.py``).
"""

from __future__ import annotations

from typing import Any, Final

#: Ids of the starter reference data (``registry.starter``; a unit test keeps them equal).
STARTER_CENTRE: Final = "c5f02102-ec96-5ae8-ac7f-94a32d920c1c"  # BiGi
STARTER_PARTNER_PI: Final = "69901204-56ea-5130-8e43-be7da3d44e23"  # Associated partner
STARTER_CATEGORY: Final = 1  # Database, the first category of a fresh registry

OVERVIEW: Final = """The de.NBI Service Registry: register a bioinformatics service, keep it
current with the key the registration returns, and read its history.

**Getting started** (a walkthrough with commands: `docs/api.md` in the repository):

1. `GET /api/v1/registration/options/` (no key) lists the categories, service centres and
   responsible PIs a registration names by id, and links the EDAM and licence lists.
2. `POST /api/v1/submissions/` (no key) registers; the answer carries `api_key` **once**.
3. Send that key as `Authorization: ApiKey <key>` to read (`GET /api/v1/submissions/{id}/`),
   amend (`PATCH`, with `If-Match: "<ETag>"`) and read the history of your submission.

**Keys.** Two header schemes, both in `Authorization`: `ApiKey <key>` (a submission's own key,
scope `write` or `read`) and `AdminKey <key>` (an admin key, scope `full` or `read`, made by an
operator with `registry admin-keys create --label <label> --scope full|read`). Any other scheme
(`Bearer …`) counts as no key. In Swagger UI's *Authorize* dialog, type the whole value,
scheme included: `ApiKey 3q2…`.

**Errors** are problem documents (`application/problem+json`): `status`, `title`, `detail` in
plain words, `errors` (`{field: [messages]}`) when fields were refused, the same content under
`error` for clients of the old API, and `request_id` (also the `X-Request-ID` header) to quote
when asking for help. Every message of a refused field names it; fix them all and send again.

**Rate limits.** Registrations are limited per client address; a registration refused as invalid
counts against a separate, more generous budget, so fixing a payload one error at a time is
fine. Calls with a key are limited per key. Over a limit: `429` with `Retry-After`."""

SCHEMES: Final = {
    "ApiKey": (
        "A submission's own key: `Authorization: ApiKey <key>`, the scheme word, one space, the"
        " key. The key is the `api_key` of the registration's answer (shown once); an admin can"
        " issue more (`POST /api/v1/submissions/{id}/keys/`). Scope `write` reads and changes"
        " the submission, `read` only reads it. In Swagger UI type `ApiKey <key>`."
    ),
    "AdminKey": (
        "An admin key: `Authorization: AdminKey <key>`. Made on the server with"
        " `registry admin-keys create --label <label> --scope full|read` (the key is the last"
        " line it prints). Scope `full` may change anything, `read` may read anything. In"
        " Swagger UI type `AdminKey <key>`."
    ),
}

_CREATE_RULES = """Rules that span fields (each refusal is a `400` naming the field):

- `data_protection_consent` must be `true`.
- `submitter_first_name`, `submitter_last_name` and `submitter_affiliation` need at least 2
  characters, `service_name` at least 3.
- `service_description`: 50 to 5,000 characters (surrounding spaces do not count).
- `licenses` (SPDX ids, any case: `mit` is stored as `MIT`) or `license_note`: at least one of
  the two. A deprecated licence cannot be newly chosen.
- `kpi_since` is required when `kpi_monitoring` is `yes` (not when it is `planned`).
- `toolbox_name` is required when `is_toolbox` is `true`.
- `associated_partner_note` is required when a chosen PI is the associated-partner entry.
- `service_category_ids` and `responsible_pi_ids`: at least one active record each;
  `service_center_id`: an active centre (all from `GET /api/v1/registration/options/`).
- `edam_topic_ids` / `edam_operation_ids`: at most 6 each, accessions of non-obsolete terms of
  the right branch (`GET /api/v1/edam/?branch=topic&q=…`).
- URLs must start with `https://`; `github_url`, `biotools_url` and `fairsharing_url` with
  their site's address. `public_contact_email` is an email address or an `https://` URL.
- `publications_pmids`: 1 to 50 comma-separated PMIDs (digits) or DOIs (`10.xxxx/…`)."""

DESCRIPTIONS: Final[dict[str, str]] = {
    "post /api/v1/submissions/": f"""Register a service. No key is needed. The answer (`201`)
is the submission with `api_key`, the submission's write key: it is shown **once**, keep it
(`Authorization: ApiKey <key>`). The new submission's status is `submitted`; the registry team
reviews it.

{_CREATE_RULES}

Send `Idempotency-Key: <any unique text>` to retry safely: a repeat answers the first response
and registers nothing. A logo is sent as a file part of a `multipart/form-data` body.""",
    "get /api/v1/registration/options/": """Everything a registration names by id, for anyone:
the active service categories, service centres (short and full name, website, ROR id) and
responsible PIs (display name and institute only), each with the field that takes it, and the
searchable EDAM and licence lists. A PI entry with `is_associated_partner` stands for a PI who
is not listed: choose it and name the PI in `associated_partner_note`.

Revalidate a kept copy with `If-None-Match: <ETag>`: `304` while nothing changed.""",
    "get /api/v1/submissions/": """Every submission, newest first, a page at a time
(`page`, `page_size` up to 100). Admin keys only.

Filters: `status`, `service_center` (part of a centre's short name), `year_established`,
`register_as_elixir`, `primary_maturity_tag`, `secondary_maturity_tags` (comma-separated, all
must match), `data_access_type`, `edam_topic` and `edam_operation` (an accession such as
`topic_0121` or an EDAM URL; comma-separated: any of them) with `descendants=true` to include
every term below each one (Proteomics and all its sub-topics). `ordering`: `submitted_at`,
`updated_at`, `service_name` or `primary_maturity_tag`, `-` in front for descending.""",
    "get /api/v1/submissions/{id}/": """One submission, with its `ETag` (send it back as
`If-Match` when changing it). With the submission's own key or an admin key; another
submission's key gets `404`.

`?as_of=<RFC 3339 time with an offset>` (e.g. `2026-06-01T12:00:00+02:00`) answers the
submission as it was then (`404` before it existed).""",
    "patch /api/v1/submissions/{id}/": f"""Change some fields: send only those. With the
submission's write key or a full admin key. Send `If-Match: "<ETag>"` from your last read: when
someone changed the submission since, the answer is `412` and nothing is changed (read it again,
then retry).

The merged submission must still pass the registration's rules (consent is asked on
registration only):

{_CREATE_RULES}

An owner's change of an approved submission sends it back to `submitted` for review, unless
only fields the registry exempts changed (links, keywords, contacts, KPIs, EDAM terms…). A
change that changes nothing records nothing and answers `200` with the submission as it is.""",
    "put /api/v1/submissions/{id}/": """Full replacement is not supported: `405`. Use `PATCH`
with the fields to change.""",
    "delete /api/v1/submissions/{id}/": """Submissions are never deleted over this endpoint
(`405`): an owner deprecates a service (`POST …/status/` with `deprecated`); erasure of personal
data is an admin procedure.""",
    "post /api/v1/submissions/{id}/status/": """Move the submission through its lifecycle.
Admin keys: `approved`, `rejected`, `under_review`, and `submitted` from `deprecated`. The
owner's write key: `deprecated` only. A move the lifecycle does not allow is `409`
(`invalid-transition`); asking for the current status changes nothing (`200`). Leaving
`approved` clears the maturity tags. `If-Match` guards against concurrent changes.""",
    "put /api/v1/submissions/{id}/maturity/": """Set the maturity tags of an approved
submission (full admin key): `primary` one of `mature`, `emerging`, `legacy` or `null`,
`secondary` a list of `unstable`. `{"primary": null, "secondary": []}` clears them. Tags on a
submission that is not approved: `409`.""",
    "get /api/v1/submissions/{id}/keys/": """The submission's keys: label, scope, state, who
made them and when they were last used; never a key itself, only the first characters of its
hash. Full admin key.""",
    "post /api/v1/submissions/{id}/keys/": """Issue another key for the submission (full
admin key), e.g. a `read` key for a dashboard. The answer carries the key (`api_key`) once.""",
    "post /api/v1/submissions/{id}/keys/reset/": """Revoke every key of the submission and
issue one new write key, shown once (full admin key): for an owner who lost theirs.""",
    "post /api/v1/submissions/{id}/keys/{key_id}/revoke/": """Revoke one key for good (full
admin key). A revoked key is refused like an unknown one.""",
    "get /api/v1/submissions/{id}/history/": """Every recorded change of the submission,
oldest first: who (`submitter`, `api:<key label>`, `admin:<label>`, `worker:biotools`), when,
and each field's old and new value. With the submission's own key or an admin key.""",
    "get /api/v1/changes/": """Every change to every submission in commit order, each with
its `position` (admin keys). Page with `after=<last position seen>` and `limit` (up to 1000);
a client that resumes from its last position misses nothing and sees nothing twice.""",
    "get /api/v1/edam/": """EDAM terms that can be chosen (obsolete ones are left out), for
anyone. `branch`: `topic`, `operation`, `data` or `format`. `q`: part of a label, synonym or
definition, an accession (`topic_0121`) or a term's URL. `limit`: at most this many (1 to 500;
larger values count as 500); without it, every match.""",
    "get /api/v1/edam/{key}/": """One EDAM term by accession (`topic_0121`; obsolete ones
too) or numeric id, with its definition, synonyms and parent. For anyone.""",
    "get /api/v1/licenses/": """The SPDX licence list, for anyone. `q`: part of an id or a
name, in any case. Deprecated licences are flagged: they stay on submissions that have them
but cannot be newly chosen.""",
    "get /api/v1/biotools/": """The bio.tools records synced for submissions, a page at a time
(admin keys). Filters: `biotools_id`, `submission` (a submission id), `edam_operation` (an
operation of any of the tool's functions, by accession or URL; `descendants=true` for every
term below it) and `maturity` (`Emerging`, `Mature` or `Legacy`, any case).""",
    "get /api/v1/biotools/{biotools_id}/": """The full bio.tools record of an approved
service, for anyone (`404` while the service is not approved).""",
    "get /api/v1/projections/": """The read tables behind the API: each projection's versions,
which one is live, how far each has read the event log and how far behind it is. Admin keys;
`503` when the catalogue cannot be read.""",
}

_REFERENCE: Final = {
    "categories": ("service category", "Categories are listed by name; the name is unique."),
    "service-centers": ("service centre", "Centres are listed by full name."),
    "pis": (
        "principal investigator",
        "PIs are listed by last and first name; `email` is internal and never shown on"
        " submissions. At most one PI is the associated-partner entry.",
    ),
}


def _reference_descriptions() -> dict[str, str]:
    out: dict[str, str] = {}
    for path, (noun, note) in _REFERENCE.items():
        collection, item = f"/api/v1/{path}/", f"/api/v1/{path}/{{id}}/"
        out[f"get {collection}"] = (
            f"Every {noun} (admin keys). `is_active=true` or `false` lists only active or"
            f" inactive ones. {note} The public subset a registration needs:"
            " `GET /api/v1/registration/options/`."
        )
        out[f"post {collection}"] = f"Create a {noun} (full admin key). {note}"
        out[f"get {item}"] = f"One {noun} by its id, active or not (admin keys)."
        out[f"put {item}"] = (
            f"Replace every field of a {noun} (full admin key): send the whole record, as on"
            " creation."
        )
        out[f"patch {item}"] = (
            f"Change some fields of a {noun} (full admin key); `is_active` deactivates or"
            " reactivates it."
        )
        out[f"delete {item}"] = (
            f"Deactivate a {noun} (full admin key): `204`. It is kept, stays on the submissions"
            " that name it, and can no longer be newly chosen."
        )
    return out


DESCRIPTIONS["post /api/v1/submissions/{id}/erase/"] = """Erases the submission for good (full admin
key; `docs/erasure.md`).

Its personal data (submitter names and affiliation, the internal and public contact, the
submitter's comments, the submitter's IP address and user-agent hash, status messages to the
submitter) is destroyed in the transaction that records the erasure, and so are its snapshots
and idempotency records. It leaves every list and read table; its history stays, showing who
changed which field when, with the personal values as `[erased]`. The optional `reason` is kept
in clear on the `Erased` event as the deletion audit (put no personal data in it).

Answers 200 with who erased it, when and why once the read tables show the erasure; 410 when
the submission was already erased (nothing is recorded again); 404 for an unknown id. From then
on every request about the submission answers 410, except its history (200, redacted) and
`?as_of=` an instant before the erasure (200, personal values `[erased]`)."""
DESCRIPTIONS.update(_reference_descriptions())

_SUBMISSION_EXAMPLE: Final[dict[str, Any]] = {
    "date_of_entry": "2026-06-01",
    "submitter_first_name": "Ada",
    "submitter_last_name": "Lovelace",
    "submitter_affiliation": "Bielefeld University",
    "service_name": "Sequence Mapper",
    "service_description": (
        "Maps sequencing reads to a reference genome and reports coverage per region."
    ),
    "year_established": 2020,
    "service_category_ids": [STARTER_CATEGORY],
    "service_center_id": STARTER_CENTRE,
    "responsible_pi_ids": [STARTER_PARTNER_PI],
    "associated_partner_note": "Prof. Grace Hopper, Bielefeld University",
    "host_institute": "Bielefeld University",
    "public_contact_email": "help@mapper.example.org",
    "internal_contact_name": "Ada Lovelace",
    "internal_contact_email": "ada@mapper.example.org",
    "website_url": "https://mapper.example.org",
    "terms_of_use_url": "https://mapper.example.org/terms",
    "publications_pmids": "12345678, 10.1093/bioinformatics/btp324",
    "edam_topic_ids": ["topic_0080"],
    "edam_operation_ids": ["operation_3198"],
    "licenses": ["MIT"],
    "kpi_monitoring": "yes",
    "kpi_since": "2021",
    "data_protection_consent": True,
}

#: One example body per operation that takes one, keyed ``"<method> <path>"``.
EXAMPLES: Final[dict[str, dict[str, Any]]] = {
    "post /api/v1/submissions/": _SUBMISSION_EXAMPLE,
    "patch /api/v1/submissions/{id}/": {
        "service_description": (
            "Maps sequencing reads to a reference genome, reports coverage per region and"
            " flags likely structural variants."
        ),
        "licenses": ["mit", "apache-2.0"],
    },
    "post /api/v1/submissions/{id}/status/": {
        "status": "under_review",
        "comment": "Checking the terms of use.",
    },
    "put /api/v1/submissions/{id}/maturity/": {"primary": "mature", "secondary": []},
    "post /api/v1/submissions/{id}/keys/": {"label": "Dashboard", "scope": "read"},
    "post /api/v1/submissions/{id}/erase/": {"reason": "Erasure requested by the provider."},
    "post /api/v1/categories/": {"name": "Training"},
    "put /api/v1/categories/{id}/": {"name": "Training and teaching"},
    "patch /api/v1/categories/{id}/": {"is_active": False},
    "post /api/v1/service-centers/": {
        "short_name": "de.NBI-Cloud",
        "full_name": "de.NBI Cloud",
        "website": "https://cloud.denbi.de/",
    },
    "put /api/v1/service-centers/{id}/": {
        "short_name": "de.NBI-Cloud",
        "full_name": "de.NBI Cloud Federation",
        "website": "https://cloud.denbi.de/",
    },
    "patch /api/v1/service-centers/{id}/": {"website": "https://www.denbi.de/cloud"},
    "post /api/v1/pis/": {
        "last_name": "Doe",
        "first_name": "Jane",
        "email": "jane.doe@uni-bielefeld.example",
        "institute": "Bielefeld University",
        "orcid": "0000-0002-1825-0097",
    },
    "put /api/v1/pis/{id}/": {
        "last_name": "Doe",
        "first_name": "Jane",
        "institute": "Bielefeld University, CeBiTec",
    },
    "patch /api/v1/pis/{id}/": {"institute": "Heidelberg University"},
}


#: Swagger UI's and ReDoc's sections: (tag, description, path prefixes), in reading order.
TAGS: Final = (
    (
        "Registration",
        "Register a service: what it may reference, then the registration itself.",
        ("/api/v1/registration/", "post /api/v1/submissions/"),
    ),
    (
        "Your submission",
        "Read, amend, deprecate and audit a submission with its key.",
        ("/api/v1/submissions/{id}/",),
    ),
    (
        "Look-ups",
        "Public lists: EDAM terms and SPDX licences.",
        ("/api/v1/edam/", "/api/v1/licenses/"),
    ),
    (
        "Administration",
        "Admin keys: every submission, the change feed, reference data, bio.tools records.",
        ("/api/v1/",),
    ),
)


def tag_of(method: str, path: str) -> str:
    """The section an operation is listed in (the first tag one of whose prefixes matches)."""
    key = operation_key(method, path)
    path = key.split(" ", 1)[1]  # an /api/v2/ operation is listed where its /api/v1/ twin is
    for name, _, prefixes in TAGS:
        if any(key == prefix or path.startswith(prefix) for prefix in prefixes):
            return name
    raise KeyError(key)


def operation_key(method: str, path: str) -> str:
    """The key of an operation in `DESCRIPTIONS` and `EXAMPLES` (an `/api/v2/` operation shares
    its `/api/v1/` twin's: the versions differ only in the fields they serve)."""
    return f"{method} {path.replace('/api/v2/', '/api/v1/', 1)}"
