"""Doing the same thing in several threads at once, for the tests of what must happen once."""

import threading
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
