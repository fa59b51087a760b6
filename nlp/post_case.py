"""Shouted posts ("LMAO AT THE FACT THAT EVERYONE THOUGHT SHAWN WAS COMING") read in lower case by the post NER.

A text written all in capitals hides the one signal a name has in writing: every word looks like an
acronym or a name, and the post NER (``nlp.train_ner_social``, trained with lower-cased copies of
posts) tags the wrong words or none. This wrapper gives the NER a lower-cased view of such a post,
with the same tokens, spaces and sentence starts, and copies the entities back by token index, so the
document keeps the text and the offsets the caller sent. Other texts go to the NER unchanged.
Measured on the WNUT-17 train tune tenth, every post upper-cased: entity F1 0.29 read as written,
0.42 read lower-cased (WNUT-17 dev, held out: 0.11 -> 0.24; its real all-capitals posts 0.0 -> 0.2).
Only the post route has the wrapper: news headlines in capitals keep the news model's reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, cast

from spacy.language import Language
from spacy.tokens import Doc, Span

COMPONENT_VERSION = "1.0"
MIN_CASED = 8  # fewer cased letters than this is a short acronym line ("NBA", "LOL"), not shouting
SHOUTED_SHARE = 0.9  # share of the cased letters that are capitals


def is_shouted(text: str) -> bool:
    """True when nearly every cased letter of ``text`` is a capital (a shouted post)."""
    upper = lower = 0
    for ch in text:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    return upper + lower >= MIN_CASED and upper >= SHOUTED_SHARE * (upper + lower)


class ShoutedCaseNER:
    """Runs ``ner`` on a lower-cased view of a shouted doc; entities copied back by token index."""

    def __init__(self, ner: Any) -> None:
        self.ner = ner  # the pipeline's own ``ner``, set by ``wrap_ner``

    def _view(self, doc: Doc) -> Doc | None:
        if not is_shouted(doc.text):
            return None
        sent_starts: list[bool | int | None] | None = None
        if doc.has_annotation("SENT_START"):
            sent_starts = [bool(t.is_sent_start) for t in doc]
        return Doc(doc.vocab, words=[t.text.lower() for t in doc], spaces=[bool(t.whitespace_) for t in doc],
                   sent_starts=sent_starts)

    @staticmethod
    def _copy_ents(doc: Doc, view: Doc) -> None:
        doc.ents = [Span(doc, e.start, e.end, label=e.label_) for e in view.ents]

    def __call__(self, doc: Doc) -> Doc:
        view = self._view(doc)
        if view is None:
            return self.ner(doc)  # type: ignore[no-any-return]
        self._copy_ents(doc, self.ner(view))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        it = iter(docs)
        while batch := list(islice(it, batch_size)):
            views = [self._view(d) for d in batch]
            read = self.ner.pipe([v if v is not None else d for d, v in zip(batch, views, strict=True)],
                                 batch_size=batch_size)
            for d, v, out in zip(batch, views, read, strict=True):
                if v is not None:
                    self._copy_ents(d, out)
                yield d


@Language.factory("newswatch_shouted_case_ner", assigns=["doc.ents"])
def make_shouted_case_ner(nlp: Language, name: str) -> ShoutedCaseNER:
    return ShoutedCaseNER(None)


def wrap_ner(nlp: Language) -> None:
    """Puts the wrapper where ``nlp``'s ``ner`` was, holding that ``ner`` (see the module docstring)."""
    names = nlp.pipe_names
    at = names.index("ner")
    _, ner = nlp.remove_pipe("ner")
    wrapper = nlp.add_pipe("newswatch_shouted_case_ner", **({"after": names[at - 1]} if at else {"first": True}))
    cast(ShoutedCaseNER, wrapper).ner = ner
