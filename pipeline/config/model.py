"""The typed configuration handed to each component: the one place the pipeline's defaults are written.

Sections that configure a lower room are that room's own settings (``nlp``: ``nlp.settings.AnalyzerSettings``;
a source's crawl limits: ``crawlers.sources.DEFAULTS`` per type, left ``None`` here), so a default lives once.
What each key means, its bounds and its TOML name are in :mod:`pipeline.config.options`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.settings import AnalyzerSettings
from pipeline.config.errors import ConfigError
from pipeline.correlator_settings import CorrelatorSettings
from storage.models import WatchEntry

DEFAULT_DATA_DIR = "./newswatch-data"
ALERT_TYPES = ("mention", "first_mention", "volume_spike", "stance_shift", "event", "link", "listing", "search")
CHANNEL_TYPES = ("email", "webhook", "slack", "stdout")


@dataclass
class SourceConfig:
    name: str
    type: str
    url: str
    kind: str | None = None
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    # None: the crawler's default for the source's type (crawlers.sources.DEFAULTS)
    max_depth: int | None = None
    max_pages: int | None = None
    max_items: int | None = None
    enabled: bool = True
    schedule: str | None = None
    queries: list[str] = field(default_factory=list)  # search sources: url holds {query}
    canonical_domains: list[str] = field(default_factory=list)  # other sites whose rel=canonical it may claim

    def to_spec(self) -> dict[str, Any]:
        """The plain dict a spider takes (crawlers never import pipeline types); None keys take their default."""
        return {
            "name": self.name,
            "type": self.type,
            "url": self.url,
            "kind": self.kind,
            "allow": list(self.allow),
            "deny": list(self.deny),
            "max_depth": self.max_depth,
            "max_pages": self.max_pages,
            "max_items": self.max_items,
            "queries": list(self.queries) or None,
            "canonical_domains": list(self.canonical_domains) or None,
        }


@dataclass
class Watchlist:
    name: str
    description: str = ""
    entries: list[WatchEntry] = field(default_factory=list)


@dataclass
class AlertRule:
    name: str
    watchlist: str
    entity_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    min_mentions: int = 1
    email: bool = False
    type: str = "mention"
    sources: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    cooldown_s: int = 0
    daily_cap: int = 0
    query: str | None = None
    event_types: list[str] = field(default_factory=list)
    target: str | None = None
    shift: float = 0.5
    window: int = 5
    z_threshold: float = 3.0
    baseline_hours: int = 24
    min_count: int = 5


@dataclass
class ChannelConfig:
    """Where alerts go: ``email`` (to addresses via [smtp]), ``webhook`` (signed JSON), ``slack``, ``stdout``."""

    name: str
    type: str
    to: list[str] = field(default_factory=list)
    url: str | None = None
    secret_env: str | None = None
    timeout_s: float = 10.0


@dataclass
class SchedulerConfig:
    """``newswatch run``: where jobs, job results and the alert outbox persist, and job limits."""

    db_url: str = ""  # empty: service.db in data_dir
    misfire_grace_s: int = 86400
    crawl_timeout_s: int = 3600
    outbox_every_s: int = 30


@dataclass
class CrawlConfig:
    """A crawl shared by crawler processes on several machines (``crawlers.shared_frontier``): off by default,
    each ``newswatch crawl`` then keeps its own frontier in the store."""

    redis_url: str = ""  # empty: no shared frontier
    name: str = "newswatch"  # crawler processes with the same Redis and name share one crawl
    lease_s: float = 60.0  # a request in flight in a process that stopped renewing goes to another after this

    def scrapy_settings(self) -> dict[str, object]:
        """The settings ``crawlers.runner.run_crawl`` reads; none when the frontier is not shared."""
        if not self.redis_url:
            return {}
        return {"NEWSWATCH_REDIS_URL": self.redis_url, "NEWSWATCH_CRAWL_NAME": self.name,
                "NEWSWATCH_LEASE_S": self.lease_s}


@dataclass
class WorkersConfig:
    """Celery analysis workers (``newswatch worker``): off, the analysis runs in a child process of each ingest."""

    enabled: bool = False
    broker_url: str = "redis://127.0.0.1:6379/0"
    queue: str = "newswatch-analysis"
    concurrency: int = 1  # worker processes per ``newswatch worker``
    max_retries: int = 5
    retry_backoff_s: float = 2.0  # first retry after this; doubled each time, up to retry_backoff_max_s
    retry_backoff_max_s: float = 300.0
    visibility_timeout_s: int = 3600  # Redis: a task unacknowledged this long is given to another worker


@dataclass
class Recipient:
    email: str
    watchlists: list[str]
    name: str | None = None
    timezone: str = "UTC"
    send_at: str = "07:00"


@dataclass
class DigestConfig:
    title: str = "newswatch daily digest"
    max_items: int = 25
    recipients: list[Recipient] = field(default_factory=list)


@dataclass
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    sender: str = "newswatch@localhost"
    starttls: bool = False
    username_env: str | None = None
    password_env: str | None = None
    ssl: bool = False
    timeout_s: float = 30.0

    def credentials(self) -> tuple[str, str] | None:
        """Read the SMTP secret from the environment variables the file names."""
        if not self.username_env:
            return None
        user = os.environ.get(self.username_env)
        password = os.environ.get(self.password_env or "", "")
        if user is None:
            raise ConfigError(
                f"smtp.username_env: environment variable {self.username_env} is not set; "
                "export it or remove username_env"
            )
        return user, password


@dataclass
class ApiConfig:
    """``newswatch serve``: where the HTTP API and web UI listen, and the env var holding the token."""

    host: str = "127.0.0.1"
    port: int = 8080
    token_env: str = "NEWSWATCH_API_TOKEN"
    allowed_hosts: list[str] = field(default_factory=list)  # Host names served without a token, besides localhost

    def token(self) -> str | None:
        return os.environ.get(self.token_env) or None


@dataclass
class Config:
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    storage_url: str = ""  # empty: newswatch.db in data_dir
    sources: list[SourceConfig] = field(default_factory=list)
    watchlists: dict[str, Watchlist] = field(default_factory=dict)
    alerts: list[AlertRule] = field(default_factory=list)
    digest: DigestConfig = field(default_factory=DigestConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    nlp: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    api: ApiConfig = field(default_factory=ApiConfig)
    path: Path | None = None
    channels: list[ChannelConfig] = field(default_factory=list)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    correlator: CorrelatorSettings = field(default_factory=CorrelatorSettings)
    workers: WorkersConfig = field(default_factory=WorkersConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)

    def __post_init__(self) -> None:
        if not self.storage_url:
            self.storage_url = f"sqlite:///{self.data_dir / 'newswatch.db'}"
        if not self.scheduler.db_url:
            self.scheduler.db_url = f"sqlite:///{self.data_dir / 'service.db'}"

    def watch_entries(self, names: list[str] | None = None) -> list[WatchEntry]:
        """Entries of the named watchlists (all when ``names`` is None), first occurrence of an id wins."""
        seen: dict[str, WatchEntry] = {}
        for wl in self.watchlists.values():
            if names is not None and wl.name not in names:
                continue
            for entry in wl.entries:
                seen.setdefault(entry.id, entry)
        return list(seen.values())
