"""docker-compose.yml stays runnable although Docker cannot run here: its structure is checked."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.cli import _parser
from schema.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = {name: svc for name, svc in SERVICES.items() if svc.get("build")}


def _subcommands() -> set[str]:
    parser = _parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_process_of_the_design_has_a_service() -> None:
    commands = {svc["command"][0] for svc in OURS.values()}
    assert {"migrate", "serve", "project", "worker", "schedule"} <= commands
    assert {"postgres", "redis"} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_command_is_a_real_registry_subcommand(name: str) -> None:
    assert OURS[name]["command"][0] in _subcommands()


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_variable_set_is_one_the_settings_read(name: str) -> None:
    known = {f"REGISTRY_{field.upper()}" for field in Settings.model_fields}
    env = OURS[name]["environment"]
    assert set(env) <= known, set(env) - known


@pytest.mark.parametrize("name", sorted(n for n in OURS if n != "migrate"))
def test_long_running_processes_wait_for_the_one_shot_migration(name: str) -> None:
    depends = OURS[name]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert OURS[name]["environment"]["REGISTRY_DATABASE_URL"].startswith("postgresql://")


def test_servers_and_the_web_process_have_health_checks() -> None:
    for name in ("postgres", "redis", "web"):
        assert SERVICES[name]["healthcheck"]["test"], name


def test_the_broker_is_the_compose_redis() -> None:
    for svc in OURS.values():
        assert svc["environment"]["REGISTRY_BROKER_URL"].startswith("redis://redis:")
