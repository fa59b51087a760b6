"""The public JSON-lines contracts of extract/analyze --batch, checked against the project's schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.cli import main
from pipeline.schemas import load_schema

ARTICLE = """<html lang="en"><head><title>Harbor cranes go electric</title>
<meta name="author" content="Lena Ortiz">
<meta property="article:published_time" content="2026-03-05T09:30:00+01:00">
<link rel="canonical" href="https://news.example.org/cranes"></head>
<body><nav>Home | World | Markets</nav><article><h1>Harbor cranes go electric</h1>
<p>The port authority of Westhaven said on Thursday that all twelve container cranes will run on
electricity by the end of next year, replacing the diesel units bought two decades ago.</p>
<p>Officials expect the switch to cut fuel spending by a third and to make the quay noticeably quieter
for the residents of the old harbour district, who have complained about night shifts for years.</p>
<p>"We are not doing this for the headlines," said Mara Quist, who runs operations at the terminal.</p>
</article><footer>Copyright Westhaven Daily</footer></body></html>"""
CONTRACT_TEXT = ('Orion Mobile unveiled the Vega 5 phone in Hangzhou on Tuesday as Trade Minister Ana Ruiz began a '
                 'three-day visit to China. "It is a bold step," said Tom Hale, an analyst at Birch Partners.')


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def check(obj: dict, schema: str) -> None:
    jsonschema.validate(obj, load_schema("error" if "error" in obj else schema))


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_extract_answers_every_line_in_order_with_error_lines(tmp_path: Path, capsys) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 8)
    src = write_lines(tmp_path / "in.jsonl", [
        json.dumps({"id": "rel", "url": "https://news.example.org/cranes?utm_source=x", "html_path": "pages/a.html"}),
        json.dumps({"id": "inline", "html": ARTICLE}),
        "",
        json.dumps({"id": "empty", "html_path": "empty.html"}),
        json.dumps({"id": "binary", "html_path": "blob.bin"}),
        json.dumps({"id": "gone", "html_path": "missing.html"}),
        json.dumps({"html": "<p>no id</p>"}),
        "{not json",
        json.dumps({"id": "neither"}),
    ])
    code, answers, err = run_cli(capsys, "extract", "--batch", str(src))
    assert code == 0 and "Traceback" not in err
    assert [a.get("id") for a in answers] == ["rel", "inline", "empty", "binary", "gone", None, None, "neither"]
    for a in answers:
        check(a, "extract")
    first = answers[0]
    assert first["page_type"] == "article" and "twelve container cranes" in first["text"]
    assert first["author"] == "Lena Ortiz" and first["published_at"] == "2026-03-05T08:30:00Z"
    assert answers[2]["warnings"] and answers[3]["warnings"]
    assert answers[4]["line"] == 6 and "not found" in answers[4]["error"]
    assert answers[5]["line"] == 7 and "id" in answers[5]["error"]
    assert answers[6]["line"] == 8 and "JSON" in answers[6]["error"]
    assert "html" in answers[7]["error"]


def test_analyze_matches_schema_and_spans_hold(tmp_path: Path, capsys) -> None:
    texts = [
        {"id": "t1", "text": CONTRACT_TEXT, "targets": ["Orion Mobile"], "published_at": "2026-03-04"},
        {"id": "t2", "text": ""},
        {"id": "t3", "text": "Le ministre a visité l'usine de Lyon. 某公司发布了新手机。"},
    ]
    src = write_lines(tmp_path / "in.jsonl", [json.dumps(t) for t in texts] + ["[1, 2]", '{"id": "x", "text": 5}'])
    code, answers, _ = run_cli(capsys, "analyze", "--batch", str(src))
    assert code == 0 and [a["id"] for a in answers] == ["t1", "t2", "t3", None, "x"]
    for a, t in zip(answers[:3], texts, strict=True):
        check(a, "analyze")
        for span in [*a["entities"], *a["quotes"], *(s["evidence"] for s in a["stance"])]:
            assert t["text"][span["start"]:span["end"]] == span["text"]
    assert answers[0]["quotes"][0]["speaker"]["text"] == "Tom Hale"
    assert answers[1]["warnings"]
    assert answers[3]["line"] == 4 and "object" in answers[3]["error"]
    assert answers[4]["line"] == 5 and "text" in answers[4]["error"]


def test_analyze_answers_one_stance_entry_per_given_target(tmp_path: Path, capsys) -> None:
    targets = ["Orion Mobile", "Hillary Clinton", "Climate Change is a Real Concern", "Orion Mobile"]
    texts = [
        {"id": "named", "text": CONTRACT_TEXT, "targets": targets},
        {"id": "post", "text": "@OrionMobile the new phone is great, well done!", "targets": targets},
        {"id": "empty", "text": "", "targets": targets},
    ]
    src = write_lines(tmp_path / "in.jsonl", [json.dumps(t) for t in texts])
    code, answers, _ = run_cli(capsys, "analyze", "--batch", str(src))
    assert code == 0
    for a, t in zip(answers, texts, strict=True):
        check(a, "analyze")
        assert [s["target"] for s in a["stance"] if s["entity_id"] is None] == list(dict.fromkeys(targets))
        assert all(s["holder"] == "author" for s in a["stance"])
        for s in a["stance"]:
            assert t["text"][s["evidence"]["start"]:s["evidence"]["end"]] == s["evidence"]["text"]


def test_missing_input_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    code, answers, err = run_cli(capsys, "extract", "--batch", str(tmp_path / "nope.jsonl"))
    assert code == 2 and answers == [] and "nope.jsonl" in err and "not found" in err


def test_bad_config_is_exit_2_naming_the_line(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('data_dir = "x"\nsurprise = 1\n', encoding="utf-8")
    src = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "a", "text": "x"})])
    code, _, err = run_cli(capsys, "analyze", "--config", str(cfg), "--batch", str(src))
    assert code == 2 and "bad.toml:2: surprise: unknown key" in err and "Traceback" not in err


def test_unknown_flag_is_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["search", "x", "--frobnicate"])
    assert info.value.code == 2
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err
