"""Alert rule types, story grouping, cool-down and daily cap; and an alert's trip to a real SMTP server.

Documents are invented and annotated by hand (no NLP), so each test shows one rule's behaviour.
"""

from __future__ import annotations

import time

import pytest
from aiosmtpd.controller import Controller
from mailkit import Inbox, free_port

from pipeline.alerts.rules import AlertEngine
from pipeline.config import AlertRule, ChannelConfig, Config, SchedulerConfig, SmtpConfig, Watchlist
from pipeline.ingest.ingestor import Ingestor
from storage.base import UpsertResult
from storage.models import Annotations, Document, Entity, Product, Quote, Span, Speaker, Stance, WatchEntry
from storage.sqlite_store import SQLiteStore

ENTRIES = [WatchEntry(id="duarte", name="Helena Duarte", type="person", watchlist="trade"),
           WatchEntry(id="veltrix", name="Veltrix Mobile", type="org", watchlist="trade")]


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "store.db")
    yield s
    s.close()


class Clock:
    def __init__(self, t: float = 1_780_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def mention_doc(url: str, eids: list[str], kind: str = "article", source: str = "ledger", text: str | None = None,
                **kw) -> Document:
    text = text or " ".join(f"{ENTRIES[0].name if e == 'duarte' else 'Veltrix'} spoke today." for e in eids)
    ents, pos = [], 0
    for e in eids:
        name = "Helena Duarte" if e == "duarte" else "Veltrix"
        at = text.find(name, pos)
        ents.append(Entity(text=name, start=at, end=at + len(name), label="PERSON", entity_id=e, canonical=name))
        pos = at + 1
    return Document(url=url, text=text, kind=kind, source=source, title=f"Title of {url}",
                    annotations=Annotations(entities=ents), **kw)


def engine(store, *rules: AlertRule, clock=None) -> AlertEngine:
    return AlertEngine(rules, store, ENTRIES, clock=clock or Clock())


def ingest(store, eng: AlertEngine, doc: Document) -> UpsertResult:
    return Ingestor(store, None, [eng]).ingest(doc)


def test_mention_rule_says_why_with_evidence_and_link(store) -> None:
    eng = engine(store, AlertRule(name="r", watchlist="trade", entity_ids=["duarte"]))
    ingest(store, eng, mention_doc("https://n.example/1", ["duarte", "duarte", "veltrix"]))
    (alert,) = eng.fired
    assert alert.why == "Helena Duarte mentioned 2 times" and "Helena Duarte spoke" in alert.evidence
    assert alert.url == "https://n.example/1"


def test_rule_scope_by_source_and_kind(store) -> None:
    eng = engine(store, AlertRule(name="r", watchlist="trade", sources=["shop"], kinds=["product"]))
    ingest(store, eng, mention_doc("https://n.example/1", ["duarte"], source="ledger"))
    ingest(store, eng, mention_doc("https://s.example/1", ["duarte"], kind="product", source="shop"))
    assert [a.source for a in eng.fired] == ["shop"]


def test_first_mention_fires_once_ever_even_after_restart(store) -> None:
    rule = AlertRule(name="first", watchlist="trade", type="first_mention", cooldown_s=1)
    eng = engine(store, rule)
    ingest(store, eng, mention_doc("https://n.example/1", ["duarte"]))
    ingest(store, eng, mention_doc("https://n.example/2", ["duarte"]))
    again = engine(store, rule)
    ingest(store, again, mention_doc("https://n.example/3", ["duarte", "veltrix"]))
    assert [a.entity_id for a in eng.fired] == ["duarte"] and [a.entity_id for a in again.fired] == ["veltrix"]
    assert eng.fired[0].why == "first mention ever of Helena Duarte"


def test_one_alert_per_story_not_per_copy(store) -> None:
    rule = AlertRule(name="r", watchlist="trade", cooldown_s=1)
    clock = Clock()
    eng = engine(store, rule, clock=clock)
    for i in range(3):
        doc = mention_doc(f"https://copy{i}.example/story", ["duarte"])
        doc.annotations.story_id = "story-42"  # set by the story stage at ingest
        clock.t += 10
        ingest(store, eng, doc)
    assert len(eng.fired) == 1 and eng.fired[0].story_id == "story-42" and eng.already_sent == 2


def test_cooldown_and_daily_cap(store) -> None:
    clock = Clock(1_780_000_000.0 - 1_780_000_000.0 % 86400 + 3600)  # 01:00 UTC
    eng = engine(store, AlertRule(name="r", watchlist="trade", cooldown_s=600, daily_cap=2), clock=clock)
    for i in range(3):  # within one cool-down window: one alert
        clock.t += 60
        ingest(store, eng, mention_doc(f"https://n.example/a{i}", ["duarte"]))
    assert len(eng.fired) == 1 and eng.suppressed == 2
    for i in range(3):  # later windows: the daily cap (2) stops the third
        clock.t += 601
        ingest(store, eng, mention_doc(f"https://n.example/b{i}", ["duarte"]))
    assert len(eng.fired) == 2
    clock.t += 86400  # next day: slots free again
    ingest(store, eng, mention_doc("https://n.example/c", ["duarte"]))
    assert len(eng.fired) == 3


def test_volume_spike_uses_hourly_baseline(store) -> None:
    clock = Clock()
    rule = AlertRule(name="spike", watchlist="trade", type="volume_spike", z_threshold=3.0, min_count=5,
                     baseline_hours=24)
    eng = engine(store, rule, clock=clock)
    for h in range(24):  # a quiet baseline: one mention per hour
        clock.t += 3600
        ingest(store, eng, mention_doc(f"https://n.example/base{h}", ["duarte"]))
    assert eng.fired == []
    clock.t += 3600
    for i in range(6):
        ingest(store, eng, mention_doc(f"https://n.example/burst{i}", ["duarte"]))
    (alert,) = eng.fired
    assert alert.type == "volume_spike" and alert.details["count"] == 5 and alert.details["z"] >= 3
    assert "volume spike for Helena Duarte" in alert.why


def stance_doc(url: str, label: str, score: float = 0.9) -> Document:
    text = "\u201cHelena Duarte is doing well,\u201d said Ana Reis."
    doc = mention_doc(url, ["duarte"], text=text)
    st = Stance(target="Helena Duarte", label=label, score=score, holder="Ana Reis",
                evidence=Span(text=text[1:29], start=1, end=29), entity_id="duarte")
    doc.annotations.quotes = [Quote(text=text[1:29], start=1, end=29, speaker=Speaker(text="Ana Reis"), stance=[st])]
    return doc


def test_stance_shift_toward_target(store) -> None:
    eng = engine(store, AlertRule(name="shift", watchlist="trade", type="stance_shift", target="Helena Duarte",
                                  window=3, shift=0.8))
    for i in range(3):
        ingest(store, eng, stance_doc(f"https://n.example/f{i}", "favor"))
    for i in range(2):
        ingest(store, eng, stance_doc(f"https://n.example/a{i}", "against"))
    assert eng.fired == []
    ingest(store, eng, stance_doc("https://n.example/a2", "against"))
    (alert,) = eng.fired
    assert "shifted toward against" in alert.why and alert.evidence


def test_event_rule_fires_for_chosen_types_only(store) -> None:
    eng = engine(store, AlertRule(name="deals", watchlist="trade", type="event", event_types=["deal"]))
    doc = mention_doc("https://n.example/deal", ["veltrix"], text="Veltrix signed a deal for 40 locomotives.")
    doc.annotations.events = [
        {"id": "e1", "type": "product_launch", "actors": [], "evidence": {"text": "x", "start": 0, "end": 1}},
        {"id": "e2", "type": "deal", "actors": [{"role": "company", "text": "Veltrix", "entity_id": "veltrix"}],
         "evidence": {"text": "Veltrix signed a deal", "start": 0, "end": 21}}]
    ingest(store, eng, doc)
    (alert,) = eng.fired
    assert alert.why == "new deal event involving Veltrix Mobile" and alert.evidence == "Veltrix signed a deal"


def test_link_rule_via_listener_seam(store) -> None:
    eng = engine(store, AlertRule(name="links", watchlist="trade", type="link"))
    link = {"id": "L1", "type": "co_timed", "entities": ["Veltrix Mobile"], "explanation": "launch 2 days after visit",
            "events": [{"id": "e1", "url": "https://n.example/visit"}, {"id": "e2", "url": "https://n.example/l"}]}
    eng.on_link(link)
    eng.on_link(link)
    (alert,) = eng.fired
    assert alert.entity_id == "veltrix" and alert.url == "https://n.example/visit" and "launch 2 days" in alert.why


def test_listing_rule_new_listing_then_price_change(store) -> None:
    eng = engine(store, AlertRule(name="shop", watchlist="trade", type="listing"))
    doc = mention_doc("https://s.example/mug", ["duarte"], kind="product", text="Helena Duarte mug.",
                      product=Product(name="mug", price="12.50", currency="USD"))
    ingest(store, eng, doc)
    same = mention_doc("https://s.example/mug", ["duarte"], kind="product", text="Helena Duarte mug. Ships fast.",
                       product=Product(name="mug", price="12.50", currency="USD"))
    ingest(store, eng, same)  # new text, same price: nothing
    cheaper = mention_doc("https://s.example/mug", ["duarte"], kind="product", text="Helena Duarte mug. Sale!",
                          product=Product(name="mug", price="9.99", currency="USD"))
    ingest(store, eng, cheaper)
    assert [a.why for a in eng.fired] == ["Helena Duarte: new listing USD",
                                          "Helena Duarte: price changed from 12.50 to 9.99 USD"]


def test_saved_search_rule(store) -> None:
    eng = engine(store, AlertRule(name="mugs", watchlist="trade", type="search", query='"portrait mug" -sold'))
    ingest(store, eng, Document(url="https://s.example/1", text="A portrait mug of the minister.", source="shop"))
    ingest(store, eng, Document(url="https://s.example/2", text="The portrait mug is sold out.", source="shop"))
    ingest(store, eng, Document(url="https://s.example/3", text="A mug with a portrait.", source="shop"))
    assert [a.url for a in eng.fired] == ["https://s.example/1"] and "portrait mug" in eng.fired[0].evidence


def test_a_search_rule_waits_for_the_analysis_only_when_its_query_reads_it(store) -> None:
    words = AlertRule(name="words", watchlist="trade", type="search", query="duarte source:ledger")
    stance = AlertRule(name="critics", watchlist="trade", type="search", query="duarte stance:against:duarte")
    eng = engine(store, words, stance)
    doc = mention_doc("https://l.example/1", ["duarte"])
    eng.on_arrival(doc)  # words and fields a document carries from the start: answered at once
    assert [a.rule for a in eng.fired] == ["words"]
    against = Stance(target="Helena Duarte", label="against", score=0.8, holder="author",
                     evidence=Span("spoke", 0, 5), entity_id="duarte")
    analysed = Document(url=doc.url, text=doc.text, source=doc.source, title=doc.title,
                        annotations=Annotations(entities=doc.annotations.entities, stance=[against]))
    eng.on_document(analysed, None)  # stance is known once the document is analysed
    assert [a.rule for a in eng.fired] == ["words", "critics"]


def test_alert_config_errors_are_located(tmp_path) -> None:
    from pipeline.config import ConfigError, load_config

    base = '[watchlists.trade]\nentries = [{id = "duarte", name = "Helena Duarte", type = "person"}]\n'
    cases = [('[[alerts]]\nname = "a"\nwatchlist = "trade"\ncooldown = "ten minutes"\n', r":6: alerts\[0\].cooldown"),
             ('[[alerts]]\nname = "a"\nwatchlist = "trade"\nchannels = ["pager"]\n', r":6: alerts\[0\].channels\[0\]"),
             ('[[channels]]\nname = "m"\ntype = "email"\nto = ["not-an-address"]\n', r":6: channels\[0\].to\[0\]"),
             ('[[alerts]]\nname = "a"\nwatchlist = "trade"\ntype = "search"\n', r":3: alerts\[0\].query"),
             ('[[alerts]]\nname = "a"\nwatchlist = "trade"\ntype = "search"\nquery = "duarte link:official_visit"\n',
              r":7: alerts\[0\].query: link: depends on other documents")]
    for body, where in cases:
        path = tmp_path / "nw.toml"
        path.write_text(base + body, encoding="utf-8")
        with pytest.raises(ConfigError, match=where):
            load_config(path)


# ---------------------------------------------------------------- end to end: ingest -> outbox -> SMTP




def test_alert_travels_from_ingest_to_smtp_once_even_after_restart(tmp_path, store) -> None:
    from pipeline.alerts.delivery import attach_outbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = Config(data_dir=tmp_path, smtp=SmtpConfig(host="127.0.0.1", port=controller.port, timeout_s=5),
                        scheduler=SchedulerConfig(db_url=f"sqlite:///{tmp_path / 'service.db'}"),
                        watchlists={"trade": Watchlist(name="trade", entries=ENTRIES)},
                        channels=[ChannelConfig(name="mail", type="email", to=["desk@example.org"])],
                        alerts=[AlertRule(name="r", watchlist="trade", channels=["mail"])])
        for _ in range(2):  # a second process with the same data sends nothing again
            eng = AlertEngine(config.alerts, store, ENTRIES)
            attach_outbox(eng, config)
            ingest(store, eng, mention_doc("https://n.example/1", ["duarte"]))
            deadline = time.monotonic() + 5
            while not inbox.messages and time.monotonic() < deadline:
                time.sleep(0.02)
            eng.close()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "desk@example.org" and "Helena Duarte" in inbox.messages[0]["Subject"]
