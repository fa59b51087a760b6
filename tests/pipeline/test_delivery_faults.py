"""Delivery under faults: an SMTP server that accepts then drops the connection, a webhook that hangs
past its timeout, and 10,000 alerts queued during an SMTP outage: each is delivered exactly once after
recovery, and the outbox's state shows in ``newswatch jobs`` meanwhile."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from mailkit import Inbox, free_port

from pipeline.alerts.channels import make_senders
from pipeline.alerts.outbox import Outbox
from pipeline.cli import main
from pipeline.config import ChannelConfig, Config, SchedulerConfig, SmtpConfig

ALERT = {"rule": "watch", "entity_id": "duarte", "entity_name": "Helena Duarte", "why": "Helena Duarte mentioned",
         "url": "https://n.example/1", "title": "Harbour report", "kind": "article", "source": "ledger"}


class Dropper:
    """Accepts SMTP connections, greets, then drops each one (a server in trouble)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.sock.settimeout(0.05)
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            conn.sendall(b"220 mx.example ESMTP\r\n")
            conn.recv(1024)  # EHLO ... then gone
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def config_for(tmp_path: Path, port: int, timeout_s: float = 2) -> Config:
    return Config(data_dir=tmp_path / "data", smtp=SmtpConfig(host="127.0.0.1", port=port, timeout_s=timeout_s),
                  scheduler=SchedulerConfig(db_url=f"sqlite:///{tmp_path / 'service.db'}"),
                  channels=[ChannelConfig(name="mail", type="email", to=["desk@example.org"])])


@pytest.fixture
def port() -> Iterator[int]:
    yield free_port()


def keys_received(inbox: Inbox) -> Counter[str]:
    return Counter(str(m["X-Newswatch-Delivery"]) for m in inbox.messages)


def test_smtp_that_accepts_then_drops_delivers_once_after_recovery(tmp_path: Path, port: int) -> None:
    config = config_for(tmp_path, port)
    box = Outbox(config.scheduler.db_url, base_backoff_s=0.01)
    for i in range(3):
        box.put(f"watch|duarte|d{i}|mail", "mail", ALERT)
    dropper = Dropper(port)
    try:
        assert box.deliver_due(make_senders(config)) == (0, 3)
    finally:
        dropper.close()
    assert dropper.accepted == 1  # the first failure: the other two waited instead of hammering the server
    rows = box.items()
    assert {r["status"] for r in rows} == {"pending"}
    assert any("SMTPServerDisconnected" in (r["last_error"] or "") for r in rows)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        time.sleep(0.05)
        assert box.deliver_due(make_senders(config)) == (3, 0)
        assert box.deliver_due(make_senders(config)) == (0, 0)
    finally:
        controller.stop()
    assert keys_received(inbox) == {f"watch|duarte|d{i}|mail": 1 for i in range(3)}


@pytest.mark.slow
def test_10000_alerts_during_an_outage_are_each_delivered_once_and_jobs_shows_the_outbox(
        tmp_path: Path, port: int, capsys) -> None:
    # a reply slower than the client's timeout is sent again (delivery is at least once): on a loaded
    # machine 2 s is not enough for the in-process server, and this test is about the outage, not slowness
    config = config_for(tmp_path, port, timeout_s=30)
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{config.data_dir}"\n[scheduler]\ndb_url = "{config.scheduler.db_url}"\n',
                   encoding="utf-8")
    box = Outbox(config.scheduler.db_url, base_backoff_s=0.01)
    n = 10_000
    for i in range(n):
        box.put(f"watch|duarte|d{i}|mail", "mail", {**ALERT, "url": f"https://n.example/{i}"})
    sent, failed = box.deliver_due(make_senders(config), limit=n)  # nothing listens: the outage
    assert (sent, failed) == (0, n) and box.counts() == {"pending": n}
    assert main(["jobs", "--config", str(cfg)]) == 0
    assert f"outbox: {n} pending" in capsys.readouterr().out
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        time.sleep(0.05)
        total = 0
        while box.counts().get("pending"):
            total += box.deliver_due(make_senders(config), limit=2000)[0]
        assert total == n
    finally:
        controller.stop()
    received = keys_received(inbox)
    assert len(received) == n and set(received.values()) == {1}  # every alert, exactly once
    assert box.counts() == {"sent": n}
    assert main(["jobs", "--config", str(cfg)]) == 0
    assert f"outbox: {n} sent" in capsys.readouterr().out
