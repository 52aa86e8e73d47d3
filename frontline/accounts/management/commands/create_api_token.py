from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.accounts.models import ApiToken, User
from frontline.accounts.services import api_token_create
from frontline.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print its secret (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--scope", default=ApiToken.Scope.READ, choices=ApiToken.Scope.values)

    def handle(self, *args: Any, username: str, name: str, scope: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"username: no active user {username!r}")
        try:
            _, secret = api_token_create(actor=user, user=user, name=name, scope=scope)
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'token'}: {exc.message}") from exc
        self.stdout.write(secret)
