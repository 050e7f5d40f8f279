"""A web worker freezes the objects it built at start-up, so the collector's full collections
(a 100-245 ms pause every few seconds under read load without it) no longer walk them."""

from __future__ import annotations

import gc

import pytest
from starlette.testclient import TestClient

from registry.setup import migrate
from registry.webapp import create_from_environment
from schema.settings import load_settings


def test_a_web_worker_freezes_its_start_up_objects_before_it_serves(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    migrate(database_url, load_settings())
    gc.unfreeze()
    app = create_from_environment()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(app) as client:  # runs the lifespan, as uvicorn does
            frozen = gc.get_freeze_count()
            assert client.get("/health/live/").status_code == 200
    finally:
        gc.unfreeze()
    # Every module and the app itself, not a handful of objects.
    assert frozen > 50_000
