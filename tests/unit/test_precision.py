"""What each precision choice resolves to."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.precision import resolve_precision
from pvkg.errors import ConfigError


def test_explicit_precisions_are_kept_and_unknown_ones_refused() -> None:
    assert resolve_precision("float32", "cpu") == "float32"
    assert resolve_precision("bfloat16", "cpu") == "bfloat16"
    with pytest.raises(ConfigError, match="unknown precision 'fp8'"):
        resolve_precision("fp8", "cpu")


def test_auto_is_bfloat16_exactly_where_the_cpu_has_native_bfloat16() -> None:
    cpuinfo = Path("/proc/cpuinfo")
    flags = (
        set(cpuinfo.read_text(encoding="ascii", errors="replace").split())
        if cpuinfo.exists()
        else set()
    )
    native = bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})
    assert resolve_precision("auto", "cpu") == ("bfloat16" if native else "float32")
    assert resolve_precision("auto", "mps") == "float32"
