"""A ``dumpdata``-shaped export with the awkward cases of a real migration (issue 20), built in
the test suite, and the old ``MEDIA_ROOT`` with its logos.

What it holds: a log line before the JSON (``manage.py dumpdata … > export.json``); unicode,
HTML-ish text (``Tool <v2>``, ``Some Institute <Partner>``, ``<b>…</b>``), entities
(``&lt;tag&gt;``, ``AT&amp;T`` as bleach left it), a PI named ``<script>alert(1)</script>``;
more than 6 EDAM topics and a term the old system filed in another branch; a deprecated licence;
deactivated references still in use; a stale bio.tools record (the submission moved to another
tool) and one whose submission links nothing any more; logos: a PNG, an SVG with a script, and a
file that is missing.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

LOG_LINE = "INFO 2024-06-30 23:59:59,001 registry.apps Registry ready (settings: production)"

RICH = "5c000000-0000-4000-8000-0000000000a1"
STALE = "5c000000-0000-4000-8000-0000000000b2"
MISSING_LOGO = "5c000000-0000-4000-8000-0000000000c3"
UNLINKED = "5c000000-0000-4000-8000-0000000000d4"

CENTRE = "6e000000-0000-4000-8000-00000000c001"
CLOSED_CENTRE = "6e000000-0000-4000-8000-00000000c002"
PI_SCRIPT = "7b000000-0000-4000-8000-0000000000a1"
PI_PARTNER = "7b000000-0000-4000-8000-0000000000a2"
PI_GONE = "7b000000-0000-4000-8000-0000000000a3"

PNG_LOGO = "logos/0b7f4a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b.png"
SVG_LOGO = "logos/1c8a5b9f-2d3e-4f60-9bac-1d2e3f4a5b6c.svg"
GONE_LOGO = "logos/2d9b6ca0-3e4f-4071-8cbd-2e3f4a5b6c7d.png"

OWNER_KEY = "awkward-owner-write-key-0001"
ADMIN_KEY = "awkward-admin-full-key-0001"

#: EDAM pk -> (accession, the old system's branch). pk 292 sits under topics in the old system;
#: the EDAM the registry loads has it as an operation.
EDAM = {
    91: ("topic_0091", "topic"),
    80: ("topic_0080", "topic"),
    3: ("topic_0003", "topic"),
    622: ("topic_0622", "topic"),
    634: ("topic_0634", "topic"),
    3168: ("topic_3168", "topic"),
    102: ("topic_0102", "topic"),
    292: ("operation_0292", "topic"),
    3198: ("operation_3198", "operation"),
}

RICH_TEXT = {
    "submitter_first_name": "Zoë",
    "submitter_last_name": "O'Brien-Müller",
    "submitter_affiliation": "Université de Genève <Partner>",
    "service_name": "Tool <v2> — 配列 🧬",
    "service_description": (
        "A <b>bold</b> claim: maps reads &lt;fast&gt; & well. AT&amp;T-grade; x < y > z; "
        "<script>alert(1)</script> was typed here once."
    ),
    "toolbox_name": "",
    "user_knowledge_required": "Basic shell <bash>",
    "publications_pmids": "12345678, 10.1000/xyz<123>",
    "associated_partner_note": "&lt;tag&gt;",
    "host_institute": "Some Institute <Partner>",
    "public_contact_email": "help@mapper.example.org",
    "internal_contact_name": "Ada <Internal>",
    "internal_contact_email": "ada@mapper.example.org",
    "website_url": "https://mapper.example.org/?a=1&b=<2>",
    "terms_of_use_url": "https://mapper.example.org/terms",
    "license_note": "Dual: see <LICENSE>",
    "github_url": "",
    "biotools_url": "https://bio.tools/awkwardmapper",
    "fairsharing_url": "",
    "other_registry_url": "",
    "kpi_monitoring": "yes",
    "keywords_uncited": "  leading and trailing spaces  ",
    "keywords_seo": "Cafe\u0301 (decomposed), ﬁ ligature",
    "comments": "<i>italic</i> and <unknown> & &#x3c;",
}


@dataclass(frozen=True)
class Awkward:
    """The export file, the media folder and the objects written."""

    path: Path
    media: Path
    objects: list[dict[str, Any]]

    def fields(self, pk: str) -> dict[str, Any]:
        """The fields of the object with primary key ``pk``."""
        return next(o["fields"] for o in self.objects if o["pk"] == pk)


def _sha(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


PNG_METADATA = b"uploaded through the old admin, never sanitised"


def _png() -> bytes:
    """A PNG with a text chunk, which the upload pipeline's re-encoding drops."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PNG_METADATA.decode())
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (200, 30, 30, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<script>alert(1)</script><rect width="8" height="8" fill="red" onclick="x()"/></svg>'
)


def _submission(pk: str, name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "submitted_at": "2023-05-01T08:00:00Z",
        "updated_at": "2024-02-01T10:00:00Z",
        "submission_ip": "192.0.2.20",
        "user_agent_hash": "0" * 64,
        "date_of_entry": "2023-05-01",
        "submitter_first_name": "Max",
        "submitter_last_name": "Mustermann",
        "submitter_affiliation": "Uni Foo",
        "register_as_elixir": False,
        "service_name": name,
        "service_description": "A service registered in the old system, long enough to pass.",
        "year_established": 2018,
        "service_categories": [3],
        "edam_topics": [91],
        "edam_operations": [],
        "is_toolbox": False,
        "toolbox_name": "",
        "user_knowledge_required": "",
        "publications_pmids": "12345678",
        "logo": "",
        "responsible_pis": [PI_PARTNER],
        "associated_partner_note": "",
        "host_institute": "Bielefeld University",
        "service_center": CENTRE,
        "public_contact_email": "help@example.org",
        "internal_contact_name": "Int Ernal",
        "internal_contact_email": "int@example.org",
        "website_url": "https://example.org",
        "terms_of_use_url": "https://example.org/terms",
        "licenses": [1],
        "license_note": "",
        "github_url": "",
        "biotools_url": "",
        "fairsharing_url": "",
        "other_registry_url": "",
        "kpi_monitoring": "planned",
        "kpi_start_year": "",
        "keywords_uncited": "",
        "keywords_seo": "",
        "survey_participation": True,
        "comments": "",
        "data_protection_consent": True,
        "primary_maturity_tag": None,
        "secondary_maturity_tags": [],
        "last_change_summary": None,
        "status": "submitted",
    }
    return {"model": "submissions.servicesubmission", "pk": pk, "fields": {**base, **fields}}


def _record(pk: str, submission: str, biotools_id: str, name: str) -> dict[str, Any]:
    return {
        "model": "biotools.biotoolsrecord",
        "pk": pk,
        "fields": {
            "submission": submission,
            "biotools_id": biotools_id,
            "name": name,
            "description": "Fetched from bio.tools <long ago>.",
            "homepage": "https://example.org",
            "version": "1.0",
            "license": "MIT",
            "maturity": "Mature",
            "cost": "Free of charge",
            "tool_type": ["Command-line tool"],
            "operating_system": ["Linux"],
            "publications": [],
            "documentation": [],
            "download": [],
            "links": [],
            "edam_topic_uris": ["http://edamontology.org/topic_0091"],
            "raw_json": {},
            "last_synced_at": "2022-11-05T07:06:05.432Z",
            "sync_error": "",
            "created_at": "2022-01-01T00:00:00Z",
            "updated_at": "2022-11-05T07:06:05.432Z",
        },
    }


def _changelog(pk: int, submission: str, at: str, field: str, old: str, new: str) -> dict[str, Any]:
    return {
        "model": "submissions.submissionchangelog",
        "pk": pk,
        "fields": {
            "submission": submission,
            "changed_by": "admin:hanna",
            "changed_at": at,
            "changes": [{"field": field, "label": field.title(), "old": old, "new": new}],
        },
    }


def build(folder: Path) -> Awkward:
    """Write ``export.json`` (a log line first) and ``media/`` under ``folder``."""
    objects: list[dict[str, Any]] = [
        {"model": "auth.user", "pk": 1, "fields": {"username": "hanna"}},
        *(
            {
                "model": "edam.edamterm",
                "pk": pk,
                "fields": {"accession": accession, "branch": branch, "is_obsolete": pk == 3},
            }
            for pk, (accession, branch) in EDAM.items()
        ),
        {"model": "licenses.spdxlicense", "pk": 1, "fields": {"license_id": "MIT"}},
        {
            "model": "licenses.spdxlicense",
            "pk": 3,
            "fields": {"license_id": "GPL-3.0", "is_deprecated": True},
        },
        {"model": "registry.servicecategory", "pk": 3, "fields": {"name": "Data & analysis"}},
        {
            "model": "registry.servicecategory",
            "pk": 8,
            "fields": {"name": "Training <old>", "is_active": False},
        },
        {
            "model": "registry.servicecenter",
            "pk": CENTRE,
            "fields": {"short_name": "BiGi", "full_name": "Bielefeld-Gießen <CeBiTec>"},
        },
        {
            "model": "registry.servicecenter",
            "pk": CLOSED_CENTRE,
            "fields": {"short_name": "Old", "full_name": "A closed centre", "is_active": False},
        },
        {
            "model": "registry.principalinvestigator",
            "pk": PI_SCRIPT,
            "fields": {
                "last_name": "<script>alert(1)</script>",
                "first_name": "&lt;tag&gt;",
                "institute": "Some Institute <Partner>",
            },
        },
        {
            "model": "registry.principalinvestigator",
            "pk": PI_PARTNER,
            "fields": {
                "last_name": "Partner",
                "first_name": "Associated",
                "is_associated_partner": True,
            },
        },
        {
            "model": "registry.principalinvestigator",
            "pk": PI_GONE,
            "fields": {"last_name": "Gone", "first_name": "Gül", "is_active": False},
        },
        {
            "model": "api.adminapikey",
            "pk": "8d000000-0000-4000-8000-0000000000a1",
            "fields": {
                "key_hash": _sha(ADMIN_KEY),
                "label": "Ops <main>",
                "scope": "full",
                "created_at": "2023-01-15T12:00:00Z",
                "created_by": 1,
            },
        },
        _submission(
            RICH,
            RICH_TEXT["service_name"],
            **{k: v for k, v in RICH_TEXT.items() if k != "service_name"},
            kpi_start_year="2019 <approx.>",
            status="approved",
            primary_maturity_tag="mature",
            service_categories=[3, 8],
            responsible_pis=[PI_SCRIPT, PI_GONE],
            service_center=CLOSED_CENTRE,
            edam_topics=[91, 80, 3, 622, 634, 3168, 102, 292],
            edam_operations=[3198],
            licenses=[3],
            logo=PNG_LOGO,
        ),
        _submission(
            STALE,
            "Moved Tool",
            biotools_url="https://bio.tools/no_such_tool_xyz",
            logo=SVG_LOGO,
        ),
        _submission(MISSING_LOGO, "Lost Logo Tool", logo=GONE_LOGO),
        _submission(UNLINKED, "Unlinked Tool"),
        {
            "model": "submissions.submissionapikey",
            "pk": "9e000000-0000-4000-8000-0000000000a1",
            "fields": {
                "submission": RICH,
                "key_hash": _sha(OWNER_KEY),
                "label": "Initial key <ci>",
                "created_at": "2023-05-01T08:00:01Z",
                "created_by": "submitter",
                "scope": "write",
            },
        },
        *(
            _changelog(
                100 + n,
                RICH,
                f"2023-{6 + n:02d}-01T09:00:00Z",
                "service_name",
                f"Tool <v{n}>",
                f"Tool <v{n + 1}>",
            )
            for n in range(5)
        ),
        _record("ac000000-0000-4000-8000-0000000000a1", RICH, "awkwardmapper", "Awkward <Mapper>"),
        _record("ac000000-0000-4000-8000-0000000000b2", STALE, "blast", "BLAST"),
        _record("ac000000-0000-4000-8000-0000000000d4", UNLINKED, "unlinkedtool", "Unlinked"),
    ]
    path = folder / "export.json"
    path.write_text(LOG_LINE + "\n" + json.dumps(objects, indent=1, ensure_ascii=False) + "\n")
    media = folder / "media"
    (media / "logos").mkdir(parents=True)
    (media / PNG_LOGO).write_bytes(_png())
    (media / SVG_LOGO).write_bytes(SVG)
    return Awkward(path, media, objects)
