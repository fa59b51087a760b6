"""The Reuters development sample's sentence splitter and body reader, on invented wire copy."""

from __future__ import annotations

from nlp.events.sample_reuters import reuters_body, sentences


def test_sentences_keep_abbreviations_whole_and_drop_the_reuter_sign_off() -> None:
    body = ("Corvel Corp said the U.S. Commerce Dept. granted it a licence.\n"
            "Mr. Hale said sales rose.  Shares of Dalmore Inc. fell 3 pct.\n Reuter\n")
    got = [body[s:e] for s, e in sentences(body)]
    assert got == ["Corvel Corp said the U.S. Commerce Dept. granted it a licence.", "Mr. Hale said sales rose.",
                   "Shares of Dalmore Inc. fell 3 pct."]


def test_body_offsets_count_unescaped_entities_without_control_characters() -> None:
    raw = "<TITLE>X</TITLE><BODY>Tessaro &amp; Sons &lt;TSS&gt; said it agreed.\x03</BODY>"
    assert reuters_body(raw) == "Tessaro & Sons <TSS> said it agreed."
