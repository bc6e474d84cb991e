"""``signoff validate PATH...`` and ``signoff diagram PATH|KEY``.

A file named ``org.yaml`` / ``org.yml`` / ``org.csv`` is the org directory, not a process:
``validate`` checks it and uses it to check roles and users of the definitions next to it
(or the one given with ``--org``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli import app
from engine.core import (
    DefinitionInvalid,
    OrgDirectory,
    load_definition_file,
    load_directory,
    mermaid,
)

ORG_NAMES = ("org.yaml", "org.yml", "org.csv")
OrgOption = Annotated[Path | None, typer.Option(
    "--org", envvar="SIGNOFF_ORG_FILE", help="Org directory (default: org.yaml beside each file).")]


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".csv"))
        else:
            out.append(path)
    return out


def _org_for(path: Path, given: Path | None, cache: dict[Path, OrgDirectory | None]
             ) -> OrgDirectory | None:
    candidates = [given] if given else [path.parent / n for n in ORG_NAMES]
    for candidate in candidates:
        if candidate is not None and candidate.exists():
            if candidate not in cache:
                try:
                    cache[candidate] = load_directory(candidate)
                except DefinitionInvalid:
                    cache[candidate] = None  # reported when the org file itself is checked
            return cache[candidate]
    return None


@app.command()
def validate(paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
             org: OrgOption = None) -> None:
    """Check definitions; print every error as path:line:column: message. Exit 1 if any."""
    cache: dict[Path, OrgDirectory | None] = {}
    bad = checked = 0
    for path in _files(paths):
        if not path.exists():
            typer.echo(f"{path}:1:1: no such file")
            bad += 1
            continue
        checked += 1
        try:
            if path.name in ORG_NAMES or path.suffix == ".csv":
                load_directory(path)
            else:
                load_definition_file(path, _org_for(path, org, cache))
        except DefinitionInvalid as exc:
            bad += 1
            for error in exc.errors:
                typer.echo(str(error))
        except (OSError, UnicodeDecodeError) as exc:
            bad += 1
            typer.echo(f"{path}:1:1: cannot read: {exc}")
    typer.echo(f"{checked} file(s) checked, {bad} invalid", err=True)
    if bad or not checked:
        raise typer.Exit(1)


@app.command()
def diagram(target: Annotated[str, typer.Argument(help="A YAML file or a process key.")],
            definitions: Annotated[Path, typer.Option(
                "--definitions", envvar="SIGNOFF_DEFINITIONS_DIR",
                help="Folder searched when TARGET is a key.")] = Path("definitions"),
            current: Annotated[str | None, typer.Option(help="Node to highlight.")] = None,
            org: OrgOption = None) -> None:
    """Print the process as a Mermaid flowchart."""
    path = Path(target)
    if not path.exists():
        found = [definitions / f"{target}{ext}" for ext in (".yaml", ".yml")]
        path = next((p for p in found if p.exists()), path)
    if not path.exists():
        typer.echo(f"no definition file or key {target!r} (looked in {definitions})", err=True)
        raise typer.Exit(1)
    try:
        defn = load_definition_file(path, _org_for(path, org, {}))
    except DefinitionInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(mermaid(defn, current), nl=False)
