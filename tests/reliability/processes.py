"""Running `python -m bot …` as a real child process, for tests that kill or forge against it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.config import Settings

REPO = Path(__file__).resolve().parents[2]


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for a child process to reach a state we can only observe from outside."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    """A TCP port nobody listens on right now (the child binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(tmp_path: Path, **variables: object) -> dict[str, str]:
    """The environment of a child bot: none of the developer's settings, only these."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key.lower() not in Settings.model_fields and not key.startswith("PYTEST")
    }
    env.update(
        {
            "DATABASE_PATH": str(tmp_path / "data" / "newsdigest.db"),
            "SOURCES_FILE": str(tmp_path / "sources.toml"),
            "TOPICS_FILE": str(tmp_path / "topics.toml"),
            "LOG_LEVEL": "INFO",
        }
    )
    env.update({key.upper(): str(value) for key, value in variables.items()})
    return env


class BotProcess:
    """One `python -m bot ARGS` child, its output in a log file (a pipe could fill and stall it)."""

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str],
        cwd: Path,
        *,
        max_file_bytes: int | None = None,
    ) -> None:
        """`max_file_bytes` caps the size of any file the child writes (RLIMIT_FSIZE): a
        disk that fills up, for a process that cannot be given a small disk of its own."""
        self.args = args
        self.env = dict(env)
        self.cwd = cwd
        self.max_file_bytes = max_file_bytes
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = cwd / f"{args[0]}-{id(self)}.log"

    async def start(self) -> BotProcess:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *self.args,
                env=self.env,
                cwd=self.cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes its workers too
                preexec_fn=self._limit_file_size if self.max_file_bytes else None,
            )
        return self

    def _limit_file_size(self) -> None:
        assert self.max_file_bytes is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.max_file_bytes, self.max_file_bytes))

    async def kill(self, timeout: float = 30) -> int:
        """SIGKILL the child and every process it started, as a power cut or `docker kill`."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return await self.wait(timeout)

    async def wait(self, timeout: float = 60) -> int:
        """Wait for the child to exit on its own; returns its exit code."""
        assert self.process is not None
        return int(await asyncio.wait_for(self.process.wait(), timeout))

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` and wait for the exit; returns the exit code (negative: killed by signal)."""
        assert self.process is not None
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)
        return await self.wait(timeout)

    def stderr_lines(self) -> list[str]:
        """What the child printed that is not a log line: what an operator reads."""
        return [line for line in self.log().splitlines() if not line.startswith("time=")]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")
