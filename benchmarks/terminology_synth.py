"""A synthetic UMLS release with the real shape, for terminology benchmarks.

MRCONSO rows have the 18 real columns, a realistic language mix (about 70% ENG), source mix,
SUPPRESS flags and string lengths (mean about 40 characters; synonyms of one concept share
words, reorder them and inflect them, as real atoms do). MRSTY gives each concept one or
two semantic types (about a quarter drugs, a fifth disorders), MRREL has RxNorm roll-up
rows in both directions among the drug concepts plus generic hierarchy rows. A sample of
linkable English atoms is written to `mentions.tsv` (text, CUI, kind) for matching runs.
Nothing here is real terminology content.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

_SYLLABLES = (
    "ab ac ad al am an ar as at ba be bi bo ca ce ci co cu da de di do du el em en er es "
    "fa fe fi fo ga ge gi go ha he hi ho id il im in ir is la le li lo lu ma me mi mo mu "
    "na ne ni no nu ob oc ol om on or os pa pe pi po pu ra re ri ro ru sa se si so su ta "
    "te ti to tu ul um un ur va ve vi vo xa xe za ze zi zo"
)
_SUFFIXES = ("", "", "", "itis", "osis", "emia", "ine", "ol", "ate", "ide", "ase", "in")
_SOURCES = (
    ("SNOMEDCT_US", 16),
    ("MSH", 9),
    ("NCI", 10),
    ("LNC", 18),
    ("RXNORM", 5),
    ("MDR", 5),
    ("MTH", 5),
    ("ICD10CM", 4),
    ("MEDCIN", 10),
    ("CHV", 4),
    ("OMIM", 2),
    ("HPO", 2),
    ("GO", 3),
    ("FMA", 3),
    ("DRUGBANK", 2),
    ("ATC", 2),
)
_LANGS = (
    ("ENG", 70),
    ("SPA", 9),
    ("FRE", 4),
    ("GER", 3),
    ("JPN", 4),
    ("DUT", 3),
    ("POR", 3),
    ("ITA", 2),
    ("CZE", 2),
)
_SUPPRESS = (("N", 90), ("O", 5), ("Y", 3), ("E", 2))
_TTYS = ("PT", "SY", "FN", "LLT", "MH", "ET", "IN", "BN", "SCD", "SBD")
_DRUG_TUIS = (
    ("T121", "Pharmacologic Substance"),
    ("T109", "Organic Chemical"),
    ("T200", "Clinical Drug"),
    ("T116", "Amino Acid, Peptide, or Protein"),
)
_AE_TUIS = (
    ("T047", "Disease or Syndrome"),
    ("T184", "Sign or Symptom"),
    ("T033", "Finding"),
    ("T046", "Pathologic Function"),
)
_OTHER_TUIS = (
    ("T061", "Therapeutic or Preventive Procedure"),
    ("T023", "Body Part, Organ, or Organ Component"),
    ("T059", "Laboratory Procedure"),
    ("T201", "Clinical Attribute"),
    ("T170", "Intellectual Product"),
)
_ROLLUP_PAIRS = (
    ("tradename_of", "has_tradename"),
    ("has_ingredient", "ingredient_of"),
    ("consists_of", "constitutes"),
    ("form_of", "has_form"),
)


def _weighted(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


@dataclass(frozen=True)
class SynthStats:
    conso_rows: int
    concepts: int
    rel_rows: int
    mentions: int


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.syllables = _SYLLABLES.split(" ")
        self.words = [self._word() for _ in range(60_000)]
        self.sabs = _weighted(_SOURCES)
        self.langs = _weighted(_LANGS)
        self.suppress = _weighted(_SUPPRESS)

    def _word(self) -> str:
        n = self.rng.choice((2, 2, 3, 3, 3, 4))
        return "".join(self.rng.choices(self.syllables, k=n)) + self.rng.choice(_SUFFIXES)

    def base_words(self) -> list[str]:
        return self.rng.choices(self.words, k=self.rng.choice((1, 2, 2, 3, 3, 4, 5, 6)))

    def variant(self, words: list[str]) -> str:
        rng = self.rng
        w = list(words)
        roll = rng.random()
        if roll < 0.2 and len(w) > 1:
            rng.shuffle(w)
            text = ", ".join((" ".join(w[:-1]), w[-1]))
        elif roll < 0.35:
            text = " ".join(x + "s" if rng.random() < 0.5 else x for x in w)
        elif roll < 0.5:
            text = " ".join(w + rng.choices(self.words, k=rng.choice((1, 2))))
        else:
            text = " ".join(w)
        if rng.random() < 0.5:
            text = text.capitalize()
        if rng.random() < 0.1:
            text += ", NOS"
        return text


def generate(directory: Path, rows: int, seed: int = 7, mentions: int = 100_000) -> SynthStats:
    """Write MRCONSO/MRSTY/MRREL/MRSAB.RRF with about `rows` MRCONSO rows into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    g = _Generator(seed)
    rng = g.rng
    sample: list[str] = []
    seen_linkable = 0
    counts = {"conso": 0, "concepts": 0, "rel": 0}
    drug_cuis: list[str] = []
    with (
        (directory / "MRCONSO.RRF").open("w", encoding="utf-8") as conso,
        (directory / "MRSTY.RRF").open("w", encoding="utf-8") as sty,
        (directory / "MRREL.RRF").open("w", encoding="utf-8") as rel,
    ):
        aui = 0
        cid = 0
        while counts["conso"] < rows:
            cid += 1
            cui = f"C{cid:07d}"
            kind_roll = rng.random()
            tuis = _DRUG_TUIS if kind_roll < 0.25 else _AE_TUIS if kind_roll < 0.45 else _OTHER_TUIS
            kind = "drug" if kind_roll < 0.25 else "adverse_event" if kind_roll < 0.45 else ""
            for tui, name in rng.sample(tuis, k=rng.choice((1, 1, 2))):
                sty.write(f"{cui}|{tui}|A1|{name}|AT{cid}|256|\n")
            words = g.base_words()
            n_atoms = min(40, int(rng.expovariate(1 / 4.5)) + 1)
            for i in range(n_atoms):
                aui += 1
                sab = rng.choices(*g.sabs)[0]
                lat = rng.choices(*g.langs)[0]
                sup = rng.choices(*g.suppress)[0]
                text = g.variant(words)
                pref = f"P|L{aui}|PF|S{aui}|Y" if i == 0 else f"S|L{aui}|VO|S{aui}|N"
                code = f"{sab[:2]}{cid}"
                conso.write(
                    f"{cui}|{lat}|{pref}|A{aui:08d}||{code}||{sab}|"
                    f"{rng.choice(_TTYS)}|{code}|{text}|0|{sup}|256|\n"
                )
                if kind and lat == "ENG" and sup == "N":
                    seen_linkable += 1
                    line = f"{text}\t{cui}\t{kind}"
                    if len(sample) < mentions:
                        sample.append(line)
                    elif (j := rng.randrange(seen_linkable)) < mentions:
                        sample[j] = line
            counts["conso"] += n_atoms
            counts["concepts"] += 1
            counts["rel"] += _relations(rel, rng, cui, kind, drug_cuis, cid)
    (directory / "MRSAB.RRF").write_text(
        "".join(
            f"C9{i:06d}|C9{i:06d}|{s}_SYNTH|{s}|{s} synthetic|{s}|SYNTH|||||||0||||||ENG|"
            f"UTF-8|Y|Y|{s}||\n"
            for i, (s, _) in enumerate(_SOURCES)
        ),
        encoding="utf-8",
    )
    (directory / "mentions.tsv").write_text("\n".join(sample) + "\n", encoding="utf-8")
    return SynthStats(counts["conso"], counts["concepts"], counts["rel"], len(sample))


def _relations(
    rel: TextIO, rng: random.Random, cui: str, kind: str, drugs: list[str], cid: int
) -> int:
    """Hierarchy rows for every concept; RxNorm roll-up pairs for drugs (both directions)."""
    write = rel.write
    n = 0
    if cid > 1:
        parent = f"C{rng.randrange(1, cid):07d}"
        write(f"{parent}|A1|SCUI|PAR|{cui}|A2|SCUI|isa|R{cid}a||SNOMEDCT_US|SNOMEDCT_US|0|Y|N||\n")
        write(
            f"{cui}|A2|SCUI|CHD|{parent}|A1|SCUI|inverse_isa|R{cid}b||SNOMEDCT_US|"
            f"SNOMEDCT_US|0|N|N||\n"
        )
        n += 2
    if kind == "drug":
        if drugs and rng.random() < 0.7:
            target = rng.choice(drugs[-5000:])
            rela, inverse = rng.choice(_ROLLUP_PAIRS)
            write(f"{target}|A1|AUI|RN|{cui}|A2|AUI|{rela}|R{cid}c||RXNORM|RXNORM|0|Y|N||\n")
            write(f"{cui}|A2|AUI|RB|{target}|A1|AUI|{inverse}|R{cid}d||RXNORM|RXNORM|0|N|N||\n")
            n += 2
        drugs.append(cui)
        if len(drugs) > 20000:
            del drugs[:10000]
    return n
