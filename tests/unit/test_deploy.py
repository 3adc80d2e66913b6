"""Static checks of the deployment files: docker-compose.yml and deploy/Dockerfile.

No Docker engine is needed. The compose file is parsed with PyYAML, the Dockerfile with a small
line parser, and the worker's environment is checked against `worker.settings.ENVIRONMENT`, the
one table of variables the worker reads. The broker's version and settings are compared with the
ones the tests run (`deploy/kafka/pom.xml`, `tests/kafka_cluster.py`);
`tests/integration/test_compose_env.py` runs a worker with the compose file's environment.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml

from worker.settings import ENVIRONMENT, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
KAFKA_BIN = "/opt/kafka/bin/"
VARIABLES = {var.name: var for var in ENVIRONMENT}


# --- docker-compose.yml ------------------------------------------------------------------------


@functools.cache
def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _service(name: str) -> dict[str, Any]:
    services = _compose()["services"]
    assert name in services, f"docker-compose.yml has no {name!r} service"
    return services[name]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's `environment`, in either Compose form, as the strings the container sees."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    for name, value in env.items():
        assert isinstance(value, str | int | float) and not isinstance(value, bool), (
            f"{name}: Compose needs a string or number, got {value!r}"
        )
    return {name: str(value) for name, value in env.items()}


def _unescape_compose(text: str) -> str:
    """Undo Compose's `$$` escape; fail on a lone `$`, which Compose would interpolate."""
    lone = re.search(r"(?<!\$)\$(?!\$)", text.replace("$$", ""))
    assert lone is None, f"unescaped $ (Compose would interpolate it from the host): {text!r}"
    return text.replace("$$", "$")


def _worker_env() -> dict[str, str]:
    return _environment(_service("worker"))


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def test_kafka_is_the_official_apache_image_pinned_to_a_version() -> None:
    """The broker is apache/kafka with an explicit version tag, not :latest."""
    image = _service("kafka")["image"]
    name, _, tag = image.partition(":")
    assert name == "apache/kafka"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), f"pin a release tag, got {image!r}"


def test_kafka_runs_in_kraft_mode_as_combined_broker_and_controller() -> None:
    """One KRaft node is both broker and controller and votes for itself."""
    env = _environment(_service("kafka"))
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "KAFKA_ZOOKEEPER_CONNECT" not in env
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"].split(",")
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert "CONTROLLER:PLAINTEXT" in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")


def test_kafka_advertises_the_address_the_worker_bootstraps_from() -> None:
    """The broker advertises kafka:9092, the address in the worker's KAFKA_BOOTSTRAP_SERVERS."""
    env = _environment(_service("kafka"))
    assert "PLAINTEXT://:9092" in env["KAFKA_LISTENERS"].split(",")
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert _worker_env()["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_kafka_has_a_listener_reachable_from_the_host() -> None:
    """A HOST listener on 29092, advertised as localhost:29092 and published on that port."""
    kafka = _service("kafka")
    env = _environment(kafka)
    assert "HOST://:29092" in env["KAFKA_LISTENERS"].split(",")
    assert "HOST://localhost:29092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "HOST:PLAINTEXT" in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    assert "29092:29092" in kafka["ports"]


def test_kafka_version_is_the_tested_one() -> None:
    """The image's Kafka version is the one deploy/kafka/pom.xml fetches for the tests."""
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    assert version is not None
    assert _service("kafka")["image"] == f"apache/kafka:{version.group(1)}"


def test_kafka_settings_are_the_tested_ones() -> None:
    """Every broker setting the compose file gives is what the tests' one-node Kafka runs with
    (listeners and paths aside), and the settings that decide durability are all given."""
    from tests.kafka_cluster import KafkaCluster

    cluster = KafkaCluster(1)
    try:
        tested = cluster.config(cluster.nodes[0])
    finally:
        cluster.stop()
    place = {"node.id", "log.dirs", "cluster.id", "controller.quorum.voters"}
    given = {
        name.removeprefix("KAFKA_").lower().replace("_", "."): value
        for name, value in _environment(_service("kafka")).items()
        if name.startswith("KAFKA_")
    }
    differing = {
        key: (value, tested.get(key))
        for key, value in given.items()
        if key not in place and "listener" not in key and tested.get(key) != value
    }
    assert differing == {}
    durability = {
        "auto.create.topics.enable",
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "default.replication.factor",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "group.initial.rebalance.delay.ms",
    }
    assert durability <= set(given)


def test_kafka_single_node_internal_topics_use_replication_factor_one() -> None:
    """Offsets and transaction-state topics can be created on a one-broker cluster."""
    env = _environment(_service("kafka"))
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"


def test_kafka_does_not_auto_create_topics() -> None:
    """Topics come only from the topics job (and the worker), never from a stray client."""
    assert _environment(_service("kafka"))["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_kafka_has_a_broker_api_healthcheck_and_a_data_volume() -> None:
    """Health is probed with kafka-broker-api-versions.sh; the log dir is a named volume."""
    kafka = _service("kafka")
    test = kafka["healthcheck"]["test"]
    assert KAFKA_BIN + "kafka-broker-api-versions.sh" in " ".join(_as_list(test))
    log_dir = _environment(kafka)["KAFKA_LOG_DIRS"]
    volumes = {v.split(":", 1)[1]: v.split(":", 1)[0] for v in kafka["volumes"]}
    assert volumes.get(log_dir) in (_compose().get("volumes") or {})


def test_topics_job_waits_for_a_healthy_broker_and_runs_once() -> None:
    """The topics job starts after the kafka healthcheck passes and is not restarted."""
    topics = _service("topics")
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert topics.get("restart", "no") == "no"


def test_topics_job_is_the_worker_creating_its_own_topics() -> None:
    """The job runs `news-worker topics` from the worker's image with the worker's environment:
    it creates every topic the worker uses (internal ones too) exactly as the worker would."""
    topics, worker = _service("topics"), _service("worker")
    assert topics["image"] == worker["image"]
    assert topics["build"] == worker["build"]
    assert _as_list(topics["command"]) == ["topics"]
    assert _environment(topics) == _worker_env()


def test_worker_runs_two_replicas_built_from_the_dockerfile() -> None:
    """Two worker replicas share one consumer group; the image is built from deploy/Dockerfile."""
    worker = _service("worker")
    assert worker["deploy"]["replicas"] == 2
    assert worker["build"]["context"] == "."
    assert (ROOT / worker["build"]["context"] / worker["build"]["dockerfile"]) == DOCKERFILE
    assert "container_name" not in worker, "a fixed container_name forbids replicas"
    assert Settings.from_env(_worker_env()).group_id == "news-worker"


def test_worker_starts_after_topics_exist_and_restarts() -> None:
    """The worker waits for the topics job to succeed and is restarted unless stopped."""
    worker = _service("worker")
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert worker["restart"] == "unless-stopped"


def test_worker_environment_names_only_variables_the_worker_reads() -> None:
    """Every variable passed to the worker is declared in worker.settings.ENVIRONMENT."""
    unknown = sorted(set(_worker_env()) - set(VARIABLES))
    assert not unknown, f"the worker does not read {unknown}"


def test_worker_environment_values_parse() -> None:
    """Every value passed to the worker parses with its variable's parser."""
    for name, raw in _worker_env().items():
        if name in VARIABLES:  # unknown names: test_worker_environment_names_only_...
            VARIABLES[name].parse(raw)


def test_worker_settings_load_from_the_compose_environment() -> None:
    """Settings.from_env accepts the worker's environment (plus the image's ENV defaults)."""
    env = {**_dockerfile_env(), **_worker_env()}
    settings = Settings.from_env(env)
    assert not settings.embedded
    assert settings.log_format == "json"
    assert settings.store == "memory://"


# --- deploy/Dockerfile -------------------------------------------------------------------------


@functools.cache
def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "Dockerfile ends in a line continuation"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def _exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"use the exec (JSON) form, got {args!r}"
    return value


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for op, args in _final_stage():
        if op == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(args))
    return env


def test_dockerfile_uses_python_3_11_slim() -> None:
    """Every stage builds on python:3.11-slim."""
    args = dict(
        item.split("=", 1)
        for op, a in _instructions()
        if op == "ARG"
        for item in a.split()
        if "=" in item
    )
    images = []
    for op, rest in _instructions():
        if op == "FROM":
            image = rest.split()[0]
            images.append(re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image))
    assert images
    assert all(image == "python:3.11-slim" for image in images), images


def test_dockerfile_runs_as_a_non_root_user() -> None:
    """The final stage switches to uid 10001; the process never runs as root."""
    users = [args.split(":")[0] for op, args in _final_stage() if op == "USER"]
    assert users, "the runtime stage has no USER"
    assert users[-1] not in {"root", "0"}
    assert users[-1] == "10001"


def test_dockerfile_has_a_healthcheck_running_news_worker_health() -> None:
    """HEALTHCHECK runs `news-worker health` against the image's NEWS_WORKER_HEALTH_FILE."""
    checks = [args for op, args in _final_stage() if op == "HEALTHCHECK"]
    assert checks, "no HEALTHCHECK"
    command = checks[-1].split("CMD", 1)[1].strip()
    assert _exec_form(command) == ["news-worker", "health"]
    assert _dockerfile_env()["NEWS_WORKER_HEALTH_FILE"].startswith("/")


def test_dockerfile_entrypoint_and_cmd_run_the_worker() -> None:
    """ENTRYPOINT + CMD together are `news-worker run`, in exec form (signals reach Python)."""
    entrypoint = [args for op, args in _final_stage() if op == "ENTRYPOINT"]
    cmd = [args for op, args in _final_stage() if op == "CMD"]
    assert entrypoint and cmd
    assert [*_exec_form(entrypoint[-1]), *_exec_form(cmd[-1])] == ["news-worker", "run"]


def test_dockerfile_env_defaults_are_worker_settings_that_parse() -> None:
    """The image's NEWS_WORKER_*/KAFKA_* defaults are variables the worker reads, and parse."""
    env = {
        name: value
        for name, value in _dockerfile_env().items()
        if name.startswith(("NEWS_WORKER_", "KAFKA_"))
    }
    assert env["NEWS_WORKER_LOG_FORMAT"] == "json"
    assert env["NEWS_WORKER_DATA_DIR"] == "/var/lib/news-worker"
    for name, raw in env.items():
        assert name in VARIABLES, f"the worker does not read {name}"
        VARIABLES[name].parse(raw)
    assert _dockerfile_env()["PYTHONUNBUFFERED"] == "1"


def test_dockerfile_copies_everything_the_wheel_build_needs() -> None:
    """COPY brings pyproject.toml, its readme, the package and the force-included schemas."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", pyproject["project"]["readme"], *wheel["packages"]}
    needed |= set(wheel.get("force-include", {}))
    copied = {
        source.rstrip("/")
        for op, args in _instructions()
        if op == "COPY" and "--from" not in args
        for source in args.split()[:-1]
    }
    assert needed <= copied, f"not copied: {sorted(needed - copied)}"
    assert any(op == "RUN" and "pip install --no-cache-dir ." in a for op, a in _instructions())


def test_dockerfile_copy_sources_exist_in_the_build_context() -> None:
    """Every COPY source exists under the repository root (the compose build context)."""
    missing = [
        source
        for op, args in _instructions()
        if op == "COPY" and "--from" not in args
        for source in args.split()[:-1]
        if not (ROOT / source).exists()
    ]
    assert not missing, f"docker build would fail: {missing} not in the build context"
