"""The reference cache: validation reuses loaded categories, centres and PIs, a change made
through the same application is seen at once, one made elsewhere within `max_age`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from domain.application import Registry
from domain.errors import ValidationFailed
from domain.reference_cache import ReferenceCache

from .conftest import Refs

ADMIN = "admin:root"


def _register(app: Registry, data: dict[str, Any]) -> Any:
    return app.register_submission(data, ip="192.0.2.1", user_agent_hash="0" * 64)


def _counting_gets(app: Registry, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    loaded: list[Any] = []
    get = app.repository.get

    def counting(aggregate_id: Any, *args: Any, **kwargs: Any) -> Any:
        loaded.append(aggregate_id)
        return get(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(app.repository, "get", counting)
    return loaded


def test_a_second_registration_loads_no_reference_record_again(
    app: Registry,
    refs: Refs,
    valid_data: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _register(app, valid_data())
    loaded = _counting_gets(app, monkeypatch)
    _register(app, valid_data(service_name="Another Mapper"))
    assert refs.centre not in loaded
    assert refs.pi not in loaded


def test_a_centre_deactivated_through_the_same_application_is_refused_at_once(
    app: Registry, refs: Refs, valid_data: Callable[..., dict[str, Any]]
) -> None:
    _register(app, valid_data())
    app.set_reference_active("centre", refs.centre, False, actor=ADMIN)
    with pytest.raises(ValidationFailed):
        _register(app, valid_data(service_name="Another Mapper"))


def test_a_cached_record_is_reused_for_less_than_max_age_and_never_after() -> None:
    now = [100.0]
    cache = ReferenceCache(max_age=1.0, clock=lambda: now[0])
    key, record = uuid4(), object()
    cache.put(key, record, cache.now())
    now[0] = 100.99
    assert cache.get(key) is record
    now[0] = 101.0
    assert cache.get(key) is None


def test_a_zero_max_age_caches_nothing() -> None:
    cache = ReferenceCache(max_age=0)
    key = uuid4()
    cache.put(key, object(), cache.now())
    assert cache.get(key) is None


def test_a_forgotten_record_is_loaded_again() -> None:
    cache = ReferenceCache(max_age=60)
    key = uuid4()
    cache.put(key, object(), cache.now())
    cache.forget([key])
    assert cache.get(key) is None


def test_a_followed_record_is_reused_only_under_the_stamp_it_was_loaded_under() -> None:
    stamp: list[int | None] = [1]
    cache = ReferenceCache(max_age=60)
    cache.follow(lambda: stamp[0])
    key, record = uuid4(), object()
    cache.put(key, record, cache.now())
    assert cache.get(key) is record
    stamp[0] = 2  # a reference change committed somewhere (its NOTIFY arrived)
    assert cache.get(key) is None


def test_a_record_loaded_while_its_stamp_was_unknown_is_not_kept() -> None:
    stamp: list[int | None] = [None]  # the listener is disconnected
    cache = ReferenceCache(max_age=60)
    cache.follow(lambda: stamp[0])
    key = uuid4()
    cache.put(key, object(), cache.now())
    stamp[0] = 3
    assert cache.get(key) is None


def test_a_followed_record_is_not_reused_while_the_stamp_is_unknown() -> None:
    stamp: list[int | None] = [4]
    cache = ReferenceCache(max_age=60)
    cache.follow(lambda: stamp[0])
    key = uuid4()
    cache.put(key, object(), cache.now())
    stamp[0] = None
    assert cache.get(key) is None


def test_a_change_that_raced_a_load_is_not_hidden() -> None:
    stamp: list[int | None] = [5]
    cache = ReferenceCache(max_age=60)
    cache.follow(lambda: stamp[0])
    key = uuid4()
    mark = cache.now()  # taken before the load
    stamp[0] = 6  # the change's NOTIFY arrived while the old record was being read
    cache.put(key, object(), mark)
    assert cache.get(key) is None
