"""Downloader middleware for a polite crawl: retries that wait (Retry-After, exponential backoff).

Scrapy's ``RetryMiddleware`` re-schedules a failed request at once. Here a 429/503 that says
``Retry-After`` is retried only after that many seconds (and the whole domain slows down to
match), other retryable failures after ``RETRY_BACKOFF_BASE * 2**attempt`` seconds (capped by
``RETRY_BACKOFF_MAX``). A server asking for more than ``RETRY_AFTER_MAX`` seconds is not retried
in this crawl: the page is quarantined with its status and the next crawl tries again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _sleep(seconds: float) -> None:
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))  # type: ignore[arg-type]


class PoliteRetryMiddleware(RetryMiddleware):
    """``RetryMiddleware`` that waits before each retry; counts ``newswatch/retry_wait_s``."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    def _backoff(self, request: Request) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        return float(min(self.backoff_max, self.backoff_base * (2**attempt)))

    def _slow_domain(self, request: Request, seconds: float) -> None:
        """Make the domain's download slot wait at least ``seconds`` between requests."""
        try:
            downloader: Any = self.crawler.engine.downloader  # type: ignore[union-attr]
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if slot is not None:
                slot.delay = max(float(slot.delay), seconds)
        except Exception:  # internal API: best effort only
            logger.debug("could not slow down the slot of %s", request.url)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self._backoff(request)
        if response.status in (429, 503):
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                if asked > self.retry_after_max:
                    return response
                wait = asked
                self._slow_domain(request, asked)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        self._count_wait(wait)
        await _sleep(wait)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        wait = self._backoff(request)
        self._count_wait(wait)
        await _sleep(wait)
        return retry

    def _count_wait(self, seconds: float) -> None:
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.inc_value("newswatch/retry_wait_s", seconds)
