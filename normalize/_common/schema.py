"""SQLite layout of the terminology index: its file, version and final tables.

`cards` holds, per linkable concept, everything a link result shows as one row, so a hit
costs one row read instead of four subqueries: plain columns, the codes alone as JSON
(decoded only when read), semantic-type names once in `semantic_types`.
`terms` holds only the keys of linkable concepts, each with its concept's kind flags, so a
lookup filters by kind without reading another table.
"""

from __future__ import annotations

INDEX_FILE = "index.sqlite"
SCHEMA_VERSION = 6

FINAL = """
CREATE TABLE concepts (cid INTEGER PRIMARY KEY, name TEXT NOT NULL, kinds INTEGER NOT NULL);
CREATE TABLE terms (key TEXT, cid INTEGER, kinds INTEGER, n INTEGER, best INTEGER,
                    PRIMARY KEY (key, cid)) WITHOUT ROWID;
CREATE TABLE codes (cid INTEGER, sab TEXT, tty TEXT, code TEXT,
                    PRIMARY KEY (cid, sab, tty, code)) WITHOUT ROWID;
CREATE TABLE sty (cid INTEGER, tui TEXT, name TEXT, PRIMARY KEY (cid, tui)) WITHOUT ROWID;
CREATE TABLE rel (src INTEGER, rela TEXT, dst INTEGER,
                  PRIMARY KEY (src, rela, dst)) WITHOUT ROWID;
CREATE TABLE ingredients (cid INTEGER, rxcui TEXT, PRIMARY KEY (cid, rxcui)) WITHOUT ROWID;
CREATE TABLE meddra_pt (cid INTEGER, code TEXT, PRIMARY KEY (cid, code)) WITHOUT ROWID;
CREATE TABLE semantic_types (tui TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE cards (cid INTEGER PRIMARY KEY, name TEXT NOT NULL, tuis TEXT NOT NULL,
                    ingredients TEXT NOT NULL, meddra_pt TEXT, codes TEXT NOT NULL);
CREATE TABLE lexicon (text TEXT PRIMARY KEY, kinds INTEGER NOT NULL) WITHOUT ROWID;
"""

# A card's columns from the other tables, for filling `cards` and for concepts without one:
# name, TUIs and ingredient RXCUIs (space-separated, sorted), MedDRA PT or null, and
# {sab: [code...]...} with the codes sorted here (aggregates follow the sorted subquery) so
# reading a card sorts nothing.
CARD_COLUMNS = """c.name,
  coalesce((SELECT group_concat(tui, ' ') FROM
    (SELECT tui FROM sty WHERE sty.cid = c.cid ORDER BY tui)), ''),
  coalesce((SELECT group_concat(rxcui, ' ') FROM
    (SELECT rxcui FROM ingredients WHERE ingredients.cid = c.cid ORDER BY rxcui)), ''),
  (SELECT min(code) FROM meddra_pt WHERE meddra_pt.cid = c.cid),
  (SELECT json_group_object(sab, json(codes)) FROM
    (SELECT sab, json_group_array(code) AS codes FROM
      (SELECT DISTINCT sab, code FROM codes WHERE codes.cid = c.cid ORDER BY sab, code)
     GROUP BY sab))"""
