"""Roll-ups: brands, salts and clinical drugs to RxNorm ingredients; MedDRA LLTs to PTs.

Direction, as the UMLS Reference Manual defines MRREL (and RxNorm RXNREL): REL and RELA are
"the relationship of the second concept or atom to the first", so a row
`CUI1|..|REL|CUI2|..|RELA` reads "CUI2 RELA CUI1". Acetaminophen's row
`C0000970|..|RO|C0699142|..|tradename_of` says Tylenol (CUI2) is a tradename of
acetaminophen (CUI1). Edges are stored as (src=CUI2, rela, dst=CUI1) and walked from src to
dst, only along relations that point towards the ingredient (or the PT); following their
inverses (has_tradename, ingredient_of, ...) would spread an ingredient into every product.
"""

from __future__ import annotations

import sqlite3

# "X rela Y" with Y closer to the ingredient.
DRUG_RELAS = frozenset(
    {
        "tradename_of",  # BN -> IN, SBD -> SCD
        "form_of",  # PIN -> IN
        "has_ingredient",  # SCDC -> IN, SBD -> BN
        "has_precise_ingredient",  # SCDC -> PIN
        "has_ingredients",  # SCD -> MIN
        "consists_of",  # SCD -> SCDC
        "has_part",  # MIN -> IN
    }
)
MEDDRA_RELAS = frozenset({"classified_as"})  # LLT classified_as PT
ROLLUP_SOURCES: dict[str, frozenset[str]] = {"RXNORM": DRUG_RELAS, "MDR": MEDDRA_RELAS}
ALL_RELAS = DRUG_RELAS | MEDDRA_RELAS
_MAX_DEPTH = 6


def _placeholders(values: frozenset[str]) -> str:
    return ",".join(f"'{v}'" for v in sorted(values))


def build_ingredients(db: sqlite3.Connection) -> None:
    """Fill `ingredients(cid, rxcui)`: each RxNorm concept's ingredient RXCUIs."""
    db.execute(
        f"""
        INSERT INTO ingredients
        WITH RECURSIVE walk(start, node, depth) AS (
            SELECT DISTINCT cid, cid, 0 FROM codes WHERE sab = 'RXNORM'
            UNION
            SELECT walk.start, rel.dst, walk.depth + 1
            FROM walk JOIN rel ON rel.src = walk.node
            WHERE walk.depth < {_MAX_DEPTH}
              AND rel.rela IN ({_placeholders(DRUG_RELAS)})
              AND NOT EXISTS (SELECT 1 FROM codes
                              WHERE cid = walk.node AND sab = 'RXNORM' AND tty = 'IN')
        )
        SELECT DISTINCT walk.start, codes.code
        FROM walk JOIN codes ON codes.cid = walk.node AND codes.sab = 'RXNORM'
                            AND codes.tty = 'IN'
        """  # noqa: S608 - the interpolated values are our own constants
    )


def build_meddra_pts(db: sqlite3.Connection) -> None:
    """Fill `meddra_pt(cid, code)`: a concept's own MedDRA PT codes, else its LLTs' PTs."""
    db.execute(
        f"""
        INSERT INTO meddra_pt
        SELECT cid, code FROM codes WHERE sab = 'MDR' AND tty = 'PT'
        UNION
        SELECT rel.src, codes.code
        FROM rel JOIN codes ON codes.cid = rel.dst AND codes.sab = 'MDR' AND codes.tty = 'PT'
        WHERE rel.rela IN ({_placeholders(MEDDRA_RELAS)})
          AND NOT EXISTS (SELECT 1 FROM codes
                          WHERE cid = rel.src AND sab = 'MDR' AND tty = 'PT')
        """  # noqa: S608 - the interpolated values are our own constants
    )
