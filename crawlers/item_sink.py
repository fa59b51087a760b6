"""Item pipeline that hands every Document / Quarantined item to a caller's function, as it arrives."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from scrapy.exceptions import NotConfigured

from crawlers.items import Quarantined
from crawlers.state import STATE_SETTING
from storage.models import Document

logger = logging.getLogger(__name__)

SINK_SETTING = "NEWSWATCH_ITEM_SINK"


class SinkRef:
    """A callable kept by reference in Scrapy settings (which deep-copy their values)."""

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self.fn = fn

    def __call__(self, item: Any) -> None:
        self.fn(item)

    def __copy__(self) -> SinkRef:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SinkRef:
        return self


class ItemSink:
    """Calls ``NEWSWATCH_ITEM_SINK(item)`` synchronously for each item; declines when none is set.

    A sink that raises does not stop the crawl: the error is logged and counted under
    ``newswatch/errors/sink/<source>``.

    When the crawl keeps its state in a store with ``crawl_transaction`` (``storage.crawl_state``),
    the item and, for a page's last item, the page's "done" mark are committed in one transaction:
    a crawl killed at any moment has either both (the page is not fetched again) or neither.
    """

    def __init__(self, sink: Callable[[Any], None], stats: Any = None, crawler: Any = None) -> None:
        self.sink = sink
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ItemSink:
        sink = crawler.settings.get(SINK_SETTING)
        if sink is None:
            raise NotConfigured(f"{SINK_SETTING} is not set")
        if not callable(sink):
            raise NotConfigured(f"{SINK_SETTING}: expected a callable, got {type(sink).__name__}")
        return cls(sink, crawler.stats, crawler)

    def _transaction(self) -> AbstractContextManager[Any]:
        settings = getattr(self.crawler, "settings", None)
        ref = settings.get(STATE_SETTING) if settings is not None else None
        begin = getattr(getattr(ref, "state", ref), "crawl_transaction", None)
        return begin() if callable(begin) else nullcontext()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Document | Quarantined):
            spider = spider or getattr(self.crawler, "spider", None)
            committed = getattr(spider, "item_committed", None)
            try:
                with self._transaction():
                    self.sink(item)
                    if committed is not None:
                        committed(item)  # the spider's crawl state: this page is done
            except Exception:
                logger.exception("item sink failed on %s", getattr(item, "url", item))
                if self.stats is not None:
                    self.stats.inc_value(f"newswatch/errors/sink/{item.source}")
        return item
