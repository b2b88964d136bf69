"""Query time: open a built index (`index.open_index`) and link mentions, exact by key-hash
arrays and `terms`, approximate by one-edit and trigram candidates; and stream the index's
term list for dictionary matching (`lexicon.index_terms`)."""
