"""Cache generations: a token that names the current state of data that changes without a new
roll-up run (evidence files, commitments), to put in the keys of what is cached from it.

A change sets a new random token, so every key made with the old one is unreachable at once. A
token lost from the cache (evicted, flushed) is replaced by a new one, never by an old value: a
counter starting again at 0 could meet keys left from its first life. Data written around the
portal's services (the demo's seed, a test's factories) starts a new epoch of every generation.
"""

from functools import partial
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

EPOCH = "generations:epoch"


def _token(key: str) -> str:
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid4().hex, timeout=None)
        token = cache.get(key)
    return token or uuid4().hex  # a cache that keeps nothing: a token per call, nothing reused


def generation(name: str) -> str:
    """The current token of `name`."""
    epoch = _token(EPOCH)
    return f"{epoch}.{_token(f'generation:{epoch}:{name}')}"


def generation_bump(name: str) -> None:
    """Starts a new generation of `name`."""
    cache.set(f"generation:{_token(EPOCH)}:{name}", uuid4().hex, timeout=None)


def generations_reset() -> None:
    """Starts a new generation of every name."""
    cache.set(EPOCH, uuid4().hex, timeout=None)


def _bump_after_commit(name: str, **_signal: object) -> None:
    """A new generation once the change is committed: bumped inside the transaction, a request
    reading before the commit would keep the old state under the new generation."""
    transaction.on_commit(lambda: generation_bump(name))


def generation_ended_by(name: str, signal: Signal, sender: type | None = None) -> None:
    """Each `signal` (from `sender`) starts a new generation of `name` after its commit."""
    uid = f"generations.{name}.{id(signal)}.{sender.__name__ if sender else ''}"
    signal.connect(partial(_bump_after_commit, name), sender=sender, weak=False, dispatch_uid=uid)
