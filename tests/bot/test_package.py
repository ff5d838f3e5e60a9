"""What importing the bot sets up before anything else: one BLAS thread, unless told."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import bot, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'])"


def threads_seen(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_bot_runs_numerical_work_on_one_blas_thread() -> None:
    assert threads_seen() == "1"


def test_an_operators_own_blas_setting_is_kept() -> None:
    assert threads_seen(OPENBLAS_NUM_THREADS="4") == "4"
