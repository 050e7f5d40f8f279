"""What the web layer needs from the domain and the read side, as structural types.

The composition root passes the real ``domain`` Registry and ``projections.queries.ReadModel``;
unit tests pass small fakes. Documents are plain JSON-ready dicts in the wire shape of spec §3.3
(minus ``links``, which need the base URL and are added here).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable

from web.auth import KeyLookup, KeyRecord

Doc = dict[str, Any]

#: ``wait_for(projection, position, timeout) -> caught_up``: read-your-writes.
WaitFor = Callable[[str, int, float], bool]

#: ``quarantined(projection, subject id) -> bool``: whether the live version of the projection
#: has quarantined that subject's row (it stays behind until an operator retries or skips).
Quarantined = Callable[[str, str], bool]


class Recorded(Protocol):
    """What every command returns: where its last event landed and the aggregate's version."""

    @property
    def position(self) -> int | None: ...
    @property
    def version(self) -> int: ...


class KeyResult(Recorded, Protocol):
    """A command that issued a key: its plaintext is in the result, once."""

    @property
    def key_id(self) -> uuid.UUID: ...
    @property
    def api_key(self) -> str: ...


class RegistrationResult(KeyResult, Protocol):
    """The result of registering a submission."""

    @property
    def submission_id(self) -> uuid.UUID: ...


class ErasureResult(Recorded, Protocol):
    """The result of erasing a submission."""

    @property
    def actor(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def erased_at(self) -> dt.datetime: ...


class CreatedResult(Recorded, Protocol):
    """The result of creating a reference record."""

    @property
    def id(self) -> uuid.UUID | int: ...


class RegistryPort(Protocol):
    """The domain commands the API issues (one per endpoint)."""

    def register_submission(
        self, data: Mapping[str, object], *, ip: str | None, user_agent_hash: str
    ) -> RegistrationResult:
        """Register a submission and issue its initial write key."""

    def check_registration(self, data: Mapping[str, object]) -> dict[str, list[str]]:
        """The errors :meth:`register_submission` would refuse ``data`` with (none: valid);
        records nothing."""

    def amend_submission(
        self,
        submission_id: uuid.UUID,
        data: Mapping[str, object],
        *,
        actor: str,
        by_admin: bool,
        expected_version: int | None,
    ) -> Recorded:
        """Apply a partial update."""

    def change_status(
        self,
        submission_id: uuid.UUID,
        target: str,
        *,
        actor: str,
        by_admin: bool,
        comment: str,
        expected_version: int | None,
    ) -> Recorded:
        """Move a submission through its lifecycle."""

    def assign_maturity_tags(
        self,
        submission_id: uuid.UUID,
        primary: str | None,
        secondary: list[str],
        *,
        actor: str,
        expected_version: int | None,
    ) -> Recorded:
        """Set or clear the maturity tags of an approved submission."""

    def issue_key(
        self, submission_id: uuid.UUID, label: str, scope: str, *, actor: str
    ) -> KeyResult:
        """Issue a new submission key."""

    def revoke_key(self, submission_id: uuid.UUID, key_id: uuid.UUID, *, actor: str) -> Recorded:
        """Revoke one key."""

    def reset_keys(self, submission_id: uuid.UUID, *, actor: str) -> KeyResult:
        """Revoke all keys and issue one write key."""

    def erase_submission(
        self, submission_id: uuid.UUID, *, actor: str, reason: str
    ) -> ErasureResult:
        """Erase a submission: its personal data destroyed, its history kept (decision 9)."""

    def create_category(self, data: Mapping[str, object], *, actor: str) -> CreatedResult:
        """Create a service category (unique name; integer id allocated)."""

    def create_centre(self, data: Mapping[str, object], *, actor: str) -> CreatedResult:
        """Create a service centre."""

    def create_pi(self, data: Mapping[str, object], *, actor: str) -> CreatedResult:
        """Create a principal investigator."""

    def update_reference(
        self, kind: str, ref_id: uuid.UUID | int, data: Mapping[str, object], *, actor: str
    ) -> Recorded:
        """Change fields of a ``category``, ``centre`` or ``pi``."""

    def set_reference_active(
        self, kind: str, ref_id: uuid.UUID | int, active: bool, *, actor: str
    ) -> Recorded:
        """Deactivate (soft delete) or reactivate a reference record."""


class OwnedKey(Protocol):
    """A key of a submission as the owner's pages check it (never the plaintext)."""

    @property
    def key_id(self) -> uuid.UUID: ...
    @property
    def is_active(self) -> bool: ...


class OwnedSubmission(Protocol):
    """A submission's raw state, folded from the event log (the owner's pages prefill their
    form with it and check that the session's key is still active)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def version(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def values(self) -> dict[str, Any]: ...
    @property
    def keys(self) -> Any: ...
    @property
    def updated_at(self) -> dt.datetime: ...


class AmendmentPreview(Protocol):
    """What saving an edit would do (``domain.editing.AmendmentImpact``)."""

    @property
    def version(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def changes(self) -> list[dict[str, str]]: ...
    @property
    def status_reset(self) -> bool: ...
    @property
    def review_fields(self) -> list[str]: ...
    @property
    def free_fields(self) -> list[str]: ...


@runtime_checkable
class OwnerPort(Protocol):
    """The owner's update pages' domain calls beyond ``RegistryPort`` (spec/ui.md §5.6)."""

    def get_submission(
        self, submission_id: uuid.UUID, version: int | None = None
    ) -> OwnedSubmission:
        """The submission now, or as of ``version`` (``domain.errors.NotFound`` when unknown
        or erased)."""

    def preview_amendment(
        self,
        submission_id: uuid.UUID,
        data: Mapping[str, object],
        *,
        by_admin: bool,
        expected_version: int | None,
    ) -> AmendmentPreview:
        """The reset rule asked in advance: validates like ``amend_submission``
        (``ValidationFailed``, ``StaleVersion``), records nothing."""


class ReadPort(KeyLookup, Protocol):
    """The read queries the API serves from."""

    def submission(self, submission_id: uuid.UUID) -> Doc | None:
        """The live document, with its ``version``."""

    def submission_for_key(
        self, key_hash: str, submission_id: uuid.UUID
    ) -> tuple[KeyRecord | None, Doc | None]:
        """``(api_key(key_hash), submission(submission_id))`` in one round trip at most."""

    def list_submissions(
        self, filters: Mapping[str, str], ordering: str, page: int, page_size: int
    ) -> tuple[int, list[Doc]]:
        """A page of submissions and the total count."""

    def submission_as_of(self, submission_id: uuid.UUID, at: dt.datetime) -> Doc | None:
        """The document as it was at ``at`` (None before it existed)."""

    def history(self, submission_id: uuid.UUID) -> list[Doc]:
        """Every recorded change, oldest first."""

    def history_json(self, submission_id: uuid.UUID) -> bytes | None:
        """``history`` as the served JSON array (an erased submission's redacted one included);
        None when the submission is unknown."""

    def submission_timeline(self, submission_id: uuid.UUID) -> list[Doc] | None:
        """Every recorded step of the submission from its event log, oldest first: ``{seq,
        version, type, changed_by, changed_at, recorded_at, comment, old_status, new_status,
        changes, fields, doc}`` (``fields``: the raw keys the step changed; ``doc``: the raw
        document after it, None from an erasure on); None when the registry never had it."""

    def submission_version(self, submission_id: uuid.UUID, version: int) -> Doc | None:
        """The served document as it was at ``version`` (None when it never had it)."""

    def field_provenance(
        self, submission_id: uuid.UUID, version: int | None = None
    ) -> dict[str, Doc] | None:
        """Per field, the step that last changed it at or before ``version`` (None: now):
        ``{version, seq, type, changed_by, changed_at}``; None for an unknown submission."""

    def last_approved_version(self, submission_id: uuid.UUID) -> int | None:
        """The newest version at which it was approved, when it is not approved now."""

    def compare_versions(self, submission_id: uuid.UUID, a: int, b: int) -> Doc | None:
        """Versions ``a`` and ``b`` side by side: ``{from, to, from_doc, to_doc, from_served,
        to_served, fields, times, steps}`` (None when either is unknown)."""

    def reference_history(self, kind: str, ref_id: int | uuid.UUID | str) -> list[Doc] | None:
        """Every event of a ``category``, ``centre`` or ``pi``, oldest first: ``{version, type,
        changed_by, changed_at, changes}``; None when unknown."""

    def reference_usage(self, kind: str) -> dict[str, int]:
        """How many submissions name each ``category``, ``centre`` or ``pi``, by id (text)."""

    def erased(self, submission_id: uuid.UUID) -> bool:
        """Whether the submission was erased (reads of it answer 410, not 404)."""

    def changes(self, after: int, limit: int) -> list[Doc]:
        """The registry-wide change feed after a position."""

    def keys_of(self, submission_id: uuid.UUID) -> list[Doc]:
        """The keys of a submission (never plaintext or whole hashes)."""

    def categories(self, is_active: bool | None = None) -> list[Doc]:
        """Service categories, by name."""

    def category(self, category_id: int) -> Doc | None:
        """One category."""

    def service_centres(self, is_active: bool | None = None) -> list[Doc]:
        """Service centres, by full name."""

    def service_centre(self, centre_id: uuid.UUID) -> Doc | None:
        """One service centre."""

    def pis(self, is_active: bool | None = None) -> list[Doc]:
        """Principal investigators, by last and first name."""

    def pi(self, pi_id: uuid.UUID) -> Doc | None:
        """One principal investigator."""

    def registration_options(self) -> dict[str, list[Doc]]:
        """The active ``categories``, ``centres`` and ``pis`` (public members only) a
        registration may name."""

    def edam_terms(self, branch: str | None, q: str | None, limit: int | None = None) -> list[Doc]:
        """Non-obsolete EDAM terms (at most ``limit``; None: all)."""

    def edam_term(self, key: str) -> Doc | None:
        """One EDAM term by accession (obsolete included) or integer id."""

    def licenses(self, q: str | None) -> list[Doc]:
        """SPDX licences."""

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
    ) -> tuple[int, list[Doc]]:
        """A page of bio.tools records (summary shape), filtered by an EDAM operation of any
        function (and its descendants) and by maturity."""

    def biotools_record(self, biotools_id: str) -> Doc | None:
        """The full record when its submission is approved."""

    def catalogue_search(self, criteria: Mapping[str, Any]) -> Doc:
        """One page of the public catalogue: ``{total, page, pages, items, groups, facets,
        labels}`` over the last approved version of each public service (spec/ui.md §5.5)."""

    def catalogue_service(self, service_id: uuid.UUID) -> Doc | None:
        """A service's public page data: ``visibility`` (``listed``, ``in_review``,
        ``deprecated``, ``hidden``, ``erased``) and, when shown, its last approved fields with
        their references resolved; None for an id the registry never had."""

    def admin_submissions(
        self, criteria: Mapping[str, Any], page: int, page_size: int
    ) -> dict[str, Any]:
        """One page of the admin list (spec/ui.md §5.7.3; ``page_size`` 0: counts only):
        ``{total, page, pages, items, keys, in_review, facets, changed, labels}``: the page's
        documents, their key counts (``{active, total}`` by id), those changed since their last
        approval, per filter the count of each value among the submissions the other filters
        keep, how many kept ones changed since their last approval, and the names of the
        centres, categories and PIs counted or chosen."""

    def admin_documents(
        self, criteria: Mapping[str, Any], at: dt.datetime | None = None
    ) -> list[Doc]:
        """Every submission the admin list's ``criteria`` keep (``ids``: only these), in its
        order; with ``at``, each as it was then."""

    def admin_activity(
        self, filters: Mapping[str, Any], limit: int | None, seen: int | None = None
    ) -> Doc:
        """The ``limit`` newest change-feed entries passing the activity page's ``filters``
        (None: all), each with its submission's ``service_name``: ``{entries, top, unseen}``
        (``top`` the newest position, ``unseen`` the entries after ``seen``)."""

    def catalogue_recent(self, limit: int) -> tuple[int, list[Doc]]:
        """How many services the public sees, and the ``limit`` most recently approved."""


class IdempotencyStore(Protocol):
    """Remembers the first response to a create under its ``Idempotency-Key``."""

    def claim(self, key_hash: str, request_hash: str) -> tuple[str, bytes | None]:
        """``("new", None)`` when claimed now, ``("done", stored)`` for a finished first
        request with the same body, ``("busy", None)`` while it runs, ``("mismatch", None)``
        for a different body under the same key, ``("erased", None)`` when the submission
        the first request created was erased."""

    def complete(self, key_hash: str, stored: bytes, submission_id: uuid.UUID) -> None:
        """Store the first response, which created ``submission_id`` (erasing that submission
        deletes it)."""

    def release(self, key_hash: str) -> None:
        """Forget a claim whose request failed, so the client may retry."""


class SessionRow(Protocol):
    """One stored page session (spec/ui.md §3.1): never the token itself, only its hash."""

    @property
    def id_hash(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def csrf_secret(self) -> str: ...
    @property
    def idle_expires_at(self) -> dt.datetime: ...
    @property
    def absolute_expires_at(self) -> dt.datetime | None: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


class SessionStore(Protocol):
    """Where the pages' server-side sessions live (PostgreSQL table ``ui_sessions``)."""

    def create(
        self,
        id_hash: str,
        kind: str,
        subject: str,
        csrf_secret: str,
        idle_expires_at: dt.datetime,
        absolute_expires_at: dt.datetime | None,
        data: Mapping[str, Any],
    ) -> None:
        """Store a new session."""

    def get(self, id_hash: str, now: dt.datetime) -> SessionRow | None:
        """The session unless unknown or expired (an expired row is deleted on the way)."""

    def touch(self, id_hash: str, idle_expires_at: dt.datetime, data: Mapping[str, Any]) -> None:
        """Move the idle expiry and replace the small ``data``."""

    def delete(self, id_hash: str) -> None:
        """End one session."""

    def delete_subject(self, kind: str, subject: str) -> int:
        """End every session of a subject (a revoked key); return how many ended."""

    def sweep(self, now: dt.datetime) -> int:
        """Delete every expired session; return how many."""

    def server_key(self) -> bytes:
        """The installation's random secret for signed double-submit CSRF tokens (made on
        first use, the same for every web process)."""


class BioToolsLookupFailed(Exception):
    """Raised by a :class:`BioToolsLookup` when the entry cannot be had (not found, timeout,
    bio.tools unavailable or refusing); its text is the reason shown to the person."""


class BioToolsLookup(Protocol):
    """The registration form's bio.tools prefill (spec/ui.md §5.3): one live look-up of a tool,
    implemented over the workers' bio.tools client and injected by the composition root (the
    web package never imports ``workers``)."""

    def lookup(self, biotools_id: str) -> Doc:
        """The tool's flat record (``schema.biotools.flat_record``'s shape); raises
        :class:`BioToolsLookupFailed`."""


class AdminCredentials(Protocol):
    """One named admin account's secrets (spec/ui.md §3.4): never in events or logs."""

    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def username(self) -> str: ...
    @property
    def password_hash(self) -> str | None: ...
    @property
    def totp_secret(self) -> str | None: ...
    @property
    def setup_expires_at(self) -> dt.datetime | None: ...


class AdminCredentialStore(Protocol):
    """The admin console's support tables (``admin_accounts`` unit): password hashes, TOTP
    seeds, one-time setup tokens, failed sign-ins and each admin's change-feed cursor."""

    def create(
        self, account_id: uuid.UUID, username: str, setup_token_hash: str, expires: dt.datetime
    ) -> None:
        """A row for a new account with its setup token."""

    def by_username(self, username: str) -> AdminCredentials | None:
        """The row of ``username``."""

    def by_id(self, account_id: uuid.UUID) -> AdminCredentials | None:
        """The row of an account."""

    def by_setup_token(self, token_hash: str, now: dt.datetime) -> AdminCredentials | None:
        """The account whose unexpired setup token hashes to ``token_hash``."""

    def all(self) -> Sequence[AdminCredentials]:
        """Every account's row, by username."""

    def set_password(self, account_id: uuid.UUID, password_hash: str) -> None:
        """Store a password hash (the setup token is used up)."""

    def reset(self, account_id: uuid.UUID, setup_token_hash: str, expires: dt.datetime) -> None:
        """Forget the password and store a new setup token."""

    def set_totp(self, account_id: uuid.UUID, secret: str | None) -> None:
        """Store or remove the TOTP seed."""

    def use_totp_step(self, account_id: uuid.UUID, step: int) -> bool:
        """Claim a TOTP time step; False when it (or a later one) was used (no replay)."""

    def record_failure(self, ip: str, subject: str, now: dt.datetime) -> None:
        """Count a failed sign-in."""

    def failures_since(self, ip: str, subject: str, since: dt.datetime) -> list[dt.datetime]:
        """The failed sign-ins of (ip, subject) after ``since``, oldest first."""

    def clear_failures(self, ip: str, subject: str) -> None:
        """Forget the failures of (ip, subject)."""

    def cursor(self, subject: str) -> int | None:
        """The change-feed position an admin marked as seen."""

    def set_cursor(self, subject: str, position: int) -> None:
        """Mark the change feed as seen up to ``position`` (never backwards)."""


class AccountStateView(Protocol):
    """An admin account's lifecycle state (the ``AdminAccount`` aggregate)."""

    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def has_password(self) -> bool: ...
    @property
    def totp(self) -> bool: ...
    @property
    def created_by(self) -> str: ...


@runtime_checkable
class AdminAccountRegistry(Protocol):
    """The domain commands on named admin accounts (``domain.admin_account_commands``)."""

    def create_admin_account(self, username: str, role: str, *, actor: str) -> Recorded:
        """A new account (ValidationFailed naming ``username`` or ``role``)."""

    def set_admin_account_role(self, ident: uuid.UUID, role: str, *, actor: str) -> Recorded:
        """Change the role."""

    def set_admin_account_active(self, ident: uuid.UUID, active: bool, *, actor: str) -> Recorded:
        """Disable or enable."""

    def record_admin_password_reset(self, ident: uuid.UUID, *, actor: str) -> Recorded:
        """Record a password reset."""

    def record_admin_password_set(self, ident: uuid.UUID, *, actor: str) -> Recorded:
        """Record that a password was set."""

    def record_admin_totp(self, ident: uuid.UUID, enrolled: bool, *, actor: str) -> Recorded:
        """Record TOTP turned on or off."""

    def admin_account_state(self, ident: uuid.UUID) -> AccountStateView | None:
        """The account's state; None when unknown."""

    def admin_account_events(self, ident: uuid.UUID) -> list[Doc]:
        """The account's lifecycle, oldest first."""


#: ``refresh(submission ids) -> summary``: sync these submissions' bio.tools records now (in the
#: calling thread; the admin page's "Sync selected now"), answering a one-line summary.
BioToolsRefresh = Callable[[Sequence[str]], str]


class QueueLine(NamedTuple):
    """One worker queue's depth: messages waiting, delayed (retries and ETAs) and dead-lettered;
    None where the broker could not be read."""

    name: str
    waiting: int | None
    delayed: int | None = None
    dead: int | None = None


class QueueDepth(Protocol):
    """The worker queues' depth, read from the broker (the System page, spec/ui.md §5.7.7)."""

    def depths(self) -> Sequence[QueueLine]:
        """Every queue the workers consume, within a few seconds: a queue the broker does not
        answer for has None counts (never an exception)."""
