"""The frozen-encoder stance head: target-aware vectors and heads compared by grouped cross-validation."""

from __future__ import annotations

import numpy as np

from nlp import stance_head
from nlp.stance_data import LABELS, StanceExample, scores_by_set
from nlp.stance_net import base_model_dir


def _rows(n: int) -> list[StanceExample]:
    labels = list(LABELS)
    return [StanceExample(f"sentence {i}", "Veltrix", labels[i % 3], group=f"story{i // 4}") for i in range(n)]


def test_heads_are_compared_on_held_out_stories_and_the_best_is_chosen() -> None:
    train = _rows(120)
    rng = np.random.default_rng(0)
    gold = np.array([LABELS.index(e.label) for e in train])
    # the label is written into the first three columns: a separable set every head should learn
    x = rng.normal(size=(len(train), 8))
    x[np.arange(len(train)), gold] += 6.0
    heads = (stance_head.HeadSpec("logreg", 1.0), stance_head.HeadSpec("logreg", 1e-6))
    table = stance_head.cross_validate_heads(x, train, 3, 13, heads)
    assert set(table) == {"logreg(C=1)", "logreg(C=1e-06)"}
    assert table["logreg(C=1)"]["newsmtsc"] > 0.9
    assert stance_head.choose(table) == "logreg(C=1)"


def test_scores_by_set_reads_news_and_post_rows_apart() -> None:
    news = StanceExample("a", "X", "favor", group="s1")
    post = StanceExample("b", "X", "against", group="tweet:hillary:train:0")
    assert scores_by_set([news, post], ["favor", "favor"]) == {"newsmtsc": 0.3333, "tweeteval": 0.0}


def test_vectors_depend_on_which_target_the_sentence_is_read_for(tmp_path) -> None:
    text = "Veltrix praised the plan while Kestrel attacked it."
    rows = [StanceExample(text, "Veltrix", "favor", 0, 7), StanceExample(text, "Kestrel", "against", 31, 38)]
    x = stance_head.cached_features(tmp_path, "minilm", base_model_dir(), rows)
    assert x.shape == (2, 3 * 384)
    assert not np.allclose(x[0, -384:], x[1, -384:])  # the target-token mean
    again = stance_head.cached_features(tmp_path, "minilm", base_model_dir(), rows)  # from the cache
    assert np.array_equal(x, again) and len(list(tmp_path.iterdir())) == 1


def test_a_set_missing_from_one_fold_is_still_averaged_over_the_others() -> None:
    news = [StanceExample(f"n{i}", "X", LABELS[i % 3], group="one-big-story") for i in range(60)]
    posts = [StanceExample(f"p{i}", "X", LABELS[i % 3], group=f"tweet:t:train:{i}") for i in range(30)]
    train = news + posts
    gold = np.array([LABELS.index(e.label) for e in train])
    x = np.eye(3)[gold] * 5 + np.random.default_rng(1).normal(size=(len(train), 3))
    table = stance_head.cross_validate_heads(x, train, 2, 13, (stance_head.HeadSpec("logreg", 1.0),))
    assert set(table["logreg(C=1)"]) == {"newsmtsc", "tweeteval"}
