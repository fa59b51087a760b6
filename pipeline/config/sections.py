"""The section parsers: each checks one table against the table of options, then what relates its keys.

Every parser takes the ``Reporter`` of the file (for ``file:line: key.path`` errors) and the raw
TOML table, and returns the typed settings of :mod:`pipeline.config.model`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from nlp.events.pairing import PairRule
from nlp.events.rules import EVENT_TYPES
from nlp.settings import AnalyzerSettings
from pipeline.config.checks import owner_fields, read_section, subtable, table_list
from pipeline.config.model import (
    DEFAULT_DATA_DIR,
    ApiConfig,
    CrawlConfig,
    DigestConfig,
    Recipient,
    SchedulerConfig,
    SmtpConfig,
    SourceConfig,
    Watchlist,
    WorkersConfig,
)
from pipeline.config.schedules import ScheduleError, parse_schedule, parse_send_at, parse_timezone
from pipeline.config.toml_lines import Reporter
from pipeline.correlator_settings import CorrelatorSettings

ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
_HTTP_RE = re.compile(r"^https?://")
_DB_URL_RE = re.compile(r"^(sqlite|postgresql)(\+\w+)?://")
_BROKER_RE = re.compile(r"^(redis|rediss|amqp|amqps)://")


def check_env_name(rep: Reporter, key: str, value: str | None, example: str) -> None:
    if value is not None and not ENV_RE.match(value):
        raise rep.error(key, f"expected an environment variable name such as {example}, got {value!r}")


def check_http_url(rep: Reporter, key: str, url: str | None) -> None:
    if url is not None and not _HTTP_RE.match(url):
        raise rep.error(key, f"expected an http(s) URL, got {url!r}")


def check_email(rep: Reporter, key: str, address: str) -> None:
    if not EMAIL_RE.match(address):
        raise rep.error(key, f"not an email address: {address!r}")


def check_schedule(rep: Reporter, key: str, schedule: str, timezone: str = "UTC") -> None:
    try:
        parse_schedule(schedule, timezone)
    except ScheduleError as exc:
        raise rep.error(key, str(exc)) from None


def from_env(rep: Reporter, key: str, value: str) -> str:
    """``env:NAME`` reads the value from the environment (a URL with a password stays out of the file)."""
    if not value.startswith("env:"):
        return value
    name = value[4:]
    if name not in os.environ:
        raise rep.error(key, f"environment variable {name} is not set")
    return os.environ[name]


def parse_top(rep: Reporter, raw: dict[str, Any], path: Path | None) -> tuple[Path, str]:
    """``data_dir`` (relative to the config file) and the store URL."""
    top = read_section(rep, "", raw, "")
    data_dir = Path(os.path.expandvars(top.get("data_dir", DEFAULT_DATA_DIR))).expanduser()
    if not data_dir.is_absolute() and path is not None:
        data_dir = path.parent / data_dir
    storage = read_section(rep, "storage", subtable(rep, "", raw, "storage"), "storage")
    storage_url = from_env(rep, "storage.url", storage.get("url", "")).replace("{data_dir}", str(data_dir))
    return data_dir, storage_url


def parse_sources(rep: Reporter, raw: dict[str, Any]) -> list[SourceConfig]:
    out: list[SourceConfig] = []
    for i, table in enumerate(table_list(rep, "", raw, "sources")):
        w = f"sources[{i}]"
        values = read_section(rep, w, table, "sources[]")
        if values["name"] in {s.name for s in out}:
            raise rep.error(f"{w}.name", f"duplicate source name {values['name']!r}")
        check_http_url(rep, f"{w}.url", values["url"])
        for key in ("allow", "deny"):
            for j, pattern in enumerate(values.get(key, [])):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise rep.error(f"{w}.{key}[{j}]", f"invalid regular expression: {exc}") from None
        if "schedule" in values:
            check_schedule(rep, f"{w}.schedule", values["schedule"])
        if ("{query}" in values["url"]) != bool(values.get("queries")):
            raise rep.error(f"{w}.queries", "a search source needs both a url containing {query} and queries")
        out.append(SourceConfig(**owner_fields("sources[]", values, SourceConfig)))
    return out


def parse_digest(rep: Reporter, raw: dict[str, Any], watchlists: dict[str, Watchlist]) -> DigestConfig:
    table = subtable(rep, "", raw, "digest")
    values = read_section(rep, "digest", table, "digest")
    recipients = []
    for i, r in enumerate(table_list(rep, "digest", table, "recipients")):
        w = f"digest.recipients[{i}]"
        rv = read_section(rep, w, r, "digest.recipients[]")
        check_email(rep, f"{w}.email", rv["email"])
        for j, name in enumerate(rv["watchlists"]):
            if name not in watchlists:
                raise rep.error(f"{w}.watchlists[{j}]", f"unknown watchlist {name!r}")
        recipient = Recipient(**owner_fields("digest.recipients[]", rv, Recipient))
        try:
            parse_timezone(recipient.timezone)
        except ScheduleError as exc:
            raise rep.error(f"{w}.timezone", str(exc)) from None
        try:
            parse_send_at(recipient.send_at)
        except ScheduleError as exc:
            raise rep.error(f"{w}.send_at", str(exc)) from None
        recipients.append(recipient)
    values["recipients"] = recipients
    return DigestConfig(**owner_fields("digest", values, DigestConfig))


def parse_smtp(rep: Reporter, raw: dict[str, Any]) -> SmtpConfig:
    values = read_section(rep, "smtp", subtable(rep, "", raw, "smtp"), "smtp")
    if values.get("ssl") and values.get("starttls"):
        raise rep.error("smtp.ssl", "choose one of ssl (implicit TLS, port 465) and starttls (port 587)")
    if "sender" in values:
        check_email(rep, "smtp.sender", values["sender"])
    for key in ("username_env", "password_env"):
        check_env_name(rep, f"smtp.{key}", values.get(key), "NEWSWATCH_SMTP_PASSWORD")
    return SmtpConfig(**owner_fields("smtp", values, SmtpConfig))


def parse_nlp(rep: Reporter, raw: dict[str, Any]) -> AnalyzerSettings:
    values = read_section(rep, "nlp", subtable(rep, "", raw, "nlp"), "nlp")
    settings = AnalyzerSettings(**owner_fields("nlp", values, AnalyzerSettings))
    if settings.stance_backend == "transformers" and not settings.stance_model_dir:
        raise rep.error("nlp.stance_model_dir", "required when stance_backend = 'transformers' "
                                                "(a local model directory)")
    return settings


def parse_api(rep: Reporter, raw: dict[str, Any]) -> ApiConfig:
    values = read_section(rep, "api", subtable(rep, "", raw, "api"), "api")
    if "token_env" in values and not ENV_RE.match(values["token_env"]):
        raise rep.error("api.token_env", f"expected an environment variable name, got {values['token_env']!r}")
    return ApiConfig(**owner_fields("api", values, ApiConfig))


def parse_scheduler(rep: Reporter, raw: dict[str, Any], data_dir: Path) -> SchedulerConfig:
    values = read_section(rep, "scheduler", subtable(rep, "", raw, "scheduler"), "scheduler")
    db_url = from_env(rep, "scheduler.db_url", values.get("db_url", "").replace("{data_dir}", str(data_dir)))
    if db_url and not _DB_URL_RE.match(db_url):
        raise rep.error("scheduler.db_url", f"expected sqlite:///PATH or postgresql://..., got {db_url!r}")
    values["db_url"] = db_url
    return SchedulerConfig(**owner_fields("scheduler", values, SchedulerConfig))


def parse_correlator(rep: Reporter, raw: dict[str, Any]) -> CorrelatorSettings:
    table = subtable(rep, "", raw, "correlator")
    values = read_section(rep, "correlator", table, "correlator")
    rules = []
    for i, r in enumerate(table_list(rep, "correlator", table, "rules")):
        where = f"correlator.rules[{i}]"
        rv = read_section(rep, where, r, "correlator.rules[]")
        for side in ("first", "second"):
            bad = [t for t in rv[side] if t not in EVENT_TYPES]
            if not rv[side] or bad:
                raise rep.error(f"{where}.{side}", f"expected event types from {', '.join(EVENT_TYPES)}, "
                                                   f"got {rv[side]}")
            rv[side] = tuple(rv[side])
        rules.append(PairRule(**owner_fields("correlator.rules[]", rv, PairRule)))
    if rules:
        values["rules"] = tuple(rules)
    return CorrelatorSettings(**owner_fields("correlator", values, CorrelatorSettings))


def parse_crawl(rep: Reporter, raw: dict[str, Any]) -> CrawlConfig:
    values = read_section(rep, "crawl", subtable(rep, "", raw, "crawl"), "crawl")
    if values.get("redis_url"):
        values["redis_url"] = from_env(rep, "crawl.redis_url", values["redis_url"])
        if not re.match(r"^(redis|rediss|unix)://", values["redis_url"]):
            raise rep.error("crawl.redis_url", f"expected redis://HOST:PORT/DB, got {values['redis_url']!r}")
    if "name" in values and not re.match(r"^[A-Za-z0-9_.-]+$", values["name"]):
        raise rep.error("crawl.name", f"expected letters, digits, '.', '_' or '-', got {values['name']!r}")
    return CrawlConfig(**owner_fields("crawl", values, CrawlConfig))


def parse_workers(rep: Reporter, raw: dict[str, Any]) -> WorkersConfig:
    values = read_section(rep, "workers", subtable(rep, "", raw, "workers"), "workers")
    if "broker_url" in values:
        values["broker_url"] = from_env(rep, "workers.broker_url", values["broker_url"])
        if not _BROKER_RE.match(values["broker_url"]):
            raise rep.error("workers.broker_url", "expected redis://HOST:PORT/DB or amqp://USER:PASSWORD@HOST:PORT//, "
                                                  f"got {values['broker_url']!r}")
    workers = WorkersConfig(**owner_fields("workers", values, WorkersConfig))
    if workers.retry_backoff_max_s < workers.retry_backoff_s:
        raise rep.error("workers.retry_backoff_max_s", f"must be at least retry_backoff_s "
                                                      f"({workers.retry_backoff_s}), got {workers.retry_backoff_max_s}")
    return workers
