"""Training sentences for the learned event-type detector, written for newswatch (no corpus text).

Each template is ours; slots are filled from small invented vocabularies with a fixed seed, so the
set is rebuilt identically by ``python -m nlp.events.train_detector``. Types: ``product_launch``,
``deal``, ``investment``; ``none`` sentences are company news of other kinds (results, share moves,
ratings, lawsuits, people, outlook, macro), which is what a launch detector must not fire on.
"""

from __future__ import annotations

import random

COMPANIES = ["Veltrix", "Orvane Systems", "Kasuga Heavy Industries", "Halden Tools", "Brightmere Foods",
            "Nordlys Energy",
             "Quillon Bank", "Tarsa Motors", "Lumio Health", "Cobalt Peak Software", "Maresca Apparel", "Sundry Labs",
             "the company", "the retailer", "the chipmaker", "the carmaker", "the streaming service", "the airline",
             "the drugmaker", "the software group", "Pelham Networks", "Ostra Pharmaceuticals", "Wexford Retail",
             "Arbor Mobile", "Drayton Aerospace", "Finch Payments", "Galen Biotech", "Ironvale Steel"]
PRODUCTS = ["a new smartphone", "its latest tablet", "a subscription streaming plan", "an electric pickup truck",
            "a cloud security service", "a budget laptop line", "a mobile payment app", "a plant-based burger",
            "the Nova 7 handset", "a self-driving taxi service", "a cancer drug", "a smart speaker", "a loyalty card",
            "a premium credit card", "a new version of its operating system", "a line of running shoes",
            "a voice assistant for cars", "a same-day delivery service", "a generic version of the drug",
            "an online brokerage account", "a 5G home internet service", "a family of AI chips", "a gaming console",
            "a new flavour of its soft drink", "a fitness tracker", "a compact SUV", "a video-calling feature",
            "an in-flight Wi-Fi service", "a children's clothing range", "a software update for its cameras"]
PLACES = ["in Europe", "in India", "in the United States", "across Asia", "in 20 new markets", "nationwide",
          "in its home market", "on Friday", "this week", "next month", "ahead of the holidays", "at a Tokyo event",
          "at its annual developer conference", "at the Las Vegas trade show", ""]
LAUNCH = [
    "{c} launched {p} {w}.", "{c} unveiled {p} {w}.", "{c} introduced {p} {w}.", "{c} rolled out {p} {w}.",
    "{c} said it has begun selling {p} {w}.", "{c} debuted {p} {w}.", "{p} from {c} goes on sale {w}.",
    "{c} is releasing {p} {w}.", "{c} took the wraps off {p} {w}.", "{c} will start offering {p} {w}.",
    "{c} showed off {p} {w}, with shipments starting in the spring.",
    "{c} expanded {p} to customers {w}.", "{c} brought {p} to market {w}.",
            "{c} announced the availability of {p} {w}.",
    "Customers can now buy {p} from {c} {w}.", "{c} presented {p} {w}, priced at $299.",
    "{c} quietly added {p} to its lineup {w}.", "{c} revealed {p} {w}, its first in the category.",
    "{c}'s new offering, {p}, hit stores {w}.", "{c} is rolling out {p} to all users {w}.",
    "{c} has started shipping {p} {w}.", "With {p}, {c} enters a new market {w}.",
    "{c} on Tuesday announced {p}, which will be available in stores next week.",
    "{c} made {p} available to business customers {w}.", "Shoppers {w} can now order {p} from {c}.",
    "The new {n} from {c} arrives in stores {w}.", "{c} is adding {p} to its menu {w}.",
    "{c} introduced a cheaper {n} aimed at students.", "{c} today announced {p}, its most powerful yet.",
    "{c} launched its {n} in three more countries {w}.", "{c} will make {p} available to all subscribers.",
    "{c} is bringing {p} to Android phones {w}.", "The {n}, which {c} unveiled {w}, costs $999.",
    "{c} opened its first store {w}.", "{c} began offering {p} to corporate clients.",
    "{c} has introduced a feature that lets users split bills.", "{c} released a public beta of {p}.",
    "{c} expanded its {n} lineup with two new models.", "{c} announced a new {n} on Wednesday.",
    "{c}'s {n} will be sold through partners starting {w}.", "Pre-orders for {p} from {c} open {w}.",
]
NOUNS = ["phone", "tablet", "service", "app", "car", "model", "console", "drug", "card", "plan", "feature", "chip",
         "speaker", "laptop", "watch", "platform", "subscription", "truck", "camera", "headset"]
PARTNERS = ["Pelham Networks", "the state railway", "a Japanese trading house", "the defence ministry",
            "Ironvale Steel",
            "two regional airlines", "a group of hospitals", "Finch Payments", "the city of Lyon", "a Saudi utility"]
DEAL = [
    "{c} signed a contract with {q} to supply 40 locomotives.", "{c} won a $2 billion order from {q}.",
    "{c} agreed to buy {q} for $1.2 billion in cash.", "{c} and {q} signed a ten-year supply agreement.",
    "{q} placed an order for 30 aircraft with {c}.", "{c} struck a licensing deal with {q}.",
    "{c} reached an agreement to acquire {q}.", "{c} inked a partnership with {q} to share networks.",
    "{c} was awarded a contract by {q} to build a metro line.", "{c} signed a memorandum of understanding with {q}.",
    "{c} agreed to sell its chemicals unit to {q}.", "{c} clinched a deal with {q} worth $500 million.",
    "{c} and {q} finalised the terms of their merger.", "{q} selected {c} to supply turbines under a new contract.",
    "{c} landed a multi-year deal with {q} to provide cloud services.",
]
INVEST = [
    "{c} will invest $3 billion in a new battery plant {w}.", "{c} pledged $500 million to expand production {w}.",
    "{c} opened a new factory {w}, creating 800 jobs.", "{c} plans to build a $1 billion data centre {w}.",
    "{c} took a 20% stake in {q}.", "{c} committed $2 billion to research over five years.",
    "{c} is investing heavily in a chip fab {w}.", "{c} inaugurated its largest plant {w}.",
    "{c} will spend $700 million to upgrade its refineries {w}.", "{c} set up a $200 million venture fund.",
]
NONE = [
    "{c} reported a 12% rise in quarterly profit.", "{c} shares fell 4% after the earnings report.",
    "{c} cut its full-year revenue forecast.", "Analysts upgraded {c} to buy from hold.",
    "{c} named a new chief financial officer.", "{c} faces a lawsuit over its pricing.",
    "{c} said demand for {p} remained strong in the quarter.", "Sales of {p} by {c} slowed in the spring.",
    "{c} recalled {p} over a battery fault.", "The stock of {c} hit a record high on Monday.",
    "{c} will report results on Thursday.", "{c} raised its dividend by 5%.", "{c} plans to cut 1,200 jobs.",
    "Regulators are investigating {c} over data practices.", "{c} said inflation weighed on margins.",
    "The central bank kept interest rates unchanged.", "Oil prices rose on supply worries.",
    "{c} denied reports that it is looking for a buyer.", "{c}'s chief executive said the market is tough.",
    "{c} shipped 5 million units of {p} last year.", "Investors worry about slowing growth at {c}.",
    "{c} expects revenue of $4 billion for the year.", "A fire halted output at a {c} plant.",
    "{c} won an award for its sustainability work.", "{c} donated $1 million to flood relief.",
    "Competition from cheaper rivals hurt {c}.", "{c} was fined $30 million by regulators.",
    "{c} bought back $2 billion of its shares.", "The launch of {p} last year boosted sales at {c}.",
    "{c} said {p} accounts for a third of revenue.", "Reviewers praised {p} from {c}.",
    "{c} delayed the release of {p} to next year.", "{c} could launch {p} if demand picks up, analysts said.",
    "Rumours that {c} will unveil {p} lifted the shares.", "{c} is testing {p} with a few customers.",
    "{c} moved its headquarters to Austin.", "{c} hired bankers to explore options.",
    "The {n} business of {c} grew 8% in the quarter.", "{c} sold more {n}s than expected.",
    "{c} said its {n} faces supply constraints.", "Prices of the {n} from {c} were cut by 10%.",
    "{c} sees strong demand for its {n} in China.", "Margins on the {n} improved at {c}.",
    "{c} is struggling to compete in the {n} market.", "Analysts expect {c} to sell 40 million {n}s this year.",
    "The {n} market shrank for a third straight quarter.", "{c} lost market share in {n}s.",
    "{c} said it is not planning a new {n} this year.", "Critics said the {n} from {c} was overpriced.",
    "{c} gained 3% as investors cheered the {n} results.", "{c} trades at 20 times earnings.",
    "{c} completed its previously announced share split.", "{c} warned that tariffs would raise costs.",
    "The board of {c} approved a new buyback.", "{c} said its new chief executive starts in May.",
    "{c} expects the new {n} to drive growth next year.", "Suppliers to {c} reported weaker orders.",
    "{c} is the market leader in {n}s.", "{c} reported record {n} shipments in the holiday quarter.",
    "Unemployment rose to 4.2% in March.", "{c} issued $1 billion of bonds.", "{c} settled a patent dispute.",
]


def _fill(t: str, rng: random.Random) -> str:
    s = t.format(c=rng.choice(COMPANIES), p=rng.choice(PRODUCTS), w=rng.choice(PLACES), q=rng.choice(PARTNERS),
                 n=rng.choice(NOUNS))
    s = " ".join(s.split()).replace(" .", ".").replace(" ,", ",")
    return s[0].upper() + s[1:]


def sentences(seed: int = 14, per_template: int = 6) -> list[tuple[str, str]]:
    """(sentence, type) pairs; ``type`` is ``product_launch``, ``deal``, ``investment`` or ``none``."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for label, templates in (("product_launch", LAUNCH), ("deal", DEAL), ("investment", INVEST), ("none", NONE)):
        for t in templates:
            seen: set[str] = set()
            for _ in range(per_template * 3):
                s = _fill(t, rng)
                if s not in seen:
                    seen.add(s)
                    out.append((s, label))
                if len(seen) >= per_template:
                    break
    return out
