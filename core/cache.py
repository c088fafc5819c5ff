"""The cache is only ever a copy: when it is away, the page is built from the database.

Built outputs (reports.freshness.cached) live in Django's default cache: per process (LocMem)
or shared by every worker and instance (Redis, CACHE_URL in config/settings.py). Django's
RedisCache raises when Redis cannot be reached, times out or refuses a write (a full Redis
without an eviction policy, a read-only replica); left alone that would turn a cache outage into
an error on every page. Here a failed read is a miss and a failed write is skipped, each with a
warning, and the process then leaves the cache alone for a few seconds: a Redis that is
unreachable rather than refusing would otherwise cost every request the connect timeout.

A copy that cannot be unpickled (written by other code under the same key, for instance by an
instance of the previous release during a rolling restart) is a miss too.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

T = TypeVar("T")
logger = logging.getLogger("styrkort.cache")

# How long a process leaves the cache alone after it failed to answer.
PAUSE_SECONDS = 5.0
# What a cache that is away raises (Django's RedisCache lets redis-py's errors through).
UNAVAILABLE = (RedisError,)
# What unpickling a copy written by other code raises.
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, IndexError)

# What read() gives for no copy, told apart from a copy of None.
MISSING: Any = object()

_paused_until = 0.0


def _available() -> bool:
    return time.monotonic() >= _paused_until


def _unavailable(action: str, key: str, error: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_SECONDS
    logger.warning(
        "Cachen svarar inte (%s %s: %s: %s); byggs från databasen, nytt försök om %.0f s",
        action,
        key,
        type(error).__name__,
        error,
        PAUSE_SECONDS,
    )


def read(key: str, default: Any = None) -> Any:
    """The cached copy, or default when there is none or the cache cannot give it."""
    if not _available():
        return default
    try:
        return cache.get(key, default)
    except UNAVAILABLE as error:
        _unavailable("läsa", key, error)
    except UNREADABLE as error:
        logger.warning(
            "Cachens kopia av %s går inte att läsa (%s: %s); byggs om",
            key,
            type(error).__name__,
            error,
        )
    return default


def read_many(keys: list[str]) -> dict[str, Any]:
    """The copies there are of `keys`, in one round trip; none when the cache cannot give them
    (a copy that cannot be read makes them all misses: they are built again)."""
    if not keys or not _available():
        return {}
    try:
        return cache.get_many(keys)
    except UNAVAILABLE as error:
        _unavailable("läsa", keys[0], error)
    except UNREADABLE as error:
        logger.warning(
            "Cachens kopior av %s … går inte att läsa (%s: %s); byggs om",
            keys[0],
            type(error).__name__,
            error,
        )
    return {}


def write(key: str, value: Any, seconds: int) -> None:
    """Keep a copy if the cache can take it; a value that does not pickle still raises."""
    if not _available():
        return
    try:
        cache.set(key, value, seconds)
    except UNAVAILABLE as error:
        _unavailable("spara", key, error)


def get_or_build(key: str, build: Callable[[], T], seconds: int) -> T:
    """The copy under key, or build() kept under it. None is a value like any other (a panel
    with nothing to show is not built again at every request)."""
    value = read(key, MISSING)
    if value is MISSING:
        value = build()
        write(key, value, seconds)
    return value


def resume() -> None:
    """Ask the cache again at once (tests, and after a known repair)."""
    global _paused_until
    _paused_until = 0.0
