"""``flask tokens create EMAIL --scope read``: a personal access token for scripts."""

import click
from flask.cli import AppGroup

tokens_cli = AppGroup("tokens", help="Personal access tokens for the API.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--days", type=click.IntRange(1, 365), default=90, show_default=True, help="Days until it expires.")
@click.option("--name", default="script", show_default=True, help="What the token is for.")
def create_token(email, scope, days, name):
    """Creates a token for the user with this e-mail address and prints it (once: only its hash is kept)."""
    from planner.auth import tokens
    from planner.auth.models import TokenScope, User
    from planner.errors import DomainError
    from planner.extensions import db

    user = User.by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user has the e-mail address {email}.")
    try:
        token, secret = tokens.create(user, name, TokenScope(scope), days)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(secret)
    click.echo(f"Token {token.id} ({token.scope.value}) for {user.email}, "
               f"expires {token.expires_at:%Y-%m-%d}.", err=True)
