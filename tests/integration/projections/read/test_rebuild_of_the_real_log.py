"""`registry projections rebuild` on the real log: a version built by replay serves the same
documents as the one the runner built live, personal data included."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import ClassVar

import psycopg

from projections import operations
from projections.projectors.submissions import VERSIONS, SubmissionsProjectorV2
from tests.integration.projections.helpers import digest
from tests.integration.projections.read.conftest import ADMIN, Stack

_DDL = Path(tempfile.mkdtemp(prefix="submissions_v90_"))
NEWEST = VERSIONS[-1]


class SubmissionsV90(SubmissionsProjectorV2):
    """The newest version (today's shape) under another number, so it is built by replay next
    to the live-built one (which the stack's runner follows, so it could not be rebuilt in
    place)."""

    version: ClassVar[int] = 90

    @classmethod
    def ddl_path(cls) -> Path:
        path = _DDL / "v90.sql"
        path.write_text(NEWEST.ddl_path().read_text().replace(f"_v{NEWEST.version}", "_v90"))
        return path


def test_a_rebuilt_version_serves_the_personal_data_the_live_one_serves(stack: Stack) -> None:
    first = stack.register(service_name="Mapper", submitter_first_name="Grace")
    stack.register(service_name="Aligner")
    erased = stack.register(service_name="Erased")
    stack.app.amend_submission(
        first.submission_id, {"submitter_last_name": "Hopper"}, actor=ADMIN, by_admin=True
    )
    stack.app.change_status(erased.submission_id, "deprecated", actor=ADMIN, by_admin=True)
    stack.app.erase_submission(erased.submission_id, actor=ADMIN)
    stack.sync()

    # The default application factory, exactly as the CLI's rebuild opens it.
    operations.rebuild(stack.url, "submissions", 90, projectors=[SubmissionsV90])

    live = NEWEST.physical_tables()[0]
    assert digest(stack.url, "submissions_v90", "id") == digest(stack.url, live, "id")
    with psycopg.connect(stack.url) as conn:
        row = conn.execute(
            "SELECT doc->>'submitter_first_name', doc->>'submitter_last_name'"
            " FROM submissions_v90 WHERE id = %s",
            (first.submission_id,),
        ).fetchone()
        count = conn.execute("SELECT count(*) FROM submissions_v90").fetchone()
    assert row == ("Grace", "Hopper")
    assert count == (2,)
