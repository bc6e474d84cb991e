"""The ``signoff`` command line. Each topic lives in its own module and registers here."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Signoff: approval workflows declared in YAML.")


def _register() -> None:
    # Each module adds its commands to ``app`` on import; a missing one is skipped so
    # topics can land independently.
    import importlib

    for name in ("definitions", "db", "serve", "analytics", "backtest", "worker", "backup",
                 "audit", "org"):
        try:
            importlib.import_module(f"api.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"api.cli.{name}":
                raise


def main() -> None:
    _register()
    app()
