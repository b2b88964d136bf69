// The 2x2 table of every drug–event pair over unique reports, in one query to paste into
// Neo4j Browser or the LadybugDB shell. pvkg itself runs the four marginal queries beside
// this file (same numbers, faster on large graphs).
//   a = drug and event, b = drug without event, c = event without drug, d = neither.
MATCH (:Report)
WITH count(*) AS n_reports
MATCH (drug:Drug)<-[m:MENTIONS_DRUG]-(r:Report)-[e:REPORTS_EVENT]->(event:AdverseEvent)
WHERE m.affirmed AND e.affirmed
WITH n_reports, drug, event, count(DISTINCT r) AS a
MATCH (drug)<-[m2:MENTIONS_DRUG]-(rd:Report)
WHERE m2.affirmed
WITH n_reports, drug, event, a, count(DISTINCT rd) AS n_drug
MATCH (event)<-[e2:REPORTS_EVENT]-(re:Report)
WHERE e2.affirmed
WITH n_reports, drug, event, a, n_drug, count(DISTINCT re) AS n_event
RETURN drug.name AS drug, event.name AS event, a,
       n_drug - a AS b,
       n_event - a AS c,
       n_reports - n_drug - n_event + a AS d
ORDER BY a DESC;
