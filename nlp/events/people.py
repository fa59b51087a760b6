"""Who the text is about: people as first introduced, their titles, and names that are never parties.

News introduces a person once in full ("South Korean President Moon Jae-in") and then says "Moon",
"Mr. Moon", "the president" or "he". Events must name the person as introduced, with the title the
text gave them, so that the visit in paragraph one and the deal "during the trip" in paragraph five
name the same visitor. Datelines ("PARIS:", "BEIJING, April 13 (TASS) -") and wire agencies name
where and by whom the story was filed, never a party to what it reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from nlp.events.countries import code_for, country_before

# Reporting agencies and wire services: the byline, never a company or a counterparty of an event.
WIRE_AGENCIES = frozenset(a.lower() for a in (
    "AP", "AFP", "Reuters", "TASS", "UPI", "Xinhua", "PTI", "IANS", "ANI", "Bloomberg", "Kyodo", "Yonhap", "dpa",
    "EFE", "ANSA", "Bernama", "Interfax", "RIA Novosti", "Press Trust of India", "Associated Press",
    "Agence France-Presse", "Anadolu", "WAM", "SPA", "APP", "CNA", "Antara", "Jiji", "KCNA", "IRNA", "Sputnik"))
# A dateline: the place (often in capitals) and date at the head of a paragraph, before the story starts.
DATELINE_RE = re.compile(r"(?m)^\s*(?P<place>[A-Z][A-Z .'-]{1,40}?|[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
                         r"(?:\s*,\s*[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*(?:\([^)]{1,30}\))?\s*(?::|—|–|-)\s")
# Titles that make a person a public official (a visit is an official's); business titles do not.
OFFICIAL_TITLE_RE = re.compile(
    r"\b(?:prime\s+minister|premier|president|chancellor|minister|secretary|vice\s+premier|vice\s+president|"
    r"king|queen|crown\s+prince|emir|sheikh|sultan|monarch|congress(?:wo)?man|senator|speaker|governor|ambassador|"
    r"envoy|trade\s+representative|head\s+of\s+state|lawmaker|parliamentarian|foreign\s+secretary|leader|"
    r"taoiseach|mp)\b", re.I)
BUSINESS_TITLE_RE = re.compile(r"\b(?:chief\s+executive|ceo|founder|co-founder|chairman|chairwoman|executive|"
                               r"managing\s+director|boss|billionaire|tycoon|entrepreneur|owner|"
                               r"president\s+of\s+[A-Z]\w+\s+(?:India|Inc|Corp|Group))\b", re.I)
_TITLE_RE = re.compile(
    r"(?P<title>(?:(?:[A-Z][\w.-]*|economy|trade|foreign|finance|commerce|industry|defen[cs]e|energy|deputy|vice|"
    r"prime|crown|chief|south|north)\s+){0,4}(?:Prime\s+Minister|Minister|President|Premier|Chancellor|Secretary|"
    r"King|Queen|Crown\s+Prince|Prince|Emir|Sheikh|Sultan|Congress(?:wo)?man|Senator|Speaker|Governor|Ambassador|"
    r"Envoy|Leader|leader|Vice\s+Premier|Trade\s+Representative|Chief\s+Executive|CEO|Chairman|Founder|"
    r"prime\s+minister|minister|president|premier|chancellor|secretary|king|queen|crown\s+prince|emir|"
    r"congress(?:wo)?man|senator|chief\s+executive|chairman|founder|owner|chief))\s*,?\s*(?:Mr\.?\s+|Ms\.?\s+)?$")
# A title the recogniser took into the name ("Queen Astrid", "President Lima")
_LEADING_TITLE_RE = re.compile(r"^(?:King|Queen|Crown\s+Prince|President|Prime\s+Minister|Premier|Chancellor|Emir|"
                               r"Sultan|Senator|Governor)\s+(?=[A-Z][\w.-]+)")
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|')$")
_HONORIFIC_RE = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Sir|Dame)\.?\s+")


def strip_possessive(name: str) -> str:
    """ "Airbus's" -> "Airbus"; "Mr. Modi" -> "Modi"."""
    return _HONORIFIC_RE.sub("", _POSSESSIVE_RE.sub("", name.strip()))


def is_wire_agency(name: str) -> bool:
    return strip_possessive(name).lower() in WIRE_AGENCIES


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the place names of datelines ("PARIS:", "Washington DC (UPI), Feb 25, 2020 -")."""
    out = []
    for m in DATELINE_RE.finditer(text):
        place = m.group("place").strip()
        if place and (place.isupper() or code_for(place) or len(place.split()) <= 2):
            out.append((m.start("place"), m.start("place") + len(place)))
    return out


@dataclass
class Person:
    """One person of the text: the name as first introduced in full, the title and country the text gave."""

    name: str
    start: int
    title: str | None = None
    country: str | None = None
    entity_id: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)

    @property
    def official(self) -> bool:
        t = self.title or ""
        return bool(OFFICIAL_TITLE_RE.search(t)) and not BUSINESS_TITLE_RE.search(t)


class PersonIndex:
    """People of one text by every name they go by; ``resolve`` maps a mention to the person introduced."""

    def __init__(self, text: str, persons: list[tuple[str, int, int, str | None]],
                 known: dict[str, tuple[str | None, str | None]] | None = None) -> None:
        """``persons``: (text, start, end, entity id) of the PERSON mentions; ``known``: (country, role) by
        entity id, from the watchlist."""
        self.text = text
        self.people: list[Person] = []
        self._by_word: dict[str, Person] = {}
        self._words_re: re.Pattern[str] | None = None
        known = known or {}
        for name, start, end, eid in sorted(persons, key=lambda p: p[1]):
            clean = strip_possessive(name)
            if not clean or is_wire_agency(clean):
                continue
            lead = _LEADING_TITLE_RE.match(clean)
            if lead:
                clean = clean[lead.end():]  # "Queen Astrid" as one name: the title is not part of it
            person = self.resolve(clean)
            title = self.title_before(start) or (lead.group(0).strip() if lead else None)
            if person is None:
                person = Person(clean, start)
                self.people.append(person)
            elif len(clean.split()) > len(person.name.split()) and clean.endswith(person.name.split()[-1]):
                person.name = clean  # "Modi" seen before "Narendra Modi" (a headline): keep the full name
            if eid and person.entity_id is None:
                person.entity_id = eid
                country, role = known.get(eid, (None, None))
                person.country = person.country or country
                title = title or role
            if title and (person.title is None or (OFFICIAL_TITLE_RE.search(title) and not person.official)):
                person.title = title
            if person.country is None:
                person.country = country_before(text, start)
            person.mentions.append((start, end))
            for w in clean.split():
                if len(w) > 2 and w[0].isupper():
                    self._by_word.setdefault(w.lower(), person)

    def title_before(self, start: int) -> str | None:
        m = _TITLE_RE.search(self.text, max(0, start - 70), start)
        if not m or m.end() != start and self.text[m.end():start].strip() not in ("", ","):
            return None
        title = m.group("title").strip().rstrip(",")
        words = [w for w in title.split() if not re.match(r"^(?:[A-Z][\w.-]*(?:'s|’s)?)$", w)
                 or w in ("Prime", "Minister", "President", "Premier", "Chancellor", "Secretary", "King", "Queen",
                          "Crown", "Prince", "Emir", "Sheikh", "Sultan", "Congressman", "Congresswoman", "Senator",
                          "Speaker", "Governor", "Ambassador", "Envoy", "Leader", "Vice", "Trade", "Representative",
                          "Foreign", "Defence", "Defense", "Finance", "Commerce", "Economy", "Deputy", "Chief",
                          "Executive", "CEO", "Chairman", "Founder")]
        return " ".join(words) or None

    def mentions_in(self, s0: int, s1: int) -> list[tuple[Person, int, int]]:
        """Every mention of a known person between ``s0`` and ``s1``, by full name or any name word
        ("Modi", "Mr. Xi"), whether or not the recogniser tagged it there; in text order."""
        if self._words_re is None:
            for p in self.people:
                self._by_word.setdefault(p.name.lower(), p)  # the full name first: "Kim Jong Un", not "Kim"
            words = sorted(self._by_word, key=len, reverse=True)
            self._words_re = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I) \
                if words else re.compile(r"(?!)")
        out: list[tuple[Person, int, int]] = []
        seen: set[int] = set()
        for m in self._words_re.finditer(self.text, s0, s1):
            if not m.group(0)[0].isupper():
                continue
            p = self._by_word[m.group(0).lower()]
            if id(p) in seen:
                continue
            seen.add(id(p))
            out.append((p, m.start(), m.end()))
        return out

    def resolve(self, mention: str) -> Person | None:
        """The person a mention names: exact, by any of its name words ("Moon", "Mr Modi"), else None."""
        clean = strip_possessive(mention)
        words = [w.lower() for w in clean.split() if len(w) > 2]
        for w in reversed(words):
            p = self._by_word.get(w)
            if p is not None:
                return p
        return None

    def last_official_before(self, pos: int, title_word: str | None = None) -> Person | None:
        """The official most recently named before ``pos`` (for "the president", "he"), optionally by title word."""
        best: Person | None = None
        best_at = -1
        for p in self.people:
            if not p.official:
                continue
            if title_word and title_word.lower() not in (p.title or "").lower():
                continue
            at = max((s for s, _ in p.mentions if s < pos), default=-1)
            if at > best_at:
                best, best_at = p, at
        return best


# One-word hosts that are the tail of a longer name the recogniser cut ("the White |House|"), never a host.
_GENERIC_HOSTS = frozenset(("house", "palace", "office", "hall", "ministry", "government", "state", "capital",
                            "city", "country", "summit", "parliament", "building"))
_BARE_TITLE_RE = re.compile(r"^(?:(?:the|a|an|his|her|their)\s+)?(?:[\w.-]+\s+){0,2}?(?P<t>prime\s+minister|"
                            r"president|premier|chancellor|minister|king|queen|crown\s+prince|congressman|senator|"
                            r"leader|secretary|delegation|official)s?$", re.I)


# A title word that opens a name the recogniser labelled as something else ("King Felipe VI" as ORG)
_TITLED_NAME_RE = re.compile(r"^(?:King|Queen|Crown\s+Prince|Prince|Princess|President|Prime\s+Minister|Premier|"
                             r"Chancellor|Emir|Sultan|Sheikh|Senator|Governor|Congress(?:wo)?man|Speaker)\s+"
                             r"(?P<name>[A-Z][\w.-]+(?:\s+(?:[A-Z][\w.-]+|[IVX]+|bin|al|de|von|van))*)$")
# Words that make a titled phrase an institution, not a person ("President Hotel", "King Fahd University")
_INSTITUTION_RE = re.compile(r"\b(?:Office|Ministry|Department|Council|Palace|House|Hotel|University|College|"
                             r"School|Hospital|Airport|Street|Road|Avenue|Square|Park|Bridge|Foundation|Fund|Trust|"
                             r"Cup|Award|Prize|Center|Centre|Stadium|Hall|Museum|Library|Institute|Bank|Group|"
                             r"Organi[sz]ation|Administration|Corp|Inc|Ltd|Company)\b")
_PERSON_RELABEL = ("ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "WORK_OF_ART", "EVENT")


def person_labels(ents: list[Any]) -> list[Any]:
    """Entity kinds from the text's own evidence: a name the recogniser read as a place or organisation is a
    person when a title opens it ("King Felipe VI", "President Lima") or when it is the family name of a person
    the same text names in full ("Narendra Modi" ... "Modi" as a GPE, "Donald Trump" ... "Trump" as an ORG)."""
    surnames: set[str] = set()
    for e in ents:
        if e.label == "PERSON":
            words = _HONORIFIC_RE.sub("", _POSSESSIVE_RE.sub("", e.text.strip())).split()
            if len(words) > 1:
                surnames.add(words[-1])
                surnames.add(" ".join(words[-2:]))  # "Jong Un"
    out = []
    for e in ents:
        if e.label in _PERSON_RELABEL:
            clean = _HONORIFIC_RE.sub("", _POSSESSIVE_RE.sub("", e.text.strip()))
            titled = _TITLED_NAME_RE.match(clean)
            if (titled and not _INSTITUTION_RE.search(clean)) or (clean in surnames and code_for(clean) is None):
                e = replace(e, label="PERSON")
        out.append(e)
    return out


def party_entities(text: str, ents: list[Any]) -> list[Any]:
    """Entities that may be parties to an event: no wire agency, no dateline place, possessives stripped; kinds
    mended by :func:`person_labels`."""
    datelines = dateline_spans(text)
    out = []
    for e in person_labels(ents):
        if is_wire_agency(e.text):
            continue
        if any(s <= e.start < t for s, t in datelines) and e.label in ("ORG", "GPE", "PERSON", "NORP"):
            continue
        clean = _POSSESSIVE_RE.sub("", e.text)
        if clean != e.text:
            e = replace(e, text=clean, end=e.start + len(clean))
        tail = re.match(r"-[a-z]+\b", text[e.end:e.end + 12]) if e.label == "PERSON" else None
        if tail:  # "Moon Jae|-in": the recogniser cut the hyphenated given name
            e = replace(e, text=e.text + tail.group(0), end=e.end + tail.end())
        out.append(e)
    return out


def resolve_people(cands: list[Any], people: PersonIndex) -> list[Any]:
    """Actors named as the text introduced them; visits by people who are not officials dropped."""
    out = []
    for c in cands:
        keep = True
        for a in c.actors:
            a["text"] = strip_possessive(a["text"]) or a["text"]
            if a["role"] == "host" and a["text"].lower() in _GENERIC_HOSTS:
                a["drop"] = True
                continue
            if a["role"] not in ("visitor", "depicted", "target", "counterparty"):
                continue
            p = people.resolve(a["text"])
            if p is None and a["role"] == "visitor":
                m = _BARE_TITLE_RE.match(a["text"])
                if m:
                    p = people.last_official_before(c.trigger[0], m.group("t").split()[-1]) or \
                        people.last_official_before(c.trigger[0])
            if p is None:
                continue
            a["text"], a["title"] = p.name, a.get("title") or p.title
            a["entity_id"] = a.get("entity_id") or p.entity_id
            a["country"] = a.get("country") or p.country
            if a["role"] == "visitor" and p.title and not p.official:
                keep = False  # a chief executive's trip is not an official visit
        c.actors = [a for a in c.actors if not a.pop("drop", False)]
        if keep:
            out.append(c)
    return out


_ACTION_TYPES = ("deal", "investment", "trade_measure", "export_control", "sanction")


def leader_parties(text: str, cands: list[Any], people: PersonIndex) -> None:
    """An official who is the subject of an action ("Modi placed an order", "Trump unveiled tariffs") is a
    party to it (role ``agency``: acting for a government), unless a company is named between them."""
    for c in cands:
        if c.type not in _ACTION_TYPES or any(a["role"] == "agency" and a.get("title") for a in c.actors):
            continue
        s0 = c.sentence[0]
        t0 = c.trigger[0]
        before = [(p, m0, m1) for p, m0, m1 in people.mentions_in(s0, t0) if p.official]
        if not before:
            # "the factory was inaugurated by Prime Minister Ada Brenner": the official after a passive "by"
            by = re.match(r"(?:\s+\w+){0,4}?\s+by\s+", text[c.trigger[1]:c.sentence[1]])
            after = people.mentions_in(c.trigger[1], c.sentence[1]) if by else []
            officials = [(p, m0, m1) for p, m0, m1 in after[:2] if p.official]
            for p, _, _ in officials:
                if not any(a["text"] == p.name for a in c.actors):
                    c.actors.insert(0, {"role": "agency", "text": p.name, "title": p.title,
                                        "entity_id": p.entity_id, "country": p.country})
            continue
        p, _, m1 = before[-1]
        between = text[m1:t0]
        for a in c.actors:
            if a["role"] == "target" and a["text"] == p.name:
                a["role"] = "agency"  # the subject acting ("Trump unveiled tariffs"), not the one hit
                a["title"] = a.get("title") or p.title
        if any(a["role"] == "company" and a["text"] and a["text"] in between for a in c.actors):
            continue
        if any(a["text"] == p.name for a in c.actors):
            continue
        c.actors.insert(0, {"role": "agency", "text": p.name, "title": p.title, "entity_id": p.entity_id,
                            "country": p.country})
        c.rule_score += 0.05
