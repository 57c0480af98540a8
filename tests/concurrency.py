"""Doing the same thing in several threads at once, for the tests of what must happen once; and
waiting for what another process does."""

import threading
import time
from collections.abc import Callable

from django.db import connection


def at_once(action: Callable[[], object], times: int, *, timeout: float = 120) -> list[BaseException]:
    """Runs `action` in `times` threads released together (each with its own database connection,
    closed after); returns what they raised."""
    start = threading.Barrier(times)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors


def wait_until(condition: Callable[[], object], *, timeout: float, message: str, interval: float = 0.1) -> None:
    """Polls `condition` until it is true; fails the test with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{message} (waited {timeout} s)"
        time.sleep(interval)
