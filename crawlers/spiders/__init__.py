"""Scrapy spiders of newswatch."""

from crawlers.spiders.newswatch import NewsWatchSpider

__all__ = ["NewsWatchSpider"]
