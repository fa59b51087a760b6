"""``newswatch ingest`` then ``newswatch links --json``: links from two sources, in the contract's shape."""

from __future__ import annotations

import json

import jsonschema
import pytest

from pipeline.cli import main
from pipeline.schemas import load_schema

CONFIG = """data_dir = "{data}"
[watchlists.w]
[[watchlists.w.entries]]
id = "corvel"
name = "Corvel Mobile"
type = "org"
country = "KR"
aliases = [{{ text = "Corvel", lang = "en" }}]
[[watchlists.w.entries]]
id = "ines-prado"
name = "Ines Prado"
type = "person"
country = "CL"
role = "Economy Minister"
"""
DOCS = [
    {"url": "https://ledger.test/a", "source": "ledger", "published_at": "2026-05-12",
     "title": "Corvel unveils Vanta 5", "text": "Corvel Mobile unveiled its Vanta 5 phone in Seoul on Tuesday."},
    {"url": "https://wire.test/b", "source": "wire", "published_at": "2026-05-13", "title": "Minister in Seoul",
     "text": "Chile's Economy Minister Ines Prado arrived in Seoul on Monday for a four-day visit."},
]


@pytest.mark.slow
def test_links_json_lists_a_cross_source_link_in_contract_shape(tmp_path, capsys) -> None:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(CONFIG.format(data=(tmp_path / "data").as_posix()), encoding="utf-8")
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    assert main(["ingest", "--config", str(cfg), str(docs)]) == 0
    capsys.readouterr()
    assert main(["links", "--config", str(cfg), "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1
    link = lines[0]
    jsonschema.validate(link, load_schema("links"))
    assert {e["url"] for e in link["events"]} == {"https://ledger.test/a", "https://wire.test/b"}
    assert link["gap_days"] == 1.0 and "corvel" in link["entities"]
    assert main(["links", "--config", str(cfg), "--json", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["search", "--config", str(cfg), "--json", "link:corvel"]) == 0
    hits = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {h["url"] for h in hits} == {"https://ledger.test/a", "https://wire.test/b"}
