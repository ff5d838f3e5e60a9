"""Every third-party module the product imports is a declared dependency.

A module that arrives only as a dependency of a dependency (lxml through trafilatura,
nltk through sumy) works until that library drops or bounds it differently; then the
bot fails at import on a fresh install. This walks the imports of bot/, handlers/ and
services/ (imports under `if TYPE_CHECKING:` excluded, they never run) and names each
module whose distribution is not in pyproject.toml's `dependencies`.

Usage: .venv/bin/python scripts/check_dependencies.py   (exit status 1 when one is missing)
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "services")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Top-level module names imported at run time, with their line numbers."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (item for child in node.orelse for item in _imports(child))
            continue
        if isinstance(node, ast.Import):
            yield from ((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno
        yield from _imports(node)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalise(re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0])
        for line in project["dependencies"]
    }


def undeclared() -> dict[str, list[str]]:
    """Imported module -> where, for every third-party module no declared distribution provides."""
    ours = set(PRODUCT) | set(sys.stdlib_module_names)
    providers = packages_distributions()
    wanted = declared()
    missing: dict[str, list[str]] = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for module, line in _imports(tree):
                if module in ours:
                    continue
                if not {_normalise(d) for d in providers.get(module, [module])} & wanted:
                    missing.setdefault(module, []).append(f"{path.relative_to(ROOT)}:{line}")
    return missing


def main() -> int:
    missing = undeclared()
    for module, places in sorted(missing.items()):
        sys.stdout.write(
            f"{module} is imported but not declared in pyproject.toml: {', '.join(places)}\n"
        )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
