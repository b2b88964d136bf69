// a: unique reports with an extracted triple attributing the event to the drug.
MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:OF_DRUG]->(drug:Drug),
      (t)-[:OF_EVENT]->(event:AdverseEvent)
WHERE t.assertion IN $assertions
RETURN drug.key AS drug_key, event.key AS event_key, count(DISTINCT r) AS a;
