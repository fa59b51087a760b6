"""Channels and the outbox against real parts: aiosmtpd in the test process, a local HTTP server
for webhooks (signature checked), the outbox on SQLite and on the real PostgreSQL server.

Alert texts are invented for these tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from mailkit import Inbox, free_port

from pipeline.alerts.channels import SIGNATURE_HEADER, make_senders, verify
from pipeline.alerts.outbox import Outbox, OutboxItem
from pipeline.config import ChannelConfig, Config, SmtpConfig

SECRET = "s3cret-for-tests"

ALERT = {"rule": "watch-duarte", "entity_id": "helena-duarte", "entity_name": "Helena Duarte",
         "why": "Helena Duarte mentioned 2 times", "url": "https://news.example/a?x=1&y=<2>",
         "title": "Minister <b>Duarte</b> visits the port", "kind": "article", "source": "ledger",
         "evidence": "The minister said <script>alert(1)</script> the port would reopen.", "key": "k"}




@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    mode = "ok"

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if Hook.mode == "hang":
            time.sleep(3)
        Hook.received.append((dict(self.headers), body))
        self.send_response(500 if Hook.mode == "500" else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[str]:
    Hook.received = []
    Hook.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def make_config(tmp_path, smtp_port: int, hook_url: str = "http://127.0.0.1:9/none") -> Config:
    return Config(data_dir=tmp_path, smtp=SmtpConfig(host="127.0.0.1", port=smtp_port, sender="nw@example.org",
                                                     timeout_s=2),
                  channels=[ChannelConfig(name="mail", type="email", to=["analyst@example.org"]),
                            ChannelConfig(name="hook", type="webhook", url=hook_url, secret_env="NW_TEST_SECRET",
                                          timeout_s=1.0),
                            ChannelConfig(name="slack", type="slack", url=hook_url, timeout_s=1.0)])


# ---------------------------------------------------------------- outbox (both backends)


def test_outbox_put_is_idempotent_by_key(db_url: str) -> None:
    box = Outbox(db_url)
    assert box.put("r|e|d|mail", "mail", ALERT) is True
    assert box.put("r|e|d|mail", "mail", ALERT) is False
    assert box.counts() == {"pending": 1}


def test_claimed_item_is_not_claimed_twice_and_failed_item_backs_off(db_url: str) -> None:
    box = Outbox(db_url, base_backoff_s=60)
    box.put("a", "mail", ALERT)
    first = box.claim_due()
    assert [i.key for i in first] == ["a"] and box.claim_due() == []
    retry_at = box.failed(first[0], "connection refused")
    assert retry_at is not None and retry_at > time.time() + 50
    assert box.claim_due() == []  # not due yet
    assert [i.key for i in box.claim_due(now=retry_at + 1)] == ["a"]


def test_expired_lease_makes_an_item_due_again(db_url: str) -> None:
    box = Outbox(db_url, lease_s=0.01)
    box.put("a", "mail", ALERT)
    assert box.claim_due()
    time.sleep(0.05)
    assert [i.key for i in box.claim_due()] == ["a"]  # the claimer died mid-send


def test_permanent_failure_keeps_the_item_as_dead(db_url: str) -> None:
    box = Outbox(db_url)
    box.put("a", "mail", ALERT)
    (item,) = box.claim_due()
    assert box.failed(item, "no such mailbox", permanent=True) is None
    assert box.counts() == {"dead": 1} and box.items("dead")[0]["last_error"] == "no such mailbox"


# ---------------------------------------------------------------- email


def test_email_alert_reaches_smtp_server_as_multipart_with_escaped_html(tmp_path, smtp_server) -> None:
    inbox, port = smtp_server
    senders = make_senders(make_config(tmp_path, port))
    senders["mail"](OutboxItem(id=1, key="watch-duarte|helena-duarte|doc1|mail", channel="mail", payload=ALERT,
                               attempts=0))
    (msg,) = inbox.messages
    assert msg["To"] == "analyst@example.org" and "Helena Duarte" in msg["Subject"]
    assert msg["X-Newswatch-Delivery"] == "watch-duarte|helena-duarte|doc1|mail"
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>Duarte" not in html
    assert "https://news.example/a?x=1&amp;y=&lt;2&gt;" in html
    assert "Helena Duarte mentioned 2 times" in text and "https://news.example/a" in text


def test_smtp_down_keeps_alert_then_delivers_once_when_back(tmp_path, db_url) -> None:
    port = free_port()  # nothing listens yet
    config = make_config(tmp_path, port)
    box = Outbox(db_url, base_backoff_s=0.01)
    box.put("k1|mail", "mail", ALERT)
    senders = make_senders(config)
    assert box.deliver_due(senders) == (0, 1)
    (row,) = box.items()
    assert row["status"] == "pending" and "unreachable" in row["last_error"]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        time.sleep(0.05)
        # a "restarted" process opens the same outbox and delivers what waited
        again = Outbox(db_url, base_backoff_s=0.01)
        assert again.deliver_due(make_senders(config)) == (1, 0)
        assert again.deliver_due(make_senders(config)) == (0, 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and box.counts() == {"sent": 1}


def test_malformed_recipient_is_refused_permanently_and_kept(tmp_path, smtp_server) -> None:
    class Refusing(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            return "550 5.1.1 bad mailbox"

    inbox, port = smtp_server
    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        box = Outbox(f"sqlite:///{tmp_path / 's.db'}")
        box.put("k", "mail", ALERT)
        assert box.deliver_due(make_senders(make_config(tmp_path, controller.port))) == (0, 1)
    finally:
        controller.stop()
    (row,) = box.items()
    assert row["status"] == "dead" and "refused every recipient" in row["last_error"]


# ---------------------------------------------------------------- webhooks


def test_webhook_is_signed_with_hmac_sha256(tmp_path, hook_server, monkeypatch) -> None:
    monkeypatch.setenv("NW_TEST_SECRET", SECRET)
    senders = make_senders(make_config(tmp_path, 9, hook_server))
    senders["hook"](OutboxItem(id=1, key="k|hook", channel="hook", payload=ALERT, attempts=0))
    ((headers, body),) = Hook.received
    assert verify(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify("wrong", body, headers[SIGNATURE_HEADER])
    assert json.loads(body)["alert"]["why"] == ALERT["why"] and json.loads(body)["delivery"] == "k|hook"


def test_slack_webhook_gets_text_with_link(tmp_path, hook_server) -> None:
    make_senders(make_config(tmp_path, 9, hook_server))["slack"](
        OutboxItem(id=1, key="k|slack", channel="slack", payload=ALERT, attempts=0))
    ((_, body),) = Hook.received
    assert "<https://news.example/a" in json.loads(body)["text"]


@pytest.mark.parametrize("mode", ["500", "hang"])
def test_webhook_500_or_hanging_keeps_alert_for_retry(tmp_path, hook_server, monkeypatch, mode) -> None:
    monkeypatch.setenv("NW_TEST_SECRET", SECRET)
    Hook.mode = mode
    box = Outbox(f"sqlite:///{tmp_path / 's.db'}", base_backoff_s=0.01)
    box.put("k|hook", "hook", ALERT)
    senders = make_senders(make_config(tmp_path, 9, hook_server))
    assert box.deliver_due(senders) == (0, 1)
    (row,) = box.items()
    # a hanging server is given up on by the channel timeout (1 s), not waited for
    assert row["status"] == "pending" and ("500" if mode == "500" else "timed out") in row["last_error"]
    Hook.mode = "ok"
    time.sleep(0.05)
    assert box.deliver_due(senders) == (1, 0)


def test_webhook_without_its_secret_in_env_is_not_sent(tmp_path, hook_server, monkeypatch) -> None:
    monkeypatch.delenv("NW_TEST_SECRET", raising=False)
    box = Outbox(f"sqlite:///{tmp_path / 's.db'}")
    box.put("k|hook", "hook", ALERT)
    assert box.deliver_due(make_senders(make_config(tmp_path, 9, hook_server))) == (0, 1)
    assert Hook.received == [] and "NW_TEST_SECRET" in box.items()[0]["last_error"]


def test_stdout_channel_is_printed_by_the_service_only(tmp_path, monkeypatch, capsys) -> None:
    """One behaviour: crawl, ingest and the service's crawl subprocesses leave it in the outbox; `run` prints it."""
    from pipeline.alerts.delivery import SERVICE_CHILD_ENV, start_worker

    config = Config(data_dir=tmp_path, channels=[ChannelConfig(name="tty", type="stdout")])
    config.scheduler.db_url = f"sqlite:///{tmp_path / 'service.db'}"
    for child_env in ("1", None):  # a crawl subprocess of the service, then a plain `newswatch crawl`
        if child_env:
            monkeypatch.setenv(SERVICE_CHILD_ENV, child_env)
        else:
            monkeypatch.delenv(SERVICE_CHILD_ENV)
        child = start_worker(config, poll_s=0.05)
        child.outbox.put(f"k{child_env}|tty", "tty", ALERT)
        child.wake()
        time.sleep(0.2)
        child.stop()
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err == ""
    assert child.outbox.counts() == {"pending": 2}
    service = start_worker(config, poll_s=0.05, in_service=True)
    service.stop()  # the final flush delivers them
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x)["why"] for x in lines] == [ALERT["why"]] * 2
    assert service.outbox.counts() == {"sent": 2}
