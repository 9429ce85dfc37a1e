"""An API client for tests: the Django test client sending a user's bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from hearth.core.models import User
from hearth.core.services import api_token_issue


class Api:
    def __init__(self, client: Client, raw: str) -> None:
        self.client, self.header = client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, **self.header)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", **self.header
        )


def api_for(client: Client, user: User, name: str = "Test system") -> Api:
    _, raw = api_token_issue(actor=None, user=user, name=name)
    return Api(client, raw)
