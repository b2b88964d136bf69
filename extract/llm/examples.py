"""Few-shot examples chosen per request by similarity to the text being asked about.

Similarity is the cosine of character 3-gram TF-IDF vectors: no model to download, robust
to inflection and misspelling, and enough to bring an example about the same drugs or
events. An inverted index keeps a lookup proportional to the grams the query shares.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument
from pvkg.jsonl import read_jsonl

GRAM = 3


@dataclass(frozen=True)
class Example:
    note_id: str
    text: str
    answer: str  # the reply the model should give, as JSON


class ExampleIndex:
    """Examples, and the k most similar to a text."""

    def __init__(self, examples: Iterable[Example]) -> None:
        self.examples = tuple(examples)
        counts = [Counter(_grams(e.text)) for e in self.examples]
        document_freq = Counter(gram for c in counts for gram in c)
        n = len(self.examples)
        self._idf = {g: math.log((1 + n) / (1 + df)) + 1 for g, df in document_freq.items()}
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, c in enumerate(counts):
            for gram, weight in _unit(c, self._idf).items():
                self._postings[gram].append((i, weight))

    def similar(self, text: str, k: int, *, exclude_id: str | None = None) -> list[Example]:
        """The `k` examples most similar to `text`, most similar last (nearest the question);
        the note itself (by id or identical text) never serves as its own example."""
        scores: dict[int, float] = defaultdict(float)
        for gram, weight in _unit(Counter(_grams(text)), self._idf).items():
            for i, example_weight in self._postings.get(gram, ()):
                scores[i] += weight * example_weight
        ranked = sorted(scores, key=lambda i: (-scores[i], i))
        chosen = [self.examples[i] for i in ranked if not self._is_self(i, text, exclude_id)]
        return chosen[:k][::-1]

    def _is_self(self, i: int, text: str, note_id: str | None) -> bool:
        example = self.examples[i]
        return example.note_id == note_id or example.text == text


def load_examples(path: Path) -> ExampleIndex:
    """Examples from a JSONL of gold documents (`pvkg.gold.GoldDocument`)."""
    index = ExampleIndex(_example(document) for document in read_jsonl(path, GoldDocument))
    if not index.examples:
        raise ConfigError(f"{path}: no examples", hint="the file needs gold documents, one a line")
    return index


def render_examples(examples: Iterable[Example]) -> str:
    return "\n\n".join(f"Note:\n{e.text}\nAnswer: {e.answer}" for e in examples)


def _example(document: GoldDocument) -> Example:
    triples = [
        {
            "drug": t.drug.text,
            "dose": t.dose.text if t.dose else None,
            "adverse_event": t.adverse_event.text if t.adverse_event else None,
            "assertion": t.assertion,
        }
        for t in document.triples
    ]
    answer = json.dumps({"triples": triples}, ensure_ascii=False)
    return Example(document.note.id, document.note.text, answer)


def _grams(text: str) -> list[str]:
    padded = f" {' '.join(text.lower().split())} "
    return [padded[i : i + GRAM] for i in range(len(padded) - GRAM + 1)]


def _unit(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    # Grams no example has carry no evidence: weight them 0 rather than guess an idf.
    weights = {g: n * idf[g] for g, n in counts.items() if g in idf}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}
