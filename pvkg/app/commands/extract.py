"""`pvkg extract`: notes in, triples JSONL out, with the rule or the LLM extractor."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pvkg.app.commands.graph import ErrorReporter
from pvkg.app.extracting import ExtractSummary, extract_notes

if TYPE_CHECKING:
    from extract.base import ExtractionResult, Extractor
    from extract.llm import LLMOptions

err = Console(stderr=True, highlight=False, soft_wrap=True)
MAX_SHOWN_PROBLEMS = 20
LLM_PANEL = "LLM extractor"


class ExtractorChoice(StrEnum):
    rules = "rules"
    llm = "llm"
    finetuned = "finetuned"


def _llm(flag: str, help_text: str) -> typer.models.OptionInfo:
    return typer.Option(flag, help=help_text, rich_help_panel=LLM_PANEL)  # type: ignore[no-any-return]


def extract_command(
    notes: Annotated[Path, typer.Argument(help="A folder of .txt notes, a .jsonl or a .csv.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Triples JSONL to write.")],
    extractor: Annotated[
        ExtractorChoice, typer.Option("--extractor", "-e", help="rules, llm or finetuned.")
    ] = ExtractorChoice.rules,
    model_path: Annotated[
        Path | None,
        typer.Option("--model-path", help="Finetuned: a model folder written by `pvkg train`."),
    ] = None,
    terms: Annotated[
        Path | None,
        typer.Option("--terms", help="Rules: a TSV of term<TAB>kind (drug, adverse_event)."),
    ] = None,
    terminology: Annotated[
        Path | None,
        typer.Option("-t", "--terminology", help="Rules: match terms of this terminology index."),
    ] = None,
    min_confidence: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Rules: leave out less confident triples.")
    ] = 0.0,
    no_suffixes: Annotated[
        bool,
        typer.Option("--no-suffixes", help="Rules: match listed terms only, not drug stems."),
    ] = False,
    id_column: Annotated[
        str | None,
        typer.Option(help="Note id field (JSONL) or column (CSV); default id / note_id / row_id."),
    ] = None,
    text_column: Annotated[
        str | None, typer.Option(help="Note text field or column; default text.")
    ] = None,
    llm_url: Annotated[
        str | None, _llm("--llm-url", "Base URL of an OpenAI-compatible server.")
    ] = None,
    llm_model: Annotated[str | None, _llm("--llm-model", "Model name (smollm2: packaged).")] = None,
    llm_model_path: Annotated[
        Path | None, _llm("--llm-model-path", "A local Hugging Face model or .gguf file.")
    ] = None,
    llm_api_key_env: Annotated[
        str, _llm("--llm-api-key-env", "Environment variable holding the API key.")
    ] = "OPENAI_API_KEY",
    allow_remote_llm: Annotated[
        bool, _llm("--allow-remote-llm", "Allow sending notes to a server off this machine.")
    ] = False,
    llm_prompt: Annotated[str, _llm("--llm-prompt", "zero-shot, few-shot or chain.")] = "zero-shot",
    llm_prompt_dir: Annotated[
        Path | None, _llm("--llm-prompt-dir", "Directory of versioned prompt templates.")
    ] = None,
    llm_examples: Annotated[
        Path | None, _llm("--llm-examples", "Gold documents JSONL for few-shot examples.")
    ] = None,
    llm_examples_k: Annotated[int, _llm("--llm-examples-k", "Examples per request.")] = 3,
    llm_concurrency: Annotated[int, _llm("--llm-concurrency", "Requests in flight.")] = 4,
    llm_timeout: Annotated[float, _llm("--llm-timeout", "Seconds per response.")] = 60.0,
    llm_retries: Annotated[int, _llm("--llm-retries", "Retries on 429/5xx/timeouts.")] = 3,
    llm_backoff: Annotated[float, _llm("--llm-backoff", "First retry delay (s).")] = 0.5,
    llm_cache_dir: Annotated[Path | None, _llm("--llm-cache-dir", "Response cache.")] = None,
    no_llm_cache: Annotated[bool, _llm("--no-llm-cache", "Do not use the cache.")] = False,
    llm_max_tokens: Annotated[int, _llm("--llm-max-tokens", "Most tokens a reply.")] = 1024,
    llm_temperature: Annotated[float, _llm("--llm-temperature", "0 is greedy.")] = 0.0,
    llm_response_format: Annotated[
        str, _llm("--llm-response-format", "auto, json_schema, json_object or none.")
    ] = "auto",
    llm_window_chars: Annotated[int, _llm("--llm-window-chars", "Window size.")] = 4000,
    llm_window_overlap: Annotated[int, _llm("--llm-window-overlap", "Window overlap.")] = 400,
    llm_device: Annotated[
        str | None, _llm("--llm-device", "cpu or cuda (local or fine-tuned model).")
    ] = None,
) -> None:
    """Find (drug, dose, adverse event) triples in notes; one Triple JSON per line."""
    if extractor is ExtractorChoice.rules:
        from pvkg.app.extracting import ExtractorOptions, build_extractor

        chosen = build_extractor(
            ExtractorOptions(terms=terms, index=terminology, min_confidence=min_confidence,
                             morphology=not no_suffixes)
        )  # fmt: skip
    elif extractor is ExtractorChoice.finetuned:
        from pvkg.app.extracting import ExtractorOptions, build_extractor

        chosen = build_extractor(
            ExtractorOptions(kind="finetuned", model_path=model_path, device=llm_device)
        )
    else:
        from extract.llm import LLMOptions

        chosen = _llm_extractor(
            LLMOptions(
                llm_url=llm_url,
                model=llm_model,
                model_path=llm_model_path,
                api_key_env=llm_api_key_env,
                allow_remote=allow_remote_llm,
                prompt=llm_prompt,  # type: ignore[arg-type]  # LLMOptions checks the choice
                prompt_dir=llm_prompt_dir,
                examples=llm_examples,
                examples_k=llm_examples_k,
                concurrency=llm_concurrency,
                timeout=llm_timeout,
                retries=llm_retries,
                backoff=llm_backoff,
                cache_dir=llm_cache_dir,
                use_cache=not no_llm_cache,
                max_tokens=llm_max_tokens,
                temperature=llm_temperature,
                response_format=llm_response_format,  # type: ignore[arg-type]
                window_chars=llm_window_chars,
                window_overlap=llm_window_overlap,
                device=llm_device,
            )
        )
    try:
        summary = _run(notes, output, chosen, id_column, text_column)
    finally:
        close = getattr(chosen, "close", None)
        if callable(close):
            close()
    _print_summary(summary, output)


def _llm_extractor(options: LLMOptions) -> Extractor:
    from extract.llm import build_llm_extractor

    return build_llm_extractor(options)


def _run(
    notes: Path, output: Path, chosen: Extractor, id_column: str | None, text_column: str | None
) -> ExtractSummary:
    reporter = ErrorReporter()
    shown = 0

    def on_note(result: ExtractionResult) -> None:
        nonlocal shown
        progress.advance(task)
        for problem in result.problems:
            shown += 1
            if shown <= MAX_SHOWN_PROBLEMS:
                err.print(f"[yellow]note {result.note_id}:[/] {problem}", markup=True)

    columns = (
        SpinnerColumn(),
        TextColumn("extracting: {task.completed} notes"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("extract", total=None)
        summary = extract_notes(
            notes,
            output,
            chosen,
            on_error=reporter,
            on_note=on_note,
            id_field=id_column,
            text_field=text_column,
        )
    reporter.summary()
    return summary


def _print_summary(summary: ExtractSummary, output: Path) -> None:
    err.print(
        f"extracted {summary.triples} triples from {summary.notes} notes into {output}; "
        f"{summary.dropped_spans} of {summary.returned_spans} spans dropped (not in the note), "
        f"{summary.errors} bad notes skipped, {summary.problems} extractor problems"
    )
