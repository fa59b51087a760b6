"""Sentence starts the small statistical splitter (``senter``) misses, set before NER reads the text.

spaCy's NER never runs an entity across a sentence start. Plain ``en_core_web_sm`` takes its sentence
starts from the parser; the analyzer runs without the parser (it costs most of the run time) and
takes them from ``senter``, which misses one kind of end the parser finds: a sentence whose last
word is an abbreviation ("... to Columbia Aluminium Corp. Comalco said ...", "... and Co. Holders of
Hughes would get ...", "S and P. The agency cited ..."). Without the start, NER reads the company
and the next sentence's first word as one name ("Columbia Aluminium Corp. Comalco").

This component marks a start after a word ending in "." (an abbreviation or an initial) when the
next word only opens a clause (The, It, He, In, ...): a name never continues "P. The".
Tried and not kept (eval nlp's Reuters diff went from 13 to 43 documents): a start after a company
form ("Corp. Comalco" fixed, but "Nikko Securities Co. International", "N.V. Philips", "William K.K.
Wong" broken), across line breaks, and between table columns (a gap of spaces: "March  12, 1987").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT_VERSION = "1.0"
# Words that open a clause and never continue a name: after "X." they start a sentence.
CLAUSE_OPENERS = frozenset(
    "The A An It Its He She They We I This That These Those There Their His Her Our In On At But "
    "However Meanwhile Also Under Earlier Later".split()
)
def _ends_with_stop(text: str) -> bool:
    return len(text) > 1 and text.endswith(".") and not text.endswith("..")


class SentenceRepair:
    def __call__(self, doc: Doc) -> Doc:
        if not doc.has_annotation("SENT_START") or len(doc) < 3:
            return doc
        for i in range(len(doc) - 1):
            tok, nxt = doc[i], doc[i + 1]
            if nxt.is_sent_start or not tok.whitespace_ or not _ends_with_stop(tok.text):
                continue
            if nxt.text in CLAUSE_OPENERS:
                nxt.is_sent_start = True
        return doc


@Language.factory("newswatch_sentence_repair", requires=["token.is_sent_start"], assigns=["token.is_sent_start"])
def make_sentence_repair(nlp: Language, name: str) -> SentenceRepair:
    return SentenceRepair()
