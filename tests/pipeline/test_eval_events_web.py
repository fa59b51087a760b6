"""The open-web precision score: labelled events still reported, per half, and the label file's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evals import events_web


def _found(*keys: tuple[str, str, int, int]) -> list[tuple[events_web.Key, dict[str, object], str]]:
    return [(k, {}, "") for k in keys]


def test_precision_counts_only_labelled_events_still_reported_per_half() -> None:
    labels = {("a.html", "deal", 0, 10): True, ("a.html", "deal", 20, 30): False,
              ("b.html", "product_launch", 5, 9): True, ("b.html", "deal", 40, 50): False}
    found = _found(("a.html", "deal", 0, 10), ("a.html", "deal", 20, 30), ("b.html", "product_launch", 5, 9),
                   ("b.html", "merchandise", 1, 2))
    s = events_web.score(found, labels, {"a.html": "tune", "b.html": "held-out"})
    assert (s["events"], s["labelled"], s["true"], s["unlabelled"], s["labelled_no_longer_reported"]) == (4, 3, 2, 1, 1)
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["tune"]["precision"] == pytest.approx(0.5) and s["tune"]["labelled"] == 2
    assert s["held-out"]["precision"] == 1.0 and s["held-out"]["unlabelled"] == 1
    text = "\n".join(events_web.report(s))
    assert "tune" in text and "held-out" in text and "0.67" in text
    assert [r["half"] for r in events_web.rows(s)] == ["tune", "held-out", "all"]


def test_nothing_labelled_has_no_precision() -> None:
    s = events_web.score(_found(("a.html", "deal", 0, 1)), {}, {"a.html": "tune"})
    assert s["precision"] is None and s["tune"]["precision"] is None
    assert "-" in events_web.report(s)[-1]


def test_label_file_keeps_offsets_and_verdicts_never_text(tmp_path: Path) -> None:
    labels = events_web.load_labels()
    assert labels, "the repository ships hand labels"
    for line in events_web.LABELS_PATH.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert set(rec) <= {"file", "type", "start", "end", "true", "note"}
        assert isinstance(rec["true"], bool) and rec["end"] > rec["start"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        events_web.load_labels(bad)
