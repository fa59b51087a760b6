"""Stance training sentences of the project's own writing: analysts and commentators on companies.

NewsMTSC is political news and TweetEval is posts on social issues: neither has the market
commentator's way of saying "bad for the company" ("would push X to stockpile parts, tying up cash",
"a margin warning", "razor-thin margins"), so the model read such warnings as favor or neutral.
These rows teach that class: a warning about a company's cash, margins, costs, debt or demand is
against it; praise of its position is favor; a plain fact is neutral. Every word here is invented
(names included); the rows are composed from parts with a fixed seed, so a rebuild is reproducible.
The test sentences in ``tests/nlp/test_stance.py`` are worded apart from these parts.
"""

from __future__ import annotations

import random

from nlp.stance_data import StanceExample

COMPANIES = ("Corvane", "Halbrook", "Veltrix", "Norrland Motors", "Tessaro", "Quillon Foods", "Marwick Steel",
             "Ostara Pharma", "Brevik Air", "Calloway Retail", "Zentara", "Pellham Bank")
PEOPLE = ("Tom Hale", "Priya Natarajan", "Anna Berg", "Marcus Lindqvist", "Joan Okafor", "Luis Ferreira",
          "Keiko Mori", "David Stern", "Ines Duval", "Omar Haddad")
FIRMS = ("Kestrel Research", "Northgate Capital", "Fjord Capital", "Brightwater Securities", "Alder Partners",
         "Harrow & Finch", "Meridian Equity", "Stonebridge Bank")

# {c}: the company. Each phrase reads as a clause ("... said that <phrase>").
AGAINST = (
    "the new export rules would force {c} to stockpile components, tying up cash it needs elsewhere",
    "{c} is likely to issue a profit warning before the end of the quarter",
    "margins on {c}'s cheapest models are razor thin",
    "{c} is burning through cash faster than it can raise it",
    "the tariffs could wipe out most of {c}'s profit this year",
    "{c} may have to cut its sales forecast again",
    "{c}'s debt has become a serious worry for bondholders",
    "the recall will cost {c} far more than it has admitted",
    "{c} keeps losing market share to cheaper rivals",
    "higher memory prices will squeeze {c}'s margins for at least two quarters",
    "{c} faces a long and expensive legal fight in Europe",
    "the firm had downgraded {c} to sell after the weak guidance",
    "export controls on chips remain a real risk for {c}'s next models",
    "unsold stock is piling up in {c}'s warehouses",
    "the delay will hurt {c}'s sales in its most important season",
    "{c} paid far too much for the acquisition",
    "investors should not trust {c}'s upbeat guidance",
    "{c} has little room left to absorb rising wages",
    "a slowdown in China would leave {c} badly exposed",
    "{c}'s cash pile will not last if demand stays this weak",
    "the price war is eating into {c}'s earnings",
    "{c} risks breaching the terms of its loans next year",
    "the plant overruns have pushed {c}'s costs well above plan",
    "{c}'s rating could be cut to junk",
    "the strike leaves {c} unable to meet its delivery targets",
    "{c}'s new tablet is impressive, but the margins on it will be thin",
    "sales at {c} are growing, but the costs of the expansion are growing faster",
    "{c} won the contract, but the price it bid leaves almost no profit",
)
FAVOR = (
    "{c} is well placed to win share from weaker rivals",
    "{c}'s margins keep improving quarter after quarter",
    "the firm had upgraded {c} to buy after the strong orders",
    "the deal gives {c} a solid foothold in South America",
    "{c} has more than enough cash to ride out a slowdown",
    "{c} beat expectations again and raised its outlook",
    "{c}'s new phone is a clear winner at that price",
    "demand for {c}'s products is stronger than ever",
    "{c} has the healthiest balance sheet in the sector",
    "the new plant will cut {c}'s costs sharply",
    "{c}'s management has handled the crisis very well",
    "{c} is finally turning its research into real profits",
    "the contract is a big win for {c}",
    "{c}'s shares still look cheap after the rally",
    "{c} is pulling ahead of its competitors in software",
    "orders for {c}'s aircraft are running well ahead of forecasts",
    "{c} has built a loyal customer base that rivals envy",
    "the merger should make {c} far more profitable",
)
NEUTRAL = (
    "{c} will report its quarterly results on Thursday",
    "{c} employs about 4,000 people in the region",
    "{c} has not said where the new plant will be built",
    "{c}'s shares were little changed in early trading",
    "{c} is due to present the phone in Shenzhen next week",
    "the board of {c} meets again in March",
    "{c} moved its headquarters to Lisbon in 2019",
    "{c} sells most of its output in Asia",
    "{c} will publish its annual report in April",
    "{c} named a new finance chief on Monday",
    "{c}'s chief executive will speak at the conference in Vienna",
    "{c} makes the parts in two factories",
)

# How a commentator's words reach the page: {p} the phrase, {a} the person, {f} the firm.
FRAMES = (
    '"{P}," said {a}, an analyst at {f}.',
    '{a} of {f} said that {p}.',
    '{a}, an analyst at {f}, said {p}.',
    'According to {a} of {f}, {p}.',
    '"{P}," {a} of {f} told clients in a note.',
    '{P}, analysts at {f} said.',
)
WARN_FRAMES = (  # a warning says so: its verb is part of the class, for warnings only
    '{a} of {f} warned that {p}.',
    '{a}, an analyst at {f}, cautioned that {p}.',
)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _fill(phrase: str, company: str) -> str:
    """The phrase about ``company``, its possessive written as English writes it ("Quillon Foods'")."""
    poss = f"{company}'" if company.endswith("s") else f"{company}'s"
    return phrase.replace("{c}'s", poss).replace("{c}", company)


def written_examples(seed: int = 13, per_phrase: int = 4) -> list[StanceExample]:
    """``per_phrase`` sentences for each phrase (company, person, firm and frame drawn with ``seed``),
    the company's mention located. Group ``written:<phrase>``: one phrase's rows stay in one fold."""
    rng = random.Random(seed)
    out: list[StanceExample] = []
    for label, phrases in (("against", AGAINST), ("favor", FAVOR), ("neutral", NEUTRAL)):
        frames = FRAMES + WARN_FRAMES if label == "against" else FRAMES
        for n, phrase in enumerate(phrases):
            for _ in range(per_phrase):
                c, a, f = rng.choice(COMPANIES), rng.choice(PEOPLE), rng.choice(FIRMS)
                p = _fill(phrase, c)
                text = rng.choice(frames).format(p=p, P=_cap(p), a=a, f=f)
                start = text.find(c)
                out.append(StanceExample(text=text, target=c, label=label, start=start, end=start + len(c),
                                         group=f"written:{label}:{n}"))
            # The analyzer asks about a quote that names nobody as "<its subject>: <quote>" (the
            # paragraph's subject in front): the same words, the company spoken of as "it".
            c = rng.choice(COMPANIES)
            bare = phrase.replace("{c}'s", "its").replace("{c}", "the company")
            out.append(StanceExample(text=f"{c}: {bare}", target=c, label=label, start=0, end=len(c),
                                     group=f"written:{label}:{n}"))
    return out
