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
    table = {line.split()[0]: line.split()[1:] for line in out.out.splitlines()[1:]}
    assert table["documents"] == ["12", "12", "yes"] and table["versions"] == ["16", "16", "yes"]
    assert table["events"] == ["12", "12", "yes"] and table["links"] == ["1", "1", "yes"]
    assert table["marks"] == ["5", "5", "yes"] and table["annotations"][-1] == "yes"
    assert table["crawl_frontier"] == ["3", "3", "yes"] and table["crawl_fetches"] == ["2", "2", "yes"]
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
    finally:
        s.close()


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
