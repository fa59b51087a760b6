"""The learned line classifier: how its decisions become text, and that it fails soft.

Pages and lines are invented. The shipped model's figures come from ``newswatch eval extraction``;
here the behaviour around it: an unsure model keeps the base text, added lines land where their
engine had them, a broken engine or a missing model leaves the text as the pipeline made it.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from crawlers.extract import engines, extract_page
from crawlers.extract.line_model import MODEL_PATH, assemble, from_dict, load_model, refine
from crawlers.extract.lines import BlockIndex, candidate_lines, feature_names, features

BASE = ("The harbour council voted on Tuesday to keep the night ferry running through the winter months.\n"
        "Its chair said the timetable would be published before the end of the month, with two extra sailings.")
OTHER = ("The harbour council voted on Tuesday to keep the night ferry running through the winter months.\n"
         "Fishermen at the quay had asked for the late boat since the bridge closed for repairs in the spring.\n"
         "Its chair said the timetable would be published before the end of the month, with two extra sailings.")
PAGE = f"""<html><head><title>Night ferry stays</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article><h1>Night ferry stays</h1>{''.join(f'<p>{line}</p>' for line in OTHER.split(chr(10)))}</article>
<footer><p>Copyright Harbour Gazette. All rights reserved.</p></footer></body></html>"""


def _constant_model(p: float, drop_below: float, add_above: float) -> dict:
    import math

    raw = math.log(p / (1 - p))
    return {"baseline": raw, "trees": [[[0, 0.0, True, 0, 0, True, 0.0]]], "voters": ["resiliparse"],
            "proposers": ["resiliparse"], "drop_below": drop_below, "add_above": add_above}


def test_an_unsure_model_keeps_the_base_text() -> None:
    model = from_dict(_constant_model(0.5, 0.2, 0.9))
    text, dropped, added = refine(model, BASE, {"resiliparse": OTHER}, BlockIndex(lxml.html.fromstring(PAGE)))
    assert (text, dropped, added) == (BASE, 0, 0)


def test_a_sure_model_adds_the_line_where_its_engine_had_it() -> None:
    model = from_dict(_constant_model(0.99, 0.2, 0.9))
    text, dropped, added = refine(model, BASE, {"resiliparse": OTHER}, BlockIndex(lxml.html.fromstring(PAGE)))
    assert (text, dropped, added) == (OTHER, 0, 1)


def test_lines_below_the_drop_threshold_go() -> None:
    cands = candidate_lines(BASE, {})
    text, dropped, added = assemble(cands, [0.9, 0.1], {}, 0.2, 0.9)
    assert (text, dropped, added) == (BASE.split("\n")[0], 1, 0)


def test_features_have_one_column_per_name_and_see_the_dom() -> None:
    tree = lxml.html.fromstring(PAGE)
    blocks = BlockIndex(tree)
    cands = candidate_lines(BASE, {"resiliparse": OTHER})
    rows = features(cands, BASE, {"resiliparse": OTHER}, ["resiliparse"], blocks)
    names = feature_names(["resiliparse"])
    assert all(len(r) == len(names) for r in rows)
    assert rows[0][names.index("tag_group")] == 0.0  # a <p>
    assert blocks.of("Home").outside == 1  # a link of the navigation


def test_the_shipped_model_loads_and_names_its_engines() -> None:
    model = load_model()
    assert model is not None, MODEL_PATH
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert len(data["features"]) == len(feature_names(model.voters))
    assert set(model.voters) | set(model.proposers) <= set(engines.ENGINES)
    assert MODEL_PATH.stat().st_size < 10_000_000


def test_the_model_is_opt_in() -> None:
    assert extract_page(PAGE, url="http://example.com/ferry.html")["text"] == \
        extract_page(PAGE, url="http://example.com/ferry.html", line_model=False)["text"]
    refined = extract_page(PAGE, url="http://example.com/ferry.html", line_model=True)
    assert "night ferry" in refined["text"] and not refined["warnings"]


def test_a_crashing_engine_leaves_the_text_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_model()
    assert model is not None
    before = extract_page(PAGE, url="http://example.com/ferry.html")
    name = next(n for n in (*model.voters, *model.proposers) if n != "trafilatura")

    def broken(_html: str, _url: str | None) -> str:
        raise RuntimeError("engine bug")

    monkeypatch.setitem(engines.ENGINES, name, broken)
    after = extract_page(PAGE, url="http://example.com/ferry.html", line_model=True)
    assert after["text"] == before["text"]
    assert any(f"text: {name} crashed" in w for w in after["warnings"])


def test_without_a_model_the_text_is_the_base_text(tmp_path: Path) -> None:
    assert load_model.__wrapped__(tmp_path / "missing.json") is None


def _walk(model_dict: dict, row: list[float]) -> float:
    """P(content) of one row, each tree read node by node (what the exported trees mean)."""
    import math

    raw = model_dict["baseline"]
    for nodes in model_dict["trees"]:
        i = 0
        while not nodes[i][5]:
            feature, threshold, missing_left, left, right = nodes[i][:5]
            x = row[feature]
            i = left if (missing_left if math.isnan(x) else x <= threshold) else right
        raw += nodes[i][6]
    return 1.0 / (1.0 + math.exp(-raw))


def test_all_rows_at_once_score_as_each_tree_read_alone() -> None:
    # two trees of different depth and a missing value that goes left in one and right in the other
    data = {"baseline": 0.1, "voters": ["resiliparse"], "proposers": ["resiliparse"], "drop_below": 0.4,
            "add_above": 0.8,
            "trees": [[[0, 0.5, True, 1, 2, False, 0.0], [0, 0.0, False, 0, 0, True, -0.7],
                       [1, 3.0, False, 3, 4, False, 0.0], [0, 0.0, False, 0, 0, True, 0.2],
                       [0, 0.0, False, 0, 0, True, 1.1]],
                      [[1, 1.0, False, 1, 2, False, 0.0], [0, 0.0, False, 0, 0, True, 0.3],
                       [0, 0.0, False, 0, 0, True, -0.4]]]}
    nan = float("nan")
    rows = [[0.2, 9.0], [0.9, 2.0], [0.9, 5.0], [nan, 0.5], [0.7, nan], [0.5, 3.0]]
    assert from_dict(data).proba(rows) == [_walk(data, r) for r in rows]
    assert from_dict(data).proba([]) == []
