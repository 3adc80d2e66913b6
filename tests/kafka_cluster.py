"""Apache Kafka for the tests and the bench: KRaft nodes run from the jars Maven fetched.

`make test` fetches the jars (`deploy/kafka/pom.xml`) into `deploy/kafka/libs`; this module writes
each node's configuration and storage (`meta.properties`, what `kafka-storage.sh format` writes),
starts one combined broker+controller per node as `java -cp 'libs/*' kafka.Kafka` on free
loopback ports, waits until every node serves metadata, and stops them with nothing left behind:
each node runs in a process group of its own, dies with its parent, and its directory is removed.
One node, or three with replication factor 3, `min.insync.replicas=2` and unclean leader election
off. Single nodes can be killed, paused and restarted on the same ports and storage.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiokafka import AIOKafkaClient
from aiokafka.structs import TopicPartition

from worker.errors import BrokerError
from worker.kafka.broker import _die_with_parent, free_port, wait_for_metadata

ROOT = Path(__file__).resolve().parent.parent
# Another Kafka version's jars (a second CI leg) can be given in KAFKA_LIBS, fetched with
# `mvn -f deploy/kafka/pom.xml dependency:copy-dependencies -Dkafka.version=V -DoutputDirectory=D`.
LIBS = Path(os.environ.get("KAFKA_LIBS") or ROOT / "deploy" / "kafka" / "libs")
# A JVM that starts fast and stays small: these brokers serve tests on a shared laptop, not load.
JVM_FLAGS = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)
LOG4J = """\
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={path}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
"""


def java_binary() -> str:
    """`$JAVA_HOME/bin/java`, else the `java` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise BrokerError("no Java: set JAVA_HOME or put a JDK 17 `java` on PATH")
    return found


def available(libs: Path = LIBS) -> bool:
    """True when the Kafka jars are fetched and a Java runtime is found."""
    try:
        java_binary()
    except BrokerError:
        return False
    return any(libs.glob("kafka_2.13-*.jar"))


def kafka_version(libs: Path = LIBS) -> str:
    """The version of the fetched Kafka jars (from `kafka_2.13-<version>.jar`)."""
    jars = sorted(libs.glob("kafka_2.13-*.jar"))
    if not jars:
        raise BrokerError(f"no Kafka jars in {libs}: run `make kafka` (mvn dependency:copy)")
    return jars[-1].name.removeprefix("kafka_2.13-").removesuffix(".jar")


def _base64_uuid() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


@dataclass
class Node:
    """One combined broker+controller: its id, ports, directory and process."""

    node_id: int
    port: int
    controller_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


class KafkaCluster:
    """`nodes` Apache Kafka KRaft nodes on loopback; a context manager."""

    def __init__(
        self,
        nodes: int = 1,
        *,
        libs: Path = LIBS,
        config: dict[str, str] | None = None,
        jvm_flags: tuple[str, ...] = JVM_FLAGS,
    ) -> None:
        self.libs = libs
        self.jvm_flags = jvm_flags
        self.extra_config = config or {}
        self.cluster_id = _base64_uuid()
        self.root = Path(tempfile.mkdtemp(prefix="kafka-"))
        self.nodes = [
            Node(i + 1, free_port(), free_port(), self.root / f"node-{i + 1}") for i in range(nodes)
        ]

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes)

    @property
    def replication_factor(self) -> int:
        return min(3, len(self.nodes))

    def config(self, node: Node) -> dict[str, str]:
        """The server.properties of `node`."""
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        replicas = str(self.replication_factor)
        min_isr = "2" if len(self.nodes) >= 3 else "1"
        return {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://{node.address},CONTROLLER://127.0.0.1:{node.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{node.address}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(node.directory / "data"),
            "auto.create.topics.enable": "false",
            "default.replication.factor": replicas,
            "min.insync.replicas": min_isr,
            "unclean.leader.election.enable": "false",
            "offsets.topic.replication.factor": replicas,
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": replicas,
            "transaction.state.log.min.isr": min_isr,
            "transaction.state.log.num.partitions": "4",
            "group.initial.rebalance.delay.ms": "0",
            # Few threads: up to three nodes share a laptop's cores with the workers under test.
            "num.network.threads": "2",
            "num.io.threads": "2",
            "background.threads": "2",
            "num.replica.fetchers": "1",
            "log.cleaner.threads": "1",
            "num.recovery.threads.per.data.dir": "1",
            **self.extra_config,
        }

    def _format(self, node: Node) -> None:
        """Write what `kafka-storage.sh format` writes: meta.properties in the log directory
        (the metadata version comes from `inter.broker.protocol.version`)."""
        data = node.directory / "data"
        data.mkdir(parents=True, exist_ok=True)
        (data / "meta.properties").write_text(
            f"version=1\ncluster.id={self.cluster_id}\nnode.id={node.node_id}\n"
            f"directory.id={_base64_uuid()}\n"
        )
        properties = self.config(node)
        # With no bootstrap checkpoint, the metadata version comes from this (KRaft logs that
        # it is deprecated; `kafka-storage.sh format` would start a JVM per node to write it).
        version = ".".join(kafka_version(self.libs).split(".")[:2])
        properties.setdefault("inter.broker.protocol.version", version)
        (node.directory / "server.properties").write_text(
            "".join(f"{key}={value}\n" for key, value in properties.items())
        )
        (node.directory / "log4j.properties").write_text(
            LOG4J.format(path=node.directory / "server.log")
        )

    def _spawn(self, node: Node) -> None:
        command = [
            java_binary(),
            *self.jvm_flags,
            f"-Dlog4j.configuration=file:{node.directory / 'log4j.properties'}",
            f"-Dkafka.logs.dir={node.directory}",
            "-cp",
            f"{self.libs}/*",
            "kafka.Kafka",
            str(node.directory / "server.properties"),
        ]
        out = open(node.directory / "stdout.log", "ab")  # noqa: SIM115 - the child keeps it
        with out:
            node.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def start(self, timeout: float = 60.0) -> str:
        """Format and start every node, wait until all serve; return the bootstrap address."""
        try:
            for node in self.nodes:
                self._format(node)
                self._spawn(node)
            asyncio.run(self.wait_serving(timeout))
        except BaseException:
            self.stop()
            raise
        return self.bootstrap

    async def wait_serving(self, timeout: float, nodes: list[Node] | None = None) -> None:
        """Return once every node in `nodes` (default: the living ones) is a registered broker."""
        deadline = time.monotonic() + timeout
        wanted = {n.node_id for n in (nodes or [n for n in self.nodes if n.alive])}
        first = next(n for n in self.nodes if n.node_id in wanted)
        await wait_for_metadata(first.address, timeout)
        while True:
            self._check_alive()
            client = AIOKafkaClient(bootstrap_servers=first.address, request_timeout_ms=2000)
            try:
                await client.bootstrap()
                registered = {broker.nodeId for broker in client.cluster.brokers()}
                if wanted <= registered:
                    return
            except Exception:  # not ready yet: controller election, broker registration
                registered = set()
            finally:
                await client.close()
            if time.monotonic() > deadline:
                raise BrokerError(f"Kafka nodes {sorted(wanted - registered)} not serving")
            await asyncio.sleep(0.1)

    def _check_alive(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is not None:
                code = node.process.returncode
                if code not in (-signal.SIGKILL, -signal.SIGTERM):
                    raise BrokerError(f"Kafka node {node.node_id} exited {code}:\n{node.log()}")

    def kill(self, node_id: int, signum: int = signal.SIGKILL, timeout: float = 30.0) -> None:
        """Send `signum` to a node's process group; for SIGKILL/SIGTERM wait until it is gone."""
        node = self.nodes[node_id - 1]
        if node.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.process.pid, signum)
        if signum in (signal.SIGKILL, signal.SIGTERM):
            try:
                node.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(node.process.pid, signal.SIGKILL)
                node.process.wait()

    def restart(self, node_id: int, timeout: float = 60.0) -> None:
        """Start a stopped node again on its ports and storage; wait until it serves."""
        node = self.nodes[node_id - 1]
        if node.alive:
            raise BrokerError(f"Kafka node {node_id} is still running")
        self._spawn(node)
        asyncio.run(self.wait_serving(timeout, [node]))

    def replace_empty(self, timeout: float = 60.0) -> None:
        """Kill every node and start a new, empty cluster on the same ports (another cluster
        id, no topics, no offsets): a broker that came back without its data."""
        for node in self.nodes:
            self.kill(node.node_id, signal.SIGKILL)
            shutil.rmtree(node.directory, ignore_errors=True)
        self.cluster_id = _base64_uuid()
        for node in self.nodes:
            self._format(node)
            self._spawn(node)
        asyncio.run(self.wait_serving(timeout, self.nodes))

    def leader(self, topic: str, partition: int) -> int:
        """The node id that leads `topic`'s `partition` now."""

        async def ask() -> int:
            living = ",".join(n.address for n in self.nodes if n.alive)
            client = AIOKafkaClient(bootstrap_servers=living, request_timeout_ms=5000)
            try:
                await client.bootstrap()
                await client._metadata_update(client.cluster, [topic])
                return int(client.cluster.leader_for_partition(TopicPartition(topic, partition)))
            finally:
                await client.close()

        return asyncio.run(ask())

    def stop(self) -> None:
        """Kill every node's process group and remove the cluster's directory."""
        for node in self.nodes:
            self.kill(node.node_id, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> KafkaCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
