"""guardlint does not import ``typing`` at run time (about 2 ms of CPU, 13 M instructions, of every start-up):
its modules import typing's names for type checkers only, in a ``TYPE_CHECKING = False`` block, which mypy and
ruff read as ``typing.TYPE_CHECKING`` (ruff's TC004 reports a name of the block used at run time)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_startup import MANIFEST

SRC = Path(__file__).resolve().parents[2] / "src" / "guardlint"


def _typing_checking_block(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _runtime_typing_imports(tree: ast.Module) -> list[int]:
    """Lines of module-level statements that import typing when the module is imported (not in the body of an
    ``if TYPE_CHECKING:`` block; inside functions an import runs only when called, which is allowed)."""
    found: list[int] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.ImportFrom):
                imported = [node.module]
            elif isinstance(node, ast.Import):
                imported = [a.name for a in node.names]
            else:
                imported = []
            if {"typing", "typing_extensions"} & set(imported):
                found.append(node.lineno)
            elif _typing_checking_block(node):
                assert isinstance(node, ast.If)
                visit(node.orelse)
            elif isinstance(node, (ast.If, ast.Try)):
                for part in ("body", "orelse", "finalbody"):
                    visit(getattr(node, part, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.ClassDef):
                visit(node.body)

    visit(tree.body)
    return found


def test_no_module_imports_typing_when_imported() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        lines = _runtime_typing_imports(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{path.relative_to(SRC.parent)}:{line}" for line in lines]
    assert not offenders, (
        "import typing's names for type checkers only: `TYPE_CHECKING = False` after the imports, then "
        "`if TYPE_CHECKING:` and the import in that block (`from typing import TYPE_CHECKING` imports typing): "
        + ", ".join(offenders)
    )


def test_the_scan_sees_a_runtime_import() -> None:
    """The scan is not blind: module-level, nested in a try or a class, and the else of a TYPE_CHECKING block."""
    source = (
        "from __future__ import annotations\n"
        "from typing import Any\n"
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n    from typing import Literal\nelse:\n    import typing\n"
        "try:\n    from typing import cast\nexcept ImportError:\n    pass\n"
        "class A:\n    from typing import ClassVar\n"
        "def f() -> None:\n    from typing import cast\n"
    )
    assert _runtime_typing_imports(ast.parse(source)) == [2, 7, 9, 13]


@pytest.mark.parametrize("argv", [
    ["check", "m.yaml", "--no-config", "--format", "json"],
    ["check", "m.yaml", "--no-config", "--format", "sarif"],
    ["check", "m.yaml"],  # with a configuration file
    ["rules"],
    ["explain", "privileged-container"],
])
def test_commands_run_without_typing(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / ".guardlint.yaml").write_text("extends: default\nignore: [missing-liveness-probe]\n",
                                             encoding="utf-8")
    code = (
        "import io, sys\n"
        "from guardlint.cli import main\n"
        f"code = main({argv!r}, out=io.StringIO(), err=io.StringIO())\n"
        "print(code, 'typing' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    status, imported = done.stdout.split()
    assert status in ("0", "1") and imported == "False"


def test_rule_is_subscriptable_at_run_time_without_typing() -> None:
    """``Rule[Params]`` (a plugin may write it where it is evaluated) gives a generic alias, as ``list[int]``."""
    code = (
        "import sys\n"
        "from guardlint.rules.api import NoParams, Rule\n"
        "alias = Rule[NoParams]\n"
        "print(alias.__origin__ is Rule, alias.__args__ == (NoParams,), 'typing' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "False"]


def test_parameter_schemas_resolve_names_imported_for_type_checkers_only() -> None:
    """A rule module imports ``Annotated`` and ``Literal`` under ``TYPE_CHECKING``; its parameter schema (read by
    configuration validation and the docs) still resolves them, from typing's public names."""
    from guardlint.rules.security.exported_live_object import RULE

    schema = RULE.meta.params_schema
    assert schema["properties"]["fields"]["items"]["enum"][-1] == "status"
    assert "Annotated" not in vars(sys.modules["guardlint.rules.security.exported_live_object"])
