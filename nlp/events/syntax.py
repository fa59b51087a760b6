"""Who does what, from spaCy's dependency parse of the few sentences that hold an event trigger.

The analyzer's pipeline leaves the parser out (it would halve throughput on every text). Real news
names the actor of an event away from the trigger word ("President Hollande said Defence Minister
Le Drian would travel to India": the traveller is Le Drian, not the first name of the sentence;
"the Indian Prime Minister had signed an agreement": the signer is the prime minister the text
introduced). The subject of the trigger verb, of the verb that governs a trigger noun ("China
imposed sanctions"), the owner of a visit noun ("his trip", "the visit of"), or the noun a
"visiting" qualifies, says it. So the events component parses only sentences that have a trigger,
with the parser of the same installed model, loaded once per process; without one (a blank
pipeline in tests) the surface rules stand alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token

from nlp.events.people import Person, PersonIndex

_SUBJ = ("nsubj", "nsubjpass", "csubj")
# A verb that takes its subject from the verb above it: "plans to visit", "arrived and met", "before flying"
_CLIMB_VERB = ("xcomp", "conj", "advcl", "pcomp", "acl")
# A noun reached from its verb through these: "ended his trip", "signed an agreement", "on a visit to"
_CLIMB_NOUN = ("dobj", "pobj", "prep", "attr", "appos", "npadvmod", "nsubjpass", "conj", "compound", "oprd", "acomp",
               "amod", "nmod")
PRONOUNS = frozenset(("he", "she", "him", "her", "his", "hers", "they", "them", "their", "it", "its"))


@lru_cache(maxsize=4)
def _load(package: str) -> Language | None:
    try:
        # the parser needs the tagger's features; the recogniser and lemmatizer are not needed here
        return spacy.load(package, exclude=["ner", "lemmatizer", "senter"])
    except (OSError, ImportError, ValueError):
        return None


def load_parser(nlp: Language) -> Language | None:
    """The dependency parser of the model ``nlp`` was loaded from (None for a blank pipeline)."""
    meta = nlp.meta or {}
    if not meta.get("name") or not meta.get("lang") or not nlp.pipe_names:
        return None
    return _load(f"{meta['lang']}_{meta['name']}")


class SentenceParses:
    """Parses of one text's sentences, made on first use: ``get((s0, s1))`` is the Doc of ``text[s0:s1]``."""

    def __init__(self, parser: Language | None, text: str) -> None:
        self.parser = parser
        self.text = text
        self._docs: dict[tuple[int, int], Doc] = {}

    def get(self, sent: tuple[int, int]) -> Doc | None:
        if self.parser is None:
            return None
        doc = self._docs.get(sent)
        if doc is None:
            doc = self.parser(self.text[sent[0]:sent[1]])
            self._docs[sent] = doc
        return doc

    def token_at(self, sent: tuple[int, int], start: int, end: int | None = None) -> Token | None:
        """The head word of the trigger at document offsets ``start``-``end``: its verb, else its noun ("to buy":
        "buy"; "state visit": "visit"), else the token covering ``start``."""
        doc = self.get(sent)
        if doc is None:
            return None
        lo, hi = start - sent[0], (end if end is not None else start + 1) - sent[0]
        toks = [t for t in doc if t.idx < hi and lo < t.idx + max(1, len(t.text))]
        for pos in (("VERB", "AUX"), ("NOUN", "PROPN")):
            for t in toks:
                if t.pos_ in pos:
                    return t
        return toks[0] if toks else None


def _with_conj(toks: list[Token]) -> list[Token]:
    out: list[Token] = []
    for t in toks:
        out.append(t)
        out.extend(c for c in t.conjuncts if c not in out and c.i > t.i)
    return out


def subjects_of_verb(verb: Token) -> list[Token]:
    """The subject(s) of a verb, taken from the verb above when it has none of its own ("plans to visit",
    "arrived in Hanoi and met", "Xi, who arrived"); a passive verb's agent ("was signed by")."""
    v: Token | None = verb
    for _ in range(4):
        if v is None:
            break
        subj = [c for c in v.children if c.dep_ in _SUBJ]
        if subj:
            if subj[0].dep_ == "nsubjpass":
                agent = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
                if agent:
                    return _with_conj(agent)
            return _with_conj(subj)
        if v.dep_ == "relcl":
            return [v.head]
        if v.dep_ in _CLIMB_VERB and v.head is not v:
            v = v.head
            while v.pos_ not in ("VERB", "AUX") and v.dep_ in _CLIMB_NOUN and v.head is not v:
                v = v.head  # "before flying": pcomp of the preposition, whose head is the verb
            continue
        break
    return []


def governing_verb(noun: Token) -> Token | None:
    """The verb a noun hangs from ("signed | an agreement", "ended | his trip", "on the first day of | his visit")."""
    t = noun
    for _ in range(6):
        if t.pos_ in ("VERB", "AUX") and t is not noun:
            return t
        if t.dep_ not in _CLIMB_NOUN or t.head is t:
            return None
        t = t.head
    return None


# Verbs whose subject looks on at an action named by their object ("witnessed the signing of"): not its party
_ONLOOKER_RE = re.compile(r"(?:witness|attend|watch|welcom|hail|prais|overs[ae]|presid|observ|applaud|celebrat|mark|"
                          r"discuss|critici[sz]|condemn|oppos|report|referr?|mention|say|says|said|saying)", re.I)


def agents(trigger: Token) -> list[Token]:
    """Who performs the event the trigger token names: the subject of the trigger verb, or of the verb that
    governs a trigger noun; for a visit noun its owner ("his trip", "Obama's visit", "the visit of X") first."""
    if trigger.pos_ in ("VERB", "AUX"):
        return subjects_of_verb(trigger)
    owner = [c for c in trigger.children if c.dep_ == "poss"]
    if owner:
        return owner
    verb = governing_verb(trigger)
    if verb is None or _ONLOOKER_RE.match(verb.text):
        return []
    return subjects_of_verb(verb)


def visitors(cue: Token) -> list[Token]:
    """Who travels, for a travel cue: "the visiting president" names them by the noun "visiting" qualifies;
    "the visit of X" / "a visit by X" by the object; otherwise as :func:`agents`."""
    if cue.dep_ == "amod" and cue.tag_ == "VBG":
        return [cue.head]
    if cue.pos_ not in ("VERB", "AUX"):
        owner = [c for c in cue.children if c.dep_ == "poss"]
        if owner:
            return owner
        of = [g for c in cue.children if c.dep_ == "prep" and c.lower_ in ("of", "by")
              for g in c.children if g.dep_ == "pobj"]
        if of:
            return _with_conj(of)
    return agents(cue)


# Nouns a travel word may qualify and still be the occasion ("summit meeting", "visit programme")
_OCCASION_HEADS = frozenset(("meeting", "talks", "talk", "ceremony", "visit", "trip", "tour", "programme", "program",
                             "schedule", "itinerary", "delegation", "leg"))


def modifies_noun(tok: Token | None) -> bool:
    """A travel word that only qualifies another noun: "travel restrictions", "visit permits", "tour operators"."""
    return tok is not None and tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN") \
        and tok.head.lower_ not in _OCCASION_HEADS


def phrase_span(tok: Token, base: int) -> tuple[int, int]:
    """Document offsets of a subject's own phrase: its compounds, titles and appositions, not its conjuncts
    or relative clauses ("he and Defence Minister Le Drian": "he" alone)."""
    keep: list[Token] = [tok]
    stack = [c for c in tok.children if c.dep_ not in ("conj", "cc", "relcl", "acl", "prep", "punct", "advcl")]
    while stack:
        t = stack.pop()
        keep.append(t)
        stack.extend(c for c in t.children if c.dep_ not in ("conj", "cc", "relcl", "acl", "advcl"))
    lo = min(t.idx for t in keep)
    hi = max(t.idx + len(t.text) for t in keep)
    return base + lo, base + hi


_TITLE_WORDS = frozenset(("president", "minister", "premier", "chancellor", "king", "queen", "prince", "leader",
                          "secretary", "senator", "congressman", "congresswoman", "governor", "emir", "sultan",
                          "sheikh", "speaker", "envoy", "ambassador"))


def persons_named(toks: list[Token], sent: tuple[int, int], people: PersonIndex) -> list[tuple[Person, int]]:
    """(person, offset) for each subject token: a person named in its phrase, the official a title refers to
    ("the Indian Prime Minister", "the visiting president"), or the person a pronoun stands for (the
    sentence's main subject named before it, else the official named last before the sentence)."""
    s0 = sent[0]
    out: list[tuple[Person, int]] = []
    for tok in toks:
        a, b = phrase_span(tok, s0)
        found = [(p, m0) for p, m0, _ in people.mentions_in(a, b)]
        if not found and tok.lower_ in PRONOUNS and tok.lower_ not in ("it", "its", "they", "them", "their"):
            # the main subject: named before the pronoun, or after it when the pronoun opens the sentence
            # ("During his visit, Merz met ...")
            root = tok.sent.root
            named = [(p, m0) for r in subjects_of_verb(root)
                     if r.i < tok.i or (tok.i < root.i and not r.left_edge.i <= tok.i <= r.right_edge.i)
                     for p, m0, _ in people.mentions_in(*phrase_span(r, s0))]
            earlier = [(p, m0) for p, m0, _ in people.mentions_in(s0, a) if p.official]
            if named:
                found = named[:1]
            elif earlier:
                found = earlier[-1:]
            elif (p := people.last_official_before(s0)) is not None:
                found = [(p, a)]
        elif not found and tok.lower_ in _TITLE_WORDS:
            p = people.last_official_before(a, tok.lower_)
            if p is not None:
                found = [(p, a)]
        for p, at in found:
            if all(q is not p for q, _ in out):
                out.append((p, at))
    return out


_ROLE = {"deal": "company", "investment": "company", "product_launch": "company", "trade_measure": "agency",
         "export_control": "agency", "sanction": "agency"}


def _same_name(a: str, b: str) -> bool:
    wa, wb = a.lower().split(), b.lower().split()
    return bool(wa and wb) and (wa[-1] == wb[-1] or a.lower() in b.lower() or b.lower() in a.lower())


def subject_parties(text: str, cands: list[Any], ents: list[Any], people: PersonIndex,
                    parses: SentenceParses | None, kind: Any, country_of: Any) -> None:
    """The party an action's parse names as its subject goes first among its actors: "the Indian Prime Minister
    had signed an agreement" (the prime minister the text introduced), "China imposed sanctions", "Bharat
    Motors signed". ``kind(ent)`` is the entity's kind (PERSON, ORG, GPE...), ``country_of(text, ent)`` its
    country; an official acts for a government (role ``agency``)."""
    if parses is None:
        return
    for c in cands:
        role = _ROLE.get(c.type)
        if role is None:
            continue
        tok = parses.token_at(c.sentence, *c.trigger)
        if tok is None:
            continue
        subj = [t for t in agents(tok) if not (c.trigger[0] <= c.sentence[0] + t.idx < c.trigger[1])]
        actor: dict[str, Any] | None = None
        for t in subj:
            a, b = phrase_span(t, c.sentence[0])
            officials = [(p, m) for p, m in persons_named([t], c.sentence, people) if p.official]
            inside = [e for e in ents if a <= e.start and e.end <= b and kind(e) in ("ORG", "GPE")]
            if officials:
                p = officials[0][0]
                actor = {"role": "agency", "text": p.name, "title": p.title, "entity_id": p.entity_id,
                         "country": p.country}
            elif inside:
                e = inside[-1] if kind(inside[-1]) == "ORG" else inside[0]
                actor = {"role": role, "text": e.text, "title": None, "entity_id": e.entity_id,
                         "country": country_of(text, e)}
            if actor is not None:
                break
        if actor is None or any(_same_name(x["text"], actor["text"]) for x in c.actors):
            continue
        c.actors.insert(0, actor)
        c.reasons.append(f"{actor['role']} is the subject of the sentence")


__all__ = ["PRONOUNS", "SentenceParses", "agents", "governing_verb", "load_parser", "modifies_noun", "persons_named",
           "phrase_span",
           "subject_parties", "subjects_of_verb", "visitors"]
