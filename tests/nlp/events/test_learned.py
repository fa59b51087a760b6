"""How the detector and the rules combine: veto, proposals by bar, arguments filled by the rules."""

import numpy as np

from nlp.events.detector import EventTypeDetector
from nlp.events.learned import combine, gated, type_score
from nlp.events.rules import Candidate, Ent, RuleExtractor


class FixedDetector(EventTypeDetector):
    """The shipped head's bars, with scores given per sentence by the test (no encoder)."""

    def __init__(self, by_sentence: dict[str, dict[str, float]]) -> None:
        super().__init__()
        self.by_sentence = by_sentence
        self.asked: list[str] = []

    def predict(self, sentences: list[str]) -> list[dict[str, float]]:
        self.asked.extend(sentences)
        return [self.by_sentence.get(s, {}) for s in sentences]


def _sents(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for part in text.split(". "):
        end = pos + len(part) + (1 if not part.endswith(".") else 0)
        out.append((pos, min(end, len(text))))
        pos = end + 1
    return out


# The first sentence is a launch a reader sees, said with no trigger word of the rules (only a hint word).
TEXT = ("Orvane Systems' wearable computer arrives in China this fall. "
        "The weather was mild. Pelham Networks reported a rise in profit.")


def test_a_sentence_the_detector_reads_as_a_launch_is_proposed_and_filled_by_the_rules() -> None:
    sents = _sents(TEXT)
    first = TEXT[sents[0][0]:sents[0][1]]
    det = FixedDetector({first: {"product_launch": 0.97, "deal": 0.02}})
    ents = [Ent("Orvane Systems", 0, 14, "ORG"), Ent("China", TEXT.index("China"), TEXT.index("China") + 5, "GPE")]
    cands, scores = combine(TEXT, sents, [], ents, RuleExtractor(), det)
    assert [c.type for c in cands] == ["product_launch"]
    assert cands[0].actors[0]["text"] == "Orvane Systems"
    assert "no trigger word" in cands[0].reasons[-1]
    assert "The weather was mild." not in det.asked  # no hint word: never encoded


def test_below_the_bar_nothing_is_proposed_and_a_low_rule_candidate_is_vetoed() -> None:
    sents = _sents(TEXT)
    first = TEXT[sents[0][0]:sents[0][1]]
    det = FixedDetector({first: {"product_launch": 0.5, "deal": 0.01, "acquisition": 0.0}})
    rule = Candidate("deal", (0, 5), sents[0], 0.5)
    cands, _ = combine(TEXT, sents, [rule], [], RuleExtractor(), det)
    assert cands == [rule]  # no deal veto shipped; launch 0.5 < propose
    det.keep["deal"] = 0.05
    cands, _ = combine(TEXT, sents, [rule], [], RuleExtractor(), det)
    assert cands == []  # deal 0.01 < keep: dropped


def test_gate_puts_rule_sentences_first_and_deal_counts_acquisitions() -> None:
    sents = _sents(TEXT)
    rule = Candidate("deal", (90, 95), sents[2], 0.5)
    assert gated(TEXT, sents, [rule])[0] == sents[2]
    det = FixedDetector({})
    assert gated(TEXT, sents, [rule], det) == [sents[0]]  # no deal veto shipped: only the launch-hinted one
    assert type_score({"deal": 0.2, "acquisition": 0.7}, "deal") == 0.7


def test_the_shipped_head_tells_launches_from_other_company_news() -> None:
    """Sentences written for this test: a launch said without a trigger word and a planned one read as launches;
    a results line and a probe 'launched' do not."""
    det = EventTypeDetector()
    probs = det.predict(["Halden Tools will start selling a cordless drill in Brazil this spring.",
                         "Tarsa Motors is expected to show its first electric van at the Paris show next month.",
                         "Halden Tools reported a 9% fall in quarterly profit on weaker demand.",
                         "Regulators launched an inquiry into Tarsa Motors' emissions tests."])
    launch = np.array([p["product_launch"] for p in probs])
    assert launch[1] > 0.5 and min(launch[:2]) > max(launch[2:])
    assert launch[2] < 0.2 and launch[3] < 0.2
