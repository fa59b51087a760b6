"""Sentence starts the small statistical splitter (``senter``) misses, set before NER reads the text.

spaCy's NER never runs an entity across a sentence start. Plain ``en_core_web_sm`` takes its sentence
starts from the parser; the analyzer runs without the parser (it costs most of the run time) and
takes them from ``senter``, which misses one kind of end the parser finds: a sentence whose last
word is an abbreviation ("... to Columbia Aluminium Corp. Comalco said ...", "... and Co. Holders of
Hughes would get ...", "S and P. The agency cited ..."). Without the start, NER reads the company
and the next sentence's first word as one name ("Columbia Aluminium Corp. Comalco").

This component marks a start after a word ending in "." when what follows cannot continue the name:
- after a company-form abbreviation (Corp., Inc., Ltd., Co., Bhd., ...), a capitalised word that is
  not itself a company form or a connector ("Co. Inc", "Corp. &");
- after any abbreviation or initial, a capitalised word that only opens a clause (The, It, He, ...).
- after a gap of spaces inside a line (a whitespace token: one space is never a token), as between
  the columns of a table ("JANUARY 1987  FEBRUARY 1987"): what stands in two columns is two things.
It only ever adds starts, and only where the text shows one: a name never ends in "Corp. The".
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT_VERSION = "1.0"
# Company forms written with a full stop; a name that ends in one ends there.
COMPANY_FORMS = frozenset(
    "corp. inc. ltd. co. bhd. plc. llc. l.p. lp. n.v. s.a. ag. a.g. s.p.a. pty. gmbh. b.v. k.k. cos. bros.".split()
)
# Words that open a clause and never continue a name: after "X." they start a sentence.
CLAUSE_OPENERS = frozenset(
    "The A An It Its He She They We I This That These Those There Their His Her Our In On At But "
    "However Meanwhile Also Under Earlier Later".split()
)
# After a company form these continue the name ("Co. Inc", "Corp. &", "Ltd. (Japan)").
_CONTINUES = frozenset({"&", "and", "of", "(", "-", ","})


def _ends_with_stop(text: str) -> bool:
    return len(text) > 1 and text.endswith(".") and not text.endswith("..")


class SentenceRepair:
    def __call__(self, doc: Doc) -> Doc:
        if not doc.has_annotation("SENT_START") or len(doc) < 3:
            return doc
        for i in range(len(doc) - 1):
            tok, nxt = doc[i], doc[i + 1]
            if tok.is_space and "\n" not in tok.text and i > 0 and not nxt.is_space:
                nxt.is_sent_start = True  # a gap of spaces inside a line: a table's next column
                continue
            if tok.is_space or not _ends_with_stop(tok.text) or not (tok.whitespace_ or nxt.is_space):
                continue
            j = i + 1
            while j < len(doc) - 1 and doc[j].is_space:  # "Corp.\nComalco": the line break is a token
                j += 1
            nxt = doc[j]
            if nxt.is_sent_start:
                continue
            word = nxt.text
            if not word[:1].isupper():
                continue
            company = tok.lower_ in COMPANY_FORMS and word.lower() not in COMPANY_FORMS and word not in _CONTINUES
            if company or word in CLAUSE_OPENERS:
                nxt.is_sent_start = True
        return doc


@Language.factory("newswatch_sentence_repair", requires=["token.is_sent_start"], assigns=["token.is_sent_start"])
def make_sentence_repair(nlp: Language, name: str) -> SentenceRepair:
    return SentenceRepair()
