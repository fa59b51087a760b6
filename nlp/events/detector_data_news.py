"""More written training sentences for the event-type detector: company news as business papers write it.

The first set (:mod:`nlp.events.detector_data`) taught the head the plain "X launched Y" sentence; real
company news says a launch in many more ways, and says many other things with the same words. These
templates (ours, no corpus text) follow the sense SENTiVENT's annotation guideline gives a launch event
(an event is annotated whatever its modality: planned, expected, rumoured, delayed and negated launches are
launch mentions, and so is a nominal "the launch of"), so that thresholds tuned on its tuning documents mean
something, and they add what shares a launch's words without being one:

- launch, in more words: plans and expectations, rumours, nominal mentions, first deliveries, new
  features and versions, services brought to new markets and routes, availability and prices, headlines,
  films and shows released;
- deal: partnerships, supply and licensing agreements, contracts, collaborations (SENTiVENT keeps mergers
  and acquisitions apart, so the written ``acquisition`` sentences carry their own label);
- none (hard negatives): existing products described and reviewed, sales figures of a product, trials and
  tests, recalls and cancellations, store and park openings, ad campaigns and sponsorships, offerings of
  shares and bonds, probes and lawsuits "launched", results, ratings, share moves, executives, macro.

Slots are those of :func:`nlp.events.detector_data._fill` plus ``{r}`` (a route or market) and ``{f}``
(a feature).
"""

from __future__ import annotations

ROUTES = ["nonstop flights from Denver to Reykjavik", "daily service between Chicago and Berlin",
          "a route from Dallas to Lima", "flights to three new Caribbean islands", "service to Lisbon",
          "same-day delivery in Madrid", "its ride-hailing app in Cairo", "grocery delivery in 15 more cities",
          "its streaming service in Poland", "mobile payments in Kenya"]
FEATURES = ["a dark mode", "end-to-end encryption for group chats", "a standalone desktop chat app",
            "voice search", "a tool that lets users split bills", "offline maps", "a redesigned home screen",
            "live captions for videos", "a kids' profile", "two-factor login", "a portrait mode for its camera",
            "support for Apple Pay", "stories like Snapchat's", "a wider seat pitch on new jets"]

LAUNCH_NEWS = [
    # planned, expected, rumoured, delayed: annotated as launch events whatever their modality
    "{C} is expected to announce {p} at its September event.", "{C} is reportedly preparing {p} for next spring.",
    "{C} plans to bring {p} to market by 2020.", "{C} is working on {p}, according to people familiar with the matter.",
    "{C} is developing {p} that could arrive next year.", "The next {n} from {C} is due in the autumn.",
    "{C} is targeting 2021 to start production of {p}.", "{C} said it would put {p} on the road by 2022.",
    "{C} could unveil {p} as early as next month, analysts said.",
    "Rumours that {c} will unveil {p} lifted the shares.",
    "{C} delayed the release of {p} to next year.", "{C} pushed back the launch of {p} to the first quarter.",
    "{C} is said to be planning a cheaper {n} for emerging markets.", "{C} hopes to have {p} in stores by Christmas.",
    "{C} will introduce {p} in Europe in 2019 and in the US a year later.", "{C} aims to roll out {p} nationwide.",
    "Supply chain reports suggest {C} will ship {p} in October.", "{C} is likely to launch two new {n}s this year.",
    "{C} has promised a new {n} every year.", "{C} confirmed that {p} is coming to Android later this year.",
    "{C} is gearing up to release {p} in time for the holidays.", "{C} teased {p} in a short video on Monday.",
    "{C} admitted it is building {p}, possibly for 2018.", "{C} will not launch {p} in China, it said.",
    "{C} could launch {p} if demand picks up, analysts said.", "{C} said it is not planning a new {n} this year.",
    # nominal: the launch as a thing talked about
    "The launch of {p} is scheduled for March.", "The rollout of {p} has been slower than {C} planned.",
    "{C}'s release of {p} in Europe comes six months after its US debut.", "The debut of {p} drew long queues.",
    "Since the introduction of {p}, {C} has signed up two million users.", "{C}'s {n} launch went smoothly.",
    "Within weeks of its launch, {p} from {C} had a million downloads.", "The arrival of {p} puts pressure on rivals.",
    "The launch of {p} last year boosted sales at {C}.", "The launch event was held in Cupertino.",
    "The phone was launched two years ago and remains popular.",
    "{C} held a launch event for {p} in Shanghai.",
    "The unveiling of {p} was the highlight of the show.",
    "Analysts expect the launch of {p} to lift sales at {C}.", "{C} spent heavily on the launch of {p}.",
    "{C}'s new {n} lineup arrives just as rivals cut prices.",
    "Ahead of the debut of {p}, {C} cut prices of older models.",
    # first deliveries, first units, production starts
    "{C} delivered the first units of {p} to customers {w}.", "{C} handed the first {n} to its launch customer.",
    "{C} began production of {p} at its plant in Ohio.", "The first {n}s from {C} rolled off the line {w}.",
    "{C} started deliveries of {p} in Europe.", "{C} shipped the first batch of {p} to retailers.",
    # new features, versions, updates, revamps
    "{C} added {f} to its app.", "{C} revamped its messaging app with {f}.", "The new version of the app brings {f}.",
    "{C} introduced {f} for all users.",
    "{C} is rolling out {f} to iPhone users.",
    "{C} updated its software with {f}.",
    "{C} pushed out an update that adds {f}.", "{C} is testing {f} and will make it available to everyone soon.",
    "Other features on the new {n} include {f}.", "{C} now lets customers use {f}.",
    "The redesigned {n} from {C} gets {f} and a bigger battery.", "{C} gave its {n} a makeover with {f}.",
    # services brought to new markets and routes
    "{C} will begin {r} in June.", "{C} launched {r}.", "{C} added {r} to its schedule.", "{C} is expanding {r}.",
    "{C} announced {r}, starting next month.", "{C} brought {r} to customers for the first time.",
    "{C} will start offering {r} this summer.", "{C} announced a major expansion of its service from Chicago.",
    # availability, prices, where to get it
    "{p} will be available in dealerships from June.", "{p} from {C} ships in October for $349.",
    "{C}'s {n} will be offered with a diesel engine from next year.", "The {n} hits stores on Friday, {C} said.",
    "{C} will sell {p} through its website and carriers.", "{p} costs $799 and goes on sale next week.",
    "{C} will make {p} available in Hindi and English.", "The new {n} from {C} is about to hit dealers.",
    "{C} is going to market in China this fall with {p}.", "Customers in Japan can pre-order {p} starting today.",
    # headlines
    "{C} unveils {p}",
    "{C} to launch {p} in India",
    "{C} rolls out {p} to more countries",
    "First look at {C}'s new {n}",
    "{C} debuts cheaper {n}", "{C} introduces {f}", "{C} brings {r}", "{C} takes on rivals with {p}",
    "{C} revamps {n} to look like its rivals'", "{C}'s new {n} arrives", "{C} launches {n} for small businesses",
    # films, shows, games released
    "{C}'s superhero film opens in theatres on Friday.", "{C} will release the sequel in 2019.",
    "{C} premiered the second season of its drama on Friday.", "The game from {C} comes out on March 3.",
    "{C}'s streaming service will add a new original series every week.", "{C} released its new album online.",
]

DEAL_NEWS = [
    "{C} and {q} agreed to work together on electric-car batteries.", "{C} signed a partnership with {q} on payments.",
    "{C} will supply chips to {q} under a multi-year agreement.", "{q} picked {C} to run its data centres.",
    "{C} struck a deal with {q} to carry its channels.", "{C} and {q} are teaming up on self-driving taxis.",
    "{C} extended its contract with {q} until 2025.", "{C} won a Pentagon contract worth $950 million.",
    "{C} agreed a deal to license its patents to {q}.", "{C} joined forces with {q} to sell insurance online.",
    "{q} signed a deal to use {C}'s cloud services.", "{C} will distribute the films of {q} in China under a new deal.",
    "{C} and {q} announced a collaboration on cancer drugs.", "{C} landed a contract to supply jets to {q}.",
    "{C} ordered 50 jets from {q} in a deal worth $5 billion.", "{C} is in talks with {q} about a supply deal.",
    "{C} and {q} are close to a deal on sharing networks.", "The agreement gives {C} the rights to sell in Asia.",
    "Under the terms of the deal, {q} will pay {C} royalties.", "{C} teams up with {q} on smart homes",
    "{C}, {q} strike streaming pact", "{C} wins contract from {q}", "{C} signs content deal with {q}",
    "{C} will share its mapping data with {q} as part of the alliance.", "{C} agreed to provide {q} with engines.",
]
ACQUISITION = [
    "{C} agreed to buy {q} for $1.2 billion.", "{C} will acquire {q} in an all-stock deal.",
    "{C} completed its acquisition of {q}.", "{C} and {q} agreed to merge.", "{C} made a bid for {q}.",
    "{C} is in talks to buy {q}, people familiar with the matter said.", "{C} sold its chemicals unit to {q}.",
    "The takeover of {q} by {C} was approved by regulators.", "{C} to buy {q}", "{C} bids $4 billion for {q}",
    "{C} agreed to sell its European business to {q}.", "{C} bought a start-up that makes {n}s.",
]
NONE_NEWS = [
    # existing products described, reviewed, compared: a product named, no launch
    "{p} from {C} has a six-inch screen and two cameras.", "The {n} uses the same engine as the older model.",
    "Owners of {p} complained about the battery life.", "{C}'s {n} is popular with commuters.",
    "Reviewers said the {n} from {C} is fast but expensive.", "The {n} remains the best seller in its class.",
    "{p} from {C} competes with cheaper rivals.", "Customers praised the camera on {C}'s {n}.",
    "The {n} from {C} gets 39 miles per gallon on the highway.", "{C}'s {n} costs more than its rivals' models.",
    "Most buyers choose the cheaper version of the {n}.", "{C} makes most of its money from {n}s.",
    # sales of a product, market share, demand
    "{C} sold 3 million {n}s in the quarter.", "Sales of {p} from {C} rose 20% in May.",
    "Demand for {C}'s {n}s has cooled in China.", "{C}'s share of the {n} market fell to 15%.",
    "{C} shipped fewer {n}s than analysts expected.", "The {n} accounted for half of {C}'s revenue.",
    "{C} has sold more than 10 million {n}s since 2015.", "{C}'s orders for the {n} piled up in the quarter.",
    # trials and tests, approvals, recalls, cancellations
    "{C}'s drug met its main goal in a late-stage trial.", "{C} is testing self-driving cars in Arizona.",
    "Regulators are reviewing {C}'s application for the drug.", "{C} recalled 100,000 cars over faulty airbags.",
    "{C} discontinued {p} after weak sales.", "{C} scrapped plans for a cheaper {n}.",
    "{C} halted sales of the {n} after reports of fires.", "{C} pulled the app from its store.",
    # facilities: stores, parks, plants opened or closed
    "{C} opened a new store in downtown Chicago.", "{C} opened its new water park on Memorial Day weekend.",
    "{C} will close 40 stores this year.", "{C} opened a flagship store on Fifth Avenue.",
    # brand, campaigns, sponsorships, charity
    "{C} rolled out a new ad campaign featuring its chief executive.",
    "{C} launched a marketing campaign for the holidays.",
    "{C} sponsored the World Cup broadcast.", "{C} launched a charity drive for flood victims.",
    "{C} is trying to win back customers with free-food offers.",
    "{C} changed its logo for the first time in 20 years.",
    # finance: offerings, buybacks, dividends, results, ratings, shares
    "{C} launched an initial public offering in Canada.", "{C} launched a $2 billion bond sale.",
    "{C} released its quarterly results on Tuesday.", "{C} released its May on-time arrival data.",
    "{C} beat analysts' earnings estimates.", "{C} missed revenue forecasts for the quarter.",
    "Analyst Jane Roe raised her price target on {C} to $150.", "{C} was upgraded to outperform.",
    "{C} shares rose 2% in late trading.", "{C} stock launched the week with a 3% gain.",
    "The stock market launched the month with mixed results.", "{C} raised its quarterly dividend.",
    "{C}'s profit margin shrank as costs rose.", "{C} expects revenue growth to slow next year.",
    # probes, lawsuits, government: "launched" and "introduced" in other senses
    "Regulators launched a probe into {C}'s pricing.", "{C} launched a lawsuit against a former supplier.",
    "Lawmakers introduced a bill that would require repair manuals.", "The agency released a report on air safety.",
    "Data released on Friday showed retail sales rose.", "Studies released in May linked the drug to side effects.",
    "{C} launched an internal investigation into the leak.", "The union launched a strike at the plant.",
    # people, jobs, strategy talk
    "{C} named a former rival executive as its new chief.", "{C} will cut 2,000 jobs in Europe.",
    "{C}'s chief executive said the company needs to provide something unique.",
    "{C} has been able to post strong growth thanks to its pipeline of drugs.",
    "{C} said competition in the {n} market is fierce.", "The {n} business faces tough competition.",
    "{C} said fuel prices hurt its results.", "Carriers are expected to add flights as demand recovers.",
]
