"""Hostile batch input (issue 16): each bad line is an error line for itself, and the run goes on.

A lone surrogate and JSON nested 100,000 deep used to kill ``analyze``, ``extract`` and ``ingest``
(exit 1, nothing written); ``html_path`` read ``/dev/zero`` without end, hung on a FIFO and read
any file. Texts and pages are invented for these tests.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ingest.html_file import HtmlPathError, read_html_file
from pipeline.ingest.json_guard import json_problem

DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
PAGE = ("<html><head><title>Quay lights</title></head><body><article><p>The harbour office switched the quay "
        "lights to a night schedule on Monday, and the ferry crews said the berths are easier to find.</p>"
        "</article></body></html>")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(x) for x in out.splitlines()], err


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_analyze_answers_a_lone_surrogate_and_deep_nesting_with_error_lines(tmp_path: Path, capsys) -> None:
    data = write(tmp_path / "in.jsonl", [
        json.dumps({"id": "s", "text": "The harbour \ud800 reopened."}),  # json.dumps writes it as \\ud800
        json.dumps({"id": "ok1", "text": "The harbour reopened on Monday."}),
        DEEP_ARRAY,
        json.dumps({"id": "t", "text": "Fine text.", "targets": ["x\udfff"]}),
        DEEP_OBJECT,
        json.dumps({"id": "ok2", "text": "Ferries run again."}),
    ])
    code, out, err = run(capsys, "analyze", "--batch", str(data))
    assert code == 0, err
    assert [a.get("id") for a in out] == ["s", "ok1", None, "t", None, "ok2"]
    assert "surrogate" in out[0]["error"] and "'text'" in out[0]["error"] and out[0]["line"] == 1
    assert "nested" in out[2]["error"] and out[2]["line"] == 3 and "nested" in out[4]["error"]
    assert "surrogate" in out[3]["error"] and "targets[0]" in out[3]["error"]
    assert "error" not in out[1] and "error" not in out[5] and "entities" in out[5]


def test_extract_answers_deep_nesting_and_surrogates_and_goes_on(tmp_path: Path, capsys) -> None:
    data = write(tmp_path / "in.jsonl", [DEEP_ARRAY, json.dumps({"id": "\ud800", "html": PAGE}),
                                         json.dumps({"id": "ok", "html": PAGE}), DEEP_OBJECT])
    code, out, err = run(capsys, "extract", "--batch", str(data))
    assert code == 0, err
    assert [a["line"] for a in out if "error" in a] == [1, 2, 4]
    assert out[1]["id"] is None  # an id that cannot be written back is unknown, not echoed
    assert out[2]["id"] == "ok" and out[2]["title"] == "Quay lights"


def test_ingest_answers_deep_nesting_and_surrogates_and_stores_the_rest(tmp_path: Path, capsys) -> None:
    data = write(tmp_path / "in.jsonl", [
        DEEP_OBJECT,
        json.dumps({"url": "https://quay.example/1", "text": "Quay lights \udc00 switched."}),
        json.dumps({"url": "https://quay.example/2", "text": "Quay lights switched to the night schedule."}),
        json.dumps({"url": "https://quay.example/3", "text": "Deep product.", "product": {"name": [[[[[[1]]]]]]}}),
    ])
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(data), "--no-analyze", "--config", str(cfg))
    assert code == 0, err
    assert "nested" in out[0]["error"] and "surrogate" in out[1]["error"] and out[2]["status"] == "new"
    assert "'product.name'" in out[3]["error"]  # a product fact that is not text: said, not a crash
    code, hits, _ = run(capsys, "search", "night", "--json", "--config", str(cfg))
    assert [h["url"] for h in hits] == ["https://quay.example/2"]


def test_json_guard_names_the_field_and_allows_ordinary_shapes() -> None:
    assert json_problem({"id": "a", "text": "ok", "targets": ["b"], "product": {"name": "x"}}) is None
    assert json_problem({"a": [{"b": "\ud83d"}]}) is not None
    assert "a[0].b" in str(json_problem({"a": [{"b": "\ud83d"}]}))
    assert json_problem({"text": "paired \U0001f600 is fine"}) is None
    deep: object = "x"
    for _ in range(65):
        deep = [deep]
    assert "nested" in str(json_problem({"x": deep}))


# ------------------------------------------------------------------ html_path


def test_html_path_reads_only_regular_files(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    data = write(tmp_path / "in.jsonl", [json.dumps({"id": "zero", "html_path": "/dev/zero"}),
                                         json.dumps({"id": "fifo", "html_path": "pipe.html"}),
                                         json.dumps({"id": "dir", "html_path": "folder"}),
                                         json.dumps({"id": "ok", "html_path": "page.html"})])
    result: dict[str, object] = {}

    def extract() -> None:
        result.update(zip(("code", "out", "err"), run(capsys, "extract", "--batch", str(data)), strict=True))

    worker = threading.Thread(target=extract, daemon=True)
    worker.start()
    worker.join(120)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        with open(fifo, "wb") as w:
            w.write(b"x")
        pytest.fail("extract hung on a FIFO")
    out = result["out"]
    assert result["code"] == 0 and isinstance(out, list)
    assert "device" in out[0]["error"] and "FIFO" in out[1]["error"] and "directory" in out[2]["error"]
    assert out[3]["title"] == "Quay lights"


def test_html_path_is_capped_while_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"a" * 5000)
    with pytest.raises(HtmlPathError, match="over the 4096 byte limit"):
        read_html_file("big.html", tmp_path, max_bytes=4096)
    assert read_html_file("big.html", tmp_path, max_bytes=5003) == big.read_bytes()


def test_confine_paths_refuses_files_outside_the_input_folder(tmp_path: Path, capsys) -> None:
    inside = tmp_path / "in"
    inside.mkdir()
    (inside / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "secret.html").write_text("<p>not for you</p>", encoding="utf-8")
    (inside / "link.html").symlink_to(tmp_path / "secret.html")
    lines = [json.dumps({"id": "abs", "html_path": str(tmp_path / "secret.html")}),
             json.dumps({"id": "up", "html_path": "../secret.html"}),
             json.dumps({"id": "link", "html_path": "link.html"}),
             json.dumps({"id": "ok", "html_path": "page.html"})]
    data = write(inside / "in.jsonl", lines)
    code, out, err = run(capsys, "extract", "--batch", str(data), "--confine-paths")
    assert code == 0, err
    assert all("outside" in a["error"] for a in out[:3]) and out[3]["title"] == "Quay lights"
    code, out, _ = run(capsys, "extract", "--batch", str(data))  # without the flag: read as given
    assert [a.get("error") for a in out] == [None] * 4


# ------------------------------------------------------------------ ingest into a full disk


def test_ingest_into_a_full_disk_says_so_and_exits_1(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.sqlite_store as sqlite_store

    original = sqlite_store.SQLiteStore.__init__

    def small_disk(self: sqlite_store.SQLiteStore, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {pages + 20}")  # SQLITE_FULL after a few pages

    monkeypatch.setattr(sqlite_store.SQLiteStore, "__init__", small_disk)
    data = write(tmp_path / "in.jsonl", [json.dumps({"url": f"https://quay.example/{i}", "text": f"word{i} " * 400})
                                         for i in range(300)])
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    code, _out, err = run(capsys, "ingest", str(data), "--no-analyze", "--config", str(cfg))
    assert code == 1
    assert "disk" in err and "full" in err and "please report" not in err


def test_a_page_over_its_budget_answers_with_a_warning_and_the_run_goes_on(tmp_path: Path, capsys) -> None:
    # A budget no extraction of a page this size can meet (the alarm's floor is 1 ms) stands in for a
    # page that would take minutes; the next line is still answered, and a rerun with the default
    # budget extracts both.
    big = PAGE.replace("<p>", "<p>" + "The ferry crews met at the quay. " * 400, 1) * 5
    data = write(tmp_path / "in.jsonl", [json.dumps({"id": "slow", "html": big}),
                                         json.dumps({"id": "next", "html": PAGE})])
    code, out, err = run(capsys, "extract", "--batch", str(data), "--page-budget", "0.000001")
    assert code == 0, err
    assert [a["id"] for a in out] == ["slow", "next"]
    assert out[0]["text"] == "" and "page budget" in out[0]["warnings"][0]
    assert "--page-budget" in out[0]["warnings"][0]  # says what to do
    code, out, _ = run(capsys, "extract", "--batch", str(data))
    assert code == 0 and "quay lights" in out[1]["text"]


def test_a_page_budget_must_be_a_positive_number(tmp_path: Path, capsys) -> None:
    data = write(tmp_path / "in.jsonl", [json.dumps({"id": "p", "html": PAGE})])
    with pytest.raises(SystemExit) as stop:
        main(["extract", "--batch", str(data), "--page-budget", "0"])
    assert stop.value.code == 2 and "above 0" in capsys.readouterr().err
