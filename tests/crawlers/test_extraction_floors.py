"""Pinned quality floors of ``newswatch eval extraction`` on a slice of the public data (regression guard).

Floors sit a little under what the full run measures, so a regression shows while noise does not;
the full figures come from ``newswatch eval extraction``. Data is read by path, never copied.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data() -> Path:
    from pipeline.benches.common import shared_data_dir

    try:
        return shared_data_dir()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def test_articles_beat_plain_trafilatura_on_a_slice(data: Path) -> None:
    from pipeline.evals.extraction import eval_articles

    lines = eval_articles(data / "extraction-trafilatura", 80, 2)
    for half in ("tune", "held-out"):
        f1 = next(line for line in lines if line.measure == "f1" and line.half == half)
        assert f1.baseline is not None
        assert f1.newswatch >= 0.90 and f1.newswatch >= f1.baseline, half


def test_product_price_f1_floor(data: Path) -> None:
    from pipeline.evals.extraction import eval_products

    lines = {line.measure: line for line in eval_products(data / "product-listings", 35, 2) if line.half == "held-out"}
    assert lines["price_f1"].newswatch >= 0.80
    assert lines["sku_f1"].newswatch > lines["sku_f1"].baseline  # type: ignore[operator]
    assert lines["availability_f1"].newswatch >= lines["availability_f1"].baseline  # type: ignore[operator]


def test_every_feed_file_parses_without_an_exception(data: Path) -> None:
    from pipeline.evals.extraction import eval_feeds

    [line] = eval_feeds(data / "feeds", None)
    assert line.newswatch == line.extra["files"]
