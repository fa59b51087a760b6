"""The post NER network (``nlp.post_ner_net``) as a spaCy component of the post pipeline.

It runs after the post pipeline's spaCy NER and takes over the classes it was trained for (people,
places, organisations and groups, products, creative works): its entities replace spaCy's of those
classes, and spaCy's other readings that do not overlap one of its entities (dates, numbers,
nationalities, events, laws...) are kept, since WNUT-17 never annotates them and the rest of the
analyzer (events, canonical names) reads them. A shouted post is read with lower-case word shapes,
as the post NER reads it in lower case (``nlp.post_case``). Only the post route has this component,
so news keeps the news model's speed and reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.post_case import is_shouted

MODEL_DIR = Path(__file__).resolve().parent / "models" / "post_ner"
WEIGHTS_FILE = "post_ner_head.safetensors"  # nlp.post_ner_net.WEIGHTS_FILE (that module loads torch)
# WNUT-17 class -> the spaCy label the rest of the analyzer reads
LABELS = {"person": "PERSON", "location": "GPE", "corporation": "ORG", "group": "ORG",
          "product": "PRODUCT", "creative-work": "WORK_OF_ART"}
# spaCy's readings the network takes over (its own classes, and the place labels it reads as one)
REPLACED = frozenset({"PERSON", "GPE", "LOC", "FAC", "ORG", "PRODUCT", "WORK_OF_ART"})


class PostNER:
    """Sets ``doc.ents`` from the network, keeping spaCy's non-overlapping readings of other classes."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        # deferred: the network loads torch and transformers, which only the post route needs
        from nlp import post_ner_net

        self.net = post_ner_net
        self.head, self.meta = post_ner_net.load(model_dir)
        self.encoder, self.tokenizer = post_ner_net.load_encoder()

    def _apply(self, docs: list[Doc]) -> None:
        words, index = [], []
        for doc in docs:
            toks = [t.i for t in doc if not t.is_space]
            lower = is_shouted(doc.text)
            words.append([doc[i].text.lower() if lower else doc[i].text for i in toks])
            index.append(toks)
        live = [k for k, w in enumerate(words) if w]
        vecs = self.net.word_vectors(self.encoder, self.tokenizer, [words[k] for k in live]) if live else []
        spans = self.net.decode(self.head, vecs, [words[k] for k in live])
        for k, found in zip(live, spans, strict=True):
            doc, toks = docs[k], index[k]
            ents = [Span(doc, toks[s], toks[e - 1] + 1, label=LABELS[c]) for s, e, c in found]
            taken = {i for e in ents for i in range(e.start, e.end)}
            ents += [e for e in doc.ents
                     if e.label_ not in REPLACED and not taken.intersection(range(e.start, e.end))]
            doc.ents = sorted(ents, key=lambda e: e.start)

    def __call__(self, doc: Doc) -> Doc:
        self._apply([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        it = iter(docs)
        while batch := list(islice(it, batch_size)):
            self._apply(batch)
            yield from batch


@Language.factory("newswatch_post_ner", assigns=["doc.ents"])
def make_post_ner(nlp: Language, name: str) -> PostNER:
    return PostNER()


def available() -> bool:
    """True when the network's head is shipped."""
    return (MODEL_DIR / WEIGHTS_FILE).is_file()


def version() -> str:
    """The shipped head's build (its best epoch and seed), or "absent"."""
    try:
        meta: dict[str, Any] = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "absent"
    return f"wnut17-minilm-bilstm-e{meta.get('best_epoch', '?')}-seed{meta.get('seed', '?')}"
