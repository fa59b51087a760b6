"""A search against a missing or empty store says so (and creates nothing); unreadable dates are usage
errors; ``serve`` on a busy port says what to do and exits 2 before announcing anything."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from pipeline.cli import main


def test_search_without_a_store_says_so_and_creates_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    assert main(["search", "Trump"]) == 1
    err = capsys.readouterr().err
    assert "no store at" in err and "nothing has been crawled or ingested" in err and "--config" in err
    assert not (tmp_path / "newswatch-data").exists()


def test_search_in_an_empty_store_says_it_holds_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    assert main(["ingest", "empty.jsonl", "--no-analyze"]) == 0  # creates the store, stores nothing
    capsys.readouterr()
    assert main(["search", "Trump"]) == 0
    captured = capsys.readouterr()
    assert "0 matches" in captured.out and "holds no documents yet" in captured.err


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_unreadable_search_dates_are_usage_errors(tmp_path: Path, monkeypatch, capsys, option: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    assert main(["search", "Trump", option, "last spring"]) == 2
    assert f"{option}: cannot read 'last spring'" in capsys.readouterr().err
    assert not (tmp_path / "newswatch-data").exists()


def test_search_since_yesterday_is_understood(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    docs = [{"url": "https://n.example/new", "text": "Harbour news today.", "published_at": today.isoformat()},
            {"url": "https://n.example/old", "text": "Harbour news of old.", "published_at":
             (today - timedelta(days=30)).isoformat()}]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    assert main(["ingest", "d.jsonl", "--no-analyze"]) == 0
    capsys.readouterr()
    assert main(["search", "harbour", "--since", "yesterday", "--json"]) == 0
    hits = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [h["url"] for h in hits] == ["https://n.example/new"]


def test_serve_on_a_busy_port_exits_2_with_what_to_do(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "already in use" in err and f"--port {port + 1}" in err and "serving on" not in err
