"""Polite defaults for every newswatch crawl; a caller's settings dict is merged on top."""

from __future__ import annotations

from typing import Any

USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"

DEFAULT_SETTINGS: dict[str, Any] = {
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "DOWNLOAD_DELAY": 0.25,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_BACKOFF_BASE": 0.5,
    "RETRY_BACKOFF_MAX": 30.0,
    "RETRY_AFTER_MAX": 120.0,
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawlers.middlewares.PoliteRetryMiddleware": 550,
    },
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 0,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "LOG_STDOUT": False,
    "ITEM_PIPELINES": {"crawlers.item_sink.ItemSink": 100},
}


def crawl_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """``DEFAULT_SETTINGS`` with ``overrides`` on top (component dicts are merged)."""
    merged = dict(DEFAULT_SETTINGS)
    for key, value in (overrides or {}).items():
        if key in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES") and isinstance(value, dict):
            merged[key] = {**DEFAULT_SETTINGS[key], **value}
        else:
            merged[key] = value
    return merged
