"""ingest / search / export / sources from the command line, against the project's schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.schemas import load_schema

DOCS = [
    {"url": "https://ledger.example/a?utm_campaign=x", "source": "ledger", "title": "Veltrix unveils the Nova 7",
     "published_at": "2026-03-10", "text": "Veltrix Mobile unveiled the Nova 7 phone in Shenzhen on Tuesday."},
    {"url": "https://shop.example/mug", "source": "shop", "kind": "product", "title": "Duarte <b>mug</b>",
     "text": "A <script>alert(1)</script> mug printed with Helena Duarte's portrait.",
     "product": {"name": "Duarte mug", "price": "12.50", "currency": "USD", "availability": "InStock"}},
    {"url": "https://wire.example/zh", "source": "wire", "lang": "zh", "title": "维创移动发布新手机",
     "text": "深圳手机制造商维创移动发布新款手机，巴西贸易部长杜阿尔特参观工厂。"},
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a config (found as ./newswatch.toml) and three ingested documents."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "newswatch.toml").write_text((root / "newswatch.example.toml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(d) for d in DOCS) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", "docs.jsonl", "--no-analyze"]) == 0
    return tmp_path


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_ingest_twice_reports_unchanged(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["ingest", "docs.jsonl", "--no-analyze"]) == 0
    answers = lines(capsys.readouterr().out)
    assert [a["status"] for a in answers] == ["unchanged"] * 3
    for a in answers:
        jsonschema.validate(a, load_schema("ingest"))


def test_search_json_hits_are_plain_text_with_highlights(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["search", "mug", "--json"]) == 0
    hits = lines(capsys.readouterr().out)
    assert len(hits) == 1
    hit = hits[0]
    jsonschema.validate(hit, load_schema("search"))
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower() == "mug"
    # plain text: the snippet is cut from the text itself, nothing added (no <b>, no <mark>)
    assert hit["snippet"].strip("… ") in DOCS[1]["text"]


def test_search_finds_two_character_chinese_name(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["search", "维创", "--json", "--limit", "5"]) == 0
    assert [h["source"] for h in lines(capsys.readouterr().out)] == ["wire"]


def test_search_filters(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["search", "Nova", "--json", "--source", "shop"]) == 0
    assert lines(capsys.readouterr().out) == []


def test_export_formats_round_trip(project: Path, capsys) -> None:
    assert main(["export", "--format", "parquet", "-o", "out.parquet"]) == 0
    frame = pd.read_parquet(project / "out.parquet")
    assert len(frame) == 3 and set(frame["source"]) == {"ledger", "shop", "wire"}
    assert main(["export", "--format", "csv", "-o", "out.csv"]) == 0
    assert len(pd.read_csv(project / "out.csv")) == 3
    capsys.readouterr()
    assert main(["export", "--format", "jsonl"]) == 0
    docs = lines(capsys.readouterr().out)
    assert {d["kind"] for d in docs} == {"article", "product"}


def test_sources_json_matches_schema(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    rows = lines(capsys.readouterr().out)
    assert {"ledger", "shop", "wire"} <= {r["source"] for r in rows}
    for row in rows:
        jsonschema.validate(row, load_schema("sources"))


def test_csv_export_neutralises_spreadsheet_formulas(project: Path) -> None:
    hostile = [{"url": "https://blog.example/f", "source": "blog", "title": '=HYPERLINK("https://evil.example","open")',
                "text": "+1 what a launch", "author": "@cmd|' /C calc'!A0"},
               {"url": "https://blog.example/g", "source": "blog", "title": "-2 percent", "text": "plain words"}]
    (project / "hostile.jsonl").write_text("\n".join(json.dumps(d) for d in hostile) + "\n", encoding="utf-8")
    assert main(["ingest", "hostile.jsonl", "--no-analyze"]) == 0
    assert main(["export", "--format", "csv", "-o", "out.csv"]) == 0
    frame = pd.read_csv(project / "out.csv", dtype=str, keep_default_na=False)
    cells = [c for row in frame.itertuples(index=False) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"https://evil.example\",\"open\")" in cells
    assert "'-2 percent" in set(frame["title"])
