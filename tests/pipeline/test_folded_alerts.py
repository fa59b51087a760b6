"""A folded alert says so: the first match goes out at once, the others follow as one alert that
counts and lists them, in every channel (email, webhook, Slack, stdout), the echo line and the digest."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from mailkit import Inbox, free_port

from pipeline.alerts.channels import make_senders
from pipeline.alerts.folds import StoredFolds
from pipeline.alerts.outbox import OutboxItem
from pipeline.alerts.rules import AlertEngine
from pipeline.config import AlertRule, ChannelConfig, Config, SmtpConfig
from pipeline.ingest.ingestor import Ingestor
from storage.models import Annotations, Document, Entity, WatchEntry
from storage.sqlite_store import SQLiteStore

ENTRIES = [WatchEntry(id="duarte", name="Helena Duarte", type="person", watchlist="trade")]


def doc(i: int) -> Document:
    text = f"Helena Duarte spoke to reporters at the harbour, report number {i}."
    return Document(url=f"https://n.example/{i}", text=text, source="ledger", title=f"Harbour report {i}",
                    annotations=Annotations(entities=[Entity(text="Helena Duarte", start=0, end=13, label="PERSON",
                                                             entity_id="duarte", canonical="Helena Duarte")]))


@pytest.fixture
def folded(tmp_path) -> Iterator[tuple[AlertEngine, SQLiteStore]]:
    store = SQLiteStore(tmp_path / "store.db")
    engine = AlertEngine([AlertRule(name="watch", watchlist="trade")], store, ENTRIES)
    ingestor = Ingestor(store, None, [engine])
    for i in range(22):
        ingestor.ingest(doc(i))
    yield engine, store
    store.close()


def test_22_matches_give_one_alert_then_one_that_lists_the_other_21(folded) -> None:
    engine, store = folded
    assert len(engine.fired) == 1  # the first went out at once; the rest wait to be listed
    engine.close()
    lead, follow = engine.fired
    assert lead.folded_count == 0 and follow.folded_count == 21
    assert [d["url"] for d in follow.folded] == [f"https://n.example/{i}" for i in range(1, 22)]
    assert {"id", "url", "title", "source"} <= set(follow.folded[0]) and follow.folded[0]["title"] == "Harbour report 1"
    assert "21 more documents" in follow.why and "Harbour report 0" in follow.why
    assert "21 more documents" in follow.headline() and "and 16 more" in follow.headline()
    assert follow.details["folded_into"] == lead.key
    # restarting over the same documents sends nothing again
    again = AlertEngine([AlertRule(name="watch", watchlist="trade")], store, ENTRIES)
    for i in range(22):
        again.on_document(doc(i), None)
    again.close()
    assert again.fired == []


def test_a_run_killed_inside_the_fold_window_leaves_its_folded_matches_to_the_next(tmp_path, db_url) -> None:
    # The first run stops without close() (as kill -9 would stop it): its folded matches are in the
    # service database, and the next run, on its own documents, sends the follow-up that lists them.
    store = SQLiteStore(tmp_path / "store.db")
    first = AlertEngine([AlertRule(name="watch", watchlist="trade")], store, ENTRIES, folds=StoredFolds(db_url))
    for i in range(4):
        Ingestor(store, None, [first]).ingest(doc(i))
    assert [a.folded_count for a in first.fired] == [0]  # the lead; three matches folded, none sent yet
    nxt = AlertEngine([AlertRule(name="watch", watchlist="trade")], store, ENTRIES, folds=StoredFolds(db_url))
    nxt.on_document(doc(2), None)  # a folded document seen again is not a new match
    nxt.close()
    (follow,) = nxt.fired
    assert follow.folded_count == 3
    assert [d["url"] for d in follow.folded] == [f"https://n.example/{i}" for i in (1, 2, 3)]
    assert follow.details["folded_into"] == first.fired[0].key
    again = AlertEngine([AlertRule(name="watch", watchlist="trade")], store, ENTRIES, folds=StoredFolds(db_url))
    again.close()
    assert again.fired == []  # sent once: the group is closed
    store.close()


def test_every_channel_carries_the_count_and_the_documents(folded, tmp_path, webhook, capsys) -> None:
    engine, _ = folded
    engine.close()
    payload = engine.fired[1].to_dict()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        config = Config(data_dir=tmp_path, smtp=SmtpConfig(host="127.0.0.1", port=smtp.port, timeout_s=5),
                        channels=[ChannelConfig(name="mail", type="email", to=["desk@example.org"]),
                                  ChannelConfig(name="hook", type="webhook", url=webhook.url),
                                  ChannelConfig(name="slack", type="slack", url=webhook.url),
                                  ChannelConfig(name="tty", type="stdout")])
        senders = make_senders(config, "stdout")
        for name in ("mail", "hook", "slack", "tty"):
            senders[name](OutboxItem(id=1, key=f"{payload['key']}|{name}", channel=name, payload=payload, attempts=0))
    finally:
        smtp.stop()
    (msg,) = inbox.messages
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "+21 more documents:" in text and "https://n.example/21" in text and "Harbour report 21" in text
    assert "+21 more documents" in html and 'href="https://n.example/21"' in html
    webhook, slack = (json.loads(b) for b in webhook.bodies)
    assert webhook["alert"]["folded_count"] == 21 and len(webhook["alert"]["folded"]) == 21
    assert "+21 more" in slack["text"] and "<https://n.example/21|Harbour report 21>" in slack["text"]
    line = json.loads(capsys.readouterr().out)
    assert line["folded_count"] == 21 and line["folded"][20]["id"]
