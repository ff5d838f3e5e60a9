"""What the page-reading commands (`extract`, `summarize`) take in: a file, or stdin as `-`.

Pages are read as bytes, so their own charset evidence (BOM, XML declaration, meta) counts.
"""

from __future__ import annotations

import sys
from pathlib import Path


class InputError(Exception):
    """The source cannot be read; the message is for the person at the terminal."""


def read_bytes(source: str) -> bytes:
    """The bytes of the file `source`, or of stdin for `-`; InputError says why not."""
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {source}") from None
    except IsADirectoryError:
        raise InputError(f"{source} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
