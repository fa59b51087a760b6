"""Which language a text is analysed as, and how sure the detector is.

The detector (py3langid) is reliable on sentences of ordinary words and unreliable on what news
and posts are full of: short headlines, lines that list names, tickers and figures, all-capitals
wires. ``decide`` keeps the detector's answer only when it is sure; otherwise, and whenever the
detected language has no model here, a Latin-script text is analysed with the default model and
the answer says so in a warning. Texts in other scripts keep their detected language (the
default English model cannot read them; watchlist matching still can).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

DEFAULT_LANG = "en"
SURE_PROB = 0.9  # below this the detector's guess is not trusted on its own
SHORT_CHARS = 60  # shorter texts: too few words for character n-grams to tell languages apart...
SURE_PROB_SHORT = 0.98  # ...so the detector must be surer of them
NAMEY_SHARE = 0.5  # more words than this capitalised, digits or all-caps: names and figures, not prose
_ALIASES = {"wuu": "zh", "yue": "zh", "cmn": "zh", "nb": "no", "nn": "no"}
_WORD = re.compile(r"[^\W_][\w'’.-]*")


@dataclass(frozen=True)
class LangDecision:
    """``lang``: reported in the answer; ``model_lang``: whose model analyses it (None: watchlist only)."""

    lang: str | None
    model_lang: str | None
    warning: str | None = None


def normalise_lang(lang: object) -> str | None:
    if not lang or not isinstance(lang, str):
        return None
    code = re.split(r"[-_]", lang.strip().lower())[0]
    code = _ALIASES.get(code, code)
    return code if len(code) == 2 and code.isalpha() else None


def is_latin(text: str) -> bool:
    """True when most letters of ``text`` are Latin (accented ones included)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin >= 0.6 * len(letters)


def namey_share(text: str) -> float:
    """Share of words that are capitalised, all-caps or contain digits (names, tickers, figures)."""
    words = _WORD.findall(text)
    if not words:
        return 1.0
    return sum(1 for w in words if w[0].isupper() or w.isupper() or any(c.isdigit() for c in w)) / len(words)


class LanguageRouter:
    """Detects a text's language and decides which installed model reads it."""

    def __init__(self, model_langs: frozenset[str] | set[str], default: str = DEFAULT_LANG) -> None:
        self.model_langs = frozenset(model_langs)
        self.default = default
        self._langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> tuple[str | None, float]:
        sample = text[:2000]
        if not any(ch.isalpha() for ch in sample):
            return None, 0.0
        code, prob = self._langid.classify(sample)
        return normalise_lang(code), float(prob)

    def decide(self, text: str, given: str | None = None) -> LangDecision:
        """A ``given`` language always wins; a detected one only when sure and served by a model."""
        if given:
            return LangDecision(given, given if given in self.model_langs else None)
        lang, prob = self.detect(text)
        sample = text[:2000]
        if lang is None:
            if is_latin(sample):
                return LangDecision(self.default, self.default, f"language unknown; analysed as {self.default!r}")
            return LangDecision(None, None)
        short = len(sample.strip()) < SHORT_CHARS
        unsure = prob < (SURE_PROB_SHORT if short else SURE_PROB) or namey_share(sample) > NAMEY_SHARE
        if lang == self.default:
            return LangDecision(lang, lang)
        if not is_latin(sample):
            return LangDecision(lang, lang if lang in self.model_langs else None)
        if unsure:
            return LangDecision(self.default, self.default, (
                f"language unsure (detector said {lang!r} at {prob:.2f}); analysed as {self.default!r}"
            ))
        if lang not in self.model_langs:
            return LangDecision(lang, self.default, (
                f"no NER model for lang {lang!r}; entities from the default {self.default!r} model"
            ))
        return LangDecision(lang, lang)
