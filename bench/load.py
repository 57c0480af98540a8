# ruff: noqa: S603, S607, S310 - the bench starts its own local processes and requests its own server
"""The pages under load: gunicorn with 2 workers on the bench database, wrk with 50 connections.

Each page is measured with the session cookie of a logged-in user (a supplier's user for the
dashboard, staff for the comparison), and so is the trivial view of bench/urls.py, on the same
server in the same run: the ratio of requests per second is the figure.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

HERE = Path(__file__).resolve().parent
CONNECTIONS = 50
WORKERS = 2


@dataclass(frozen=True)
class LoadResult:
    name: str
    path: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int


def session_cookie(email: str) -> str:
    """A session of the user, stored in the bench database, as a Cookie header."""
    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk_path() -> str:
    """wrk, installed with apt when missing (Debian package `wrk`)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing the Debian package wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed; install it (apt-get install wrk) and run make bench again.")
    return found


class Server:
    """gunicorn serving the bench settings on a free local port, stopped on exit."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "portal.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS),
             "--log-level", "warning", "--backlog", "2048"],
            cwd=settings.BASE_DIR, env=dict(os.environ),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/bench/trivial/", timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None:
                    raise SystemExit("gunicorn stopped before serving; see its output above.") from None
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 60 s.")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def check(self, path: str, cookie: str, expect: str) -> None:
        """The page answers 200 to this session, not a redirect to the login, and shows `expect`."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        request = urllib.request.Request(self.base + path, headers={"Cookie": cookie, "Accept-Language": "en"})
        try:
            response = urllib.request.build_opener(NoRedirect).open(request, timeout=60)
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{path} answered {error.code} instead of the page") from None
        body = response.read().decode()
        if response.status != 200 or expect not in body:
            raise SystemExit(f"{path} answered {response.status} without “{expect}”")

    def wrk(self, name: str, path: str, cookie: str, seconds: int) -> LoadResult:
        command = [wrk_path(), "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
                   "-s", str(HERE / "report.lua"), self.base + path]  # fmt: skip
        output = subprocess.run(
            command, env={**os.environ, "BENCH_COOKIE": cookie}, capture_output=True, text=True, check=True
        ).stdout
        line = next(line for line in output.splitlines() if line.startswith("BENCH "))
        figures = json.loads(line.removeprefix("BENCH "))
        errors = sum(figures[k] for k in ("errors_status", "errors_connect", "errors_read", "errors_timeout"))
        return LoadResult(
            name=name, path=path, rps=figures["rps"], p50_ms=figures["p50_ms"], p95_ms=figures["p95_ms"],
            p99_ms=figures["p99_ms"], requests=figures["requests"], errors=errors,
        )  # fmt: skip
