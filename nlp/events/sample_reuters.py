"""The Reuters development sample: ``python -m nlp.events.sample_reuters [--check]``.

Reuters-21578 files ``reut2-009.sgm`` .. ``reut2-016.sgm`` only (000-008 and 017-020 hold the two
test sets). Each article body is cut into sentences by a plain rule (end mark, space, capital;
common abbreviations kept whole), and sentences are drawn with a fixed seed from seven pools:
one per event type, of sentences holding a broad keyword for it (a superset of the trigger words in
:mod:`nlp.events.rules`, frozen here so that the sample does not move when the rules do, and wide
enough to show what the triggers miss), plus one pool of any sentence, for plain negatives; then ten
more per type from a narrower pool (``STRONG_POOLS``: the keyword next to a title or an action verb),
where events are more likely.

The labels in ``nlp/events/data/reuters_dev.jsonl`` were given by hand, one by one, to this
sample (240 sentences, 62 with an event); the file keeps only ``file``, ``newid``, ``start``, ``end``
(offsets into the body as :func:`reuters_body` computes it) and ``types``. The text is read here, by
path, from the shared data folder (``../shared/data`` or ``$NEWSWATCH_SHARED_DATA``). Printing the
sample shows the text for labelling; ``--check`` says whether the labelled file still matches it.

Labelling guideline (the conventions of the earlier sets, written down). A sentence gets a type
when it reports an event of that type as done, under way, or announced or scheduled by whoever acts
("will visit", "said it would impose", "the tariffs are to be imposed"), also in passing ("the
sanctions Reagan imposed", "a contract awarded last year", "in time for his visit to Washington").
It does not when the event is only wished for, urged, proposed, threatened, expected by others,
conditional or denied ("we want to lift the sanctions", "likely to announce tariffs", "if the U.S.
imposes"), nor when a measure or agreement is only named, with nobody acting on it.

- product_launch: a company launches, introduces, unveils or starts selling a product or service
  (a computer, a cigarette brand, a bond index, a mortgage loan, an aircraft programme). Not the
  launch of securities, offers, tenders, plans, investigations, nor figures or reports released.
- official_visit: a government official, head of state or official delegation (a World Bank
  mission too) travels somewhere, said with a travel word (visit, trip, tour, "visiting X").
  Talks or meetings alone are not visits; business people's trips are not official visits.
- deal: an agreement between parties reached, signed, awarded or announced: contracts, orders,
  acquisitions, mergers, agreed (recommended) takeover offers, stake purchases, joint ventures,
  licence deals, loans and debt refinancing agreed with lenders. Not trading on a market
  (commodities, currencies, bonds, a firm buying back its shares), unsolicited offers, or talks.
- export_control: a government restricting, licensing, banning or embargoing exports of goods or
  technology (computers, strategic goods, energy; a national export quota or ban). Not the export
  licences and rebates handed out at EC commodity tenders (grain, sugar), nor the export quotas of
  commodity agreements (coffee), nor export subsidies: those manage a market, they control nothing.
- sanction: punitive measures against a country, firm or person (embargoes, asset freezes, trade
  sanctions) imposed, announced, extended or lifted. "Trade sanctions" on a country's goods (the
  1987 U.S. tariffs on Japanese electronics) are both sanction and trade_measure.
- trade_measure: tariffs, duties, import quotas, bans or taxes, retaliatory trade action and
  trade-remedy (anti-dumping) investigations, imposed, announced, scheduled, changed or lifted.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
from pathlib import Path

DEV_FILES = tuple(f"reut2-{i:03d}.sgm" for i in range(9, 17))
REUTERS_DEV_PATH = Path(__file__).resolve().parent / "data" / "reuters_dev.jsonl"
SEED = 20261125
PER_POOL = 25
PER_STRONG_POOL = 10
RANDOM_NEGATIVES = 30

_DOC_RE = re.compile(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_DATE_RE = re.compile(r"<DATE>\s*(\d+)-([A-Z]{3})-(\d{4})")
_MON = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
_END_RE = re.compile(r"[.!?][\"']?\s+(?=[\"'(<]?[A-Z])")
_ABBREV_RE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Col|Lt|Co|Corp|Inc|Ltd|Bros|Jr|Sr|St|No|Nos|vs|"
                        r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|U\.S|U\.K|U\.N|E\.C)|\b[A-Z])\.[\"']?\s+$")

# Broad keywords per type (frozen for the sample; not the extraction rules).
POOLS: dict[str, re.Pattern[str]] = {
    "product_launch": re.compile(r"\b(?:launch\w*|unveil\w*|introduc\w*|debut\w*|releas\w*|roll(?:ed|s|ing)?\s+out|"
                                 r"on\s+sale|new\s+products?|began\s+selling|market(?:ing)?\s+a\s+new)\b", re.I),
    "official_visit": re.compile(r"\b(?:visit\w*|tour\w*|trip|arriv\w*|travel\w*|flew\s+to|met\s+with|"
                                 r"talks\s+with|delegation)\b", re.I),
    "deal": re.compile(r"\b(?:sign\w*|agree(?:d|s|ment)?|contracts?|orders?|acqui\w*|buy\w*|bought|purchas\w*|"
                       r"merger|merge|takeover|stake|joint\s+venture|invest\w*)\b", re.I),
    "export_control": re.compile(r"\b(?:export\s+(?:licen[cs]\w*|controls?|bans?|restrictions?|curbs?|permits?|"
                                 r"quotas?|embargo)|embargo\w*|cocom|technology\s+transfer|high[- ]tech\w*\s+exports?|"
                                 r"(?:ban|restrict|halt|curb|block|suspend)\w*\s+(?:the\s+)?(?:exports?|sales?|"
                                 r"shipments?))\b", re.I),
    "sanction": re.compile(r"\b(?:sanction\w*|embargo\w*|blacklist\w*|freez\w*\s+(?:of\s+)?(?:the\s+)?assets|"
                           r"froze|boycott\w*)\b", re.I),
    "trade_measure": re.compile(r"\b(?:tariffs?|dut(?:y|ies)|quotas?|import\s+(?:bans?|curbs?|restrictions?|"
                                r"licen[cs]\w*|controls?)|dumping|protectionis\w*|retaliat\w*|section\s+301|"
                                r"surcharges?|levy|levies)\b", re.I),
}

# Narrower second pools, drawn after the first ones, where the type is more likely reported as done.
_ACT = r"(?:impos\w*|lift\w*|announc\w*|eas(?:e|ed|es|ing)|tighten\w*|rais\w*|cut|introduc\w*|extend\w*)"
_TITLE = r"(?:Minister|President|Secretary|Premier|Chancellor|Ambassador|officials?|delegation|King|Prince)"
STRONG_POOLS: dict[str, re.Pattern[str]] = {
    "product_launch": re.compile(r"\b(?:introduc|launch|unveil|roll)\w*\s+(?:out\s+)?(?:(?:a|an|its|the)\s+)?"
                                 r"(?:\w+\s+)?new\b", re.I),
    "official_visit": re.compile(rf"(?=.*\b{_TITLE}\b)(?=.*\b(?:visit(?:s|ed|ing)?|trip\s+to|arrived\s+in|"
                                 r"tour(?:s|ed|ing)?)\b)", re.S),
    "deal": re.compile(r"\b(?:agreed\s+(?:in\s+principle\s+)?to\s+(?:buy|acquire|sell|merge|purchase)|signed|"
                       r"definitive\s+agreement|letter\s+of\s+intent|contract|completed\s+(?:the\s+)?"
                       r"(?:acquisition|purchase|sale))\b", re.I),
    "export_control": re.compile(r"\b(?:export\s+(?:licen[cs]\w*|controls?|bans?)|cocom|embargo\w*|"
                                 r"ban\w*\s+(?:on\s+)?(?:the\s+)?exports?)\b", re.I),
    "sanction": re.compile(rf"(?=.*\bsanctions?\b)(?=.*\b{_ACT}\b)", re.I | re.S),
    "trade_measure": re.compile(rf"(?=.*\b(?:tariffs?|dut(?:y|ies)|quotas?|import\s+bans?)\b)(?=.*\b{_ACT}\b)",
                                re.I | re.S),
}


def shared_data_dir() -> Path:
    """``../shared/data`` beside the project (or ``$NEWSWATCH_SHARED_DATA``)."""
    if os.environ.get("NEWSWATCH_SHARED_DATA"):
        return Path(os.environ["NEWSWATCH_SHARED_DATA"])
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        cand = base.parent / "shared" / "data"
        if cand.is_dir():
            return cand
    raise FileNotFoundError("shared evaluation data not found: put it at ../shared/data or set NEWSWATCH_SHARED_DATA")


def reuters_body(raw_doc: str) -> str:
    """The article body as the offsets count it: entities unescaped, \\x03 removed."""
    m = _BODY_RE.search(raw_doc)
    return html.unescape(m.group(1)).replace("\x03", "") if m else ""


def reuters_docs(folder: Path, wanted: set[tuple[str, str]] | None = None, files: tuple[str, ...] = ()
                 ) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(file, NEWID) -> (body, published date) for the wanted articles (or every article of ``files``)."""
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for fname in sorted({f for f, _ in wanted} if wanted is not None else set(files)):
        raw = (folder / fname).read_bytes().decode("latin-1")
        for m in _DOC_RE.finditer(raw):
            key = (fname, m.group(1))
            if wanted is None or key in wanted:
                d = _DATE_RE.search(m.group(2))
                pub = f"{d.group(3)}-{_MON[d.group(2)]:02d}-{int(d.group(1)):02d}" if d else None
                out[key] = (reuters_body(m.group(2)), pub)
    return out


def sentences(body: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a body, whitespace trimmed, the closing "Reuter" dropped."""
    cut = re.search(r"\s*\bReuter\s*$", body)
    limit = cut.start() if cut else len(body)
    spans, start = [], 0
    for m in _END_RE.finditer(body, 0, limit):
        if _ABBREV_RE.search(body[max(0, m.start() - 8):m.end()]):
            continue
        spans.append((start, m.start() + 1 + (body[m.start() + 1] in "\"'")))
        start = m.end()
    spans.append((start, limit))
    out = []
    for s, e in spans:
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sample(folder: Path | None = None) -> list[dict[str, object]]:
    """The development sample, in a fixed order: ``{"file", "newid", "start", "end", "pool", "text"}``."""
    docs = reuters_docs(folder or shared_data_dir() / "corpus-reuters", files=DEV_FILES)
    seen: set[str] = set()
    cands: list[dict[str, object]] = []
    for (fname, newid), (body, _) in sorted(docs.items(), key=lambda kv: (kv[0][0], int(kv[0][1]))):
        for s, e in sentences(body):
            text = body[s:e]
            key = " ".join(text.split()).lower()
            if not 40 <= len(text) <= 400 or key in seen:
                continue
            seen.add(key)
            cands.append({"file": fname, "newid": newid, "start": s, "end": e, "text": text})
    rng = random.Random(SEED)
    chosen: list[dict[str, object]] = []
    taken: set[tuple[object, object, object]] = set()
    per_doc: dict[tuple[object, object], int] = {}

    def take(pool: list[dict[str, object]], n: int, name: str) -> None:
        for c in rng.sample(pool, len(pool)):
            if n == 0:
                break
            k, d = (c["file"], c["newid"], c["start"]), (c["file"], c["newid"])
            if k in taken or per_doc.get(d, 0) >= 2:
                continue
            taken.add(k)
            per_doc[d] = per_doc.get(d, 0) + 1
            chosen.append({**c, "pool": name})
            n -= 1

    for name, rx in POOLS.items():
        take([c for c in cands if rx.search(str(c["text"]))], PER_POOL, name)
    take(cands, RANDOM_NEGATIVES, "random")
    for name, rx in STRONG_POOLS.items():
        take([c for c in cands if rx.search(str(c["text"]))], PER_STRONG_POOL, f"{name}+")
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare the labelled file with the sample")
    args = ap.parse_args()
    rows = sample()
    if args.check:
        labelled = [json.loads(x) for x in REUTERS_DEV_PATH.read_text(encoding="utf-8").splitlines() if x.strip()]
        want = [(r["file"], str(r["newid"]), r["start"], r["end"]) for r in rows]
        have = [(r["file"], str(r["newid"]), r["start"], r["end"]) for r in labelled]
        print("labelled file matches the sample" if want == have else
              f"labelled file differs from the sample ({len(have)} labelled, {len(want)} sampled)")
        raise SystemExit(0 if want == have else 1)
    for i, r in enumerate(rows):
        print(json.dumps({"i": i, **r}, ensure_ascii=False))


if __name__ == "__main__":
    main()
