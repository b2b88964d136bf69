"""Build time: a UMLS or RxNorm release (RRF files) into an index directory, by
`build.build_index`: ingest into staging tables, sort into final tables and roll-ups,
then write the trigram and exact-key arrays and the manifest."""
