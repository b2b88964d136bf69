"""Phenotyping offline against a development gold built from the ADE corpus: cohort F1.

    .venv/bin/python benchmarks/phenotype_dev.py [--data ../shared/data] [--work DIR]
        [--examples 8] [--write-phenotypes]
        [--llm-sample 30 [--llm-model smollm2 | --llm-url URL --llm-model NAME]]

Patients are the PubMed ids of the ADE corpus (Gurulingappa et al. 2012); a patient's notes
are all its sentences, those with a DRUG-AE or DRUG-DOSE row and the ADE-NEG ones, written
as one JSONL (metadata {"pmid": ...}) into `--work` (default: a temporary folder) and judged
by `run_phenotype(..., PhenotypeOptions(patient_field="pmid"))` for two phenotypes:

- `benchmarks/phenotypes/dili.yaml`: drug-induced liver injury, `all: [hepatic_event,
  drug]`. hepatic_event: the hand list `HEPATIC_TERMS` below. drug: every distinct gold drug
  mention (DRUG-AE and DRUG-DOSE rows) of the TRAINING PubMed ids, one term per normalized
  key, so it is scored on the test ids only. `--write-phenotypes` rewrites the file from
  the data; a run checks that the committed file is what the data give.
- `benchmarks/phenotypes/nsaid_skin.yaml`: `all: [nsaid, skin]`, both hand lists (in the
  file).

Gold, per PubMed id, from the annotations (every id gets a label for every name; a label
counts a triple or mention anywhere among the id's sentences):

- A text matches a term list when the casefolded word tokens (runs of letters and digits)
  of some term occur contiguously and in order in the text's, both made singular (-ies,
  -es after s/sh/ch/x/z, -s): "liver injuries" matches "liver injury", "acute cholestatic
  hepatitis" matches "hepatitis", "transaminases elevated" does not match "elevated
  transaminases", nor "vanishing bile duct" "vanishing bile duct syndrome". Stop words
  count like any word. (The phenotyper matches by `normalize_key` instead: any order,
  stop words ignored, more inflections folded.)
- dili / hepatic_event: a gold DRUG-AE relation whose adverse-effect text matches the
  hepatic list. dili / phenotype: the same (every DRUG-AE row pairs a drug with its effect).
  dili / drug: any gold drug mention (the corpus marks drugs only in the sentences with a
  DRUG-AE or DRUG-DOSE row, so drugs named in ADE-NEG sentences are not in this gold).
- nsaid_skin / nsaid: a gold drug mention matching the NSAID list; skin: a gold adverse
  effect matching the skin list; phenotype: one gold relation with both (the NSAID caused
  the skin reaction).

The phenotyper's decision is per patient, not per relation: nsaid_skin is met by an NSAID in
one sentence and a rash from another drug in the next, which this gold counts as wrong. The
split is `extract.scoring.split`'s hash of the PubMed id (seed 20240501, 30% test), the one
of the other ADE benchmarks. Rows are printed for the test ids (both phenotypes) and for all
ids (nsaid_skin only: its lists owe nothing to the data). Then counts, time and a seeded
sample of false positives and negatives with the sentence that decided them.

`--llm-sample N` also judges dili with the LLM judge (`--judge llm`: the patient's sentences
holding a criterion's terms, the first `top_k`, read by the model) on a seeded sample of N
test ids, half of them gold positives (as many as there are), and the rules on the same
sample for comparison: an LLM on CPU answers a question in seconds, too slow for all 622.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extract.llm.options import LLMOptions
from extract.phenotype import (
    PHENOTYPE,
    CriterionMatcher,
    PatientResult,
    Phenotype,
    PhenotypeOptions,
    load_phenotype,
    qualifies,
)
from extract.phenotype.scoring import score_cohort
from extract.scoring.split import DEFAULT_SEED, in_test
from extract.text import sentences
from loaders import ade_corpus
from loaders.cohort_gold import read_cohort_gold
from normalize import normalize_key
from pvkg.app.phenotyping import run_phenotype
from pvkg.gold import GoldDocument

ROOT = Path(__file__).resolve().parent.parent
PHENOTYPES = ROOT / "benchmarks" / "phenotypes"
DILI = PHENOTYPES / "dili.yaml"
NSAID_SKIN = PHENOTYPES / "nsaid_skin.yaml"
TEST_FRACTION = 0.3

# Written by hand (clinical knowledge), not from the corpus.
HEPATIC_TERMS = (
    "hepatitis", "hepatotoxicity", "hepatotoxic", "liver injury", "liver damage",
    "liver toxicity", "liver failure", "liver dysfunction", "liver necrosis", "hepatic injury",
    "hepatic damage", "hepatic toxicity", "hepatic failure", "hepatic dysfunction",
    "hepatic necrosis", "hepatocellular injury", "hepatocellular damage",
    "hepatocellular necrosis", "jaundice", "icterus", "cholestasis", "cholestatic",
    "elevated transaminases", "transaminase elevation", "elevated aminotransferases",
    "elevated liver enzymes", "liver enzyme elevation", "abnormal liver function",
    "liver function abnormalities", "hyperbilirubinemia", "steatohepatitis",
    "hepatic steatosis", "fatty liver", "veno-occlusive disease", "cirrhosis",
    "vanishing bile duct syndrome", "peliosis hepatis",
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+")


# --- gold -----------------------------------------------------------------------------------


def singular(token: str) -> str:
    """A plural's singular: -ies -> -y, -shes/-ches/-xes/-zes/-sses lose -es, other -s
    (not -ss, -us, -is) lose -s; words of 3 letters or fewer stay."""
    if len(token) <= 3 or not token.endswith("s"):
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("shes", "ches", "xes", "zes", "sses")):
        return token[:-2]
    return token if token.endswith(("ss", "us", "is")) else token[:-1]


def words(text: str) -> tuple[str, ...]:
    """Casefolded word tokens (runs of letters and digits), each made singular."""
    return tuple(singular(token) for token in _WORD.findall(text.casefold()))


class TermList:
    """A term list matched by contiguous tokens (see the module doc)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = [t for t in {words(term) for term in terms} if t]

    def matches(self, text: str) -> bool:
        tokens = words(text)
        return any(
            tokens[i : i + len(term)] == term
            for term in self.terms
            for i in range(len(tokens) - len(term) + 1)
        )


def terms_of(phenotype: Phenotype, criterion: str) -> tuple[str, ...]:
    return next(c.terms for c in phenotype.criteria if c.id == criterion)


@dataclass
class PubMedId:
    """What the annotations say about one PubMed id."""

    documents: list[GoldDocument] = field(default_factory=list)
    drugs: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)


def by_pmid(documents: Iterable[GoldDocument]) -> dict[str, PubMedId]:
    found: dict[str, PubMedId] = defaultdict(PubMedId)
    for document in documents:
        entry = found[str(document.note.metadata["pmid"])]
        entry.documents.append(document)
        entry.drugs.update(m.span.text for m in document.mentions if m.kind == "drug")
        entry.events.update(m.span.text for m in document.mentions if m.kind == "adverse_event")
        entry.pairs.update((t.drug.text, t.adverse_event.text) for t in document.triples
                           if t.adverse_event is not None)  # fmt: skip
    return dict(sorted(found.items()))


def dili_gold(pmids: Mapping[str, PubMedId], hepatic: TermList) -> dict[tuple[str, str], bool]:
    gold = {}
    for pmid, entry in pmids.items():
        liver = any(hepatic.matches(event) for _, event in entry.pairs)
        gold[(pmid, "hepatic_event")] = liver
        gold[(pmid, "drug")] = bool(entry.drugs)
        gold[(pmid, PHENOTYPE)] = liver
    return gold


def nsaid_skin_gold(
    pmids: Mapping[str, PubMedId], nsaid: TermList, skin: TermList
) -> dict[tuple[str, str], bool]:
    gold = {}
    for pmid, entry in pmids.items():
        gold[(pmid, "nsaid")] = any(nsaid.matches(drug) for drug in entry.drugs)
        gold[(pmid, "skin")] = any(skin.matches(event) for event in entry.events)
        gold[(pmid, PHENOTYPE)] = any(
            nsaid.matches(drug) and skin.matches(event) for drug, event in entry.pairs
        )
    return gold


def write_gold(path: Path, gold: Mapping[tuple[str, str], bool]) -> None:
    lines = ["patient,criterion,label"]
    lines += [f"{patient},{name},{int(label)}" for (patient, name), label in gold.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the dili phenotype file ----------------------------------------------------------------


def training_drugs(pmids: Mapping[str, PubMedId], test: set[str]) -> list[str]:
    """One gold drug text per normalized key from the training ids (the first, lower-cased,
    in sorted order)."""
    by_key: dict[str, str] = {}
    texts = sorted({d.casefold() for p, e in pmids.items() if p not in test for d in e.drugs})
    for text in texts:
        key = normalize_key(text)
        if key:
            by_key.setdefault(key, text)
    return sorted(by_key.values())


def dili_yaml(drugs: Sequence[str]) -> str:
    def block(terms: Iterable[str]) -> str:
        return "".join(f"      - {json.dumps(t, ensure_ascii=False)}\n" for t in terms)

    return (
        "# Drug-induced liver injury: a hepatic adverse event AND a drug named\n"
        "# (benchmarks/phenotype_dev.py). hepatic_event is a hand list; drug is written by\n"
        "# `phenotype_dev.py --write-phenotypes`: every distinct gold drug mention of the ADE\n"
        "# corpus's TRAINING PubMed ids (split seed 20240501, 30% test), one per normalized key.\n"
        "id: dili\n"
        "name: Drug-induced liver injury\n"
        "criteria:\n"
        "  - id: hepatic_event\n"
        "    description: a hepatic adverse event (hepatitis, cholestasis, jaundice, ...)\n"
        "    terms:\n" + block(HEPATIC_TERMS) + "  - id: drug\n"
        f"    description: a drug named ({len(drugs)} gold drug names of the training ids)\n"
        "    terms:\n" + block(drugs) + "logic:\n"
        "  all: [hepatic_event, drug]\n"
    )


# --- scoring and errors ---------------------------------------------------------------------


def table(
    label: str, results: Sequence[PatientResult], gold: Mapping[tuple[str, str], bool]
) -> list[str]:
    rows = []
    for name, s in score_cohort(results, gold).items():
        patients = sum(1 for key in gold if key[1] == name)
        rows.append(f"| {label} | {name} | {patients:,} | {s.gold} | {s.predicted} | {s.tp} | "
                    f"{s.predicted - s.tp} | {s.gold - s.tp} | {s.precision:.3f} | "
                    f"{s.recall:.3f} | {s.f1:.3f} |")  # fmt: skip
    return rows


def examples(
    phenotype: Phenotype,
    results: Sequence[PatientResult],
    gold: Mapping[tuple[str, str], bool],
    pmids: Mapping[str, PubMedId],
    count: int,
) -> None:
    """A seeded sample of FP and FN patients per name, each with the sentences that decided
    it, and a tally of why."""
    notes = {d.note.id: d for e in pmids.values() for d in e.documents}
    matcher = CriterionMatcher(phenotype.criteria)
    by_patient = {r.patient: r for r in results}
    names = [c.id for c in phenotype.criteria] + [PHENOTYPE]
    for name in names:
        fps, fns = [], []
        for (patient, which), label in gold.items():
            if which != name:
                continue
            result = by_patient[patient]
            met = result.met if name == PHENOTYPE else result.criteria[name].met
            if met and not label:
                fps.append(patient)
            elif label and not met:
                fns.append(patient)
        for kind, patients in (("FP", fps), ("FN", fns)):
            why: Counter[str] = Counter()
            lines = []
            rng = random.Random(DEFAULT_SEED)  # noqa: S311 - sampling, not secrets
            sample = set(rng.sample(patients, min(count, len(patients))))
            for patient in patients:
                reason, detail = _explain(kind, name, by_patient[patient], pmids[patient],
                                          notes, matcher, phenotype)  # fmt: skip
                why[reason] += 1
                if patient in sample:
                    lines.append(f"    {patient} [{reason}] {detail}")
            if patients:
                tally = ", ".join(f"{r}: {n}" for r, n in why.most_common())
                print(f"  {phenotype.id}/{name} {kind} {len(patients)} ({tally})")
                print("\n".join(lines))


def _explain(
    kind: str,
    name: str,
    result: PatientResult,
    entry: PubMedId,
    notes: Mapping[str, GoldDocument],
    matcher: CriterionMatcher,
    phenotype: Phenotype,
) -> tuple[str, str]:
    if name == PHENOTYPE:
        statuses = ", ".join(f"{c}={int(s.met)}" for c, s in result.criteria.items())
        pairs = "; ".join(f"{d} -> {e}" for d, e in sorted(entry.pairs))[:300]
        return ("criteria " + statuses, f"gold pairs: {pairs or 'none'}")
    if kind == "FP":
        first = result.criteria[name].evidence[0]
        document = notes[first.note_id]
        where = "in a relation sentence" if document.mentions else "in an ADE-NEG sentence"
        found = first.quote[first.start - first.sentence_start : first.end - first.sentence_start]
        return f"found {where}", f"{found!r}: {first.quote[:240]}"
    # FN: was a gold mention found but rejected (assertion), or not found at all?
    criterion = next(c for c in phenotype.criteria if c.id == name)
    kind_of = "drug" if name in ("drug", "nsaid") else "adverse_event"
    for document in entry.documents:
        text = document.note.text
        spans = [m.span for m in document.mentions if m.kind == kind_of]
        for window in sentences(text):
            for find in matcher.finds(text, window.start, window.end):
                on_gold = any(s.start < find.end and find.start < s.end for s in spans)
                if find.criterion == name and on_gold and not qualifies(find, criterion):
                    quote = text[find.start : find.end]
                    return (f"found but {find.assertion}",
                            f"{quote!r}: {text[window.start : window.end][:240]}")  # fmt: skip
    golds = entry.drugs if kind_of == "drug" else entry.events
    return ("not found", f"gold: {'; '.join(sorted(golds))[:240]}")


# --- main -----------------------------------------------------------------------------------


def llm_sample(gold: Mapping[tuple[str, str], bool], test: set[str], size: int) -> list[str]:
    """A seeded sample of test ids: up to half gold phenotype positives, the rest negatives."""
    rng = random.Random(DEFAULT_SEED)  # noqa: S311 (a reproducible sample, not a secret)
    positive = sorted(p for p in test if gold.get((p, PHENOTYPE)))
    negative = sorted(p for p in test if not gold.get((p, PHENOTYPE)))
    picked = rng.sample(positive, min(len(positive), size // 2))
    return sorted(picked + rng.sample(negative, size - len(picked)))


def llm_rows(
    args: argparse.Namespace,
    work: Path,
    documents: Sequence[GoldDocument],
    gold: Mapping[tuple[str, str], bool],
    test: set[str],
) -> list[str]:
    """dili on the sample, rules then the LLM; the table rows and a line of LLM counts."""
    sample = set(llm_sample(gold, test, args.llm_sample))
    notes = work / "llm_sample_notes.jsonl"
    with notes.open("w", encoding="utf-8") as handle:
        for d in documents:
            if str(d.note.metadata["pmid"]) in sample:
                record = {"id": d.note.id, "text": d.note.text,
                          "metadata": {"pmid": str(d.note.metadata["pmid"])}}  # fmt: skip
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    on_sample = {k: v for k, v in gold.items() if k[0] in sample}
    llm = LLMOptions(llm_url=args.llm_url, model=args.llm_model, model_path=args.llm_model_path,
                     concurrency=1, timeout=600.0)  # fmt: skip
    rows = []
    for judge in ("rules", "llm"):
        options = PhenotypeOptions(patient_field="pmid", judge=judge, llm=llm)
        began = time.perf_counter()
        summary, results = run_phenotype(DILI, [notes], work / f"cohort_dili_{judge}", options)
        seconds = time.perf_counter() - began
        label = f"dili (LLM sample of {len(sample)} test ids, {judge})"
        rows += table(label, results, on_sample)
        print(f"{label}: {seconds:.1f} s; asks {summary.llm_asks}, ungrounded "
              f"{summary.llm_ungrounded}, failed {summary.llm_failed}", flush=True)  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--work", type=Path, default=None, help="keep notes, gold, cohorts")
    parser.add_argument("--examples", type=int, default=8, help="FP / FN shown per name")
    parser.add_argument("--write-phenotypes", action="store_true",
                        help=f"rewrite {DILI.relative_to(ROOT)} from the data")  # fmt: skip
    parser.add_argument("--llm-sample", type=int, default=0, help="test ids for the LLM judge")
    parser.add_argument("--llm-url", default=None)
    parser.add_argument("--llm-model", default=None)
    parser.add_argument("--llm-model-path", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    documents = list(ade_corpus.iter_documents(args.data / "ade_corpus_v2"))
    pmids = by_pmid(documents)
    test = {p for p in pmids if in_test(p, TEST_FRACTION, DEFAULT_SEED)}
    drugs = training_drugs(pmids, test)
    if args.write_phenotypes:
        DILI.write_text(dili_yaml(drugs), encoding="utf-8")
    elif DILI.read_text(encoding="utf-8") != dili_yaml(drugs):
        raise SystemExit(f"{DILI} is not what the data give: run with --write-phenotypes")
    print(f"ADE corpus: {len(documents):,} sentences, {len(pmids):,} PubMed ids "
          f"({len(test):,} test, {len(pmids) - len(test):,} train); "
          f"{len(drugs):,} training drug terms; loaded in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        notes = work / "ade_notes.jsonl"
        with notes.open("w", encoding="utf-8") as handle:
            for d in documents:
                record = {"id": d.note.id, "text": d.note.text,
                          "metadata": {"pmid": str(d.note.metadata["pmid"])}}  # fmt: skip
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        dili, nsaid_skin = load_phenotype(DILI), load_phenotype(NSAID_SKIN)
        golds = {
            "dili": dili_gold(pmids, TermList(terms_of(dili, "hepatic_event"))),
            "nsaid_skin": nsaid_skin_gold(pmids, TermList(terms_of(nsaid_skin, "nsaid")),
                                          TermList(terms_of(nsaid_skin, "skin"))),
        }  # fmt: skip
        head = "| phenotype (ids) | name | patients | gold + | predicted + | TP | FP | FN | "
        rows = [head + "P | R | F1 |", "| " + " | ".join(["---"] * 11) + " |"]
        timing = []
        for phenotype, path in ((dili, DILI), (nsaid_skin, NSAID_SKIN)):
            gold_csv = work / f"gold_{phenotype.id}.csv"
            write_gold(gold_csv, golds[phenotype.id])
            gold = read_cohort_gold(gold_csv)
            options = PhenotypeOptions(patient_field="pmid")
            began = time.perf_counter()
            summary, results = run_phenotype(path, [notes], work / f"cohort_{phenotype.id}",
                                             options)  # fmt: skip
            seconds = time.perf_counter() - began
            timing.append(f"{phenotype.id}: {summary.notes:,} notes, {summary.patients:,} "
                          f"patients, {summary.met:,} met, {seconds:.2f} s "
                          f"({summary.notes / seconds:,.0f} notes/s)")  # fmt: skip
            on_test = {k: v for k, v in gold.items() if k[0] in test}
            rows += table(f"{phenotype.id} (test)", results, on_test)
            if phenotype.id == "nsaid_skin":
                rows += table(f"{phenotype.id} (all)", results, gold)
            print(f"errors on the test ids, {phenotype.id} (sample of {args.examples}):")
            examples(phenotype, results, on_test, pmids, args.examples)
        if args.llm_sample:
            rows += llm_rows(args, work, documents, golds["dili"], test)
        print("\n".join(timing))
        print("\n".join(rows))
        print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
