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

from nlp.events.countries import code_for
from nlp.events.people import Person, PersonIndex

_SUBJ = ("nsubj", "nsubjpass", "csubj")
# A verb that takes its subject from the verb above it: "plans to visit", "arrived and met", "before flying"
_CLIMB_VERB = ("xcomp", "conj", "advcl", "pcomp", "acl")
# A noun reached from its verb through these: "ended his trip", "signed an agreement", "on a visit to"
_CLIMB_NOUN = ("dobj", "pobj", "prep", "attr", "appos", "npadvmod", "nsubjpass", "conj", "compound", "oprd", "acomp",
               "amod", "nmod")
# Verbs whose object, not their subject, does what the infinitive after them says ("urged X to sign")
# (word stems: the parser runs without the lemmatizer)
_OBJECT_CONTROL_RE = re.compile(r"^(?:invit|urg|ask|encourag|persuad|press|push|tell|told|allow|permit|help|want|"
                                r"expect|advis|challeng|beg)", re.I)
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
        if object_controlled(v):
            # "invited Korean people to visit India": the one invited does it, not the one inviting
            return _with_conj([c for c in v.head.children if c.dep_ in ("dobj", "obj") and c.i < v.i])
        if v.dep_ in _CLIMB_VERB and v.head is not v:
            v = v.head
            while v.pos_ not in ("VERB", "AUX") and v.dep_ in _CLIMB_NOUN and v.head is not v:
                v = v.head  # "before flying": pcomp of the preposition, whose head is the verb
            continue
        break
    return []


def object_controlled(verb: Token) -> bool:
    """Whether the verb's doer is the object of the verb above it: "invited Korean people | to visit India"."""
    return verb.dep_ == "xcomp" and _OBJECT_CONTROL_RE.match(verb.head.text) is not None and any(
        c.dep_ in ("dobj", "obj") and c.i < verb.i for c in verb.head.children)


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
        if owner and code_for(owner[0].text) and cue.dep_ == "pobj" and cue.head.lower_ == "of" \
                and cue.head.head.pos_ == "PROPN" and code_for(cue.head.head.text) is None:
            # "King Olav of Norway's visit" parsed as "Olav of [Norway's visit]": the owner is the king
            return [cue.head.head]
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
            p = people.last_official_before(a, tok.lower_) or _untitled_before(people, a, tok, s0)
            if p is not None:
                found = [(p, a)]
        for p, at in found:
            if all(q is not p for q, _ in out):
                out.append((p, at))
    return out


def _untitled_before(people: PersonIndex, pos: int, tok: Token, s0: int) -> Person | None:
    """ "Mirela Castro and President Bell announced that the Chilean Prime Minister had signed": a title the text
    gives only later refers to the person it named without one, in this sentence or the one before. That person
    takes the title (and the country of its demonym) from here on."""
    cands = [p for p in people.people if p.title is None and any(pos - 400 <= m0 < pos for m0, _ in p.mentions)]
    if len(cands) != 1:
        return None
    p = cands[0]
    words = [t for t in tok.lefts if t.dep_ == "compound" and t.text[:1].isupper()] + [tok]
    p.title = " ".join(t.text for t in words)
    demonym = next((t.text for t in tok.lefts if t.dep_ in ("amod", "compound") and code_for(t.text)), None)
    p.country = p.country or (code_for(demonym) if demonym else None)
    return p


_ROLE = {"deal": "company", "investment": "company", "product_launch": "company", "trade_measure": "agency",
         "export_control": "agency", "sanction": "agency", "merchandise": "seller"}
# Goods made and sold by whoever is the subject: shops, stalls, artists, not only named companies
_MAKER_TYPES = ("product_launch", "merchandise")
# Words that stand for a company or government the text named before ("the planemaker", "the group")
_GENERIC_HEADS = frozenset(("company", "firm", "group", "carmaker", "automaker", "maker", "planemaker", "chipmaker",
                            "manufacturer", "bank", "lender", "chain", "airline", "carrier", "giant", "conglomerate",
                            "insurer", "retailer", "operator", "supplier", "producer", "government", "ministry",
                            "administration", "agency", "regulator", "country", "utility", "startup", "developer"))
_ORG_PRONOUNS = frozenset(("it", "its", "they", "them", "their"))
_PERSON_PRONOUNS = frozenset(("he", "she", "him", "her", "his"))
# A common noun that names someone who makes or sells ("a Hanoi bartender", "restaurants", "one local artist")
_MAKER_NOUN_RE = re.compile(r"^(?:\w+(?:er|or|ist|ant|ent|ier)s?|restaurants?|bars?|caf[eé]s?|shops?|stores?|"
                            r"stalls?|salons?|baker(?:y|ies)|brewer(?:y|ies)|hotels?|chefs?|firms?|companies|company|"
                            r"brands?|chains?|academ(?:y|ies)|studios?|boutiques?|outlets?|businesses|business|"
                            r"entrepreneurs?|artisans?|startups?|eateries|eatery|pubs?|pizzerias?)$", re.I)
_NOT_MAKER_RE = re.compile(r"^(?:sales|numbers?|orders?|users?|customers?|consumers?|buyers?|members?|readers?|"
                           r"viewers?|voters?|others?|letters?|centers?|centres?|containers?|computers?|quarters?|"
                           r"winters?|summers?|markets?|governments?|parents?|officials?|presidents?|"
                           r"ministers?|leaders?|spokes\w+|reporters?|analysts?|observers?|neither|either)$", re.I)
# Verbs whose subject makes or sells the goods a merchandise sentence names
_MAKE_VERBS = frozenset(("sell", "launch", "make", "offer", "print", "produce", "design", "create", "turn", "churn",
                         "mint", "issue", "stock", "hawk", "peddle", "market", "release", "unveil", "serve"))


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
        if c.type == "merchandise" and not subj:
            # "since he launched his line, with each T-shirt selling...": who makes or sells in the sentence
            subj = [s for t in tok.sent if t.lemma_.lower() in _MAKE_VERBS and t.pos_ == "VERB"
                    for s in subjects_of_verb(t)]
        actor: dict[str, Any] | None = None
        for t in subj:
            actor = _subject_actor(text, c, t, ents, people, kind, country_of, role)
            if actor is not None:
                break
        if actor is None or any(_same_name(x["text"], actor["text"]) for x in c.actors):
            continue
        if c.type in _MAKER_TYPES and actor["role"] == role and not actor["entity_id"] and not any(
                e.text == actor["text"] for e in ents):
            # a maker said with a common noun or a pronoun ("a Madrid barber") replaces the place or product the
            # surface rules took as the company
            c.actors = [x for x in c.actors if x["role"] != role]
        missing = not any(x["role"] == actor["role"] for x in c.actors) or any(
            r.startswith(("no company found", "no agency")) for r in c.reasons)
        c.actors.insert(0, actor)
        c.reasons = [r for r in c.reasons if not r.startswith(("no company found", "no agency"))]
        c.reasons.append(f"{actor['role']} is the subject of the sentence")
        if missing:
            # the party the surface rules could not find, the parse names: as firm as a named company nearby
            c.rule_score += _SUBJECT_FOUND


_SUBJECT_FOUND = 0.15


def _subject_actor(text: str, c: Any, t: Token, ents: list[Any], people: PersonIndex, kind: Any, country_of: Any,
                   role: str) -> dict[str, Any] | None:
    """The party a subject token names: an official (acting for a government), a company or government in its
    phrase, or, standing for one named before, a pronoun ("it signed", "he launched") or a generic noun ("the
    planemaker"); for goods made for an occasion, also a maker said with a common noun ("a Hanoi bartender")."""
    s0 = c.sentence[0]
    a, b = phrase_span(t, s0)
    maker = c.type in _MAKER_TYPES
    officials = [(p, m) for p, m in persons_named([t], c.sentence, people) if p.official]
    inside = [e for e in ents if a <= e.start and e.end <= b and kind(e) in ("ORG", "GPE")]
    at = s0 + t.idx
    named = [(p, m0) for p, m0, m1 in people.mentions_in(a, b) if m0 <= at < m1]  # the subject is the name itself
    if officials and not (maker and t.lower_ in _PERSON_PRONOUNS):
        p = officials[0][0]
        return {"role": "agency", "text": p.name, "title": p.title, "entity_id": p.entity_id,
                "country": p.country}
    if inside and not (maker and t.pos_ == "NOUN" and kind(inside[-1]) != "ORG"):
        e = inside[-1] if kind(inside[-1]) == "ORG" else inside[0]
        return {"role": role, "text": e.text, "title": None, "entity_id": e.entity_id, "country": country_of(text, e)}
    if maker and named:
        p = named[0][0]
        return {"role": role, "text": p.name, "title": p.title, "entity_id": p.entity_id, "country": p.country}
    generic = t.pos_ == "NOUN" and t.lower_ in _GENERIC_HEADS and any(
        d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in t.children)
    if t.lower_ in _ORG_PRONOUNS or generic:
        e = _antecedent(text, c, t, ents, kind, ("ORG",) if role in ("company", "seller") else ("ORG", "GPE"))
        if e is not None:
            return {"role": role, "text": e.text, "title": None, "entity_id": e.entity_id,
                    "country": country_of(text, e)}
        return None
    if maker and t.lower_ in _PERSON_PRONOUNS:
        who = _person_antecedent(people, s0 + t.idx)
        if who is not None:
            return {"role": role, "text": who.name, "title": who.title, "entity_id": who.entity_id,
                    "country": who.country}
        return None
    if maker and t.pos_ == "NOUN" and t.dep_ == "nsubj" and _MAKER_NOUN_RE.match(t.text) \
            and not _NOT_MAKER_RE.match(t.text):
        return {"role": role, "text": text[a:b], "title": None, "entity_id": None, "country": None}
    return None


# "Trade| Minister": a title word the recogniser took for a company
_TITLE_AFTER_RE = re.compile(r"\s+(?:Minister|Secretary|President|Representative|Commissioner|Ambassador)\b")


def _antecedent(text: str, c: Any, t: Token, ents: list[Any], kind: Any, kinds: tuple[str, ...]) -> Any:
    """What "it", "they" or "the company" stands for: the subject of the sentence's main verb when it names one
    before the pronoun, else the last company (or government) the text named before it, within a paragraph's
    reach."""
    s0 = c.sentence[0]
    at = s0 + t.idx
    root = t.sent.root
    for r in subjects_of_verb(root):
        if r.i < t.i and r is not t:
            a, b = phrase_span(r, s0)
            inside = [e for e in ents if a <= e.start and e.end <= b and kind(e) in kinds]
            if inside:
                return inside[-1]
    prior = [e for e in ents if at - 500 <= e.start and e.end <= at and kind(e) in kinds
             and not (c.trigger[0] <= e.start < c.trigger[1]) and not _TITLE_AFTER_RE.match(text, e.end)]
    return prior[-1] if prior else None


def _person_antecedent(people: PersonIndex, pos: int) -> Person | None:
    """Who "he" or "she" is when they make or sell goods: the person named last before, preferring one who is
    not an official (a shopkeeper launches a line of T-shirts; the leaders on them do not)."""
    best: tuple[int, Person] | None = None
    for p in people.people:
        at = max((s for s, _ in p.mentions if s < pos), default=-1)
        if at < 0 or pos - at > 1500:
            continue
        key = at - (100000 if p.official else 0)
        if best is None or key > best[0]:
            best = (key, p)
    return best[1] if best else None


__all__ = ["PRONOUNS", "SentenceParses", "agents", "governing_verb", "load_parser", "modifies_noun",
           "object_controlled", "persons_named", "phrase_span", "subject_parties", "subjects_of_verb", "visitors"]
