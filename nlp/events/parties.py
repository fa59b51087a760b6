"""Whether a candidate event names a party of the right kind and uses its trigger in the sense its type means.

Crawled pages are not all news ("pipenv shell will launch a new shell process", "the right to buy", "a
five-year project launched by the capital"). Two checks, read from the entities and, where a parser is
loaded, from the dependency parse of the event's sentence:

- **Named party**: the main actor of a company's event (the company of a launch, deal or investment) and the
  person goods depict must be a named entity of the right kind, from the recogniser or the watchlist (or a
  capitalised name it missed): an organisation or a person (a country's government for deals), not a common
  noun ("the district"), not a place for a company's event (a name the text also uses as a place, or a known
  place), not a dateline, wire agency or photo credit (see :func:`nlp.events.people.party_entities`). For a
  company's action said with an active verb the party must be the verb's subject (or what a pronoun subject
  stands for): "this clever person managed to buy" names nobody. An actor that fails is removed, with a reason.
- **Trigger sense**: a launch's launched thing (the object of the verb, the subject of a passive, what a
  launch noun is "of") must be a product-like phrase: one that holds a name (a proper noun or a product or
  work entity) or has a product noun for its head; an organisation launched is founded, not a product ("launched
  the Fondation X"), and a process, campaign, search or gas released is no launch. "deal" said as a verb
  ("deal with settings") is not a deal; a deal names a counterparty, a value, units, or whom it is made with
  or bought from.

A trigger word inside a name ("Nicki Case Haulman") is no event. An event whose main party is removed keeps
its other arguments; :mod:`nlp.events.reportable` does not show events without a party.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from spacy.tokens import Token

from nlp.events.countries import code_for, is_city, is_country, place_code
from nlp.events.rules import appositive_company
from nlp.events.syntax import _GENERIC_HEADS, SentenceParses, agents, phrase_span

# the main role of each type and the kinds of entity that may fill it
MAIN_PARTY: dict[str, tuple[str, tuple[str, ...]]] = {
    "product_launch": ("company", ("ORG", "PERSON", "FAC")),  # a company, a person's label, a named shop
    "deal": ("company", ("ORG", "PERSON", "GOV")),
    "investment": ("company", ("ORG", "PERSON", "GOV")),
    "merchandise": ("depicted", ("PERSON",)),
}
# Not checked here: a visitor may be a title the text resolves later ("The President visits Ottawa"), a measure's
# agency a common noun for a government body ("the ministry announced a tax").
# head nouns of a product or service a company launches (the launched thing's own head word)
_PRODUCT_HEAD_RE = re.compile(
    r"^(?:smartphone|phone|handset|engine|platform|service|app|application|device|car|model|chip|processor|"
    r"headset|console|card|drug|medicine|vaccine|version|edition|software|glasses|watch|vehicle|van|truck|sedan|"
    r"suv|laptop|computer|tablet|camera|speaker|assistant|tool|subscription|product|range|line|lineup|brand|"
    r"feature|game|collection|series|newsletter|magazine|channel|network|show|film|movie|album|single|ep|book|"
    r"fund|plan|account|offering|store|shop|restaurant|hotel|resort|airline|route|flight|satellite|rocket|"
    r"aircraft|plane|jet|drone|robot|system|solution|package|menu|beer|wine|drink|flavou?r|fragrance|perfume|"
    r"shoe|sneaker|clothing|apparel|jewel(?:le)?ry|toy|kit|bike|scooter|tv|television|monitor|display|"
    r"printer|router|battery|charger|sensor|gpu|cpu|update|upgrade|program(?:me)?)s?$", re.I)
# heads of what is launched or released in another sense: an activity or a process started, a substance or a
# document let out, people set free
_NOT_PRODUCT_HEAD_RE = re.compile(
    r"^(?:process|project|search|hunt|manhunt|campaign|effort|drive|bid|appeal|inquiry|enquiry|investigation|probe|"
    r"review|study|survey|consultation|crackdown|attack|offensive|strike|operation|war|protest|movement|petition|"
    r"lawsuit|challenge|crowdfunding|fundraiser|fundraising|engagement|initiative|career|run|shell|"
    r"carbon|methane|gas|gases|emissions?|pollution|smoke|chemicals?|toxins?|water|heat|energy|tons|tonnes|"
    r"identit(?:y|ies)|names?|details|statement|figures|data|findings|results|report|outlook|footage|photos?|"
    r"images?|video|recording|transcript|documents?|files|letter|list|prisoners?|hostages?|detainees?|suspects?|"
    r"inmates?|people|man|woman|men|women|hold|grip|pressure|tension|stress|hormones?)s?$", re.I)
_BARE_LAUNCH_RE = re.compile(r"^(?:launch|releas|introduc|unveil|debut|roll)", re.I)
_DEAL_VERB_RE = re.compile(r"^deal", re.I)
_WITH_PARTY_RE = re.compile(r"^(?:with|from|between|to|for)$", re.I)

Kind = Callable[[Any], str]
_DOER_TYPES = ("product_launch", "deal", "investment")


def _entity_kind(e: Any, kind: Kind, ents: Sequence[Any]) -> str:
    """The entity's kind for party checks: ORG, PERSON, GOV (a country's name: its government), PLACE or other."""
    k = kind(e)
    if k == "ORG" and (place_code(e.text) or any(o.text == e.text and kind(o) in ("GPE", "LOC", "FAC")
                                                  for o in ents)):
        return "PLACE"  # "Manaus (ORG)": a name the text uses as a place, or a known place
    if k == "NORP" or (k == "GPE" and (place_code(e.text) or is_city(e.text))):
        return "GOV"  # a country, state or city acts through its government; never a company's launch
    if k in ("GPE", "LOC"):
        return "NAME"  # a name the recogniser took for a place but no place we know: maybe a company
    return k


def _matches(actor_text: str, e: Any) -> bool:
    a, b = actor_text.strip().lower(), e.text.strip().lower()
    if not a or not b:
        return False
    # the same name, the entity inside the actor's phrase ("The Durty Bird restaurant"), or a short form of it
    return a == b or (len(b) > 2 and re.search(rf"\b{re.escape(b)}\b", a) is not None) or (
        len(a) > 2 and re.search(rf"\b{re.escape(a)}\b", b) is not None and a.split()[-1] == b.split()[-1])


def named_party(actor: dict[str, Any], kinds: tuple[str, ...], ents: Sequence[Any], kind: Kind,
                watch_kinds: dict[str, str]) -> bool:
    """Whether ``actor`` is a named entity of one of ``kinds`` (watchlist entity ids first, then the text's
    entities); a photo credit ("Ana Ruiz/AFP") is none."""
    eid = actor.get("entity_id")
    if eid and eid in watch_kinds:
        return watch_kinds[eid] in kinds or (watch_kinds[eid] == "GPE" and "GOV" in kinds)
    text = str(actor.get("text") or "")
    if "/" in text:
        return False
    found = [e for e in ents if _matches(text, e)]
    if found:
        got = {_entity_kind(e, kind, ents) for e in found}
        if "NAME" in got and "ORG" in kinds:
            return True
        if "GOV" in kinds and got & {"GOV", "PLACE"}:
            return True  # a country, state or city acts through its government
        if actor.get("role") == "company" and "GOV" not in kinds and got & {"GOV", "PLACE"}:
            return is_country(text)  # a country's government may launch ("India launched a satellite"); a city not
        return bool(got & set(kinds))
    return "ORG" in kinds and actor.get("role") != "visitor" and looks_named(text)


_DET_RE = re.compile(r"^(?:the|a|an)\s+", re.I)
_TITLE_WORD_RE = re.compile(r"^(?:Minister|President|Prime|Secretary|Chancellor|King|Queen|Prince|Mr|Mrs|Ms|Dr)\.?$")


def looks_named(text: str) -> bool:
    """Whether a phrase the recogniser did not tag holds a name: a capitalised word that is not where a sentence
    starts, not a country or demonym and not a title ("The Durty Bird restaurant", "French maker Dassault
    Aviation"; not "Restaurants", "Chinese tourists", "the Prime Minister")."""
    rest = _DET_RE.sub("", text.strip())
    words = rest.split()
    if not words:
        return False
    candidates = words if rest != text.strip() else words[1:]
    return any(w[:1].isupper() and not code_for(w) and not _TITLE_WORD_RE.match(w) for w in candidates)


def _launched_thing(tok: Token) -> list[Token]:
    """What a launch trigger says is launched: the verb's object, a passive verb's subject, what a launch noun is
    "of"; empty when the sentence does not say (intransitive "when it launched")."""
    if tok.pos_ in ("VERB", "AUX"):
        objs = [c for c in tok.children if c.dep_ in ("dobj", "obj")]
        if objs:
            return objs
        if any(c.dep_ == "nsubjpass" for c in tok.children):
            return [c for c in tok.children if c.dep_ == "nsubjpass"]
        if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN") and tok.tag_ == "VBN":
            return [tok.head]  # "a campaign launched yesterday"
        return []
    of = [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    if of:
        return of
    comp = [c for c in tok.children if c.dep_ == "compound"]
    return comp[:1]  # "a campaign launch"


def _product_like(t: Token, sent_base: int, ents: Sequence[Any], kind: Kind) -> bool | None:
    """Whether the launched phrase headed by ``t`` is a product or service: False for an activity, a process, a
    substance or a document released ("launched a search", "releases carbon", "released the identities"), an
    organisation (founded, not launched) or a person ("introduce Bennett at an event"); True for a name or a
    product noun; None when the parse cannot tell (a pronoun, another noun)."""
    if t.pos_ == "PRON":
        return None
    phrase = [t, *[c for c in t.children if c.dep_ in ("compound", "amod", "nmod", "poss", "nummod", "det")]]
    phrase += [g for c in phrase[1:] for g in c.children if g.dep_ == "compound"]
    lo = sent_base + min(x.idx for x in phrase)
    hi = sent_base + max(x.idx + len(x.text) for x in phrase)
    inside = [e for e in ents if lo <= e.start < hi or e.start <= lo < e.end]
    appos = [c for c in t.children if c.dep_ == "appos"]
    if any(kind(e) in ("PRODUCT", "WORK_OF_ART") for e in inside) or _PRODUCT_HEAD_RE.match(t.text) or any(
            _PRODUCT_HEAD_RE.match(x.text) for x in appos):
        return True  # "the Tarsa sedan", "Royal News, a weekly newsletter"
    at = sent_base + t.idx
    if any(kind(e) == "PERSON" and e.start <= at < e.end for e in inside):
        return False  # a person is introduced, not launched ("introduce Bennett at an event")
    if _NOT_PRODUCT_HEAD_RE.match(t.text):
        return False
    if t.pos_ == "PROPN" or any(x.pos_ == "PROPN" and x.dep_ == "compound" for x in phrase):
        return True  # a name
    return None


def sense_problem(c: Any, parses: SentenceParses | None, ents: Sequence[Any], kind: Kind) -> str | None:
    """Why the candidate's trigger is not used in its type's sense (None: it is, or the parse cannot tell)."""
    if parses is None or c.type not in ("product_launch", "deal"):
        return None
    tok = parses.token_at(c.sentence, *c.trigger)
    if tok is None:
        return None
    s0 = c.sentence[0]
    if c.type == "product_launch":
        if tok.pos_ == "NOUN" and tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN"):
            return "launch word qualifies another noun"  # "on launch day", "the release date"
        if tok.pos_ == "NOUN" and any(ch.dep_ == "poss" and ch.lower_ in ("his", "her") for ch in tok.children):
            return "a person's debut or launch, not a product's"  # "after his strong debut"
        if not _BARE_LAUNCH_RE.match(tok.text):
            return None  # "went on sale", "began selling burgers inspired by": the wording carries the sense
        things = _launched_thing(tok)
        verdicts = [_product_like(t, s0, ents, kind) for t in things]
        if things and all(v is False for v in verdicts):
            return "launched thing is not a product or service"
        return None
    # deal
    if _DEAL_VERB_RE.match(tok.text) and tok.pos_ == "VERB":
        return "'deal' as a verb (handle), not a deal"
    if any(a["role"] == "counterparty" for a in c.actors) or c.attributes.get("value") or c.attributes.get("units"):
        return None
    span = [x for x in tok.doc if c.trigger[0] <= s0 + x.idx < c.trigger[1]] or [tok]
    if any(x.pos_ == "NOUN" for x in span):
        return None  # "signed a supply agreement", "won an order": the deal is named, between parties by its sense
    if len([t for t in agents(tok) if t.dep_ == "nsubj"]) > 1:
        return None  # "Korvo and Brindle agreed to merge": the parties are the subjects
    verb = tok if tok.pos_ in ("VERB", "AUX") else tok.head
    objs = [ch for v in (*span, verb) for ch in v.children if ch.dep_ in ("dobj", "obj")]
    for v in (*span, verb, *objs):
        for ch in v.children:
            if ch.dep_ == "prep" and _WITH_PARTY_RE.match(ch.text) and any(g.dep_ == "pobj" for g in ch.children):
                return None  # made with, bought from, signed between
    for o in objs:
        phrase = list(o.subtree)
        if any(x.pos_ in ("PROPN", "NUM") for x in phrase) or any(
                e.start <= s0 + x.idx < e.end and kind(e) not in ("DATE", "TIME") for x in phrase for e in ents):
            return None  # "acquire Korvo Systems", "buy 36 Rafale jets": a named party or goods in numbers
    return "deal names no counterparty, value or units"


def _not_the_doer(text: str, c: Any, parses: SentenceParses | None, ents: Sequence[Any],
                  kind: Kind) -> tuple[str, Any] | None:
    """For a company's action said with an active verb, whether the party the rules took is not its subject:
    "this clever person managed to buy" (a common noun: nobody named does it), "Luboku released his EP" (NASA,
    named elsewhere in the sentence, does not). "named" when the subject names another party, "nobody" when the
    subject is a common noun, None when the party is the subject or the parse cannot tell (a pronoun or "the
    company" stands for a party named before; a passive verb's subject is what is acted on)."""
    if parses is None or c.type not in _DOER_TYPES:
        return None
    tok = parses.token_at(c.sentence, *c.trigger)
    if tok is None or tok.pos_ not in ("VERB", "AUX"):
        return None
    # the subject, the one an object-control verb makes the doer ("encouraged people to buy"), a passive's agent
    subj = [t for t in agents(tok)
            if t.dep_ != "nsubjpass" and not (c.trigger[0] <= c.sentence[0] + t.idx < c.trigger[1])]
    if not subj or any(a["role"] == "agency" for a in c.actors):
        return None
    party = next((a for a in c.actors if a["role"] == "company"), None)
    if party is None:
        return None
    t = subj[0]
    if t.pos_ == "PRON" or t.lower_ in _GENERIC_HEADS or any(r.startswith("company is the subject")
                                                              for r in c.reasons):
        return None
    a, b = phrase_span(t, c.sentence[0])
    if str(party.get("text") or "").lower() in text[a:b].lower():
        return None
    inside = [e for e in ents if a <= e.start and e.end <= b and kind(e) in ("ORG", "PERSON", "GPE", "NORP")]
    if not inside:
        return "nobody", None
    doers = [e for e in inside if kind(e) in ("ORG", "PERSON")]
    return "named", (doers[-1] if doers else None)


def _in_object(text: str, c: Any, tok: Token) -> list[dict[str, Any]]:
    """Company actors that are what the trigger verb acts on: its object's head word is inside the name (not a
    modifier of it: "opened a Samsung Electronics factory" names the factory's owner)."""
    verb = tok if tok.pos_ in ("VERB", "AUX") else None
    if verb is None:
        return []
    s0 = c.sentence[0]
    out = []
    for o in (ch for ch in verb.children if ch.dep_ in ("dobj", "obj")):
        a, b = s0 + min(x.idx for x in o.subtree), s0 + max(x.idx + len(x.text) for x in o.subtree)
        head = s0 + o.idx
        for act in c.actors:
            name = str(act.get("text") or "")
            at = text.find(name, a, b) if name else -1
            if act["role"] == "company" and at >= 0 and at <= head < at + len(name):
                out.append(act)  # the object is the name ("introduce The Unbound Collection"), not its owner's

    return out


def check_parties(text: str, cands: list[Any], ents: Sequence[Any], parses: SentenceParses | None, kind: Kind,
                  watch_kinds: dict[str, str], country_of: Callable[[str, Any], str | None]) -> list[Any]:
    """Candidates whose trigger is in its type's sense, each with only named main parties of the right kind who
    do what the trigger says."""
    out = []
    for c in cands:
        if c.type != "official_visit" and any(e.start <= c.trigger[0] and c.trigger[1] <= e.end and kind(e) in
                                              ("PERSON", "ORG", "GPE", "FAC", "WORK_OF_ART") for e in ents):
            continue  # the trigger word is part of a name: "Nicki Case Haulman", "the Launch Pad Cafe"
        problem = sense_problem(c, parses, ents, kind)
        if problem is not None:
            continue
        doer = _not_the_doer(text, c, parses, ents, kind)
        if doer is not None:
            party = next(a for a in c.actors if a["role"] == "company")
            c.actors = [a for a in c.actors if a is not party]
            c.reasons.append(f"company '{party.get('text')}' is not the subject of the trigger")
            if doer[1] is not None:
                # the subject's party does it ("Anbang, which owns the Waldorf, has bid for Starwood"); for a deal the
                # party taken before is the other side
                e = doer[1]
                c.actors = [a for a in c.actors if a["text"] != e.text]
                c.actors.insert(0, {"role": "company", "text": e.text, "title": None, "entity_id": e.entity_id,
                                    "country": country_of(text, e)})
                if c.type == "deal" and party["text"] != e.text:
                    c.actors.append({**party, "role": "counterparty"})
        tok = parses.token_at(c.sentence, *c.trigger) if parses is not None else None
        if tok is not None and c.type in _DOER_TYPES:
            inside = _in_object(text, c, tok)
            if inside:
                # the thing launched or bought is not its own maker or buyer ("introduce The Unbound Collection")
                c.actors = [a for a in c.actors if a not in inside]
                c.reasons.append(f"company '{inside[0].get('text')}' is what the trigger acts on")
        if c.type == "product_launch":
            companies = [a for a in c.actors if a["role"] == "company"]
            c.actors = [a for a in c.actors if a["role"] != "company" or a is companies[0]]  # one maker
        main = MAIN_PARTY.get(c.type)
        if c.type == "product_launch" and tok is not None and not _BARE_LAUNCH_RE.match(tok.text):
            main = None  # "a Madrid barber has been offering haircuts in the style of": a maker, said as one
        if main is not None:
            role, kinds = main
            appos = appositive_company(text, *c.sentence) if c.type != "merchandise" else None
            bad = [a for a in c.actors if a["role"] == role and not named_party(a, kinds, ents, kind, watch_kinds)
                   and not (appos and appos[0] == a["text"])]  # "Brentmoor, the British hotel chain, signed"
            if bad:
                c.actors = [a for a in c.actors if a not in bad]
                c.reasons.append(f"{role} '{bad[0].get('text')}' is not a named party of the right kind")
        out.append(c)
    return out
