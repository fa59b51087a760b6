"""The daily digest: stories grouped, what changed vs the day before, events/links, stance evidence,
escaping of crawled text, the CLI (--date --dry-run --out), and the multipart email via aiosmtpd.

Documents are invented and annotated by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from mailkit import Inbox, free_port

from pipeline.cli import main
from pipeline.config import Config, DigestConfig, Recipient, SchedulerConfig, SmtpConfig, Watchlist
from pipeline.digest.build import collect, recipient_email, render_html, render_text
from storage.models import Annotations, Document, Entity, Provenance, Quote, Span, Speaker, Stance, WatchEntry
from storage.sqlite_store import SQLiteStore

ENTRIES = [WatchEntry(id="duarte", name="Helena Duarte", type="person", watchlist="trade"),
           WatchEntry(id="veltrix", name="Veltrix Mobile", type="org", watchlist="trade")]
DAY, BEFORE = "2026-03-10", "2026-03-09"
EVIL = 'Duarte visit <script>alert("x")</script><img src=x onerror=alert(1)>'


def doc(url: str, day: str, eids: list[str], title: str = "A report", story: str | None = None,
        text: str | None = None) -> Document:
    text = text or "Helena Duarte met Veltrix Mobile executives. " * 2
    ents = []
    for e in eids:
        name = "Helena Duarte" if e == "duarte" else "Veltrix Mobile"
        at = text.find(name)
        ents.append(Entity(text=name, start=at, end=at + len(name), label="PERSON", entity_id=e, canonical=name))
    d = Document(url=url, text=text, title=title, source="ledger", published_at=day,
                 provenance=Provenance(fetched_at=f"{day}T08:00:00Z"), annotations=Annotations(entities=ents))
    if story:
        d.annotations.story_id = story  # set by the story stage at ingest
    return d


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(data_dir=tmp_path / "data", watchlists={"trade": Watchlist(name="trade", entries=ENTRIES)},
                  digest=DigestConfig(title="Trade digest", recipients=[Recipient(email="desk@example.org",
                                                                                  watchlists=["trade"])]),
                  scheduler=SchedulerConfig(db_url=f"sqlite:///{tmp_path / 'service.db'}"))


@pytest.fixture
def filled(config: Config) -> Config:
    config.data_dir.mkdir(parents=True)
    store = SQLiteStore(config.data_dir / "newswatch.db")
    quote_text = "Helena Duarte opened the market"
    stance = Stance(target="Helena Duarte", label="favor", score=0.8, holder="Ana Reis",
                    evidence=Span(quote_text, 0, len(quote_text)), entity_id="duarte")
    first = doc("https://a.example/visit", DAY, ["duarte", "duarte", "veltrix"], title=EVIL, story="s1")
    first.annotations.quotes = [Quote(text=quote_text, start=0, end=len(quote_text), speaker=Speaker(text="Ana Reis"),
                                      stance=[stance])]
    first.annotations.events = [{"id": "e1", "type": "official_visit", "actors": [],
                                 "evidence": {"text": "Duarte toured the plant", "start": 0, "end": 5}}]
    first.annotations.links = [{"type": "co_timed", "events": ["e1", "e2"], "entities": ["Veltrix Mobile"],
                                "explanation": "launch two days after the visit", "score": 0.7}]
    for d in [first, doc("https://b.example/visit-copy", DAY, ["duarte"], title="Copy of the visit", story="s1"),
              doc("https://c.example/other", DAY, ["veltrix"], title="Veltrix results"),
              doc("https://d.example/old", BEFORE, ["duarte"], title="Yesterday"),
              doc("https://d.example/old2", BEFORE, ["veltrix"], title="Yesterday 2"),
              doc("https://d.example/old3", BEFORE, ["veltrix"], title="Yesterday 3"),
              doc("https://e.example/ancient", "2026-03-01", ["duarte"], title="Long ago")]:
        store.upsert(d)
    store.close()
    return config


def test_day_digest_groups_stories_and_compares_with_day_before(filled: Config) -> None:
    store = SQLiteStore(filled.data_dir / "newswatch.db")
    try:
        data = collect(store, ENTRIES, "T", day=DAY)
    finally:
        store.close()
    assert data.total == 3
    assert [len(s.docs) for s in data.stories] == [2, 1]  # the visit and its copy are one story
    assert data.watched_mentions == {"duarte": 3, "veltrix": 2}
    assert data.previous_mentions == {"duarte": 1, "veltrix": 2}
    html = render_html(data)
    assert "+200%" in html and "2 reports" in html
    assert "official visit" in html and "launch two days after the visit" in html
    assert "\u201cHelena Duarte opened the market\u201d &mdash; Ana Reis (favor)" in html
    text = render_text(data)
    assert "Helena Duarte: 3 mentions (previous window 1, +200%)" in text
    assert "https://b.example/visit-copy" not in text


def test_crawled_markup_never_reaches_the_digest_as_markup(filled: Config) -> None:
    store = SQLiteStore(filled.data_dir / "newswatch.db")
    try:
        html = render_html(collect(store, ENTRIES, "T", day=DAY))
    finally:
        store.close()
    assert "<script" not in html and "<img" not in html and "onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;" in html
    for href in ("https://a.example/visit", "https://b.example/visit-copy", "https://c.example/other"):
        assert f'href="{href}"' in html  # every item links to its source


def test_cli_dry_run_writes_file_and_sends_nothing(filled: Config, tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{filled.data_dir}"\n[watchlists.trade]\n'
                   'entries = [{id = "duarte", name = "Helena Duarte", type = "person"}]\n'
                   '[[digest.recipients]]\nemail = "desk@example.org"\nwatchlists = ["trade"]\n'
                   '[smtp]\nhost = "127.0.0.1"\nport = 9\n', encoding="utf-8")
    out = tmp_path / "digest.html"
    code = main(["digest", "--config", str(cfg), "--date", DAY, "--dry-run", "--send", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "would send to desk@example.org" in printed and str(out) in printed
    assert "Helena Duarte" in out.read_text(encoding="utf-8")
    assert main(["digest", "--config", str(cfg), "--date", "10/03/2026"]) == 2




def test_recipient_digest_is_multipart_and_arrives_via_outbox(filled: Config) -> None:
    from pipeline.alerts.channels import DIGEST_CHANNEL, make_senders
    from pipeline.alerts.outbox import Outbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        filled.smtp = SmtpConfig(host="127.0.0.1", port=controller.port, sender="nw@example.org")
        store = SQLiteStore(filled.data_dir / "newswatch.db")
        try:
            payload = recipient_email(filled, store, filled.digest.recipients[0], DAY)
        finally:
            store.close()
        box = Outbox(filled.scheduler.db_url)
        box.put(f"digest|desk@example.org|{DAY}", DIGEST_CHANNEL, payload)
        assert box.deliver_due(make_senders(filled)) == (1, 0)
    finally:
        controller.stop()
    (msg,) = inbox.messages
    assert msg["To"] == "desk@example.org" and msg["Subject"].startswith(f"Trade digest {DAY}: 3 documents")
    assert msg.is_multipart()
    html = msg.get_body(("html",)).get_content()
    assert "<svg" in html and "<script" not in html
    assert "Helena Duarte" in msg.get_body(("plain",)).get_content()


def test_scheduled_digest_job_sends_once_per_recipient_and_day(filled: Config) -> None:
    from pipeline.service.scheduler import send_recipient_digest

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        filled.smtp = SmtpConfig(host="127.0.0.1", port=controller.port, sender="nw@example.org")
        rcpt = filled.digest.recipients[0]
        assert "1 sent" in send_recipient_digest(filled, rcpt, DAY)
        assert "0 sent" in send_recipient_digest(filled, rcpt, DAY)  # a re-run (restart) sends nothing twice
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and DAY in inbox.messages[0]["Subject"]
