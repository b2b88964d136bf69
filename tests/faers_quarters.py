"""FAERS quarters for the tests: the fixture, and a copy of it with bad lines."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "faers"


def broken_quarter(tmp_path: Path) -> Path:
    """The fixture quarter with bad lines of every kind appended (see the loader's tests)."""
    folder = tmp_path / "ASCII"
    shutil.copytree(FIXTURE / "ASCII", folder)
    with (folder / "DEMO24Q1.txt").open("ab") as demo:
        demo.write(b"100000066$10000006$1$I$$$$$EXP$$$$$7$CENTURY$$F$$$$$$$US$US\r\n")
        demo.write(b"100000011$10000001$2$F$$$$$EXP$$$$$63$YR$$F$$$$$$$US$US\r\n")
        demo.write(b"10000007X$10000007$1$I$$$$$EXP$$$$$$$$M$$$$$$$US$US\r\n")
    with (folder / "DRUG24Q1.txt").open("ab") as drug:
        drug.write(b"100000055$10000005$2$XX$HEPARIN$HEPARIN$1$$$$$$$$$$$$$\r\n")
        drug.write(b"100000055$10000005$3$C$ASPIRIN\r\n")
    with (folder / "REAC24Q1.txt").open("ab") as reac:
        reac.write(b"100000099$10000009$Headache$\r\n")
        reac.write(b"100000055$10000005$$\r\n")
    return folder
