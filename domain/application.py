"""The Registry application: one method per command, each saving in one transaction.

Commands validate normalised input, decide with the aggregates, and return small frozen results
(``domain.results``) with the notification ``position`` of the last event saved (for
read-your-writes) and the aggregate's new ``version``. The command groups live in
``submission_commands``, ``key_commands``, ``reference_commands``,
``biotools_commands`` and ``import_commands``; this class joins them.
"""

from __future__ import annotations

from domain.admin_account_commands import AdminAccountCommands
from domain.biotools_commands import BioToolsCommands
from domain.import_commands import ImportCommands
from domain.key_commands import KeyCommands
from domain.reference_commands import ReferenceCommands
from domain.submission_commands import SubmissionCommands


class Registry(
    ImportCommands,
    SubmissionCommands,
    KeyCommands,
    ReferenceCommands,
    BioToolsCommands,
    AdminAccountCommands,
):
    """The registry's write side (and the event-sourced reads auditors need).

    Keyword arguments: ``env`` (eventsourcing persistence settings), ``reference_catalog``,
    ``key_vault``, ``exempt_fields`` and ``clock``, all with test-friendly defaults (POPO
    persistence, a sample catalogue, an in-memory vault, the shipped exempt list, the system
    clock).
    """

    name = "registry"
