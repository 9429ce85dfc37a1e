"""Local development and the demo: SQLite, debug on, console email."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
(BASE_DIR / "var").mkdir(exist_ok=True)
