"""Quote extraction: direct and indirect quotes, speakers resolved to their first full name.

Rule-based over ``doc.text`` with the entities as evidence for names; sets ``doc._.quotes`` to a
list of ``storage.models.Quote`` (stance is filled in later by the analyzer). Works without a
parser: sentences come from ``doc.sents`` when set, else from a small rule splitter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.canonical import GENERIC_HEADS
from nlp.speaker_roles import role_phrase
from nlp.watchlist import TITLES
from storage.models import Quote, Speaker

COMPONENT_VERSION = "1.1"  # 1.1: family-name-first speakers; the subject of a quote that names nobody

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĖĘĚĜĞĠĢĤĦĨĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_CAP = rf"[{_UP}][\w'’-]*"
_ABBR = r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Col|Capt|Sr|Sra|St)\."
_PARTICLE = r"(?:de|da|do|dos|das|du|van|von|der|den|del|della|la|le|bin|al|ter)"
_NAME = rf"(?:{_ABBR}\s+)?{_CAP}(?:\s+(?:{_PARTICLE}\s+)?{_CAP}){{0,4}}"
_PRONOUN = r"(?:he|she|they|He|She|They)"
_VERB = (
    r"(?:said|says|say|added|adds|told|tells|stated|states|noted|notes|argued|argues|warned|warns|"
    r"explained|explains|wrote|writes|insisted|insists|claimed|claims|asked|asks|replied|replies|"
    r"remarked|commented|declared|cautioned|cautions|acknowledged|conceded|predicted|predicts|"
    r"estimated|estimates|believes|believed|stressed|stresses|emphasised|emphasized|observed)"
)

# Other languages' reporting verbs and "according to" words (French, German, Spanish, Portuguese, Italian).
_VERB_INTL = (
    r"(?:a\s+(?:déclaré|affirmé|dit|expliqué|indiqué|souligné|assuré|lancé|ajouté|estimé|précisé|confié|averti|"
    r"reconnu|annoncé|martelé|insisté|répondu|jugé|regretté)|(?:a|ont)\s+(?:déclaré|dit)|"
    r"déclare|affirme|explique|estime|reconnaît|souligne|ajoute|assure|précise|"
    r"sagte|sagt|erklärte|erklärt|betonte|betont|kritisierte|meinte|meint|warnte|fügte\s+hinzu|"
    r"dijo|afirmó|declaró|explicó|señaló|disse|afirmou|declarou|ha\s+detto|ha\s+dichiarato)"
)
_VERB_MORE = r"(?:quipped|admitted|announced|recalled|conceded|urged|vowed|boasted|complained|added)"
_ANY_VERB = rf"(?:{_VERB}|{_VERB_MORE}|{_VERB_INTL})"
_ACCORDING = r"(?:[Aa]ccording\s+to|[Ss]elon|[Ll]aut|[Ss]egún|[Ss]egundo|[Ss]econdo)"
# A run of words before or after a reporting verb where a speaker with a role may stand
# ("analyst Tom Hale of Kestrel Research", "Maria Okafor, chief economist at Brightwater Bank").
_RUN = rf"(?:{_ABBR}|[^\n.;:!?\"“”«»„])"
_AFTER_VERB_RUN = re.compile(rf"^\s*,?\s*(?:{_ANY_VERB}|{_ACCORDING})\s+(?P<run>{_RUN}{{1,100}})")
_AFTER_RUN_VERB = re.compile(rf"^\s*,?\s*(?P<run>{_RUN}{{1,140}}?)\s+{_ANY_VERB}(?!\w)")
_BEFORE_RUN = re.compile(
    rf"(?:^|[.!?]\s+|\n)(?P<run>{_RUN}{{1,140}}?)\s+{_ANY_VERB}(?:\s+[\w'’.-]+){{0,3}}?\s*[:,]\s*$"
)
_BEFORE_ACCORDING = re.compile(rf"{_ACCORDING}\s+(?P<run>{_RUN}{{1,100}}?)\s*,?\s*$")

_OF_ORG = rf"(?:\s+(?:of|at|from)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}){{0,4}})?"
_DIRECT = re.compile(r'"(?P<a>[^"\n]+)"|“(?P<b>[^”]+)”|«\s*(?P<c>[^»]+?)\s*»|„(?P<d>[^“”]+)[“”]')
_AFTER_VERB_NAME = re.compile(rf"^\s*,?\s*{_VERB}\s+(?P<name>{_NAME}|{_PRONOUN})")
_AFTER_NAME_VERB = re.compile(rf"^\s*,?\s*(?P<name>{_NAME}|{_PRONOUN}){_OF_ORG}\s+{_VERB}\b")
_BEFORE = re.compile(rf"(?P<name>{_NAME}|{_PRONOUN}){_OF_ORG}\s+{_VERB}(?:\s+[\w'’.-]+){{0,4}}?\s*[:,]\s*$")
_INDIRECT_SAID = re.compile(
    rf"(?P<name>{_NAME}|{_PRONOUN})(?:,[^,]{{1,80}},|{_OF_ORG})\s+{_VERB}(?:\s+(?:on|in)\s+\w+)?\s+that\s+(?P<content>\S.*?)[.!?]*\s*$",
    re.DOTALL,
)
_BODY = rf"(?:the\s+)?{_NAME}|the\s+(?:{'|'.join(sorted(GENERIC_HEADS))})\b"  # "the ministry" (an ORG by then)
_ACCORDING_FIRST = re.compile(
    rf"^\s*[Aa]ccording to (?P<name>{_BODY})(?:,[^,]{{1,80}})?,\s+(?P<content>\S.*?)[.!?]*\s*$", re.DOTALL
)
_ACCORDING_LAST = re.compile(
    rf"^\s*(?P<content>\S.*?),\s+according to (?P<name>{_BODY})\b.*$", re.DOTALL
)
_AFFILIATION = re.compile(
    rf"\s*,\s*(?:(?:an?|the)\s+)?(?P<role>[^,;:\"“”.()]{{1,60}}?)\s+(?:at|of|with|for|from)\s+"
    rf"(?P<org>(?:the\s+)?{_CAP}(?:\s+(?:(?:of|for|and|&)\s+)?{_CAP}){{0,5}})"
    r"|\s+(?:of|at|from)\s+"
    rf"(?P<org2>(?:the\s+)?{_CAP}(?:\s+(?:(?:of|for|and|&)\s+)?{_CAP}){{0,5}})"
)
_SENT_END = re.compile(r"[.!?]+[\"”’)]*\s+|\n\s*\n")
_ABBREVIATIONS = {"mr", "mrs", "ms", "mx", "dr", "prof", "sen", "rep", "gov", "gen", "col", "capt", "st", "sr",
                  "sra", "jr", "inc", "co", "corp", "ltd", "no", "vs", "u.s", "e.g", "i.e"}
_PRONOUNS = {"he", "she", "they"}
_NOT_NAME_WORDS = frozenset("Laut Selon According Según Segundo Secondo Said Says The Le La Der Die".split())


def text_of(doc: Doc, start: int, end: int) -> str:
    return str(doc.text[start:end])


def _clean_speaker(speaker: Speaker | None) -> Speaker | None:
    """A speaker's name without a leading "according to" word the NER model took into the name."""
    if speaker is None:
        return None
    words = speaker.text.split()
    while len(words) > 1 and words[0] in _NOT_NAME_WORDS:
        words = words[1:]
    return Speaker(" ".join(words), speaker.entity_id, speaker.affiliation)


@dataclass
class _Person:
    full: str
    entity_id: str | None
    affiliation: str | None = None


def _ents(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents`` computed once per call of the component (the property walks every token)."""
    cached = doc.user_data.get("_newswatch_quote_ents")
    return cached if cached is not None else tuple(doc.ents)


def _strip_titles(name: str) -> list[str]:
    words = name.split()
    while len(words) > 1 and words[0].strip(".").casefold() in TITLES:
        words = words[1:]
    return words


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Character bounds of sentences: the doc's own when set, else a rule splitter."""
    if doc.has_annotation("SENT_START"):
        return [(s.start_char, s.end_char) for s in doc.sents]
    text = doc.text
    bounds = []
    start = 0
    for m in _SENT_END.finditer(text):
        word = re.search(r"([\w.]+)[.!?]+[\"”’)]*\s*$", text[max(start, m.start() - 20) : m.end()])
        if word and word.group(1).casefold().rstrip(".") in _ABBREVIATIONS and "\n" not in m.group():
            continue
        end = m.end() - (len(m.group()) - len(m.group().rstrip()))
        if text[start:end].strip():
            bounds.append((start, end))
        start = m.end()
    if text[start:].strip():
        bounds.append((start, len(text.rstrip())))
    return bounds


class QuoteExtractor:
    def __init__(self, nlp: Language, name: str, min_words: int) -> None:
        self.name = name
        self.min_words = min_words

    # -- people -----------------------------------------------------------------------------
    def _people(self, doc: Doc) -> tuple[list[tuple[Span, _Person]], dict[str, _Person]]:
        """Each PERSON mention with the person it refers to, and people by surname (last full mention)."""
        by_id: dict[str, _Person] = {}
        by_surname: dict[str, _Person] = {}
        family_first: dict[str, _Person] = {}  # "Chen Wei" is "Mr. Chen": the family name may come first
        mentions: list[tuple[Span, _Person]] = []
        for ent in _ents(doc):
            if ent.label_ != "PERSON":
                continue
            entity_id = ent._.entity_id
            words = _strip_titles(ent.text)
            person: _Person | None = None
            if entity_id and entity_id in by_id:
                person = by_id[entity_id]
            elif len(words) >= 2:
                person = _Person(" ".join(words), entity_id)
            elif words and words[-1].casefold() in by_surname:
                person = by_surname[words[-1].casefold()]
            elif words and words[-1].casefold() in family_first:
                person = family_first[words[-1].casefold()]
            elif entity_id:
                person = _Person(ent._.canonical or " ".join(words), entity_id)
            if person is None:
                continue
            if entity_id and entity_id not in by_id:
                by_id[entity_id] = person
            if len(person.full.split()) >= 2:
                by_surname.setdefault(person.full.split()[-1].casefold(), person)
                family_first.setdefault(person.full.split()[0].casefold(), person)
            if person.affiliation is None:
                person.affiliation = self._affiliation(doc, ent.end_char)
            mentions.append((ent, person))
        for name, person in family_first.items():  # only where no one has it as a last name
            by_surname.setdefault(name, person)
        return mentions, by_surname

    @staticmethod
    def _affiliation(doc: Doc, pos: int) -> str | None:
        m = _AFFILIATION.match(doc.text, pos, min(len(doc.text), pos + 160))
        if m is None:
            return None
        org = m.group("org") or m.group("org2")
        start = m.start("org") if m.group("org") else m.start("org2")
        for ent in _ents(doc):  # prefer the entity's own extent when NER found the organisation
            if ent.start_char == start and ent.label_ in ("ORG", "GPE", "NORP"):
                return str(ent.text)
        if org.casefold().startswith("the "):
            org = org[4:]
        return org

    def _speaker(
        self,
        doc: Doc,
        start: int,
        end: int,
        mentions: list[tuple[Span, _Person]],
        by_surname: dict[str, _Person],
        last: Speaker | None,
    ) -> Speaker | None:
        """Resolve the name written at ``doc.text[start:end]``."""
        surface = doc.text[start:end]
        if surface.casefold() in _PRONOUNS:
            if last is not None:
                return last
            earlier = [p for s, p in mentions if s.end_char <= start]
            return Speaker(earlier[-1].full, earlier[-1].entity_id, earlier[-1].affiliation) if earlier else None
        for span, person in mentions:
            if span.start_char < end and start < span.end_char:
                return Speaker(person.full, person.entity_id, person.affiliation)
        for ent in _ents(doc):  # an organisation speaking ("according to Kestrel Research")
            if ent.start_char < end and start < ent.end_char and ent.label_ in ("ORG", "NORP", "GPE"):
                return Speaker(ent._.canonical or ent.text, ent._.entity_id, self._affiliation(doc, ent.end_char))
        words = _strip_titles(surface)
        if words and words[-1].casefold() in by_surname:
            p = by_surname[words[-1].casefold()]
            return Speaker(p.full, p.entity_id, p.affiliation)
        titled = len(words) < len(surface.split())
        if len(words) >= 2 or titled:
            return Speaker(" ".join(words) if len(words) >= 2 else surface, None, self._affiliation(doc, end))
        return None

    def _speaker_by_role(
        self,
        doc: Doc,
        q_start: int,
        q_end: int,
        sent_start: int,
        sent_end: int,
        mentions: list[tuple[Span, _Person]],
        by_surname: dict[str, _Person],
        last: Speaker | None,
    ) -> Speaker | None:
        """The speaker in the words next to a reporting verb beside the quote, where a role or title
        stands around the name ("said analyst Tom Hale of Kestrel Research", "Maria Okafor, chief
        economist at Brightwater Bank, said", "a déclaré Jean Morel", "selon Claire Martin")."""
        text = doc.text
        after_end = min(sent_end, q_end + 200)
        # the sentence splitter may cut at the colon before a quote ("X a déclaré : « ... »")
        before_start = max(text.rfind("\n", 0, q_start) + 1, q_start - 220)
        runs: list[tuple[int, int]] = []
        after, before = text[q_end:after_end], text[before_start:q_start]
        for pat in (_AFTER_VERB_RUN, _AFTER_RUN_VERB):
            a = pat.match(after)
            if a is not None:
                runs.append((q_end + a.start("run"), q_end + a.end("run")))
        for pat in (_BEFORE_RUN, _BEFORE_ACCORDING):
            b = pat.search(before)
            if b is not None:
                runs.append((before_start + b.start("run"), before_start + b.end("run")))
        for lo, hi in runs:
            speaker = self._speaker_in_run(doc, lo, hi, mentions, by_surname, last, (q_start, q_end))
            if speaker is not None:
                return speaker
        return None

    def _speaker_in_run(
        self,
        doc: Doc,
        lo: int,
        hi: int,
        mentions: list[tuple[Span, _Person]],
        by_surname: dict[str, _Person],
        last: Speaker | None,
        quote: tuple[int, int] = (0, 0),
    ) -> Speaker | None:
        """A person named in ``text[lo:hi]`` (else an organisation, else a name-shaped run); else a
        role (``nlp.speaker_roles``): with a definite article ("the minister") the person last named
        before it outside the ``quote`` span, else the role itself as an unnamed speaker."""
        run = doc.text[lo:hi]
        role = role_phrase(run)
        if role is not None:
            # The run is a role and nothing else (a name in it would not parse as one; a model may
            # still tag "président de la République" a person). "the minister said": the person last
            # named before, outside the quote itself ('"Lula is right," the minister said' is not Lula
            # speaking); "a spokesman said", or nobody named before: the role speaks, unnamed.
            earlier = [p for s, p in mentions if s.end_char <= lo and not quote[0] <= s.start_char < quote[1]]
            if role.definite and earlier:
                return Speaker(earlier[-1].full, earlier[-1].entity_id, earlier[-1].affiliation)
            return Speaker(role.title, None, role.affiliation, title=role.title, named=False)
        # the earliest person: a PERSON entity, or a name-shaped run no other entity claims
        candidates: list[tuple[int, int, Speaker | None]] = [
            (span.start_char, 0, Speaker(person.full, person.entity_id, person.affiliation))
            for span, person in mentions if lo <= span.start_char < hi
        ]
        others = [e for e in _ents(doc) if e.label_ not in ("PERSON", "MISC", "PER")]
        for m in re.finditer(_NAME, run):
            n_start, n_end = lo + m.start(), lo + m.end()
            while run[n_start - lo:n_end - lo].split(" ", 1)[0] in _NOT_NAME_WORDS:
                n_start += len(run[n_start - lo:].split(" ", 1)[0]) + 1
                if n_start >= n_end:
                    break
            if n_start >= n_end or any(e.start_char < n_end and n_start < e.end_char for e in others):
                continue
            words = _strip_titles(text_of(doc, n_start, n_end))
            if len(words) >= 2 or (words and words[-1].casefold() in by_surname):
                candidates.append((n_start, 1, self._speaker(doc, n_start, n_end, mentions, by_surname, last)))
        found = sorted((c for c in candidates if c[2] is not None), key=lambda c: (c[0], c[1]))
        if found:
            return _clean_speaker(found[0][2])
        for ent in _ents(doc):  # an organisation speaking for itself ("said the European Commission")
            if ent.label_ in ("ORG", "NORP") and lo <= ent.start_char < hi and \
                    not run[: ent.start_char - lo].strip().casefold().removeprefix("the").strip():
                return Speaker(ent._.canonical or ent.text, ent._.entity_id, None)
        return None

    # -- quotes -----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        quotes: list[Quote] = []
        if not text.strip():
            doc._.quotes = quotes
            return doc
        doc.user_data["_newswatch_quote_ents"] = tuple(doc.ents)
        try:
            quotes = self._quotes(doc, text)
        finally:
            del doc.user_data["_newswatch_quote_ents"]
        doc._.quotes = quotes
        return doc

    def _quotes(self, doc: Doc, text: str) -> list[Quote]:
        quotes: list[Quote] = []
        mentions, by_surname = self._people(doc)
        sents = sentence_bounds(doc)
        last: Speaker | None = None
        covered: list[tuple[int, int]] = []
        for m in _DIRECT.finditer(text):
            group = next(g for g in ("a", "b", "c", "d") if m.group(g) is not None)
            q_start, q_end = m.start(group), m.end(group)
            content = text[q_start:q_end]
            q_end = q_start + len(content.rstrip(" ,\n\t"))
            q_start += len(content) - len(content.lstrip())
            if q_end <= q_start:
                continue
            sent_end = next((e for s, e in sents if s <= m.end() < e), len(text))
            sent_start = next((s for s, e in sents if s <= m.start() < e), 0)
            speaker = self._speaker_by_role(doc, m.start(), m.end(), sent_start, sent_end, mentions, by_surname, last)
            after = text[m.end() : min(sent_end, m.end() + 160)]
            for pat in (_AFTER_VERB_NAME, _AFTER_NAME_VERB) if speaker is None else ():
                a = pat.match(after)
                if a is not None:
                    s = m.end() + a.start("name")
                    speaker = self._speaker(doc, s, s + len(a.group("name")), mentions, by_surname, last)
                    if speaker is not None:
                        break
            if speaker is None:
                before_start = max(sent_start, m.start() - 200)
                b = _BEFORE.search(text, before_start, m.start())
                if b is not None:
                    speaker = self._speaker(doc, b.start("name"), b.end("name"), mentions, by_surname, last)
            if speaker is None and len(content.split()) < self.min_words:
                continue  # scare quotes, titles
            covered.append((m.start(), m.end()))
            quotes.append(Quote(text=text[q_start:q_end], start=q_start, end=q_end, speaker=speaker))
            if speaker is not None:
                last = speaker
        for s_start, s_end in sents:
            if any(c_start < s_end and s_start < c_end for c_start, c_end in covered):
                continue
            sent = text[s_start:s_end]
            for pat in (_ACCORDING_FIRST, _ACCORDING_LAST, _INDIRECT_SAID):
                im = pat.search(sent)
                if im is None:
                    continue
                n_start, n_end = s_start + im.start("name"), s_start + im.end("name")
                if text[n_start:n_end].casefold().startswith("the "):
                    n_start += 4
                speaker = self._speaker(doc, n_start, n_end, mentions, by_surname, last)
                if speaker is None:
                    continue
                c_start, c_end = s_start + im.start("content"), s_start + im.end("content")
                c_end = c_start + len(text[c_start:c_end].rstrip(" ,.;:!?\n\t"))
                if c_end > c_start:
                    quotes.append(Quote(text=text[c_start:c_end], start=c_start, end=c_end, speaker=speaker))
                    last = speaker
                break
        quotes.sort(key=lambda q: q.start)
        return quotes


@Language.factory(
    "newswatch_quotes",
    requires=["doc.ents"],
    assigns=["doc._.quotes"],
    default_config={"min_words": 4},
)
def make_quotes(nlp: Language, name: str, min_words: int) -> QuoteExtractor:
    """``min_words``: an unattributed quoted run shorter than this is taken for scare quotes."""
    return QuoteExtractor(nlp, name, min_words)
