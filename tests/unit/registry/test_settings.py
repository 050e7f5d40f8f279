"""Configuration is read once from REGISTRY_* variables and bad values name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.settings import ConfigurationError, load_settings


def test_no_database_url_means_the_embedded_default_with_auto_promotion() -> None:
    settings = load_settings({})
    assert settings.embedded
    assert settings.promote_automatically
    assert settings.no_reset_fields is None  # the domain's shipped list applies


def test_the_exempt_list_can_be_configured() -> None:
    settings = load_settings({"REGISTRY_NO_RESET_FIELDS": "comments, logo"})
    assert settings.no_reset_fields == ("comments", "logo")


def test_a_configured_database_turns_auto_promotion_off_unless_asked() -> None:
    url = "postgresql://u@db:5432/registry"
    assert not load_settings({"REGISTRY_DATABASE_URL": url}).promote_automatically
    settings = load_settings({"REGISTRY_DATABASE_URL": url, "REGISTRY_AUTO_PROMOTE": "true"})
    assert settings.promote_automatically


def test_empty_variables_count_as_unset() -> None:
    settings = load_settings({"REGISTRY_DATABASE_URL": "", "REGISTRY_CORS_ORIGINS": ""})
    assert settings.database_url is None
    assert settings.cors_origins == ()


def test_comma_lists_are_split_and_trimmed() -> None:
    settings = load_settings({"REGISTRY_CORS_ORIGINS": "https://a.org, https://b.org ,"})
    assert settings.cors_origins == ("https://a.org", "https://b.org")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REGISTRY_PORT", "eighty"),
        ("REGISTRY_PORT", "70000"),
        ("REGISTRY_DATABASE_URL", "mysql://root@localhost/db"),
        ("REGISTRY_BROKER_URL", "kafka://localhost"),
        ("REGISTRY_LOG_LEVEL", "LOUD"),
        ("REGISTRY_AUTO_PROMOTE", "perhaps"),
        ("REGISTRY_RATE_LIMIT_STORAGE", "memcached://localhost"),
    ],
)
def test_an_invalid_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings({variable: value})
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"invalid configuration: {variable}: ")


def test_unrelated_variables_are_ignored() -> None:
    assert load_settings({"PATH": "/bin", "REGISTRY_TEST_POSTGRES": "x"}).port == 8000


def test_the_redis_redelivery_settings_default_to_dramatiqs_and_can_be_shortened() -> None:
    assert load_settings({}).broker_heartbeat_timeout == 60.0
    assert load_settings({}).broker_maintenance_chance == 1000
    settings = load_settings(
        {
            "REGISTRY_BROKER_HEARTBEAT_TIMEOUT": "3",
            "REGISTRY_BROKER_MAINTENANCE_CHANCE": "1000000",
        }
    )
    assert (settings.broker_heartbeat_timeout, settings.broker_maintenance_chance) == (3.0, 10**6)
    with pytest.raises(ConfigurationError) as caught:
        load_settings({"REGISTRY_BROKER_HEARTBEAT_TIMEOUT": "0"})
    assert caught.value.variable == "REGISTRY_BROKER_HEARTBEAT_TIMEOUT"


def test_a_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "database_url"
    secret.write_text("postgresql://registry:pw@db:5432/registry\n")
    settings = load_settings({"REGISTRY_DATABASE_URL_FILE": str(secret)})
    assert settings.database_url == "postgresql://registry:pw@db:5432/registry"


def test_an_unreadable_secret_file_names_its_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="REGISTRY_METRICS_TOKEN_FILE: cannot read"):
        load_settings({"REGISTRY_METRICS_TOKEN_FILE": str(tmp_path / "missing")})


def test_a_secret_set_twice_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("a")
    with pytest.raises(ConfigurationError, match="REGISTRY_METRICS_TOKEN_FILE"):
        load_settings({"REGISTRY_METRICS_TOKEN_FILE": str(secret), "REGISTRY_METRICS_TOKEN": "b"})


def test_the_default_data_dir_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = load_settings({}).data_dir
    monkeypatch.chdir(tmp_path)
    assert load_settings({}).data_dir == here
    assert here.is_absolute()
    # From this checkout (an editable install) it is var/ beside the project.
    assert here == Path(__file__).resolve().parents[3] / "var"


def test_a_relative_data_dir_is_fixed_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings({"REGISTRY_DATA_DIR": "state"}).data_dir == tmp_path / "state"


def test_an_empty_secret_file_means_unset(tmp_path: Path) -> None:
    secret = tmp_path / "smtp_url"
    secret.write_text("\n")
    assert load_settings({"REGISTRY_SMTP_URL_FILE": str(secret)}).smtp_url is None


def test_every_setting_is_listed_in_the_env_example() -> None:
    from schema.settings import Settings

    listed = {
        line.split("=", 1)[0]
        for line in (Path(__file__).resolve().parents[3] / ".env.example").read_text().splitlines()
        if line.startswith("REGISTRY_")
    }
    assert {f"REGISTRY_{name.upper()}" for name in Settings.model_fields} <= listed
