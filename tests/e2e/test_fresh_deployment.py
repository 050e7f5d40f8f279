"""A fresh production-style deployment serves what it stores (issue 12, item 1).

``registry migrate`` on an empty database, then ``registry project`` and ``registry serve`` as
docker compose runs them (an external PostgreSQL, auto-promote off): the newest read shape is live
from the start, so ``data_access_type`` and related services written through the API are read
back; ``registry projections check`` and the projector's compose health check pass; every
projection has exactly one version, so no event is folded twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest
import yaml

from projections.projectors.submissions import VERSIONS as SUBMISSIONS
from tests.e2e.conftest import (
    ROOT,
    Processes,
    admin_setup,
    registry_command,
    serve_and_project,
    served_env,
)

pytestmark = pytest.mark.e2e


def _compose_projector_check() -> list[str]:
    """The projector's health-check command in docker-compose.yml, as argv."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    test = compose["services"]["projector"]["healthcheck"]["test"]
    if isinstance(test, str):
        return ["sh", "-c", test]
    kind, *argv = test
    return ["sh", "-c", argv[0]] if kind == "CMD-SHELL" else argv


def _versions(url: str) -> list[tuple[str, int, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT name, version, state FROM projection_versions ORDER BY name, version"
        ).fetchall()
    return [(str(n), int(v), str(s)) for n, v, s in rows]


def test_a_fresh_deployment_serves_the_newest_read_shape_and_passes_its_health_checks(
    database_url: str, processes: Processes
) -> None:
    base, env = served_env(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_AUTO_PROMOTE="false",  # as docker-compose.yml sets it
    )
    registry_command("migrate", env=env)
    versions = _versions(database_url)
    assert {state for _, _, state in versions} == {"live"}, versions
    submissions = [(v, state) for name, v, state in versions if name == "submissions"]
    assert submissions == [(SUBMISSIONS[-1].version, "live")]  # the newest version only

    admin_key = serve_and_project(processes, base, env, "ops")
    admin = {"Authorization": f"AdminKey {admin_key}"}
    payload = admin_setup(base, admin_key)

    with httpx.Client(base_url=base, timeout=30) as client:
        first = client.post("/api/v1/submissions/", json=payload)
        assert first.status_code == 201, first.text
        second = client.post(
            "/api/v1/submissions/",
            json={
                **payload,
                "service_name": "Restricted Mapper",
                "data_access_type": "restricted",
                "related_service_ids": [first.json()["id"]],
            },
        )
        assert second.status_code == 201, second.text
        assert second.json()["data_access_type"] == "restricted"

        read = client.get(f"/api/v1/submissions/{second.json()['id']}/", headers=admin)
        assert read.status_code == 200, read.text
        assert read.json()["data_access_type"] == "restricted"
        assert read.json()["related_services"] == [
            {"id": first.json()["id"], "service_name": payload["service_name"]}
        ]
        owner = {"Authorization": f"ApiKey {first.json()['api_key']}"}
        patched = client.patch(
            f"/api/v1/submissions/{first.json()['id']}/",
            json={"data_access_type": "restricted"},
            headers=owner,
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["data_access_type"] == "restricted"
        back = client.get(f"/api/v1/submissions/{first.json()['id']}/", headers=admin).json()
        assert back["data_access_type"] == "restricted"
        assert back["related_services"] == [
            {"id": second.json()["id"], "service_name": "Restricted Mapper"}
        ]

    assert "all projections are live and caught up" in registry_command(
        "projections", "check", env=env
    )
    venv_bin = str(Path(sys.executable).parent)  # where the image has `registry` on its PATH
    health = subprocess.run(
        _compose_projector_check(),
        env={**env, "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert health.returncode == 0, health.stdout + health.stderr
    assert [v for v in _versions(database_url) if v[2] != "live"] == [], "nothing folded twice"
