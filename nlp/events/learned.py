"""How the learned detector and the rules share the work: the detector decides the type, the rules fill it.

Trigger words alone miss most ways news says a launch ("goes to market this fall with", "the first units
were handed over") and fire on words in another sense ("launched a probe", "the shell will launch"). So
for the types the detector knows (:data:`nlp.events.detector.DETECTED_TYPES`):

- a rule candidate whose sentence the detector scores below ``keep`` for its type is dropped (a veto:
  the sentence does not read as that event at all);
- a sentence with a hint word of that type and no rule candidate of that type becomes a candidate when
  the detector scores it at ``propose`` or above, or at ``trigger`` or above when it has a trigger word the
  rules did not take up (a noun "launch", no maker named); the type's rule fills its arguments (company,
  product, value, place: :meth:`nlp.events.rules.RuleExtractor.fill`);
- the encoder runs only on sentences where its answer could change something: the candidates a veto could
  drop and the sentences with a hint word (a cheap regex gate) of a type it could still propose there, at
  most :data:`nlp.events.detector.MAX_SENTENCES` per text.

Thresholds were chosen on the tuning documents of SENTiVENT dev; the weights come from written sentences only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nlp.events.detector import DETECTED_TYPES, MAX_SENTENCES, EventTypeDetector, hint_span, hinted
from nlp.events.rules import TRIGGERS, Candidate, Ent, RuleExtractor

Span = tuple[int, int]


def type_score(probs: dict[str, float], etype: str) -> float:
    """The detector's probability of ``etype``; a deal is a partnership or contract, or a merger or takeover."""
    if etype == "deal":
        return max(probs.get("deal", 0.0), probs.get("acquisition", 0.0))
    return probs.get(etype, 0.0)


def gated(text: str, sents: Sequence[Span], cands: Sequence[Candidate],
          detector: EventTypeDetector | None = None) -> list[Span]:
    """The sentences worth encoding, at most ``MAX_SENTENCES``: first those of the rules' candidates a veto could
    drop, then in text order those with a hint word of a type the detector could still propose there. A type
    whose bars are above 1 can never be proposed or vetoed, so it costs no encoding."""
    keep = detector.keep if detector else dict.fromkeys(DETECTED_TYPES, 1.0)
    bars = {t: min(detector.thresholds[t], detector.trigger[t]) for t in DETECTED_TYPES} if detector else \
        dict.fromkeys(DETECTED_TYPES, 0.0)
    first = sorted({c.sentence for c in cands if c.type in DETECTED_TYPES and keep[c.type] > 0})
    have = {(c.sentence, c.type) for c in cands}
    seen = set(first)
    rest = [s for s in sents if s not in seen and any(
        bars[t] <= 1.0 and (s, t) not in have for t in hinted(text[s[0]:s[1]]))]
    return (first + rest)[:MAX_SENTENCES]


def combine(text: str, sents: Sequence[Span], cands: list[Candidate], ents: Sequence[Ent], rules: RuleExtractor,
            detector: EventTypeDetector, in_sentence: Callable[[Span], list[Ent]] | None = None,
            ) -> tuple[list[Candidate], dict[Span, dict[str, float]]]:
    """The candidates after the detector's veto and proposals, and the detector's scores by sentence."""
    if not detector.trained:
        return cands, {}
    todo = gated(text, sents, cands, detector)
    if not todo:
        return cands, {}
    scores = dict(zip(todo, detector.predict([text[s:e] for s, e in todo]), strict=True))
    kept: list[Candidate] = []
    for c in cands:
        probs = scores.get(c.sentence)
        if c.type in DETECTED_TYPES and probs is not None:
            p = type_score(probs, c.type)
            if p < detector.keep[c.type]:
                continue
            c.reasons.append(f"detector: reads as {c.type} ({p:.2f})")
        kept.append(c)
    have = {(c.sentence, c.type) for c in kept}
    pick = in_sentence or (lambda s: [e for e in ents if s[0] <= e.start and e.end <= s[1]])
    for sent, probs in scores.items():
        stext = text[sent[0]:sent[1]]
        for etype in DETECTED_TYPES:
            p = type_score(probs, etype)
            if (sent, etype) in have or etype not in hinted(stext) or rules.other_sense(stext, etype):
                continue
            worded = TRIGGERS[etype].search(stext) is not None
            if p < (detector.trigger[etype] if worded else detector.thresholds[etype]):
                continue
            span = hint_span(stext, etype)
            assert span is not None  # hinted above
            cand = rules.fill(text, etype, (sent[0] + span[0], sent[0] + span[1]), sent, pick(sent))
            cand.reasons.append(f"detector: reads as {etype} ({p:.2f})" + (
                ", trigger word the rules left" if worded else ", no trigger word"))
            kept.append(cand)
    return kept, scores
