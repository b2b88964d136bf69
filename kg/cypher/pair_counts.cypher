// a: unique reports that mention the drug and report the event, per drug–event pair.
// $all_assertions = false counts only affirmed links (negated, speculated and family-history
// findings excluded).
MATCH (drug:Drug)<-[m:MENTIONS_DRUG]-(r:Report)-[e:REPORTS_EVENT]->(event:AdverseEvent)
WHERE (m.affirmed OR $all_assertions) AND (e.affirmed OR $all_assertions)
RETURN drug.key AS drug_key, event.key AS event_key, count(DISTINCT r) AS a;
