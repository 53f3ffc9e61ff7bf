"""``flask`` commands: demo data and user administration from the shell."""

import click
from flask import current_app
from flask.cli import AppGroup

from planner.extensions import db

demo_cli = AppGroup("demo", help="Demo data for trying the planner out.")
users_cli = AppGroup("users", help="User accounts.")


@demo_cli.command("load")
@click.option("--force", is_flag=True, help="Load even though PLANNER_ENV is production.")
def demo_load(force):
    """Loads the demo users and projects (idempotent: existing data is kept)."""
    from planner import demo

    if current_app.config["PLANNER_ENV"] == "production" and not force:
        raise click.ClickException(
            "Refusing to create demo accounts in production. Use --force if this really is a demo server."
        )
    summary = demo.load()
    click.echo(summary.report())


@demo_cli.command("accounts")
def demo_accounts():
    """Prints the demo accounts."""
    from planner import demo

    click.echo(demo.accounts_text())


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice(["admin", "manager", "user"]), default="admin", show_default=True)
@click.password_option()
def users_create(email, name, role, password):
    """Creates an account (for the first administrator of a production setup)."""
    from planner.admin.services import create_user
    from planner.auth import passwords
    from planner.errors import DomainError

    found = passwords.problems(password, email)
    if found:
        raise click.ClickException(" ".join(str(message) for message in found))
    try:
        create_user(email, name, role, password)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Created {email} ({role}).")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file):
    """Writes a consistent backup of the database and the uploaded files to FILE (a zip file)."""
    from pathlib import Path

    from planner import backup

    try:
        summary = backup.backup(Path(file))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {summary.rows} rows of {len(summary.tables)} tables and {summary.files} files "
               f"(schema {summary.revision}, format {backup.FORMAT_VERSION}) to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace whatever the database holds with the backup.")
def restore_command(file, force):
    """Restores a backup made by ``flask backup`` into this database (an empty one unless --force)."""
    from pathlib import Path

    from planner import backup

    try:
        summary = backup.restore(Path(file), force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {summary.rows} rows of {len(summary.tables)} tables and {summary.files} files "
               f"(schema {summary.revision}).")


def init_app(app) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
