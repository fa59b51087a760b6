"""Several stance networks of different seeds, averaged: how the shipped model reads them and how the
choice to average is made on held-out stories."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp import check_stance_ensemble as ens
from nlp.stance import TRAINED_DIR, StanceQuery, TrainedStance, trained_weights_present
from nlp.stance_data import LABELS, StanceExample

needs_weights = pytest.mark.skipif(not trained_weights_present(),
                                   reason="no trained stance weights in nlp/models/stance")


def _first_network_only(tmp_path: Path) -> Path:
    folder = tmp_path / "one"
    shutil.copytree(TRAINED_DIR, folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    for name in meta.pop("members", []):
        shutil.rmtree(folder / name, ignore_errors=True)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


@needs_weights
def test_members_named_in_meta_are_averaged_with_the_first_network(tmp_path: Path) -> None:
    one = _first_network_only(tmp_path)
    two = tmp_path / "two"
    shutil.copytree(one, two)
    shutil.copytree(one, two / "twin", ignore=shutil.ignore_patterns("twin"))
    meta = json.loads((two / "meta.json").read_text(encoding="utf-8"))
    meta["members"] = ["twin"]
    (two / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    text = "Kestrel beat forecasts again, and its shares rose."
    query = StanceQuery(text, "Kestrel", 0, 7)
    single, pair = TrainedStance(one), TrainedStance(two)
    # the same weights twice average to the same probabilities: the mean is taken row by row
    assert np.allclose(pair.probabilities([query])[0].numpy(), single.probabilities([query])[0].numpy(), atol=1e-6)
    assert pair.version.endswith("x2") and not single.version.endswith("x2")


@needs_weights
def test_a_member_trained_for_other_labels_is_refused_by_name(tmp_path: Path) -> None:
    folder = _first_network_only(tmp_path)
    shutil.copytree(folder, folder / "odd", ignore=shutil.ignore_patterns("odd"))
    odd = json.loads((folder / "odd" / "meta.json").read_text(encoding="utf-8"))
    odd["max_len"] = 32
    (folder / "odd" / "meta.json").write_text(json.dumps(odd), encoding="utf-8")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["members"] = ["odd"]
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="odd"):
        TrainedStance(folder)


def _record(seed: int, rows: list[StanceExample], probs: np.ndarray) -> dict[str, Any]:
    return {"seed": seed, "fold_seed": 13, "held_rows": [dataclasses.asdict(r) for r in rows],
            "epochs": {"3": {"probs": probs.tolist()}}}


def _held_rows() -> list[StanceExample]:
    news = [StanceExample(f"s{i}", "X", LABELS[i % 3], group=f"story{i // 2}") for i in range(60)]
    posts = [StanceExample(f"p{i}", "Y", LABELS[i % 3], group=f"tweet:y:train:{i}") for i in range(30)]
    return news + posts


def test_averaging_is_taken_when_it_beats_every_single_run_on_both_halves() -> None:
    rows = _held_rows()
    gold = np.array([LABELS.index(r.label) for r in rows])
    rng = np.random.default_rng(5)
    # two runs, each right with a margin on most rows and confidently wrong on its own other rows:
    # where one errs the other is sure, so their mean is right everywhere
    runs = []
    for wrong in (np.arange(len(rows)) % 4 == 0, np.arange(len(rows)) % 4 == 2):
        p = np.full((len(rows), 3), 0.1) + rng.uniform(0, 0.01, (len(rows), 3))
        p[np.arange(len(rows)), gold] = 0.8
        p[wrong, gold[wrong]] = 0.3
        p[wrong, (gold[wrong] + 1) % 3] = 0.6
        runs.append(p)
    verdict = ens.check([_record(21, rows, runs[0]), _record(29, rows, runs[1])], 3, 0.01)
    assert verdict["taken"] is True
    assert verdict["averaged"]["all"]["newsmtsc"] == 1.0
    assert all(run["all"]["newsmtsc"] < 1.0 for run in verdict["runs"])


def test_averaging_identical_runs_is_not_taken_and_different_held_rows_are_refused() -> None:
    rows = _held_rows()
    gold = np.array([LABELS.index(r.label) for r in rows])
    p = np.full((len(rows), 3), 0.1)
    p[np.arange(len(rows)), gold] = 0.8
    assert ens.check([_record(21, rows, p), _record(29, rows, p)], 3, 0.01)["taken"] is False
    other = [dataclasses.replace(r, text=r.text + "!") for r in rows]
    with pytest.raises(ValueError, match="fold-seed"):
        ens.check([_record(21, rows, p), _record(29, other, p)], 3, 0.01)


def test_story_halves_keep_each_story_whole() -> None:
    rows = _held_rows()
    a, b = ens.story_halves(rows)
    assert sorted(a + b) == list(range(len(rows)))
    assert not {rows[i].group for i in a} & {rows[i].group for i in b}


def test_write_lists_the_members_only_when_averaging_is_taken(tmp_path: Path) -> None:
    rows = _held_rows()
    gold = np.array([LABELS.index(r.label) for r in rows])
    p = np.full((len(rows), 3), 0.1)
    p[np.arange(len(rows)), gold] = 0.8
    files = []
    for seed in (21, 29):
        files.append(tmp_path / f"ho_s{seed}.json")
        files[-1].write_text(json.dumps(_record(seed, rows, p)), encoding="utf-8")
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"labels": list(LABELS), "members": ["old"]}), encoding="utf-8")
    args = [str(f) for f in files] + ["--write", str(meta), "--members", "seed21", "seed29"]
    assert ens.main(args) == 0
    written = json.loads(meta.read_text(encoding="utf-8"))
    assert written["ensemble_check"]["taken"] is False and "members" not in written  # identical runs: no gain
