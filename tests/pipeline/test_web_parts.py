"""The web UI's pieces alone: marks on text, chart labels, plural counts."""

from __future__ import annotations

from pipeline.web import plots
from pipeline.web.charts import bar_chart
from pipeline.web.marking import entity_groups, marked_paragraphs
from pipeline.web.render import plural, render
from storage.models import Annotations, Document, Entity, Quote, Span, Speaker, Stance


def _doc(text: str, ann: Annotations) -> Document:
    return Document(url="https://t.example/1", text=text, annotations=ann)


def test_overlapping_marks_become_flat_segments_and_bad_offsets_are_dropped() -> None:
    text = "Ana Ruiz said “Kestrel is late” on Friday.\nSecond paragraph."
    q0 = text.index("Kestrel")
    ann = Annotations(
        entities=[Entity("Ana Ruiz", 0, 8, "PERSON", "ana"), Entity("Kestrel", q0, q0 + 7, "ORG"),
                  Entity("Friday", text.index("Friday"), text.index("Friday") + 6, "DATE"),
                  Entity("ghost", 500, 505, "ORG")],
        quotes=[Quote("Kestrel is late", q0, q0 + 15, Speaker("Ana Ruiz"),
                      [Stance("Kestrel", "against", 0.8, "Ana Ruiz", Span("Kestrel is late", q0, q0 + 15))])])
    paragraphs = marked_paragraphs(_doc(text, ann), {"ana": "Ana Ruiz"})
    assert len(paragraphs) == 2
    assert "".join(seg.text for seg in paragraphs[0]) == text.split("\n")[0]
    kestrel = next(seg for seg in paragraphs[0] if seg.text == "Kestrel")
    assert kestrel.classes == "m-against m-entity m-quote"
    assert next(seg for seg in paragraphs[0] if seg.text == "Ana Ruiz").href == "/entity/ana"
    assert all(not seg.marks for seg in paragraphs[0] if seg.text.startswith(" on Friday"))  # a date: no mark
    groups = dict(entity_groups(_doc(text, ann), {"ana": "Ana Ruiz"}))
    assert "DATE" not in groups and groups["PERSON"] == [("Ana Ruiz", "ana", 1)]


def test_chart_labels_are_whole_or_ellipsed_never_cut_to_their_tail() -> None:
    svg = bar_chart([("bazaarhub", 3), ("fediverse", 2)], "per source")
    assert ">bazaarhub<" in svg and ">arhub<" not in svg
    long = str(plots.hbars([("a-source-with-a-very-long-name-indeed", 2)], "t", label_chars=20))
    assert "a-source-with-a-ver…" in long and "<title>a-source-with-a-very-long-name-indeed</title>" in long
    assert "&lt;b&gt;" in str(plots.hbars([("<b>", 1)], "t"))


def test_counts_read_right() -> None:
    assert plural(1, "match") == "1 match" and plural(2, "match") == "2 matches"
    assert plural(1204, "document") == "1,204 documents"
    assert "&lt;script&gt;" in render("not_found.html", title="x", heading="<script>")
