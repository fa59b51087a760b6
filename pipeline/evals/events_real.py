"""events-real-dev scoring for ``newswatch eval events``: visits, actions and links on restated real news.

The set (``../shared/data/events-real-dev``, read by path) has 70 pages of 23 real cases plus 12
negative pages, each with labelled events and ``[action, visit]`` links. Every page goes through
``analyze`` with its own publication date. The split is fixed by case number: odd cases (and odd
negative pages) are the tuning half, even ones the held-out half; both are printed side by side so a
change that helps one half and hurts the other shows.

Measures (all on gold events of any status, since planned visits are labelled too):

- visit recall: a gold ``official_visit`` is found when a predicted visit on the page names the same
  visitor (surname match, one predicted visit per gold visit);
- action recall: a gold non-visit event is found when a predicted non-visit event names its actor
  (or counterparty) by name or by country code;
- link recall: a gold link is found when a predicted link joins the event matched to its action and a
  visit naming its visitor;
- false-link pages: pages with no gold link that get any link;
- per-type precision/recall: a predicted event of type T is right when it matches a gold event of
  type T on the page (same evidence sentence, or the same actor named).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.analyzer import Analyzer
from nlp.events.countries import code_for
from nlp.events.rules import EVENT_TYPES
from pipeline.benches.common import shared_data_dir

ACTION_ROLES = ("company", "agency", "counterparty", "depicted", "seller", "target")
_STOP = {"the", "of", "and", "mr", "mrs", "ms", "president", "prime", "minister", "king", "queen", "crown",
         "prince", "premier", "vice", "chancellor", "secretary", "co", "inc", "ltd", "corp", "group", "company"}


def dev_path() -> Path:
    return shared_data_dir() / "events-real-dev" / "pages.jsonl"


def load_pages(path: Path | None = None) -> list[dict[str, Any]]:
    p = path or dev_path()
    pages = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                pages.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{p}:{n}: not JSON: {exc}") from exc
    return pages


def half(page: dict[str, Any]) -> str:
    """``tune`` for odd case numbers (and odd negative pages), ``held-out`` for even ones (fixed)."""
    n = page.get("case")
    if n is None:
        m = re.search(r"(\d+)$", str(page["page_id"]))
        n = int(m.group(1)) if m else 0
    return "tune" if int(n) % 2 else "held-out"


def _tokens(s: str | None) -> set[str]:
    s = re.sub(r"(?:'s|’s)\b", "", (s or "").lower()).replace(".", "")
    return {w for w in re.findall(r"[\w-]+", s) if len(w) > 1 and w not in _STOP}


def names_match(gold: str | None, pred: str | None) -> bool:
    """Same name: the gold name's last significant word is among the predicted words, or vice versa."""
    g, p = _tokens(gold), _tokens(pred)
    if not g or not p:
        return False
    gl = [w for w in re.findall(r"[\w-]+", re.sub(r"(?:'s|’s)\b", "", (gold or "").lower()).replace(".", ""))
          if w in g]
    pl = [w for w in re.findall(r"[\w-]+", re.sub(r"(?:'s|’s)\b", "", (pred or "").lower()).replace(".", ""))
          if w in p]
    if (bool(gl) and gl[-1] in p) or (bool(pl) and pl[-1] in g):
        return True
    gc = code_for(strip_article(gold))
    return gc is not None and gc == code_for(strip_article(pred))  # "China" is named by "Chinese", "Beijing"


def strip_article(name: str | None) -> str:
    return re.sub(r"^(?:the|The)\s+", "", re.sub(r"(?:'s|’s)$", "", (name or "").strip()))


def _actor_texts(ev: dict[str, Any], roles: Iterable[str]) -> list[dict[str, Any]]:
    return [a for a in ev.get("actors") or [] if a.get("role") in roles]


def _visitor_matches(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    return any(names_match(gold.get("visitor") or gold.get("actor"), a.get("text"))
               or names_match(gold.get("actor"), a.get("text")) for a in _actor_texts(pred, ("visitor",)))


def _action_matches(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    for a in _actor_texts(pred, ACTION_ROLES):
        for name in (gold.get("actor"), gold.get("counterparty")):
            if names_match(name, a.get("text")):
                return True
    return False


def _span(text: str, evidence: str) -> tuple[int, int]:
    i = text.find(evidence)
    return (i, i + len(evidence)) if i >= 0 else (-1, -1)


def _overlaps(a: tuple[int, int], b: dict[str, Any]) -> bool:
    return a[0] >= 0 and a[0] < int(b["end"]) and int(b["start"]) < a[1]


def _assign(golds: list[int], preds: list[int], ok: Callable[[int, int], bool]) -> dict[int, int]:
    """Greedy one-to-one matching: gold index -> predicted index."""
    used: set[int] = set()
    out: dict[int, int] = {}
    for g in golds:
        for p in preds:
            if p not in used and ok(g, p):
                out[g] = p
                used.add(p)
                break
    return out


@dataclass
class Tally:
    visits: list[int] = field(default_factory=lambda: [0, 0])  # found, total
    actions: list[int] = field(default_factory=lambda: [0, 0])
    links: list[int] = field(default_factory=lambda: [0, 0])
    no_link_pages: list[int] = field(default_factory=lambda: [0, 0])  # with a predicted link, total
    types: dict[str, list[int]] = field(default_factory=dict)  # type -> [tp, fp, fn]
    misses: list[str] = field(default_factory=list)

    def rate(self, name: str) -> float | None:
        found, total = getattr(self, name)
        return found / total if total else None


def score_page(page: dict[str, Any], answer: dict[str, Any], tally: Tally) -> None:
    text = page["text"]
    gold = page["events"]
    pred = answer.get("events") or []
    gv = [i for i, e in enumerate(gold) if e["type"] == "official_visit"]
    ga = [i for i, e in enumerate(gold) if e["type"] != "official_visit"]
    pv = [i for i, e in enumerate(pred) if e["type"] == "official_visit"]
    pa = [i for i, e in enumerate(pred) if e["type"] != "official_visit"]
    vmatch = _assign(gv, pv, lambda g, p: _visitor_matches(gold[g], pred[p]))
    amatch = _assign(ga, pa, lambda g, p: _action_matches(gold[g], pred[p]))
    tally.visits[0] += len(vmatch)
    tally.visits[1] += len(gv)
    tally.actions[0] += len(amatch)
    tally.actions[1] += len(ga)
    for g in gv:
        if g not in vmatch:
            tally.misses.append(f"{page['page_id']}: visit of {gold[g].get('visitor')} not found")
    for g in ga:
        if g not in amatch:
            tally.misses.append(f"{page['page_id']}: {gold[g]['type']} by {gold[g].get('actor')} not found")
    ids = [e["id"] for e in pred]
    links = {frozenset(lk["events"]) for lk in answer.get("links") or []}
    for a, v in page["links"]:
        tally.links[1] += 1
        pa_id = ids[amatch[a]] if a in amatch else None
        ok = pa_id is not None and any(
            frozenset((pa_id, ids[p])) in links and _visitor_matches(gold[v], pred[p]) for p in pv)
        tally.links[0] += ok
        if not ok:
            tally.misses.append(f"{page['page_id']}: link {gold[a]['type']} by {gold[a].get('actor')} ~ visit of "
                                f"{gold[v].get('visitor')} not found")
    if not page["links"]:
        tally.no_link_pages[1] += 1
        if links:
            tally.no_link_pages[0] += 1
            tally.misses.append(f"{page['page_id']}: {len(links)} link(s) on a page with no gold link")
    for t in EVENT_TYPES:
        gi = [i for i, e in enumerate(gold) if e["type"] == t]
        pi = [i for i, e in enumerate(pred) if e["type"] == t]
        if not gi and not pi:
            continue

        m = _assign(gi, pi, lambda g, p: _same_event(text, gold[g], pred[p]))
        c = tally.types.setdefault(t, [0, 0, 0])
        c[0] += len(m)
        c[1] += len(pi) - len(m)
        c[2] += len(gi) - len(m)


def _same_event(text: str, gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    if _overlaps(_span(text, gold["evidence"]), pred["evidence"]):
        return True
    return _visitor_matches(gold, pred) if gold["type"] == "official_visit" else _action_matches(gold, pred)


def analyze_pages(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    analyzer = Analyzer([])
    reqs = [{"id": p["page_id"], "text": p["text"], "published_at": p.get("published"), "lang": "en"} for p in pages]
    return list(analyzer.analyze_batch(reqs))


def evaluate(pages: list[dict[str, Any]], answers: list[dict[str, Any]]) -> dict[str, Tally]:
    out = {"tune": Tally(), "held-out": Tally()}
    for page, ans in zip(pages, answers, strict=True):
        score_page(page, ans, out[half(page)])
    return out


GOALS = {"visits": ">= 0.90", "actions": ">= 0.85", "links": ">= 0.80", "no_link_pages": "<= 1 of 32"}


def _f(x: float | None) -> str:
    return "    -" if x is None else f"{x:5.2f}"


def report(tallies: dict[str, Tally], show_misses: bool = False) -> list[str]:
    t, h = tallies["tune"], tallies["held-out"]
    lines = ["", "events-real-dev: tune half (odd cases) vs held-out half (even cases), analyze with each page's date",
             f"{'measure':<34} {'tune':>12} {'held-out':>12} {'all':>12}   goal"]
    for name, label in (("visits", "visits found (visitor named)"), ("actions", "actions found (actor named)"),
                        ("links", "links found (visitor named)")):
        a, b = getattr(t, name), getattr(h, name)
        tot = [a[0] + b[0], a[1] + b[1]]
        cells = [f"{_f(x[0] / x[1] if x[1] else None)} {x[0]:>2}/{x[1]:<3}" for x in (a, b, tot)]
        lines.append(f"{label:<34} {cells[0]:>12} {cells[1]:>12} {cells[2]:>12}   {GOALS[name]}")
    a, b = t.no_link_pages, h.no_link_pages
    lines.append(f"{'pages with no gold link, linked':<34} {a[0]:>8}/{a[1]:<3} {b[0]:>8}/{b[1]:<3} "
                 f"{a[0] + b[0]:>8}/{a[1] + b[1]:<3}   {GOALS['no_link_pages']}")
    lines.append(f"\n{'type':<16} {'tune P':>6} {'R':>5} {'n':>3}   {'held-out P':>10} {'R':>5} {'n':>3}")
    for ty in EVENT_TYPES:
        if ty not in t.types and ty not in h.types:
            continue
        row = f"{ty:<16}"
        for tl, w in ((t, 6), (h, 10)):
            tp, fp, fn = tl.types.get(ty, [0, 0, 0])
            row += f" {_f(tp / (tp + fp) if tp + fp else None):>{w}} {_f(tp / (tp + fn) if tp + fn else None)} " \
                   f"{tp + fn:>3}  "
        lines.append(row)
    if show_misses:
        lines.append("\nmisses on the tune half:")
        lines.extend(f"  {m}" for m in t.misses)
    return lines


def rows(tallies: dict[str, Tally]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for part, tl in tallies.items():
        for name in ("visits", "actions", "links", "no_link_pages"):
            found, total = getattr(tl, name)
            out.append({"set": "events-real-dev", "half": part, "measure": name, "count": found, "total": total,
                        "rate": found / total if total else None})
        for ty, (tp, fp, fn) in tl.types.items():
            out.append({"set": "events-real-dev", "half": part, "type": ty, "tp": tp, "fp": fp, "fn": fn})
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.evals.events_real [--misses]``: this part of ``eval events`` alone (for error analysis:
    ``--misses`` lists what the tune half misses, never the held-out half)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.evals.events_real")
    ap.add_argument("--misses", action="store_true", help="list the tune half's misses")
    args = ap.parse_args(argv)
    pages = load_pages()
    print("\n".join(report(evaluate(pages, analyze_pages(pages)), args.misses)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
