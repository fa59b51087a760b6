"""A crawl frontier and duplicate filter in Redis, shared by N crawler processes on N machines.

The single-process crawl keeps its frontier in the store (``storage.crawl_state``) and its queue in
Scrapy's memory. Here both live in Redis, so that any number of crawler processes pointed at the
same Redis and crawl name share one crawl: a URL is scheduled once (a set), queued once (a list),
and handed to one process at a time under a lease (a sorted set of deadlines) that its holder
renews while it works. A process killed mid-way stops renewing; once its leases run out, the
others take its in-flight requests back into the queue and fetch them. A page is "done" only after
its items are stored, so a page is fetched again only when its process died before storing it.

Why not scrapy-redis: it pops requests from Redis outright, so a crawler killed mid-way loses
what it held; leases are the point here. Keys (all under ``newswatch:crawl:<name>:``):

- ``run``: the crawl is in progress (set by its first process, deleted when it finishes);
- ``seen``: ``source<TAB>key`` of every request scheduled in this run (the duplicate filter);
- ``data``: id -> the request's JSON (url and the meta a spider needs to rebuild it);
- ``queue``: ids waiting for a process; ``inflight``: id -> lease deadline; ``owner``: id -> process;
- ``done``: ids finished (a request reclaimed after its slow holder finished it is not fetched twice);
- ``polite:<host>``: holder -> deadline of the requests now downloading from that host, and
  ``polite:<host>:next``: the earliest time the next request to that host may start.

Politeness holds across processes: :class:`SharedPolitenessMiddleware` lets at most
``CONCURRENT_REQUESTS_PER_DOMAIN`` requests download from one host at a time over all processes,
and spaces their starts by the asking process's download delay (the one AutoThrottle adjusts).
Each process obeys robots.txt itself (Scrapy's middleware, one robots.txt fetch per process).

``crawlers.runner.run_crawl`` turns this on when its settings name ``NEWSWATCH_REDIS_URL``; the
store still keeps documents, fetch validators and source health (``inner`` below).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from storage.models import FetchRecord

logger = logging.getLogger(__name__)

REDIS_URL_SETTING = "NEWSWATCH_REDIS_URL"  # set: a shared crawl
CRAWL_NAME_SETTING = "NEWSWATCH_CRAWL_NAME"
LEASE_SETTING = "NEWSWATCH_LEASE_S"
DEFAULT_CRAWL_NAME = "newswatch"
DEFAULT_LEASE_S = 60.0

# Scheduled once: add to the duplicate filter, keep the data and queue the id, atomically (a
# process killed between the two would otherwise leave a URL "seen" that nobody will fetch).
_ADD = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[1])
return 1
"""
# Lease the next queued id that is not done: inflight deadline and owner, then its data.
_POP = """
while true do
  local id = redis.call('LPOP', KEYS[1])
  if not id then return nil end
  if redis.call('SISMEMBER', KEYS[4], id) == 0 then
    redis.call('ZADD', KEYS[2], ARGV[1], id)
    redis.call('HSET', KEYS[3], id, ARGV[2])
    return {id, redis.call('HGET', KEYS[5], id)}
  end
end
"""
# Leases whose deadline passed (their process died or stalled) go back to the front of the queue.
_RECLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('LPUSH', KEYS[3], id)
end
return #ids
"""
# Finished: forget the lease (if still ours) and note it done.
_DONE = """
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
"""
# A download slot on one host, over all processes: wait (returns seconds) or take it (returns 0).
_POLITE = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return '0.05' end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return tostring(nxt - now) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[2])
redis.call('SET', KEYS[2], tostring(now + tonumber(ARGV[4])), 'PX', math.ceil(tonumber(ARGV[4]) * 1000) + 1)
return '0'
"""


def _now() -> float:
    return time.time()


def _member(source: str, key: str) -> str:
    return f"{source}\t{key}"


class SharedFrontier:
    """The crawl state of a shared crawl: frontier in Redis, everything else in ``inner`` (the store).

    Offers the ``crawlers.state.CrawlState`` methods, so the spider is the same in both set-ups,
    plus what :class:`RedisScheduler` needs (``lease_next``, ``reclaim``, ``renew``, ``pending``).
    """

    def __init__(self, redis_url: str, crawl_name: str = DEFAULT_CRAWL_NAME, inner: Any = None,
                 lease_s: float = DEFAULT_LEASE_S) -> None:
        import redis  # deferred: only a shared crawl needs it

        self.redis = redis.Redis.from_url(redis_url, decode_responses=True,
                                          health_check_interval=30, retry_on_timeout=True)
        self.redis.ping()  # a wrong URL fails here, before any request, naming the URL
        self.name = crawl_name
        self.inner = inner
        self.lease_s = float(lease_s)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leased: set[str] = set()
        p = f"newswatch:crawl:{crawl_name}:"
        self.k = {n: p + n for n in ("run", "seen", "data", "queue", "inflight", "owner", "done")}
        self._add = self.redis.register_script(_ADD)
        self._pop = self.redis.register_script(_POP)
        self._reclaim = self.redis.register_script(_RECLAIM)
        self._done_script = self.redis.register_script(_DONE)

    # -- crawlers.state.CrawlState

    def crawl_begin(self, source: str) -> list[dict[str, Any]]:
        """Join the running shared crawl, or start one; pending requests come from the queue, never here."""
        self.redis.set(self.k["run"], self.worker, nx=True)
        return []

    def crawl_finish(self, source: str) -> None:
        """The shared crawl has nothing queued or in flight: forget it (the next run starts afresh)."""
        if not self.redis.llen(self.k["queue"]) and not self.redis.zcard(self.k["inflight"]):
            self.redis.delete(*self.k.values())

    def frontier_add(self, source: str, key: str, data: dict[str, Any]) -> bool:
        """Schedule a request for whichever process is free; False when this run already has it."""
        return bool(self._add(keys=[self.k["seen"], self.k["data"], self.k["queue"]],
                              args=[_member(source, key), json.dumps(data, ensure_ascii=False)]))

    def frontier_done(self, source: str, key: str, fetch: FetchRecord | None = None) -> None:
        if fetch is not None and self.inner is not None:
            self.inner.record_fetch(fetch)
        member = _member(source, key)
        self._done_script(keys=[self.k["inflight"], self.k["owner"], self.k["done"]], args=[member, self.worker])
        self.leased.discard(member)

    def frontier_counts(self, source: str) -> dict[str, int]:
        return {"pending": int(self.redis.llen(self.k["queue"])) + int(self.redis.zcard(self.k["inflight"])),
                "done": int(self.redis.scard(self.k["done"]))}

    def fetch_record(self, url: str) -> FetchRecord | None:
        return self.inner.fetch_record(url) if self.inner is not None else None

    def source_event(self, source: str, **counts: Any) -> None:
        if self.inner is not None:
            self.inner.source_event(source, **counts)

    def __getattr__(self, name: str) -> Any:
        """Gone pages, transactions and the rest: the store's (none without a store: a bench's crawl)."""
        if name in ("inner", "redis") or self.__dict__.get("inner") is None:
            raise AttributeError(name)
        return getattr(self.inner, name)

    # -- for the scheduler

    def lease_next(self) -> tuple[str, dict[str, Any]] | None:
        """The next queued request, now leased to this process: (id, its data); None when none is queued."""
        got = self._pop(keys=[self.k["queue"], self.k["inflight"], self.k["owner"], self.k["done"], self.k["data"]],
                        args=[_now() + self.lease_s, self.worker])
        if not got:
            return None
        member, data = got
        self.leased.add(str(member))
        return str(member), json.loads(data) if data else {}

    def reclaim(self) -> int:
        """Put requests whose lease ran out (a dead or stalled process) back at the front of the queue."""
        return int(self._reclaim(keys=[self.k["inflight"], self.k["owner"], self.k["queue"]], args=[_now()]))

    def renew(self) -> None:
        """Push the deadlines of this process's leases on; drop those another process took back."""
        deadline = _now() + self.lease_s
        for member in list(self.leased):
            if self.redis.hget(self.k["owner"], member) == self.worker:
                self.redis.zadd(self.k["inflight"], {member: deadline}, xx=True)
            else:
                self.leased.discard(member)

    def others_pending(self) -> bool:
        """Anything queued, or in flight in another process (whose pages may add more)?"""
        pipe = self.redis.pipeline(transaction=False)
        pipe.llen(self.k["queue"])
        pipe.zcard(self.k["inflight"])
        queued, inflight = pipe.execute()
        return bool(queued) or int(inflight) > len(self.leased)

    def is_leased(self, source: str, key: str) -> bool:
        return _member(source, key) in self.leased


class FrontierRef:
    """Keeps the frontier by reference inside Scrapy's settings (which deep-copy their values)."""

    def __init__(self, frontier: SharedFrontier) -> None:
        self.frontier = frontier

    def __copy__(self) -> FrontierRef:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrontierRef:
        return self


FRONTIER_SETTING = "NEWSWATCH_SHARED_FRONTIER"


class RedisScheduler:
    """Scrapy scheduler taking its requests from the shared frontier.

    Requests the spider schedules are already queued in Redis (``frontier_add``); this process
    pops them under a lease. Requests of pages it holds (a retry, a redirect) and requests outside
    the frontier (no ``nw_key``) stay in a local queue. While anything is queued or in flight
    elsewhere, the crawl is not over: it waits, taking back expired leases.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        ref = crawler.settings.get(FRONTIER_SETTING)
        if ref is None:
            raise ValueError(f"RedisScheduler needs {FRONTIER_SETTING} (crawlers.runner sets it)")
        self.frontier: SharedFrontier = ref.frontier
        self.local: deque[Any] = deque()
        self.spider: Any = None
        self._renewer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisScheduler:
        return cls(crawler)

    def open(self, spider: Any) -> None:
        from twisted.internet import task

        self.spider = spider
        self._renewer = task.LoopingCall(self._tick)
        self._renewer.start(max(self.frontier.lease_s / 4, 0.5), now=False)

    def _tick(self) -> None:
        try:
            self.frontier.renew()
            self.frontier.reclaim()
        except Exception:  # Redis away for a moment: the next tick tries again
            logger.warning("shared frontier: could not renew leases", exc_info=True)

    def close(self, reason: str) -> None:
        if self._renewer is not None and self._renewer.running:
            self._renewer.stop()

    def has_pending_requests(self) -> bool:
        return bool(self.local) or self.frontier.others_pending()

    def enqueue_request(self, request: Any) -> bool:
        meta = request.meta
        source, key = meta.get("nw_source"), meta.get("nw_key")
        if source is None or key is None or self.frontier.is_leased(str(source), str(key)):
            self.local.append(request)  # ours to finish (retry, redirect) or not a frontier request
        # else: admitted by the spider, so already queued in Redis for whichever process is free
        return True

    def next_request(self) -> Any:
        if self.local:
            return self.local.popleft()
        for _attempt in range(2):
            got = self.frontier.lease_next()
            if got is None:
                if not self.frontier.reclaim():
                    return None
                continue
            member, data = got
            request = self.spider.frontier_request(data)
            if request is None:  # a source configured otherwise here: left to expire for a process that has it
                logger.warning("shared frontier: %s is of a source this crawler does not crawl", member)
                self.frontier.leased.discard(member)
                continue
            return request
        return None

    def __len__(self) -> int:
        return len(self.local) + int(self.frontier.redis.llen(self.frontier.k["queue"]))


class SharedPolitenessMiddleware:
    """Per-host concurrency and delay held over all processes of a shared crawl (see the module)."""

    def __init__(self, crawler: Any) -> None:
        from scrapy.exceptions import NotConfigured

        ref = crawler.settings.get(FRONTIER_SETTING)
        if ref is None:
            raise NotConfigured(f"{FRONTIER_SETTING} is not set")
        self.crawler = crawler
        self.frontier: SharedFrontier = ref.frontier
        self.limit = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30
        self.default_delay = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self._script = self.frontier.redis.register_script(_POLITE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedPolitenessMiddleware:
        return cls(crawler)

    def _delay(self, request: Any) -> float:
        """This process's delay for the host (AutoThrottle's, when on), else ``DOWNLOAD_DELAY``."""
        try:
            downloader: Any = self.crawler.engine.downloader
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if slot is not None:
                return float(slot.delay)
        except Exception:  # internal API: best effort only
            pass
        return self.default_delay

    async def process_request(self, request: Any, spider: Any = None) -> None:
        from crawlers.middlewares import _sleep  # deferred on purpose: it imports Scrapy (slow), only a crawl needs it

        host = urlsplit(request.url).netloc.lower()
        holder = f"{self.frontier.worker}:{id(request)}"
        keys = [f"newswatch:crawl:{self.frontier.name}:polite:{host}",
                f"newswatch:crawl:{self.frontier.name}:polite:{host}:next"]
        while True:
            wait = float(self._script(keys=keys, args=[_now(), holder, self.limit, self._delay(request),
                                                         self.timeout]))
            if wait <= 0:
                request.meta["nw_polite"] = (keys[0], holder)
                return None
            await _sleep(min(wait, 5.0))

    def _release(self, request: Any) -> None:
        held = request.meta.pop("nw_polite", None)
        if held is not None:
            try:
                self.frontier.redis.zrem(held[0], held[1])
            except Exception:  # it expires on its own
                logger.debug("could not release the download slot of %s", request.url)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        self._release(request)
        return None
