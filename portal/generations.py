"""Cache generations: a token that names the current state of data that changes without a new
roll-up run (evidence files, commitments), to put in the keys of what is cached from it.

A change sets a new random token, so every key made with the old one is unreachable at once. A
token lost from the cache (evicted, flushed) is replaced by a new one, never by an old value: a
counter starting again at 0 could meet keys left from its first life.
"""

from uuid import uuid4

from django.core.cache import cache


def _key(name: str) -> str:
    return f"generation:{name}"


def generation(name: str) -> str:
    """The current token of `name`."""
    token = cache.get(_key(name))
    if token is None:
        cache.add(_key(name), uuid4().hex, timeout=None)
        token = cache.get(_key(name))
    return token or uuid4().hex  # a cache that keeps nothing: a generation per call, nothing reused


def generation_bump(name: str, **_signal: object) -> None:
    """Starts a new generation of `name` (usable as a signal receiver through functools.partial)."""
    cache.set(_key(name), uuid4().hex, timeout=None)
