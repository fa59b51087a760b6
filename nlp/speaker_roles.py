"""Speakers named only by their role: "a spokeswoman for Orlan Steel said", "a déclaré le président".

News attributes many quotes to someone it does not name. Such a quote still has a speaker: the role
as written ("spokeswoman", "président de la République") with no name. ``role_phrase`` tells a run of
words beside a reporting verb that is such a role (an article or nothing, a few lower-case modifiers,
a role noun, then an optional complement) from one that names somebody or something else ("the
statistics office", "residents", "a banner"): only nouns for people who speak for an office or a
trade count, in the languages whose reporting verbs ``nlp.quotes`` reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.watchlist import TITLES

# Nouns for a person known by an office or a trade, as news writes them when it gives no name.
ROLE_NOUNS: frozenset[str] = frozenset(
    w.casefold()
    for w in (
        # English
        "spokesman spokeswoman spokesperson official officer analyst economist strategist executive "
        "director chairman chairwoman chair president minister secretary governor mayor senator "
        "ambassador ceo cfo coo founder co-founder manager head lawyer attorney prosecutor judge "
        "representative adviser advisor negotiator diplomat trader dealer banker investor regulator "
        "commissioner chancellor premier envoy aide source sources insider engineer researcher scientist "
        "professor doctor coach spokespeople owner boss leader chief treasurer general commander lawmaker "
        "legislator congressman congresswoman mp councillor councilor inspector auditor consultant "
        "economists analysts officials executives traders dealers investors "
        # French
        "président présidente ministre porte-parole directeur directrice maire sénateur sénatrice député "
        "députée pdg patron patronne analyste économiste responsable dirigeant dirigeante avocat avocate "
        "procureur juge conseiller conseillère secrétaire gouverneur ambassadeur ambassadrice fondateur "
        "fondatrice chef commissaire syndicaliste élu élue "
        # German
        "sprecher sprecherin präsident präsidentin minister ministerin kanzler kanzlerin chefin "
        "bürgermeister bürgermeisterin direktor direktorin vorstand vorstandschef analystin ökonom ökonomin "
        "anwalt anwältin staatsanwalt richter richterin gründer gründerin "
        # Spanish, Portuguese, Italian
        "presidenta ministro ministra portavoz directora alcalde alcaldesa portavoce porta-voz "
        "presidente sindaco direttore diretor diretora prefeito prefeita abogado advogado avvocato "
        "economista analista fundador fundadora gobernador governador"
    ).split()
)
# Articles and quantifiers a role may follow ("a", "the", "one", "le", "der", "el", ...).
_DET = (r"(?i:the|a|an|one|another|its|his|her|their|le|la|les|l'|l’|un|une|der|die|das|ein|eine|einer|"
        r"el|los|las|una|o|os|um|uma|il|lo|gli|uno)")
# A word that may stand before the role noun ("senior", "company", "chief", "deputy"): lower case,
# no digits; at most three of them.
_MOD = r"[^\W\d_A-ZÀ-ÖØ-Þ][\w’'-]*"
_NOUN = "(?i:" + "|".join(re.escape(w) for w in sorted(ROLE_NOUNS, key=len, reverse=True)) + ")"
# An organisation written before the role ("a Minden Tools spokesman"), only after an article.
_CAPWORD = r"[A-ZÀ-ÖØ-Þ][\w&.’'-]*"
_ROLE_RUN = re.compile(
    rf"^\s*(?:(?P<det>{_DET})(?:\s+|(?<=['’]))(?P<org>(?:{_CAPWORD}\s+){{1,4}})?)?(?P<role>(?:{_MOD}\s+){{0,3}}?(?P<noun>{_NOUN}))(?![\w’'-])"
    rf"(?P<rest>\s+(?i:of|for|at|from|with|de|du|des|d'|d’|der|des|del|della|do|da|di|dello)(?:\s+|(?<=['’])).{{1,80}}?)?"
    r"\s*$",
    re.DOTALL,
)
# The complement names the organisation the person speaks for ("of Kestrel Research", "for Orlan Steel").
_ORG_COMPLEMENT = re.compile(r"^\s*(?:of|for|at|from|with)\s+(?:the\s+)?(?P<org>[A-ZÀ-ÖØ-Þ][^,;:]*)$")
_DEFINITE = frozenset("the le la l' l’ der die das el los las il lo gli o os its his her their".split())


@dataclass(frozen=True)
class Role:
    """``title``: the role as written, without its article ("company spokesman", "président de la
    République"); ``affiliation``: the organisation of an English complement ("of Kestrel Research");
    ``definite``: written with a definite article ("the minister": maybe someone named before)."""

    title: str
    affiliation: str | None
    definite: bool


def role_phrase(run: str) -> Role | None:
    """The role ``run`` consists of, or None when it is anything else (a name, an office, a thing)."""
    m = _ROLE_RUN.match(run)
    if m is None or m.group("noun").casefold() not in ROLE_NOUNS:
        return None
    title = m.group("role").strip()
    rest = (m.group("rest") or "").strip()
    affiliation = (m.group("org") or "").strip() or None
    if affiliation and any(w.casefold() in TITLES for w in affiliation.split()):
        title, affiliation = f"{affiliation} {title}", None  # "the Prime Minister": all of it the title
    if rest:
        org = _ORG_COMPLEMENT.match(rest)
        if org is not None and affiliation is None:
            affiliation = org.group("org").strip()
        else:
            title = f"{title} {rest}"
    det = (m.group("det") or "").casefold()
    return Role(title=title, affiliation=affiliation, definite=det in _DEFINITE)
