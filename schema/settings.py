"""Process configuration, read once from ``REGISTRY_*`` environment variables.

Every variable is listed in ``.env.example``. Invalid values stop the process with one line naming
the variable (see :func:`load_settings`). Secrets are never defaulted.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import platformdirs
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
    data_dir: Path = Field(
        default_factory=lambda: default_data_dir(),
        description="Embedded database, outbox, state; unset: see default_data_dir().",
    )
    media_dir: Path | None = Field(
        default=None, description="Uploaded logos; unset: <data_dir>/media."
    )
    media_s3_bucket: str | None = Field(
        default=None,
        description="Keep uploaded logos in this bucket of an S3-compatible store instead of"
        " media_dir (several hosts: docs/deploy.md).",
    )
    media_s3_prefix: str = Field(default="", description="Key prefix of the logos in the bucket.")
    media_s3_endpoint_url: str | None = Field(
        default=None, description="The store's URL when it is not AWS (MinIO, Ceph, …)."
    )
    media_s3_region: str | None = None
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
        default="anonymous=10/minute,invalid=60/minute,key=60/minute",
        description="'off', or comma-separated class=N/second|minute|hour (classes anonymous,"
        " invalid, key: see web.ratelimit).",
    )
    rate_limit_storage: str | None = Field(
        default=None,
        description="Where rate-limit counts are kept: 'memory' (per process), 'database'"
        " (PostgreSQL, shared), redis:// or rediss:// (shared); unset: the Redis broker when"
        " REGISTRY_BROKER_URL is redis://, else memory.",
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
    projections_max_lag: int = Field(
        default=1000,
        ge=0,
        description="Events a live projection may trail the log by before"
        " `registry projections check` fails (a health check must not flap under load).",
    )
    idempotency_ttl: float = Field(
        default=24 * 3600.0,
        ge=60.0,
        le=30 * 24 * 3600.0,
        description="Seconds an Idempotency-Key's first response is kept (then swept hourly).",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    read_your_writes_timeout: float = Field(default=5.0, ge=0.0, le=60.0)
    database_timeout: float = Field(
        default=3.0,
        gt=0.0,
        le=60.0,
        description="Seconds a request waits for the database before answering 503.",
    )
    public_base_url: str | None = None
    body_read_timeout: float = Field(
        default=60.0,
        gt=0.0,
        le=3600.0,
        description="Seconds from a request's start within which its body must have arrived.",
    )
    access_log: bool = Field(default=True, description="One log line per HTTP request.")
    metrics_token: str | None = Field(
        default=None, description="Bearer token /metrics requires; unset: none."
    )
    metrics_allow: tuple[str, ...] = Field(
        default=(), description="Networks that may read /metrics; unset: any."
    )
    worker_metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="`registry worker` serves /metrics here."
    )
    project_metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="`registry project` serves /metrics here."
    )
    worker_threads: int = Field(default=4, ge=1, le=64)
    # Connection budget (docs/operations.md): each process has two pools of this size (the
    # registry's and the event store's), each opening one connection and growing on demand.
    web_pool_size: int = Field(
        default=10, ge=1, le=200, description="Pool size of each web worker and of `up`."
    )
    projector_pool_size: int = Field(default=4, ge=1, le=200, description="`registry project`.")
    worker_pool_size: int = Field(default=4, ge=1, le=200, description="`registry worker`.")
    command_pool_size: int = Field(
        default=2, ge=1, le=200, description="`registry schedule` and the one-shot commands."
    )
    broker_pool_size: int = Field(
        default=8,
        ge=6,
        le=200,
        description="Connections of a worker's PostgreSQL broker: 5 held (a consumer for each of"
        " the 2 queues and their 2 delay queues, 1 listener), the rest for enqueue and"
        " acknowledgement; other brokers ignore it.",
    )
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
    mail_claim_seconds: float = Field(
        default=120.0,
        ge=1.0,
        le=86_400.0,
        description="Lease of a worker's claim on a mail it is sending (workers/delivery.py).",
    )
    broker_maintenance_chance: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="Redis: broker commands in a million that also requeue dead workers' jobs.",
    )

    @field_validator(
        "no_reset_fields", "cors_origins", "trusted_proxies", "metrics_allow", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR block") from None
        return value

    @field_validator("data_dir", "media_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        # Fixed once, at start: a later chdir never moves the data.
        return None if value is None else value.expanduser().absolute()

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

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_limit_storage(cls, value: str | None) -> str | None:
        named = ("memory", "database")
        if (
            value is not None
            and value not in named
            and not value.startswith(("redis://", "rediss://"))
        ):
            raise ValueError("must be memory, database, redis:// or rediss://")
        return value

    @property
    def limit_storage(self) -> str:
        """``memory``, ``database`` or a Redis URL: the configured rate-limit storage, else the
        Redis broker's, else ``memory``."""
        if self.rate_limit_storage is not None:
            return self.rate_limit_storage
        if self.broker_url is not None and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return "memory"

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
    _read_secret_files(values, known)
    try:
        return Settings.model_validate({k: v for k, v in values.items() if k in known})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigurationError(f"REGISTRY_{field.upper()}", first["msg"]) from None


def _read_secret_files(values: dict[str, str], known: set[str]) -> None:
    """``REGISTRY_<NAME>_FILE=/path``: the value of ``REGISTRY_<NAME>`` is that file's content
    (surrounding white space stripped; empty: unset), as Docker and compose secrets provide it,
    so a password never has to sit in the environment or the compose file."""
    for key, path in list(values.items()):
        name = key.removesuffix("_file")
        if name == key or name not in known:
            continue
        variable = f"REGISTRY_{key.upper()}"
        if name in values:
            raise ConfigurationError(variable, f"set either it or REGISTRY_{name.upper()}")
        try:
            secret = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(variable, f"cannot read {path}: {exc.strerror}") from None
        del values[key]
        if secret:  # an empty file means unset, as an empty variable does
            values[name] = secret


def default_data_dir() -> Path:
    """Where the embedded database, the mail outbox and local state go when
    ``REGISTRY_DATA_DIR`` is unset: ``var/`` beside the project when running from a checkout
    (an editable install), else the per-user data directory (``platformdirs``, e.g.
    ``~/.local/share/denbi-service-registry``). Never relative to the working directory, so
    the command finds the same database from any folder."""
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "registry").is_dir():
        return checkout / "var"
    return Path(platformdirs.user_data_dir("denbi-service-registry", appauthor=False))
