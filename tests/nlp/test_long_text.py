"""A very long text is analysed in pieces (bounded memory) and answered as one document."""

from __future__ import annotations

from nlp.analyzer import Analyzer, AnalyzerSettings, split_pieces
from storage.models import WatchEntry

PARA = ('Helena Duarte praised Veltrix for its new plant. "This is a fine investment for the region," '
        "said Tom Hale, an analyst at Kestrel Research.\n\n")


def test_pieces_cover_the_text_and_end_at_breaks() -> None:
    text = PARA * 40
    bounds = split_pieces(text, 1000)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(text[e - 2 : e] == "\n\n" for _, e in bounds[:-1])
    assert split_pieces("short", 1000) == [(0, 5)]
    assert split_pieces("x" * 2500, 1000) == [(0, 1000), (1000, 2000), (2000, 2500)]  # no break: hard cuts


def test_long_text_offsets_point_into_the_whole_text(watchlist: list[WatchEntry]) -> None:
    analyzer = Analyzer(watchlist, AnalyzerSettings(piece_chars=500, stance_backend="lexicon"))
    text = PARA * 12
    (ans,) = analyzer.analyze_batch([{"id": "long", "text": text}])
    assert any("pieces" in w for w in ans["warnings"])
    assert sum(e["entity_id"] == "veltrix" for e in ans["entities"]) == 12
    for e in ans["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]
    assert len(ans["quotes"]) == 12 and all(q["speaker"]["text"] == "Tom Hale" for q in ans["quotes"])
    for q in ans["quotes"]:
        assert text[q["start"] : q["end"]] == q["text"]
    assert len({(s["target"], s["holder"]) for s in ans["stance"]}) == len(ans["stance"])  # one per target
    for s in ans["stance"]:
        ev = s["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["text"]
