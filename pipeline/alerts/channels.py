"""Alert channels: email (SMTP, STARTTLS or implicit TLS, login), signed webhook, Slack, stdout.

Each channel is a callable taking an :class:`~pipeline.alerts.outbox.OutboxItem` and raising
:class:`~pipeline.alerts.outbox.DeliveryError` when it could not deliver, so the outbox decides about
retries. Secrets (SMTP login, webhook key) are read from environment variables named in the
config at send time, never stored in the file or the outbox.

Payloads: an alert (``Alert.to_dict()``) or a prepared email (``{"kind": "email", "to", "subject",
"text", "html"}``, used by the digest).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from html import escape
from typing import Any, TextIO

from pipeline.alerts.outbox import DeliveryError, OutboxItem, Sender
from pipeline.config import ChannelConfig, Config, SmtpConfig
from storage.url_safety import safe_http_url

SIGNATURE_HEADER = "X-Newswatch-Signature"
DELIVERY_HEADER = "X-Newswatch-Delivery"
DIGEST_CHANNEL = "digest-email"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact request body with the shared secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


# --------------------------------------------------------------------------- rendering


def alert_subject(alert: Mapping[str, Any]) -> str:
    return f"[newswatch] {alert.get('entity_name') or alert.get('rule')}: {alert.get('why') or 'alert'}"


def http_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with a non-http(s) ``url`` replaced by null: no channel carries a script link."""
    out = dict(payload)
    if "url" in out and safe_http_url(out["url"]) is None:
        out["url"] = None
    if out.get("folded"):
        out["folded"] = [http_payload(d) for d in folded_docs(out)]
    return out


def slack_escape(text: object) -> str:
    """Slack's three control characters escaped, so ``<!channel>`` or ``<https://x|y>`` stay text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def folded_docs(alert: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The documents folded into an alert (``folded``), empty for a plain one."""
    return [dict(d) for d in alert.get("folded") or [] if isinstance(d, Mapping)]


def folded_lines(alert: Mapping[str, Any]) -> list[str]:
    """Plain-text list of an alert's folded documents: a count line, then one line per document."""
    docs = folded_docs(alert)
    if not docs:
        return []
    n = int(alert.get("folded_count") or len(docs))
    out = [f"+{n} more document{'s' if n != 1 else ''}:"]
    out += [f"- {d.get('title') or d.get('url')} ({d.get('source') or '?'}) "
            f"{safe_http_url(d.get('url')) or '(no http(s) link)'}  [id {d.get('id')}]" for d in docs]
    return out


def alert_text(alert: Mapping[str, Any]) -> str:
    lines = [f"{alert.get('why') or 'alert'} (rule {alert.get('rule')})", ""]
    if alert.get("title") and not folded_docs(alert):
        lines.append(str(alert["title"]))
    if alert.get("evidence"):
        lines.append(f"\u201c{alert['evidence']}\u201d")
    if folded_docs(alert):
        lines += ["", *folded_lines(alert)]
    else:
        lines += ["", f"{alert.get('source', '')} \u00b7 {alert.get('kind', '')} \u00b7 "
                  f"{safe_http_url(alert.get('url')) or '(no http(s) link)'}"]
    return "\n".join(lines) + "\n"


def _folded_html(alert: Mapping[str, Any]) -> str:
    docs = folded_docs(alert)
    if not docs:
        return ""
    n = int(alert.get("folded_count") or len(docs))
    items = []
    for d in docs:
        url = safe_http_url(d.get("url"))
        label = escape(str(d.get("title") or url or "(untitled)"))
        link = f"<a href=\"{escape(url, quote=True)}\">{label}</a>" if url else label
        items.append(f"<li>{link} <small>{escape(str(d.get('source') or ''))} \u00b7 id "
                     f"{escape(str(d.get('id') or ''))}</small></li>")
    return f"<p>+{n} more document{'s' if n != 1 else ''}:</p><ul>{''.join(items)}</ul>"


def alert_html(alert: Mapping[str, Any]) -> str:
    """Everything from a crawled page is escaped: no markup of an article reaches the email."""
    url = safe_http_url(alert.get("url"))
    label = escape(str(alert.get("title") or url or "(untitled)"))
    link = f"<a href=\"{escape(url, quote=True)}\">{label}</a>" if url else label
    return (f"<p><strong>{escape(str(alert.get('why') or 'alert'))}</strong> "
            f"<small>(rule {escape(str(alert.get('rule') or ''))})</small></p>"
            f"<p>{link}</p>"
            f"<blockquote>{escape(str(alert.get('evidence') or ''))}</blockquote>"
            f"<p><small>{escape(str(alert.get('source') or ''))} \u00b7 {escape(str(alert.get('kind') or ''))}"
            f"</small></p>" + _folded_html(alert))


def email_message(item: OutboxItem, sender: str, to: list[str]) -> Message:
    """The alert (or prepared email) as a text + HTML message carrying its delivery key.

    Built with the ``email.mime`` classes and the compat32 policy: the modern ``EmailMessage``
    content manager costs four times the CPU per message (header parsing, content sniffing),
    which a burst of a thousand alerts pays in delivery latency.
    """
    p = item.payload
    if p.get("kind") == "email":
        subject, text, html = str(p["subject"]), str(p["text"]), str(p.get("html") or "")
    else:
        subject, text, html = alert_subject(p), alert_text(p), alert_html(p)
    msg: Message = MIMEMultipart("alternative") if html else _text_part(text, "plain")
    if html:
        msg.attach(_text_part(text, "plain"))
        msg.attach(_text_part(html, "html"))
    msg["Subject"] = _header(subject)
    msg["From"] = _addresses([sender])
    msg["To"] = _addresses(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{hashlib.sha256(item.key.encode()).hexdigest()[:32]}@newswatch>"
    msg[DELIVERY_HEADER] = _header(item.key)
    return msg


def _text_part(body: str, subtype: str) -> MIMEText:
    if body.isascii() and all(len(line) <= 998 for line in body.splitlines()):
        return MIMEText(body, subtype, "us-ascii")
    return MIMEText(body, subtype, "utf-8")  # base64: no line-length or 8-bit trouble on the way


def _addresses(addrs: list[str]) -> str:
    """Addresses as a header: a non-ASCII display name is encoded, the address itself never is."""
    return ", ".join(formataddr(parseaddr(" ".join(a.splitlines())), charset="utf-8") for a in addrs)


def _header(value: str) -> str:
    """ASCII as is (folded by the generator); anything else RFC 2047-encoded; never a raw newline."""
    value = " ".join(value.splitlines())
    return value if value.isascii() else Header(value, "utf-8").encode()


# --------------------------------------------------------------------------- channels


def smtp_send(smtp: SmtpConfig, msg: Message, to: list[str], keep: _Connection | None = None) -> None:
    """Send one message on a new session; connection and protocol problems become DeliveryError (retried).

    With ``keep`` the session stays open for the next messages (closed after an error).
    """
    client: smtplib.SMTP | None = None
    try:
        if smtp.ssl:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        creds = smtp.credentials()
        if creds:
            client.login(*creds)
        refused = client.send_message(msg, to_addrs=to)
        if keep is not None:
            keep.client, client = client, None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP {smtp.host}:{smtp.port} refused every recipient: "
                            f"{', '.join(exc.recipients)}", permanent=True) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP {smtp.host}:{smtp.port} login failed ({exc.smtp_code}); "
                            f"check {smtp.username_env}/{smtp.password_env}") from None
    except (OSError, smtplib.SMTPException) as exc:
        down = isinstance(exc, OSError | smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected)
        raise DeliveryError(f"SMTP {smtp.host}:{smtp.port} unreachable or failed: "
                            f"{type(exc).__name__}: {exc}", unreachable=down) from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
    if refused:
        raise DeliveryError(f"SMTP refused some recipients: {', '.join(refused)}", permanent=True)


class _Connection:
    """One SMTP session reused across a burst of alerts (a new one after ``idle_s`` or any error)."""

    def __init__(self, smtp: SmtpConfig, idle_s: float = 20.0) -> None:
        self.smtp = smtp
        self.idle_s = idle_s
        self.client: smtplib.SMTP | None = None
        self.last = 0.0
        self.lock = threading.Lock()

    def send(self, msg: Message, to: list[str]) -> None:
        with self.lock:
            if self.client is not None and time.monotonic() - self.last > self.idle_s:
                self._close()
            if self.client is None:
                smtp_send(self.smtp, msg, to, keep=self)
            else:
                try:
                    refused = self.client.send_message(msg, to_addrs=to)
                except smtplib.SMTPServerDisconnected:
                    self._close()
                    smtp_send(self.smtp, msg, to, keep=self)
                    refused = {}
                except smtplib.SMTPRecipientsRefused as exc:
                    raise DeliveryError(f"SMTP {self.smtp.host}:{self.smtp.port} refused every recipient: "
                                        f"{', '.join(exc.recipients)}", permanent=True) from None
                except (OSError, smtplib.SMTPException):
                    self._close()
                    smtp_send(self.smtp, msg, to, keep=self)
                    refused = {}
                if refused:
                    raise DeliveryError(f"SMTP refused some recipients: {', '.join(refused)}", permanent=True)
            self.last = time.monotonic()

    def _close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def email_channel(smtp: SmtpConfig, to: list[str]) -> Sender:
    conn = _Connection(smtp)

    def send(item: OutboxItem) -> None:
        rcpt = list(item.payload.get("to") or to)
        conn.send(email_message(item, smtp.sender, rcpt), rcpt)

    return send


def _post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": "newswatch", **headers})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - URL from the config
            resp.read(1024)
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
        raise DeliveryError(f"POST {url} answered HTTP {exc.code}", permanent=permanent) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"POST {url} failed: {reason}", unreachable=True) from None


def webhook_channel(cfg: ChannelConfig) -> Sender:
    """JSON POST; with ``secret_env`` the body is signed (``X-Newswatch-Signature: sha256=...``)."""

    def send(item: OutboxItem) -> None:
        body = json.dumps({"delivery": item.key, "alert": http_payload(item.payload)}, ensure_ascii=False,
                          sort_keys=True).encode("utf-8")
        headers = {DELIVERY_HEADER: item.key}
        if cfg.secret_env:
            secret = os.environ.get(cfg.secret_env)
            if not secret:
                raise DeliveryError(f"channel {cfg.name}: environment variable {cfg.secret_env} is not set")
            headers[SIGNATURE_HEADER] = sign(secret, body)
        _post_json(str(cfg.url), body, headers, cfg.timeout_s)

    return send


def _slack_link(p: Mapping[str, Any]) -> str:
    url = safe_http_url(p.get("url"))
    title = slack_escape(p.get("title") or url or "(untitled)")
    return f"<{slack_escape(url).replace('|', '%7C')}|{title}>" if url else title


def slack_channel(cfg: ChannelConfig) -> Sender:
    """A Slack-compatible incoming webhook: ``{"text": ...}`` with a link."""

    def send(item: OutboxItem) -> None:
        p = item.payload
        link = _slack_link(p)
        text = (f"*{slack_escape(p.get('why') or 'alert')}* (rule `{slack_escape(p.get('rule'))}`)\n{link}\n"
                f"> {slack_escape(p.get('evidence') or '')}")
        docs = folded_docs(p)
        if docs:
            n = int(p.get("folded_count") or len(docs))
            text += f"\n+{n} more: " + ", ".join(_slack_link(d) for d in docs)
        body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
        _post_json(str(cfg.url), body, {DELIVERY_HEADER: item.key}, cfg.timeout_s)

    return send


def stdout_channel(stream: TextIO | None = None) -> Sender:
    """One JSON line per alert (the full payload, folded documents included) on ``newswatch run``'s stdout."""

    def send(item: OutboxItem) -> None:
        print(json.dumps(http_payload(item.payload), ensure_ascii=False), file=stream or sys.stdout, flush=True)

    return send


STDOUT_MODES = ("stdout", "defer")
"""What a process does with ``stdout`` channels. One behaviour: the service (``newswatch run``) prints
them on its stdout (``stdout``); every other command (``crawl``, ``ingest``, ``digest``, the crawl
subprocesses of the service) leaves them in the outbox (``defer``), pending in ``newswatch jobs``
until the service prints them, so a command's own stdout stays its results only. (Those commands
still echo each alert as an ``ALERT`` line on stderr, as progress.)"""


def make_senders(config: Config, stdout_mode: str = "stdout") -> dict[str, Sender]:
    """Every configured channel by name, plus the implicit ``digest-email`` (to from the payload)."""
    senders: dict[str, Sender] = {DIGEST_CHANNEL: email_channel(config.smtp, [])}
    for c in config.channels:
        if c.type == "email":
            senders[c.name] = email_channel(config.smtp, c.to)
        elif c.type == "webhook":
            senders[c.name] = webhook_channel(c)
        elif c.type == "slack":
            senders[c.name] = slack_channel(c)
        elif stdout_mode != "defer":
            senders[c.name] = stdout_channel()
    return senders
