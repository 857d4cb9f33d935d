"""The layering rule (docs/ARCHITECTURE.md): ``portal.core`` ← ``catalog`` ← ``workflow`` ← ``eforms`` / ``feedback``
← the site (the rest of ``portal``). Read from the source with :mod:`ast`, nothing is imported.

* The kernel (``portal/core/``) imports no app of ours, not even inside a function.
* A lower layer never imports a higher one at module level (class bodies and ``if``/``try`` blocks count; the
  body of a function does not — a lazy import inside a function is how a lower layer may still call up, and
  an ``if TYPE_CHECKING:`` block is not run). The pairs in :data:`ALLOWED_UPWARD` are today's exceptions,
  which are being removed: the list may only shrink, and an entry that no longer occurs fails too.
"""

import ast
import sys
from pathlib import Path

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file())  # wherever tests/ puts this
APPS = ("catalog", "workflow", "eforms", "feedback", "portal")
KERNEL = "portal.core"

#: (importing module, imported module) — module-level upward imports that exist today and are being removed.
#: Do not add to it: import lazily inside the function that needs it, or move the code down a layer.
ALLOWED_UPWARD = {
    # The e-form wizard is for signed-in citizens: the decorator sits with the citizens' accounts (site).
    ("eforms.views", "portal.citizens.accounts.decorators"),
}


def layer(module: str) -> int | None:
    """0 kernel, 1 catalog, 2 workflow, 3 eforms/feedback, 4 the site; None for anything not ours."""
    if module == KERNEL or module.startswith(KERNEL + "."):
        return 0
    return {"catalog": 1, "workflow": 2, "eforms": 3, "feedback": 3, "portal": 4}.get(module.split(".")[0])


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path, *, module_level: bool):
    """``(imported module, line)`` for each import in ``path`` (``from x import y`` names ``x.y`` if y is a module)."""
    module = module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if module_level and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module
                for alias in child.names:
                    name = f"{source}.{alias.name}"
                    found.append((name if is_module(name) else source, child.lineno))
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return found


def sources(top: str):
    return sorted(p for p in (ROOT / top).rglob("*.py") if ".venv" not in p.parts)


def test_the_kernel_imports_no_app_of_ours():
    kernel_files = sources("portal/core")
    assert kernel_files, "portal/core/ has no modules?"
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in kernel_files
        for target, line in imports(path, module_level=False)
        if layer(target) not in (None, 0)
    ]
    assert not offending, "portal.core must import no app of ours:\n" + "\n".join(offending)


def upward_imports():
    found = {}
    for top in APPS:
        for path in sources(top):
            importer = module_of(path)
            for target, line in imports(path, module_level=True):
                if layer(target) is not None and layer(target) > layer(importer):
                    found.setdefault((importer, target), f"{path.relative_to(ROOT)}:{line}")
    return found


def test_no_new_module_level_upward_import():
    found = upward_imports()
    new = {pair: where for pair, where in found.items() if pair not in ALLOWED_UPWARD}
    assert not new, (
        "A lower layer imports a higher one at module level (portal.core ← catalog ← workflow ← eforms/feedback ← "
        "site). Import it inside the function that needs it, or move the code down:\n"
        + "\n".join(f"{where}: {importer} → {target}" for (importer, target), where in sorted(new.items()))
    )
    stale = sorted(ALLOWED_UPWARD - set(found))
    assert not stale, "These allowed upward imports are gone — remove them from ALLOWED_UPWARD:\n" + "\n".join(
        f"{importer} → {target}" for importer, target in stale
    )


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The parser finds module-level imports (relative ones too) and skips function bodies and TYPE_CHECKING."""
    package = tmp_path / "catalog"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sample.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from workflow import models\n"
        "if TYPE_CHECKING:\n"
        "    from feedback import ratings\n"
        "def later():\n"
        "    from portal import lookup\n"
        "class Thing:\n"
        "    from . import other\n"
    )
    (package / "other.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imports(package / "sample.py", module_level=True)
    assert [target for target, _line in found] == ["typing", "workflow", "catalog.other"]
    assert "portal" in [target for target, _line in imports(package / "sample.py", module_level=False)]
