"""Rule extractor throughput (MB of note text per second, one core) on real and long notes.

    .venv/bin/python benchmarks/extract_rules.py [--repeat 3] [--data ../shared/data] [--record]

Terms are learned from all ADE and PHEE gold documents (what `learn_terms` gives); a second
lexicon adds 200,000 synthetic multi-word terms to show that matching cost does not grow with
the lexicon. Inputs: the ADE corpus sentences, the PHEE sentences, and ADE sentences joined
into ~50 KB notes (one sentence per line). Times cover `RuleExtractor.extract` only (triples
and mentions built as records), the best of `--repeat` runs. `--record` appends the results
to benchmarks/RESULTS.md. The output's SHA-256 (every result's triples and mentions as JSON,
in order, per input) is printed beside each rate: a speed-up must leave it unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import string
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from extract.base import ExtractionResult
from extract.rules import Lexicon, RuleExtractor, TermKind, learn_terms
from loaders import ade_corpus, phee
from pvkg.gold import GoldDocument
from pvkg.records import Note

ROOT = Path(__file__).resolve().parent.parent
LONG_NOTE_CHARS = 50_000
SYNTHETIC_TERMS = 200_000


def long_notes(sentences: Sequence[str]) -> list[Note]:
    notes: list[Note] = []
    lines: list[str] = []
    size = 0
    for sentence in sentences:
        lines.append(sentence)
        size += len(sentence) + 1
        if size >= LONG_NOTE_CHARS:
            notes.append(Note(id=f"long-{len(notes)}", text="\n".join(lines)))
            lines, size = [], 0
    return notes


def synthetic_terms(count: int) -> Iterator[tuple[str, TermKind]]:
    """Random 1-4 word terms of 4-10 letters: no match in real text, all in the trie."""
    rng = random.Random(7)  # noqa: S311 (reproducible test data, not secrets)
    kinds: tuple[TermKind, TermKind] = ("drug", "adverse_event")
    for i in range(count):
        words = (
            "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))
            for _ in range(rng.randint(1, 4))
        )
        yield " ".join(words), kinds[i % 2]


def throughput(
    extractor: RuleExtractor, notes: Sequence[Note], repeat: int
) -> tuple[float, int, str]:
    """(MB/s, triples, output SHA-256) for the best of `repeat` runs over `notes`."""
    megabytes = sum(len(n.text.encode("utf-8")) for n in notes) / 1e6
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        results = [extractor.extract(note) for note in notes]
        best = min(best, time.perf_counter() - started)
    return megabytes / best, sum(len(r.triples) for r in results), digest(results)


def digest(results: Sequence[ExtractionResult]) -> str:
    output = hashlib.sha256()
    for result in results:
        for record in (*result.triples, *result.mentions):
            output.update(record.model_dump_json().encode("utf-8"))
        output.update(repr((result.note_id, result.returned_spans, result.problems)).encode())
    return output.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--record", action="store_true", help="append to RESULTS.md")
    args = parser.parse_args()

    ade: list[GoldDocument] = list(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    phee_docs: list[GoldDocument] = list(phee.iter_documents(args.data / "phee" / "phee.jsonl"))
    terms = learn_terms([*ade, *phee_docs])
    inputs = {
        "ADE sentences": [d.note for d in ade],
        "PHEE sentences": [d.note for d in phee_docs],
        "~50 KB notes": long_notes([d.note.text for d in ade]),
    }
    started = time.perf_counter()
    big = Lexicon(terms, synthetic_terms(SYNTHETIC_TERMS))
    built = time.perf_counter() - started
    lexicons = {
        f"{len(terms):,} learned terms": Lexicon(terms),
        f"+{SYNTHETIC_TERMS:,} synthetic": big,
    }
    lines = []
    for lexicon_name, lexicon in lexicons.items():
        extractor = RuleExtractor(lexicon)
        for input_name, notes in inputs.items():
            size = sum(len(n.text.encode("utf-8")) for n in notes) / 1e6
            rate, triples, sha = throughput(extractor, notes, args.repeat)
            line = (
                f"{input_name} ({len(notes):,} notes, {size:.2f} MB), {lexicon_name}: "
                f"{rate:.2f} MB/s, {triples:,} triples, output sha256 {sha[:12]}"
            )
            print(line)
            lines.append(line)
    print(f"building the lexicon with {len(big):,} terms: {built:.1f} s")
    if args.record:
        record(lines, built, len(big))


def record(lines: list[str], built: float, size: int) -> None:
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    text = [
        "",
        "## Rule extractor throughput",
        "",
        "`.venv/bin/python benchmarks/extract_rules.py --record`: `RuleExtractor.extract` on one",
        "core (pure Python), best of 3; terms learned from all ADE and PHEE gold documents, then",
        f"the same plus {SYNTHETIC_TERMS:,} synthetic terms (lexicon of {size:,} terms built in",
        f"{built:.1f} s). Long notes are ADE sentences joined one per line into ~50 KB notes.",
        f"Machine: {machine}; shared with other jobs.",
        "",
        *(f"- {line}" for line in lines),
        "",
    ]
    with (ROOT / "benchmarks" / "RESULTS.md").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(text))


if __name__ == "__main__":
    main()
