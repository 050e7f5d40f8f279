"""Configuration is read once from REGISTRY_* variables and bad values name the variable."""

from __future__ import annotations

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
