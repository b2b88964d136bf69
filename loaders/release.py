"""Find the RRF files of a UMLS (MR*) or standalone RxNorm (RXN*) release in a directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pvkg.errors import TerminologyError

ReleaseKind = Literal["umls", "rxnorm"]
_PREFIX: dict[ReleaseKind, str] = {"umls": "MR", "rxnorm": "RXN"}
# A release unpacks its RRF files at the top, under META/ (UMLS) or under rrf/ (RxNorm).
_SUBDIRS = ("", "META", "rrf")


@dataclass(frozen=True)
class Release:
    """The RRF files of one release; `rel` and `sab` are optional."""

    kind: ReleaseKind
    directory: Path
    conso: Path
    sty: Path
    rel: Path | None
    sab: Path | None

    def files(self) -> list[Path]:
        return [p for p in (self.conso, self.sty, self.rel, self.sab) if p is not None]


def find_release(root: Path) -> Release:
    """The release under `root`, or a TerminologyError saying what is missing."""
    if not root.is_dir():
        raise TerminologyError(
            f"{root}: not a directory", hint="pass the folder with the RRF files"
        )
    for sub in _SUBDIRS:
        directory = root / sub
        for kind, prefix in _PREFIX.items():
            if (directory / f"{prefix}CONSO.RRF").is_file():
                return _release(kind, directory, prefix)
    raise TerminologyError(
        f"{root}: no MRCONSO.RRF or RXNCONSO.RRF here or under META/ or rrf/",
        hint="point at an unpacked UMLS (META) or RxNorm (rrf) release",
    )


def _release(kind: ReleaseKind, directory: Path, prefix: str) -> Release:
    sty = directory / f"{prefix}STY.RRF"
    if not sty.is_file():
        raise TerminologyError(
            f"{directory}: {prefix}CONSO.RRF has no {prefix}STY.RRF beside it",
            hint="semantic types are needed to tell drugs from adverse events; "
            "copy the whole release",
        )
    rel, sab = directory / f"{prefix}REL.RRF", directory / f"{prefix}SAB.RRF"
    return Release(
        kind=kind,
        directory=directory,
        conso=directory / f"{prefix}CONSO.RRF",
        sty=sty,
        rel=rel if rel.is_file() else None,
        sab=sab if sab.is_file() else None,
    )
