"""The seed's model-change scenarios, each performed on a copy of the code and checked end to end.

For each scenario: today's code registers a submission and projects it (the "old" store: its
events and read documents are what the code before the change wrote); the scenario's edits are
applied to a copy of the code, ``schema/openapi.json`` is regenerated there, and the copy's
``scenario_checks`` run against the old store (API write and read, history, list filter,
OpenAPI). The files each scenario touches are counted from its edits and asserted, so a change
that made a scenario need more files fails here. ``docs/schema-evolution.md`` has the table.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from projections import operations
from projections.eventstore import open_registry
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.reference_catalog import PostgresReferenceCatalog
from projections.runner import Runner
from tests.integration.projections.read.conftest import seed_reference_views
from tests.payloads import KPI_SINCE_2021, submission_payload

ROOT = Path(__file__).parents[3]
COPIED = ("domain", "projections", "schema", "web", "workers", "registry", "tests")
ADMIN = "admin:root"
OPENAPI = "schema/openapi.json"


@dataclass(frozen=True)
class Edit:
    """Replace the one occurrence of ``find`` in ``path`` by ``text`` (``find`` None: a new
    file holding ``text``)."""

    path: str
    find: str | None
    text: str


def _copy_of_the_code(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "node_modules")
    for name in COPIED:
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _apply(tree: Path, edits: list[Edit]) -> set[str]:
    """Apply the edits; the paths touched (the regenerated OpenAPI document when it changed)."""
    for edit in edits:
        path = tree / edit.path
        if edit.find is None:
            assert not path.exists(), edit.path
            path.write_text(edit.text)
            continue
        text = path.read_text()
        assert text.count(edit.find) == 1, f"{edit.path}: {edit.find!r} is not unique"
        path.write_text(text.replace(edit.find, edit.text))
    touched = {edit.path for edit in edits}
    before = (tree / OPENAPI).read_text()
    document = _run(tree, [sys.executable, "-m", "web.openapi"], {}).stdout
    if document != before:
        (tree / OPENAPI).write_text(document)
        touched.add(OPENAPI)
    return touched


def _run(tree: Path, command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = f"{' '.join(command)}\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, output
    return done


def _check(tree: Path, name: str, env: dict[str, str]) -> None:
    target = f"tests/integration/evolution/scenario_checks.py::{name}"
    done = _run(tree, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", target], env)
    assert "1 passed" in done.stdout, done.stdout[-3000:]  # run, not skipped


@pytest.fixture
def old_store(database_url: str) -> dict[str, str]:
    """Today's code registers a submission (two publications, SEO keywords, survey changed from
    yes to no) and projects everything; the ``SCENARIO_*`` environment of the checks."""
    seed_reference_views(database_url)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=4, open=True)
    vault = PostgresKeyVault(pool)
    catalog = PostgresReferenceCatalog(pool)

    def factory(url: str, *, create_tables: bool = False) -> Any:
        return open_registry(
            url, create_tables=create_tables, key_vault=vault, reference_catalog=catalog
        )

    operations.migrate(database_url, app_factory=factory)
    app = factory(database_url)
    runner_app = factory(database_url)
    runner = Runner(database_url, app=runner_app, projectors=PROJECTORS, poll_interval=0.2)
    runner.start()
    listener = ProgressListener(database_url, poll_interval=0.2)
    try:
        centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld"}, actor=ADMIN)
        category = app.create_category({"name": "Tools"}, actor=ADMIN)
        pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ADMIN)
        data = submission_payload(
            category=int(category.id),
            pi=str(pi.id),
            centre=str(centre.id),
            **{
                "publications_pmids": "12345678, 10.1000/xyz123",
                "keywords_seo": "old seo",
                **KPI_SINCE_2021,
            },
        )
        registered = app.register_submission(data, ip=None, user_agent_hash="0" * 64)
        app.amend_submission(
            registered.submission_id, {"survey_participation": False}, actor=ADMIN, by_admin=True
        )
        head = app.recorder.max_notification_id() or 0
        for projector in PROJECTORS:
            assert listener.wait_for(projector.name, head, timeout=60), projector.name
    finally:
        runner.stop()
        listener.close()
        app.close()
        runner_app.close()
        pool.close()
    return {
        "SCENARIO_DATABASE_URL": database_url,
        "SCENARIO_OLD_ID": str(registered.submission_id),
        "SCENARIO_CENTRE": str(centre.id),
        "SCENARIO_CATEGORY": str(int(category.id)),
        "SCENARIO_PI": str(pi.id),
    }


def _before(anchor: str, declaration: str) -> Edit:
    """A new declaration in the catalogue, right before ``anchor``."""
    return Edit("domain/fields.py", anchor, declaration + anchor)


CONSENT = "    # -- G: consent"
SUBMISSIONS_V4 = Edit(
    "schema/ddl/submissions/v4.sql",
    None,
    (ROOT / "schema/ddl/submissions/v3.sql").read_text().replace("v3", "v4"),
)

SCENARIO_1 = [
    _before(
        CONSENT,
        """    Field(
        "hosting", "plain", "Hosting", "F", default="institute",
        choices=(Choice("institute", "Host institute"), Choice("denbi_cloud", "de.NBI Cloud")),
        widget="radio", filter=ListFilter("hosting", indexed=False),
        help="Where the service runs.", api=ApiHistory(added="1.2"),
    ),
""",
    )
]

KEYWORDS_SEO = """    Field(
        "keywords_seo", "text", "Keywords (SEO)", "F", default="", max_length=NOTE_MAX,
        resets_approval=False, widget="textarea",
    ),
"""
SCENARIO_4 = [
    Edit(
        "domain/fields.py",
        KEYWORDS_SEO,
        """    Field(
        "seo_keywords", "text", "SEO Keywords", "F", default="", max_length=NOTE_MAX,
        resets_approval=False, widget="textarea",
        api=ApiHistory(added="1.2", renamed_from=(Alias("keywords_seo", "1.2", removed_in=2),)),
    ),
""",
    )
]

SURVEY = """        "survey_participation", "bool", "Survey Participation", "F", default=True,
        visibility="owner", widget="radio", form_label="User survey participation",
"""
SCENARIO_5_PHASE_1 = [
    Edit(
        "domain/fields.py",
        SURVEY,
        SURVEY
        + """        writable=False,
        api=ApiHistory(deprecated="The survey is run elsewhere.", removed_in=2),
""",
    )
]
SCENARIO_5_PHASE_2 = [
    Edit(
        "domain/fields.py",
        '        api=ApiHistory(deprecated="The survey is run elsewhere.", removed_in=2),\n',
        '        api=ApiHistory(deprecated="The survey is run elsewhere.", removed_in=2),\n'
        "        dropped_from=4,\n",
    ),
    SUBMISSIONS_V4,
]

SCENARIO_7 = [
    _before(
        CONSENT,
        """    Field(
        "publication_count", "int", "Publication Count", "", role="computed",
        computed=lambda doc: len([t for t in str(doc.get("publications_pmids") or "").split(",")
                                  if t.strip()]),
        stored_from=4, widget="none", filter=ListFilter("publication_count"),
        help="How many PMIDs/DOIs are listed.", api=ApiHistory(added="1.2"),
    ),
""",
    ),
    Edit(
        "schema/ddl/submissions/v4.sql",
        None,
        SUBMISSIONS_V4.text
        + "CREATE INDEX submissions_v4_publication_count_idx\n"
        + "    ON submissions_v4 ((doc->>'publication_count'));\n",
    ),
]


CENTRE_V2_DDL = (
    (ROOT / "schema/ddl/service_centres/v1.sql")
    .read_text()
    .replace("_v1", "_v2")
    .replace("v1:", "v2:")
    .replace(
        "    ror_id text NOT NULL DEFAULT '',\n",
        "    ror_id text NOT NULL DEFAULT '',\n    contact_email text NOT NULL DEFAULT '',\n",
    )
)
SCENARIO_3 = [
    Edit(
        "domain/reference_rules.py",
        '"centre": {"website": 200, "ror_id": 200},',
        '"centre": {"website": 200, "ror_id": 200, "contact_email": 254},',
    ),
    Edit(
        "domain/reference_rules.py",
        '"centre": {"website": "", "ror_id": ""},',
        '"centre": {"website": "", "ror_id": "", "contact_email": ""},',
    ),
    Edit(
        "domain/reference_rules.py",
        '            errors.setdefault("ror_id", []).append(message)\n',
        '            errors.setdefault("ror_id", []).append(message)\n'
        '        contact = values.get("contact_email") or ""\n'
        "        if contact and not is_valid_email(contact):\n"
        '            errors.setdefault("contact_email", []).append(INVALID_EMAIL)\n',
    ),
    Edit(
        "projections/projectors/reference.py",
        "class PisProjector(_ReferenceProjector):",
        """class ServiceCentresProjectorV2(ServiceCentresProjector):
    \"\"\"de.NBI service centres with their contact email.\"\"\"

    version: ClassVar[int] = 2
    fields: ClassVar[dict[str, Any]] = {**ServiceCentresProjector.fields, "contact_email": ""}
    tables: ClassVar[tuple[Table, ...]] = (_table("service_centres", fields),)


class PisProjector(_ReferenceProjector):""",
    ),
    Edit(
        "projections/projectors/__init__.py",
        "    ServiceCentresProjector,\n)\n",
        "    ServiceCentresProjector,\n    ServiceCentresProjectorV2,\n)\n",
    ),
    Edit(
        "projections/projectors/__init__.py",
        "    ServiceCentresProjector,\n    PisProjector,",
        "    ServiceCentresProjector,\n    ServiceCentresProjectorV2,\n    PisProjector,",
    ),
    Edit("schema/ddl/service_centres/v2.sql", None, CENTRE_V2_DDL),
    Edit(
        "projections/queries/reference.py",
        """    "SELECT aggregate_id AS id, short_name, full_name, website, ror_id, is_active"
    " FROM service_centres"
""",
        """    "SELECT aggregate_id AS id, short_name, full_name, website, ror_id, is_active,"
    " coalesce(to_jsonb(c)->>'contact_email', '') AS contact_email FROM service_centres c"
""",
    ),
    Edit(
        "schema/api/reference.py",
        '    ror_id: str = Field(description="ROR id URL, or empty.")\n',
        '    ror_id: str = Field(description="ROR id URL, or empty.")\n'
        '    contact_email: str = Field(description="The centre\'s contact email, or empty.")\n',
    ),
    Edit(
        "schema/api/reference.py",
        "    ror_id: str | None = Field(\n",
        "    contact_email: str | None = Field(default=None, max_length=254)\n"
        "    ror_id: str | None = Field(\n",
    ),
]


def _report(scenario: str, touched: set[str]) -> None:
    print(json.dumps({"scenario": scenario, "files": sorted(touched)}))


def test_scenario_1_adding_an_optional_field_is_one_declaration(
    old_store: dict[str, str], tmp_path: Path
) -> None:
    tree = _copy_of_the_code(tmp_path / "code")
    touched = _apply(tree, SCENARIO_1)
    _report("1", touched)
    assert touched == {"domain/fields.py", OPENAPI}
    _check(tree, "test_scenario_1_an_optional_field_with_a_default", old_store)


def test_scenario_4_a_rename_with_a_deprecated_alias_is_one_declaration(
    old_store: dict[str, str], tmp_path: Path
) -> None:
    tree = _copy_of_the_code(tmp_path / "code")
    touched = _apply(tree, SCENARIO_4)
    _report("4", touched)
    assert touched == {"domain/fields.py", OPENAPI}
    _check(tree, "test_scenario_4_a_rename_keeps_a_deprecated_alias", old_store)


def test_scenario_5_removing_a_field_takes_two_phases(
    old_store: dict[str, str], tmp_path: Path
) -> None:
    tree = _copy_of_the_code(tmp_path / "code")
    phase_1 = _apply(tree, SCENARIO_5_PHASE_1)
    _report("5, phase 1", phase_1)
    assert phase_1 == {"domain/fields.py", OPENAPI}
    _check(tree, "test_scenario_5_phase_1_stops_writing_and_serves_null", old_store)
    phase_2 = _apply(tree, SCENARIO_5_PHASE_2)
    _report("5, phase 2", phase_2)
    assert phase_2 == {"domain/fields.py", "schema/ddl/submissions/v4.sql"}
    _check(tree, "test_scenario_5_phase_2_rebuilds_the_read_table_without_it", old_store)


def test_scenario_7_a_computed_backfill_needs_a_new_read_table_version(
    old_store: dict[str, str], tmp_path: Path
) -> None:
    tree = _copy_of_the_code(tmp_path / "code")
    touched = _apply(tree, SCENARIO_7)
    _report("7", touched)
    assert touched == {"domain/fields.py", "schema/ddl/submissions/v4.sql", OPENAPI}
    _check(tree, "test_scenario_7_a_computed_field_is_backfilled_by_the_rebuild", old_store)


def test_scenario_3_a_field_on_a_reference_model_needs_its_table_version(
    old_store: dict[str, str], tmp_path: Path
) -> None:
    tree = _copy_of_the_code(tmp_path / "code")
    touched = _apply(tree, SCENARIO_3)
    _report("3", touched)
    assert touched == {
        "domain/reference_rules.py",
        "projections/projectors/reference.py",
        "projections/projectors/__init__.py",
        "schema/ddl/service_centres/v2.sql",
        "projections/queries/reference.py",
        "schema/api/reference.py",
        OPENAPI,
    }
    _check(tree, "test_scenario_3_a_field_on_a_reference_model", old_store)
