"""The mention kind each annotation label means, for the BRAT and Label Studio loaders.

Annotators name labels as n2c2 2018 track 2 does (Drug, Strength, ADE, ...) or with common
variants (Dose, Adverse_event); both formats' schemas start from this one map.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pvkg.records import MentionKind

MENTION_LABELS: Mapping[str, MentionKind] = MappingProxyType(
    {
        "Drug": "drug",
        "Strength": "dose",
        "Dosage": "dose",
        "Dose": "dose",
        "ADE": "adverse_event",
        "Adverse_event": "adverse_event",
        "Route": "route",
        "Frequency": "frequency",
        "Duration": "duration",
    }
)
