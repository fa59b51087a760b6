"""The reporting gate: what is dropped on product pages, in software text and for events naming nobody.
Every text here is written for the test."""

from __future__ import annotations

from typing import Any

from nlp.events.reportable import drop_reason, reportable, software_text

DOCS = """Install the tool with pip install quillcli and run it from the command-line.

    $ quill init --template basic
    $ quill serve --port 8080

The configuration file is quill.toml; the API reads environment variables first. Version 2.1 is now available
with a new plugin runtime. See the changelog and the dependencies in requirements.txt before upgrading."""

NEWS = ("Halvark Motors launched its Tarsa electric sedan in Oslo on Tuesday. The carmaker said the car would be "
        "sold through an app and that its API would be opened to partners later this year.")


def _ev(etype: str, text: str, trigger: str, actors: list[tuple[str, str]], resolved: bool = False) -> dict[str, Any]:
    t0 = text.index(trigger)
    return {"type": etype, "trigger": {"text": trigger, "start": t0, "end": t0 + len(trigger)},
            "actors": [{"role": r, "text": x} for r, x in actors], "date": {"resolved": resolved},
            "evidence": {"start": 0, "end": len(text)}}


def test_software_docs_read_as_software_and_news_does_not() -> None:
    assert software_text(DOCS)
    assert not software_text(NEWS)


def test_nothing_is_reported_from_software_text() -> None:
    ev = _ev("product_launch", DOCS, "is now available", [])
    assert reportable([ev], DOCS, "article") == []


def test_a_product_page_reports_goods_only() -> None:
    text = "The Tarsa mug is new this season. Buy two and save."
    launch = _ev("product_launch", text, "new", [("company", "Tarsa")])
    goods = _ev("merchandise", text, "mug", [("depicted", "Tarsa")])
    assert reportable([launch, goods], text, "product") == [goods]
    assert drop_reason(launch, text, "product", False) == "product page: only goods are reported there"


def test_an_event_naming_no_actor_and_no_date_is_not_reported() -> None:
    nobody = "Run the script and it will launch a new shell."
    assert drop_reason(_ev("product_launch", nobody, "launch", []), nobody, None, False) == \
        "names no party and no date"
    assert reportable([_ev("product_launch", nobody, "launch", [])], nobody, "article") == []


def test_an_actor_or_a_date_keeps_the_event() -> None:
    text = "Shipping of the Orbis headphones began as Brindle Audio had said."
    dated = _ev("product_launch", text, "Shipping", [], resolved=True)
    named = _ev("product_launch", text, "Shipping", [("company", "Brindle Audio")])
    product = _ev("product_launch", text, "Shipping", [("product", "Orbis")])
    assert reportable([dated, named, product], text, "article") == [dated, named, product]


def test_news_launches_are_reported_in_an_article() -> None:
    ev = _ev("product_launch", NEWS, "launched", [("company", "Halvark Motors")], resolved=True)
    assert reportable([ev], NEWS, "article") == [ev]
