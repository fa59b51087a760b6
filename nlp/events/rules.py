"""Trigger words and actor rules for each event type, over a sentence's text and its entities.

The statistical pipeline here runs NER and sentence splitting but not the dependency parser (it
would halve throughput), so the rules read surface patterns: a trigger phrase per type, the named
entities around it and the words just before each name ("Brazil's Trade Minister |Helena Duarte").
Each rule returns a candidate with a rule score; the sentence classifier (:mod:`nlp.events.classifier`)
then says how much the whole sentence reads like that type, and the two make the confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nlp.events.countries import code_for, country_before, is_city, place_code

if TYPE_CHECKING:
    from spacy.tokens import Token

    from nlp.events.syntax import SentenceParses

EVENT_TYPES: tuple[str, ...] = (
    "product_launch", "official_visit", "deal", "investment", "export_control", "sanction", "trade_measure",
    "merchandise", "listing_surge",
)

_ONE_WORD = r"(?:[\w$€£¥.,%-]+\s+)"  # one word and its space, inside trigger phrases

# What a company launches, when the launch is said with "announced its ...": a product or service noun
_PRODUCT_NOUN = (r"(?:smartphones?|phones?|handsets?|engines?|platforms?|services?|apps?|devices?|cars?|models?|chips?|"
                 r"processors?|headsets?|consoles?|cards?|drugs?|versions?|editions?|software|glasses|watch(?:es)?|"
                 r"vehicles?|vans?|trucks?|sedans?|laptops?|tablets?|cameras?|speakers?|assistants?|tools?|"
                 r"subscriptions?|products?|range|line-?up|brand|features?|game|console)\b")

# Traded goods, for a ban or a restriction on them to be a trade measure
_GOODS = (r"(?:imports?|goods|products|produce|commodit(?:y|ies)|shipments|beef|pork|poultry|chicken|meat|wine|"
          r"barley|wheat|grain|rice|soy(?:beans?)?|canola|coal|timber|lumber|logs|copper|steel|aluminium|aluminum|"
          r"lobsters?|seafood|fish|fruit|dairy|milk|sugar|cotton|textiles|cars|vehicles)")

TRIGGERS: dict[str, re.Pattern[str]] = {
    "product_launch": re.compile(
        r"\b(?:launch(?:ed|es|ing)?|unveil(?:ed|s|ing)?|introduc(?:e|ed|es|ing)|debut(?:ed|s)?|"
        r"(?:quietly\s+)?releas(?:ed|es|ing)|began\s+selling|begins\s+selling|started\s+selling|starts\s+selling|"
        r"(?:went|goes|go)\s+on\s+sale|roll(?:ed|s)?\s+out|showcas(?:ed|es)|took\s+the\s+wraps\s+off|"
        r"unwrapped|presented\s+(?:its|the|a)\s+new|"
        # a product announced or made available: "announced its SkyActiv-X engine", "is now available in"
        rf"(?:announc(?:ed|es|ing)|reveal(?:ed|s|ing)|(?:will\s+)?bring(?:s|ing)?\s+(?:in|out))\s+(?:its|their|the|a|an)\s+"
        rf"(?:all-new\s+|new\s+|newest\s+|latest\s+|first\s+|next-generation\s+)?(?:[\w'‘’-]+\s+){{0,3}}?{_PRODUCT_NOUN}|"
        r"(?:is|are|will\s+be|becomes?|became|goes|went)\s+(?:now\s+|widely\s+|also\s+)?available\s+(?:from|in|on|to|at|"
        r"for\s+(?:order|purchase|pre-?order))|(?:^|[,;]\s)\S+\s+launches\s+(?:on|this|next|today|in)|"
        # goods made for an occasion: "selling burgers inspired by", "offering haircuts in the style of"
        r"(?:selling|offering|serving|sells|offers|serves|created|creates|dreamed\s+up)\s+(?:[\w'‘’-]+\s+){1,5}?"
        r"(?:inspired\s+by|in\s+the\s+style\s+of|named\s+(?:after|for)|themed\s+(?:on|around))|"
        r"(?:summit|visit)-(?:inspired|themed)|"
        # a product put on the market in other words: "bring two drugs to market", "is now shipping its headset",
        # "delivered its first 737 MAX", "began production of", "revamped Skype", "created a version of"
        r"(?:bring(?:s|ing)?|brought)\s+(?:[\w'‘’-]+\s+){1,5}?to\s+(?:the\s+)?market|"
        r"(?:go(?:es|ing)?|went|come|comes|coming|came)\s+to\s+market\s+(?:with|in|this|next)|"
        r"(?:announc|reveal|unveil|show|debut|introduc)(?:ed|es|ing|e|s)?\s+(?:its|their|the|a|an)\s+"
        r"(?:(?:all-new|newest|latest|next-generation|second-generation|redesigned)\b|new\b(?!\s+(?:chief|ceo|cfo|head)\b))|"
        r"(?:start|begin|began|begun|started|starting|beginning)\s+(?:a|an|its|their|the)\s+(?:new\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:service|platform|app|subscription)s?|"
        r"(?:is|are|was|were)\s+(?:now\s+)?shipping|(?:began|begins|begin|started|starts|start)\s+shipping|"
        rf"deliver(?:s|ed|ing)?\s+(?:its|the|their)\s+(?:very\s+)?first\s+(?:[\w-]+\s+){{0,2}}?"
        rf"(?:(?-i:[A-Z0-9])[\w-]*|{_PRODUCT_NOUN}|jets?|planes?|aircraft|airliners?)|first\s+deliver(?:y|ies)\s+of|"
        r"(?:begin|begins|began|start|starts|started|starting|beginning)\s+(?:series\s+|mass\s+|volume\s+)?"
        r"(?:production|manufacturing|deliveries)\s+of|"
        r"(?:revamp(?:ed|s)?|redesign(?:ed|s)?|rebuilt|refresh(?:ed|es))\s+(?:(?:its|the)\s+)?(?-i:[A-Z])[\w-]+|"
        r"(?:created|creates|built|builds|made|makes)\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?versions?\s+of)\b", re.I),
    "official_visit": re.compile(
        r"\b(?:visit(?:ed|s|ing)?|tour(?:ed|s|ing)?|arriv(?:ed|es|ing)\s+in|trip\s+to|travel(?:l?ed|s)?\s+to|"
        r"flew\s+to|landed\s+in|state\s+visit|met\s+with)\b", re.I),
    "deal": re.compile(
        rf"\b(?:sign(?:ed|s|ing)?\s+{_ONE_WORD}{{0,4}}?(?<!executive\s)(?:order|contract|agreement|deal|memorandum|mou|accord|pact|loan|"
        rf"credit|financing|facility)s?|"
        rf"agree(?:d|s)?\s+(?:in\s+principle\s+)?to\s+(?:sell|form|set\s+up|combine)\b|"
        rf"agree(?:d|s)?\s+(?:in\s+principle\s+)?(?:on|to)\s+(?:a|an|the)\s+{_ONE_WORD}{{0,3}}?(?:deal|contract|agreement|"
        rf"accord|merger|sale|purchase|takeover)|agreements?\s+in\s+principle|"
        rf"(?:agreement|accord|deal|contract|order)s?\s+(?:(?:for|on|to|with|between)\s+[^.;]{{0,70}}?\s+)?"
        rf"(?:was|were|has\s+been|had\s+been|have\s+been)\s+"
        rf"(?:reached|signed|concluded|awarded|finali[sz]ed|struck|placed)|"
        rf"(?:contract|order|deal)s?\s+awarded\s+(?:last|this|in|on|by|to)|"
        rf"recommended\s+{_ONE_WORD}{{0,3}}?(?:offer|bid)|"
        # a takeover bid: "has bid $13bn for Starwood", "a hostile takeover bid for"
        rf"(?:bid|bids|offered)\s+(?:US\$|[$€£¥])\s?[\d.,]+\s*(?:bn|billion|m|mn|million)?\s+(?:in\s+cash\s+)?for|"
        rf"(?:takeover|buyout)\s+(?:bid|offer)s?\s+for|(?:leveraged|management)\s+buy-?outs?|"
        rf"(?:sold|sells)\s+(?:its|the|their|a)\s+{_ONE_WORD}{{0,3}}?(?:units?|divisions?|subsidiar(?:y|ies)|stakes?|"
        rf"business(?:es)?|interests?|operations|assets)\s+{_ONE_WORD}{{0,4}}?to\b|"
        rf"(?:won|wins|awarded|secured|secures|landed|lands|clinched|struck|strikes|inked|inks|reached|finali[sz]ed)"
        rf"\s+{_ONE_WORD}{{0,5}}?(?:order|contract|deal|agreement)s?|"
        r"(?:agreed|agrees|agree|plans?|planning|will|to)\s+(?:to\s+)?(?:buy|acquire|purchase|supply|"
        r"merge)\b|acquir(?:ed|es|ing)|acquisition\s+of|"
        r"(?:placed|places|place)\s+(?:an?\s+)?(?:[\w$.,-]+\s+){0,3}?orders?|ordered\s+\d|"
        r"order\s+for\s+\d|takeover\s+of|merger\s+(?:with|of)|"
        rf"seal(?:ed|s|ing)?\s+{_ONE_WORD}{{0,5}}?(?:order|contract|deal|agreement|accord|pact)s?|"
        rf"wrap(?:ped|s)?\s+up\s+{_ONE_WORD}{{0,4}}?(?:order|contract|deal|agreement)s?|"
        rf"(?:signed|inked)\s+(?:agreements?|contracts?|deals?|orders?|accords?|memorand\w+|mous?)\b|"
        rf"(?:strike|struck)\s+(?:a|an)\s+{_ONE_WORD}{{0,2}}?deal|letters?\s+of\s+intent|"
        # nominal deals: "agreements worth $3 billion", "the signing of a $2 billion deal"
        rf"(?:deals?|agreements?|contracts?|orders?|accords?|mous?)\s+(?:worth|valued\s+at|totall?ing)\s+"
        rf"(?:about\s+|some\s+|more\s+than\s+|over\s+|nearly\s+|up\s+to\s+)?(?:US\$|[$€£¥]|usd\s?|\d)|"
        rf"signing\s+of\s+{_ONE_WORD}{{0,5}}?(?:deal|agreement|contract|memorand\w*|mou|accord|pact|order)s?|"
        rf"(?:to|will)\s+(?:order|purchase|buy)\s+(?:as\s+many\s+as\s+|up\s+to\s+|about\s+)?\d|"
        # a cancelled order is a deal called off: "cancelled an order for 11 pianos", "scrapped its contract"
        rf"(?:cancel(?:l?ed|s|l?ing)?|scrap(?:ped|s|ping)?|call(?:ed|s)?\s+off|withdr[ae]w\s+from)\s+"
        rf"(?:an?|the|its|their|his|her)\s+{_ONE_WORD}{{0,3}}?(?:order|contract|deal|purchase)s?)",
        re.I),
    "investment": re.compile(
        # the boundary also before a currency sign ("a $1 billion investment"), which \b alone misses
        r"(?:\b|(?<!\S)(?=[$€£¥]))(?:invest(?:ed|s|ing)?\s+(?:(?:about|some|nearly|over|more\s+than|up\s+to)\s+)?(?:[$€£¥]|R\$|US\$|Rs\.?\s?|"
        r"\d|\w+\s+(?:billion|million|crore))|investments?\s+(?:of|worth|totall?ing)\s+(?:about\s+|some\s+)?"
        r"(?:[$€£¥]|R\$|US\$|Rs\.?\s?|\d)|(?:[$€£¥]|US\$)\s?[\d.,]+\s*(?:bn|billion|m|million|trillion|tn)?\s+"
        r"(?:of\s+|in\s+)?(?:new\s+)?investments?|investment\s+(?:pledges?|projects?|commitments?|deals?|plans?)|"
        rf"pledg(?:e|ed|es|ing)\s+(?:to\s+invest|[$€£¥]|US\$|\d)|promises?\s+of\s+{_ONE_WORD}{{0,4}}?investment|"
        r"(?:build|open|opened|opens|set\s+up|sets\s+up|inaugurat(?:e|ed|es|ing))\s+(?:a\s+|an\s+|its\s+|the\s+)?"
        r"(?:new\s+)?(?:[\w-]+\s+){0,4}?(?:plant|factory|facility|fab|plants|factories)|"
        r"(?:plant|factory|facility)\b[^.;]{0,80}\b(?:was|were|is|has\s+been)\s+(?:formally\s+)?inaugurated|"
        # "would make a multimillion-dollar investment to bring the hotels up"
        r"(?:make|makes|made|making)\s+(?:a|an)\s+(?:[\w$.,-]+\s+){0,3}?investments?|"
        r"equity\s+stake|(?:take|took|takes|buy|bought|acquire[sd]?)\s+(?:a|an)\s+(?:[\w%-]+\s+){0,2}?stake\s+in)\b"
        , re.I),
    "export_control": re.compile(
        r"\b(?:(?:lift(?:ed|s|ing)?|eas(?:e|ed|es|ing)|remov(?:e|ed|es|ing)|impos(?:e|ed|es|ing))\s+(?:a|the|its)\s+"
        r"(?:\w+\s+)?(?:ban|curbs?|restrictions?)\s+on\s+(?:[\w-]+\s+){0,3}?(?:entities|companies|firms)|"
        r"arms\s+(?:embargo|sales?\s+ban)|end-?user\s+list|entity\s+list|export\s+(?:controls?|licen[cs]es?|licen[cs]ing|restrictions?|curbs?|bans?|rules|review|"
        r"permits?|blacklist)|(?:restrict(?:ed|s|ing)?|curb(?:ed|s|ing)?|ban(?:ned|s)?|halt(?:ed|s)?|block(?:ed|s)?)"
        r"\s+(?:the\s+)?(?:exports?|sales?|shipments?)\s+of|unverified\s+list|"
        r"(?:chip|technology|semiconductor)\s+export|(?<![\w-])(?:authori[sz]ed|imposed|set|introduced|fixed)\s+"
        r"(?:an?\s+)?export\s+quotas?|embargo(?:ed|es|ing)?\s+(?:the\s+)?(?:shipments?|exports?|sales?))\b", re.I),
    "sanction": re.compile(
        r"\b(?:sanction(?:s|ed|ing)?|asset\s+freeze|froze\s+(?:the\s+)?assets|freez(?:e|es|ing)\s+(?:the\s+)?assets|"
        r"travel\s+ban|blacklist(?:ed|s|ing)?|specially\s+designated\s+nationals)\b", re.I),
    "trade_measure": re.compile(
        r"\b(?:tariffs?|(?:anti-?dumping|countervailing|import|customs|punitive|retaliatory)\s+(?:duty|duties|tax|"
        r"taxes|levy|levies|measures?)|anti-?dumping|duties\s+on|import\s+(?:bans?|quotas?|curbs?|restrictions?|"
        r"licen[cs]es?|surcharges?)|ban(?:ned|s)?\s+(?:the\s+)?imports?\s+of|quotas?\s+on|safeguard\s+measures?|"
        r"trade\s+(?:barriers?|restrictions?|sanctions?|measures?|remedy|remedies)|levies\s+on|"
        r"(?:restrict(?:ed|s)?|curb(?:ed|s)?|halt(?:ed|s)?)\s+imports?|"
        r"tax(?:es)?\s+on\s+(?:[\w-]+\s+){0,3}?(?:imports|imported)|"
        r"sanctions?\s+(?:[\w-]+\s+){0,4}?(?:against|on)\s+(?:[\w.-]+\s+){0,2}?(?:semiconductors?|goods|products|"
        r"exports|imports|chips|microchips|electronics?|steel|textiles)|"
        r"(?:investigation|probe|inquiry)\s+into\s+(?:[\w-]+\s+){0,3}?dumping|"
        r"(?:took|take|taken|taking|takes)\s+retaliatory\s+(?:action|measures?|steps?)|"
        r"(?:trade|economic|commercial)\s+embargo(?:es)?|trade\s+curbs?|"
        # a ban on goods ended or imposed: "ended its ban on Canadian pork", "lifted restrictions on wheat and coal"
        r"(?:end(?:ed|s|ing)?|lift(?:ed|s|ing)?|eas(?:e|ed|es|ing)|remov(?:e|ed|es|ing)|scrap(?:ped|s|ping)?|"
        r"impos(?:e|ed|es|ing)|reimpos(?:e|ed|es|ing))\s+(?:(?:its|the|a|all|every|their|remaining)\s+)?"
        r"(?:[\w-]+\s+){0,2}?(?:bans?|restrictions?|curbs?|barriers?|embargo(?:es)?)\s+on\s+(?:[\w-]+\s+){0,4}?"
        rf"{_GOODS})\b", re.I),
    "merchandise": re.compile(
        r"\b(?:t-?shirts?|tees?|mugs?|posters?|stickers?|sticker\s+sheets?|hoodies?|sweatshirts?|tote\s+bags?|totes?|"
        r"keychains?|key\s+rings?|calendars?|pin\s+badges?|badges?|pins|caps|hats|phone\s+cases?|cases?|"
        r"merch(?:andise)?|souvenirs?|figurines?|bobbleheads?|magnets?|postcards?|prints?|"
        r"(?:commemorative\s+|gold\s+|silver\s+)?coins?|medals?|medallions?|portraits?|memorabilia)\b", re.I),
    "listing_surge": re.compile(
        r"\blistings?\b[^.;]{0,80}\b(?:jump(?:ed|s)?|surg(?:ed|es|e)|soar(?:ed|s)?|spik(?:ed|es)|doubl(?:ed|es)|"
        r"tripl(?:ed|es)|rose|climb(?:ed|s)?|shot\s+up|balloon(?:ed|s)?|multipl(?:ied|y))|"
        r"\b(?:surge|spike|jump|flood|wave|rush)\s+(?:of|in)\s+(?:new\s+)?(?:online\s+)?(?:listings|sellers|"
        r"products|merchandise)\b", re.I),
}

# A trigger word followed by one of these nouns is not the event ("launched an investigation").
_NOT_AFTER: dict[str, re.Pattern[str]] = {
    "product_launch": re.compile(
        r"^\W*(?:(?:a|an|the|its|their|his|her)\s+)?(?:new\s+|formal\s+|full\s+|fresh\s+|official\s+|"
        r"\w+-\w+\s+)?(?:investigations?|probes?|inquiry|inquiries|review|campaign|bid|offensive|attacks?|strikes?|"
        r"appeal|lawsuit|tender|takeover|study|audit|statement|report|figures|data|results|earnings|prisoners?|"
        r"details|videos?|notes?|findings|numbers|ipo|initial\s+public\s+offering|timeline|roadmap|strategy|"
        r"hostages?|from|on\s+bail|guidance|forecast|rockets?|missiles?|satellites?|talks|negotiations|"
        r"consultation|survey|petition|crackdown|counter-?offensive|plan\s+to|initiative|\d+\s+prisoners|"
        r"legislation|bills?|amendments?|resolutions?|motions?|regulations|sites?|pads?|"
        r"(?:[\w-]+\s+){0,3}(?:satellites?|rockets?|missiles?|spacecraft|space\s+probes?))\b", re.I),
    "official_visit": re.compile(
        r"^\W*(?:(?:our|the|its|their)\s+)?(?:website|site|page|stores?|shops?|doctors?|dentist|museums?|"
        r"customers?|clients?|rate|frequency|hospital)\b", re.I),
    # "buy shares" on the market (an agreed purchase of shares is kept, see _AGREED_RE); "buy dollars", "buy bonds"
    "deal": re.compile(r"^\W*(?:(?:a|an|the)\s+)?(?:stakes?\s+in\s+\w+\s+shares|shares)\b|"
                       r"^\W*(?:(?:U\.?S\.?|the|more|some|their|its)\s+)?(?:[\w.-]+\s+)?(?:dollars|yen|marks|sterling|"
                       r"bonds?|notes|bills|securities|stocks|gold|currenc(?:y|ies)|treasur(?:y|ies))\b|"
                       r"^\s+on\s+(?:this|that|the|its|their|our)\s+(?:relationship|success|momentum|work|strengths?)",
                       re.I),
    # a utility's "tariff sales", a regulator's tariff filings: prices, not trade policy
    "trade_measure": re.compile(r"^(?:-?free\b|\s+(?:sales|service|schedules?|filings?)\b)", re.I),
    # "the central bank sanctioned a cut in rates": approved, not punished
    "sanction": re.compile(r"^\s+(?:(?:a|an|the)\s+)?(?:[\w'’-]+\s+){0,4}?(?:cut|rise|increase|reduction|hike|plan|"
                           r"move|change|merger|deal|sale|purchase|payment|loan|budget|project|takeover)s?\b", re.I),
    "export_control": re.compile(r"^\s*(?:polic(?:y|ies)|regimes?|system)\b", re.I),
    "investment": re.compile(r"^\W*(?:(?:a|an|the)\s+)?(?:shares|bonds?|funds?\s+managers?)\b", re.I),
    "merchandise": re.compile(r"^$"),
    "listing_surge": re.compile(r"^$"),
}
_NOT_BEFORE: dict[str, re.Pattern[str]] = {
    "trade_measure": re.compile(r"(?:on|off|stamp|heavy|jury|guard|night|day|free)\s*$", re.I),
    "official_visit": re.compile(r"(?:tourists?|customers?|visitors?|shoppers?|fans?|users?|readers?|patients?|"
                                 r"families|students?)\s+(?:who\s+)?$", re.I),
    "product_launch": re.compile(r"(?:was|were|been|be|is|are)\s+released\s+from\s+$|prisoners?\s+$|"
                                 r"\b(?:data|figures|statistics|report|results|details|terms|numbers|minutes|estimates?)"
                                 r"\b[^.;]{0,30}$|"
                                 # "the Cruzado Plan launched in 1986", "the dollar issue launched by Nomura"
                                 r"\b(?:plan|program|programme|scheme|policy|tax|reform|regulations?|rules|"
                                 r"legislation|bill|issues?|bonds?|notes|tender|offer|bid|fund|investigation|probe)"
                                 r"\b[^.;,]{0,25}$", re.I),
    # "court-sanctioned": approved by
    "sanction": re.compile(r"\w-$"),
    # "the acquired business", "an acquiring company": an adjective, not an acquisition
    "deal": re.compile(r"\b(?:the|an?|its|their)\s+$", re.I),
}
# What is launched, a few words on, when it is money or paperwork, not a product: "launched a weekly tender
# for treasury bills", "launches its pathfinder prospectus", "launch a new series of money market certificates".
_LAUNCHED_NOT_PRODUCT_RE = re.compile(
    r"^\s+(?:(?!(?:index|system|service|product|card|account)\b)[\w$.,/\"'-]+\s+){0,9}?(?:offers?|bids?|issues?|(?:euro)?bonds?|(?:euro)?notes|debentures?|certificates|bills|shares|"
    r"prospectus|tenders?|funds?|plans?\s+(?:to|for)|flotation|regulations|equity|reports?|campaign|drive|"
    r"ipo|initial\s+public\s+offering|offering|initiatives?|commitments?|programm?e?s?|timeline|roadmap|"
    r"investigations?|probe|review|offensive|tours?|concerts?|earnings|results|figures|data|statement|forecasts?|"
    r"guidance|tariffs?|surcharges?|dut(?:y|ies)|tax(?:es)?|quotas?|bans?|curbs?|restrictions?|measures?|rules|"
    # another event's noun: "unveil energy and rail investment projects", "announced deals worth"
    r"investments?|investment\s+projects?|deals?|agreements?|contracts?)\b"
    r"(?!\s+(?:system|software|service|product))", re.I)
# Where the launched thing's phrase ends: "went on sale and the results were modest" names no results launched
_CLAUSE_END_RE = re.compile(
    r"[,;:]\s|\s(?:and|but|while|which|whereas|although)\s(?:the|its|their|it|they|he|she|we)\b", re.I)


def _object_words(after: str) -> str:
    """The words after a launch trigger up to the end of its clause (what the not-a-product check reads)."""
    m = _CLAUSE_END_RE.search(after)
    return after[:m.start()] + " " if m else after


# "As expected, Boeing launched ...": the launch happened as foretold; "expected" there is no hypothesis
_AS_EXPECTED_RE = re.compile(r"\bas\s+(?:had\s+been\s+|was\s+|widely\s+)?(?:expected|planned|promised)\b,?", re.I)
# "the launch", "at launch": the noun, not a company launching something ("the launch of X" stays)
_LAUNCH_NOUN_RE = re.compile(r"\b(?:(?P<det>the|a|its|their)|at|of|for|after|before)\s+$", re.I)
# Commodity export licences handed out in EC tenders (with rebates/restitutions) are market management,
# not export controls: "granted export licences for 118,350 tonnes of white sugar".
_COMMODITY_RE = re.compile(r"\b(?:tonnes|tons|wheat|barley|maize|sugar|grain|cereals?|rebates?|restitutions?|"
                           r"tenders?|free\s+market|intervention|ecus?|feed|butter|beef)\b", re.I)
# "agreed to buy the shares": an agreement, not buying on the market
_AGREED_RE = re.compile(r"agree", re.I)
# a trigger these words may follow only when it is the verb of the deal, not the adjective
_NOT_BEFORE_ONLY = {"deal": re.compile(r"^acquir(?:ed|ing)$", re.I)}

# Said of an event that did not (yet) happen: proposed, wished for, argued about, conditional.
# "will visit" and "plans to build" stay events (announced and scheduled); "would impose" does not.
_HYPOTHETICAL_RE = re.compile(
    r"\b(?:would|could|might|may|should|if|whether|unless|call(?:s|ed|ing)?\s+for|urg(?:e|es|ed|ing)|"
    r"oppos(?:e|es|ed|ing)|consider(?:s|ed|ing)?|seek(?:s|ing)?|sought|"
    r"threat(?:en|ens|ened|ening)|recommend(?:s|ed|ing)?|discuss(?:es|ed|ing)?|debat(?:e|es|ed|ing)|"
    r"stud(?:y|ies)\s+on|efforts?|right\s+to|flexibility\s+to|options?\s+to|warrants?\s+to|"
    r"disagree(?:d|s)?\s+(?:over|on|about)|hearing\s+on|talks?\s+(?:on|about)|possible|"
    # wished for, expected, resisted, avoided: "we want to lift the sanctions", "likely to announce tariffs"
    r"want(?:s|ed)?|wish(?:es|ed)?|hop(?:e|es|ed|ing)|tr(?:y|ies|ied|ying)\s+to|attempt(?:s|ed|ing)?\s+to|"
    r"fail(?:s|ed)?\s+to|unable|refus(?:e|es|ed|ing)\s+to|likely|expect(?:s|ed|ing)?|prepared\s+to|"
    r"ready\s+to|willing\s+to|eager|delays?\s+in|ward(?:ing)?\s+off|avoid(?:s|ed|ing)?|prevent(?:s|ed|ing)?|"
    r"resist(?:s|ed|ing)?|persuade[sd]?|den(?:y|ies|ied|ying)\s+(?:\w+\s+)?reports?|ask(?:s|ed|ing)?\s+(?:[\w-]+\s+){0,3}?to|"
    r"pending\s+(?:[\w-]+\s+){0,2}?(?:approval|review|decision)|"
    r"block(?:s|ed|ing)?\s+(?:a|any|the)\s+(?:move|bid|attempt|proposal|plan))\b[^.;]{0,45}$", re.I)
# Expected, scheduled or intended: the event is planned, not imagined ("is likely to sign", "expected to
# unveil", "set to announce"). Reported as an event with ``attributes.status`` "planned"; never linked.
_PLANNED_RE = re.compile(
    r"\b(?:(?:is|are|was|were|widely|also)\s+)?(?:expected|likely|set|due|poised|scheduled|slated)\s+to\s+"
    r"(?:[\w-]+\s+){0,3}?$|\b(?:expects?|expected|rumou?red|plans?|planning|intends?)\s+(?:[\w.-]+\s+){0,4}?"
    r"to\s+(?:be\s+)?(?:[\w-]+\s+){0,3}?$", re.I)
# "sanctions should be imposed", "tariffs would hit": the modal comes after the noun
_HYPOTHETICAL_AFTER_RE = re.compile(r"^\s+(?:[\w-]+\s+){0,2}?(?:should|would|could|might|may|must)\b", re.I)
# "the trade sanctions imposed against Japan", "the tariffs Reagan announced": said to have happened, even
# inside a wish ("urged Yeutter to lift the trade sanctions imposed against Japan")
_DONE_AFTER_RE = re.compile(r"^\s+(?P<gap>(?:[\w.-]+\s+){0,3}?)(?:imposed|announced|introduced|levied|adopted|"
                            r"approved|passed)\b", re.I)
_NOT_DONE_RE = re.compile(r"\b(?:be|been|being|should|would|could|might|may|must|not|to)\b", re.I)
# "when he visits Washington", "during his Tokyo visit": the visit is taken as given by the sentence
_VISIT_GIVEN_RE = re.compile(r"\b(?:when|after|before|during|on|in\s+time\s+for)\s+(?:(?:his|her|their|the|its|he|she|"
                             r"they|[A-Z][\w.-]*)\s+)?(?:[\w.-]+\s+)?$")
_ABBR_DOT_RE = re.compile(r"\b([A-Z])\.")
# Nouns that only name a kind of measure ("sanctions", "tariffs", "export controls"): an event when
# the sentence also says someone acted (imposed, added, extended...); a mention in passing is not.
_NOUN_TRIGGER_RE = re.compile(r"^(?:sanctions?\b[\s\S]*|tariffs?|export\s+(?:controls?|licen[cs]\w*)|"
                              r"trade\s+(?:barriers?|restrictions?|sanctions?|measures?|curbs?)|quotas?\s+on|duties\s+on|"
                              r"anti-?dumping|(?:trade|economic|commercial)\s+embargo(?:es)?)$", re.I)
_ACTION_RE = re.compile(
    r"\b(?:impos(?:e|es|ed|ing)|slap(?:s|ped|ping)?|levie[sd]|levy(?:ing)?|add(?:s|ed|ing)?|plac(?:e|es|ed|ing)|"
    r"put(?:s|ting)?|extend(?:s|ed|ing)?|expand(?:s|ed|ing)?|tighten(?:s|ed|ing)?|rais(?:e|es|ed|ing)|"
    r"hik(?:e|es|ed|ing)|increas(?:e|es|ed|ing)|introduc(?:e|es|ed|ing)|announc(?:e|es|ed|ing)|"
    r"approv(?:e|es|ed|ing)|grant(?:s|ed|ing)?|order(?:s|ed|ing)?|bar(?:s|red|ring)?|bann?(?:ed|s|ing)?|"
    r"block(?:s|ed|ing)?|restrict(?:s|ed|ing)?|curb(?:s|ed|ing)?|halt(?:s|ed|ing)?|suspend(?:s|ed|ing)?|"
    r"revok(?:e|es|ed|ing)|den(?:y|ies|ied|ying)|target(?:s|ed|ing)?|hit(?:s|ting)?|retaliat(?:e|es|ed|ing)|"
    r"lift(?:s|ed|ing)?|eas(?:e|es|ed|ing)|cut(?:s|ting)?|reduc(?:e|es|ed|ing)|scrap(?:s|ped|ping)?|"
    r"enforc(?:e|es|ed|ing)|unveil(?:s|ed|ing)?|took\s+effect|take\s+effect|takes\s+effect|came\s+into\s+force|"
    r"set(?:s|ting)?|launch(?:es|ed|ing)?|open(?:s|ed|ing)?|start(?:s|ed|ing)?|initiat(?:e|es|ed|ing)|"
    r"propos(?:e|es|ed|ing)|(?:will|to)\s+(?:apply|start|begin)|issu(?:e|es|ed|ing)|requir(?:e|es|ed|ing)|"
    r"reject(?:s|ed|ing)?|refus(?:e|es|ed|ing)|award(?:s|ed|ing)?)\b", re.I)
# "the ministry said it would tighten...": reported intent is an announcement, not a hypothesis
# ("would" there reads as "will"; other cues in the same lead still count: "said it would consider")
_ANNOUNCED_RE = re.compile(r"(\b(?:said|says|announced|announces|told\s+\w+|confirmed|stated)\s+(?:that\s+)?"
                           r"(?:[\w.'-]+\s+){0,4}?)would\b", re.I)

TITLE_WORDS = (
    r"(?:Prime\s+Minister|Minister|President|Vice[- ]President|Premier|Chancellor|"
    r"(?:Under-?\s?)?[Ss]ecretary(?:\s+of\s+[A-Z]\w+)?|Undersecretary(?:\s+of\s+[A-Z]\w+)?|"
    r"King|Queen|Crown\s+Prince|Prince|Ambassador|Envoy|Governor|Mayor|Senator|Commissioner|Leader|Chairman|"
    r"Speaker|Emir|Sultan|Sheikh|Foreign\s+Minister|Deputy\s+Prime\s+Minister|Vice\s+Premier|Trade\s+Representative|"
    r"minister|president|premier|chancellor|secretary|ambassador|envoy|governor|mayor|senator|commissioner|"
    r"prime\s+minister|head\s+of\s+state|leader|delegation|official|officials)"
)
# "Brazil's Trade Minister", "German Economy Minister", "the French president", "Commerce Secretary"
_TITLE_BEFORE_RE = re.compile(
    rf"(?P<title>(?:(?:[A-Z][\w-]*|economy|trade|foreign|finance|commerce|industry|defen[cs]e|energy|"
    rf"agriculture|deputy|vice|prime|interior|health|transport)\s+){{0,3}}{TITLE_WORDS})\s*,?\s*$")
_TITLE_NP_RE = re.compile(
    r"\b(?P<np>(?:[A-Z][a-z]+(?:'s|’s)|[A-Z][a-z]+)\s+(?:(?:economy|trade|foreign|finance|commerce|industry|"
    r"defen[cs]e|energy|agriculture|deputy|vice|prime|interior|health|transport|Economy|Trade|Foreign|Finance|"
    r"Commerce|Industry|Energy|Prime|Deputy|Vice)\s+){0,2}(?:minister|president|premier|chancellor|secretary|"
    r"Minister|President|Premier|Chancellor|Secretary|leader|delegation|officials?|envoy|ambassador))\b")
# "the President visits", "a World Bank mission would visit", "the prime minister's visit"
_VISITOR_REF_RE = re.compile(
    r"\b(?P<np>(?:[Tt]he|[Aa]n?|[\w.-]+(?:'s|’s)|[A-Z][\w.-]*)\s+(?:[\w.-]+\s+){0,3}?(?P<title>(?i:prime\s+minister|"
    r"minister|president|premier|chancellor|secretary|envoy|ambassador|king|queen|prince|delegation|mission)))"
    r"(?:'s|’s)?\b")
# A country word that only qualifies the noun after it: the person's or the place's country, not a party
# ("the Indian Prime Minister had signed", "hotels in the Cuban capital")
_QUALIFIER_RE = re.compile(r"\s+(?:(?:[A-Z][\w.-]*|deputy|vice|foreign|trade|defen[cs]e|finance|prime)\s+){0,2}?"
                           r"(?:(?i:prime\s+minister|president|premier|chancellor|minister|king|queen|prince|leader|"
                           r"secretary|envoy|ambassador|senator|congress(?:wo)?man)|capital|city|coast|border|"
                           r"town|region|province|island|port|countryside|people|tourists|visitors|community)\b")
_COMPANY_NP_RE = re.compile(
    r"\b(?P<np>(?:the\s+|a\s+)?(?:[A-Z][a-z]+(?:'s|’s)\s+|[A-Z][a-z]+\s+)(?:(?:state|state-owned|state-run|"
    r"largest|biggest|second-largest|leading|top|national|flagship|[a-z]+-based)\s+){0,2}(?:oil\s+company|company|"
    r"firm|maker|chipmaker|carmaker|automaker|phone\s+maker|smartphone\s+maker|group|giant|startup|brand|"
    r"manufacturer|conglomerate|airline|shipbuilder|steelmaker|miner|producer|retailer|exporter|lender|bank|"
    r"utility|operator|supplier))\b")
_CO_NOUN = (r"(?:oil\s+company|company|firm|maker|chipmaker|carmaker|automaker|planemaker|group|giant|startup|"
            r"brand|manufacturer|conglomerate|airline|carrier|shipbuilder|steelmaker|miner|producer|retailer|exporter|"
            r"lender|bank|utility|operator|supplier|chain|insurer|developer|rival|competitor)")
# A company named beside what it is: "German chipmaker Infineon", "Starwood, the US hotel group" (the name
# may be missed by the recogniser; the demonym is then the country, never the party).
_APPOS_COMPANY_RE = re.compile(
    rf"\b(?P<demo>[A-Z][a-z]+|U\.S\.|US|UK|U\.K\.)\s+(?:[a-z-]+\s+){{0,2}}?{_CO_NOUN}\s+"
    rf"(?P<name>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){{0,3}})|"
    rf"(?P<name2>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){{0,3}}),\s+(?:the|a)\s+(?P<demo2>[A-Z][\w.]*)\s+"
    rf"(?:[a-z-]+\s+){{0,2}}?{_CO_NOUN}\b")
_AGENCY_RE = re.compile(
    r"\b(?:Department|Ministry|Bureau|Commission|Office|Agency|Administration|Council|Treasury|Customs|"
    r"Parliament|Congress|Senate|Government|government|Cabinet|Authority|Board|Directorate|Service|"
    r"Trade\s+Representative|MOFCOM|BIS|OFAC|USTR|White\s+House|Kremlin)\b")
_CAP_RUN_RE = re.compile(r"(?:[A-Z][\w&.-]*|\d[\w.-]*)(?:\s+(?:[A-Z][\w&.-]*|\d+[\w.-]*|of|de|and|&))*")
_PRODUCT_AFTER_RE = re.compile(
    r"^\s*(?:(?:its|their|his|her|a|an|the)\s+)?(?:new\s+|latest\s+|first\s+|long-awaited\s+|flagship\s+)*"
    r"(?P<name>(?:[A-Z0-9][\w+.-]*)(?:\s+(?:[A-Z0-9][\w+.-]*|Pro|Max|Plus|Ultra|Mini))*)")
_PRODUCT_NOUN_AFTER_RE = re.compile(
    r"^\s*(?:(?:its|their|a|an|the)\s+)?(?:new\s+|latest\s+|first\s+)*(?P<name>(?:[a-z-]+\s+){0,2}?"
    r"(?:smartphone|phone|handset|car|vehicle|model|chip|processor|laptop|tablet|drug|vaccine|service|app|"
    r"device|console|camera|engine|aircraft|plane|jet|truck|tractor|robot|satellite|watch|headset|product|"
    r"range|line|version|edition|platform))\b")

MONEY_RE = re.compile(
    r"(?P<cur>US\$|R\$|HK\$|\$|€|£|¥)\s?(?P<amt>\d[\d,]*(?:\.\d+)?)\s*(?P<mult>billion|million|bln|mln|bn|mn|"
    r"thousand|trillion|m|b|k)?\b|"
    r"\b(?P<amt2>\d[\d,]*(?:\.\d+)?)\s*(?P<mult2>billion|million|bln|mln|bn|thousand|trillion)?\s*"
    r"(?P<cur2>dollars|dlrs|euros?|reais|reals|yuan|renminbi|yen|pounds|sterling|rupees|won|francs|usd|eur|cny|"
    r"brl|jpy|gbp)\b", re.I)
_CURRENCY = {"$": "USD", "us$": "USD", "r$": "BRL", "hk$": "HKD", "€": "EUR", "£": "GBP", "¥": "CNY",
             "dollars": "USD", "dlrs": "USD", "euro": "EUR", "euros": "EUR", "reais": "BRL", "reals": "BRL",
             "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "pounds": "GBP", "sterling": "GBP", "rupees": "INR",
             "won": "KRW", "francs": "CHF", "usd": "USD", "eur": "EUR", "cny": "CNY", "brl": "BRL", "jpy": "JPY",
             "gbp": "GBP"}
_MULT = {"billion": 10**9, "bln": 10**9, "bn": 10**9, "b": 10**9, "million": 10**6, "mln": 10**6, "mn": 10**6,
         "m": 10**6, "thousand": 10**3, "k": 10**3, "trillion": 10**12}
UNITS_RE = re.compile(
    r"\b(?:order|contract|deal|agreement)\s+(?:for|to\s+(?:buy|supply|deliver|build))\s+(?:up\s+to\s+|about\s+|some\s+)?"
    r"(?P<n>\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred)\s+"
    r"(?P<item>(?:[a-z][\w-]*\s+){0,2}?(?:[a-z][\w-]*s|aircraft|rolling\s+stock))\b|"
    r"\b(?P<n2>\d[\d,]*)\s+(?P<item2>(?:[a-z][\w-]*\s+)?(?:locomotives|aircraft|planes|jets|airliners|trains|"
    r"ships|vessels|tankers|turbines|trucks|buses|cars|vehicles|helicopters|satellites|reactors|tonnes|tons|"
    r"handsets|units|engines|wagons))\b")
_WORD_NUM = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
             "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100}
_SELL_RE = re.compile(r"\b(?:sell(?:s|ing)?|sold|for\s+sale|listing|listed|shop|store|buy|price|\$|€|£|¥|R\$|"
                      r"order|ships?|shipping|in\s+stock|seller|merch(?:andise)?|bazaar|marketplace)\b", re.I)
_DEPICT_RE = re.compile(r"\b(?:face|portrait|image|picture|photo|likeness|caricature|cartoon|printed|bearing|"
                        r"featuring|depicting|with)\b", re.I)


@dataclass
class Ent:
    """An entity of the document as the rules see it (offsets into the document text)."""

    text: str
    start: int
    end: int
    label: str
    entity_id: str | None = None


@dataclass
class Candidate:
    """One event the rules propose; ``actors`` are contract-shaped dicts; offsets are document offsets."""

    type: str
    trigger: tuple[int, int]
    sentence: tuple[int, int]
    rule_score: float
    actors: list[dict[str, Any]] = field(default_factory=list)
    place: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass
class WatchInfo:
    """What the watchlist knows of an entity: its type, country and role."""

    type: str
    country: str | None = None
    role: str | None = None
    name: str = ""


def _actor(role: str, text: str, title: str | None = None, entity_id: str | None = None,
           country: str | None = None) -> dict[str, Any]:
    return {"role": role, "text": text, "title": title, "entity_id": entity_id, "country": country}


class RuleExtractor:
    """Proposes event candidates in one sentence; knows the watchlist (types, countries, roles)."""

    def __init__(self, watch: dict[str, WatchInfo] | None = None) -> None:
        self.watch = watch or {}
        self.doc_ents: list[Ent] = []  # every entity of the current text, for "the minister" -> its name

    # -- helpers -----------------------------------------------------------------------------
    def country_of(self, text: str, e: Ent) -> str | None:
        info = self.watch.get(e.entity_id or "")
        if info and info.country:
            return info.country
        if e.label in ("GPE", "LOC"):
            return place_code(e.text)  # a state or province is in its country: "met ... in California"
        if e.label == "NORP":
            return code_for(e.text)
        return country_before(text, e.start)

    def _kind(self, e: Ent) -> str:
        info = self.watch.get(e.entity_id or "")
        if info:
            return {"org": "ORG", "agency": "ORG", "person": "PERSON", "product": "PRODUCT", "place": "GPE"}.get(
                info.type, e.label)
        return e.label

    def _title_before(self, text: str, e: Ent) -> str | None:
        lo = max(0, e.start - 60)
        m = _TITLE_BEFORE_RE.search(text[lo:e.start])
        if m:
            title = m.group("title").strip().rstrip(",")
            title = re.sub(r"^(?:[A-Z][a-z]+(?:'s|’s)\s+)", "", title)
            words = title.split()
            # drop leading words that are names of places ("Brazilian Trade Minister" -> "Trade Minister")
            while len(words) > 1 and code_for(words[0]):
                words = words[1:]
            return " ".join(words)
        info = self.watch.get(e.entity_id or "")
        return info.role if info and info.role else None

    # -- per type ------------------------------------------------------------------------------
    def propose(self, text: str, sent: tuple[int, int], ents: list[Ent],
                parses: SentenceParses | None = None) -> list[Candidate]:
        """The rules' candidates in sentence ``sent``; with ``parses`` (a parser is loaded) a wish or modal cue
        counts only in the trigger's own clause, without it the cue window before the trigger stands alone."""
        s0, s1 = sent
        stext = text[s0:s1]
        out: list[Candidate] = []
        last_hyp: dict[str, int] = {}  # end of the last trigger of each type read as hypothetical
        for etype, rx in TRIGGERS.items():
            for m in rx.finditer(stext):
                after = stext[m.end():m.end() + 60]
                before = stext[max(0, m.start() - 40):m.start()]
                if _NOT_AFTER[etype].search(after) and not (etype == "deal" and _AGREED_RE.match(m.group(0))):
                    continue
                not_before = _NOT_BEFORE.get(etype)
                only = _NOT_BEFORE_ONLY.get(etype)
                if not_before and not_before.search(before) and (only is None or only.match(m.group(0))):
                    continue
                if etype == "product_launch" and (
                        _LAUNCHED_NOT_PRODUCT_RE.match(_object_words(after))
                        or (m.group(0).lower() in ("launch", "release", "debut")
                            and (noun := _LAUNCH_NOUN_RE.search(before)) is not None
                            and not (noun.group("det") and after.startswith(" of ")))):
                    continue  # "launched a tender for bills", "the timing of the launch"
                if etype == "export_control" and re.match(r"export\s+licen", m.group(0), re.I) \
                        and _COMMODITY_RE.search(stext):
                    continue  # export licences for tonnes of sugar at a tender: market management
                planned = etype != "official_visit" and _PLANNED_RE.search(
                    _ABBR_DOT_RE.sub(r"\1", stext[max(0, m.start() - 60):m.start()])) is not None
                if not planned and self._hypothetical(stext, m, etype, last_hyp.get(etype), parses, sent):
                    last_hyp[etype] = m.end()
                    continue  # "would impose tariffs", "called for sanctions": not an event (yet)
                if _NOUN_TRIGGER_RE.match(m.group(0)) and not _ACTION_RE.search(stext):
                    continue  # "a hearing on export controls": the measure named, nobody acting
                cand = Candidate(etype, (s0 + m.start(), s0 + m.end()), sent, 0.35)
                if planned:
                    cand.attributes["status"] = "planned"
                    cand.reasons.append("planned: expected, not yet done")
                getattr(self, f"_fill_{etype}")(text, cand, ents)
                if cand.rule_score > 0:
                    out.append(cand)
                break  # one candidate per type per sentence: the first trigger
        return out

    @staticmethod
    def other_sense(stext: str, etype: str) -> bool:
        """Whether a trigger word of ``etype`` in the sentence is one the rules read in another sense ("launched a
        100 mln dlr eurobond", "launched an inquiry"): then the sentence is not that event, whatever else reads so."""
        rx = TRIGGERS.get(etype)
        if rx is None:
            return False
        for m in rx.finditer(stext):
            after = stext[m.end():m.end() + 60]
            if _NOT_AFTER[etype].search(after) and not (etype == "deal" and _AGREED_RE.match(m.group(0))):
                return True
            if etype == "product_launch" and _LAUNCHED_NOT_PRODUCT_RE.match(_object_words(after)):
                return True
        return False

    def fill(self, text: str, etype: str, trigger: tuple[int, int], sent: tuple[int, int], ents: list[Ent],
             base: float = 0.35) -> Candidate:
        """A candidate of ``etype`` whose type was decided elsewhere (the learned detector) with its arguments
        filled by this type's rule: the rules read who and what, not whether."""
        cand = Candidate(etype, trigger, sent, base)
        if _PLANNED_RE.search(_ABBR_DOT_RE.sub(r"\1", text[max(sent[0], trigger[0] - 60):trigger[0]])):
            cand.attributes["status"] = "planned"
            cand.reasons.append("planned: expected, not yet done")
        getattr(self, f"_fill_{etype}")(text, cand, ents)
        return cand

    @staticmethod
    def _hypothetical(stext: str, m: re.Match[str], etype: str, prev_hyp: int | None,
                      parses: SentenceParses | None = None, sent: tuple[int, int] | None = None) -> bool:
        """Is the trigger at ``m`` wished for, expected, argued about or conditional rather than done?

        The cue is looked for in the words before the trigger; with a parse it counts only when it governs the
        trigger's own clause ("would impose tariffs", "plans to launch"), not when it belongs to another one
        ("exporters hope for new markets after the tariffs Beijing imposed")."""
        after = stext[m.end():m.end() + 60]
        if _NOUN_TRIGGER_RE.match(m.group(0)):
            done = _DONE_AFTER_RE.match(after)
            if done and not _NOT_DONE_RE.search(done.group("gap")):
                return False  # "the sanctions imposed against Japan"
            if _HYPOTHETICAL_AFTER_RE.match(after):
                return True  # "sanctions should be imposed"
        # "U.S." would end the look-back at its dots
        lead = _AS_EXPECTED_RE.sub("", _ABBR_DOT_RE.sub(r"\1", stext[max(0, m.start() - 60):m.start()]))
        if etype == "official_visit" and _VISIT_GIVEN_RE.search(lead):
            return False
        cued = _ANNOUNCED_RE.sub(r"\1will", lead)
        if (cue := _HYPOTHETICAL_RE.search(cued)) is not None:
            if parses is None or sent is None:
                return True
            governing = _clause_governors(parses, sent, m)
            if governing is None:
                return True  # no parse: the window decides
            while cue is not None:
                if cue.group(0).split()[0].lower() in governing:
                    return True
                cue = _HYPOTHETICAL_RE.search(cued, cue.start() + 1)
            return False  # every cue belongs to another clause
        # a list under one cue: "would resist such measures as an import surcharge, ... import quotas"
        # ... unless a clause of its own comes between: "what could be a takeover: X has bid $5bn for Y"
        return prev_hyp is not None and not re.search(r";|\b(?:but|while|whereas|although)\b|\.\s|"
                                                      r"[:,]\s+(?-i:[A-Z])(?:[\w'’.,-]+\s+){1,12}?(?:has|have|had|is|are|was|were)\s",
                                                      stext[prev_hyp:m.start()])

    def _orgs(self, ents: list[Ent]) -> list[Ent]:
        return [e for e in ents if self._kind(e) == "ORG"]

    def _place(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        for e in ents:
            if e.label in ("GPE", "LOC", "FAC") and text[max(0, e.start - 4):e.start].strip().lower() in ("in", "at"):
                cand.place = e.text
                return

    def _fill_product_launch(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        t0, t1 = cand.trigger
        orgs = self._orgs(ents)
        before = [e for e in orgs if e.end <= t0]
        after = [e for e in orgs if e.start >= t1]
        company = before[-1] if before else (after[0] if "by" in text[t1:t1 + 30].split() and after else None)
        if company is not None:
            cand.actors.append(_actor("company", company.text, None, company.entity_id, self.country_of(text, company)))
            cand.rule_score += 0.2
        elif (appos := appositive_company(text, cand.sentence[0], cand.sentence[1])) is not None:
            cand.actors.append(_actor("company", appos[0], None, None, appos[1]))
            cand.rule_score += 0.15
        else:
            nps = list(_COMPANY_NP_RE.finditer(text, cand.sentence[0], t0))
            m = nps[-1] if nps else None
            if m is not None:
                np = m.group("np")
                cand.actors.append(_actor("company", np, None, None, country_before(text, m.start() + len(np)) or
                                          _np_country(np)))
                cand.rule_score += 0.1
            else:
                cand.reasons.append("no company found")
        products = [e for e in ents if self._kind(e) == "PRODUCT" or (e.label in ("PRODUCT", "WORK_OF_ART", "LAW")
                                                                        and e.start >= t1)]
        prod = next((e for e in products if e.start >= t1), products[0] if products else None)
        if prod is not None:
            cand.actors.append(_actor("product", prod.text, None, prod.entity_id, None))
            cand.rule_score += 0.2
        else:
            after_text = text[t1:cand.sentence[1]]
            m2 = _PRODUCT_AFTER_RE.match(after_text)
            name = m2.group("name") if m2 else None
            if name and code_for(name) is None and name.split()[0] not in ("In", "On", "At", "The"):
                cand.actors.append(_actor("product", name, None, None, None))
                cand.rule_score += 0.1
            else:
                m3 = _PRODUCT_NOUN_AFTER_RE.match(after_text)
                if m3:
                    cand.actors.append(_actor("product", m3.group("name"), None, None, None))
                    cand.rule_score += 0.05
                else:
                    cand.reasons.append("no product found")
        self._place(text, cand, ents)

    def _fill_official_visit(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        t0, t1 = cand.trigger
        s0, s1 = cand.sentence
        people = [e for e in ents if self._kind(e) == "PERSON"]
        visitor: dict[str, Any] | None = None
        vcountry: str | None = None
        ranked = sorted(people, key=lambda e: (e.end > t0, abs(e.end - t0)))
        for p in ranked:
            title = self._title_before(text, p)
            if title or (p.entity_id and p.entity_id in self.watch):
                vcountry = self.country_of(text, p)
                visitor = _actor("visitor", p.text, title, p.entity_id, vcountry)
                break
        if visitor is None:
            ref = re.search(r"\b(?:[Tt]he|[Hh]er|[Hh]is)\s+(?:\w+\s+)?(?:minister|president|premier|chancellor|"
                            r"secretary|envoy|ambassador|official)\b", text[s0:t0])
            earlier = [e for e in self.doc_ents if e.end <= s0 and self._kind(e) == "PERSON"
                       and (self._title_before(text, e) or e.entity_id)]
            if ref and earlier:
                p = earlier[-1]
                vcountry = self.country_of(text, p)
                visitor = _actor("visitor", p.text, self._title_before(text, p), p.entity_id, vcountry)
        if visitor is None:
            for m in _TITLE_NP_RE.finditer(text, s0, t0 + 1):
                np = m.group("np")
                vcountry = _np_country(np)
                title = re.sub(r"^[A-Z][a-z]+(?:'s|’s)?\s+", "", np) if vcountry else np
                visitor = _actor("visitor", np, title, None, vcountry)
        weak = False
        if visitor is None:
            refs = list(_VISITOR_REF_RE.finditer(text, s0, t0 + 1))
            if not refs and text.startswith(" of ", t1):  # "the visit of Chile's President"
                refs = list(_VISITOR_REF_RE.finditer(text, t1, min(s1, t1 + 60)))[:1]
            if refs:
                np = refs[-1].group("np")
                vcountry = _np_country(np)
                visitor, weak = _actor("visitor", np, refs[-1].group("title"), None, vcountry), True
        if visitor is None:
            # "Nakasone's visit", "Howard added that during his Tokyo visit": the person the visit belongs to
            lo = max(s0, t0 - 40)
            pos = re.search(r"(?:\b(?P<name>[A-Z][\w-]+)?(?:'s|’s)|\b(?:his|her|their))\s+(?:[\w.-]+\s+){0,2}$",
                            text[lo:t0])
            owner = [p for p in people if p.end <= t0] if pos else []
            if owner:
                p = owner[-1]
                vcountry = self.country_of(text, p)
                visitor, weak = _actor("visitor", p.text, None, p.entity_id, vcountry), True
            elif pos and pos.group("name") and not code_for(pos.group("name")) and not any(
                    e.label in ("GPE", "NORP", "LOC") and e.end == lo + pos.end("name") for e in ents):
                # "Nakasone's visit" with the name not recognised as a person
                visitor, weak = _actor("visitor", pos.group("name"), None, None, None), True
        vstart = next((p.start for p in people if visitor and p.text == visitor["text"]), -1)
        if visitor is None:
            cand.reasons.append("no official found as visitor")
            cand.rule_score -= 0.35
        else:
            cand.actors.append(visitor)
            cand.rule_score += 0.1 if weak else 0.25
        # host: the first place or organisation after the trigger ("visited China", "toured Veltrix's plant")
        host = next((e for e in ents if e.start >= t1 - 1 and self._kind(e) in ("GPE", "LOC", "ORG")
                     and not text.startswith(("'s", "’s"), e.end)
                     and not (vstart >= 0 and vstart - 50 <= e.start and e.end <= vstart)), None)
        if host is None:
            host = next((e for e in reversed(ents) if e.end <= t0 and e.label in ("GPE",)
                         and (text[max(0, e.start - 4):e.start].strip().lower() == "in"
                              or not text[e.end:t0].strip())), None)  # "in Tokyo", "his Tokyo visit"
        if host is not None:
            hcountry = self.country_of(text, host)
            if hcountry is None and self._kind(host) == "ORG":
                hcountry = country_before(text, host.start)
            cand.actors.append(_actor("host", host.text, None, host.entity_id, hcountry))
            if host.label in ("GPE", "LOC") and (is_city(host.text) or code_for(host.text) is None):
                cand.place = host.text
            elif host.label in ("GPE", "LOC"):
                cand.place = host.text
            cand.rule_score += 0.1
            if vcountry and hcountry and vcountry == hcountry and self._kind(host) != "ORG":
                cand.rule_score -= 0.15  # a domestic trip: not what "official visit" means here
        else:
            cand.reasons.append("no host country or place found")
        if cand.place is None:
            self._place(text, cand, ents)

    def _fill_deal(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        t0, _ = cand.trigger
        orgs = self._orgs(ents)
        parties = sorted(orgs, key=lambda e: (e.start > t0, abs(e.start - t0)))
        appos = None if parties else appositive_company(text, cand.sentence[0], cand.sentence[1])
        govs = [e for e in ents if e.label in ("GPE", "NORP") and code_for(e.text)
                and not _QUALIFIER_RE.match(text, e.end)]
        if appos is not None:
            cand.actors.append(_actor("company", appos[0], None, None, appos[1]))
            cand.rule_score += 0.15
        elif parties:
            c = parties[0]
            cand.actors.append(_actor("company", c.text, None, c.entity_id, self.country_of(text, c)))
            cand.rule_score += 0.15
            rest = [e for e in ents if e is not c and e.text != c.text and self._kind(e) == "ORG"]
            if rest:
                o = rest[0]
                cand.actors.append(_actor("counterparty", o.text, None, o.entity_id, self.country_of(text, o)))
                cand.rule_score += 0.05
        elif [e for e in govs if e.start < t0]:
            # "the Philippines ... signed a loan", "an accord between Iranian ... and Ghanaian ..."
            g = next(e for e in govs if e.start < t0)
            cand.actors.append(_actor("company", g.text, None, None, code_for(g.text)))
            cand.rule_score += 0.05
        elif govs:
            # "It has signed contracts to run hotels in Havana": a place after the verb is not the party
            cand.actors.append(_actor("counterparty", govs[0].text, None, None, code_for(govs[0].text)))
            cand.reasons.append("no company found")
        else:
            m = _COMPANY_NP_RE.search(text, cand.sentence[0], cand.sentence[1])
            if m:
                cand.actors.append(_actor("company", m.group("np"), None, None, _np_country(m.group("np"))))
            else:
                cand.reasons.append("no company found")
                cand.rule_score -= 0.1
        stext = text[cand.sentence[0]:cand.sentence[1]]
        value = parse_money(stext)
        if value:
            cand.attributes["value"] = value
            cand.rule_score += 0.1
        um = UNITS_RE.search(stext)
        if um:
            n = (um.group("n") or um.group("n2") or "").replace(",", "")
            cand.attributes["units"] = int(n) if n.isdigit() else _WORD_NUM.get(n.lower())
            cand.attributes["item"] = " ".join((um.group("item") or um.group("item2") or "").split())
            cand.rule_score += 0.1
        self._place(text, cand, ents)

    def _measure(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        t0, _ = cand.trigger
        s0, s1 = cand.sentence
        agency = None
        for e in ents:
            if self._kind(e) == "ORG" and (_AGENCY_RE.search(e.text) or (self.watch.get(e.entity_id or "") and
                                                                       self.watch[e.entity_id or ""].type == "agency")):
                agency = e
                break
        if agency is None:
            gov = [e for e in ents if e.label == "GPE" and code_for(e.text) and e.start < t0]
            if gov:
                agency = gov[-1]
        if agency is not None:
            acountry = self.country_of(text, agency) or code_for(agency.text)
            cand.actors.append(_actor("agency", agency.text, None, agency.entity_id, acountry))
            cand.rule_score += 0.15
        else:
            m = _AGENCY_RE.search(text, s0, s1)
            if m:
                cand.actors.append(_actor("agency", m.group(0), None, None, country_before(text, m.start())))
            else:
                cand.reasons.append("no agency or government found")
        targets = [e for e in ents if e is not agency and self._kind(e) in ("ORG", "PERSON")
                   and not _AGENCY_RE.search(e.text)]
        if targets:
            t = targets[0]
            cand.actors.append(_actor("target", t.text, None, t.entity_id, self.country_of(text, t)))
            cand.rule_score += 0.1
        else:
            tgt_gpe = [e for e in ents if e is not agency and e.label in ("GPE", "NORP")]
            if tgt_gpe:
                t = tgt_gpe[-1]
                cand.actors.append(_actor("target", t.text, None, None, code_for(t.text)))
        value = parse_money(text[s0:s1])
        if value:
            cand.attributes["value"] = value
        pct = re.search(r"\b(\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)", text[s0:s1])
        if pct:
            cand.attributes["rate_percent"] = pct.group(1)
        action = text[cand.trigger[0]:cand.trigger[1]].lower()
        cand.attributes["action"] = " ".join(action.split())

    _fill_investment = _fill_deal
    _fill_export_control = _measure
    _fill_sanction = _measure
    _fill_trade_measure = _measure

    def _fill_merchandise(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        s0, s1 = cand.sentence
        stext = text[s0:s1]
        people = [e for e in ents if self._kind(e) == "PERSON"]
        watched = [e for e in people if e.entity_id]
        person = (watched or people)[0] if (watched or people) else None
        if person is None and re.search(r"\b(?:his|her|their|the\s+(?:president|prime\s+minister|leaders?|"
                                        r"visitors?|premier|chancellor))\b", stext, re.I):
            # "T-shirts bearing his face": the person the text named last before this sentence
            earlier = [e for e in self.doc_ents if s0 - 600 <= e.start and e.end <= s0 and self._kind(e) == "PERSON"]
            person = earlier[-1] if earlier else None
        if person is None:
            cand.rule_score = 0.0  # goods with nobody depicted are just goods
            return
        cand.actors.append(_actor("depicted", person.text, self._title_before(text, person), person.entity_id,
                                  self.country_of(text, person)))
        cand.attributes["item"] = " ".join(text[cand.trigger[0]:cand.trigger[1]].lower().split())
        if _SELL_RE.search(stext):
            cand.rule_score += 0.15
        if _DEPICT_RE.search(stext):
            cand.rule_score += 0.1
        sellers = [e for e in ents if self._kind(e) == "ORG" and e is not person]
        if sellers:
            cand.actors.append(_actor("seller", sellers[0].text, None, sellers[0].entity_id, None))
        price = parse_money(stext)
        if price:
            cand.attributes["price"] = price

    def _fill_listing_surge(self, text: str, cand: Candidate, ents: list[Ent]) -> None:
        subj = [e for e in ents if e.entity_id] or [e for e in ents if self._kind(e) in ("PERSON", "ORG", "PRODUCT")]
        if subj:
            e = subj[0]
            role = "depicted" if self._kind(e) == "PERSON" else "product" if self._kind(e) == "PRODUCT" else "company"
            cand.actors.append(_actor(role, e.text, None, e.entity_id, self.country_of(text, e)))
            cand.rule_score += 0.2
        else:
            cand.reasons.append("no watched entity named")
        pct = re.search(r"\b(\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)", text[cand.sentence[0]:cand.sentence[1]])
        if pct:
            cand.attributes["increase_percent"] = pct.group(1)


# A verb heading a clause of its own: a cue above it belongs to another clause ("hope ... after Beijing imposed",
# "the uncertainty caused by the tariffs"). A complement clause is not one: what it says is what the verb or noun
# above it denies, hopes or expects ("denied reports that it planned to build", "hopes Ruritania lifts").
_CLAUSE_DEPS = ("ROOT", "advcl", "relcl", "acl", "parataxis")


def _own_clause(t: Token) -> bool:
    """Whether ``t`` heads a clause of its own (adverbial, relative, participial, the sentence's): an infinitive
    ("plans to launch", "efforts to impose"), a gerund after a preposition or a complement clause stays in the
    clause of the word above it."""
    if t.dep_ == "ROOT":
        return True
    if t.pos_ not in ("VERB", "AUX"):
        return False
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children):
        return False
    if t.dep_ == "conj":
        return any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
    if t.dep_ == "acl" and any(c.dep_ == "mark" and c.lower_ == "that" for c in t.children):
        return False  # "reports that it planned": the noun's complement
    return t.dep_ in _CLAUSE_DEPS


def _clause_governors(parses: SentenceParses, sent: tuple[int, int], m: re.Match[str]) -> set[str] | None:
    """The lower-cased words that govern the trigger at ``m`` (offsets in the sentence) inside its own clause: its
    head chain up to the clause's verb and the words those take directly ("would", "if", "possible"); None without
    a parse."""
    tok = parses.token_at(sent, sent[0] + m.start(), sent[0] + m.end())
    if tok is None:
        return None
    chain: list[Token] = []
    t = tok
    while True:
        chain.append(t)
        if _own_clause(t) or t.head is t:
            break
        t = t.head
    words = {c.lower_ for c in chain}
    for c in chain:
        words.update(k.lower_ for k in c.children if k.i < tok.i and k.dep_ not in ("nsubj", "nsubjpass", "ccomp",
                                                                                   "advcl", "parataxis", "relcl"))
    return words


def appositive_company(text: str, s0: int, s1: int) -> tuple[str, str | None] | None:
    """(name, country) of a company the sentence names beside what it is: "German chipmaker Infineon"."""
    for m in _APPOS_COMPANY_RE.finditer(text, s0, s1):
        demo, name = (m.group("demo"), m.group("name")) if m.group("name") else (m.group("demo2"), m.group("name2"))
        country = code_for(demo)
        name = re.sub(r"\s+(?:To|And|Of|The|In|On|At|Has|Is|Will|Said|Plans)\b.*$", "", name)
        if country is not None and code_for(name) is None and name.split()[0] not in ("The", "A", "It", "In", "On"):
            return re.sub(r"(?:'s|’s)$", "", name), country
    return None


def _np_country(np: str) -> str | None:
    first = re.split(r"\s+", np.removeprefix("the ").removeprefix("a ").strip())[0]
    return code_for(re.sub(r"(?:'s|’s)$", "", first))


def parse_money(text: str) -> dict[str, str] | None:
    """The first amount of money in ``text`` as ``{"amount": "1200000000", "currency": "EUR"}``."""
    for m in MONEY_RE.finditer(text):
        cur = (m.group("cur") or m.group("cur2") or "").lower()
        amt = (m.group("amt") or m.group("amt2") or "").replace(",", "")
        mult = (m.group("mult") or m.group("mult2") or "").lower()
        if not amt or cur not in _CURRENCY:
            continue
        try:
            value = float(amt) * _MULT.get(mult, 1)
        except ValueError:
            continue
        amount = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
        return {"amount": amount, "currency": _CURRENCY[cur]}
    return None


__all__ = ["EVENT_TYPES", "TRIGGERS", "Candidate", "Ent", "RuleExtractor", "WatchInfo", "appositive_company",
           "parse_money"]
