"""One spider for every configured source: sitemaps, feeds, sites, shop listings, Mastodon timelines.

Each source spec is a plain dict (see ``crawlers.sources``). Every fetched page ends as a
``storage.models.Document`` or, when it gives nothing, as a ``Quarantined`` item with its error
class; failed requests reach ``on_error`` and are quarantined too. Counts go to the crawl's stats
under ``newswatch/<what>/<source>`` (read back by ``crawlers.runner.CrawlStats``).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote_plus, urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawlers.budgets import DEFAULT_PAGE_BUDGET_S, DEFAULT_PAGE_MEMORY_MB
from crawlers.decompress import TooLarge, gunzip_capped
from crawlers.extract import (
    EXTRACTOR_NAME,
    extract_bytes,
    extract_version,
    looks_binary,
)
from crawlers.extract_pool import ExtractPool, workers_setting
from crawlers.feeds import read_feed
from crawlers.items import Quarantined
from crawlers.social import READERS
from crawlers.sources import normalize_sources
from crawlers.state import STATE_SETTING, CrawlState, body_hash
from crawlers.traps import TrapGuard
from crawlers.urls import canonical_allowed, canonicalize_url, join_http_url, same_site
from storage.models import Document, FetchRecord, Product, Provenance, utc_now_iso
from storage.url_safety import safe_http_url, unsafe_url_reason

_GZIP_MAGIC = b"\x1f\x8b"
_DEFAULT_MAX_SIZE = 20 * 1024 * 1024
_PRODUCT_CARD = re.compile(r"product|item|card|tile|goods|sku", re.IGNORECASE)
# Request meta that a resumed crawl needs to rebuild a request from the store's frontier.
_PERSISTED_META = ("nw_source", "nw_cb", "nw_key", "nw_kind", "nw_depth", "nw_page", "nw_entry", "nw_query")
# Callbacks whose pages are leaves: fetched conditionally (ETag / Last-Modified) on a re-crawl.
_LEAF_CALLBACKS = ("parse_page",)
# Callbacks whose pages are extracted: in worker processes when there are some (``_pool``).
_OFF_LOOP_CALLBACKS = ("parse_page", "parse_site")


class NewsWatchSpider(scrapy.Spider):
    name = "newswatch"

    def __init__(self, sources: list[dict[str, Any]] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = {s["name"]: s for s in normalize_sources(list(sources or []))}
        self._scheduled: dict[str, int] = {}
        self._seen: set[tuple[str, str]] = set()
        self._admitted: set[tuple[str, str]] = set()
        self._done_after: dict[int, tuple[Response, FetchRecord | None]] = {}
        self._version = extract_version()
        self._traps = TrapGuard()
        self._extract_pool: Any = None
        self._gone: dict[str, str] | None = None  # url key -> not before (pages that answered 404/410)

    @property
    def state(self) -> CrawlState | None:
        """The caller's crawl state (a store), when one was given in ``NEWSWATCH_CRAWL_STATE``."""
        crawler = getattr(self, "crawler", None)
        ref = crawler.settings.get(STATE_SETTING) if crawler is not None else None
        return getattr(ref, "state", None)

    # ---------------------------------------------------------------------------------- start

    async def start(self) -> AsyncIterator[Any]:
        for request in self._initial_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:  # Scrapy < 2.13
        return self._initial_requests()

    def _initial_requests(self) -> Iterator[Request]:
        callbacks = {"sitemap": self.parse_sitemap, "feed": self.parse_feed, "site": self.parse_site,
                     "listing": self.parse_listing, "mastodon": self.parse_social, "bluesky": self.parse_social,
                     "reddit": self.parse_social}
        state = self.state
        for name, spec in self.sources.items():
            pending = state.crawl_begin(name) if state is not None else []
            if pending:  # a killed run of this source: go on where it stopped
                counts = state.frontier_counts(name) if state is not None else {}
                self._scheduled[name] = max(sum(counts.values()) - 1, 0)
                self._stat("resumed", name, len(pending))
                for row in pending:
                    request = self._from_frontier(row)
                    if request is not None:
                        yield request
                continue
            callback = callbacks[spec["type"]]
            if spec["type"] == "sitemap" and urlsplit(spec["url"]).path.endswith("/robots.txt"):
                callback = self.parse_robots
            for query in spec.get("queries") or [None]:
                url = spec["url"] if query is None else spec["url"].replace("{query}", quote_plus(query))
                extra = {} if query is None else {"nw_query": query}
                request = self._request(url, name, callback, nw_page=1, nw_depth=0, nw_kind=self._kind(name), **extra)
                if self._admit(request, initial=True):
                    yield request

    def frontier_request(self, row: dict[str, Any]) -> Request | None:
        """The request a frontier row (``{"url", "meta"}``) stands for; None for a source not crawled here."""
        return self._from_frontier(row)

    def _from_frontier(self, row: dict[str, Any]) -> Request | None:
        meta = dict(row.get("meta") or {})
        callback = getattr(self, str(meta.get("nw_cb") or ""), None)
        if callback is None or meta.get("nw_source") not in self.sources:
            return None
        self._admitted.add((str(meta["nw_source"]), str(meta.get("nw_key"))))
        extra = {k: v for k, v in meta.items() if k not in ("nw_source", "nw_cb", "nw_key")}
        return self._request(str(row["url"]), str(meta["nw_source"]), callback, **extra)

    def _admit(self, request: Request, initial: bool = False) -> bool:
        """Follow ``request``? Not when it is a trap or already scheduled in this run (then persisted)."""
        source = str(request.meta["nw_source"])
        key = str(request.meta["nw_key"])
        if not initial:
            trap = self._traps.check(request.url)
            if trap is not None:
                self._stat("traps", source)
                self.logger.debug("not following %s: %s", request.url, trap)
                return False
        if (source, key) in self._admitted:
            self._stat("already_scheduled", source)
            return False
        not_before = self._gone_pages().get(key)
        if not_before is not None and not_before > utc_now_iso():
            self._stat("gone_skipped", source)
            self.logger.debug("not fetching %s: gone (404/410), next try after %s", request.url, not_before)
            return False
        self._admitted.add((source, key))
        state = self.state
        if state is not None:
            data = {"url": request.url, "meta": {k: request.meta[k] for k in _PERSISTED_META if k in request.meta}}
            if not state.frontier_add(source, key, data):
                self._stat("already_scheduled", source)
                return False
        return True

    def _gone_pages(self) -> dict[str, str]:
        """Pages the crawl state noted gone, with when each may be fetched again (read once per crawl)."""
        if self._gone is None:
            listing = getattr(self.state, "gone_pages", None)  # optional in a CrawlState
            self._gone = {str(g["url"]): str(g["retry_at"]) for g in listing()} if callable(listing) else {}
        return self._gone

    def _not_gone(self, response: Response) -> None:
        """A page noted gone answered again: forget it."""
        key = str(response.meta["nw_key"])
        forget = getattr(self.state, "forget_gone", None)
        if key in self._gone_pages() and callable(forget):
            forget(key)
            self._gone_pages().pop(key, None)

    def _dispatch(self, response: Response) -> Iterator[Any]:
        """Every response passes here: conditional-GET answers, unchanged bodies, then the callback.

        The page is marked done in the crawl state only after its callback has yielded all its
        items and requests, so a crawl killed at any moment refetches at most the page in hand.
        """
        meta = response.meta
        source = str(meta["nw_source"])
        name = str(meta.get("nw_cb") or "parse_page")
        state = self.state
        validators: FetchRecord | None = None
        if response.status == 304:
            self._stat("not_modified", source)
            self._stat("pages_fetched", source)
            if state is not None:
                state.source_event(source, pages_fetched=1, not_modified=1, success_at=utc_now_iso())
            self._done(response, None)
            return
        self._not_gone(response)
        if state is not None and name in (*_LEAF_CALLBACKS, "parse_site"):
            digest = body_hash(response.body)
            known = state.fetch_record(str(meta["nw_key"]))
            if known is not None and known.content_hash == digest:
                meta["nw_unchanged"] = True
            validators = FetchRecord(
                url=str(meta["nw_key"]), etag=_header(response, b"ETag"),
                last_modified=_header(response, b"Last-Modified"), content_hash=digest, fetched_at=utc_now_iso())
        outputs = []
        for out in getattr(self, name)(response):
            if isinstance(out, Request) and not self._admit(out):
                continue
            outputs.append(out)
        items = [o for o in outputs if isinstance(o, Document | Quarantined)]
        if items and state is not None:
            # Marked done by the item sink right after the last item is stored (no gap for a kill).
            self._done_after[id(items[-1])] = (response, validators)
        else:
            self._done(response, validators)
        yield from outputs

    def item_committed(self, item: Any) -> None:
        """Called by ``ItemSink`` once ``item`` is stored: the last item of a page closes the page."""
        pending = self._done_after.pop(id(item), None)
        if pending is not None:
            self._done(*pending)

    def _done(self, response: Response, validators: FetchRecord | None) -> None:
        state = self.state
        if state is not None:
            state.frontier_done(str(response.meta["nw_source"]), str(response.meta["nw_key"]), validators)

    def closed(self, reason: str) -> None:
        """A crawl that ran to its end forgets its frontier; any other stop leaves it to resume."""
        if self._extract_pool:
            self._extract_pool.close()
        state = self.state
        if state is not None and reason == "finished":
            for name in self.sources:
                state.crawl_finish(name)

    def _kind(self, source: str) -> str:
        """What this source's pages are by default (``kind`` key); listings always give products."""
        spec = self.sources[source]
        return "product" if spec["type"] == "listing" else str(spec.get("kind") or "article")

    def _request(self, url: str, source: str, callback: Any, **meta: Any) -> Request:
        """A request whose response goes through ``_dispatch`` to ``callback`` (named in its meta)."""
        key = canonicalize_url(url)
        meta = {"nw_source": source, "nw_cb": callback.__name__, "nw_key": key, **meta}
        headers: dict[str, str] = {}
        state = self.state
        if state is not None and callback.__name__ in _LEAF_CALLBACKS:
            known = state.fetch_record(key)
            if known is not None and (known.etag or known.last_modified):
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
                meta["handle_httpstatus_list"] = [304]
        callback_fn = self._dispatch_async if self._pool() is not None and callback.__name__ in _OFF_LOOP_CALLBACKS \
            else self._dispatch
        return Request(url, callback=callback_fn, errback=self.on_error, meta=meta, headers=headers or None)

    def _pool(self) -> ExtractPool | None:
        """Worker processes for extraction, so that a slow page never stops the crawl's event loop and
        each page runs under a time and memory budget (``crawlers.extract_pool``).

        ``NEWSWATCH_EXTRACT_WORKERS`` (default: 2, at most the machine's cores; 0 extracts in this
        process, unbounded), ``NEWSWATCH_PAGE_BUDGET_S``, ``NEWSWATCH_PAGE_MEMORY_MB``. Needs the
        asyncio reactor (Scrapy's default); None runs extraction in the spider's own process.
        """
        if self._extract_pool is not None:
            return self._extract_pool or None
        self._extract_pool = False
        crawler = getattr(self, "crawler", None)
        if crawler is None:
            return None
        raw = crawler.settings.get("NEWSWATCH_EXTRACT_WORKERS")
        workers = workers_setting(None if raw is None else int(raw))
        if workers > 0:
            from scrapy.utils.reactor import is_asyncio_reactor_installed

            try:
                asyncio_reactor = is_asyncio_reactor_installed()
            except RuntimeError:  # no reactor at all: a callback called directly (tests), extract in-process
                asyncio_reactor = False
            if asyncio_reactor:
                self._extract_pool = ExtractPool(
                    workers,
                    budget_s=crawler.settings.getfloat("NEWSWATCH_PAGE_BUDGET_S", DEFAULT_PAGE_BUDGET_S),
                    memory_mb=crawler.settings.getint("NEWSWATCH_PAGE_MEMORY_MB", DEFAULT_PAGE_MEMORY_MB))
        return self._extract_pool or None

    async def _dispatch_async(self, response: Response) -> AsyncIterator[Any]:
        """``_dispatch`` with the page's extraction done in a worker process first."""
        pool = self._pool()
        if (pool is not None and isinstance(response, TextResponse) and response.status == 200
                and not looks_binary(response.body)):
            state = self.state
            known = state.fetch_record(str(response.meta["nw_key"])) if state is not None else None
            if known is None or known.content_hash != body_hash(response.body):
                content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
                response.meta["nw_extracted"] = await pool.extract(response.body, content_type or None, response.url)
        for out in self._dispatch(response):
            yield out

    def _may_schedule(self, source: str) -> bool:
        """Page budget per source (``max_pages``) for the pages that become documents."""
        limit = self.sources[source].get("max_pages")
        done = self._scheduled.get(source, 0)
        if limit is not None and done >= limit and self.sources[source]["type"] in ("sitemap", "feed", "site"):
            return False
        self._scheduled[source] = done + 1
        return True

    def _allowed(self, source: str, url: str) -> bool:
        spec = self.sources[source]
        if spec["allow"] and not any(re.search(p, url) for p in spec["allow"]):
            return False
        return not any(re.search(p, url) for p in spec["deny"])

    def _canonical(self, source: str, page_url: str, declared: str | None) -> tuple[str, str | None]:
        """(canonical URL to key the document by, a refused claim or None).

        A page's ``rel=canonical`` / ``og:url`` is accepted on its own registrable domain or one
        its source declares; naming another site's URL would let it replace that site's document.
        """
        own = canonicalize_url(page_url)
        if not declared or declared == own:
            return own, None
        if canonical_allowed(page_url, declared, self.sources[source].get("canonical_domains") or ()):
            return declared, None
        self._stat("canonical_refused", source)
        return own, declared[:2000]

    def _max_size(self) -> int:
        """The page size cap (``DOWNLOAD_MAXSIZE``), also applied to what a gzip sitemap expands to."""
        settings = getattr(self, "settings", None)
        return settings.getint("DOWNLOAD_MAXSIZE", _DEFAULT_MAX_SIZE) if settings is not None else _DEFAULT_MAX_SIZE

    def _stat(self, what: str, source: str, count: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newswatch/{what}/{source}", count)

    def _fetched(self, response: Response) -> str:
        source = str(response.meta["nw_source"])
        self._stat("pages_fetched", source)
        state = self.state
        if state is not None:
            empty = not response.body.strip()
            state.source_event(source, pages_fetched=1, empty_bodies=int(empty), success_at=utc_now_iso())
        return source

    def _quarantine(self, url: str, source: str, reason: str, detail: str = "") -> Quarantined:
        self._stat(f"errors/{reason}", source)
        return Quarantined(url=url, source=source, reason=reason, detail=detail[:500])

    def _document(self, doc: Document, where: str) -> Document | Quarantined | None:
        """``doc`` unless it was seen in this run; quarantined when its URL is not http(s).

        ``where`` is the fetched URL the document came from (the page, feed or API answer).
        """
        if safe_http_url(doc.url) is None:
            return self._quarantine(where, doc.source, "bad_url", f"document URL {unsafe_url_reason(doc.url)}")
        if doc.canonical_url is not None and safe_http_url(doc.canonical_url) is None:
            doc.canonical_url = canonicalize_url(doc.url)
        key = (doc.source, doc.canonical_url or doc.url)
        if key in self._seen:
            self._stat("duplicates", doc.source)
            return None
        self._seen.add(key)
        self._stat("items", doc.source)
        return doc

    def _provenance(self, extractor: str | None = None) -> Provenance:
        return Provenance(fetched_at=utc_now_iso(), extractor=extractor or EXTRACTOR_NAME,
                          extractor_version=self._version)

    # ---------------------------------------------------------------------------------- sitemaps

    def parse_robots(self, response: Response) -> Iterator[Any]:
        source = self._fetched(response)
        urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not urls:
            yield self._quarantine(response.url, source, "parse", "robots.txt names no Sitemap")
        for url in urls:
            yield self._request(url, source, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        source = self._fetched(response)
        body = response.body
        if body[:2] == _GZIP_MAGIC:
            limit = int(response.meta.get("download_maxsize") or self._max_size())
            try:
                body = gunzip_capped(body, limit)
            except TooLarge as exc:
                yield self._quarantine(response.url, source, "too_large", f"gzip sitemap {exc}")
                return
            except (OSError, EOFError, zlib.error) as exc:
                yield self._quarantine(response.url, source, "parse", f"bad gzip sitemap: {exc}")
                return
        try:
            sitemap = Sitemap(body)
            entries = list(sitemap)
        except Exception as exc:
            yield self._quarantine(response.url, source, "parse", f"not a sitemap: {type(exc).__name__}")
            return
        if sitemap.type not in ("sitemapindex", "urlset"):
            yield self._quarantine(response.url, source, "parse", f"unknown sitemap root <{sitemap.type}>")
            return
        for entry in entries:
            loc = entry.get("loc")
            if not loc:
                continue
            url = join_http_url(response.url, loc)
            if url is None:  # this entry only: the others of the sitemap still count
                yield self._quarantine(response.url, source, "bad_url", f"sitemap <loc> {unsafe_url_reason(loc)}")
            elif sitemap.type == "sitemapindex":
                yield self._request(url, source, self.parse_sitemap)
            elif self._allowed(source, url) and self._may_schedule(source):
                yield self._request(url, source, self.parse_page, nw_kind=self._kind(source))

    # ---------------------------------------------------------------------------------- pages

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Extract one page into a Document; quarantine it when extraction is empty."""
        source = self._fetched(response)
        yield from self._page_items(response, source)

    def _page_items(self, response: Response, source: str, navigational: bool = False) -> Iterator[Any]:
        """Document or Quarantined items of one fetched page.

        ``navigational`` pages (met while following links on a site) that are listings, feeds or,
        for a product source, pages without product data are skipped, not quarantined.
        """
        want = response.meta.get("nw_kind", "article")
        entry = response.meta.get("nw_entry")
        if response.meta.get("nw_unchanged"):  # same bytes as the stored page: nothing to extract
            self._stat("unchanged", source)
            return
        if not isinstance(response, TextResponse):
            yield self._quarantine(response.url, source, "parse",
                                   f"not a text page ({response.headers.get('Content-Type', b'?')!r})")
            if entry:
                yield from self._feed_item(entry, source, response.url)
            return
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if looks_binary(response.body):
            yield self._quarantine(response.url, source, "parse", f"binary body served as {content_type or '?'}")
            if entry:
                yield from self._feed_item(entry, source, response.url)
            return
        ex = response.meta.get("nw_extracted") or extract_bytes(response.body, content_type or None, response.url)
        if "failure" in ex:  # over the page's time or memory budget (crawlers.extract_pool)
            reason, detail = ex["failure"]
            yield self._quarantine(response.url, source, str(reason), str(detail))
            if entry:
                yield from self._feed_item(entry, source, response.url)
            return
        no_product = want == "product" and ex["product"] is None
        if navigational and (ex["page_type"] in ("listing", "feed") or no_product):
            self._stat("skipped", source)  # a hub page of a site crawl: its links were the point
            return
        if ex["page_type"] in ("listing", "feed") and want != "product":
            # a page a sitemap or feed named as content, that is a list of links: said, never dropped silently
            yield self._quarantine(response.url, source, "listing",
                                   f"page_type {ex['page_type']}: a page of links, not an article (not stored)")
            if entry:
                yield from self._feed_item(entry, source, response.url)
            return
        if not ex["text"] or no_product:
            detail = "; ".join(ex["warnings"]) or f"page_type {ex['page_type']}, no text"
            reason = "js_only" if "JavaScript-only" in detail else "extract_empty"
            if no_product:
                detail = f"no product data (page_type {ex['page_type']})"
                reason = "extract_empty"
            yield self._quarantine(response.url, source, reason, detail)
            if entry:
                yield from self._feed_item(entry, source, response.url)
            return
        kind = {"product": "product", "post": "post"}.get(ex["page_type"], "article")
        if want in ("product", "post"):
            kind = want
        product = Product(**ex["product"]) if ex["product"] else None
        canonical, claim = self._canonical(source, response.url, ex["canonical_url"])
        doc = Document(
            url=response.url,
            text=ex["text"],
            kind=kind,
            source=source,
            title=ex["title"] or (entry or {}).get("title"),
            author=ex["author"] or (entry or {}).get("author"),
            published_at=ex["published_at"] or (entry or {}).get("published_at"),
            lang=ex["lang"],
            canonical_url=canonical,
            product=product if kind == "product" else None,
            provenance=self._provenance(),
        )
        if claim:  # kept under the fetched URL; what the page claimed stays visible
            doc.provenance.source_meta["canonical_claim"] = claim
        if response.meta.get("nw_query"):  # found by a keyword search: say which
            doc.provenance.source_meta["query"] = response.meta["nw_query"]
        out = self._document(doc, response.url)
        if out is not None:
            yield out

    # ---------------------------------------------------------------------------------- feeds

    def parse_feed(self, response: Response) -> Iterator[Any]:
        source = self._fetched(response)
        entries, problem = read_feed(response.body, response.url)
        if not entries:
            yield self._quarantine(response.url, source, "parse", problem or "no entries in the feed")
            return
        for entry in entries:
            link = entry.get("link")
            if link and safe_http_url(link) is None:  # javascript:, data:, a broken URL: this entry only
                yield self._quarantine(response.url, source, "bad_url", f"feed entry link {unsafe_url_reason(link)}")
                continue
            if link and self._allowed(source, link) and self._may_schedule(source):
                yield self._request(link, source, self.parse_page, nw_kind=self._kind(source),
                                    nw_entry=entry, nw_feed=response.url)
            elif not link:
                yield from self._feed_item(entry, source, response.url)

    def _feed_item(self, entry: dict[str, Any], source: str, where: str) -> Iterator[Any]:
        text = entry.get("summary") or ""
        url = entry.get("link") or entry.get("id")
        if not text or not url:
            return
        doc = Document(url=url, text=text, kind="feed_item", source=source, title=entry.get("title"),
                       author=entry.get("author"), published_at=entry.get("published_at"),
                       lang=entry.get("lang"), canonical_url=canonicalize_url(url),
                       provenance=self._provenance("newswatch.feed"))
        out = self._document(doc, where)
        if out is not None:
            yield out

    # ---------------------------------------------------------------------------------- sites

    def parse_site(self, response: Response) -> Iterator[Any]:
        source = self._fetched(response)
        yield from self._page_items(response, source, navigational=True)
        depth = int(response.meta.get("nw_depth", 0))
        spec = self.sources[source]
        if depth >= spec["max_depth"] or not isinstance(response, TextResponse):
            return
        extractor = LinkExtractor(allow=spec["allow"], deny=spec["deny"])
        for link in extractor.extract_links(response):
            if same_site(link.url, spec["url"]) and self._may_schedule(source):
                yield self._request(link.url, source, self.parse_site, nw_depth=depth + 1,
                                    nw_kind=self._kind(source))

    # ---------------------------------------------------------------------------------- listings

    def parse_listing(self, response: Response) -> Iterator[Any]:
        source = self._fetched(response)
        spec = self.sources[source]
        page = int(response.meta.get("nw_page", 1))
        if not isinstance(response, TextResponse):
            yield self._quarantine(response.url, source, "parse", "listing is not a text page")
            return
        links = _product_links(response, spec)
        if not links:
            yield self._quarantine(response.url, source, "extract_empty", "listing: no product links found")
        budget = spec["max_items"] - self._scheduled.get(source, 0)
        for url in links[: max(budget, 0)]:
            self._scheduled[source] = self._scheduled.get(source, 0) + 1
            yield self._request(url, source, self.parse_page, nw_kind="product", **_query_meta(response))
        next_url = _next_page(response)
        if next_url and page < spec["max_pages"]:
            yield self._request(next_url, source, self.parse_listing, nw_page=page + 1, **_query_meta(response))

    # ---------------------------------------------------------------------------------- social

    def parse_social(self, response: Response) -> Iterator[Any]:
        """One page of a Mastodon / Bluesky / Reddit API: posts become documents, then the next page."""
        source = self._fetched(response)
        spec = self.sources[source]
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            yield self._quarantine(response.url, source, "parse", f"{spec['type']} answer is not JSON: {exc}")
            return
        page = READERS[spec["type"]](data, response.url)
        for where, why in page.skipped:
            reason = "parse" if where == response.url else "extract_empty"
            yield self._quarantine(where if where.startswith("http") else response.url, source, reason, why)
        for post in page.posts:
            doc = Document(url=post.url, text=post.text, kind="post", source=source, title=post.title,
                           author=post.author, published_at=post.published_at, lang=post.lang,
                           canonical_url=canonicalize_url(post.url),
                           provenance=self._provenance(f"newswatch.{spec['type']}"))
            doc.provenance.source_meta = {k: v for k, v in post.meta.items() if v not in (None, [], "")}
            if response.meta.get("nw_query"):
                doc.provenance.source_meta["query"] = response.meta["nw_query"]
            out = self._document(doc, response.url)
            if out is not None:
                yield out
        pageno = int(response.meta.get("nw_page", 1))
        next_url = page.next_url or _link_header_next(response)
        if next_url and pageno < spec["max_pages"]:
            yield self._request(next_url, source, self.parse_social, nw_page=pageno + 1, **_query_meta(response))

    # ---------------------------------------------------------------------------------- errors

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = getattr(failure, "request", None)
        if request is None:
            return
        source = str(request.meta.get("nw_source", ""))
        reason, detail = classify_failure(failure)
        state = self.state
        if reason in ("http_4xx", "http_5xx"):
            self._stat("pages_fetched", source)
            if state is not None:
                state.source_event(source, pages_fetched=1)
        status = getattr(getattr(failure.value, "response", None), "status", None)
        record_gone = getattr(state, "record_gone", None)  # optional in a CrawlState
        if status in (404, 410) and callable(record_gone) and "nw_key" in request.meta:
            key = str(request.meta["nw_key"])
            self._gone_pages()[key] = str(record_gone(source, key, int(status)))
        if reason is None:
            self._stat("ignored", source)
        else:
            yield self._quarantine(request.url, source, reason, detail)
            entry = request.meta.get("nw_entry")
            if entry:
                yield from self._feed_item(entry, source, str(request.meta.get("nw_feed") or request.url))
        if state is not None and "nw_key" in request.meta:
            state.frontier_done(source, str(request.meta["nw_key"]))


def classify_failure(failure: Failure) -> tuple[str | None, str]:
    """(error class, detail) of a failed request; class ``None`` for deliberate skips (offsite...)."""
    from scrapy import exceptions
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx_error

    value = failure.value
    detail = f"{type(value).__name__}: {value}"[:300]
    if isinstance(value, HttpError):
        status = value.response.status
        if 400 <= status < 500:
            return "http_4xx", f"HTTP {status}"
        if status >= 500:
            return "http_5xx", f"HTTP {status}"
        return "network", f"HTTP {status}"
    if isinstance(value, exceptions.IgnoreRequest):
        if "DOWNLOAD_MAXSIZE" in str(value):  # a Content-Encoding bomb, stopped while decompressing
            return "too_large", detail
        if "robots" in str(value).lower():
            return "robots", "forbidden by robots.txt"
        return None, detail
    timeouts: tuple[type[BaseException], ...] = (tx_error.TimeoutError, tx_error.TCPTimedOutError)
    extra_timeout = getattr(exceptions, "DownloadTimeoutError", None)
    if extra_timeout is not None:
        timeouts += (extra_timeout,)
    if isinstance(value, timeouts):
        return "timeout", detail
    cancelled = getattr(exceptions, "DownloadCancelledError", None)
    if (cancelled is not None and isinstance(value, cancelled)) or "maxsize" in str(value).replace(" ", "").lower() \
            or "max size" in str(value).lower():
        return "too_large", detail
    return "network", detail


# -------------------------------------------------------------------------------------- helpers


def _query_meta(response: Response) -> dict[str, Any]:
    query = response.meta.get("nw_query")
    return {"nw_query": query} if query else {}


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _product_links(response: TextResponse, spec: dict[str, Any]) -> list[str]:
    """Product page links of a category page: spec patterns, else ItemList, else product cards."""
    links: list[str] = []
    if spec["allow"]:
        extractor = LinkExtractor(allow=spec["allow"], deny=spec["deny"])
        links = [link.url for link in extractor.extract_links(response)]
    if not links:
        for raw in response.xpath("//script[@type='application/ld+json']/text()").getall():
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict) and "ItemList" in str(item.get("@type")):
                    for element in item.get("itemListElement") or []:
                        if not isinstance(element, dict):
                            continue
                        inner = element.get("item")
                        url = element.get("url") or (inner.get("url") if isinstance(inner, dict) else inner)
                        if isinstance(url, str):
                            links.append(response.urljoin(url))
    if not links:
        for card in response.xpath("//*[@itemtype or @class]"):
            marker = f"{card.attrib.get('itemtype', '')} {card.attrib.get('class', '')}"
            if not _PRODUCT_CARD.search(marker):
                continue
            href = card.xpath("self::a/@href | .//a[@href][1]/@href").get()
            if href and not href.startswith(("#", "javascript:", "mailto:")):
                links.append(response.urljoin(href))
    next_url = _next_page(response)
    deny = spec["deny"]
    unique = []
    for url in dict.fromkeys(links):
        if url == next_url or url == response.url or any(re.search(p, url) for p in deny):
            continue
        unique.append(url)
    return unique


def _next_page(response: TextResponse) -> str | None:
    href = response.xpath(
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
        " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    ).get()
    return response.urljoin(href) if href else None


def _link_header_next(response: Response) -> str | None:
    header = (response.headers.get("Link") or b"").decode("latin-1")
    for part in header.split(","):
        m = re.match(r'\s*<([^>]+)>\s*;.*rel="?next"?', part)
        if m:
            return urljoin(response.url, m.group(1))
    return None
