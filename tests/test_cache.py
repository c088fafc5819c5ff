"""CACHE_URL chooses the cache (config/settings.py), and a cache that is away never takes a
page down (core.cache): the page is built from the database, the same as with a cache, and a
warning says why. A real Redis (sharing, pickling, a full Redis) is in tests/test_instances.py.
"""

from __future__ import annotations

import logging
import pickle

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

import core.cache
from config.settings import CACHE_CONNECT_TIMEOUT_SECONDS, cache_from_url
from tests.test_deploy_check import free_port, manage, production_env
from tests.test_report_fixtures import mini_an  # noqa: F401

REDIS = "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", "styrkort"),
        ("redis://127.0.0.1:6379/0", REDIS, "redis://127.0.0.1:6379/0"),
        ("redis://cache.example.se", REDIS, "redis://cache.example.se"),
        (
            "rediss://:hemligt@cache.example.se:6380/2",
            REDIS,
            "rediss://:hemligt@cache.example.se:6380/2",
        ),
        ("unix:///run/redis/redis.sock?db=1", REDIS, "unix:///run/redis/redis.sock?db=1"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache", None),
    ],
)
def test_cache_url_gives_the_backend(url, backend, location):
    config = cache_from_url(url)
    assert config["BACKEND"] == backend
    assert config.get("LOCATION") == location
    if backend == REDIS:
        assert config["KEY_PREFIX"] == "styrkort"
        assert config["OPTIONS"]["socket_connect_timeout"] == CACHE_CONNECT_TIMEOUT_SECONDS
        assert 0 < config["OPTIONS"]["socket_timeout"] <= 5


def test_the_default_is_the_per_process_cache_as_before(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings.CACHES["default"]["OPTIONS"] == {"MAX_ENTRIES": 200}


def test_the_key_prefix_can_be_chosen():
    assert cache_from_url("redis://r:6379/0", key_prefix="styrkort-test")["KEY_PREFIX"] == (
        "styrkort-test"
    )


@pytest.mark.parametrize(
    "url",
    [
        "memcached://127.0.0.1:11211",
        "127.0.0.1:6379",
        "redis://",
        "redis://:6379/0",
        "redis://cache:hundra/0",
        "redis://cache:99999/0",
        "redis://cache:6379/noll",
        "unix://redis.sock",
        "locmem:///styrkort",
        "dummy://cache",
    ],
)
def test_a_wrong_cache_url_is_refused_with_the_forms_that_work(url):
    with pytest.raises(ImproperlyConfigured) as error:
        cache_from_url(url)
    assert str(error.value).startswith(
        "CACHE_URL must be redis://HOST:PORT/DB, rediss://HOST:PORT/DB, unix:///PATH, locmem:// "
        "or dummy://, not "
    )


def test_the_refusal_never_shows_the_password():
    with pytest.raises(ImproperlyConfigured) as error:
        cache_from_url("redis://styrkort:redis-hemlis@cache:6379/noll")
    assert "redis-hemlis" not in str(error.value)
    assert "'redis://***@cache:6379/noll'" in str(error.value)


def test_a_wrong_cache_url_stops_the_start():
    result = manage("check", env=production_env(CACHE_URL="memcached://127.0.0.1:11211"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: CACHE_URL must be redis://HOST:PORT/DB" in result.stderr


def test_check_deploy_is_clean_with_redis():
    """Redis need not answer for the checks; nothing about the cache is reported."""
    env = production_env(CACHE_URL=f"redis://127.0.0.1:{free_port()}/0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# --- a Redis that is away ---------------------------------------------------------------------


@pytest.fixture
def redis_away():
    """The default cache is a Redis on a loopback port where nothing listens."""
    core.cache.resume()
    with override_settings(
        CACHES={"default": cache_from_url(f"redis://127.0.0.1:{free_port()}/0")}
    ):
        yield
    core.cache.resume()


def _cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "styrkort.cache"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["reports:report", "reports:board_dashboard", "reports:goal_tree"]
)
def test_pages_are_built_when_redis_is_away(
    client,
    mini_an,  # noqa: F811
    admin_user,
    redis_away,
    caplog,
    url_name,
):
    client.force_login(admin_user)
    url = reverse(url_name, args=["AN", 2022])
    with caplog.at_level(logging.WARNING, logger="styrkort.cache"):
        away = client.get(url)
        again = client.get(url)
    assert away.status_code == again.status_code == 200
    # One warning per pause, not one per request: the second request did not ask Redis.
    warnings = _cache_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("Cachen svarar inte (läsa ")
    assert "ConnectionError" in warnings[0] and "byggs från databasen" in warnings[0]
    # The page is the one a working cache gives.
    with override_settings(CACHES={"default": cache_from_url("locmem://")}):
        cache.clear()
        normal = client.get(url)
    assert _without_tokens(away.content) == _without_tokens(normal.content)


def test_after_the_pause_redis_is_asked_again(redis_away, caplog, monkeypatch):
    built = []
    with caplog.at_level(logging.WARNING, logger="styrkort.cache"):
        assert core.cache.get_or_build("k", lambda: built.append(1) or "kopia", 60) == "kopia"
        assert core.cache.get_or_build("k", lambda: built.append(1) or "kopia", 60) == "kopia"
        assert len(_cache_warnings(caplog)) == 1
        now = core.cache.time.monotonic()
        monkeypatch.setattr(core.cache.time, "monotonic", lambda: now + core.cache.PAUSE_SECONDS)
        core.cache.get_or_build("k", lambda: built.append(1) or "kopia", 60)
    assert len(built) == 3
    assert len(_cache_warnings(caplog)) == 2


def test_a_value_that_does_not_pickle_still_fails_loudly():
    """A builder that returns something unpicklable is a bug, not an outage."""
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        core.cache.get_or_build("lambda", lambda: lambda: None, 60)


def _without_tokens(content: bytes) -> str:
    import re

    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def test_a_built_none_is_kept_like_any_value():
    """A panel with nothing to show (Kolada's without Kolada data) is built once per state of
    the data, not at every request."""
    cache.clear()
    built = []
    for _ in range(3):
        assert core.cache.get_or_build("inget", lambda: built.append(1), 60) is None
    assert built == [1]


def test_a_cache_that_keeps_nothing_is_refused_with_unsolicited_saml():
    """The used assertions in the cache are the only replay protection then (goals.saml)."""
    saml = {
        "SAML_IDP_METADATA_FILE": "/etc/styrkort/idp.xml",
        "SAML_SP_BASE_URL": "https://styrkort.example.se",
        "SAML_ALLOW_UNSOLICITED": "true",
    }
    result = manage("check", env=production_env(CACHE_URL="dummy://", **saml))
    assert result.returncode != 0
    assert "CACHE_URL=dummy:// cannot be used with SAML_ALLOW_UNSOLICITED" in result.stderr


def _parts(tokens: dict[int, str], built: list[list[int]]) -> dict[int, str]:
    from reports.freshness import cached_each

    def build(ids: list[int]) -> dict[int, str]:
        built.append(ids)
        return {board: f"del {board} vid {tokens[board]}" for board in ids}

    return cached_each(lambda board: f"del:{board}", tokens, build)


def test_each_boards_part_is_kept_under_its_own_token_and_the_missing_built_together():
    cache.clear()
    built: list[list[int]] = []
    first = _parts({1: "a", 2: "b", 3: "c"}, built)
    assert built == [[1, 2, 3]]  # one build for all that were missing
    assert first == {1: "del 1 vid a", 2: "del 2 vid b", 3: "del 3 vid c"}
    # Board 2's token changed: only its part is built again; the others are the copies.
    again = _parts({1: "a", 2: "B", 3: "c"}, built)
    assert built == [[1, 2, 3], [2]]
    assert again == {1: "del 1 vid a", 2: "del 2 vid B", 3: "del 3 vid c"}
    assert _parts({1: "a", 2: "B", 3: "c"}, built) == again and len(built) == 2


def test_each_boards_part_is_built_when_redis_is_away(redis_away, caplog):
    built: list[list[int]] = []
    with caplog.at_level(logging.WARNING, logger="styrkort.cache"):
        parts = _parts({1: "a", 2: "b"}, built)
    assert parts == {1: "del 1 vid a", 2: "del 2 vid b"}
    assert built == [[1, 2]]
    assert len(_cache_warnings(caplog)) == 1
