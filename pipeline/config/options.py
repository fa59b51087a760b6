"""The table of options: every key of newswatch.toml with its type, bounds, meaning and where its default lives.

One row per key drives three things: which keys a table accepts, how each value is checked (type,
bounds, choices, one-line text), and the reference ``docs/configuration.md`` (``pipeline.config.reference``).
A row names the settings dataclass that holds the default (``owner`` and ``field``) instead of
repeating it, so a component's default is written once, in the component. Keys are written as in
TOML, with ``[]`` for an array of tables and ``*`` for a table name the user chooses.

Checks that relate keys to each other or to other tables (a watchlist named by an alert, a search
source's ``{query}``) stay with the section parsers (:mod:`pipeline.config.sections`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawlers.sources import DEFAULTS as SOURCE_DEFAULTS
from crawlers.sources import LIMITS as SOURCE_LIMITS
from crawlers.sources import PAGE_KINDS, SOURCE_TYPES
from nlp.events.pairing import RELATIONS, PairRule
from nlp.settings import STANCE_BACKENDS, AnalyzerSettings
from pipeline.config.model import (
    ALERT_TYPES,
    CHANNEL_TYPES,
    DEFAULT_DATA_DIR,
    AlertRule,
    ApiConfig,
    ChannelConfig,
    CrawlConfig,
    DigestConfig,
    Recipient,
    SchedulerConfig,
    SmtpConfig,
    SourceConfig,
    WorkersConfig,
)
from pipeline.correlator_settings import CorrelatorSettings
from storage.models import WATCH_TYPES

Kind = type | tuple[type, ...]
NUMBER: tuple[type, ...] = (int, float)
TABLES = "tables"  # the kind of an array of tables; its keys have their own rows
TABLE = "table"  # the kind of a table; its keys have their own rows


@dataclass(frozen=True)
class Option:
    key: str  # as written in TOML: "smtp.port", "sources[].max_pages", "watchlists.*.description"
    kind: Kind | str  # accepted TOML type: str, int, NUMBER, bool, list (of strings), TABLE or TABLES
    help: str
    owner: type | None = None  # the dataclass whose field holds the default
    field: str | None = None  # that field, when it is named otherwise than the key
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None  # inclusive bounds
    high: float | None = None
    above: float | None = None  # exclusive lower bound
    multiline: bool = False  # line breaks allowed (else any control character is refused)
    items: type | None = str  # an array's items (None: left to the section's parser)
    default_doc: str | Callable[[], str] | None = None  # the default in words, where it is not one value

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2].removesuffix("[]")

    @property
    def attr(self) -> str:
        return self.field or self.name

    def default(self) -> Any:
        """The owner's default for this key (``dataclasses.MISSING`` when it has none)."""
        if self.owner is None:
            return dataclasses.MISSING
        spec = {f.name: f for f in dataclasses.fields(self.owner)}[self.attr]
        if spec.default_factory is not dataclasses.MISSING:
            return spec.default_factory()
        return spec.default

    def default_text(self) -> str:
        if callable(self.default_doc):
            return self.default_doc()
        if self.default_doc is not None:
            return self.default_doc
        if self.required:
            return "required"
        value = self.default()
        if value is dataclasses.MISSING or value is None:
            return "none"
        return toml_literal(value)

    def bounds_text(self) -> str:
        parts = []
        if self.above is not None:
            parts.append(f"> {number_text(self.above)}")
        if self.low is not None:
            parts.append(f">= {number_text(self.low)}")
        if self.high is not None:
            parts.append(f"<= {number_text(self.high)}")
        if self.choices:
            parts.append("one of " + ", ".join(self.choices))
        return "; ".join(parts)


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, PairRule):
        return value.name
    return str(value)


def _per_type(key: str) -> str:
    found = [f"{t} {d[key]}" for t, d in SOURCE_DEFAULTS.items() if key in d]
    return ", ".join(found) + ("" if len(found) == len(SOURCE_DEFAULTS) else "; others: not used")


_BUILTIN_RULES = ", ".join(r.name for r in CorrelatorSettings().rules)

OPTIONS: tuple[Option, ...] = (
    Option("data_dir", str, "Folder of the store, service database and digests; relative to the config file.",
           default_doc=f'"{DEFAULT_DATA_DIR}"'),
    Option("storage.url", str, "sqlite:///PATH or postgresql://...; {data_dir} is replaced; env:NAME reads the "
           "URL from an environment variable.", default_doc='"sqlite:///{data_dir}/newswatch.db"'),

    Option("sources[].name", str, "Unique name of the source (health, search filters, schedules).", SourceConfig,
           required=True),
    Option("sources[].type", str, "How it is crawled.", SourceConfig, required=True, choices=SOURCE_TYPES),
    Option("sources[].url", str, "Sitemap (or sitemap index, robots.txt), feed, start page, listing or API URL; "
           "a search source holds {query}.", SourceConfig, required=True),
    Option("sources[].kind", str, "What its pages are, when the crawler cannot tell.", SourceConfig,
           choices=PAGE_KINDS),
    Option("sources[].allow", list, "Regular expressions: only URLs matching one are followed.", SourceConfig),
    Option("sources[].deny", list, "Regular expressions: URLs matching one are never followed.", SourceConfig),
    Option("sources[].max_pages", int, "Pages fetched per crawl (listing: category pages; mastodon, bluesky, "
           "reddit: API pages).", SourceConfig, low=SOURCE_LIMITS["max_pages"][0],
           high=SOURCE_LIMITS["max_pages"][1], default_doc=_per_type("max_pages")),
    Option("sources[].max_depth", int, "Link depth from the start page (site).", SourceConfig,
           low=SOURCE_LIMITS["max_depth"][0], high=SOURCE_LIMITS["max_depth"][1], default_doc=_per_type("max_depth")),
    Option("sources[].max_items", int, "Product pages fetched per crawl (listing).", SourceConfig,
           low=SOURCE_LIMITS["max_items"][0], high=SOURCE_LIMITS["max_items"][1], default_doc=_per_type("max_items")),
    Option("sources[].enabled", bool, "false: kept in the file, never crawled.", SourceConfig),
    Option("sources[].schedule", str, 'For newswatch run: "every 30m" (s/m/h/d) or a cron line.', SourceConfig),
    Option("sources[].queries", list, "Search sources: the url is crawled once per query.", SourceConfig),
    Option("sources[].canonical_domains", list, "Registrable domains besides the page's own that its "
           "rel=canonical may name (a syndication partner).", SourceConfig),

    Option("watchlists.*.description", str, "What the watchlist is about.", multiline=True, default_doc='""'),
    Option("watchlists.*.entries[]", TABLES, "The watched entities.", required=True),
    Option("watchlists.*.entries[].id", str, "Stable id: lowercase letters, digits, '-', '_', '.'; unique "
           "across watchlists.", required=True),
    Option("watchlists.*.entries[].name", str, "Full name; matched case-insensitively.", required=True),
    Option("watchlists.*.entries[].type", str, "What it is.", required=True, choices=WATCH_TYPES),
    Option("watchlists.*.entries[].aliases[]", list, "Other names: strings or {text, lang} tables.",
           default_doc="[]", items=None),
    Option("watchlists.*.entries[].aliases[].text", str, "The alias as written.", required=True),
    Option("watchlists.*.entries[].aliases[].lang", str, "ISO 639-1 code of the alias's language.",
           default_doc="none"),
    Option("watchlists.*.entries[].country", str, "ISO 3166 alpha-2 code (BR).", default_doc="none"),
    Option("watchlists.*.entries[].role", str, "Title or role (Trade Minister).", default_doc="none"),

    Option("alerts[].name", str, "Name of the rule (in alerts and the outbox).", AlertRule, required=True),
    Option("alerts[].watchlist", str, "The watchlist whose entities it watches.", AlertRule, required=True),
    Option("alerts[].entity_ids", list, "Only these entries (else every entry of the watchlist).", AlertRule),
    Option("alerts[].kinds", list, "Only documents of these kinds (article, product, post, feed_item).", AlertRule),
    Option("alerts[].min_mentions", int, "Mentions a document needs to fire.", AlertRule, low=1),
    Option("alerts[].email", bool, "Also send each alert through [smtp] to the digest recipients.", AlertRule),
    Option("alerts[].type", str, "What fires the rule.", AlertRule, choices=ALERT_TYPES),
    Option("alerts[].sources", list, "Only documents of these sources.", AlertRule),
    Option("alerts[].channels", list, "Names of [[channels]] the alerts go to.", AlertRule),
    Option("alerts[].cooldown", str, 'Quiet time per entity after an alert ("30m", "1h").', AlertRule,
           field="cooldown_s", default_doc="none"),
    Option("alerts[].daily_cap", int, "Alerts per rule and day; 0: no cap.", AlertRule, low=0),
    Option("alerts[].query", str, "type = search: the saved search, in the query language of `newswatch search` "
           "(`link:` and `story:` are refused: one new document cannot answer them).", AlertRule),
    Option("alerts[].event_types", list, "type = event: the event types that fire.", AlertRule),
    Option("alerts[].target", str, "type = stance_shift: the target whose stance is followed.", AlertRule),
    Option("alerts[].shift", NUMBER, "type = stance_shift: change of mean stance that fires.", AlertRule, above=0),
    Option("alerts[].window", int, "type = stance_shift: documents in the moving mean.", AlertRule, low=1),
    Option("alerts[].z_threshold", NUMBER, "type = volume_spike: z-score that fires.", AlertRule, above=0),
    Option("alerts[].baseline_hours", int, "type = volume_spike: hours of the baseline.", AlertRule, low=1),
    Option("alerts[].min_count", int, "type = volume_spike: mentions needed in the hour.", AlertRule, low=0),

    Option("channels[].name", str, "Name the alert rules use.", ChannelConfig, required=True),
    Option("channels[].type", str, "How alerts are delivered.", ChannelConfig, required=True, choices=CHANNEL_TYPES),
    Option("channels[].to", list, "email: the addresses.", ChannelConfig),
    Option("channels[].url", str, "webhook, slack: the http(s) URL posted to.", ChannelConfig),
    Option("channels[].secret_env", str, "webhook: environment variable holding the HMAC secret.", ChannelConfig),
    Option("channels[].timeout_s", NUMBER, "Seconds before a delivery attempt is given up (and retried).",
           ChannelConfig, above=0),

    Option("digest.title", str, "Subject and heading of the digest.", DigestConfig),
    Option("digest.max_items", int, "Documents per digest.", DigestConfig, low=1),
    Option("digest.recipients[]", TABLES, "Who gets a digest, of which watchlists, when.", DigestConfig),
    Option("digest.recipients[].email", str, "Address.", Recipient, required=True),
    Option("digest.recipients[].watchlists", list, "Names of the watchlists in their digest.", Recipient,
           required=True),
    Option("digest.recipients[].name", str, "Name in the greeting.", Recipient),
    Option("digest.recipients[].timezone", str, "IANA time zone of send_at.", Recipient),
    Option("digest.recipients[].send_at", str, "Local time of day (HH:MM).", Recipient),

    Option("smtp.host", str, "SMTP server.", SmtpConfig),
    Option("smtp.port", int, "SMTP port (25, 465 with ssl, 587 with starttls).", SmtpConfig, low=1,
           high=65535),
    Option("smtp.sender", str, "From address.", SmtpConfig),
    Option("smtp.starttls", bool, "Upgrade the connection with STARTTLS.", SmtpConfig),
    Option("smtp.ssl", bool, "Implicit TLS (not with starttls).", SmtpConfig),
    Option("smtp.username_env", str, "Environment variable holding the user name.", SmtpConfig),
    Option("smtp.password_env", str, "Environment variable holding the password.", SmtpConfig),
    Option("smtp.timeout_s", NUMBER, "Seconds before a connection attempt is given up.", SmtpConfig, above=0),

    Option("nlp.model", str, "spaCy pipeline for English.", AnalyzerSettings, field="spacy_model"),
    Option("nlp.batch_size", int, "Texts per spaCy batch.", AnalyzerSettings, low=1),
    Option("nlp.stance_backend", str, "trained: the shipped model (lexicon without its weights); lexicon: VADER; "
           "transformers: a local model (stance_model_dir).", AnalyzerSettings, choices=STANCE_BACKENDS),
    Option("nlp.stance_model_dir", str, "Folder of a local stance model.", AnalyzerSettings),
    Option("nlp.social_ner", bool, "Texts that read as posts (handles, hashtags, emoji, chat spelling) use the "
           "shipped NER tuned on posts; false: the English model everywhere.", AnalyzerSettings),
    Option("nlp.post_ner_net", bool, "In posts, people, places, organisations, products and works are read by the "
           "shipped MiniLM post NER network (with social_ner); false: by the post spaCy model alone.",
           AnalyzerSettings),

    Option("api.host", str, "Address newswatch serve listens on (beyond loopback: a token is required).", ApiConfig),
    Option("api.port", int, "Port newswatch serve listens on.", ApiConfig, low=1, high=65535),
    Option("api.token_env", str, "Environment variable holding the API token.", ApiConfig),
    Option("api.allowed_hosts", list, "Host names served without a token, besides localhost.", ApiConfig),

    Option("scheduler.db_url", str, "Jobs, job results and the alert outbox: sqlite:///PATH or postgresql://...; "
           "{data_dir} is replaced; env:NAME reads it from the environment.", SchedulerConfig,
           default_doc='"sqlite:///{data_dir}/service.db"'),
    Option("scheduler.misfire_grace_s", int, "A job late by more than this is skipped.", SchedulerConfig, low=1),
    Option("scheduler.crawl_timeout_s", int, "A crawl running longer is stopped.", SchedulerConfig, low=1),
    Option("scheduler.outbox_every_s", int, "Seconds between outbox deliveries.", SchedulerConfig, low=1),

    Option("crawl.redis_url", str, "A crawl shared by several crawler processes (docs/deployment.md): the Redis "
           "holding its frontier, duplicate filter and per-host politeness, redis://HOST:PORT/DB; env:NAME reads it "
           "from the environment; empty: each crawl keeps its frontier in the store.", CrawlConfig),
    Option("crawl.name", str, "Crawler processes with the same Redis and name share one crawl.", CrawlConfig),
    Option("crawl.lease_s", NUMBER, "Seconds before a request in flight in a crawler that died goes to another "
           "(its holder renews it while alive).", CrawlConfig, low=1, high=86400),

    Option("workers.enabled", bool, "Run the analysis and event stages in Celery workers (newswatch worker) "
           "instead of a child process of each crawl or ingest; mention alerts stay in the ingesting process.",
           WorkersConfig),
    Option("workers.broker_url", str, "The Celery broker: redis://HOST:PORT/DB or amqp://USER:PASSWORD@HOST:PORT//; "
           "env:NAME reads it from the environment.", WorkersConfig),
    Option("workers.queue", str, "Name of the task queue (one per set-up sharing a broker).", WorkersConfig),
    Option("workers.concurrency", int, "Worker processes started by one newswatch worker (each loads the models: "
           "about one per core).", WorkersConfig, low=1, high=64),
    Option("workers.max_retries", int, "Retries of a failed analysis before its document goes to the dead-letter "
           "list (newswatch jobs).", WorkersConfig, low=0, high=100),
    Option("workers.retry_backoff_s", NUMBER, "Seconds before the first retry; doubled each time.", WorkersConfig,
           above=0),
    Option("workers.retry_backoff_max_s", NUMBER, "Longest wait between two retries.", WorkersConfig, above=0),
    Option("workers.visibility_timeout_s", int, "Redis broker: seconds before a task a worker took and never "
           "acknowledged (the worker died) goes to another worker; longer than any analysis.", WorkersConfig,
           low=1),

    Option("correlator.enabled", bool, "Pair co-timed events while ingesting.", CorrelatorSettings),
    Option("correlator.rules[]", TABLES, "Pair rules; given, they replace the built-in ones.", CorrelatorSettings,
           default_doc=f"built-in: {_BUILTIN_RULES}"),
    Option("correlator.rules[].name", str, "Name of the rule (on its links).", PairRule, required=True),
    Option("correlator.rules[].first", list, "Event types of the earlier side.", PairRule, required=True),
    Option("correlator.rules[].second", list, "Event types of the later side.", PairRule, required=True),
    Option("correlator.rules[].relation", str, "How the two sides must relate.", PairRule, required=True,
           choices=RELATIONS),
    Option("correlator.rules[].window_days", NUMBER, "Most days between the two events.", PairRule, low=0),
    Option("correlator.rules[].weight", NUMBER, "Weight of the rule in link scores.", PairRule, low=0),
    Option("correlator.rules[].min_score", NUMBER, "Links scoring less are not stored.", PairRule, low=0),
    Option("correlator.surge_window_days", int, "Listing surge: days of new listings counted.", CorrelatorSettings,
           low=1),
    Option("correlator.surge_baseline_days", int, "Listing surge: days of the baseline before them.",
           CorrelatorSettings, low=1),
    Option("correlator.surge_min_listings", int, "Listing surge: new listings needed.", CorrelatorSettings, low=1),
    Option("correlator.surge_factor", NUMBER, "Listing surge: times the baseline rate.", CorrelatorSettings, above=0),
    Option("correlator.story_threshold", NUMBER, "Similarity (0-1] at which two documents tell one story.",
           CorrelatorSettings, above=0, high=1),
)

SECTIONS: dict[str, str] = {
    "storage": "Where documents, annotations and crawl state are kept.",
    "sources[]": "What is crawled: one [[sources]] table per source.",
    "watchlists.*": "Watched entities, grouped in named lists: [watchlists.NAME] with [[watchlists.NAME.entries]].",
    "alerts[]": "Alert rules: one [[alerts]] table per rule.",
    "channels[]": "Where alerts go; deliveries wait in a persistent outbox and are retried.",
    "digest": "The daily digest.",
    "smtp": "Mail server for digests and email alerts; secrets come from environment variables.",
    "nlp": "The analyzer.",
    "api": "newswatch serve: HTTP API and web UI.",
    "scheduler": "newswatch run: jobs and the alert outbox.",
    "crawl": "A crawl shared by crawler processes on several machines (docs/deployment.md); off by default.",
    "workers": "Analysis workers on a broker (docs/deployment.md); off by default.",
    "correlator": "Co-timed events and listing surges.",
}


def options_in(section: str) -> tuple[Option, ...]:
    """The rows whose key lies directly in ``section`` (a key pattern such as ``sources[]``)."""
    return tuple(o for o in OPTIONS if o.section == section)


def keys_in(section: str) -> set[str]:
    """Every key a table of ``section`` accepts: its options and the tables below it."""
    keys = {o.name for o in options_in(section)}
    prefix = f"{section}." if section else ""
    for o in OPTIONS:
        if o.key.startswith(prefix) and o.section != section:
            keys.add(o.key[len(prefix):].split(".")[0].removesuffix("[]"))
    return keys - {"*"}
