from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...choices import RoleCode
from ...models import Role, User
from ...roles import sync_roles
from ...services import user_create


class Command(BaseCommand):
    help = (
        "Create the first system administrator. The password is asked for, or read from "
        "HEARTH_ADMIN_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise CommandError(f"A user with the email address {email} already exists")
        password = os.environ.get("HEARTH_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        candidate = User(
            email=email, first_name=options["first_name"], last_name=options["last_name"]
        )
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        sync_roles()
        user = user_create(
            actor=None,
            email=email,
            first_name=options["first_name"],
            last_name=options["last_name"],
            password=password,
            roles=[Role.objects.get(code=RoleCode.SYSTEM_ADMINISTRATOR)],
            job_title="System administrator",
        )
        self.stdout.write(self.style.SUCCESS(f"Created administrator {user.email}"))
