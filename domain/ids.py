"""Deterministic ids (uuid5) for things that have an external or natural key.

A redelivered job or a repeated import then addresses the same aggregate and cannot create a
duplicate: the second creation fails on the ``(originator_id, version=1)`` key.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "https://service-registry.denbi.de/registry")


def category_id(category: int) -> UUID:
    """Aggregate id of the service category with this integer id."""
    return uuid5(NAMESPACE, f"service-category:{category}")


def reference_index_id() -> UUID:
    """Aggregate id of the singleton reference-data index."""
    return uuid5(NAMESPACE, "reference-index")


def biotools_record_id(submission_id: UUID | str) -> UUID:
    """Aggregate id of a submission's bio.tools record."""
    return uuid5(NAMESPACE, f"biotools-record:{submission_id}")
