from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer
from storage.models import Alias, WatchEntry


def demo_watchlist() -> list[WatchEntry]:
    return [
        WatchEntry("veltrix", "Veltrix Mobile", "org", [Alias("Veltrix", "en"), Alias("维创移动", "zh")], "CN"),
        WatchEntry("nova-7", "Veltrix Nova 7", "product", [Alias("Nova 7")]),
        WatchEntry(
            "helena-duarte",
            "Helena Duarte",
            "person",
            [Alias("Minister Duarte", "en"), Alias("杜阿尔特", "zh")],
            "BR",
            "Trade Minister",
        ),
    ]


@pytest.fixture(scope="session")
def watchlist() -> list[WatchEntry]:
    return demo_watchlist()


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer(demo_watchlist())
