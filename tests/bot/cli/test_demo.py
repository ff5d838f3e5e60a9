"""`newsdigest demo` as someone meets it after `pip install newsdigest`: any folder, no checkout.

The wheel is built from a copy of the package's sources (the checkout gets no build/ folder),
installed into a fresh virtualenv with the pinned dependencies of constraints.txt (pip's cache
makes later runs quick), and the console script runs with a clean environment: no PYTHONPATH,
no settings, a working directory outside the checkout. A data file left out of the wheel or a
runtime dependency missing from pyproject.toml fails here, not on a user's machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo.news_corpus import written_articles
from bot.demo.runner import DEMO_ARTICLES

ROOT = Path(__file__).resolve().parents[3]
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "services")


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def build_wheel(work: Path) -> Path:
    """The wheel of the package's sources as they stand, built in `work`."""
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in PACKAGE_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, source], cwd=work)
    [wheel] = dist.glob("newsdigest-*.whl")
    return wheel


def install(wheel: Path, venv: Path, work: Path) -> Path:
    """A fresh virtualenv with the wheel and its pinned dependencies; returns its bin folder."""
    run([sys.executable, "-m", "venv", venv], cwd=work)
    python = venv / "bin" / "python"
    constraints = ROOT / "constraints.txt"
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "--quiet", "--no-compile", "-c", constraints, wheel], cwd=work)
    return venv / "bin"


def clean_environment(bin_folder: Path, home: Path) -> dict[str, str]:
    """Only what a shell gives a command: no PYTHONPATH, no settings, nothing of the tests."""
    return {
        "PATH": os.pathsep.join([str(bin_folder), os.defpath]),
        "HOME": str(home),
        "LC_ALL": "C.UTF-8",
    }


@pytest.mark.slow
def test_an_installed_wheel_runs_the_demo_in_any_folder(tmp_path: Path) -> None:
    assert not tmp_path.is_relative_to(ROOT)
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    bin_folder = install(wheel, venv, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_environment(bin_folder, home=elsewhere)

    imported = run(
        [
            bin_folder / "python",
            "-c",
            "import bot, handlers, services; print(bot.__file__, handlers.__file__, services.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    ).split()
    output = run([bin_folder / "newsdigest", "demo"], cwd=elsewhere, env=env)

    for module_file in imported:
        assert Path(module_file).is_relative_to(venv), module_file  # the installed copy ran
    assert "the one shipped with Newsdigest" in output  # no config/ here: the packaged catalogue
    assert "The digest she received" in output
    titles = [article.title for article in written_articles(DEMO_ARTICLES)]
    assert sum(title in output for title in titles) >= 3
    assert (elsewhere / "data" / "demo" / "newsdigest-demo.db").is_file()
    assert "newsdigest digest" in output  # the hint names the command that was run
