"""pvkg: pharmacovigilance knowledge graphs from clinical notes and case reports.

The API mirrors the CLI (`pvkg.run`, `pvkg.extract`, `pvkg.train`, `pvkg.link`,
`pvkg.normalize`, `pvkg.load`, `pvkg.signals`, `pvkg.report`, `pvkg.export`,
`pvkg.build_index`); it is imported on first use so that `import pvkg` stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

API = (
    "build_index",
    "link",
    "extract",
    "train",
    "normalize",
    "load",
    "signals",
    "report",
    "export",
    "run",
)
__all__ = ["__version__", *API]


def __getattr__(name: str) -> Any:
    if name in API:
        from pvkg.app import api

        return getattr(api, name)
    raise AttributeError(f"module 'pvkg' has no attribute {name!r}")
