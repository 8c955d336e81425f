"""The layout shows the architecture: checks on imports that a reviewer would otherwise have to make by eye."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("processor", "contracts")


def modules(*packages: str, also: tuple[str, ...] = ()):
    paths = [path for package in packages for path in sorted((ROOT / package).rglob("*.py"))]
    for path in [*paths, *(ROOT / name for name in also)]:
        yield path, ast.parse(path.read_text(), filename=str(path))


def imported_names(tree: ast.AST):
    """Yield (node, dotted module name) for every import in a tree, `from a import b` giving both a and a.b."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node, node.module
            for alias in node.names:
                yield node, f"{node.module}.{alias.name}"


def test_only_the_api_imports_the_participant_endpoints():
    # app.py, the composition root, registers every domain (service_api's init_app too): it is no domain.
    allowed = (ROOT / "processor" / "api", ROOT / "processor" / "service_api")
    offenders = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in modules(*PACKAGES)
        if not any(path.is_relative_to(folder) for folder in allowed)
        for node, name in imported_names(tree)
        if name == "processor.service_api" or name.startswith("processor.service_api.")
    )
    assert offenders == []


def function_level_imports(path: Path, tree: ast.AST):
    """Yield the line of each import inside a function that no `# circle:` or `# lazy:` comment explains.

    `# circle:` names the import circle it breaks; `# lazy:` names a heavy library that only that function needs,
    kept out of every process's start (its memory and time said). The comment goes on the import's line or on the
    comment lines just above it (one comment may head a group).
    """
    lines = path.read_text().splitlines()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            above = node.lineno - 1
            explained = _explains(lines[above])
            while not explained and above > function.lineno:
                above -= 1
                text = lines[above].strip()
                if not (text.startswith(("#", "import ", "from ")) or text.startswith(")")):
                    break
                explained = _explains(text)
            if not explained:
                yield node.lineno


def _explains(text: str) -> bool:
    return "# circle:" in text or "# lazy:" in text


def test_function_level_imports_say_which_circle_they_break():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in modules(*PACKAGES, also=("app.py",))
        for line in function_level_imports(path, tree)
    ]
    assert offenders == []


def test_heavy_libraries_load_only_when_used(tmp_path):
    # openpyxl (a workbook), pyHanko and its aiohttp (a signed PDF), psycopg (PostgreSQL): each tens of MB that a
    # process which never needs them (a CSV import, an API worker on SQLite) must not carry; nor Huey and its
    # redis client, until something uses the queue.
    script = (
        "import base64, os, sys\n"
        "from app import create_app\n"
        "create_app({'APP_ENV': 'testing', 'SECRET_KEY': 'x', 'DATABASE_URL': 'sqlite:///' + sys.argv[1],"
        " 'MASTER_KEY': '1:' + base64.b64encode(os.urandom(32)).decode()}, instance_path=sys.argv[2])\n"
        "from processor.csv_import import service, workbook\n"
        "from contracts import pades\n"
        "from processor.registries import bulk\n"
        "print(' '.join(m for m in ('openpyxl', 'pyhanko', 'aiohttp', 'huey', 'redis') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "db.sqlite3"), str(tmp_path / "instance")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == []


def test_import_workers_load_without_the_web_stack():
    # The import's forkserver preloads the workers' modules and forks each worker from it: Flask and SQLAlchemy
    # there would cost every import a quarter of a second and every worker 20 MB, for nothing.
    script = (
        "import sys\n"
        "import processor.csv_import.forkserver_init, processor.csv_import.workers\n"
        "print(' '.join(m for m in ('flask', 'sqlalchemy', 'werkzeug') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )
    assert result.stdout.split() == []
