"""The registry's domain: aggregates, events and the ``Registry`` application.

Pure: imports only ``eventsourcing`` and the standard library. Entry point:
``domain.application.Registry``; errors: ``domain.errors``.

Event catalogue
===============
Every event has ``originator_id`` (aggregate UUID), ``originator_version``, ``timestamp``
(timezone-aware UTC) and, unless noted, ``actor`` (``submitter``, ``admin:<label>``,
``api:<key label>``, ``worker:biotools``, ``import``). Payloads are flat stdlib values; dates are
ISO strings and ids are strings. ``values`` always holds RAW new values under the API's wire
names (``service_center_id``, ``service_category_ids`` (ints), ``responsible_pi_ids``,
``edam_topic_ids``/``edam_operation_ids`` (accessions), ``licenses`` (SPDX ids), …, plus
``status``, ``primary_maturity_tag``, ``secondary_maturity_tags`` where they change), so a
projector can build rows from events alone. ``changes`` is ``[{field, label, old, new}]`` with
change-log names (``service_center``, ``service_categories``, ``responsible_pis``,
``edam_topics``, ``edam_operations``, ``related_services``, …), display strings, sorted by field.
The fields are declared once, in the field catalogue (``domain.fields``): a payload recorded
before a field existed lacks its key and reads its default; one recorded under a field's old name
(``fields.RENAMED_FIELDS``) reads under the new one, and the API accepts the old name while the
alias lasts. Schema changes: ``docs/schema-evolution.md``.

Personal values (submitter first/last name and affiliation, internal contact name and email,
public contact, comments; the submitter's IP and user-agent hash; the status comment) are
encrypted at rest per submission; after erasure they read ``"[erased]"`` (``domain.personal``,
``docs/erasure.md``).

Submission (``registry/Submission/v2``; class_version 2 upcasts v1 snapshots like Registered)
  ``registry/Submission.Registered/v2``  actor, values (every content field), status
      ("submitted"), submission_ip, user_agent_hash — a new submission. (v1 had
      ``kpi_start_year`` for ``kpi_since`` and no ``data_access_type``/``related_service_ids``;
      upcast to the new name, "open" and [].)
  ``registry/Submission.Amended/v2``  actor, by_admin, values (changed fields only), changes,
      status_reset — an edit that really changed something; with status_reset the values also
      carry status "submitted" and cleared tags (and changes show them). (v1 said
      ``kpi_start_year`` in values and change records; upcast to ``kpi_since``.)
  ``registry/Submission.RelatedServicesChanged/v1``  actor, values (related_service_ids: the
      full new list), changes — another submission added or removed this one as related
      (symmetric relation; saved in the same transaction as that change, or its erasure).
  ``registry/Submission.StatusChanged/v2``  actor, old_status, new_status, comment, values,
      changes — an explicit status action; leaving approved clears tags in the same event.
      (v1 had no comment; upcast to "".)
  ``registry/Submission.MaturityTagsAssigned/v1``  actor, values (primary_maturity_tag,
      secondary_maturity_tags), changes.
  ``registry/Submission.KeyIssued/v1``  actor, key_id, key_hash (SHA-256 hex), label, scope
      (read|write), created_by — created_at is the event timestamp.
  ``registry/Submission.KeyRevoked/v1``  actor, key_id.
  ``registry/Submission.BioToolsLinked/v1``  actor, biotools_id — sync this id.
  ``registry/Submission.BioToolsUnlinked/v1``  actor, biotools_id — drop the record.
  ``registry/Submission.Erased/v2``  actor, reason (the admin's note, kept in clear) — remove
      from read tables; personal data destroyed (the key in the event's transaction). (v1 had
      no reason; upcast to "".)
  ``registry/Submission.Imported/v1``  actor ("import"), values (every content field, recorded
      without today's rules), status, primary_maturity_tag, secondary_maturity_tags,
      submission_ip, user_agent_hash, submitted_at, updated_at (original ISO times; the
      timestamp is the import), keys ([{key_id, key_hash, label, scope, created_by, created_at,
      is_active}]), biotools_id — a submission of the existing system (``import_commands``).
  ``registry/Submission.HistoryImported/v1``  actor ("import"), changed_by, changed_at (ISO),
      changes — one change-log entry of the existing system; recorded right after Imported,
      oldest first.

BioToolsRecord (``registry/BioToolsRecord/v1``; id ``uuid5(NAMESPACE, "biotools-record:<sid>")``)
  ``registry/BioToolsRecord.Created/v1``  submission_id (no actor).
  ``registry/BioToolsRecord.BioToolsSynced/v1``  submission_id, biotools_id, record, actor.
  ``registry/BioToolsRecord.BioToolsSyncFailed/v1``  submission_id, biotools_id, error, actor.

ServiceCategory (``registry/ServiceCategory/v1``; id ``uuid5(NAMESPACE, "service-category:<n>")``),
ServiceCentre (``registry/ServiceCentre/v1``), PrincipalInvestigator
(``registry/PrincipalInvestigator/v1``), each with
  ``….Created/v1``  actor, values — category: category_id, name; centre: short_name,
      full_name, website, ror_id; PI: last_name, first_name, email, institute, orcid,
      is_associated_partner. (Centre: ``registry/ServiceCentre.Created/v2``; v1 payloads may
      lack ror_id, upcast to "".)
  ``….Updated/v1``  actor, values (changed only), changes.
  ``….Deactivated/v1`` / ``….Reactivated/v1``  actor — soft delete / undo.

ReferenceIndex (``registry/ReferenceIndex/v1``, singleton; internal bookkeeping, no actor)
  ``….Created/v1``; ``….CategoryNamed/v1`` category_id, name, old_name;
  ``….PartnerAssigned/v1`` pi_id.

AdminKey (``registry/AdminKey/v1``)
  ``registry/AdminKey.Created/v1``  label, scope (read|full), key_hash, created_by.
  ``registry/AdminKey.Imported/v1``  label, scope, key_hash, created_by, created_at (ISO),
      is_active — an admin key of the existing system.
  ``registry/AdminKey.Revoked/v1``  actor.

AdminAccount (``registry/AdminAccount/v1``; id ``uuid5(NAMESPACE, "admin-account:<username>")``)
  ``registry/AdminAccount.Created/v1``  username, role (viewer|editor|manager), actor.
  ``registry/AdminAccount.RoleChanged/v1``  old_role, role, actor.
  ``registry/AdminAccount.Disabled/v1`` / ``….Enabled/v1``  actor.
  ``registry/AdminAccount.PasswordResetRequested/v1`` / ``….PasswordSet/v1``  actor.
  ``registry/AdminAccount.TotpEnrolled/v1`` / ``….TotpRemoved/v1``  actor.
  No secret is ever in these events: hashes, TOTP seeds and setup tokens live in the support
  unit ``admin_accounts`` (``schema/ddl/admin_accounts``).
"""
