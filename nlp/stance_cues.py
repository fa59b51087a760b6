"""Cues that a quoted speaker is warning: a warning about a company is against it, never favor.

The stance model learnt from political news and posts; a market commentator's warning is calm and
technical ("would push X to stockpile parts, tying up cash", "a margin warning", "razor-thin
margins") and the model read it as favor or neutral. Two cues say "warning" whatever the model
reads: the speaker's own reporting verb ("warned that", "..., she cautioned") and the words of a
warning about a company's money (risk, a profit or margin warning, squeezed or thin margins, cash
tied up or burnt, a cut forecast, a downgrade, losses, a shortfall). A cue that is denied ("no risk",
"little risk of a downgrade") is no cue.
"""

from __future__ import annotations

import re

_VERB = re.compile(r"\b(?:warn(?:s|ed|ing)?|caution(?:s|ed|ing)?)\b", re.IGNORECASE)
_WORDS = re.compile(
    r"\b(?:risks?|warnings?|threat(?:s|en|ens)?|squeez(?:e|es|ed|ing)|razor[- ]thin|thin(?:ner)? margins?"
    r"|margins? (?:pressure|squeeze)|pressure on (?:its |their |the )?margins?"
    r"|ty(?:ing)? up (?:its |their )?cash|ties up (?:its |their )?cash|tied up (?:its |their )?cash"
    r"|burn(?:s|ed|ing)? (?:through )?(?:its |their )?cash|cash burn"
    r"|(?:cut|cuts|cutting|lower(?:s|ed|ing)?|slash(?:es|ed|ing)?) (?:its |their |the )?"
    r"(?:sales |profit |earnings )?(?:forecasts?|guidance|outlook)"
    r"|downgrad(?:e|es|ed|ing)|shortfalls?|write-?downs?|loss(?:es)?|los(?:e|es|ing) money|headwinds?)\b",
    re.IGNORECASE,
)
_DENIED = re.compile(r"\b(?:no|little|low|without|minimal|limited)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)


def _undenied(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _DENIED.search(text[max(0, m.start() - 24) : m.start()]) for m in pattern.finditer(text))


def is_warning(quote: str, around: str = "") -> bool:
    """Whether the quoted words, or the reporting words ``around`` them (the rest of their sentence),
    warn: a warning verb in either, or a warning's words in the quote itself."""
    return _undenied(_VERB, around) or _undenied(_VERB, quote) or _undenied(_WORDS, quote)
