"""Input a demanding user will send sooner or later: answers with warnings, never a crash."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer, AnalyzerSettings
from storage.models import WatchEntry


@pytest.fixture(scope="module")
def lexicon_analyzer(watchlist: list[WatchEntry]) -> Analyzer:
    return Analyzer(watchlist, AnalyzerSettings(stance_backend="lexicon", piece_chars=20_000,
                                                       max_chars=200_000))


def _spans_hold(text: str, ans: dict) -> None:
    spans = [*ans["entities"], *ans["quotes"], *(s["evidence"] for s in ans["stance"])]
    spans += [s["evidence"] for q in ans["quotes"] for s in q["stance"]]
    for span in spans:
        assert text[span["start"]:span["end"]] == span["text"]


def test_a_text_over_the_limit_is_cut_with_a_warning(lexicon_analyzer) -> None:
    text = "Veltrix opened a plant in Porto. Shares rose. " * 6000  # 276,000 characters
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "big", "text": text, "targets": ["Veltrix Mobile"]}])
    assert "text cut to 200000 characters" in ans["warnings"]
    assert any("pieces" in w for w in ans["warnings"])
    assert [s["target"] for s in ans["stance"]] == ["Veltrix Mobile"]
    _spans_hold(text, ans)


def test_mixed_scripts_in_one_text(lexicon_analyzer) -> None:
    text = "Veltrix (维创移动) выпустила новый телефон — Helena Duarte وزيرة التجارة said 'great' 🎉."
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "mix", "text": text, "targets": ["Veltrix Mobile"]}])
    _spans_hold(text, ans)
    assert {"veltrix"} <= {e["entity_id"] for e in ans["entities"]}
    assert [s["target"] for s in ans["stance"]] == ["Veltrix Mobile"]


def test_an_emoji_only_post(lexicon_analyzer) -> None:
    text = "🔥🔥🔥 😂😂 👍"
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "emoji", "text": text, "targets": ["Veltrix Mobile"]}])
    assert ans["lang"] is None and ans["entities"] == [] and ans["warnings"]
    assert [(s["target"], s["label"]) for s in ans["stance"]] == [("Veltrix Mobile", "neutral")]
    _spans_hold(text, ans)


def test_five_hundred_targets_get_five_hundred_entries(lexicon_analyzer) -> None:
    targets = [f"Company {i:03d}" for i in range(499)] + ["Veltrix Mobile"]
    text = "Company 007 and Veltrix Mobile both reported strong results on Tuesday."
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "many", "text": text, "targets": targets}])
    assert [s["target"] for s in ans["stance"]] == targets
    _spans_hold(text, ans)


def test_empty_and_blank_targets_are_ignored_with_a_warning(lexicon_analyzer) -> None:
    text = "Veltrix opened a plant in Porto."
    (ans,) = lexicon_analyzer.analyze_batch([{"id": "e", "text": text, "targets": ["", "   ", "Porto"]}])
    assert [s["target"] for s in ans["stance"] if s["entity_id"] is None] == ["Porto"]  # and the watched Veltrix
    assert "2 empty or non-text target(s) ignored" in ans["warnings"]


def test_a_ten_megabyte_text_is_read_in_bounded_pieces(watchlist: list[WatchEntry]) -> None:
    """Default limits: 10 MB goes through whole (no cut), in pieces of at most ``piece_chars``, and what
    is held at once stays far below the text's own size times the work spaCy keeps per character."""
    import tracemalloc

    from nlp.analyzer import split_pieces

    analyzer = Analyzer(watchlist, AnalyzerSettings(stance_backend="lexicon"))
    head, tail = "Veltrix opened a plant in Porto. ", "Helena Duarte visited the plant."
    text = head + " " * 10_000_000 + tail  # blank stretches: each piece is cut at a space, most are blank
    bounds = split_pieces(text, analyzer.settings.piece_chars)
    assert all(e - s <= analyzer.settings.piece_chars for s, e in bounds) and bounds[-1][1] == len(text)
    tracemalloc.start()
    try:
        (ans,) = analyzer.analyze_batch([{"id": "10mb", "text": text, "targets": ["Veltrix Mobile"]}])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not any("cut to" in w for w in ans["warnings"]) and any("pieces" in w for w in ans["warnings"])
    assert {e["entity_id"] for e in ans["entities"]} >= {"veltrix", "helena-duarte"}
    assert [s["target"] for s in ans["stance"]] == ["Veltrix Mobile", "Helena Duarte"]  # given, then watched
    _spans_hold(text, ans)
    assert peak < 20 * len(text)  # pieces are slices; no token table over the whole text at once
