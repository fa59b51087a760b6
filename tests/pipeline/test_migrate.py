"""``newswatch migrate``: SQLite -> PostgreSQL -> SQLite with nothing lost, idempotent, resumable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.migrate import fingerprint
from storage.base import Store, StoreError
from storage.events_store import link_id
from storage.models import Annotations, Document, Entity, Event, FetchRecord, Link
from storage.open import open_store

pytestmark = pytest.mark.postgres


def _event(eid: str, etype: str, day: str) -> Event:
    return Event.from_dict({"id": eid, "type": etype, "confidence": 0.7,
                            "trigger": {"text": "opened", "start": 0, "end": 6},
                            "actors": [{"role": "company", "text": "Orrin Tools", "entity_id": "orrin"}],
                            "date": {"start": day, "end": day, "text": "on Monday", "resolved": True},
                            "evidence": {"text": "opened", "start": 0, "end": 6}})


def _fill(store: Store, n: int = 12) -> None:
    """Invented documents (two with older versions, one product), their events, a link and alert marks."""
    for i in range(n):
        doc = Document(url=f"https://gazette.test/story/{i}", source="gazette" if i % 3 else "wire",
                       title=f"Orrin Tools opens plant {i}", text=f"Orrin Tools opened plant number {i} in Tarvo.",
                       published_at=f"2026-02-{i + 1:02d}", lang="en",
                       annotations=Annotations(entities=[Entity("Orrin Tools", 0, 11, "ORG", "orrin", "Orrin Tools")],
                                               tone=0.1 * i))
        store.upsert(doc)
        if i < 2:  # two later versions with new text
            for v in (2, 3):
                store.upsert(Document(url=doc.url, source=doc.source, title=doc.title,
                                      text=f"{doc.text} Update {v}.", published_at=doc.published_at))
        store.events.put_events(doc.id, [_event("e1", "facility_opening", f"2026-02-{i + 1:02d}")],
                                url=doc.url, source=doc.source, kind="article", published_at=doc.published_at)
    a, b = (Document(url=f"https://gazette.test/story/{i}", text="x").id for i in (0, 1))
    ends = [{"id": f"{d}:e1", "type": "facility_opening", "doc_id": d} for d in (a, b)]
    store.events.add_links([Link.from_dict({"id": link_id("same_week", [e["id"] for e in ends]), "rule": "same_week",
                                            "score": 0.6, "entities": ["orrin"], "explanation": "same week",
                                            "events": ends})])
    for i in range(5):
        store.mark_once("alerts", f"doc{i}:rule-plant", f"sent {i}")
    # Story 0's events arrive again after the others (a re-analysis): arrival order is no longer document
    # order, and the correlator has read up to story 5's event only.
    d0 = Document(url="https://gazette.test/story/0", text="x").id
    d5 = Document(url="https://gazette.test/story/5", text="x").id
    store.events.put_events(d0, [_event("e1", "facility_opening", "2026-02-01")], url="https://gazette.test/story/0",
                            source="wire", kind="article", published_at="2026-02-01")
    store.events.set_cursor("correlator", store.events.events_of(d5)[0].eseq)
    store.crawl.source_event("gazette", pages_fetched=7, items_stored=6, empty_bodies=1, not_modified=2,
                             success_at="2026-02-03T10:00:00Z", delay_s=0.25)
    store.crawl.source_event("gazette", pages_fetched=3, delay_s=1.5)
    store.crawl.source_event("wire", pages_fetched=2, items_stored=2)
    for _ in range(3):  # three 404s in a row: left alone for days
        store.crawl.record_gone("gazette", "https://gazette.test/gone", 404)
    store.crawl.record_gone("wire", "https://wire.test/removed", 410)
    store.quarantine("https://gazette.test/huge", "gazette", "too_large", "12 MB")
    store.quarantine("https://gazette.test/huge", "gazette", "too_large", "12 MB")  # twice: kept twice
    for i in range(4):  # stories: 0-1-2 one story, 3 alone
        store.events.put_story_member(Document(url=f"https://gazette.test/story/{i}", text="x").id,
                                      "s-0" if i < 3 else "s-3", "gazette" if i % 3 else "wire",
                                      f"2026-02-0{i + 1}T00:00:00Z", bytes([i]) * 16 if i != 2 else None)
    store.events.count_listing("orrin", "2026-02-01", 3)
    store.events.count_listing("orrin", "2026-02-02")
    store.crawl.crawl_begin("gazette")  # an unfinished crawl: two pages done, one pending
    for i in range(3):
        store.crawl.frontier_add("gazette", f"https://gazette.test/story/{i}", {"url": f"https://gazette.test/story/{i}"})
    for i in range(2):
        store.crawl.frontier_done("gazette", f"https://gazette.test/story/{i}",
                                  FetchRecord(f"https://gazette.test/story/{i}", etag=f'"v{i}"', content_hash=f"h{i}"))


@pytest.fixture
def urls(pg_dsn: str, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A filled SQLite store, an empty PostgreSQL schema, and an empty SQLite path to come back to."""
    schema = "nw_test_" + uuid.uuid4().hex[:12]
    pg = f"{pg_dsn}?schema={schema}"
    try:
        open_store(pg).close()
    except StoreError as e:
        pytest.skip(f"PostgreSQL not reachable at {pg_dsn}: {e}")
    src = f"sqlite:///{tmp_path / 'src.db'}"
    store = open_store(src)
    _fill(store)
    store.close()
    yield src, pg, f"sqlite:///{tmp_path / 'back.db'}"
    from storage.postgres_store import PostgresStore

    cleanup = PostgresStore(pg_dsn, schema=schema)
    cleanup.drop_schema()
    cleanup.close()


def _prints(urls: list[str]) -> list[dict[str, tuple[int, str]]]:
    out = []
    for url in urls:
        s = open_store(url)
        out.append(fingerprint(s))
        s.close()
    return out


def test_round_trip_moves_everything_and_a_second_run_moves_nothing(urls, capsys) -> None:
    src, pg, back = urls
    assert main(["migrate", "--from", src, "--to", pg]) == 0
    out = capsys.readouterr()
    table = {r[0]: [r[1], r[2], r[-1]] for r in (line.split() for line in out.out.splitlines()[1:])}
    checksums = {r[0]: r[3:5] for r in (line.split() for line in out.out.splitlines()[1:])}
    assert all(len(a) == 15 and a == b for a, b in checksums.values())
    assert table["documents"] == ["12", "12", "yes"] and table["versions"] == ["16", "16", "yes"]
    assert table["events"] == ["12", "12", "yes"] and table["links"] == ["1", "1", "yes"]
    assert table["marks"] == ["5", "5", "yes"] and table["annotations"][-1] == "yes"
    assert table["crawl_frontier"] == ["3", "3", "yes"] and table["crawl_fetches"] == ["2", "2", "yes"]
    assert table["source_health"] == ["2", "2", "yes"] and table["crawl_gone"] == ["2", "2", "yes"]
    assert table["quarantine"] == ["2", "2", "yes"] and table["stories"] == ["6", "6", "yes"]
    assert table["listing_counts"] == ["2", "2", "yes"] and table["cursors"] == ["1", "1", "yes"]
    assert main(["migrate", "--from", pg, "--to", back]) == 0
    capsys.readouterr()
    first, middle, last = _prints([src, pg, back])
    assert first == middle == last
    assert main(["migrate", "--from", src, "--to", pg]) == 0
    assert ("moved: 0 documents, 0 versions, 0 events, 0 links, 0 marks, 0 crawl_frontier, "
            "0 crawl_fetches") in capsys.readouterr().err
    s = open_store(pg)
    try:
        doc = s.get_by_url("https://gazette.test/story/1")
        assert doc is not None and doc.version == 3 and [v.version for v in s.versions(doc.id)][:2] == [1, 2]
        assert s.search("Tarvo").total == 12  # the target's own full-text index was filled
        assert [p["url"] for p in s.crawl.crawl_begin("gazette")] == ["https://gazette.test/story/2"]  # resumes
        assert s.crawl.fetch_record("https://gazette.test/story/1").etag == '"v1"'
        _assert_state_moved(s)
    finally:
        s.close()


def _assert_state_moved(s: Store) -> None:
    """What a user of the moved store would see of its health, backoff, stories and correlator."""
    health = {h["source"]: h for h in s.crawl.source_health()}
    assert health["gazette"]["pages_fetched"] == 10 and health["gazette"]["not_modified"] == 2
    assert health["gazette"]["median_delay_s"] == 0.875 and health["gazette"]["gone_pages"] == 1
    assert health["gazette"]["errors"] == {"too_large": 2} and health["wire"]["items_stored"] == 2
    assert s.crawl.gone_until("https://gazette.test/gone") is not None  # still backed off, as in the source
    assert s.crawl.gone_until("https://wire.test/removed") is not None
    d0 = Document(url="https://gazette.test/story/0", text="x").id
    story = s.events.story(s.events.story_of(d0) or "")
    assert story is not None and story["size"] == 3 and story["lead_doc_id"] == d0
    assert s.events.listing_counts("orrin", "2026-02-01", "2026-02-02") == {"2026-02-01": 3, "2026-02-02": 1}
    # The correlator goes on after story 5's event: the six after it (story 0's re-arrival last), no more.
    after = s.events.events_after(s.events.get_cursor("correlator"))
    assert [e.url for e in after][-1] == "https://gazette.test/story/0" and len(after) == 7


def test_a_run_stopped_part_way_resumes_where_it_stopped(urls, capsys) -> None:
    src, pg, _ = urls
    assert main(["migrate", "--from", src, "--to", pg, "--limit", "5"]) == 0
    assert "run again" in capsys.readouterr().err
    s = open_store(pg)
    assert s.count() == 5
    s.close()
    assert main(["migrate", "--from", src, "--to", pg]) == 0
    assert "moved: 7 documents" in capsys.readouterr().err
    assert _prints([src])[0] == _prints([pg])[0]


def test_a_target_that_differs_is_reported_and_exits_1(urls, capsys) -> None:
    src, pg, _ = urls
    assert main(["migrate", "--from", src, "--to", pg]) == 0
    s = open_store(pg)
    s.mark_once("alerts", "only-in-target")
    s.close()
    capsys.readouterr()
    assert main(["migrate", "--from", src, "--to", pg]) == 1
    captured = capsys.readouterr()
    assert "marks" in captured.err and "differs" in captured.err
    assert any(line.startswith("marks") and line.endswith("NO") for line in captured.out.splitlines())


def test_a_document_killed_between_its_versions_is_finished(urls, capsys) -> None:
    """A run killed after writing some of a document's versions: the next one writes only the rest."""
    src, pg, _ = urls
    s, t = open_store(src), open_store(pg)
    try:
        doc = s.get_by_url("https://gazette.test/story/0")
        assert doc is not None and doc.version == 3
        first = [v for v in s.versions(doc.id) if v.version == 1][0]
        t.upsert(first)  # as if the process died after version 1
    finally:
        s.close()
        t.close()
    assert main(["migrate", "--from", src, "--to", pg]) == 0
    assert "moved: 12 documents, 15 versions" in capsys.readouterr().err  # version 1 of story 0 was there
    assert _prints([src])[0] == _prints([pg])[0]
