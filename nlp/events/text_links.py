"""Links inside one text from the text's own words: "signed during the visit", "on the sidelines of the summit".

Across documents a link needs world knowledge (the company's country is the host country). Inside
one text the text is the evidence: when it says an action happened during, while, as, on the
sidelines of, or at a ceremony attended by a visit, the two are linked whatever the countries, and
even when neither date resolves. Without such a cue, the same sentence, or the same resolved day
inside the visit with the visit's people or country named, links them. Adjacency without a stated
connection does not ("ahead of the visit", "on the eve of", "the day before", months apart), nor do
the items of a round-up.

Each event dict may carry ``_mentions``: the sentence spans of every mention merged into it (set by
the component's merge step), so "during the trip" in paragraph five finds the visit of paragraph one.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from nlp.events.pairing import EventView, describe, gap_between, link_score, timing_fit

# The action is said to happen during, at, or in response to the visit.
CUE_RE = re.compile(
    r"\b(?:during|amid|while|whilst|in\s+the\s+course\s+of|on\s+the\s+(?:margins|sidelines)\s+of|"
    r"coincid(?:ed|es|ing)\s+with|to\s+coincide\s+with|attended\s+by|witnessed\s+by|in\s+the\s+presence\s+of|"
    r"looked\s+on|look\s+on|presided\s+over|as\s+(?:[\w.-]+\s+){1,4}?(?:visit(?:ed|s)?|was\s+in|were\s+in|"
    r"arrived|toured|wrapp(?:ed|ing)\s+up|met|hosted|landed)|when\s+(?:he|she|they|[\w.-]+)\s+(?:visited|went|"
    r"was\s+in|travell?ed|arrived)|to\s+(?:mark|commemorate|celebrate|honou?r)|(?:summit|visit)-(?:inspired|themed)|"
    r"inspired\s+by\s+the\s+(?:summit|visit)|in\s+(?:response|retaliation|protest)\s+(?:to|against|at|over)|"
    r"retaliat\w*|in\s+honou?r\s+of|during\s+which|at\s+(?:a|the)\s+(?:signing\s+)?ceremony|"
    # the visit as the occasion: "the visit saw the signing of", "used the occasion to unveil"
    r"(?:the|this|his|her|their)\s+(?:[\w-]+\s+){0,2}?(?:visit|trip|tour|stopover|summit)\s+(?:also\s+)?"
    r"(?:saw|produced|brought|yielded|included|featured|resulted\s+in|was\s+marked\s+by)|"
    r"used\s+the\s+(?:occasion|visit|trip)|witness(?:ed|es|ing)?\s+the\s+signing|"
    # said on the visit itself: "on the second day of her visit", "on his trip", "at the summit"
    r"on\s+(?:the\s+(?:first|second|third|last|final|opening|closing|\w+th)\s+day\s+of\s+)?(?:his|her|their|the|this)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:visit|trip|tour|stopover|stay)|at\s+(?:the|their|this\s+week's)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:summit|talks))\b", re.I)
# The action answers the visit: "sanctioned ... for organising Lin's meetings", "over his visit to Taiwan"
RESPONSE_RE = re.compile(
    r"\b(?:over|for|because\s+of|in\s+reaction\s+to|to\s+punish\s+(?:[\w-]+\s+){1,3}?for)\s+"
    r"(?:(?:organi[sz]|arrang|coordinat|facilitat|host|receiv|invit|sponsor|support)\w*\s+)?"
    r"(?:(?:his|her|their|the|its|[A-Z][\w-]*(?:'s|’s))\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:visits?|trips?|stopovers?|transits?|meetings?|talks|activities|tour)\b")
# Words that refer to a visit (the cue must be about a visit, not "during the quarter")
_VISIT_WORD_RE = re.compile(r"\b(?:visit|trip|tour|summit|stopover|stay|talks|meeting|arrival|ceremony|"
                            r"delegation|presence)\b", re.I)
# Stated adjacency with no connection, or a long way off: not linked (the dev set's guideline).
NOT_LINKED_RE = re.compile(
    r"\b(?:ahead\s+of|on\s+the\s+eve\s+of|(?:the|a|one|two|three|\d+)\s+days?\s+(?:before|earlier)"
    r"(?!\s+(?:wrapping|ending|leaving|concluding|departing|the\s+end))|prior\s+to|in\s+advance\s+of|"
    r"before\s+(?:his|her|their|the)\s+(?:visit|arrival|trip|summit)|(?:months?|years?)\s+(?:after|before|"
    r"earlier|later|ago)|last\s+year|earlier\s+this\s+year)\b", re.I)
_SENT_END_RE = re.compile(r"[.!?][\"'”’)]?\s")
# "it was signed during the visit": a cue within this many characters of the trigger speaks of the action
_CUE_REACH = 160
# days an action may lie from a visit's span and still fit it fully in the score (the pair rules' window)
TEXT_WINDOW_DAYS = 3.0


def _day(s: Any) -> date | None:
    try:
        return date.fromisoformat(str(s)[:10]) if s else None
    except ValueError:
        return None


def _mentions(ev: dict[str, Any]) -> list[tuple[int, int]]:
    spans = ev.get("_mentions") or [(ev["evidence"]["start"], ev["evidence"]["end"])]
    return sorted({(int(a), int(b)) for a, b in spans})


def _sentences_apart(text: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    """0 for the same sentence, 1 for adjacent ones, and so on."""
    if a == b or (a[0] < b[1] and b[0] < a[1]):
        return 0
    lo, hi = (a[1], b[0]) if a[0] < b[0] else (b[1], a[0])
    return 1 + len(_SENT_END_RE.findall(text[lo:hi]))


def _names(v: dict[str, Any], roles: tuple[str, ...] = ("visitor", "host")) -> list[str]:
    out: list[str] = []
    for a in v.get("actors") or []:
        if a.get("role") in roles and a.get("text"):
            out.extend(w for w in str(a["text"]).split() if len(w) > 2 and w[0].isupper())
    return out


def _cue(stext: str) -> re.Match[str] | None:
    for m in CUE_RE.finditer(stext):
        if m.group(0).lower().startswith(("during", "amid", "while", "whilst", "in the course")) and \
                not _VISIT_WORD_RE.search(stext, m.end(), m.end() + 60) and not re.search(
                    r"\b(?:visit|in\s+[A-Z]|arriv|tour)", stext[m.end():m.end() + 60]):
            continue  # "during the quarter", "while sales fell"
        return m
    return None


def _in_range(d: date | None, v: dict[str, Any]) -> bool:
    vs, ve = _day(v["date"].get("start")), _day(v["date"].get("end"))
    if d is None or vs is None:
        return False
    return vs <= d <= (ve or vs)


def text_links(text: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Links (contract shape, ``rule`` ``text_cue``/``same_sentence``/``same_day``) between the actions and
    visits of one text that the text's own words connect."""
    visits = [v for v in events if v["type"] == "official_visit"]
    actions = [a for a in events if a["type"] != "official_visit"]
    out: list[dict[str, Any]] = []
    for a in actions:
        if a["attributes"].get("status") == "planned":
            continue  # an expected action did not happen during the visit (yet)
        asent = (a["evidence"]["start"], a["evidence"]["end"])
        stext = text[asent[0]:asent[1]]
        cue = _cue(stext)
        blocked = NOT_LINKED_RE.search(stext) is not None
        chosen: list[tuple[dict[str, Any], str]] = []
        response = RESPONSE_RE.search(stext, a["trigger"]["end"] - asent[0])
        answered = [v for v in visits if response is not None and any(
            re.search(rf"\b{re.escape(n)}\b", stext[response.start():]) for n in _names(v, ("visitor",)))]
        if answered and response is not None:
            # a measure taken "for organising Lin's meetings": the visit of the one it names, however far back
            for v in answered:
                out.append(_link(a, v, f"in response to the visit: '{response.group(0)}'"))
            continue
        # "during", "while", "when he went": the cue ties the action to the visit whatever the time words say
        overrides = cue is not None and cue.group(0).lower().startswith(("during", "on the", "while", "when"))
        if cue is not None and not (blocked and not overrides):
            # the visit the cue speaks of: one in this sentence, else the nearest one introduced before it
            here = [v for v in visits if any(_sentences_apart(text, m, asent) == 0 for m in _mentions(v))]
            before = [v for v in visits if any(m[0] <= asent[0] for m in _mentions(v))]
            ref = here or ([max(before, key=lambda v: max(m[0] for m in _mentions(v) if m[0] <= asent[0]))]
                           if before else [])
            if ref and not here:
                ref = _with_co_visitors(ref[0], visits, text)
            chosen = [(v, f"the text says '{cue.group(0)}'") for v in ref]
        elif (made := _DEPICTS_RE.search(stext)) is not None and (named := [
                v for v in visits if any(re.search(rf"\b{re.escape(n)}\b", stext) for n in _names(v, ("visitor",)))]):
            chosen = [(v, f"made for the visit: '{made.group(0)}' the visitor") for v in named]
        elif not blocked:
            for v in visits:
                apart = min(_sentences_apart(text, m, asent) for m in _mentions(v))
                if apart > 2 or _dates_conflict(a, v):
                    continue
                if apart > 0 and all(NOT_LINKED_RE.search(text, m[0], m[1]) for m in _mentions(v)
                                     if _sentences_apart(text, m, asent) == apart):
                    continue  # the visit next to it is framed as later ("ahead of Modi's visit on Thursday")
                if apart == 0:
                    chosen.append((v, "reported in the same sentence"))
                elif _party_of_visit(a, v):
                    chosen.append((v, "a party to the visit acts, next to the visit in the text"))
                elif _in_range(_day(a["date"].get("start")), v) and any(
                        re.search(rf"\b{re.escape(n)}\b", stext) for n in _names(v)) and any(
                        _sentences_apart(text, m, asent) <= 1 for m in _mentions(v)):
                    chosen.append((v, "on a day of the visit, next to it in the text"))
        if not chosen and not blocked:
            chosen = _far_links(text, a, asent, visits, actions)
        for v, why in chosen:
            out.append(_link(a, v, why))
    return out


def _far_links(text: str, a: dict[str, Any], asent: tuple[int, int], visits: list[dict[str, Any]],
               actions: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Links a text makes across paragraphs: the visitor (or the host official) is a party to the action
    and the dates do not keep them apart; or a later sentence refers back to the action ("The announcement,
    made on Monday, came as ...") with no other action reported in between."""
    out: list[tuple[dict[str, Any], str]] = []
    for v in visits:
        if _dates_conflict(a, v) or any(NOT_LINKED_RE.search(text, m[0], m[1]) for m in _mentions(v)
                                        if _sentences_apart(text, m, asent) == 0):
            continue
        if _person_of_visit(a, v) and a["date"].get("text"):
            # an undated action paragraphs away may be the visitor's past (background), not this visit
            out.append((v, "the visitor is a party, in the same text"))
        elif _in_range(_day(a["date"].get("start")), v) and _party_of_visit(a, v):
            out.append((v, "a party to the visit acts on a day of the visit"))
        elif _in_range(_day(a["date"].get("start")), v) and _exact_day(a) and _of_host_country(a, v):
            # "Japan's Mitsubishi won an order on Tuesday" while the visitor is in Japan: the host's own
            # company acts on a day of the visit the text reports
            out.append((v, "a company of the host country acts on a day of the visit"))
        elif any(_refers_back(text, m, asent) and _nearest_action_before(m, actions) is a
                 and _sentences_apart(text, m, asent) <= 4 and not NOT_LINKED_RE.search(text, m[0], m[1])
                 for m in _mentions(v)):
            out.append((v, "the visit's sentence refers back to the action"))
    return out


def _exact_day(a: dict[str, Any]) -> bool:
    """The action's date is one resolved day (not "last week", "in June")."""
    start, end = a["date"].get("start"), a["date"].get("end")
    return bool(a["date"].get("resolved") and start and (end is None or end == start))


def _of_host_country(a: dict[str, Any], v: dict[str, Any]) -> bool:
    """A party to the action is, as the text says, of the visited country (and the visitor's is another)."""
    host = {x.get("country") for x in v["actors"] if x["role"] == "host" and x.get("country")}
    home = {x.get("country") for x in v["actors"] if x["role"] == "visitor" and x.get("country")}
    return bool(host) and not (host & home) and any(
        x["role"] in ("company", "agency") and x.get("country") in host for x in a["actors"])


def _nearest_action_before(at: tuple[int, int], actions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The action whose mention ends last before ``at``: what "the announcement" refers to."""
    best: tuple[int, dict[str, Any]] | None = None
    for a in actions:
        for m in _mentions(a):
            if m[1] <= at[0] and (best is None or m[1] > best[0]):
                best = (m[1], a)
    return best[1] if best else None


_BACK_REF_RE = re.compile(r"\W*(?:the|this|that|its|his|her)\s+(?:\w+\s+)?(?:announcement|deal|agreement|order|"
                          r"move|decision|measure|sanctions?|tariffs?|contract|signing|purchase|launch|pledge|"
                          r"investment|proclamation|news)s?\s*(?:,[^,;.]{1,90},\s*)?(?:comes?|came|was\s+made|"
                          r"were\s+made)\s+(?:as|while|during|when|on)\b", re.I)


# "burgers inspired by Trump and Kim", "a coin bearing the faces of": made for the visit when the visitor is named
_DEPICTS_RE = re.compile(r"\b(?:inspired\s+by|in\s+the\s+style\s+of|named\s+(?:after|for)|bearing|depicting|"
                         r"featuring|with\s+the\s+faces?\s+of|commemorat\w+|in\s+honou?r\s+of|to\s+mark)\b", re.I)
# "looked on as it was signed", "witnessed the signing": the visit's sentence speaks of the action just reported
_WITNESS_RE = re.compile(r"\b(?:looked\s+on|look\s+on|witness(?:ed|es|ing)?|attended|presided\s+over|"
                         r"in\s+the\s+presence\s+of|as\s+it\s+was\s+signed|at\s+the\s+signing)\b", re.I)


def _refers_back(text: str, visit_sent: tuple[int, int], action_sent: tuple[int, int]) -> bool:
    """ "The announcement comes as Trump prepares to host Modi", "Putin and Xi looked on as it was signed": the
    visit's sentence, right after the action's, says the action happened at the visit."""
    if action_sent[0] >= visit_sent[0]:
        return False
    return _BACK_REF_RE.match(text, visit_sent[0], visit_sent[1]) is not None or \
        _WITNESS_RE.search(text, visit_sent[0], visit_sent[1]) is not None


def _dates_conflict(a: dict[str, Any], v: dict[str, Any]) -> bool:
    """Both dated, and the action falls outside the visit (a day's slack for time zones)."""
    d, vs = _day(a["date"].get("start")), _day(v["date"].get("start"))
    if d is None or vs is None:
        return False
    ve = _day(v["date"].get("end")) or vs
    return (vs - d).days > 1 or (d - ve).days > 1


def _person_of_visit(a: dict[str, Any], v: dict[str, Any]) -> bool:
    """The visitor (a named person, not a country) is a party to the action: an official abroad acts there.
    The host official is not enough at a distance: acting at home is their everyday business."""
    people = {str(x["text"]).split()[-1].lower() for x in v["actors"]
              if x["role"] == "visitor" and x.get("text") and len(str(x["text"]).split()) > 1}
    return any(x["role"] in ("agency", "company", "counterparty") and str(x.get("text") or "").split()
               and str(x["text"]).split()[-1].lower() in people for x in a["actors"])


def _party_of_visit(a: dict[str, Any], v: dict[str, Any]) -> bool:
    """The visitor, the host official, or the government of either side (as the text names it) is a party."""
    people = [str(x["text"]).split()[-1].lower() for x in v["actors"]
              if x["role"] in ("visitor", "counterparty") and x.get("text")]
    countries = {x.get("country") for x in v["actors"] if x["role"] in ("visitor", "host") and x.get("country")}
    for x in a["actors"]:
        if x["role"] not in ("agency", "company", "counterparty"):
            continue
        words = str(x.get("text") or "").split()
        if words and words[-1].lower() in people:
            return True
        if x["role"] == "agency" and x.get("country") in countries:
            return True
    return False


def _with_co_visitors(v: dict[str, Any], visits: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The visit and the visits introduced in the same sentence to the same host (both leaders at a summit)."""
    host = next((x.get("country") for x in v["actors"] if x["role"] == "host"), None)
    out = [v]
    for w in visits:
        if w is v:
            continue
        wh = next((x.get("country") for x in w["actors"] if x["role"] == "host"), None)
        if wh == host and any(_sentences_apart(text, m, n) == 0 for m in _mentions(v) for n in _mentions(w)):
            out.append(w)
    return out


def _link(a: dict[str, Any], v: dict[str, Any], why: str) -> dict[str, Any]:
    va, vv = EventView.of(a["id"], a), EventView.of(v["id"], v)
    gap = float(abs((va.start - vv.start).days)) if va.start and vv.start else None
    first, second = (va, vv) if (va.start or date.max) <= (vv.start or date.max) else (vv, va)
    visitor = next((x.get("entity_id") or x["text"] for x in v["actors"] if x["role"] == "visitor"), None)
    ents = [x for x in (next((x.get("entity_id") or x["text"] for x in a["actors"]), None), visitor) if x]
    # the text's own cue ties the two more firmly than nearness in the text does; dates that do not meet
    # (the text links them anyway) count as the window's edge
    _, dist = gap_between(va, vv)
    fit = timing_fit(dist, TEXT_WINDOW_DAYS) or timing_fit(TEXT_WINDOW_DAYS, TEXT_WINDOW_DAYS) or 0.5
    score = link_score(1.0 if "says" in why else 0.9, fit, va, vv, same_text=True)
    return {"type": "co_timed", "events": [first.key, second.key], "gap_days": gap, "entities": ents,
            "score": score, "explanation": f"{describe(va)}, during the official visit: {describe(vv)} [{why}]",
            "rule": "same_text"}
