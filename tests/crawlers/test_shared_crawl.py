"""Two crawler processes share one crawl through the Redis frontier (crawlers.shared_frontier).

Real Redis (127.0.0.1:6379, database 6, a crawl name of its own per test); under CI=true a missing
Redis fails the test. The site is generated (tests/crawlers/generated_site.py): 2,000 pages in a
sitemap. Nothing here asserts how long anything took; waits are bounds that turn a hang into a failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from generated_site import GeneratedSite

from storage.sqlite_store import SQLiteStore

HERE = Path(__file__).parent
REPO = HERE.parent.parent
REDIS_URL = "redis://127.0.0.1:6379/6"
PAGES = 2000
PER_HOST = 4
BOUND_S = 900  # a broken crawl fails instead of hanging


@pytest.fixture
def redis_client() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=10)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - whatever the client raises, Redis is not there
        message = f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield client
    client.close()


def _crawler(tmp: Path, site: GeneratedSite, name: str, db: Path, lease_s: float) -> subprocess.Popen[str]:
    sources = tmp / "sources.json"
    sources.write_text(json.dumps([{"name": "gen", "type": "sitemap", "url": f"{site.base}/sitemap.xml",
                                    "max_pages": PAGES}]))
    settings = tmp / f"settings-{uuid.uuid4().hex[:6]}.json"
    settings.write_text(json.dumps({
        "NEWSWATCH_REDIS_URL": REDIS_URL, "NEWSWATCH_CRAWL_NAME": name, "NEWSWATCH_LEASE_S": lease_s,
        "NEWSWATCH_EXTRACT_WORKERS": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 8, "CONCURRENT_REQUESTS_PER_DOMAIN": PER_HOST, "LOG_LEVEL": "ERROR"}))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(HERE / "crawl_store_subprocess.py"), str(sources), str(settings),
                             str(db)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=BOUND_S)
    assert proc.returncode == 0, err[-3000:]
    return dict(json.loads(out.strip().splitlines()[-1]))


def _stored_urls(db: Path) -> set[str]:
    store = SQLiteStore(str(db))
    try:
        return {str(r[0]) for r in store._db.execute("SELECT url FROM documents")}
    finally:
        store.close()


def _frontier_keys(client: Any, name: str) -> list[str]:
    """The crawl's keys in Redis, but for per-host politeness marks (they expire after the host's delay)."""
    return [k for k in client.keys(f"newswatch:crawl:{name}:*") if ":polite:" not in k]


def _owner_key(client: Any, name: str) -> str:
    keys = client.keys(f"newswatch:crawl:{name}:*:owner")
    assert len(keys) == 1, keys
    return str(keys[0])


def _new_store(db: Path) -> None:
    SQLiteStore(str(db)).close()  # migrations once, before two processes open the file


def test_two_crawlers_fetch_every_page_once(tmp_path: Path, redis_client: Any) -> None:
    name = f"test-{uuid.uuid4().hex[:10]}"
    db = tmp_path / "store.db"
    _new_store(db)
    with GeneratedSite(PAGES) as site:
        a = _crawler(tmp_path, site, name, db, lease_s=60)
        b = _crawler(tmp_path, site, name, db, lease_s=60)
        stats = [_finish(a), _finish(b)]
        fetches = site.page_fetches()
        most_at_once = site.max_active
    expected = {f"/news/{i}.html" for i in range(PAGES)}
    assert set(fetches) == expected
    assert {p: n for p, n in fetches.items() if n != 1} == {}  # every page fetched exactly once
    assert _stored_urls(db) == {site.page_url(i) for i in range(PAGES)}  # and all stored
    fetched = [s["sources"]["gen"]["pages_fetched"] for s in stats]
    assert all(n > 0 for n in fetched), fetched  # both processes took part
    assert most_at_once <= PER_HOST  # the per-host limit held over both processes together
    assert not _frontier_keys(redis_client, name)  # a finished crawl leaves nothing behind


def test_a_killed_crawler_leaves_its_requests_to_the_other(tmp_path: Path, redis_client: Any) -> None:
    name = f"test-{uuid.uuid4().hex[:10]}"
    db = tmp_path / "store.db"
    _new_store(db)
    with GeneratedSite(PAGES, answer_delay_s=0.01) as site:
        a = _crawler(tmp_path, site, name, db, lease_s=60)
        b = _crawler(tmp_path, site, name, db, lease_s=60)
        deadline = time.monotonic() + BOUND_S
        while sum(site.page_fetches().values()) < PAGES // 5:  # mid-way
            assert a.poll() is None and b.poll() is None, "a crawler ended before the kill"
            assert time.monotonic() < deadline, "the crawl did not get going"
            time.sleep(0.2)
        os.kill(a.pid, signal.SIGSTOP)  # frozen: what it holds can be read before it dies
        owners = redis_client.hgetall(_owner_key(redis_client, name))
        held = {m.split("\t", 1)[1] for m, who in owners.items() if who.split(":")[1] == str(a.pid)}
        os.kill(a.pid, signal.SIGKILL)
        a.wait(timeout=60)
        assert held, "the killed crawler held no request in flight"
        _finish(b)
        fetches = site.page_fetches()
    assert _stored_urls(db) == {site.page_url(i) for i in range(PAGES)}  # nothing lost
    assert set(fetches) == {f"/news/{i}.html" for i in range(PAGES)}
    twice = {site.base + p for p, n in fetches.items() if n > 1}
    # only what the dead crawler held in flight was fetched again (the lease is long enough that a crawler
    # stalled by a loaded machine, CPU or a busy SQLite file, keeps its own pages)
    assert twice <= held
    assert all(n <= 2 for n in fetches.values())
    assert not _frontier_keys(redis_client, name)
