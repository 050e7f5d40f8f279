"""A poison event in each projection (issue 13 item 1): events carrying a NUL character, which
PostgreSQL refuses in text and jsonb, recorded past the commands' validation as an older release
or an import could have. Each projection quarantines the one subject and keeps following the
rest; authentication and writes keep working; readiness, status and check report it; and an
operator's retry after a fix releases every row."""

from __future__ import annotations

import copy
import time
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain import keys as keylib
from domain.biotools import BioToolsRecord
from projections import operations, repair
from projections.projector import Projector, Rows
from projections.projectors import PROJECTORS
from projections.projectors.submissions import VERSIONS as SUBMISSIONS
from tests.e2e.conftest import registry_command, registry_env
from tests.faults.conftest import ROOT, Stack, wait_until

pytestmark = pytest.mark.integration

NUL = "\x00"


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


def _fixed(projector: type[Projector]) -> type[Projector]:
    """The projector after "the fix": it drops NUL characters from what it is given."""

    class Fixed(projector):  # type: ignore[valid-type,misc]
        def apply(self, rows: Rows, event: Any, position: int) -> None:
            clean = copy.copy(event)
            for name, value in vars(event).items():
                object.__setattr__(clean, name, _clean(value))
            super().apply(rows, clean, position)

    return Fixed


FIXED = tuple(_fixed(p) for p in PROJECTORS)


def _save(stack: Stack, aggregate: Any) -> None:
    stack.services.registry.save(aggregate)


def _amend(stack: Stack, submission_id: str, field: str, value: str) -> None:
    """An Amended event as a command would record it, minus the validation."""
    submission = stack.services.registry.repository.get(UUID(submission_id))
    change = {"field": field, "label": field, "old": "", "new": value}
    submission._amended(
        actor="admin:poison", by_admin=True, values={field: value}, changes=[change],
        status_reset=False,
    )  # fmt: skip
    _save(stack, submission)


def _issue_key(stack: Stack, submission_id: str, label: str) -> str:
    submission = stack.services.registry.repository.get(UUID(submission_id))
    plaintext = keylib.generate_key()
    submission._key_issued(
        actor="admin:poison", key_id=str(uuid4()), key_hash=keylib.hash_key(plaintext),
        label=label, scope="write", created_by="admin:poison",
    )  # fmt: skip
    _save(stack, submission)
    return plaintext


def _update_reference(stack: Stack, aggregate_id: UUID, values: dict[str, str]) -> None:
    record = stack.services.registry.repository.get(aggregate_id)
    changes = [{"field": k, "label": k, "old": "", "new": v} for k, v in values.items()]
    record.update("admin:poison", values, changes)
    _save(stack, record)


def _owner_get(stack: Stack, submission_id: str, key: str) -> int:
    url = f"/api/v1/submissions/{submission_id}/"
    return stack.client.get(url, headers={"Authorization": f"ApiKey {key}"}).status_code


def _caught_up(stack: Stack) -> bool:
    head = stack.head()
    return all(s.position >= head for s in operations.status(stack.url) if s.state == "live")


def test_a_poison_event_in_each_projection_quarantines_one_subject_and_nothing_else(
    stack: Stack,
) -> None:
    registry = stack.services.registry
    doc_poisoned = stack.create(service_name="Doc Poisoned")
    key_poisoned = stack.create(service_name="Key Poisoned")
    linked = stack.create(service_name="Linked", biotools_url="https://bio.tools/poisoned_tool")
    category = registry.create_category({"name": "Poisoned"}, actor=ROOT)
    centre = registry.create_centre({"short_name": "PC", "full_name": "Poisoned"}, actor=ROOT)
    pi = registry.create_pi({"last_name": "Poisoned", "first_name": "P"}, actor=ROOT)
    stack.sync()

    # One poison per projection (several projections see some of them).
    _amend(stack, doc_poisoned["id"], "service_name", f"Doc{NUL}Poisoned")
    held_key = _issue_key(stack, key_poisoned["id"], f"label{NUL}")
    record = BioToolsRecord(submission_id=linked["id"])
    record.failed(
        submission_id=linked["id"], biotools_id="poisoned_tool",
        error=f"upstream said {NUL}", actor="worker:biotools",
    )  # fmt: skip
    _save(stack, record)
    _update_reference(stack, category.aggregate_id, {"name": f"Poisoned{NUL}"})
    _update_reference(stack, centre.aggregate_id, {"full_name": f"Poisoned{NUL}"})
    _update_reference(stack, pi.aggregate_id, {"last_name": f"Poisoned{NUL}"})
    started = time.monotonic()
    wait_until(lambda: _caught_up(stack), 30, "every live projection past the poison")
    caught_up = time.monotonic() - started

    entries = repair.listing(stack.url)
    by_projection: dict[tuple[str, int], set[str]] = {}
    for entry in entries:
        by_projection.setdefault((entry.name, entry.version), set()).add(entry.subject)
    print(f"\npoison: every projection past it in {caught_up:.2f} s; quarantined rows:")
    for (name, version), subjects in sorted(by_projection.items()):
        print(f"  {name} v{version}: {len(subjects)} subject(s)")
    assert {name for name, _ in by_projection} == {p.name for p in PROJECTORS}
    assert by_projection[("api_keys", 1)] == {key_poisoned["id"]}
    assert by_projection[("submissions", SUBMISSIONS[-1].version)] == {
        doc_poisoned["id"],
        linked["id"],
    }
    assert by_projection[("biotools_records", 1)] == {linked["id"]}
    assert by_projection[("categories", 1)] == {str(category.aggregate_id)}
    assert by_projection[("service_centres", 1)] == {str(centre.id)}
    assert by_projection[("pis", 1)] == {str(pi.id)}
    assert not [s for s in operations.status(stack.url) if s.failed_at is not None]

    # Readiness stays ready and names the warning; status and check report the rows.
    ready = stack.client.get("/health/ready/")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "warnings": ["projections-quarantine"]}
    listed = stack.client.get("/api/v1/projections/", headers=stack.admin).json()["projections"]
    assert {(p["name"], p["version"]) for p in listed if p["quarantined"]} == set(by_projection)
    assert any("quarantined" in p for p in operations.check(stack.url))

    # Authentication and writes keep working for everyone else.
    fresh = stack.create(service_name="After the poison")
    assert _owner_get(stack, fresh["id"], fresh["api_key"]) == 200
    url = f"/api/v1/submissions/{fresh['id']}/"
    patched = stack.client.patch(url, json={"comments": "fine"}, headers=stack.owner(fresh))
    assert patched.status_code == 200
    assert "read-your-writes" not in patched.headers  # served by the read tables
    history = stack.client.get(url + "history/", headers=stack.admin)
    assert history.status_code == 200
    assert len(history.json()) >= 2
    for path, body in (
        ("/api/v1/categories/", {"name": "Fresh"}),
        ("/api/v1/service-centers/", {"short_name": "FR", "full_name": "Fresh"}),
        ("/api/v1/pis/", {"last_name": "Fresh", "first_name": "F"}),
    ):
        made = stack.client.post(path, json=body, headers=stack.admin)
        assert made.status_code == 201, made.text
        assert "read-your-writes" not in made.headers
    assert stack.count("SELECT count(*) FROM catalogue WHERE id = %s", UUID(fresh["id"])) == 1
    assert stack.count("SELECT count(*) FROM biotools_records WHERE submission_id = %s",
                       UUID(fresh["id"])) == 1  # fmt: skip

    # The quarantined owner: no key of it authenticates (a held event may be a revocation),
    # and revoking one is still recorded and answered.
    assert _owner_get(stack, key_poisoned["id"], key_poisoned["api_key"]) == 401
    keys_url = f"/api/v1/submissions/{key_poisoned['id']}/keys/"
    initial = registry.get_submission(UUID(key_poisoned["id"])).keys[0].key_id
    revoked = stack.client.post(f"{keys_url}{initial}/revoke/", headers=stack.admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["is_active"] is False

    # A write on a quarantined subject answers at once from the event log.
    poisoned_url = f"/api/v1/submissions/{doc_poisoned['id']}/"
    started = time.monotonic()
    fixed_name = stack.client.patch(
        poisoned_url, json={"service_name": "Doc Mended"}, headers=stack.admin
    )
    elapsed = time.monotonic() - started
    print(f"PATCH of a quarantined submission: {fixed_name.status_code} in {elapsed:.2f} s")
    assert fixed_name.status_code == 200, fixed_name.text
    assert fixed_name.headers["read-your-writes"] == "event-log"
    assert fixed_name.json()["service_name"] == "Doc Mended"
    assert elapsed < stack.settings.read_your_writes_timeout

    # The operator's view from the command line.
    env = registry_env(REGISTRY_DATABASE_URL=stack.url)
    listing = registry_command("projections", "quarantine", "list", env=env)
    assert "api_keys v1  event" in listing
    assert key_poisoned["id"] in listing
    status = registry_command("projections", "status", env=env)
    assert "quarantined" in status.splitlines()[0]

    # After the fix: the operator retries every quarantined version; the runner releases them.
    stack.stop_projector()
    stack.start_projector(FIXED)
    started = time.monotonic()
    for name, version in sorted(by_projection):
        outcome = repair.retry(stack.url, name, version, projectors=FIXED, timeout=20)
        assert outcome.still_quarantined == 0, (name, version)
    print(f"retry after the fix: {len(by_projection)} versions released"
          f" in {time.monotonic() - started:.2f} s")  # fmt: skip
    stack.sync()
    assert repair.listing(stack.url) == []
    assert not [p for p in operations.check(stack.url) if "quarantined" in p]
    assert stack.client.get("/health/ready/").json() == {"status": "ok"}
    assert _owner_get(stack, key_poisoned["id"], held_key) == 200  # the held key now works
    assert _owner_get(stack, key_poisoned["id"], key_poisoned["api_key"]) == 401  # revoked
    mended = stack.client.get(poisoned_url, headers=stack.admin)
    assert mended.json()["service_name"] == "Doc Mended"
    assert mended.headers["etag"] == fixed_name.headers["etag"]
    assert (
        stack.client.get(
            f"/api/v1/categories/{int(str(category.id))}/", headers=stack.admin
        ).json()["name"]
        == "Poisoned"
    )
