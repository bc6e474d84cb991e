"""The layering, read from the code's imports by import-linter (contracts in
pyproject.toml): api -> engine.service -> engine.store -> engine.core, and the core imports
no database or web library. A new import that breaks it fails here."""

from __future__ import annotations

from importlinter.cli import lint_imports

from tests.conftest import ROOT


def test_imports_keep_the_layers() -> None:
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0
