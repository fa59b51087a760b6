"""The correlator over stored events: cross-document links, incremental runs, surges, listeners, stories."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from nlp.events.pairing import EventView, PairRule, link_views, score_pair
from pipeline.correlator import Correlator, CorrelatorSettings, StoryStage
from pipeline.ingest.ingestor import Ingestor
from storage.base import UpsertResult
from storage.events_store import link_id
from storage.models import Actor, Annotations, Document, Entity, Event, EventDate, Span, WatchEntry
from storage.postgres_store import PostgresStore
from storage.sqlite_store import SQLiteStore


def _ev(etype: str, start: str, end: str | None = None, **actors: tuple[str, str | None, str | None]) -> Event:
    return Event(id="e1", type=etype, trigger=Span("x", 0, 1), confidence=0.8,
                 actors=[Actor(role, text, None, eid, country) for role, (text, eid, country) in actors.items()],
                 date=EventDate(start, end or start, None, True), evidence=Span("x", 0, 1))


def _doc(url: str, text: str, events: list[Event], source: str = "ledger", kind: str = "article",
         entities: list[Entity] | None = None, published_at: str = "2026-05-12") -> Document:
    """A document as ingest gets it: the NLP stage's events as contract dicts."""
    return Document(url=url, text=text, source=source, kind=kind, published_at=published_at,
                    annotations=Annotations(events=[e.to_dict() for e in events], entities=entities or []))


LAUNCH = _ev("product_launch", "2026-05-12", company=("Corvel Mobile", "corvel", "KR"),
             product=("Vanta 5", None, None))
VISIT = _ev("official_visit", "2026-05-11", "2026-05-14", visitor=("Ines Prado", "ines-prado", "CL"),
            host=("Seoul", None, "KR"))


class Collect:
    def __init__(self) -> None:
        self.links: list[dict[str, Any]] = []

    def on_link(self, link: dict[str, Any]) -> None:
        self.links.append(link)


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def test_events_reported_by_two_sources_are_linked_and_announced_once(store) -> None:
    heard = Collect()
    corr = Correlator(store, listeners=[heard])
    ing = Ingestor(store, None, [corr])
    ing.ingest(_doc("https://ledger.test/launch", "Corvel launched the Vanta 5.", [LAUNCH]))
    assert heard.links == []
    ing.ingest(_doc("https://wire.test/visit", "Prado arrived in Seoul.", [VISIT], source="wire"))
    (link,) = heard.links
    assert link["type"] == "co_timed" and link["rule"] == "launch_during_visit"
    assert [e["type"] for e in link["events"]] == ["official_visit", "product_launch"]  # earlier first
    assert link["gap_days"] == 1.0 and link["entities"] == ["corvel", "ines-prado"]
    assert {e["url"] for e in link["events"]} == {"https://ledger.test/launch", "https://wire.test/visit"}
    assert store.events.links()[0].id == link["id"]
    # a fresh process continues from the cursor: nothing new, nothing re-announced
    again = Collect()
    assert Correlator(store, listeners=[again]).process() == [] and again.links == []


def test_no_link_outside_the_window_or_without_the_relation(store) -> None:
    corr = Correlator(store)
    corr.es.put_events("d1", [_ev("product_launch", "2026-06-30", company=("Corvel", "corvel", "KR"))])
    corr.es.put_events("d2", [VISIT])
    corr.es.put_events("d3", [_ev("product_launch", "2026-05-12", company=("Andes Foods", None, "CL"))])
    assert corr.process() == []  # 47 days apart; a Chilean company at home is not timed to a visit to Korea


def test_rules_come_from_settings(store) -> None:
    wide = PairRule("launch_within_60_days", ("product_launch",), ("official_visit",), "company_country_is_host", 60)
    corr = Correlator(store, CorrelatorSettings(rules=(wide,)))
    corr.es.put_events("d1", [_ev("product_launch", "2026-06-30", company=("Corvel", "corvel", "KR"))])
    corr.es.put_events("d2", [VISIT])
    (link,) = corr.process()
    assert link.rule == "launch_within_60_days" and link.gap_days == 50.0


def test_incremental_runs_only_read_new_events(store) -> None:
    corr = Correlator(store)
    for i in range(50):
        corr.es.put_events(f"old{i}", [_ev("deal", "2025-01-01", company=(f"Firm {i}", None, "DE"))])
    corr.process()
    cursor = store.events.get_cursor("correlator")
    corr.es.put_events("new", [LAUNCH])
    corr.es.put_events("new2", [VISIT])
    assert len(corr.process()) == 1
    assert store.events.get_cursor("correlator") == cursor + 2


def test_a_new_process_reads_only_the_past_its_new_events_can_pair_with(store) -> None:
    first = Correlator(store)
    first.es.put_events("visit", [VISIT])
    first.es.put_events("old-visit", [_ev("official_visit", "2019-02-01", visitor=("Ines Prado", "ines-prado", "CL"),
                                          host=("Seoul", None, "KR"))])
    for i in range(30):  # years away from anything new: never read by the next process
        first.es.put_events(f"noise{i}", [_ev("deal", "2001-01-01", company=(f"Firm {i}", None, "KR"))])
    assert first.process() == []
    later = Correlator(store)  # e.g. the next crawl job
    later.es.put_events("launch", [LAUNCH])
    (link,) = later.process()
    assert {e.doc_id for e in link.events} == {"launch", "visit"}
    assert later._past is not None and len(later._past.indexed) == 2  # the 2026 visit and the new launch
    later.es.put_events("old-launch", [_ev("product_launch", "2019-02-02", company=("Corvel", "corvel", "KR"))])
    (old_link,) = later.process()  # a report about 2019: that part of the past is read now
    assert {e.doc_id for e in old_link.events} == {"old-launch", "old-visit"}


def test_listing_surge_becomes_an_event_linked_to_the_visit(store) -> None:
    entries = [WatchEntry(id="ines-prado", name="Ines Prado", type="person", country="CL")]
    corr = Correlator(store, CorrelatorSettings(surge_min_listings=3), entries=entries)
    ing = Ingestor(store, None, [corr])
    ing.ingest(_doc("https://wire.test/visit", "Prado arrived in Seoul.", [VISIT], source="wire"))
    ent = [Entity("Ines Prado", 0, 10, "PERSON", "ines-prado", "Ines Prado")]
    for i in range(3):
        ing.ingest(_doc(f"https://shop.test/item{i}", f"Ines Prado mug number {i}", [], source="shop",
                        kind="product", entities=ent, published_at="2026-05-13"))
    surges = [e for e in store.events.iter_events() if e.type == "listing_surge"]
    assert len(surges) == 1 and surges[0].event.attributes["listings"] == 3
    assert any(link.rule == "merchandise_of_visitor" for link in store.events.links())


def test_syndicated_copies_share_a_story_and_make_one_link(store) -> None:
    corr = Correlator(store)
    ing = Ingestor(store, None, [corr], stories=StoryStage(store))
    text = ("Corvel Mobile unveiled its Vanta 5 phone in Seoul on Tuesday. The phone has a large screen and a "
            "long battery life, and goes on sale next month at a price analysts called aggressive.")
    ing.ingest(_doc("https://ledger.test/a", text, [LAUNCH]))
    ing.ingest(_doc("https://copy.test/a", "SEOUL (Wire) - " + text, [LAUNCH], source="copy"))
    ing.ingest(_doc("https://other.test/z", "Rain is expected in the south this weekend, forecasters said.", []))
    ing.ingest(_doc("https://wire.test/visit", "Prado arrived in Seoul.", [VISIT], source="wire"))
    a, b, z = (store.get_by_url(u) for u in ("https://ledger.test/a", "https://copy.test/a", "https://other.test/z"))
    assert a.annotations.story_id == b.annotations.story_id == a.id
    assert z.annotations.story_id == z.id
    story = store.events.story(a.id)
    assert story["size"] == 2 and story["sources"] == ["copy", "ledger"]
    assert len(store.events.links()) == 1
    # the story index is rebuilt from the store in a new process
    assert StoryStage(store).index.story_of[b.id] == a.id


def _dense_events(n: int) -> list[Event]:
    """``n`` synthetic events over four weeks among few entities and countries: many links."""
    import random

    from pipeline.benches.events import synthetic_event

    rng = random.Random(7)
    events = []
    for i in range(n):
        ev = synthetic_event(rng, i)
        day = f"2026-03-{1 + i % 28:02d}"
        ev["date"] = {**ev["date"], "start": day, "end": day}
        del ev["summary"]  # of the original date and actors: the correlator describes the event itself
        for a in ev["actors"]:
            a["entity_id"] = f"ent{rng.randrange(12)}"
            a["country"] = rng.choice(["KR", "CL", "DE"])
        events.append(Event.from_dict(ev))
    return events


@pytest.mark.parametrize("batch", [250, 600])
def test_a_batch_pairs_as_if_its_events_had_come_one_at_a_time(tmp_path, batch: int) -> None:
    """Pairing a batch keeps the meaning of sequential pairing: each event pairs with those that arrived
    before it, the best few per rule and direction, same scores, same order."""
    events = _dense_events(600)
    at_once, one_by_one = SQLiteStore(tmp_path / "a.db"), SQLiteStore(tmp_path / "b.db")
    later = Correlator(one_by_one)
    for i in range(0, 600, 2):  # two events per document
        for store in (at_once, one_by_one):
            store.events.put_events(f"doc{i}", events[i:i + 2], url=f"https://t.test/{i}")
        later.process()
    found = Correlator(at_once, CorrelatorSettings(batch=batch)).process()
    batch_links = [(x.id, x.score, x.explanation) for x in at_once.events.links()]
    assert len(batch_links) > 300 and [x.id for x in found] == [x[0] for x in batch_links]
    assert batch_links == [(x.id, x.score, x.explanation) for x in one_by_one.events.links()]


def test_a_long_visit_and_a_document_analysed_again(store) -> None:
    corr = Correlator(store)
    ing = Ingestor(store, None, [corr])
    tour = _ev("official_visit", "2026-04-28", "2026-05-09", visitor=("Ines Prado", "ines-prado", "CL"),
               host=("Seoul", None, "KR"))
    ing.ingest(_doc("https://wire.test/tour", "Prado's twelve-day tour of Korea.", [tour], source="wire"))
    ing.ingest(_doc("https://ledger.test/launch", "Corvel launched the Vanta 5.", [LAUNCH]))
    (link,) = store.events.links()  # the launch three days after the tour's last day, twelve days after its first
    assert link.gap_days == 14.0 and "(14 days apart)" in link.explanation
    # the tour page is corrected: no visit any more, so a new launch during it is timed to nothing
    ing.ingest(_doc("https://wire.test/tour", "Prado's tour of Korea was called off.", [], source="wire"))
    later = _ev("product_launch", "2026-05-02", company=("Hallan Motors", "hallan", "KR"))
    ing.ingest(_doc("https://ledger.test/hallan", "Hallan launched a van.", [later]))
    assert len(store.events.links()) == 1


def test_a_stored_link_has_the_score_of_score_pair(store) -> None:
    from dataclasses import replace

    from nlp.events.pairing import DEFAULT_RULES, EventView, score_pair

    rule = next(r for r in DEFAULT_RULES if r.name == "launch_during_visit")
    for days_apart, conf in ((0, 0.8), (2, 0.37), (3, 0.93)):
        day = f"2026-05-{17 + days_apart}"
        launch = replace(LAUNCH, confidence=conf, date=EventDate(day, day, None, True))
        visit = replace(VISIT, confidence=0.61, date=EventDate("2026-05-15", "2026-05-17", None, True))
        store.events.put_events(f"launch{days_apart}", [launch])
        store.events.put_events(f"visit{days_apart}", [visit])
        (link,) = [x for x in Correlator(store).process() if x.rule == rule.name]
        expected = score_pair(rule, EventView.of("a", launch), EventView.of("b", visit))
        assert expected is not None and link.score == expected[0], days_apart
        store.events.put_events(f"launch{days_apart}", [])
        store.events.put_events(f"visit{days_apart}", [])




def _random_documents(rng: random.Random, n: int) -> list[list[Event]]:
    """``n`` documents of one to three events over six weeks among few parties: long visits (the index
    widens its day range by the longest), undated events (paired within their text only), actors with and
    without watchlist ids (join keys by name, last word or country)."""
    from pipeline.benches.events import synthetic_event

    docs = []
    for _ in range(n):
        events = []
        for i in range(rng.choice((1, 1, 2, 3))):
            ev = synthetic_event(rng, i)
            del ev["summary"]
            first = 738000 + rng.randrange(42)
            last = first + (rng.choice((0, 1, 3, 12, 25)) if ev["type"] == "official_visit" else 0)
            undated = rng.random() < 0.05
            ev["date"] = {"start": None if undated else date.fromordinal(first).isoformat(),
                          "end": None if undated else date.fromordinal(last).isoformat(), "text": None,
                          "resolved": not undated}
            for a in ev["actors"]:
                who = rng.randrange(15)
                a["entity_id"] = f"ent{who}" if rng.random() < 0.6 else None
                a["text"] = rng.choice((f"Name Person{who}", f"Person{who}", f"Dr Person{who}"))
                a["country"] = rng.choice(["KR", "CL", "DE", None])
            events.append(Event.from_dict(ev))
        docs.append(events)
    return docs


def _links_of_every_pair(arrivals: list[tuple[str, list[Event]]], settings: CorrelatorSettings
                         ) -> list[tuple[str, str, tuple[str, str], float, float | None]]:
    """What the correlator means, without its index: each document's own links when it arrives, then each of
    its events against every dated event of the documents before it (not replaced since), the best
    ``max_links_per_event`` per rule and side; of links between the same two happenings the first is kept."""
    from pipeline.correlator import _MAIN_ROLES

    def happening(v: EventView) -> str:
        roles = _MAIN_ROLES.get(v.type, ("agency", "target"))
        actor = next(((a.entity_id or a.text.lower()) for a in v.role(*roles)), None)
        return f"{v.type}|{actor or v.key}|{v.start.isoformat() if v.start else 'None'}"

    found = []
    earlier: dict[str, list[EventView]] = {}
    for doc_id, events in arrivals:
        earlier.pop(doc_id, None)  # analysed again: its former events are gone
        views = [EventView.of(f"{doc_id}:{e.id}", e) for e in events]
        for link in link_views(views, settings.rules) if len(views) > 1 else []:
            a, b = (next(v for v in views if v.key == key) for key in link["events"])
            found.append((link_id(link["rule"], [happening(a), happening(b)]), link["rule"], (a.key, b.key),
                          link["score"], link["gap_days"]))
        past = [w for ws in earlier.values() for w in ws]
        for v in views:
            for rule in settings.rules:
                for side, types in (("first", rule.first), ("second", rule.second)):
                    if v.type not in types or v.start is None:
                        continue
                    scored = []
                    for order, w in enumerate(past):
                        a, b = (v, w) if side == "first" else (w, v)
                        pair = score_pair(rule, a, b)
                        if pair is not None:
                            scored.append((-pair[0], order, a, b, pair[1]))
                    for negative, _, a, b, gap in sorted(scored, key=lambda s: s[:2])[:settings.max_links_per_event]:
                        ends = (a, b) if a.first_day <= b.first_day else (b, a)
                        found.append((link_id(rule.name, (happening(a), happening(b))), rule.name,
                                      (ends[0].key, ends[1].key), -negative, gap))
        earlier[doc_id] = [v for v in views if v.start is not None]
    first: dict[str, tuple[str, str, tuple[str, str], float, float | None]] = {}
    for one in found:
        first.setdefault(one[0], one)
    return list(first.values())


def test_the_index_finds_exactly_the_links_of_comparing_every_pair(store) -> None:
    """The index (join keys, start days, the longest event, the past read by date) is a shortcut only: on a
    seeded random set, in several runs, one of them a new process, and with documents analysed again, the
    stored links are exactly those of comparing each event with every earlier one."""
    rng = random.Random(11)
    settings = CorrelatorSettings()
    corr = Correlator(store, settings)
    arrivals: list[tuple[str, list[Event]]] = []
    documents = _random_documents(rng, 620)
    for n, events in enumerate(documents[:600]):
        doc_id = Document(url=f"https://t.test/{n}", text="x").id
        arrivals.append((doc_id, events))
        store.events.put_events(doc_id, events, url=f"https://t.test/{n}")
        if n % 150 == 149:
            corr.process()
            if n == 299:
                corr = Correlator(store, settings)  # a new process reads the past it needs from the store
            for events_again in documents[600 + n // 150 * 5:605 + n // 150 * 5]:  # analysed again, via ingest
                doc = _doc(f"https://t.test/{rng.randrange(n)}", "x", events_again)
                arrivals.append((doc.id, events_again))
                corr.on_document(doc, UpsertResult(doc.id, "updated", 2))
    corr.process()
    expected = _links_of_every_pair(arrivals, settings)
    stored = [(x.id, x.rule, (x.events[0].id, x.events[1].id), x.score, x.gap_days) for x in store.events.links()]
    assert len(expected) > 500 and stored == expected


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_code(pg_dsn: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[Callable[[str], str]]:
    """Python that opens a store of the backend by name (for this test and for a subprocess)."""
    if request.param == "sqlite":
        yield lambda name: f"SQLiteStore({str(tmp_path / (name + '.db'))!r})"
        return
    prefix = "nw_test_" + uuid.uuid4().hex[:10]
    yield lambda name: f"PostgresStore({pg_dsn!r}, schema={prefix + '_' + name!r})"
    for name in ("killed", "clean"):
        cleanup = PostgresStore(pg_dsn, schema=f"{prefix}_{name}")
        cleanup.drop_schema()
        cleanup.close()


@pytest.mark.parametrize("dies", ["inside the first batch", "after the first batch"])
def test_a_correlator_killed_while_its_links_are_written_loses_nothing_it_stored(store_code, dies: str) -> None:
    """A batch's links and its cursor are one transaction: killed inside it, the batch's links are gone and
    the cursor has not moved past it; killed after it, the batch stays with its cursor. Either way the next
    run ends with exactly the links of a run that was never killed."""
    import signal
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    events = _dense_events(600)
    for name in ("killed", "clean"):
        with eval(store_code(name)) as store:  # noqa: S307 - our own constructor call
            for i in range(0, 600, 2):
                store.events.put_events(f"doc{i}", events[i:i + 2], url=f"https://t.test/{i}")
    patched = "_write_cursor" if dies == "inside the first batch" else "add_links"
    script = textwrap.dedent(f"""
        import os, signal
        import pipeline.correlator as correlator
        from storage.events_store import _EventStoreBase
        from storage.postgres_store import PostgresStore
        from storage.sqlite_store import SQLiteStore

        original = _EventStoreBase.{patched}

        def then_die(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            print("killed", flush=True)  # inside the transaction (the cursor written) or after its commit
            os.kill(os.getpid(), signal.SIGKILL)

        _EventStoreBase.{patched} = then_die
        correlator.Correlator({store_code("killed")}, correlator.CorrelatorSettings(batch=500)).process()
        """)
    repo = Path(__file__).resolve().parents[3]
    proc = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL and proc.stdout.strip() == "killed", proc.stderr
    with eval(store_code("killed")) as store:  # noqa: S307
        stored, cursor = store.events.links(), store.events.get_cursor("correlator")
        if dies == "inside the first batch":
            assert stored == [] and cursor == 0 and store.events.docs_for_link_key("any") == set()
        else:
            assert stored and cursor == store.events.events_after(0, 500)[-1].eseq
        Correlator(store, CorrelatorSettings(batch=500)).process()
        after = [x.id for x in store.events.links()]
    with eval(store_code("clean")) as clean:  # noqa: S307
        Correlator(clean, CorrelatorSettings(batch=500)).process()
        never_killed = [x.id for x in clean.events.links()]
    assert len(after) > 300 and after == never_killed


def test_a_failing_run_raises_its_own_error_even_when_a_listener_fails_too(tmp_path, monkeypatch) -> None:
    """The links of batches stored before a failure are still announced; a listener failing then must not
    hide the failure itself (it is added to it as a note)."""
    store = SQLiteStore(tmp_path / "s.db")
    events = _dense_events(200)
    for i in range(0, 200, 2):
        store.events.put_events(f"doc{i}", events[i:i + 2], url=f"https://t.test/{i}")

    class Broken:
        def on_link(self, link: dict[str, Any]) -> None:
            raise RuntimeError("alert channel down")

    corr = Correlator(store, CorrelatorSettings(batch=100), listeners=[Broken()])
    real = Correlator._pair_batch
    batches = []

    def second_batch_fails(self, batch):
        batches.append(batch)
        if len(batches) == 2:
            raise ValueError("disk full")
        return real(self, batch)

    monkeypatch.setattr(Correlator, "_pair_batch", second_batch_fails)
    with pytest.raises(ValueError, match="disk full") as failed:
        corr.process()
    assert any("alert channel down" in note for note in failed.value.__notes__)
    stored = store.events.links()
    assert stored and store.events.get_cursor("correlator") == batches[0][-1].eseq  # the first batch was kept
    store.close()
