"""Column layouts of UMLS and RxNorm RRF files: from MRFILES.RRF, else the documented ones.

Standalone RxNorm names its id columns RXCUI/RXAUI; they are renamed to CUI/AUI so every
reader sees one vocabulary of column names.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pvkg.errors import InputError
from pvkg.textfiles import read_lines


def _columns(spec: str) -> list[str]:
    return spec.split(",")


CONSO = _columns(
    "CUI,LAT,TS,LUI,STT,SUI,ISPREF,AUI,SAUI,SCUI,SDUI,SAB,TTY,CODE,STR,SRL,SUPPRESS,CVF"
)
STY = _columns("CUI,TUI,STN,STY,ATUI,CVF")
MRREL = _columns("CUI1,AUI1,STYPE1,REL,CUI2,AUI2,STYPE2,RELA,RUI,SRUI,SAB,SL,RG,DIR,SUPPRESS,CVF")
# RxNorm swaps DIR and RG relative to MRREL.
RXNREL = _columns("CUI1,AUI1,STYPE1,REL,CUI2,AUI2,STYPE2,RELA,RUI,SRUI,SAB,SL,DIR,RG,SUPPRESS,CVF")
SAB = _columns(
    "VCUI,RCUI,VSAB,RSAB,SON,SF,SVER,VSTART,VEND,IMETA,RMETA,SLC,SCC,SRL,TFR,CFR,CXTY,TTYL,"
    "ATNL,LAT,CENC,CURVER,SABIN,SSN,SCIT"
)

DOCUMENTED: Mapping[str, list[str]] = {
    "MRCONSO.RRF": CONSO,
    "RXNCONSO.RRF": CONSO,
    "MRSTY.RRF": STY,
    "RXNSTY.RRF": STY,
    "MRREL.RRF": MRREL,
    "RXNREL.RRF": RXNREL,
    "MRSAB.RRF": SAB,
    "RXNSAB.RRF": SAB,
}
_RENAMES = {"RXCUI": "CUI", "RXAUI": "AUI", "RXCUI1": "CUI1", "RXCUI2": "CUI2"}
_RENAMES |= {"RXAUI1": "AUI1", "RXAUI2": "AUI2"}


def read_mrfiles(path: Path) -> dict[str, list[str]]:
    """File name -> column names, as MRFILES.RRF (FIL|DES|FMT|CLS|RWS|BTS|) declares them."""
    layouts: dict[str, list[str]] = {}
    for line_no, line in read_lines(path):
        fields = line.split("|")
        if len(fields) < 3 or not fields[0] or not fields[2]:
            raise InputError(
                "expected FIL|DES|FMT|... with a file and its columns", file=path, line=line_no
            )
        layouts[Path(fields[0]).name] = [_RENAMES.get(c, c) for c in fields[2].split(",")]
    return layouts


def columns_for(rrf: Path) -> list[str]:
    """Column names of `rrf`: from MRFILES.RRF beside it when it lists the file."""
    mrfiles = rrf.parent / "MRFILES.RRF"
    if mrfiles.is_file():
        declared = read_mrfiles(mrfiles).get(rrf.name)
        if declared:
            return declared
    layout = DOCUMENTED.get(rrf.name)
    if layout is None:
        raise InputError("no documented layout for this file and no MRFILES.RRF entry", file=rrf)
    return layout
