"""`ExtractOptions`: which extractor to build and how, for `pvkg extract`, `pvkg run` and
`pvkg.extract` alike."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from extract.llm.options import LLMOptions
from pvkg.errors import ConfigError
from pvkg.options import option, ref

ExtractorKind = Literal["rules", "llm", "finetuned"]
EXTRACTOR_KINDS: tuple[ExtractorKind, ...] = get_args(ExtractorKind)


@dataclass(frozen=True)
class ExtractOptions:
    """The rules read `terms` and the terms of the `terminology` index; the LLM takes `llm`;
    the fine-tuned extractor loads the `pvkg train` folder `model_path`."""

    extractor: ExtractorKind = option(
        "rules", "rules, llm or finetuned.", flag=("--extractor", "-e")
    )
    terms: Path | None = option(None, "Rules: a TSV of term<TAB>kind (drug, adverse_event).")
    terminology: Path | None = option(
        None, "Rules: match terms of this terminology index.", flag=("--terminology", "-t")
    )
    min_confidence: float = option(0.0, "Rules: leave out less confident triples.")
    morphology: bool = option(
        True, "Rules: match listed terms only, not drug stems.", flag="--no-suffixes", negate=True
    )
    model_path: Path | None = option(None, "Finetuned: a model folder written by `pvkg train`.")
    device: str | None = option(
        None,
        "Torch device of a local or fine-tuned model (cpu, cuda); default: cuda if any.",
        flag=("--device", "--llm-device"),
    )
    llm: LLMOptions = option(help="The LLM extractor's options.", factory=LLMOptions)

    def __post_init__(self) -> None:
        if self.extractor not in EXTRACTOR_KINDS:
            raise ConfigError(
                f"unknown extractor {self.extractor!r}", hint="choose rules, llm or finetuned"
            )
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError(
                f"{ref(ExtractOptions, 'min_confidence')} must be between 0 and 1, "
                f"not {self.min_confidence}"
            )
