"""The layout shows the architecture: checks on imports that a reviewer would otherwise have to make by eye."""

from __future__ import annotations

import ast
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
    """Yield the line of each import inside a function that no `# circle:` comment explains.

    The comment goes on the import's line or on the comment lines just above it (one comment may head a group).
    """
    lines = path.read_text().splitlines()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            above = node.lineno - 1
            explained = "# circle:" in lines[above]
            while not explained and above > function.lineno:
                above -= 1
                text = lines[above].strip()
                if not (text.startswith(("#", "import ", "from ")) or text.startswith(")")):
                    break
                explained = "# circle:" in text
            if not explained:
                yield node.lineno


def test_function_level_imports_say_which_circle_they_break():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in modules(*PACKAGES, also=("app.py",))
        for line in function_level_imports(path, tree)
    ]
    assert offenders == []
