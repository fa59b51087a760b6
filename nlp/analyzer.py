"""The understanding stage: text in, ``analyze`` answers (CONTRACTS.md) or ``Annotations`` out.

``Analyzer`` loads its models once and streams: ``nlp.pipe`` over bounded chunks of the input,
answers yielded in input order. English text runs the statistical pipeline (NER, sentences)
plus the newswatch components; other languages run the watchlist's character matching only.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from itertools import islice
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from nlp import canonical, post_case, post_ner, quotes, sentence_repair, watchlist
from nlp import events as nlp_events
from nlp.language import DEFAULT_LANG, LanguageRouter, is_latin, normalise_lang
from nlp.quotes import sentence_bounds
from nlp.settings import AnalyzerConfigError, AnalyzerSettings
from nlp.social_text import looks_social
from nlp.stance import StanceModel, StanceQuery, compound, make_stance_model
from nlp.stance_cues import is_warning
from nlp.targets import (
    TAG,
    TargetFinder,
    best_sentence,
    looks_like_name,
    person_partials,
    squash,
    topic_relevance,
    topic_stems,
)
from nlp.watchlist import WatchlistMatcher, WatchlistRuler, add_watchlist_ruler
from storage.models import KINDS as DOC_KINDS
from storage.models import Annotations, Entity, Quote, Span, Stance, WatchEntry

ANALYZER_VERSION = "1.0"
# Languages with a statistical NER model and a tone model (VADER) here.
NER_LANGS = frozenset({"en"})
TONE_LANGS = frozenset({"en"})
# Languages the stance model was trained on (English news and posts).
STANCE_LANGS = frozenset({"en"})
# Further spaCy pipelines used when installed (NER, sentences, watchlist, canonical names, quotes).
LANG_MODELS: dict[str, str] = {"fr": "fr_core_news_sm"}
# The NER tuned on posts (nlp.train_ner_social), over the default model, for texts that read as posts.
SOCIAL_NER_DIR = Path(__file__).resolve().parent / "models" / "ner_social" / "ner"
SOCIAL_ROUTE = "ner:social"
SHORT_TEXT_CHARS = 400  # a text this short is its own evidence for a target it does not name
_UNNEEDED = ["parser", "tagger", "attribute_ruler", "lemmatizer"]
_TOKEN = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3100-\u312f"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002ffff]|\\w+|\\s+|[^\\w\\s]"
)


class ScriptTokenizer:
    """Language-neutral tokenizer: words, punctuation, and one token per CJK/Thai/Hangul character,
    so watchlist matches inside unsegmented runs align with token boundaries."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for m in _TOKEN.finditer(text):
            tok = m.group()
            if tok == " " and words and not spaces[-1] and not words[-1].isspace():
                spaces[-1] = True
            else:
                words.append(tok)
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)


@dataclass
class _Request:
    text: str
    targets: tuple[str, ...] = ()
    lang: str | None = None
    title: str | None = None
    published_at: str | None = None
    kind: str | None = None  # "post": read with the post NER; another kind: edited text (None: judged)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Target:
    """``given``: named by the caller (answered always, by topic when not mentioned)."""

    label: str
    entity_id: str | None
    finder: TargetFinder
    given: bool = False


@dataclass
class _Piece:
    """The answer for one text or one piece of a long text; ``topical``: the given targets it
    answered by topic because it does not mention them (a piece that does is preferred on merging)."""

    ann: Annotations
    lang: str | None
    topical: set[str] = field(default_factory=set)
    offset: int = 0


class _StanceJobs:
    """Stance queries of a whole chunk of documents, answered by one batched model call.

    Each caller registers its queries with a callback; ``resolve`` runs the model once and hands
    every caller its slice of the answers, in registration order.
    """

    def __init__(self) -> None:
        self.queries: list[StanceQuery] = []
        self.callbacks: list[tuple[int, int, Callable[[list[tuple[str, float]]], None]]] = []

    def add(self, queries: Sequence[StanceQuery], done: Callable[[list[tuple[str, float]]], None]) -> None:
        self.callbacks.append((len(self.queries), len(self.queries) + len(queries), done))
        self.queries.extend(queries)

    def resolve(self, model: StanceModel) -> None:
        preds = model.predict_many(self.queries) if self.queries else []
        for start, end, done in self.callbacks:
            done(preds[start:end])
        self.queries, self.callbacks = [], []


class Analyzer:
    """Built once per process with the watchlist; ``analyze_batch`` and ``annotate_many`` stream."""

    def __init__(self, watchlist: Sequence[WatchEntry] | None = None, settings: AnalyzerSettings | None = None):
        self.settings = settings or AnalyzerSettings()
        entries = list(watchlist or [])
        self.stance_model: StanceModel = make_stance_model(
            self.settings.stance_backend, self.settings.stance_model_dir
        )
        try:
            self.nlp = spacy.load(self.settings.spacy_model, exclude=_UNNEEDED)
        except OSError as exc:
            raise AnalyzerConfigError(
                f"nlp.spacy_model: cannot load {self.settings.spacy_model!r} (is the package installed?)"
            ) from exc
        _drop_idle_tok2vec(self.nlp)
        _sentence_starts(self.nlp, self.settings.spacy_model)
        self.ruler: WatchlistRuler = add_watchlist_ruler(self.nlp, entries)
        self.nlp.add_pipe("newswatch_entity_canonicalizer")
        self.nlp.add_pipe("newswatch_quotes")
        nlp_events.add_events_component(self.nlp, entries)
        self._social_nlp: Language | None = None  # loaded on the first post (None: not loaded or no weights)
        self._social_tried = False
        self.fallback = spacy.blank("xx")
        self.fallback.tokenizer = ScriptTokenizer(self.fallback.vocab)
        add_watchlist_ruler(self.fallback, entries)
        self.fallback.add_pipe("newswatch_entity_canonicalizer")
        self.matcher: WatchlistMatcher = self.ruler.matcher
        self._ner_langs = NER_LANGS | set(self.settings.extra_ner_langs)
        installed = {lang for lang, pkg in LANG_MODELS.items() if spacy.util.is_package(pkg)}
        self.router = LanguageRouter(self._ner_langs | installed, DEFAULT_LANG)
        self._entries = entries
        self._lang_nlp: dict[str, Language | None] = {}  # loaded on first use; None when not installed
        self._watch_finders = {i: self._watch_finder(e) for i, e in self.matcher.entries.items()}
        self._given_finders: dict[str, TargetFinder] = {}  # by target string, bounded (see _given_finder)
        # "@VeltrixMobile", "#VeltrixMobile": a handle or hashtag spelling a watched name or alias
        self._tag_names = {squash(n): e.id for e in entries for n in e.all_names() if len(squash(n)) >= 4}

    # -- public API -------------------------------------------------------------------------
    def analyze_batch(self, requests: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        """One answer per request, in order, in the ``analyze`` contract's shape."""
        ids: deque[Any] = deque()  # ids of requests read ahead but not yet answered (one chunk at most)

        def items() -> Iterator[_Request]:
            for req in requests:
                ids.append(req.get("id"))
                yield self._request(req)

        for ann, lang in self._stream(items()):
            d = ann.to_dict()
            yield {
                "id": ids.popleft(),
                "lang": lang,
                "tone": d["tone"],
                "entities": d["entities"],
                "quotes": d["quotes"],
                "stance": d["stance"],
                "events": d["events"],
                "links": d["links"],
                "warnings": d["warnings"],
            }

    def analyze_document(
        self,
        text: str,
        title: str | None = None,
        targets: Sequence[str] = (),
        published_at: str | None = None,
        lang: str | None = None,
    ) -> tuple[Annotations, str | None]:
        ctx = {"title": title, "targets": list(targets), "published_at": published_at, "lang": lang}
        return next(self.annotate_many([(text, ctx)]))

    def annotate_many(
        self, items: Iterable[tuple[str, Mapping[str, Any] | None]]
    ) -> Iterator[tuple[Annotations, str | None]]:
        """Stream ``(text, ctx)`` -> ``(Annotations, lang)``; ctx keys: title, targets, published_at, lang,
        kind (a stored document's kind: "post" reads with the post NER, others as edited text)."""
        return self._stream(self._request({"text": text, **(ctx or {})}) for text, ctx in items)

    def model_versions(self) -> dict[str, str]:
        meta = self.nlp.meta
        return {
            "analyzer": ANALYZER_VERSION,
            "spacy": spacy.__version__,
            "spacy_model": f"{self.settings.spacy_model}-{meta.get('version', '?')}",
            "newswatch_watchlist_ruler": watchlist.COMPONENT_VERSION,
            "newswatch_entity_canonicalizer": canonical.COMPONENT_VERSION,
            "newswatch_quotes": quotes.COMPONENT_VERSION,
            "newswatch_sentence_repair": sentence_repair.COMPONENT_VERSION,
            "newswatch_shouted_case_ner": post_case.COMPONENT_VERSION,
            "newswatch_events": nlp_events.COMPONENT_VERSION,
            "stance": f"{self.stance_model.name}-{self.stance_model.version}",
            "tone": f"vaderSentiment-{_pkg_version('vaderSentiment')}",
            "langid": f"py3langid-{_pkg_version('py3langid')}",
            "ner_social": _social_ner_version(),
            "post_ner_net": post_ner.version() if self.settings.post_ner_net else "off",
        }

    # -- internals ----------------------------------------------------------------------------
    def _lang_pipeline(self, lang: str) -> Language | None:
        """The installed spaCy pipeline for ``lang`` (``LANG_MODELS``) with the newswatch components."""
        if lang not in self._lang_nlp:
            try:
                nlp = spacy.load(LANG_MODELS[lang], exclude=[*_UNNEEDED, "morphologizer"])
            except OSError:
                self._lang_nlp[lang] = None
                return None
            _drop_idle_tok2vec(nlp)
            _sentence_starts(nlp, LANG_MODELS[lang])
            nlp.add_pipe("newswatch_label_map")
            add_watchlist_ruler(nlp, self._entries)
            nlp.add_pipe("newswatch_entity_canonicalizer")
            nlp.add_pipe("newswatch_quotes")
            self._lang_nlp[lang] = nlp
        return self._lang_nlp[lang]

    def _social_pipeline(self) -> Language | None:
        """The English pipeline with the NER tuned on posts (``nlp.train_ner_social``), loaded on the
        first post; None when the weights are not shipped (posts then read with the news model)."""
        if not self._social_tried:
            self._social_tried = True
            if self.settings.social_ner and SOCIAL_NER_DIR.is_dir():
                nlp = spacy.load(self.settings.spacy_model, exclude=_UNNEEDED)
                cast(Any, nlp.get_pipe("ner")).from_disk(SOCIAL_NER_DIR)
                _drop_idle_tok2vec(nlp)
                _sentence_starts(nlp, self.settings.spacy_model)
                post_case.wrap_ner(nlp)  # a shouted post is read in lower case (offsets unchanged)
                if self.settings.post_ner_net and post_ner.available():
                    nlp.add_pipe("newswatch_post_ner", after="newswatch_shouted_case_ner")
                add_watchlist_ruler(nlp, self._entries)
                nlp.add_pipe("newswatch_entity_canonicalizer")
                nlp.add_pipe("newswatch_quotes")
                nlp_events.add_events_component(nlp, self._entries)
                self._social_nlp = nlp
        return self._social_nlp

    def _route_pipeline(self, route: str) -> Language:
        """The loaded pipeline of a ``ner:...`` route."""
        nlp = self._social_nlp if route == SOCIAL_ROUTE else self._lang_nlp[route[4:]]
        assert isinstance(nlp, Language)
        return nlp

    def _request(self, req: Mapping[str, Any]) -> _Request:
        warnings: list[str] = []
        text = req.get("text")
        if not isinstance(text, str):
            warnings.append("text missing or not a string")
            text = ""
        if len(text) > self.settings.max_chars:
            warnings.append(f"text cut to {self.settings.max_chars} characters")
            text = text[: self.settings.max_chars]
        raw_targets = req.get("targets") or []
        if isinstance(raw_targets, str):
            raw_targets = [raw_targets]
        targets = tuple(t for t in raw_targets if isinstance(t, str) and t.strip())
        if len(targets) < len(raw_targets):
            warnings.append(f"{len(raw_targets) - len(targets)} empty or non-text target(s) ignored")
        kind = req.get("kind")
        if kind is not None and not (isinstance(kind, str) and kind in DOC_KINDS):
            warnings.append(f"kind {kind!r} ignored (expected one of {', '.join(DOC_KINDS)})")
            kind = None
        return _Request(
            kind=kind,
            text=text,
            targets=targets,
            lang=normalise_lang(req.get("lang")),
            title=req.get("title"),
            published_at=req.get("published_at"),
            warnings=warnings,
        )

    def detect_lang(self, text: str) -> str | None:
        """The language ``text`` is analysed as (see ``nlp.language``)."""
        return self.router.decide(text).lang

    def _stream(self, reqs: Iterable[_Request]) -> Iterator[tuple[Annotations, str | None]]:
        """Long texts go through as pieces cut at paragraph or sentence ends, merged back in order."""
        layout: deque[tuple[int, bool]] = deque()  # (offset in the parent text, last piece of it)

        def pieces() -> Iterator[_Request]:
            for r in reqs:
                bounds = split_pieces(r.text, self.settings.piece_chars)
                for k, (s, e) in enumerate(bounds):
                    layout.append((s, k == len(bounds) - 1))
                    if len(bounds) == 1:
                        yield r
                    else:
                        yield replace(r, text=r.text[s:e], warnings=r.warnings if k == 0 else [])

        done: list[_Piece] = []
        for piece in self._stream_pieces(pieces()):
            offset, last = layout.popleft()
            piece.offset = offset
            done.append(piece)
            if last:
                yield (done[0].ann, done[0].lang) if len(done) == 1 else merge_pieces(done)
                done = []

    def _stream_pieces(self, reqs: Iterable[_Request]) -> Iterator[_Piece]:
        chunk_size = self.settings.batch_size * self.settings.n_process * 4
        it = iter(reqs)
        while chunk := list(islice(it, chunk_size)):
            yield from self._chunk(chunk)

    def _route(self, r: _Request) -> tuple[str | None, str]:
        """The language reported for ``r`` and the pipeline that reads it (warnings go into ``r``)."""
        if not r.text.strip():
            return r.lang, "empty"
        decision = self.router.decide(r.text, r.lang)
        model_lang = decision.model_lang
        if model_lang is None and r.lang and is_latin(r.text[:2000]):
            model_lang = DEFAULT_LANG  # a given language without a model: its names still read as names
            r.warnings.append(f"no NER model for lang {r.lang!r}; entities from the default {DEFAULT_LANG!r} model")
        elif decision.warning:
            r.warnings.append(decision.warning)
        post = r.kind == "post" or (r.kind is None and looks_social(r.text))
        if model_lang == DEFAULT_LANG and post and self._social_pipeline() is not None:
            return decision.lang, SOCIAL_ROUTE
        if model_lang in self._ner_langs:
            return decision.lang, "ner"
        if model_lang in LANG_MODELS and self._lang_pipeline(model_lang) is not None:
            return decision.lang, f"ner:{model_lang}"
        return decision.lang, "chars"

    def _chunk(self, chunk: list[_Request]) -> Iterator[_Piece]:
        langs, routes = zip(*(self._route(r) for r in chunk), strict=True) if chunk else ((), ())
        other_docs = {
            route: iter(self._route_pipeline(route).pipe(
                [r.text for r, ro in zip(chunk, routes, strict=True) if ro == route],
                batch_size=self.settings.batch_size,
            ))
            for route in sorted(set(routes))
            if route.startswith("ner:")
        }
        ner_texts = [r.text for r, route in zip(chunk, routes, strict=True) if route == "ner"]
        char_texts = [r.text for r, route in zip(chunk, routes, strict=True) if route == "chars"]
        ner_docs = iter(
            self.nlp.pipe(ner_texts, batch_size=self.settings.batch_size, n_process=self.settings.n_process)
        )
        char_docs = iter(self.fallback.pipe(char_texts, batch_size=self.settings.batch_size))
        jobs = _StanceJobs()  # stance of the whole chunk in one batched model call
        out: list[_Piece] = []
        for r, lang, route in zip(chunk, langs, routes, strict=True):
            if route == "empty":
                piece = _Piece(Annotations(warnings=[*r.warnings, "empty text"]), lang)
                self._plain_stance("", [], piece, self._targets(r.targets, []), None)
            elif route == "ner":
                piece = self._annotate(next(ner_docs), r, lang, full=True, jobs=jobs)
            elif route in other_docs:
                piece = self._annotate(next(other_docs[route]), r, lang, full=True, jobs=jobs)
            else:
                piece = self._annotate(next(char_docs), r, lang, full=False)
                what = f"lang {lang!r}" if lang else "unknown language"
                piece.ann.warnings.append(f"no NER model for {what}; watchlist matching only")
            out.append(piece)
        jobs.resolve(self.stance_model)
        yield from out

    def _annotate(
        self, doc: Doc, r: _Request, lang: str | None, full: bool, jobs: _StanceJobs | None = None
    ) -> _Piece:
        """``jobs``: where stance queries wait for the chunk's batched call (answered here when None)."""
        ann = Annotations(warnings=list(r.warnings))
        piece = _Piece(ann, lang)
        ann.entities = [
            Entity(
                text=e.text,
                start=e.start_char,
                end=e.end_char,
                label=e.label_,
                entity_id=e._.entity_id,
                canonical=e._.canonical or e.text,
            )
            for e in doc.ents
            if not e._.generic_head  # "the ministry": a back-reference, not a named entity
        ]
        text = doc.text
        sents = sentence_bounds(doc)
        self._add_tag_entities(text, ann.entities)
        targets = self._targets(r.targets, ann.entities)
        self._add_target_entities(text, ann.entities, targets)
        if not full:
            self._plain_stance(text, sents, piece, targets,
                               f"no stance model for lang {lang!r}" if lang else "language unknown")
            return piece
        compounds = [compound(text[s:e]) for s, e in sents]
        if lang in TONE_LANGS and compounds:
            ann.tone = round(sum(compounds) / len(compounds), 4)
        ann.quotes = list(doc._.quotes or [])
        ann.events, ann.links = nlp_events.finalize(
            text, doc._.event_candidates, r.published_at, kind=r.kind)
        if targets and lang not in STANCE_LANGS:
            self._plain_stance(text, sents, piece, targets, f"no stance model for lang {lang!r}")
        elif targets:
            own_jobs = jobs or _StanceJobs()
            self._author_stance(text, sents, piece, targets, own_jobs)
            for q in ann.quotes:
                self._quote_stance(text, sents, q, ann.entities, targets, own_jobs)
            if jobs is None:
                own_jobs.resolve(self.stance_model)
        return piece

    # -- targets ------------------------------------------------------------------------------
    def _watch_finder(self, entry: WatchEntry) -> TargetFinder:
        names = entry.all_names()
        partials = person_partials(entry.name) if entry.type == "person" else []
        return TargetFinder(entry.name, names, partials, watchlist.LABELS.get(entry.type, "ORG"))

    def _given_finder(self, target: str, entity_id: str | None) -> TargetFinder:
        """How the caller's target is mentioned: its watchlist entry's names when it has one, else the
        string itself, plus a person's surname and first name (the NER model tells people from others)."""
        key = f"{entity_id or ''}\x00{target}"
        found = self._given_finders.get(key)
        if found is not None:
            return found
        if entity_id:
            entry = self.matcher.entries[entity_id]
            base = self._watch_finder(entry)
            found = TargetFinder(target, [target, *base.names], base.partials, base.kind)
        else:
            kind = self._name_kind(target) if looks_like_name(target) else None
            partials = person_partials(target) if kind == "PERSON" else []
            found = TargetFinder(target, [target], partials, kind)
        if len(self._given_finders) > 10_000:
            self._given_finders.clear()  # bounded: callers may send many distinct targets
        self._given_finders[key] = found
        return found

    def _name_kind(self, name: str) -> str | None:
        """The entity label the NER model gives ``name`` on its own (None: not read as a name)."""
        keep = {"ner", "tok2vec"}
        doc = self.nlp(name, disable=[p for p in self.nlp.pipe_names if p not in keep])
        ents = [e for e in doc.ents if e.end_char - e.start_char >= 0.6 * len(name.strip())]
        return str(ents[0].label_) if ents else None

    def _targets(self, given: Sequence[str], entities: list[Entity]) -> list[_Target]:
        out: list[_Target] = []
        seen_ids: set[str] = set()
        seen_given: set[str] = set()
        for t in given:
            if t in seen_given:
                continue  # one entry per distinct target
            seen_given.add(t)
            entity_id = self.matcher.entity_for(t)
            out.append(_Target(t, entity_id, self._given_finder(t, entity_id), given=True))
            if entity_id:
                seen_ids.add(entity_id)
        for e in entities:
            if e.entity_id and e.entity_id not in seen_ids:
                seen_ids.add(e.entity_id)
                entry = self.matcher.entries[e.entity_id]
                out.append(_Target(entry.name, entry.id, self._watch_finders[entry.id]))
        return out

    def _add_tag_entities(self, text: str, entities: list[Entity]) -> None:
        """Handles and hashtags that spell a watched name become that entity (posts name people so)."""
        if not self._tag_names or ("@" not in text and "#" not in text):
            return
        added = False
        for m in TAG.finditer(text):
            entity_id = self._tag_names.get(squash(m.group(2)))
            if entity_id is None:
                continue
            s, e = m.span()
            if any(x.start < e and s < x.end for x in entities):
                entities[:] = [x for x in entities if not (x.start < e and s < x.end and not x.entity_id)]
                if any(x.start < e and s < x.end for x in entities):
                    continue
            entry = self.matcher.entries[entity_id]
            entities.append(Entity(text=text[s:e], start=s, end=e, label=self.matcher.label(entity_id),
                                   entity_id=entity_id, canonical=entry.name))
            added = True
        if added:
            entities.sort(key=lambda x: (x.start, x.end))

    @staticmethod
    def _add_target_entities(text: str, entities: list[Entity], targets: list[_Target]) -> None:
        """Mentions of the caller's targets become entities where no other entity covers them."""
        added = False
        for t in targets:
            if not t.given:
                continue
            for s, e in t.finder.find(text):
                if any(x.start < e and s < x.end for x in entities):
                    continue
                entities.append(Entity(text=text[s:e], start=s, end=e, label=t.finder.kind or "MISC",
                                       entity_id=t.entity_id, canonical=t.label))
                added = True
        if added:
            entities.sort(key=lambda x: (x.start, x.end))

    @staticmethod
    def _mentions(text: str, start: int, end: int, target: _Target, entities: list[Entity]) -> list[tuple[int, int]]:
        """Spans of the target's mentions within ``text[start:end]``, in text order."""
        found = target.finder.find(text, start, end)
        if target.entity_id:
            found += [(e.start, e.end) for e in entities if e.entity_id == target.entity_id and start <= e.start < end]
        return sorted(set(found))

    # -- stance -------------------------------------------------------------------------------
    def _plain_stance(
        self, text: str, sents: list[tuple[int, int]], piece: _Piece, targets: list[_Target], why: str | None
    ) -> None:
        """Neutral entries for the given targets where no stance model serves the text."""
        given = [t for t in targets if t.given]
        if not given:
            return
        if why:
            piece.ann.warnings.append(f"{why}; given targets reported as neutral")
        for t in given:
            hits = t.finder.find(text)
            s, e = next(((s, e) for s, e in sents if hits and s <= hits[0][0] < e), sents[0] if sents else (0, 0))
            piece.ann.stance.append(Stance(target=t.label, entity_id=t.entity_id, label="neutral", score=1.0,
                                           holder="author", evidence=Span(text[s:e], s, e)))
            piece.topical.add(t.label)

    def _author_stance(
        self, text: str, sents: list[tuple[int, int]], piece: _Piece, targets: list[_Target], jobs: _StanceJobs
    ) -> None:
        """Queue the author's stance toward each target (filled into ``ann.stance`` in target order)."""
        ann = piece.ann
        # A target-aware model reads the whole sentence, quotes included: how a writer quotes or
        # describes someone ("X said ...", "described her as a 'kind' person") is the writer's
        # portrayal of them, and the model was trained on such sentences whole. A model blind to the
        # target (the lexicon) gets the author's words only, or it would score the speaker's mood.
        quotes = [(q.start, q.end) for q in ann.quotes]
        stripped = [] if getattr(self.stance_model, "target_aware", False) else quotes  # cut from the sentence
        slots: list[Stance | None] = []
        for t in targets:
            chosen: list[tuple[int, int]] = []
            queries: list[StanceQuery] = []
            for s, e in sents:
                inside = [(qs, qe) for qs, qe in stripped if qs < e and s < qe]
                hits = self._mentions(text, s, e, t, ann.entities)
                free = [(h, he) for h, he in hits if not any(qs <= h < qe for qs, qe in quotes)]
                if not free:
                    continue  # the target is not mentioned, or only inside someone's quote
                own = text[s:e]
                for qs, qe in sorted(inside, reverse=True):  # the author's words only
                    own = own[: max(0, qs - s)] + own[min(len(own), qe - s) :]
                h, h_end = free[0]
                shift = sum(min(qe, h) - max(qs, s) for qs, qe in inside if qs < h)
                m_start = h - s - shift
                m_end = m_start + h_end - h
                ok = 0 <= m_start < m_end <= len(own)
                queries.append(StanceQuery(own, t.label, m_start if ok else None, m_end if ok else None))
                chosen.append((s, e))
                if len(chosen) >= self.settings.stance_max_sentences:
                    break  # the lede carries the stance; bounded model work per long document
            if not chosen and t.given:
                chosen, queries = self._topic_query(text, sents, t, ann.entities)
                piece.topical.add(t.label)
            if not chosen:
                continue
            slots.append(None)
            if not queries:  # unrelated: neutral by rule, no model call
                s, e = chosen[0]
                slots[-1] = Stance(target=t.label, entity_id=t.entity_id, label="neutral", score=1.0,
                                   holder="author", evidence=Span(text[s:e], s, e))
                continue
            jobs.add(queries, self._author_done(text, ann, slots, len(slots) - 1, t, chosen))
        if slots and all(x is not None for x in slots):
            ann.stance = [x for x in slots if x is not None]

    def _topic_query(
        self, text: str, sents: list[tuple[int, int]], t: _Target, entities: list[Entity]
    ) -> tuple[list[tuple[int, int]], list[StanceQuery]]:
        """Evidence and query for a given target the author's words do not name: a short text is its
        own evidence; in a longer one, the sentence that mentions it (inside a quote) or is most about
        it; none of them: the first sentence, answered neutral without asking the model."""
        hits = self._mentions(text, 0, len(text), t, entities)
        stripped = text.strip()
        if len(stripped) <= SHORT_TEXT_CHARS:
            s = text.index(stripped[0]) if stripped else 0
            e = s + len(stripped)
            m = next(((a, b) for a, b in hits if s <= a and b <= e), None)
            return [(s, e)], [StanceQuery(text[s:e], t.label, m[0] - s if m else None, m[1] - s if m else None)]
        if hits:
            h, h_end = hits[0]
            s, e = next(((a, b) for a, b in sents if a <= h < b), (h, h_end))
            ok = h_end <= e
            return [(s, e)], [StanceQuery(text[s:e], t.label, h - s if ok else None, h_end - s if ok else None)]
        s, e, relevance = best_sentence(text, sents, topic_stems(t.label))
        if relevance == 0:
            s, e = sents[0] if sents else (0, len(text))
            return [(s, e)], []
        return [(s, e)], [StanceQuery(text[s:e], t.label)]

    @staticmethod
    def _author_done(
        text: str, ann: Annotations, slots: list[Stance | None], slot: int, t: _Target, chosen: list[tuple[int, int]]
    ) -> Callable[[list[tuple[str, float]]], None]:
        def done(preds: list[tuple[str, float]]) -> None:
            label, score, best = _aggregate(preds)
            s, e = chosen[best]
            slots[slot] = Stance(
                target=t.label,
                entity_id=t.entity_id,
                label=label,
                score=score,
                holder="author",
                evidence=Span(text[s:e], s, e),
            )
            if all(x is not None for x in slots):
                ann.stance = [x for x in slots if x is not None]

        return done

    def _quote_stance(
        self,
        text: str,
        sents: list[tuple[int, int]],
        q: Quote,
        entities: list[Entity],
        targets: list[_Target],
        jobs: _StanceJobs,
    ) -> None:
        """Queue the speaker's stance toward each target the quote is about (into ``q.stance``): one
        it names, in its words or its sentence ('..., Hale said of Veltrix'), but not the speaker or the
        speaker's own organisation; a given topic its words are about; else its paragraph's subject."""
        if q.speaker is None:
            return
        s_start = min([s for s, e in sents if s <= q.start < e] or [q.start])
        s_end = max([e for s, e in sents if s < q.end <= e] or [q.end])
        own_org = (q.speaker.affiliation or "").casefold()
        warning = is_warning(q.text, text[s_start : q.start] + " " + text[q.end : s_end])
        asked = False
        for t in targets:
            if t.entity_id and t.entity_id == q.speaker.entity_id:
                continue
            hits = [
                (h, he) for h, he in self._mentions(text, s_start, s_end, t, entities)
                if (q.start <= h < q.end or text[h:he].casefold() != own_org)
                and not (h < q.start and q.speaker.text.casefold() in text[h:he].casefold())
            ]
            if not hits:
                if t.given and not t.finder.kind and topic_relevance(q.text, topic_stems(t.label)) > 0:
                    self._queue_quote(q, t, StanceQuery(q.text, t.label), jobs)
                    asked = True
                continue
            inner = [(h, he) for h, he in hits if q.start <= h and he <= q.end]
            query = StanceQuery(q.text, t.label)
            if inner:
                query = StanceQuery(q.text, t.label, inner[0][0] - q.start, inner[0][1] - q.start)
            self._queue_quote(q, t, query, jobs, warning and _warnable(t))
            asked = True
        if asked:
            return
        if any(q.start <= e.start < q.end for e in entities):
            return  # the quote names someone who is no target: it is about them, not the paragraph's subject
        # Nobody named in or around the quote ('"The launch is well timed," said Natarajan'): the quote
        # is about what its paragraph is about. Ask about that subject, named in front.
        for t in self._quote_subjects(text, q, entities, targets):
            self._queue_quote(q, t, StanceQuery(f"{t.label}: {q.text}", t.label, 0, len(t.label)), jobs,
                              warning and _warnable(t))

    def _quote_subjects(self, text: str, q: Quote, entities: list[Entity], targets: list[_Target],
                        limit: int = 1) -> list[_Target]:
        """The named targets a quote without a name refers to: the latest one mentioned earlier in its
        paragraph; when its paragraph names no one but the speaker, the previous paragraph's (a subject
        carries over one paragraph, no further). Never the speaker or the speaker's organisation."""
        own = q.speaker.entity_id if q.speaker else None
        own_names = {n for n in ((q.speaker.text if q.speaker else ""), (q.speaker.affiliation if q.speaker else ""))
                     if n}

        def foreign(s: int, e: int) -> bool:
            return not any(n.casefold() in text[s:e].casefold() or text[s:e].casefold() in n.casefold()
                           for n in own_names)

        para_start = text.rfind("\n", 0, q.start) + 1
        para_end = text.find("\n", q.end)
        para_end = len(text) if para_end < 0 else para_end
        prev_start = text.rfind("\n", 0, max(0, para_start - 1)) + 1 if para_start > 0 else para_start
        windows = [(para_start, q.start)]
        if not any(para_start <= e.start < para_end and foreign(e.start, e.end) and not q.start <= e.start < q.end
                   for e in entities):
            windows.append((prev_start, para_start))
        for lo, hi in windows:
            found = []
            for t in targets:
                if (t.entity_id and t.entity_id == own) or not (t.entity_id or t.finder.kind):
                    continue
                hits = [h for h, he in self._mentions(text, lo, hi, t, entities) if foreign(h, he)]
                if hits:
                    found.append((max(hits), t))
            if found:
                return [t for _, t in sorted(found, key=lambda x: x[0], reverse=True)[:limit]]
        return []

    @staticmethod
    def _queue_quote(q: Quote, t: _Target, query: StanceQuery, jobs: _StanceJobs, warning: bool = False) -> None:
        """``warning``: the speaker warns (``nlp.stance_cues``), so the answer is against whatever the
        model reads; its score is then 0.5, a cue's certainty, not the model's."""
        speaker = q.speaker.text if q.speaker else ""

        def done(preds: list[tuple[str, float]]) -> None:
            (label, score), = preds
            if warning and label != "against":
                label, score = "against", 0.5
            q.stance.append(Stance(target=t.label, entity_id=t.entity_id, label=label, score=score, holder=speaker,
                                   evidence=Span(q.text, q.start, q.end)))

        jobs.add([query], done)


def _warnable(t: _Target) -> bool:
    """A warning is against a named company, product or body it is about; not against a topic (a
    warning about floods is for "climate change is a real concern") nor a person (who may be the one
    warned)."""
    return bool(t.entity_id or t.finder.kind or looks_like_name(t.label)) and t.finder.kind != "PERSON"


def _social_ner_version() -> str:
    """The shipped post NER's build (its best epoch and tune score), or "absent"."""
    try:
        meta = json.loads((SOCIAL_NER_DIR.parent / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "absent"
    return f"wnut17-e{meta.get('best_epoch', '?')}-seed{meta.get('seed', '?')}"


def _sentence_starts(nlp: Language, model: str) -> None:
    """Sentence starts before NER (which never runs a name across one): the model's own ``senter``
    (the parser is excluded), else a rule sentencizer; then the starts it misses after abbreviations
    (``nlp.sentence_repair``: plain spaCy's parser finds those; ``model``'s parser is asked after
    company forms, on those sentences only)."""
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    after = "senter" if "senter" in nlp.pipe_names else "sentencizer"
    nlp.add_pipe("newswatch_sentence_repair", after=after, config={"parser_model": model})


def _drop_idle_tok2vec(nlp: Language) -> None:
    """The shared tok2vec feeds only the tagger and parser we exclude (NER and senter embed their
    own): with no listener left it is a quarter of the run time spent for nothing."""
    if "tok2vec" in nlp.pipe_names and not getattr(nlp.get_pipe("tok2vec"), "listening_components", [None]):
        nlp.remove_pipe("tok2vec")


def split_pieces(text: str, size: int) -> list[tuple[int, int]]:
    """Bounds of consecutive pieces of at most ~``size`` characters, cut after a paragraph break,
    else after a sentence end, else at a space (a hard cut only for text without any)."""
    if len(text) <= size:
        return [(0, len(text))]
    out = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = -1
        for ends in (("\n\n",), (". ", "。", "\n"), (" ",)):
            cut = max(window.rfind(e) + len(e) if window.rfind(e) >= 0 else -1 for e in ends)
            if cut >= size // 2:
                break
        cut = start + (cut if cut >= size // 2 else size)
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


def _shift(value: Any, offset: int, prefix: str) -> Any:
    """A copy of an event/link dict with every span moved by ``offset`` and event ids prefixed."""
    if isinstance(value, list):
        return [_shift(v, offset, prefix) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _shift(v, offset, prefix) for k, v in value.items()}
    if isinstance(out.get("start"), int) and isinstance(out.get("end"), int) and "text" in out:
        out["start"] += offset
        out["end"] += offset
    if prefix and isinstance(out.get("id"), str):
        out["id"] = prefix + out["id"]
    if prefix and isinstance(out.get("events"), list) and all(isinstance(e, str) for e in out["events"]):
        out["events"] = [prefix + e for e in out["events"]]
    return out


def merge_pieces(parts: list[_Piece]) -> tuple[Annotations, str | None]:
    """One answer for a text analysed in pieces: offsets moved back, stance per target re-aggregated
    over the pieces that mention the target (over all of them when none does)."""
    merged = Annotations()
    langs = [p.lang for p in parts if p.lang]
    tones = [p.ann.tone for p in parts if p.ann.tone is not None]
    merged.tone = round(sum(tones) / len(tones), 4) if tones else None
    by_target: dict[tuple[str, str | None], list[tuple[bool, Stance]]] = {}
    for k, p in enumerate(parts):
        ann, off = p.ann, p.offset
        merged.warnings += [w for w in ann.warnings if w not in merged.warnings]
        merged.entities += [replace(e, start=e.start + off, end=e.end + off) for e in ann.entities]
        for q in ann.quotes:
            stance = [replace(st, evidence=_shift_span(st.evidence, off)) for st in q.stance]
            merged.quotes.append(replace(q, start=q.start + off, end=q.end + off, stance=stance))
        for st in ann.stance:
            by_target.setdefault((st.target, st.entity_id), []).append(
                (st.target not in p.topical, replace(st, evidence=_shift_span(st.evidence, off)))
            )
        prefix = f"p{k}-" if k else ""
        merged.events += _shift(ann.events, off, prefix)
        merged.links += _shift(ann.links, off, prefix)
    for entries in by_target.values():
        found = [st for mentioned, st in entries if mentioned] or [st for _, st in entries]
        label, score, best = _aggregate([(st.label, st.score) for st in found])
        merged.stance.append(replace(found[best], label=label, score=score))
    merged.warnings.append(f"long text analysed in {len(parts)} pieces")
    return merged, max(set(langs), key=langs.count) if langs else None


def _shift_span(span: Span, offset: int) -> Span:
    return Span(span.text, span.start + offset, span.end + offset)


def _aggregate(preds: list[tuple[str, float]]) -> tuple[str, float, int]:
    """Label with the most probability mass over the sentences; its share as the score;
    the index of that label's most confident sentence as evidence."""
    mass: dict[str, float] = {}
    for label, score in preds:
        mass[label] = mass.get(label, 0.0) + score
    label = max(mass, key=lambda k: (mass[k], k != "neutral"))
    best = max((i for i, p in enumerate(preds) if p[0] == label), key=lambda i: preds[i][1])
    score = round(min(1.0, mass[label] / len(preds)), 4)
    return label, score, best


def _pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


__all__ = ["Analyzer", "AnalyzerConfigError", "AnalyzerSettings", "ScriptTokenizer", "normalise_lang"]
