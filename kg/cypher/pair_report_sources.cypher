// Unique reports that mention the drug and report the event, per drug–event pair and report
// source (note, faers, openebgm, ...): the reports pair_counts.cypher counts, by origin.
// The affirmed flags are projected before they filter: LadybugDB 0.22 applied
// `(e.affirmed OR $all_assertions)` in the WHERE beside the key filters to a report's other
// events too, counting a negated finding when the same report affirmed another event.
MATCH (drug:Drug)<-[m:MENTIONS_DRUG]-(r:Report)-[e:REPORTS_EVENT]->(event:AdverseEvent)
WHERE drug.key IN $drug_keys AND event.key IN $event_keys
WITH drug, event, r, m.affirmed OR $all_assertions AS drug_counted,
     e.affirmed OR $all_assertions AS event_counted
WHERE drug_counted AND event_counted
RETURN drug.key AS drug_key, event.key AS event_key, r.source AS source,
       count(DISTINCT r) AS n;
