"""newswatch crawlers: spiders, fetch policies and extractors, raw page -> Document (gather)."""
