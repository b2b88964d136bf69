"""The precisions a torch model may run or train in, and what "auto" means on this machine.

Kept free of torch at import so that options can name the choices without loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pvkg.errors import ConfigError

Precision = Literal["auto", "float32", "bfloat16"]
PRECISIONS: tuple[Precision, ...] = get_args(Precision)
# CPU flags of native bfloat16 matrix arithmetic (x86 AVX-512 BF16, AMX; Arm BF16).
_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16", "bf16"})


def resolve_precision(precision: str, device: str) -> Literal["float32", "bfloat16"]:
    """ "auto" is bfloat16 where the hardware computes it natively, else float32: emulated
    bfloat16 is slower than float32."""
    if precision not in PRECISIONS:
        raise ConfigError(
            f"unknown precision {precision!r}", hint=f"choose one of {', '.join(PRECISIONS)}"
        )
    if precision != "auto":
        return "bfloat16" if precision == "bfloat16" else "float32"
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    return "bfloat16" if device == "cpu" and _cpu_flags() & _BF16_FLAGS else "float32"


def _cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo); empty where it cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()
