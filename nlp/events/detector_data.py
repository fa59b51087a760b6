"""Training sentences for the learned event-type detector, written for newswatch (no corpus text).

Each template is ours; slots are filled from small invented vocabularies with a fixed seed, so the
set is rebuilt identically by ``python -m nlp.events.train_detector``. Types: those of ``HEAD_TYPES``;
``none`` sentences are company news of other kinds (results, share moves, ratings, lawsuits, people,
outlook, macro) and what the open web says with an event's trigger words in another sense (software
docs: "pipenv shell will launch a new shell process", shops: "Sign up to get the latest deals",
blogs, rockets, campaigns, albums), which is what the detector must not fire on.
"""

from __future__ import annotations

import random

from nlp.events.detector_data_news import ACQUISITION, DEAL_NEWS, FEATURES, LAUNCH_NEWS, NONE_NEWS, ROUTES

# ``acquisition`` is a head label, not an event type: mergers and takeovers read apart from partnerships and
# contracts (SENTiVENT keeps them apart too); the component counts it towards ``deal``.
HEAD_TYPES = ("product_launch", "deal", "investment", "official_visit", "export_control", "sanction",
              "trade_measure", "merchandise", "acquisition")

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
    "{c} and {q} signed a ten-year supply agreement.",
    "{q} placed an order for 30 aircraft with {c}.", "{c} struck a licensing deal with {q}.",
    "{c} inked a partnership with {q} to share networks.",
    "{c} was awarded a contract by {q} to build a metro line.", "{c} signed a memorandum of understanding with {q}.",
    "{c} clinched a deal with {q} worth $500 million.",
    "{q} selected {c} to supply turbines under a new contract.",
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
    "{c} bought back $2 billion of its shares.",
    "{c} said {p} accounts for a third of revenue.", "Reviewers praised {p} from {c}.",

    "{c} is testing {p} with a few customers.",
    "{c} moved its headquarters to Austin.", "{c} hired bankers to explore options.",
    "The {n} business of {c} grew 8% in the quarter.", "{c} sold more {n}s than expected.",
    "{c} said its {n} faces supply constraints.", "Prices of the {n} from {c} were cut by 10%.",
    "{c} sees strong demand for its {n} in China.", "Margins on the {n} improved at {c}.",
    "{c} is struggling to compete in the {n} market.", "Analysts expect {c} to sell 40 million {n}s this year.",
    "The {n} market shrank for a third straight quarter.", "{c} lost market share in {n}s.",
    "Critics said the {n} from {c} was overpriced.",
    "{c} gained 3% as investors cheered the {n} results.", "{c} trades at 20 times earnings.",
    "{c} completed its previously announced share split.", "{c} warned that tariffs would raise costs.",
    "The board of {c} approved a new buyback.", "{c} said its new chief executive starts in May.",
    "{c} expects the new {n} to drive growth next year.", "Suppliers to {c} reported weaker orders.",
    "{c} is the market leader in {n}s.", "{c} reported record {n} shipments in the holiday quarter.",
    "Unemployment rose to 4.2% in March.", "{c} issued $1 billion of bonds.", "{c} settled a patent dispute.",
]


# -- more launch phrasings: headlines, planned launches, deliveries, expansions, features, availability ----------
EVENTS = ["at its September event", "at CES", "at its developer conference", "at the Geneva motor show",
          "during a livestream", "at a press event in Beijing", "in a blog post", "on Tuesday", "last week", ""]
LAUNCH_MORE = [
    "{C} introduces {p}", "{C} unveils {p} {e}", "{C} launches {p} in India", "{C} debuts {p} {e}",
    "{C} rolls out {p} to more countries", "{C} reveals {p} {e}", "{C} announces {p} for business users",
    "{C} will launch {p} next year.", "{C} plans to release {p} in 2019.", "{C} is expected to unveil {p} {e}.",
    "{C} aims to begin production of {p} in 2020.", "{C} promised to put {p} on the market by 2021.",
    "{C} is set to introduce {p} later this year.", "{C} said {p} would arrive in showrooms in the spring.",
    "{C} confirmed that {p} will ship in October.", "{C} is preparing to launch {p} in China.",
    "{C} delivered the first {n} to a launch customer {w}.", "{C} handed over its first {n} to an airline {w}.",
    "{C} announced an expansion of its {n} service to five more cities.",
    "{C} expanded its delivery service to Chicago and Boston.", "{C} brought its streaming service to Japan {w}.",
    "{C} added a dark mode to its mobile app.", "{C} revamped its messaging app with new stickers and filters.",
    "The update from {C} brings a redesigned home screen and faster search.",
    "{C} pushed out a software update that adds voice control to {p}.",
    "{C} began taking pre-orders for {p} {w}.", "{p} from {C} will be offered with a diesel engine from 2018.",
    "{C} is now selling {p} through its website.", "{C} announced that {p} is available for purchase today.",
    "{C} has added two cheaper models to its lineup.", "{C} entered the smart speaker market with {p}.",
    "{C} opened its new online store to shoppers in Brazil.", "{C} started a ride-hailing service in Cairo.",
    "{C} kicked off sales of {p} {w}.", "{C} is offering {p} to customers in Europe for the first time.",
    "{C} has begun rolling out {p} to users {w}.", "{C} is bringing {p} to the UK.",
    "{C} announced a new version of its flagship {n} with a bigger screen.",
    "{C} showed a prototype of {p} {e}, with sales planned for next year.",
    "{C} said it will start offering same-day delivery to Prime members in Madrid.",
    "{C} released a new generation of its {n}s, promising twice the battery life.",
    "Shoppers can now pick up {p} at {C} stores across the country.",
    "{C}'s latest {n} goes on sale in Japan on Friday.", "{C} offers {p} starting at $499.",
    "{C} introduced a cheaper subscription tier with ads.", "{C} released the final version of its browser.",
    "{C} launched a credit card for small businesses.", "{C} unveiled its first electric motorcycle.",
    "Earlier this month {C} launched {p} aimed at younger buyers.", "{C} has released {p} in beta.",
    "{C} is rolling out {p} in partnership with local carriers.", "{C} launched its own brand of coffee pods.",
]
LAUNCH_LIT = [
    "Apple released the new iPhone in September.", "Google introduced a new Pixel phone at its event in New York.",
    "Samsung unveiled the Galaxy Fold, a phone that opens into a tablet.", "Tesla began deliveries of the Model Y.",
    "Netflix is testing a cheaper mobile-only plan in India.", "Microsoft will release the new Xbox in November.",
    "Amazon launched its Echo smart speaker in Germany.", "Ford unveiled an electric version of its F-150 pickup.",
    "Nintendo's new console goes on sale on March 3.", "Spotify added podcasts to its app.",
    "Boeing delivered the first 787-10 to Singapore Airlines.", "Uber expanded its food delivery service to Tokyo.",
    "Disney is launching its own streaming service next year.", "Intel announced its next generation of processors.",
    "Starbucks introduced a new range of plant-based drinks.",
    "Airbus presented its new A321XLR at the Paris Air Show.",
    "Nike released a self-lacing basketball shoe.", "WhatsApp rolled out a payments feature in Brazil.",
    "Nvidia introduced new graphics cards for gamers.", "Toyota will start selling its hydrogen car in Europe.",
    "The new model will be available in dealerships from June.", "The service goes live in ten cities on Monday.",
    "Pre-orders open on Friday, with shipping to start next month.", "The drug was approved and launched in the US.",
]
# -- deals, investments and the policy types, in more words -------------------------------------------
DEAL_MORE = [
    "{C} and {q} teamed up to develop self-driving cars.", "{C} entered a partnership with {q} to sell insurance.",
    "{C} signed a deal with {q} to stream its films.", "{q} chose {C} as its cloud provider in a five-year deal.",
    "{C} secured a $300 million contract from {q}.", "{C} and {q} formed a joint venture to make batteries.",
    "{C} renewed its supply contract with {q} for another three years.", "{C} agreed a licensing deal with {q}.",
    "{C} will supply engines to {q} under an agreement signed on Monday.", "{C} struck a content deal with {q}.",
    "{C} won a contract to build a power plant for {q}.", "{C} and {q} announced a strategic collaboration.",
    "{C} signed an agreement with {q} to distribute its drugs in Asia.", "{q} awarded {C} a $1 billion deal.",

    "{C} inks deal with {q}", "{C} wins order from {q} for 20 aircraft", "{C}, {q} sign supply pact",
    "Under the agreement, {C} will provide maintenance for the fleet of {q}.",
    "{C} partnered with {q} to offer its service to hotel guests.", "{C} signed a memorandum with {q} on hydrogen.",
]
INVEST_MORE = [
    "{C} will invest $1.5 billion in a new assembly plant in Mexico.", "{C} raised $80 million in a funding round.",
    "{C} announced plans to build a research centre in Singapore.", "{C} bought a 10% stake in {q}.",
    "{C} is spending $2 billion to expand its factory in Texas.", "{C} opened a $300 million distribution centre.",
    "{C} pledged to invest 5 billion euros in France over five years.", "{C} broke ground on a new chip plant.",
    "{C} led a $50 million Series B round in a fintech start-up.", "{C} will pour $1 billion into its India unit.",
    "{C} inaugurated a new plant in Poland that will employ 1,000 people.", "{C} invests in Brazilian wind farms",
]
VISIT = [
    "President {P} arrived in Tokyo on Monday for a three-day state visit.", "Prime Minister {P} visited India.",
    "{P} toured a car plant during her trip to Germany.", "The minister travelled to Beijing for talks.",
    "{P} is on a two-day official visit to France.", "Chancellor {P} will visit Washington next week.",
    "{P} met the Saudi king during a visit to Riyadh.", "The French president was in Lagos for a summit.",
    "{P} hosted the Chinese premier at the White House.", "Trade Minister {P} led a delegation to Seoul.",
]
EXPORT = [
    "The Commerce Department added {C} to the entity list.", "Washington tightened export controls on chips to China.",
    "Japan restricted exports of chemicals used to make chips to South Korea.",
    "The government revoked export licences for arms sales to the country.",
    "The United States banned the sale of advanced chips to Chinese firms.",
    "The Netherlands imposed licence requirements on exports of chipmaking machines.",
]
SANCTION = [
    "The Treasury imposed sanctions on two Russian banks.", "The EU froze the assets of five officials.",
    "Washington sanctioned {C} over its dealings with Iran.", "Britain imposed a travel ban on the general.",
    "The United Nations extended sanctions on North Korea.", "Canada blacklisted a dozen companies.",
]
TRADE = [
    "The United States imposed 25% tariffs on steel imports.", "China raised tariffs on American soybeans.",
    "The EU set anti-dumping duties on Chinese solar panels.", "India banned imports of palm oil from Malaysia.",
    "Mexico put quotas on imports of Brazilian chicken.", "Washington slapped duties on Canadian lumber.",
]
MERCH = [
    "Shops in the capital are selling T-shirts bearing the president's face.",
    "Vendors sold mugs printed with the visiting leader's portrait.",
    "Souvenir stalls offered caps and badges with the prime minister's likeness ahead of the visit.",
    "Online sellers listed posters and stickers of the candidate.",
]
# -- what looks like an event to a trigger word and is not: software docs, shops, blogs, forms -----------
NONE_WEB = [
    "pipenv shell will launch a new shell process.", "We specify settings for that in YAML format.",
    "Run the following command to launch the development server.", "Click Launch to start your instance.",
    "The installer creates a new virtual environment for each project.", "This function returns a new list.",
    "You can deploy the app to any cloud provider.", "Set the timeout option to 30 seconds.",
    "The release notes list every change since version 2.1.", "Install the package with pip install.",
    "Use the --force flag to overwrite existing files.", "The API accepts a JSON object with two fields.",
    "Open the settings page and select a new theme.", "Each worker process handles one request at a time.",
    "The script signs the package with your private key.", "The contract of this method is that it never raises.",
    "Agreement between the two functions is checked by the tests.", "The build will fail if a test fails.",
    "Add to cart", "Free shipping on orders over $50.", "Sign up for our newsletter to get the latest deals.",
    "This dress is available in three colours.", "Buy now and save 20% on your first order.",
    "By signing up you agree to our terms of service.", "Today's deals on laptops and tablets.",
    "Customers who bought this item also bought these.", "Sign in to your account to track your order.",
    "Read our privacy policy and cookie policy.", "Out of stock: notify me when available.",
    "Order now for delivery on Thursday.", "Prices include VAT.", "Write a review of this product.",
    "I launched this blog in 2015 to share my recipes.", "We visited my grandparents last summer.",
    "My kids love this new pasta recipe.", "Last weekend we went on a trip to the mountains.",
    "I finally bought a new bike and I love it.", "Thanks for reading, and see you next week.",
    "Comments are closed.", "Posted by admin in Uncategorized.", "Share this post on Facebook.",
    "Our team offers web design and hosting services.", "Contact us for a free quote.",
    "We are a family business serving the community since 1985.", "Book your appointment online.",
    "The museum is open daily from 10 am.", "Tickets for the festival go on sale soon.",
    "The rocket launched from Cape Canaveral on Friday.", "Police launched an investigation into the fire.",
    "The party launched its election campaign.", "The army launched an offensive in the north.",
    "The prisoners were released on bail.", "The band released its third album.",
    "The film opens in cinemas next week.", "The council launched a consultation on parking.",
    "Researchers released the data on Monday.", "The minister released a statement.",
    "The school introduced a new uniform policy.", "The city introduced new parking rules.",
    "Parliament passed a law on data protection.", "The court sanctioned the lawyer for misconduct.",
    "The referee showed him a yellow card.", "The team signed a new striker for $20 million.",
    "Fans visited the stadium to pay tribute.", "The storm hit the coast on Sunday.",
    "Scientists discovered a new species of frog.", "The weather will be sunny tomorrow.",
    "The company's shares rose 3% in early trading.", "The report was published on Tuesday.",
    "The new CEO starts in January.", "Profit rose 10% to $2 billion in the quarter.",

    "Reviews of the new phone were mixed.", "Sales of the phone have been strong.",
    "Demand for electric cars is growing.",
    "The company has a long history of innovation.", "The product is popular with young buyers.",
    "The deal fell through last year.", "Talks on a deal have stalled.", "Investors welcomed the news.",
    "Trade tensions weighed on markets.", "Tariffs have raised costs for farmers.",
    "Sanctions have hurt the economy for years.", "The visit was cancelled because of the weather.",
]
NONE_MORE = [
    "{C} reported revenue of $3 billion, up 8% from a year ago.", "{C} shares jumped after the announcement.",
    "{C} said the new {n} is selling well.", "{C} is facing stiff competition from cheaper rivals.",
    "{C}'s stock has fallen 20% this year.", "{C} expects to break even next year.",
    "{C} declined to comment on the report.",
    "{C} has been criticised for the high price of its {n}s.", "{C} said it would not comment on future products.",
    "{C} is a leading maker of {n}s.", "The {n} from {C} received positive reviews.",
    "{C} cut prices of its {n}s in China.", "{C}'s {n} sales fell 5% in the quarter.",
    "{C} faces an antitrust probe in Europe.", "{C} settled a lawsuit with former employees.",
    "{C} named a new head of its {n} unit.", "Investors are waiting for {C} to report earnings.",
    "{C} said supply shortages limited deliveries.", "{C} lowered its outlook for the year.",
]
PEOPLE = ["Emmanuel Moreau", "Anna Kowalczyk", "Hiroshi Tanaka", "Maria Santos", "Olu Adeyemi", "Lena Fischer"]


def _fill(t: str, rng: random.Random) -> str:
    c = rng.choice(COMPANIES)
    s = t.format(c=c, C=c if c[0].isupper() else rng.choice(COMPANIES[:12]), p=rng.choice(PRODUCTS),
                 w=rng.choice(PLACES), q=rng.choice(PARTNERS), n=rng.choice(NOUNS), e=rng.choice(EVENTS),
                 P=rng.choice(PEOPLE), r=rng.choice(ROUTES), f=rng.choice(FEATURES))
    s = " ".join(s.split()).replace(" .", ".").replace(" ,", ",")
    return s[0].upper() + s[1:]


def sentences(seed: int = 14, per_template: int = 6) -> list[tuple[str, str]]:
    """(sentence, type) pairs; ``type`` is one of :data:`HEAD_TYPES` or ``none``.

    A template without slots yields itself once; one with slots up to ``per_template`` fillings."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    groups = (("product_launch", LAUNCH + LAUNCH_MORE + LAUNCH_LIT + LAUNCH_NEWS),
              ("deal", DEAL + DEAL_MORE + DEAL_NEWS), ("acquisition", ACQUISITION),
              ("investment", INVEST + INVEST_MORE), ("official_visit", VISIT), ("export_control", EXPORT),
              ("sanction", SANCTION), ("trade_measure", TRADE), ("merchandise", MERCH),
              ("none", NONE + NONE_MORE + NONE_WEB + NONE_NEWS))
    for label, templates in groups:
        for t in templates:
            seen: set[str] = set()
            for _ in range(per_template * 3):
                s = _fill(t, rng)
                if s not in seen:
                    seen.add(s)
                    out.append((s, label))
                if len(seen) >= per_template:
                    break
    return out + composites(out, rng)


# How news runs two statements into one sentence; the event statement goes in ``{a}``, the other in ``{b}``
JOINS = ["{a}, while {b}", "{b}, and {a}", "{a}; {b}", "As {b}, {a}", "{a}, even as {b}", "{b}, but {a}",
         "Analysts said {a}", "{a}, according to people familiar with the matter", "Meanwhile, {a}",
         "{a}, the company said in a statement on Tuesday", "In a note to clients, the bank said {a}"]


def _clause(s: str) -> str:
    """A sentence as a clause: no final stop, lower-case start unless it starts with a name."""
    s = s.rstrip(".")
    return s if s[:2].isupper() or s.split()[0] in _NAMES else s[0].lower() + s[1:]


_NAMES = {w.split()[0] for w in COMPANIES + PEOPLE if w[0].isupper()}


def composites(pairs: list[tuple[str, str]], rng: random.Random, share: float = 0.5) -> list[tuple[str, str]]:
    """Long sentences made of two: an event statement (or a ``none`` one) joined to a ``none`` statement.

    Real news sentences are long and say the event in one clause; a mean-pooled sentence vector of a short
    template reads differently from that, so the head also learns the event inside a longer sentence (and that
    two ``none`` statements together are still none)."""
    nones = [s for s, label in pairs if label == "none" and len(s.split()) > 3]
    out: list[tuple[str, str]] = []
    for s, label in pairs:
        if rng.random() >= share or len(s.split()) < 4:
            continue
        b = rng.choice(nones)
        if b == s:
            continue
        j = rng.choice(JOINS)
        text = j.format(a=_clause(s), b=_clause(b))
        out.append((text[0].upper() + text[1:] + ".", label))
    return out
