"""Mention kinds and the UMLS semantic types each may link to.

Drugs link to the Chemicals & Drugs semantic group; adverse events to Disorders plus
Laboratory or Test Result (T034: "liver enzymes increased"), after McCray's semantic groups.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["drug", "adverse_event"]
KINDS: tuple[Kind, ...] = ("drug", "adverse_event")


def _tuis(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


DRUG_TUIS = _tuis(
    "T116 T195 T123 T122 T103 T120 T104 T200 T196 T126 T131 T125 T129 T130 T197 T114 T109 "
    "T121 T192 T127"
)
ADVERSE_EVENT_TUIS = _tuis("T020 T190 T049 T019 T047 T050 T033 T037 T048 T191 T046 T184 T034")

# Bit flags stored per concept, so one integer test filters by kind.
KIND_BITS: dict[Kind, int] = {"drug": 1, "adverse_event": 2}
