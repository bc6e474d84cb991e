"""``signoff validate PATH...`` and ``signoff diagram PATH|KEY``.

A file named ``org.yaml`` / ``org.yml`` / ``org.csv`` is the org directory, not a process:
``validate`` checks it and uses it to check roles and users of the definitions next to it
(or the one given with ``--org``, else the definitions folder's). A definition checked
without any org directory is named on stderr and in the summary: its roles and users
were not checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from api.cli import app
from api.cli.db import DbOption, database_url
from engine.core import (
    DefinitionInvalid,
    OrgDirectory,
    load_definition_file,
    load_directory,
    mermaid,
)
from engine.core.lint import definition_warnings

ORG_NAMES = ("org.yaml", "org.yml", "org.csv")
OrgOption = Annotated[Path | None, typer.Option(
    "--org", envvar="SIGNOFF_ORG_FILE",
    help="Org directory (default: org.yaml beside each file, else in the definitions folder).")]


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".csv"))
        else:
            out.append(path)
    return out


@dataclass
class _Orgs:
    """Org directories found for the files checked, each loaded once."""

    given: Path | None
    loaded: dict[Path, OrgDirectory | None] = field(default_factory=dict)
    unchecked: list[str] = field(default_factory=list)  # files checked without one

    def path_for(self, path: Path) -> Path | None:
        """``--org``, else org.yaml beside the file, else the configured definitions
        folder's (SIGNOFF_DEFINITIONS_DIR, default ``definitions``)."""
        if self.given is not None:
            return self.given
        folders = [path.parent, Path(os.environ.get("SIGNOFF_DEFINITIONS_DIR", "definitions"))]
        return next((f / n for f in folders for n in ORG_NAMES if (f / n).exists()), None)

    def for_file(self, path: Path) -> tuple[OrgDirectory | None, str]:
        """The directory to check ``path`` against, and a note when there is none."""
        org_path = self.path_for(path)
        if org_path is None:
            return None, "no org directory found (org.yaml beside it, or --org)"
        if org_path not in self.loaded:
            try:
                self.loaded[org_path] = load_directory(org_path)
            except (DefinitionInvalid, OSError, UnicodeDecodeError):
                self.loaded[org_path] = None  # its errors show when it is checked itself
        if self.loaded[org_path] is None:
            return None, f"the org directory {org_path} is invalid or unreadable"
        return self.loaded[org_path], ""


def _org_for(path: Path, given: Path | None) -> OrgDirectory | None:
    return _Orgs(given).for_file(path)[0]


def configured_systems() -> frozenset[str] | None:
    """The outside systems service steps may call (``SIGNOFF_SERVICES``); None when
    none are configured (then their names are not checked)."""
    from api.settings import Settings

    names = frozenset(Settings().services)
    return names or None


@app.command()
def validate(paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
             org: OrgOption = None) -> None:
    """Check definitions; print every error as path:line:column: message. Exit 1 if any.
    Warnings (``path:line:column: warning: message``) are printed too but do not fail.

    Roles and users are checked against ``--org``, else the org.yaml beside each file,
    else the one in the definitions folder; a file checked without one is named. The
    systems of service steps are checked against ``SIGNOFF_SERVICES`` when it is set."""
    orgs = _Orgs(org)
    systems = configured_systems()
    if org is not None and not org.exists():
        typer.echo(f"{org}:1:1: no such org directory file")
        raise typer.Exit(1)
    bad = checked = warned = 0
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
                directory, why = orgs.for_file(path)
                if directory is None:
                    orgs.unchecked.append(str(path))
                    typer.echo(f"{path}: roles and users NOT checked: {why}", err=True)
                load_definition_file(path, directory, systems=systems)
                for warning in definition_warnings(path.read_text(encoding="utf-8"),
                                                   str(path), directory):
                    warned += 1
                    typer.echo(str(warning))
        except DefinitionInvalid as exc:
            bad += 1
            for error in exc.errors:
                typer.echo(str(error))
            if exc.hidden:
                typer.echo(f"{path}: {exc.hidden} more error(s) that follow from these are "
                           "not shown: fix these and check again", err=True)
        except (OSError, UnicodeDecodeError) as exc:
            bad += 1
            typer.echo(f"{path}:1:1: cannot read: {exc}")
    note = (f"; {len(orgs.unchecked)} checked without an org directory (roles and users "
            "not checked)") if orgs.unchecked else ""
    warnings = f", {warned} warning(s)" if warned else ""
    typer.echo(f"{checked} file(s) checked, {bad} invalid{warnings}{note}", err=True)
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
        defn = load_definition_file(path, _org_for(path, org))
    except DefinitionInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(mermaid(defn, current), nl=False)


@app.command()
def retire(key: Annotated[str, typer.Argument(help="The process key.")],
           undo: Annotated[bool, typer.Option(
               "--undo", help="Take it back into use: new requests may start again.")] = False,
           db: DbOption = None) -> None:
    """Retire a process: no new requests start; running ones finish. Recorded in the
    audit log. ``--undo`` brings it back."""
    from datetime import UTC, datetime

    from api.audit import cli_actor
    from api.audit import note as audit_note
    from engine import service
    from engine.core.errors import DefinitionNotFound
    from engine.store import open_database

    database = open_database(database_url(db))
    now, actor = datetime.now(UTC), cli_actor()
    try:
        with database.session() as session:
            try:
                changed = service.retire_definition(session, key, actor, now, undo=undo)
            except DefinitionNotFound:
                typer.echo(f"no process {key!r}", err=True)
                raise typer.Exit(1) from None
            if changed:
                audit_note(session, "definition.unretired" if undo else "definition.retired",
                           actor, key, now, key=key)
            session.commit()
    finally:
        database.dispose()
    state = "in use" if undo else "retired"
    typer.echo(f"{key}: {state}" + ("" if changed else f" (it was {state} already)"))
