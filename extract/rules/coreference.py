"""Drug anaphora: "the drug", "this agent", "the offending medication" in a sentence with an
adverse event and no named drug refer to the drug the note last named. Resolved only when
the last sentence naming drugs names one (by its words), so that the antecedent is not a
guess between two; the triple then attaches to that real drug mention, the anaphor kept in
its span's attributes (`ANAPHOR`, `ANAPHOR_START`)."""

from __future__ import annotations

from collections.abc import Sequence

from extract.rules.tokens import TokenTrie, fold

ANAPHOR = "anaphor"
ANAPHOR_START = "anaphor_start"
PHRASES = (
    "the drug", "this drug", "that drug", "the agent", "this agent", "the medication",
    "this medication", "the medicine", "this medicine", "the compound", "this compound",
    "the offending drug", "the offending agent", "the offending medication",
    "the suspected drug", "the suspect drug", "the culprit drug", "this treatment",
)  # fmt: skip

_TRIE: TokenTrie[bool] = TokenTrie()
for _phrase in PHRASES:
    _TRIE.add(fold(_phrase), True)


def find_anaphor(words: Sequence[str]) -> tuple[int, int] | None:
    """The token range of the first drug anaphor in a sentence's words, if any."""
    for match in _TRIE.scan(words):
        return match.first, match.stop
    return None
