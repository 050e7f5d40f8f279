"""Process configuration, read once from ``REGISTRY_*`` environment variables.

Every variable is listed in ``.env.example``. Invalid values stop the process with one line naming
the variable (see :func:`load_settings`). Secrets are never defaulted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigurationError(Exception):
    """Raised when an environment variable holds a value the registry cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"invalid configuration: {variable}: {problem}")
        self.variable = variable
        self.problem = problem


class Settings(BaseModel):
    """Typed view of the ``REGISTRY_*`` environment variables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; unset starts the embedded server under data_dir.",
    )
    broker_url: str | None = Field(
        default=None,
        description="redis://, amqp:// or postgresql://; unset uses the database as the broker.",
    )
    data_dir: Path = Field(default=Path("var"), description="Embedded database, outbox, state.")
    media_dir: Path | None = Field(
        default=None, description="Uploaded logos; unset: <data_dir>/media."
    )
    logo_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, le=1024 * 1024 * 1024)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    web_workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    biotools_url: str = "https://bio.tools/api"
    smtp_url: str | None = None
    admin_email: str = "registry-admin@localhost"
    from_email: str = "registry@localhost"
    notify_override: str | None = None
    rate_limits: str = Field(
        default="anonymous=10/minute,key=60/minute",
        description="'off', or comma-separated class=N/second|minute|hour.",
    )
    no_reset_fields: tuple[str, ...] | None = Field(
        default=None,
        description="Fields whose owner edit never resets approval; unset: the shipped list.",
    )
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    auto_promote: bool | None = Field(
        default=None, description="Build and promote new read-table versions by itself."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    read_your_writes_timeout: float = Field(default=5.0, ge=0.0, le=60.0)
    public_base_url: str | None = None
    worker_threads: int = Field(default=4, ge=1, le=64)
    # The web pages (spec/ui.md §3.1, §5.1, §5.5).
    site_name: str = Field(default="de.NBI Service Registration Platform", min_length=1)
    site_contact_email: str | None = Field(
        default=None, description="Contact shown on every page; unset: admin_email."
    )
    site_privacy_url: str | None = None
    site_imprint_url: str | None = None
    site_user_guide_url: str | None = None
    feature_catalogue: bool = Field(default=True, description="Serve the public catalogue.")
    catalogue_meta_description: str = (
        "Browse the bioinformatics services of the German Network for Bioinformatics "
        "Infrastructure (de.NBI)."
    )
    ui_owner_idle_seconds: int = Field(default=3600, ge=60, le=86_400)
    ui_admin_idle_seconds: int = Field(default=1800, ge=60, le=86_400)
    ui_warn_before_seconds: int = Field(default=120, ge=10, le=3600)
    broker_heartbeat_timeout: float = Field(
        default=60.0,
        gt=0.0,
        le=3600.0,
        description="Seconds of worker silence before its unacked jobs are requeued.",
    )
    broker_maintenance_chance: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="Redis: broker commands in a million that also requeue dead workers' jobs.",
    )

    @field_validator("no_reset_fields", "cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("broker_url")
    @classmethod
    def _known_broker(cls, value: str | None) -> str | None:
        schemes = ("redis://", "rediss://", "amqp://", "amqps://", "postgresql://", "postgres://")
        if value is not None and not value.startswith((*schemes, "stub://")):
            raise ValueError("must start with redis://, amqp://, postgresql:// or stub://")
        return value

    @property
    def media_root(self) -> Path:
        """Where uploaded files are stored."""
        return self.media_dir if self.media_dir is not None else self.data_dir / "media"

    @property
    def embedded(self) -> bool:
        """True when no database URL is configured and the embedded server is used."""
        return self.database_url is None

    @property
    def promote_automatically(self) -> bool:
        """Auto-promotion defaults to on in the embedded setup and off elsewhere."""
        return self.embedded if self.auto_promote is None else self.auto_promote


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings once; raise :class:`ConfigurationError` naming the first bad variable."""
    source = dict(os.environ if environ is None else environ)
    # An empty variable means "unset", as docker compose and .env files write it.
    values = {
        key.removeprefix("REGISTRY_").lower(): value
        for key, value in source.items()
        if key.startswith("REGISTRY_") and value != ""
    }
    known = {name for name in Settings.model_fields}
    try:
        return Settings.model_validate({k: v for k, v in values.items() if k in known})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigurationError(f"REGISTRY_{field.upper()}", first["msg"]) from None
