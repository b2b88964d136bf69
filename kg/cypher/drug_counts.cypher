// n_drug: unique reports that mention each drug.
MATCH (drug:Drug)<-[m:MENTIONS_DRUG]-(r:Report)
WHERE m.affirmed OR $all_assertions
RETURN drug.key AS key, drug.name AS name, count(DISTINCT r) AS n;
