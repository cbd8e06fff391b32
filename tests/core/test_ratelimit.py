"""Rate limits hold across processes and across the page and the API (issue 12, point 7)."""

import threading

import pytest
from django.core.cache import caches
from django.db import connection

from egov.core import ratelimit
from egov.core.models import RateCounter

CODE = "000.00.00.H01-261116-0001"


def forget_process_memory() -> None:
    """What a second worker process sees: none of this process's in-memory caches."""
    for cache in caches.all(initialized_only=True):
        if cache.__class__.__name__ == "LocMemCache":
            cache.clear()


@pytest.mark.django_db
def test_the_look_up_page_and_api_spend_one_budget(client, settings):
    settings.MOTCUA_PUBLIC_LOOKUP_RATE = "30/m"
    for _ in range(15):
        assert client.get(f"/tra-cuu/{CODE}/").status_code == 404
        assert client.get(f"/api/v1/public/dossiers/{CODE}").status_code == 404
    page = client.get(f"/tra-cuu/{CODE}/")
    api = client.get(f"/api/v1/public/dossiers/{CODE}")
    assert page.status_code == 429 and "quá nhiều lần" in page.content.decode()
    assert api.status_code == 429 and api.json()["error"]["code"] == "throttled"
    assert int(api["Retry-After"]) <= 60


@pytest.mark.django_db
def test_a_second_worker_does_not_grant_the_allowance_again(client):
    """Two workers behind one address: the counts are not in either's memory."""
    statuses = []
    for _ in range(31):
        statuses.append(client.get(f"/api/v1/public/dossiers/{CODE}").status_code)
        forget_process_memory()
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


@pytest.mark.django_db
def test_the_window_ends_and_old_rows_are_swept(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    assert [ratelimit.allow_key(scope="t", key="a", rate="2/m") for _ in range(3)] == [
        True,
        True,
        False,
    ]
    clock[0] += 60
    assert ratelimit.allow_key(scope="t", key="a", rate="2/m")
    ratelimit._sweep(int(clock[0]) + 60)
    assert not RateCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_workers_counting_at_once_lose_no_count():
    """Eight threads, each with its own database connection, as eight workers would (on
    PostgreSQL: the suite's in-memory SQLite locks whole tables between connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (.ci/run)")
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        try:
            for _ in range(5):
                ratelimit.hit("ratelimit:race:one", seconds=3600)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert RateCounter.objects.get(key="ratelimit:race:one").hits == 40


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception as error:
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({error})")
    yield cache
    cache.clear()


@pytest.mark.django_db
def test_with_redis_configured_the_counts_live_there(redis_cache):
    assert [ratelimit.allow_key(scope="t", key="b", rate="2/m") for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert not RateCounter.objects.exists()


def test_an_sqlite_without_returning_is_named_at_start(monkeypatch):
    from egov.core import checks

    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(checks.sqlite3, "sqlite_version", "3.31.1")
    if connection.vendor != "sqlite":
        assert checks.sqlite_has_returning() == []
    else:
        (error,) = checks.sqlite_has_returning()
        assert error.id == "motcua.E001" and "3.35" in error.msg
