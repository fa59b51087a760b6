"""The correlator ranks candidates by scores rounded on arrays; they must be Python's ``round(v, 4)``,
or a batch would rank two near-equal partners otherwise than one-by-one arrival does."""

from __future__ import annotations

import numpy as np

from pipeline.pairing_index import round4


def test_round4_is_pythons_round_to_four_places() -> None:
    rng = np.random.default_rng(7)
    halves = np.round(rng.random(100_000) * 1e4) / 1e4 + 0.00005  # ties and near-ties after scaling
    for values in (rng.random(500_000), halves, rng.random(10_000) * 1e-4,
                   np.array([0.0, 0.00005, 0.00015, 0.12345, 0.99995, 1.0, 0.5 + 5e-5])):
        assert round4(values).tolist() == [round(v, 4) for v in values.tolist()]
