"""A throwaway PostgreSQL server for the tests: a temporary folder, a free loopback port.

`PostgresServer.start()` runs initdb and postgres from the server binaries installed on
the machine (Debian's /usr/lib/postgresql/N/bin, or PG_BIN); as root they run as the
`postgres` system user, since both refuse root. Durability is off (fsync,
synchronous_commit): the server lives as long as the test run. A migrated template
database makes each test's fresh database a file copy (`fresh_database`).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from services.storage.postgres import PostgresDatabase

TEMPLATE = "newsdigest_template"
START_TIMEOUT_SECONDS = 30.0


async def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """A new database `name` on the server of `server_url` (copied from `template` when
    given); its URL. The tests' server and the benchmarks' `--database-url` both use it."""
    admin = await asyncpg.connect(server_url)
    try:
        suffix = f" TEMPLATE {template}" if template else ""
        await admin.execute(f"CREATE DATABASE {name}{suffix}")
    finally:
        await admin.close()
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def drop_database(server_url: str, url: str) -> None:
    """Drop the database of `url`, connections and all, through the server of `server_url`."""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {urlsplit(url).path[1:]} WITH (FORCE)")
    finally:
        await admin.close()


def server_binaries() -> Path | None:
    """The folder with initdb and postgres, None when the server is not installed."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )[::-1]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One server process over a temporary data folder; `stop()` removes both."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="newsdigest-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _command(self, *args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def start(self) -> PostgresServer:
        data = self.folder / "data"
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        subprocess.run(
            self._command(
                str(self.binaries / "initdb"),
                "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.process = subprocess.Popen(
            self._command(
                str(self.binaries / "postgres"),
                "-D", str(data), "-p", str(self.port), "-k", str(self.folder),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=300", "-c", "shared_buffers=32MB",
            ),
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "server.log", "wb"),  # noqa: SIM115
        )  # fmt: skip
        # Its own loop in its own thread: the first test to ask may be running in a loop.
        try:
            with ThreadPoolExecutor(1) as thread:
                thread.submit(asyncio.run, self._prepare()).result()
        except BaseException:
            self.stop()  # never leave a server behind
            raise
        return self

    async def _prepare(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                admin = await asyncpg.connect(self.url(), timeout=2)
                break
            except (OSError, asyncpg.PostgresError):
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(self.log()) from None
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        try:
            await admin.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await admin.close()
        template = await PostgresDatabase.open(self.url(TEMPLATE))
        await template.close()

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    async def fresh_database(self) -> str:
        """A new database with the schema already migrated; returns its URL."""
        return await create_database(
            self.url(), f"test_{os.getpid()}_{next(self._names)}", template=TEMPLATE
        )

    async def empty_database(self) -> str:
        """A new database without any table; returns its URL."""
        return await create_database(self.url(), f"empty_{os.getpid()}_{next(self._names)}")

    async def drop(self, url: str) -> None:
        await drop_database(self.url(), url)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
