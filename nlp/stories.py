"""Stories: near-duplicate and syndicated copies of one report, grouped so they count once.

A wire story reprinted by ten sites, with a new headline here and a trimmed paragraph there, is
still one story. Each text gets a MinHash signature of its word 5-shingles (datasketch); an LSH
index finds earlier texts whose estimated Jaccard similarity passes the threshold, and the new
text joins the story of the most similar one. Signatures are plain bytes, so the index can be
rebuilt from wherever the caller keeps them (the store) instead of being pickled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from nlp.settings import STORY_THRESHOLD as DEFAULT_THRESHOLD

NUM_PERM = 64
SHINGLE = 5
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable within one
_WORD_RE = re.compile(r"\w+", re.U)


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    words = _WORD_RE.findall(text.lower())
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def signature(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    m.update_batch(list(shingles(text)))
    return m


def to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(b: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(b, dtype=np.uint64).copy())


class StoryIndex:
    """In-memory LSH over the signatures of every text seen; ``assign`` names a text's story."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.sigs: dict[str, MinHash] = {}
        self.story_of: dict[str, str] = {}

    def load(self, members: Iterable[tuple[str, str, bytes | None]]) -> None:
        """Add known ``(doc_id, story_id, signature bytes)`` without re-deciding their stories."""
        for doc_id, story_id, sig in members:
            self.story_of[doc_id] = story_id
            if sig:
                self._insert(doc_id, from_bytes(sig))

    def _insert(self, doc_id: str, m: MinHash) -> None:
        if doc_id in self.sigs:
            self.lsh.remove(doc_id)
        self.sigs[doc_id] = m
        self.lsh.insert(doc_id, m)

    def assign(self, doc_id: str, text: str) -> tuple[str, MinHash]:
        """The story of ``doc_id`` (an earlier near-duplicate's, else its own id) and its signature."""
        m = signature(text)
        best, best_sim = None, 0.0
        for other in self.lsh.query(m):
            if other == doc_id:
                continue
            sim = m.jaccard(self.sigs[other])
            if sim >= self.threshold and sim > best_sim:
                best, best_sim = other, sim
        story = self.story_of.get(best, best) if best else self.story_of.get(doc_id, doc_id)
        self.story_of[doc_id] = story
        self._insert(doc_id, m)
        return story, m
