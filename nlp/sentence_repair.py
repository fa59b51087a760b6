"""Sentence starts the small statistical splitter (``senter``) misses, set before NER reads the text.

spaCy's NER never runs an entity across a sentence start. Plain ``en_core_web_sm`` takes its sentence
starts from the parser; the analyzer runs without the parser (it costs most of the run time) and
takes them from ``senter``, which misses one kind of end the parser finds: a sentence whose last
word is an abbreviation ("... to Columbia Aluminium Corp. Comalco said ...", "... and Co. Holders of
Hughes would get ...", "S and P. The agency cited ..."). Without the start, NER reads the company
and the next sentence's first word as one name ("Columbia Aluminium Corp. Comalco").

Four repairs:
- after a word ending in "." (an abbreviation or an initial) when the next word only opens a clause
  (The, It, He, In, ...): a name never continues "P. The";
- after a company form ending in "." (Corp., Ltd., Inc., Co., N.V., ...) followed by a capitalised
  word, the parser decides, run on that one sentence only. Word shape cannot tell "Corp. Comalco
  said" (two sentences) from "Nikko Securities Co. International" or "N.V. Philips" (one name): a
  rule starting a sentence after every company form took eval nlp's Reuters diff from 13 to 43
  documents. The parser reads the clause ("Comalco said ..." has its own verb) and is where plain
  spaCy's starts come from; the points are rare (about 6 in 1,000 news documents), so its cost is
  small. On 4,000 Reuters documents the parser run on the sentence alone set a start at exactly
  the 17 company-form points where plain spaCy's whole-document parse does.
- a senter start right after a plain word on the same line (no stop, no line break) is kept only
  when the parser, on those sentences, starts one there too (senter's "in the 1st | Qtr of 1986"
  split a DATE that plain spaCy keeps whole).
- a capitalised word on the same line right after an amount (a number, or a number and its unit:
  "... 43 cts Net 7,274,000 vs ..."), in a sentence that reads as a table (a third or more of its
  words are numbers), is asked of the parser: an earnings table flattened to one line has a label
  ("Net", "Revs", "Year") opening each row where the line breaks were; senter reads the rows as one
  sentence and NER ran a name across the labels ("cts Net 7,274,000 vs" PRODUCT).
Tried and not kept: a start across line breaks, and between table columns (a gap of spaces:
"March  12, 1987").
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

COMPONENT_VERSION = "1.3"
# Words that open a clause and never continue a name: after "X." they start a sentence.
CLAUSE_OPENERS = frozenset(
    "The A An It Its He She They We I This That These Those There Their His Her Our In On At But "
    "However Meanwhile Also Under Earlier Later".split()
)
# Company forms (dots and case aside) after which a capitalised word is asked of the parser.
COMPANY_FORMS = frozenset(
    "corp inc ltd co cos plc llc llp lp bhd pty nv bv sa ag kk spa srl sarl gmbh ab oy as asa".split()
)
PARSE_WINDOW = 60  # tokens either side of the point the parser reads (a table-long "sentence" is cut)
TABLE_NUMBER_SHARE = 1 / 3  # a sentence with at least this share of number tokens reads as a table
_PARSERS: dict[str, Language] = {}  # model package -> its tok2vec + parser, loaded on first need
_NOT_PARSER = ["ner", "tagger", "senter", "attribute_ruler", "lemmatizer", "morphologizer",
               "trainable_lemmatizer"]


def _ends_with_stop(text: str) -> bool:
    return len(text) > 1 and text.endswith(".") and not text.endswith("..")


def is_company_form(text: str) -> bool:
    """``Corp.``, ``N.V.``, ``LTD.``: a company form written with a final dot."""
    return text.endswith(".") and text.replace(".", "").casefold() in COMPANY_FORMS


def _parser(model: str) -> Language:
    if model not in _PARSERS:
        _PARSERS[model] = spacy.load(model, exclude=_NOT_PARSER)
    return _PARSERS[model]


def _mid_line(prev: Token, tok: Token) -> bool:
    """A start directly after a plain word on the same line ("in the 1st | Qtr of 1986"): nothing ends
    a sentence there, and senter's few such starts (about 6 in 1,000 news documents) split names."""
    return (not tok.is_space and not prev.is_space and "\n" not in prev.whitespace_
            and prev.text[-1:].isalnum())


def _table_sentences(doc: Doc) -> list[Span]:
    """The sentences a third or more of whose words are numbers (flattened table rows)."""
    out = []
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space and not t.is_punct]
        if len(words) >= 6 and sum(t.like_num for t in words) >= TABLE_NUMBER_SHARE * len(words):
            out.append(sent)
    return out


def _row_label(doc: Doc, tok: Token) -> bool:
    """A capitalised word on the same line right after an amount ("43 cts Net", "1,487,000 Revs")."""
    if tok.i < 2 or tok.is_sent_start or not tok.text[:1].isupper() or not tok.is_alpha:
        return False
    prev = doc[tok.i - 1]
    if prev.is_space or "\n" in prev.whitespace_ or not prev.whitespace_:
        return False
    return prev.like_num or (prev.is_alpha and doc[tok.i - 2].like_num and "\n" not in doc[tok.i - 2].whitespace_)


class SentenceRepair:
    """``parser_model``: the spaCy package whose parser decides after company forms ("" : never asked)."""

    def __init__(self, parser_model: str = "") -> None:
        self.parser_model = parser_model

    def __call__(self, doc: Doc) -> Doc:
        if not doc.has_annotation("SENT_START") or len(doc) < 3:
            return doc
        ask: list[Token] = []
        for i in range(len(doc) - 1):
            tok, nxt = doc[i], doc[i + 1]
            if nxt.is_sent_start or not tok.whitespace_ or not _ends_with_stop(tok.text):
                continue
            if nxt.text in CLAUSE_OPENERS:
                nxt.is_sent_start = True
            elif self.parser_model and nxt.text[:1].isupper() and is_company_form(tok.text):
                ask.append(nxt)
        rows = [(sent.start, sent.end, labels) for sent in (_table_sentences(doc) if self.parser_model else [])
                if (labels := [t for t in sent if _row_label(doc, t)])]
        doubtful = [t for t in doc[1:] if t.is_sent_start and self.parser_model and _mid_line(doc[t.i - 1], t)]
        for nxt in ask:
            if self._parser_starts(doc, nxt):
                nxt.is_sent_start = True
        for lo, hi, labels in rows:
            starts = self._parser_starts_in(doc, lo, hi)
            for tok in labels:
                if tok.i in starts:
                    tok.is_sent_start = True
        for tok in doubtful:
            if not self._parser_starts(doc, tok):
                tok.is_sent_start = False
        return doc

    def _parser_starts_in(self, doc: Doc, lo: int, hi: int) -> set[int]:
        """The tokens of ``doc[lo:hi]`` at which the parser, reading that stretch alone, starts a sentence."""
        parser = _parser(self.parser_model)
        words = doc[lo:hi]
        piece = Doc(parser.vocab, words=[t.text for t in words], spaces=[bool(t.whitespace_) for t in words])
        for _, proc in parser.pipeline:
            piece = proc(piece)
        return {lo + t.i for t in piece if t.is_sent_start}

    def _parser_starts(self, doc: Doc, tok: Token) -> bool:
        """Whether the parser, reading ``tok``'s sentence (at most a window around it), starts one at it."""
        lo = max(doc[tok.i - 1].sent.start, tok.i - PARSE_WINDOW)
        hi = min(tok.sent.end, tok.i + PARSE_WINDOW)
        return tok.i in self._parser_starts_in(doc, lo, hi)


@Language.factory("newswatch_sentence_repair", default_config={"parser_model": ""},
                  requires=["token.is_sent_start"], assigns=["token.is_sent_start"])
def make_sentence_repair(nlp: Language, name: str, parser_model: str) -> SentenceRepair:
    return SentenceRepair(parser_model)
