"""What only the SQLite backend promises: migrations, WAL durability, its tokenizer, open_store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import apsw
import pytest

from storage.base import StoreError
from storage.common import DOC_COLUMNS, doc_row
from storage.models import Document, utc_now_iso
from storage.open import open_store
from storage.sqlite_store import MIGRATIONS, SQLiteStore, connect, migrate, schema_version
from storage.text_search import tokenize

REPO = Path(__file__).resolve().parents[2]


def test_opening_an_older_schema_migrates_and_indexes_existing_documents(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    db = connect(path)
    migrate(db, target=1)
    d = Document(url="https://old.test/1", text="Written before search existed: 维创移动.")
    cols = ", ".join((*DOC_COLUMNS, "stored_at", "seq"))
    db.execute(
        f"INSERT INTO documents({cols}) VALUES ({', '.join('?' * (len(DOC_COLUMNS) + 2))})",
        (*doc_row(d, 1), utc_now_iso(), 1),
    )
    db.close()

    with SQLiteStore(path) as store:
        assert store.search("维创").total == 1
        assert store.search("search").total == 1
    db = apsw.Connection(path)
    assert schema_version(db) == len(MIGRATIONS)
    db.close()


def test_links_stored_by_the_first_event_schema_stay_findable_after_migrating(tmp_path: Path) -> None:
    path = str(tmp_path / "links-v4.db")
    db = connect(path)
    migrate(db, target=4)  # links indexed as (key, document) rows in link_keys
    data = {"id": "old-link", "type": "co_timed", "rule": "launch_during_visit", "events": [], "score": 0.5}
    db.execute("INSERT INTO links(lid, created_at, rule, score, data) VALUES ('old-link', '2026-01-02', "
               "'launch_during_visit', 0.5, ?)", (json.dumps(data),))
    db.executemany("INSERT INTO link_keys(key, doc_id) VALUES (?, ?)",
                   [(k, d) for k in ("id:old-link", "any", "launch_during_visit", "kestrel") for d in ("a", "b")])
    db.close()
    with SQLiteStore(path) as store:
        for key in ("old-link", "any", "launch_during_visit", "kestrel"):
            assert store.docs_for_link_key(key) == {"a", "b"}, key
        new = {"id": "new-link", "type": "co_timed", "rule": "launch_during_visit", "gap_days": 0.0, "score": 0.7,
               "entities": ["kestrel", "anna", "third-party"], "explanation": "timed",
               "events": [{"id": "c:e1", "type": "product_launch", "doc_id": "c"},
                          {"id": "d:e1", "type": "official_visit", "doc_id": "d"}]}
        assert len(store.add_links([new])) == 1
        assert store.docs_for_link_key("kestrel") == {"a", "b", "c", "d"}
        assert store.docs_for_link_key("third-party") == {"c", "d"}  # beyond two entities: link_keys rows
        assert store.docs_for_link_key("new-link") == {"c", "d"}
        assert store.docs_for_link_key("any") == {"a", "b", "c", "d"}
        assert [link["id"] for link in store.links()] == ["old-link", "new-link"]
        assert store.add_links([{**new, "id": "old-link"}]) == []  # its id moved to link_ids: not new again


def test_a_newer_schema_version_asks_to_upgrade_newswatch(tmp_path: Path) -> None:
    path = str(tmp_path / "new.db")
    SQLiteStore(path).close()
    db = apsw.Connection(path)
    db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
    db.close()
    with pytest.raises(StoreError, match="upgrade newswatch"):
        SQLiteStore(path)


def test_wal_mode_is_on(tmp_path: Path) -> None:
    path = str(tmp_path / "wal.db")
    SQLiteStore(path).close()
    db = apsw.Connection(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_a_committed_upsert_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "kill.db"
    script = textwrap.dedent(
        f"""
        import sys, time
        from storage.models import Document
        from storage.sqlite_store import SQLiteStore
        store = SQLiteStore({str(path)!r})
        for i in range(20):
            store.upsert(Document(url=f"https://k.test/{{i}}", text=f"document {{i}} survives"))
        print("done", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "done"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with SQLiteStore(path) as store:
        assert store.count() == 20
        assert store.search("survives").total == 20


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii words only",
        "Le café à l'Élysée",
        "维创移动发布新手机",
        "iPhone维创 版本, 索尼 and ソニー 삼성전자가 𠀀𠀁 test",
    ],
)
def test_fts5_tokenizer_agrees_with_the_python_tokenizer(tmp_path: Path, text: str) -> None:
    """Snippets, highlights and PostgreSQL use the Python tokens: they must be FTS5's tokens."""
    db = connect(str(tmp_path / "t.db"))
    tok = db.fts5_tokenizer("newswatch")
    utf8 = text.encode()
    got = [(utf8[:s].decode(), utf8[s:e].decode(), t[0]) for s, e, *t in tok(utf8, apsw.FTS5_TOKENIZE_DOCUMENT, None)]
    want = [(text[:s], text[s:e], t) for s, e, t in tokenize(text)]
    assert got == want
    db.close()


def test_open_store_accepts_sqlite_urls_and_bare_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url, made in [
        ("sqlite:///rel/dir/a.db", tmp_path / "rel/dir/a.db"),
        (f"sqlite:///{tmp_path}/abs/b.db", tmp_path / "abs/b.db"),
        ("bare/c.db", tmp_path / "bare/c.db"),
    ]:
        store = open_store(url)
        store.close()
        assert made.exists(), url


def test_open_store_unknown_scheme_names_the_url_and_accepted_forms() -> None:
    with pytest.raises(StoreError) as err:
        open_store("mysql://db/x")
    assert "mysql://db/x" in str(err.value) and "sqlite:///" in str(err.value) and "postgresql://" in str(err.value)


def test_versions_keep_full_documents(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "v.db") as store:
        store.upsert(Document(url="https://v.test/1", text="one", title="T"))
        store.upsert(Document(url="https://v.test/1", text="two", title="T"))
        versions = store.versions(Document(url="https://v.test/1", text="").id)
        assert [json.loads(json.dumps(v.to_dict()))["text"] for v in versions] == ["one", "two"]


def test_event_arrival_numbers_keep_rising_across_the_migration(tmp_path: Path) -> None:
    path = str(tmp_path / "events-v6.db")
    db = connect(path)
    migrate(db, target=6)  # events.eseq a plain INTEGER PRIMARY KEY
    for n in (1, 2, 3):
        db.execute("INSERT INTO events(ekey, doc_id, type, confidence, data, stored_at) "
                   "VALUES (?, 'doc', 'deal', 0.5, '{}', 'now')", (f"doc:e{n}",))
    db.execute("INSERT INTO cursors(name, value) VALUES ('correlator', 5)")
    db.execute("DELETE FROM events WHERE eseq > 1")  # the newest document's events, dropped before migrating
    db.close()
    with SQLiteStore(path) as store:
        store.put_events("doc", [{"id": "e9", "type": "deal", "confidence": 0.5}])
        assert [e.eseq for e in store.events_after(0)] == [6]  # past the correlator's cursor


def _link(a: str, b: str) -> dict:
    from storage.link_rows import link_id

    return {"id": link_id("launch_during_visit", [a, b]), "type": "co_timed", "rule": "launch_during_visit",
            "gap_days": 0.0, "score": 0.5, "entities": ["kestrel"], "explanation": "timed",
            "events": [{"id": f"{a}:e1", "type": "product_launch", "doc_id": a},
                       {"id": f"{b}:e1", "type": "official_visit", "doc_id": b}]}


def test_links_come_from_a_writer_thread_only_for_a_store_in_a_file_outside_a_transaction(tmp_path) -> None:
    from storage.link_writer import BufferedLinkSink, SQLiteLinkWriter
    from storage.sqlite_tx import sqlite_transaction

    store = SQLiteStore(tmp_path / "s.db")
    with store.link_sink() as sink:
        assert isinstance(sink, SQLiteLinkWriter)
        sink.add([_link("a", "b")])
    with sqlite_transaction(store._db), store.link_sink() as sink:  # the caller holds the write lock
        assert isinstance(sink, BufferedLinkSink)
        sink.add([_link("c", "d")])
    with store.link_sink(background=False) as sink:
        assert isinstance(sink, BufferedLinkSink)
    assert len(store.links()) == 2
    store.close()
    memory = SQLiteStore(":memory:")
    with memory.link_sink() as sink:
        assert isinstance(sink, BufferedLinkSink)
    memory.close()


def test_a_writer_thread_that_cannot_write_fails_the_block_and_stores_nothing(tmp_path, monkeypatch) -> None:
    store = SQLiteStore(tmp_path / "s.db")

    def no_second_connection() -> apsw.Connection:
        raise apsw.CantOpenError("unable to open database file")

    monkeypatch.setattr(store, "_connect_again", no_second_connection)
    with pytest.raises(apsw.CantOpenError), store.link_sink() as sink:
        sink.add([_link("a", "b")])
    assert store.links() == []
    store.close()


def test_the_writer_thread_has_ended_when_the_store_is_closed(tmp_path) -> None:
    import threading

    store = SQLiteStore(tmp_path / "s.db")
    with store.link_sink() as sink:
        sink.add([_link(f"a{i}", f"b{i}") for i in range(3000)])  # more than one statement's worth
    assert len(sink.new) == 3000
    store.close()  # waits for the WAL checkpoint that follows the commit
    assert not any(t.name == "newswatch-link-writer" for t in threading.enumerate())
    reopened = SQLiteStore(tmp_path / "s.db")
    assert len(reopened.links()) == 3000 and reopened.docs_for_link_key("kestrel") >= {"a0", "b2999"}
    reopened.close()


@pytest.mark.parametrize("entities", [["kestrel", "Ana Ruiz"], [], ["", "x"], ["a\x1fb"], ["Łódź-Werke", "東芝"]])
def test_an_encoded_link_is_stored_as_the_same_plain_dict_would_be(tmp_path, entities) -> None:
    """The correlator's links carry their row, worked out when they are built; a store must not tell
    them from plain dicts, by either write path (the writer thread's SQL and add_links)."""
    from storage.link_rows import co_timed_link, link_fields

    plain = {**_link("a", "b"), "entities": entities, "gap_days": 2.0, "explanation": "timed <b>2</b> days"}
    ea, eb = plain["events"]
    encoded = co_timed_link(plain["id"], plain["rule"], plain["score"], plain["gap_days"], list(entities),
                            plain["explanation"], (ea, "a", "a:e1", "product_launch"),
                            (eb, "b", "b:e1", "official_visit"))
    assert encoded == plain
    mine, theirs = link_fields(encoded), link_fields(plain)
    assert mine[:3] + mine[4:] == theirs[:3] + theirs[4:]  # [3]: the JSON of links the columns cannot hold
    assert (mine[3] and json.loads(mine[3])) == (theirs[3] and json.loads(theirs[3]))
    stored = []
    for i, background in enumerate((True, False)):
        store = SQLiteStore(tmp_path / f"{i}.db")
        with store.link_sink(background=background) as sink:
            sink.add([encoded])
        assert [{**x, "created_at": None} for x in sink.new] == [{**plain, "created_at": None}]
        stored.append([{k: v for k, v in x.items() if k != "created_at"} for x in store.links()])
        if entities and entities[0]:
            assert store.docs_for_link_key(entities[0]) == {"a", "b"}
        store.close()
    assert stored[0] == stored[1] and stored[0][0]["entities"] == entities


def test_scores_and_gaps_keep_every_bit_through_the_writer_threads_json(tmp_path) -> None:
    """The writer thread hands rows to SQLite as JSON text: SQLite's text-to-real conversion must give back
    the very floats the correlator computed (it is exact in the SQLite that apsw ships; this checks it)."""
    import random

    rng = random.Random(5)
    links = []
    for i in range(3000):
        link = _link(f"a{i}", f"b{i}")
        link["score"] = round(rng.random(), 4) if i % 2 else rng.random()
        link["gap_days"] = rng.uniform(0, 400) if i % 3 else float(rng.randrange(40))
        links.append(link)
    store = SQLiteStore(tmp_path / "s.db")
    with store.link_sink() as sink:
        sink.add(links)
    got = {x["id"]: (x["score"], x["gap_days"]) for x in store.links()}
    assert got == {x["id"]: (x["score"], x["gap_days"]) for x in links}
    store.close()
