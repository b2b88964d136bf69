"""`pvkg eval`: gold and predictions read from files, scored by `extract.scoring`, and shown
as a table or Markdown."""

from pvkg.app.evaluation.files import Exported, evaluate_files, export_gold
from pvkg.app.evaluation.report import metrics_table, render_markdown
from pvkg.app.evaluation.sources import GOLD_FORMATS, GoldFormat, detect_format, load_gold

__all__ = [
    "GOLD_FORMATS",
    "Exported",
    "GoldFormat",
    "detect_format",
    "evaluate_files",
    "export_gold",
    "load_gold",
    "metrics_table",
    "render_markdown",
]
