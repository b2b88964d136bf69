// n_event: unique reports that report each event.
MATCH (event:AdverseEvent)<-[e:REPORTS_EVENT]-(r:Report)
WHERE e.affirmed OR $all_assertions
RETURN event.key AS key, event.name AS name, count(DISTINCT r) AS n;
