"""How a link is encoded for storage: its id, its 64-bit key, its ``link:`` search terms and its SQLite row.

Shared by the store's own ``add_links`` and by :mod:`storage.link_writer`, which stores links from a
second thread while the correlator keeps pairing, so both write exactly the same rows. The correlator
builds its links with :func:`co_timed_link`, which works out the row while the parts are at hand
(:class:`EncodedLink`); any other link dict is encoded by :func:`link_fields`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from typing import Any

import orjson

SEP = "\x1f"  # between a link's entities in the ``entities`` column (SQLite)
LINK_KEYS = frozenset({"id", "type", "events", "gap_days", "entities", "score", "explanation", "rule",
                       "created_at"})
# the SQLite ``links`` columns; :func:`link_fields` gives them but ``lseq`` and ``created_at``, then ``h`` and ``terms``
SQLITE_LINK_COLUMNS = ("lseq", "lid", "created_at", "rule", "score", "data", "doc_a", "doc_b", "key_a", "key_b",
                       "type_a", "type_b", "gap_days", "entities", "explanation")
LINK_FIELDS_WIDTH = len(SQLITE_LINK_COLUMNS)  # link_fields: the row without lseq and created_at, with h and terms


def link_id(rule: str, keys: Iterable[str]) -> str:
    """Stable id of a link: the same pair under the same rule is one link, however often it is found."""
    if type(keys) is tuple and len(keys) == 2:  # the correlator's (two happenings): the same text, sooner
        a, b = keys
        text = f"{rule}|{a}|{b}" if a <= b else f"{rule}|{b}|{a}"
    else:
        text = "|".join([rule, *sorted(keys)])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def lid_number(lid: str) -> int:
    """A link id as the signed 64-bit key of ``link_ids``: its 16 hex digits are exactly that (other ids,
    e.g. written by hand, are hashed), and an integer key keeps the uniqueness check's B-tree small."""
    try:
        n = int(lid, 16) if len(lid) == 16 else None
    except ValueError:
        n = None
    if n is None:
        return int.from_bytes(hashlib.blake2b(lid.encode("utf-8"), digest_size=8).digest(), "big", signed=True)
    return n - (1 << 64) if n >= 1 << 63 else n


def dumps(obj: Any) -> str:
    """Compact JSON text (orjson: the correlator writes links by the ten thousand)."""
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


@functools.lru_cache(maxsize=100_000)  # rules, event types and entity ids recur link after link
def link_term(key: str) -> str:
    """The FTS5 token standing for a name a ``link:`` filter can use (link id, rule, event type, entity
    id): a hash, so ids with punctuation or any script stay one token for the tokenizer."""
    return "k" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def lid_term(number: int) -> str:
    """The FTS5 token of a link id, from its :func:`lid_number` (cheaper than hashing it again)."""
    return f"l{number & 0xFFFFFFFFFFFFFFFF:016x}"


def terms_query(keys: list[str]) -> str:
    """FTS5 query matching links named by any of ``keys`` (each may be a link id or another name)."""
    return " OR ".join(sorted({link_term(k) for k in keys} | {lid_term(lid_number(k)) for k in keys}))


def stored_links(links: list[dict[str, Any]]) -> list[str]:
    """Links as stored in JSON: their events by id, type and document only (the rest is the events' own,
    and the store's ``links()`` reads it back), so ten thousand links write half the bytes. An event
    shared by several links (the correlator hands over one entry object per event) is encoded once."""
    encoded: dict[int, orjson.Fragment] = {}
    out = []
    for link in links:
        events = []
        for e in link["events"]:
            frag = encoded.get(id(e))
            if frag is None:
                frag = encoded[id(e)] = orjson.Fragment(orjson.dumps(
                    {"id": e["id"], "type": e.get("type"), "doc_id": e["doc_id"]}))
            events.append(frag)
        out.append(dumps({**link, "events": events}))
    return out


@functools.lru_cache(maxsize=10_000)  # few (rule, type, type) triples, and one in every link
def _pair_terms(rule: str, type_a: Any, type_b: Any) -> str:
    return " ".join([link_term(rule), link_term(str(type_a)), link_term(str(type_b))])


def link_fields(link: dict[str, Any]) -> tuple[Any, ...]:
    """A link's SQLite row: the ``links`` columns of :data:`SQLITE_LINK_COLUMNS` but ``lseq`` and
    ``created_at`` (the SQL adds those), then its ``link_ids`` key and its ``link_terms`` text. A correlator
    link becomes columns, any other shape keeps its JSON in ``data``. An :class:`EncodedLink` carries
    them already; any other dict is worked out here."""
    if type(link) is EncodedLink:
        return link.fields
    lid = link["id"]
    h = lid_number(lid)
    rule = str(link.get("rule") or "")
    ea, eb = link["events"]
    type_a, type_b = ea.get("type"), eb.get("type")
    ents = link.get("entities") or []
    try:
        joined = SEP.join(ents)
    except TypeError:  # not all strings
        ents = [str(e) for e in ents]
        joined = SEP.join(ents)
    as_columns = (link.get("type") == "co_timed" and link.keys() <= LINK_KEYS and "" not in ents
                  and (not ents or joined.count(SEP) == len(ents) - 1))
    return (lid, rule, float(link["score"]), None if as_columns else stored_links([link])[0],
            str(ea["doc_id"]), str(eb["doc_id"]), ea["id"], eb["id"], type_a, type_b,
            link.get("gap_days"), joined, link.get("explanation"),
            h, " ".join([lid_term(h), _pair_terms(rule, type_a, type_b), *map(link_term, ents)]))


class EncodedLink(dict[str, Any]):
    """A correlator link (the ``links --json`` shape, a dict like any other) that carries its storage
    fields (:func:`link_fields`), worked out by :func:`co_timed_link` while its parts are at hand.

    The correlator builds tens of thousands a run; reading the parts back out of each dict to encode
    it cost as much again as building it. Treat one as read-only: the fields are not recomputed."""

    __slots__ = ("fields",)
    fields: tuple[Any, ...]


def co_timed_link(lid: str, rule: str, score: float, gap: float, entities: list[str], explanation: str,
                  first: tuple[dict[str, Any], str, str, str], second: tuple[dict[str, Any], str, str, str]
                  ) -> EncodedLink:
    """The stored shape of a ``co_timed`` link between two events, the earlier first; each event is given
    as (its ``events`` entry, document id, event key, type). ``lid`` is a :func:`link_id`; ``entities``
    are non-empty strings."""
    entry_a, doc_a, key_a, type_a = first
    entry_b, doc_b, key_b, type_b = second
    link = EncodedLink(id=lid, type="co_timed", events=[entry_a, entry_b], gap_days=gap, entities=entities,
                       score=score, explanation=explanation, rule=rule)
    joined = SEP.join(entities)
    if "" in entities or joined.count(SEP) != max(0, len(entities) - 1):
        link.fields = link_fields(dict(link))  # names the columns cannot hold apart: kept as JSON
        return link
    h = lid_number(lid)
    link.fields = (lid, rule, score, None, doc_a, doc_b, key_a, key_b, type_a, type_b, gap, joined, explanation,
                   h, " ".join([lid_term(h), _pair_terms(rule, type_a, type_b), *map(link_term, entities)]))
    return link
