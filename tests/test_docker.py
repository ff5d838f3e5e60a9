"""The Dockerfile and compose file, checked by reading them (no Docker engine is needed).

They guard what a build would only reveal later: a COPY of something missing
or left out of the build context, secrets sent into the context, an image that
runs as root or installs unpinned versions, or one that needs the tests to work.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Whether .dockerignore leaves `path` out of the build context (last match wins)."""
    verdict = False
    for pattern in ignore_patterns():
        negated = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/")
        parts = Path(path).parts
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatch(prefix, bare) for prefix in prefixes):
            verdict = not negated
    return verdict


def copy_sources(stage: int | None = None) -> list[str]:
    """The build-context paths COPY takes, in every stage or in stage `stage` (0 = first)."""
    sources = []
    current = -1
    for keyword, rest in instructions():
        if keyword == "FROM":
            current += 1
        elif keyword == "COPY" and not rest.startswith("--from") and stage in (None, current):
            *paths, _destination = shlex.split(rest)
            sources += paths
    return sources


def test_every_copied_path_exists_and_is_in_the_build_context() -> None:
    sources = copy_sources()

    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source), source


def test_the_image_is_the_installed_package_and_config_without_the_tests() -> None:
    runtime_stage = sum(keyword == "FROM" for keyword, _ in instructions()) - 1

    assert not [source for source in copy_sources() if source.startswith("tests")]
    assert copy_sources(runtime_stage) == ["config/"]
    assert ignored("tests/conftest.py")
    assert ("COPY", "--from=build /opt/venv /opt/venv") in instructions()


def test_secrets_and_local_state_stay_out_of_the_build_context() -> None:
    for path in (".env", ".env.production", "data/newsdigest.db", ".venv/bin/python", ".git/HEAD"):
        assert ignored(path), path
    assert not ignored(".env.example")


def test_both_stages_use_python_3_11_slim_and_the_runtime_is_not_root() -> None:
    bases = [rest.split()[0] for keyword, rest in instructions() if keyword == "FROM"]
    users = [rest for keyword, rest in instructions() if keyword == "USER"]

    assert len(bases) >= 2
    assert set(bases) == {"python:3.11-slim"}
    assert users
    assert users[-1] not in ("root", "0")


def test_every_pip_install_is_pinned_by_the_constraints_file() -> None:
    installs = [
        rest for keyword, rest in instructions() if keyword == "RUN" and "pip install" in rest
    ]

    assert installs
    for run in installs:
        for command in run.split("&&"):
            if "pip install" in command:
                assert "-c constraints.txt" in command, command


def test_the_image_keeps_its_database_in_the_data_volume_and_runs_the_bot() -> None:
    assert ("CMD", '["python", "-m", "bot"]') in instructions()
    assert "DATABASE_PATH=/app/data/newsdigest.db" in DOCKERFILE
    assert ("VOLUME", '["/app/data"]') in instructions()


def test_compose_reads_dot_env_and_mounts_the_data_volume() -> None:
    assert re.search(r"^\s+env_file: \.env$", COMPOSE, re.MULTILINE)
    assert re.search(r"^\s+- newsdigest-data:/app/data$", COMPOSE, re.MULTILINE)
    assert "WEBHOOK_URL" in COMPOSE  # the webhook variant is explained
