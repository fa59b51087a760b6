"""``newswatch digest``: write (and with ``--send`` email) the digest of a window."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.alerts.channels import DIGEST_CHANNEL, make_senders
from pipeline.alerts.outbox import Outbox
from pipeline.alerts.rules import alert_log_path, read_alert_log
from pipeline.config import Config
from pipeline.digest.build import Window, build_for_config, default_window, recipient_email
from pipeline.errors import UsageError
from pipeline.when import WhenError, parse_when
from pipeline.wiring import make_store


def _digest_tz(config: Config) -> str:
    """The recipients' time zone when they share one, else UTC."""
    zones = {r.timezone for r in config.digest.recipients}
    return zones.pop() if len(zones) == 1 else "UTC"


def _digest_window(config: Config, args: argparse.Namespace) -> Any:
    """The window ``--date`` or ``--since`` asks for (None: the default), in the recipients' time zone."""
    tz = _digest_tz(config)
    day = getattr(args, "date", None)
    if day is not None:
        try:
            datetime.strptime(day, "%Y-%m-%d")
        except ValueError:
            raise UsageError(f"--date: expected YYYY-MM-DD, got {day!r}") from None
        return Window.day(day, tz)
    if args.since:
        try:
            start = parse_when(args.since, "--since", tz)
        except WhenError as exc:
            raise UsageError(str(exc)) from None
        return Window(start, datetime.now(UTC), tz)
    return None


def digest(config: Config, args: argparse.Namespace) -> int:
    """Write the digest of a window (default: the last 24 hours) and, with ``--send``, email each recipient
    theirs (default: since the last digest sent to them, else the last 24 hours)."""
    asked = _digest_window(config, args)
    window = asked or Window.last_hours(24, tz=_digest_tz(config))
    out = Path(args.out) if getattr(args, "out", None) else None
    store = make_store(config)
    try:
        alerts = read_alert_log(alert_log_path(config))
        data, path = build_for_config(config, store, alerts, None, window=window, out=out)
        print(f"digest of {window.label()}: {data.total} documents, {len(data.alerts)} alerts -> {path}")
        if args.send:
            if not config.digest.recipients:
                print("newswatch: no digest recipients configured ([[digest.recipients]]); nothing sent",
                      file=sys.stderr)
                return 0
            windows = {r.email: Window(asked.start, asked.end, r.timezone) if asked else default_window(config, r)
                       for r in config.digest.recipients}
            if getattr(args, "dry_run", False):
                for r in config.digest.recipients:
                    print(f"dry run: would send to {r.email} ({', '.join(r.watchlists)}): {windows[r.email].label()}")
                return 0
            outbox = Outbox(config.scheduler.db_url)
            outbox.deferred = {c.name for c in config.channels if c.type == "stdout"}  # printed by `run` only
            for r in config.digest.recipients:
                w = windows[r.email]
                payload = recipient_email(config, store, r, window=w)
                outbox.put(f"digest|{r.email}|{w.to_dict()['start']}|{w.to_dict()['end']}", DIGEST_CHANNEL, payload)
            sent, failed = outbox.deliver_due(make_senders(config, "defer"))
            print(f"sent {sent} digest emails via {config.smtp.host}:{config.smtp.port}"
                  + (f"; {failed} waiting in the outbox for a retry (newswatch run retries)" if failed else ""))
    finally:
        store.close()
    return 0
