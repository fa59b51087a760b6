"""A store this user may only read (issue 16): reading commands and the API work, writing ones say why not.

File permissions do not bind root, so when the tests run as root the reader runs as ``nobody``
(uid 65534, through ``setpriv``); otherwise as the same user after ``chmod a-w``. Texts are invented.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.servicedb.schema import dispose_all, make_engine
from storage.base import StoreReadOnly

REPO = Path(__file__).resolve().parents[2]
NEWSWATCH = [sys.executable, "-m", "pipeline.cli"]
DOCS = [{"url": "https://harbour.example/a", "source": "harbour", "text": "The harbour reopened after the storm."},
        {"url": "https://harbour.example/b", "source": "harbour", "text": "Ferries run again from the harbour."}]


def as_reader(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``args`` as a user without write permission on the store (``nobody`` when we are root)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(cwd)}
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot drop to a user that file permissions bind")
        if any(not (p.stat().st_mode & 0o001) for p in REPO.parents):
            pytest.skip(f"{REPO} lies in a folder other users may not enter: 'nobody' cannot run this checkout")
        args = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *args]
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def read_only_project() -> Iterator[Path]:
    # not pytest's tmp_path: its parents are private to the test user, and the reader may be another one
    project = Path(tempfile.mkdtemp(prefix="nw-ro-"))
    try:
        (project / "in.jsonl").write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
        (project / "more.jsonl").write_text(json.dumps({"url": "https://harbour.example/c", "text": "New text."})
                                            + "\n", encoding="utf-8")
        done = subprocess.run([*NEWSWATCH, "ingest", "in.jsonl", "--no-analyze"], cwd=project, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
        assert done.returncode == 0, done.stderr
        data = project / "newswatch-data"
        make_engine(f"sqlite:///{data / 'service.db'}")  # the service database a running service would have made
        dispose_all()
        for p in (project, *project.iterdir()):
            p.chmod(0o755 if p.is_dir() else 0o644)
        for f in data.iterdir():
            f.chmod(0o444)
        data.chmod(0o555)
        yield project
    finally:
        (project / "newswatch-data").chmod(0o755)
        shutil.rmtree(project, ignore_errors=True)


def test_search_sources_and_export_work_on_a_read_only_store(read_only_project: Path) -> None:
    found = as_reader([*NEWSWATCH, "search", "harbour", "--json"], read_only_project)
    assert found.returncode == 0, found.stderr
    assert sorted(json.loads(x)["url"] for x in found.stdout.splitlines()) == [d["url"] for d in DOCS]
    sources = as_reader([*NEWSWATCH, "sources", "--json"], read_only_project)
    assert sources.returncode == 0 and json.loads(sources.stdout.splitlines()[0])["source"] == "harbour"
    exported = as_reader([*NEWSWATCH, "export", "--format", "jsonl"], read_only_project)
    assert exported.returncode == 0 and len(exported.stdout.splitlines()) == 2
    jobs = as_reader([*NEWSWATCH, "jobs"], read_only_project)  # reads the service database, creates nothing
    assert jobs.returncode == 0 and "no scheduled jobs yet" in jobs.stdout, jobs.stderr


def test_writing_to_a_read_only_store_says_it_is_read_only_and_what_to_do(read_only_project: Path) -> None:
    ingest = as_reader([*NEWSWATCH, "ingest", "more.jsonl", "--no-analyze"], read_only_project)
    assert ingest.returncode == 1
    assert "read-only" in ingest.stderr and "chmod" in ingest.stderr
    assert "FTS5" not in ingest.stderr and "please report" not in ingest.stderr


def test_serve_answers_searches_from_a_read_only_store(read_only_project: Path) -> None:
    script = textwrap.dedent("""
        import json
        from fastapi.testclient import TestClient
        from pipeline.web.api import create_app
        from pipeline.config import resolve_config
        client = TestClient(create_app(resolve_config(None)), base_url="http://127.0.0.1")
        answer = client.get("/api/search", params={"q": "harbour"})
        page = client.get("/", params={"q": "ferries"})
        print(json.dumps({"status": answer.status_code, "total": answer.json().get("total"),
                          "page": page.status_code, "sources": client.get("/api/sources").status_code}))
    """)
    ran = as_reader([sys.executable, "-c", script], read_only_project)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout.splitlines()[-1]) == {"status": 200, "total": 2, "page": 200, "sources": 200}


def test_a_read_only_service_database_names_its_own_setting(tmp_path: Path) -> None:
    # Opened read-only through SQLite's URI (binds root too): creating the tables fails as a
    # read-only file would, and the message points at the service database's setting, not the store's.
    (tmp_path / "service.db").touch()
    with pytest.raises(StoreReadOnly) as err:
        make_engine(f"sqlite:///file:{tmp_path / 'service.db'}?mode=ro&uri=true")
    dispose_all()
    assert "service database" in str(err.value) and "[scheduler] db_url" in str(err.value)
