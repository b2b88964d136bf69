// n_event per stratum (see drug_counts_by_stratum.cypher for STRATUM).
MATCH (event:AdverseEvent)<-[e:REPORTS_EVENT]-(r:Report)
WHERE e.affirmed OR $all_assertions
RETURN event.key AS key, coalesce(r.STRATUM, 'unknown') AS stratum, count(DISTINCT r) AS n;
