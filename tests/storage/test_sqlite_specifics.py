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
from storage.models import Document, Event, utc_now_iso
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


def test_a_store_from_before_the_facet_index_gets_it_and_still_counts_facets(tmp_path: Path) -> None:
    path = str(tmp_path / "before-facets.db")
    with SQLiteStore(path) as store:
        store.upsert_many([Document(url=f"https://old.test/{i}", text=f"Copper note {i}.", source=f"s{i % 2}",
                                    published_at=f"2026-05-0{1 + i % 3}") for i in range(6)])
    db = apsw.Connection(path)  # as a store written by the newswatch before that migration left it
    db.execute("DROP INDEX documents_facets; UPDATE schema_version SET version = 9")
    db.close()

    with SQLiteStore(path) as store:
        result = store.search("copper", facets=["source", "day"], limit=0)
        assert result.total == 6
        assert result.facets == {"source": {"s0": 3, "s1": 3}, "day": {"2026-05-01": 2, "2026-05-02": 2,
                                                                       "2026-05-03": 2}}
    db = apsw.Connection(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'documents_facets'").fetchone()
    db.close()


def test_a_store_from_before_the_facet_combinations_gets_them_without_loss(tmp_path: Path) -> None:
    path = str(tmp_path / "before-combos.db")
    docs = [Document(url=f"https://old.test/{i}", text=f"Copper note {i}.", source=f"s{i % 2}", kind="post",
                     lang=None if i % 3 == 0 else "en",
                     published_at=None if i == 5 else f"2026-05-0{1 + i % 3}T08:00:00Z")
            for i in range(7)]
    with SQLiteStore(path) as store:
        store.upsert_many(docs)
    db = apsw.Connection(path)  # as the newswatch before migration 11 left it: no combination tables or triggers
    db.execute("DROP TRIGGER documents_combo_insert; DROP TRIGGER documents_combo_update; "
               "DROP TRIGGER documents_combo_delete; DROP TABLE doc_facets; DROP TABLE facet_combos; "
               "UPDATE schema_version SET version = 10")
    db.close()

    with SQLiteStore(path) as store:
        result = store.search("copper", facets=["source", "kind", "lang", "day"], limit=0)
        assert result.total == 7
        assert result.facets == {"source": {"s0": 4, "s1": 3}, "kind": {"post": 7}, "lang": {"en": 4},
                                 "day": {"2026-05-01": 3, "2026-05-02": 2, "2026-05-03": 1}}
        store.upsert(Document(url="https://old.test/1", text="Copper note, revised.", source="s9", kind="post",
                              published_at="2026-05-09"))  # an update moves the document to its new combination
        after = store.search("copper", facets=["source", "day"], limit=0)
        assert after.total == 7
        assert after.facets["source"] == {"s0": 4, "s1": 2, "s9": 1}
        assert after.facets["day"] == {"2026-05-01": 3, "2026-05-03": 1, "2026-05-02": 1, "2026-05-09": 1}
    db = apsw.Connection(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert db.execute("SELECT count(*) FROM doc_facets").fetchone() == (7,)
    db.close()


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
        store.events.put_events("doc", [Event(id="e9", type="deal", confidence=0.5)])
        assert [e.eseq for e in store.events.events_after(0)] == [6]  # past the correlator's cursor
