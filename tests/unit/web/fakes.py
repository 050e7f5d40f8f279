"""In-memory stand-ins for the domain Registry and the read model, for web unit tests.

They model only what the web layer relies on (results with position/version, documents by id,
keys by hash); the real ones are exercised by the integration tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from domain import errors
from domain.results import Erasure

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Key:
    key_id: uuid.UUID
    submission_id: uuid.UUID | None
    label: str
    scope: str
    is_active: bool
    key_hash: str


@dataclass(frozen=True)
class Result:
    position: int | None
    version: int
    submission_id: uuid.UUID = field(default_factory=uuid.uuid4)
    key_id: uuid.UUID = field(default_factory=uuid.uuid4)
    api_key: str = ""
    id: Any = None


def digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


class FakeReadModel:
    def __init__(self) -> None:
        self.docs: dict[uuid.UUID, dict[str, Any]] = {}
        self.keys: dict[str, Key] = {}
        self.touched: list[str] = []
        self.list_calls: list[tuple[Any, ...]] = []
        self.erased_ids: set[uuid.UUID] = set()
        self.reference: dict[str, dict[Any, dict[str, Any]]] = {
            "category": {},
            "centre": {},
            "pi": {},
        }

    def add_key(
        self, plaintext: str, submission_id: uuid.UUID | None, scope: str, active: bool = True
    ) -> Key:
        key = Key(uuid.uuid4(), submission_id, "Initial key", scope, active, digest(plaintext))
        self.keys[key.key_hash] = key
        return key

    def api_key(self, key_hash: str) -> Key | None:
        return self.keys.get(key_hash)

    def touch_key(self, key_id: str) -> None:
        self.touched.append(key_id)

    def submission(self, submission_id: uuid.UUID) -> dict[str, Any] | None:
        return self.docs.get(submission_id)

    def submission_for_key(
        self, key_hash: str, submission_id: uuid.UUID
    ) -> tuple[Key | None, dict[str, Any] | None]:
        return self.api_key(key_hash), self.submission(submission_id)

    def list_submissions(
        self, filters: Mapping[str, str], ordering: str, page: int, page_size: int
    ) -> tuple[int, list[dict[str, Any]]]:
        self.list_calls.append((dict(filters), ordering, page, page_size))
        rows = list(self.docs.values())
        return len(rows), rows[(page - 1) * page_size : page * page_size]

    def submission_as_of(self, submission_id: uuid.UUID, at: dt.datetime) -> dict[str, Any] | None:
        doc = self.docs.get(submission_id)
        return None if doc is None or at < NOW else doc

    def history(self, submission_id: uuid.UUID) -> list[dict[str, Any]]:
        return [{"version": 1, "changed_by": "submitter", "changed_at": NOW, "changes": []}]

    def history_json(self, submission_id: uuid.UUID) -> bytes | None:
        if submission_id not in self.docs and submission_id not in self.erased_ids:
            return None
        return orjson.dumps(self.history(submission_id))

    def erased(self, submission_id: uuid.UUID) -> bool:
        return submission_id in self.erased_ids

    def changes(self, after: int, limit: int) -> list[dict[str, Any]]:
        rows = [{"position": p, "id": str(uuid.uuid4())} for p in range(1, 6)]
        return [r for r in rows if int(r["position"]) > after][:limit]  # type: ignore[call-overload]

    def keys_of(self, submission_id: uuid.UUID) -> list[dict[str, Any]]:
        return [
            {
                "id": k.key_id,
                "label": k.label,
                "scope": k.scope,
                "is_active": k.is_active,
                "created_at": NOW,
                "created_by": "submitter",
                "last_used_at": None,
                "hash_prefix": k.key_hash[:16],
            }
            for k in self.keys.values()
            if k.submission_id == submission_id
        ]

    def categories(self, is_active: bool | None = None) -> list[dict[str, Any]]:
        return self._listing("category", is_active)

    def category(self, category_id: int) -> dict[str, Any] | None:
        return self.reference["category"].get(category_id)

    def service_centres(self, is_active: bool | None = None) -> list[dict[str, Any]]:
        return self._listing("centre", is_active)

    def service_centre(self, centre_id: uuid.UUID) -> dict[str, Any] | None:
        return self.reference["centre"].get(centre_id)

    def pis(self, is_active: bool | None = None) -> list[dict[str, Any]]:
        return self._listing("pi", is_active)

    def pi(self, pi_id: uuid.UUID) -> dict[str, Any] | None:
        return self.reference["pi"].get(pi_id)

    def _listing(self, kind: str, is_active: bool | None) -> list[dict[str, Any]]:
        rows = self.reference[kind].values()
        return [r for r in rows if is_active is None or r["is_active"] == is_active]

    def registration_options(self) -> dict[str, list[dict[str, Any]]]:
        def public(kind: str) -> list[dict[str, Any]]:
            return [{"id": k, **{f: v for f, v in r.items() if f not in ("email", "is_active")}}
                    for k, r in self.reference[kind].items() if r["is_active"]]  # fmt: skip

        return {"categories": public("category"), "centres": public("centre"), "pis": public("pi")}

    def edam_terms(
        self, branch: str | None, q: str | None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return [{"accession": "topic_0091", "branch": branch, "q": q, "limit": limit}]

    def edam_term(self, key: str) -> dict[str, Any] | None:
        return {"accession": key} if key == "topic_0091" else None

    def licenses(self, q: str | None) -> list[dict[str, Any]]:
        return [{"license_id": "MIT", "q": q}]

    def biotools_records(
        self,
        biotools_id: str | None,
        submission: uuid.UUID | None,
        page: int,
        page_size: int,
        *,
        edam_operation: str | None = None,
        maturity: str | None = None,
        descendants: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        return 1, [{"biotools_id": "tool"}]

    def biotools_record(self, biotools_id: str) -> dict[str, Any] | None:
        return {"biotools_id": biotools_id} if biotools_id == "tool" else None


class FakeRegistry:
    """Writes straight into the fake read model, as if the projection were instantaneous."""

    def __init__(self, read: FakeReadModel) -> None:
        self.read = read
        self.position = 0
        self.calls: list[tuple[str, Any]] = []

    def _next(self) -> int:
        self.position += 1
        return self.position

    def _doc(self, submission_id: uuid.UUID, expected: int | None) -> dict[str, Any]:
        doc = self.read.docs.get(submission_id)
        if submission_id in self.read.erased_ids:
            raise errors.Gone(str(submission_id))
        if doc is None:
            raise errors.NotFound(str(submission_id))
        if expected is not None and expected != doc["version"]:
            raise errors.StaleVersion(expected, doc["version"])
        return doc

    def register_submission(
        self, data: Mapping[str, object], *, ip: str | None, user_agent_hash: str
    ) -> Result:
        self.calls.append(("register", (dict(data), ip, user_agent_hash)))
        if data.get("service_name") == "invalid":
            raise errors.ValidationFailed({"service_name": ["Bad."], "website_url": ["Bad."]})
        sid = uuid.uuid4()
        plaintext = f"key-{sid}"
        key = self.read.add_key(plaintext, sid, "write")
        self.read.docs[sid] = {"id": str(sid), "version": 1, "status": "submitted", **data}
        return Result(self._next(), 1, sid, key.key_id, plaintext)

    def check_registration(self, data: Mapping[str, object]) -> dict[str, list[str]]:
        self.calls.append(("check", (dict(data),)))
        return {"service_name": ["Bad."]} if data.get("service_name") == "invalid" else {}

    def amend_submission(
        self,
        submission_id: uuid.UUID,
        data: Mapping[str, object],
        *,
        actor: str,
        by_admin: bool,
        expected_version: int | None,
    ) -> Result:
        self.calls.append(("amend", (dict(data), actor, by_admin, expected_version)))
        doc = self._doc(submission_id, expected_version)
        doc.update(data)
        doc["version"] += 1
        return Result(self._next(), doc["version"])

    def change_status(
        self,
        submission_id: uuid.UUID,
        target: str,
        *,
        actor: str,
        by_admin: bool,
        comment: str,
        expected_version: int | None,
    ) -> Result:
        doc = self._doc(submission_id, expected_version)
        if target == "draft":
            raise errors.InvalidTransition("draft is reserved")
        doc["status"] = target
        doc["version"] += 1
        return Result(self._next(), doc["version"])

    def assign_maturity_tags(
        self,
        submission_id: uuid.UUID,
        primary: str | None,
        secondary: Sequence[str],
        *,
        actor: str,
        expected_version: int | None,
    ) -> Result:
        doc = self._doc(submission_id, expected_version)
        if doc["status"] != "approved":
            raise errors.TagsNotAllowed("not approved")
        doc["primary_maturity_tag"] = primary
        doc["version"] += 1
        return Result(self._next(), doc["version"])

    def issue_key(self, submission_id: uuid.UUID, label: str, scope: str, *, actor: str) -> Result:
        self._doc(submission_id, None)
        plaintext = f"issued-{uuid.uuid4()}"
        key = self.read.add_key(plaintext, submission_id, scope)
        return Result(self._next(), 2, submission_id, key.key_id, plaintext)

    def revoke_key(self, submission_id: uuid.UUID, key_id: uuid.UUID, *, actor: str) -> Result:
        for hash_, key in list(self.read.keys.items()):
            if key.key_id == key_id:
                self.read.keys[hash_] = Key(
                    key.key_id, key.submission_id, key.label, key.scope, False, key.key_hash
                )
                return Result(self._next(), 3)
        raise errors.NotFound(str(key_id))

    def reset_keys(self, submission_id: uuid.UUID, *, actor: str) -> Result:
        return self.issue_key(submission_id, "reset", "write", actor=actor)

    def erase_submission(self, submission_id: uuid.UUID, *, actor: str, reason: str) -> Erasure:
        self.calls.append(("erase", (submission_id, actor, reason)))
        doc = self._doc(submission_id, None)
        del self.read.docs[submission_id]
        self.read.erased_ids.add(submission_id)
        for hash_, key in list(self.read.keys.items()):
            if key.submission_id == submission_id:
                del self.read.keys[hash_]
        return Erasure(submission_id, self._next(), doc["version"] + 1, actor, reason, NOW)

    def _create(self, kind: str, data: Mapping[str, object]) -> Result:
        rid: Any = len(self.read.reference[kind]) + 1 if kind == "category" else uuid.uuid4()
        self.read.reference[kind][rid] = {"id": rid, "is_active": True, **data}
        return Result(self._next(), 1, id=rid)

    def create_category(self, data: Mapping[str, object], *, actor: str) -> Result:
        return self._create("category", data)

    def create_centre(self, data: Mapping[str, object], *, actor: str) -> Result:
        return self._create("centre", data)

    def create_pi(self, data: Mapping[str, object], *, actor: str) -> Result:
        return self._create("pi", data)

    def update_reference(
        self, kind: str, ref_id: Any, data: Mapping[str, object], *, actor: str
    ) -> Result:
        if ref_id not in self.read.reference[kind]:
            raise errors.NotFound(str(ref_id))
        self.read.reference[kind][ref_id].update(data)
        return Result(self._next(), 2, id=ref_id)

    def set_reference_active(self, kind: str, ref_id: Any, active: bool, *, actor: str) -> Result:
        if ref_id not in self.read.reference[kind]:
            raise errors.NotFound(str(ref_id))
        self.read.reference[kind][ref_id]["is_active"] = active
        return Result(self._next(), 3, id=ref_id)


class MemoryIdempotency:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, bytes | None]] = {}

    def claim(self, key_hash: str, request_hash: str) -> tuple[str, bytes | None]:
        row = self.rows.get(key_hash)
        if row is None:
            self.rows[key_hash] = (request_hash, None)
            return "new", None
        if row[0] != request_hash:
            return "mismatch", None
        return ("busy", None) if row[1] is None else ("done", row[1])

    def complete(self, key_hash: str, stored: bytes, submission_id: Any) -> None:
        self.rows[key_hash] = (self.rows[key_hash][0], stored)

    def release(self, key_hash: str) -> None:
        self.rows.pop(key_hash, None)
