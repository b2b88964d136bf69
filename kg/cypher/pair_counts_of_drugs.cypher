// pair_counts.cypher for the drugs in $drug_keys only: Neo4j holds a query's aggregation in
// its transaction memory, so it counts a large graph a slice of drugs at a time. The flags
// are projected before they filter (see pair_report_sources.cypher).
MATCH (drug:Drug)<-[m:MENTIONS_DRUG]-(r:Report)-[e:REPORTS_EVENT]->(event:AdverseEvent)
WHERE drug.key IN $drug_keys
WITH drug, event, r, m.affirmed OR $all_assertions AS drug_counted,
     e.affirmed OR $all_assertions AS event_counted
WHERE drug_counted AND event_counted
RETURN drug.key AS drug_key, event.key AS event_key, count(DISTINCT r) AS a;
