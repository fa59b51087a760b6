"""What sits on top of the stance network: the window view and the choice made on a grouped hold-out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp import choose_stance_combo as combo
from nlp.stance import TRAINED_DIR, StanceQuery, TrainedStance, trained_weights_present
from nlp.stance_data import LABELS, StanceExample
from nlp.stance_net import window


def test_the_window_keeps_words_either_side_of_the_mention_and_its_offsets() -> None:
    text = "Early on Monday the board of Veltrix met while Kestrel, its rival, cut prices again."
    start = text.index("Kestrel")
    cut, s, e = window(text, start, start + len("Kestrel"), 2)
    assert cut == "met while Kestrel, its rival,"
    assert cut[s:e] == "Kestrel"
    assert window(text, start, start + 7, 40) == (text, start, start + 7)  # short enough: unchanged
    assert window(text, None, None, 2) == (text, None, None)  # no mention: nothing to centre on


def _rows() -> list[StanceExample]:
    labels = list(LABELS)
    news = [StanceExample(f"s{i}", "X", labels[i % 3], group=f"story{i // 3}") for i in range(60)]
    posts = [StanceExample(f"p{i}", "Y", labels[i % 3], group=f"tweet:y:train:{i}") for i in range(30)]
    return news + posts


def test_offsets_are_chosen_where_they_mend_a_bias_and_posts_are_guarded() -> None:
    rows = _rows()
    gold = np.array([LABELS.index(e.label) for e in rows])
    # the base model is right, but shy of "favor": a favor row's favor score sits just under neutral's
    base = np.full((len(rows), 3), 0.1)
    base[np.arange(len(rows)), gold] = 0.8
    fav = gold == LABELS.index("favor")
    base[fav, LABELS.index("neutral")] = 0.46
    base[fav, LABELS.index("favor")] = 0.44
    news = [i for i, e in enumerate(rows) if not e.group.startswith("tweet:")]
    posts = [i for i, e in enumerate(rows) if e.group.startswith("tweet:")]
    (w, weight, off), f1 = combo.choose(rows, base, {}, news, posts, post_slack=0.01)
    assert (w, weight) == (0, 0.0)
    assert off[1] > 0 and off[0] == 0.0  # favor raised; the smallest offsets that do it
    assert f1 == 1.0


def test_a_view_is_taken_only_when_it_helps_held_out_rows() -> None:
    rows = _rows()
    gold = np.array([LABELS.index(e.label) for e in rows])
    base = np.full((len(rows), 3), 1 / 3)  # the plain reading knows nothing
    view = np.full((len(rows), 3), 0.1)
    view[np.arange(len(rows)), gold] = 0.8  # the window view is right everywhere
    news = list(range(60))
    (w, weight, _), f1 = combo.choose(rows, base, {8: view}, news, [], 0.01)
    assert w == 8 and f1 == 1.0
    (w, _, _), _ = combo.choose(rows, view, {8: base}, news, [], 0.01)
    assert w == 0  # a useless view is not mixed in


def _model_with(tmp_path: Path, combine: dict[str, Any]) -> TrainedStance:
    folder = tmp_path / "stance"
    shutil.copytree(TRAINED_DIR, folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["combine"] = combine
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return TrainedStance(folder)


@pytest.mark.skipif(not trained_weights_present(), reason="no trained stance weights in nlp/models/stance")
def test_the_shipped_model_applies_the_recorded_view_and_offsets(tmp_path: Path) -> None:
    text = ("After a long night of talks in the capital, Veltrix walked away from the deal, "
            "while Kestrel, which had pushed for it for months, said it would try again next year.")
    start = text.index("Kestrel")
    query = StanceQuery(text, "Kestrel", start, start + 7)
    plain = TrainedStance()
    windowed = _model_with(tmp_path, {"window_words": 4, "window_weight": 1.0})
    cut, s, e = window(text, start, start + 7, 4)
    direct = plain.probabilities([StanceQuery(cut, "Kestrel", s, e)])[0]
    assert np.allclose(windowed.probabilities([query])[0].numpy(), direct.numpy(), atol=1e-5)
    short = StanceQuery("Kestrel won.", "Kestrel", 0, 7)  # shorter than the window: read once, unchanged
    assert np.allclose(windowed.probabilities([short])[0].numpy(), plain.probabilities([short])[0].numpy())
    favor = _model_with(tmp_path / "f", {"offsets": {"against": 0.0, "favor": 50.0}})
    assert [label for label, _ in favor.predict_many([query, short])] == ["favor", "favor"]
