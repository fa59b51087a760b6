"""Official visits phrased as travel: "her trip to", "a tour of", "was in Hanoi for talks", "hosted", "summit".

The rules of :mod:`nlp.events.rules` look for a visit verb and a name next to it. Real news says a
visit in many more ways and names the visitor once: "South Korean President Moon Jae-in arrived in
New Delhi on Sunday", later "Moon", "the president", "during the trip". This module reads each
sentence for a travel cue, places the official (resolved through :class:`PersonIndex` to the person
introduced) in a host country named in that sentence, and proposes one visit per visitor. A sentence
that only refers back to a visit ("during the visit") proposes nothing: that is the visit introduced
earlier, and :mod:`nlp.events.text_links` ties actions to it.

Not visits (the dev set's guideline): a chief executive's trip, a religious or private trip, a
domestic outing (the place is in the official's own country), a video summit.
"""

from __future__ import annotations

import re
from typing import Any

from nlp.events.countries import code_for, place_code
from nlp.events.people import Person, PersonIndex
from nlp.events.rules import Candidate, Ent
from nlp.events.syntax import SentenceParses, modifies_noun, object_controlled, persons_named
from nlp.events.syntax import visitors as parsed_visitors

# A travel cue; ``back`` marks words that may only refer back to a visit named before.
TRAVEL_RE = re.compile(
    r"\b(?:(?P<kind>state|official|working|maiden|first|two-day|three-day|four-day|five-day|six-day|\w+-nation)\s+)?"
    r"(?P<cue>visit(?:s|ed|ing)?|trip|tour(?:s|ed|ing)?|journey|stopover|stop-over|transit(?:ed|ing)?|"
    r"summit|arriv(?:ed|es|ing|al)|landed|flew|travel(?:l?ed|s|ling|ing)?|heads?\s+to|headed\s+to|"
    r"host(?:s|ed|ing)?|welcom(?:ed|es|ing)|receiv(?:e|es|ed|ing)(?=\s+(?:the\s+)?(?:visiting\s+)?(?-i:[A-Z]))|"
    r"talks(?:\s+with\s+(?:[^.;,]|(?<=[A-Z])\.){1,60}?)?\s+in(?=\s+(?:the\s+)?[A-Z])|"
    r"met\s+(?:with\s+)?(?:[^.;,]|(?<=[A-Z])\.){1,60}?\s+in(?=\s+(?:the\s+)?[A-Z])|"
    # "the leaders' meeting in Hanoi"
    r"meet(?:ing|ings)\s+in(?=\s+(?:the\s+)?(?-i:[A-Z]))|"
    r"went\s+to|(?:speaking|addressing|spoke)\s+(?:to\s+|at\s+)?(?:[^.;,]|(?<=[A-Z])\.){0,60}?\s*\bin(?=\s+(?:the\s+)?[A-Z])|(?:was|is|were|are)\s+(?:now\s+|currently\s+|also\s+)?in(?=\s+(?:the\s+)?[A-Z])|"
    r"on\s+the\s+(?:margins|sidelines)\s+of)\b", re.I)
_NOT_OFFICIAL_TRIP_RE = re.compile(r"\b(?:private|personal|shopping|holiday|vacation|pilgrimage|religious|"
                                   r"spiritual|virtual|video|online|family)\s+(?:\w+\s+)?(?:visit|trip|tour|summit|"
                                   r"outing|link)|\bvideo\s*(?:link|conference|call)\b", re.I)
# Occasions only officials attend: a person the text gives no title is taken as one here
_SUMMIT_RE = re.compile(r"\b(?:summit|state\s+visit|official\s+visit|bilateral\s+talks|face-to-face\s+meeting|"
                        r"leaders(?:'|’)?\s+meeting)\b", re.I)
_PAST_RE = re.compile(r"\b(?:following|after|since|previous|last|first|earlier|prior)\b(?:\s+\w+){0,2}\s*$", re.I)
_PRONOUN_RE = re.compile(r"\b(?:he|she|his|her)\b", re.I)
_TITLE_REF_RE = re.compile(r"\b(?:the|a)\s+(?:[A-Z]?[\w.-]+\s+){0,2}?(?P<t>prime\s+minister|president|premier|"
                           r"chancellor|minister|king|queen|crown\s+prince|congressman|senator|leader|secretary)\b",
                           re.I)
# Seats of government named for their country ("at the White House")
SEATS = {"white house": "US", "kremlin": "RU", "elysee": "FR", "élysée": "FR", "downing street": "GB",
         "zhongnanhai": "CN", "great hall of the people": "CN", "blue house": "KR", "rashtrapati bhavan": "IN",
         "buckingham palace": "GB", "capitol hill": "US", "oval office": "US", "camp david": "US",
         "mar-a-lago": "US"}
_SEAT_RE = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in SEATS) + r")\b", re.I)
_PLACE_LABELS = ("GPE", "LOC", "FAC")
_TRAVEL_VERBS = ("visit", "trip", "tour", "journey", "stopover", "stop-over", "transit", "arriv", "landed", "flew",
                 "travel", "head", "went")
_PREP_RE = re.compile(r"\b(?:to|in|at|into|of|from)\s+(?:the\s+)?$")


_ADJECTIVAL_RE = re.compile(r"(?:'s|’s)?\s+(?:[A-Z][\w.-]*\s+){0,2}?(?:President|Prime|Minister|Premier|Chancellor|"
                            r"King|Queen|Foreign|Trade|Secretary|Congress\w*|Senator|[a-z]+\s+(?:minister|president)|"
                            r"(?:president|prime\s+minister|premier|chancellor|leader|king|queen)\b)",
                            )


def _places(text: str, s0: int, s1: int, ents: list[Ent]) -> list[tuple[int, str, str, str | None]]:
    """(offset, name, country code) of the places a sentence names (not a title's country: "U.S. President")."""
    out = []
    for e in ents:
        if e.label in _PLACE_LABELS and s0 <= e.start and e.end <= s1 and not _ADJECTIVAL_RE.match(
                text, e.end, min(s1, e.end + 40)):
            code = place_code(e.text) or SEATS.get(e.text.lower().removeprefix("the "))
            if code:
                out.append((e.start, e.text, code, e.entity_id))
    for m in _SEAT_RE.finditer(text, s0, s1):
        if not any(pl[0] == m.start() for pl in out):
            out.append((m.start(), m.group(0), SEATS[m.group(0).lower()], None))
    return sorted(out)


# "his visit to the island", "arrived in the country": the country the text named last before
_PLACE_REF_RE = re.compile(r"\b(?:to|in|of)\s+the\s+(?:island|country|kingdom|republic|nation|city|capital)\b(?!\s+of)")


def _place_referred_to(text: str, s0: int, s1: int, ents: list[Ent]) -> list[tuple[int, str, str, str | None]]:
    m = _PLACE_REF_RE.search(text, s0, s1)
    if m is None:
        return []
    before = [e for e in ents if e.label == "GPE" and e.end <= s0 and code_for(e.text)]
    if not before:
        return []
    e = before[-1]
    return [(m.start(), e.text, code_for(e.text) or "", e.entity_id)]


def unofficial_trip(sentence: str) -> bool:
    """A private, religious, family or video "visit": not an official visit."""
    return _NOT_OFFICIAL_TRIP_RE.search(sentence) is not None


def domestic_trip(c: Candidate) -> bool:
    """A visit whose visitor is, as the text says, of the country the visit places them in: an outing at home
    ("the Indian Prime Minister ... during his visit to India"), not an official visit abroad."""
    home = {a.get("country") for a in c.actors if a["role"] == "visitor" and a.get("country")}
    hosts = {a.get("country") for a in c.actors if a["role"] == "host" and a.get("country")}
    return bool(home) and home == hosts


def _actor(role: str, text: str, title: str | None, country: str | None, entity_id: str | None = None
           ) -> dict[str, Any]:
    return {"role": role, "text": text, "title": title, "entity_id": entity_id, "country": country}


def _traveller(parses: SentenceParses | None, sent: tuple[int, int], cue: tuple[int, int], people: PersonIndex,
               summit: bool) -> list[tuple[Person, int]]:
    """The official(s) the parse says travel: the subject of "travel", "his trip", "the visiting president"."""
    if parses is None:
        return []
    tok = parses.token_at(sent, *cue)
    if tok is None:
        return []
    return [(p, m) for p, m in persons_named(parsed_visitors(tok), sent, people) if p.official or (
        summit and not p.title)]


def invited_to_travel(parses: SentenceParses | None, sent: tuple[int, int], cue: tuple[int, int],
                      people: PersonIndex) -> bool:
    """ "X invited Korean people to visit India", "urged investors to visit": the one who would travel is the
    object of the verb above, and when that is no official, nobody in the sentence makes an official visit."""
    if parses is None:
        return False
    tok = parses.token_at(sent, *cue)
    if tok is None or tok.pos_ not in ("VERB", "AUX") or not object_controlled(tok):
        return False
    return not any(p.official for p, _ in persons_named(parsed_visitors(tok), sent, people))


def _guests(parses: SentenceParses | None, sent: tuple[int, int], cue: tuple[int, int]) -> tuple[int, int] | None:
    """Document offsets of the object of a hosting verb ("received | the visiting president"), None without one."""
    if parses is None:
        return None
    tok = parses.token_at(sent, *cue)
    if tok is None or tok.pos_ not in ("VERB", "AUX"):
        return None
    obj = [c for c in tok.children if c.dep_ in ("dobj", "obj")]
    if not obj:
        return None
    sub = [t for t in obj[0].subtree if t.dep_ not in ("relcl", "acl", "prep") or t is obj[0]]
    return sent[0] + min(t.idx for t in sub), sent[0] + max(t.idx + len(t.text) for t in sub)


def propose_visits(text: str, sents: list[tuple[int, int]], ents: list[Ent], people: PersonIndex,
                   parses: SentenceParses | None = None) -> list[Candidate]:
    """Visit candidates (one per visitor per sentence with a travel cue that places an official abroad).
    With ``parses``, the visitor is who the sentence's parse says travels, where it says so."""
    out: list[Candidate] = []
    for s0, s1 in sents:
        stext = text[s0:s1]
        cues = list(TRAVEL_RE.finditer(stext))
        if not cues or _NOT_OFFICIAL_TRIP_RE.search(stext):
            continue
        if parses is not None:
            # "eased travel restrictions", "tour operators": the cue word only qualifies another noun
            cues = [c for c in cues if not modifies_noun(parses.token_at((s0, s1), s0 + c.start("cue"),
                                                                          s0 + c.end("cue")))]
            if not cues:
                continue
        places = _places(text, s0, s1, ents)
        cue0 = cues[0].group("cue").lower()
        if not cue0.startswith(_TRAVEL_VERBS):
            # "talks", "summit", "hosted", "on the margins of": only where the text says where
            places = [pl for pl in places if _PREP_RE.search(text, max(s0, pl[0] - 12), pl[0])
                      or pl[1].lower() in SEATS or pl[1].lower().removeprefix("the ") in SEATS]
        if not places:
            places = _place_referred_to(text, s0, s1, ents)
        if not places:
            continue
        persons: list[tuple[Person, int]] = []
        ends: dict[int, int] = {}
        summit = _SUMMIT_RE.search(stext) is not None
        for p, m0, m1 in people.mentions_in(s0, s1):
            if p.official or (summit and not p.title):
                persons.append((p, m0))
                ends[id(p)] = m1
        cues = [c for c in cues if not invited_to_travel(parses, (s0, s1), (s0 + c.start("cue"), s0 + c.end("cue")),
                                                          people)]
        if not cues:
            continue
        # "following their first summit in Singapore, they are now in Hanoi": a past occasion is not this visit
        current = [c for c in cues if not _PAST_RE.search(stext, max(0, c.start() - 30), c.start())]
        cue = (current or cues)[0]
        travellers: list[tuple[Person, int]] = []
        for c in current or cues:
            # the parse reads every cue: "X's visit in May and Y's visit in June"; the first one naming a
            # traveller is the trigger
            if c.group("cue").lower().startswith(("host", "welcom", "receiv")):
                continue
            found = _traveller(parses, (s0, s1), (s0 + c.start("cue"), s0 + c.end("cue")), people, summit)
            if found and not travellers:
                cue = c
            travellers += [(p, at) for p, at in found if all(p is not q for q, _ in travellers)]
        t0, t1 = s0 + cue.start("cue"), s0 + cue.end("cue")
        hosting = cue.group("cue").lower().startswith(("host", "welcom", "receiv"))
        if hosting:
            travellers = []
        if travellers:
            persons = travellers + [(p, at) for p, at in persons if all(p is not q for q, _ in travellers)]
            for p, _ in travellers:
                ends.setdefault(id(p), 0)
        if not persons:
            ref = _TITLE_REF_RE.search(stext, 0, cue.start()) or _PRONOUN_RE.search(stext, 0, cue.start())
            if ref is None or hosting:
                continue
            tword = ref.group("t").split()[-1] if "t" in ref.groupdict() and ref.group("t") else None
            referred = people.last_official_before(s0, tword)
            if referred is None:
                continue
            persons = [(referred, s0 + ref.start())]
            ends[id(referred)] = s0 + ref.end()
        hosts_side: list[Person] = []
        if hosting:
            hosts_side = [p for p, at in persons if at < t0]
            persons = [(p, at) for p, at in persons if at > t1] or persons[1:]
            guests = _guests(parses, (s0, s1), (t0, t1))
            if guests is not None:
                # "will receive President Li in New Delhi before meeting Carter in Washington": the guest is
                # the one received, not everyone named after the verb
                persons = [(p, at) for p, at in persons if guests[0] <= at < guests[1]]
        known = {p.country for p, _ in persons if p.country}
        hosts = [pl for pl in places if pl[2] not in known] or places
        host = min(hosts, key=lambda pl: (not _PREP_RE.search(text, max(s0, pl[0] - 12), pl[0]), pl[0] < t0,
                                          abs(pl[0] - t0)))
        visitors = [(p, at) for p, at in persons if p.country and p.country != host[2]]
        if travellers:
            # the parse names who travels: at home they make no visit here, and nobody else does
            visitors = [(p, at) for p, at in travellers if p.country != host[2]]
            if not visitors:
                continue
        elif not visitors:
            unknown = [(p, at) for p, at in persons if p.country is None]
            visitors = unknown[:1]
            between = text[ends.get(id(unknown[0][0]), 0):unknown[1][1]] if len(unknown) > 1 else ""
            if re.fullmatch(r"\s*(?:and|&)\s*", between):
                visitors = unknown[:2]  # "Kim Jong Un and Donald Trump are in Hanoi for a summit"
        if summit and visitors and not travellers:
            # "the faces of Kim and Trump ... the leaders' meeting in Hanoi": the one joined by "and" to a
            # visitor at a summit is a visitor too, when the text gives no country to keep them at home
            for p, at in persons:
                if p.country is None and all(p is not q for q, _ in visitors) and any(re.fullmatch(
                        r"\s*(?:and|&)\s*", text[min(ends.get(id(q), at), ends.get(id(p), at)):max(at, qa)])
                        for q, qa in visitors):
                    visitors.append((p, at))
        for person, _ in visitors[:3]:
            cand = Candidate("official_visit", (t0, t1), (s0, s1), 0.55)
            cand.actors.append(_actor("visitor", person.name, person.title, person.country, person.entity_id))
            cand.actors.append(_actor("host", host[1], None, host[2], host[3]))
            counter = hosts_side + [q for q, _ in persons if q is not person and (
                q.country == host[2] or q.country is None) and (q, _) not in visitors]
            if counter:
                cand.actors.append(_actor("counterparty", counter[0].name, counter[0].title, counter[0].country,
                                          counter[0].entity_id))
            cand.place = host[1]
            cand.attributes["cue"] = " ".join(cue.group(0).lower().split())
            if person.country is None:
                cand.reasons.append("visitor's country not stated")
            out.append(cand)
    return out
