from __future__ import annotations

from pathlib import Path

from pvkg.app.normalizing import NormalizeSummary
from pvkg.app.pipeline import RunSummary


def test_run_summaries_add_up_field_by_field_nested_tallies_too() -> None:
    first = RunSummary(notes=3, dropped_spans=1, linking=NormalizeSummary(triples=2),
                       outputs={"triples": Path("a")})  # fmt: skip
    second = RunSummary(notes=4, skipped=2, linking=NormalizeSummary(triples=5, drugs_linked=5))
    total = first + second
    assert (total.notes, total.skipped, total.dropped_spans) == (7, 2, 1)
    assert total.linking == NormalizeSummary(triples=7, drugs_linked=5)
    assert total.outputs == {"triples": Path("a")}
    assert first.notes == 3  # the parts are left as they were
