"""Short credit / copyright / widget lines are dropped from the main text; prose that mentions them stays."""

from __future__ import annotations

from crawlers.extract import drop_boilerplate_lines


def test_credit_copyright_and_widget_lines_are_dropped() -> None:
    text = "\n".join([
        "The museum reopens next week after two years of work.",
        "Foto: Stadtarchiv",
        "© 2021 Example Media. All rights reserved.",
        "Read more",
        "Wird geladen …",
        "Photographers like the new light in the hall: the source of it is a glass roof.",
    ])
    out = drop_boilerplate_lines(text).split("\n")
    assert out == [
        "The museum reopens next week after two years of work.",
        "Photographers like the new light in the hall: the source of it is a glass roof.",
    ]
