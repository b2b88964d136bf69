"""The feedback loop: where a cohort and its gold disagree, Label Studio tasks for a
reviewer (the patient's evidence sentences, the model's answer as a prediction), and the
reviewed tasks read back as gold labels (`loaders.cohort_gold.read_reviewed`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from extract.phenotype.decide import PatientResult
from extract.phenotype.scoring import PHENOTYPE

MET, NOT_MET = "met", "not met"
# The labelling config the tasks are made for (Label Studio's XML), for the project setup.
LABEL_CONFIG = """<View>
  <Header value="$patient — $criterion"/>
  <Text name="evidence" value="$evidence"/>
  <Choices name="label" toName="evidence" choice="single" required="true">
    <Choice value="met"/>
    <Choice value="not met"/>
  </Choices>
</View>"""


def disagreement_tasks(
    results: Iterable[PatientResult], gold: Mapping[tuple[str, str], bool], model: str
) -> list[dict[str, Any]]:
    """One task per (patient, criterion or phenotype) the cohort decides otherwise than the
    gold, with the cohort's decision as a prediction the reviewer can accept or change."""
    tasks = []
    for result in results:
        decided = {PHENOTYPE: result.met} | {n: s.met for n, s in result.criteria.items()}
        for name, met in decided.items():
            label = gold.get((result.patient, name))
            if label is None or label == met:
                continue
            tasks.append(_task(result, name, met, model))
    return tasks


def _task(result: PatientResult, name: str, met: bool, model: str) -> dict[str, Any]:
    statuses = result.criteria.values() if name == PHENOTYPE else [result.criteria[name]]
    quotes = [f"[{e.note_id}] {e.quote}" for s in statuses for e in s.evidence]
    choice = {"from_name": "label", "to_name": "evidence", "type": "choices",
              "value": {"choices": [MET if met else NOT_MET]}}  # fmt: skip
    return {
        "data": {
            "patient": result.patient,
            "criterion": name,
            "evidence": "\n".join(quotes) or "(no evidence found)",
        },
        "predictions": [{"model_version": model, "result": [choice]}],
    }
