"""``signoff db upgrade|downgrade|current|check``: the schema and the projections' health.

The database is ``--db``, else ``SIGNOFF_DATABASE_URL``, else ``sqlite:///./signoff.db``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli import app

db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic) and consistency.")
app.add_typer(db_app, name="db")

DbOption = Annotated[str, typer.Option("--db", envvar="SIGNOFF_DATABASE_URL",
                                       help="Database URL.")]
DEFAULT_URL = "sqlite:///./signoff.db"


@db_app.command()
def upgrade(db: DbOption = DEFAULT_URL, revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from engine.store import current
    from engine.store import upgrade as do_upgrade

    do_upgrade(db, revision)
    typer.echo(f"database at revision {current(db)}")


@db_app.command()
def downgrade(db: DbOption = DEFAULT_URL, revision: str = "base") -> None:
    """Revert migrations down to REVISION (default: base, an empty database)."""
    from engine.store import current
    from engine.store import downgrade as do_downgrade

    do_downgrade(db, revision)
    typer.echo(f"database at revision {current(db) or 'base'}")


@db_app.command("current")
def show_current(db: DbOption = DEFAULT_URL) -> None:
    """Print the database's revision and the newest one."""
    from engine.store import current, head

    typer.echo(f"database: {current(db) or 'base'}; newest: {head()}")
