"""Settings: the one reader of the environment, tested with plain dicts for environments."""

from __future__ import annotations

import dataclasses

import pytest

from worker.errors import ConfigError
from worker.settings import ENVIRONMENT, Settings


def test_defaults_name_the_three_topics() -> None:
    """With an empty environment the worker reads articles.raw and writes its two topics."""
    settings = Settings.from_env({})
    assert (settings.input_topic, settings.output_topic, settings.deadletter_topic) == (
        "articles.raw",
        "news.updates",
        "news.deadletter",
    )


def test_empty_environment_means_the_embedded_broker() -> None:
    """No KAFKA_BOOTSTRAP_SERVERS: the worker starts its own broker."""
    assert Settings.from_env({}).embedded is True


def test_from_env_equals_the_dataclass_defaults() -> None:
    """The environment table adds no default of its own."""
    assert Settings.from_env({}) == Settings()


def test_blank_values_keep_the_default() -> None:
    """A variable set to spaces counts as unset, as compose files often leave them."""
    assert Settings.from_env({"NEWS_WORKER_PARTITIONS": "  ", "NEWS_WORKER_INPUT_TOPIC": ""}) == (
        Settings()
    )


def test_variables_outside_the_table_are_ignored() -> None:
    """The rest of the process environment does not leak into settings."""
    assert Settings.from_env({"HOME": "/root", "NEWS_WORKER_UNKNOWN": "1"}) == Settings()


@pytest.mark.parametrize(
    ("variable", "raw", "field", "value"),
    [
        ("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092", "bootstrap_servers", "k1:9092,k2:9092"),
        ("NEWS_WORKER_INPUT_TOPIC", "crawls", "input_topic", "crawls"),
        ("NEWS_WORKER_PARTITIONS", " 12 ", "partitions", 12),
        ("NEWS_WORKER_REPLICATION_FACTOR", "3", "replication_factor", 3),
        ("NEWS_WORKER_LOG_FORMAT", "JSON", "log_format", "json"),
        ("NEWS_WORKER_LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("NEWS_WORKER_MAX_VALUE_BYTES", "1048576", "max_value_bytes", 1_048_576),
        ("NEWS_WORKER_BROKER_FLAVOR", "Tansu", "broker_flavor", "tansu"),
        ("NEWS_WORKER_SESSION_TIMEOUT_S", "6.5", "session_timeout_s", 6.5),
        ("KAFKA_SECURITY_PROTOCOL", "sasl_ssl", "security_protocol", "SASL_SSL"),
        ("KAFKA_SASL_MECHANISM", "scram-sha-512", "sasl_mechanism", "SCRAM-SHA-512"),
        ("KAFKA_SASL_USERNAME", "worker", "sasl_username", "worker"),
    ],
)
def test_environment_overrides_parse(variable: str, raw: str, field: str, value: object) -> None:
    """Each variable sets its field, parsed to the field's type and canonical spelling."""
    assert getattr(Settings.from_env({variable: raw}), field) == value


def test_bootstrap_servers_turn_off_the_embedded_broker() -> None:
    """Naming a broker means the worker uses it instead of starting one."""
    assert Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k1:9092"}).embedded is False


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("NEWS_WORKER_PARTITIONS", "four"),
        ("NEWS_WORKER_PARTITIONS", "0"),
        ("NEWS_WORKER_REPLICATION_FACTOR", "-1"),
        ("NEWS_WORKER_MAX_VALUE_BYTES", "5MB"),
        ("NEWS_WORKER_BATCH_SIZE", "1.5"),
        ("NEWS_WORKER_SESSION_TIMEOUT_S", "0"),
        ("NEWS_WORKER_SESSION_TIMEOUT_S", "soon"),
        ("NEWS_WORKER_LOG_FORMAT", "xml"),
        ("NEWS_WORKER_LOG_LEVEL", "loud"),
        ("NEWS_WORKER_BROKER_FLAVOR", "redpanda"),
        ("KAFKA_SECURITY_PROTOCOL", "tls"),
        ("KAFKA_SASL_MECHANISM", "gssapi"),
    ],
)
def test_bad_value_raises_config_error_naming_the_variable(variable: str, raw: str) -> None:
    """A malformed value stops start-up with the variable and the value in the message."""
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({variable: raw})
    assert str(caught.value).startswith(f"{variable}={raw!r}: ")


def test_sasl_password_is_masked_in_repr() -> None:
    """The password never appears in repr or str, which is what logs print."""
    settings = Settings.from_env({"KAFKA_SASL_PASSWORD": "hunter2", "KAFKA_SASL_USERNAME": "w"})
    assert settings.sasl_password == "hunter2"
    for shown in (repr(settings), str(settings)):
        assert "hunter2" not in shown
        assert "sasl_password='***'" in shown


def test_repr_shows_an_unset_password_as_none() -> None:
    """Masking does not pretend a password exists when none is set."""
    assert "sasl_password=None" in repr(Settings())


def test_every_environment_row_names_a_settings_field() -> None:
    """The table and the dataclass cannot drift apart."""
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert [var.field for var in ENVIRONMENT if var.field not in fields] == []


def test_environment_rows_are_unique() -> None:
    """No variable or field appears twice in the table."""
    assert len({var.name for var in ENVIRONMENT}) == len(ENVIRONMENT)
    assert len({var.field for var in ENVIRONMENT}) == len(ENVIRONMENT)


def test_every_environment_row_has_help() -> None:
    """Each row documents itself for the README's settings table."""
    assert [var.name for var in ENVIRONMENT if not var.help.strip()] == []
