from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...models import User
from ...services import api_token_issue


class Command(BaseCommand):
    help = "Print a new API token that acts with the given user's permissions. It is shown once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="Email address of the user")
        parser.add_argument("--name", default="API token", help="What the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["user"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No user has the email address {email}")
        try:
            _, raw = api_token_issue(actor=None, user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(raw)
