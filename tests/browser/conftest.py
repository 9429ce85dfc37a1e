"""A real Hearth server (its own SQLite file, a small synthetic council) and Debian's Chromium.

The server runs in a subprocess rather than pytest-django's live_server, so nothing has to flush
the append-only audit trail between tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# The running server's environment, for tests that set a scene with manage.py (server_manage).
_SERVER_ENV: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "hearth.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "hearth.config.settings.dev",
        "DJANGO_DEBUG": "0",  # pages as users get them, static files through WhiteNoise
        "HEARTH_STATIC_ROOT": str(db.parent / "static"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    _SERVER_ENV.update(env)
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "generate_council", "--seed", "5", "--children", "5000", "-v0"],
        env=env,
        check=True,
    )
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen(
        [*manage, "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def server_manage(server_url: str) -> Callable[..., str]:
    """Run a manage.py command on the test server's database; returns its output."""

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=_SERVER_ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    return run


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = (
        os.environ.get("HEARTH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()
