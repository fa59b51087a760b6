"""Public post JSON of Mastodon, Bluesky and Reddit, read into one plain shape.

Each reader takes the decoded JSON of one API page and the URL it came from and returns the
posts plus the URL of the next page (or None). Readers never raise on odd input: a post they
cannot read is returned in ``skipped`` with why, so the crawl can quarantine it.

- Mastodon: ``/api/v1/timelines/public``, ``/timelines/tag/NAME``, ``/accounts/ID/statuses``
  (an array of statuses; the next page is in the ``Link`` header, handled by the spider).
- Bluesky AppView: ``app.bsky.feed.searchPosts`` (``{"posts": [postView]}``) and
  ``app.bsky.feed.getAuthorFeed`` (``{"feed": [{"post": postView}]}``), paged by ``cursor``.
- Reddit: ``.json`` listings (``{"kind": "Listing", "data": {"children": [...], "after"}}``) of
  submissions (t3) or comments (t1), paged by ``after``; a ``[post, comments]`` pair as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawlers.extract import html_to_text, normalize_date
from crawlers.urls import absolute_or_raw
from storage.url_safety import safe_http_url

_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass
class Post:
    url: str
    text: str
    author: str | None = None
    published_at: str | None = None
    lang: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # replies, reposts, likes, links, platform ids


@dataclass
class Page:
    posts: list[Post] = field(default_factory=list)
    next_url: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url or id, why)


def _with_param(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _lang(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or len(value) < 2:
        return None
    code = value[:2].lower()
    return code if code.isalpha() else None


def _links(text: str, extra: list[str] | None = None) -> list[str]:
    """Links a post carries, http(s) only (a card or facet may name any scheme)."""
    found = [*(extra or []), *_URL_RE.findall(text)]
    return list(dict.fromkeys(u for u in found if safe_http_url(u)))


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------------ mastodon


def mastodon_page(data: Any, url: str) -> Page:
    page = Page()
    if not isinstance(data, list):
        page.skipped.append((url, "timeline JSON is not an array of statuses"))
        return page
    for status in data:
        if not isinstance(status, dict):
            continue
        inner = _obj(status.get("reblog")) or status
        post_url = inner.get("url") or inner.get("uri") or ""
        if not post_url:
            page.skipped.append((url, f"status {inner.get('id')!r} has no url"))
            continue
        post_url = absolute_or_raw(url, post_url) or ""
        html = str(inner.get("content") or "")
        text = html_to_text(html)
        spoiler = " ".join(str(inner.get("spoiler_text") or "").split())
        if spoiler:
            text = f"{spoiler}\n{text}" if text else spoiler
        if not text:
            page.skipped.append((post_url, "status has no text (media only?)"))
            continue
        account = _obj(inner.get("account"))
        author = (str(account.get("display_name") or "").strip() or account.get("acct") or account.get("username"))
        card = _obj(inner.get("card"))
        hrefs = [h for h in re.findall(r'href="([^"]+)"', html) if h.startswith("http") and "/tags/" not in h
                 and "/@" not in h]
        page.posts.append(Post(
            url=post_url, text=text, author=str(author) if author else None,
            published_at=normalize_date(str(inner.get("created_at") or ""))[0], lang=_lang(inner.get("language")),
            meta={"platform": "mastodon", "id": inner.get("id"), "replies": _int(inner.get("replies_count")),
                  "reposts": _int(inner.get("reblogs_count")), "likes": _int(inner.get("favourites_count")),
                  "boosted_by": _obj(status.get("account")).get("acct") if inner is not status else None,
                  "links": _links("", [*hrefs, *([card["url"]] if card.get("url") else [])])}))
    return page


# ------------------------------------------------------------------------------------ bluesky


def bluesky_web_url(uri: str, handle: str | None) -> str | None:
    """``at://did/app.bsky.feed.post/rkey`` -> ``https://bsky.app/profile/HANDLE/post/rkey``."""
    m = re.match(r"^at://([^/]+)/app\.bsky\.feed\.post/([^/]+)$", uri or "")
    if not m:
        return None
    return f"https://bsky.app/profile/{handle or m.group(1)}/post/{m.group(2)}"


def _bluesky_post(view: Any) -> Post | tuple[str, str]:
    if not isinstance(view, dict):
        return ("?", "post view is not an object")
    record = _obj(view.get("record"))
    author = _obj(view.get("author"))
    uri = str(view.get("uri") or "")
    url = bluesky_web_url(uri, author.get("handle"))
    if url is None:
        return (uri or "?", "post has no at:// URI")
    text = " ".join(str(record.get("text") or "").split())
    if not text:
        return (url, "post has no text (media only?)")
    facet_links = []
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or []:
            if isinstance(feature, dict) and feature.get("uri"):
                facet_links.append(str(feature["uri"]))
    embed = _obj(record.get("embed"))
    external = _obj(embed.get("external"))
    if external.get("uri"):
        facet_links.append(str(external["uri"]))
    return Post(
        url=url, text=text, author=(author.get("displayName") or "").strip() or author.get("handle"),
        published_at=normalize_date(str(record.get("createdAt") or view.get("indexedAt") or ""))[0],
        lang=_lang(record.get("langs")),
        meta={"platform": "bluesky", "id": uri, "replies": _int(view.get("replyCount")),
              "reposts": _int(view.get("repostCount")), "likes": _int(view.get("likeCount")),
              "quotes": _int(view.get("quoteCount")), "handle": author.get("handle"),
              "links": _links(text, facet_links)})


def bluesky_page(data: Any, url: str) -> Page:
    page = Page()
    if not isinstance(data, dict) or not ("posts" in data or "feed" in data):
        page.skipped.append((url, "not an app.bsky.feed.searchPosts / getAuthorFeed answer"))
        return page
    views = data.get("posts") if "posts" in data else [
        (item or {}).get("post") for item in data.get("feed") or [] if isinstance(item, dict)]
    for view in views or []:
        got = _bluesky_post(view)
        if isinstance(got, Post):
            page.posts.append(got)
        else:
            page.skipped.append(got)
    cursor = data.get("cursor")
    if isinstance(cursor, str) and cursor and page.posts:
        page.next_url = _with_param(url, "cursor", cursor)
    return page


# ------------------------------------------------------------------------------------ reddit


def _reddit_time(value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reddit_thing(thing: Any, base: str) -> Post | tuple[str, str] | None:
    if not isinstance(thing, dict) or thing.get("kind") not in ("t1", "t3"):
        return None  # "more" stubs and other kinds carry no post
    d = _obj(thing.get("data"))
    permalink = d.get("permalink")
    if not permalink:
        return (str(d.get("name") or "?"), "reddit thing has no permalink")
    url = absolute_or_raw(base, permalink) or ""
    if thing["kind"] == "t3":
        title = " ".join(str(d.get("title") or "").split()) or None
        body = str(d.get("selftext") or "").strip()
        text = "\n\n".join(p for p in (title, body) if p)
        link = d.get("url") if not d.get("is_self") else None
        replies = _int(d.get("num_comments"))
    else:
        title = None
        text = str(d.get("body") or "").strip()
        link = None
        replies = None
    if not text or text in ("[deleted]", "[removed]"):
        return (url, "reddit post has no text (deleted or media only)")
    author = d.get("author")
    return Post(
        url=url, text=text, title=title, author=str(author) if author and author != "[deleted]" else None,
        published_at=_reddit_time(d.get("created_utc")), lang=None,
        meta={"platform": "reddit", "id": d.get("name"), "subreddit": d.get("subreddit"), "replies": replies,
              "score": _int(d.get("score")), "links": _links(text, [str(link)] if link else [])})


def reddit_page(data: Any, url: str) -> Page:
    page = Page()
    listings = data if isinstance(data, list) else [data]
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    found = False
    for listing in listings:
        if not isinstance(listing, dict) or listing.get("kind") != "Listing":
            continue
        found = True
        body = _obj(listing.get("data"))
        for thing in body.get("children") or []:
            got = _reddit_thing(thing, base)
            if isinstance(got, Post):
                page.posts.append(got)
            elif got is not None:
                page.skipped.append(got)
        after = body.get("after")
        if isinstance(after, str) and after and not isinstance(data, list):
            page.next_url = _with_param(url, "after", after)
    if not found:
        page.skipped.append((url, "not a reddit Listing"))
    return page


READERS = {"mastodon": mastodon_page, "bluesky": bluesky_page, "reddit": reddit_page}
