"""Tone and stance behind one ``StanceModel`` protocol, chosen by ``make_stance_model``.

Backends: ``trained`` (the project's own target-aware MiniLM + LoRA weights shipped under
``nlp/models/stance/``, rebuilt by ``python -m nlp.train_stance``), ``transformers`` (a user's local
sentiment or zero-shot NLI model directory) and ``lexicon`` (VADER, the fallback). Every backend
answers ``predict_many`` so callers can batch the sentences of many documents into one call.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

FAVOR_AT = 0.25
AGAINST_AT = -0.25
TRAINED_DIR = Path(__file__).resolve().parent / "models" / "stance"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StanceQuery:
    """One sentence and one target; ``start``/``end`` locate the target's mention in ``text`` when known."""

    text: str
    target: str
    start: int | None = None
    end: int | None = None


class StanceModel(Protocol):
    name: str
    version: str

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        """One ``(label, probability of label)`` per sentence; label is favor|against|neutral."""
        ...

    def predict_many(self, queries: Sequence[StanceQuery]) -> list[tuple[str, float]]:
        """Like ``predict`` for (sentence, target) pairs of any targets: one batched call per chunk."""
        ...


_VADER: SentimentIntensityAnalyzer | None = None


def vader() -> SentimentIntensityAnalyzer:
    """One shared VADER analyser (its lexicon loads once per process)."""
    global _VADER
    if _VADER is None:
        _VADER = SentimentIntensityAnalyzer()
    return _VADER


def compound(text: str) -> float:
    return float(vader().polarity_scores(text)["compound"])


def label_compound(c: float) -> tuple[str, float]:
    """Map a VADER compound in [-1, 1] to a label and a probability-like confidence in [0.5, 1]."""
    if c >= FAVOR_AT:
        return "favor", round(0.5 + 0.5 * min(1.0, c), 4)
    if c <= AGAINST_AT:
        return "against", round(0.5 + 0.5 * min(1.0, -c), 4)
    return "neutral", round(1.0 - 0.5 * abs(c) / FAVOR_AT, 4)


class LexiconStance:
    """Sentence sentiment as a stand-in for stance (ignores the target beyond sentence choice)."""

    name = "lexicon"
    version = "vader-3.3.2/1.0"

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        return [label_compound(compound(s)) for s in sentences]

    def predict_many(self, queries: Sequence[StanceQuery]) -> list[tuple[str, float]]:
        return [label_compound(compound(q.text)) for q in queries]

    def compound(self, sentence: str) -> float:
        return compound(sentence)


def _locate(text: str, target: str) -> tuple[int | None, int | None]:
    """The first mention of ``target`` (whole words, any case) in ``text``."""
    if not target.strip():
        return None, None
    m = re.search(rf"(?<!\w){re.escape(target.strip())}(?!\w)", text, re.IGNORECASE)
    return (m.start(), m.end()) if m else (None, None)


def _batched(queries: Sequence[StanceQuery], size: int) -> list[list[int]]:
    """Indices in batches of similar length (less padding), each batch in a fixed order."""
    order = sorted(range(len(queries)), key=lambda i: len(queries[i].text))
    return [order[k : k + size] for k in range(0, len(order), size)]


class TrainedStance:
    """The project's stance network (``nlp/stance_net.py``): installed MiniLM + shipped LoRA/head weights."""

    name = "trained"
    target_aware = True  # reads the target's marked mention: the analyzer gives it whole sentences

    def __init__(
        self, model_dir: Path = TRAINED_DIR, batch_size: int = 64, threads: int | None = None, quantize: bool = False
    ) -> None:
        """``quantize``: int8 dynamic quantisation of the linear layers: about 3x faster on CPU but
        measured 5 points of macro-F1 worse on NewsMTSC dev, so off by default."""
        import warnings

        import torch

        from nlp import stance_net  # deferred on purpose with torch above: the lexicon backend never loads it

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        net, self._tokenizer, self.meta = stance_net.load(Path(model_dir))
        self._nets = [net] + [self._member(stance_net, Path(model_dir), name) for name in self.meta.get("members", [])]
        if quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated, still the CPU fast path
                self._nets = [torch.ao.quantization.quantize_dynamic(n, {torch.nn.Linear}, dtype=torch.qint8)
                              for n in self._nets]
        self._encode = stance_net.encode
        self._window = stance_net.window
        self.labels: list[str] = list(self.meta["labels"])
        self.max_len = int(self.meta.get("max_len", 96))
        self.batch_size = batch_size
        epochs = f"e{self.meta.get('epochs_completed', '?')}"
        if "stage1" in self.meta:  # a second stage on top of the first: both epoch counts
            epochs = f"e{self.meta['stage1'].get('epochs_completed', '?')}+{epochs}"
        members = f"x{len(self._nets)}" if len(self._nets) > 1 else ""
        self.version = f"minilm-lora-{self.meta.get('format', 1)}/{epochs}{members}"

    def _member(self, stance_net: Any, model_dir: Path, name: str) -> Any:
        """One more network of the ensemble ``meta.json`` names under ``members`` (a subfolder with
        its own weights and meta), trained like the first with another seed: the rows of all are
        averaged, which evens out what one seed's run happened to learn."""
        folder = model_dir / name
        net, _, meta = stance_net.load(folder)
        if meta.get("max_len") != self.meta.get("max_len") or meta.get("labels") != self.meta.get("labels"):
            raise ValueError(f"{folder}: stance ensemble member differs from {model_dir} in max_len or labels")
        return net

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        return self.predict_many([StanceQuery(s, target) for s in sentences])

    def predict_many(self, queries: Sequence[StanceQuery]) -> list[tuple[str, float]]:
        return [(self.labels[int(p.argmax())], round(float(p.max()), 4)) for p in self.probabilities(queries)]

    def probabilities(self, queries: Sequence[StanceQuery]) -> list[Any]:
        """Softmax rows (in ``self.labels`` order), one per query. With a ``combine`` record in
        ``meta.json`` (chosen on a grouped hold-out of the training data by
        ``nlp.choose_stance_combo``), a long sentence is also read through a window of words around
        the mention, the two mixed, and per-class log offsets added before the final softmax."""
        items = []
        for q in queries:
            start, end = (q.start, q.end) if q.start is not None else _locate(q.text, q.target)
            items.append((q.text, q.target, start, end))
        out = self._run(items)
        combo = self.meta.get("combine") or {}
        words, weight = int(combo.get("window_words", 0)), float(combo.get("window_weight", 0.0))
        if words and weight:
            cut = [(i, self._window(text, start, end, words)) for i, (text, _, start, end) in enumerate(items)]
            cut = [(i, w) for i, w in cut if w[0] != items[i][0]]  # a short sentence is its own window
            viewed = self._run([(w[0], items[i][1], w[1], w[2]) for i, w in cut])
            for (i, _), row in zip(cut, viewed, strict=True):
                out[i] = (1 - weight) * out[i] + weight * row
        offsets = {k: float(v) for k, v in (combo.get("offsets") or {}).items() if float(v)}
        if offsets and queries:
            shift = self._torch.tensor([float(offsets.get(label, 0.0)) for label in self.labels])
            out = list((self._torch.stack(out).clamp(min=1e-9).log() + shift).softmax(-1))
        return out

    def _run(self, items: Sequence[tuple[str, str, int | None, int | None]]) -> list[Any]:
        out: list[Any] = [None] * len(items)
        order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
        with self._torch.inference_mode():
            for k in range(0, len(order), self.batch_size):
                idx = order[k : k + self.batch_size]
                batch = self._encode(self._tokenizer, [items[i] for i in idx], self.max_len)
                probs = self._nets[0](batch).softmax(-1)
                for net in self._nets[1:]:
                    probs = probs + net(batch).softmax(-1)
                probs = probs / len(self._nets)
                for i, row in zip(idx, probs, strict=True):
                    out[i] = row
        return out


class TransformersStance:
    """A user's local model folder: a sentiment classifier (negative/neutral/positive labels) or a
    zero-shot NLI model (entailment/contradiction labels), never downloaded."""

    name = "transformers"

    def __init__(self, model_dir: Path, batch_size: int = 32) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self._model = AutoModelForSequenceClassification.from_pretrained(model_dir, local_files_only=True).eval()
        self.batch_size = batch_size
        labels = {int(k): str(v).lower() for k, v in self._model.config.id2label.items()}
        self.version = Path(model_dir).name
        self._entail = next((i for i, v in labels.items() if v.startswith("entail")), None)
        if self._entail is not None:
            self._mode = "nli"
            return
        self._mode = "sentiment"
        self._map: dict[int, str] = {}
        for i, v in labels.items():
            if v.startswith(("neg", "against")) or v in ("label_0", "1 star", "2 stars"):
                self._map[i] = "against"
            elif v.startswith(("pos", "favor", "favour")) or v in ("label_2", "4 stars", "5 stars"):
                self._map[i] = "favor"
            else:
                self._map[i] = "neutral"

    def predict(self, sentences: Sequence[str], target: str) -> list[tuple[str, float]]:
        return self.predict_many([StanceQuery(s, target) for s in sentences])

    def _logits(self, first: list[str], second: list[str] | None) -> Any:
        enc = self._tokenizer(first, second, truncation=True, max_length=256, padding=True, return_tensors="pt")
        with self._torch.inference_mode():
            return self._model(**enc).logits.softmax(-1)

    def predict_many(self, queries: Sequence[StanceQuery]) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = [("neutral", 0.0)] * len(queries)
        for idx in _batched(queries, self.batch_size):
            if self._mode == "sentiment":
                probs = self._logits([queries[i].text for i in idx], None)
                for i, row in zip(idx, probs, strict=True):
                    mass: dict[str, float] = {}
                    for j, p in enumerate(row.tolist()):
                        mass[self._map[j]] = mass.get(self._map[j], 0.0) + p
                    label = max(mass, key=lambda k: mass[k])
                    out[i] = (label, round(mass[label], 4))
                continue
            # zero-shot: entailment of "... is good" vs "... is bad" about the target
            texts = [queries[i].text for i in idx]
            pos = self._logits(texts, [f"This is good for {queries[i].target}." for i in idx])[:, self._entail]
            neg = self._logits(texts, [f"This is bad for {queries[i].target}." for i in idx])[:, self._entail]
            for i, p, n in zip(idx, pos.tolist(), neg.tolist(), strict=True):
                if max(p, n) < 0.5:
                    out[i] = ("neutral", round(1.0 - max(p, n), 4))
                else:
                    out[i] = ("favor", round(p, 4)) if p >= n else ("against", round(n, 4))
        return out


_CACHE: dict[tuple[str, str], StanceModel] = {}
_CACHE_LOCK = threading.Lock()


def trained_weights_present(model_dir: Path = TRAINED_DIR) -> bool:
    from nlp.stance_net import META_FILE, WEIGHTS_FILE  # deferred on purpose: stance_net imports torch

    return (model_dir / WEIGHTS_FILE).is_file() and (model_dir / META_FILE).is_file()


class StanceBackendError(ValueError):
    """The configured stance backend cannot be built; the message says what to change."""


def make_stance_model(backend: str, model_dir: str | Path | None = None) -> StanceModel:
    """Build (once per process and setting) the configured backend.

    ``trained`` falls back to ``lexicon`` with a warning when its weights are not in the package
    (or in ``model_dir``, when given); ``transformers`` needs ``model_dir``, a local folder.
    """
    key = (backend, str(model_dir or ""))
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = _build(backend, model_dir)
        return _CACHE[key]


def _build(backend: str, model_dir: str | Path | None) -> StanceModel:
    if backend == "lexicon":
        return LexiconStance()
    if backend == "trained":
        folder = Path(model_dir) if model_dir else TRAINED_DIR
        if not trained_weights_present(folder):
            log.warning("stance: no trained weights in %s; using the lexicon backend "
                        "(rebuild them with python -m nlp.train_stance)", folder)
            return LexiconStance()
        return TrainedStance(folder)
    if backend == "transformers":
        if model_dir is None:
            raise StanceBackendError(
                "nlp.stance_backend = 'transformers' needs nlp.stance_model_dir: the folder of a local "
                "sentiment or zero-shot NLI model (no model is downloaded); or set stance_backend = 'trained'"
            )
        if not Path(model_dir).is_dir():
            raise StanceBackendError(f"nlp.stance_model_dir: no such folder: {model_dir}")
        try:
            return TransformersStance(Path(model_dir))
        except (OSError, ValueError) as exc:
            raise StanceBackendError(f"nlp.stance_model_dir: cannot load a classifier from {model_dir}: {exc}") from exc
    raise StanceBackendError(
        f"nlp.stance_backend: expected 'trained', 'lexicon' or 'transformers', got {backend!r}"
    )
