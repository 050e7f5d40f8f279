"""Catalogue state transitions (pure): promote, rollback, retire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from projections.catalogue import (
    CatalogueError,
    State,
    VersionInfo,
    plan_promote,
    plan_retire,
    plan_rollback,
)


def v(version: int, state: State, promoted: int | None = None, failed: bool = False) -> VersionInfo:
    return VersionInfo(
        "things",
        version,
        state,
        position=0,
        promoted_at=datetime(2026, 1, promoted, tzinfo=UTC) if promoted else None,
        failed_at=datetime(2026, 2, 1, tzinfo=UTC) if failed else None,
        error="boom" if failed else None,
    )


def test_promoting_makes_the_target_live_and_the_old_live_version_standby() -> None:
    versions = [v(1, State.LIVE, promoted=1), v(2, State.BUILDING)]
    assert plan_promote(versions, 2) == {2: State.LIVE, 1: State.STANDBY}


def test_promoting_the_live_version_changes_nothing() -> None:
    assert plan_promote([v(1, State.LIVE, promoted=1)], 1) == {}


def test_a_failed_or_retired_version_cannot_be_promoted() -> None:
    with pytest.raises(CatalogueError, match="failed"):
        plan_promote([v(1, State.LIVE, 1), v(2, State.BUILDING, failed=True)], 2)
    with pytest.raises(CatalogueError, match="retired"):
        plan_promote([v(1, State.LIVE, 1), v(2, State.RETIRED)], 2)
    with pytest.raises(CatalogueError, match="not in the catalogue"):
        plan_promote([v(1, State.LIVE, 1)], 3)


def test_rollback_returns_to_the_most_recently_live_standby() -> None:
    versions = [v(1, State.STANDBY, 1), v(2, State.STANDBY, 3), v(3, State.LIVE, 5)]
    assert plan_rollback(versions) == (2, {2: State.LIVE, 3: State.STANDBY})


def test_rollback_never_goes_to_a_version_that_was_never_live() -> None:
    with pytest.raises(CatalogueError, match="no previous"):
        plan_rollback([v(1, State.LIVE, 1), v(2, State.BUILDING)])


def test_rollback_needs_a_live_version() -> None:
    with pytest.raises(CatalogueError, match="no version is live"):
        plan_rollback([v(1, State.BUILDING)])


def test_the_live_version_cannot_be_retired_but_others_can_once() -> None:
    versions = [v(1, State.STANDBY, 1), v(2, State.LIVE, 2), v(3, State.RETIRED)]
    with pytest.raises(CatalogueError, match="live"):
        plan_retire(versions, 2)
    assert plan_retire(versions, 1) == {1: State.RETIRED}
    assert plan_retire(versions, 3) == {}
