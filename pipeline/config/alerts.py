"""``[[alerts]]`` and ``[[channels]]``: rules that name known watchlists, entries and channels, each type
with what it needs."""

from __future__ import annotations

from typing import Any

from pipeline.config.checks import owner_fields, read_section, table_list
from pipeline.config.model import AlertRule, ChannelConfig, Watchlist
from pipeline.config.schedules import ScheduleError, parse_duration
from pipeline.config.sections import check_email, check_env_name, check_http_url
from pipeline.config.toml_lines import Reporter
from storage.models import KINDS
from storage.query import QuerySyntaxError, parse
from storage.query.match import needs_store


def parse_channels(rep: Reporter, raw: dict[str, Any]) -> list[ChannelConfig]:
    out: list[ChannelConfig] = []
    for i, table in enumerate(table_list(rep, "", raw, "channels")):
        w = f"channels[{i}]"
        values = read_section(rep, w, table, "channels[]")
        channel = ChannelConfig(**owner_fields("channels[]", values, ChannelConfig))
        if channel.name in {x.name for x in out}:
            raise rep.error(f"{w}.name", f"duplicate channel name {channel.name!r}")
        for j, address in enumerate(channel.to):
            check_email(rep, f"{w}.to[{j}]", address)
        if channel.type == "email" and not channel.to:
            raise rep.error(f"{w}.to", "an email channel needs at least one address")
        if channel.type in ("webhook", "slack") and not channel.url:
            raise rep.error(f"{w}.url", f"a {channel.type} channel needs url = 'https://...'")
        check_http_url(rep, f"{w}.url", channel.url)
        check_env_name(rep, f"{w}.secret_env", channel.secret_env, "NEWSWATCH_WEBHOOK_SECRET")
        out.append(channel)
    return out


def parse_alerts(rep: Reporter, raw: dict[str, Any], watchlists: dict[str, Watchlist],
                 channels: list[ChannelConfig]) -> list[AlertRule]:
    out = []
    for i, table in enumerate(table_list(rep, "", raw, "alerts")):
        w = f"alerts[{i}]"
        values = read_section(rep, w, table, "alerts[]")
        if "cooldown" in values:
            try:
                values["cooldown"] = int(parse_duration(values["cooldown"]).total_seconds())
            except ScheduleError as exc:
                raise rep.error(f"{w}.cooldown", str(exc)) from None
        rule = AlertRule(**owner_fields("alerts[]", values, AlertRule))
        _check_rule(rep, w, rule, watchlists, channels)
        out.append(rule)
    return out


def _check_rule(rep: Reporter, w: str, rule: AlertRule, watchlists: dict[str, Watchlist],
                channels: list[ChannelConfig]) -> None:
    if rule.watchlist not in watchlists:
        known = ", ".join(sorted(watchlists)) or "none defined"
        raise rep.error(f"{w}.watchlist", f"unknown watchlist {rule.watchlist!r} (known: {known})")
    known_ids = {e.id for e in watchlists[rule.watchlist].entries}
    for j, eid in enumerate(rule.entity_ids):
        if eid not in known_ids:
            raise rep.error(f"{w}.entity_ids[{j}]", f"{eid!r} is not an entry of watchlists.{rule.watchlist}")
    for j, kind in enumerate(rule.kinds):
        if kind not in KINDS:
            raise rep.error(f"{w}.kinds[{j}]", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    known_channels = {c.name for c in channels}
    for j, name in enumerate(rule.channels):
        if name not in known_channels:
            hint = ", ".join(sorted(known_channels)) or "none"
            raise rep.error(f"{w}.channels[{j}]", f"unknown channel {name!r} (known: {hint})")
    if rule.type == "search":
        if not rule.query or not rule.query.strip():
            raise rep.error(f"{w}.query", "required for type = 'search' (the saved search, e.g. 'Duarte mug')")
        try:
            query = parse(rule.query)
        except QuerySyntaxError as exc:
            raise rep.error(f"{w}.query", str(exc)) from None
        if needs_store(query):
            raise rep.error(f"{w}.query", f"{' and '.join(f + ':' for f in needs_store(query))} depends on other "
                                          "documents, which an alert on one new document cannot see; use it in "
                                          "searches, or alert on type = 'link' instead")
    if rule.type == "event" and not rule.event_types:
        raise rep.error(f"{w}.event_types", "required for type = 'event' (e.g. ['deal', 'official_visit'])")
